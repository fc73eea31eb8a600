/**
 * DashboardPlatform: the whole platform of one stack from the stack file's model — the shared
 * cluster and its load balancers, the login, one service per dashboard, the portal and the optional
 * deployment pipeline. Dashboards are spread over as many load balancers as they need, each
 * staying where the last deployment put it (loadBalancers.ts; the `routing` output, read back). `index.ts` only reads the stack file and creates one of these; other
 * programs (in any Pulumi language) create it from an object with the same keys.
 *
 * The arguments are validated in full (the stack file's rules, see stackConfig.ts) before
 * anything is declared; every problem is reported at once.
 *
 * Cost note: the sum of its parts; `npm run plan -- <stack>` prices each resource.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { CognitoAuth, DashboardLogin, externalOidcLogin } from "./cognitoAuth";
import { AppSource, resolveAppSource } from "./appSource";
import { ComponentArgsError, PACKAGE } from "./component";
import { DashboardCluster } from "./dashboardCluster";
import { DashboardPipeline } from "./dashboardPipeline";
import { DashboardService, DashboardServiceArgs, PLATFORM_CONTEXT } from "./dashboardService";
import { assignLoadBalancers, readRouting, routedDashboard, routedPortal, Routing } from "./loadBalancers";
import type { DashboardPlatformArgs } from "./platformArgs";
import { PORTAL_CATALOGUE_CONTEXT, writePortalCatalogue } from "./portalCatalogue";
import { rulePriorities, WakeRuleSlots, wakeRuleSlots } from "./routing";
import { SignOut } from "./signOut";
import { OperationsDashboardEntry, operationsDashboardBodies, operationsDashboardName, operationsDashboardUrl } from "./operationsDashboard";
import { NormalizedDashboard, StackConfig, validatePlatformModel } from "./stackConfig";
import { USAGE_QUERY_LIST, usageQueryDefinitionName } from "./usageQueries";
import { ALWAYS_WRITABLE, readonlyByDefault } from "./writablePaths";

export type * from "./platformArgs";

/** Arguments that are not stack-file keys (the validator would call them unknown). */
const NON_MODEL_ARGS = ["region", "appsDir", "routing"] as const;

/**
 * Validates `DashboardPlatform`'s arguments as its constructor does, without declaring anything.
 * Returns every problem as `<argument path>: <what is wrong>; <what is allowed>`, or none.
 */
export function validateDashboardPlatformArgs(args: DashboardPlatformArgs): string[] {
    const checked = checkPlatformArgs(args);
    return checked.ok ? [] : checked.problems;
}

function checkPlatformArgs(args: DashboardPlatformArgs): { ok: true; config: StackConfig } | { ok: false; problems: string[] } {
    if (typeof args !== "object" || args === null) return { ok: false, problems: ["args: expected an object with domain, dns and dashboards"] };
    // Structure (how many dashboards, which login) must be known while the program runs.
    const outputs = outputPaths(args, "");
    if (outputs.length > 0) {
        return { ok: false, problems: outputs.map((p) => `${p}: is a Pulumi output; DashboardPlatform needs plain values (it decides from them what to declare)`) };
    }
    const model: Record<string, unknown> = { ...args };
    for (const key of NON_MODEL_ARGS) delete model[key];
    const providerRegion = aws.config.region;
    const result = validatePlatformModel(model, args.region ?? providerRegion, { appsDir: path.resolve(args.appsDir ?? "apps"), routing: readRouting(args.routing) });
    const problems = result.ok ? [] : result.problems.map((p) => `${p.key}: ${p.message}`);
    if (args.region && providerRegion && args.region !== providerRegion) {
        problems.unshift(`region: ${JSON.stringify(args.region)} is not the AWS provider's region ${providerRegion} (aws:region), where the resources are created; leave region out or make them the same`);
    }
    return result.ok && problems.length === 0 ? { ok: true, config: result.config } : { ok: false, problems };
}

