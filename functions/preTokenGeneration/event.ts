/**
 * Reading the facts the decision needs out of a Pre Token Generation event (V1_0 or V2_0; both
 * carry `callerContext.clientId`, `request.userAttributes` and `request.groupConfiguration`).
 * The event is treated as untrusted input: a missing or mistyped field is an error (fail closed).
 */
import { isRecord } from "./util";

/** User attribute that carries IdP groups for federated (SAML/OIDC) users. */
// IdP claims reach it by attribute mapping; a mapped attribute must be writable by the app client: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-specifying-attribute-mapping.html
export const CUSTOM_GROUPS_ATTRIBUTE = "custom:groups";

/** The event does not have the Pre Token Generation shape. */
export class InvalidEventError extends Error {
    override name = "InvalidEventError";
    constructor(detail: string) {
        super(`Invalid Pre Token Generation event: ${detail}.`);
    }
}

/** What the handler needs from a trigger event. */
export interface TriggerFacts {
    triggerSource: string;
    clientId: string;
    userPoolId?: string;
    userName?: string;
    sub?: string;
    email?: string;
    /** True when the user signed in through (or is linked to) a SAML/OIDC identity provider. */
    federated: boolean;
    /** Cognito groups plus, for federated users, the groups in `custom:groups`; deduplicated. */
    groups: string[];
}

function unquote(item: string): string {
    const s = item.trim();
    if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) return s.slice(1, -1).trim();
    return s;
}

function uniqueNonEmpty(items: readonly string[]): string[] {
    return [...new Set(items.map((s) => s.trim()).filter((s) => s !== ""))];
}

/**
 * Parses the `custom:groups` attribute in the formats identity providers produce:
 * - a JSON array string, `["sales","admins"]` (OIDC providers that send an array claim);
 * - Cognito's rendering of a multi-valued SAML attribute, `[sales, admins]`;
 * - a comma-separated list, `sales,admins` or `sales, admins`, or a single name.
 *
 * Items are trimmed, surrounding quotes removed, empties and duplicates dropped; non-string
 * JSON items are ignored (ignoring can only reduce access). Group names that themselves contain
 * commas are only preserved in the JSON format.
 *
 * @param value The raw attribute value.
 * @returns The group names, in order of first appearance.
 */
export function parseGroupsAttribute(value: string): string[] {
    const text = value.trim();
    if (text.startsWith("[")) {
        try {
            const parsed: unknown = JSON.parse(text);
            if (Array.isArray(parsed)) {
                return uniqueNonEmpty(parsed.filter((g): g is string => typeof g === "string"));
            }
        } catch {
            // Not JSON: the SAML rendering "[a, b]" (or a truncated JSON array), handled below.
        }
        const inner = text.slice(1, text.endsWith("]") ? -1 : undefined);
        return uniqueNonEmpty(inner.split(",").map(unquote));
    }
    return uniqueNonEmpty(text.split(",").map(unquote));
}

/**
 * Whether the user comes from a federated identity provider. Only then is `custom:groups`
 * trusted: an IdP-mapped attribute must be writable by the app client, so a native user with a
 * `aws.cognito.signin.user.admin` access token could otherwise write their own groups.
 * `identities` and `cognito:user_status` are set by Cognito and cannot be written by users.
 */
function isFederated(attributes: Record<string, unknown>): boolean {
    // Cognito sets user status EXTERNAL_PROVIDER for users who signed in through a third-party IdP: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserType.html
    const identities = attributes["identities"];
    return (
        attributes["cognito:user_status"] === "EXTERNAL_PROVIDER" ||
        (typeof identities === "string" && identities.trim() !== "" && identities.trim() !== "[]")
    );
}

/**
 * Validates a Pre Token Generation event and extracts the client id and the user's groups.
 *
 * @param event The raw event as Lambda delivers it.
 * @throws InvalidEventError naming the missing or mistyped field.
 */
export function readTriggerEvent(event: unknown): TriggerFacts {
    if (!isRecord(event)) throw new InvalidEventError("the event is not an object");
    const { triggerSource, callerContext, request, userName, userPoolId } = event;
    // Sources: TokenGeneration_HostedAuth/Authentication/NewPasswordChallenge/AuthenticateDevice/RefreshTokens: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
    if (typeof triggerSource !== "string" || !triggerSource.startsWith("TokenGeneration_")) {
        throw new InvalidEventError("triggerSource must be a TokenGeneration_* string");
    }
    // callerContext.clientId is the app client asking for tokens (one per dashboard): https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
    if (!isRecord(callerContext) || typeof callerContext.clientId !== "string" || callerContext.clientId === "") {
        throw new InvalidEventError("callerContext.clientId must be a non-empty string");
    }
    if (!isRecord(request)) throw new InvalidEventError("request must be an object");
    const attributes = request.userAttributes;
    if (!isRecord(attributes)) throw new InvalidEventError("request.userAttributes must be an object");

    // V1_0 and V2_0 both list the user's Cognito groups in request.groupConfiguration.groupsToOverride: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
    const groupConfiguration = request.groupConfiguration ?? {};
    if (!isRecord(groupConfiguration)) throw new InvalidEventError("request.groupConfiguration must be an object");
    const cognitoGroups = groupConfiguration.groupsToOverride ?? [];
    if (!Array.isArray(cognitoGroups) || !cognitoGroups.every((g) => typeof g === "string")) {
        throw new InvalidEventError("request.groupConfiguration.groupsToOverride must be an array of strings");
    }

    const federated = isFederated(attributes);
    const groups: string[] = [...cognitoGroups];
    const customGroups = attributes[CUSTOM_GROUPS_ATTRIBUTE];
    if (customGroups !== undefined && customGroups !== null) {
        if (typeof customGroups !== "string") {
            throw new InvalidEventError(`request.userAttributes["${CUSTOM_GROUPS_ATTRIBUTE}"] must be a string`);
        }
        if (federated) groups.push(...parseGroupsAttribute(customGroups));
    }

    return {
        triggerSource,
        clientId: callerContext.clientId,
        userPoolId: typeof userPoolId === "string" ? userPoolId : undefined,
        userName: typeof userName === "string" ? userName : undefined,
        sub: typeof attributes.sub === "string" ? attributes.sub : undefined,
        email: typeof attributes.email === "string" ? attributes.email : undefined,
        federated,
        groups: uniqueNonEmpty(groups),
    };
}
