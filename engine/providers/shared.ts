/**
 * What the test-double providers share: the Pulumi resource-provider gRPC service (as the engine
 * calls it, see sdk/go/common/resource/plugin/provider_plugin.go), property values in the
 * engine's wire form (secrets and unknowns as signature objects/strings), bridge-style
 * autonaming, and the "fake cloud": a JSON file that remembers what exists across provider
 * processes, so a second `pulumi up` can collide with what the first one created.
 */
import * as grpc from "@grpc/grpc-js";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";

// --- Property values on the wire ---------------------------------------------------------------

/** Key and value that mark an object as a special value (secret, asset, resource reference). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** The string the engine sends (and accepts) for a value not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, any>;

export const isSecret = (v: unknown): v is { value: unknown } =>
    typeof v === "object" && v !== null && (v as Props)[SIG_KEY] === SECRET_SIG;
export const secret = (value: unknown): Props => (isSecret(value) ? value : { [SIG_KEY]: SECRET_SIG, value });

/** The value with every secret wrapper removed (to compare and validate plain values). */
export function reveal(v: any): any {
    if (isSecret(v)) return reveal(v.value);
    if (Array.isArray(v)) return v.map(reveal);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    return v;
}

export function hasUnknown(v: any): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(hasUnknown);
    if (typeof v === "object" && v !== null) return Object.values(v).some(hasUnknown);
    return false;
}

/** Plain value, or undefined when absent, null or not known yet. */
export function known<T = any>(v: unknown): T | undefined {
    const r = reveal(v);
    return r === null || r === undefined || hasUnknown(r) ? undefined : (r as T);
}

/** Deep equality of two property values, ignoring secret wrappers and treating null as absent. */
export function sameValue(a: unknown, b: unknown): boolean {
    return JSON.stringify(canonical(reveal(a))) === JSON.stringify(canonical(reveal(b)));
}
function canonical(v: any): any {
    if (v === null || v === undefined) return null;
    if (Array.isArray(v)) return v.map(canonical);
    if (typeof v === "object") {
        return Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== null && v[k] !== undefined).map((k) => [k, canonical(v[k])]));
    }
    return v;
}

const toStruct = (props: Props): Struct => Struct.fromJavaScript(JSON.parse(JSON.stringify(props ?? {})));
const fromStruct = (s: Struct | undefined): Props => (s ? (s.toJavaScript() as Props) : {});

// --- Randomness and autonaming -----------------------------------------------------------------

/** Random lowercase hex: deterministic for a given seed (as the engine's seeds make names), random without. */
export function hexFrom(seed: Uint8Array | undefined, length: number, salt = ""): string {
    if (!seed || seed.length === 0) return crypto.randomBytes(Math.ceil(length / 2)).toString("hex").slice(0, length);
    let out = "";
    for (let i = 0; out.length < length; i++) out += crypto.createHash("sha256").update(seed).update(`${salt}#${i}`).digest("hex");
    return out.slice(0, length);
}

export interface AutonameSpec {
    /** The input that holds the physical name. */
    prop: string;
    /** The bridge's maximum for the generated name (its AutoName maxlen). */
    maxlen: number;
    /** Applied to the logical name first (S3: lower case). */
    transform?: (name: string) => string;
    /** Inputs that, when set, stop autonaming (`namePrefix` conflicts with `name`). */
    conflicts?: string[];
}

export interface AutonamingOption { proposedName: string; mode: "propose" | "enforce" | "disable" }

/**
 * The bridge's autonaming (pulumi-terraform-bridge ComputeAutoNameDefault): keep an explicit name,
 * else the old one, else the engine's proposal, else `<logical>-<7 hex>` from the random seed,
 * failing like the bridge when that cannot fit.
 */
