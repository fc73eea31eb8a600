/**
 * CognitoAuth: sign-in for every dashboard, at the load balancer, through an Amazon Cognito user
 * pool, with per-dashboard access groups enforced by Cognito itself.
 *
 * - User pool: email sign-in (case-insensitive), admin-created accounts by default, strong
 *   passwords, TOTP MFA, recovery by verified email only, optional threat protection.
 * - Hosted login on a Cognito prefix domain (unique per region) or a custom domain.
 * - Groups, invited users, and company SSO (SAML / OIDC) federated through the pool.
 * - One confidential app client per dashboard, for the ALB's `authenticate-oidc` action.
 * - A Pre Token Generation Lambda (functions/preTokenGeneration) that refuses tokens for a
 *   dashboard the user's groups do not open. It reads the client -> dashboard -> groups map
 *   from SSM parameters (one per client, one for the admin groups) written after the clients
 *   exist, which avoids the cycle pool -> Lambda -> clients -> pool.
 *
 * DashboardService asks `loginFor(dashboard)` for the listener-rule action and the logout URL.
 * Stacks that use an external OIDC provider instead of Cognito call `externalOidcLogin`.
 *
 * Cost note: Cognito bills monthly active users past the free 10,000 (Lite ~$0.0055, Essentials
 * ~$0.015, Plus more); the Lambda, its logs and Standard SSM parameters cost next to nothing (a
 * dashboard whose groups outgrow 4 KB gets an Advanced parameter, $0.05 a month).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { USAGE_ENV, USER_KEYS } from "../functions/preTokenGeneration/usage";
import { ComponentArgsError, PACKAGE } from "./component";
import { throttlesAlarm } from "./functionAlarms";
import { bundleHandler, handlerPath } from "./lambdaBundle";
import {
    accessMapPath, adminGroupsBytes, adminGroupsDocument, callbackUrls, clientAccessBytes, clientAccessDocument, cognitoLogoutUrl, usageMetricsNamespace,
    COGNITO_APP_CLIENT_LIMIT, derivedDomainPrefix, derivedPrefixBase, domainPrefixProblems, DOMAIN_SUFFIX_LENGTH, MAX_CALLBACK_URLS,
    prefixDomain, sesSenderProblems, signedOutUrl, SSM_ADVANCED_MAX_BYTES, ssmTierFor, usageSaltParameterName,
} from "./cognitoNames";
import { isDashboardName, MAX_DASHBOARD_NAME_LENGTH } from "./naming";
import { accountAdministersKey } from "./policyStatements";
import { LOG_RETENTION_DAYS } from "./stackConfig";

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

/** A dashboard that gets its own app client and login. */
export interface CognitoDashboardArgs {
    /** Dashboard name (DNS label); also the app client's name and the name in the access map. */
    name: string;
    /**
     * Host names the dashboard is served on; the first is the primary host (its signed-out page
     * is where sign-out lands). Every host gets a callback and a logout URL.
     * @example ["sales.dashboards.example.com", "sales.example.com"]
     */
    hosts: string[];
    /**
     * Groups whose members may open the dashboard. Empty or absent: every signed-in user
     * (e.g. the portal). Members of `adminGroups` may open every dashboard.
     * @default []
     */
    accessGroups?: string[];
}

/** A Cognito group. */
export interface CognitoGroupArgs {
    /** Group name (1-128 characters, no spaces). */
    name: string;
    description?: string;
    /** Lower wins when a user is in several groups with IAM roles; informative otherwise. */
    precedence?: number;
}

/** A user created by the stack; Cognito emails them an invitation with a temporary password. */
export interface CognitoUserArgs {
    /** Email address; also the sign-in name. */
    email: string;
    /**
     * Groups (declared in `groups`) the user belongs to.
     * @default []
     */
    groups?: string[];
}

/** Which identity-provider attributes carry the user's email and groups. */
export interface AttributeMappingArgs {
    /** IdP attribute or claim with the email address, e.g. `email` or `http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress`. */
    email: string;
    /**
     * IdP attribute or claim with the user's groups; mapped to `custom:groups`, which the
     * pre-token trigger reads for federated users (only).
     */
    groups?: string;
}

/** A SAML 2.0 identity provider (company SSO) federated through the user pool. */
export interface SamlProviderArgs {
    /** Provider name shown on the login page (3-32 characters). */
    name: string;
    /** URL of the IdP's metadata; preferred, it follows the IdP's certificate rotation. Exactly one of metadataUrl / metadataFile. */
    metadataUrl?: string;
    /** Path of a metadata XML file (relative to the working directory, i.e. the Pulumi project). */
    metadataFile?: string;
    attributeMapping: AttributeMappingArgs;
    /**
     * Also sign the user out of the IdP (SAML single logout) when they sign out.
     * @default false
     */
    signOut?: boolean;
}

/** An OpenID Connect identity provider federated through the user pool. */
export interface OidcProviderArgs {
    /** Provider name shown on the login page (3-32 characters). */
    name: string;
    /** Issuer URL (https); Cognito discovers the endpoints from it. */
    issuer: string;
    clientId: string;
    /** Client secret; stored as a Pulumi secret. */
    clientSecret: pulumi.Input<string>;
    /**
     * Scopes Cognito requests from the IdP.
     * @default ["openid", "email", "profile"]
     */
    scopes?: string[];
    /**
     * HTTP method Cognito uses for the IdP's userInfo endpoint: `GET` or `POST`.
     * @default "GET"
     */
    attributesRequestMethod?: string;
    attributeMapping: AttributeMappingArgs;
}

/** A custom hosted-login domain, e.g. `login.dashboards.example.com`. */
export interface CustomLoginDomainArgs {
    /** Fully qualified domain name. Its parent domain must resolve (an A record) before Cognito accepts it. */
    domain: string;
    /** ACM certificate for `domain` in us-east-1 (Cognito serves it through CloudFront). */
    certificateArn: pulumi.Input<string>;
    /** Route 53 zone holding `domain`: the component then creates the alias record to Cognito's CloudFront distribution. */
    hostedZoneId?: pulumi.Input<string>;
}

/** Token lifetimes of the dashboards' app clients. */
export interface TokenValidityArgs {
    /**
     * Access token lifetime, 5..1440 minutes.
     * @default 60
     */
    accessTokenMinutes?: number;
    /**
     * ID token lifetime, 5..1440 minutes.
     * @default 60
     */
    idTokenMinutes?: number;
    /**
     * Refresh token lifetime, 1..3650 days. The ALB never uses refresh tokens, so the shortest
     * lifetime limits what a leaked one is worth.
     * @default 1
     */
    refreshTokenDays?: number;
}

/**
 * Send the pool's email (invitations, verification codes, password resets) through your Amazon SES
 * identity instead of Cognito's built-in email, whose small daily quota is meant for testing.
 */