function outputPaths(value: unknown, at: string, depth = 0): string[] {
    if (pulumi.Output.isInstance(value)) return [at || "args"];
    if (typeof value !== "object" || value === null || depth > 16) return [];
    return Object.entries(value).flatMap(([k, v]) => outputPaths(v, Array.isArray(value) ? `${at}[${k}]` : at ? `${at}.${k}` : k, depth + 1));
}

/** Children made before this component existed were top-level: the same URNs, now under the platform. */
const FORMERLY_TOP_LEVEL: pulumi.Alias[] = [{ parent: pulumi.rootStackResource }];

/** Where every service (dashboards and the portal) is routed: its load balancer, its rule's priority, a waker's slots. */
interface ServiceRoutes {
    loadBalancerOf: Map<string, number>;
    priorities: Map<string, number>;
    slots: Map<string, WakeRuleSlots>;
    /** The load balancers in use, 0 always among them. */
    loadBalancers: number[];
}

/** What the platform exposes; assigned once its resources are declared. */
type PlatformOutputs = Pick<DashboardPlatform,
    | "dashboardUrls" | "dashboardImages" | "dashboardAccessGroups" | "portalUrl" | "loginUrl" | "userPoolId" | "albDnsName" | "albArn"
    | "loadBalancerDnsNames" | "routing" | "operationsDashboardUrls" | "usageQueryNames" | "domain" | "vpcId" | "clusterName" | "pipelineName" | "pipelineConnectionArn" | "pipelineConnectionStatus">;

/** Set while `create` constructs: the constructor then leaves its declaring steps to `create` (a WeakMap, since the package schema reads fields). */
let deferringSteps = false;
const pendingSteps = new WeakMap<DashboardPlatform, Generator<void, void, void>>();

export class DashboardPlatform extends pulumi.ComponentResource {
    /** Each dashboard's URL, by name. */
    public readonly dashboardUrls!: Record<string, string>;
    /** The image each dashboard runs, by name: `<repository>@sha256:...` (built or pinned) or the prebuilt image. */
    public readonly dashboardImages!: pulumi.Output<Record<string, string>>;
    /** Groups allowed to open each dashboard, by name (empty: every signed-in user). */
    public readonly dashboardAccessGroups!: Record<string, string[]>;
    /** The portal listing the dashboards each user may open, when it is enabled. */
    public readonly portalUrl?: string;
    /** Hosted login of the Cognito user pool (users normally start at a dashboard instead). */
    public readonly loginUrl?: pulumi.Output<string>;
    public readonly userPoolId?: pulumi.Output<string>;
    /** DNS name of load balancer 0 (with one load balancer, point `*.<domain>` here when DNS is managed outside Route 53). */
    public readonly albDnsName!: pulumi.Output<string>;
    /** ARN of load balancer 0: apps verify `x-amzn-oidc-data`'s signer against their own load balancer's (ALB_ARN). */
    public readonly albArn!: pulumi.Output<string>;
    /**
     * DNS name of every load balancer, by number. With DNS outside Route 53 and more than one, point
     * each host at the load balancer `routing` gives it.
     */
    public readonly loadBalancerDnsNames!: pulumi.Output<Record<string, string>>;
    /**
     * Where each dashboard (and the portal) is routed: its load balancer and its listener rule's
     * priority. Pass it back as the `routing` argument on the next deployment (index.ts does) so
     * that nothing deployed moves.
     */
    public readonly routing!: Record<string, Routing>;
    /**
     * The CloudWatch operations dashboard of every load balancer, by number: per dashboard, requests,
     * 5xx and p95 latency, running tasks against min/max, CPU and memory, logins and denials.
     */
    public readonly operationsDashboardUrls!: Record<string, string>;
    /** Names of the saved Logs Insights queries of login usage (CloudWatch > Logs Insights > Saved queries); none with usage statistics off. */
    public readonly usageQueryNames!: string[];
    public readonly domain!: string;
    public readonly vpcId!: pulumi.Output<string>;
    public readonly clusterName!: pulumi.Output<string>;
    /** The deployment pipeline, when `pipeline` is set; its connection must be approved once while PENDING. */
    public readonly pipelineName?: pulumi.Output<string>;
    public readonly pipelineConnectionArn?: pulumi.Output<string>;
    /** `PENDING` until the connection is approved, then `AVAILABLE`; absent with an existing `connectionArn`. */
    public readonly pipelineConnectionStatus?: pulumi.Output<string>;