export function autoname(spec: AutonameSpec, args: { type: string; name: string; news: Props; olds: Props; seed?: Uint8Array; autonaming?: AutonamingOption }): Props {
    const { news, olds } = args;
    if (news[spec.prop] !== undefined && news[spec.prop] !== null) return news;
    if ((spec.conflicts ?? []).some((p) => news[p] !== undefined && news[p] !== null)) return news;
    if (typeof olds[spec.prop] === "string") return { ...news, [spec.prop]: olds[spec.prop] };
    const transform = spec.transform ?? ((s: string) => s);
    let value: string;
    if (args.autonaming?.mode === "enforce") value = args.autonaming.proposedName;
    else if (args.autonaming?.mode === "disable") throw new Error("automatic naming is disabled but no explicit name was provided");
    else if (args.autonaming?.mode === "propose") {
        value = transform(args.autonaming.proposedName);
        if (value.length > spec.maxlen) throw new Error(`calculated name '${value}' exceeds maximum length of ${spec.maxlen}`);
    } else {
        const prefix = `${transform(args.name)}-`;
        if (prefix.length + 7 > spec.maxlen) {
            throw new Error(`could not make instance of '${args.type}': name '${prefix}' plus 7 random chars is longer than maximum length ${spec.maxlen}`);
        }
        value = prefix + hexFrom(args.seed, 7);
    }
    return { ...news, [spec.prop]: value };
}

// --- The fake cloud ----------------------------------------------------------------------------

export interface CloudRecord {
    type: string;
    id: string;
    urn?: string;
    region?: string;
    /** The physical name AWS knows the resource by, when it has one. */
    name?: string;
    /** The few properties later checks need (listener, priority, deletion protection, ...). */
    props?: Props;
}

interface CloudState { resources: Record<string, CloudRecord> }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A JSON file in $DASHBOARDS_FAKE_CLOUD_DIR listing what exists. Every change re-reads the file
 * under a lock directory (other provider processes may have written it), applies the change and
 * replaces the file atomically (write + rename). Calls in one process run one at a time.
 */
export class FakeCloud {
    readonly file: string;
    private queue: Promise<unknown> = Promise.resolve();

    constructor(dir = process.env.DASHBOARDS_FAKE_CLOUD_DIR) {
        if (!dir) throw new Error("DASHBOARDS_FAKE_CLOUD_DIR is not set: the test-double providers keep what they create in a fake-cloud JSON file in that directory");
        fs.mkdirSync(dir, { recursive: true });
        this.file = path.join(dir, "fake-cloud.json");
    }

    read(): CloudState {
        try {
            return JSON.parse(fs.readFileSync(this.file, "utf8")) as CloudState;
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code === "ENOENT") return { resources: {} };
            throw e;
        }
    }

    records(filter: (r: CloudRecord) => boolean = () => true): CloudRecord[] {
        return Object.values(this.read().resources).filter(filter);
    }

    /** Runs `change` on the current state and saves what it leaves; serialised in-process and across processes. */
    transact<T>(change: (resources: Record<string, CloudRecord>) => T): Promise<T> {
        const run = this.queue.then(async () => {
            const lock = `${this.file}.lock`;
            for (let waited = 0; ; waited += 20) {
                try {
                    fs.mkdirSync(lock);
                    break;
                } catch (e) {
                    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
                    if (waited > 10_000) fs.rmSync(lock, { recursive: true, force: true }); // a crashed holder
                    await sleep(20);
                }
            }
            try {
                const state = this.read();
                const result = change(state.resources);
                const tmp = `${this.file}.${process.pid}.tmp`;
                fs.writeFileSync(tmp, JSON.stringify(state, null, 1));
                fs.renameSync(tmp, this.file);
                return result;
            } finally {
                fs.rmSync(lock, { recursive: true, force: true });
            }
        });
        this.queue = run.catch(() => undefined);
        return run;
    }
}

export const recordKey = (type: string, id: string) => `${type}|${id}`;

/** The fake cloud's record of an image pushed to an ECR repository (the docker double writes it, the aws double reads it). */
export const IMAGE_RECORD = "fake-cloud:ecr/image";

// --- The gRPC service --------------------------------------------------------------------------