export interface CognitoEmailArgs {
    /**
     * ARN of a verified SES identity (a domain or an email address) in the pool's region or one that
     * Cognito supports for it, e.g. `arn:aws:ses:eu-west-1:123456789012:identity/dashboards.example.com`.
     */
    sourceArn: string;
    /**
     * Sender: an address the identity covers, or a name and that address, e.g. `Dashboards <no-reply@dashboards.example.com>`.
     */
    fromEmailAddress: string;
    /**
     * Where replies go.
     * @default the sender
     */
    replyToEmailAddress?: string;
    /**
     * SES configuration set applied to every message (event publishing, dedicated IPs).
     * @default none
     */
    configurationSet?: string;
}

export interface CognitoAuthArgs {
    /** Dashboards (and other apps, such as the portal) that get an app client. At least one. */
    dashboards: CognitoDashboardArgs[];
    /**
     * Multi-factor authentication with an authenticator app (TOTP): `off`, `optional` (users
     * may enrol) or `required`.
     * @default "optional"
     */
    mfa?: string;
    /**
     * Cognito threat protection (compromised credentials, adaptive authentication): `off`,
     * `audit` (log only) or `enforced`. Anything but `off` needs the Plus feature plan, which
     * the component then selects.
     * @default "off"
     */
    threatProtection?: string;
    /**
     * Cognito feature plan: `lite`, `essentials` or `plus`. Everything this component uses except
     * threat protection works on Lite (classic hosted UI, TOTP, federation, V1_0 pre-token events).
     * @default "plus" when threatProtection is not off, else "lite"
     */
    featurePlan?: string;
    /**
     * Let people create their own accounts on the login page. Off: only administrators
     * (and `users`) create accounts.
     * @default false
     */
    allowSelfSignUp?: boolean;
    /**
     * Protect the user pool: Cognito deletion protection, and Pulumi `protect` + `retainOnDelete`,
     * so neither a replacement nor `pulumi destroy` can delete the accounts.
     * @default false
     */
    deletionProtection?: boolean;
    /**
     * Minimum password length, 12..99; passwords need lower and upper case letters, digits and symbols.
     * @default 12
     */
    passwordMinimumLength?: number;
    /**
     * Days a temporary password (from an invitation) stays valid, 1..365.
     * @default 7
     */
    temporaryPasswordValidityDays?: number;
    /**
     * Hosted-login prefix: `<prefix>.auth.<region>.amazoncognito.com` (`auth-fips` in GovCloud). Must be unique in the
     * region and may not contain aws, amazon or cognito. When omitted (and no customDomain),
     * `<stack>-<component>-<6 random characters>` is used; the random part is kept in state, so
     * it does not change between updates.
     */
    domainPrefix?: string;
    /** A custom hosted-login domain instead of a prefix. */
    customDomain?: CustomLoginDomainArgs;
    /**
     * Send email through your SES identity (`emailSendingAccount: DEVELOPER`).
     * @default Cognito's built-in email (a few dozen messages a day)
     */
    email?: CognitoEmailArgs;
    /**
     * Groups of the user pool; the only names `accessGroups`, `adminGroups` and `users[].groups` may use.
     * @default []
     */
    groups?: CognitoGroupArgs[];
    /**
     * Members of these groups may open every dashboard.
     * @default []
     */
    adminGroups?: string[];
    /**
     * Users to create and invite by email.
     * @default []
     */
    users?: CognitoUserArgs[];
    /**
     * SAML identity providers.
     * @default []
     */
    samlProviders?: SamlProviderArgs[];
    /**
     * OIDC identity providers.
     * @default []
     */
    oidcProviders?: OidcProviderArgs[];
    /**
     * Token lifetimes.
     * @default { accessTokenMinutes: 60, idTokenMinutes: 60, refreshTokenDays: 1 }
     */
    tokenValidity?: TokenValidityArgs;
    /**
     * Lifetime of the ALB login session (its cookie), 1..604800 seconds. 8 hours (one working
     * day) rather than the ALB's 7 days: the ALB re-asks Cognito only when the session ends, so
     * this bounds how long a removed user or group keeps access, and how long other dashboards
     * stay signed in after a sign-out on one of them.
     * @default 28800
     */
    sessionTimeoutSeconds?: number;
    /**
     * Listener action: `authenticate-oidc` (works with every domain type and shows exactly what
     * the ALB calls) or `authenticate-cognito`.
     * @default "authenticate-oidc"
     */
    action?: string;
    /**
     * Seconds the pre-token Lambda caches the access map; access changes take effect within it.
     * @default 60
     */
    accessMapTtlSeconds?: number;
    /**
     * Retention of the pre-token Lambda's log group (one of CloudWatch's values, e.g. 30, 90, 365).
     * It holds the login decision lines, so it is also how long usage statistics go back.
     * @default 90
     */
    logRetentionDays?: number;
    /**
     * SNS topic for an alarm when the login check is throttled: Cognito then refuses sign-ins, since
     * it cannot issue a token without its trigger. The trigger shares the account's Lambda concurrency.
     * @default none (no alarm)
     */
    alarmTopicArn?: pulumi.Input<string>;
    /**
     * Usage statistics in the trigger's decision lines. `enabled`: also emit `Logins` and `Denied`
     * per dashboard as CloudWatch metrics (namespace `usageMetricsNamespace`). `userKey`: what
     * identifies the user in each line: `hashed` (HMAC of the user's sub under a per-stack salt,
     * a Pulumi secret), `sub` or `email`.
     * @default { enabled: true, userKey: "hashed" }
     * @example { userKey: "email" }
     */
    usage?: CognitoUsageArgs;
}

/** Usage statistics of the login trigger (see `CognitoAuthArgs.usage`). */
export interface CognitoUsageArgs {
    /** Emit the `Logins`/`Denied` metrics. @default true */
    enabled?: boolean;
    /** `hashed`, `sub` or `email`: what identifies the user in a decision line. @default "hashed" */
    userKey?: string;
}

/** What DashboardService needs to put login in front of one dashboard. */
export interface DashboardLogin {
    /** The listener-rule action to run first (order 1). */
    authenticateAction: pulumi.Output<aws.types.input.lb.ListenerRuleAction>;
    /** Full logout URL: https://<domain>/logout?client_id=<id>&logout_uri=<url-encoded https://<primary host>/signed-out> */
    logoutUrl: pulumi.Output<string>;
    clientId: pulumi.Output<string>;
}

/** One dashboard's login as plain values (what `CognitoAuth.logins` holds per dashboard). */
export interface DashboardLoginValues {
    /** The listener-rule action to run first (order 1); pass it as DashboardService's `login.authenticateAction`. */
    authenticateAction: aws.types.output.lb.ListenerRuleAction;
    /** Full logout URL for this dashboard's client. */
    logoutUrl: string;
    clientId: string;
}

