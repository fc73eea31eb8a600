/**
 * The stack configuration model: one typed, documented schema for everything a stack file
 * (`Pulumi.<stack>.yaml`) sets, and its validation.
 *
 * Validation runs before any resource is declared and reports every problem at once, each as
 * `<stack-file key>: <what is wrong>; <what is allowed>`. Shape errors come from zod; rules that
 * span several fields (Fargate sizes, unique names and hosts, declared groups, quotas) are checked
 * in a second pass over whatever parts of the input are well-formed, so one typo never hides the
 * other problems.
 */
import { z } from "zod";
import { USER_KEYS, type UserKeyKind } from "../functions/preTokenGeneration/usage";
import { APP_FOLDER_DESCRIPTION, APP_FOLDER_NAME, appFolderChecker } from "./appFolder";
import { AppSourceRequest, AppSourceResult, resolveAppSource } from "./appSource";
import { CertificateContext, coverage, ExtraHost, LISTENER_CERTIFICATE_LIMIT, listenerCertificatePlan } from "./certificates";
import { adminGroupsBytes, clientAccessBytes, COGNITO_APP_CLIENT_LIMIT, SES_FIELDS, sesSenderMismatch, SSM_ADVANCED_MAX_BYTES } from "./cognitoNames";
import { parseConfigJson, REPORTED, RESERVED_KEY_MESSAGE, RESERVED_KEYS } from "./configJson";
import { describeValues, FARGATE_CPU_VALUES, fargateMemoryOptions } from "./fargate";
import { LATEST_PACKAGES } from "./generatedDockerfile";
import {
    ALB_RULE_LIMIT, ALB_TARGET_GROUP_LIMIT, assignLoadBalancers, DEFAULT_DASHBOARDS_PER_LOAD_BALANCER, loadBalancerLoads,
    MAX_DASHBOARDS_PER_LOAD_BALANCER, MAX_LOAD_BALANCERS, isLoadBalancerNumber, RoutedDashboard, routedDashboard, routedPortal, Routing,
} from "./loadBalancers";
import { IAM_POLICY_ARN, taskPolicyProblems } from "./iamPolicyArns";
import { DNS_LABEL, MAX_DASHBOARD_NAME_LENGTH } from "./naming";
import { cognitoCustomDomainProblem, partitionOfRegion, regionSupportProblem } from "./partitions";
import { daysProblem, minutesOf, Schedule, SCHEDULE_DEFAULTS, timeProblem, timeZoneProblem } from "./schedule";
import { KMS_KEY_ARN_DESCRIPTION, kmsKeyArnProblem, SECRET_REF_DESCRIPTION, secretRefProblem, SECRETS_MANAGER_SECRET_ARN } from "./secretRefs";
import { IDLE_MINUTES } from "./wake";
import { ALWAYS_WRITABLE, MAX_WRITABLE_PATHS, readonlyByDefault, within, writablePathProblem, writablePathsProblems } from "./writablePaths";
import { BuiltStage, runsAsRoot } from "./dockerfileStage";

// ---------------------------------------------------------------------------------------------
// Patterns for AWS identifiers and names. Each carries the human description used in errors.
// ---------------------------------------------------------------------------------------------

const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
// Region names of every partition (components/partitions.ts says which the platform runs in).
const AWS_REGION = /^(?:[a-z]{2}(?:-gov|-iso[a-z]?)?|eusc-[a-z]{2})-[a-z]+-\d{1,2}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COGNITO_DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Cognito group names: letters, marks, symbols, numbers, punctuation; no spaces.
const COGNITO_GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const IDP_NAME = /^[^_\s][\p{L}\p{M}\p{S}\p{N}\p{P}]{1,30}[^_\s]$/u;
// Dot-separated labels after the @, so no input can make the pattern backtrack (and at most 254 characters, see EMAIL_MAX).
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
/** Longest email address SMTP carries (RFC 5321: a 256-octet path including the angle brackets). */
const EMAIL_MAX = 254;
/** An SES From: a display name and the address in angle brackets. */
const SES_FROM_MAX = 512;
/** Longest text any pattern is tried on: AWS ARNs stop at 2048. Longer text is refused by its length alone. */
const MAX_PATTERN_INPUT = 2048;
/** Largest value of one stack-file key (the JSON of every dashboard of a full load balancer is about 30 KB). */
export const MAX_VALUE_LENGTH = 2 ** 20;
const HTTPS_URL = /^https:\/\/[^\s/$.?#][^\s]*$/;
const FULL_SECRET_ARN = "a full Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>)";

export { MAX_DASHBOARD_NAME_LENGTH };
export { ALB_RULE_LIMIT, ALB_TARGET_GROUP_LIMIT };
/** Host-header condition values per rule; NOT adjustable. One is the dashboard's own host. */
export const MAX_EXTRA_HOSTS = 4;
/**
 * Concurrency a platform function may reserve: at most the default account quota of 1,000 less the
 * 100 that AWS keeps unreserved (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
 */
export const RESERVED_CONCURRENCY = { min: 1, max: 900 } as const;
/** ALB idle timeout limits and our websocket-friendly default (the AWS default of 60 s drops idle Shiny sockets). */
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes
export const IDLE_TIMEOUT = { min: 1, max: 4000, default: 600 } as const;
/** CloudWatch Logs accepted retention periods (days). */
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const FRAMEWORKS = ["shiny", "dash", "streamlit", "flask", "custom"] as const;
export type Framework = (typeof FRAMEWORKS)[number];
export const NAT_STRATEGIES = ["none", "single", "one-per-az"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

// Environment variable names the platform sets itself (see appEnvironment.ts); users may not override them.
const RESERVED_ENV_PREFIXES = ["AWS_", "ECS_", "DASHBOARD_"];
const RESERVED_ENV_NAMES = ["PORT", "ALB_ARN", "ALB_PUBLIC_KEYS_URL", "ALB_IDLE_TIMEOUT_SECONDS"];

// ---------------------------------------------------------------------------------------------
// Schema helpers
// ---------------------------------------------------------------------------------------------

/** An object that rejects unknown keys, so a typo (`memroy`) is an error rather than silently ignored. */
function strict<T extends z.ZodRawShape>(shape: T) {
    return z.strictObject(shape);
}

/** A string matching `regex`; one longer than `maxLength` is refused by its length alone, before the pattern is tried. */
function pattern(regex: RegExp, description: string, maxLength = MAX_PATTERN_INPUT) {
    return z
        .string({ error: `expected ${description}` })
        .max(maxLength, { error: (iss) => `${show(iss.input)} is longer than ${maxLength} characters`, abort: true })
        .regex(regex, { error: (iss) => `${show(iss.input)} is not ${description}` });
}

function int(min: number, max: number, what = "a whole number") {
    // The range first, and each check stops the others: 1e300 is out of range, and also no safe
    // integer, but one problem is enough.
    return z
        .number({ error: (iss) => `expected ${what} from ${min} to ${max}, got ${show(iss.input)}` })
        .min(min, { error: (iss) => `${show(iss.input)} is below the minimum; allowed: ${min} to ${max}`, abort: true })
        .max(max, { error: (iss) => `${show(iss.input)} is above the maximum; allowed: ${min} to ${max}`, abort: true })
        .int({ error: (iss) => `expected ${what} from ${min} to ${max}, got ${show(iss.input)}` });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: (iss) => `${show(iss.input)} is not allowed; allowed: ${values.join(", ")}` });
}

const bool = () => z.boolean({ error: (iss) => `expected true or false, got ${show(iss.input)}` });

/** A value as errors show it; long text by its start and its length, so a huge input never makes a huge message. */
function show(value: unknown): string {
    if (value === undefined) return "nothing";
    if (typeof value === "string") return value.length <= 200 ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, 40)).slice(0, -1)}..." (${value.length} characters)`;
    if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
    return Array.isArray(value) ? "a list" : "an object";
}

// ---------------------------------------------------------------------------------------------
// The schema. Each key's JSDoc-like description lives in `description` so docs can be generated.
// ---------------------------------------------------------------------------------------------

const dnsSchema = strict({
    /** Route 53 hosted zone that contains `domain`: certificate validation and dashboard records go here. */
    hostedZoneId: pattern(HOSTED_ZONE_ID, "a Route 53 hosted zone id (Z followed by letters and digits)").optional(),
    /** Existing ACM certificate for `*.<domain>` in the stack's region. Without `hostedZoneId`, DNS is managed elsewhere. */
    certificateArn: pattern(ACM_CERTIFICATE_ARN, "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)").optional(),
});

const networkSchema = strict({
    /** NAT for a new VPC: `none` (tasks in public subnets with public IPs), `single`, or `one-per-az`. */
    nat: oneOf(NAT_STRATEGIES).optional(),
    /** CIDR block of a new VPC. */
    cidrBlock: z
        .string()
        .regex(/^(?:\d{1,3}\.){3}\d{1,3}\/(?:1[6-9]|2[0-4])$/, { error: (iss) => `${show(iss.input)} is not an IPv4 CIDR block from /16 to /24` })
        .optional(),
    /** Availability zones of a new VPC. */
    availabilityZones: int(2, 6, "a number of availability zones").optional(),
    /** Use this existing VPC instead of creating one. */
    vpcId: pattern(VPC_ID, "a VPC id (vpc- and 8 or 17 hex digits)").optional(),
    /** Existing VPC: public subnets for the load balancer (at least two AZs). */
    publicSubnetIds: z.array(pattern(SUBNET_ID, "a subnet id (subnet- and 8 or 17 hex digits)")).optional(),
    /** Existing VPC: private subnets with egress (NAT or VPC endpoints) for the tasks; empty = public subnets with public IPs. */
    privateSubnetIds: z.array(pattern(SUBNET_ID, "a subnet id (subnet- and 8 or 17 hex digits)")).optional(),
});

const loadBalancerSchema = strict({
    /** Dashboards per load balancer; past it, new dashboards go to another (stable: none ever moves). */
    maxDashboards: int(1, MAX_DASHBOARDS_PER_LOAD_BALANCER, "dashboards per load balancer").optional(),
    /** Seconds an idle connection (e.g. a quiet websocket) stays open. */
    idleTimeoutSeconds: int(IDLE_TIMEOUT.min, IDLE_TIMEOUT.max, "seconds").optional(),
    /** Refuse to delete the load balancer (turn off before `pulumi destroy`). */
    deletionProtection: bool().optional(),
    /** Concurrency reserved for (and capping) the sign-out function, which answers without a login. */
    signOutConcurrency: int(RESERVED_CONCURRENCY.min, RESERVED_CONCURRENCY.max, "concurrent executions").optional(),
    /** Access logs to an encrypted S3 bucket that expires objects after `retentionDays`. */
    accessLogs: strict({
        enabled: bool(),
        retentionDays: int(1, 3650, "days").optional(),
    }).optional(),
});

const groupSchema = strict({
    name: pattern(COGNITO_GROUP_NAME, "a Cognito group name (1-128 letters, digits or punctuation, no spaces)"),
    description: z.string().max(2048).optional(),
    /** Lower wins when a user is in several groups with IAM roles; informative otherwise. */
    precedence: int(0, 2 ** 31 - 1, "a precedence").optional(),
});

const userSchema = strict({
    email: pattern(EMAIL, "an email address", EMAIL_MAX),
    groups: z.array(z.string()).optional(),
});

const attributeMappingSchema = strict({
    /** IdP attribute or claim that carries the user's email. */
    email: z.string().min(1),
    /** IdP attribute or claim that carries the user's groups (mapped to `custom:groups`). */
    groups: z.string().min(1).optional(),
});

const samlProviderSchema = strict({
    type: z.literal("saml"),
    name: pattern(IDP_NAME, "an identity provider name (3-32 characters, no spaces or leading/trailing underscore)"),
    /** URL of the IdP's SAML metadata (preferred: it follows certificate rotation). */
    metadataUrl: pattern(HTTPS_URL, "an https:// URL").optional(),
    /** Path (relative to the project) of a SAML metadata XML file, when the IdP has no metadata URL. */
    metadataFile: z.string().min(1).optional(),
    attributeMapping: attributeMappingSchema,
    /** Sign the user out of the IdP too when they sign out. */
    signOut: bool().optional(),
});

const oidcProviderSchema = strict({
    type: z.literal("oidc"),
    name: pattern(IDP_NAME, "an identity provider name (3-32 characters, no spaces or leading/trailing underscore)"),
    issuer: pattern(HTTPS_URL, "an https:// issuer URL"),
    clientId: z.string().min(1),
    /** Set it as a secret: `pulumi config set --path --secret 'auth.identityProviders[0].clientSecret' ...`. */
    clientSecret: z.string().min(1),
    scopes: z.array(z.string().min(1)).optional(),
    attributeMapping: attributeMappingSchema,
});

const externalOidcSchema = strict({
    issuer: pattern(HTTPS_URL, "an https:// issuer URL"),
    authorizationEndpoint: pattern(HTTPS_URL, "an https:// URL"),
    tokenEndpoint: pattern(HTTPS_URL, "an https:// URL"),
    userInfoEndpoint: pattern(HTTPS_URL, "an https:// URL"),
    clientId: z.string().min(1),
    /** Set it as a secret: `pulumi config set --path --secret auth.oidc.clientSecret ...`. */
    clientSecret: z.string().min(1),
    /** Full logout URL of the provider, if it has one; the apps redirect there on sign-out. */
    logoutUrl: pattern(HTTPS_URL, "an https:// URL").optional(),
    scope: z.string().min(1).optional(),
});

