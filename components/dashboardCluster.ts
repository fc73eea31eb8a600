/**
 * DashboardCluster: the shared base every dashboard runs on — network, ECS cluster, and the
 * internet-facing Application Load Balancers that terminate TLS and route by host name: one, or
 * more when the dashboards outgrow one ALB's 100 target groups (see loadBalancers.ts). Each load
 * balancer has its own security group, listeners, signed-out rule, 404 default and access-log
 * prefix; they share the certificate, the network and the ECS cluster.
 *
 * Built on @pulumi/aws primitives (awsx only for the VPC) so that every child is visible to
 * policy checks and unit tests under Pulumi mocks.
 *
 * Cost note: each ALB is ~$16/month plus LCUs; each NAT gateway ~$33/month plus data. `nat: none`
 * avoids NAT entirely by giving tasks public IPs (their security group still admits only the ALB).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import { ComponentArgsError, PACKAGE } from "./component";

export { ComponentArgsError, PACKAGE };
import type { ServiceClusterArgs } from "./serviceClusterArgs";
import { CertificateContext, LISTENER_CERTIFICATE_LIMIT, listenerCertificatePlan } from "./certificates";
import { MAX_LOAD_BALANCERS } from "./loadBalancers";
import { albName, boundedName } from "./naming";
import { notificationTopic, PublisherContext } from "./notificationTopic";
import { denyInsecureTransport } from "./policyStatements";
import { SIGNED_OUT_RULE_PRIORITY } from "./routing";
import { SIGNED_OUT_PATH } from "./appEnvironment";
import { IDLE_TIMEOUT, NAT_STRATEGIES } from "./stackConfig";

/** Package name used in every component type token. */

/**
 * TLS 1.3 with TLS 1.2 fallback, only forward-secret AEAD ciphers (no CBC), and hybrid post-quantum
 * key exchange (ML-KEM) for clients that offer it. AWS recommends it, and it is the console's default:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 * (test/dashboardCluster.moto.test.ts reads its protocols and ciphers from moto's copy of AWS's table).
 */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

/** Settings for a VPC created by the component. */
export interface NewVpcArgs {
    /**
     * NAT gateways for the private subnets: `none` (no private subnets; tasks get public IPs),
     * `single` (one shared NAT gateway, ~$33/month) or `one-per-az` (survives an AZ outage).
     * @default "single"
     */
    natStrategy?: string;
    /**
     * IPv4 CIDR block of the VPC.
     * @default "10.0.0.0/16"
     */
    cidrBlock?: string;
    /**
     * Number of availability zones (the ALB needs at least two).
     * @default 2
     */
    availabilityZones?: number;
}

/** An existing VPC to deploy into. */
export interface ExistingVpcArgs {
    /** VPC id, e.g. `vpc-0abc1234def567890`. */
    vpcId: pulumi.Input<string>;
    /** Public subnets (at least two AZs) for the load balancer. */
    publicSubnetIds: pulumi.Input<string>[];
    /**
     * Private subnets with outbound access (NAT or VPC endpoints) for the tasks. When empty, tasks
     * run in the public subnets with public IPs.
     * @default []
     */
    privateSubnetIds?: pulumi.Input<string>[];
}

/** ALB access logs. */
export interface AccessLogsArgs {
    /** Write access logs to an S3 bucket made by the component (SSE-S3 encrypted, private). */
    enabled: boolean;
    /**
     * Days after which log objects expire.
     * @default 90
     */
    retentionDays?: number;
}

/** A host name besides `<name>.<domain>` that a dashboard serves, and the certificate for it. */
export interface ExtraHostArgs {
    /** Full DNS name, e.g. `sales.example.org` or `eu.sales.dashboards.example.com`. */
    host: string;
    /**
     * ACM certificate in the stack's region that covers `host`; attached to the HTTPS listener (once,
     * however many hosts share it). Without it, `<label>.<domain>` is served by the wildcard and a host
     * deeper in `domain` gets a DNS-validated certificate of its own (this needs `hostedZoneId`).
     * @default none
     */
    certificateArn?: string;
    /**
     * Number of the load balancer that serves `host` (one of `loadBalancers`): its HTTPS listener gets the certificate.
     * @default 0
     */
    loadBalancer?: number;
}