/** An external OIDC provider used by the ALB directly (no Cognito, no per-dashboard groups). */
export interface ExternalOidcArgs {
    /** Primary host of the dashboard; the fallback logout URL points at its signed-out page. */
    host: string;
    issuer: string;
    authorizationEndpoint: string;
    tokenEndpoint: string;
    userInfoEndpoint: string;
    clientId: pulumi.Input<string>;
    /** Stored as a Pulumi secret. */
    clientSecret: pulumi.Input<string>;
    /**
     * The provider's logout URL. Without one, sign-out only ends the ALB session and lands on
     * `https://<host>/signed-out`; the provider's session stays, so the next visit signs in silently.
     */
    logoutUrl?: string;
    /**
     * Scopes requested by the ALB.
     * @default "openid email profile"
     */
    scope?: string;
    /**
     * ALB login session lifetime in seconds (see CognitoAuthArgs.sessionTimeoutSeconds).
     * @default 28800
     */
    sessionTimeoutSeconds?: number;
}

// ---------------------------------------------------------------------------------------------
// Constants and validation
// ---------------------------------------------------------------------------------------------

export const MFA_MODES = ["off", "optional", "required"] as const;
export const THREAT_PROTECTION_MODES = ["off", "audit", "enforced"] as const;
export const FEATURE_PLANS = ["lite", "essentials", "plus"] as const;
export const LOGIN_ACTIONS = ["authenticate-oidc", "authenticate-cognito"] as const;
/** Scopes the ALB requests; `openid` is required by the ALB, email/profile give the apps the user's name and address. */
export const LOGIN_SCOPES = ["openid", "email", "profile"];
/** 8 hours: see CognitoAuthArgs.sessionTimeoutSeconds. */
export const DEFAULT_SESSION_TIMEOUT_SECONDS = 28800;
/** The ALB's cookie name; the apps' sign-out expires `AWSELBAuthSessionCookie-0..N`. */
export const SESSION_COOKIE_NAME = "AWSELBAuthSessionCookie";
/** The user-pool attribute federated IdPs map groups into (read by the pre-token trigger). */
export const GROUPS_ATTRIBUTE = "custom:groups";

const DEFAULTS = {
    mfa: "optional",
    passwordMinimumLength: 12,
    temporaryPasswordValidityDays: 7,
    accessTokenMinutes: 60,
    idTokenMinutes: 60,
    refreshTokenDays: 1,
    accessMapTtlSeconds: 60,
    logRetentionDays: 90,
} as const;

const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const IDP_NAME = /^[^_\s][\p{L}\p{M}\p{S}\p{N}\p{P}]{1,30}[^_\s]$/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HTTPS_URL = /^https:\/\/[^\s/$.?#][^\s]*$/;
const ACM_REGION = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):/;

const isInt = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
const oneOf = (values: readonly string[]) => values.join(", ");

function checkArgs(args: CognitoAuthArgs): void {
    const problems: string[] = [];
    const add = (p: string) => problems.push(p);
    const groups = args.groups ?? [];
    const declared = new Set(groups.map((g) => g.name));
    const checkRefs = (where: string, refs: string[] | undefined) => {
        for (const g of refs ?? []) if (!declared.has(g)) add(`${where}: group "${g}" is not declared in groups`);
    };

    // Enumerations.
    const enumCheck = (key: string, value: string | undefined, allowed: readonly string[]) => {
        if (value !== undefined && !allowed.includes(value)) add(`${key} "${value}" is not one of ${oneOf(allowed)}`);
    };
    enumCheck("mfa", args.mfa, MFA_MODES);
    enumCheck("threatProtection", args.threatProtection, THREAT_PROTECTION_MODES);
    enumCheck("featurePlan", args.featurePlan, FEATURE_PLANS);
    enumCheck("action", args.action, LOGIN_ACTIONS);
    enumCheck("usage.userKey", args.usage?.userKey, USER_KEYS);
    if ((args.threatProtection ?? "off") !== "off" && args.featurePlan !== undefined && args.featurePlan !== "plus") {
        add(`threatProtection "${args.threatProtection}" needs featurePlan "plus" (got "${args.featurePlan}")`);
    }

    // Numbers.
    const range = (key: string, v: number | undefined, min: number, max: number) => {
        if (v !== undefined && !isInt(v, min, max)) add(`${key} ${v} is outside ${min}..${max}`);
    };
    range("passwordMinimumLength", args.passwordMinimumLength, 12, 99);
    range("temporaryPasswordValidityDays", args.temporaryPasswordValidityDays, 1, 365);
    range("tokenValidity.accessTokenMinutes", args.tokenValidity?.accessTokenMinutes, 5, 1440);
    range("tokenValidity.idTokenMinutes", args.tokenValidity?.idTokenMinutes, 5, 1440);
    range("tokenValidity.refreshTokenDays", args.tokenValidity?.refreshTokenDays, 1, 3650);
    range("sessionTimeoutSeconds", args.sessionTimeoutSeconds, 1, 604800);
    range("accessMapTtlSeconds", args.accessMapTtlSeconds, 0, 3600);
    if (args.logRetentionDays !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(args.logRetentionDays)) {
        add(`logRetentionDays ${args.logRetentionDays} is not a CloudWatch retention; allowed: ${LOG_RETENTION_DAYS.join(", ")}`);
    }

    // Domain.
    if (args.domainPrefix !== undefined && args.customDomain !== undefined) add("domainPrefix and customDomain are mutually exclusive");
    if (args.domainPrefix !== undefined) domainPrefixProblems(args.domainPrefix).forEach(add);
    if (args.customDomain) {
        if (!DOMAIN_NAME.test(args.customDomain.domain)) add(`customDomain.domain "${args.customDomain.domain}" is not a lowercase DNS name`);
        const cert = args.customDomain.certificateArn;
        const certRegion = typeof cert === "string" ? ACM_REGION.exec(cert)?.[1] : undefined;
        if (certRegion && certRegion !== "us-east-1") add(`customDomain.certificateArn is in ${certRegion}; a Cognito custom domain needs a certificate in us-east-1`);
    }

    // Email sender.
    if (args.email) for (const [field, message] of sesSenderProblems(args.email)) add(`email.${field} ${message}`);

    // Groups, admins, users.
    const seenGroups = new Set<string>();
    for (const g of groups) {
        if (!GROUP_NAME.test(g.name)) add(`groups: "${g.name}" is not a Cognito group name (1-128 characters, no spaces)`);
        if (seenGroups.has(g.name)) add(`groups: "${g.name}" is declared twice`);
        seenGroups.add(g.name);
        range(`groups "${g.name}" precedence`, g.precedence, 0, 2 ** 31 - 1);
    }
    checkRefs("adminGroups", args.adminGroups);
    const emails = new Set<string>();
    for (const u of args.users ?? []) {
        if (!EMAIL.test(u.email)) add(`users: "${u.email}" is not an email address`);
        // Sign-in is case-insensitive, so two spellings are one account.
        if (emails.has(u.email.toLowerCase())) add(`users: "${u.email}" is listed twice`);
        emails.add(u.email.toLowerCase());
        checkRefs(`users "${u.email}"`, u.groups);
    }

    // Identity providers.
    const idpNames = new Set<string>();
    const idps: { kind: string; p: SamlProviderArgs | OidcProviderArgs }[] = [
        ...(args.samlProviders ?? []).map((p) => ({ kind: "samlProviders", p })),
        ...(args.oidcProviders ?? []).map((p) => ({ kind: "oidcProviders", p })),
    ];
    for (const { kind, p } of idps) {
        const at = `${kind} "${p.name}"`;
        if (!IDP_NAME.test(p.name)) add(`${at}: name must be 3-32 characters without spaces or leading/trailing underscore`);
        if (p.name.toUpperCase() === "COGNITO") add(`${at}: COGNITO is the user pool's own provider name`);
        if (idpNames.has(p.name)) add(`${at}: the name is used twice`);
        idpNames.add(p.name);
        if (!p.attributeMapping?.email) add(`${at}: attributeMapping.email is required (sign-in is by email)`);
    }
    for (const p of args.samlProviders ?? []) {
        const at = `samlProviders "${p.name}"`;
        if ((p.metadataUrl === undefined) === (p.metadataFile === undefined)) add(`${at}: set exactly one of metadataUrl or metadataFile`);
        if (p.metadataUrl !== undefined && !HTTPS_URL.test(p.metadataUrl)) add(`${at}: metadataUrl must be an https:// URL`);
        if (p.metadataFile !== undefined && !fs.existsSync(path.resolve(p.metadataFile))) add(`${at}: metadataFile ${p.metadataFile} does not exist`);
    }
    for (const p of args.oidcProviders ?? []) {
        const at = `oidcProviders "${p.name}"`;
        if (!HTTPS_URL.test(p.issuer)) add(`${at}: issuer must be an https:// URL`);
        if (!p.clientId) add(`${at}: clientId is required`);
        enumCheck(`${at}: attributesRequestMethod`, p.attributesRequestMethod, ["GET", "POST"]);
    }

    // Dashboards.
    if (args.dashboards.length === 0) add("dashboards is empty; at least one dashboard needs a login");
    const names = new Set<string>();
    const hosts = new Map<string, string>();
    for (const d of args.dashboards) {
        const at = `dashboards "${d.name}"`;
        if (!isDashboardName(d.name)) add(`${at}: name must be a DNS label of at most ${MAX_DASHBOARD_NAME_LENGTH} characters`);
        if (names.has(d.name)) add(`${at}: the name is used twice; each dashboard has its own app client`);
        names.add(d.name);
        if (d.hosts.length === 0) add(`${at}: needs at least one host`);
        if (d.hosts.length > MAX_CALLBACK_URLS) add(`${at}: has ${d.hosts.length} hosts; Cognito allows ${MAX_CALLBACK_URLS} callback URLs per app client`);
        for (const h of d.hosts) {
            if (!DOMAIN_NAME.test(h)) add(`${at}: host "${h}" is not a lowercase DNS name`);
            const owner = hosts.get(h);
            if (owner !== undefined && owner !== d.name) add(`${at}: host "${h}" is also used by "${owner}"`);
            hosts.set(h, d.name);
        }
        checkRefs(at, d.accessGroups);
    }
    // Each dashboard's groups, and the admin groups, are one SSM parameter each.
    for (const d of args.dashboards) {
        const bytes = clientAccessBytes(d.name, d.accessGroups);
        if (bytes > SSM_ADVANCED_MAX_BYTES) add(`dashboards "${d.name}": its accessGroups take ${bytes} bytes in the access map; an SSM parameter holds at most ${SSM_ADVANCED_MAX_BYTES} (fewer or shorter group names)`);
    }
    const adminBytes = adminGroupsBytes(args.adminGroups ?? []);
    if (adminBytes > SSM_ADVANCED_MAX_BYTES) add(`adminGroups take ${adminBytes} bytes in the access map; an SSM parameter holds at most ${SSM_ADVANCED_MAX_BYTES} (fewer or shorter group names)`);
    if (args.dashboards.length > COGNITO_APP_CLIENT_LIMIT) add(`has ${args.dashboards.length} dashboards, each with its own app client; a user pool holds ${COGNITO_APP_CLIENT_LIMIT} (an adjustable AWS quota)`);

    if (problems.length > 0) throw new ComponentArgsError("CognitoAuth", problems);
}

