/**
 * The README's "Add a dashboard" steps, exactly as written: in a copy of this project, run its
 * shell block, put its YAML entry into Pulumi.dev.yaml's dashboards, run `npm run plan -- dev`'s
 * CLI, and check that the new dashboard ships its own code (the generated Dockerfile copies
 * apps/churn's files, the image is built from apps/churn), that the plan prints what the README
 * shows, and that the Dockerfile it writes is the one the plan builds.
 */
import { spawnSync } from "child_process";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "..");
const README = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
/** What the plan needs of the project (node_modules is linked, not copied). */
const PROJECT_FILES = ["index.ts", "components", "functions", "plan", "apps", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "tsconfig.json", "package.json"];
const NOT_COPIED = new Set([".venv", "node_modules", "__pycache__", ".r-lib", "dist", "test-results"]);

/** The fenced blocks of the README section `### Add a dashboard`, by language. */
function sectionBlocks(): Record<string, string[]> {
    const start = README.indexOf("### Add a dashboard");
    expect(start, "README section").to.be.above(-1);
    const section = README.slice(start, README.indexOf("\n## ", start));
    const blocks: Record<string, string[]> = {};
    for (const m of section.matchAll(/^( *)```(\w+)\n([\s\S]*?)^\1```$/gm)) {
        const indent = m[1].length;
        const body = m[3].split("\n").map((l) => l.slice(indent)).join("\n");
        (blocks[m[2]] ??= []).push(body);
    }
    return blocks;
}

describe("README: adding a dashboard, step by step", function () {
    this.timeout(180_000);
    let dir: string;
    let plan: { status: number | null; stdout: string; stderr: string };
    const blocks = sectionBlocks();

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-add-"));
        for (const name of PROJECT_FILES) fs.cpSync(path.join(REPO, name), path.join(dir, name), { recursive: true, filter: (src) => !NOT_COPIED.has(path.basename(src)) });
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
        // Step 1: the shell block, as written, from the project's root.
        const shell = spawnSync("bash", ["-euo", "pipefail", "-c", blocks.sh[0]], { cwd: dir, encoding: "utf8" });
        expect(shell.status, shell.stderr).to.equal(0);
        // Step 2: the YAML entry, appended to dev's dashboards (the last list in that file's dashboards:dashboards).
        const stackFile = path.join(dir, "Pulumi.dev.yaml");
        const stack = fs.readFileSync(stackFile, "utf8");
        const at = stack.indexOf("  dashboards:portal:");
        fs.writeFileSync(stackFile, stack.slice(0, at) + blocks.yaml[0] + stack.slice(at));
        // Step 3: the plan.
        plan = spawnSync(process.execPath, [path.join(REPO, "node_modules", "tsx", "dist", "cli.mjs"), path.join(dir, "plan", "cli.ts"), "dev"], { cwd: dir, encoding: "utf8" });
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("has the three steps: a shell block, a stack-file entry and the plan's output", () => {
        expect(blocks.sh, "sh").to.have.length(1);
        expect(blocks.yaml, "yaml").to.have.length(1);
        expect(blocks.text, "text").to.have.length(1);
    });

    it("plans green, printing what the README shows", () => {
        expect(plan.status, plan.stderr).to.equal(0);
        for (const line of blocks.text[0].split("\n").filter(Boolean)) expect(plan.stdout, line).to.contain(line.trim());
    });

    it("builds churn from apps/churn with the generated Dockerfile, which copies churn's own code, and writes that Dockerfile", () => {
        const json = JSON.parse(fs.readFileSync(path.join(dir, "plan-output", "dev", "plan.json"), "utf8"));
        const image = json.resources.find((r: { name: string; type: string }) => r.type === "docker-build:index:Image" && r.name === "churn-image");
        expect(image.inputs.context.location).to.equal("apps/churn");
        const written = fs.readFileSync(path.join(dir, "plan-output", "dev", "dockerfiles", "churn.Dockerfile"), "utf8");
        expect(image.inputs.dockerfile).to.deep.equal({ inline: written });
        expect(written).to.contain('COPY ["app.py","requirements.txt","./"]');
        expect(written).to.contain("DASHBOARD_WSGI_APP=app:server");
        // Its health check is the generated image's own route.
        const tg = json.resources.find((r: { name: string; type: string }) => r.name === "churn-tg");
        expect(tg.inputs.healthCheck.path).to.equal("/_dashboards/health");
    });
});
