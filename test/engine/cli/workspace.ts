/**
 * Runs the real Pulumi CLI against a copy of this project, with a `file://` backend, a passphrase
 * secrets provider and the stand-ins in engine/bin (language host, test-double providers) on PATH.
 *
 * The project is copied into a temporary directory so `pulumi stack init` (which writes the
 * encryption salt into the stack file) never touches the repository; the copy holds the stack
 * files and Pulumi.yaml verbatim and links the sources and node_modules.
 */
import { spawnSync } from "child_process";
import { USAGE_QUERY_LIST } from "../../../components/usageQueries";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO = path.resolve(__dirname, "..", "..", "..");

/** The CLI binary: scripts/engine-check.sh builds it and passes its path in PULUMI_BIN. */
export function pulumiBin(): string {
    const bin = process.env.PULUMI_BIN;
    if (!bin || !fs.existsSync(bin)) {
        throw new Error("PULUMI_BIN must point at a Pulumi CLI binary; run these tests through scripts/engine-check.sh");
    }
    return bin;
}

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
    /** stdout + stderr, for messages. */
    output: string;
}

/** Linked into the copy: everything the program, the Lambda bundling and the image builds read. */
export const LINKED = ["index.ts", "components", "functions", "apps", "tsconfig.json", "package.json"];

export class EngineWorkspace {
    readonly dir: string;
    readonly projectDir: string;
    readonly cloudDir: string;
    private readonly env: NodeJS.ProcessEnv;

