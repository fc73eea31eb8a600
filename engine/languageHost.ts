/**
 * A minimal Pulumi language host for Node.js programs (`pulumi-language-nodejs`), for the real-engine
 * check. The real host is a Go binary that the Go module proxy does not serve; this one does the part
 * the engine needs for preview/up/destroy and policy packs: it runs the program with the SDK's own
 * `@pulumi/pulumi/cmd/run` entry point, exactly as the real host does, and runs policy packs with
 * `cmd/run-policy-pack`.
 *
 * Not implemented (the engine-check never calls them): code generation, templates, packing and
 * linking packages, debugger attachment. Dependencies are not installed: run `npm ci` first.
 * `GetRequiredPackages` answers "none", so the engine loads providers on demand (ambient plugins).
 */
import * as grpc from "@grpc/grpc-js";
import { spawn } from "child_process";
import * as path from "path";

/* eslint-disable @typescript-eslint/no-require-imports */
const languageGrpc = require("@pulumi/pulumi/proto/language_grpc_pb");
const languagePb = require("@pulumi/pulumi/proto/language_pb");
const pluginPb = require("@pulumi/pulumi/proto/plugin_pb");
const emptyPb = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

/** Exit code with which `cmd/run` says "I already reported the error to the engine". */
export const EXIT_AFTER_REPORTED_ERROR = 32;

const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const sdkVersion: string = require("@pulumi/pulumi/package.json").version;

type Callback = (err: grpc.ServiceError | null, value?: unknown) => void;
type Call<T> = { request: T };

/** Everything the program needs to run, from a RunRequest (pure, for tests). */
export function runCommand(req: {
    pwd: string;
    entryPoint: string;
    project: string;
    stack: string;
    organization?: string;
    monitorAddress: string;
    engineAddress: string;
    dryRun: boolean;
    parallel: number;
    config: Record<string, string>;
    configSecretKeys: string[];
    typescript: boolean;
    nodeArgs: string[];
    args: string[];
}): { args: string[]; env: Record<string, string> } {
    const args = [
        ...req.nodeArgs,
        path.join(sdkDir, "cmd", "run"),
        `--monitor=${req.monitorAddress}`,
        `--engine=${req.engineAddress}`,
        `--project=${req.project}`,
        `--stack=${req.stack}`,
        `--pwd=${req.pwd}`,
        `--parallel=${req.parallel}`,
        ...(req.organization ? [`--organization=${req.organization}`] : []),
        ...(req.dryRun ? ["--dry-run"] : []),
        req.entryPoint || ".",
        ...req.args,
    ];
    const env: Record<string, string> = {
        PULUMI_CONFIG: JSON.stringify(req.config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.configSecretKeys),
        PULUMI_NODEJS_TYPESCRIPT: String(req.typescript),
    };
    return { args, env };
}

/** Runtime options from Pulumi.yaml (`runtime.options`), as the real host reads them. */
function runtimeOptions(info: { getOptions(): { toJavaScript(): Record<string, unknown> } | undefined } | undefined) {
    const options = info?.getOptions()?.toJavaScript() ?? {};
    const nodeArgs = typeof options.nodeargs === "string" ? options.nodeargs.split(/\s+/).filter(Boolean) : [];
    return { typescript: options.typescript !== false, nodeArgs };
}