export interface DashboardClusterArgs {
    /**
     * Parent domain of every dashboard; dashboards are served at `<name>.<domain>`.
     * @example "dashboards.example.com"
     */
    domain: string;
    /**
     * Route 53 hosted zone that holds `domain`. With it, the component requests a wildcard
     * certificate `*.<domain>` validated by DNS (unless `certificateArn` is given) and dashboards
     * get alias records.
     */
    hostedZoneId?: pulumi.Input<string>;
    /**
     * Existing ACM certificate covering `*.<domain>`, in the stack's region. Use it when DNS is
     * managed outside Route 53; then point `*.<domain>` at the `albDnsName` output yourself.
     */
    certificateArn?: pulumi.Input<string>;
    /**
     * Create a VPC with these settings. Mutually exclusive with `existingVpc`.
     * @default { natStrategy: "single", cidrBlock: "10.0.0.0/16", availabilityZones: 2 }
     */
    vpc?: NewVpcArgs;
    /** Deploy into an existing VPC instead of creating one. */
    existingVpc?: ExistingVpcArgs;
    /**
     * Seconds an idle connection stays open. The AWS default (60) drops quiet Shiny and Streamlit
     * websockets; 1..4000.
     * @default 600
     */
    idleTimeoutSeconds?: number;
    /**
     * Protect the load balancer from deletion (turn it off before `pulumi destroy`).
     * @default false
     */
    deletionProtection?: boolean;
    /**
     * ALB access logs to S3.
     * @default { enabled: false }
     */
    accessLogs?: AccessLogsArgs;
    /**
     * TLS policy of the HTTPS listener. `ELBSecurityPolicy-TLS13-1-2-Res-2021-06` is the same without
     * post-quantum key exchange; an `-Ext` policy accepts the CBC ciphers some older clients need.
     * @default "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
     */
    sslPolicy?: string;
    /**
     * Email addresses subscribed to the alarm topic (each must confirm by email). Without any,
     * no topic is made and dashboards get no alarms.
     * @default []
     */
    alarmEmails?: string[];
    /**
     * CloudWatch Container Insights for the ECS cluster: `enabled`, `enhanced` or `disabled`.
     * @default "enabled"
     */
    containerInsights?: string;
    /**
     * Every host the dashboards serve besides `<name>.<domain>` (their `extraHosts`), so the HTTPS
     * listener has a certificate for each: browsers refuse a host no certificate covers. At most 25
     * certificates besides the default (an adjustable AWS quota).
     * @default []
     */
    extraHosts?: ExtraHostArgs[];
    /**
     * Numbers of the load balancers to create, 0 to 49 (50 ALBs per region is AWS's default quota).
     * Load balancer 0 keeps the names a single-ALB cluster always had; load balancer `n` names its
     * resources `<name>-lb<n>-...`. DashboardPlatform spreads the dashboards over them.
     * @default [0]
     * @example [0, 1, 2]
     */
    loadBalancers?: number[];
}

/** One of the cluster's load balancers, with what its dashboards attach to. */
export interface ClusterLoadBalancer {
    /** Its number: 0 for the first. */
    number: number;
    loadBalancer: aws.lb.LoadBalancer;
    securityGroup: aws.ec2.SecurityGroup;
    httpsListener: aws.lb.Listener;
    httpListener: aws.lb.Listener;
    /** Certificates attached to the HTTPS listener for extra hosts the wildcard does not cover. */
    listenerCertificates: aws.lb.ListenerCertificate[];
}

/** The signed-out page (an ALB fixed response: at most 1024 bytes, no scripts). */
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#fixed-response-actions
export const SIGNED_OUT_PAGE =
    "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>Signed out</title><body style='font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem'>" +
    "<h1>You have signed out</h1><p>Your session on this dashboard has ended. Other dashboards you opened may keep " +
    "their session until it times out.</p><p><a href='/'>Sign in again</a></p></body></html>";

