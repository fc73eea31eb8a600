/**
 * The language host stand-in, started as the engine starts it (engine address as its argument,
 * port on the first stdout line), spoken to over the real LanguageRuntime gRPC protocol. The full
 * preview/up/destroy path through it is test/engine/cli (the engine check).
 */
import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as langrpc from "@pulumi/pulumi/proto/language_grpc_pb";
import * as langproto from "@pulumi/pulumi/proto/language_pb";
import * as pluginproto from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { runCommand } from "../../engine/languageHost";
import { BIN_DIR, tempDir } from "./providerClient";

const sdkVersion: string = require("@pulumi/pulumi/package.json").version;

const base = {
    pwd: "/work/project", entryPoint: "index.ts", project: "dashboards", stack: "dev", monitorAddress: "127.0.0.1:1001",
    engineAddress: "127.0.0.1:1002", dryRun: true, parallel: 16, config: { "dashboards:domain": "x.example.com" },
    configSecretKeys: ["dashboards:auth"], typescript: true, nodeArgs: [], args: [],
};

describe("language host stand-in", () => {
    describe("runCommand (what it starts for a RunRequest)", () => {
        it("runs the SDK's own cmd/run with the engine's addresses, names, working directory and entry point last", () => {
            const { args, env } = runCommand(base);
            expect(args[0]).to.match(/@pulumi[/\\]pulumi[/\\]cmd[/\\]run$/);
            expect(args).to.include.members(["--monitor=127.0.0.1:1001", "--engine=127.0.0.1:1002", "--project=dashboards", "--stack=dev", "--pwd=/work/project", "--parallel=16", "--dry-run"]);
            expect(args[args.length - 1]).to.equal("index.ts");
            expect(JSON.parse(env.PULUMI_CONFIG)).to.deep.equal(base.config);
            expect(JSON.parse(env.PULUMI_CONFIG_SECRET_KEYS)).to.deep.equal(["dashboards:auth"]);
            expect(env.PULUMI_NODEJS_TYPESCRIPT).to.equal("true");
        });

        it("leaves out --dry-run for an update, puts node arguments first and program arguments after the entry point", () => {
            const { args } = runCommand({ ...base, dryRun: false, nodeArgs: ["--max-old-space-size=4096"], args: ["extra"], organization: "acme" });
            expect(args).not.to.include("--dry-run");
            expect(args[0]).to.equal("--max-old-space-size=4096");
            expect(args).to.include("--organization=acme");
            expect(args.slice(-2)).to.deep.equal(["index.ts", "extra"]);
        });
    });

    describe("over gRPC", function () {
        this.timeout(60_000);
        let child: ChildProcess;
        let client: langrpc.LanguageRuntimeClient;
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const call = <Req, Res>(method: (...a: any[]) => unknown, req: Req) =>
            new Promise<Res>((resolve, reject) => method.call(client, req, (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res))));

        before(async () => {
            child = spawn(path.join(BIN_DIR, "pulumi-language-nodejs"), ["127.0.0.1:1"], { stdio: ["ignore", "pipe", "pipe"] });
            const port = await new Promise<string>((resolve, reject) => {
                child.stdout!.once("data", (d: Buffer) => resolve(d.toString().split("\n")[0].trim()));
                child.once("exit", (code) => reject(new Error(`language host exited with ${code}`)));
            });
            client = new langrpc.LanguageRuntimeClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        });
        after(() => child?.kill());

        it("reports the SDK's version and no required packages (providers load on demand)", async () => {
            const info = await call<unknown, pluginproto.PluginInfo>(client.getPluginInfo, new Empty());
            expect(info.getVersion()).to.equal(sdkVersion);
            const pkgs = await call<langproto.GetRequiredPackagesRequest, langproto.GetRequiredPackagesResponse>(client.getRequiredPackages, new langproto.GetRequiredPackagesRequest());
            expect(pkgs.getPackagesList()).to.deep.equal([]);
        });

        const runIn = (dir: string, options: Record<string, unknown> = {}) => {
            const info = new langproto.ProgramInfo();
            info.setRootDirectory(dir);
            info.setProgramDirectory(dir);
            info.setEntryPoint("index.js");
            info.setOptions(Struct.fromJavaScript(options as never));
            const req = new langproto.RunRequest();
            req.setInfo(info);
            req.setProject("p");
            req.setStack("s");
            req.setMonitorAddress("127.0.0.1:1");
            return call<langproto.RunRequest, langproto.RunResponse>(client.run, req);
        };

        it("bails, without a second message, when the program exits after reporting its error (exit 32)", async () => {
            // No engine listens on 127.0.0.1:1: cmd/run reports that and exits 32.
            const dir = tempDir("language-host-");
            fs.writeFileSync(path.join(dir, "package.json"), "{}");
            fs.writeFileSync(path.join(dir, "index.js"), "");
            const res = await runIn(dir);
            expect({ bail: res.getBail(), error: res.getError() }).to.deep.equal({ bail: true, error: "" });
            fs.rmSync(dir, { recursive: true, force: true });
        });

        it("turns any other non-zero exit into a Run error, and passes Pulumi.yaml's nodeargs to node", async () => {
            const dir = tempDir("language-host-");
            fs.writeFileSync(path.join(dir, "package.json"), "{}");
            fs.writeFileSync(path.join(dir, "index.js"), "");
            fs.writeFileSync(path.join(dir, "exit3.js"), "process.exit(3);\n");
            const res = await runIn(dir, { nodeargs: `--require ${path.join(dir, "exit3.js")}` });
            expect(res.getBail()).to.equal(false);
            expect(res.getError()).to.equal("Program exited with non-zero exit code: 3");
            fs.rmSync(dir, { recursive: true, force: true });
        });
    });
});
