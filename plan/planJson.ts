/**
 * `plan.json`: the offline plan as data, for diffing between commits and for other tools.
 *
 * Stable: keys and resources sorted, nothing random, no timestamps, no absolute paths, so two
 * plans of the same commit are byte-identical. Safe: every secret value is "[secret]", and only the
 * secret value, so a reviewer still sees what holds it (e.g. a listener rule's login action: issuer,
 * endpoints, client id; only its client secret is masked). Secrets are found four ways (belt and
 * braces, because a leaked secret in a committed file is forever):
 *   1. the input paths the SDK reported as secret (`secretInputs`). A secret string is masked
 *      whole. A secret object or list is not: the SDK marks a whole input secret when any value
 *      nested in it is (a listener rule's `actions` holding a client secret, a docker `registry`
 *      holding a password), so its secret values are masked by 2-4 and the rest is shown. When
 *      2-4 find no secret in it, nothing says which value is the secret, and it is masked whole,
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

/** Every string under a secret field name in `v`. */
function underSecretFields(v: unknown, out: string[]): string[] {
    if (Array.isArray(v)) v.forEach((x) => underSecretFields(x, out));
    else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
            if (SECRET_FIELDS.has(k)) strings(x, out);
            else underSecretFields(x, out);
        }
    }
    return out;
}

/** Every secret string of the plan: what is under secret paths, secret fields and secret outputs. */
export function secretValues(plan: Plan): Set<string> {
    const found: string[] = [SECRET_PLACEHOLDER];
    for (const r of plan.resources) {
        // A secret path that holds a whole string (an SSM value) is itself a secret; under a secret
        // object (a docker registry, listener actions) only the secret fields are: the rest (server,
        // client id, target group) is shown, and not hunted down elsewhere.
        for (const p of r.secretInputs) {
            const v = get(r.inputs, parsePath(p));
            if (typeof v === "string") found.push(v);
        }
        // Likewise a secret output: a string is a secret; an object (an IdP's `providerDetails`) holds
        // its secrets under secret field names, and only when it has none are all its strings taken.
        for (const name of r.additionalSecretOutputs) {
            const v = r.outputs[name];
            if (typeof v === "string" || underSecretFields(v, []).length === 0) strings(v, found);
        }
        underSecretFields(r.inputs, found);
        underSecretFields(r.outputs, found);
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

/** Whether `value` holds a value found to be secret: one under a secret field name, or a string containing a known secret. */
function holdsKnownSecret(value: unknown, isSecret: (s: string) => boolean): boolean {
    if (typeof value === "string") return isSecret(value);
    if (Array.isArray(value)) return value.some((v) => holdsKnownSecret(v, isSecret));
    if (value && typeof value === "object") {
        return Object.entries(value).some(([k, v]) => (SECRET_FIELDS.has(k) && v !== undefined && v !== null) || holdsKnownSecret(v, isSecret));
    }
    return false;
}

/**
 * Masks each secret path whole, except an object or list that holds a known secret: that one is
 * left for `normalise` to mask value by value.
 */
function maskPaths(inputs: Record<string, unknown>, paths: string[], isSecret: (s: string) => boolean): Record<string, unknown> {
    const copy = structuredClone(inputs);
    for (const p of paths) {
        const parts = parsePath(p);
        const value = get(copy, parts);
        if (value && typeof value === "object" && holdsKnownSecret(value, isSecret)) continue;
        if (parts.length === 0) return { [SECRET_MASK]: SECRET_MASK };
        const holder = get(copy, parts.slice(0, -1)) as any;
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
    const isSecret = (s: string): boolean => secrets.some((secret) => s.includes(secret));
    const resources = plan.resources
        .map((r): JsonResource => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            custom: r.custom,
            inputs: normalise(maskPaths(r.inputs, r.secretInputs, isSecret), scrub),
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