    /**
     * @param name Logical name of the platform (its children keep their own names: one platform per stack).
     * @param args The stack file's model; see `DashboardPlatformArgs`.
     * @example
     * new DashboardPlatform("dashboards", {
     *     domain: "dashboards.example.com",
     *     dns: { hostedZoneId: "Z0123456789ABCDEFGHIJ" },
     *     dashboards: [{ name: "sales", framework: "dash", accessGroups: ["sales"] }],
     *     auth: { groups: [{ name: "sales" }] },
     * });
     */
    constructor(name: string, args: DashboardPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const checked = checkPlatformArgs(args);
        if (!checked.ok) throw new ComponentArgsError(`DashboardPlatform "${name}"`, checked.problems);
        super(`${PACKAGE}:index:DashboardPlatform`, name, {}, opts);
        const steps = this.declare(checked.config, args);
        if (deferringSteps) pendingSteps.set(this, steps);
        else for (let step = steps.next(); !step.done; step = steps.next()); // every step at once
    }

    /**
     * Creates the platform as the constructor does (the same resources and names), but declares its
     * services one at a time, letting the event loop run in between: the Pulumi SDK holds every
     * declared resource's pending registration (a few dozen promises per property) until the engine
     * answers, and a constructor declares everything before anything can be answered. At 500
     * dashboards that was 1.8 GB live at once and a 2.4-2.8 GB peak for the offline plan; declared
     * one service at a time, the peak is about 0.9 GB (`npm run bench`). `index.ts` uses it;
     * `new DashboardPlatform(...)` is the same platform, declared in one go.
     * @example
     * const platform = await DashboardPlatform.create("dashboards", { domain, dns, dashboards });
     */
    public static async create(name: string, args: DashboardPlatformArgs, opts?: pulumi.ComponentResourceOptions): Promise<DashboardPlatform> {
        deferringSteps = true;
        let platform: DashboardPlatform;
        try {
            platform = new DashboardPlatform(name, args, opts);
        } finally {
            deferringSteps = false;
        }
        const steps = pendingSteps.get(platform)!;
        pendingSteps.delete(platform);
        for (let step = steps.next(); !step.done; step = steps.next()) await new Promise((resolve) => setImmediate(resolve));
        return platform;
    }

