/**
 * The access map: which Cognito app client belongs to which dashboard, and which groups may
 * open it. The infrastructure writes it as JSON to an SSM parameter; this module validates it.
 * Validation is hand-rolled (no zod) to keep the Lambda bundle tiny and cold starts short.
 */
import { isRecord } from "./util";

/** One dashboard's entry in the access map, keyed by its Cognito app client id. */
export interface ClientAccess {
    /** Short dashboard name, shown to users in denial messages (e.g. `sales`). */
    dashboard: string;
    /** Groups allowed to open the dashboard; empty = every signed-in user may open it. */
    accessGroups: string[];
}

/** The JSON document stored in the SSM parameter named by `ACCESS_MAP_PARAMETER`. */
export interface AccessMap {
    /** Format version; only `1` is understood (anything else is rejected: fail closed). */
    version: 1;
    /** Groups whose members may open every registered dashboard. */
    adminGroups: string[];
    /** App client id -> dashboard and its access groups. */
    clients: Record<string, ClientAccess>;
}

/** The access map document is not valid JSON or does not have the expected shape. */
export class InvalidAccessMapError extends Error {
    override name = "InvalidAccessMapError";
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

/**
 * Parses and validates the access map document.
 *
 * Unknown top-level keys are ignored (forward compatibility); every key that is read must have
 * the documented type, otherwise the whole map is rejected.
 *
 * @param json The raw parameter value.
 * @returns A validated copy of the map (clients in a prototype-free object).
 * @throws InvalidAccessMapError naming the first offending field.
 */
export function parseAccessMap(json: string): AccessMap {
    let doc: unknown;
    try {
        doc = JSON.parse(json);
    } catch (err) {
        throw new InvalidAccessMapError(`not valid JSON (${(err as Error).message})`);
    }
    if (!isRecord(doc)) throw new InvalidAccessMapError("must be a JSON object");
    if (doc.version !== 1) {
        throw new InvalidAccessMapError(`unsupported version ${JSON.stringify(doc.version)} (expected 1)`);
    }
    const adminGroups = groupList(doc.adminGroups, "adminGroups");
    if (!isRecord(doc.clients)) throw new InvalidAccessMapError("clients must be an object keyed by app client id");
    const clients: Record<string, ClientAccess> = Object.create(null);
    for (const [clientId, entry] of Object.entries(doc.clients)) {
        const where = `clients[${JSON.stringify(clientId)}]`;
        nonEmptyString(clientId, `${where} key`);
        if (!isRecord(entry)) throw new InvalidAccessMapError(`${where} must be an object`);
        clients[clientId] = {
            dashboard: nonEmptyString(entry.dashboard, `${where}.dashboard`),
            accessGroups: groupList(entry.accessGroups, `${where}.accessGroups`),
        };
    }
    return { version: 1, adminGroups, clients };
}