export interface CheckFailure { property: string; reason: string }

export interface CheckArgs { urn: string; type: string; name: string; olds: Props; news: Props; seed?: Uint8Array; autonaming?: AutonamingOption }
export interface DiffArgs { urn: string; type: string; name: string; id: string; olds: Props; oldInputs: Props; news: Props; ignoreChanges: string[] }
export interface CreateArgs { urn: string; type: string; name: string; inputs: Props; preview: boolean }
export interface UpdateArgs extends CreateArgs { id: string; olds: Props; oldInputs: Props }
export interface ResourceArgs { urn: string; type: string; name: string; id: string; props: Props; inputs: Props }

export interface DiffResult {
    replaces: string[];
    changed: string[];
    deleteBeforeReplace?: boolean;
}

export interface ProviderDouble {
    /** Package name (aws, docker, random). */
    name: string;
    /** The version the SDK package requests (node_modules/@pulumi/<name>/package.json). */
    version: string;
    checkConfig?(news: Props): CheckFailure[];
    configure?(config: Props): void;
    check(args: CheckArgs): Promise<{ inputs: Props; failures: CheckFailure[] }> | { inputs: Props; failures: CheckFailure[] };
    diff(args: DiffArgs): Promise<DiffResult> | DiffResult;
    create(args: CreateArgs): Promise<{ id: string; outs: Props }>;
    update(args: UpdateArgs): Promise<Props>;
    delete(args: ResourceArgs): Promise<void>;
    /** Current state, or undefined when the resource no longer exists. */
    read(args: ResourceArgs): Promise<{ props: Props; inputs: Props } | undefined>;
    invoke(token: string, args: Props): Promise<Props> | Props;
}

/**
 * Top-level inputs that differ between the old inputs and the new ones, and which of them force
 * a replacement: the diff the engine prints and acts on.
 */
export function diffInputs(args: DiffArgs, replaceKeys: (key: string) => boolean): DiffResult {
    const ignored = new Set(args.ignoreChanges);
    const keys = new Set([...Object.keys(args.oldInputs), ...Object.keys(args.news)]);
    const changed = [...keys].filter((k) => !ignored.has(k) && (hasUnknown(args.news[k]) || !sameValue(args.oldInputs[k], args.news[k]))).sort();
    return { changed, replaces: changed.filter(replaceKeys) };
}

/** The outputs a resource had beyond its inputs (ids, ARNs, digests): kept across updates. */
export const computedOf = (olds: Props, oldInputs: Props): Props =>
    Object.fromEntries(Object.entries(olds).filter(([k]) => !(k in oldInputs)));

/** Every computed value replaced by "unknown": what a preview shows for outputs AWS assigns. */
export const unknownAll = (computed: Props): Props => Object.fromEntries(Object.keys(computed).map((k) => [k, UNKNOWN]));

type Call = grpc.ServerUnaryCall<any, any>;
type Callback = grpc.sendUnaryData<any>;

function grpcError(e: unknown): grpc.ServiceError {
    const message = e instanceof Error ? e.message : String(e);
    return Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message, metadata: new grpc.Metadata() });
}

const unimplemented = (what: string) => (_call: Call, cb: Callback) =>
    cb({ code: grpc.status.UNIMPLEMENTED, details: `${what} is not implemented by this test double`, name: "Unimplemented", message: what });

function unary(fn: (req: any) => Promise<any> | any) {
    return (call: Call, cb: Callback) => {
        Promise.resolve()
            .then(() => fn(call.request))
            .then((res) => cb(null, res), (e) => cb(grpcError(e)));
    };
}

function autonamingOf(req: provproto.CheckRequest): AutonamingOption | undefined {
    const a = req.getAutonaming();
    if (!a) return undefined;
    const M = provproto.CheckRequest.AutonamingOptions.Mode;
    const mode = a.getMode() === M.ENFORCE ? "enforce" : a.getMode() === M.DISABLE ? "disable" : "propose";
    return { proposedName: a.getProposedName(), mode };
}