/** Errors in the arguments, all at once, so a caller fixes them in one go. */
function checkArgs(args: DashboardClusterArgs): void {
    const problems: string[] = [];
    if (!args.domain) problems.push("domain is required");
    if (!args.hostedZoneId && !args.certificateArn) problems.push("set hostedZoneId, certificateArn, or both: the HTTPS listener needs a certificate");
    if (args.vpc && args.existingVpc) problems.push("vpc and existingVpc are mutually exclusive");
    const nat = args.vpc?.natStrategy;
    if (nat !== undefined && !(NAT_STRATEGIES as readonly string[]).includes(nat)) problems.push(`vpc.natStrategy "${nat}" is not one of ${NAT_STRATEGIES.join(", ")}`);
    if (args.vpc?.availabilityZones !== undefined && args.vpc.availabilityZones < 2) problems.push("vpc.availabilityZones must be at least 2 (an ALB spans two AZs)");
    if (args.existingVpc && args.existingVpc.publicSubnetIds.length < 2) problems.push("existingVpc.publicSubnetIds needs at least two subnets in different AZs");
    const idle = args.idleTimeoutSeconds;
    if (idle !== undefined && (!Number.isInteger(idle) || idle < IDLE_TIMEOUT.min || idle > IDLE_TIMEOUT.max)) {
        problems.push(`idleTimeoutSeconds ${idle} is outside ${IDLE_TIMEOUT.min}..${IDLE_TIMEOUT.max}`);
    }
    if (args.containerInsights !== undefined && !["enabled", "enhanced", "disabled"].includes(args.containerInsights)) {
        problems.push(`containerInsights "${args.containerInsights}" is not one of enabled, enhanced, disabled`);
    }
    const numbers = args.loadBalancers ?? [0];
    for (const n of numbers) {
        if (!Number.isInteger(n) || n < 0 || n >= MAX_LOAD_BALANCERS) problems.push(`loadBalancers: ${n} is not a load balancer number 0..${MAX_LOAD_BALANCERS - 1}`);
    }
    if (!numbers.includes(0)) problems.push("loadBalancers must include 0 (the first load balancer, which keeps the cluster's original names)");
    if (new Set(numbers).size !== numbers.length) problems.push("loadBalancers lists a number twice");
    for (const h of args.extraHosts ?? []) {
        if (!numbers.includes(h.loadBalancer ?? 0)) problems.push(`extraHosts "${h.host}": loadBalancer ${h.loadBalancer} is not one of loadBalancers (${numbers.join(", ")})`);
    }
    if (args.domain) {
        const listener = listenerCertificatePlan(args.extraHosts ?? [], certificateContext(args));
        for (const { host, why } of listener.uncovered) {
            problems.push(why === "outside-domain"
                ? `extraHosts "${host}" is outside ${args.domain} and *.${args.domain} does not cover it: give its certificateArn`
                : `extraHosts "${host}" is not covered by *.${args.domain} (one level only): give its certificateArn, or hostedZoneId to have one requested`);
        }
        for (const n of numbers) {
            const count = listenerCertificatePlan((args.extraHosts ?? []).filter((h) => (h.loadBalancer ?? 0) === n), certificateContext(args)).count;
            if (count > LISTENER_CERTIFICATE_LIMIT) {
                problems.push(`extraHosts need ${count} certificates on the HTTPS listener of load balancer ${n}; it holds ${LISTENER_CERTIFICATE_LIMIT} besides the default (share certificateArns)`);
            }
        }
    }
    if (problems.length > 0) throw new ComponentArgsError("DashboardCluster", problems);
}

function certificateContext(args: DashboardClusterArgs): CertificateContext {
    return {
        domain: args.domain,
        hostedZone: args.hostedZoneId !== undefined,
        defaultCertificateArn: typeof args.certificateArn === "string" ? args.certificateArn : undefined,
    };
}

// Regions older than August 2022 deliver ALB logs from a regional ELB account rather than the service principal.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html#attach-bucket-policy
const LEGACY_ELB_LOG_REGIONS = new Set([
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1", "ap-northeast-1",
    "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ca-central-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-north-1", "me-south-1", "sa-east-1",
    "us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1",
]);

/** The VPC and subnets the cluster runs in. */
interface ClusterNetwork {
    vpcId: pulumi.Output<string>;
    publicSubnetIds: pulumi.Output<string[]>;
    privateSubnetIds: pulumi.Output<string[]>;
    /** Whether tasks need a public IP (no private subnets with NAT). */
    assignPublicIp: boolean;
}

/** The access-log bucket, the policy the ALB must wait for, and the ALB's access-log settings. */
interface AccessLogsBucket {
    bucket: aws.s3.Bucket;
    policy: aws.s3.BucketPolicy;
    settings: aws.types.input.lb.LoadBalancerAccessLogs;
}

