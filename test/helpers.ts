/** Shared test helpers: stack fixtures, the shared plans of the stack files, and queries over a plan. */
import { Plan, PlannedResource, planStack, PROJECT_DIR } from "../plan/runPlan";
import { LoadedStack, loadStack } from "../plan/stackFile";

const sharedPlans = new Map<string, Promise<Plan>>();

/**
 * The offline plan of the unchanged `Pulumi.<stack>.yaml`, planned once per test process and shared
 * by every test that only reads it. It is deep-frozen: a test that changes it throws instead of
 * changing what the other tests see. A test that edits a plan edits a `structuredClone` of it; a
 * test that changes the stack file plans its own (`planConfig(devStackWith(...))`).
 */
export function sharedPlan(stack: "dev" | "prod"): Promise<Plan> {
    let plan = sharedPlans.get(stack);
    if (!plan) {
        plan = planStack(stack).then(deepFreeze);
        sharedPlans.set(stack, plan);
    }
    return plan;
}

/**
 * Freezes `value` and every plain object and array in it. Anything else (a secret output kept as a
 * Pulumi Output, an asset, a Buffer) is left as it is: freezing those would reach into the SDK.
 */
export function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
    if (value === null || typeof value !== "object" || seen.has(value)) return value;
    const proto = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
    seen.add(value);
    for (const child of Object.values(value)) deepFreeze(child, seen);
    return Object.freeze(value);
}

/** The dev stack file as the program would receive it, with `changes` applied on top (JSON values). */
export function devStackWith(changes: Record<string, unknown> = {}, remove: string[] = []): LoadedStack {
    return stackWith(loadStack(PROJECT_DIR, "dev"), changes, remove);
}

export function stackWith(base: LoadedStack, changes: Record<string, unknown>, remove: string[] = []): LoadedStack {
    const config = { ...base.config };
    for (const key of remove) delete config[key];
    for (const [key, value] of Object.entries(changes)) {
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { ...base, config };
}

/** The dev stack's value of a `dashboards:<key>` object key, parsed, for tests that tweak one field. */
export function devValue<T = any>(key: string): T {
    return JSON.parse(loadStack(PROJECT_DIR, "dev").config[`dashboards:${key}`]) as T;
}

export function ofType(plan: Plan, type: string): PlannedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

export function one(plan: Plan, type: string, predicate: (r: PlannedResource) => boolean = () => true): PlannedResource {
    const found = ofType(plan, type).filter(predicate);
    if (found.length !== 1) {
        throw new Error(`expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
}

/** Finds the resource whose mocked id or ARN equals `ref` (how one resource refers to another). */
export function byRef(plan: Plan, ref: unknown): PlannedResource | undefined {
    return plan.resources.find((r) => r.id === ref || r.outputs.arn === ref);
}

/**
 * `npm run plan -- <args>` run in this process (plan/cli.ts `main`), with what it printed; shaped like
 * `spawnSync`'s result. `projectDir` holds the stack files to read (default: this project's).
 * test/program.test.ts runs the CLI as a real process once, for the wiring to the exit code.
 */
export async function runPlanCli(args: string[], projectDir = PROJECT_DIR): Promise<{ status: number; stdout: string; stderr: string }> {
    const { main } = await import("../plan/cli"); // loaded on first use: it brings the diagram renderer
    let stdout = "";
    let stderr = "";
    const status = await main(args, {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        projectDir,
    });
    return { status, stdout, stderr };
}
