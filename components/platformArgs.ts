/**
 * The arguments of `DashboardPlatform`: the stack file's model as typed interfaces, one property
 * per `dashboards:<key>` of `Pulumi.<stack>.yaml`, with the same names, nesting and defaults.
 *
 * They are plain interfaces (no unions, choices as documented strings) so that Pulumi's analyzer
 * can publish them in the component package schema for Python, Go, .NET and YAML programs. The
 * rules live in one place, the stack-file schema in stackConfig.ts: `DashboardPlatform` runs it on
 * these arguments before it declares anything (`validateDashboardPlatformArgs`), and
 * test/package/schema.test.ts checks that both list the same keys.
 */
import type { DashboardPipelineArgs } from "./dashboardPipeline";

/** Where the dashboards' names resolve and which certificate serves them. Set at least one of the two. */
export interface PlatformDnsArgs {
    /**
     * Route 53 hosted zone that contains `domain`: the wildcard certificate is validated and every
     * dashboard's record is created here.
     * @example "Z0123456789ABCDEFGHIJ"
     */
    hostedZoneId?: string;
    /**
     * An existing ACM certificate for `*.<domain>` in the stack's region. Without `hostedZoneId`,
     * DNS is managed elsewhere: point `*.<domain>` at the `albDnsName` output.
     */
    certificateArn?: string;
}

/** The network: a new VPC (the default), or an existing one when `vpcId` is set. */
export interface PlatformNetworkArgs {
    /**
     * NAT for a new VPC: `none` (tasks in public subnets with public IPs, no NAT cost), `single`
     * (~$33/month) or `one-per-az` (survives an AZ outage).
     * @default "single"
     */
    nat?: string;
    /**
     * IPv4 CIDR block of a new VPC, from /16 to /24.
     * @default "10.0.0.0/16"
     */
    cidrBlock?: string;
    /**
     * Availability zones of a new VPC (2 to 6).
     * @default 2
     */
    availabilityZones?: number;
    /** Deploy into this existing VPC instead of creating one. */
    vpcId?: string;
    /** Existing VPC: public subnets for the load balancer, in at least two availability zones. */
    publicSubnetIds?: string[];
    /**
     * Existing VPC: private subnets with egress (NAT or VPC endpoints) for the tasks.
     * @default [] (tasks run in the public subnets with public IPs)
     */
    privateSubnetIds?: string[];
}

/** Access logs of the load balancer. */
export interface PlatformAccessLogsArgs {
    /** Write access logs to an encrypted S3 bucket of the stack. */
    enabled: boolean;
    /**
     * Days before a log object expires.
     * @default 90
     */
    retentionDays?: number;
}

/** The shared Application Load Balancer. */
export interface PlatformLoadBalancerArgs {
    /**
     * Dashboards per load balancer (1 to 98). Past it, new dashboards go to a further load balancer
     * (each ~$16/month), and none that is deployed ever moves. An ALB holds 100 rules and 100 target
     * groups: the default leaves room for scale-to-zero dashboards, which take two of each.
     * @default 90
     */
    maxDashboards?: number;
    /**
     * Seconds an idle connection (such as a quiet websocket) stays open, 1 to 4000.
     * @default 600
     */
    idleTimeoutSeconds?: number;
    /**
     * Refuse to delete the load balancer (turn it off before `pulumi destroy`).
     * @default false
     */
    deletionProtection?: boolean;
    /**
     * Concurrent executions reserved for the sign-out function (1 to 900), which also caps it: its path
     * answers without a login, and a flood of it must not use up the Lambda concurrency that the login
     * check shares. An account keeps at least 100 unreserved, so accounts with a quota of 10 cannot set it.
     * @default none reserved
     */
    signOutConcurrency?: number;
    /** Access logs of every request to an S3 bucket. @default { enabled: false } */
    accessLogs?: PlatformAccessLogsArgs;
}

