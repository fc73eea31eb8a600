/**
 * Pure helpers for CognitoAuth: hosted-login domain prefixes, the URLs Cognito and the ALB
 * exchange, the access-map parameters the Pre Token Generation trigger reads, and their SSM tier.
 * No Pulumi here, so each rule is unit-testable on its own.
 */
import { adminGroupsDocument, clientAccessDocument } from "../functions/preTokenGeneration/accessMap";
import { boundedName, sanitizeName } from "./naming";
import { cognitoPrefixDomainParent } from "./partitions";

export { adminGroupsDocument, clientAccessDocument };

/** Cognito's domain prefix rule (lowercase letters, digits, inner hyphens, 1..63). */
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
export const COGNITO_DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Words Cognito refuses anywhere in a domain prefix. */
export const RESERVED_PREFIX_WORDS = /aws|amazon|cognito/g;
/** Characters of the random suffix that makes a derived prefix unique per region. */
export const DOMAIN_SUFFIX_LENGTH = 6;
/** Cognito's hard limit of callback URLs (and of logout URLs) per app client. */
// https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
export const MAX_CALLBACK_URLS = 100;
/** SSM parameter value limits: Standard tier up to 4 KB, Advanced up to 8 KB. */
// https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
export const SSM_STANDARD_MAX_BYTES = 4096;
export const SSM_ADVANCED_MAX_BYTES = 8192;
/** App clients per user pool (an adjustable quota): one per dashboard and the portal. */
// https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
export const COGNITO_APP_CLIENT_LIMIT = 1000;
/** Path the ALB receives the authorization code on (fixed by the ALB). */
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
export const ALB_CALLBACK_PATH = "/oauth2/idpresponse";
/** Path of the page served without authentication after sign-out (DashboardService serves it). */
export const SIGNED_OUT_PATH = "/signed-out";

/** Why `prefix` is not a valid Cognito domain prefix; empty when it is. */
export function domainPrefixProblems(prefix: string): string[] {
    const problems: string[] = [];
    if (!COGNITO_DOMAIN_PREFIX.test(prefix)) {
        problems.push(`domainPrefix "${prefix}" must be 1-63 lowercase letters, digits and inner hyphens`);
    }
    const reserved = prefix.match(RESERVED_PREFIX_WORDS);
    if (reserved) problems.push(`domainPrefix "${prefix}" contains ${[...new Set(reserved)].join(", ")}; Cognito refuses aws, amazon and cognito in a prefix`);
    return problems;
}

/** Removes reserved words (repeatedly: removing one can join the halves of another). */
function withoutReservedWords(value: string): string {
    let out = value;
    for (let prev = ""; prev !== out; ) {
        prev = out;
        out = out.replace(RESERVED_PREFIX_WORDS, "");
    }
    return out;
}

/**
 * The readable part of a derived prefix: `<stack>-<component>`, sanitized, without reserved
 * words, short enough to leave room for `-` and the random suffix.
 */
export function derivedPrefixBase(stack: string, component: string): string {
    const maxLength = 63 - DOMAIN_SUFFIX_LENGTH - 1;
    const cleaned = sanitizeName(withoutReservedWords(sanitizeName(`${stack}-${component}`)));
    const base = boundedName([cleaned], maxLength);
    return base === "" ? "login" : base;
}

/**
 * Joins the base and the random suffix. A random suffix can spell `aws` or `amazon`; its vowels
 * are then replaced by digits, deterministically, so the prefix stays valid and stable.
 */
export function derivedDomainPrefix(base: string, suffix: string): string {
    const safeSuffix = suffix.toLowerCase().replace(RESERVED_PREFIX_WORDS, (word) => word.replace(/[aeiou]/g, "0"));
    return `${base}-${safeSuffix}`;
}

/** `<prefix>.auth.<region>.amazoncognito.com` (`auth-fips` in GovCloud): the hosted login domain of a prefix. */
export function prefixDomain(prefix: string, region: string): string {
    return `${prefix}.${cognitoPrefixDomainParent(region)}`;
}

/**
 * Namespace of the login trigger's `Logins`/`Denied` metrics: one per stack, so that two stacks in
 * one account (dev and prod) never add up each other's dashboards of the same name.
 */
