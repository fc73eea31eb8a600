/**
 * What the diagram and the cost estimate need to know about a planned stack, read from the
 * planned resources only (types, inputs, mock outputs, parents), never from the stack file.
 *
 * Resources are linked the way AWS links them: an ECS service names its task definition and
 * target group by ARN, a listener rule forwards to a target group ARN, a scaling target names
 * `service/<cluster>/<service>`, a task's image lives in a repository URL. Parents (the
 * DashboardService component) only give the dashboard its name and count its alarms.
 */
import { metricReferences } from "../components/operationsDashboard";
import * as fs from "fs";
import * as path from "path";
import { PORTAL_CATALOGUE_CONTEXT, PORTAL_CATALOGUE_FILE } from "../components/portalCatalogue";
import { hoursPerWeek } from "../components/schedule";
import { FRAMEWORK_PRESETS } from "../components/frameworks";
import { Plan, PlannedResource } from "./runPlan";

export const T = {
    stack: "pulumi:pulumi:Stack",
    vpc: "awsx:ec2:Vpc",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    rule: "aws:lb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    ecsCluster: "aws:ecs/cluster:Cluster",
    ecsService: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    scalingTarget: "aws:appautoscaling/target:Target",
    scheduledAction: "aws:appautoscaling/scheduledAction:ScheduledAction",
    scalingPolicy: "aws:appautoscaling/policy:Policy",
    repository: "aws:ecr/repository:Repository",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    userPool: "aws:cognito/userPool:UserPool",
    userPoolDomain: "aws:cognito/userPoolDomain:UserPoolDomain",
    userPoolClient: "aws:cognito/userPoolClient:UserPoolClient",
    userGroup: "aws:cognito/userGroup:UserGroup",
    identityProvider: "aws:cognito/identityProvider:IdentityProvider",
    lambda: "aws:lambda/function:Function",
    ssmParameter: "aws:ssm/parameter:Parameter",
    certificate: "aws:acm/certificate:Certificate",
    record: "aws:route53/record:Record",
    zone: "aws:route53/zone:Zone",
    bucket: "aws:s3/bucket:Bucket",
    topic: "aws:sns/topic:Topic",
    kmsKey: "aws:kms/key:Key",
    listenerCertificate: "aws:lb/listenerCertificate:ListenerCertificate",
    cloudwatchDashboard: "aws:cloudwatch/dashboard:Dashboard",
    queryDefinition: "aws:cloudwatch/queryDefinition:QueryDefinition",
} as const;

export type Capacity = "on-demand" | "spot" | "mixed" | "custom";

export interface CapacityStrategy {
    capacityProvider: string;
    base: number;
    weight: number;
}

export interface ServiceModel {
    /** Dashboard name (the DashboardService component's name), or the ECS service's name. */
    name: string;
    urn: string;
    hosts: string[];
    framework: string;
    /** Where `framework` came from: the portal's dashboard list, the target port's preset, or "portal". */
    frameworkFrom: "portal-config" | "port" | "portal";
    isPortal: boolean;
    port?: number;
    /** Fargate task size: vCPU and memory in GB (1 GB = 1024 MiB, as Fargate bills). */
    vcpu: number;
    memoryGb: number;
    cpuUnits: number;
    memoryMiB: number;
    minTasks: number;
    maxTasks: number;
    /** Office hours, read from the service's `-wake` and `-sleep` scheduled actions; absent: around the clock. */
    schedule?: { days: string; start: string; stop: string; timeZone: string; hoursPerWeek: number; tasksOutside: number };
    /** Scale to zero: the waker Lambda whose environment names this service's target group. */
    wake?: { idleMinutes: number; awakeMinTasks: number; awakeMaxTasks: number; function: string; logGroup?: string };
    capacity: Capacity;
    strategies: CapacityStrategy[];
    publicIp: boolean;
    /** First action of the host rule: authenticate-oidc / authenticate-cognito / forward / ... */
    authenticate?: string;
    clientId?: string;
    /** Groups allowed to open it; [] = every signed-in user; undefined = not known from the plan. */
    accessGroups?: string[];
    repository?: { name: string; scanOnPush: boolean };
    logGroup?: string;
    alarms: number;
    /** Alarms Application Auto Scaling keeps for the service's target-tracking policies (two each). */
    trackingAlarms: number;
    rulePriority?: number;
    /** Name of the ALB serving it (as in `PlanModel.loadBalancers`): its rule's listener's load balancer. */
    loadBalancer?: string;
}

