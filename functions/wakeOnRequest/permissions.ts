/**
 * The IAM actions this function calls, exactly: the component grants these (and a test records
 * every SDK command sent against moto and checks that each is in this list, and each of these is sent).
 */

/** IAM actions of the wake-on-request controller (`<service prefix>:<API operation>`). */
// Service prefixes ecs, elasticloadbalancing, application-autoscaling, cloudwatch: https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
export const WAKE_ON_REQUEST_ACTIONS = [
    "ecs:DescribeServices",
    "ecs:UpdateService",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:SetRulePriorities",
    "application-autoscaling:RegisterScalableTarget",
    "cloudwatch:GetMetricData",
] as const;

/** One of {@link WAKE_ON_REQUEST_ACTIONS}. */
export type WakeOnRequestAction = (typeof WAKE_ON_REQUEST_ACTIONS)[number];