// Namespace characters and length: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html
export function usageMetricsNamespace(project: string, stack: string): string {
    return `Dashboards/${project}/${stack}`.replace(/[^A-Za-z0-9.\-_/#:]/g, "_").slice(0, 255);
}

/**
 * SSM path of the access map, computed up front so the Lambda never needs the clients: it holds
 * `<path>/admin-groups` and one `<path>/clients/<client id>` per dashboard (see
 * functions/preTokenGeneration/accessMap.ts), so no parameter's size caps dashboards or groups.
 */
const pathPart = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, "-");

export function accessMapPath(project: string, stack: string, component: string): string {
    return `/${pathPart(project)}/${pathPart(stack)}/${pathPart(component)}/access`;
}

/**
 * The SecureString holding the salt of the hashed user key: beside the access map's path, not under
 * it, so the map's wildcard read never covers a secret and the trigger is granted this one exactly.
 */
export function usageSaltParameterName(project: string, stack: string, component: string): string {
    return `/${pathPart(project)}/${pathPart(stack)}/${pathPart(component)}/usage-salt`;
}

export function callbackUrls(hosts: string[]): string[] {
    return hosts.map((h) => `https://${h}${ALB_CALLBACK_PATH}`);
}

export function signedOutUrl(host: string): string {
    return `https://${host}${SIGNED_OUT_PATH}`;
}

/** Cognito's logout endpoint: ends the Cognito session, then redirects to the (registered) signed-out page. */
// https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
export function cognitoLogoutUrl(hostedDomain: string, clientId: string, primaryHost: string): string {
    return `https://${hostedDomain}/logout?client_id=${encodeURIComponent(clientId)}&logout_uri=${encodeURIComponent(signedOutUrl(primaryHost))}`;
}

/** Bytes of a dashboard's access-map parameter (its name and groups), to reject one SSM cannot hold before deploying. */
export function clientAccessBytes(dashboard: string, accessGroups: readonly string[] = []): number {
    return Buffer.byteLength(clientAccessDocument({ dashboard, accessGroups: [...accessGroups] }), "utf8");
}

/** Bytes of the admin-groups parameter. */
export function adminGroupsBytes(adminGroups: readonly string[]): number {
    return Buffer.byteLength(adminGroupsDocument(adminGroups), "utf8");
}

/** Cheapest SSM tier that holds `value` (Standard is free; Advanced is billed per parameter). */
export function ssmTierFor(value: string): "Standard" | "Advanced" {
    return Buffer.byteLength(value, "utf8") <= SSM_STANDARD_MAX_BYTES ? "Standard" : "Advanced";
}

// --- SES sender of the user pool's email -------------------------------------------------------

/** An SES identity ARN; captures region, account and the identity (a domain or an email address). */
export const SES_IDENTITY_ARN = /^arn:aws[a-z-]*:ses:([a-z0-9-]+):(\d{12}):identity\/([^\s/]+)$/;
const ADDRESS = "[^\\s@<>]+@[^\\s@<>]+\\.[^\\s@<>]+";
/** A plain email address. */
export const EMAIL_ADDRESS = new RegExp(`^${ADDRESS}$`);
/** Cognito's From: an address, or a display name and the address in angle brackets. */
export const FROM_EMAIL_ADDRESS = new RegExp(`^(?:[^<>]*<\\s*${ADDRESS}\\s*>|${ADDRESS})$`);
/** SES configuration set names (the EmailConfigurationType pattern, 1..64). */
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailConfigurationType.html
export const SES_CONFIGURATION_SET = /^[a-zA-Z0-9_-]{1,64}$/;
/** What each SES field must be, as the errors say it. */
export const SES_FIELDS = {
    sourceArn: { pattern: SES_IDENTITY_ARN, description: "an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<domain or email address>)" },
    fromEmailAddress: { pattern: FROM_EMAIL_ADDRESS, description: "an email address, or a name and address such as Dashboards <no-reply@example.com>" },
    replyToEmailAddress: { pattern: EMAIL_ADDRESS, description: "an email address" },
    configurationSet: { pattern: SES_CONFIGURATION_SET, description: "an SES configuration set name (1-64 letters, digits, _ and -)" },
} as const;

/** The SES sender of a user pool's email (what `emailConfiguration` needs with DEVELOPER). */
export interface SesSender {
    sourceArn: string;
    fromEmailAddress: string;
    replyToEmailAddress?: string;
    configurationSet?: string;
}

/**
 * Why SES identity `sourceArn` cannot send as `from`, or undefined when it can (or when either is
 * malformed, which the field checks report). An email-address identity sends only as itself; a
 * domain identity as any address of the domain or of its subdomains.
 * https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html
 */
export function sesSenderMismatch(sourceArn: string, from: string): string | undefined {
    const identity = SES_IDENTITY_ARN.exec(sourceArn)?.[3];
    const address = new RegExp(`(${ADDRESS})\\s*>?$`).exec(from.trim())?.[1];
    if (!identity || !address || !FROM_EMAIL_ADDRESS.test(from)) return undefined;
    const [id, addr] = [identity.toLowerCase(), address.toLowerCase()];
    if (id.includes("@")) {
        return addr === id ? undefined : `"${from}" is not the SES identity ${identity}; an email-address identity sends only as itself`;
    }
    const domain = addr.slice(addr.lastIndexOf("@") + 1);
    return domain === id || domain.endsWith(`.${id}`)
        ? undefined
        : `"${from}" is not covered by the SES identity ${identity}; use an address at ${identity} (or a subdomain of it)`;
}

/** Every problem with an SES sender, each as `[field, message]`. */
export function sesSenderProblems(sender: SesSender): [keyof SesSender, string][] {
    const problems: [keyof SesSender, string][] = [];
    for (const field of Object.keys(SES_FIELDS) as (keyof SesSender)[]) {
        const value = sender[field];
        if (value !== undefined && !SES_FIELDS[field].pattern.test(value)) problems.push([field, `"${value}" is not ${SES_FIELDS[field].description}`]);
    }
    const mismatch = sesSenderMismatch(sender.sourceArn, sender.fromEmailAddress);
    if (mismatch) problems.push(["fromEmailAddress", mismatch]);
    return problems;
}
