/**
 * An SNS topic that an AWS service publishes to (CloudWatch alarms, CodeStar Notifications) and
 * people receive by email, encrypted with a customer-managed KMS key of its own.
 *
 * Why its own key: a service that publishes to an encrypted topic must be allowed to use the
 * topic's key, and the AWS-managed key `alias/aws/sns` has a policy nobody can edit, so a topic
 * encrypted with it silently drops what CloudWatch or CodeStar Notifications publish.
 *
 * Cost note: each key is $1/month (plus requests); the topic and email deliveries are next to free.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { accountAdministersKey } from "./policyStatements";

/** Where the topic lives, for the policies' conditions. */
export interface PublisherContext {
    accountId: string;
    region: string;
    partition: string;
}

/** An IAM condition block, e.g. `{ StringEquals: { "aws:SourceAccount": "123456789012" } }`. */
export type PolicyCondition = Record<string, Record<string, string>>;

export interface NotificationTopicArgs {
    /** Service principal that publishes, e.g. `cloudwatch.amazonaws.com`. */
    publisher: string;
    /** Description of the key (shown in the KMS console). */
    keyDescription: string;
    /** Condition on the publisher's use of the key. */
    keyCondition: (ctx: PublisherContext) => PolicyCondition;
    /** Condition on the publisher's `sns:Publish` (confused-deputy guard). */
    publishCondition: (ctx: PublisherContext) => PolicyCondition;
    /** Email subscribers; each must confirm by email. */
    emails: string[];
}

export interface NotificationTopic {
    key: aws.kms.Key;
    topic: aws.sns.Topic;
    /** Resources that publish must wait for it (CodeStar Notifications checks it when a rule is created). */
    topicPolicy: aws.sns.TopicPolicy;
}

/** Key policy: the account administers the key; `publisher` may encrypt for (and decrypt from) the topic. */
export function topicKeyPolicy(ctx: PublisherContext, publisher: string, condition: PolicyCondition): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            accountAdministersKey(ctx.partition, ctx.accountId),
            // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
            { Sid: "PublisherEncryptsForTopic", Effect: "Allow", Principal: { Service: publisher }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*", Condition: condition },
        ],
    });
}

/** Topic policy: `publisher` may publish to the topic, under `condition`. */
export function topicPublishPolicy(topicArn: string, publisher: string, condition: PolicyCondition): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "ServicePublishes", Effect: "Allow", Principal: { Service: publisher }, Action: "sns:Publish", Resource: topicArn, Condition: condition }],
    });
}

/**
 * Declares the key, the topic, its policy and one email subscription per address, named
 * `<name>-key`, `<name>`, `<name>-policy` and `<name>-<i>`, with `opts` (give `{ parent }`).
 */
export function notificationTopic(name: string, args: NotificationTopicArgs, opts: pulumi.CustomResourceOptions): NotificationTopic {
    const context = pulumi
        .all([aws.getCallerIdentityOutput({}, opts).accountId, aws.getRegionOutput({}, opts).region, aws.getPartitionOutput({}, opts).partition])
        .apply(([accountId, region, partition]): PublisherContext => ({ accountId, region, partition }));
    const key = new aws.kms.Key(`${name}-key`, {
        description: args.keyDescription,
        enableKeyRotation: true,
        deletionWindowInDays: 7,
        policy: context.apply((ctx) => topicKeyPolicy(ctx, args.publisher, args.keyCondition(ctx))),
    }, opts);
    const topic = new aws.sns.Topic(name, { kmsMasterKeyId: key.arn }, opts);
    const topicPolicy = new aws.sns.TopicPolicy(`${name}-policy`, {
        arn: topic.arn,
        policy: pulumi.all([topic.arn, context]).apply(([arn, ctx]) => topicPublishPolicy(arn, args.publisher, args.publishCondition(ctx))),
    }, opts);
    args.emails.forEach((email, i) => new aws.sns.TopicSubscription(`${name}-${i}`, { topic: topic.arn, protocol: "email", endpoint: email }, opts));
    return { key, topic, topicPolicy };
}
