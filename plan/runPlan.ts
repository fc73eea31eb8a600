/**
 * Runs the Pulumi program (`index.ts`) under the mock runtime for one stack and records every
 * resource it declares: type, name, parent, inputs, resource options and the stack outputs.
 * This is what `npm run plan` prints and what the program-level tests assert on.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { createMocks, MOCK_ORGANIZATION } from "./mocks";
import { LoadedStack, loadStack } from "./stackFile";
import { withoutPromiseStackTraces } from "./stackTraces";

// Internal to the SDK (not in its typings) but stable: it is how `pulumi` itself waits for the program to settle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface PlannedResource {
    urn: string;
    /** Physical id the (mock) provider assigned; what other resources' inputs refer to. */
    id?: string;
    type: string;
    name: string;
    /** URN of the parent resource (the stack itself for top-level resources). */
    parent?: string;
    custom: boolean;
    inputs: Record<string, any>;
    /** Input paths (e.g. `registry`, `containerDefinitions`) whose value is a Pulumi secret. */
    secretInputs: string[];
    /** State as the mock provider returned it (inputs plus computed values). */
    outputs: Record<string, any>;
    protect: boolean;
    retainOnDelete: boolean;
    dependsOn: string[];
    deleteBeforeReplace: boolean;
    /** Inputs whose drift `pulumi up` leaves alone (someone else owns them at run time). */
    ignoreChanges?: string[];
    additionalSecretOutputs: string[];
    /** How long the provider may take, e.g. `{ create: "30m" }` (only what the program set). */
    customTimeouts?: { create?: string; update?: string; delete?: string };
}

export interface Plan {
    project: string;
    stack: string;
    resources: PlannedResource[];
    outputs: Record<string, any>;
}

interface RegisterRequest {
    getObject(): any;
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDependenciesList(): string[];
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}

/** Plans the stack file `Pulumi.<stack>.yaml` of this project. */
export async function planStack(stack: string): Promise<Plan> {
    return planConfig(loadStack(PROJECT_DIR, stack));
}

/**
 * Plans the program with the given (already loaded) configuration. Tests use this directly with
 * variations of a stack file. Throws what the program throws (e.g. a config validation error).
 */
export async function planConfig(loaded: LoadedStack, programPath = path.join(PROJECT_DIR, "index.ts"), options: PlanOptions = {}): Promise<Plan> {
    return runUnderMocks(loaded, () => {
        // A fresh copy of the program per plan: Node caches modules, and the program reads config at load time.
        delete require.cache[require.resolve(programPath)];
        const program = require(programPath);
        // As the Pulumi Node runtime does: a program whose module.exports is a function is called for its outputs.
        return typeof program === "function" ? program() : typeof program.default === "function" ? program.default() : { ...program };
    }, options);
}