    /** Everything the platform declares, in order; it pauses (yields) between services. */
    private *declare(config: StackConfig, args: DashboardPlatformArgs): Generator<void, void, void> {
        const appsDir = args.appsDir ?? "apps";
        const portal = portalDashboard(config);
        const portalUrl = portal ? `https://${portal.host}` : undefined;
        const services = [...config.dashboards, ...(portal ? [portal] : [])];
        const routes = routeServices(config, services, portal, readRouting(args.routing));
        const cluster = this.createCluster(config, routes);
        const login = this.createLogin(config, services, cluster.alarmTopic?.arn);
        const deployed = yield* this.createServices(config, services, portal, portalUrl, cluster, login, appsDir, routes);
        this.createSignOut(config, services, deployed, cluster, login);
        const operations = this.createOperations(config, services, deployed, cluster, routes, login);
        const pipeline = config.pipeline
            ? new DashboardPipeline("pipeline", config.pipeline, { parent: this, aliases: FORMERLY_TOP_LEVEL })
            : undefined;

        const outputs: PlatformOutputs = {
            portalUrl,
            dashboardUrls: Object.fromEntries(config.dashboards.map((d) => [d.name, deployed.get(d.name)!.url])),
            dashboardImages: pulumi.output(Object.fromEntries(config.dashboards.map((d) => [d.name, deployed.get(d.name)!.imageReference]))),
            dashboardAccessGroups: Object.fromEntries(config.dashboards.map((d) => [d.name, d.accessGroups])),
            loginUrl: login.cognito?.loginUrl,
            userPoolId: login.cognito?.userPoolId,
            albDnsName: cluster.albDnsName,
            albArn: cluster.albArn,
            loadBalancerDnsNames: pulumi.output(Object.fromEntries([...cluster.loadBalancersByNumber()].map(([n, lb]) => [String(n), lb.loadBalancer.dnsName]))),
            routing: Object.fromEntries(services.map((d) => [d.name, { loadBalancer: routes.loadBalancerOf.get(d.name)!, priority: routes.priorities.get(d.name)! }])),
            operationsDashboardUrls: operations.urls,
            usageQueryNames: operations.queryNames,
            domain: config.domain,
            vpcId: cluster.vpcId,
            clusterName: cluster.cluster.name,
            pipelineName: pipeline?.pipelineName,
            pipelineConnectionArn: pipeline?.connectionArn,
            // Typed without the inner `| undefined` (which the package schema cannot express); the value is unchanged.
            pipelineConnectionStatus: pipeline?.connectionStatus as pulumi.Output<string> | undefined,
        };
        // Readonly to users; set here, once, because the constructor may hand the declaring over to `create`.
        Object.assign(this, outputs);
        this.registerOutputs({
            dashboardUrls: this.dashboardUrls, albDnsName: this.albDnsName, portalUrl: this.portalUrl, routing: this.routing,
            operationsDashboardUrls: this.operationsDashboardUrls, usageQueryNames: this.usageQueryNames,
        });
    }

    /** Network, ECS cluster and the load balancers the dashboards are spread over. */
    private createCluster(config: StackConfig, routes: ServiceRoutes): DashboardCluster {
        const network = config.network;
        return new DashboardCluster("dashboards", {
            domain: config.domain,
            hostedZoneId: config.dns.hostedZoneId,
            certificateArn: config.dns.certificateArn,
            vpc: network.kind === "new" ? { natStrategy: network.nat, cidrBlock: network.cidrBlock, availabilityZones: network.availabilityZones } : undefined,
            existingVpc: network.kind === "existing"
                ? { vpcId: network.vpcId, publicSubnetIds: network.publicSubnetIds, privateSubnetIds: network.privateSubnetIds }
                : undefined,
            idleTimeoutSeconds: config.loadBalancer.idleTimeoutSeconds,
            deletionProtection: config.loadBalancer.deletionProtection,
            accessLogs: config.loadBalancer.accessLogs,
            alarmEmails: config.alarmEmails,
            loadBalancers: routes.loadBalancers,
            // Each listener needs a certificate for every extra host it serves: validation has checked each can be served.
            extraHosts: config.dashboards.flatMap((d) => d.extraHosts.map((host) => ({ host, certificateArn: d.extraHostCertificateArns[host], loadBalancer: routes.loadBalancerOf.get(d.name)! }))),
        }, { parent: this, aliases: FORMERLY_TOP_LEVEL });
    }

