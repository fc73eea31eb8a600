/**
 * Lints the GitHub Actions workflows with actionlint (which also runs shellcheck on their `run:`
 * blocks) and every shell script of the repository with shellcheck, one test per file, failing
 * with the linter's output. Both tools come from the tools venv made by
 * scripts/setup-app-tests.sh (apps/.venv-tools/bin). Also checks the properties of the workflows
 * that docs/ci-cd.md promises (least permissions, no overlapping deploys, approval for prod, OIDC).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { PREREQUISITES, requirePrerequisites } from "../prerequisites";

const ROOT = path.resolve(__dirname, "..", "..");
const TOOLS_BIN = path.join(ROOT, "apps", ".venv-tools", "bin");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

/** Fails (never skips) when the setup script has not installed the tool. */
function tool(name: string): string {
    const file = path.join(TOOLS_BIN, name);
    if (!fs.existsSync(file)) {
        throw new Error(`${name} not found at ${file}: run \`bash scripts/setup-app-tests.sh\` first`);
    }
    return file;
}

/** Runs a linter; on findings fails with everything it printed. */
function lint(command: string, args: string[]): void {
    try {
        execFileSync(command, args, {
            cwd: ROOT,
            encoding: "utf8",
            stdio: "pipe",
            // actionlint runs shellcheck on `run:` blocks only when it finds it on PATH.
            env: { ...process.env, PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}` },
        });
    } catch (err) {
        const e = err as { status?: number; stdout?: string; stderr?: string; message?: string };
        expect.fail(`${path.basename(command)} exited ${e.status ?? "?"}:\n${e.stdout ?? ""}${e.stderr ?? ""}` || String(e.message));
    }
}

export function workflowFiles(): string[] {
    if (!fs.existsSync(WORKFLOWS)) return [];
    return fs
        .readdirSync(WORKFLOWS)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.posix.join(".github", "workflows", f));
}

const SHELL_SHEBANG = /^#!\s*(?:\/usr\/bin\/env\s+(?:-\S+\s+)*)?(?:\/\S*\/)?(?:bash|sh|dash|ksh)\b/;
const EXCLUDED = /(^|\/)(node_modules|\.venv[^/]*|\.r-lib)\//;

/**
 * Every shell script: tracked or new (not ignored) `*.sh` files, `.ci/run`, and any other file
 * whose first line is a bash/sh shebang; never under node_modules or a venv.
 */
export function shellScripts(): string[] {
    const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
        .split("\0")
        .filter((f) => f && !EXCLUDED.test(f) && fs.existsSync(path.join(ROOT, f)) && fs.statSync(path.join(ROOT, f)).isFile());
    const scripts = new Set<string>([".ci/run"].filter((f) => fs.existsSync(path.join(ROOT, f))));
    for (const file of listed) {
        if (file.endsWith(".sh")) {
            scripts.add(file);
            continue;
        }
        const fd = fs.openSync(path.join(ROOT, file), "r");
        try {
            const head = Buffer.alloc(128);
            const n = fs.readSync(fd, head, 0, head.length, 0);
            if (SHELL_SHEBANG.test(head.subarray(0, n).toString("latin1").split("\n")[0])) scripts.add(file);
        } finally {
            fs.closeSync(fd);
        }
    }
    return [...scripts].sort();
}

describe("lint: GitHub Actions workflows (actionlint, with shellcheck on run: blocks)", function () {
    this.timeout(60_000);
    const files = workflowFiles();

    it("include the pull-request and deploy workflows", () => {
        expect(files).to.include.members([".github/workflows/pull-request.yml", ".github/workflows/deploy.yml"]);
    });

    for (const file of files) {
        it(`${file} passes actionlint`, function () {
            requirePrerequisites(this, PREREQUISITES.tool("actionlint"), PREREQUISITES.tool("shellcheck"));
            lint(tool("actionlint"), ["-no-color", "-shellcheck", tool("shellcheck"), file]);
        });
    }
});

describe("lint: shell scripts (shellcheck)", function () {
    this.timeout(60_000);
    const scripts = shellScripts();

    it("are found: scripts/*.sh, .ci/run, apps' start scripts", () => {
        expect(scripts).to.include.members([".ci/run", "scripts/test.sh", "scripts/setup-app-tests.sh", "apps/streamlit/start.sh"]);
        expect(scripts.filter((f) => EXCLUDED.test(f))).to.deep.equal([]);
    });

    for (const script of scripts) {
        it(`${script} passes shellcheck`, function () {
            requirePrerequisites(this, PREREQUISITES.tool("shellcheck"));
            lint(tool("shellcheck"), [script]);
        });
    }
});

// --- What docs/ci-cd.md promises about the workflows --------------------------------------------

interface Job {
    permissions?: Record<string, string> | string;
    environment?: string | { name: string };
    concurrency?: string | { group: string; "cancel-in-progress"?: boolean | string };
    steps?: { uses?: string; with?: Record<string, unknown>; env?: Record<string, string> }[];
    strategy?: { matrix?: Record<string, unknown> };
    if?: string;
    needs?: string | string[];
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string> | string;
    jobs: Record<string, Job>;
}

function load(file: string): Workflow {
    return parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as Workflow;
}
const uses = (job: Job, action: string) => (job.steps ?? []).filter((s) => s.uses?.split("@")[0] === action);
const environmentOf = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);

describe("CI/CD workflows keep their promises", () => {
    const files = workflowFiles();

    it("grant nothing at the workflow level and say per job what each needs", () => {
        for (const file of files) {
            const wf = load(file);
            expect(wf.permissions, `${file}: workflow permissions`).to.deep.equal({});
            for (const [name, job] of Object.entries(wf.jobs)) {
                expect(job.permissions, `${file}: job ${name} permissions`).to.be.an("object");
                // OIDC only where AWS is used.
                const assumesRole = uses(job, "aws-actions/configure-aws-credentials").length > 0;
                expect((job.permissions as Record<string, string>)["id-token"] === "write", `${file}: job ${name} id-token`).to.equal(assumesRole);
            }
        }
    });

    it("reach AWS only by assuming a role from a variable over OIDC (no long-lived keys)", () => {
        for (const file of files) {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            expect(text, file).not.to.match(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
            for (const [name, job] of Object.entries(load(file).jobs)) {
                for (const step of uses(job, "aws-actions/configure-aws-credentials")) {
                    expect(String(step.with?.["role-to-assume"]), `${file}: job ${name}`).to.match(/^\$\{\{ vars\.[A-Z_]+ \}\}$/);
                }
            }
        }
    });

    it("pin every action to a major version or a commit", () => {
        for (const file of files) {
            for (const [name, job] of Object.entries(load(file).jobs)) {
                for (const step of job.steps ?? []) {
                    if (step.uses) expect(step.uses, `${file}: job ${name}`).to.match(/^[\w.-]+\/[\w./-]+@(v\d+|[0-9a-f]{40})$/);
                }
            }
        }
    });

    it("pull requests: test, offline plan of dev and prod with artifacts, then pulumi preview per stack", () => {
        const wf = load(".github/workflows/pull-request.yml");
        expect(Object.keys(wf.on)).to.deep.equal(["pull_request"]);
        const steps = (job: Job) => JSON.stringify(job.steps);
        expect(steps(wf.jobs.test)).to.contain("bash scripts/test.sh");
        expect(wf.jobs.plan.strategy?.matrix?.stack).to.deep.equal(["dev", "prod"]);
        expect(steps(wf.jobs.plan)).to.contain('npm run plan -- \\"$STACK\\"');
        expect(uses(wf.jobs.plan, "actions/upload-artifact")[0].with?.path).to.equal("plan-output/${{ matrix.stack }}/");
        expect(wf.jobs.preview.strategy?.matrix?.stack).to.deep.equal(["dev", "prod"]);
        const preview = uses(wf.jobs.preview, "pulumi/actions")[0];
        expect(preview.with).to.include({ command: "preview", "comment-on-pr": true });
        expect(preview.env?.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
        expect(wf.jobs.preview.if, "no preview for forks").to.contain("github.event.pull_request.head.repo.full_name == github.repository");
    });

    it("deploys: dev on push to main, prod after dev through the approved production environment, never overlapping", () => {
        const wf = load(".github/workflows/deploy.yml");
        expect(wf.on.push).to.deep.equal({ branches: ["main"] });
        const { dev, prod } = wf.jobs;
        expect(uses(dev, "pulumi/actions")[0].with).to.include({ command: "up" });
        expect(uses(prod, "pulumi/actions")[0].with).to.include({ command: "up" });
        expect(String(uses(dev, "pulumi/actions")[0].with?.["stack-name"])).to.match(/'dev'/);
        expect(String(uses(prod, "pulumi/actions")[0].with?.["stack-name"])).to.match(/'prod'/);
        expect(prod.needs).to.equal("dev");
        expect(environmentOf(prod)).to.equal("production");
        expect(dev.concurrency).to.deep.equal({ group: "deploy-dev", "cancel-in-progress": false });
        expect(prod.concurrency).to.deep.equal({ group: "deploy-prod", "cancel-in-progress": false });
        for (const job of [dev, prod]) expect(uses(job, "docker/setup-buildx-action"), "buildx for the image builds").to.have.length(1);
    });
});
