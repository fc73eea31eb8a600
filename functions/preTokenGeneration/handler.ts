/**
 * Cognito Pre Token Generation trigger: per-dashboard access, enforced at sign-in.
 *
 * Every dashboard has its own Cognito app client, used by the ALB's `authenticate-oidc`
 * action. Before Cognito issues tokens (sign-in, new-password and device challenges, and every
 * refresh) it calls this function with the user's groups and the app client id; throwing makes
 * the token exchange fail, so a user outside a dashboard's groups never gets a session for it.
 *
 * Why the map lives in SSM: the user pool needs this Lambda's ARN, and the app clients need the
 * pool; passing client ids to the Lambda as environment variables would close the cycle
 * pool -> Lambda -> clients -> pool. The infrastructure instead writes, once the clients exist, one
 * parameter per app client (its dashboard and groups) and one with the admin groups under a path
 * named up front; this function reads the two a sign-in needs in one call (cached per client for
 * `ACCESS_MAP_TTL_SECONDS`; see accessMapCache.ts for the stale window). One parameter per client
 * means no parameter's size limits how many dashboards or groups a stack has.
 *
 * Fail closed: an unknown client id, a malformed event, a missing/invalid access map (with no
 * recent good copy), a bad configuration or any unexpected error all deny. On allow the event is
 * returned unchanged (claims are not modified). One JSON line per decision goes to stdout
 * (CloudWatch Logs) for auditing and usage statistics (usage.ts): no tokens, only the dashboard,
 * the decision, group names and a user key that is, by default, a salted hash (who the user is stays
 * out of the log unless the stack asks for `sub` or `email`). With a metrics namespace set, the
 * same line carries `Logins` and `Denied` per dashboard in the embedded metric format.
 *
 * Environment:
 * - `ACCESS_MAP_PATH` (required): the SSM path of the map, e.g. `/dashboards/prod/auth/access`
 *   (`<path>/admin-groups`, `<path>/clients/<client id>`; see accessMap.ts).
 * - `ACCESS_MAP_TTL_SECONDS` (default 60): how long a client's lookup is used without calling SSM.
 * - `ACCESS_MAP_MAX_STALE_SECONDS` (default 900): how long past its TTL a client's last good
 *   lookup is still used while refreshes fail.
 * - `USAGE_USER_KEY`, `USAGE_METRICS_NAMESPACE`: see usage.ts. A bad one never denies: the line
 *   says what was not understood.
 * - `USAGE_SALT_PARAMETER`: the SecureString with the `hashed` key's salt, read once per instance
 *   (usageSalt.ts); unset or unreadable, lines have no user key and say why.
 */
import type { Context, PreTokenGenerationTriggerEvent, PreTokenGenerationV2TriggerEvent } from "aws-lambda";
import type { AccessMapDocuments } from "./accessMap";
import { AccessMapUnavailableError, type AccessMapSource, createAccessMapCache } from "./accessMapCache";
import { type AllowReason, type DenyReason, decideAccess, denialMessage } from "./decision";
import { InvalidEventError, readTriggerEvent, type TriggerFacts } from "./event";
import { createFastSsmClient, ssmAccessMapLoader, ssmSecureValueLoader } from "./ssm";
import { type MetricFields, metricFields, readUsageSettings, USAGE_ENV, triggerKind, type UserIdentity, userGroupsField, userKeyOf, type UsageSettings, type UserKeyKind } from "./usage";
import { createUsageSaltSource, type UsageSaltResult } from "./usageSalt";
import { describeError, isRecord } from "./util";

/** Environment variable names read by the handler. */
export const ENV = {
    path: "ACCESS_MAP_PATH",
    ttlSeconds: "ACCESS_MAP_TTL_SECONDS",
    maxStaleSeconds: "ACCESS_MAP_MAX_STALE_SECONDS",
} as const;

