/**
 * Usage statistics of the login trigger: who (as a configurable user key) was let into which
 * dashboard, and CloudWatch metrics of it, all in the decision line the handler writes anyway.
 * Nothing here may fail or slow a sign-in: every function is total (bad settings and odd events
 * give a line with less in it, never an exception), pure and cheap (one HMAC at most).
 */
import { createHmac } from "crypto";

/** Environment variables of the statistics (set by CognitoAuth from the stack file's `usage` keys). */
export const USAGE_ENV = {
    /** `hashed` (default), `sub` or `email`: what the `user` field of a decision line is. */
    userKey: "USAGE_USER_KEY",
    /** The SSM SecureString holding the `hashed` key's salt (its name only: the trigger reads it, usageSalt.ts). */
    saltParameter: "USAGE_SALT_PARAMETER",
    /** The CloudWatch namespace of the `Logins`/`Denied` metrics; unset: no metrics (`usage.enabled: false`). */
    metricsNamespace: "USAGE_METRICS_NAMESPACE",
} as const;

export const USER_KEYS = ["hashed", "sub", "email"] as const;
export type UserKeyKind = (typeof USER_KEYS)[number];

/** The metrics' one dimension: a dashboard name from the access map, never a value from the request. Not `Dashboard`: the line has a `dashboard` field, and a query should never have to tell the two apart by case. */
export const DASHBOARD_DIMENSION = "DashboardName";
/** The dimension value of decisions without a known dashboard (unknown client, broken event): one bounded value, so requests cannot mint metrics. */
export const NO_DASHBOARD = "(none)";
/** Hex characters of a hashed user key: 128 bits, ample to count distinct users without collisions. */
export const HASHED_KEY_LENGTH = 32;
/** Group names beyond this many characters of `userGroups` are cut (a line stays well under CloudWatch's 256 KB event limit). */
export const MAX_USER_GROUPS_LENGTH = 2048;

/** The usage settings as read from the environment (the salt from SSM, see usageSalt.ts); never throws. */
export interface UsageSettings {
    userKey: UserKeyKind;
    /** The per-stack secret the `hashed` key is made with, read from the SecureString `USAGE_SALT_PARAMETER` names. */
    salt?: string;
    metricsNamespace?: string;
    /** A setting that was not understood (the line says so; the sign-in goes on). */
    problem?: string;
}

/** Reads the usage settings; an unknown user key falls back to `hashed` (the private choice) and says so. */
export function readUsageSettings(env: Record<string, string | undefined>): UsageSettings {
    const raw = env[USAGE_ENV.userKey]?.trim();
    const known = (USER_KEYS as readonly string[]).includes(raw ?? "");
    const metricsNamespace = env[USAGE_ENV.metricsNamespace]?.trim() || undefined;
    const userKey: UserKeyKind = known ? (raw as UserKeyKind) : "hashed";
    const problem = raw && !known ? `${USAGE_ENV.userKey} ${JSON.stringify(raw.slice(0, 40))} is not one of ${USER_KEYS.join(", ")}; using hashed` : undefined;
    return { userKey, metricsNamespace, problem };
}

/** What identifies the user in an event, as far as it was readable. */
export interface UserIdentity {
    sub?: string;
    userName?: string;
    email?: string;
}

/**
 * The user key of a decision line. `hashed`: HMAC-SHA256 of the user's `sub` (else user name) under
 * the stack's salt, so distinct users can be counted but not named without the salt. `sub`, `email`:
 * that attribute as it is. Undefined when the event does not have it.
 */
export function userKeyOf(user: UserIdentity, settings: Pick<UsageSettings, "userKey" | "salt">): string | undefined {
    if (settings.userKey === "email") return user.email;
    if (settings.userKey === "sub") return user.sub;
    const id = user.sub ?? user.userName;
    if (id === undefined || !settings.salt) return undefined;
    return createHmac("sha256", settings.salt).update(id).digest("hex").slice(0, HASHED_KEY_LENGTH);
}

/** `sign-in` or `refresh` (Cognito's `TokenGeneration_RefreshTokens`), for counting opens apart from renewals. */
export function triggerKind(triggerSource: string | undefined): "sign-in" | "refresh" | undefined {
    if (triggerSource === undefined || !triggerSource.startsWith("TokenGeneration_")) return undefined;
    // Refresh-token requests come as TokenGeneration_RefreshTokens: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
    return triggerSource === "TokenGeneration_RefreshTokens" ? "refresh" : "sign-in";
}

/** The user's groups as one sortable, groupable string (`a,b`); Logs Insights cannot group by an array. */
export function userGroupsField(groups: readonly string[] | undefined): string {
    return [...(groups ?? [])].sort().join(",").slice(0, MAX_USER_GROUPS_LENGTH);
}

/** The embedded-metric-format part of a decision line: `Logins` (allowed sign-ins) and `Denied`, per dashboard. */
export interface MetricFields {
    _aws: {
        Timestamp: number;
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: "Count" }[] }[];
    };
    [DASHBOARD_DIMENSION]: string;
    Logins: number;
    Denied: number;
}

/**
 * The EMF fields for one decision. CloudWatch extracts the metrics from the log line itself, so
 * statistics cost no API call and no time at sign-in. A refresh counts as neither a login nor a denial
 * unless denied.
 */
// Lambda logs in the embedded metric format become metrics without an API call: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
export function metricFields(namespace: string, decision: { allowed: boolean; dashboard?: string; trigger?: "sign-in" | "refresh" }, nowMs: number): MetricFields {
    return {
        _aws: {
            Timestamp: nowMs,
            CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[DASHBOARD_DIMENSION]], Metrics: [{ Name: "Logins", Unit: "Count" }, { Name: "Denied", Unit: "Count" }] }],
        },
        [DASHBOARD_DIMENSION]: decision.dashboard ?? NO_DASHBOARD,
        Logins: decision.allowed && decision.trigger === "sign-in" ? 1 : 0,
        Denied: decision.allowed ? 0 : 1,
    };
}
