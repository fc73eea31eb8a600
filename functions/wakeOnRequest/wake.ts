/**
 * The wake path for one Lambda instance: reads the dashboard's state (cached briefly), plans with
 * decide.ts, and carries the plan out, with per-instance rate limits so that a thousand reloads
 * cost a handful of reads and exactly one wake.
 *
 * Lambda runs one invocation at a time per instance, so this state is per instance; concurrent
 * callers in one process (tests) share one read in flight, and the rate limits are claimed before
 * any await, so they hold there too.
 */
import type { DashboardAws, ServiceCounts } from "./aws";
import type { WakeConfig } from "./config";
import { planWake, type WakePlan, type WakeStep } from "./decide";
import { movedTo, readRules, type RulePair, type Routing, wakePriorityFor } from "./rule";

/** A read of the state is reused this long. */
export const STATE_TTL_MS = 3000;
/** A failed read is not retried before this (throttling must not be answered with more calls). */
export const ERROR_TTL_MS = 2000;
/** At most one wake (RegisterScalableTarget + UpdateService) per instance in this interval... */
export const WAKE_INTERVAL_MS = 60_000;
/** ...or in this shorter one after a wake that failed. */
export const WAKE_RETRY_MS = 10_000;
/** At most one move of the wake rule to its awake slot per instance in this interval. */
export const ROUTE_INTERVAL_MS = 5000;
/**
 * An instance that has not seen the start for this long (no poll reached it) no longer knows when
 * it began, and counts from now: it may say "taking longer" late, never early.
 */
export const START_TRACKING_GAP_MS = 60_000;

/** The dashboard's state as read from AWS. */
export interface Snapshot {
    service: ServiceCounts;
    healthy: number;
    rules: RulePair;
}

/** What one wake request found and did. */
export interface WakeOutcome {
    state: "starting" | "ready" | "failed";
    failure?: "error" | "timeout";
    reason: WakePlan["reason"] | "could not read the state" | "a step failed" | "no healthy target within the start timeout";
    /** Steps carried out (or attempted, when `error` is set). */
    steps: WakeStep[];
    /** The state came from this instance's cache. */
    cached?: boolean;
    observed?: { desired: number; running: number; healthy: number; routing: Routing; appRulePriority: number; wakeRulePriority: number };
    /** Seconds since this instance first saw the start under way. */
    startingSeconds?: number;
    error?: unknown;
}

/** Creates the wake path of one instance. */
export function createWakePath(config: WakeConfig, aws: DashboardAws, now: () => number): () => Promise<WakeOutcome> {
    let cache: { at: number; snapshot?: Snapshot; error?: unknown } | undefined;
    let inFlight: Promise<Snapshot> | undefined;
    let lastWake = { at: -Infinity, failed: false };
    let lastRouteAt = -Infinity;
    /** When this instance first saw the current start, and when it last saw it. */
    let starting: { since: number; seen: number } | undefined;

    async function fetchSnapshot(): Promise<Snapshot> {
        const [service, healthy, rules] = await Promise.all([aws.describeService(), aws.healthyTargets(), aws.describeRules()]);
        return { service, healthy, rules: readRules(rules, config) };
    }

    async function read(fresh = false): Promise<{ snapshot: Snapshot; cached: boolean }> {
        const t = now();
        if (!fresh && cache && t - cache.at < (cache.error !== undefined ? ERROR_TTL_MS : STATE_TTL_MS)) {
            if (cache.error !== undefined) throw cache.error;
            return { snapshot: cache.snapshot!, cached: true };
        }
        inFlight ??= fetchSnapshot().finally(() => (inFlight = undefined));
        try {
            const snapshot = await inFlight;
            cache = { at: t, snapshot };
            return { snapshot, cached: false };
        } catch (err) {
            cache = { at: t, error: err };
            throw err;
        }
    }

    return async function wakeOnce(fresh = false): Promise<WakeOutcome> {
        let current: { snapshot: Snapshot; cached: boolean };
        try {
            current = await read(fresh);
        } catch (error) {
            return { state: "failed", failure: "error", reason: "could not read the state", steps: [], error };
        }
        const { snapshot, cached } = current;
        const t = now();
        const observed = () => ({
            desired: snapshot.service.desired,
            running: snapshot.service.running,
            healthy: snapshot.healthy,
            routing: snapshot.rules.routing,
            appRulePriority: snapshot.rules.appPriority,
            wakeRulePriority: snapshot.rules.wakePriority,
        });
        const plan = planWake(observed(), {
            wake: t - lastWake.at >= (lastWake.failed ? WAKE_RETRY_MS : WAKE_INTERVAL_MS),
            route: t - lastRouteAt >= ROUTE_INTERVAL_MS,
        });
        // A cached view may predate an idle check that has since scaled the service to zero: the rule moves
        // to the app only on a fresh read, or the ALB would send users to an empty target group.
        if (cached && plan.steps.includes("route-to-app")) return wakeOnce(true);
        const before = observed();
        const done: WakeStep[] = [];
        try {
            for (const step of plan.steps) {
                done.push(step);
                if (step === "scale-up") {
                    lastWake = { at: t, failed: true };
                    await aws.scale(config.awakeMinTasks, config.awakeMaxTasks, config.awakeMinTasks);
                    lastWake.failed = false;
                    snapshot.service = { ...snapshot.service, desired: config.awakeMinTasks };
                    starting = { since: t, seen: t };
                } else {
                    lastRouteAt = t;
                    await aws.setWakeRulePriority(wakePriorityFor("awake", config));
                    snapshot.rules = movedTo(snapshot.rules, "awake", config);
                }
            }
        } catch (error) {
            cache = undefined; // what the failed step left behind is unknown: read again next time
            return { state: "failed", failure: "error", reason: "a step failed", steps: done, cached, observed: before, error };
        }
        if (plan.state === "ready") {
            starting = undefined;
            return { state: "ready", reason: plan.reason, steps: done, cached, observed: before };
        }
        if (!starting || t - starting.seen > START_TRACKING_GAP_MS) starting = { since: t, seen: t };
        starting.seen = t;
        const startingSeconds = Math.round((t - starting.since) / 1000);
        if (startingSeconds >= config.startTimeoutSeconds) {
            return { state: "failed", failure: "timeout", reason: "no healthy target within the start timeout", steps: done, cached, observed: before, startingSeconds };
        }
        return { state: "starting", reason: plan.reason, steps: done, cached, observed: before, startingSeconds };
    };
}
