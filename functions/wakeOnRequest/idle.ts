/**
 * The scheduled idle check: puts an unused dashboard to sleep (the wake rule to its asleep slot
 * first, then the service to zero) and repairs the routing of a sleeping service left on the app.
 * Always reads fresh state (no cache): it runs every few minutes, not per request.
 */
import type { DashboardAws } from "./aws";
import type { WakeConfig } from "./config";
import { type Activity, decideIdle, type IdleDecision, type SleepStep } from "./decide";
import { readRules, type Routing, wakePriorityFor } from "./rule";

/** What one idle check found and did. */
export interface IdleOutcome {
    decision: Exclude<IdleDecision, { decision: "needs-activity" }>;
    observed: { desired: number; running: number; routing: Routing; appRulePriority: number; wakeRulePriority: number };
    activity?: Activity;
    /** Steps carried out, in order. */
    steps: SleepStep[];
    /** A wake moved the wake rule to its awake slot while the service was being scaled to zero; it was moved back. */
    rerouted?: boolean;
}

/** A step of the idle check failed; what was done before it is in `steps`. */
export class IdleStepError extends Error {
    override name = "IdleStepError";
    constructor(readonly steps: SleepStep[], cause: unknown) {
        super(`idle check stopped after [${steps.join(", ")}]`, { cause });
    }
}

/**
 * Runs one idle check.
 *
 * @throws whatever a read throws (nothing was changed), or IdleStepError when a change failed.
 */
export async function runIdleCheck(config: WakeConfig, aws: DashboardAws, now: () => number): Promise<IdleOutcome> {
    const [service, rules] = await Promise.all([aws.describeService(), aws.describeRules()]);
    const pair = readRules(rules, config);
    const observed = { desired: service.desired, running: service.running, routing: pair.routing, appRulePriority: pair.appPriority, wakeRulePriority: pair.wakePriority };
    const t = now();
    let decision = decideIdle(observed, undefined, t, config.idleMinutes);
    let activity: Activity | undefined;
    if (decision.decision === "needs-activity") {
        const [tasks, requests] = await Promise.all([aws.taskStarts(), aws.requestCount(t - config.idleMinutes * 60_000, t)]);
        activity = { newestTaskStartMs: tasks.newestStartMs, unstartedTasks: tasks.unstarted, requests: requests.app + requests.waker };
        decision = decideIdle(observed, activity, t, config.idleMinutes);
    }
    if (decision.decision === "needs-activity") throw new Error("idle decision still needs activity"); // unreachable
    if (decision.decision === "none") return { decision, observed, activity, steps: [] };

    const done: SleepStep[] = [];
    try {
        for (const step of decision.steps) {
            done.push(step);
            if (step === "route-to-waker") await aws.setWakeRulePriority(wakePriorityFor("asleep", config));
            else await aws.scale(0, 0, 0);
        }
        let rerouted = false;
        if (decision.decision === "sleep") {
            // A request may have found a healthy task between the two steps and moved the wake rule back to its awake slot.
            const after = readRules(await aws.describeRules(), config);
            if (after.routing !== "asleep") {
                await aws.setWakeRulePriority(wakePriorityFor("asleep", config));
                rerouted = true;
            }
        }
        return { decision, observed, activity, steps: done, ...(rerouted ? { rerouted } : {}) };
    } catch (err) {
        throw new IdleStepError(done, err);
    }
}
