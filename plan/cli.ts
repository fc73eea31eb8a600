/**
 * `npm run plan -- <stack> [--out <dir>]`: what `pulumi up` would create for a stack, computed
 * offline under Pulumi's mock runtime (no AWS account, no Pulumi CLI, no Docker). Prints the
 * resource tree, the stack outputs and an estimated monthly cost, and writes `plan.json`,
 * `diagram.svg` and `diagram.png` to `plan-output/<stack>/` (or `--out`). For each dashboard whose
 * folder has no Dockerfile it prints what was detected (framework, entry point, packages) and writes
 * the generated Dockerfile to `dockerfiles/<name>.Dockerfile` there. An invalid stack file prints
 * every problem and exits 1; bad usage exits 2.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseArgs } from "util";
import { GeneratedSource, resolveAppSource } from "../components/appSource";
import { StackConfigError } from "../components/configError";
import { validateStackConfig } from "../components/stackConfig";
import { estimateCost, renderCost } from "./cost";
import { renderDiagram } from "./diagram";
import { renderPlanJson } from "./planJson";
import { Plan, PlannedResource, planConfig, PROJECT_DIR } from "./runPlan";
import { loadStack, StackFileError } from "./stackFile";

const USAGE = "usage: npm run plan -- <stack> [--out <dir>]   (e.g. dev or prod: reads Pulumi.<stack>.yaml; files go to plan-output/<stack>/ by default)";

/** Writes plan.json, diagram.svg and diagram.png into `dir` (created if needed); returns their paths. */
export async function writePlanFiles(plan: Plan, dir: string): Promise<string[]> {
    fs.mkdirSync(dir, { recursive: true });
    const diagram = await renderDiagram(plan);
    const files: [string, string | Buffer][] = [
        ["plan.json", renderPlanJson(plan)],
        ["diagram.svg", diagram.svg],
        ["diagram.png", diagram.png],
    ];
    return files.map(([name, content]) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, content);
        return file;
    });
}

/** The dashboards built from a generated Dockerfile, with what was detected (the stack file is valid: the plan ran). */
function generatedDockerfiles(config: Record<string, string>, project: string, appsDir: string): { name: string; app: string; source: GeneratedSource }[] {
    const result = validateStackConfig(config, project, { appsDir });
    if (!result.ok) return [];
    return result.config.dashboards.flatMap((d) => {
        if (d.image !== undefined) return [];
        // The dashboard's own keys (app, framework, entrypoint, packages, packageSnapshot, buildTarget), as validated.
        const found = resolveAppSource({ ...d, appsDir });
        return found.ok && found.source.kind === "generated" ? [{ name: d.name, app: d.app, source: found.source }] : [];
    });
}

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
    // Like Pulumi, an undefined output is not shown (e.g. a feature the stack does not use).
    return Object.keys(outputs)
        .filter((k) => outputs[k] !== undefined)
        .sort()
        .map((k) => `  ${k}: ${JSON.stringify(outputs[k], (_key, v) => (pulumi.Output.isInstance(v) ? "[secret]" : v), 2).replace(/\n/g, "\n  ")}`)
        .join("\n");
}

/** Where the CLI writes and reads; `process` by default (tests run the CLI in-process with their own). */
export interface CliIo {
    stdout: { write(text: string): unknown };
    stderr: { write(text: string): unknown };
    /** The folder holding `Pulumi.yaml` and `Pulumi.<stack>.yaml` (and `plan-output/`); the program is always this project's index.ts. */
    projectDir: string;
}

/** The CLI: plans the stack named in `argv`, prints and writes the plan; returns the exit code. */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
    const { stdout = process.stdout, stderr = process.stderr, projectDir = PROJECT_DIR } = io;
    const out = (text: string) => stdout.write(`${text}\n`);
    const err = (text: string) => stderr.write(`${text}\n`);
    let parsed;
    try {
        parsed = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: "string" } } });
    } catch (e) {
        err(`${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    const { positionals, values } = parsed;
    if (positionals.length !== 1) {
        err(USAGE);
        return 2;
    }
    const stack = positionals[0];
    let plan: Plan;
    let generated: { name: string; app: string; source: GeneratedSource }[] = [];
    try {
        const loaded = loadStack(projectDir, stack);
        plan = await planConfig(loaded);
        // The apps the program builds from: this project's apps/ (index.ts reads them there).
        generated = generatedDockerfiles(loaded.config, loaded.project, path.join(PROJECT_DIR, "apps"));
    } catch (e) {
        if (e instanceof StackConfigError || e instanceof StackFileError) {
            err(e.message);
            return 1;
        }
        throw e;
    }
    const counted = plan.resources.filter((r) => r.custom).length;
    out(`Offline plan for stack "${plan.stack}" of project "${plan.project}" (mocked AWS; nothing is deployed)\n`);
    out(renderTree(plan));
    out(`\n${plan.resources.length} resources (${counted} AWS/provider resources, ${plan.resources.length - counted} components)`);
    out(`\nOutputs:\n${renderOutputs(plan.outputs)}`);
    out(`\n${renderCost(estimateCost(plan))}`);
    const dir = values.out !== undefined ? path.resolve(values.out) : path.join(projectDir, "plan-output", plan.stack);
    const files = await writePlanFiles(plan, dir);
    if (generated.length > 0) {
        out("\nGenerated Dockerfiles (app folders without one; copy one into its folder as Dockerfile to take it over):");
        fs.mkdirSync(path.join(dir, "dockerfiles"), { recursive: true });
        for (const g of generated) {
            const file = path.join(dir, "dockerfiles", `${g.name}.Dockerfile`);
            fs.writeFileSync(file, g.source.dockerfile);
            files.push(file);
            out(`  ${g.name} (apps/${g.app}):`);
            for (const line of g.source.detected) out(`    ${line}`);
            for (const note of g.source.notes) out(`    note: ${note}`);
        }
    }
    // Relative when under the working directory (short, copy-pasteable), absolute elsewhere.
    const shown = (f: string) => (path.relative(process.cwd(), f).startsWith("..") ? path.resolve(f) : path.relative(process.cwd(), f) || f);
    out(`\nWrote:\n${files.map((f) => `  ${shown(f)}`).join("\n")}`);
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