    /** The Cognito user pool (with a client per dashboard), or the external OIDC provider's login for each. */
    private createLogin(config: StackConfig, services: NormalizedDashboard[], alarmTopicArn: pulumi.Output<string> | undefined): { cognito?: CognitoAuth; loginFor: (d: NormalizedDashboard) => DashboardLogin } {
        const auth = config.auth;
        if (auth.provider === "oidc") {
            const oidc = auth.oidc!;
            return {
                loginFor: (d) => externalOidcLogin(d.name, {
                    host: d.host,
                    issuer: oidc.issuer,
                    authorizationEndpoint: oidc.authorizationEndpoint,
                    tokenEndpoint: oidc.tokenEndpoint,
                    userInfoEndpoint: oidc.userInfoEndpoint,
                    clientId: oidc.clientId,
                    clientSecret: pulumi.secret(oidc.clientSecret),
                    logoutUrl: oidc.logoutUrl,
                    scope: oidc.scope,
                    sessionTimeoutSeconds: auth.sessionTimeoutSeconds,
                }),
            };
        }
        const idps = auth.identityProviders ?? [];
        const cognito = new CognitoAuth("auth", {
            dashboards: services.map((d) => ({ name: d.name, hosts: [d.host, ...d.extraHosts], accessGroups: d.accessGroups })),
            mfa: auth.mfa,
            threatProtection: auth.threatProtection,
            allowSelfSignUp: auth.allowSelfSignUp,
            deletionProtection: auth.deletionProtection,
            passwordMinimumLength: auth.passwordMinimumLength,
            domainPrefix: auth.domainPrefix,
            customDomain: auth.customDomain && {
                ...auth.customDomain,
                hostedZoneId: auth.customDomain.domain.endsWith(`.${config.domain}`) ? config.dns.hostedZoneId : undefined,
            },
            sessionTimeoutSeconds: auth.sessionTimeoutSeconds,
            tokenValidity: auth.tokenValidity,
            email: auth.email,
            groups: auth.groups,
            adminGroups: auth.adminGroups,
            users: auth.users,
            samlProviders: idps.flatMap((p) => (p.type === "saml" ? [{ name: p.name, metadataUrl: p.metadataUrl, metadataFile: p.metadataFile, attributeMapping: p.attributeMapping, signOut: p.signOut }] : [])),
            oidcProviders: idps.flatMap((p) => (p.type === "oidc" ? [{ name: p.name, issuer: p.issuer, clientId: p.clientId, clientSecret: pulumi.secret(p.clientSecret), scopes: p.scopes, attributeMapping: p.attributeMapping }] : [])),
            logRetentionDays: config.defaults.logRetentionDays,
            usage: config.usage,
            alarmTopicArn,
        }, { parent: this, aliases: FORMERLY_TOP_LEVEL });
        return { cognito, loginFor: (d) => cognito.loginFor(d.name) };
    }

    /** `/_dashboards/sign-out` on every host: the session cookies expired, then the identity provider's logout for that host. */
    private createSignOut(
        config: StackConfig,
        services: NormalizedDashboard[],
        deployed: Map<string, DashboardService>,
        cluster: DashboardCluster,
        login: { loginFor: (d: NormalizedDashboard) => DashboardLogin },
    ): SignOut {
        const logoutUrls = pulumi.all(Object.fromEntries(services.flatMap((d) => deployed.get(d.name)!.hosts.map((host) => [host, login.loginFor(d).logoutUrl]))));
        return new SignOut("sign-out", {
            listeners: [...cluster.loadBalancersByNumber()].map(([n, lb]) => ({ loadBalancer: n, listenerArn: lb.httpsListener.arn })),
            logoutUrls,
            logRetentionDays: config.defaults.logRetentionDays,
            reservedConcurrency: config.loadBalancer.signOutConcurrency,
            alarmTopicArn: cluster.alarmTopic?.arn,
        }, { parent: this });
    }