function spawnNode(args: string[], cwd: string, env: Record<string, string>) {
    return spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

function main(argv: string[]): void {
    // The engine passes its own address as the last positional argument (legacy protocol) and
    // repeats it in Handshake; flags such as `-root=...` may come first.
    let engineAddress = argv.filter((a) => !a.startsWith("-")).pop() ?? "";

    const server = new grpc.Server();
    server.addService(languageGrpc.LanguageRuntimeService, {
        handshake(call: Call<{ getEngineAddress(): string }>, cb: Callback) {
            engineAddress = call.request.getEngineAddress() || engineAddress;
            cb(null, new languagePb.LanguageHandshakeResponse());
        },
        getPluginInfo(_call: unknown, cb: Callback) {
            const info = new pluginPb.PluginInfo();
            info.setVersion(sdkVersion);
            cb(null, info);
        },
        getRequiredPlugins(_call: unknown, cb: Callback) {
            cb(null, new languagePb.GetRequiredPluginsResponse());
        },
        getRequiredPackages(_call: unknown, cb: Callback) {
            cb(null, new languagePb.GetRequiredPackagesResponse());
        },
        about(_call: unknown, cb: Callback) {
            const res = new languagePb.AboutResponse();
            res.setExecutable(process.execPath);
            res.setVersion(process.version);
            cb(null, res);
        },
        getProgramDependencies(_call: unknown, cb: Callback) {
            cb(null, new languagePb.GetProgramDependenciesResponse());
        },
        installDependencies(call: grpc.ServerWritableStream<unknown, unknown>) {
            // Dependencies are installed by `npm ci` before the engine runs; nothing to do here.
            call.end();
        },
        run(call: Call<any>, cb: Callback) {
            const r = call.request;
            const info = r.getInfo();
            const { typescript, nodeArgs } = runtimeOptions(info);
            const pwd = info?.getProgramDirectory() || r.getPwd();
            const config: Record<string, string> = {};
            r.getConfigMap().forEach((v: string, k: string) => (config[k] = v));
            const { args, env } = runCommand({
                pwd,
                entryPoint: info?.getEntryPoint() || r.getProgram() || ".",
                project: r.getProject(),
                stack: r.getStack(),
                organization: r.getOrganization(),
                monitorAddress: r.getMonitorAddress(),
                engineAddress,
                dryRun: r.getDryrun(),
                parallel: r.getParallel(),
                config,
                configSecretKeys: r.getConfigsecretkeysList(),
                typescript,
                nodeArgs,
                args: r.getArgsList(),
            });
            const child = spawnNode(args, pwd, env);
            // The program's console output goes to the engine, which shows it as diagnostics.
            child.stdout.pipe(process.stdout);
            child.stderr.pipe(process.stderr);
            child.on("error", (e) => {
                const res = new languagePb.RunResponse();
                res.setError(`could not start node: ${e.message}`);
                cb(null, res);
            });
            child.on("exit", (code, signal) => {
                const res = new languagePb.RunResponse();
                if (code === EXIT_AFTER_REPORTED_ERROR) res.setBail(true);
                else if (code !== 0) res.setError(`Program exited with non-zero exit code: ${code ?? signal}`);
                cb(null, res);
            });
        },
        runPlugin(call: grpc.ServerWritableStream<any, unknown>) {
            // Policy packs (kind "analyzer") and Node.js plugins, through the SDK's own entry points.
            const r = call.request;
            const entry = r.getKind() === "analyzer" ? "run-policy-pack" : "run-plugin";
            const pwd = r.getInfo()?.getProgramDirectory() || r.getPwd();
            const env: Record<string, string> = {};
            for (const kv of r.getEnvList() as string[]) {
                const i = kv.indexOf("=");
                if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
            }
            // run-policy-pack takes `<engine address> <program>`; run-plugin takes `<program> [args...]`.
            const args: string[] = r.getArgsList();
            const entryArgs = entry === "run-policy-pack" ? [...args, pwd] : [pwd, ...args];
            const child = spawnNode([path.join(sdkDir, "cmd", entry), ...entryArgs], pwd, env);
            const send = (kind: "stdout" | "stderr") => (chunk: Buffer) => {
                const res = new languagePb.RunPluginResponse();
                if (kind === "stdout") res.setStdout(chunk);
                else res.setStderr(chunk);
                call.write(res);
            };
            child.stdout.on("data", send("stdout"));
            child.stderr.on("data", send("stderr"));
            child.on("exit", (code) => {
                const res = new languagePb.RunPluginResponse();
                res.setExitcode(code ?? 1);
                call.write(res);
                call.end();
            });
        },
        cancel(_call: unknown, cb: Callback) {
            cb(null, new emptyPb.Empty());
        },
    });
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) {
            console.error(`pulumi-language-nodejs (stand-in): ${err.message}`);
            process.exit(1);
        }
        // The engine reads the port from the first line of stdout.
        process.stdout.write(`${port}\n`);
    });
}

if (require.main === module) main(process.argv.slice(2));