/** Default `ACCESS_MAP_TTL_SECONDS`: map changes reach every warm instance within a minute. */
// GetParameter shares a per-account, per-Region TPS quota (ThrottlingException past it): https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
export const DEFAULT_TTL_SECONDS = 60;
/** Default `ACCESS_MAP_MAX_STALE_SECONDS`: rides out a 15-minute SSM outage without locking users out. */
export const DEFAULT_MAX_STALE_SECONDS = 900;

/** Shown to the user when access cannot be checked (no internals: details go to the log). */
export const UNAVAILABLE_MESSAGE = "Access denied: dashboard access cannot be checked right now. Please try again later.";

/** The trigger events handled (V1_0 and V2_0 share every field read here). */
// V1_0 and V2_0 events: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
export type PreTokenGenerationEvent = PreTokenGenerationTriggerEvent | PreTokenGenerationV2TriggerEvent;

/** The Lambda handler: resolves to the same event on allow, rejects with a user-safe Error on deny. */
export type PreTokenGenerationHandler = <E extends PreTokenGenerationEvent>(
    event: E,
    context?: Pick<Context, "awsRequestId">,
) => Promise<E>;

/** Why a sign-in was denied without a rule being evaluated. */
export type OperationalDenyReason = "invalid-event" | "access-map-unavailable" | "config-error" | "internal-error";

/** The structured line logged for every invocation. */
export interface DecisionLogEntry {
    level: "INFO" | "WARN" | "ERROR";
    message: "access decision";
    decision: "allow" | "deny";
    reason: AllowReason | DenyReason | OperationalDenyReason;
    dashboard?: string;
    clientId?: string;
    triggerSource?: string;
    /** `sign-in` or `refresh`. */
    trigger?: "sign-in" | "refresh";
    userPoolId?: string;
    /** The user as the stack's `usage.userKey` says: a salted hash (default), the `sub` or the email. */
    user?: string;
    userKey?: UserKeyKind;
    federated?: boolean;
    /** The user's groups, sorted, comma-joined (Logs Insights groups by strings, not arrays). */
    userGroups?: string;
    matchedGroup?: string;
    accessMapSource?: AccessMapSource;
    accessMapAgeSeconds?: number;
    /** Operational detail (refresh failure, invalid map, bad event); never shown to the user. */
    error?: string;
    /** A usage setting that was not understood (the sign-in went on regardless). */
    usageProblem?: string;
    requestId?: string;
}

/** A decision line as written: the entry, plus the metrics when a namespace is set. */
export type DecisionLogLine = DecisionLogEntry & Partial<MetricFields>;

/** Injectable dependencies of {@link createHandler}; everything defaults to the Lambda setup. */
export interface HandlerDependencies {
    /** Fetches a client's raw documents. Default: `GetParameters` under `ACCESS_MAP_PATH`. */
    loadAccessMap?: (clientId: string) => Promise<AccessMapDocuments>;
    /** Fetches the salt of the hashed user key. Default: the SecureString `USAGE_SALT_PARAMETER` names. */
    loadUsageSalt?: () => Promise<string>;
    /** Milliseconds since the epoch. Default: `Date.now`. */
    now?: () => number;
    /** Receives one line per decision. Default: one JSON line on stdout. */
    log?: (entry: DecisionLogLine) => void;
    /** Environment to read the settings from. Default: `process.env`. */
    env?: Record<string, string | undefined>;
}

class ConfigError extends Error {
    override name = "ConfigError";
}

function secondsSetting(env: Record<string, string | undefined>, name: string, fallback: number): number {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) {
        throw new ConfigError(`${name} must be a non-negative number of seconds, got ${JSON.stringify(raw)}`);
    }
    return value;
}

// Lambda relays stdout to the function's CloudWatch Logs log stream: https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html
function writeJsonLine(entry: DecisionLogLine): void {
    process.stdout.write(`${JSON.stringify(entry)}\n`);
}

