/**
 * The access map: which Cognito app client belongs to which dashboard, and which groups may
 * open it. The infrastructure writes it to SSM as one small parameter per app client plus one for
 * the admin groups, so no single parameter limits how many dashboards or groups a stack has; the
 * trigger reads the two it needs for a sign-in. This module names those parameters and validates
 * their documents. Validation is hand-rolled (no zod) to keep the Lambda bundle tiny.
 */
import { isRecord } from "./util";

/** Format version of both documents; only this one is understood (anything else is rejected: fail closed). */
export const ACCESS_MAP_VERSION = 2;

/** One dashboard's entry in the access map, keyed by its Cognito app client id. */
export interface ClientAccess {
    /** Short dashboard name, shown to users in denial messages (e.g. `sales`). */
    dashboard: string;
    /** Groups allowed to open the dashboard; empty = every signed-in user may open it. */
    accessGroups: string[];
}

/** What one decision needs: the admin groups and the requesting client's entry, when it has one. */
export interface AccessMap {
    /** Groups whose members may open every registered dashboard. */
    adminGroups: string[];
    /** App client id -> dashboard and its access groups (only the clients that were looked up). */
    clients: Record<string, ClientAccess>;
}

/** The raw documents of one lookup, as SSM returned them. */
export interface AccessMapDocuments {
    /** The admin-groups document. */
    adminGroups: string;
    /** The client's document; undefined when the client has no parameter (not a dashboard of this stack). */
    client?: string;
}

/** An access map document is not valid JSON or does not have the expected shape. */
export class InvalidAccessMapError extends Error {
    override name = "InvalidAccessMapError";
}

// Cognito app client ids are [\w+]+ of up to 128 characters (in practice 26 lowercase alphanumerics):
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html
// SSM names allow a-zA-Z0-9_.-/ only, so an id outside [A-Za-z0-9_] (a "+") cannot name a parameter of
// ours: it is treated as unknown. Nothing in an id can climb out of the map's path.
const PARAMETER_SAFE_CLIENT_ID = /^[A-Za-z0-9_]{1,128}$/;

/** The parameter holding the admin groups, under the map's path (e.g. `/dashboards/prod/auth/access`). */
export function adminGroupsParameterName(path: string): string {
    return `${path}/admin-groups`;
}

/** The parameter holding one client's entry, or undefined for an id that cannot be one of ours. */
export function clientParameterName(path: string, clientId: string): string | undefined {
    return PARAMETER_SAFE_CLIENT_ID.test(clientId) ? `${path}/clients/${clientId}` : undefined;
}

function nonEmptyString(value: unknown, where: string): string {
    if (typeof value !== "string" || value.trim() === "") {
        throw new InvalidAccessMapError(`${where} must be a non-empty string`);
    }
    return value;
}

function groupList(value: unknown, where: string): string[] {
    if (!Array.isArray(value)) {
        throw new InvalidAccessMapError(`${where} must be an array of group names`);
    }
    return value.map((group, i) => nonEmptyString(group, `${where}[${i}]`));
}

/** A JSON object of our format version; unknown keys are ignored (forward compatibility). */
function document(json: string, what: string): Record<string, unknown> {
    let doc: unknown;
    try {
        doc = JSON.parse(json);
    } catch (err) {
        throw new InvalidAccessMapError(`${what}: not valid JSON (${(err as Error).message})`);
    }
    if (!isRecord(doc)) throw new InvalidAccessMapError(`${what}: must be a JSON object`);
    if (doc.version !== ACCESS_MAP_VERSION) {
        throw new InvalidAccessMapError(`${what}: unsupported version ${JSON.stringify(doc.version)} (expected ${ACCESS_MAP_VERSION})`);
    }
    return doc;
}

/** `{"version":2,"adminGroups":[...]}`. */
export function parseAdminGroups(json: string): string[] {
    return groupList(document(json, "admin groups").adminGroups, "adminGroups");
}

/** `{"version":2,"dashboard":"sales","accessGroups":[...]}`. */
export function parseClientAccess(json: string): ClientAccess {
    const doc = document(json, "client entry");
    return {
        dashboard: nonEmptyString(doc.dashboard, "dashboard"),
        accessGroups: groupList(doc.accessGroups, "accessGroups"),
    };
}

/**
 * Validates one lookup's documents into the map a decision reads.
 *
 * @throws InvalidAccessMapError naming the first offending field (the whole lookup is rejected).
 */
export function parseAccessMap(clientId: string, docs: AccessMapDocuments): AccessMap {
    const clients: Record<string, ClientAccess> = Object.create(null);
    if (docs.client !== undefined) clients[clientId] = parseClientAccess(docs.client);
    return { adminGroups: parseAdminGroups(docs.adminGroups), clients };
}

/** The admin-groups document, as the infrastructure writes it. */
export function adminGroupsDocument(adminGroups: readonly string[]): string {
    return JSON.stringify({ version: ACCESS_MAP_VERSION, adminGroups: [...adminGroups] });
}

/** One client's document, as the infrastructure writes it. */
export function clientAccessDocument(access: ClientAccess): string {
    return JSON.stringify({ version: ACCESS_MAP_VERSION, dashboard: access.dashboard, accessGroups: [...access.accessGroups] });
}
