/**
 * The two listener rules that route a dashboard, both on its hosts and both
 * `[authenticate (order 1), forward (order 2)]`:
 *
 * - the app rule forwards to the app target group, at a priority P that Pulumi manages;
 * - the wake rule forwards to the waker target group (this function). It sits at its asleep slot
 *   (below P: it wins, requests reach the waker) or at its awake slot (above P: the app rule wins).
 *
 * On a listener the lowest matching priority wins. Waking and sleeping move only the wake rule,
 * between its two slots (SetRulePriorities); no action of either rule is ever written. This
 * module checks the two rules' shape and reads where they route. Pure: no I/O.
 */
// The lowest priority number is evaluated first: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html
import type { Action, Rule, RuleCondition } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { WakeConfig } from "./config";

/** Where the rules send requests: to the app (the app rule wins) or to the waker (the wake rule wins). */
export type Routing = "awake" | "asleep";

/** What the rule checks need from the settings. */
export type RuleSettings = Pick<WakeConfig, "appRuleArn" | "wakeRuleArn" | "appTargetGroupArn" | "wakerTargetGroupArn" | "wakeRuleAsleepPriority" | "wakeRuleAwakePriority">;

/** A rule does not have the shape this controller expects; the rules are left alone. */
export class RuleShapeError extends Error {
    override name = "RuleShapeError";
}

/** The two rules, understood. */
export interface RulePair {
    appPriority: number;
    wakePriority: number;
    routing: Routing;
}

/** Routing for a pair of priorities: the lower number wins. */
export function routingOf(appPriority: number, wakePriority: number): Routing {
    return wakePriority > appPriority ? "awake" : "asleep";
}

/** The wake rule's priority that routes as asked. */
export function wakePriorityFor(routing: Routing, settings: Pick<RuleSettings, "wakeRuleAsleepPriority" | "wakeRuleAwakePriority">): number {
    return routing === "awake" ? settings.wakeRuleAwakePriority : settings.wakeRuleAsleepPriority;
}

/** The pair after the wake rule was moved to the slot for `routing`. */
export function movedTo(pair: RulePair, routing: Routing, settings: RuleSettings): RulePair {
    const wakePriority = wakePriorityFor(routing, settings);
    return { appPriority: pair.appPriority, wakePriority, routing: routingOf(pair.appPriority, wakePriority) };
}

// DescribeRules gives a rule's priority as a string, "default" for the listener's default rule: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Rule.html
function priorityOf(rule: Rule, which: string): number {
    if (rule.IsDefault) throw new RuleShapeError(`the ${which} rule is the listener's default rule`);
    const text = rule.Priority;
    const n = typeof text === "string" && /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(n >= 1 && n <= 50000)) throw new RuleShapeError(`the ${which} rule's priority ${JSON.stringify(text)} is not a whole number from 1 to 50000`);
    return n;
}

// Forward weights are whole numbers from 0 to 999: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupTuple.html
function checkForward(forward: Action, targetGroupArn: string, which: string): void {
    if (forward.Type !== "forward") throw new RuleShapeError(`the ${which} rule's second action is ${JSON.stringify(forward.Type)}, not a forward`);
    // AWS reports a forward to one target group with TargetGroupArn and a ForwardConfig of that one group (moto: TargetGroupArn only): https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Action.html
    if (forward.TargetGroupArn === undefined && forward.ForwardConfig === undefined) throw new RuleShapeError(`the ${which} rule's forward names no target group`);
    if (forward.TargetGroupArn !== undefined && forward.TargetGroupArn !== targetGroupArn) {
        throw new RuleShapeError(`the ${which} rule forwards to ${forward.TargetGroupArn}, not to its own target group ${targetGroupArn}`);
    }
    if (forward.ForwardConfig !== undefined) {
        const groups = forward.ForwardConfig.TargetGroups ?? [];
        if (groups.length !== 1 || groups[0].TargetGroupArn !== targetGroupArn) {
            throw new RuleShapeError(`the ${which} rule must forward to ${targetGroupArn} only, found ${groups.length} target group(s): ${groups.map((g) => g.TargetGroupArn).join(", ")}`);
        }
        const weight = groups[0].Weight;
        if (weight !== undefined && !(Number.isInteger(weight) && weight >= 1 && weight <= 999)) {
            throw new RuleShapeError(`the ${which} rule forwards with weight ${JSON.stringify(weight)}, not a whole number from 1 to 999`);
        }
    }
}

