/**
 * Scale to zero with wake on request: the pure parts the DashboardService's waker is built from
 * (limits, the controller's environment and its IAM policy).
 *
 * How it works: a dashboard with `minTasks: 0` has two listener rules on its hosts, both behind the
 * same authenticate action: its own rule (forward to the service's target group) at a fixed
 * priority, and the waker rule (forward to a Lambda target group), which sits in one of two slots
 * around it (routing.ts `wakeRuleSlots`). The lower number wins. Asleep, the waker rule sits below
 * and the Lambda (functions/wakeOnRequest) shows a "Starting..." page and starts the service; once
 * a task is healthy it moves the waker rule above, and the dashboard's own rule wins. A scheduled
 * idle check moves it back below, then scales the service to 0, after `idleMinutes` without
 * requests. The controller owns exactly: the waker rule's `priority`, the service's `desiredCount`
 * and the scalable target's `minCapacity`/`maxCapacity`; Pulumi ignores those fields
 * (ignoreChanges) and manages everything else. The controller never changes an action: the
 * authenticate actions are Pulumi's alone.
 */

import { ENV, LIMITS } from "../functions/wakeOnRequest/config";

/** `idleMinutes` bounds (the controller's own): ALB metrics arrive per minute with a delay, and a wake takes about a minute. */
export const IDLE_MINUTES = { ...LIMITS.idleMinutes, default: 30 } as const;
/** How often the idle check runs. */
export const IDLE_CHECK_MINUTES = 5;

/** Why `minutes` is not a valid `idleMinutes`, or undefined. */
export function idleMinutesProblem(minutes: unknown): string | undefined {
    return typeof minutes === "number" && Number.isInteger(minutes) && minutes >= IDLE_MINUTES.min && minutes <= IDLE_MINUTES.max
        ? undefined
        : `${JSON.stringify(minutes)} must be a whole number of minutes from ${IDLE_MINUTES.min} to ${IDLE_MINUTES.max}`;
}

/** What the controller's environment tells it (functions/wakeOnRequest reads exactly these). */
export interface WakeControllerSettings {
    clusterArn: string;
    serviceName: string;
    /** `service/<cluster name>/<service name>`: the scalable target's resource id. */
    scalableResourceId: string;
    appRuleArn: string;
    wakeRuleArn: string;
    /** The waker rule's slot below the dashboard's rule (asleep) and above it (awake). */
    wakeRuleAsleepPriority: number;
    wakeRuleAwakePriority: number;
    appTargetGroupArn: string;
    wakerTargetGroupArn: string;
    /** `app/<name>/<id>`: the LoadBalancer dimension of the ALB's metrics. */
    loadBalancerArnSuffix: string;
    awakeMinTasks: number;
    awakeMaxTasks: number;
    idleMinutes: number;
    displayName: string;
    platformName: string;
    portalUrl?: string;
    startTimeoutSeconds: number;
}

/** Every setting has its variable in the controller's contract (functions/wakeOnRequest/config.ts ENV), and no more. */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : never) : never;
const SETTINGS_MATCH_CONTRACT: SameKeys<WakeControllerSettings, typeof ENV> = true;
void SETTINGS_MATCH_CONTRACT;

/** The settings as the Lambda's environment variables, named by the controller's contract. */
export function wakeControllerEnvironment(s: WakeControllerSettings): Record<string, string> {
    return Object.fromEntries(Object.entries(s)
        .filter(([, value]) => value !== undefined && value !== "")
        .map(([key, value]) => [ENV[key as keyof typeof ENV], String(value)]));
}

/** The resources the controller may act on, resolved. */
export interface WakeControllerResources {
    partition: string;
    region: string;
    account: string;
    clusterName: string;
    clusterArn: string;
    serviceArn: string;
    wakeRuleArn: string;
    scalableTargetArn: string;
    logGroupArn: string;
}

/**
 * The controller's IAM policy: its own service, its waker rule and its scalable target, by ARN.
 * The only `*` resources are read-only calls that support no resource-level permission.
 */
export function wakeControllerPolicy(r: WakeControllerResources): { Version: string; Statement: Record<string, unknown>[] } {
    const onCluster = { ArnEquals: { "ecs:cluster": r.clusterArn } };
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "OwnService", Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:UpdateService"], Resource: r.serviceArn },
            // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
            { Sid: "ListOwnClusterTasks", Effect: "Allow", Action: "ecs:ListTasks", Resource: "*", Condition: onCluster },
            {
                Sid: "DescribeOwnClusterTasks", Effect: "Allow", Action: "ecs:DescribeTasks",
                Resource: `arn:${r.partition}:ecs:${r.region}:${r.account}:task/${r.clusterName}/*`, Condition: onCluster,
            },
            // Only the waker rule moves; the dashboard's own rule is read, never changed.
            { Sid: "MoveOwnWakeRule", Effect: "Allow", Action: "elasticloadbalancing:SetRulePriorities", Resource: r.wakeRuleArn },
            // https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_id-based-policy-examples.html
            { Sid: "OwnCapacity", Effect: "Allow", Action: "application-autoscaling:RegisterScalableTarget", Resource: r.scalableTargetArn },
            // Describe* of ELBv2 and GetMetricData have no resource-level permissions:
            // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
            {
                Sid: "ReadRoutingAndTraffic", Effect: "Allow",
                Action: ["elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetHealth", "cloudwatch:GetMetricData"], Resource: "*",
            },
            { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${r.logGroupArn}:*` },
        ],
    };
}
