/**
 * Test double for the `aws` provider (pulumi-aws): echoes inputs, invents AWS-shaped ids and ARNs,
 * autonames like the bridge, answers the program's data-source invokes, and rejects what AWS
 * would (engine/providers/awsLimits.ts, plus the cross-resource rules below). What exists lives
 * in the fake cloud (shared.ts), so collisions span `pulumi up` runs. See engine/README.md.
 */
import * as crypto from "crypto";
import {
    AUTONAME, breaks, COGNITO_DOMAIN_PREFIX, DELETE_BEFORE_REPLACE, FARGATE_SIZES, IGNORED_FOR_REPLACE, MAX_RULES_PER_ALB,
    NAME_RULES, REPLACE_ON, RULE_PRIORITY, UNIQUE,
} from "./awsLimits";
import {
    autoname, CheckArgs, CheckFailure, CloudRecord, computedOf, CreateArgs, diffInputs, DiffArgs, FakeCloud, IMAGE_RECORD, isSecret, known,
    ProviderDouble, Props, recordKey, ResourceArgs, reveal, sameValue, sdkVersion, secret, serve, startOrExplain, UNKNOWN, unknownAll, UpdateArgs,
} from "./shared";

export const ACCOUNT = "123456789012";

/** Canonical hosted zone of application load balancers, per region (for alias records). */
const ALB_ZONES: Record<string, string> = {
    "us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2", "us-west-1": "Z368ELLRRE2KJ0", "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2", "eu-west-2": "ZHURV8PSTC4K8", "eu-west-3": "Z3Q77PNBQS71R4", "eu-central-1": "Z215JYRZR1TBD5",
    "eu-north-1": "Z23TAZ7KSTHBI3", "ap-southeast-1": "Z1LMS91P8CMLE5", "ap-southeast-2": "Z1GM3OXH4ZPM65", "ap-northeast-1": "Z14GRHDCWA56QT",
};
/** Elastic Load Balancing's account per region (aws.elb.getServiceAccount), for the regions listed. */
const ELB_ACCOUNTS: Record<string, string> = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
    "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-west-3": "009996457667", "eu-central-1": "054676820928",
    "eu-north-1": "897822967062", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266", "ap-northeast-1": "582318560864",
};
/** Cognito hosted-login domains are served through CloudFront, whose alias zone is global. */
const CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2";

const hex = (n: number) => crypto.randomBytes(Math.ceil(n / 2)).toString("hex").slice(0, n);
const uuid = () => crypto.randomUUID();
let uniqueCounter = 0;
/** Terraform's PrefixedUniqueId suffix: 26 characters, time-ordered. */
const tfUniqueSuffix = () => new Date().toISOString().replace(/\D/g, "").slice(0, 17) + String(++uniqueCounter).padStart(9, "0");

/** Secrets shown as "[secret]": what the fake cloud keeps of inputs (it is a plain file). */
function redact(v: any): any {
    if (isSecret(v)) return "[secret]";
    if (Array.isArray(v)) return v.map(redact);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x)]));
    return v;
}

const nameProp = (type: string) => AUTONAME[type]?.prop ?? "name";
/**
 * Where the fake cloud keeps a resource. A task definition's id is its family (as the provider's),
 * but each replacement is a new revision that lives beside the old one until that is deregistered,
 * so revisions are kept by ARN.
 */
const cloudKey = (type: string, id: string, props: Props) =>
    recordKey(type, type === "aws:ecs/taskDefinition:TaskDefinition" && typeof props.arn === "string" ? props.arn : id);
const lastSegment = (arnOrName: string) => arnOrName.split("/").pop() ?? arnOrName;

export class AwsDouble implements ProviderDouble {
    readonly name = "aws";
    readonly version = sdkVersion("aws");
    region = "";

    constructor(readonly cloud = new FakeCloud()) {}

