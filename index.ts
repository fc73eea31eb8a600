/**
 * The dashboards program: one stack = one ALB, one ECS cluster, one login (Cognito or an external
 * OIDC provider), and one Fargate service per dashboard in the stack file, plus the portal.
 * Run it with `pulumi up` (real AWS) or `npm run plan -- <stack>` (offline, mocked).
 *
 * The stack file is validated in full before any resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { CognitoAuth, DashboardLogin, externalOidcLogin } from "./components/cognitoAuth";
import { StackConfigError } from "./components/configError";
import { DashboardCluster } from "./components/dashboardCluster";
import { DashboardPipeline } from "./components/dashboardPipeline";
import { DashboardService } from "./components/dashboardService";
import { rulePriorities } from "./components/routing";
import { NormalizedDashboard, validateStackConfig } from "./components/stackConfig";

const result = validateStackConfig(pulumi.runtime.allConfig(), pulumi.getProject(), { appsDir: `${__dirname}/apps` });
if (!result.ok) {
    throw new StackConfigError(pulumi.getStack(), result.problems);
}
const config = result.config;

// --- Shared base: network, cluster, load balancer ------------------------------------------------
const cluster = new DashboardCluster("dashboards", {
    domain: config.domain,
    hostedZoneId: config.dns.hostedZoneId,
    certificateArn: config.dns.certificateArn,
    vpc: config.network.kind === "new"
        ? { natStrategy: config.network.nat, cidrBlock: config.network.cidrBlock, availabilityZones: config.network.availabilityZones }
        : undefined,
    existingVpc: config.network.kind === "existing"
        ? { vpcId: config.network.vpcId, publicSubnetIds: config.network.publicSubnetIds, privateSubnetIds: config.network.privateSubnetIds }
        : undefined,
    idleTimeoutSeconds: config.loadBalancer.idleTimeoutSeconds,
    deletionProtection: config.loadBalancer.deletionProtection,
    accessLogs: config.loadBalancer.accessLogs,
    alarmEmails: config.alarmEmails,
    // The listener needs a certificate for every extra host: the validator has checked each can be served.
    extraHosts: config.dashboards.flatMap((d) => d.extraHosts.map((host) => ({ host, certificateArn: d.extraHostCertificateArns[host] }))),
});

// The portal is deployed like a dashboard that every signed-in user may open.
const portal: NormalizedDashboard | undefined = config.portal.enabled
    ? {
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
        minTasks: config.dashboards.some((d) => d.minTasks > 1) ? 2 : 1,
        maxTasks: 4,
        accessGroups: [],
        environment: {},
        secrets: {},
        taskPolicyArns: [],
        port: 8080,
        healthCheckPath: "/health",
        capacity: config.defaults.capacity,
        logRetentionDays: config.defaults.logRetentionDays,
        waitForSteadyState: config.defaults.waitForSteadyState,
    }
    : undefined;
const services = [...config.dashboards, ...(portal ? [portal] : [])];

// --- Login ---------------------------------------------------------------------------------------
let auth: CognitoAuth | undefined;
let loginFor: (d: NormalizedDashboard) => DashboardLogin;
if (config.auth.provider === "cognito") {
    const a = config.auth;
    const idps = a.identityProviders ?? [];
    const cognito = new CognitoAuth("auth", {
        dashboards: services.map((d) => ({ name: d.name, hosts: [d.host, ...d.extraHosts], accessGroups: d.accessGroups })),
        mfa: a.mfa,
        threatProtection: a.threatProtection,
        allowSelfSignUp: a.allowSelfSignUp,
        deletionProtection: a.deletionProtection,
        passwordMinimumLength: a.passwordMinimumLength,
        domainPrefix: a.domainPrefix,
        customDomain: a.customDomain && {
            ...a.customDomain,
            hostedZoneId: a.customDomain.domain.endsWith(`.${config.domain}`) ? config.dns.hostedZoneId : undefined,
        },
        sessionTimeoutSeconds: a.sessionTimeoutSeconds,
        tokenValidity: a.tokenValidity,
        email: a.email,
        groups: a.groups,
        adminGroups: a.adminGroups,
        users: a.users,
        samlProviders: idps.flatMap((p) => (p.type === "saml" ? [{ name: p.name, metadataUrl: p.metadataUrl, metadataFile: p.metadataFile, attributeMapping: p.attributeMapping, signOut: p.signOut }] : [])),
        oidcProviders: idps.flatMap((p) => (p.type === "oidc" ? [{ name: p.name, issuer: p.issuer, clientId: p.clientId, clientSecret: pulumi.secret(p.clientSecret), scopes: p.scopes, attributeMapping: p.attributeMapping }] : [])),
        logRetentionDays: config.defaults.logRetentionDays,
    });
    auth = cognito;
    loginFor = (d) => cognito.loginFor(d.name);
} else {
    const oidc = config.auth.oidc!;
    loginFor = (d) => externalOidcLogin(d.name, {
        host: d.host,
        issuer: oidc.issuer,
        authorizationEndpoint: oidc.authorizationEndpoint,
        tokenEndpoint: oidc.tokenEndpoint,
        userInfoEndpoint: oidc.userInfoEndpoint,
        clientId: oidc.clientId,
        clientSecret: pulumi.secret(oidc.clientSecret),
        logoutUrl: oidc.logoutUrl,
        scope: oidc.scope,
        sessionTimeoutSeconds: config.auth.sessionTimeoutSeconds,
    });
}

// --- One service per dashboard ---------------------------------------------------------------
const priorities = rulePriorities(services.map((d) => d.name));
/** The portal listing the dashboards each user may open. */
export const portalUrl = portal ? `https://${portal.host}` : undefined;

