/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands them to a program:
 * every key namespaced (`<project>:<key>`), project defaults applied, objects and lists as JSON strings.
 * Encrypted values (`secure: v1:...`) cannot be decrypted offline; they become a placeholder and
 * their key is marked secret, exactly as a secret would be during `pulumi up`.
 */
import * as fs from "fs";
import * as path from "path";
import { isPair, isScalar, isSeq, parseDocument, visit } from "yaml";

/** What a stack file stands in for offline when it holds an encrypted value. */
export const SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

export interface LoadedStack {
    project: string;
    stack: string;
    /** `<namespace>:<key>` -> value, as `pulumi.runtime.setAllConfig` takes it. */
    config: Record<string, string>;
    /** Keys whose value (or part of it) is secret. */
    secretKeys: string[];
}

export class StackFileError extends Error {}

export function readProject(projectDir: string): { name: string; config: Record<string, unknown> } {
    const file = path.join(projectDir, "Pulumi.yaml");
    const doc = parseYaml(file) as { name?: unknown; config?: Record<string, unknown> } | null;
    if (!doc || typeof doc.name !== "string") throw new StackFileError(`${file}: has no project name`);
    return { name: doc.name, config: doc.config ?? {} };
}

export function loadStack(projectDir: string, stack: string): LoadedStack {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new StackFileError(`"${stack}" is not a stack name`);
    const project = readProject(projectDir);
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs.readdirSync(projectDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => f.slice(7, -5));
        throw new StackFileError(`no stack file ${path.basename(file)}; stacks here: ${known.join(", ") || "none"}`);
    }
    const doc = (parseYaml(file) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();

    // Project-level defaults first (Pulumi.yaml `config:` block), then the stack's own values.
    for (const [key, decl] of Object.entries(project.config)) {
        const value = isDeclaration(decl) ? (decl.value ?? decl.default) : decl;
        if (value !== undefined) config[qualify(project.name, key)] = encode(value, () => secretKeys.add(qualify(project.name, key)));
    }
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        const qualified = qualify(project.name, key);
        secretKeys.delete(qualified);
        config[qualified] = encode(value, () => secretKeys.add(qualified));
    }
    return { project: project.name, stack, config, secretKeys: [...secretKeys] };
}

/** YAML's spellings of NaN and infinity (YAML 1.2 core schema). */
const NON_FINITE = /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/;

function parseYaml(file: string): unknown {
    let doc: ReturnType<typeof parseDocument>;
    try {
        // `merge: true`: the Pulumi CLI (Go yaml.v3) applies YAML merge keys (`<<: *anchor`); without it
        // the yaml package (YAML 1.2) would keep `<<` as an ordinary key.
        doc = parseDocument(fs.readFileSync(file, "utf8"), { merge: true });
    } catch (e) {
        throw new StackFileError(`${file}: ${(e as Error).message}`);
    }
    if (doc.errors.length > 0) throw new StackFileError(`${file}: ${doc.errors[0].message}`);
    // Numbers JSON cannot hold, treated as the Pulumi CLI treats them (checked by
    // test/engine/cli/config.test.ts): it refuses a stack file with `.nan`/`.inf` ("json: unsupported
    // value: NaN"), and passes a literal too big for a float (`1e400`) on as its text.
    const nonFinite: string[] = [];
    visit(doc, {
        Scalar(_key, node, path) {
            if (typeof node.value !== "number" || Number.isFinite(node.value)) return;
            const text = node.source ?? String(node.value);
            if (NON_FINITE.test(text)) nonFinite.push(`${yamlPath([...path, node])}: ${text}`);
            else node.value = text;
        },
    });
    if (nonFinite.length > 0) {
        throw new StackFileError(`${file}: ${nonFinite.join(", ")}: not a finite number; the Pulumi CLI refuses stack files with .nan or .inf`);
    }
    return doc.toJS({ maxAliasCount: 1000 });
}

/** `dashboards:dashboards[0].cpu` from the ancestors the yaml visitor passes, then the node. */
function yamlPath(path: readonly unknown[]): string {
    let out = "";
    for (const node of path) {
        if (isPair(node)) {
            const key = isScalar(node.key) ? String(node.key.value) : "?";
            out += out ? `.${key}` : key;
        } else if (isSeq(node)) {
            const next = path[path.indexOf(node) + 1];
            const index = (node.items as unknown[]).indexOf(next);
            if (index >= 0) out += `[${index}]`;
        }
    }
    return out.replace(/^config\./, "");
}

function isDeclaration(v: unknown): v is { value?: unknown; default?: unknown } {
    return typeof v === "object" && v !== null && !Array.isArray(v) && ("default" in v || "value" in v || "type" in v || "description" in v);
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function isSecure(v: unknown): boolean {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}

/** Scalars become strings, structures JSON; `{secure: ...}` anywhere becomes the placeholder. */
function encode(value: unknown, markSecret: () => void): string {
    if (isSecure(value)) {
        markSecret();
        return SECRET_PLACEHOLDER;
    }
    if (typeof value === "string") return value;
    if (typeof value !== "object" || value === null) return String(value);
    const replaced = JSON.stringify(value, (_k, v) => {
        if (isSecure(v)) {
            markSecret();
            return SECRET_PLACEHOLDER;
        }
        return v;
    });
    return replaced;
}
