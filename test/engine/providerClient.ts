/**
 * Plays the engine towards a test-double provider: starts engine/bin/pulumi-resource-<name> the
 * way the engine does (engine address as the only argument, the program directory as working
 * directory), reads the port from its first stdout line, and speaks the provider gRPC protocol.
 */
import * as grpc from "@grpc/grpc-js";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { PROJECT_DIR } from "../../plan/runPlan";
import { Props, SECRET_SIG, SIG_KEY } from "../../engine/providers/shared";

export const BIN_DIR = path.join(PROJECT_DIR, "engine", "bin");

export const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** A secret as the engine sends it, and the test for one. */
export const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
export const isSecret = (v: any) => v?.[SIG_KEY] === SECRET_SIG;

/** The message a promise is rejected with (fails when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<string> {
    try {
        await p;
    } catch (e) {
        return (e as Error).message;
    }
    throw new Error("expected a rejection");
}

const toStruct = (p: Props) => Struct.fromJavaScript(JSON.parse(JSON.stringify(p)));
const fromStruct = (s: Struct | undefined): Props => (s ? (s.toJavaScript() as Props) : {});
const urnOf = (type: string, name: string) => `urn:pulumi:test::proj::${type}::${name}`;

interface Addressed { setUrn(v: string): unknown; setType(v: string): unknown; setName(v: string): unknown }
/** A request about resource `name` of `type`, addressed as the engine addresses it. */
function about<T extends Addressed>(req: T, type: string, name: string, id?: string): T {
    req.setUrn(urnOf(type, name));
    req.setType(type);
    req.setName(name);
    if (id !== undefined) (req as unknown as { setId(v: string): void }).setId(id);
    return req;
}

export interface CheckOptions { olds?: Props; seed?: string; autonaming?: { proposedName: string; mode: "propose" | "enforce" | "disable" } }

export class ProviderProcess {
    stderr = "";
    private constructor(readonly child: ChildProcess, readonly client: provrpc.ResourceProviderClient) {}

