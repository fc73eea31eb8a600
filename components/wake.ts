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

/** `idleMinutes` bounds: ALB metrics arrive per minute with a delay, and a wake takes about a minute. */
export const IDLE_MINUTES = { min: 10, max: 1440, default: 30 } as const;
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

/** The settings as the Lambda's environment variables. */
export function wakeControllerEnvironment(s: WakeControllerSettings): Record<string, string> {
    return {
        CLUSTER_ARN: s.clusterArn,
        SERVICE_NAME: s.serviceName,
        SCALABLE_RESOURCE_ID: s.scalableResourceId,
        APP_RULE_ARN: s.appRuleArn,
        WAKE_RULE_ARN: s.wakeRuleArn,
        WAKE_RULE_ASLEEP_PRIORITY: String(s.wakeRuleAsleepPriority),
        WAKE_RULE_AWAKE_PRIORITY: String(s.wakeRuleAwakePriority),
        APP_TARGET_GROUP_ARN: s.appTargetGroupArn,
        WAKER_TARGET_GROUP_ARN: s.wakerTargetGroupArn,
        LOAD_BALANCER_ARN_SUFFIX: s.loadBalancerArnSuffix,
        AWAKE_MIN_TASKS: String(s.awakeMinTasks),
        AWAKE_MAX_TASKS: String(s.awakeMaxTasks),
        IDLE_MINUTES: String(s.idleMinutes),
        DISPLAY_NAME: s.displayName,
        PLATFORM_NAME: s.platformName,
        ...(s.portalUrl ? { PORTAL_URL: s.portalUrl } : {}),
        START_TIMEOUT_SECONDS: String(s.startTimeoutSeconds),
    };
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

/** The IAM actions of `wakeControllerPolicy`, for comparing with what the controller calls. */
export function wakeControllerActions(): string[] {
    const doc = wakeControllerPolicy({ partition: "p", region: "r", account: "a", clusterName: "c", clusterArn: "c", serviceArn: "s", wakeRuleArn: "r", scalableTargetArn: "t", logGroupArn: "l" });
    return doc.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]) as string[]).sort();
}
