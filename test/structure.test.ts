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

/** The README's "Layers of the code" table: layer name and its files, top layer first. */
function readmeLayers(): { layer: string; files: string[] }[] {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    const section = readme.split("### Layers of the code")[1]?.split("\n#")[0] ?? "";
    return section.split("\n").filter((l) => /^\| [A-Z]/.test(l) && !l.startsWith("| Layer"))
        .map((l) => l.split("|").map((c) => c.trim()))
        .map((cells) => ({ layer: cells[1], files: [...cells[2].matchAll(/`([^`]+)`/g)].map((m) => m[1]) }));
}

describe("code structure", () => {
    it("keeps components/ in the README's layers: every file in one layer, imports only to its own layer or below", () => {
        const layers = readmeLayers();
        expect(layers.map((l) => l.layer)).to.deep.equal(["Program", "Library entry", "Platform", "Components", "Config model", "Helpers"]);
        const rank = new Map(layers.flatMap((l, i) => l.files.map((f) => [f, i] as const)));
        const files = fs.readdirSync(path.join(PROJECT_DIR, "components")).filter((f) => f.endsWith(".ts")).map((f) => `components/${f}`);
        expect([...rank.keys()].sort(), "README layers vs components/").to.deep.equal([...files, "index.ts"].sort());
        const upward: string[] = [];
        for (const [file, targets] of importGraph(["components"])) {
            for (const target of targets) {
                if (rank.has(target) && rank.get(target)! < rank.get(file)!) upward.push(`${file} (${layers[rank.get(file)!].layer}) imports ${target} (${layers[rank.get(target)!].layer})`);
            }
        }
        expect(upward).to.deep.equal([]);
    });

    it("has no import circle in the program, components, functions, plan, policy or engine", () => {
        const graph = importGraph(["components", "functions", "plan", "policy", "engine"].filter((f) => fs.existsSync(path.join(PROJECT_DIR, f))));
        expect(graph.size).to.be.greaterThan(20);
        expect(cycles(graph).join("\n")).to.equal("");
    });
});