const authSchema = strict({
    /** `cognito`: a user pool made by this stack (groups, MFA, SSO federation). `oidc`: an external provider used directly by the ALB. */
    provider: oneOf(["cognito", "oidc"] as const).optional(),
    mfa: oneOf(["off", "optional", "required"] as const).optional(),
    /** Cognito threat protection (needs the Plus feature plan when not `off`). */
    threatProtection: oneOf(["off", "audit", "enforced"] as const).optional(),
    /** Let people create their own accounts; otherwise only admins create users. */
    allowSelfSignUp: bool().optional(),
    /** Protect the user pool from deletion and replacement (Cognito deletion protection + Pulumi protect/retainOnDelete). */
    deletionProtection: bool().optional(),
    passwordMinimumLength: int(12, 99, "characters").optional(),
    /** Hosted-login domain prefix (`<prefix>.auth.<region>.amazoncognito.com`, `auth-fips` in GovCloud); a unique one is derived when omitted. */
    domainPrefix: pattern(COGNITO_DOMAIN_PREFIX, "a Cognito domain prefix (lowercase letters, digits and inner hyphens, at most 63)").optional(),
    /** Custom hosted-login domain; its certificate must be in us-east-1. */
    customDomain: strict({
        domain: pattern(DOMAIN_NAME, "a lowercase DNS name", 253),
        certificateArn: pattern(ACM_CERTIFICATE_ARN, "an ACM certificate ARN"),
    }).optional(),
    /** Lifetime of the ALB login session (cookie) in seconds; also how long other hosts stay signed in after a sign-out. */
    sessionTimeoutSeconds: int(60, 604800, "seconds").optional(),
    tokenValidity: strict({
        accessTokenMinutes: int(5, 1440, "minutes").optional(),
        idTokenMinutes: int(5, 1440, "minutes").optional(),
        refreshTokenDays: int(1, 3650, "days").optional(),
    }).optional(),
    groups: z.array(groupSchema).optional(),
    /** Members of these groups may open every dashboard. */
    adminGroups: z.array(z.string()).optional(),
    /** Users created (and invited by email) when the stack is deployed. */
    users: z.array(userSchema).optional(),
    identityProviders: z.array(z.discriminatedUnion("type", [samlProviderSchema, oidcProviderSchema], {
        error: (iss) => iss.code === "invalid_union" ? `expected an identity provider with type saml or oidc` : undefined,
    })).optional(),
    /** With `provider: oidc`: the external provider's endpoints and client. */
    oidc: externalOidcSchema.optional(),
    /** Send the user pool's email through an SES identity (Cognito's own email has a small daily quota). */
    email: strict({
        sourceArn: pattern(SES_FIELDS.sourceArn.pattern, SES_FIELDS.sourceArn.description),
        // Bounded: sesSenderMismatch also searches the address unanchored.
        fromEmailAddress: pattern(SES_FIELDS.fromEmailAddress.pattern, SES_FIELDS.fromEmailAddress.description, SES_FROM_MAX),
        replyToEmailAddress: pattern(SES_FIELDS.replyToEmailAddress.pattern, SES_FIELDS.replyToEmailAddress.description, EMAIL_MAX).optional(),
        configurationSet: pattern(SES_FIELDS.configurationSet.pattern, SES_FIELDS.configurationSet.description).optional(),
    }).optional(),
});

export const CAPACITIES = ["on-demand", "spot", "mixed"] as const;

function logRetention() {
    return z.number({ error: (iss) => `expected days, got ${show(iss.input)}` }).refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
        error: (iss) => `${show(iss.input)} is not a CloudWatch Logs retention; allowed: ${LOG_RETENTION_DAYS.join(", ")}`,
    });
}