    arn(service: string, resource: string, region = this.region): string {
        return `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
    }

    checkConfig(news: Props): CheckFailure[] {
        const region = known<string>(news.region) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        return region ? [] : [{ property: "region", reason: "Missing required configuration key \"aws:region\": the region where AWS operations will take place. Set it with `pulumi config set aws:region <region>`." }];
    }

    configure(config: Props): void {
        this.region = known<string>(config.region) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "";
    }

    // --- Check ---------------------------------------------------------------------------------

    check(args: CheckArgs): { inputs: Props; failures: CheckFailure[] } {
        let inputs = AUTONAME[args.type] ? autoname(AUTONAME[args.type], args) : { ...args.news };
        if (args.type === "aws:ec2/securityGroup:SecurityGroup" && inputs.description === undefined) inputs = { ...inputs, description: "Managed by Pulumi" };
        const failures: CheckFailure[] = [];
        const rules = { ...NAME_RULES[args.type] };
        if (args.type === "aws:cognito/userPoolDomain:UserPoolDomain" && inputs.certificateArn === undefined) rules.domain = COGNITO_DOMAIN_PREFIX;
        for (const [prop, rule] of Object.entries(rules)) {
            const value = known(inputs[prop]);
            if (typeof value === "string") for (const reason of breaks(prop, value, rule)) failures.push({ property: prop, reason });
        }
        const priority = known<number>(inputs.priority);
        if (args.type === "aws:lb/listenerRule:ListenerRule" && priority !== undefined && (priority < RULE_PRIORITY.min || priority > RULE_PRIORITY.max)) {
            failures.push({ property: "priority", reason: `expected priority to be in the range (${RULE_PRIORITY.min} - ${RULE_PRIORITY.max}), got ${priority}` });
        }
        return { inputs, failures };
    }

    // --- Diff ----------------------------------------------------------------------------------

    diff(args: DiffArgs) {
        const spec = REPLACE_ON[args.type] ?? [];
        const d = diffInputs(args, (k) => (spec === "*" ? !IGNORED_FOR_REPLACE.has(k) : spec.includes(k)));
        return { ...d, deleteBeforeReplace: DELETE_BEFORE_REPLACE.has(args.type) };
    }

    // --- Create / update / delete ----------------------------------------------------------------

    async create(args: CreateArgs): Promise<{ id: string; outs: Props }> {
        const plain = reveal(args.inputs);
        if (args.preview) {
            const { computed } = this.identify(args.type, args.name, plain);
            return { id: "", outs: { ...args.inputs, ...unknownAll(computed) } };
        }
        this.validate(args.type, plain);
        const { id, computed } = this.identify(args.type, args.name, plain);
        const outs = { ...args.inputs, ...computed };
        await this.cloud.transact((resources) => {
            this.ensureAllowed(resources, args.type, id, { ...plain, ...reveal(computed) });
            resources[cloudKey(args.type, id, computed)] = this.record(args.type, id, args.urn, { ...plain, ...reveal(computed) });
        });
        return { id, outs };
    }

    async update(args: UpdateArgs): Promise<Props> {
        const plain = reveal(args.inputs);
        const outs = { ...computedOf(args.olds, args.oldInputs), ...args.inputs };
        if (args.type === "aws:ssm/parameter:Parameter" && !sameValue(args.oldInputs.value, args.inputs.value)) {
            outs.version = args.preview ? UNKNOWN : Number(args.olds.version ?? 1) + 1;
        }
        if (args.preview) return outs;
        this.validate(args.type, plain);
        if (args.type === "aws:cognito/userPool:UserPool") checkSchemaChange(args.oldInputs.schemas, args.inputs.schemas);
        await this.cloud.transact((resources) => {
            const all = reveal(outs);
            this.ensureAllowed(resources, args.type, args.id, all);
            resources[cloudKey(args.type, args.id, all)] = this.record(args.type, args.id, args.urn, all);
        });
        return outs;
    }

    async delete(args: ResourceArgs): Promise<void> {
        await this.cloud.transact((resources) => {
            const key = cloudKey(args.type, args.id, args.props);
            const state = { ...reveal(args.props), ...(resources[key]?.props ?? {}) };
            this.ensureDeletable(resources, args.type, args.id, state);
            delete resources[key];
            if (args.type === "aws:ecr/repository:Repository") {
                for (const [k, r] of Object.entries(resources)) if (r.type === IMAGE_RECORD && r.props?.repositoryUrl === state.repositoryUrl) delete resources[k];
            }
        });
    }

    /**
     * Refresh: gone, or what the cloud holds. Top-level plain values (numbers, strings, booleans) that
     * something outside Pulumi changed in the record (e.g. a rule priority the waker swapped) come
     * back in both the state and the inputs, as the bridged provider reads them; nested values and
     * secrets are returned as they were (the record does not keep secrets).
     */
    async read(args: ResourceArgs) {
        const record = this.cloud.read().resources[cloudKey(args.type, args.id, args.props)];
        if (!record) return undefined;
        const live = record.props ?? {};
        const changed = Object.fromEntries(Object.keys(args.props)
            .filter((k) => ["number", "string", "boolean"].includes(typeof live[k]) && live[k] !== "[secret]" && !isSecret(args.props[k]) && live[k] !== args.props[k])
            .map((k) => [k, live[k]]));
        const inputs = Object.fromEntries(Object.entries(args.inputs).map(([k, v]) => [k, k in changed ? changed[k] : v]));
        return { props: { ...args.props, ...changed }, inputs };
    }

    private record(type: string, id: string, urn: string, all: Props): CloudRecord {
        const uniq = UNIQUE[type]?.key(all, this.region);
        return { type, id, urn, region: this.region, name: typeof all[nameProp(type)] === "string" ? all[nameProp(type)] : undefined, props: { ...redact(all), ...(uniq ? { uniqueKey: uniq } : {}) } };
    }

    // --- What AWS rejects ------------------------------------------------------------------------

    /** Single-resource API rules (the type system cannot express them). */
    private validate(type: string, i: Props): void {
        if (type === "aws:appautoscaling/scheduledAction:ScheduledAction") validateScheduledAction(i);
        if (type === "aws:ecs/taskDefinition:TaskDefinition" && (i.requiresCompatibilities ?? []).includes("FARGATE")) {
            if (i.networkMode !== "awsvpc") throw new Error("creating ECS Task Definition: ClientException: Fargate only supports network mode 'awsvpc'.");
            const cpu = Number(i.cpu);
            const memory = Number(i.memory);
            if (!FARGATE_SIZES[cpu]?.includes(memory)) {
                throw new Error(`creating ECS Task Definition (${i.family}): ClientException: No Fargate configuration exists for given values: ${i.cpu ?? "(none)"} CPU, ${i.memory ?? "(none)"} memory. See the Amazon ECS documentation for the valid values.`);
            }
        }
    }

    /** Rules that depend on what exists: unique names, rule priorities, subnets, capacity providers. */
    private ensureAllowed(resources: Record<string, CloudRecord>, type: string, id: string, all: Props): void {
        const live = Object.values(resources);
        const uniq = UNIQUE[type];
        const key = uniq?.key(all, this.region);
        if (uniq && key !== undefined && live.some((r) => r.type === type && r.id !== id && r.props?.uniqueKey === key)) throw new Error(uniq.error(all));
        if (type === "aws:lb/listenerRule:ListenerRule") {
            const lb = live.find((r) => r.type === "aws:lb/listener:Listener" && r.id === all.listenerArn)?.props?.loadBalancerArn;
            const listeners = new Set(live.filter((r) => r.type === "aws:lb/listener:Listener" && r.props?.loadBalancerArn === lb).map((r) => r.id));
            const rules = live.filter((r) => r.type === type && r.id !== id && listeners.has(r.props?.listenerArn));
            if (lb && rules.length + 1 > MAX_RULES_PER_ALB) throw new Error(`creating ELBv2 Listener Rule: api error TooManyRules: The maximum number of rules (${MAX_RULES_PER_ALB}) on load balancer '${lb}' has been reached`);
        }
        if (type === "aws:lb/targetGroupAttachment:TargetGroupAttachment") {
            // A Lambda target registers only once ELB may invoke it from that target group:
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#register-lambda-function
            const tg = live.find((r) => r.type === "aws:lb/targetGroup:TargetGroup" && r.id === all.targetGroupArn);
            if (tg?.props?.targetType === "lambda") {
                const fn = live.find((r) => r.type === "aws:lambda/function:Function" && (r.props?.arn === all.targetId || r.id === all.targetId));
                const allowed = fn && live.some((r) => r.type === "aws:lambda/permission:Permission" && r.props?.principal === "elasticloadbalancing.amazonaws.com"
                    && (r.props?.function === fn.id || r.props?.function === fn.props?.arn) && (r.props?.sourceArn === undefined || r.props?.sourceArn === tg.id));
                if (!allowed) throw new Error(`registering ELBv2 Target Group (${all.targetGroupArn}) target: AccessDenied: elasticloadbalancing principal does not have permission to invoke ${all.targetId} from target group ${all.targetGroupArn}`);
            }
        }
        if (type === "aws:lb/loadBalancer:LoadBalancer" && (all.loadBalancerType ?? "application") === "application") {
            const subnets = (all.subnets ?? []).map((s: string) => live.find((r) => r.type === "aws:ec2/subnet:Subnet" && r.id === s));
            const zones = new Set(subnets.map((s: CloudRecord | undefined) => s?.props?.availabilityZone));
            if (subnets.every(Boolean) && zones.size < 2) throw new Error("creating ELBv2 application Load Balancer: ValidationError: At least two subnets in two different Availability Zones must be specified");
        }
        if (type === "aws:appautoscaling/scheduledAction:ScheduledAction"
            && !live.some((r) => r.type === "aws:appautoscaling/target:Target" && r.id === all.resourceId && r.props?.scalableDimension === all.scalableDimension)) {
            // PutScheduledAction needs a registered scalable target: https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html
            throw new Error(`creating Application Auto Scaling Scheduled Action (${all.name}): ObjectNotFoundException: No scalable target registered for service namespace: ${all.serviceNamespace}, resource ID: ${all.resourceId}, scalable dimension: ${all.scalableDimension}`);
        }
        if (type === "aws:ecs/service:Service") {
            const cluster = lastSegment(String(all.cluster ?? "default"));
            const attached = live.find((r) => r.type === "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders" && r.props?.clusterName === cluster);
            for (const s of all.capacityProviderStrategies ?? []) {
                if (!(attached?.props?.capacityProviders ?? []).includes(s.capacityProvider)) {
                    throw new Error(`creating ECS Service (${all.name}): InvalidParameterException: The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again. (${s.capacityProvider} on ${cluster})`);
                }
            }
        }
    }

    /** What AWS refuses to delete. */
    private ensureDeletable(resources: Record<string, CloudRecord>, type: string, id: string, state: Props): void {
        const live = Object.values(resources);
        if (type === "aws:lb/loadBalancer:LoadBalancer" && state.enableDeletionProtection === true) {
            throw new Error(`deleting ELBv2 Load Balancer (${id}): OperationNotPermitted: Load balancer '${id}' cannot be deleted because deletion protection is enabled`);
        }
        if (type === "aws:cognito/userPool:UserPool" && state.deletionProtection === "ACTIVE") {
            throw new Error(`deleting Cognito User Pool (${id}): InvalidParameterException: The user pool ${id} cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.`);
        }
        if (type === "aws:ecr/repository:Repository" && !state.forceDelete && live.some((r) => r.type === IMAGE_RECORD && r.props?.repositoryUrl === state.repositoryUrl)) {
            throw new Error(`ECR Repository (${state.name}) not empty, consider using force_delete: RepositoryNotEmptyException: The repository with name '${state.name}' in registry with id '${ACCOUNT}' cannot be deleted because it still contains images`);
        }
        if (type === "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders") {
            const users = live.filter((r) => r.type === "aws:ecs/service:Service" && lastSegment(String(r.props?.cluster ?? "")) === state.clusterName
                && (r.props?.capacityProviderStrategies ?? []).some((s: Props) => (state.capacityProviders ?? []).includes(s.capacityProvider)));
            if (users.length) throw new Error(`deleting ECS Cluster Capacity Providers (${state.clusterName}): ResourceInUseException: The specified capacity provider is in use and cannot be removed. (service ${users.map((u) => u.name).join(", ")})`);
        }
    }

    // --- Ids and computed outputs ----------------------------------------------------------------

    /** The id AWS would assign and the outputs it computes, for fresh inputs. */
    identify(type: string, logical: string, i: Props): { id: string; computed: Props } {
        const computed: Props = {};
        const prop = nameProp(type);
        let name: string | undefined = typeof i[prop] === "string" ? i[prop] : undefined;
        const prefix = i[prop === "bucket" ? "bucketPrefix" : "namePrefix"];
        if (name === undefined && typeof prefix === "string") computed[prop] = name = prefix + tfUniqueSuffix();
        const n = name ?? `${logical}-${hex(8)}`;
        const region = typeof i.region === "string" ? i.region : this.region;
        const arn = (service: string, resource: string) => this.arn(service, resource, region);
        // Outputs AWS computes; an input of the same name stays as given.
        const set = (id: string, more: Props) => ({ id, computed: Object.fromEntries(Object.entries({ ...computed, ...more }).filter(([k]) => i[k] === undefined || i[k] === null)) });
        const [service, module] = type.split(":")[1].split("/");
        switch (type) {
            case "aws:ec2/vpc:Vpc": {
                const id = `vpc-${hex(17)}`;
                return set(id, { arn: arn("ec2", `vpc/${id}`), ownerId: ACCOUNT, defaultSecurityGroupId: `sg-${hex(17)}`, mainRouteTableId: `rtb-${hex(17)}`, defaultRouteTableId: `rtb-${hex(17)}`, defaultNetworkAclId: `acl-${hex(17)}`, ipv6AssociationId: "" });
            }
            case "aws:ec2/subnet:Subnet": {
                const id = `subnet-${hex(17)}`;
                return set(id, { arn: arn("ec2", `subnet/${id}`), ownerId: ACCOUNT, availabilityZoneId: `${azPrefix(region)}-az${"abcdef".indexOf(String(i.availabilityZone ?? "a").slice(-1)) + 1}` });
            }
            case "aws:ec2/securityGroup:SecurityGroup": {
                const id = `sg-${hex(17)}`;
                return set(id, { arn: arn("ec2", `security-group/${id}`), ownerId: ACCOUNT, name: n });
            }
            case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
                const id = `sgr-${hex(17)}`;
                return set(id, { arn: arn("ec2", `security-group-rule/${id}`), securityGroupRuleId: id });
            }
            case "aws:ec2/internetGateway:InternetGateway": { const id = `igw-${hex(17)}`; return set(id, { arn: arn("ec2", `internet-gateway/${id}`), ownerId: ACCOUNT }); }
            case "aws:ec2/routeTable:RouteTable": { const id = `rtb-${hex(17)}`; return set(id, { arn: arn("ec2", `route-table/${id}`), ownerId: ACCOUNT }); }
            case "aws:ec2/route:Route": return set(`r-${i.routeTableId}${crc(String(i.destinationCidrBlock))}`, { state: "active", origin: "CreateRoute" });
            case "aws:ec2/routeTableAssociation:RouteTableAssociation": return set(`rtbassoc-${hex(17)}`, {});
            case "aws:ec2/eip:Eip": { const id = `eipalloc-${hex(17)}`; return set(id, { allocationId: id, publicIp: ip(), publicDns: "", domain: i.domain ?? "vpc", arn: arn("ec2", `elastic-ip/${id}`) }); }
            case "aws:ec2/natGateway:NatGateway": return set(`nat-${hex(17)}`, { publicIp: ip(), privateIp: `10.0.${rand(255)}.${rand(255)}`, networkInterfaceId: `eni-${hex(17)}` });
            case "aws:lb/loadBalancer:LoadBalancer": {
                const kind = i.loadBalancerType === "network" ? "net" : "app";
                const suffix = `${kind}/${n}/${hex(16)}`;
                return set(arn("elasticloadbalancing", `loadbalancer/${suffix}`), {
                    arn: arn("elasticloadbalancing", `loadbalancer/${suffix}`), arnSuffix: suffix,
                    dnsName: `${i.internal ? "internal-" : ""}${n}-${rand(2_000_000_000)}.${region}.elb.amazonaws.com`, zoneId: ALB_ZONES[region] ?? `Z${hex(12).toUpperCase()}`,
                    vpcId: "", name: n,
                });
            }
            case "aws:lb/targetGroup:TargetGroup": {
                const suffix = `targetgroup/${n}/${hex(16)}`;
                return set(arn("elasticloadbalancing", suffix), { arn: arn("elasticloadbalancing", suffix), arnSuffix: suffix, loadBalancerArns: [] });
            }
            case "aws:lb/listener:Listener": {
                const lb = String(i.loadBalancerArn ?? "").split(":loadbalancer/")[1] ?? `app/unknown/${hex(16)}`;
                const a = arn("elasticloadbalancing", `listener/${lb}/${hex(16)}`);
                return set(a, { arn: a });
            }
            case "aws:lb/listenerRule:ListenerRule": {
                const a = String(i.listenerArn ?? arn("elasticloadbalancing", "listener/app/unknown/0")).replace(":listener/", ":listener-rule/") + `/${hex(16)}`;
                return set(a, { arn: a });
            }
            case "aws:acm/certificate:Certificate": {
                const a = arn("acm", `certificate/${uuid()}`);
                const apex = (d: string) => d.replace(/^\*\./, "");
                const record = new Map<string, string>();
                const domains = [i.domainName, ...(i.subjectAlternativeNames ?? [])].filter(Boolean) as string[];
                return set(a, {
                    arn: a, status: "PENDING_VALIDATION", validationEmails: [],
                    // A wildcard and its apex validate with the same record, as in ACM.
                    domainValidationOptions: domains.map((domainName) => {
                        if (!record.has(apex(domainName))) record.set(apex(domainName), hex(32));
                        const token = record.get(apex(domainName))!;
                        return { domainName, resourceRecordName: `_${token}.${apex(domainName)}.`, resourceRecordType: "CNAME", resourceRecordValue: `_${hex(32)}.acm-validations.aws.` };
                    }),
                });
            }
            case "aws:acm/certificateValidation:CertificateValidation": return set(String(i.certificateArn), {});
            case "aws:route53/record:Record": return set(`${i.zoneId}_${i.name}_${i.type}${i.setIdentifier ? `_${i.setIdentifier}` : ""}`, { fqdn: String(i.name).replace(/\.$/, "") });
            case "aws:s3/bucket:Bucket":
                return set(n, { arn: `arn:aws:s3:::${n}`, bucketDomainName: `${n}.s3.amazonaws.com`, bucketRegionalDomainName: `${n}.s3.${region}.amazonaws.com`, region, hostedZoneId: "Z1BKCTXD74EZPE" });
            case "aws:ecr/repository:Repository":
                return set(n, { arn: arn("ecr", `repository/${n}`), registryId: ACCOUNT, repositoryUrl: `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${n}` });
            case "aws:ecr/lifecyclePolicy:LifecyclePolicy": return set(String(i.repository), { registryId: ACCOUNT });
            case "aws:ecs/cluster:Cluster": return set(arn("ecs", `cluster/${n}`), { arn: arn("ecs", `cluster/${n}`) });
            case "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": return set(String(i.clusterName), {});
            case "aws:ecs/service:Service": {
                const a = arn("ecs", `service/${lastSegment(String(i.cluster ?? "default"))}/${n}`);
                return set(a, { arn: a, cluster: arn("ecs", "cluster/default") });
            }
            case "aws:ecs/taskDefinition:TaskDefinition": {
                // Revisions only grow (the new one is registered before the old one is deregistered).
                const revision = 1 + Math.max(0, ...this.cloud.records((r) => r.type === type && r.props?.family === i.family).map((r) => Number(r.props?.revision ?? 0)));
                const base = arn("ecs", `task-definition/${i.family}`);
                return set(String(i.family), { arn: `${base}:${revision}`, arnWithoutRevision: base, revision });
            }
            case "aws:cloudwatch/logGroup:LogGroup": return set(n, { arn: arn("logs", `log-group:${n}`) });
            case "aws:cloudwatch/metricAlarm:MetricAlarm": return set(n, { arn: arn("cloudwatch", `alarm:${n}`) });
            case "aws:iam/role:Role": return set(n, { arn: `arn:aws:iam::${ACCOUNT}:role${i.path ?? "/"}${n}`, uniqueId: `AROA${hex(17).toUpperCase()}`, createDate: new Date().toISOString() });
            case "aws:iam/policy:Policy": return set(`arn:aws:iam::${ACCOUNT}:policy${i.path ?? "/"}${n}`, { arn: `arn:aws:iam::${ACCOUNT}:policy${i.path ?? "/"}${n}`, policyId: `ANPA${hex(17).toUpperCase()}`, attachmentCount: 0 });
            case "aws:iam/rolePolicy:RolePolicy": return set(`${i.role}:${n}`, {});
            case "aws:iam/rolePolicyAttachment:RolePolicyAttachment": return set(`${i.role}-${tfUniqueSuffix()}`, {});
            case "aws:lambda/function:Function": {
                const a = arn("lambda", `function:${n}`);
                return set(n, { arn: a, qualifiedArn: `${a}:$LATEST`, version: "$LATEST", invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${a}/invocations`, sourceCodeHash: hex(43) });
            }
            case "aws:lambda/permission:Permission": return set(String(i.statementId), {});
            case "aws:cloudwatch/eventRule:EventRule": return set(n, { arn: arn("events", `rule/${n}`) });
            case "aws:ssm/parameter:Parameter": return set(n, { arn: arn("ssm", `parameter/${n.replace(/^\//, "")}`), version: 1, tier: i.tier ?? "Standard" });
            case "aws:sns/topic:Topic": return set(arn("sns", n), { arn: arn("sns", n), owner: ACCOUNT });
            case "aws:sns/topicSubscription:TopicSubscription": { const a = `${i.topic}:${uuid()}`; return set(a, { arn: a, ownerId: ACCOUNT, pendingConfirmation: i.protocol === "email" }); }
            case "aws:kms/key:Key": { const id = uuid(); return set(id, { arn: arn("kms", `key/${id}`), keyId: id }); }
            case "aws:cognito/userPool:UserPool": {
                const id = `${region}_${hex(9).replace(/[0-9]/g, (d) => "ABCDEFGHIJ"[Number(d)]).toUpperCase()}`;
                return set(id, { arn: arn("cognito-idp", `userpool/${id}`), endpoint: `cognito-idp.${region}.amazonaws.com/${id}`, creationDate: new Date().toISOString(), estimatedNumberOfUsers: 0, domain: "", customDomain: "" });
            }
            case "aws:cognito/userPoolClient:UserPoolClient":
                // Cognito returns the secret of a confidential client; the provider marks it secret.
                return set(alnum(26), { clientSecret: secret(i.generateSecret ? alnum(51) : "") });
            case "aws:cognito/userPoolDomain:UserPoolDomain":
                return set(String(i.domain), { awsAccountId: ACCOUNT, cloudfrontDistribution: `d${hex(13)}.cloudfront.net`, cloudfrontDistributionArn: `arn:aws:cloudfront::${ACCOUNT}:distribution/E${hex(13).toUpperCase()}`, cloudfrontDistributionZoneId: CLOUDFRONT_ZONE, s3Bucket: "", version: "1" });
            case "aws:cognito/userGroup:UserGroup": return set(`${i.userPoolId}/${n}`, {});
            case "aws:cognito/user:User": return set(`${i.userPoolId}/${i.username}`, { sub: uuid(), status: "FORCE_CHANGE_PASSWORD", creationDate: new Date().toISOString() });
            case "aws:cognito/userInGroup:UserInGroup": return set(`${i.userPoolId}/${i.groupName}/${i.username}`, {});
            case "aws:cognito/identityProvider:IdentityProvider": return set(`${i.userPoolId}:${i.providerName}`, {});
            case "aws:appautoscaling/target:Target": return set(String(i.resourceId), { arn: arn("application-autoscaling", `scalable-target/${hex(30)}`) });
            case "aws:appautoscaling/policy:Policy": return set(n, { arn: arn("autoscaling", `scalingPolicy:${uuid()}:resource/${i.resourceId}:policyName/${n}`), alarmArns: [] });
            case "aws:codeconnections/connection:Connection": { const a = arn("codeconnections", `connection/${uuid()}`); return set(a, { arn: a, connectionStatus: "PENDING", ownerAccountId: ACCOUNT }); }
            case "aws:codebuild/project:Project": return set(arn("codebuild", `project/${n}`), { arn: arn("codebuild", `project/${n}`), badgeUrl: "" });
            case "aws:codepipeline/pipeline:Pipeline": return set(n, { arn: arn("codepipeline", n) });
            case "aws:codestarnotifications/notificationRule:NotificationRule": { const a = arn("codestar-notifications", `notificationrule/${hex(40)}`); return set(a, { arn: a }); }
            default: {
                // Other types: a plain id, and an ARN of the usual shape when the type has a name.
                const kind = type.split(":").pop()!.toLowerCase();
                return set(name ?? `${kind}-${hex(17)}`, name ? { arn: arn(service, `${module ?? kind}/${name}`) } : {});
            }
        }
    }

    // --- Invokes -------------------------------------------------------------------------------

    invoke(token: string, args: Props): Props {
        const region = known<string>(args.region) ?? this.region;
        switch (token) {
            case "aws:index/getRegion:getRegion":
                return { id: region, name: region, region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { id: ACCOUNT, accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/engine-check`, userId: "AIDAENGINECHECK" };
            case "aws:index/getPartition:getPartition":
                return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { id: region, region, names: ["a", "b", "c"].map((z) => `${region}${z}`), zoneIds: [1, 2, 3].map((n) => `${azPrefix(region)}-az${n}`), groupNames: [region] };
            case "aws:ecr/getAuthorizationToken:getAuthorizationToken": {
                // Like the provider: the token and password are secrets.
                const password = hex(64);
                return {
                    id: region, registryId: known(args.registryId) ?? ACCOUNT, userName: "AWS", password: secret(password),
                    authorizationToken: secret(Buffer.from(`AWS:${password}`).toString("base64")),
                    proxyEndpoint: `https://${known(args.registryId) ?? ACCOUNT}.dkr.ecr.${region}.amazonaws.com`, expiresAt: new Date(Date.now() + 12 * 3600_000).toISOString(),
                };
            }
            case "aws:ecr/getImage:getImage": {
                // Like ECR's DescribeImages: the digest must be in that repository (images are
                // pushed into the fake cloud by the docker double), else ImageNotFoundException.
                const repositoryName = known<string>(args.repositoryName);
                const digest = known<string>(args.imageDigest);
                const image = this.cloud.records((r) => r.type === IMAGE_RECORD
                    && String(r.props?.repositoryUrl ?? "").endsWith(`/${repositoryName}`) && `sha256:${r.props?.digest}` === digest)[0];
                if (!repositoryName || !digest || !image) {
                    throw new Error(`ImageNotFoundException: The image with imageId {imageDigest:'${digest}'} does not exist within the repository with name '${repositoryName}' in the registry with id '${known(args.registryId) ?? ACCOUNT}'`);
                }
                return { id: digest, registryId: known(args.registryId) ?? ACCOUNT, repositoryName, imageDigest: digest, imageTags: [], imageUri: `${image.props?.repositoryUrl}@${digest}`, imagePushedAt: 0, imageSizeInBytes: 0 };
            }
            case "aws:elb/getServiceAccount:getServiceAccount": {
                const account = ELB_ACCOUNTS[region];
                if (!account) throw new Error(`aws:elb/getServiceAccount: the test double knows no Elastic Load Balancing account for region ${JSON.stringify(region)}`);
                return { id: account, arn: `arn:aws:iam::${account}:root`, region };
            }
            default:
                throw new Error(`invoke ${token} is not implemented by the aws test double (engine/providers/aws.ts); add it there`);
        }
    }
}