// ---------------------------------------------------------------------------------------------
// The Lambda bundle
// ---------------------------------------------------------------------------------------------

/** Entry point of the pre-token trigger (functions/preTokenGeneration). */
export const PRE_TOKEN_HANDLER_PATH = handlerPath("preTokenGeneration");

/** The pre-token handler bundled into one CommonJS file (see lambdaBundle.ts). */
export function bundlePreTokenHandler(): string {
    return bundleHandler("preTokenGeneration");
}

// ---------------------------------------------------------------------------------------------
// The component
// ---------------------------------------------------------------------------------------------

/** Cognito attribute -> IdP attribute: email, any `extra`, and the groups into custom:groups when the IdP sends them. */
const idpAttributeMapping = (m: AttributeMappingArgs, extra: Record<string, string> = {}) =>
    ({ email: m.email, ...extra, ...(m.groups ? { [GROUPS_ATTRIBUTE]: m.groups } : {}) });

interface DashboardClient {
    args: CognitoDashboardArgs;
    client: aws.cognito.UserPoolClient;
}

/**
 * Per-instance state that is not an output. Kept off the class because Pulumi's component
 * analyzer publishes every class property in the package schema.
 */
interface LoginState {
    clients: Map<string, DashboardClient>;
    action: string;
    sessionTimeoutSeconds: number;
}
const loginState = new WeakMap<CognitoAuth, LoginState>();

export class CognitoAuth extends pulumi.ComponentResource {
    public readonly userPool: aws.cognito.UserPool;
    public readonly userPoolId: pulumi.Output<string>;
    public readonly userPoolArn: pulumi.Output<string>;
    /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the `iss` of the pool's tokens. */
    public readonly issuer: pulumi.Output<string>;
    /** Full hosted-login domain: `<prefix>.auth.<region>.amazoncognito.com` (`auth-fips` in GovCloud) or the custom domain. */
    public readonly hostedUiDomain: pulumi.Output<string>;
    /** `https://<hostedUiDomain>`: base of the login, token and logout endpoints (users start at a dashboard, which redirects here). */
    public readonly loginUrl: pulumi.Output<string>;
    /** What `authenticate-cognito` calls the domain: the prefix, or the custom domain. */
    public readonly userPoolDomain: pulumi.Output<string>;
    /** SSM path of the access map: `<path>/admin-groups` and `<path>/clients/<app client id>`. */
    public readonly accessMapPath: string;
    public readonly preTokenFunction: aws.lambda.Function;
    /** The trigger's log group: one JSON line per login decision (the saved usage queries read it). */
    public readonly decisionLogGroupName: pulumi.Output<string>;
    /** Namespace of the `Logins`/`Denied` metrics (dimension `DashboardName`), when usage statistics are enabled. */
    public readonly usageMetricsNamespace?: string;
    /** Each dashboard's login by dashboard name (secret: the actions carry client secrets). */
    public readonly logins: pulumi.Output<Record<string, DashboardLoginValues>>;