    /**
     * Per load balancer, one CloudWatch dashboard of its services (operationsDashboard.ts lays it out;
     * at most 98 dashboards a load balancer keep each within CloudWatch's widget and metric limits),
     * and, with usage statistics on, the saved usage queries over the login decision lines.
     * Cost note: $3/month per CloudWatch dashboard beyond the account's first three.
     */
    private createOperations(
        config: StackConfig,
        services: NormalizedDashboard[],
        deployed: Map<string, DashboardService>,
        cluster: DashboardCluster,
        routes: ServiceRoutes,
        login: { cognito?: CognitoAuth },
    ): { urls: Record<string, string>; queryNames: string[] } {
        const loginMetricsNamespace = config.usage.enabled ? login.cognito?.usageMetricsNamespace : undefined;
        const urls: Record<string, string> = {};
        for (const [n, lb] of cluster.loadBalancersByNumber()) {
            const name = operationsDashboardName(pulumi.getProject(), pulumi.getStack(), config.region, n);
            const here = services.filter((d) => routes.loadBalancerOf.get(d.name) === n);
            const entries = here.map((d) => {
                const service = deployed.get(d.name)!;
                return pulumi.all([lb.loadBalancer.arnSuffix, service.targetGroup.arnSuffix, cluster.cluster.name, service.service.name]).apply(
                    ([loadBalancerArnSuffix, targetGroupArnSuffix, clusterName, serviceName]): OperationsDashboardEntry => ({
                        name: d.name, loadBalancer: n, loadBalancerArnSuffix, targetGroupArnSuffix, clusterName, serviceName, minTasks: d.minTasks, maxTasks: d.maxTasks,
                    }),
                );
            });
            const body = pulumi.all(entries).apply((dashboards) => {
                const bodies = operationsDashboardBodies({ region: config.region, loginMetricsNamespace, dashboards });
                // Cannot happen within the per-load-balancer limit; refuse rather than drop dashboards from the view.
                if (bodies.length !== 1) throw new Error(`operations dashboard ${name}: ${dashboards.length} dashboards need ${bodies.length} CloudWatch dashboards`);
                return bodies[0].body;
            });
            new aws.cloudwatch.Dashboard(`operations-lb${n}`, { dashboardName: name, dashboardBody: body }, { parent: this });
            urls[String(n)] = operationsDashboardUrl(config.region, name);
        }
        const queryNames: string[] = [];
        if (login.cognito && config.usage.enabled) {
            for (const query of USAGE_QUERY_LIST) {
                const queryName = usageQueryDefinitionName(pulumi.getProject(), pulumi.getStack(), query);
                new aws.cloudwatch.QueryDefinition(`usage-${query.name}`, {
                    name: queryName,
                    queryString: query.queryString,
                    logGroupNames: [login.cognito.decisionLogGroupName],
                }, { parent: this });
                queryNames.push(queryName);
            }
        }
        return { urls, queryNames };
    }