function checkResponse(inputs: Props, failures: CheckFailure[]) {
    const res = new provproto.CheckResponse();
    res.setInputs(toStruct(inputs));
    res.setFailuresList(failures.map((f) => {
        const cf = new provproto.CheckFailure();
        cf.setProperty(f.property);
        cf.setReason(f.reason);
        return cf;
    }));
    return res;
}

function diffResponse(d: DiffResult) {
    const res = new provproto.DiffResponse();
    const K = provproto.PropertyDiff.Kind;
    res.setChanges(d.changed.length ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
    res.setDiffsList(d.changed);
    res.setReplacesList(d.replaces);
    res.setDeletebeforereplace(Boolean(d.deleteBeforeReplace) && d.replaces.length > 0);
    res.setHasdetaileddiff(true);
    const detailed = res.getDetaileddiffMap();
    for (const key of d.changed) {
        const pd = new provproto.PropertyDiff();
        pd.setKind(d.replaces.includes(key) ? K.UPDATE_REPLACE : K.UPDATE);
        pd.setInputdiff(true);
        detailed.set(key, pd);
    }
    return res;
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** The ResourceProvider service for a double: wire format in, wire format out. */
export function service(p: ProviderDouble): grpc.UntypedServiceImplementation {
    const configure = (args: Props, variables: Map<string, string>) => {
        const config: Props = { ...args };
        variables.forEach((v, k) => {
            const key = k.replace(`${p.name}:config:`, "");
            if (config[key] === undefined) config[key] = v;
        });
        p.configure?.(config);
    };
    return {
        handshake: unary(() => {
            const res = new provproto.ProviderHandshakeResponse();
            res.setAcceptSecrets(true);
            res.setAcceptResources(false);
            res.setAcceptOutputs(false);
            res.setSupportsAutonamingConfiguration(true);
            return res;
        }),
        getPluginInfo: unary(() => {
            const info = new plugproto.PluginInfo();
            info.setVersion(p.version);
            return info;
        }),
        getSchema: unary(() => {
            const res = new provproto.GetSchemaResponse();
            res.setSchema(JSON.stringify({ name: p.name, version: p.version, description: `test double for the ${p.name} provider` }));
            return res;
        }),
        checkConfig: unary((req: provproto.CheckRequest) => {
            const news = fromStruct(req.getNews());
            return checkResponse(news, p.checkConfig?.(news) ?? []);
        }),
        diffConfig: unary((req: provproto.DiffRequest) => {
            const olds = fromStruct(req.getOldInputs() ?? req.getOlds());
            const news = fromStruct(req.getNews());
            const d = diffInputs({ urn: req.getUrn(), type: req.getType(), name: req.getName(), id: req.getId(), olds, oldInputs: olds, news, ignoreChanges: req.getIgnorechangesList() },
                (k) => k === "region");
            return diffResponse({ ...d, changed: d.changed.filter((k) => k !== "version") });
        }),
        configure: unary((req: provproto.ConfigureRequest) => {
            configure(fromStruct(req.getArgs()), req.getVariablesMap() as unknown as Map<string, string>);
            const res = new provproto.ConfigureResponse();
            res.setAcceptsecrets(true);
            res.setSupportspreview(true);
            res.setAcceptresources(false);
            res.setSupportsAutonamingConfiguration(true);
            return res;
        }),
        check: unary(async (req: provproto.CheckRequest) => {
            const seed = req.getRandomseed_asU8();
            const r = await p.check({
                urn: req.getUrn(), type: req.getType(), name: req.getName() || nameOf(req.getUrn()),
                olds: fromStruct(req.getOlds()), news: fromStruct(req.getNews()),
                seed: seed.length ? seed : undefined, autonaming: autonamingOf(req),
            });
            return checkResponse(r.inputs, r.failures);
        }),
        diff: unary(async (req: provproto.DiffRequest) => {
            const olds = fromStruct(req.getOlds());
            const d = await p.diff({
                urn: req.getUrn(), type: req.getType(), name: req.getName() || nameOf(req.getUrn()), id: req.getId(),
                olds, oldInputs: req.hasOldInputs() ? fromStruct(req.getOldInputs()) : olds,
                news: fromStruct(req.getNews()), ignoreChanges: req.getIgnorechangesList(),
            });
            return diffResponse(d);
        }),
        create: unary(async (req: provproto.CreateRequest) => {
            const r = await p.create({ urn: req.getUrn(), type: req.getType(), name: req.getName() || nameOf(req.getUrn()), inputs: fromStruct(req.getProperties()), preview: req.getPreview() });
            const res = new provproto.CreateResponse();
            res.setId(r.id);
            res.setProperties(toStruct(r.outs));
            return res;
        }),
        update: unary(async (req: provproto.UpdateRequest) => {
            const olds = fromStruct(req.getOlds());
            const outs = await p.update({
                urn: req.getUrn(), type: req.getType(), name: req.getName() || nameOf(req.getUrn()), id: req.getId(),
                inputs: fromStruct(req.getNews()), olds, oldInputs: req.hasOldInputs() ? fromStruct(req.getOldInputs()) : olds, preview: req.getPreview(),
            });
            const res = new provproto.UpdateResponse();
            res.setProperties(toStruct(outs));
            return res;
        }),
        delete: unary(async (req: provproto.DeleteRequest) => {
            await p.delete({ urn: req.getUrn(), type: req.getType(), name: req.getName() || nameOf(req.getUrn()), id: req.getId(), props: fromStruct(req.getProperties()), inputs: fromStruct(req.getOldInputs()) });
            return new Empty();
        }),
        read: unary(async (req: provproto.ReadRequest) => {
            const found = await p.read({ urn: req.getUrn(), type: req.getType(), name: req.getName() || nameOf(req.getUrn()), id: req.getId(), props: fromStruct(req.getProperties()), inputs: fromStruct(req.getInputs()) });
            const res = new provproto.ReadResponse();
            if (found) {
                res.setId(req.getId());
                res.setProperties(toStruct(found.props));
                res.setInputs(toStruct(found.inputs));
            }
            return res;
        }),
        invoke: unary(async (req: provproto.InvokeRequest) => {
            const res = new provproto.InvokeResponse();
            res.setReturn(toStruct(await p.invoke(req.getTok(), fromStruct(req.getArgs()))));
            return res;
        }),
        cancel: unary(() => new Empty()),
        attach: unary(() => new Empty()),
        getMapping: unary(() => new provproto.GetMappingResponse()),
        getMappings: unary(() => new provproto.GetMappingsResponse()),
        parameterize: unimplemented("Parameterize"),
        call: unimplemented("Call"),
        construct: unimplemented("Construct"),
        list: (call: grpc.ServerWritableStream<any, any>) => call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "List is not implemented by this test double" }),
    };
}

/** Serves a double as the engine expects of a plugin: print the port on stdout, serve until killed. */
export function serve(p: ProviderDouble): void {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(provrpc.ResourceProviderService, service(p));
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) {
            process.stderr.write(`pulumi-resource-${p.name} (test double): ${err.message}\n`);
            process.exit(1);
        }
        process.stdout.write(`${port}\n`);
    });
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.tryShutdown(() => process.exit(0)));
}

/** The version an SDK package asks the engine for (its package.json `pulumi.version`). */
export function sdkVersion(pkg: string): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const json = require(`@pulumi/${pkg}/package.json`) as { version: string; pulumi?: { version?: string } };
    return json.pulumi?.version ?? json.version;
}

/** Fails the provider's start with a message on stderr (the engine prints it). */
export function startOrExplain(start: () => void, name: string): void {
    try {
        start();
    } catch (e) {
        process.stderr.write(`pulumi-resource-${name} (test double): ${(e as Error).message}\n`);
        process.exit(1);
    }
}