    constructor(name: string, args: CognitoAuthArgs, opts?: pulumi.ComponentResourceOptions) {
        checkArgs(args);
        super(`${PACKAGE}:index:CognitoAuth`, name, {}, opts);
        const stack = pulumi.getStack();
        const region = aws.getRegionOutput({}, { parent: this }).region;

        // The trigger needs only the access map's PATH, so it comes before the pool and the clients it maps.
        this.accessMapPath = accessMapPath(pulumi.getProject(), stack, name);
        this.usageMetricsNamespace = args.usage?.enabled ?? true ? usageMetricsNamespace(pulumi.getProject(), stack) : undefined;
        const trigger = this.createPreTokenTrigger(name, args, stack, region);
        this.preTokenFunction = trigger.fn;
        if (args.alarmTopicArn) throttlesAlarm(`${name}-pre-token-throttles`, trigger.fn, "Sign-ins are refused", args.alarmTopicArn, { parent: this });
        this.decisionLogGroupName = trigger.logGroup.name;

        this.userPool = this.createUserPool(name, args, stack, this.preTokenFunction);
        this.userPoolId = this.userPool.id;
        this.userPoolArn = this.userPool.arn;
        // The ORIGINAL issuer, a pool's default (@pulumi/aws 7.48 cannot set IssuerConfiguration): a pool switched to
        // UPDATED issues from https://issuer-cognito-idp.<region>..., which this and the portal would then refuse.
        // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_IssuerConfigurationType.html
        this.issuer = pulumi.interpolate`https://cognito-idp.${region}.amazonaws.com/${this.userPool.id}`;
        this.allowPoolToInvokeTrigger(name, this.userPool, this.preTokenFunction);

        const domain = this.createHostedLoginDomain(name, args, stack, region, this.userPool);
        this.hostedUiDomain = domain.hostedUiDomain;
        this.userPoolDomain = domain.resource.domain;
        this.loginUrl = pulumi.interpolate`https://${this.hostedUiDomain}`;

        const groups = this.createGroups(name, args.groups ?? [], this.userPool);
        this.inviteUsers(name, args.users ?? [], groups, this.userPool);
        const providers = this.createIdentityProviders(name, args, this.userPool);
        const clients = this.createAppClients(name, args, providers, this.userPool);
        this.writeAccessMap(name, args.adminGroups ?? [], clients);
        loginState.set(this, {
            clients,
            action: args.action ?? "authenticate-oidc",
            sessionTimeoutSeconds: args.sessionTimeoutSeconds ?? DEFAULT_SESSION_TIMEOUT_SECONDS,
        });

        this.logins = this.loginsByDashboard();
        this.registerOutputs({
            logins: this.logins,
            userPoolId: this.userPoolId,
            userPoolArn: this.userPoolArn,
            issuer: this.issuer,
            hostedUiDomain: this.hostedUiDomain,
            loginUrl: this.loginUrl,
            accessMapPath: this.accessMapPath,
        });
    }

