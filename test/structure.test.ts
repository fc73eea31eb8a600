import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../plan/runPlan";

/** Relative imports (including `import type`) of every .ts file under the given folders. */
function importGraph(folders: string[]): Map<string, string[]> {
    const graph = new Map<string, string[]>();
    const files = folders.flatMap((folder) => fs.readdirSync(path.join(PROJECT_DIR, folder), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.split(path.sep).includes("node_modules"))
        .map((f) => path.join(folder, f)));
    for (const file of [...files, "index.ts"]) {
        const source = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
        const targets = [...source.matchAll(/^(?:import|export)[^'"]*?from\s+["'](\.{1,2}\/[^"']+)["']/gm)].map((m) => {
            const resolved = path.normalize(path.join(path.dirname(file), m[1]));
            return fs.existsSync(path.join(PROJECT_DIR, `${resolved}.ts`)) ? `${resolved}.ts` : path.join(resolved, "index.ts");
        });
        graph.set(file, targets);
    }
    return graph;
}

/** One cycle per strongly connected group, as a path `a -> b -> a`. */
function cycles(graph: Map<string, string[]>): string[] {
    const found: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (node: string) => {
        state.set(node, "open");
        stack.push(node);
        for (const next of graph.get(node) ?? []) {
            if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
            else if (!state.has(next)) visit(next);
        }
        stack.pop();
        state.set(node, "done");
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    return found;
}

describe("code structure", () => {
    it("has no import circle in the program, components, functions, plan, policy or engine", () => {
        const graph = importGraph(["components", "functions", "plan", "policy", "engine"].filter((f) => fs.existsSync(path.join(PROJECT_DIR, f))));
        expect(graph.size).to.be.greaterThan(20);
        expect(cycles(graph).join("\n")).to.equal("");
    });
});