    /** One DashboardService per dashboard and the portal, each behind its login, with its own rule priority. */
    private *createServices(
        config: StackConfig,
        services: NormalizedDashboard[],
        portal: NormalizedDashboard | undefined,
        portalUrl: string | undefined,
        cluster: DashboardCluster,
        login: { cognito?: CognitoAuth; loginFor: (d: NormalizedDashboard) => DashboardLogin },
        appsDir: string,
        routes: ServiceRoutes,
    ): Generator<void, Map<string, DashboardService>, void> {
        const { priorities, slots } = routes;
        const deployed = new Map<string, DashboardService>();
        for (const d of services) {
            if (deployed.size > 0) yield; // `create` lets the SDK register the last one first
            const source = d.image ? undefined : builtFrom(appsDir, d);
            deployed.set(d.name, new DashboardService(d.name, {
            cluster: cluster.forServicesOn(routes.loadBalancerOf.get(d.name)!),
            login: login.loginFor(d),
            // A prebuilt image is run as given; otherwise built from <appsDir>/<app> alone (the platform's
            // helpers as a named context) with its Dockerfile or a generated one, or pinned to an earlier build by imageDigest.
            build: d.image ? undefined : {
                context: `${appsDir}/${d.app}`,
                namedContexts: {
                    [PLATFORM_CONTEXT]: `${appsDir}/shared`,
                    // The portal's catalogue is built into its image (generated build inputs live beside apps/, per stack, git-ignored).
                    ...(d === portal ? { [PORTAL_CATALOGUE_CONTEXT]: writePortalCatalogue(portalCatalogue(config), path.join(path.dirname(appsDir), ".dashboards", pulumi.getStack())) } : {}),
                },
                ...(source?.kind === "generated" ? { dockerfileInline: source.dockerfile } : {}),
                ...(d.buildTarget !== undefined ? { target: d.buildTarget } : {}),
            },
            image: d.image,
            allowMutableTag: d.allowMutableTag,
            imageDigest: d.imageDigest,
            framework: d.framework,
            rulePriority: priorities.get(d.name)!,
            wakeRuleSlots: slots.get(d.name),
            extraHosts: d.extraHosts,
            cpu: d.cpu,
            memory: d.memory,
            minTasks: d.minTasks,
            maxTasks: d.maxTasks,
            idleMinutes: d.idleMinutes,
            displayName: d.displayName,
            platformName: config.portal.title,
            port: d.port,
            // A generated image answers its own health path; an app's own Dockerfile gets the framework's preset.
            healthCheckPath: d.healthCheckPath ?? (source?.kind === "generated" ? source.healthCheckPath : undefined),
            sticky: d.sticky,
            deregistrationDelaySeconds: d.deregistrationDelaySeconds,
            healthCheckGracePeriodSeconds: d.healthCheckGracePeriodSeconds,
            capacity: d.capacity,
            environment: d === portal && login.cognito ? portalEnvironment(config, login.cognito) : d.environment,
            secrets: d.secrets,
            secretKeyArns: d.secretKeyArns,
            taskPolicyArns: d.taskPolicyArns,
            allowPrivilegedTaskPolicies: d.allowPrivilegedTaskPolicies,
            ...writableRoot(d, source),
            logRetentionDays: d.logRetentionDays,
            imagesToKeep: config.defaults.imagesToKeep,
            forceDeleteRepository: config.defaults.forceDeleteRepositories,
            portalUrl: d === portal ? undefined : portalUrl,
            waitForSteadyState: d.waitForSteadyState,
            schedule: d.schedule,
        }, { parent: this, aliases: FORMERLY_TOP_LEVEL }));
        }
        return deployed;
    }
}

/**
 * Routes every service: its load balancer (kept from the last deployment, else the first with
 * room; the portal always on 0), and on that load balancer's listener its rule's priority (kept
 * likewise) and a scale-to-zero waker's two slots.
 */
function routeServices(config: StackConfig, services: NormalizedDashboard[], portal: NormalizedDashboard | undefined, previous: Record<string, Routing>): ServiceRoutes {
    const routed = services.map((d) => (d === portal ? routedPortal(d.name) : routedDashboard(d.name, d.minTasks === 0, d.loadBalancer)));
    const loadBalancerOf = assignLoadBalancers(routed, previous, config.loadBalancer.maxDashboards);
    const loadBalancers = [...new Set([0, ...loadBalancerOf.values()])].sort((a, b) => a - b);
    const priorities = new Map<string, number>();
    const slots = new Map<string, WakeRuleSlots>();
    for (const n of loadBalancers) {
        // Rules of different listeners never meet: priorities are unique per listener.
        const here = services.filter((d) => loadBalancerOf.get(d.name) === n);
        const sleeping = here.filter((d) => d.minTasks === 0).map((d) => d.name);
        const kept = new Map(here.flatMap((d) => (Object.hasOwn(previous, d.name) && previous[d.name].loadBalancer === n ? [[d.name, previous[d.name].priority] as const] : [])));
        // A scale-to-zero dashboard's waker rule gets the free slots just below and above its rule.
        const routedHere = wakeRuleSlots(rulePriorities(here.map((d) => d.name), sleeping, kept), sleeping);
        for (const [name, p] of routedHere.priorities) priorities.set(name, p);
        for (const [name, s] of routedHere.slots) slots.set(name, s);
    }
    return { loadBalancerOf, priorities, slots, loadBalancers };
}

/** How a built dashboard's image is made: its folder's Dockerfile, or the one generated for it (validation has passed). */
function builtFrom(appsDir: string, d: NormalizedDashboard): AppSource {
    // The dashboard's own keys (app, framework, entrypoint, packages, packageSnapshot, buildTarget), as validated.
    const result = resolveAppSource({ ...d, appsDir });
    if (!result.ok) throw new ComponentArgsError("DashboardPlatform", result.problems.map((p) => `dashboards[${d.name}].${p.key}: ${p.message}`));
    return result.source;
}

