/**
 * SignOut: a sign-out path for every dashboard host that needs no app code. On each load balancer
 * one listener rule, ahead of every dashboard's login rule, sends `/_dashboards/sign-out` of any
 * host to a small function (functions/signOut, one for all) that expires the load balancer's
 * session cookies and redirects to the identity provider's logout for that host. Apps link to it:
 * `<a href="/_dashboards/sign-out">`. A Lambda target group belongs to one load balancer, so each
 * has its own target group and rule; load balancer 0's keep the names a single ALB had.
 *
 * The rule does not authenticate: a user whose session has ended must still be able to sign out,
 * and the function reads nothing from the request it could be tricked with (see its header).
 * It is the one forwarding rule without a login, and the policy pack allows exactly this one.
 *
 * Cost note: no hourly charge (Lambda target groups have none); requests cost Lambda's per-request
 * price and a log line, a fraction of a cent a month.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ComponentArgsError, PACKAGE } from "./component";
import { throttlesAlarm } from "./functionAlarms";
import { bundleHandler } from "./lambdaBundle";
import { targetGroupName } from "./naming";
import { SIGN_OUT_RULE_PRIORITY } from "./routing";
import { RESERVED_CONCURRENCY } from "./stackConfig";
import { SIGN_OUT_PATH, SIGN_OUT_TABLE } from "../functions/signOut/handler";

export { SIGN_OUT_PATH };

/** An HTTPS listener that serves dashboard hosts, and the number of its load balancer. */
export interface SignOutListener {
    /** 0 for the first load balancer (its resources keep the single-ALB names). */
    loadBalancer: number;
    listenerArn: pulumi.Input<string>;
}

export interface SignOutArgs {
    /** The HTTPS listeners of every load balancer that serves dashboard hosts. */
    listeners: SignOutListener[];
    /**
     * Each dashboard host and the identity provider's logout URL for it (the one its login uses).
     * @example { "sales.dashboards.example.com": "https://login.example.com/logout?client_id=...&logout_uri=..." }
     */
    logoutUrls: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Days the function's log group keeps its logs. @default 30 */
    logRetentionDays?: number;
    /**
     * Concurrent executions reserved for the function, which also caps it. The path answers without a
     * login, so a flood of requests to it could otherwise use up the account's concurrency, which the
     * login check (Cognito's trigger) and the wakers share; with a cap, the flood is throttled instead.
     * AWS keeps at least 100 of an account's concurrency unreserved, so new accounts with a quota of 10
     * cannot reserve any: https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
     * @default none (the function shares the account's unreserved concurrency)
     * @example 20
     */
    reservedConcurrency?: number;
    /** SNS topic for an alarm when the function is throttled. @default none (no alarm) */
    alarmTopicArn?: pulumi.Input<string>;
}

export class SignOut extends pulumi.ComponentResource {
    public readonly function: aws.lambda.Function;
    /** Load balancer 0's target group and rule. */
    public readonly targetGroup: aws.lb.TargetGroup;
    public readonly rule: aws.lb.ListenerRule;
    /** The host table bundled with the function (`sign-out.json`), as JSON sorted by host. */
    public readonly table: pulumi.Output<string>;

    constructor(name: string, args: SignOutArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before anything is declared, the component included.
        const concurrency = args.reservedConcurrency;
        if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= RESERVED_CONCURRENCY.min && concurrency <= RESERVED_CONCURRENCY.max)) {
            throw new ComponentArgsError(`SignOut "${name}"`, [`reservedConcurrency ${JSON.stringify(concurrency)} must be a whole number from ${RESERVED_CONCURRENCY.min} to ${RESERVED_CONCURRENCY.max}`]);
        }
        super(`${PACKAGE}:index:SignOut`, name, {}, opts);
        const parent = { parent: this };
        const stack = pulumi.getStack();
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/dashboards/${pulumi.getProject()}-${stack}/${name}`,
            retentionInDays: args.logRetentionDays ?? 30,
        }, parent);
        const role = new aws.iam.Role(`${name}-role`, {
            description: "The dashboards' sign-out function: its own logs only",
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, parent);
        const policy = new aws.iam.RolePolicy(`${name}-policy`, {
            role: role.id,
            policy: logGroup.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn}:*` }],
            })),
        }, parent);
        // The table travels with the code: no size limit (environment variables stop at 4 KB) and no call at start.
        const table = this.table = pulumi.output(args.logoutUrls).apply((urls) => JSON.stringify(Object.fromEntries(Object.entries(urls).sort(([a], [b]) => (a < b ? -1 : 1)))));
        this.function = new aws.lambda.Function(`${name}-fn`, {
            description: "Expires the load balancer's session cookies and redirects to the identity provider's logout",
            runtime: "nodejs22.x",
            architectures: ["arm64"],
            handler: "index.handler",
            code: table.apply((json) => new pulumi.asset.AssetArchive({
                "index.js": new pulumi.asset.StringAsset(bundleHandler("signOut")),
                [SIGN_OUT_TABLE]: new pulumi.asset.StringAsset(json),
            })),
            role: role.arn,
            timeout: 3,
            memorySize: 128,
            ...(args.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: args.reservedConcurrency } : {}),
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        }, { ...parent, dependsOn: [policy, logGroup] });
        if (args.alarmTopicArn) throttlesAlarm(`${name}-throttles`, this.function, "Sign-out fails for some users", args.alarmTopicArn, parent);
        const routes = new Map(args.listeners.map((l) => [l.loadBalancer, this.createRoute(l.loadBalancer === 0 ? name : `${name}-lb${l.loadBalancer}`, l, stack)]));
        const first = routes.get(0);
        if (!first) throw new Error("SignOut needs the listener of load balancer 0");
        this.targetGroup = first.targetGroup;
        this.rule = first.rule;
        this.registerOutputs({ path: SIGN_OUT_PATH });
    }

    /** The function's target group on one load balancer, the permission to invoke it, and the listener rule to it. */
    private createRoute(prefix: string, listener: SignOutListener, stack: string): { targetGroup: aws.lb.TargetGroup; rule: aws.lb.ListenerRule } {
        const parent = { parent: this };
        // A name of the target-group form from an identity of its own (no dashboard's group has it).
        const targetGroup = new aws.lb.TargetGroup(`${prefix}-tg`, {
            name: targetGroupName(stack, listener.loadBalancer === 0 ? "sign-out" : `sign-out-lb${listener.loadBalancer}`, { port: 0, protocol: "sign-out", protocolVersion: "", targetType: "lambda", ipAddressType: "", vpcId: "" }),
            targetType: "lambda",
            // Several Set-Cookie headers in one answer need the multi-value form.
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#multi-value-headers
            lambdaMultiValueHeadersEnabled: true,
            healthCheck: { enabled: false },
        }, parent);
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#register-lambda-function
        const invoke = new aws.lambda.Permission(`${prefix}-invoke`, {
            action: "lambda:InvokeFunction",
            function: this.function.name,
            principal: "elasticloadbalancing.amazonaws.com",
            sourceArn: targetGroup.arn,
        }, parent);
        new aws.lb.TargetGroupAttachment(`${prefix}-target`, { targetGroupArn: targetGroup.arn, targetId: this.function.arn }, { ...parent, dependsOn: [invoke] });
        const rule = new aws.lb.ListenerRule(`${prefix}-rule`, {
            listenerArn: listener.listenerArn,
            priority: SIGN_OUT_RULE_PRIORITY,
            conditions: [{ pathPattern: { values: [SIGN_OUT_PATH] } }],
            actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        }, parent);
        return { targetGroup, rule };
    }
}
