/**
 * Shared pieces of the wake-on-request tests: real-shaped ALB and EventBridge events, SDK clients
 * that record (or forbid) every command they send, and a dashboard set up in moto the way the
 * component deploys it (VPC, ALB, listener, app and waker target groups, the app rule and the wake
 * rule on the dashboard's host, each authenticate-oidc then forward, another dashboard's rule next
 * to them, an ECS cluster and service, a scalable target).
 */
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import {
    CreateListenerCommand,
    CreateLoadBalancerCommand,
    CreateRuleCommand,
    CreateTargetGroupCommand,
    DescribeRulesCommand,
    ElasticLoadBalancingV2Client,
    RegisterTargetsCommand,
    type Rule,
    SetRulePrioritiesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ALBEvent, ScheduledEvent } from "aws-lambda";
import type { AwsClients } from "../../functions/wakeOnRequest/aws";
import type { MotoServer } from "./motoServer";

// The SDK warns once per process that its releases after January 2027 need Node 22; not news in a test run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// ---------------------------------------------------------------------------------------------
// Events

/** Headers of a Chrome page load, as in the ALB developer guide's example event plus Fetch Metadata. */
export const NAVIGATION_HEADERS: Record<string, string> = {
    accept: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8",
    "accept-encoding": "gzip, deflate, br",
    "accept-language": "en-GB,en;q=0.9",
    connection: "keep-alive",
    cookie: "AWSELBAuthSessionCookie-0=opaque",
    host: "sales.dashboards.example.com",
    "sec-fetch-dest": "document",
    "sec-fetch-mode": "navigate",
    "sec-fetch-site": "none",
    "sec-fetch-user": "?1",
    "upgrade-insecure-requests": "1",
    "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "x-amzn-trace-id": "Root=1-5c536348-3d683b8b04734faae651f476",
    "x-forwarded-for": "72.12.164.125",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
};
/** The starting page's poll (a same-origin fetch with the wake header). */
export const POLL_HEADERS: Record<string, string> = {
    ...NAVIGATION_HEADERS,
    accept: "application/json",
    "sec-fetch-dest": "empty",
    "sec-fetch-mode": "cors",
    "sec-fetch-site": "same-origin",
    "x-dashboards-wake": "poll",
};
/** The templates' session guard: a background same-origin GET with the probe header. */
export const PROBE_HEADERS: Record<string, string> = { ...POLL_HEADERS, accept: "*/*", "x-dashboards-probe": "1" };
/** A dashboard's own XHR (e.g. a Dash callback). */
export const XHR_HEADERS: Record<string, string> = { ...POLL_HEADERS, "x-dashboards-wake": "" };

/** An ALB request event shaped like the example in the ALB developer guide. */
export function albEvent(opts: { targetGroupArn: string; method?: string; path?: string; headers?: Record<string, string>; multiValue?: boolean; body?: string }): ALBEvent {
    const headers = opts.headers ?? NAVIGATION_HEADERS;
    const base = {
        requestContext: { elb: { targetGroupArn: opts.targetGroupArn } },
        httpMethod: opts.method ?? "GET",
        path: opts.path ?? "/",
        body: opts.body ?? "",
        isBase64Encoded: false,
    };
    if (opts.multiValue) {
        return {
            ...base,
            multiValueQueryStringParameters: {},
            multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        };
    }
    return { ...base, queryStringParameters: {}, headers: { ...headers } };
}

/** The EventBridge scheduled event, as in the EventBridge user guide. */
export function scheduledEvent(): ScheduledEvent {
    return {
        version: "0",
        id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: "123456789012",
        time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        region: "eu-west-1",
        resources: ["arn:aws:events:eu-west-1:123456789012:rule/sales-idle-check"],
        detail: {},
    };
}

// ---------------------------------------------------------------------------------------------
// Clients

type ClientConfig = MotoServer["clientConfig"];

/** The IAM service prefix of each client (what permissions.ts names). */
const PREFIX = { ecs: "ecs", elb: "elasticloadbalancing", autoscaling: "application-autoscaling", cloudwatch: "cloudwatch" } as const;

/** One command a recording client sent: its IAM action and its input as sent. */
export interface SentCall {
    action: string;
    input: unknown;
}

/**
 * The four clients the controller uses, each with a middleware that appends
 * `<iam prefix>:<operation>` to `sent` (and the action with its input to `calls`, when given) for
 * every command (before it is sent), and throws instead when `forbid` is set (a tripwire for paths
 * that must make no AWS call). `beforeSend` runs just before a command goes out (a test's way to
 * change the world between two of the handler's calls).
 */
