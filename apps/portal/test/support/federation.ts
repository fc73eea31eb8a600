/**
 * User claims as Cognito's userInfo endpoint returns them, which the ALB signs into
 * `x-amzn-oidc-data`: attribute values are strings, `identities` is a JSON string.
 */

/** `identities` of a user who signed in through the SAML provider `CorpIdP`. */
export const CORP_IDENTITIES = JSON.stringify([
    { userId: "jdoe@corp.example", providerName: "CorpIdP", providerType: "SAML", issuer: null, primary: "true", dateCreated: "1700000000000" },
]);

/** Claims of a federated user whose IdP groups were mapped to `custom:groups`. */
export function federatedClaims(customGroups: unknown): Record<string, unknown> {
    return { identities: CORP_IDENTITIES, "custom:groups": customGroups };
}

/** Claims of a native (username and password) user, who has no `identities`. */
export function nativeClaims(customGroups: unknown): Record<string, unknown> {
    return { "custom:groups": customGroups };
}
