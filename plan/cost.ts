/**
 * Estimated monthly cost of a planned stack: a pure function of the Plan (its resources and
 * their inputs), priced with `prices.json` (us-east-1 list prices, whatever the stack's region)
 * under stated usage assumptions. It prices what the plan fixes (hours of ALB, NAT, IPv4, the
 * MINIMUM Fargate tasks of every service) and puts a stated assumption on what depends on
 * traffic (LCUs, NAT data, log volume, users). Autoscaling above the minimum costs more.
 */
import pricesJson from "./prices.json";
import { Capacity, CapacityStrategy, modelOf, PlanModel, ServiceModel } from "./planModel";
import { Plan } from "./runPlan";
import { IDLE_CHECK_MINUTES } from "../components/wake";

export type Prices = typeof pricesJson;
export const PRICES: Prices = pricesJson;

export interface CostAssumptions {
    /**
     * Average load balancer capacity units used all month (1 LCU = 25 new conn/s, 3,000 active conn,
     * 1 GB/h, 1,000 rule evals/s; billed by the largest). Dashboards are light: 50 users each using
     * them 2 h a working day at ~50 MB/h of pages and data move ~100 GB a month, 0.14 GB/h.
     */
    albLcu: number;
    /** GB per month through the NAT gateways in total (image pulls, IdP and API calls from private subnets). */
    natGbPerMonth: number;
    /** Monthly active users who sign in. */
    cognitoMau: number;
    /** GB of logs ingested per log group per month. */
    logGbPerLogGroup: number;
    /** GB stored per ECR repository (the images kept by the lifecycle policy, after layer sharing). */
    ecrGbPerRepository: number;
    /**
     * Hours a month a scale-to-zero dashboard is awake: its visits plus `idleMinutes` after the last
     * one (40: about two hours each working day).
     */
    awakeHoursPerMonth: number;
    /**
     * Hours a month in which a dashboard has at least one sign-in or token refresh, so that its two
     * login metrics are sent (CloudWatch prorates a custom metric by the hours it is sent in): 176 is
     * every working hour (8 h x 22 days). A scale-to-zero dashboard has at most its awake hours.
     */
    loginHoursPerMonth: number;
    /** Sign-outs a month through the platform's sign-out path (each one Lambda call of ~50 ms at 128 MB, a few log lines). */
    signOutsPerMonth: number;
}

export const DEFAULT_ASSUMPTIONS: Readonly<CostAssumptions> = {
    albLcu: 0.25,
    natGbPerMonth: 20,
    cognitoMau: 50,
    logGbPerLogGroup: 1,
    ecrGbPerRepository: 1,
    awakeHoursPerMonth: 40,
    loginHoursPerMonth: 176,
    signOutsPerMonth: 1000,
};

/** One sign-out: ~50 ms at 128 MB, and Lambda's START/END/REPORT lines (~400 bytes). */
const SIGN_OUT = { gbSeconds: 0.05 * 0.125, logGb: 400 / 1e9 } as const;
/** A waker's own use: the idle check every IDLE_CHECK_MINUTES, ~0.2 s at 256 MB each; a log line each (~300 bytes). */
const WAKER = { gbSecondsPerCheck: 0.2 * 0.25, logGbPerCheck: 300 / 1e9, metricsPerAwakeCheck: 2 } as const;

export interface CostLine {
    item: string;
    /** How the figure was computed, e.g. "7 addresses x 730 h x $0.005". */
    basis: string;
    monthlyUsd: number;
}

export interface ServiceCost {
    name: string;
    vcpu: number;
    memoryGb: number;
    minTasks: number;
    capacity: Capacity;
    onDemandTasks: number;
    spotTasks: number;
    monthlyUsd: number;
    /** Office hours it is priced for, e.g. `MON-FRI 07:00-20:00 Europe/Zurich`, or the assumed awake hours of a scale-to-zero one; absent: around the clock. */
    hours?: string;
}

export interface CostEstimate {
    pricesRegion: string;
    pricesAsOf: string;
    stackRegion?: string;
    hoursPerMonth: number;
    lines: CostLine[];
    totalUsd: number;
    services: ServiceCost[];
    /** One more dashboard: 0.25 vCPU / 0.5 GB, one task, on the stack's default capacity. */
    marginal: { capacity: Capacity; lines: CostLine[]; totalUsd: number };
    assumptions: CostAssumptions;
    notes: string[];
}

