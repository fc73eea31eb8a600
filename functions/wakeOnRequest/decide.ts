/**
 * The controller's decisions, pure and without I/O: what a waiting user's request does, and what
 * the scheduled idle check does. The handler reads the state from AWS, asks these functions, and
 * carries out the steps they return in the order they return them.
 */
import type { Routing } from "./rule";

/** What the controller knows about the dashboard at one moment. */
export interface Observed {
    /** ECS service desiredCount. */
    desired: number;
    /** ECS service runningCount. */
    running: number;
    /** Targets of the app target group in state `healthy`. */
    healthy: number;
    /** Where the two listener rules send requests (rule.ts). */
    routing: Routing;
}

/** A step of the wake path: scale the service up, or route to the app (the wake rule to its awake slot). */
export type WakeStep = "scale-up" | "route-to-app";

/** The answer to a waiting user, with the steps to take first. */
export interface WakePlan {
    steps: WakeStep[];
    /** What the page is told once the steps succeeded. */
    state: "starting" | "ready";
    reason:
        | "asleep: waking"
        | "asleep: wake already requested by this instance"
        | "starting: no healthy target yet"
        | "healthy: routing to the app"
        | "healthy: rule change already requested by this instance"
        | "awake";
}

/**
 * Plans the wake path for a navigation or a poll.
 *
 * - desired 0: scale up (unless this instance asked less than the wake interval ago), "starting";
 * - a healthy target: route to the app (unless just asked), then "ready";
 * - otherwise the start is under way: "starting", nothing to do (never a second wake).
 *
 * @param o The observed state.
 * @param allowed Whether this instance may send a wake, and a rule change, now (its rate limits).
 */
export function planWake(o: Observed, allowed: { wake: boolean; route: boolean }): WakePlan {
    if (o.desired === 0) {
        return allowed.wake
            ? { steps: ["scale-up"], state: "starting", reason: "asleep: waking" }
            : { steps: [], state: "starting", reason: "asleep: wake already requested by this instance" };
    }
    if (o.healthy === 0) return { steps: [], state: "starting", reason: "starting: no healthy target yet" };
    if (o.routing === "awake") return { steps: [], state: "ready", reason: "awake" };
    return allowed.route
        ? { steps: ["route-to-app"], state: "ready", reason: "healthy: routing to the app" }
        : { steps: [], state: "starting", reason: "healthy: rule change already requested by this instance" };
}

/** A step of the idle path, in the order they must run: route to the waker (the wake rule to its asleep slot), scale to zero. */
export type SleepStep = "route-to-waker" | "scale-to-zero";

/** What the idle check found and does. */
export type IdleDecision =
    | { decision: "none"; reason: "asleep" | "starting: no running task yet" | "recently started" | "in use" }
    | { decision: "repair"; reason: "asleep but the rule routes to the app" | "routed to the app but no task runs"; steps: ["route-to-waker"] }
    | { decision: "sleep"; reason: "idle"; steps: SleepStep[] }
    /** Awake and running: the task start times and request counts decide; read them and ask again. */
    | { decision: "needs-activity" };

/** How recently the dashboard was started and used. */
export interface Activity {
    /** Milliseconds since the epoch of the newest task's start; undefined when no task is listed. */
    newestTaskStartMs?: number;
    /** Tasks listed that have not started yet (no startedAt): a start is under way. */
    unstartedTasks: number;
    /** ALB requests to both target groups over the idle window (missing data counted as 0). */
    requests: number;
}

/**
 * Decides the idle check.
 *
 * Order of the sleep steps matters: requests are routed to the waker first, so no user is ever
 * sent to an empty target group, and only then is the service scaled to zero.
 *
 * @param o The observed state (the app's health is not needed).
 * @param activity Absent on the first call; the decision asks for it when it matters.
 * @param now Milliseconds since the epoch.
 * @param idleMinutes The idle window.
 */
export function decideIdle(o: Omit<Observed, "healthy">, activity: Activity | undefined, now: number, idleMinutes: number): IdleDecision {
    if (o.desired === 0) {
        return o.routing === "asleep"
            ? { decision: "none", reason: "asleep" }
            : { decision: "repair", reason: "asleep but the rule routes to the app", steps: ["route-to-waker"] };
    }
    // No task runs (Spot capacity short, a task that crashed): users would get the ALB's bare 503.
    // Back to the waker, whose page shows the start (or its failure); the next healthy poll routes back.
    if (o.running === 0) {
        return o.routing === "asleep"
            ? { decision: "none", reason: "starting: no running task yet" }
            : { decision: "repair", reason: "routed to the app but no task runs", steps: ["route-to-waker"] };
    }
    if (!activity) return { decision: "needs-activity" };
    const windowMs = idleMinutes * 60_000;
    const recentStart = activity.newestTaskStartMs !== undefined && now - activity.newestTaskStartMs < windowMs;
    if (activity.unstartedTasks > 0 || recentStart) return { decision: "none", reason: "recently started" };
    if (activity.requests > 0) return { decision: "none", reason: "in use" };
    const steps: SleepStep[] = o.routing === "asleep" ? ["scale-to-zero"] : ["route-to-waker", "scale-to-zero"];
    return { decision: "sleep", reason: "idle", steps };
}
