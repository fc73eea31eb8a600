/**
 * SignOut: a sign-out path for every dashboard host that needs no app code. One listener rule,
 * ahead of every dashboard's login rule, sends `/_dashboards/sign-out` of any host to a small
 * function (functions/signOut) that expires the load balancer's session cookies and redirects to
 * the identity provider's logout for that host. Apps link to it: `<a href="/_dashboards/sign-out">`.
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
import { PACKAGE } from "./component";
import { bundleHandler } from "./lambdaBundle";
import { targetGroupName } from "./naming";
import { SIGN_OUT_RULE_PRIORITY } from "./routing";
import { SIGN_OUT_PATH, SIGN_OUT_TABLE } from "../functions/signOut/handler";

export { SIGN_OUT_PATH };

export interface SignOutArgs {
    /** The HTTPS listener every dashboard host is served on. */
    listenerArn: pulumi.Input<string>;
    /**
     * Each dashboard host and the identity provider's logout URL for it (the one its login uses).
     * @example { "sales.dashboards.example.com": "https://login.example.com/logout?client_id=...&logout_uri=..." }
     */
    logoutUrls: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Days the function's log group keeps its logs. @default 30 */
    logRetentionDays?: number;
}

export class SignOut extends pulumi.ComponentResource {
    public readonly function: aws.lambda.Function;
    public readonly targetGroup: aws.lb.TargetGroup;
    public readonly rule: aws.lb.ListenerRule;
    /** The host table bundled with the function (`sign-out.json`), as JSON sorted by host. */
    public readonly table: pulumi.Output<string>;

    constructor(name: string, args: SignOutArgs, opts?: pulumi.ComponentResourceOptions) {
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
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        }, { ...parent, dependsOn: [policy, logGroup] });
        // A name of the target-group form from an identity of its own (no dashboard's group has it).
        this.targetGroup = new aws.lb.TargetGroup(`${name}-tg`, {
            name: targetGroupName(stack, "sign-out", { port: 0, protocol: "sign-out", protocolVersion: "", targetType: "lambda", ipAddressType: "", vpcId: "" }),
            targetType: "lambda",
            // Several Set-Cookie headers in one answer need the multi-value form.
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#multi-value-headers
            lambdaMultiValueHeadersEnabled: true,
            healthCheck: { enabled: false },
        }, parent);
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#register-lambda-function
        const invoke = new aws.lambda.Permission(`${name}-invoke`, {
            action: "lambda:InvokeFunction",
            function: this.function.name,
            principal: "elasticloadbalancing.amazonaws.com",
            sourceArn: this.targetGroup.arn,
        }, parent);
        new aws.lb.TargetGroupAttachment(`${name}-target`, { targetGroupArn: this.targetGroup.arn, targetId: this.function.arn }, { ...parent, dependsOn: [invoke] });
        this.rule = new aws.lb.ListenerRule(`${name}-rule`, {
            listenerArn: args.listenerArn,
            priority: SIGN_OUT_RULE_PRIORITY,
            conditions: [{ pathPattern: { values: [SIGN_OUT_PATH] } }],
            actions: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
        }, parent);
        this.registerOutputs({ path: SIGN_OUT_PATH });
    }
}
