/**
 * Module-scope cache of the access map: warm invocations within the TTL do not call SSM, and a
 * failed refresh keeps serving the last good map for a bounded stale window (a short SSM outage
 * or throttling must not lock everyone out; a long one must not freeze revocations forever).
 */
import { type AccessMap, parseAccessMap } from "./accessMap";
import { describeError } from "./util";

/** Where the map used for a decision came from. */
export type AccessMapSource = "fresh" | "cached" | "stale";

/** A map ready for a decision, with what operators need to know about its freshness. */
export interface CachedAccessMap {
    map: AccessMap;
    source: AccessMapSource;
    /** Seconds since this map was loaded. */
    ageSeconds: number;
    /** Why the refresh failed, when `source` is `stale`. */
    refreshError?: string;
}

/** No usable access map: the load failed or returned an invalid document, and nothing good is cached. */
export class AccessMapUnavailableError extends Error {
    override name = "AccessMapUnavailableError";
}

/** Options of {@link createAccessMapCache}. */
export interface AccessMapCacheOptions {
    /** Fetches the raw JSON document (e.g. from SSM). */
    load: () => Promise<string>;
    /** Current time in milliseconds since the epoch. */
    now: () => number;
    /** How long a loaded map is used without asking `load` again. */
    ttlMs: number;
    /** How long past its TTL the last good map is still served when refreshes fail. */
    maxStaleMs: number;
}

/**
 * Creates a loader that caches the parsed access map.
 *
 * A document that fails validation counts as a failed refresh, exactly like a network error.
 *
 * @returns A function resolving to the map to use; it rejects with
 *   {@link AccessMapUnavailableError} when there is no map, or only one older than TTL + stale window.
 */
export function createAccessMapCache(options: AccessMapCacheOptions): () => Promise<CachedAccessMap> {
    const { load, now, ttlMs, maxStaleMs } = options;
    let good: { map: AccessMap; loadedAt: number } | undefined;

    return async () => {
        const t = now();
        const age = (from: number) => Math.max(0, Math.round((t - from) / 1000));
        if (good && t - good.loadedAt < ttlMs) {
            return { map: good.map, source: "cached", ageSeconds: age(good.loadedAt) };
        }
        try {
            const map = parseAccessMap(await load());
            good = { map, loadedAt: t };
            return { map, source: "fresh", ageSeconds: 0 };
        } catch (err) {
            const detail = describeError(err);
            if (good && t - good.loadedAt < ttlMs + maxStaleMs) {
                return { map: good.map, source: "stale", ageSeconds: age(good.loadedAt), refreshError: detail };
            }
            throw new AccessMapUnavailableError(
                good ? `last good access map is older than the stale window; refresh failed: ${detail}` : detail,
                { cause: err },
            );
        }
    };
}
