/**
 * Module-scope cache of access-map lookups, one entry per app client: warm invocations within the
 * TTL do not call SSM, and a failed refresh keeps serving that client's last good lookup for a
 * bounded stale window (a short SSM outage or throttling must not lock everyone out; a long one
 * must not freeze revocations forever). A client without a parameter is cached too, as unknown.
 */
import { type AccessMap, type AccessMapDocuments, parseAccessMap } from "./accessMap";
import { describeError } from "./util";

/** Where the map used for a decision came from. */
export type AccessMapSource = "fresh" | "cached" | "stale";

/** A map ready for a decision, with what operators need to know about its freshness. */
export interface CachedAccessMap {
    map: AccessMap;
    source: AccessMapSource;
    /** Seconds since this lookup was loaded. */
    ageSeconds: number;
    /** Why the refresh failed, when `source` is `stale`. */
    refreshError?: string;
}

/** No usable access map: the load failed or returned an invalid document, and nothing good is cached. */
export class AccessMapUnavailableError extends Error {
    override name = "AccessMapUnavailableError";
}

/**
 * Cached clients at most: a user pool holds 1,000 app clients (an adjustable quota), and only the
 * pool's own clients reach the trigger, so this bounds memory without evicting in normal use.
 */
// https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
export const MAX_CACHED_CLIENTS = 2000;

/** Options of {@link createAccessMapCache}. */
export interface AccessMapCacheOptions {
    /** Fetches one client's raw documents (e.g. from SSM). */
    load: (clientId: string) => Promise<AccessMapDocuments>;
    /** Current time in milliseconds since the epoch. */
    now: () => number;
    /** How long a lookup is used without asking `load` again. */
    ttlMs: number;
    /** How long past its TTL a client's last good lookup is still served when refreshes fail. */
    maxStaleMs: number;
    /** @default MAX_CACHED_CLIENTS */
    maxEntries?: number;
}

/**
 * Creates a loader that caches each client's parsed lookup.
 *
 * Documents that fail validation count as a failed refresh, exactly like a network error.
 *
 * @returns A function resolving to the map to use for `clientId`; it rejects with
 *   {@link AccessMapUnavailableError} when there is no lookup, or only one older than TTL + stale window.
 */
export function createAccessMapCache(options: AccessMapCacheOptions): (clientId: string) => Promise<CachedAccessMap> {
    const { load, now, ttlMs, maxStaleMs } = options;
    const maxEntries = options.maxEntries ?? MAX_CACHED_CLIENTS;
    // Insertion order is refresh order, so the first key is the least recently loaded.
    const good = new Map<string, { map: AccessMap; loadedAt: number }>();

    return async (clientId) => {
        const t = now();
        const age = (from: number) => Math.max(0, Math.round((t - from) / 1000));
        const cached = good.get(clientId);
        if (cached && t - cached.loadedAt < ttlMs) {
            return { map: cached.map, source: "cached", ageSeconds: age(cached.loadedAt) };
        }
        try {
            const map = parseAccessMap(clientId, await load(clientId));
            good.delete(clientId);
            good.set(clientId, { map, loadedAt: t });
            if (good.size > maxEntries) good.delete(good.keys().next().value!);
            return { map, source: "fresh", ageSeconds: 0 };
        } catch (err) {
            const detail = describeError(err);
            if (cached && t - cached.loadedAt < ttlMs + maxStaleMs) {
                return { map: cached.map, source: "stale", ageSeconds: age(cached.loadedAt), refreshError: detail };
            }
            throw new AccessMapUnavailableError(
                cached ? `last good access map is older than the stale window; refresh failed: ${detail}` : detail,
                { cause: err },
            );
        }
    };
}