    constructor(label: string) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `engine-${label}-`));
        this.projectDir = path.join(this.dir, "project");
        this.cloudDir = path.join(this.dir, "cloud");
        for (const d of [this.projectDir, this.cloudDir, path.join(this.dir, "state"), path.join(this.dir, "home")]) fs.mkdirSync(d, { recursive: true });
        this.linkSources(REPO);
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.projectDir, "node_modules"));
        const bin = pulumiBin();
        this.env = {
            ...process.env,
            PATH: [path.join(REPO, "engine", "bin"), path.dirname(bin), process.env.PATH].join(path.delimiter),
            PULUMI_HOME: path.join(this.dir, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "engine-check-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            // Type-checking is `npm run build`'s job; the engine check measures the engine.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            DASHBOARDS_FAKE_CLOUD_DIR: this.cloudDir,
            NO_COLOR: "1",
        };
    }

    /**
     * Points the project copy's program sources (index.ts, components/, functions/, apps/, ...) at
     * `root`: this checkout, or an older version of it (see `sourcesAt`), keeping stacks and state.
     * The project file comes with them: a release runs with the config keys it declared.
     */
    linkSources(root: string, names: readonly string[] = LINKED): void {
        for (const name of names) {
            const link = path.join(this.projectDir, name);
            fs.rmSync(link, { force: true });
            fs.symlinkSync(path.join(root, name), link);
        }
        const projectFile = path.join(root, "Pulumi.yaml");
        if (fs.existsSync(projectFile)) fs.copyFileSync(projectFile, path.join(this.projectDir, "Pulumi.yaml"));
    }

    /** Copies a stack file from the repository (or writes the given text) into the project copy. */
    addStack(stack: string, text?: string): void {
        const target = path.join(this.projectDir, `Pulumi.${stack}.yaml`);
        if (text === undefined) fs.copyFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), target);
        else fs.writeFileSync(target, text);
    }

    /** Replaces the project with a small JavaScript program of its own (`main: program.js`). */
    useProgram(project: string, source: string): void {
        fs.writeFileSync(path.join(this.projectDir, "Pulumi.yaml"), `name: ${project}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: program.js\n`);
        fs.writeFileSync(path.join(this.projectDir, "program.js"), source);
    }

    /** Runs `pulumi <args>` in the project copy; never throws on a non-zero exit. */
    pulumi(args: string[], options: { timeoutSeconds?: number; env?: Record<string, string> } = {}): CliResult {
        const started = process.hrtime.bigint();
        const r = spawnSync(pulumiBin(), [...args, "--non-interactive"], {
            cwd: this.projectDir,
            env: { ...this.env, ...options.env },
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
            timeout: (options.timeoutSeconds ?? 900) * 1000,
        });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const stdout = r.stdout ?? "";
        const stderr = (r.stderr ?? "") + (r.error ? `\n${r.error.message}` : "");
        return { code: r.status ?? -1, stdout, stderr, seconds, output: `${stdout}\n${stderr}` };
    }

    /** The resources the test-double providers hold now (the fake cloud). */
    cloudResources(): { type: string; id: string; name?: string }[] {
        const file = fs.readdirSync(this.cloudDir).map((f) => path.join(this.cloudDir, f)).filter((f) => f.endsWith(".json"));
        return file.flatMap((f) => {
            const doc = JSON.parse(fs.readFileSync(f, "utf8")) as { resources?: Record<string, { type: string; id: string; name?: string }> };
            return Object.values(doc.resources ?? {});
        });
    }

    /**
     * Changes the fake cloud as something outside Pulumi would change AWS (the waker swapping rule
     * priorities, setting a desired count): `change` edits the records' props in place.
     */
    changeCloud(change: (resources: { type: string; id: string; name?: string; props?: Record<string, any> }[]) => void): void {
        const file = path.join(this.cloudDir, "fake-cloud.json");
        const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { resources: Record<string, { type: string; id: string; props?: Record<string, any> }> };
        change(Object.values(doc.resources));
        fs.writeFileSync(file, JSON.stringify(doc, null, 1));
    }

    dispose(): void {
        if (!process.env.ENGINE_KEEP_WORKSPACE) fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** A failed CLI call as an assertion message: the command's last lines, not the whole log. */
export function tail(result: CliResult, lines = 60): string {
    return result.output.split("\n").filter((l) => l.trim()).slice(-lines).join("\n");
}

/**
 * The program's sources as they were at `commit` (from this repository's history), extracted into
 * `dir`, for tests that deploy an older layout and upgrade it. Needs a clone with that history.
 */
export function sourcesAt(commit: string, dir: string): string {
    const has = spawnSync("git", ["-C", REPO, "cat-file", "-e", `${commit}^{commit}`], { encoding: "utf8" });
    if (has.status !== 0) throw new Error(`commit ${commit} is not in ${REPO}'s history (a shallow clone?); fetch it with \`git fetch --unshallow\``);
    fs.mkdirSync(dir, { recursive: true });
    const archive = spawnSync("sh", ["-c", `git -C "$1" archive "$2" ${LINKED.join(" ")} Pulumi.yaml | tar -x -C "$3"`, "sh", REPO, commit, dir], { encoding: "utf8" });
    if (archive.status !== 0) throw new Error(`could not extract ${commit}: ${archive.stderr}`);
    // Node resolves a module from its real path, so the old sources need the packages beside them.
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/**
 * What usage statistics add to a stack deployed before them (a release note, for the upgrade tests):
 * the operations dashboard of load balancer 0, the saved usage queries and the salt of the hashed
 * user key with its SSM parameter, all created (the login trigger's new settings are an update of it, listed by each test).
 */
/** The HTTPS listener's move to the post-quantum TLS policy, an update in place (components/dashboardCluster.ts DEFAULT_SSL_POLICY). */
export const TLS_POLICY_UPDATE = "update aws:lb/listener:Listener dashboards-https";

/** With alarm emails, the throttle alarms of the login check and of the sign-out function (components/functionAlarms.ts): type and name. */
export const THROTTLE_ALARMS: readonly string[] = [
    "aws:cloudwatch/metricAlarm:MetricAlarm auth-pre-token-throttles",
    "aws:cloudwatch/metricAlarm:MetricAlarm sign-out-throttles",
];

export const USAGE_STATISTICS_CREATES: readonly string[] = [
    "create aws:cloudwatch/dashboard:Dashboard operations-lb0",
    ...USAGE_QUERY_LIST.map((q) => `create aws:cloudwatch/queryDefinition:QueryDefinition usage-${q.name}`),
    "create random:index/randomPassword:RandomPassword auth-usage-salt",
    // The salt again, as the SecureString the trigger reads (test/engine/cli/usageSalt.test.ts), under a key of its own.
    "create aws:ssm/parameter:Parameter auth-usage-salt-parameter",
    "create aws:kms/key:Key auth-usage-salt-key",
];
