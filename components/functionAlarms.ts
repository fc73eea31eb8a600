/**
 * Alarms on the platform's own Lambda functions. Pure declarations: the caller passes its parent.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/**
 * An alarm when any invocation of `fn` is throttled in a minute: the account's concurrency (shared by
 * every function in the region) or the function's own reservation is used up, so requests fail.
 * `Throttles` counts invocation requests refused for concurrency: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 *
 * @param name Resource name of the alarm.
 * @param what The consequence, for the alarm's description, e.g. "sign-ins are refused".
 */
export function throttlesAlarm(name: string, fn: aws.lambda.Function, what: string, topicArn: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(name, {
        alarmDescription: `${what}: the function is throttled (no concurrency left, in the account or in its reservation)`,
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        dimensions: { FunctionName: fn.name },
        statistic: "Sum",
        period: 60,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [topicArn],
        okActions: [topicArn],
    }, opts);
}