/** What an event says, as far as it could be read: the facts, or best-effort fields of one that failed validation. */
interface EventFields {
    clientId?: string;
    triggerSource?: string;
    userPoolId?: string;
    federated?: boolean;
    groups?: string[];
    user: UserIdentity;
}

function looseFields(event: unknown): EventFields {
    const e = isRecord(event) ? event : {};
    const cc = isRecord(e.callerContext) ? e.callerContext : {};
    const request = isRecord(e.request) ? e.request : {};
    const attributes = isRecord(request.userAttributes) ? request.userAttributes : {};
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    return { clientId: str(cc.clientId), triggerSource: str(e.triggerSource), user: { userName: str(e.userName), sub: str(attributes.sub), email: str(attributes.email) } };
}

function factFields(facts: TriggerFacts): EventFields {
    return {
        clientId: facts.clientId,
        triggerSource: facts.triggerSource,
        userPoolId: facts.userPoolId,
        federated: facts.federated,
        groups: facts.groups,
        user: { sub: facts.sub, userName: facts.userName, email: facts.email },
    };
}

/** What a decision line says of the event itself, from what could be read of it. */
function eventEntryFields(fields: EventFields): Pick<DecisionLogEntry, "clientId" | "triggerSource" | "userPoolId" | "federated"> {
    return { clientId: fields.clientId, triggerSource: fields.triggerSource, userPoolId: fields.userPoolId, federated: fields.federated };
}

/**
 * The entry's usage fields: the user key, the trigger kind, the groups as one string and, with a
 * namespace, the metrics. Never throws (a failure leaves the line without them).
 */
function withUsage(entry: DecisionLogEntry, fields: EventFields, settings: UsageSettings, nowMs: number): DecisionLogLine {
    try {
        const trigger = triggerKind(fields.triggerSource);
        const line: DecisionLogLine = {
            ...entry,
            trigger,
            user: userKeyOf(fields.user, settings),
            userKey: settings.userKey,
            userGroups: fields.groups === undefined ? undefined : userGroupsField(fields.groups),
            usageProblem: settings.problem,
        };
        if (settings.metricsNamespace) Object.assign(line, metricFields(settings.metricsNamespace, { allowed: entry.decision === "allow", dashboard: entry.dashboard, trigger }, nowMs));
        return line;
    } catch (err) {
        return { ...entry, usageProblem: `usage fields failed: ${describeError(err)}` };
    }
}

/**
 * Creates a Pre Token Generation handler. Each instance has its own access-map cache, so tests
 * create one per scenario; Lambda uses the module-level {@link handler}.
 *
 * Settings are read on the first invocation (not at import); a bad setting denies every
 * sign-in with reason `config-error` until it is fixed.
 *
 * @param deps Injected I/O, clock, logger and environment.
 */