/** A text checked by one of schedule.ts's checks (which names what is allowed). */
function checked(check: (value: string) => string | undefined, max: number) {
    return z.string({ error: (iss) => `expected text, got ${show(iss.input)}` }).superRefine((value, ctx) => {
        const problem = value.length > max ? `is ${value.length} characters long; at most ${max}` : check(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}

/** Office hours: when a dashboard runs (Application Auto Scaling scheduled actions on its service). */
const scheduleSchema = strict({
    /** Days it runs: `MON-FRI`, `MON,WED,FRI`, `*`. */
    days: checked(daysProblem, 64).optional(),
    /** Start of the hours, `HH:MM` in `timeZone`. */
    start: checked(timeProblem, 40).optional(),
    /** End of the hours, `HH:MM`, later the same day. */
    stop: checked(timeProblem, 40).optional(),
    /** IANA time zone of start and stop. */
    timeZone: checked(timeZoneProblem, 64).optional(),
    /** Tasks that keep running outside the hours. */
    tasksOutside: int(0, 100, "a task count").optional(),
    /** `false` keeps a dashboard running around the clock although `defaults.schedule` is set. */
    enabled: bool().optional(),
});

const defaultsSchema = strict({
    /** Where tasks run unless a dashboard says otherwise. */
    capacity: oneOf(CAPACITIES).optional(),
    logRetentionDays: logRetention().optional(),
    /** Images kept per repository. */
    imagesToKeep: int(1, 1000, "a number of images").optional(),
    /** Let `pulumi destroy` delete repositories with their images (handy in dev). */
    forceDeleteRepositories: bool().optional(),
    /** `pulumi up` waits (up to 30 minutes per service) until every rollout is steady, and fails when one is not. */
    waitForSteadyState: bool().optional(),
    /** Office hours of every dashboard (a dashboard's own `schedule` keys override these). */
    schedule: scheduleSchema.optional(),
});

const alarmsSchema = strict({
    /** Email addresses that receive alarm notifications (unhealthy tasks, 5xx). */
    emails: z.array(pattern(EMAIL, "an email address", EMAIL_MAX)).optional(),
});

const usageSchema = strict({
    /** Usage statistics: the login trigger's Logins/Denied metrics, the saved queries and the operations dashboard's login widgets. */
    enabled: bool().optional(),
    /** What identifies a user in the login decision lines: `hashed` (a salted hash: distinct users, nobody named), `sub` or `email`. */
    userKey: oneOf(USER_KEYS).optional(),
});

const portalSchema = strict({
    /** Deploy the portal (a page listing the dashboards each user may open). */
    enabled: bool().optional(),
    /** Host label: the portal is served at `https://<name>.<domain>`. */
    name: pattern(DNS_LABEL, "a DNS label").max(MAX_DASHBOARD_NAME_LENGTH).optional(),
    /** Page title. */
    title: z.string().min(1).max(80).optional(),
    /** Office hours of the portal; each key defaults to `defaults.schedule`'s. Absent: around the clock. */
    schedule: scheduleSchema.optional(),
});

const pipelineSchema = strict({
    /** `owner/name` of the repository the pipeline deploys from. */
    repository: pattern(/^[\w.-]+(?:\/[\w.-]+)+$/, "a repository as owner/name"),
    branch: z.string().min(1).optional(),
    provider: oneOf(["GitHub", "GitLab", "Bitbucket"] as const).optional(),
    /** Existing AWS CodeConnections connection; one is created (and must be approved once) otherwise. */
    connectionArn: pattern(/^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/, "a CodeConnections connection ARN").optional(),
    stack: z.string().min(1).optional(),
    /** Full ARNs (no partial ARN, no json key): the build role may read exactly these secrets. */
    pulumiAccessTokenSecretArn: pattern(SECRETS_MANAGER_SECRET_ARN, FULL_SECRET_ARN).optional(),
    pulumiBackendUrl: z.string().min(1).optional(),
    pulumiConfigPassphraseSecretArn: pattern(SECRETS_MANAGER_SECRET_ARN, FULL_SECRET_ARN).optional(),
    pulumiVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: (iss) => `${show(iss.input)} is not a Pulumi version such as 3.190.0` }).optional(),
    notificationEmails: z.array(pattern(EMAIL, "an email address", EMAIL_MAX)).optional(),
    testCommand: z.string().min(1).optional(),
    buildComputeType: z.string().min(1).optional(),
    buildImage: z.string().min(1).optional(),
    buildTimeoutMinutes: int(5, 2160, "minutes").optional(),
    logRetentionDays: logRetention().optional(),
    artifactRetentionDays: int(1, 3650, "days").optional(),
    /** Managed policies for the role that runs `pulumi up` (it creates IAM roles, networks, load balancers). */
    deployPolicyArns: z.array(pattern(IAM_POLICY_ARN, "an IAM policy ARN")).min(1, { error: "needs at least one policy: the build runs pulumi up, which creates IAM roles, networks and load balancers" }),
    permissionsBoundaryArn: pattern(IAM_POLICY_ARN, "an IAM policy ARN").optional(),
});

// ---------------------------------------------------------------------------------------------
// Image references: `<registry>/<repository>[:tag][@sha256:<64 hex>]`, read strictly, since the
// repository of an ECR reference becomes the Resource of the execution role's pull statement.
// ---------------------------------------------------------------------------------------------

/** A digest as ECR and every OCI registry print it. */
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
export const IMAGE_DIGEST_DESCRIPTION = "sha256: followed by 64 lowercase hex digits";
/** A Dockerfile stage name, as BuildKit accepts it (`FROM ... AS <name>`). */
export const BUILD_STAGE = /^[a-z][a-z0-9_.-]{0,127}$/i;
export const BUILD_STAGE_DESCRIPTION = "a Dockerfile stage name (a letter, then letters, digits, _ . -)";
/** A day, as package snapshots are dated. */
const SNAPSHOT_DAY = /^20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** A package snapshot: a day, or `latest` (no snapshot: the newest packages at each build). */
export const PACKAGE_SNAPSHOT = new RegExp(`^(?:${SNAPSHOT_DAY.source.slice(1, -1)}|${LATEST_PACKAGES})$`);
export const PACKAGE_SNAPSHOT_DESCRIPTION = `a day as YYYY-MM-DD (from 2000), or ${LATEST_PACKAGES}`;
/** ECS accepts image references of up to 255 characters. */
const MAX_IMAGE_REFERENCE = 255;
const DNS_PART = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const REGISTRY_HOST = new RegExp(`^${DNS_PART}(?:\\.${DNS_PART})+(?::([1-9][0-9]{0,4}))?$`);
/** OCI distribution spec path components: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests */
const PATH_COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
const REPOSITORY_PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Private ECR registry host: https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html */
const ECR_HOST = /^([0-9]{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-[0-9]{1,2})\.amazonaws\.com(\.cn)?$/;

export interface ImageReference {
    registry: string;
    repository: string;
    tag?: string;
    digest?: string;
    /** Set for a private ECR registry: where the repository lives and its ARN (never a wildcard). */
    ecr?: { account: string; region: string; repositoryArn: string };
}

/** Parses a full image reference, or says what is wrong with it (the message starts after the value). */
export function parseImageReference(ref: string): { ok: true; image: ImageReference } | { ok: false; problem: string } {
    const fail = (problem: string) => ({ ok: false as const, problem });
    if (ref.length > MAX_IMAGE_REFERENCE) return fail(`is longer than ${MAX_IMAGE_REFERENCE} characters (the most ECS takes)`);
    if (!/^[\x21-\x7e]+$/.test(ref)) return fail("contains whitespace, control or non-ASCII characters");
    if (/[*?]/.test(ref)) return fail("contains a wildcard (* or ?); an image names exactly one repository");
    let name = ref;
    let digest: string | undefined;
    const at = ref.indexOf("@");
    if (at >= 0) {
        digest = ref.slice(at + 1);
        name = ref.slice(0, at);
        if (!IMAGE_DIGEST.test(digest)) return fail(`has a malformed digest; expected @${IMAGE_DIGEST_DESCRIPTION}`);
    }
    const slash = name.indexOf("/");
    const first = slash < 0 ? name : name.slice(0, slash);
    // Docker's rule: the first part is a registry host only when it has a dot or a port.
    if (slash < 0 || !/[.:]/.test(first)) {
        return fail("has no registry host; write the full reference, e.g. docker.io/library/nginx@sha256:<64 hex>");
    }
    const host = REGISTRY_HOST.exec(first);
    if (!host || (host[1] !== undefined && Number(host[1]) > 65535)) {
        return fail(`has an invalid registry host ${JSON.stringify(first)}; expected a lowercase DNS name with an optional port 1-65535`);
    }
    let path = name.slice(slash + 1);
    let tag: string | undefined;
    const colon = path.lastIndexOf(":");
    if (colon >= 0) {
        tag = path.slice(colon + 1);
        path = path.slice(0, colon);
        if (!TAG.test(tag)) return fail(`has an invalid tag ${JSON.stringify(tag)}; allowed: up to 128 letters, digits, ".", "_" and "-", not starting with "." or "-"`);
    }
    if (!REPOSITORY_PATH.test(path)) {
        return fail(`has an invalid repository path ${JSON.stringify(path)}; allowed: lowercase letters and digits, separated by ".", "_", "__" or "-", parts joined by "/"`);
    }
    const registry = first;
    const hostname = registry.replace(/:[0-9]+$/, "");
    const ecr = ECR_HOST.exec(hostname);
    // Anything under amazonaws.com that is not exactly an ECR registry host is refused, not guessed at.
    if (!ecr && /amazonaws\.com|(^|\.)dkr\.ecr\./.test(hostname)) {
        return fail("looks like an ECR registry but its host is not <12-digit account>.dkr.ecr.<region>.amazonaws.com");
    }
    const image: ImageReference = { registry, repository: path, tag, digest };
    if (ecr) {
        if (registry !== hostname) return fail("gives an ECR registry a port; ECR registries take none");
        const [, account, region, china] = ecr;
        const partition = partitionOfRegion(region);
        if ((partition === "aws-cn") !== (china !== undefined)) {
            return fail(`names region ${region} under the wrong domain; China regions use amazonaws.com.cn, all others amazonaws.com`);
        }
        image.ecr = { account, region, repositoryArn: `arn:${partition}:ecr:${region}:${account}:repository/${path}` };
    }
    return { ok: true, image };
}

/** Why an image reference must not be used as it is: a tag alone (or nothing, i.e. latest) can move. */
export function mutableTagProblem(image: ImageReference): string | undefined {
    if (image.digest) return undefined;
    return "is pinned by tag, not by digest: tags are mutable, so the same stack file could deploy different code and a redeploy would not be repeatable; " +
        "pin it by digest (<registry>/<repository>@sha256:<64 hex>, e.g. from docker buildx imagetools inspect) or set allowMutableTag: true";
}

const dashboardSchema = strict({
    /** DNS label: the dashboard is served at `https://<name>.<domain>`. */
    name: pattern(DNS_LABEL, `a DNS label (lowercase letters, digits and inner hyphens, starting with a letter)`)
        .max(MAX_DASHBOARD_NAME_LENGTH, { error: (iss) => `${show(iss.input)} is longer than ${MAX_DASHBOARD_NAME_LENGTH} characters` }),
    displayName: z.string().min(1).max(80).optional(),
    description: z.string().max(500).optional(),
    /** Heading the portal lists the dashboard under (dashboards without one come last, under "Other"). */
    category: z.string().trim().min(1).max(64).optional(),
    /** Folder directly in `apps/` holding the Dockerfile; defaults to `name`. Checked on disk when `appsDir` is given. */
    app: pattern(APP_FOLDER_NAME, APP_FOLDER_DESCRIPTION).optional(),
    /**
     * A prebuilt image to run instead of building one: `<registry>/<repository>@sha256:<64 hex>`, in any
     * account's ECR or a public registry. No build, repository or lifecycle policy is made for it.
     */
    image: z.string({ error: "expected an image reference such as <registry>/<repository>@sha256:<64 hex>" }).superRefine((ref, ctx) => {
        const parsed = parseImageReference(ref);
        if (!parsed.ok) ctx.addIssue({ code: "custom", message: `${show(ref)} ${parsed.problem}` });
    }).optional(),
    /** Accept an `image` pinned by tag only (mutable; the deploy is not repeatable). */
    allowMutableTag: bool().optional(),
    /** Pin a built dashboard to an earlier image of its own repository, without building. */
    imageDigest: pattern(IMAGE_DIGEST, IMAGE_DIGEST_DESCRIPTION, 80).optional(),
    /** The Dockerfile stage to build (a multi-stage Dockerfile whose last stage is a dev image). */
    buildTarget: pattern(BUILD_STAGE, BUILD_STAGE_DESCRIPTION, 128).optional(),
    /** For a folder without a Dockerfile: the entry point instead of the detected one (`app.py`, `app:server`, `app/`). */
    entrypoint: z.string().min(1).max(256).optional(),
    /** For a Shiny folder without a Dockerfile: the R packages to install instead of the detected ones. */
    packages: z.array(z.string().max(100)).min(1).max(500).optional(),
    /** For a folder without a Dockerfile: install packages as published up to this day (YYYY-MM-DD). */
    packageSnapshot: pattern(PACKAGE_SNAPSHOT, PACKAGE_SNAPSHOT_DESCRIPTION, 10).optional(),
    framework: oneOf(FRAMEWORKS),
    /** Fargate CPU units. */
    cpu: z.number({ error: (iss) => `expected a Fargate CPU value (${FARGATE_CPU_VALUES.join(", ")}), got ${show(iss.input)}` }).optional(),
    /** Fargate memory in MiB; must pair with `cpu`. */
    memory: z.number({ error: (iss) => `expected memory in MiB, got ${show(iss.input)}` }).optional(),
    /** Tasks that always run; 0 scales to zero (sleeps when idle, wakes on the first request). */
    minTasks: int(0, 100, "a task count").optional(),
    /** Number of the load balancer that serves this dashboard (0 for the first), instead of the one assigned. */
    loadBalancer: int(0, MAX_LOAD_BALANCERS - 1, "a load balancer number").optional(),
    maxTasks: int(1, 100, "a task count").optional(),
    /** With `minTasks: 0`: minutes without a request after which the dashboard sleeps. */
    idleMinutes: int(IDLE_MINUTES.min, IDLE_MINUTES.max, "minutes").optional(),
    /** Groups whose members may open this dashboard; empty or absent = every signed-in user. */
    accessGroups: z.array(z.string()).optional(),
    /**
     * Extra host names that also route to this dashboard: a name (`x.<domain>` is covered by the wildcard;
     * deeper names in the stack's zone get a certificate requested), or `{host, certificateArn}` for any name.
     */
    extraHosts: z.array(z.union([
        pattern(DOMAIN_NAME, "a lowercase DNS name", 253),
        strict({
            host: pattern(DOMAIN_NAME, "a lowercase DNS name", 253),
            /** ACM certificate (in the stack's region) that covers `host`; attached to the HTTPS listener. */
            certificateArn: pattern(ACM_CERTIFICATE_ARN, "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)").optional(),
        }),
    ], { error: (iss) => `expected a host name, or {host, certificateArn}, got ${show(iss.input)}` })).optional(),
    /** Plain environment variables for the container. */
    environment: z.record(z.string(), z.string({ error: (iss) => `expected a string value, got ${show(iss.input)} (quote numbers and booleans)` })).optional(),
    /**
     * Secret environment variables: name -> SSM parameter ARN or full Secrets Manager secret ARN
     * (never a partial one, which IAM could only grant by wildcard); see secretRefs.ts.
     */
    secrets: z.record(z.string(), z.string({ error: `expected ${SECRET_REF_DESCRIPTION}` }).superRefine((ref, ctx) => {
        const problem = secretRefProblem(ref);
        if (problem) ctx.addIssue({ code: "custom", message: `${show(ref)} ${problem}` });
    })).optional(),
    /** Customer-managed KMS keys of some of `secrets`: the execution role may decrypt those secrets with them, through SSM or Secrets Manager only. */
    secretKeyArns: z.array(z.string({ error: `expected ${KMS_KEY_ARN_DESCRIPTION}` }).superRefine((arn, ctx) => {
        const problem = kmsKeyArnProblem(arn);
        if (problem) ctx.addIssue({ code: "custom", message: `${show(arn)} ${problem}` });
    })).max(10).optional(),
    /** Managed policy ARNs attached to the task role (it grants nothing by default). */
    taskPolicyArns: z.array(pattern(IAM_POLICY_ARN, "an IAM policy ARN")).optional(),
    /** Accept an administrator-level AWS managed policy (AdministratorAccess, PowerUserAccess, ...) in taskPolicyArns. */
    allowPrivilegedTaskPolicies: bool().optional(),
    /** Read-only root file system; default: on for a generated image and a Dockerfile that declares VOLUME /tmp, off otherwise. */
    readonlyRootFilesystem: bool().optional(),
    /** With a read-only root: further folders the app writes, besides /tmp (each checked by writablePaths.ts). */
    writablePaths: z.array(z.string({ error: (iss) => `expected an absolute folder path, got ${show(iss.input)}` })).optional(),
    /** Container port; default from the framework preset. */
    port: int(1, 65535, "a port").optional(),
    /** Health check path; default from the framework preset. */
    healthCheckPath: z.string().regex(/^\/[\x21-\x7e]*$/, { error: (iss) => `${show(iss.input)} is not a path starting with /` }).max(1024).optional(),
    /** Sticky sessions (lb_cookie); default from the framework preset. */
    sticky: bool().optional(),
    /** Seconds to drain a task being replaced (0-3600; under 120 on Spot). */
    deregistrationDelaySeconds: int(0, 3600, "seconds").optional(),
    /** Seconds after start during which failed health checks are ignored. */
    healthCheckGracePeriodSeconds: int(0, 2147483647, "seconds").optional(),
    /** `on-demand`, `spot` or `mixed`; default from `defaults.capacity`. */
    capacity: oneOf(CAPACITIES).optional(),
    /** Log retention in days; default from `defaults.logRetentionDays`. */
    logRetentionDays: logRetention().optional(),
    /** `pulumi up` waits until the rollout is steady and fails when it is not; default from `defaults.waitForSteadyState`. */
    waitForSteadyState: bool().optional(),
    /** Office hours; each key defaults to `defaults.schedule`'s. */
    schedule: scheduleSchema.optional(),
});

/** The whole stack file, one property per `dashboards:<key>` config key. */
export const stackConfigSchema = strict({
    /** Parent domain of every dashboard host, e.g. `dashboards.example.com`. Required. */
    domain: pattern(DOMAIN_NAME, "a lowercase DNS name such as dashboards.example.com", 253),
    dns: dnsSchema,
    network: networkSchema.optional(),
    loadBalancer: loadBalancerSchema.optional(),
    auth: authSchema.optional(),
    dashboards: z.array(dashboardSchema),
    defaults: defaultsSchema.optional(),
    alarms: alarmsSchema.optional(),
    usage: usageSchema.optional(),
    portal: portalSchema.optional(),
    pipeline: pipelineSchema.optional(),
});

export type RawStackConfig = z.infer<typeof stackConfigSchema>;
export type DashboardConfig = z.infer<typeof dashboardSchema>;
export type AuthConfig = z.infer<typeof authSchema>;

/** Optional top-level objects whose empty value (`{}`) means the feature is off, not a half-filled object. */
const ABSENT_WHEN_EMPTY = ["pipeline"] as const;

/** Top-level keys of the stack file (without the project prefix). */
export const STACK_CONFIG_KEYS = Object.keys(stackConfigSchema.shape) as (keyof RawStackConfig)[];

// ---------------------------------------------------------------------------------------------
// Normalised configuration: defaults applied, derived values computed. This is what index.ts uses.
// ---------------------------------------------------------------------------------------------

export type NetworkConfig =
    | { kind: "new"; nat: NatStrategy; cidrBlock: string; availabilityZones: number }
    | { kind: "existing"; vpcId: string; publicSubnetIds: string[]; privateSubnetIds: string[] };

export interface NormalizedDashboard extends Required<Pick<DashboardConfig, "name" | "framework">> {
    displayName: string;
    description: string;
    /** The portal's heading for it; absent: "Other". */
    category?: string;
    app: string;
    /** A prebuilt image reference (then nothing is built); checked by `parseImageReference`. */
    image?: string;
    allowMutableTag: boolean;
    /** `sha256:...` of an earlier image in the dashboard's own repository, run instead of a new build. */
    imageDigest?: string;
    /** The Dockerfile stage to build; the last one when absent. */
    buildTarget?: string;
    /** For a folder without a Dockerfile: the entry point instead of the detected one. */
    entrypoint?: string;
    /** For a Shiny folder without a Dockerfile: the R packages instead of the detected ones. */
    packages?: string[];
    /** For a folder without a Dockerfile: packages as published up to this day, or `latest`; the platform's day when absent. */
    packageSnapshot?: string;
    host: string;
    extraHosts: string[];
    /** Certificates given for extra hosts, by host. */
    extraHostCertificateArns: Record<string, string>;
    cpu: number;
    memory: number;
    minTasks: number;
    maxTasks: number;
    accessGroups: string[];
    environment: Record<string, string>;
    secrets: Record<string, string>;
    secretKeyArns: string[];
    taskPolicyArns: string[];
    allowPrivilegedTaskPolicies: boolean;
    /** Absent: the default, on for a generated image only (DashboardPlatform knows which it is). */
    readonlyRootFilesystem?: boolean;
    writablePaths: string[];
    port?: number;
    healthCheckPath?: string;
    sticky?: boolean;
    deregistrationDelaySeconds?: number;
    healthCheckGracePeriodSeconds?: number;
    capacity: Capacity;
    logRetentionDays: number;
    waitForSteadyState: boolean;
    /** Office hours, resolved over `defaults.schedule`; absent: runs around the clock. */
    schedule?: Schedule;
    /** Scale to zero (`minTasks` 0): minutes without a request before it sleeps. */
    idleMinutes?: number;
    /** The load balancer the stack file pins it to; absent: assigned (see loadBalancers.ts). */
    loadBalancer?: number;
}

export type Capacity = (typeof CAPACITIES)[number];

export interface StackConfig {
    region: string;
    domain: string;
    dns: { hostedZoneId?: string; certificateArn?: string };
    network: NetworkConfig;
    loadBalancer: {
        maxDashboards: number;
        idleTimeoutSeconds: number;
        deletionProtection: boolean;
        /** Reserved concurrency of the sign-out function; undefined: none reserved. */
        signOutConcurrency?: number;
        accessLogs: { enabled: boolean; retentionDays: number };
    };
    auth: AuthConfig & { provider: "cognito" | "oidc" };
    dashboards: NormalizedDashboard[];
    defaults: { capacity: Capacity; logRetentionDays: number; imagesToKeep: number; forceDeleteRepositories: boolean; waitForSteadyState: boolean };
    alarmEmails: string[];
    usage: { enabled: boolean; userKey: UserKeyKind };
    portal: { enabled: boolean; name: string; title: string; host: string; schedule?: Schedule };
    pipeline?: z.infer<typeof pipelineSchema>;
}

export const DASHBOARD_DEFAULTS = { cpu: 256, memory: 512, minTasks: 1, maxTasks: 2 } as const;
export const STACK_DEFAULTS = { capacity: "on-demand", logRetentionDays: 30, imagesToKeep: 10, forceDeleteRepositories: false, waitForSteadyState: true, portalName: "portal", portalTitle: "Dashboards", portalApp: "portal" } as const;

function normalize(raw: RawStackConfig, region: string): StackConfig {
    const defaults = {
        capacity: raw.defaults?.capacity ?? STACK_DEFAULTS.capacity,
        logRetentionDays: raw.defaults?.logRetentionDays ?? STACK_DEFAULTS.logRetentionDays,
        imagesToKeep: raw.defaults?.imagesToKeep ?? STACK_DEFAULTS.imagesToKeep,
        forceDeleteRepositories: raw.defaults?.forceDeleteRepositories ?? STACK_DEFAULTS.forceDeleteRepositories,
        waitForSteadyState: raw.defaults?.waitForSteadyState ?? STACK_DEFAULTS.waitForSteadyState,
    };
    const portalName = raw.portal?.name ?? STACK_DEFAULTS.portalName;
    const net = raw.network ?? {};
    const network: NetworkConfig = net.vpcId
        ? { kind: "existing", vpcId: net.vpcId, publicSubnetIds: net.publicSubnetIds ?? [], privateSubnetIds: net.privateSubnetIds ?? [] }
        : { kind: "new", nat: net.nat ?? "single", cidrBlock: net.cidrBlock ?? "10.0.0.0/16", availabilityZones: net.availabilityZones ?? 2 };
    return {
        region,
        domain: raw.domain,
        dns: raw.dns,
        network,
        loadBalancer: {
            maxDashboards: raw.loadBalancer?.maxDashboards ?? DEFAULT_DASHBOARDS_PER_LOAD_BALANCER,
            idleTimeoutSeconds: raw.loadBalancer?.idleTimeoutSeconds ?? IDLE_TIMEOUT.default,
            deletionProtection: raw.loadBalancer?.deletionProtection ?? false,
            signOutConcurrency: raw.loadBalancer?.signOutConcurrency,
            accessLogs: {
                enabled: raw.loadBalancer?.accessLogs?.enabled ?? false,
                retentionDays: raw.loadBalancer?.accessLogs?.retentionDays ?? 90,
            },
        },
        auth: { ...raw.auth, provider: raw.auth?.provider ?? "cognito" },
        dashboards: raw.dashboards.map((d) => ({
            name: d.name,
            framework: d.framework,
            displayName: d.displayName ?? d.name,
            description: d.description ?? "",
            ...(d.category !== undefined ? { category: d.category } : {}),
            app: d.app ?? d.name,
            image: d.image,
            allowMutableTag: d.allowMutableTag ?? false,
            imageDigest: d.imageDigest,
            buildTarget: d.buildTarget,
            entrypoint: d.entrypoint,
            packages: d.packages,
            packageSnapshot: d.packageSnapshot,
            host: `${d.name}.${raw.domain}`,
            extraHosts: (d.extraHosts ?? []).map((h) => (typeof h === "string" ? h : h.host)),
            extraHostCertificateArns: Object.fromEntries((d.extraHosts ?? []).flatMap((h) => (typeof h !== "string" && h.certificateArn ? [[h.host, h.certificateArn]] : []))),
            cpu: d.cpu ?? DASHBOARD_DEFAULTS.cpu,
            memory: d.memory ?? DASHBOARD_DEFAULTS.memory,
            minTasks: d.minTasks ?? DASHBOARD_DEFAULTS.minTasks,
            maxTasks: d.maxTasks ?? Math.max(DASHBOARD_DEFAULTS.maxTasks, d.minTasks ?? 1),
            accessGroups: d.accessGroups ?? [],
            environment: d.environment ?? {},
            secrets: d.secrets ?? {},
            secretKeyArns: d.secretKeyArns ?? [],
            taskPolicyArns: d.taskPolicyArns ?? [],
            allowPrivilegedTaskPolicies: d.allowPrivilegedTaskPolicies ?? false,
            readonlyRootFilesystem: d.readonlyRootFilesystem,
            writablePaths: d.writablePaths ?? [],
            port: d.port,
            healthCheckPath: d.healthCheckPath,
            sticky: d.sticky,
            deregistrationDelaySeconds: d.deregistrationDelaySeconds,
            healthCheckGracePeriodSeconds: d.healthCheckGracePeriodSeconds,
            capacity: d.capacity ?? defaults.capacity,
            logRetentionDays: d.logRetentionDays ?? defaults.logRetentionDays,
            waitForSteadyState: d.waitForSteadyState ?? defaults.waitForSteadyState,
            // A scale-to-zero dashboard sleeps when idle instead (the rules refuse both).
            schedule: d.minTasks === 0 ? undefined : resolvedSchedule(raw.defaults?.schedule, d.schedule),
            idleMinutes: d.minTasks === 0 ? d.idleMinutes ?? IDLE_MINUTES.default : undefined,
            ...(d.loadBalancer !== undefined ? { loadBalancer: d.loadBalancer } : {}),
        })),
        defaults,
        alarmEmails: raw.alarms?.emails ?? [],
        usage: { enabled: raw.usage?.enabled ?? true, userKey: raw.usage?.userKey ?? "hashed" },
        pipeline: raw.pipeline,
        portal: {
            // The portal reads groups from Cognito access tokens; with an external provider it is off by default.
            enabled: raw.portal?.enabled ?? (raw.auth?.provider ?? "cognito") === "cognito",
            name: portalName,
            title: raw.portal?.title ?? STACK_DEFAULTS.portalTitle,
            host: `${portalName}.${raw.domain}`,
            schedule: raw.portal?.schedule ? resolvedSchedule(raw.defaults?.schedule, raw.portal.schedule) : undefined,
        },
    };
}

type ScheduleConfig = z.infer<typeof scheduleSchema>;

/** A dashboard's schedule: its own keys over `defaults.schedule`'s; none when off or not set. */
function resolvedSchedule(defaults: ScheduleConfig | undefined, own: ScheduleConfig | undefined): Schedule | undefined {
    const merged = { ...defaults, ...own };
    if (merged.enabled === false || merged.start === undefined || merged.stop === undefined) return undefined;
    return {
        days: merged.days ?? SCHEDULE_DEFAULTS.days,
        start: merged.start,
        stop: merged.stop,
        timeZone: merged.timeZone ?? SCHEDULE_DEFAULTS.timeZone,
        tasksOutside: merged.tasksOutside ?? SCHEDULE_DEFAULTS.tasksOutside,
    };
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** One problem in the stack file. `key` is the full stack-file key path, e.g. `dashboards:dashboards[2].memory`. */
export interface ConfigProblem {
    key: string;
    message: string;
}

/**
 * `config`: the normalised model (defaults applied) the platform is built from. `args`: the same
 * validated input in `DashboardPlatform`'s argument form, for `new DashboardPlatform(name, args)`.
 */
export type ConfigResult = { ok: true; config: StackConfig; args: PlatformModel } | { ok: false; problems: ConfigProblem[] };

/** The validated stack-file model with extra hosts as objects: assignable to `DashboardPlatformArgs`. */
export type PlatformModel = Omit<RawStackConfig, "dashboards"> & {
    dashboards: (Omit<DashboardConfig, "extraHosts"> & { extraHosts?: { host: string; certificateArn?: string }[] })[];
};

export interface ValidateOptions {
    /**
     * The apps directory images are built from (the program passes the project's `apps/`). When
     * given, each dashboard's `app` must be a folder really inside it (no symlink out of it) with a
     * Dockerfile. Absent: the filesystem is not read, only the configuration is checked.
     */
    appsDir?: string;
    /**
     * Where the last deployment routed each dashboard (the stack's `routing` output): dashboards
     * stay on their load balancer, and each load balancer's limits are checked for that assignment.
     * @default {} (a first deployment)
     */
    routing?: Record<string, Routing>;
}

/** The stack signs users in with the platform's Cognito user pool: auth.provider is cognito, the default. */
function signsInWithCognito(input: Record<string, unknown>): boolean {
    return !(isObject(input.auth) && input.auth.provider === "oidc");
}

/**
 * Validates raw Pulumi config (as `pulumi.runtime.allConfig()` returns it: `"<namespace>:<key>"` ->
 * string, objects as JSON) for `project`. Returns the normalised config or every problem found.
 */
export function validateStackConfig(allConfig: Record<string, string>, project: string, options: ValidateOptions = {}): ConfigResult {
    const problems: ConfigProblem[] = [];
    const prefix = `${project}:`;
    const add = (path: (string | number)[], message: string) => problems.push({ key: formatKey(prefix, path), message });

    const region = Object.hasOwn(allConfig, "aws:region") ? allConfig["aws:region"] : undefined;
    // No prototype: a key can only be what the stack file says, never something inherited.
    const input: Record<string, unknown> = Object.create(null);
    // Problems found while reading values; nothing else is reported at or below their keys.
    const readProblems: PathProblem[] = [];
    for (const [fullKey, value] of Object.entries(allConfig)) {
        if (!fullKey.startsWith(prefix)) {
            const typo = namespaceTypo(fullKey, project);
            if (typo) problems.push({ key: fullKey, message: typo });
            continue;
        }
        const key = fullKey.slice(prefix.length);
        if (RESERVED_KEYS.includes(key)) {
            readProblems.push({ path: [key], message: RESERVED_KEY_MESSAGE });
            continue;
        }
        const refused = (message: string) => ({ value: REPORTED, problems: [{ path: [], message }] });
        const read: { value: unknown; problems: PathProblem[] } = typeof value !== "string"
            ? refused(`is not text (got ${show(value)}); Pulumi passes every config value as a string, objects as JSON`)
            : value.length > MAX_VALUE_LENGTH
                ? refused(`is ${value.length} characters long; a stack-file value may have at most ${MAX_VALUE_LENGTH}`)
                : readConfigValue(value);
        input[key] = read.value;
        readProblems.push(...read.problems.map((p) => ({ path: [key, ...p.path], message: p.message })));
    }
    for (const p of readProblems) {
        // In an object of the schema, say which keys it takes (maps such as environment take any name).
        const allowed = p.message === RESERVED_KEY_MESSAGE ? allowedKeysAt(p.path.slice(0, -1)) : [];
        if (allowed.length > 0) p.message += `; allowed keys: ${allowed.join(", ")}`;
    }
    // Keys whose empty object means "not configured": the Pulumi CLI passes Pulumi.yaml's `default: {}`
    // for a key the stack file leaves out, so `pipeline: {}` must read as no pipeline.
    for (const key of ABSENT_WHEN_EMPTY) {
        if (isObject(input[key]) && Object.keys(input[key]).length === 0) delete input[key];
    }
    if (!region) {
        problems.push({ key: "aws:region", message: "is not set; set the AWS region, e.g. `pulumi config set aws:region eu-west-1`" });
    } else if (!AWS_REGION.test(region)) {
        problems.push({ key: "aws:region", message: `${show(region)} is not an AWS region name such as eu-west-1` });
    } else {
        const unsupported = regionSupportProblem(region, signsInWithCognito(input));
        if (unsupported) problems.push({ key: "aws:region", message: unsupported });
    }

    const { parsed, found } = modelProblems(input, region, options);
    for (const p of readProblems) add(p.path, p.message);
    const alreadyReported = reportedUnder(readProblems);
    for (const p of found) {
        if (!alreadyReported(p.path)) add(p.path, p.message);
    }

    if (problems.length > 0 || !parsed.success) return { ok: false, problems: sortedProblems(problems) };
    return { ok: true, config: normalize(parsed.data, region!), args: platformArgsOf(parsed.data) };
}

/**
 * Validates `DashboardPlatform`'s arguments: the stack file's model as one object (`domain`,
 * `dashboards`, ...) and the stack's region. The same rules as `validateStackConfig`; problems are
 * keyed by the argument's path, e.g. `dashboards[2].memory`.
 */
export function validatePlatformModel(model: Record<string, unknown>, region: string | undefined, options: ValidateOptions = {}): ConfigResult {
    const problems: ConfigProblem[] = [];
    if (!region) {
        problems.push({ key: "region", message: "is not set; pass region, or set the AWS region with `pulumi config set aws:region <region>`" });
    } else if (!AWS_REGION.test(region)) {
        problems.push({ key: "region", message: `${show(region)} is not an AWS region name such as eu-west-1` });
    }
    const input: Record<string, unknown> = Object.assign(Object.create(null), model);
    if (region && AWS_REGION.test(region)) {
        const unsupported = regionSupportProblem(region, signsInWithCognito(input));
        if (unsupported) problems.push({ key: "region", message: unsupported });
    }
    const { parsed, found } = modelProblems(input, region, options);
    for (const p of found) problems.push({ key: formatKey("", p.path), message: p.message });
    if (problems.length > 0 || !parsed.success) return { ok: false, problems: sortedProblems(problems) };
    return { ok: true, config: normalize(parsed.data, region!), args: platformArgsOf(parsed.data) };
}

/** Shape problems (zod) and the rules that span fields, over a model read from a stack file or given as arguments. */
function modelProblems(input: Record<string, unknown>, region: string | undefined, options: ValidateOptions) {
    const parsed = stackConfigSchema.safeParse(input);
    const found: PathProblem[] = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, input));
    const appsDir = options.appsDir;
    // One by one, not spread as arguments: a hostile file with many bad values must not overflow the call stack.
    for (const p of crossFieldProblems(input, region, options.routing ?? {}, appsDir === undefined ? undefined : appFolderChecker(appsDir), appsDir === undefined ? undefined : (req) => resolveAppSource({ ...req, appsDir }))) found.push(p);
    if (region && AWS_REGION.test(region)) {
        const alreadyReported = reportedUnder(found);
        for (const p of arnPartitionProblems(input, region)) if (!alreadyReported(p.path)) found.push(p);
    }
    return { parsed, found };
}

/** Whether a path is, or is inside, one these problems name: a key is told once, by the first rule that refused it. */
function reportedUnder(problems: PathProblem[]): (path: (string | number)[]) => boolean {
    const reported = new Set(problems.map((p) => JSON.stringify(p.path)));
    return (path) => path.some((_, i) => reported.has(JSON.stringify(path.slice(0, i + 1))));
}

/** How deep the ARN walk goes: deeper than any key of the model, and bounded whatever a caller passes. */
const MAX_ARN_WALK_DEPTH = 16;
/** ARN problems reported before the walk stops: enough to fix a file, bounded for a hostile one. */
const MAX_ARN_PROBLEMS = 100;

/**
 * Whether a value at `path` is an ARN the platform uses: under a key named `...Arn` or `...Arns`
 * (or an element of one), or a dashboard secret. Free text, group names and an app's environment
 * may hold ARN-like strings that are data, not references, and are not looked at.
 */
function isArnReference(path: (string | number)[]): boolean {
    const last = path.length - 1;
    let keyAt = last;
    while (keyAt >= 0 && typeof path[keyAt] !== "string") keyAt--;
    if (keyAt < 0) return false;
    if (/Arns?$/.test(String(path[keyAt]))) return true; // the value, or an element of the list, of a ...Arn(s) key
    return keyAt === last && keyAt > 0 && path[keyAt - 1] === "secrets";
}

/**
 * Every ARN the model refers to in the stack's own partition, and naming a region of that
 * partition: IAM grants and service references never cross partitions, so a certificate, secret,
 * policy or connection of another partition fails only at deploy, after the network exists.
 */
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
function arnPartitionProblems(input: Record<string, unknown>, region: string): PathProblem[] {
    const stackPartition = partitionOfRegion(region);
    const out: PathProblem[] = [];
    // Visited once each, so a cycle ends the walk and an object shared many times is not walked many times
    // (a second path to it is not reported: validation fails on the first all the same).
    const seen = new Set<object>();
    const walk = (value: unknown, path: (string | number)[]): void => {
        if (out.length > MAX_ARN_PROBLEMS) return;
        if (isString(value)) {
            const arn = isArnReference(path) && value.length <= MAX_PATTERN_INPUT ? /^arn:(aws[a-z-]*):[a-z0-9-]+:([a-z0-9-]*):/.exec(value) : null;
            if (!arn) return;
            const [, partition, arnRegion] = arn;
            let message: string | undefined;
            if (partition !== stackPartition) {
                message = `is in the ${partition} partition but the stack runs in ${region} (${stackPartition}); no grant or reference crosses partitions: use an arn:${stackPartition}: ARN`;
            } else if (arnRegion && partitionOfRegion(arnRegion) !== partition) {
                // arn:aws:ssm:cn-north-1:...: a region of one partition under another's name, which no resource has.
                message = `names region ${arnRegion}, of the ${partitionOfRegion(arnRegion)} partition, under arn:${partition}; no resource has such an ARN: copy it from the resource itself`;
            }
            if (message) {
                out.push(out.length < MAX_ARN_PROBLEMS ? { path, message } : { path, message: `is one more ARN of another partition than the stack's; only the first ${MAX_ARN_PROBLEMS} are reported` });
            }
            return;
        }
        if (typeof value !== "object" || value === null || seen.has(value) || path.length >= MAX_ARN_WALK_DEPTH) return;
        seen.add(value);
        if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
        // An app's environment is its own data (an app may read another partition with its own credentials): not ours to refuse.
        else for (const [k, v] of Object.entries(value)) if (k !== "environment") walk(v, [...path, k]);
    };
    walk(input, []);
    return out;
}

function sortedProblems(problems: ConfigProblem[]): ConfigProblem[] {
    const order = new Intl.Collator("en", { numeric: true });
    return dedupe(problems).sort((a, b) => order.compare(a.key, b.key));
}

/** The validated model in DashboardPlatform's argument form: extra hosts always as `{host, certificateArn?}`. */
function platformArgsOf(raw: RawStackConfig): PlatformModel {
    return {
        ...raw,
        dashboards: raw.dashboards.map((d) => ({ ...d, extraHosts: d.extraHosts?.map((h) => (typeof h === "string" ? { host: h } : h)) })),
    };
}

/**
 * Pulumi hands object and list values to programs as JSON strings; scalars stay strings. JSON is
 * read with configJson.ts (objects without prototype, reserved keys and deep nesting reported).
 */
function readConfigValue(value: string): { value: unknown; problems: PathProblem[] } {
    const trimmed = value.trim();
    if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return { value, problems: [] };
    const parsed = parseConfigJson(trimmed);
    if (!parsed.ok) return { value: REPORTED, problems: [{ path: [], message: `is not valid JSON (${parsed.error})` }] };
    return { value: parsed.value, problems: parsed.problems };
}

/** `<project>:a.b[0].c` for a stack-file key (prefix `<project>:`), `a.b[0].c` for an argument (prefix ""). */
function formatKey(prefix: string, path: (string | number)[]): string {
    let key = prefix.slice(0, -1);
    path.forEach((part, i) => {
        // A key name can be as long as the stack file; the problem line shows its start and length.
        const name = typeof part === "string" && part.length > 200 ? `${part.slice(0, 40)}... (${part.length} characters)` : part;
        if (typeof name === "number") key += `[${name}]`;
        else key += i > 0 ? `.${name}` : prefix ? `:${name}` : name;
    });
    return key;
}

interface PathProblem {
    path: (string | number)[];
    message: string;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): PathProblem[] {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    switch (issue.code) {
        case "unrecognized_keys": {
            const allowed = allowedKeysAt(path);
            return issue.keys.map((k) => ({
                path: [...path, k],
                message: `unknown key${suggest(k, allowed)}; allowed keys: ${allowed.join(", ")}`,
            }));
        }
        case "invalid_type":
            if (valueAt(input, path) === undefined) {
                return [{ path, message: `is required${requiredHint(path)}` }];
            }
            return [{ path, message: issue.message.startsWith("Invalid input") ? `expected ${issue.expected}, got ${show(valueAt(input, path))}` : issue.message }];
        case "invalid_value":
            // A missing choice (framework, ...): required, and which values it takes.
            if (valueAt(input, path) === undefined) {
                return [{ path, message: `is required${requiredHint(path)}; allowed: ${issue.values.map(String).join(", ")}` }];
            }
            return [{ path, message: issue.message }];
        case "invalid_union": {
            // A discriminated union (identityProviders[].type); zod's path already ends at the discriminator.
            const u = issue as typeof issue & { discriminator?: string; options?: unknown[] };
            if (u.discriminator !== undefined) {
                const value = valueAt(input, path);
                const allowed = `allowed: ${(u.options ?? []).map(String).join(", ")}`;
                return [{ path, message: value === undefined ? `is required; ${allowed}` : `${show(value)} is not allowed; ${allowed}` }];
            }
            // A union of shapes (extraHosts[]: a name, or {host, certificateArn}): the problems of the one option
            // the value's type fits, so a missing host is "required" rather than "not a host name or object".
            const fitting = issue.errors.filter((errors) => !errors.some((e) => e.code === "invalid_type" && e.path.length === 0));
            if (fitting.length === 1) return fitting[0].flatMap((e) => describeIssue({ ...e, path: [...issue.path, ...e.path] } as z.core.$ZodIssue, input));
            return [{ path, message: issue.message }];
        }
        default:
            return [{ path, message: issue.message }];
    }
}

function requiredHint(path: (string | number)[]): string {
    const hints: Record<string, string> = {
        domain: "; the parent domain of every dashboard, e.g. dashboards.example.com",
        dns: "; set hostedZoneId (Route 53 zone for the domain) or certificateArn (existing ACM certificate for *.<domain>)",
        dashboards: "; a list of dashboards (name, framework, ...)",
    };
    return path.length === 1 && Object.hasOwn(hints, path[0]) ? hints[path[0]] : "";
}

function valueAt(input: unknown, path: (string | number)[]): unknown {
    let cur: unknown = input;
    for (const part of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<string | number, unknown>)[part];
    }
    return cur;
}

