/**
 * The access decision: pure, no I/O, so every rule is unit-tested on its own.
 */
import type { AccessMap } from "./accessMap";

/** Why a sign-in was allowed. */
export type AllowReason = "admin-group" | "open-dashboard" | "access-group";
/** Why a sign-in was denied by the rules (see the handler for operational denials). */
export type DenyReason = "unknown-client" | "not-in-access-groups";

/** Outcome of {@link decideAccess}. `dashboard` is absent only for an unknown client. */
export type AccessDecision =
    | { allowed: true; reason: AllowReason; dashboard: string; matchedGroup?: string }
    | { allowed: false; reason: "unknown-client"; dashboard?: undefined }
    | { allowed: false; reason: "not-in-access-groups"; dashboard: string };

/**
 * Decides whether a user with `userGroups` may receive tokens for the app client `clientId`.
 *
 * Rules, in order:
 * 1. the client is not in the map: deny, even for admins (fail closed: a client we do not know
 *    may be a test, machine or foreign client, and the map is written on every deploy);
 * 2. the user is in one of `adminGroups`: allow;
 * 3. the client's `accessGroups` is empty: allow (open to every signed-in user);
 * 4. the user is in one of the client's `accessGroups`: allow;
 * 5. otherwise deny.
 *
 * Group names are compared exactly (Cognito group names are case-sensitive).
 *
 * @param map The validated access map.
 * @param clientId `callerContext.clientId` of the trigger event.
 * @param userGroups Every group the user is in (Cognito groups and trusted IdP groups).
 */
export function decideAccess(map: AccessMap, clientId: string, userGroups: readonly string[]): AccessDecision {
    // Object.hasOwn: a client id such as "constructor" must not find Object.prototype members.
    if (!Object.hasOwn(map.clients, clientId)) return { allowed: false, reason: "unknown-client" };
    const { dashboard, accessGroups } = map.clients[clientId];
    const groups = new Set(userGroups);
    const admin = map.adminGroups.find((g) => groups.has(g));
    if (admin !== undefined) return { allowed: true, reason: "admin-group", dashboard, matchedGroup: admin };
    if (accessGroups.length === 0) return { allowed: true, reason: "open-dashboard", dashboard };
    const member = accessGroups.find((g) => groups.has(g));
    if (member !== undefined) return { allowed: true, reason: "access-group", dashboard, matchedGroup: member };
    return { allowed: false, reason: "not-in-access-groups", dashboard };
}

/**
 * The message shown to a denied user (Cognito passes the error message through): names the
 * dashboard, never groups, client ids or other internals.
 *
 * @param decision A denial from {@link decideAccess}.
 */
export function denialMessage(decision: Extract<AccessDecision, { allowed: false }>): string {
    if (decision.reason === "unknown-client") {
        return "Access denied: this application is not registered for dashboard sign-in.";
    }
    return `Access denied: you are not in a group allowed to open "${decision.dashboard}".`;
}