export interface PlanModel {
    project: string;
    stack: string;
    region?: string;
    domain?: string;
    vpc?: { kind: "new"; cidr: string; azs: number; natStrategy: string; natGateways: number; subnetTypes: string[] } | { kind: "existing"; vpcId?: string };
    /** In plan order; `resource` is the Pulumi name (`dashboards-alb`, `dashboards-lb1-alb`, ...), `name` the AWS one. */
    loadBalancers: { name: string; resource: string; azs: number; idleTimeout?: number; deletionProtection: boolean; dropInvalidHeaderFields: boolean; accessLogs: boolean }[];
    /** Every load balancer's listeners; `loadBalancer` is its ALB's `name`. */
    listeners: { port: number; protocol: string; sslPolicy?: string; defaultAction: string; certificateDomain?: string; loadBalancer: string }[];
    /** Rules that do not forward to a dashboard (fixed responses such as the signed-out page), with their ALB's `name`. */
    fixedRules: { paths: string[]; hosts: string[]; status?: string; priority?: number; loadBalancer?: string }[];
    services: ServiceModel[];
    cognito?: {
        poolName: string;
        tier: string;
        mfa?: string;
        deletionProtection: boolean;
        loginDomain?: string;
        identityProviders: { name: string; type: string }[];
        preTokenLambda?: { name: string; runtime?: string };
        groups: string[];
        adminGroups: string[];
        clients: number;
    };
    externalOidcIssuer?: string;
    certificates: { domainName: string; validation?: string }[];
    dnsRecords: { name: string; type: string; alias: boolean }[];
    zonesCreated: number;
    ecsCluster?: { name: string; containerInsights: boolean };
    logGroups: number;
    /** The platform's sign-out function (components/signOut.ts), and whether it has a log group of its own. */
    signOut?: { logGroup: boolean };
    alarms: number;
    repositories: number;
    accessLogBuckets: number;
    alarmTopics: number;
    /** Customer-managed KMS keys (e.g. each notification topic's). */
    kmsKeys: number;
    /** The operations dashboards (one per load balancer), the saved usage queries and the login trigger's metrics. */
    operations: {
        /** Each CloudWatch dashboard with its widget and metric counts (the free tier covers dashboards of up to 50 metrics). */
        dashboards: { name: string; widgets: number; metrics: number }[];
        queries: string[];
        /** `Logins`/`Denied` per dashboard (and one `(none)` series), when usage statistics are on. */
        loginMetrics?: { namespace: string; metrics: number };
    };
    /** Certificates attached to listeners besides their default (extra hosts). */
    listenerCertificates: number;
}

function ofType(plan: Plan, type: string): PlannedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

function parseJson<V>(text: unknown): V | undefined {
    if (typeof text !== "string") return undefined;
    try {
        return JSON.parse(text) as V;
    } catch {
        return undefined;
    }
}

/**
 * The access groups per app client id, and the admin groups, from the access-map parameters
 * (`<path>/admin-groups` and `<path>/clients/<client id>`, see functions/preTokenGeneration/accessMap.ts).
 */
function accessMap(plan: Plan): { clients: Map<string, string[]>; adminGroups: string[] } | undefined {
    const clients = new Map<string, string[]>();
    let adminGroups: string[] | undefined;
    for (const p of ofType(plan, T.ssmParameter)) {
        const name = typeof p.inputs.name === "string" ? p.inputs.name : "";
        const doc = parseJson<{ version?: number; adminGroups?: string[]; accessGroups?: string[] }>(p.inputs.value);
        if (!doc || doc.version !== 2) continue;
        const client = /\/clients\/([A-Za-z0-9_]+)$/.exec(name);
        if (client && Array.isArray(doc.accessGroups)) clients.set(client[1], doc.accessGroups);
        else if (name.endsWith("/admin-groups") && Array.isArray(doc.adminGroups)) adminGroups = doc.adminGroups;
    }
    return adminGroups === undefined && clients.size === 0 ? undefined : { clients, adminGroups: adminGroups ?? [] };
}

/**
 * Frameworks by dashboard host, from the portal's catalogue (the one place the plan states them):
 * the file in the portal image's `portal-catalogue` build context (components/portalCatalogue.ts).
 */