/**
 * Runs `program` (any code that declares resources, e.g. one component) under the mock runtime
 * with `loaded` as configuration, and records what it declares. Its return value becomes the
 * stack outputs.
 */
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** `urn:pulumi:<stack>::<project>::<parent chain>$<type>::<name>`, the engine's rule. */
export function engineUrn(parent: string, type: string, name: string): string {
    const parentChain = parent ? parent.split("::")[2] : "";
    const chain = parentChain && parentChain !== ROOT_STACK_TYPE ? `${parentChain}$${type}` : type;
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${chain}::${name}`;
}

export interface PlanOptions {
    /** Wraps the mocks, e.g. to make AWS answer what a test needs. */
    mocks?: (base: pulumi.runtime.Mocks) => pulumi.runtime.Mocks;
    /**
     * Keep the SDK's per-promise stack captures (slow; see plan/stackTraces.ts). Only for measuring them:
     * the plan is the same either way.
     * @default false
     */
    sdkStackTraces?: boolean;
    /**
     * The stack's outputs from its last deployment, as a reference to the stack itself reads them
     * (the program keeps dashboards where `routing` says). Absent: a first deployment.
     * @default {}
     */
    previousOutputs?: Record<string, unknown>;
}

export async function runUnderMocks(
    loaded: LoadedStack,
    program: () => Record<string, unknown> | Promise<Record<string, unknown>>,
    options: PlanOptions = {},
): Promise<Plan> {
    const region = loaded.config["aws:region"] ?? "us-east-1";
    const base = createMocks({ region, previousOutputs: options.previousOutputs });
    await pulumi.runtime.setMocks(options.mocks ? options.mocks(base) : base, loaded.project, loaded.stack, false, MOCK_ORGANIZATION);
    pulumi.runtime.setAllConfig(loaded.config, loaded.secretKeys);

    const recorded = new Map<string, PlannedResource>();
    const monitor = getMonitor() as unknown as {
        registerResource(req: RegisterRequest, cb: (err: unknown, resp: any) => void): Promise<void>;
    };
    // URNs as the real engine builds them (checked by test/engine/cli/stacks.test.ts against a real
    // `pulumi up`): the root stack is left out of the type chain, and a child's chain is its parent's
    // whole chain. The SDK's mock monitor instead prefixes `pulumi:pulumi:Stack$` to top-level
    // components and keeps only the parent's last type, so aliases and URNs planned offline would not
    // match a deployed stack.
    (monitor as unknown as { newUrn(parent: string, type: string, name: string): string }).newUrn = engineUrn;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, resp) => {
            if (!err && resp) {
                const urn: string = resp.getUrn();
                recorded.set(urn, {
                    urn,
                    id: resp.getId() || undefined,
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent() || undefined,
                    custom: req.getCustom(),
                    ...unwrapSecrets(pulumi.runtime.deserializeProperties(req.getObject())),
                    outputs: resp.getObject() ? unwrapSecrets(pulumi.runtime.deserializeProperties(resp.getObject())).inputs : {},
                    protect: req.getProtect() ?? false,
                    retainOnDelete: req.getRetainondelete() ?? false,
                    dependsOn: req.getDependenciesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    ignoreChanges: req.getIgnorechangesList(),
                    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                    customTimeouts: timeoutsOf(req),
                });
            }
            callback(err, resp);
        });

    let failure: unknown;
    // Like the Pulumi CLI's program harness: an error nobody awaits (e.g. thrown in an apply whose output
    // only a component's registerOutputs reads) fails the run instead of passing silently.
    const unhandled = (reason: unknown) => {
        failure ??= reason;
    };
    process.on("unhandledRejection", unhandled);
    const settle = async () => {
        const declared = await pulumi.runtime
            .runInPulumiStack(async () => {
                try {
                    return await program();
                } catch (e) {
                    failure = e;
                    return {};
                }
            })
            .catch((e) => {
                failure ??= e;
                return {};
            });
        try {
            await waitForRPCs();
            // Rejections are reported once the current turn's promise jobs have run.
            await new Promise((resolve) => setImmediate(resolve));
        } finally {
            process.off("unhandledRejection", unhandled);
        }
        return declared;
    };
    const outputs = options.sdkStackTraces ? await settle() : await withoutPromiseStackTraces(settle);
    if (failure) {
        if (failure instanceof Error) declaredBeforeFailure.set(failure, [...recorded.values()]);
        throw failure;
    }

    return {
        project: loaded.project,
        stack: loaded.stack,
        resources: [...recorded.values()],
        outputs: await resolveOutputs(outputs ?? {}),
    };
}

function timeoutsOf(req: RegisterRequest): PlannedResource["customTimeouts"] {
    const t = req.getCustomtimeouts();
    if (!t) return undefined;
    const set = Object.entries({ create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete() }).filter(([, v]) => v);
    return set.length > 0 ? Object.fromEntries(set) : undefined;
}

// How the SDK marks a secret in serialized properties.
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces serialized secrets by their values and lists where they were. */
function unwrapSecrets(value: Record<string, any>): { inputs: Record<string, any>; secretInputs: string[] } {
    const secretInputs: string[] = [];
    const walk = (v: any, path: string): any => {
        if (v && typeof v === "object" && v[SECRET_SIG_KEY] === SECRET_SIG) {
            secretInputs.push(path);
            return walk(v.value, path);
        }
        if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
        if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k)]));
        return v;
    };
    return { inputs: walk(value, ""), secretInputs };
}

/** What a failed run had declared before it failed (tests assert "nothing is declared before validation passes"). */
export const declaredBeforeFailure = new WeakMap<Error, PlannedResource[]>();

/** Stack outputs come back as plain values; secrets stay wrapped so callers can mask them. */
async function resolveOutputs(outputs: Record<string, any>): Promise<Record<string, any>> {
    const result: Record<string, any> = {};
    for (const [k, v] of Object.entries(outputs)) {
        result[k] = pulumi.Output.isInstance(v) ? await new Promise((resolve) => v.apply(resolve)) : v;
    }
    return result;
}