export function recordingClients(
    config: ClientConfig | { region: string; endpoint: string; credentials: ClientConfig["credentials"] },
    sent: string[],
    options: { forbid?: boolean; calls?: SentCall[]; beforeSend?: (action: string) => Promise<void> } = {},
): AwsClients {
    const { forbid = false, calls, beforeSend } = options;
    const clients: AwsClients = {
        ecs: new ECSClient(config),
        elb: new ElasticLoadBalancingV2Client(config),
        autoscaling: new ApplicationAutoScalingClient(config),
        cloudwatch: new CloudWatchClient(config),
    };
    for (const key of Object.keys(PREFIX) as (keyof AwsClients)[]) {
        // The four clients' middleware stacks differ only in their input and output types.
        const stack = clients[key].middlewareStack as unknown as { add(m: unknown, o: { step: "initialize"; name: string }): void };
        stack.add(
            (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: unknown }) => {
                const action = `${PREFIX[key]}:${String(context.commandName).replace(/Command$/, "")}`;
                sent.push(action);
                calls?.push({ action, input: structuredClone(args.input) });
                if (forbid) throw new Error(`unexpected AWS call ${action}`);
                await beforeSend?.(action);
                return next(args);
            },
            { step: "initialize", name: "recordIamAction" },
        );
    }
    return clients;
}

/** Clients that must never be used: any command throws (and is recorded). */
export function forbiddenClients(sent: string[] = []): AwsClients {
    return recordingClients({ region: "eu-west-1", endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "x", secretAccessKey: "x" } }, sent, { forbid: true });
}

// ---------------------------------------------------------------------------------------------
// A dashboard in moto

export const OIDC_CONFIG = {
    Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE1",
    AuthorizationEndpoint: "https://dashboards-login.auth.eu-west-1.amazoncognito.com/oauth2/authorize",
    TokenEndpoint: "https://dashboards-login.auth.eu-west-1.amazoncognito.com/oauth2/token",
    UserInfoEndpoint: "https://dashboards-login.auth.eu-west-1.amazoncognito.com/oauth2/userInfo",
    ClientId: "5example0client0id0sales",
    ClientSecret: "not-a-real-secret",
    Scope: "openid email",
    SessionCookieName: "AWSELBAuthSessionCookie",
    SessionTimeout: 28800,
    OnUnauthenticatedRequest: "authenticate" as const,
};

/** The dashboard's host, the one condition of both its rules. */
export const DASHBOARD_HOST = "sales.dashboards.example.com";
/** Where the component puts the rules in these tests: the app rule, the wake rule's two slots around it. */
export const PRIORITIES = { app: 5000, asleep: 4999, awake: 5001 } as const;

export interface MotoDashboard {
    /** The handler's environment (the component's contract). */
    env: Record<string, string>;
    listenerArn: string;
    appRuleArn: string;
    wakeRuleArn: string;
    /** Another dashboard's rule on the same listener, next to the awake slot (priority 5002). */
    neighbourRuleArn: string;
    appTargetGroupArn: string;
    wakerTargetGroupArn: string;
    clusterArn: string;
    serviceName: string;
    /** Every rule of the listener as created (before any change by the handler), as DescribeRules returns them. */
    createdRules: Rule[];
    /** Setup clients (not recorded): what the test itself does and reads. */
    setup: { elb: ElasticLoadBalancingV2Client; ecs: ECSClient; autoscaling: ApplicationAutoScalingClient; cloudwatch: CloudWatchClient };
    /** DescribeRules of the listener: every rule, the default one included. */
    listenerRules(): Promise<Rule[]>;
    /** One rule as DescribeRules returns it now. */
    rule(arn: string): Promise<Rule>;
    /** The app and wake rules' priorities now. */
    priorities(): Promise<{ app: number; wake: number }>;
    service(): Promise<{ desired?: number; running?: number }>;
    scalableTarget(): Promise<{ min?: number; max?: number } | undefined>;
    /** Registers an ip target in the app target group (moto reports registered ip targets healthy). */
    registerTarget(ip?: string): Promise<void>;
    /** The test (not the handler) moves a rule, e.g. the wake rule to its awake slot to start from an awake dashboard. */
    setPriority(arn: string, priority: number): Promise<void>;
    setDesired(count: number): Promise<void>;
    /**
     * Starts a task in the cluster as the service's deployment would (startedBy ecs-svc/..., group
     * service:sales). moto 5.2.5 fails RunTask with awsvpc networking (its ENI lacks
     * private_dns_name), so this task's definition uses bridge networking; moto never starts tasks
     * for a service by itself.
     */
    runServiceTask(): Promise<string>;
    /** Puts ALB RequestCount datapoints for one target group, as the ALB publishes them. */
    putRequests(which: "app" | "waker", count: number, at: Date): Promise<void>;
}