/** A Cognito group that dashboards can name in `accessGroups`. */
export interface PlatformGroupArgs {
    /** Group name: 1-128 letters, digits or punctuation, no spaces. */
    name: string;
    /** What the group is for (at most 2048 characters). */
    description?: string;
    /** Lower wins when a user is in several groups with IAM roles; informative otherwise. */
    precedence?: number;
}

/** A user created (and invited by email) when the stack is deployed. */
export interface PlatformUserArgs {
    /** The user's email address: their user name, where the invitation goes. */
    email: string;
    /** Declared groups the user joins. */
    groups?: string[];
}

/** Which claims of a federated identity provider carry the email and the groups. */
export interface PlatformAttributeMappingArgs {
    /** IdP attribute or claim that carries the user's email. */
    email: string;
    /** IdP attribute or claim that carries the user's groups (mapped to `custom:groups`). */
    groups?: string;
}

/** Company sign-in federated through Cognito: SAML or OIDC. */
export interface PlatformIdentityProviderArgs {
    /** `saml` or `oidc`. */
    type: string;
    /** Provider name shown on the hosted login (3-32 characters). */
    name: string;
    /** SAML: URL of the IdP's metadata (preferred: it follows certificate rotation). */
    metadataUrl?: string;
    /** SAML: path, relative to the project, of a metadata XML file when the IdP has no metadata URL. */
    metadataFile?: string;
    /** SAML: sign the user out of the IdP too when they sign out. */
    signOut?: boolean;
    /** OIDC: issuer URL (https). */
    issuer?: string;
    /** OIDC: client id at the provider. */
    clientId?: string;
    /** OIDC: client secret at the provider; kept as a Pulumi secret. */
    clientSecret?: string;
    /** OIDC: scopes to request. @default ["openid", "email", "profile"] */
    scopes?: string[];
    /** Which of the provider's claims carry the email and the groups. */
    attributeMapping: PlatformAttributeMappingArgs;
}

/** An external OIDC provider used directly by the load balancer (`auth.provider: oidc`). */
export interface PlatformExternalOidcArgs {
    /** Issuer URL (https), as in the provider's discovery document. */
    issuer: string;
    /** Authorization endpoint (https). */
    authorizationEndpoint: string;
    /** Token endpoint (https). */
    tokenEndpoint: string;
    /** User info endpoint (https). */
    userInfoEndpoint: string;
    /** Client id of the load balancer at the provider. */
    clientId: string;
    /** Kept as a Pulumi secret. */
    clientSecret: string;
    /** Full logout URL of the provider, if it has one; the apps redirect there on sign-out. */
    logoutUrl?: string;
    /** Scopes the load balancer requests, space separated. @default "openid email profile" */
    scope?: string;
}

/** A custom domain for the hosted login. */
export interface PlatformCustomDomainArgs {
    /** The login's host name, e.g. `login.dashboards.example.com`. */
    domain: string;
    /** ACM certificate for `domain`; Cognito needs it in us-east-1. */
    certificateArn: string;
}

/** Lifetimes of the tokens Cognito issues. */
export interface PlatformTokenValidityArgs {
    /** Minutes an access token is valid, 5 to 1440. @default 60 */
    accessTokenMinutes?: number;
    /** Minutes an ID token is valid, 5 to 1440. @default 60 */
    idTokenMinutes?: number;
    /** Days a refresh token is valid, 1 to 3650. @default 1 */
    refreshTokenDays?: number;
}

/** Send the user pool's email through an SES identity (Cognito's own email has a small daily quota). */
export interface PlatformEmailArgs {
    /** ARN of the verified SES identity. */
    sourceArn: string;
    /** The From address (optionally with a display name), of the identity's domain. */
    fromEmailAddress: string;
    /** Where replies to the pool's email go. */
    replyToEmailAddress?: string;
    /** SES configuration set for the pool's email (delivery events). */
    configurationSet?: string;
}