function portalEnvironment(cognito: CognitoAuth): Record<string, pulumi.Input<string>> {
    return {
        PORTAL_CONFIG: JSON.stringify({
            title: config.portal.title,
            adminGroups: config.auth.adminGroups ?? [],
            dashboards: config.dashboards.map((d) => ({
                name: d.name, displayName: d.displayName, description: d.description, framework: d.framework, url: `https://${d.host}`, accessGroups: d.accessGroups,
            })),
        }),
        COGNITO_USER_POOL_ID: cognito.userPoolId,
        COGNITO_CLIENT_ID: cognito.loginFor(config.portal.name).clientId,
    };
}

const deployed = new Map(services.map((d) => [d.name, new DashboardService(d.name, {
    cluster: cluster.forServices,
    login: loginFor(d),
    // A prebuilt image is run as given; otherwise built from apps/<app>, or pinned to an earlier build by imageDigest.
    build: d.image ? undefined : { context: "apps", dockerfile: `apps/${d.app}/Dockerfile` },
    image: d.image,
    allowMutableTag: d.allowMutableTag,
    imageDigest: d.imageDigest,
    framework: d.framework,
    rulePriority: priorities.get(d.name)!,
    extraHosts: d.extraHosts,
    cpu: d.cpu,
    memory: d.memory,
    minTasks: d.minTasks,
    maxTasks: d.maxTasks,
    port: d.port,
    healthCheckPath: d.healthCheckPath,
    sticky: d.sticky,
    deregistrationDelaySeconds: d.deregistrationDelaySeconds,
    healthCheckGracePeriodSeconds: d.healthCheckGracePeriodSeconds,
    capacity: d.capacity,
    environment: d === portal && auth ? portalEnvironment(auth) : d.environment,
    secrets: d.secrets,
    taskPolicyArns: d.taskPolicyArns,
    logRetentionDays: d.logRetentionDays,
    imagesToKeep: config.defaults.imagesToKeep,
    forceDeleteRepository: config.defaults.forceDeleteRepositories,
    portalUrl: d === portal ? undefined : portalUrl,
    waitForSteadyState: d.waitForSteadyState,
})]));

// --- Optional AWS-native deployment pipeline ---------------------------------------------------
const pipeline = config.pipeline ? new DashboardPipeline("pipeline", config.pipeline) : undefined;

// --- Outputs ---------------------------------------------------------------------------------
/** Each dashboard's URL, by name. */
export const dashboardUrls = Object.fromEntries(config.dashboards.map((d) => [d.name, deployed.get(d.name)!.url]));
/** The image each dashboard runs, by name: `<repository>@sha256:...` (built or pinned by imageDigest) or the prebuilt image. */
export const dashboardImages = Object.fromEntries(config.dashboards.map((d) => [d.name, deployed.get(d.name)!.imageReference]));
/** Groups allowed to open each dashboard (empty: every signed-in user). */
export const dashboardAccessGroups = Object.fromEntries(config.dashboards.map((d) => [d.name, d.accessGroups]));
/** Hosted login of the Cognito user pool (users normally start at a dashboard instead). */
export const loginUrl = auth?.loginUrl;
export const userPoolId = auth?.userPoolId;
/** DNS name of the load balancer (point `*.<domain>` here when DNS is managed outside Route 53). */
export const albDnsName = cluster.albDnsName;
/** ARN of the load balancer: apps verify `x-amzn-oidc-data`'s signer against it. */
export const albArn = cluster.albArn;
export const domain = config.domain;
export const vpcId = cluster.vpcId;
export const clusterName = cluster.cluster.name;
/** The deployment pipeline, when `pipeline` is configured; its connection must be approved once while PENDING. */
export const pipelineName = pipeline?.pipelineName;
export const pipelineConnectionArn = pipeline?.connectionArn;
export const pipelineConnectionStatus = pipeline?.connectionStatus;