/**
 * The root file system: read-only unless the stack file says otherwise for a generated image (its
 * writable folders the ones it declares: /tmp, and Flask's instance folder) and for the app's own
 * Dockerfile when the stage it builds declares VOLUME /tmp (each of its VOLUMEs writable, with the
 * stack file's writablePaths); writable for other Dockerfiles and prebuilt images unless the stack
 * file says read-only.
 */
function writableRoot(d: NormalizedDashboard, source: AppSource | undefined): Pick<DashboardServiceArgs, "readonlyRootFilesystem" | "writablePaths"> {
    const declared = source?.kind === "generated" ? source.writablePaths : source?.kind === "dockerfile" ? source.stage?.volumes ?? [] : [];
    const readonly = d.readonlyRootFilesystem ?? readonlyByDefault({ generated: source?.kind === "generated", volumes: declared });
    if (!readonly) return { readonlyRootFilesystem: false };
    return { readonlyRootFilesystem: true, writablePaths: [...declared.filter((p) => p !== ALWAYS_WRITABLE), ...d.writablePaths] };
}

/** The portal is deployed like a dashboard that every signed-in user may open. */
function portalDashboard(config: StackConfig): NormalizedDashboard | undefined {
    if (!config.portal.enabled) return undefined;
    return {
        name: config.portal.name,
        framework: "custom",
        displayName: config.portal.title,
        description: "The dashboards you may open",
        app: "portal",
        allowMutableTag: false,
        host: config.portal.host,
        extraHosts: [],
        extraHostCertificateArns: {},
        cpu: 256,
        memory: 512,
        // Two tasks once any dashboard asks for more than one: the portal is everyone's way in.
        minTasks: config.dashboards.some((d) => d.minTasks > 1) ? 2 : 1,
        maxTasks: 4,
        accessGroups: [],
        environment: {},
        secrets: {},
        secretKeyArns: [],
        taskPolicyArns: [],
        allowPrivilegedTaskPolicies: false,
        // Read-only as its Dockerfile allows: apps/portal/Dockerfile declares VOLUME ["/tmp"], and it writes nothing else.
        writablePaths: [],
        port: 8080,
        healthCheckPath: "/health",
        capacity: config.defaults.capacity,
        logRetentionDays: config.defaults.logRetentionDays,
        waitForSteadyState: config.defaults.waitForSteadyState,
        schedule: config.portal.schedule,
    };
}

/** The pool that issues the tokens the portal reads (its catalogue is in its image: see portalCatalogue). */
function portalEnvironment(config: StackConfig, cognito: CognitoAuth): Record<string, pulumi.Input<string>> {
    return {
        COGNITO_USER_POOL_ID: cognito.userPoolId,
        COGNITO_CLIENT_ID: cognito.loginFor(config.portal.name).clientId,
    };
}

/** What the portal lists, as apps/portal/src/config.ts reads it: every dashboard with who may open it. */
export function portalCatalogue(config: StackConfig): string {
    return JSON.stringify({
        title: config.portal.title,
        adminGroups: config.auth.adminGroups ?? [],
        dashboards: config.dashboards.map((d) => ({
            name: d.name, displayName: d.displayName, description: d.description, framework: d.framework, url: `https://${d.host}`, accessGroups: d.accessGroups,
            // The heading the portal groups it under.
            ...(d.category !== undefined ? { category: d.category } : {}),
            // The portal shows a dashboard outside its hours as asleep; absent (around the clock), it is left out.
            schedule: d.schedule,
            // A scale-to-zero dashboard: the portal says its first open may take a minute.
            ...(d.idleMinutes !== undefined ? { idleMinutes: d.idleMinutes } : {}),
        })),
    });
}