export function createHandler(deps: HandlerDependencies = {}): PreTokenGenerationHandler {
    const now = deps.now ?? Date.now;
    const log = deps.log ?? writeJsonLine;
    const env = () => deps.env ?? process.env;
    let ssmClient: ReturnType<typeof createFastSsmClient> | undefined;
    const ssm = () => (ssmClient ??= createFastSsmClient());
    let getAccessMap: ReturnType<typeof createAccessMapCache> | undefined;

    function accessMapCache(): ReturnType<typeof createAccessMapCache> {
        if (getAccessMap) return getAccessMap;
        const ttlSeconds = secondsSetting(env(), ENV.ttlSeconds, DEFAULT_TTL_SECONDS);
        const maxStaleSeconds = secondsSetting(env(), ENV.maxStaleSeconds, DEFAULT_MAX_STALE_SECONDS);
        let load = deps.loadAccessMap;
        if (!load) {
            const path = env()[ENV.path]?.trim();
            if (!path) throw new ConfigError(`${ENV.path} is not set`);
            load = ssmAccessMapLoader(path, ssm());
        }
        getAccessMap = createAccessMapCache({ load, now, ttlMs: ttlSeconds * 1000, maxStaleMs: maxStaleSeconds * 1000 });
        return getAccessMap;
    }

    let usageSettings: UsageSettings | undefined;
    let usageSalt: (() => Promise<UsageSaltResult>) | undefined;

    /** The salt for this invocation's line, when the key is hashed; never rejects. */
    function saltFor(settings: UsageSettings): Promise<UsageSaltResult> {
        if (settings.userKey !== "hashed") return Promise.resolve({});
        if (!usageSalt) {
            const name = env()[USAGE_ENV.saltParameter]?.trim();
            const load = deps.loadUsageSalt ?? (name ? ssmSecureValueLoader(name, ssm()) : () => Promise.reject(new ConfigError(`${USAGE_ENV.saltParameter} is not set`)));
            usageSalt = createUsageSaltSource(load, now);
        }
        return usageSalt();
    }

    /** Evaluates one event; never throws. `denial` is the message to throw, if any. */
    async function evaluate(event: unknown): Promise<{ entry: DecisionLogEntry; fields: EventFields; denial?: string }> {
        let facts: TriggerFacts | undefined;
        try {
            facts = readTriggerEvent(event);
            const { map, source, ageSeconds, refreshError } = await accessMapCache()(facts.clientId);
            const decision = decideAccess(map, facts.clientId, facts.groups);
            const fields = factFields(facts);
            const entry: DecisionLogEntry = {
                level: !decision.allowed || source === "stale" ? "WARN" : "INFO",
                message: "access decision",
                decision: decision.allowed ? "allow" : "deny",
                reason: decision.reason,
                dashboard: decision.dashboard,
                ...eventEntryFields(fields),
                matchedGroup: decision.allowed ? decision.matchedGroup : undefined,
                accessMapSource: source,
                accessMapAgeSeconds: ageSeconds,
                error: refreshError && `access map refresh failed, served last good map: ${refreshError}`,
            };
            return decision.allowed ? { entry, fields } : { entry, fields, denial: denialMessage(decision) };
        } catch (err) {
            const reason: OperationalDenyReason =
                err instanceof InvalidEventError
                    ? "invalid-event"
                    : err instanceof AccessMapUnavailableError
                      ? "access-map-unavailable"
                      : err instanceof ConfigError
                        ? "config-error"
                        : "internal-error";
            const fields = facts ? factFields(facts) : looseFields(event);
            const entry: DecisionLogEntry = {
                level: "ERROR",
                message: "access decision",
                decision: "deny",
                reason,
                ...eventEntryFields(fields),
                error: describeError(err),
            };
            return { entry, fields, denial: err instanceof InvalidEventError ? err.message : UNAVAILABLE_MESSAGE };
        }
    }

    return async (event, context) => {
        // Side by side: the first sign-in of an instance fetches the salt while it looks up the map. Nothing
        // of the statistics may reject the sign-in, not even a setting that throws.
        const salt = Promise.resolve()
            .then(() => saltFor((usageSettings ??= readUsageSettings(env()))))
            .catch((err): UsageSaltResult => ({ problem: `usage salt failed: ${describeError(err)}` }));
        const [{ entry, fields, denial }, saltResult] = await Promise.all([evaluate(event), salt]);
        try {
            const read = usageSettings ?? readUsageSettings(env());
            const settings: UsageSettings = { ...read, salt: saltResult.salt, problem: [read.problem, saltResult.problem].filter(Boolean).join("; ") || undefined };
            log(withUsage({ ...entry, requestId: context?.awsRequestId }, fields, settings, now()));
        } catch {
            // A broken logger (or statistics) must not turn a denial into an allow, nor an allow into an outage.
        }
        // Throwing fails the token request (sign-in and refresh alike): https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
        if (denial !== undefined) throw new Error(denial);
        // An event returned unchanged tells Cognito to carry on with its default action: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
        return event;
    };
}

/** The Lambda entry point (`functions/preTokenGeneration/handler.handler`). */
export const handler: PreTokenGenerationHandler = createHandler();