/** Each cluster's load balancers by number; kept off the class, whose fields the package schema describes (it has no map of resources). */
const loadBalancersOf = new WeakMap<object, ReadonlyMap<number, ClusterLoadBalancer>>();

export class DashboardCluster extends pulumi.ComponentResource {
    /** Parent domain of the dashboards. */
    public readonly domain: string;
    /** Route 53 zone for dashboard records, when DNS is managed here. */
    public readonly hostedZoneId: pulumi.Output<string | undefined>;
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Subnets the tasks run in: private when there is egress through NAT, else public. */
    public readonly taskSubnetIds: pulumi.Output<string[]>;
    /** Whether tasks need a public IP (no private subnets with NAT). */
    public readonly assignPublicIp: boolean;
    public readonly cluster: aws.ecs.Cluster;
    /** FARGATE and FARGATE_SPOT on the cluster; services must depend on it (see `forServices`). */
    public readonly capacityProviders: aws.ecs.ClusterCapacityProviders;
    /** Load balancer 0 and its parts (what a single-ALB cluster has). */
    public readonly loadBalancer: aws.lb.LoadBalancer;
    public readonly albSecurityGroup: aws.ec2.SecurityGroup;
    public readonly httpsListener: aws.lb.Listener;
    public readonly httpListener: aws.lb.Listener;
    /** The default certificate of every load balancer's HTTPS listener (`*.<domain>`). */
    public readonly certificateArn: pulumi.Output<string>;
    /** Certificates attached to HTTPS listeners (of every load balancer) for extra hosts the wildcard does not cover. */
    public readonly listenerCertificates: aws.lb.ListenerCertificate[];
    public readonly accessLogsBucket?: aws.s3.Bucket;
    public readonly albArn: pulumi.Output<string>;
    public readonly albDnsName: pulumi.Output<string>;
    public readonly albZoneId: pulumi.Output<string>;
    /** Whether dashboard DNS records are made here (a hosted zone was given). */
    public readonly managesDns: boolean;
    /** SNS topic for dashboard alarms, when `alarmEmails` is set. */
    public readonly alarmTopic?: aws.sns.Topic;

