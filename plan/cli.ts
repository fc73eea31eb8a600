/**
 * `npm run plan -- <stack>`: what `pulumi up` would create for a stack, computed offline under
 * Pulumi's mock runtime (no AWS account, no Pulumi CLI, no Docker). Prints the resource tree and
 * the stack outputs; an invalid stack file prints every problem and exits 1.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseArgs } from "util";
import { StackConfigError } from "../components/configError";
import { Plan, PlannedResource, planStack } from "./runPlan";
import { StackFileError } from "./stackFile";

const USAGE = "usage: npm run plan -- <stack>   (e.g. dev or prod: reads Pulumi.<stack>.yaml)";

/** Renders the resources as an indented tree under the stack, children sorted by type then name. */
export function renderTree(plan: Plan): string {
    const byParent = new Map<string | undefined, PlannedResource[]>();
    for (const r of plan.resources) {
        const list = byParent.get(r.parent) ?? [];
        list.push(r);
        byParent.set(r.parent, list);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, depth: number) => {
        const children = (byParent.get(parent) ?? []).slice().sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
        for (const child of children) {
            lines.push(`${"  ".repeat(depth)}+ ${child.type}  ${child.name}${child.protect ? "  [protected]" : ""}`);
            walk(child.urn, depth + 1);
        }
    };
    walk(undefined, 0);
    return lines.join("\n");
}

export function renderOutputs(outputs: Record<string, unknown>): string {
    return Object.keys(outputs)
        .sort()
        .map((k) => `  ${k}: ${JSON.stringify(outputs[k], (_key, v) => (pulumi.Output.isInstance(v) ? "[secret]" : v), 2).replace(/\n/g, "\n  ")}`)
        .join("\n");
}

async function main(argv: string[]): Promise<number> {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
    if (positionals.length !== 1) {
        console.error(USAGE);
        return 2;
    }
    const stack = positionals[0];
    let plan: Plan;
    try {
        plan = await planStack(stack);
    } catch (e) {
        if (e instanceof StackConfigError || e instanceof StackFileError) {
            console.error(e.message);
            return 1;
        }
        throw e;
    }
    const counted = plan.resources.filter((r) => r.custom).length;
    console.log(`Offline plan for stack "${plan.stack}" of project "${plan.project}" (mocked AWS; nothing is deployed)\n`);
    console.log(renderTree(plan));
    console.log(`\n${plan.resources.length} resources (${counted} AWS/provider resources, ${plan.resources.length - counted} components)`);
    console.log(`\nOutputs:\n${renderOutputs(plan.outputs)}`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`plan failed: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(1);
        },
    );
}