/** Sign-in: a Cognito user pool of the stack (the default), or an external OIDC provider. */
export interface PlatformAuthArgs {
    /**
     * `cognito`: a user pool made by this stack (groups, MFA, SSO federation). `oidc`: an
     * external provider used directly by the load balancer (`oidc` below).
     * @default "cognito"
     */
    provider?: string;
    /** Authenticator-app MFA (TOTP): `off`, `optional` or `required`. @default "optional" */
    mfa?: string;
    /** Cognito threat protection: `off`, `audit` or `enforced` (not `off` needs the Plus plan). @default "off" */
    threatProtection?: string;
    /** Let people create their own accounts; otherwise only admins create users. @default false */
    allowSelfSignUp?: boolean;
    /**
     * Protect the user pool from deletion and replacement (Cognito deletion protection plus
     * Pulumi `protect`/`retainOnDelete`), so no deploy can lose the user accounts. Turn it on in production.
     * @default false
     */
    deletionProtection?: boolean;
    /** Minimum password length, 12 to 99. @default 12 */
    passwordMinimumLength?: number;
    /** Hosted-login domain prefix (`<prefix>.auth.<region>.amazoncognito.com`, `auth-fips` in GovCloud). @default a unique prefix derived from project and stack */
    domainPrefix?: string;
    /** A custom domain for the hosted login instead of the Cognito prefix domain. */
    customDomain?: PlatformCustomDomainArgs;
    /** Lifetime of the load balancer's login session (cookie), 60 to 604800 seconds. @default 28800 */
    sessionTimeoutSeconds?: number;
    /** Lifetimes of the access, ID and refresh tokens. */
    tokenValidity?: PlatformTokenValidityArgs;
    /** Groups that dashboards can name in `accessGroups`. */
    groups?: PlatformGroupArgs[];
    /** Members of these groups may open every dashboard. */
    adminGroups?: string[];
    /** Users created (and invited by email) when the stack is deployed. */
    users?: PlatformUserArgs[];
    /** Company sign-in (SAML or OIDC) federated through the user pool. */
    identityProviders?: PlatformIdentityProviderArgs[];
    /** With `provider: oidc`: the external provider's endpoints and client. */
    oidc?: PlatformExternalOidcArgs;
    /** Send the pool's email (invitations, codes) through SES. @default Cognito's own email (small daily quota) */
    email?: PlatformEmailArgs;
}

/** An extra host name routed to a dashboard. */
export interface PlatformExtraHostArgs {
    /**
     * The host name. `x.<domain>` is covered by the wildcard certificate; deeper names in the
     * stack's zone get a certificate requested; any other name needs `certificateArn`.
     */
    host: string;
    /** ACM certificate (in the stack's region) that covers `host`, attached to the HTTPS listener. */
    certificateArn?: string;
}

/** Office hours: when a dashboard runs. Each key a dashboard leaves out comes from `defaults.schedule`. */
export interface PlatformScheduleArgs {
    /** Days it runs: `MON-FRI`, `MON,WED,FRI`, or `*` for every day. @default "MON-FRI" */
    days?: string;
    /** Start of the hours, `HH:MM` (24 h) in `timeZone`; required once a schedule is set. */
    start?: string;
    /** End of the hours, `HH:MM`, later the same day; required once a schedule is set. */
    stop?: string;
    /** IANA time zone of `start` and `stop`. @default "UTC" @example "Europe/Zurich" */
    timeZone?: string;
    /** Tasks that keep running outside the hours (at most `minTasks`). @default 0 (asleep) */
    tasksOutside?: number;
    /** `false` keeps this dashboard running around the clock although `defaults.schedule` is set. @default true */
    enabled?: boolean;
}