    constructor(name: string, args: DashboardClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        checkArgs(args);
        super(`${PACKAGE}:index:DashboardCluster`, name, {}, opts);
        const region = aws.getRegionOutput({}, { parent: this }).region;
        this.domain = args.domain;
        this.hostedZoneId = pulumi.output(args.hostedZoneId);
        this.managesDns = args.hostedZoneId !== undefined;

        const network = this.createNetwork(name, args);
        this.vpcId = network.vpcId;
        this.publicSubnetIds = network.publicSubnetIds;
        this.assignPublicIp = network.assignPublicIp;
        this.taskSubnetIds = this.assignPublicIp ? this.publicSubnetIds : network.privateSubnetIds;

        this.cluster = this.createEcsCluster(name, args);
        this.capacityProviders = this.createCapacityProviders(name, this.cluster);
        this.certificateArn = args.certificateArn
            ? pulumi.output(args.certificateArn)
            : this.createValidatedCertificate(`${name}-cert`, `*.${args.domain}`, args.hostedZoneId!);

        const numbers = [...(args.loadBalancers ?? [0])].sort((a, b) => a - b);
        const logs = args.accessLogs?.enabled ? this.createAccessLogs(name, args, region, numbers) : undefined;
        this.accessLogsBucket = logs?.bucket;
        const requested = this.requestExtraHostCertificates(name, args);
        const byNumber = new Map(numbers.map((n) => [n, this.createLoadBalancerWithListeners(name, n, args, logs, requested)]));
        loadBalancersOf.set(this, byNumber);
        const first = byNumber.get(0)!;
        this.loadBalancer = first.loadBalancer;
        this.albSecurityGroup = first.securityGroup;
        this.httpListener = first.httpListener;
        this.httpsListener = first.httpsListener;
        this.listenerCertificates = [...byNumber.values()].flatMap((lb) => lb.listenerCertificates);
        this.albArn = this.loadBalancer.arn;
        this.albDnsName = this.loadBalancer.dnsName;
        this.albZoneId = this.loadBalancer.zoneId;
        this.alarmTopic = this.createAlarmTopic(name, args.alarmEmails ?? []);

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            taskSubnetIds: this.taskSubnetIds,
            assignPublicIp: this.assignPublicIp,
            albArn: this.albArn,
            albDnsName: this.albDnsName,
            certificateArn: this.certificateArn,
        });
    }

    /**
     * Load balancer `n` with its security group, listeners, extra-host certificates and signed-out
     * rule. Load balancer 0's resources keep the names of a single-ALB cluster (`<name>-alb`, ...),
     * so a stack that grows a second load balancer replaces nothing of the first.
     */
    private createLoadBalancerWithListeners(name: string, n: number, args: DashboardClusterArgs, logs: AccessLogsBucket | undefined, requested: Map<string, pulumi.Output<string>>): ClusterLoadBalancer {
        const prefix = loadBalancerPrefix(name, n);
        const securityGroup = this.createAlbSecurityGroup(prefix, this.vpcId);
        const loadBalancer = this.createLoadBalancer(prefix, args, securityGroup, this.publicSubnetIds, logs && { ...logs, settings: { ...logs.settings, prefix: accessLogPrefix(n) } });
        const httpListener = this.createHttpListener(prefix, loadBalancer);
        const httpsListener = this.createHttpsListener(prefix, args, loadBalancer, this.certificateArn);
        const hosts = (args.extraHosts ?? []).filter((h) => (h.loadBalancer ?? 0) === n);
        const listenerCertificates = this.attachExtraHostCertificates(prefix, args, hosts, httpsListener, requested);
        this.createSignedOutRule(prefix, httpsListener);
        return { number: n, loadBalancer, securityGroup, httpsListener, httpListener, listenerCertificates };
    }

    /** The network: the existing VPC's subnets, or a new VPC with public (and, with NAT, private) subnets. */
    private createNetwork(name: string, args: DashboardClusterArgs): ClusterNetwork {
        if (args.existingVpc) {
            const existing = args.existingVpc;
            return {
                vpcId: pulumi.output(existing.vpcId),
                publicSubnetIds: pulumi.output(existing.publicSubnetIds),
                privateSubnetIds: pulumi.output(existing.privateSubnetIds ?? []),
                assignPublicIp: (existing.privateSubnetIds ?? []).length === 0,
            };
        }
        const nat = args.vpc?.natStrategy ?? "single";
        const strategy = { none: "None", single: "Single", "one-per-az": "OnePerAz" }[nat] as awsx.types.enums.ec2.NatGatewayStrategy;
        const vpc = new awsx.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.vpc?.cidrBlock ?? "10.0.0.0/16",
            numberOfAvailabilityZones: args.vpc?.availabilityZones ?? 2,
            enableDnsHostnames: true,
            natGateways: { strategy },
            // Without NAT, private subnets would have no way out (ECR pulls, IdP calls): make none.
            subnetSpecs: nat === "none"
                ? [{ type: "Public", cidrMask: 20 }]
                : [{ type: "Public", cidrMask: 22 }, { type: "Private", cidrMask: 20 }],
            subnetStrategy: "Auto",
        }, { parent: this });
        return {
            vpcId: vpc.vpcId,
            publicSubnetIds: vpc.publicSubnetIds,
            privateSubnetIds: nat === "none" ? pulumi.output([]) : vpc.privateSubnetIds,
            assignPublicIp: nat === "none",
        };
    }

    /** The ECS cluster, with Container Insights as asked. */
    private createEcsCluster(name: string, args: DashboardClusterArgs): aws.ecs.Cluster {
        return new aws.ecs.Cluster(`${name}-cluster`, {
            // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContainerInsights.html
            settings: [{ name: "containerInsights", value: args.containerInsights ?? "enabled" }],
        }, { parent: this });
    }

    /** FARGATE and FARGATE_SPOT on the cluster, FARGATE by default. */
    private createCapacityProviders(name: string, cluster: aws.ecs.Cluster): aws.ecs.ClusterCapacityProviders {
        // ECS refuses to remove a capacity provider a service uses, so services depend on this association.
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html
        return new aws.ecs.ClusterCapacityProviders(`${name}-capacity`, {
            clusterName: cluster.name,
            capacityProviders: ["FARGATE", "FARGATE_SPOT"],
            defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
        }, { parent: this });
    }

    /** The load balancer's security group: in on 80 and 443 from anywhere, out on 443 to the identity provider. */
    private createAlbSecurityGroup(name: string, vpcId: pulumi.Output<string>): aws.ec2.SecurityGroup {
        const parent = { parent: this };
        // Rules are separate resources so DashboardService can add its own egress rule toward its tasks.
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-alb-sg`, {
            vpcId,
            description: "Dashboards ALB: HTTP/HTTPS from anywhere; out to the IdP (443) and to dashboard tasks",
            revokeRulesOnDelete: true,
        }, parent);
        for (const port of [80, 443]) {
            new aws.vpc.SecurityGroupIngressRule(`${name}-alb-in-${port}`, {
                securityGroupId: securityGroup.id,
                description: port === 80 ? "HTTP (redirected to HTTPS)" : "HTTPS",
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                cidrIpv4: "0.0.0.0/0",
            }, parent);
        }
        // The ALB calls the IdP's token and userinfo endpoints itself during authenticate-oidc.
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
        new aws.vpc.SecurityGroupEgressRule(`${name}-alb-out-idp`, {
            securityGroupId: securityGroup.id,
            description: "HTTPS to the identity provider's token and userinfo endpoints",
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
        }, parent);
        return securityGroup;
    }

    /** A DNS-validated certificate for `domainName`, issued before anything uses its ARN. */
    private createValidatedCertificate(resourceName: string, domainName: string, hostedZoneId: pulumi.Input<string>): pulumi.Output<string> {
        const parent = { parent: this };
        const certificate = new aws.acm.Certificate(resourceName, { domainName, validationMethod: "DNS" }, { ...parent, deleteBeforeReplace: false });
        const validation = certificate.domainValidationOptions[0];
        // https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
        const record = new aws.route53.Record(`${resourceName}-validation`, {
            zoneId: hostedZoneId,
            name: validation.resourceRecordName,
            type: validation.resourceRecordType,
            records: [validation.resourceRecordValue],
            ttl: 300,
            allowOverwrite: true,
        }, parent);
        // Users of the ARN take it from the validation, so they wait until ACM has issued the certificate.
        return new aws.acm.CertificateValidation(`${resourceName}-validated`, {
            certificateArn: certificate.arn,
            validationRecordFqdns: [record.fqdn],
        }, parent).certificateArn;
    }

    /** The private, SSE-S3 encrypted, expiring access-log bucket and the policy that lets the ALB write to it. */
    private createAccessLogs(name: string, args: DashboardClusterArgs, region: pulumi.Output<string>, numbers: number[]): AccessLogsBucket {
        const parent = { parent: this };
        const bucket = new aws.s3.Bucket(`${name}-alb-logs`, {
            bucketPrefix: `${boundedName([pulumi.getStack(), name, "alb-logs"], 36)}-`,
            forceDestroy: !(args.deletionProtection ?? false),
        }, parent);
        const controls = [
            new aws.s3.BucketPublicAccessBlock(`${name}-alb-logs-private`, {
                bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
            }, parent),
            new aws.s3.BucketOwnershipControls(`${name}-alb-logs-ownership`, {
                bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" },
            }, parent),
            // ALB log delivery supports only SSE-S3 (not KMS).
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
            new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-alb-logs-encryption`, {
                bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            }, parent),
            new aws.s3.BucketLifecycleConfiguration(`${name}-alb-logs-expiry`, {
                bucket: bucket.id,
                rules: [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: args.accessLogs!.retentionDays ?? 90 } }],
            }, parent),
        ];
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const legacyElbAccount = pulumi.output(region).apply((r) =>
            LEGACY_ELB_LOG_REGIONS.has(r) ? aws.elb.getServiceAccountOutput({ region: r }, parent).arn : pulumi.output(undefined));
        const policy = new aws.s3.BucketPolicy(`${name}-alb-logs-policy`, {
            bucket: bucket.id,
            policy: pulumi.all([bucket.arn, account, legacyElbAccount]).apply(([arn, accountId, elbAccount]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "AlbLogDelivery",
                        Effect: "Allow",
                        Principal: elbAccount
                            ? { Service: "logdelivery.elasticloadbalancing.amazonaws.com", AWS: elbAccount }
                            : { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                        Action: "s3:PutObject",
                        // Each load balancer writes under its own prefix; one ALB keeps the single resource it always had.
                        Resource: numbers.length === 1 ? `${arn}/${accessLogPrefix(numbers[0])}/AWSLogs/${accountId}/*` : numbers.map((n) => `${arn}/${accessLogPrefix(n)}/AWSLogs/${accountId}/*`),
                    },
                    denyInsecureTransport(arn),
                ],
            })),
        }, { ...parent, dependsOn: controls });
        return { bucket, policy, settings: { bucket: bucket.id, prefix: accessLogPrefix(0), enabled: true } };
    }

    /** The internet-facing Application Load Balancer in the public subnets, logging to `logs` when given. */
    private createLoadBalancer(
        name: string, args: DashboardClusterArgs, securityGroup: aws.ec2.SecurityGroup, subnets: pulumi.Output<string[]>, logs: AccessLogsBucket | undefined,
    ): aws.lb.LoadBalancer {
        return new aws.lb.LoadBalancer(`${name}-alb`, {
            // <= 32 characters, no leading internal-: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
            name: albName(pulumi.getStack(), name),
            loadBalancerType: "application",
            internal: false,
            securityGroups: [securityGroup.id],
            subnets,
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes
            idleTimeout: args.idleTimeoutSeconds ?? IDLE_TIMEOUT.default,
            // Reject headers with invalid characters: blocks header-smuggling tricks against the apps.
            dropInvalidHeaderFields: true,
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#desync-mitigation-mode
            desyncMitigationMode: "defensive",
            enableDeletionProtection: args.deletionProtection ?? false,
            accessLogs: logs?.settings,
        }, { parent: this, /* the ALB checks it may write to the bucket when logging is turned on */ dependsOn: logs ? [logs.policy] : [] });
    }

    /** The HTTP listener, which only redirects to HTTPS. */
    private createHttpListener(name: string, loadBalancer: aws.lb.LoadBalancer): aws.lb.Listener {
        return new aws.lb.Listener(`${name}-http`, {
            loadBalancerArn: loadBalancer.arn,
            port: 80,
            protocol: "HTTP",
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#redirect-actions
            defaultActions: [{
                type: "redirect",
                redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
            }],
        }, { parent: this });
    }

    /** The HTTPS listener with the TLS policy and default certificate; hosts no rule matches get a 404. */
    private createHttpsListener(name: string, args: DashboardClusterArgs, loadBalancer: aws.lb.LoadBalancer, certificateArn: pulumi.Output<string>): aws.lb.Listener {
        return new aws.lb.Listener(`${name}-https`, {
            loadBalancerArn: loadBalancer.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: args.sslPolicy ?? DEFAULT_SSL_POLICY,
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html
            certificateArn,
            // Unknown hosts (no dashboard rule matched) get a plain 404, never a dashboard.
            defaultActions: [{
                type: "fixed-response",
                fixedResponse: {
                    statusCode: "404",
                    contentType: "text/html",
                    messageBody: "<!doctype html><title>Not found</title><h1>No dashboard here</h1><p>Check the address, or ask your platform team for the link.</p>",
                },
            }],
        }, { parent: this });
    }

    /** A DNS-validated certificate for each extra host in the zone that the wildcard does not cover and no certificateArn serves, by host. */
    private requestExtraHostCertificates(name: string, args: DashboardClusterArgs): Map<string, pulumi.Output<string>> {
        const extra = listenerCertificatePlan(args.extraHosts ?? [], certificateContext(args));
        return new Map(extra.requested.map((host) => [host, this.createValidatedCertificate(`${name}-cert-${host}`, host, args.hostedZoneId!)]));
    }

    /** Certificates for the extra hosts of one load balancer the wildcard does not cover (given, or requested), attached to its HTTPS listener. */
    private attachExtraHostCertificates(prefix: string, args: DashboardClusterArgs, hosts: ExtraHostArgs[], httpsListener: aws.lb.Listener, requested: Map<string, pulumi.Output<string>>): aws.lb.ListenerCertificate[] {
        // The listener picks a certificate by SNI from its default and the attached ones; one attachment
        // per certificate, named after it, so hosts sharing a certificate never remove it from each other.
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html
        const extra = listenerCertificatePlan(hosts, certificateContext(args));
        const attach = (resourceName: string, certificateArn: pulumi.Input<string>) =>
            new aws.lb.ListenerCertificate(resourceName, { listenerArn: httpsListener.arn, certificateArn }, { parent: this });
        return [
            ...extra.arns.map((arn) => attach(`${prefix}-listener-cert-${arn.split("/").pop()}`, arn)),
            ...extra.requested.map((host) => attach(`${prefix}-listener-cert-${host}`, requested.get(host)!)),
        ];
    }

    /** The unauthenticated signed-out page, for every host, ahead of every dashboard's login rule. */
    private createSignedOutRule(name: string, httpsListener: aws.lb.Listener): void {
        // After sign-out the identity provider sends users to /signed-out on the dashboard's host. It must
        // be answered without authentication (or they would be logged straight back in): one rule for
        // every host, evaluated before any dashboard's login rule.
        new aws.lb.ListenerRule(`${name}-signed-out`, {
            listenerArn: httpsListener.arn,
            priority: SIGNED_OUT_RULE_PRIORITY,
            conditions: [{ pathPattern: { values: [SIGNED_OUT_PATH] } }],
            actions: [{
                type: "fixed-response",
                fixedResponse: {
                    statusCode: "200",
                    contentType: "text/html",
                    messageBody: SIGNED_OUT_PAGE,
                },
            }],
        }, { parent: this });
    }

    /** The encrypted topic the dashboards' alarms publish to, with the email subscriptions; none without emails. */
    private createAlarmTopic(name: string, emails: string[]): aws.sns.Topic | undefined {
        if (emails.length === 0) return undefined;
        // Only alarms of this account and region may publish, or use the key (confused-deputy guard).
        const fromAlarms = (ctx: PublisherContext) => ({
            StringEquals: { "aws:SourceAccount": ctx.accountId },
            ArnLike: { "aws:SourceArn": `arn:${ctx.partition}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:*` },
        });
        // CloudWatch cannot publish to a topic encrypted with alias/aws/sns, so the topic gets its own key.
        // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
        return notificationTopic(`${name}-alarms`, {
            publisher: "cloudwatch.amazonaws.com",
            keyDescription: `Encrypts the dashboards' alarm notifications (${pulumi.getStack()}/${name})`,
            keyCondition: fromAlarms,
            publishCondition: fromAlarms,
            emails,
        }, { parent: this }).topic;
    }

    /** Every load balancer of the cluster with its parts, by number, in increasing order. */
    public loadBalancersByNumber(): ReadonlyMap<number, ClusterLoadBalancer> {
        return loadBalancersOf.get(this)!;
    }

    /** What each DashboardService on load balancer 0 needs from the cluster. */
    public get forServices(): ServiceClusterArgs {
        return this.forServicesOn(0);
    }

    /** What each DashboardService on load balancer `n` (one of `loadBalancers`) needs from the cluster. */
    public forServicesOn(n: number): ServiceClusterArgs {
        const lb = this.loadBalancersByNumber().get(n);
        if (!lb) throw new Error(`DashboardCluster has no load balancer ${n} (it has ${[...this.loadBalancersByNumber().keys()].join(", ")})`);
        return {
            clusterArn: this.cluster.arn,
            clusterName: this.cluster.name,
            vpcId: this.vpcId,
            subnetIds: this.taskSubnetIds,
            assignPublicIp: this.assignPublicIp,
            httpsListenerArn: lb.httpsListener.arn,
            albSecurityGroupId: lb.securityGroup.id,
            albArn: lb.loadBalancer.arn,
            albArnSuffix: lb.loadBalancer.arnSuffix,
            albDnsName: lb.loadBalancer.dnsName,
            albZoneId: lb.loadBalancer.zoneId,
            albIdleTimeoutSeconds: lb.loadBalancer.idleTimeout.apply((t) => t ?? IDLE_TIMEOUT.default),
            hostedZoneId: this.managesDns ? this.hostedZoneId.apply((zone) => zone!) : undefined,
            domain: this.domain,
            alarmTopicArn: this.alarmTopic?.arn,
            capacityProviders: this.capacityProviders,
        };
    }
}

/** Resource-name prefix of load balancer `n`: the cluster's own name for 0 (the names it always had), `<name>-lb<n>` after. */
export function loadBalancerPrefix(name: string, n: number): string {
    return n === 0 ? name : `${name}-lb${n}`;
}

/** Access-log prefix of load balancer `n` in the shared bucket: `alb` for 0 (as always), `alb-lb<n>` after. */
export function accessLogPrefix(n: number): string {
    return n === 0 ? "alb" : `alb-lb${n}`;
}