/** Cognito can add custom attributes but never change or remove one (AddCustomAttributes only). */
/**
 * PutScheduledAction's own checks: an at/rate/cron expression (cron with six fields), an IANA time
 * zone, and MinCapacity <= MaxCapacity.
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html
 */
function validateScheduledAction(i: Props): void {
    const fail = (why: string) => { throw new Error(`creating Application Auto Scaling Scheduled Action (${i.name}): ValidationException: ${why}`); };
    const schedule = String(i.schedule ?? "");
    if (!/^(at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$/.test(schedule)) fail(`Schedule expression ${schedule} is invalid`);
    if (i.timezone !== undefined) {
        try {
            new Intl.DateTimeFormat("en", { timeZone: String(i.timezone) });
        } catch {
            fail(`Timezone ${i.timezone} is invalid`);
        }
    }
    const a = i.scalableTargetAction ?? {};
    if (a.minCapacity !== undefined && a.maxCapacity !== undefined && Number(a.minCapacity) > Number(a.maxCapacity)) fail("Minimum capacity cannot be greater than maximum capacity");
}

function checkSchemaChange(olds: unknown, news: unknown): void {
    const key = (s: Props) => JSON.stringify(reveal(s));
    const before = (reveal(olds) ?? []) as Props[];
    const after = new Set(((reveal(news) ?? []) as Props[]).map(key));
    const lost = before.filter((s) => !after.has(key(s)));
    if (lost.length) throw new Error(`updating Cognito User Pool: cannot modify or remove schema items (${lost.map((s) => s.name).join(", ")})`);
}

const rand = (n: number) => crypto.randomInt(n);
const ip = () => `${[3, 18, 34, 52, 54][rand(5)]}.${rand(255)}.${rand(255)}.${1 + rand(254)}`;
const alnum = (n: number) => Array.from({ length: n }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[rand(36)]).join("");
/** The zone-id prefix of a region: eu-west-1 -> euw1. */
const azPrefix = (region: string) => { const [a, b = "", c = ""] = region.split("-"); return `${a}${b[0] ?? ""}${c}`; };
const crc = (s: string) => crypto.createHash("md5").update(s).digest().readUInt32BE(0);


if (require.main === module) startOrExplain(() => serve(new AwsDouble()), "aws");