/** One dashboard: its own image, Fargate service, target group and host rule behind the login. */
export interface PlatformDashboardArgs {
    /**
     * DNS label: the dashboard is served at `https://<name>.<domain>`.
     * @example "sales-kpis"
     */
    name: string;
    /** `shiny`, `dash`, `streamlit`, `flask` or `custom`: sets the port, health check and stickiness. */
    framework: string;
    /** Name shown in the portal. @default name */
    displayName?: string;
    /** One line shown in the portal. */
    description?: string;
    /**
     * The heading the portal lists the dashboard under, 1 to 64 characters; dashboards without one
     * come last, under "Other" (no headings at all when none has one).
     * @default none
     * @example "Finance"
     */
    category?: string;
    /** Folder of `appsDir` holding the Dockerfile. @default name */
    app?: string;
    /**
     * A prebuilt image to run instead of building one: `<registry>/<repository>@sha256:<64 hex>`.
     * No build, repository or lifecycle policy is made for it.
     */
    image?: string;
    /** Accept an `image` pinned by tag only (mutable; the deploy is not repeatable). @default false */
    allowMutableTag?: boolean;
    /** Pin a built dashboard to an earlier image of its own repository (`sha256:...`), without building. */
    imageDigest?: string;
    /**
     * The Dockerfile stage to build, for a multi-stage Dockerfile whose last stage is not the one to
     * deploy (e.g. a dev image). @default the last stage
     * @example "production"
     */
    buildTarget?: string;
    /**
     * For an app folder without a Dockerfile: the entry point to run instead of the detected one.
     * Shiny: the folder or file (`app.R`, `dashboard/`); Streamlit: the script; Dash and Flask:
     * `module:attribute`, `file.py` or `module:factory` (an application factory).
     * @default detected from the usual names (app.R, app.py, streamlit_app.py, main.py, ...)
     * @example "dashboard.py"
     */
    entrypoint?: string;
    /**
     * For a Shiny app folder without a Dockerfile: the R packages to install instead of the detected
     * ones (renv.lock, DESCRIPTION Imports, or the library() calls). shiny is always added.
     * @default detected
     * @example ["shiny", "ggplot2", "DT"]
     */
    packages?: string[];
    /**
     * For an app folder without a Dockerfile: install packages as published up to this day, so a
     * rebuild gets the same versions even for requirements that are not pinned (PyPI uploads before
     * the day, through pip's --uploaded-prior-to; CRAN as Posit Package Manager had it that day).
     * A pinned version published later than the day then fails the build: set a later day. `latest`
     * takes no snapshot: the newest versions the requirements allow, at each build.
     * @default the platform's snapshot: PyPI before `PYPI_SNAPSHOT`, CRAN as of `CRAN_SNAPSHOT`'s day (components/generatedDockerfile.ts)
     * @example "2026-11-02"
     */
    packageSnapshot?: string;
    /** Fargate CPU units. @default 256 */
    cpu?: number;
    /** Fargate memory in MiB; must pair with `cpu`. @default 512 */
    memory?: number;
    /**
     * Tasks that always run (0 to 100). `0` scales to zero: the dashboard sleeps after `idleMinutes`
     * without requests and wakes when a signed-in user who may open it arrives, who sees a
     * "Starting..." page meanwhile. Not with office hours (`schedule`). @default 1
     */
    minTasks?: number;
    /** Most tasks the service scales out to on CPU (1 to 100). @default the larger of 2 and minTasks */
    maxTasks?: number;
    /**
     * The load balancer that serves this dashboard, 0 to 49, instead of the one assigned (the first
     * with room when it was added, kept ever after). Pin to move a dashboard on purpose, or to
     * rebuild the assignment after the stack's state was lost. The portal is always on 0.
     * @default assigned
     */
    loadBalancer?: number;
    /** With `minTasks: 0`: minutes without a request after which it sleeps (10 to 1440). @default 30 */
    idleMinutes?: number;
    /** Groups whose members may open this dashboard; empty = every signed-in user. @default [] */
    accessGroups?: string[];
    /** Further host names routed to this dashboard (at most 4). */
    extraHosts?: PlatformExtraHostArgs[];
    /** Plain environment variables of the container. */
    environment?: Record<string, string>;
    /** Secret environment variables: name to SSM parameter ARN or full Secrets Manager secret ARN. */
    secrets?: Record<string, string>;
    /**
     * Customer-managed KMS keys that encrypt some of `secrets`: the execution role may decrypt those
     * secrets with exactly these keys, through SSM or Secrets Manager only. Key ARNs, not aliases.
     * @default []
     * @example ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
     */
    secretKeyArns?: string[];
    /**
     * Managed policy ARNs attached to the task role (it grants nothing by default). Administrator-level
     * AWS managed policies (AdministratorAccess, PowerUserAccess, IAMFullAccess, ...) are refused
     * unless `allowPrivilegedTaskPolicies` is set. @default []
     */
    taskPolicyArns?: string[];
    /** Accept an administrator-level AWS managed policy in `taskPolicyArns`. @default false */
    allowPrivilegedTaskPolicies?: boolean;
    /**
     * Run the container with a read-only root file system; only /tmp and `writablePaths` are writable
     * (the task's own storage, as long as the task). An image that runs as a non-root user must
     * declare each with `VOLUME`, as generated images do for theirs.
     * @default true for a generated image (a folder without a Dockerfile) and for the app's own Dockerfile when the stage it builds declares `VOLUME /tmp` (its other VOLUMEs writable too); false otherwise and for a prebuilt `image`
     */
    readonlyRootFilesystem?: boolean;
    /**
     * With `readonlyRootFilesystem: true` and the app's own Dockerfile or a prebuilt image: further
     * folders the app writes, besides /tmp (absolute, at most 10). Not for a generated image.
     * @default []
     * @example ["/app/cache"]
     */
    writablePaths?: string[];
    /** Container port. @default the framework's */
    port?: number;
    /** Health check path. @default the framework's */
    healthCheckPath?: string;
    /** Sticky sessions (load balancer cookie). @default the framework's */
    sticky?: boolean;
    /** Seconds to drain a task being replaced (0-3600; under 120 on Spot). */
    deregistrationDelaySeconds?: number;
    /** Seconds after start during which failed health checks are ignored. */
    healthCheckGracePeriodSeconds?: number;
    /** `on-demand`, `spot` or `mixed`. @default defaults.capacity */
    capacity?: string;
    /** Days the container's logs are kept (a CloudWatch Logs retention). @default defaults.logRetentionDays */
    logRetentionDays?: number;
    /** `pulumi up` waits until the rollout is steady, and fails when it is not. @default defaults.waitForSteadyState */
    waitForSteadyState?: boolean;
    /** Office hours of this dashboard, over `defaults.schedule`. @default defaults.schedule (none: around the clock) */
    schedule?: PlatformScheduleArgs;
}

