/**
 * Groups a federated (SAML/OIDC) identity provider sent for the user, read from the verified
 * userinfo claims the ALB signs into `x-amzn-oidc-data`. The access token never has them:
 * custom attributes are userinfo / ID-token claims only.
 *
 * This is the login trigger's rule (functions/preTokenGeneration/event.ts), restated here
 * because the portal's image is built from apps/ alone and cannot import it;
 * test/groups.test.ts feeds the same cases to both and requires the same answers:
 * - `custom:groups` counts only for a federated user: `identities` is a non-empty string other
 *   than `[]`, or `cognito:user_status` is `EXTERNAL_PROVIDER` (both set by Cognito, never by the
 *   user; a native user may be able to write `custom:groups` and must not choose their groups);
 * - the value is a JSON array (non-string items dropped), Cognito's SAML rendering `[a, b]`, or a
 *   comma-separated list; items are trimmed and unquoted, empties and duplicates dropped;
 * - a value that is present but not a string is an error (fail closed: no identity at all).
 */

/** The user-pool attribute federated identity providers map the user's groups into. */
// IdP claims reach it by attribute mapping; a mapped attribute must be writable by the app client: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-specifying-attribute-mapping.html
export const IDP_GROUPS_CLAIM = "custom:groups";

/** The verified claims have a `custom:groups` that is not a string. */
export class InvalidGroupsClaimError extends Error {
    override name = "InvalidGroupsClaimError";
}

/** Trimmed, non-empty, first occurrence only. */
function distinctNames(items: readonly string[]): string[] {
    const names = new Set<string>();
    for (const item of items) {
        const name = item.trim();
        if (name !== "") names.add(name);
    }
    return [...names];
}

/** A list item without one pair of matching surrounding quotes. */
function unquoted(item: string): string {
    const s = item.trim();
    return s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.endsWith(s[0]) ? s.slice(1, -1) : s;
}

function jsonOrUndefined(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined; // not JSON (e.g. the SAML rendering, or a truncated array)
    }
}

/** The group names in a `custom:groups` value, in order of first appearance. */
export function parseIdpGroups(value: string): string[] {
    let list = value.trim();
    if (list.startsWith("[")) {
        const json = jsonOrUndefined(list);
        if (Array.isArray(json)) return distinctNames(json.filter((g): g is string => typeof g === "string"));
        list = list.slice(1, list.endsWith("]") ? -1 : list.length);
    }
    return distinctNames(list.split(",").map(unquoted));
}

/** Whether Cognito says the user signed in through (or is linked to) an external identity provider. */
function isFederated(claims: Readonly<Record<string, unknown>>): boolean {
    // Cognito sets user status EXTERNAL_PROVIDER for users who signed in through a third-party IdP: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserType.html
    if (claims["cognito:user_status"] === "EXTERNAL_PROVIDER") return true;
    const identities = claims["identities"];
    return typeof identities === "string" && identities.trim() !== "" && identities.trim() !== "[]";
}

/**
 * The IdP groups to add to the user's Cognito groups; empty for a user who is not federated.
 *
 * @param claims Claims of a token whose signature has already been verified.
 * @throws InvalidGroupsClaimError when `custom:groups` is present but not a string.
 */
export function idpGroups(claims: Readonly<Record<string, unknown>>): string[] {
    const value = claims[IDP_GROUPS_CLAIM];
    if (value === undefined || value === null) return [];
    if (typeof value !== "string") throw new InvalidGroupsClaimError(`${IDP_GROUPS_CLAIM} must be a string, not ${Array.isArray(value) ? "an array" : typeof value}`);
    return isFederated(claims) ? parseIdpGroups(value) : [];
}