function portalFrameworks(plan: Plan): Map<string, string> {
    const out = new Map<string, string>();
    for (const image of plan.resources.filter((r) => r.type === "docker-build:index:Image")) {
        const location = image.inputs.context?.named?.[PORTAL_CATALOGUE_CONTEXT]?.location;
        if (typeof location !== "string") continue;
        let text: string | undefined;
        try {
            text = fs.readFileSync(path.join(location, PORTAL_CATALOGUE_FILE), "utf8");
        } catch {
            continue;
        }
        const config = parseJson<{ dashboards?: { url?: string; framework?: string }[] }>(text);
        for (const d of config?.dashboards ?? []) {
            if (d.url && d.framework) out.set(new URL(d.url).host, d.framework);
        }
    }
    return out;
}

export function capacityOf(strategies: CapacityStrategy[]): Capacity {
    const providers = strategies.map((s) => s.capacityProvider).sort().join(",");
    if (providers === "FARGATE") return "on-demand";
    if (providers === "FARGATE_SPOT") return "spot";
    if (providers === "FARGATE,FARGATE_SPOT") return "mixed";
    return strategies.length === 0 ? "on-demand" : "custom";
}

const NAT_GATEWAYS: Record<string, (azs: number) => number> = { None: () => 0, Single: () => 1, OnePerAz: (azs) => azs };