/** Finds the strict object schema at `path` (array indices step into element schemas) and lists its keys. */
function allowedKeysAt(path: (string | number)[]): string[] {
    let schema: z.ZodType = stackConfigSchema;
    for (const part of path) {
        schema = unwrap(schema);
        if (typeof part === "number" && schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
        else if (typeof part === "string" && schema instanceof z.ZodObject) schema = schema.shape[part] as z.ZodType;
        else return [];
    }
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
    if (schema instanceof z.ZodUnion) {
        return [...new Set(schema.options.flatMap((o) => (o instanceof z.ZodObject ? Object.keys(o.shape) : [])))];
    }
    return [];
}

function unwrap(schema: z.ZodType): z.ZodType {
    let s = schema;
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    return s;
}

function suggest(key: string, allowed: string[]): string {
    const best = suggestion(key, allowed);
    return best === undefined ? "" : ` (did you mean "${best}"?)`;
}

/** The allowed key closest to `key`, if it is close enough to be a typo of it. */
function suggestion(key: string, allowed: readonly string[]): string | undefined {
    const maxEdits = Math.max(2, Math.floor(key.length / 3));
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of allowed) {
        const d = editDistance(key.toLowerCase(), candidate.toLowerCase(), maxEdits);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return bestDistance <= maxEdits ? best : undefined;
}

/**
 * Other namespaces belong to providers (`aws:region`) and Pulumi (`pulumi:tags`) and are theirs to
 * check; a namespace a typo away from the project's (`dashbords:`) is a key meant for this project
 * that would otherwise be dropped without a word.
 */
function namespaceTypo(fullKey: string, project: string): string | undefined {
    const colon = fullKey.indexOf(":");
    if (colon < 0) return undefined;
    const namespace = fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    const maxEdits = Math.min(2, Math.floor(project.length / 4));
    if (editDistance(namespace.toLowerCase(), project.toLowerCase(), maxEdits) > maxEdits) return undefined;
    const meant = (STACK_CONFIG_KEYS as string[]).includes(key) ? key : suggestion(key, STACK_CONFIG_KEYS) ?? key;
    return `unknown namespace ${show(namespace)} (did you mean "${project}:${meant}"?); this project's keys are ${project}:<key>, ` +
        "other namespaces belong to providers (aws:, pulumi:, ...)";
}

/** Levenshtein distance; anything over `max` comes back as `max + 1` (cheaply, when the lengths alone say so). */
function editDistance(a: string, b: string, max = Infinity): number {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
    const seen = new Set<string>();
    return problems.filter((p) => {
        const id = `${p.key}\u0000${p.message}`;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
    });
}

// ---------------------------------------------------------------------------------------------
// Rules that span fields. They read the raw input defensively: any part that is malformed has
// already been reported by the schema and is skipped here.
// ---------------------------------------------------------------------------------------------

/** Names for a message: all of them, or the first 20 and how many more. */
function listed(names: string[], max = 20): string {
    return names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")}, ... and ${names.length - max} more`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === "string";
const stringsOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter(isString) : []);

/** What the rules share: where problems go, the stack's region and domain, and the login provider. */
interface RuleContext {
    out: PathProblem[];
    /** Where the last deployment routed each dashboard. */
    routing: Record<string, Routing>;
    region: string | undefined;
    domain: string | undefined;
    provider: "cognito" | "oidc";
    auth: Record<string, unknown>;
    /** Reports an ALB certificate outside the stack's region. */
    albCertificateRegion(path: (string | number)[], arn: unknown): void;
    /** Reports group names (at `path`) that auth.groups does not declare. */
    checkGroupRefs(path: (string | number)[], value: unknown): void;
}

/** The rules that span fields, one step per part of the stack file. */
/** How a built dashboard's folder becomes an image: its Dockerfile, or a generated one (or the problems why not). */
type AppSourceCheck = (req: Omit<AppSourceRequest, "appsDir">) => AppSourceResult;

function crossFieldProblems(input: Record<string, unknown>, region: string | undefined, routing: Record<string, Routing>, appFolderProblem?: (app: string) => string | undefined, appSource?: AppSourceCheck): PathProblem[] {
    const ctx = ruleContext(input, region, routing);
    dnsRules(input, ctx);
    networkRules(input, ctx);
    authRules(input, ctx);
    pipelineRules(input, ctx);
    portalRules(input, ctx, appFolderProblem);
    dashboardRules(input, ctx, appFolderProblem, appSource);
    return ctx.out;
}

function ruleContext(input: Record<string, unknown>, region: string | undefined, routing: Record<string, Routing>): RuleContext {
    const out: PathProblem[] = [];
    const auth = isObject(input.auth) ? input.auth : {};
    const declaredGroups = Array.isArray(auth.groups) ? auth.groups.filter(isObject).map((g) => g.name).filter(isString) : [];
    const groupHint = declaredGroups.length > 0 ? `declared groups: ${listed(declaredGroups)}` : "no groups are declared in auth.groups";
    const declared = new Set(declaredGroups);
    // Groups that could not be read (a value refused by its size or depth) are unknown, not absent.
    const groupsReadable = input.auth !== REPORTED && auth.groups !== REPORTED;
    return {
        out,
        routing,
        region,
        domain: isString(input.domain) ? input.domain : undefined,
        provider: auth.provider === "oidc" ? "oidc" : "cognito",
        auth,
        // An ALB uses ACM certificates of its own region only: https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html
        albCertificateRegion(path, arn) {
            const certRegion = isString(arn) ? ACM_CERTIFICATE_ARN.exec(arn)?.[1] : undefined;
            if (certRegion && region && certRegion !== region) {
                out.push({ path, message: `is in ${certRegion} but the load balancer is in ${region}; an ALB certificate must be in the ALB's region` });
            }
        },
        checkGroupRefs(path, value) {
            if (!groupsReadable || !Array.isArray(value)) return;
            value.forEach((g, i) => {
                if (isString(g) && !declared.has(g)) out.push({ path: [...path, i], message: `group ${show(g)} is not declared in auth.groups; ${groupHint}` });
            });
        },
    };
}

/** dns: a zone or a certificate (or both); the certificate in the stack's region. */
function dnsRules(input: Record<string, unknown>, ctx: RuleContext): void {
    if (!isObject(input.dns)) return;
    const { hostedZoneId, certificateArn } = input.dns;
    if (hostedZoneId === undefined && certificateArn === undefined) {
        ctx.out.push({ path: ["dns"], message: "needs hostedZoneId (Route 53 zone for the domain) or certificateArn (existing ACM certificate for *.<domain>), or both" });
    }
    ctx.albCertificateRegion(["dns", "certificateArn"], certificateArn);
}

/** network: new VPC settings and existing VPC settings are mutually exclusive. */
function networkRules(input: Record<string, unknown>, { out }: RuleContext): void {
    if (!isObject(input.network)) return;
    const n = input.network;
    if (n.vpcId === undefined) {
        for (const k of ["publicSubnetIds", "privateSubnetIds"] as const) {
            if (n[k] !== undefined) out.push({ path: ["network", k], message: "only applies to an existing VPC; set network.vpcId too, or remove it to create a new VPC" });
        }
        return;
    }
    for (const k of ["nat", "cidrBlock", "availabilityZones"] as const) {
        if (n[k] !== undefined) out.push({ path: ["network", k], message: "only applies to a new VPC; remove it or remove network.vpcId" });
    }
    const publics = stringsOf(n.publicSubnetIds);
    if (n.publicSubnetIds === undefined || publics.length < 2) {
        out.push({ path: ["network", "publicSubnetIds"], message: "needs at least two public subnets in different availability zones for the load balancer when network.vpcId is set" });
    }
    const overlap = stringsOf(n.privateSubnetIds).filter((s) => publics.includes(s));
    if (overlap.length > 0) {
        out.push({ path: ["network", "privateSubnetIds"], message: `${listed(overlap)} is also listed in publicSubnetIds; a subnet is either public or private` });
    }
}

/** auth: declared groups, admin groups, users, provider-specific keys, email, domains, identity providers. */
function authRules(input: Record<string, unknown>, ctx: RuleContext): void {
    const { out, auth } = ctx;
    const groupIndex = new Map<string, number>();
    (Array.isArray(auth.groups) ? auth.groups : []).forEach((g, i) => {
        if (!isObject(g) || !isString(g.name)) return;
        if (groupIndex.has(g.name)) out.push({ path: ["auth", "groups", i, "name"], message: `${show(g.name)} is declared twice (also auth.groups[${groupIndex.get(g.name)}])` });
        else groupIndex.set(g.name, i);
    });
    ctx.checkGroupRefs(["auth", "adminGroups"], auth.adminGroups);
    if (Array.isArray(auth.users)) auth.users.forEach((u, i) => isObject(u) && ctx.checkGroupRefs(["auth", "users", i, "groups"], u.groups));
    if (ctx.provider === "oidc") {
        if (auth.oidc === undefined) out.push({ path: ["auth", "oidc"], message: "is required when auth.provider is oidc (issuer, endpoints, clientId, clientSecret)" });
        for (const k of ["mfa", "threatProtection", "allowSelfSignUp", "passwordMinimumLength", "domainPrefix", "customDomain", "groups", "adminGroups", "users", "identityProviders", "tokenValidity", "email"] as const) {
            if (auth[k] !== undefined) out.push({ path: ["auth", k], message: "only applies to auth.provider cognito; the external OIDC provider manages it" });
        }
    } else if (auth.oidc !== undefined) {
        out.push({ path: ["auth", "oidc"], message: "only applies to auth.provider oidc; use auth.identityProviders to federate an OIDC provider through Cognito" });
    }
    if (isObject(auth.email) && isString(auth.email.sourceArn) && isString(auth.email.fromEmailAddress) && auth.email.fromEmailAddress.length <= SES_FROM_MAX) {
        const mismatch = sesSenderMismatch(auth.email.sourceArn, auth.email.fromEmailAddress);
        if (mismatch) out.push({ path: ["auth", "email", "fromEmailAddress"], message: mismatch });
    }
    if (isString(auth.domainPrefix) && /aws|amazon|cognito/.test(auth.domainPrefix)) {
        // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
        out.push({ path: ["auth", "domainPrefix"], message: `${show(auth.domainPrefix)} contains a reserved word; Cognito domain prefixes may not contain aws, amazon or cognito` });
    }
    const govCloudDomain = auth.customDomain !== undefined && ctx.provider === "cognito" && ctx.region ? cognitoCustomDomainProblem(ctx.region) : undefined;
    if (govCloudDomain) out.push({ path: ["auth", "customDomain"], message: govCloudDomain });
    if (isObject(auth.customDomain) && isString(auth.customDomain.certificateArn)) {
        const certRegion = ACM_CERTIFICATE_ARN.exec(auth.customDomain.certificateArn)?.[1];
        if (certRegion && certRegion !== "us-east-1") {
            // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-add-custom-domain.html
            out.push({ path: ["auth", "customDomain", "certificateArn"], message: `is in ${certRegion}; a Cognito custom domain needs a certificate in us-east-1` });
        }
    }
    identityProviderRules(auth.identityProviders, out);
}

/** auth.identityProviders: unique names; a SAML provider's metadata from exactly one place. */
function identityProviderRules(providers: unknown, out: PathProblem[]): void {
    if (!Array.isArray(providers)) return;
    const names = new Map<string, number>();
    providers.forEach((idp, i) => {
        if (!isObject(idp)) return;
        if (isString(idp.name)) {
            if (names.has(idp.name)) out.push({ path: ["auth", "identityProviders", i, "name"], message: `${show(idp.name)} is used twice (also identityProviders[${names.get(idp.name)}])` });
            else names.set(idp.name, i);
        }
        if (idp.type === "saml" && (idp.metadataUrl === undefined) === (idp.metadataFile === undefined)) {
            out.push({ path: ["auth", "identityProviders", i], message: "a SAML provider needs exactly one of metadataUrl or metadataFile" });
        }
    });
}

/** pipeline: the build must be able to reach the stack's state. */
function pipelineRules(input: Record<string, unknown>, { out }: RuleContext): void {
    if (isObject(input.pipeline) && input.pipeline.pulumiAccessTokenSecretArn === undefined && input.pipeline.pulumiBackendUrl === undefined) {
        out.push({ path: ["pipeline"], message: "needs pulumiAccessTokenSecretArn (Pulumi Cloud) or pulumiBackendUrl (self-managed state) so the build can run pulumi up" });
    }
}

/** Whether the portal is deployed: on by default with Cognito, which it reads groups from. */
function portalEnabled(input: Record<string, unknown>, ctx: RuleContext): boolean {
    const portal = isObject(input.portal) ? input.portal : {};
    return (portal.enabled ?? ctx.provider === "cognito") === true;
}

/** portal: needs Cognito, and its sources in the apps folder (it is built like a dashboard). */
function portalRules(input: Record<string, unknown>, ctx: RuleContext, appFolderProblem?: (app: string) => string | undefined): void {
    const portal = isObject(input.portal) ? input.portal : {};
    if (portal.enabled === true && ctx.provider === "oidc") {
        ctx.out.push({ path: ["portal", "enabled"], message: "needs auth.provider cognito; the portal reads each user's groups from Cognito access tokens" });
        return;
    }
    if (isObject(portal.schedule)) {
        const defaults = isObject(input.defaults) && isObject(input.defaults.schedule) ? input.defaults.schedule : {};
        scheduleRules({ schedule: portal.schedule, minTasks: 1 }, (...rest) => ["portal", ...rest], ctx.out, defaults);
    }
    const problem = portalEnabled(input, ctx) ? appFolderProblem?.(STACK_DEFAULTS.portalApp) : undefined;
    if (problem) {
        // The finding alone ("<apps>/portal does not exist"), without the advice meant for a dashboard's app.
        const finding = problem.split(";")[0].replace(/ \(images are built from there\)$/, "");
        ctx.out.push({
            path: ["portal", "enabled"],
            message: `is on (the default with Cognito), but ${finding}, and the portal is built from there; copy this project's apps/portal and apps/shared there, or set portal.enabled to false`,
        });
    }
}

/** dashboards: the list as a whole (count, quotas), then each dashboard, then the listener's certificates. */
function dashboardRules(input: Record<string, unknown>, ctx: RuleContext, appFolderProblem?: (app: string) => string | undefined, appSource?: AppSourceCheck): void {
    if (!Array.isArray(input.dashboards)) return;
    const { out, domain } = ctx;
    const dashboards = input.dashboards;
    dashboardListRules(dashboards, ctx, input);
    const hosts = new HostClaims(out);
    if (isObject(ctx.auth.customDomain) && isString(ctx.auth.customDomain.domain)) hosts.reserve(ctx.auth.customDomain.domain, "auth.customDomain");
    if (portalEnabled(input, ctx) && domain) {
        const portal = isObject(input.portal) ? input.portal : {};
        hosts.reserve(`${isString(portal.name) ? portal.name : STACK_DEFAULTS.portalName}.${domain}`, "the portal (portal.name)");
    }
    const defaults = isObject(input.defaults) ? input.defaults : {};
    // Which certificate serves each extra host (the same rules as DashboardCluster), when the domain is known.
    const dns = isObject(input.dns) ? input.dns : {};
    const certificates: CertificateContext | undefined = domain
        ? { domain, hostedZone: isString(dns.hostedZoneId), defaultCertificateArn: isString(dns.certificateArn) ? dns.certificateArn : undefined }
        : undefined;
    const assignment = loadBalancerAssignment(input, ctx);
    const listenerHosts = new Map<number, ExtraHost[]>();
    const names = new Map<string, number>();
    dashboards.forEach((d, i) => {
        if (!isObject(d)) return;
        const at = (...rest: (string | number)[]) => ["dashboards", i, ...rest];
        if (isString(d.name)) {
            if (names.has(d.name)) out.push({ path: at("name"), message: `${show(d.name)} is already used by dashboards[${names.get(d.name)}]; names must be unique` });
            else {
                names.set(d.name, i);
                if (domain) hosts.claim(`${d.name}.${domain}`, `dashboards[${i}]`, at("name"));
            }
        }
        const served = extraHostRules(d, i, ctx, hosts, certificates);
        const n = isString(d.name) ? assignment.get(d.name) ?? 0 : 0;
        listenerHosts.set(n, [...(listenerHosts.get(n) ?? []), ...served]);
        const image = imageRules(d, at, out, appFolderProblem, appSource);
        writableRules(d, at, out, image);
        sizeRules(d, at, out, isString(defaults.capacity) ? defaults.capacity : STACK_DEFAULTS.capacity);
        const defaultSchedule = isObject(defaults.schedule) ? defaults.schedule : {};
        if (d.minTasks !== 0) scheduleRules(d, at, out, defaultSchedule);
        sleepRules(d, at, out);
        if (d.accessGroups !== undefined && ctx.provider === "oidc" && stringsOf(d.accessGroups).length > 0) {
            out.push({ path: at("accessGroups"), message: "needs auth.provider cognito; per-dashboard groups are enforced by the Cognito user pool" });
        } else {
            ctx.checkGroupRefs(at("accessGroups"), d.accessGroups);
        }
        environmentRules(d, at, out);
        taskPolicyRules(d, at, out);
        if (ctx.region) imagePartitionRule(d, at, out, ctx.region);
    });
    if (!certificates) return;
    for (const [n, served] of [...listenerHosts].sort(([a], [b]) => a - b)) {
        const listener = listenerCertificatePlan(served, certificates);
        if (listener.count <= LISTENER_CERTIFICATE_LIMIT) continue;
        out.push({
            path: ["dashboards"],
            message: `on load balancer ${n} need ${listener.count} certificates on its HTTPS listener besides the default *.${domain} (${listener.arns.length} given as certificateArn, ` +
                `${listener.requested.length} requested for extra hosts in the zone); a listener holds ${LISTENER_CERTIFICATE_LIMIT} (an adjustable AWS quota): ` +
                `serve several hosts with one certificateArn (it counts once), use hosts of the form <label>.${domain}, or pin some of these dashboards to another load balancer (dashboards[].loadBalancer)`,
        });
    }
}

/**
 * Which load balancer serves each dashboard (and the portal, always on 0): as DashboardPlatform
 * assigns them, from the stack file's pins and the last deployment's routing.
 */
function loadBalancerAssignment(input: Record<string, unknown>, ctx: RuleContext): Map<string, number> {
    return assignLoadBalancers(routedOf(input, ctx), ctx.routing, maxDashboardsOf(input));
}

function maxDashboardsOf(input: Record<string, unknown>): number {
    const max = isObject(input.loadBalancer) ? input.loadBalancer.maxDashboards : undefined;
    return Number.isInteger(max) && (max as number) >= 1 && (max as number) <= MAX_DASHBOARDS_PER_LOAD_BALANCER ? (max as number) : DEFAULT_DASHBOARDS_PER_LOAD_BALANCER;
}

/** The dashboards (with a name) and the portal as the assignment sees them: what each puts on its load balancer, and its pin. */
function routedOf(input: Record<string, unknown>, ctx: RuleContext): RoutedDashboard[] {
    const dashboards = Array.isArray(input.dashboards) ? input.dashboards.filter(isObject) : [];
    const pin = (v: unknown) => (isLoadBalancerNumber(v) ? v : undefined);
    const routed = dashboards.filter((d) => isString(d.name)).map((d) => routedDashboard(d.name as string, d.minTasks === 0, pin(d.loadBalancer)));
    if (!portalEnabled(input, ctx)) return routed;
    const portal = isObject(input.portal) && isString(input.portal.name) ? input.portal.name : STACK_DEFAULTS.portalName;
    return [routedPortal(portal), ...routed];
}

/** The dashboards list: not empty, each load balancer within its limits, and access-map entries that fit their parameters. */
function dashboardListRules(dashboards: unknown[], ctx: RuleContext, input: Record<string, unknown>): void {
    const { out } = ctx;
    if (dashboards.length === 0) out.push({ path: ["dashboards"], message: "is empty; configure at least one dashboard" });
    // New dashboards only go where they fit; pins and the last deployment's places can overfill a load balancer.
    const routed = routedOf(input, ctx);
    const loads = loadBalancerLoads(routed, assignLoadBalancers(routed, ctx.routing, maxDashboardsOf(input)));
    const position = new Map(dashboards.map((d, i) => [isObject(d) && isString(d.name) ? d.name : "", i]));
    const pinnedTo = (name: string, n: number) => position.has(name) && (dashboards[position.get(name)!] as Record<string, unknown>).loadBalancer === n;
    for (const [n, load] of loads) {
        if (load.rules <= ALB_RULE_LIMIT && load.targetGroups <= ALB_TARGET_GROUP_LIMIT) continue;
        const pinned = load.dashboards.filter((name) => pinnedTo(name, n));
        const why = n === MAX_LOAD_BALANCERS - 1 && pinned.length === 0
            ? `the dashboards need more than the ${MAX_LOAD_BALANCERS} load balancers a region holds (an adjustable AWS quota; ask AWS for more, or split the dashboards over two stacks)`
            : pinned.length > 0
                ? `${pinned.length} of them pinned there by dashboards[].loadBalancer (${pinned.slice(0, 5).map((name) => `dashboards[${position.get(name)}]`).join(", ")}${pinned.length > 5 ? ", ..." : ""}): pin fewer there`
                : "placed there by earlier deployments; pin some to another load balancer with dashboards[].loadBalancer";
        out.push({
            path: ["dashboards"],
            message: `put ${load.counted} dashboards${load.dashboards.length > load.counted ? " and the portal" : ""} on load balancer ${n}: ${load.rules} listener rules and ${load.targetGroups} target groups ` +
                `(a scale-to-zero dashboard needs two of each, and the platform's sign-out and signed-out page are included), but an ALB holds ${ALB_RULE_LIMIT} rules and ${ALB_TARGET_GROUP_LIMIT} target groups; ${why}`,
        });
    }
    // The pre-token trigger reads each dashboard's groups, and the admin groups, from one SSM parameter each (8 KB at most).
    if (ctx.provider !== "cognito") return;
    dashboards.forEach((d, i) => {
        if (!isObject(d) || !isString(d.name)) return;
        const bytes = clientAccessBytes(d.name, stringsOf(d.accessGroups));
        if (bytes > SSM_ADVANCED_MAX_BYTES) {
            out.push({ path: ["dashboards", i, "accessGroups"], message: `take ${bytes} bytes in the login check's access map; it reads a dashboard's groups from one SSM parameter of at most ${SSM_ADVANCED_MAX_BYTES} bytes: use fewer or shorter group names` });
        }
    });
    const adminBytes = adminGroupsBytes(stringsOf(ctx.auth.adminGroups));
    if (adminBytes > SSM_ADVANCED_MAX_BYTES) {
        out.push({ path: ["auth", "adminGroups"], message: `take ${adminBytes} bytes in the login check's access map; it reads them from one SSM parameter of at most ${SSM_ADVANCED_MAX_BYTES} bytes: use fewer or shorter group names` });
    }
    // One app client per dashboard, and one for the portal.
    if (dashboards.length + 1 > COGNITO_APP_CLIENT_LIMIT) {
        out.push({ path: ["dashboards"], message: `has ${dashboards.length} dashboards; each has its own app client in the user pool, which holds ${COGNITO_APP_CLIENT_LIMIT} with the portal's (an adjustable AWS quota): split them over two stacks or ask AWS for more` });
    }
}

/** Every host of the stack belongs to one owner: a dashboard, the portal or the hosted login. */
class HostClaims {
    private readonly owners = new Map<string, string>();
    constructor(private readonly out: PathProblem[]) {}
    reserve(host: string, owner: string): void {
        this.owners.set(host, owner);
    }
    claim(host: string, owner: string, path: (string | number)[]): void {
        const prior = this.owners.get(host);
        if (prior) this.out.push({ path, message: `host ${host} is already used by ${prior}; every host must be unique` });
        else this.owners.set(host, owner);
    }
}

type At = (...rest: (string | number)[]) => (string | number)[];

/** A dashboard's extra hosts: unique, at most four, each served by a certificate; returns those the listener serves. */
function extraHostRules(d: Record<string, unknown>, i: number, ctx: RuleContext, hosts: HostClaims, certificates: CertificateContext | undefined): ExtraHost[] {
    const { out, domain, region } = ctx;
    const at: At = (...rest) => ["dashboards", i, ...rest];
    const served: ExtraHost[] = [];
    extraHostsOf(d.extraHosts).forEach(({ host, certificateArn, index: j }) => {
        hosts.claim(host, `dashboards[${i}]`, at("extraHosts", j));
        ctx.albCertificateRegion(at("extraHosts", j, "certificateArn"), certificateArn);
        if (!certificates) return;
        const c = coverage({ host, certificateArn }, certificates);
        served.push({ host, certificateArn });
        if (c.kind !== "uncovered") return;
        const instead = `write it as {host: ${host}, certificateArn: <ACM certificate in ${region ?? "the stack's region"} that covers it>}`;
        out.push({
            path: at("extraHosts", j),
            message: c.why === "outside-domain"
                ? `${host} is outside ${domain}, so the stack cannot request a certificate for it and *.${domain} does not cover it; ${instead}`
                : `${host} is not covered by *.${domain} (one level only) and, without dns.hostedZoneId, the stack cannot request a certificate for it; set dns.hostedZoneId or ${instead}`,
        });
    });
    if (Array.isArray(d.extraHosts) && d.extraHosts.length > MAX_EXTRA_HOSTS) {
        out.push({ path: at("extraHosts"), message: `has ${d.extraHosts.length} hosts; at most ${MAX_EXTRA_HOSTS} (an ALB rule matches at most 5 host names, one is <name>.<domain>)` });
    }
    return served;
}

/** Where a dashboard's image comes from: a prebuilt image (no app folder; a tag only when allowed) or its app folder. */
function imageRules(d: Record<string, unknown>, at: At, out: PathProblem[], appFolderProblem?: (app: string) => string | undefined, appSource?: AppSourceCheck): ImageKind | undefined {
    const prebuilt = d.image !== undefined;
    if (prebuilt) {
        if (d.imageDigest !== undefined) {
            out.push({ path: at("imageDigest"), message: "cannot be set with image; imageDigest pins an earlier build of the dashboard's own repository, image runs a prebuilt one: keep one" });
        }
        if (d.app !== undefined) out.push({ path: at("app"), message: "is not used with image (a prebuilt image is not built from apps/); remove app or image" });
        for (const key of ["buildTarget", "entrypoint", "packages", "packageSnapshot"]) {
            if (d[key] !== undefined) out.push({ path: at(key), message: `is not used with image (a prebuilt image is not built); remove ${key} or image` });
        }
        const parsed = isString(d.image) ? parseImageReference(d.image) : undefined;
        const mutable = parsed?.ok && d.allowMutableTag !== true ? mutableTagProblem(parsed.image) : undefined;
        if (mutable) out.push({ path: at("image"), message: `${show(d.image)} ${mutable}` });
        return { kind: "image" };
    }
    if (d.allowMutableTag === true) {
        out.push({ path: at("allowMutableTag"), message: "only applies with image; a built dashboard is always pinned by digest" });
    }
    // A snapshot pins packages as of a day that has passed; a later one would follow whatever is published until then.
    if (isString(d.packageSnapshot) && SNAPSHOT_DAY.test(d.packageSnapshot) && d.packageSnapshot > new Date().toISOString().slice(0, 10)) {
        out.push({ path: at("packageSnapshot"), message: `${show(d.packageSnapshot)} is in the future; a snapshot is a day that has passed (packages as published up to then)` });
    }
    if (d.buildTarget !== undefined && d.imageDigest !== undefined) {
        out.push({ path: at("buildTarget"), message: "is not used with imageDigest (a pinned earlier image is not built); remove buildTarget while pinned" });
    }
    // The app folder on disk (a malformed app or name is the schema's to report).
    const app = d.app === undefined && isString(d.name) && d.name.length <= MAX_DASHBOARD_NAME_LENGTH && DNS_LABEL.test(d.name) ? d.name : d.app;
    const appProblem = appFolderProblem && isString(app) && app.length <= MAX_PATTERN_INPUT && APP_FOLDER_NAME.test(app) ? appFolderProblem(app) : undefined;
    if (appProblem) out.push({ path: at("app"), message: d.app === undefined ? `is not set, so it is the name ${show(app)}, and ${appProblem}` : appProblem });
    // The folder is there: its Dockerfile, or one generated from what it holds (a malformed key is the schema's to report).
    const wellFormed = isString(d.framework) && (d.entrypoint === undefined || isString(d.entrypoint)) && (d.packages === undefined || (Array.isArray(d.packages) && d.packages.every(isString)));
    if (appSource && !appProblem && isString(app) && APP_FOLDER_NAME.test(app) && wellFormed) {
        const source = appSource({
            app, framework: d.framework as string, entrypoint: d.entrypoint as string | undefined, packages: d.packages as string[] | undefined,
            buildTarget: isString(d.buildTarget) ? d.buildTarget : undefined, packageSnapshot: isString(d.packageSnapshot) ? d.packageSnapshot : undefined,
        });
        if (!source.ok) for (const p of source.problems) out.push({ path: at(p.key), message: p.message });
        else if (source.source.kind === "generated" && d.buildTarget !== undefined) {
            out.push({ path: at("buildTarget"), message: `names a stage, but ${app} has no Dockerfile and the generated one has a single image to deploy; remove buildTarget` });
        }
        if (source.ok) return source.source.kind === "generated" ? { kind: "generated", app, writablePaths: source.source.writablePaths } : { kind: "dockerfile", app, stage: source.source.stage };
    }
    return undefined;
}

/** Where a dashboard's image comes from, as far as the file system was read: a prebuilt `image`, the folder's Dockerfile, or a generated one. */
type ImageKind = { kind: "image" } | { kind: "dockerfile"; app: string; stage?: BuiltStage } | { kind: "generated"; app: string; writablePaths: string[] };

/**
 * The root file system and `writablePaths`: folders as writablePaths.ts allows them, only with a
 * read-only root, none for a generated image (its VOLUMEs are fixed); for the app's own Dockerfile,
 * its VOLUMEs are mounted writable too, so they must be folders that may be, and an image that runs
 * as another user than root must declare /tmp and each further folder (otherwise it cannot write them).
 */
function writableRules(d: Record<string, unknown>, at: At, out: PathProblem[], image: ImageKind | undefined): void {
    const paths = Array.isArray(d.writablePaths) ? d.writablePaths : [];
    // A non-string entry is the schema's to report.
    for (const p of writablePathsProblems(paths, "skip")) {
        out.push(p.index === undefined ? { path: at("writablePaths"), message: p.problem } : { path: at("writablePaths", p.index), message: `${show(paths[p.index])} ${p.problem}` });
    }
    if (image === undefined) return; // a built dashboard whose folder was not read: DashboardService checks the rest
    if (image.kind === "generated") {
        if (paths.length > 0) {
            out.push({
                path: at("writablePaths"),
                message: `is not used with a generated image, which may write ${image.writablePaths.join(" and ")} only; to let the app write elsewhere, copy the generated Dockerfile into apps/${image.app} as Dockerfile, ` +
                    "declare each folder there with VOLUME (after giving it to the app's user), and list it here",
            });
        }
        return;
    }
    const stage = image.kind === "dockerfile" ? image.stage : undefined;
    const declared = stage?.volumes ?? [];
    const readonly = typeof d.readonlyRootFilesystem === "boolean" ? d.readonlyRootFilesystem : readonlyByDefault({ generated: false, volumes: declared });
    if (!readonly) {
        if (paths.length > 0) out.push({ path: at("writablePaths"), message: "only applies with readonlyRootFilesystem: true (without it every folder is writable); set it, or remove writablePaths" });
        return;
    }
    if (image.kind !== "dockerfile") return;
    const file = `apps/${image.app}/Dockerfile`;
    const further = declared.filter((v) => v !== ALWAYS_WRITABLE);
    // Too many either way: said once, before the checks that pair them (a list's own count is reported above).
    if (further.length > MAX_WRITABLE_PATHS) {
        out.push({ path: at("app"), message: `${file} declares ${further.length} VOLUME folders besides /tmp, and a read-only root file system mounts each writable; at most ${MAX_WRITABLE_PATHS}: remove some, or set readonlyRootFilesystem: false` });
        return;
    }
    if (paths.length > MAX_WRITABLE_PATHS) return;
    for (const v of further) {
        const problem = writablePathProblem(v);
        if (problem) out.push({ path: at("app"), message: `${file} declares VOLUME ${v}, which a read-only root file system mounts writable, and it ${problem.replace(/; remove it$/, "")}; remove that VOLUME, or set readonlyRootFilesystem: false` });
    }
    // One VOLUME inside another would be two mounts, one over the other (builtStage has dropped repeats).
    further.forEach((v, i) => {
        const outer = further.find((o, j) => j !== i && within(v, o));
        if (outer) out.push({ path: at("app"), message: `${file} declares VOLUME ${v} inside its VOLUME ${outer}, which a read-only root file system mounts writable already; remove one, or set readonlyRootFilesystem: false` });
    });
    paths.forEach((p, i) => {
        if (typeof p !== "string") return;
        const volume = further.find((v) => within(p, v));
        if (volume) out.push({ path: at("writablePaths", i), message: `${show(p)} is ${p === volume ? "" : `inside ${volume}, `}a VOLUME of ${file}, which is writable already; remove it` });
    });
    if (further.length + paths.length > MAX_WRITABLE_PATHS) {
        out.push({ path: at("writablePaths"), message: `with the ${further.length} VOLUME folders of ${file} besides /tmp, makes ${further.length + paths.length} writable folders; at most ${MAX_WRITABLE_PATHS}` });
    }
    // Only what the file itself says: a base image's USER or VOLUME is not read.
    if (stage && runsAsRoot(stage.user) === false) {
        const instead = `the task's mount would be empty and writable by root only (ECS fills it from the image only for a VOLUME), and ${file} runs as USER ${stage.user}`;
        if (!declared.includes(ALWAYS_WRITABLE)) {
            out.push({ path: at("readonlyRootFilesystem"), message: `needs ${file} to declare VOLUME ["/tmp"] (after its last RUN): ${instead}; add it, or remove readonlyRootFilesystem` });
        }
        paths.forEach((p, i) => {
            if (typeof p !== "string" || writablePathProblem(p) || declared.some((v) => within(p, v))) return;
            out.push({ path: at("writablePaths", i), message: `${show(p)} is not a VOLUME of ${file}: ${instead}; give the folder to that user and declare it with VOLUME` });
        });
    }
}

/** Fargate CPU/memory pairs, the drain time on Spot, and task counts. */
function sizeRules(d: Record<string, unknown>, at: At, out: PathProblem[], defaultCapacity: string): void {
    const cpu = typeof d.cpu === "number" ? d.cpu : d.cpu === undefined ? DASHBOARD_DEFAULTS.cpu : undefined;
    const memory = typeof d.memory === "number" ? d.memory : d.memory === undefined ? DASHBOARD_DEFAULTS.memory : undefined;
    if (cpu !== undefined) {
        const options = fargateMemoryOptions(cpu);
        if (!options) {
            out.push({ path: at("cpu"), message: `${cpu} is not a Fargate CPU value; allowed: ${FARGATE_CPU_VALUES.join(", ")}` });
        } else if (memory !== undefined && !options.includes(memory)) {
            out.push(d.memory === undefined
                ? { path: at("memory"), message: `is required with cpu ${cpu}: the default ${memory} is not valid with it on Fargate; allowed: ${describeValues(options)}` }
                : { path: at("memory"), message: `${memory} is not valid with cpu ${cpu} on Fargate; allowed: ${describeValues(options)}` });
        }
    }
    const capacity = isString(d.capacity) ? d.capacity : defaultCapacity;
    // Fargate Spot gives a 2-minute warning: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
    if (typeof d.deregistrationDelaySeconds === "number" && capacity !== "on-demand" && d.deregistrationDelaySeconds >= 120) {
        out.push({ path: at("deregistrationDelaySeconds"), message: `${d.deregistrationDelaySeconds} is too long on Fargate Spot (capacity ${capacity}); tasks get a 2-minute warning, so allowed: 0 to 119` });
    }
    const min = typeof d.minTasks === "number" ? d.minTasks : DASHBOARD_DEFAULTS.minTasks;
    if (typeof d.maxTasks === "number" && d.maxTasks < min) {
        out.push({ path: at("maxTasks"), message: `${d.maxTasks} is less than minTasks ${min}; maxTasks must be >= minTasks` });
    }
}

/**
 * A dashboard's schedule over `defaults.schedule`: once either sets a key, start and stop are
 * needed, start before stop, and no more tasks outside the hours than inside.
 */
function scheduleRules(d: Record<string, unknown>, at: At, out: PathProblem[], defaults: Record<string, unknown>): void {
    const own = isObject(d.schedule) ? d.schedule : {};
    const merged = { ...defaults, ...own };
    if (merged.enabled === false || (Object.keys(own).length === 0 && Object.keys(defaults).length === 0)) return;
    // The key that holds the value, or, for a missing one, where the dashboard's schedule comes from.
    const inherited = Object.keys(own).length === 0;
    const where = (key: string) => (own[key] !== undefined || (defaults[key] === undefined && !inherited) ? at("schedule", key) : ["defaults", "schedule", key]);
    for (const key of ["start", "stop"] as const) {
        if (merged[key] === undefined) out.push({ path: where(key), message: `is required for a schedule (HH:MM); set it here or in defaults.schedule, or set schedule.enabled: false` });
    }
    const { start, stop } = merged;
    if (isString(start) && isString(stop) && !timeProblem(start) && !timeProblem(stop) && minutesOf(stop) <= minutesOf(start)) {
        out.push({ path: where("stop"), message: `${stop} is not after start ${start}; office hours start and stop on the same day` });
    }
    const min = typeof d.minTasks === "number" ? d.minTasks : DASHBOARD_DEFAULTS.minTasks;
    if (typeof merged.tasksOutside === "number" && merged.tasksOutside > min) {
        out.push({ path: where("tasksOutside"), message: `${merged.tasksOutside} is more than minTasks ${min}; outside the hours a dashboard runs fewer tasks, not more` });
    }
}

/**
 * Scale to zero (`minTasks: 0`): `idleMinutes` only with it, and not with a schedule of its own
 * (`defaults.schedule` does not apply to it: it sleeps when idle instead).
 */
function sleepRules(d: Record<string, unknown>, at: At, out: PathProblem[]): void {
    if (d.minTasks !== 0) {
        if (d.idleMinutes !== undefined) {
            out.push({ path: at("idleMinutes"), message: `needs minTasks 0 (scale to zero); with minTasks ${typeof d.minTasks === "number" ? d.minTasks : DASHBOARD_DEFAULTS.minTasks} the dashboard never sleeps when idle` });
        }
        return;
    }
    if (isObject(d.schedule) && d.schedule.enabled !== false) {
        out.push({
            path: at("schedule"),
            message: "office hours and minTasks 0 (scale to zero) both decide when the dashboard sleeps; use one: remove schedule, or set minTasks 1 or more",
        });
    }
}

/**
 * A dashboard's prebuilt ECR image in the stack's own partition (its ARNs are checked with every other
 * ARN, by arnPartitionProblems): a task's pull rights never match another partition's registry.
 */
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
function imagePartitionRule(d: Record<string, unknown>, at: At, out: PathProblem[], region: string): void {
    const stackPartition = partitionOfRegion(region);
    const image = isString(d.image) ? parseImageReference(d.image) : undefined;
    const ecrRegion = image?.ok ? image.image.ecr?.region : undefined;
    const registryPartition = ecrRegion ? partitionOfRegion(ecrRegion) : stackPartition;
    if (registryPartition !== stackPartition) {
        out.push({ path: at("image"), message: `is in the ${registryPartition} partition but the stack runs in ${region} (${stackPartition}); its registry is in ${ecrRegion}, and a task cannot pull from a registry of another partition` });
    }
}

/** Environment and secret names: valid, not the platform's own, and each either plain or secret. */
function environmentRules(d: Record<string, unknown>, at: At, out: PathProblem[]): void {
    const envNames = isObject(d.environment) ? Object.keys(d.environment) : [];
    const secretNames = isObject(d.secrets) ? Object.keys(d.secrets) : [];
    for (const [kind, list] of [["environment", envNames], ["secrets", secretNames]] as const) {
        for (const name of list) {
            if (!ENV_VAR_NAME.test(name)) {
                out.push({ path: at(kind, name), message: "is not a valid environment variable name (letters, digits and _, not starting with a digit)" });
            } else if (RESERVED_ENV_NAMES.includes(name) || RESERVED_ENV_PREFIXES.some((p) => name.startsWith(p))) {
                out.push({ path: at(kind, name), message: `is set by the platform; names ${RESERVED_ENV_NAMES.join(", ")} and prefixes ${RESERVED_ENV_PREFIXES.join(", ")} are reserved` });
            }
        }
    }
    const secretSet = new Set(secretNames);
    for (const name of envNames.filter((n) => secretSet.has(n))) {
        out.push({ path: at("secrets", name), message: "is also set in environment; a variable is either plain or secret" });
    }
    if (Array.isArray(d.secretKeyArns) && d.secretKeyArns.length > 0 && secretNames.length === 0) {
        out.push({ path: at("secretKeyArns"), message: "is set but the dashboard has no secrets; list the keys of its secrets (secrets under aws/ssm or aws/secretsmanager need none)" });
    }
}

/** The task role's policies: no administrator-level AWS policy unless accepted, no service-linked role policy, none twice. */
function taskPolicyRules(d: Record<string, unknown>, at: At, out: PathProblem[]): void {
    const arns = Array.isArray(d.taskPolicyArns) ? d.taskPolicyArns : [];
    // A malformed entry is the schema's to report.
    for (const p of taskPolicyProblems(arns, d.allowPrivilegedTaskPolicies === true, "skip")) {
        out.push(p.key === "taskPolicyArns" ? { path: at(p.key, p.index), message: `${show(p.value)} ${p.problem}` } : { path: at(p.key), message: p.problem });
    }
}

/**
 * `extraHosts` entries as `{host, certificateArn?}`, whichever form the stack file used, with their
 * index. Malformed ones (not a DNS name: the schema reports them) are skipped.
 */
function extraHostsOf(value: unknown): (ExtraHost & { index: number })[] {
    if (!Array.isArray(value)) return [];
    const isHost = (h: unknown): h is string => isString(h) && h.length <= 253 && DOMAIN_NAME.test(h);
    return value.flatMap((h, index) => {
        if (isHost(h)) return [{ host: h, index }];
        if (isObject(h) && isHost(h.host)) return [{ host: h.host, certificateArn: isString(h.certificateArn) ? h.certificateArn : undefined, index }];
        return [];
    });
}
