/** Shared test helpers: stack fixtures and queries over a plan. */
import { Plan, PlannedResource, PROJECT_DIR } from "../plan/runPlan";
import { LoadedStack, loadStack } from "../plan/stackFile";

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