    static async start(name: string, opts: { cloudDir?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProviderProcess> {
        const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
        if (opts.cloudDir) env.DASHBOARDS_FAKE_CLOUD_DIR = opts.cloudDir;
        const child = spawn(path.join(BIN_DIR, `pulumi-resource-${name}`), ["127.0.0.1:1"], { cwd: opts.cwd ?? PROJECT_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (d) => { stderr += d; });
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (d) => {
                out += d;
                const m = /^(\d+)\r?\n/.exec(out);
                if (m) resolve(Number(m[1]));
            });
            child.on("exit", (code) => reject(new Error(`pulumi-resource-${name} exited with ${code} before serving:\n${stderr}${out}`)));
        });
        const p = new ProviderProcess(child, new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()));
        child.stderr!.on("data", (d) => { p.stderr += d; });
        return p;
    }

    /** Exits with the process's exit code (and stderr) once it ends. */
    static exitOf(name: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
        const child = spawn(path.join(BIN_DIR, `pulumi-resource-${name}`), ["127.0.0.1:1"], { cwd: PROJECT_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (d) => { stderr += d; });
        return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
    }

    rpc<T>(method: string, request: unknown): Promise<T> {
        return new Promise((resolve, reject) => (this.client as any)[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
    }

    close(): void {
        this.client.close();
        this.child.kill("SIGTERM");
    }

    async handshake(): Promise<provproto.ProviderHandshakeResponse> {
        const req = new provproto.ProviderHandshakeRequest();
        req.setEngineAddress("127.0.0.1:1");
        return this.rpc("handshake", req);
    }

    async pluginVersion(): Promise<string> {
        return (await this.rpc<any>("getPluginInfo", new Empty())).getVersion();
    }

    /** Handshake (which a provider may not implement), then Configure with `config` as the provider's inputs, as the engine does. */
    async configure(config: Props = {}): Promise<provproto.ConfigureResponse> {
        await this.handshake().catch(() => undefined);
        const req = new provproto.ConfigureRequest();
        req.setArgs(toStruct(config));
        req.setAcceptsecrets(true);
        return this.rpc("configure", req);
    }

    async checkConfig(news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const req = new provproto.CheckRequest();
        req.setUrn(urnOf("pulumi:providers:x", "default"));
        req.setNews(toStruct(news));
        req.setOlds(toStruct({}));
        const res: provproto.CheckResponse = await this.rpc("checkConfig", req);
        return { inputs: fromStruct(res.getInputs()), failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
    }

    async check(type: string, name: string, news: Props, opts: CheckOptions = {}) {
        const req = about(new provproto.CheckRequest(), type, name);
        req.setNews(toStruct(news));
        req.setOlds(toStruct(opts.olds ?? {}));
        if (opts.seed !== undefined) req.setRandomseed(Buffer.from(opts.seed));
        if (opts.autonaming) {
            const a = new provproto.CheckRequest.AutonamingOptions();
            const M = provproto.CheckRequest.AutonamingOptions.Mode;
            a.setProposedName(opts.autonaming.proposedName);
            a.setMode(opts.autonaming.mode === "enforce" ? M.ENFORCE : opts.autonaming.mode === "disable" ? M.DISABLE : M.PROPOSE);
            req.setAutonaming(a);
        }
        const res: provproto.CheckResponse = await this.rpc("check", req);
        return { inputs: fromStruct(res.getInputs()), failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
    }

    async diff(type: string, name: string, args: { id: string; olds: Props; oldInputs: Props; news: Props }) {
        const req = about(new provproto.DiffRequest(), type, name, args.id);
        req.setOlds(toStruct(args.olds));
        req.setOldInputs(toStruct(args.oldInputs));
        req.setNews(toStruct(args.news));
        const res: provproto.DiffResponse = await this.rpc("diff", req);
        const D = provproto.DiffResponse.DiffChanges;
        return {
            changes: res.getChanges() === D.DIFF_SOME ? "some" : res.getChanges() === D.DIFF_NONE ? "none" : "unknown",
            diffs: res.getDiffsList(), replaces: res.getReplacesList(), deleteBeforeReplace: res.getDeletebeforereplace(),
        };
    }

    async create(type: string, name: string, properties: Props, preview = false): Promise<{ id: string; outs: Props }> {
        const req = about(new provproto.CreateRequest(), type, name);
        req.setProperties(toStruct(properties));
        req.setPreview(preview);
        const res: provproto.CreateResponse = await this.rpc("create", req);
        return { id: res.getId(), outs: fromStruct(res.getProperties()) };
    }

    /** Check then Create, the way the engine registers a new resource (seeded like the engine). */
    async checkAndCreate(type: string, name: string, news: Props): Promise<{ id: string; outs: Props; inputs: Props }> {
        const { inputs, failures } = await this.check(type, name, news, { seed: `seed-${name}` });
        if (failures.length) throw new Error(`check failed: ${JSON.stringify(failures)}`);
        return { ...(await this.create(type, name, inputs)), inputs };
    }

    async update(type: string, name: string, args: { id: string; olds: Props; oldInputs: Props; news: Props; preview?: boolean }): Promise<Props> {
        const req = about(new provproto.UpdateRequest(), type, name, args.id);
        req.setOlds(toStruct(args.olds));
        req.setOldInputs(toStruct(args.oldInputs));
        req.setNews(toStruct(args.news));
        req.setPreview(args.preview ?? false);
        const res: provproto.UpdateResponse = await this.rpc("update", req);
        return fromStruct(res.getProperties());
    }

    async delete(type: string, name: string, id: string, outs: Props, inputs: Props = outs): Promise<void> {
        const req = about(new provproto.DeleteRequest(), type, name, id);
        req.setProperties(toStruct(outs));
        req.setOldInputs(toStruct(inputs));
        await this.rpc("delete", req);
    }

    async read(type: string, name: string, id: string, outs: Props, inputs: Props) {
        const req = about(new provproto.ReadRequest(), type, name, id);
        req.setProperties(toStruct(outs));
        req.setInputs(toStruct(inputs));
        const res: provproto.ReadResponse = await this.rpc("read", req);
        return { id: res.getId(), props: fromStruct(res.getProperties()), inputs: fromStruct(res.getInputs()) };
    }

    async invoke(token: string, args: Props = {}): Promise<Props> {
        const req = new provproto.InvokeRequest();
        req.setTok(token);
        req.setArgs(toStruct(args));
        const res: provproto.InvokeResponse = await this.rpc("invoke", req);
        return fromStruct(res.getReturn());
    }
}
