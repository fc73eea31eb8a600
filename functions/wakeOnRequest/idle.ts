/**
 * The scheduled idle check: puts an unused dashboard to sleep (rule to the waker first, then the
 * service to zero) and repairs a rule left routing to the app of a sleeping service. Always reads
 * fresh state (no cache): it runs every few minutes, not per request.
 */
import type { DashboardAws } from "./aws";
import type { WakeConfig } from "./config";
import { type Activity, decideIdle, type IdleDecision, type SleepStep } from "./decide";
import { actionsWithWeights, ASLEEP_WEIGHTS, readRule, type Routing } from "./rule";

/** What one idle check found and did. */
export interface IdleOutcome {
    decision: Exclude<IdleDecision, { decision: "needs-activity" }>;
    observed: { desired: number; running: number; routing: Routing };
    activity?: Activity;
    /** Steps carried out, in order. */
    steps: SleepStep[];
    /** A wake routed the rule to the app while the service was being scaled to zero; it was routed back. */
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
    const targets = { app: config.appTargetGroupArn, waker: config.wakerTargetGroupArn };
    const [service, rule] = await Promise.all([aws.describeService(), aws.describeRule()]);
    const view = readRule(rule, targets);
    const observed = { desired: service.desired, running: service.running, routing: view.routing };
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
            if (step === "route-to-waker") await aws.modifyRule(actionsWithWeights(view, ASLEEP_WEIGHTS, targets));
            else await aws.scale(0, 0, 0);
        }
        let rerouted = false;
        if (decision.decision === "sleep") {
            // A request may have found a healthy task between the two steps and routed the rule back to the app.
            const after = readRule(await aws.describeRule(), targets);
            if (after.routing !== "asleep") {
                await aws.modifyRule(actionsWithWeights(after, ASLEEP_WEIGHTS, targets));
                rerouted = true;
            }
        }
        return { decision, observed, activity, steps: done, ...(rerouted ? { rerouted } : {}) };
    } catch (err) {
        throw new IdleStepError(done, err);
    }
}