export function modelOf(plan: Plan): PlanModel {
    const byArn = new Map<string, PlannedResource>();
    for (const r of plan.resources) if (typeof r.outputs.arn === "string") byArn.set(r.outputs.arn, r);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const access = accessMap(plan);
    const frameworks = portalFrameworks(plan);
    const portalHost = typeof plan.outputs.portalUrl === "string" ? new URL(plan.outputs.portalUrl).host : undefined;

    // A rule's load balancer: its listener's, by the listener's ARN.
    const albNameOf = (alb: PlannedResource) => String(alb.inputs.name ?? alb.name);
    const albOfListener = (listenerArn: unknown) => {
        const alb = typeof listenerArn === "string" ? byArn.get(byArn.get(listenerArn)?.inputs.loadBalancerArn) : undefined;
        return alb?.type === T.alb ? albNameOf(alb) : undefined;
    };

    // Listener rules by the target group they forward to.
    const ruleByTargetGroup = new Map<string, PlannedResource>();
    const fixedRules: PlanModel["fixedRules"] = [];
    for (const rule of ofType(plan, T.rule)) {
        const actions: any[] = rule.inputs.actions ?? [];
        const forward = actions.find((a) => a.type === "forward");
        if (forward?.targetGroupArn) ruleByTargetGroup.set(forward.targetGroupArn, rule);
        else {
            const conditions: any[] = rule.inputs.conditions ?? [];
            fixedRules.push({
                paths: conditions.flatMap((c) => c.pathPattern?.values ?? []),
                hosts: conditions.flatMap((c) => c.hostHeader?.values ?? []),
                status: actions.find((a) => a.fixedResponse)?.fixedResponse.statusCode,
                priority: rule.inputs.priority,
                loadBalancer: albOfListener(rule.inputs.listenerArn),
            });
        }
    }
    const scalingByService = new Map<string, PlannedResource>();
    for (const t of ofType(plan, T.scalingTarget)) {
        const m = /^service\/[^/]+\/(.+)$/.exec(String(t.inputs.resourceId ?? ""));
        if (m) scalingByService.set(m[1], t);
    }
    // Wakers (scale to zero) by the app target group their environment names.
    const wakerByTargetGroup = new Map<string, PlannedResource>();
    for (const fn of ofType(plan, T.lambda)) {
        const env = fn.inputs.environment?.variables ?? {};
        if (typeof env.APP_TARGET_GROUP_ARN === "string" && typeof env.WAKER_TARGET_GROUP_ARN === "string") wakerByTargetGroup.set(env.APP_TARGET_GROUP_ARN, fn);
    }
    const repositories = ofType(plan, T.repository);
    const alarmsUnder = (urn: string) => plan.resources.filter((r) => r.type === T.alarm && r.parent === urn).length;
    // Application Auto Scaling creates two CloudWatch alarms (high and low) for each target-tracking policy.
    // https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html
    const trackingAlarmsOf = (resourceId: unknown) => 2 * ofType(plan, T.scalingPolicy)
        .filter((p) => p.inputs.policyType === "TargetTrackingScaling" && p.inputs.resourceId === resourceId).length;

    const services: ServiceModel[] = ofType(plan, T.ecsService).map((svc): ServiceModel => {
        const component = svc.parent ? byUrn.get(svc.parent) : undefined;
        const name = component && component.type !== T.stack ? component.name : svc.name;
        const td = byArn.get(svc.inputs.taskDefinition);
        const cpuUnits = Number(td?.inputs.cpu ?? 0);
        const memoryMiB = Number(td?.inputs.memory ?? 0);
        const containers = parseJson<any[]>(td?.inputs.containerDefinitions) ?? [];
        const image: string = containers[0]?.image ?? "";
        const repo = repositories.find((r) => r.outputs.repositoryUrl && (image.startsWith(`${r.outputs.repositoryUrl}@`) || image.startsWith(`${r.outputs.repositoryUrl}:`)));
        const tgArn: string | undefined = (svc.inputs.loadBalancers ?? [])[0]?.targetGroupArn;
        const tg = tgArn ? byArn.get(tgArn) : undefined;
        const rule = tgArn ? ruleByTargetGroup.get(tgArn) : undefined;
        const hosts: string[] = (rule?.inputs.conditions ?? []).flatMap((c: any) => c.hostHeader?.values ?? []);
        const actions: any[] = [...(rule?.inputs.actions ?? [])].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
        const first = actions[0];
        const clientId: string | undefined = first?.authenticateOidc?.clientId ?? first?.authenticateCognito?.userPoolClientId;
        const scaling = scalingByService.get(String(svc.outputs.name ?? svc.inputs.name));
        const waker = tgArn ? wakerByTargetGroup.get(tgArn) : undefined;
        const wakeEnv = waker?.inputs.environment?.variables ?? {};
        const minTasks = Number(scaling?.inputs.minCapacity ?? svc.inputs.desiredCount ?? 1);
        const strategies: CapacityStrategy[] = (svc.inputs.capacityProviderStrategies ?? []).map((s: any) => ({
            capacityProvider: s.capacityProvider, base: Number(s.base ?? 0), weight: Number(s.weight ?? 0),
        }));
        const isPortal = portalHost !== undefined && hosts.includes(portalHost);
        const port: number | undefined = tg?.inputs.port ?? (svc.inputs.loadBalancers ?? [])[0]?.containerPort;
        const known = hosts.map((h) => frameworks.get(h)).find((f) => f);
        const byPort = Object.entries(FRAMEWORK_PRESETS).find(([, p]) => p.port === port)?.[0] ?? "custom";
        const accessGroups = clientId !== undefined && access ? access.clients.get(clientId) : undefined;
        return {
            name,
            urn: svc.urn,
            hosts,
            framework: isPortal ? "portal" : known ?? byPort,
            frameworkFrom: isPortal ? "portal" : known ? "portal-config" : "port",
            isPortal,
            port,
            vcpu: cpuUnits / 1024,
            memoryGb: memoryMiB / 1024,
            cpuUnits,
            memoryMiB,
            minTasks,
            maxTasks: waker ? Number(wakeEnv.AWAKE_MAX_TASKS) : Number(scaling?.inputs.maxCapacity ?? minTasks),
            schedule: scaling ? scheduleOf(plan, scaling) : undefined,
            wake: waker ? {
                idleMinutes: Number(wakeEnv.IDLE_MINUTES),
                awakeMinTasks: Number(wakeEnv.AWAKE_MIN_TASKS),
                awakeMaxTasks: Number(wakeEnv.AWAKE_MAX_TASKS),
                function: waker.name,
                logGroup: waker.inputs.loggingConfig?.logGroup,
            } : undefined,
            capacity: capacityOf(strategies),
            strategies,
            publicIp: svc.inputs.networkConfiguration?.assignPublicIp === true,
            authenticate: first?.type,
            clientId,
            accessGroups,
            repository: repo ? { name: String(repo.inputs.name ?? repo.name), scanOnPush: repo.inputs.imageScanningConfiguration?.scanOnPush === true } : undefined,
            logGroup: containers[0]?.logConfiguration?.options?.["awslogs-group"],
            alarms: component ? alarmsUnder(component.urn) : 0,
            trackingAlarms: scaling ? trackingAlarmsOf(scaling.inputs.resourceId) : 0,
            rulePriority: rule?.inputs.priority,
            loadBalancer: albOfListener(rule?.inputs.listenerArn),
        };
    }).sort((a, b) => Number(a.isPortal) - Number(b.isPortal) || a.name.localeCompare(b.name));

    const vpcResource = ofType(plan, T.vpc)[0];
    let vpc: PlanModel["vpc"];
    if (vpcResource) {
        const azs = Number(vpcResource.inputs.numberOfAvailabilityZones ?? 2);
        const natStrategy = String(vpcResource.inputs.natGateways?.strategy ?? "Single");
        vpc = {
            kind: "new",
            cidr: String(vpcResource.inputs.cidrBlock ?? "10.0.0.0/16"),
            azs,
            natStrategy,
            natGateways: (NAT_GATEWAYS[natStrategy] ?? (() => 0))(azs),
            subnetTypes: (vpcResource.inputs.subnetSpecs ?? [{ type: "Public" }, { type: "Private" }]).map((s: any) => String(s.type)),
        };
    } else if (services.length > 0) {
        vpc = { kind: "existing", vpcId: typeof plan.outputs.vpcId === "string" ? plan.outputs.vpcId : undefined };
    }

    const albs = ofType(plan, T.alb);
    const region = /^arn:aws[a-z-]*:[a-z-]+:([a-z0-9-]+):/.exec(String(albs[0]?.outputs.arn ?? ofType(plan, T.ecsCluster)[0]?.outputs.arn ?? ""))?.[1];
    const pool = ofType(plan, T.userPool)[0];
    const lambdaArn: string | undefined = pool?.inputs.lambdaConfig?.preTokenGenerationConfig?.lambdaArn ?? pool?.inputs.lambdaConfig?.preTokenGeneration;
    const lambda = lambdaArn ? byArn.get(lambdaArn) : undefined;
    const domainRes = ofType(plan, T.userPoolDomain)[0];
    const cognito: PlanModel["cognito"] = pool
        ? {
            poolName: String(pool.inputs.name ?? pool.name),
            tier: String(pool.inputs.userPoolTier ?? "ESSENTIALS"),
            mfa: pool.inputs.mfaConfiguration,
            deletionProtection: pool.inputs.deletionProtection === "ACTIVE",
            // A prefix is served at <prefix>.auth.<region>.amazoncognito.com; a custom domain as is.
            loginDomain: domainRes
                ? (String(domainRes.inputs.domain).includes(".") ? String(domainRes.inputs.domain) : `${domainRes.inputs.domain}.auth.${region ?? "<region>"}.amazoncognito.com`)
                : undefined,
            identityProviders: ofType(plan, T.identityProvider).map((i) => ({ name: String(i.inputs.providerName), type: String(i.inputs.providerType) })),
            preTokenLambda: lambda ? { name: lambda.name, runtime: lambda.inputs.runtime } : undefined,
            groups: ofType(plan, T.userGroup).map((g) => String(g.inputs.name)),
            adminGroups: access?.adminGroups ?? [],
            clients: ofType(plan, T.userPoolClient).length,
        }
        : undefined;
    const oidcIssuer = services.map((s) => s.authenticate).includes("authenticate-oidc") && !pool
        ? ofType(plan, T.rule).map((r) => (r.inputs.actions ?? []).find((a: any) => a.authenticateOidc)?.authenticateOidc.issuer).find((i) => i)
        : undefined;

    const certificateByArn = new Map(ofType(plan, T.certificate).map((c) => [c.outputs.arn, c]));
    const cluster = ofType(plan, T.ecsCluster)[0];
    const albByArn = new Map(albs.map((a) => [a.outputs.arn, a]));
    return {
        project: plan.project,
        stack: plan.stack,
        region,
        domain: typeof plan.outputs.domain === "string" ? plan.outputs.domain : undefined,
        vpc,
        loadBalancers: albs.map((a) => ({
            name: albNameOf(a),
            resource: a.name,
            azs: (a.inputs.subnets ?? []).length,
            idleTimeout: a.inputs.idleTimeout,
            deletionProtection: a.inputs.enableDeletionProtection === true,
            dropInvalidHeaderFields: a.inputs.dropInvalidHeaderFields === true,
            accessLogs: a.inputs.accessLogs?.enabled === true,
        })),
        listeners: ofType(plan, T.listener)
            .filter((l) => albByArn.has(l.inputs.loadBalancerArn))
            .map((l) => {
                const action = (l.inputs.defaultActions ?? [])[0] ?? {};
                const defaultAction = action.type === "redirect"
                    ? `redirect ${action.redirect?.statusCode?.replace("HTTP_", "") ?? ""} to ${action.redirect?.protocol ?? ""}:${action.redirect?.port ?? ""}`
                    : action.type === "fixed-response" ? `fixed ${action.fixedResponse?.statusCode ?? ""} (unknown host)` : String(action.type);
                return {
                    port: Number(l.inputs.port),
                    protocol: String(l.inputs.protocol),
                    sslPolicy: l.inputs.sslPolicy,
                    defaultAction,
                    certificateDomain: l.inputs.certificateArn ? certificateByArn.get(l.inputs.certificateArn)?.inputs.domainName ?? "existing certificate" : undefined,
                    loadBalancer: albNameOf(albByArn.get(l.inputs.loadBalancerArn)!),
                };
            })
            .sort((a, b) => b.port - a.port),
        fixedRules,
        services,
        cognito,
        externalOidcIssuer: oidcIssuer,
        certificates: ofType(plan, T.certificate).map((c) => ({ domainName: String(c.inputs.domainName), validation: c.inputs.validationMethod })),
        dnsRecords: ofType(plan, T.record).map((r) => ({ name: String(r.inputs.name), type: String(r.inputs.type), alias: (r.inputs.aliases ?? []).length > 0 })),
        zonesCreated: ofType(plan, T.zone).length,
        ecsCluster: cluster
            ? { name: String(cluster.outputs.name ?? cluster.name), containerInsights: (cluster.inputs.settings ?? []).some((s: any) => s.name === "containerInsights" && s.value !== "disabled") }
            : undefined,
        logGroups: ofType(plan, T.logGroup).length,
        signOut: plan.resources.some((r) => r.type === "dashboards:index:SignOut")
            ? { logGroup: ofType(plan, T.logGroup).some((g) => plan.resources.find((r) => r.urn === g.parent)?.type === "dashboards:index:SignOut") }
            : undefined,
        alarms: ofType(plan, T.alarm).length,
        repositories: repositories.length,
        accessLogBuckets: ofType(plan, T.bucket).length,
        alarmTopics: ofType(plan, T.topic).length,
        kmsKeys: ofType(plan, T.kmsKey).length,
        listenerCertificates: ofType(plan, T.listenerCertificate).length,
        operations: operationsOf(plan, cognito?.clients ?? 0),
    };
}

