/**
 * The listener rule that routes a dashboard: `[authenticate (order 1), forward (order 2)]`, the
 * forward weighted between the app target group and the waker target group. Waking and sleeping
 * change only the two weights; this module reads them and writes the actions for ModifyRule,
 * which replaces all of a rule's actions. Pure: no I/O.
 */
import type { Action, Rule } from "@aws-sdk/client-elastic-load-balancing-v2";

/** The two forward weights. */
export interface Weights {
    app: number;
    waker: number;
}

/** Where the rule sends requests: all to the app, all to the waker, or split (a half-done change). */
export type Routing = "awake" | "asleep" | "mixed";

/** Weights of an awake dashboard: every request to the app. */
export const AWAKE_WEIGHTS: Weights = { app: 1, waker: 0 };
/** Weights of a sleeping dashboard: every request to the waker (this function). */
export const ASLEEP_WEIGHTS: Weights = { app: 0, waker: 1 };

/** The rule does not have the shape this controller manages; it is left alone. */
export class RuleShapeError extends Error {
    override name = "RuleShapeError";
}

/** The rule, understood: its actions in order and the current weights. */
export interface RuleView {
    authenticate: Action;
    forward: Action;
    weights: Weights;
    routing: Routing;
}

/** Routing for a pair of weights. */
export function routingOf(weights: Weights): Routing {
    if (weights.app > 0 && weights.waker === 0) return "awake";
    if (weights.app === 0 && weights.waker > 0) return "asleep";
    return "mixed";
}

// Forward weights are whole numbers from 0 to 999: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupTuple.html
function weightOf(value: unknown, which: string): number {
    if (value === undefined) return 1; // the API's default weight is 1
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 999) {
        throw new RuleShapeError(`the ${which} target group's weight ${JSON.stringify(value)} is not a whole number from 0 to 999`);
    }
    return value;
}

/**
 * Checks that a rule is exactly the one this controller manages and reads its weights:
 * two actions, an `authenticate-oidc` or `authenticate-cognito` first (lower order), then a
 * `forward` whose ForwardConfig lists exactly the app and waker target groups.
 *
 * @throws RuleShapeError saying what differs; the caller must then leave the rule alone.
 */
export function readRule(rule: Rule | undefined, targets: { app: string; waker: string }): RuleView {
    if (!rule) throw new RuleShapeError("the rule was not returned");
    const actions = rule.Actions ?? [];
    if (actions.length !== 2) throw new RuleShapeError(`expected 2 actions (authenticate, forward), found ${actions.length}`);
    // With several actions each has an Order, lowest first; authenticate must come before forward: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Action.html
    if (!actions.every((a) => typeof a.Order === "number")) throw new RuleShapeError("an action has no Order");
    const [authenticate, forward] = [...actions].sort((a, b) => a.Order! - b.Order!);
    if (authenticate.Order === forward.Order) throw new RuleShapeError("both actions have the same Order");
    const isOidc = authenticate.Type === "authenticate-oidc" && authenticate.AuthenticateOidcConfig !== undefined;
    const isCognito = authenticate.Type === "authenticate-cognito" && authenticate.AuthenticateCognitoConfig !== undefined;
    if (!isOidc && !isCognito) throw new RuleShapeError(`the first action is ${JSON.stringify(authenticate.Type)}, not an authenticate action with its config`);
    if (forward.Type !== "forward" || !forward.ForwardConfig) throw new RuleShapeError(`the second action is ${JSON.stringify(forward.Type)}, not a forward with ForwardConfig`);
    // A forward with TargetGroupArn and ForwardConfig may name only that one target group: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Action.html
    if (forward.TargetGroupArn !== undefined) throw new RuleShapeError("the forward action names a single TargetGroupArn");
    const groups = forward.ForwardConfig.TargetGroups ?? [];
    const app = groups.filter((g) => g.TargetGroupArn === targets.app);
    const waker = groups.filter((g) => g.TargetGroupArn === targets.waker);
    if (groups.length !== 2 || app.length !== 1 || waker.length !== 1) {
        throw new RuleShapeError(`the forward must list exactly the app and waker target groups, found ${groups.length} target group(s): ${groups.map((g) => g.TargetGroupArn).join(", ")}`);
    }
    const weights = { app: weightOf(app[0].Weight, "app"), waker: weightOf(waker[0].Weight, "waker") };
    return { authenticate, forward, weights, routing: routingOf(weights) };
}

/**
 * The actions for ModifyRule that keep the rule as it is except for the two weights.
 *
 * The authenticate action is copied field for field; for `authenticate-oidc` the client secret
 * is not sent back (DescribeRules output is no place to take a secret from) and
 * `UseExistingClientSecret` keeps the one the rule has.
 */
// ModifyRule with UseExistingClientSecret keeps the rule's secret: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AuthenticateOidcActionConfig.html
export function actionsWithWeights(view: RuleView, weights: Weights, targets: { app: string; waker: string }): Action[] {
    const authenticate = structuredClone(view.authenticate);
    if (authenticate.AuthenticateOidcConfig) {
        delete authenticate.AuthenticateOidcConfig.ClientSecret;
        authenticate.AuthenticateOidcConfig.UseExistingClientSecret = true;
    }
    const forward = structuredClone(view.forward);
    forward.ForwardConfig!.TargetGroups = forward.ForwardConfig!.TargetGroups!.map((g) => ({
        ...g,
        Weight: g.TargetGroupArn === targets.app ? weights.app : weights.waker,
    }));
    const actions = [authenticate, forward];
    // Defence in depth: whatever the input was, never send a rule whose first action does not authenticate.
    const check = readRule({ Actions: actions }, targets);
    if (check.authenticate.Type !== view.authenticate.Type || check.weights.app !== weights.app || check.weights.waker !== weights.waker) {
        throw new RuleShapeError("the rewritten rule lost its shape");
    }
    return actions;
}