const suffix = (arn: string, kind: "loadbalancer" | "targetgroup") => arn.slice(arn.indexOf(`:${kind}/`) + 1).replace(/^loadbalancer\//, "");

/**
 * Creates one dashboard in moto, asleep: desired count 0, scalable target 0..0, the wake rule at
 * its asleep slot (4999) before the app rule (5000); another dashboard's rule at 5002.
 *
 * @param opts.desiredCount The service's desired count at creation (moto then reports 0 running).
 * @param opts.serviceNameInEnv A different SERVICE_NAME for the handler (to make its calls fail).
 */
export async function createMotoDashboard(moto: MotoServer, opts: { desiredCount?: number; serviceNameInEnv?: string } = {}): Promise<MotoDashboard> {
    const cfg = moto.clientConfig;
    const ec2 = new EC2Client(cfg);
    const elb = new ElasticLoadBalancingV2Client(cfg);
    const ecs = new ECSClient(cfg);
    const autoscaling = new ApplicationAutoScalingClient(cfg);
    const cloudwatch = new CloudWatchClient(cfg);

    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }))).Vpc!;
    const subnets = [];
    for (const [i, az] of ["eu-west-1a", "eu-west-1b"].entries()) {
        subnets.push((await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: `10.20.${i}.0/24`, AvailabilityZone: az }))).Subnet!.SubnetId!);
    }
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc.VpcId, GroupName: "dashboards-tasks", Description: "dashboard tasks" }))).GroupId!;
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: "dashboards", Subnets: subnets, Type: "application", Scheme: "internet-facing" }))).LoadBalancers![0];
    const appTg = (await elb.send(new CreateTargetGroupCommand({ Name: "sales-app", Protocol: "HTTP", Port: 8050, VpcId: vpc.VpcId, TargetType: "ip", HealthCheckPath: "/health" }))).TargetGroups![0];
    const wakerTg = (await elb.send(new CreateTargetGroupCommand({ Name: "sales-waker", TargetType: "lambda" }))).TargetGroups![0];
    const wikiTg = (await elb.send(new CreateTargetGroupCommand({ Name: "wiki-app", Protocol: "HTTP", Port: 8050, VpcId: vpc.VpcId, TargetType: "ip" }))).TargetGroups![0];
    // AWS allows authenticate actions only on HTTPS listeners; moto accepts them on HTTP, which needs no certificate here.
    const listener = (await elb.send(new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain", MessageBody: "Not found" } }],
    }))).Listeners![0];
    // As components/dashboardService.ts creates each rule: host condition, authenticate (order 1), forward to one target group (order 2).
    const hostRule = async (host: string, targetGroupArn: string, priority: number) => (await elb.send(new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: priority,
        Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [host] } }],
        Actions: [
            { Type: "authenticate-oidc", Order: 1, AuthenticateOidcConfig: { ...OIDC_CONFIG } },
            { Type: "forward", Order: 2, TargetGroupArn: targetGroupArn },
        ],
    }))).Rules![0].RuleArn!;
    const appRuleArn = await hostRule(DASHBOARD_HOST, appTg.TargetGroupArn!, PRIORITIES.app);
    const wakeRuleArn = await hostRule(DASHBOARD_HOST, wakerTg.TargetGroupArn!, PRIORITIES.asleep);
    const neighbourRuleArn = await hostRule("wiki.dashboards.example.com", wikiTg.TargetGroupArn!, PRIORITIES.awake + 1);

    const cluster = (await ecs.send(new CreateClusterCommand({ clusterName: "dashboards" }))).cluster!;
    const taskDefinition = (await ecs.send(new RegisterTaskDefinitionCommand({
        family: "dashboards-sales",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "app", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sales@sha256:0", memory: 512, portMappings: [{ containerPort: 8050 }] }],
    }))).taskDefinition!;
    const serviceName = "sales";
    await ecs.send(new CreateServiceCommand({
        cluster: cluster.clusterArn,
        serviceName,
        taskDefinition: taskDefinition.taskDefinitionArn,
        desiredCount: opts.desiredCount ?? 0,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups: [sg], assignPublicIp: "DISABLED" } },
        loadBalancers: [{ targetGroupArn: appTg.TargetGroupArn, containerName: "app", containerPort: 8050 }],
    }));
    const resourceId = `service/${cluster.clusterName}/${serviceName}`;
    await autoscaling.send(new RegisterScalableTargetCommand({ ServiceNamespace: "ecs", ResourceId: resourceId, ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 0, MaxCapacity: 0 }));

    const envService = opts.serviceNameInEnv ?? serviceName;
    const env: Record<string, string> = {
        CLUSTER_ARN: cluster.clusterArn!,
        SERVICE_NAME: envService,
        SCALABLE_RESOURCE_ID: `service/${cluster.clusterName}/${envService}`,
        APP_RULE_ARN: appRuleArn,
        WAKE_RULE_ARN: wakeRuleArn,
        WAKE_RULE_ASLEEP_PRIORITY: String(PRIORITIES.asleep),
        WAKE_RULE_AWAKE_PRIORITY: String(PRIORITIES.awake),
        APP_TARGET_GROUP_ARN: appTg.TargetGroupArn!,
        WAKER_TARGET_GROUP_ARN: wakerTg.TargetGroupArn!,
        LOAD_BALANCER_ARN_SUFFIX: suffix(lb.LoadBalancerArn!, "loadbalancer"),
        AWAKE_MIN_TASKS: "1",
        AWAKE_MAX_TASKS: "3",
        IDLE_MINUTES: "15",
        DISPLAY_NAME: "Sales",
        PLATFORM_NAME: "Dashboards",
        PORTAL_URL: "https://portal.dashboards.example.com/",
        START_TIMEOUT_SECONDS: "300",
    };
    const listenerRules = async () => (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!;
    const rule = async (arn: string) => (await elb.send(new DescribeRulesCommand({ RuleArns: [arn] }))).Rules![0];
    return {
        env,
        listenerArn: listener.ListenerArn!,
        appRuleArn,
        wakeRuleArn,
        neighbourRuleArn,
        appTargetGroupArn: appTg.TargetGroupArn!,
        wakerTargetGroupArn: wakerTg.TargetGroupArn!,
        clusterArn: cluster.clusterArn!,
        serviceName,
        createdRules: await listenerRules(),
        setup: { elb, ecs, autoscaling, cloudwatch },
        listenerRules,
        rule,
        priorities: async () => ({ app: Number((await rule(appRuleArn)).Priority), wake: Number((await rule(wakeRuleArn)).Priority) }),
        service: async () => {
            const s = (await ecs.send(new DescribeServicesCommand({ cluster: cluster.clusterArn, services: [serviceName] }))).services![0];
            return { desired: s.desiredCount, running: s.runningCount };
        },
        scalableTarget: async () => {
            const t = (await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [resourceId] }))).ScalableTargets?.[0];
            return t && { min: t.MinCapacity, max: t.MaxCapacity };
        },
        registerTarget: async (ip = "10.20.0.10") => {
            await elb.send(new RegisterTargetsCommand({ TargetGroupArn: appTg.TargetGroupArn, Targets: [{ Id: ip, Port: 8050 }] }));
        },
        setPriority: async (arn, priority) => {
            await elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: arn, Priority: priority }] }));
        },
        setDesired: async (count) => {
            await ecs.send(new UpdateServiceCommand({ cluster: cluster.clusterArn, service: serviceName, desiredCount: count }));
        },
        runServiceTask: async () => {
            const bridge = (await ecs.send(new RegisterTaskDefinitionCommand({
                family: "dashboards-sales-bridge",
                networkMode: "bridge",
                containerDefinitions: [{ name: "app", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sales@sha256:0", memory: 512 }],
            }))).taskDefinition!;
            const out = await ecs.send(new RunTaskCommand({ cluster: cluster.clusterArn, taskDefinition: bridge.taskDefinitionArn, launchType: "FARGATE", startedBy: "ecs-svc/1234567890123456789", group: `service:${serviceName}` }));
            return out.tasks![0].taskArn!;
        },
        putRequests: async (which, count, at) => {
            const tg = which === "app" ? appTg.TargetGroupArn! : wakerTg.TargetGroupArn!;
            await cloudwatch.send(new PutMetricDataCommand({
                Namespace: "AWS/ApplicationELB",
                MetricData: [{
                    MetricName: "RequestCount",
                    Dimensions: [{ Name: "LoadBalancer", Value: suffix(lb.LoadBalancerArn!, "loadbalancer") }, { Name: "TargetGroup", Value: suffix(tg, "targetgroup") }],
                    Value: count,
                    Unit: "Count",
                    Timestamp: at,
                }],
            }));
        },
    };
}