/**
 * How ECS places `tasks` over a capacity provider strategy: each provider's `base` first (in
 * order), the rest in proportion to the weights. Fractions are kept: it is an expected cost.
 */
export function splitTasks(strategies: CapacityStrategy[], tasks: number): { onDemand: number; spot: number } {
    const list = strategies.length > 0 ? strategies : [{ capacityProvider: "FARGATE", base: 0, weight: 1 }];
    const placed = new Map<string, number>();
    let remaining = tasks;
    for (const s of list) {
        const b = Math.min(s.base, remaining);
        placed.set(s.capacityProvider, (placed.get(s.capacityProvider) ?? 0) + b);
        remaining -= b;
    }
    const weights = list.reduce((sum, s) => sum + s.weight, 0);
    for (const s of list) {
        const share = weights > 0 ? (remaining * s.weight) / weights : s === list[0] ? remaining : 0;
        placed.set(s.capacityProvider, (placed.get(s.capacityProvider) ?? 0) + share);
    }
    return { onDemand: placed.get("FARGATE") ?? 0, spot: placed.get("FARGATE_SPOT") ?? 0 };
}

const usd = (n: number) => `$${n}`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function fargateTaskMonth(vcpu: number, memoryGb: number, spot: boolean, p: Prices): number {
    const h = p.hoursPerMonth;
    const onDemand = vcpu * h * p.prices.fargateVcpuHour.usd + memoryGb * h * p.prices.fargateGbHour.usd;
    return spot ? onDemand * (1 - p.prices.fargateSpotDiscount.fraction) : onDemand;
}

const HOURS_PER_WEEK = 168;

/** Share of the month a service runs its minimum tasks: its office hours, its assumed awake hours (scale to zero), or all of it. */
function runningShare(s: ServiceModel, a: CostAssumptions, p: Prices): number {
    if (s.wake) return Math.min(1, a.awakeHoursPerMonth / p.hoursPerMonth);
    return s.schedule ? s.schedule.hoursPerWeek / HOURS_PER_WEEK : 1;
}

/** Tasks while running (awake, or in the hours), and otherwise. */
function tasksInAndOut(s: ServiceModel): { inside: number; outside: number } {
    if (s.wake) return { inside: s.wake.awakeMinTasks, outside: 0 };
    return { inside: s.minTasks, outside: s.schedule?.tasksOutside ?? s.minTasks };
}

/** Tasks running on average over the month. */
function averageTasks(s: ServiceModel, a: CostAssumptions, p: Prices): number {
    const f = runningShare(s, a, p);
    const { inside, outside } = tasksInAndOut(s);
    return inside * f + outside * (1 - f);
}

function serviceCost(s: ServiceModel, a: CostAssumptions, p: Prices): ServiceCost {
    // Task-hours in the hours and outside them, each split over the capacity providers as ECS places them.
    const f = runningShare(s, a, p);
    const tasks = tasksInAndOut(s);
    const inside = splitTasks(s.strategies, tasks.inside);
    const outside = splitTasks(s.strategies, tasks.outside);
    const onDemand = inside.onDemand * f + outside.onDemand * (1 - f);
    const spot = inside.spot * f + outside.spot * (1 - f);
    return {
        name: s.name,
        vcpu: s.vcpu,
        memoryGb: s.memoryGb,
        minTasks: s.minTasks,
        capacity: s.capacity,
        onDemandTasks: onDemand,
        spotTasks: spot,
        hours: s.wake ? `scale to zero, ${a.awakeHoursPerMonth} h awake (assumed)` : s.schedule && `${s.schedule.days} ${s.schedule.start}-${s.schedule.stop} ${s.schedule.timeZone}`,
        monthlyUsd: onDemand * fargateTaskMonth(s.vcpu, s.memoryGb, false, p) + spot * fargateTaskMonth(s.vcpu, s.memoryGb, true, p),
    };
}

/** The stack's default capacity: the portal's (it always runs on `defaults.capacity`), else the most common. */
function defaultService(model: PlanModel): ServiceModel | undefined {
    const portal = model.services.find((s) => s.isPortal);
    if (portal) return portal;
    const counts = new Map<Capacity, number>();
    for (const s of model.services) counts.set(s.capacity, (counts.get(s.capacity) ?? 0) + 1);
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    return model.services.find((s) => s.capacity === top);
}