/**
 * One rule's actions: exactly two, an `authenticate-oidc` or `authenticate-cognito` with its config
 * first (lower Order), then a forward to `targetGroupArn` only.
 */
function checkActions(rule: Rule, targetGroupArn: string, which: string): void {
    const actions = rule.Actions ?? [];
    if (actions.length !== 2) throw new RuleShapeError(`the ${which} rule has ${actions.length} action(s), expected 2 (authenticate, forward)`);
    // With several actions each has an Order, lowest first; authenticate must come before forward: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Action.html
    if (!actions.every((a) => typeof a.Order === "number")) throw new RuleShapeError(`an action of the ${which} rule has no Order`);
    const [authenticate, forward] = [...actions].sort((a, b) => a.Order! - b.Order!);
    if (authenticate.Order === forward.Order) throw new RuleShapeError(`both actions of the ${which} rule have the same Order`);
    const isOidc = authenticate.Type === "authenticate-oidc" && authenticate.AuthenticateOidcConfig !== undefined;
    const isCognito = authenticate.Type === "authenticate-cognito" && authenticate.AuthenticateCognitoConfig !== undefined;
    if (!isOidc && !isCognito) throw new RuleShapeError(`the ${which} rule's first action is ${JSON.stringify(authenticate.Type)}, not an authenticate action with its config`);
    checkForward(forward, targetGroupArn, which);
}

/** The conditions in a form that ignores the order of conditions and of their values. */
function canonicalConditions(conditions: RuleCondition[] | undefined): string {
    const canonical = (value: unknown): unknown => {
        if (Array.isArray(value)) {
            const items = value.map(canonical);
            return items.map((i) => JSON.stringify(i)).sort();
        }
        if (value && typeof value === "object") {
            return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]));
        }
        return value;
    };
    return JSON.stringify(canonical(conditions ?? []));
}

/**
 * Checks that the two rules are exactly the pair this controller moves between, and reads where
 * they route (awake iff the wake rule's priority is above the app rule's):
 * both returned, each authenticating then forwarding to its own target group only, matching the
 * same requests (equal conditions), and the app rule's priority strictly between the wake rule's
 * two slots, so that moving the wake rule switches the routing.
 *
 * @param rules What DescribeRules returned for the two rule ARNs.
 * @throws RuleShapeError saying what differs; the caller must then leave the rules alone.
 */
export function readRules(rules: Rule[] | undefined, settings: RuleSettings): RulePair {
    const app = rules?.find((r) => r.RuleArn === settings.appRuleArn);
    const wake = rules?.find((r) => r.RuleArn === settings.wakeRuleArn);
    if (!app) throw new RuleShapeError("the app rule was not returned");
    if (!wake) throw new RuleShapeError("the wake rule was not returned");
    checkActions(wake, settings.wakerTargetGroupArn, "wake");
    checkActions(app, settings.appTargetGroupArn, "app");
    if (canonicalConditions(app.Conditions) !== canonicalConditions(wake.Conditions)) {
        throw new RuleShapeError("the app and wake rules do not have the same conditions: moving the wake rule would not switch the routing of the dashboard's requests");
    }
    const appPriority = priorityOf(app, "app");
    const wakePriority = priorityOf(wake, "wake");
    const { wakeRuleAsleepPriority: asleep, wakeRuleAwakePriority: awake } = settings;
    if (!(asleep < appPriority && appPriority < awake)) {
        throw new RuleShapeError(`the app rule's priority ${appPriority} is not between the wake rule's slots ${asleep} (asleep) and ${awake} (awake): moving the wake rule would not switch the routing`);
    }
    return { appPriority, wakePriority, routing: routingOf(appPriority, wakePriority) };
}