/** Settings every dashboard takes unless it says otherwise. */
export interface PlatformDefaultsArgs {
    /** `on-demand`, `spot` (about 70% cheaper, may be interrupted) or `mixed`. @default "on-demand" */
    capacity?: string;
    /** A CloudWatch Logs retention in days. @default 30 */
    logRetentionDays?: number;
    /** Images kept per repository. @default 10 */
    imagesToKeep?: number;
    /** Let `pulumi destroy` delete repositories with their images (handy in dev). @default false */
    forceDeleteRepositories?: boolean;
    /** `pulumi up` waits until every rollout is steady, and fails when one is not. @default true */
    waitForSteadyState?: boolean;
    /** Office hours of every dashboard (the portal's only when it sets `portal.schedule`). @default none: dashboards run around the clock */
    schedule?: PlatformScheduleArgs;
}

/** Alarm notifications. */
export interface PlatformAlarmsArgs {
    /** Email addresses that receive alarms (unhealthy tasks, 5xx). */
    emails?: string[];
}

/** Usage statistics from the login trigger (who opens which dashboard, and when). */
export interface PlatformUsageArgs {
    /**
     * Record `Logins` and `Denied` per dashboard as CloudWatch metrics, save the usage queries and
     * show logins on the operations dashboard. The login decision lines are written either way
     * (they are the access audit trail).
     * @default true
     */
    enabled?: boolean;
    /**
     * What identifies the user in the login decision lines: `hashed` (a salted hash, a Pulumi
     * secret per stack: distinct users can be counted, nobody is named), `sub` (the user pool's user
     * id) or `email`. (A string rather than a union: the package schema has no unions.)
     * @default "hashed"
     * @example "email"
     */
    userKey?: string;
}