const SMALLEST = { vcpu: 0.25, memoryGb: 0.5 };

export function estimateCost(plan: Plan, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS, p: Prices = PRICES): CostEstimate {
    return estimateModel(modelOf(plan), assumptions, p);
}

/** `compare`: add the notes that price the stack another way (asleep, around the clock); off for those estimates themselves. */
function estimateModel(model: PlanModel, assumptions: CostAssumptions, p: Prices, compare = true): CostEstimate {
    const h = p.hoursPerMonth;
    const pr = p.prices;
    const lines: CostLine[] = [];
    const add = (item: string, basis: string, monthlyUsd: number) => lines.push({ item, basis, monthlyUsd });

    // Load balancer: hours, plus the assumed capacity units.
    const albs = model.loadBalancers.length;
    add("Application Load Balancer", `${plural(albs, "ALB")} x ${h} h x ${usd(pr.albHour.usd)}`, albs * h * pr.albHour.usd);
    add("ALB capacity units", `${albs} x ${assumptions.albLcu} LCU (assumed) x ${h} h x ${usd(pr.albLcuHour.usd)}`, albs * assumptions.albLcu * h * pr.albLcuHour.usd);

    // NAT gateways: how many follows from the awsx strategy and the AZ count.
    const nat = model.vpc?.kind === "new" ? model.vpc.natGateways : 0;
    const natBasis = model.vpc?.kind === "new" ? `${model.vpc.natStrategy} over ${model.vpc.azs} AZs = ${plural(nat, "gateway")}` : "existing VPC: its NAT is not this stack's";
    add("NAT gateways", `${natBasis} x ${h} h x ${usd(pr.natGatewayHour.usd)}`, nat * h * pr.natGatewayHour.usd);
    add("NAT data processing", nat > 0 ? `${assumptions.natGbPerMonth} GB (assumed) x ${usd(pr.natGatewayGb.usd)}` : "no NAT gateway", nat > 0 ? assumptions.natGbPerMonth * pr.natGatewayGb.usd : 0);

    // Public IPv4: the ALB has one address per AZ (subnet) at least, tasks with public IPs, one EIP per NAT.
    const albIps = model.loadBalancers.reduce((n, a) => n + a.azs, 0);
    const taskIps = round(model.services.filter((s) => s.publicIp).reduce((n, s) => n + averageTasks(s, assumptions, p), 0));
    const ips = albIps + taskIps + nat;
    add("Public IPv4 addresses", `(${albIps} ALB + ${taskIps} task + ${nat} NAT) x ${h} h x ${usd(pr.publicIpv4Hour.usd)}`, ips * h * pr.publicIpv4Hour.usd);

    // Fargate: the minimum tasks of every service (portal included), on demand and on Spot.
    const services = model.services.map((s) => serviceCost(s, assumptions, p));
    let odVcpu = 0, odGb = 0, spVcpu = 0, spGb = 0;
    for (const s of services) {
        odVcpu += s.onDemandTasks * s.vcpu;
        odGb += s.onDemandTasks * s.memoryGb;
        spVcpu += s.spotTasks * s.vcpu;
        spGb += s.spotTasks * s.memoryGb;
    }
    const spotFactor = 1 - pr.fargateSpotDiscount.fraction;
    add("Fargate on-demand", `(${round(odVcpu)} vCPU x ${usd(pr.fargateVcpuHour.usd)} + ${round(odGb)} GB x ${usd(pr.fargateGbHour.usd)}) x ${h} h`,
        (odVcpu * pr.fargateVcpuHour.usd + odGb * pr.fargateGbHour.usd) * h);
    add("Fargate Spot", `(${round(spVcpu)} vCPU + ${round(spGb)} GB) at on-demand prices x ${round(spotFactor)} (${pr.fargateSpotDiscount.fraction * 100}% Spot discount) x ${h} h`,
        (spVcpu * pr.fargateVcpuHour.usd + spGb * pr.fargateGbHour.usd) * h * spotFactor);

    // Cognito: monthly active users above the free tier, at the pool's tier. Users who sign in through a
    // SAML or OIDC provider are billed apart, with 50 free: https://aws.amazon.com/cognito/pricing/
    // With company SSO configured, every assumed user is taken to sign in through it.
    const federated = model.cognito?.identityProviders.some((i) => i.type === "SAML" || i.type === "OIDC") ?? false;
    if (model.cognito && federated) {
        const billable = Math.max(0, assumptions.cognitoMau - pr.cognitoFederatedFreeMau.count);
        add(`Cognito user pool (${model.cognito.tier.toUpperCase()}), federated sign-in`,
            `${assumptions.cognitoMau} MAU (assumed) through SAML/OIDC, ${pr.cognitoFederatedFreeMau.count} free, ${billable} x ${usd(pr.cognitoFederatedMau.usd)}`,
            billable * pr.cognitoFederatedMau.usd);
    } else if (model.cognito) {
        const tier = model.cognito.tier.toUpperCase();
        const perMau = tier === "LITE" ? pr.cognitoLiteMau.usd : tier === "ESSENTIALS" ? pr.cognitoEssentialsMau.usd : undefined;
        const billable = Math.max(0, assumptions.cognitoMau - pr.cognitoFreeMau.count);
        add(`Cognito user pool (${tier})`, perMau === undefined
            ? `${assumptions.cognitoMau} MAU (assumed); tier ${tier} not priced in prices.json`
            : `${assumptions.cognitoMau} MAU (assumed), ${pr.cognitoFreeMau.count} free, ${billable} x ${usd(perMau)}`, perMau === undefined ? 0 : billable * perMau);
    }

    // Logs: a service logs while it runs, so its group is scaled by its running share; a waker logs a line per check.
    const wakers = model.services.filter((s) => s.wake);
    const checksPerMonth = (h * 60) / IDLE_CHECK_MINUTES;
    const partTime = model.services.filter((s) => s.logGroup && runningShare(s, assumptions, p) < 1);
    const signOutGroups = model.signOut?.logGroup ? 1 : 0;
    const fullTimeGroups = model.logGroups - partTime.length - wakers.filter((s) => s.wake!.logGroup).length - signOutGroups;
    const signOutLogGb = signOutGroups * assumptions.signOutsPerMonth * SIGN_OUT.logGb;
    const partTimeGb = partTime.reduce((n, s) => n + runningShare(s, assumptions, p) * assumptions.logGbPerLogGroup, 0);
    const wakerLogGb = wakers.length * checksPerMonth * WAKER.logGbPerCheck;
    const logBasis = [
        `${plural(fullTimeGroups, "log group")} x ${assumptions.logGbPerLogGroup} GB (assumed)`,
        ...(partTime.length > 0 ? [`${round(partTimeGb)} GB from ${plural(partTime.length, "service")} that run part time (by the hours they run)`] : []),
        ...(wakers.length > 0 ? [`${round(wakerLogGb)} GB from ${plural(wakers.length, "waker")}`] : []),
        ...(signOutGroups > 0 ? [`${round(signOutLogGb)} GB from the sign-out function`] : []),
    ].join(" + ");
    add("CloudWatch Logs ingestion", `(${logBasis}) x ${usd(pr.cloudwatchLogsIngestGb.usd)}`,
        (fullTimeGroups * assumptions.logGbPerLogGroup + partTimeGb + wakerLogGb + signOutLogGb) * pr.cloudwatchLogsIngestGb.usd);
    if (model.signOut) {
        add("Sign-out function", `${assumptions.signOutsPerMonth} sign-outs (assumed) x (${usd(pr.lambdaRequests.usd)}/M requests + ${SIGN_OUT.gbSeconds} GB-s x ${usd(pr.lambdaArmGbSecond.usd)}); its target group and rule: no charge of their own`,
            assumptions.signOutsPerMonth * (pr.lambdaRequests.usd / 1e6 + SIGN_OUT.gbSeconds * pr.lambdaArmGbSecond.usd));
    }
    if (wakers.length > 0) {
        // Each waker: the idle check's invocations all month, and its two metric reads while awake.
        const awakeChecks = (Math.min(h, assumptions.awakeHoursPerMonth) * 60) / IDLE_CHECK_MINUTES;
        const perWaker = checksPerMonth * (pr.lambdaRequests.usd / 1e6 + WAKER.gbSecondsPerCheck * pr.lambdaArmGbSecond.usd) +
            (awakeChecks * WAKER.metricsPerAwakeCheck * pr.cloudwatchGetMetricDataThousandMetrics.usd) / 1000;
        add("Wakers (scale to zero)", `${plural(wakers.length, "Lambda")}: ${checksPerMonth} idle checks x (${usd(pr.lambdaRequests.usd)}/M requests + ` +
            `${WAKER.gbSecondsPerCheck} GB-s x ${usd(pr.lambdaArmGbSecond.usd)}) + ${awakeChecks} awake checks x ${WAKER.metricsPerAwakeCheck} metrics x ${usd(pr.cloudwatchGetMetricDataThousandMetrics.usd)}/1,000`,
        wakers.length * perWaker);
    }
    if (model.listenerCertificates > 0) {
        add("Listener certificates", `${plural(model.listenerCertificates, "extra certificate")} on the HTTPS listener (extra hosts): ACM public certificates and attaching them are free`,
            model.listenerCertificates * pr.acmPublicCertificate.usd);
    }
    if (model.kmsKeys > 0) add("KMS keys", `${plural(model.kmsKeys, "customer-managed key")} x ${usd(pr.kmsKeyMonth.usd)} (first year; key rotations add up to $2 more a key from the third)`, model.kmsKeys * pr.kmsKeyMonth.usd);
    const trackingAlarms = model.services.reduce((n, s) => n + s.trackingAlarms, 0);
    const allAlarms = model.alarms + trackingAlarms;
    if (allAlarms > 0) {
        add("CloudWatch alarms", `(${model.alarms} of the stack + ${trackingAlarms} that target-tracking policies keep, 2 each) x ${usd(pr.cloudwatchAlarmMonth.usd)}`,
            allAlarms * pr.cloudwatchAlarmMonth.usd);
    }
    add("ECR storage", `${plural(model.repositories, "repository", "repositories")} x ${assumptions.ecrGbPerRepository} GB (assumed) x ${usd(pr.ecrStorageGbMonth.usd)}`,
        model.repositories * assumptions.ecrGbPerRepository * pr.ecrStorageGbMonth.usd);
    // The operations dashboards: the free tier covers three of up to 50 metrics each (as Cognito's free users are counted too).
    const ops = model.operations;
    if (ops.dashboards.length > 0) {
        const small = ops.dashboards.filter((d) => d.metrics <= pr.cloudwatchFreeDashboards.maxMetrics).length;
        const billable = ops.dashboards.length - Math.min(small, pr.cloudwatchFreeDashboards.count);
        const metrics = ops.dashboards.map((d) => d.metrics).join(", ");
        add("Operations dashboards", `${plural(ops.dashboards.length, "CloudWatch dashboard")} (one per load balancer; ${metrics} metrics), ` +
            `the free tier covering ${pr.cloudwatchFreeDashboards.count} of up to ${pr.cloudwatchFreeDashboards.maxMetrics} metrics: ${billable} x ${usd(pr.cloudwatchDashboardMonth.usd)}`,
        billable * pr.cloudwatchDashboardMonth.usd);
    }
    if (ops.loginMetrics) {
        // Logins and Denied of each service with sign-in, in the hours it has sign-ins (a sleeping one has none).
        const loginHours = (s: ServiceModel) => Math.min(assumptions.loginHoursPerMonth, s.wake ? assumptions.awakeHoursPerMonth : h);
        const signIn = model.services.filter((s) => s.clientId);
        const metricHours = 2 * signIn.reduce((n, s) => n + loginHours(s), 0);
        add("Login metrics", `2 custom metrics (Logins, Denied) x ${plural(signIn.length, "dashboard")} with sign-in, sent in ${round(metricHours / 2)} dashboard-hours ` +
            `(${assumptions.loginHoursPerMonth} h each with sign-ins, assumed; scale-to-zero ones their awake hours) / ${h} h x ${usd(pr.cloudwatchCustomMetricMonth.usd)}; ` +
            `${plural(ops.queries.length, "saved query", "saved queries")}: free`, (metricHours / h) * pr.cloudwatchCustomMetricMonth.usd);
    }
    const aliases = model.dnsRecords.filter((r) => r.alias).length;
    add("Route 53", `${plural(model.zonesCreated, "hosted zone")} created x ${usd(pr.route53HostedZoneMonth.usd)}; ${plural(model.dnsRecords.length, "record")} in the existing zone (${aliases} aliases to the ALB: queries free)`,
        model.zonesCreated * pr.route53HostedZoneMonth.usd);

    // One more dashboard: the smallest task, once, on the capacity the portal (= stack default) uses.
    const template = defaultService(model);
    const capacity = template?.capacity ?? "on-demand";
    const split = splitTasks(template?.strategies ?? [], 1);
    const marginal: CostLine[] = [
        {
            item: "Fargate task",
            basis: `${SMALLEST.vcpu} vCPU / ${SMALLEST.memoryGb} GB x 1 task, ${capacity} x ${h} h`,
            monthlyUsd: split.onDemand * fargateTaskMonth(SMALLEST.vcpu, SMALLEST.memoryGb, false, p) + split.spot * fargateTaskMonth(SMALLEST.vcpu, SMALLEST.memoryGb, true, p),
        },
    ];
    if (template?.publicIp) marginal.push({ item: "Public IPv4 (task)", basis: `1 x ${h} h x ${usd(pr.publicIpv4Hour.usd)}`, monthlyUsd: h * pr.publicIpv4Hour.usd });
    if (template?.logGroup) marginal.push({ item: "Logs", basis: `${assumptions.logGbPerLogGroup} GB (assumed) x ${usd(pr.cloudwatchLogsIngestGb.usd)}`, monthlyUsd: assumptions.logGbPerLogGroup * pr.cloudwatchLogsIngestGb.usd });
    if (template?.repository) marginal.push({ item: "ECR storage", basis: `${assumptions.ecrGbPerRepository} GB (assumed) x ${usd(pr.ecrStorageGbMonth.usd)}`, monthlyUsd: assumptions.ecrGbPerRepository * pr.ecrStorageGbMonth.usd });
    // A new dashboard's own alarms, and the four of its two target-tracking policies (around the clock).
    const newAlarms = (template?.alarms ?? 0) + 4;
    if (model.operations.loginMetrics) {
        marginal.push({ item: "Login metrics", basis: `2 x ${assumptions.loginHoursPerMonth} h (assumed) / ${h} h x ${usd(pr.cloudwatchCustomMetricMonth.usd)}`, monthlyUsd: (2 * assumptions.loginHoursPerMonth / h) * pr.cloudwatchCustomMetricMonth.usd });
    }
    marginal.push({ item: "Alarms", basis: `${template?.alarms ?? 0} + 4 (target tracking) x ${usd(pr.cloudwatchAlarmMonth.usd)}`, monthlyUsd: newAlarms * pr.cloudwatchAlarmMonth.usd });

    const notes = [
        `Priced at ${p.region} list prices (${p.asOf})${model.region && model.region !== p.region ? `; the stack is in ${model.region}, whose prices differ (often a little higher)` : ""}. Sources: plan/prices.json.`,
        "Fargate counts each service's MINIMUM tasks all month (inside its office hours, or for its assumed awake hours when it scales to zero); autoscaling up to maxTasks adds to it.",
        "Not counted: data transfer out, S3 access-log storage, the login trigger's Lambda calls, SSM and KMS calls (free tier), SNS emails, the (none) login metrics (sent only in hours with refused unknown clients).",
    ];
    const scheduled = model.services.filter((s) => s.schedule);
    if (scheduled.length > 0) {
        const hours = [...new Set(scheduled.map((s) => `${s.schedule!.days} ${s.schedule!.start}-${s.schedule!.stop} ${s.schedule!.timeZone}`))].join("; ");
        notes.push(`Office hours: ${plural(scheduled.length, "service")} priced for the hours they run (${hours}), ` +
            `${round(scheduled.reduce((n, s) => n + s.schedule!.hoursPerWeek, 0) / scheduled.length)} h a week on average.`);
    }
    if (compare && wakers.length > 0) {
        const asleep = estimateModel({ ...model, services: wakers.map((s) => ({ ...s, logGroup: undefined })) }, { ...assumptions, awakeHoursPerMonth: 0 }, p, false);
        const perAsleep = (asleep.lines.find((l) => l.item.startsWith("Wakers"))?.monthlyUsd ?? 0) / wakers.length +
            (wakers.reduce((n, s) => n + s.trackingAlarms + s.alarms, 0) * pr.cloudwatchAlarmMonth.usd) / wakers.length +
            (wakers.filter((s) => s.repository).length * assumptions.ecrGbPerRepository * pr.ecrStorageGbMonth.usd) / wakers.length +
            checksPerMonth * WAKER.logGbPerCheck * pr.cloudwatchLogsIngestGb.usd;
        notes.push(`Scale to zero: ${plural(wakers.length, "dashboard")} (${wakers.map((s) => s.name).join(", ")}) priced for ${assumptions.awakeHoursPerMonth} h awake a month (assumed). ` +
            `One that nobody opens costs ${money(perAsleep)}/month beyond the shared load balancer (its repository, its CPU policy's two alarms, idle checks and their logs): no task and no public IPv4 while asleep.`);
    }
    if (compare && (scheduled.length > 0 || wakers.length > 0)) {
        const alwaysOn = estimateModel(alwaysOnModel(model), assumptions, p, false).totalUsd;
        notes.push(`Against running every service around the clock (${money(alwaysOn)}), the hours they sleep save ${money(alwaysOn - sum(lines))}/month.`);
    }
    if (model.ecsCluster?.containerInsights) notes.push("Not counted: Container Insights metrics (enabled on the cluster), billed as custom metrics per task and service.");

    return {
        pricesRegion: p.region,
        pricesAsOf: p.asOf,
        stackRegion: model.region,
        hoursPerMonth: h,
        lines,
        totalUsd: sum(lines),
        services,
        marginal: { capacity, lines: marginal, totalUsd: sum(marginal) },
        assumptions: { ...assumptions },
        notes,
    };
}