/** What planOperations shows: dashboards by name with their widget count, queries by name, the login metrics. */
function operationsOf(plan: Plan, clients: number): PlanModel["operations"] {
    const counts = (body: unknown) => {
        try {
            const widgets = (JSON.parse(String(body)) as { widgets?: unknown[] }).widgets;
            return { widgets: Array.isArray(widgets) ? widgets.length : 0, metrics: metricReferences(String(body)).length };
        } catch {
            return { widgets: 0, metrics: 0 };
        }
    };
    const namespace = ofType(plan, T.lambda).map((f) => f.inputs.environment?.variables?.USAGE_METRICS_NAMESPACE).find((v): v is string => typeof v === "string");
    return {
        dashboards: ofType(plan, T.cloudwatchDashboard).map((d) => ({ name: String(d.inputs.dashboardName), ...counts(d.inputs.dashboardBody) })),
        queries: ofType(plan, T.queryDefinition).map((q) => String(q.inputs.name)),
        // Two metrics (Logins, Denied) per app client's dashboard, and two for decisions without one.
        loginMetrics: namespace ? { namespace, metrics: 2 * (clients + 1) } : undefined,
    };
}

/** `cron(M H ? * DAYS *)` as DashboardService writes it: the time and the days. */
function cronTime(expression: unknown): { time: string; days: string } | undefined {
    const m = /^cron\((\d{1,2}) (\d{1,2}) \? \* (\S+) \*\)$/.exec(String(expression ?? ""));
    return m ? { time: `${m[2].padStart(2, "0")}:${m[1].padStart(2, "0")}`, days: m[3] } : undefined;
}

/** The office hours of a scalable target, from its wake and sleep actions (both needed, on the same days). */
function scheduleOf(plan: Plan, target: PlannedResource): ServiceModel["schedule"] {
    const actions = ofType(plan, T.scheduledAction).filter((a) => a.inputs.resourceId === target.inputs.resourceId);
    const wake = actions.find((a) => a.name.endsWith("-wake"));
    const sleep = actions.find((a) => a.name.endsWith("-sleep"));
    const start = cronTime(wake?.inputs.schedule);
    const stop = cronTime(sleep?.inputs.schedule);
    if (!wake || !sleep || !start || !stop || start.days !== stop.days) return undefined;
    return {
        days: start.days,
        start: start.time,
        stop: stop.time,
        timeZone: String(wake.inputs.timezone ?? "UTC"),
        hoursPerWeek: hoursPerWeek({ days: start.days, start: start.time, stop: stop.time }),
        tasksOutside: Number(sleep.inputs.scalableTargetAction?.minCapacity ?? 0),
    };
}