/** The portal: a page listing the dashboards each user may open. */
export interface PlatformPortalArgs {
    /** Deploy the portal. @default true with Cognito sign-in, false with an external OIDC provider */
    enabled?: boolean;
    /** Host label: the portal is served at `https://<name>.<domain>`. @default "portal" */
    name?: string;
    /** Page title. @default "Dashboards" */
    title?: string;
    /** Office hours of the portal, over `defaults.schedule`. @default none: around the clock */
    schedule?: PlatformScheduleArgs;
}

/** Everything one dashboard platform is made of, in the stack file's words. */
export interface DashboardPlatformArgs {
    /**
     * Parent domain of every dashboard host.
     * @example "dashboards.example.com"
     */
    domain: string;
    /** The Route 53 zone of `domain` and/or an existing certificate for `*.<domain>`. */
    dns: PlatformDnsArgs;
    /** The VPC. @default a new VPC with one NAT gateway over two availability zones */
    network?: PlatformNetworkArgs;
    /** The load balancers' size, idle timeout, deletion protection and access logs. */
    loadBalancer?: PlatformLoadBalancerArgs;
    /** Sign-in. @default a Cognito user pool with optional MFA and no self sign-up */
    auth?: PlatformAuthArgs;
    /** At least one; `loadBalancer.maxDashboards` per load balancer, on as many as they need. */
    dashboards: PlatformDashboardArgs[];
    /** Settings every dashboard takes unless it sets its own. */
    defaults?: PlatformDefaultsArgs;
    /** Who is told when a dashboard is unhealthy. */
    alarms?: PlatformAlarmsArgs;
    /** Usage statistics and what identifies a user in them. */
    usage?: PlatformUsageArgs;
    /** The page that lists the dashboards each user may open. */
    portal?: PlatformPortalArgs;
    /** An AWS-native pipeline that runs `pulumi up` on every push. */
    pipeline?: DashboardPipelineArgs;
    /**
     * The AWS region the stack deploys to, for the checks that depend on it (such as certificates in
     * the load balancer's region). It does not choose the region: the AWS provider does, and a
     * different `aws:region` is refused. Not a stack-file key.
     * @default the `aws:region` config of the program
     */
    region?: string;
    /**
     * Folder whose sub-folders (`app`) hold the dashboards' Dockerfiles; each is checked on disk
     * before anything is declared. Relative paths are taken from the working directory.
     * @default "apps"
     */
    appsDir?: string;
    /**
     * Where the last deployment routed each dashboard: the platform's `routing` output, read back.
     * Dashboards stay on their load balancer and keep their listener-rule priority, so adding or
     * removing one never moves another. `index.ts` reads it from the stack itself; a program of
     * its own passes its stack's `routing` output. Entries that are not well formed are ignored
     * (those dashboards are placed anew). Not a stack-file key.
     * @default {} (every dashboard placed anew, as on a first deployment)
     * @example { sales: { loadBalancer: 0, priority: 17423 } }
     */
    routing?: Record<string, PlatformRoutingArgs>;
}

/** Where one dashboard is routed: its load balancer and its listener rule's priority there. */
export interface PlatformRoutingArgs {
    /** Number of the load balancer, 0 for the first. */
    loadBalancer: number;
    /** Priority of the dashboard's listener rule on that load balancer's HTTPS listener. */
    priority: number;
}