    /** Pre Token Generation Lambda, its log group and a role that may only write those logs and read the access map. */
    private createPreTokenTrigger(name: string, args: CognitoAuthArgs, stack: string, region: pulumi.Output<string>): { fn: aws.lambda.Function; logGroup: aws.cloudwatch.LogGroup } {
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent).partition;
        const mapPath = this.accessMapPath;
        // Derived from the path, not taken from the parameters, so the role does not wait for the clients. The
        // wildcard is the map's own path (project, stack and component name: no config value widens it); a
        // list of parameter ARNs would wait for the clients and outgrow a role policy's 10,240 characters.
        const parametersArn = pulumi.interpolate`arn:${partition}:ssm:${region}:${identity.accountId}:parameter${mapPath}/*`;
        const userKey = args.usage?.userKey ?? "hashed";
        const saltName = usageSaltParameterName(pulumi.getProject(), stack, name);
        const saltArn = pulumi.interpolate`arn:${partition}:ssm:${region}:${identity.accountId}:parameter${saltName}`;
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-pre-token-logs`, {
            name: `/${pulumi.getProject()}/${stack}/${name}/pre-token-generation`,
            retentionInDays: args.logRetentionDays ?? DEFAULTS.logRetentionDays,
        }, parent);
        const role = new aws.iam.Role(`${name}-pre-token-role`, {
            description: "Cognito pre-token trigger: write its own logs, read the access map",
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, parent);
        // The salt's own key, so that reading the salt takes kms:Decrypt on it: the AWS managed key aws/ssm lets
        // every principal of the account decrypt through SSM, so ssm:GetParameter alone (which ReadOnlyAccess
        // has, with cognito-idp:ListUsers) would read the salt and undo the keys' pseudonymity.
        // https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html
        const saltKey = userKey === "hashed"
            ? new aws.kms.Key(`${name}-usage-salt-key`, {
                description: `Encrypts the usage salt of ${pulumi.getProject()}/${stack}/${name} (SSM ${saltName})`,
                enableKeyRotation: true,
                // The longest wait a destroy allows to cancel the key's deletion (SSM cannot decrypt the salt without it).
                deletionWindowInDays: 30,
                policy: pulumi.all([partition, identity.accountId]).apply(([p, account]) => saltKeyPolicy(p, account)),
            }, parent)
            : undefined;
        // Inline and exact, instead of AWSLambdaBasicExecutionRole (which may write to any log group).
        const rolePolicy = new aws.iam.RolePolicy(`${name}-pre-token-policy`, {
            role: role.id,
            policy: pulumi.all([logGroup.arn, parametersArn, saltArn, saltKey?.arn ?? "", region])
                .apply(([logArn, paramsArn, saltParameterArn, saltKeyArn, r]) => preTokenRolePolicy({
                    logGroupArn: logArn, accessMapArn: paramsArn,
                    salt: saltKeyArn ? { parameterArn: saltParameterArn, keyArn: saltKeyArn, region: r } : undefined,
                })),
        }, parent);
        // Made whatever the key kind, so a stack that tries another key and comes back keeps its salt (and its
        // users' keys). It is in the stack's state (a secret) and, for the hashed key, an SSM SecureString beside
        // the map's path that the trigger may read by its exact ARN: not the function's environment, which
        // whoever may read the function's configuration reads in plain text.
        const salt = new random.RandomPassword(`${name}-usage-salt`, { length: 32, special: false }, parent).result;
        const saltParameter = userKey === "hashed"
            ? new aws.ssm.Parameter(`${name}-usage-salt-parameter`, {
                name: saltName,
                description: "Salt of the hashed user key in login decision lines, read by the Cognito pre-token trigger",
                type: "SecureString",
                keyId: saltKey!.arn,
                tier: "Standard",
                // Secret in its own right too (a RandomPassword's result is, but the engine's mocks do not say so).
                value: pulumi.secret(salt),
            }, parent)
            : undefined;
        const fn = new aws.lambda.Function(`${name}-pre-token`, {
            description: "Cognito Pre Token Generation: refuses tokens for dashboards the user's groups do not open",
            runtime: "nodejs22.x",
            architectures: ["arm64"],
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundlePreTokenHandler()) }),
            role: role.arn,
            // Cognito waits at most 5 s for a trigger.
            // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
            timeout: 5,
            memorySize: 256,
            environment: {
                variables: {
                    ACCESS_MAP_PATH: mapPath,
                    ACCESS_MAP_TTL_SECONDS: String(args.accessMapTtlSeconds ?? DEFAULTS.accessMapTtlSeconds),
                    [USAGE_ENV.userKey]: userKey,
                    ...(saltParameter ? { [USAGE_ENV.saltParameter]: saltName } : {}),
                    ...(this.usageMetricsNamespace ? { [USAGE_ENV.metricsNamespace]: this.usageMetricsNamespace } : {}),
                },
            },
            // Text: a line the handler writes to stdout is the log event's whole message, so Logs Insights finds its JSON fields and CloudWatch its metrics.
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        // After the salt's parameter: the first sign-in after a deploy finds it.
        }, { ...parent, dependsOn: [rolePolicy, logGroup, ...(saltParameter ? [saltParameter] : [])] });
        return { fn, logGroup };
    }

    /** The user pool: email sign-in, strong passwords, MFA, the pre-token trigger, optional SES email and protection. */
    private createUserPool(name: string, args: CognitoAuthArgs, stack: string, preTokenFunction: aws.lambda.Function): aws.cognito.UserPool {
        const mfa = args.mfa ?? DEFAULTS.mfa;
        const threat = args.threatProtection ?? "off";
        const plan = args.featurePlan ?? (threat === "off" ? "lite" : "plus");
        const protect = args.deletionProtection ?? false;
        return new aws.cognito.UserPool(`${name}-pool`, {
            name: `${stack}-${name}`,
            // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html
            userPoolTier: plan.toUpperCase(),
            usernameAttributes: ["email"],
            // https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-case-sensitivity.html
            usernameConfiguration: { caseSensitive: false },
            autoVerifiedAttributes: ["email"],
            // A changed email stays unverified (and the old one in use) until the user confirms the new one.
            // https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-email-phone-verification.html
            userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
            verificationMessageTemplate: { defaultEmailOption: "CONFIRM_WITH_CODE" },
            adminCreateUserConfig: { allowAdminCreateUserOnly: !(args.allowSelfSignUp ?? false) },
            passwordPolicy: {
                minimumLength: args.passwordMinimumLength ?? DEFAULTS.passwordMinimumLength,
                requireLowercase: true,
                requireUppercase: true,
                requireNumbers: true,
                requireSymbols: true,
                temporaryPasswordValidityDays: args.temporaryPasswordValidityDays ?? DEFAULTS.temporaryPasswordValidityDays,
            },
            // Email only: SMS recovery invites SIM-swap takeovers.
            // https://docs.aws.amazon.com/cognito/latest/developerguide/how-to-recover-a-user-account.html
            accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
            mfaConfiguration: { off: "OFF", optional: "OPTIONAL", required: "ON" }[mfa],
            // https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html
            softwareTokenMfaConfiguration: mfa === "off" ? undefined : { enabled: true },
            // Threat protection needs the Plus plan: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-threat-protection.html
            userPoolAddOns: { advancedSecurityMode: threat.toUpperCase() },
            // https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-deletion-protection.html
            deletionProtection: protect ? "ACTIVE" : "INACTIVE",
            schemas: [
                { name: "email", attributeDataType: "String", required: true, mutable: true, stringAttributeConstraints: { minLength: "0", maxLength: "2048" } },
                // Mutable so federated IdPs can update it at every sign-in.
                // https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#user-pool-settings-custom-attributes
                { name: "groups", attributeDataType: "String", required: false, mutable: true, developerOnlyAttribute: false, stringAttributeConstraints: { minLength: "0", maxLength: "2048" } },
            ],
            // https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
            lambdaConfig: { preTokenGenerationConfig: { lambdaArn: preTokenFunction.arn, lambdaVersion: "V1_0" } },
            // Cognito's own email allows only a few messages a day; DEVELOPER sends through the stack's SES identity.
            // https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html
            emailConfiguration: args.email && {
                emailSendingAccount: "DEVELOPER",
                sourceArn: args.email.sourceArn,
                fromEmailAddress: args.email.fromEmailAddress,
                replyToEmailAddress: args.email.replyToEmailAddress,
                configurationSet: args.email.configurationSet,
            },
        }, { parent: this, protect, retainOnDelete: protect });
    }

    /** Cognito invokes the trigger as cognito-idp.amazonaws.com for this pool only. */
    private allowPoolToInvokeTrigger(name: string, pool: aws.cognito.UserPool, preTokenFunction: aws.lambda.Function): void {
        // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
        new aws.lambda.Permission(`${name}-pre-token-invoke`, {
            function: preTokenFunction.name,
            action: "lambda:InvokeFunction",
            principal: "cognito-idp.amazonaws.com",
            sourceArn: pool.arn,
        }, { parent: this });
    }

    /** Hosted login on the custom domain (with its alias record when a zone is given) or on a Cognito prefix domain. */
    private createHostedLoginDomain(
        name: string, args: CognitoAuthArgs, stack: string, region: pulumi.Output<string>, pool: aws.cognito.UserPool,
    ): { resource: aws.cognito.UserPoolDomain; hostedUiDomain: pulumi.Output<string> } {
        const parent = { parent: this };
        if (args.customDomain) {
            const custom = args.customDomain;
            const resource = new aws.cognito.UserPoolDomain(`${name}-domain`, {
                userPoolId: pool.id,
                domain: custom.domain,
                // The certificate must be in us-east-1 (CloudFront): https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-add-custom-domain.html
                certificateArn: custom.certificateArn,
            }, parent);
            if (custom.hostedZoneId !== undefined) {
                new aws.route53.Record(`${name}-domain-alias`, {
                    zoneId: custom.hostedZoneId,
                    name: custom.domain,
                    type: "A",
                    aliases: [{ name: resource.cloudfrontDistribution, zoneId: resource.cloudfrontDistributionZoneId, evaluateTargetHealth: false }],
                }, parent);
            }
            return { resource, hostedUiDomain: pulumi.output(custom.domain) };
        }
        let prefix: pulumi.Output<string>;
        if (args.domainPrefix !== undefined) {
            prefix = pulumi.output(args.domainPrefix);
        } else {
            // Random only once: RandomString keeps its result in state across updates.
            const suffix = new random.RandomString(`${name}-domain-suffix`, {
                length: DOMAIN_SUFFIX_LENGTH, lower: true, upper: false, numeric: true, special: false,
            }, parent);
            const base = derivedPrefixBase(stack, name);
            prefix = suffix.result.apply((s) => derivedDomainPrefix(base, s));
        }
        // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
        const resource = new aws.cognito.UserPoolDomain(`${name}-domain`, { userPoolId: pool.id, domain: prefix }, parent);
        return { resource, hostedUiDomain: pulumi.all([resource.domain, region]).apply(([p, r]) => prefixDomain(p, r)) };
    }

    /** One Cognito group per declared group, by name (users and the access map refer to them). */
    private createGroups(name: string, groups: CognitoGroupArgs[], pool: aws.cognito.UserPool): Map<string, aws.cognito.UserGroup> {
        const byName = new Map<string, aws.cognito.UserGroup>();
        for (const g of groups) {
            byName.set(g.name, new aws.cognito.UserGroup(`${name}-group-${g.name}`, {
                userPoolId: pool.id,
                name: g.name,
                description: g.description,
                precedence: g.precedence,
            }, { parent: this }));
        }
        return byName;
    }

    /** The stack's users (by lower-case email, as sign-in is case-insensitive) and their group memberships. */
    private inviteUsers(name: string, users: CognitoUserArgs[], groups: Map<string, aws.cognito.UserGroup>, pool: aws.cognito.UserPool): void {
        const parent = { parent: this };
        for (const u of users) {
            const email = u.email.toLowerCase();
            const user = new aws.cognito.User(`${name}-user-${email}`, {
                userPoolId: pool.id,
                username: email,
                attributes: { email, email_verified: "true" },
                // Cognito emails the invitation with a temporary password.
                // https://docs.aws.amazon.com/cognito/latest/developerguide/how-to-create-user-accounts.html
                desiredDeliveryMediums: ["EMAIL"],
            }, parent);
            for (const g of u.groups ?? []) {
                new aws.cognito.UserInGroup(`${name}-member-${email}-${g}`, {
                    userPoolId: pool.id,
                    username: user.username,
                    groupName: groups.get(g)!.name,
                }, parent);
            }
        }
    }

    /** The federated SAML, then OIDC, identity providers; the app clients offer them on the login page. */
    private createIdentityProviders(name: string, args: CognitoAuthArgs, pool: aws.cognito.UserPool): aws.cognito.IdentityProvider[] {
        const parent = { parent: this };
        const providers: aws.cognito.IdentityProvider[] = [];
        for (const p of args.samlProviders ?? []) {
            const details: Record<string, string> = p.metadataUrl !== undefined
                ? { MetadataURL: p.metadataUrl }
                : { MetadataFile: fs.readFileSync(path.resolve(p.metadataFile!), "utf8") };
            // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-saml-idp.html
            if (p.signOut) details.IDPSignout = "true";
            providers.push(new aws.cognito.IdentityProvider(`${name}-idp-${p.name}`, {
                userPoolId: pool.id,
                providerName: p.name,
                providerType: "SAML",
                providerDetails: details,
                attributeMapping: idpAttributeMapping(p.attributeMapping),
            }, parent));
        }
        for (const p of args.oidcProviders ?? []) {
            providers.push(new aws.cognito.IdentityProvider(`${name}-idp-${p.name}`, {
                userPoolId: pool.id,
                providerName: p.name,
                // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-oidc-idp.html
                providerType: "OIDC",
                providerDetails: {
                    oidc_issuer: p.issuer,
                    client_id: p.clientId,
                    client_secret: pulumi.secret(p.clientSecret),
                    authorize_scopes: (p.scopes ?? LOGIN_SCOPES).join(" "),
                    attributes_request_method: p.attributesRequestMethod ?? "GET",
                },
                // The IdP's `sub` identifies the user across sign-ins.
                attributeMapping: idpAttributeMapping(p.attributeMapping, { username: "sub" }),
            }, { ...parent, additionalSecretOutputs: ["providerDetails"] }));
        }
        return providers;
    }

    /** One confidential app client per dashboard, by dashboard name, for the ALB's authenticate action. */
    private createAppClients(
        name: string, args: CognitoAuthArgs, providers: aws.cognito.IdentityProvider[], pool: aws.cognito.UserPool,
    ): Map<string, DashboardClient> {
        const groupsMapped = [...(args.samlProviders ?? []), ...(args.oidcProviders ?? [])].some((p) => p.attributeMapping.groups);
        const validity = args.tokenValidity ?? {};
        const clients = new Map<string, DashboardClient>();
        for (const d of args.dashboards) {
            const client = new aws.cognito.UserPoolClient(`${name}-client-${d.name}`, {
                userPoolId: pool.id,
                name: d.name,
                generateSecret: true,
                allowedOauthFlowsUserPoolClient: true,
                // What the ALB needs from a client: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
                allowedOauthFlows: ["code"],
                allowedOauthScopes: LOGIN_SCOPES,
                // At most 100 callback URLs: https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
                callbackUrls: callbackUrls(d.hosts),
                logoutUrls: d.hosts.map(signedOutUrl),
                supportedIdentityProviders: ["COGNITO", ...providers.map((i) => i.providerName)],
                // SRP needs the client secret's hash, which only the ALB knows; no password-in-the-clear flows.
                explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                accessTokenValidity: validity.accessTokenMinutes ?? DEFAULTS.accessTokenMinutes,
                idTokenValidity: validity.idTokenMinutes ?? DEFAULTS.idTokenMinutes,
                refreshTokenValidity: validity.refreshTokenDays ?? DEFAULTS.refreshTokenDays,
                tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
                preventUserExistenceErrors: "ENABLED",
                enableTokenRevocation: true,
                // custom:groups is readable so the trigger and apps can see federated groups.
                readAttributes: ["email", "email_verified", "name", GROUPS_ATTRIBUTE],
                // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-specifying-attribute-mapping.html
                // Cognito must be able to write every attribute an IdP maps (else federated sign-in
                // fails), so custom:groups is writable only when an IdP maps groups. Users still cannot
                // write it: that needs the aws.cognito.signin.user.admin scope, which no client allows,
                // and the trigger trusts custom:groups only for federated users.
                writeAttributes: ["email", "name", ...(groupsMapped ? [GROUPS_ATTRIBUTE] : [])],
            }, { parent: this, dependsOn: providers, additionalSecretOutputs: ["clientSecret"] });
            clients.set(d.name, { args: d, client });
        }
        return clients;
    }

    /**
     * The access map the trigger reads, written once the clients exist: the admin groups, and one
     * parameter per app client (its dashboard and access groups), named by the client's id.
     */
    private writeAccessMap(name: string, adminGroups: string[], clients: Map<string, DashboardClient>): void {
        // Standard holds 4 KB (free), Advanced 8 KB: https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
        const parameter = (resourceName: string, parameterName: pulumi.Input<string>, description: string, value: string, dependsOn: pulumi.Resource[]) =>
            new aws.ssm.Parameter(resourceName, { name: parameterName, description, type: "String", tier: ssmTierFor(value), value }, { parent: this, dependsOn });
        const admins = adminGroupsDocument(adminGroups);
        parameter(`${name}-admin-groups`, `${this.accessMapPath}/admin-groups`, "Groups that open every dashboard, read by the Cognito pre-token trigger", admins, []);
        for (const { args, client } of clients.values()) {
            const value = clientAccessDocument({ dashboard: args.name, accessGroups: args.accessGroups ?? [] });
            parameter(`${name}-access-${args.name}`, pulumi.interpolate`${this.accessMapPath}/clients/${client.id}`,
                `Who may open ${args.name} (this app client's dashboard), read by the Cognito pre-token trigger`, value, [client]);
        }
    }

    /**
     * The same logins as loginFor(), as one output: programs in other languages (which cannot call
     * methods on a component) pass `logins[<name>]` to DashboardService. It holds client secrets.
     */
    private loginsByDashboard(): pulumi.Output<Record<string, DashboardLoginValues>> {
        return pulumi.secret(pulumi.output(Object.fromEntries(this.dashboardNames.map((dashboard) => {
            const login = this.loginFor(dashboard);
            return [dashboard, { authenticateAction: login.authenticateAction, logoutUrl: login.logoutUrl, clientId: login.clientId }];
        })))) as pulumi.Output<Record<string, DashboardLoginValues>>;
    }

    /** Names of the dashboards that have a login. */
    public get dashboardNames(): string[] {
        return [...loginState.get(this)!.clients.keys()];
    }

    /** The listener action, logout URL and client id for one dashboard. */
    public loginFor(dashboardName: string): DashboardLogin {
        const state = loginState.get(this)!;
        const entry = state.clients.get(dashboardName);
        if (!entry) throw new Error(`CognitoAuth has no dashboard "${dashboardName}"; known: ${this.dashboardNames.join(", ")}`);
        const { client, args } = entry;
        // Session cookie and timeout of the ALB's authenticate actions: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
        const common = {
            scope: LOGIN_SCOPES.join(" "),
            onUnauthenticatedRequest: "authenticate",
            sessionTimeout: state.sessionTimeoutSeconds,
            sessionCookieName: SESSION_COOKIE_NAME,
        };
        const authenticateAction: pulumi.Output<aws.types.input.lb.ListenerRuleAction> = state.action === "authenticate-cognito"
            ? pulumi.output({
                type: "authenticate-cognito",
                order: 1,
                authenticateCognito: { userPoolArn: this.userPoolArn, userPoolClientId: client.id, userPoolDomain: this.userPoolDomain, ...common },
            })
            : pulumi.output({
                type: "authenticate-oidc",
                order: 1,
                authenticateOidc: {
                    issuer: this.issuer,
                    authorizationEndpoint: pulumi.interpolate`https://${this.hostedUiDomain}/oauth2/authorize`,
                    tokenEndpoint: pulumi.interpolate`https://${this.hostedUiDomain}/oauth2/token`,
                    userInfoEndpoint: pulumi.interpolate`https://${this.hostedUiDomain}/oauth2/userInfo`,
                    clientId: client.id,
                    clientSecret: pulumi.secret(client.clientSecret),
                    ...common,
                },
            });
        return {
            authenticateAction,
            logoutUrl: pulumi.all([this.hostedUiDomain, client.id]).apply(([d, id]) => cognitoLogoutUrl(d, id, args.hosts[0])),
            clientId: client.id,
        };
    }
}