function sum(lines: CostLine[]): number {
    return lines.reduce((n, l) => n + l.monthlyUsd, 0);
}

function round(n: number): number {
    return Math.round(n * 1e4) / 1e4;
}

const money = (n: number) => `$${n.toFixed(2)}`;

/** The estimate as text for the CLI. */
export function renderCost(e: CostEstimate): string {
    const width = Math.max(...e.lines.map((l) => l.item.length), ...e.marginal.lines.map((l) => l.item.length + 2));
    const row = (item: string, amount: number, basis: string) => `  ${item.padEnd(width)}  ${money(amount).padStart(9)}  ${basis}`;
    const out = [
        `Estimated monthly cost (${e.pricesRegion} list prices, ${e.pricesAsOf}; ${e.hoursPerMonth} h/month):`,
        ...e.lines.map((l) => row(l.item, l.monthlyUsd, l.basis)),
        `  ${"Total".padEnd(width)}  ${money(e.totalUsd).padStart(9)}`,
        "",
        "  Fargate by service (minimum tasks):",
        ...e.services.map((s) => `    ${s.name.padEnd(width - 2)}  ${money(s.monthlyUsd).padStart(9)}  ${s.vcpu} vCPU / ${s.memoryGb} GB x ${s.minTasks}, ${s.capacity}${s.hours ? `, ${s.hours}` : ""}`),
        "",
        `  One more dashboard (0.25 vCPU / 0.5 GB, 1 task, ${e.marginal.capacity}): ${money(e.marginal.totalUsd)}/month`,
        ...e.marginal.lines.map((l) => row(`  ${l.item}`, l.monthlyUsd, l.basis)),
        "",
        `  Assumptions: ${e.assumptions.albLcu} LCU average, ${e.assumptions.natGbPerMonth} GB/month through NAT, ${e.assumptions.cognitoMau} monthly active users, ` +
            `${e.assumptions.logGbPerLogGroup} GB logs per log group (running all month), ${e.assumptions.ecrGbPerRepository} GB images per repository, ` +
            `${e.assumptions.awakeHoursPerMonth} h awake a month per scale-to-zero dashboard, ${e.assumptions.loginHoursPerMonth} h a month with sign-ins per dashboard.`,
        ...e.notes.map((n) => `  ${n}`),
    ];
    return out.join("\n");
}

/** The same stack with every service running around the clock: no office hours, no scale to zero (and no wakers). */
function alwaysOnModel(model: PlanModel): PlanModel {
    const wakerLogs = model.services.filter((s) => s.wake?.logGroup).length;
    return {
        ...model,
        logGroups: model.logGroups - wakerLogs,
        // Around the clock, a scale-to-zero dashboard would track requests too: four alarms, not two.
        services: model.services.map((s) => ({ ...s, schedule: undefined, wake: undefined, minTasks: s.wake ? s.wake.awakeMinTasks : s.minTasks, trackingAlarms: s.wake ? 4 : s.trackingAlarms })),
    };
}
