/**
 * `plan.json`: the offline plan as data, for diffing between commits and for other tools.
 *
 * Stable: keys and resources sorted, nothing random, no timestamps, no absolute paths, so two
 * plans of the same commit are byte-identical. Safe: every secret is "[secret]", found four ways
 * (belt and braces, because a leaked secret in a committed file is forever):
 *   1. the input paths the SDK reported as secret (`secretInputs`),
 *   2. values under field names that always hold secrets (`clientSecret`, `password`, ...),
 *   3. the offline placeholder the stack loader puts in place of `secure:` values,
 *   4. any string that contains a secret value (a secret string input, a value under a secret
 *      field, a resource's secret output), e.g. a client secret copied into another resource's
 *      input or into a JSON string.
 * Resource outputs are not written at all: the mock's computed state holds generated secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { Plan, PROJECT_DIR } from "./runPlan";
import { SECRET_PLACEHOLDER } from "./stackFile";

export const SECRET_MASK = "[secret]";

/** Field names whose value is a secret wherever they appear (AWS, Cognito IdP details, docker registry). */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
    "clientSecret", "client_secret", "password", "secretString", "secretBinary", "privateKey",
    "authorizationToken", "bcryptHash", "result", "valueWo", "privateKeyWo",
]);

/** Shorter strings are not scrubbed by value: too likely to match innocent text ("AWS", "true"). */
const MIN_SCRUB_LENGTH = 8;

export interface JsonResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    inputs: unknown;
    secretInputs: string[];
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    dependsOn: string[];
}

export interface JsonPlan {
    project: string;
    stack: string;
    resourceCount: number;
    resources: JsonResource[];
    outputs: unknown;
}

/** Splits `actions[0].authenticateOidc` into `["actions", 0, "authenticateOidc"]`. */
export function parsePath(path: string): (string | number)[] {
    const parts: (string | number)[] = [];
    for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    return parts;
}

function strings(value: unknown, out: string[]): string[] {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
    else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
    return out;
}

function get(value: any, path: (string | number)[]): unknown {
    return path.reduce((v, k) => (v == null ? undefined : v[k]), value);
}

/** Every secret string of the plan: what is under secret paths, secret fields and secret outputs. */
export function secretValues(plan: Plan): Set<string> {
    const found: string[] = [SECRET_PLACEHOLDER];
    const underSecretFields = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(underSecretFields);
        else if (v && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) {
                if (SECRET_FIELDS.has(k)) strings(x, found);
                else underSecretFields(x);
            }
        }
    };
    for (const r of plan.resources) {
        // A secret path that holds a whole string (an SSM value) is itself a secret; under a secret
        // object (a docker registry, listener actions) only the secret fields are: the rest (server,
        // client id, target group) is masked where it sits but not hunted down elsewhere.
        for (const p of r.secretInputs) {
            const v = get(r.inputs, parsePath(p));
            if (typeof v === "string") found.push(v);
        }
        for (const name of r.additionalSecretOutputs) strings(r.outputs[name], found);
        underSecretFields(r.inputs);
        underSecretFields(r.outputs);
    }
    return new Set(found.filter((s) => s.length >= MIN_SCRUB_LENGTH));
}

/** Deep copy with keys sorted and each string passed through `str`. */
function normalise(value: unknown, str: (s: string) => string, key?: string): unknown {
    if (key !== undefined && SECRET_FIELDS.has(key) && value !== undefined && value !== null) return SECRET_MASK;
    if (typeof value === "string") return str(value);
    if (pulumi.Output.isInstance(value)) return SECRET_MASK; // a secret stack output stays wrapped
    if (Array.isArray(value)) return value.map((v) => normalise(v, str));
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(value).sort()) {
            const v = (value as Record<string, unknown>)[k];
            if (v !== undefined) out[k] = normalise(v, str, k);
        }
        return out;
    }
    return value;
}

function maskPaths(inputs: Record<string, unknown>, paths: string[]): Record<string, unknown> {
    const copy = structuredClone(inputs);
    for (const p of paths) {
        const parts = parsePath(p);
        const holder = get(copy, parts.slice(0, -1)) as any;
        if (parts.length === 0) return { [SECRET_MASK]: SECRET_MASK };
        if (holder && typeof holder === "object" && parts[parts.length - 1] in holder) holder[parts[parts.length - 1]] = SECRET_MASK;
    }
    return copy;
}

/** The plan as a JSON-able object: sorted, secrets masked, project paths made relative. */
export function planToJson(plan: Plan): JsonPlan {
    // Longest first, so a secret that contains another is replaced whole.
    const secrets = [...secretValues(plan)].sort((a, b) => b.length - a.length || a.localeCompare(b));
    const scrub = (s: string): string => {
        let out = s.split(`${PROJECT_DIR}/`).join("").split(PROJECT_DIR).join(".");
        for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(SECRET_MASK);
        return out;
    };
    const resources = plan.resources
        .map((r): JsonResource => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            custom: r.custom,
            inputs: normalise(maskPaths(r.inputs, r.secretInputs), scrub),
            secretInputs: [...r.secretInputs].sort(),
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            deleteBeforeReplace: r.deleteBeforeReplace,
            dependsOn: [...r.dependsOn].sort(),
        }))
        .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    return normalise({
        project: plan.project,
        stack: plan.stack,
        resourceCount: resources.length,
        resources,
        outputs: normalise(plan.outputs, scrub),
    }, (s) => s) as JsonPlan;
}

/** `plan.json`'s text: two-space indented, trailing newline. */
export function renderPlanJson(plan: Plan): string {
    return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}