/**
 * The usage salt's key policy: the account administers the key, and IAM policies grant its use (this stack's
 * trigger; also any principal an administrator gave kms:Decrypt on every key, as AWS managed policies never do).
 */
export function saltKeyPolicy(partition: string, accountId: string): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [accountAdministersKey(partition, accountId)] });
}

/** What the login trigger's role may do: exactly these ARNs, none a config value can widen. */
export interface PreTokenRoleResources {
    logGroupArn: string;
    /** `arn:...:parameter<access map path>/*`: the map's own path. */
    accessMapArn: string;
    /** The hashed user key's salt: its parameter, its key, and the region of the SSM through which alone the key decrypts it. */
    salt?: { parameterArn: string; keyArn: string; region: string };
}

/** The trigger role's inline policy: its own logs, the access map, and the salt (read and decrypted) when the user key is hashed. */
export function preTokenRolePolicy(r: PreTokenRoleResources): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${r.logGroupArn}:*` },
            { Sid: "ReadAccessMap", Effect: "Allow", Action: "ssm:GetParameters", Resource: r.accessMapArn },
            ...(r.salt ? [
                { Sid: "ReadUsageSalt", Effect: "Allow", Action: "ssm:GetParameters", Resource: r.salt.parameterArn },
                // Through SSM and for this parameter only: Parameter Store names the parameter in the encryption context.
                // https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html#parameter-store-encryption-context
                {
                    Sid: "DecryptUsageSalt", Effect: "Allow", Action: "kms:Decrypt", Resource: r.salt.keyArn,
                    // A ViaService name ends in .amazonaws.com in every partition, China's too (not the host's suffix).
                    // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
                    Condition: { StringEquals: { "kms:ViaService": `ssm.${r.salt.region}.amazonaws.com`, "kms:EncryptionContext:PARAMETER_ARN": r.salt.parameterArn } },
                },
            ] : []),
        ],
    });
}

/**
 * Login through an external OIDC provider used by the ALB directly (`auth.provider: oidc`): no
 * Cognito, no per-dashboard groups; every user the provider signs in may open the dashboard.
 * `name` (the dashboard) only labels errors. `logoutUrl` is the provider's logout URL when given,
 * else `https://<host>/signed-out`, which ends only the ALB session.
 */
export function externalOidcLogin(name: string, args: ExternalOidcArgs): DashboardLogin {
    const problems: string[] = [];
    for (const key of ["issuer", "authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint", "logoutUrl"] as const) {
        const v = args[key];
        if ((key !== "logoutUrl" || v !== undefined) && !HTTPS_URL.test(v ?? "")) problems.push(`${key} must be an https:// URL`);
    }
    if (!DOMAIN_NAME.test(args.host)) problems.push(`host "${args.host}" is not a lowercase DNS name`);
    const timeout = args.sessionTimeoutSeconds;
    if (timeout !== undefined && !isInt(timeout, 1, 604800)) problems.push(`sessionTimeoutSeconds ${timeout} is outside 1..604800`);
    if (problems.length > 0) throw new ComponentArgsError(`externalOidcLogin(${name})`, problems);
    return {
        authenticateAction: pulumi.output({
            type: "authenticate-oidc",
            order: 1,
            authenticateOidc: {
                issuer: args.issuer,
                authorizationEndpoint: args.authorizationEndpoint,
                tokenEndpoint: args.tokenEndpoint,
                userInfoEndpoint: args.userInfoEndpoint,
                clientId: args.clientId,
                clientSecret: pulumi.secret(args.clientSecret),
                scope: args.scope ?? LOGIN_SCOPES.join(" "),
                onUnauthenticatedRequest: "authenticate",
                sessionTimeout: timeout ?? DEFAULT_SESSION_TIMEOUT_SECONDS,
                sessionCookieName: SESSION_COOKIE_NAME,
            },
        }),
        logoutUrl: pulumi.output(args.logoutUrl ?? signedOutUrl(args.host)),
        clientId: pulumi.output(args.clientId),
    };
}
