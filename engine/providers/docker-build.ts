/**
 * Test double for the `docker-build` provider (pulumi-docker-build, BuildKit through buildx),
 * `docker-build:index:Image` only. There is no Docker daemon: paths are read relative to the
 * working directory (the engine starts plugins in the program's directory), "building" hashes
 * what the image depends on and "pushing" records it in the fake cloud (dockerContext.ts).
 *
 * Modelled on the provider's source (provider/internal/image.go, context.go, dockerfile.go,
 * export.go) and BuildKit's frontend:
 * - Check (CheckFailures, also in a preview): `push` missing ("Missing required field 'push' on
 *   'internal.ImageArgs'"); `dockerfile` with both `location` and `inline`; a local context that is
 *   not a directory (`"<loc>": not a valid directory or URL`); an on-disk Dockerfile that does not
 *   open (`open <abs path>: no such file or directory`); a Dockerfile (on disk or inline) BuildKit's
 *   parser refuses (dockerfile.ts); `push: true` without tags. Defaults as the provider sets them:
 *   context `.`, Dockerfile `<context>/Dockerfile`, `buildOnPreview: true`, `network: "default"`.
 * - The build (Create/Update, and a preview when `buildOnPreview` is not false and every input is
 *   known): a named context whose local location is missing (`failed to get build context <name>:
 *   stat <loc>: no such file or directory`); a `target` no stage has (`target stage "<t>" could
 *   not be found`); then, in the stages the target needs, each `COPY`/`ADD` source: without
 *   `--from` it must be in the main context after its ignore file (`<Dockerfile>.dockerignore`
 *   beside an on-disk Dockerfile, else `<context>/.dockerignore`), else `failed to compute cache
 *   key: failed to calculate checksum of ref <id>: "/<path>": not found`; with `--from=<stage name
 *   or index>` it is not checked; with `--from=<named context>` it must be in that context after its
 *   own `.dockerignore`; any other `--from` is an image, not checked. A wildcard source may match
 *   nothing (BuildKit allows an empty wildcard) but the directory before its first wildcard must
 *   exist (else fsutil's `lstat ...: no such file or directory`). Sources holding `$` (ARG/ENV),
 *   heredocs, ADD's URLs and `--parents` copies are skipped.
 * - Outputs: the inputs (registry passwords and `secrets` as secrets), `contextHash` (the on-disk
 *   Dockerfile, the filtered context and every local named context, as the provider hashes them),
 *   and, when the image is exported (`push`, `load`, an image/registry/docker/oci export), `digest`
 *   (`sha256:` + a hash of the Dockerfile text, the filtered context, the named contexts the needed
 *   stages use, platforms, buildArgs, labels and target) and `ref` (`<name>:<tag>@<digest>` for the
 *   first fully qualified tag); not exported: `digest` "" and `ref` the first tag (or ""). The id is
 *   the digest when there is one, else the resource name. In a preview all three are unknown.
 * - Pushing (`push: true` or a pushing export, never in a preview) to an ECR host: `registries`
 *   must hold a username and password for that host, the repository must exist in the fake cloud.
 *   Delete removes the pushed manifest from the fake ECR by digest, as the provider deletes its
 *   tags (an image another resource pushed with the same digest goes too); refresh drops the
 *   resource when none of its ECR tags still has the digest.
 * - Diff: every input but registry passwords, `exec` and `ignoreSecretsInDiffCalculation` (and
 *   the secrets it names), plus `contextHash` when the context changed. Never a replacement.
 *
 * NOT checked (no daemon, no network): RUN commands and their `--mount` sources, base images and
 * `--from` images (existence, platform, credentials), remote contexts and Dockerfiles (not
 * fetched), variable expansion, `.dockerignore` matching beyond minimatch (close to, not exactly,
 * moby's matcher), whether the image runs, platform support of the builder, cache imports and
 * exports (`cacheFrom`/`cacheTo` are accepted and ignored), tag syntax, non-ECR registries
 * (accept every push), multiple-export limits of older BuildKit daemons.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ContextListing, deleteFromFakeEcr, ECR_HOST, hashFiles, inFakeEcr, listContext, pushToFakeEcr, readIgnoreFile } from "./dockerContext";
import { copySources, CopySource, externalReferences, neededStages, parseDockerfile, stageNamed, targetStage } from "./dockerfile";
import {
    CheckArgs, CheckFailure, CreateArgs, DiffArgs, DiffResult, diffInputs, FakeCloud, hasUnknown, known, ProviderDouble, Props, ResourceArgs, reveal,
    sameValue, sdkVersion, secret, serve, startOrExplain, UNKNOWN, UpdateArgs,
} from "./shared";

export const IMAGE = "docker-build:index:Image";

/** URLs and Git references (buildx's urlutil): not read from disk. */
const isRemote = (loc: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(loc) || loc.startsWith("git@") || loc.startsWith("github.com/");
/** Named contexts may also be `docker-image://`, `oci-layout://` (URLs above) or `target:<name>`. */
const isRemoteNamed = (loc: string) => isRemote(loc) || loc.startsWith("target:");
const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();
const isFile = (p: string) => fs.existsSync(p) && fs.statSync(p).isFile();
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== UNKNOWN && v !== "" ? v : undefined);

/** The build as the provider resolves it from checked inputs (defaults already set by Check). */
export interface Spec {
    context: string;
    named: Record<string, string>;
    /** An on-disk (or remote) Dockerfile; none with `inline`. */
    dockerfile?: string;
    inline?: string;
    target?: string;
    platforms: string[];
    buildArgs: Props;
    labels: Props;
    tags: string[];
}

function specOf(inputs: Props): Spec {
    const r = reveal(inputs);
    const named = Object.fromEntries(Object.entries((r.context?.named ?? {}) as Record<string, Props>).map(([k, v]) => [k, String(v?.location ?? "")]));
    return {
        context: str(r.context?.location) ?? ".", named,
        dockerfile: str(r.dockerfile?.location), inline: str(r.dockerfile?.inline), target: str(r.target),
        platforms: r.platforms ?? [], buildArgs: r.buildArgs ?? {}, labels: r.labels ?? {}, tags: (r.tags ?? []).filter((t: unknown) => typeof t === "string"),
    };
}

/** The defaults the provider's Check sets: context `.`, `<context>/Dockerfile`, build on preview, default network. */
function withDefaults(news: Props): Props {
    const out: Props = { ...news };
    if (out.buildOnPreview === undefined || out.buildOnPreview === null) out.buildOnPreview = true;
    if (out.network === undefined || out.network === null) out.network = "default";
    if (out.context === undefined || out.context === null) out.context = { location: "." };
    const location = known<string>(reveal(out.context)?.location);
    const dockerfile = reveal(out.dockerfile);
    const given = dockerfile === UNKNOWN || (dockerfile && (dockerfile.location || dockerfile.inline));
    if (location !== undefined && !isRemote(location) && !given) out.dockerfile = { ...(out.dockerfile ?? {}), location: path.join(location, "Dockerfile") };
    return out;
}

/** Image exports that produce a digest (`--push`, `--load`, image/registry/docker/oci outputs). */
const IMAGE_EXPORT = /(^|,)type=(registry|image|docker|oci)(,|$)/;
const liveExports = (r: Props): Props[] => (Array.isArray(r.exports) ? r.exports : []).filter((e: Props) => e && !e.disabled);

function isExported(r: Props): boolean {
    return r.push === true || r.load === true || liveExports(r).some((e) => e.registry || e.image || e.docker || e.oci || IMAGE_EXPORT.test(String(e.raw ?? "")));
}

/** Whether the build pushes: `push`, a registry export (push by default), an image export with `push`, a raw one saying so. */
function pushes(r: Props): boolean {
    return r.push === true || liveExports(r).some((e) => (e.registry && e.registry.push !== false) || e.image?.push === true
        || (/type=registry/.test(String(e.raw ?? "")) && !/push=false/.test(String(e.raw))) || (/type=image/.test(String(e.raw ?? "")) && /push=true/.test(String(e.raw))));
}

/** A fully qualified tag (`host/path[:tag]`) as its repository and tag, as `reference.ParseNamed` accepts it; undefined otherwise. */
function qualified(tag: string): { repo: string; tag: string } | undefined {
    const name = tag.replace(/@.*$/, "");
    const parts = name.split("/");
    const host = parts[0];
    if (parts.length < 2 || !(host.includes(".") || host.includes(":") || host === "localhost")) return undefined;
    if (host === "docker.io" && parts.length < 3) return undefined; // docker.io/x is docker.io/library/x
    const m = /:([\w][\w.-]{0,127})$/.exec(name);
    return { repo: m ? name.slice(0, -m[0].length) : name, tag: m ? m[1] : "latest" };
}

/** The address a `registries` entry is for: its host. */
const registryHost = (address: string) => address.replace(/^[a-z]+:\/\//i, "").split("/")[0];

// --- The context, as the build sees it -----------------------------------------------------------

interface Context { dir: string; listing: ContextListing; ignoreFile?: string; describe: string }

function mainContext(spec: Spec): Context {
    const candidates = [...(spec.dockerfile && !isRemote(spec.dockerfile) ? [`${spec.dockerfile}.dockerignore`] : []), path.join(spec.context, ".dockerignore")];
    const { file, rules } = readIgnoreFile(candidates);
    return { dir: spec.context, listing: listContext(spec.context, rules), ignoreFile: file, describe: `context ${spec.context}` };
}

function namedContext(name: string, dir: string): Context {
    const { file, rules } = readIgnoreFile([path.join(dir, ".dockerignore")]);
    return { dir, listing: listContext(dir, rules), ignoreFile: file, describe: `named context ${name} (${dir})` };
}

/** Names, contents and modes of what a context sends. */
function hashContext(h: crypto.Hash, c: Context): void {
    hashFiles(h, c.dir, c.listing.files);
    for (const f of c.listing.files) h.update(`\0${(fs.statSync(path.join(c.dir, f)).mode & 0o7777).toString(8)}`);
}

/** The provider's preliminary context hash: on-disk Dockerfile, filtered context, every local named context. */
function contextHashOf(spec: Spec): string {
    const h = crypto.createHash("sha256");
    if (spec.dockerfile && isFile(spec.dockerfile)) h.update(fs.readFileSync(spec.dockerfile));
    if (isDir(spec.context)) hashContext(h, mainContext(spec));
    for (const name of Object.keys(spec.named).sort()) if (isDir(spec.named[name])) hashContext(h, namedContext(name, spec.named[name]));
    return h.digest("hex");
}

/** A BuildKit-looking ref id (`<uuid>::<25 chars>`), stable per context. */
function refId(dir: string): string {
    const hex = crypto.createHash("sha256").update(path.resolve(dir)).digest("hex");
    const b36 = BigInt(`0x${hex.slice(32)}`).toString(36).padStart(25, "0").slice(0, 25);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}::${b36}`;
}

/** Why BuildKit would not find `c.source` in `ctx`, if it would not. */
function sourceProblem(c: CopySource, ctx: Context, dockerfile: string): string | undefined {
    const rel = path.posix.normalize(`/${c.source}`).slice(1).replace(/\/+$/, "");
    if (rel === "") return undefined; // the whole context
    const parts = rel.split("/");
    const wildcard = parts.findIndex((p) => /[*?[]/.test(p));
    const at = `\n  ${dockerfile}:${c.instruction.line}: ${c.instruction.text}\n  (checked by the docker-build test double against the ${ctx.describe} after ${ctx.ignoreFile ?? "no ignore file"})`;
    if (wildcard >= 0) {
        // An empty wildcard is allowed, but fsutil walks the directory before the first wildcard.
        const prefix = parts.slice(0, wildcard).join("/");
        if (prefix === "" || ctx.listing.dirs.has(prefix)) return undefined;
        return `failed to solve: lstat /var/lib/docker/tmp/buildkit-mount${refId(ctx.dir).slice(0, 8)}/${prefix}: no such file or directory${at}`;
    }
    if (ctx.listing.present.has(rel)) return undefined;
    return `failed to solve: failed to compute cache key: failed to calculate checksum of ref ${refId(ctx.dir)}: "/${rel}": not found${at}`;
}

/**
 * "Builds": refuses what BuildKit would refuse (named contexts, target, COPY/ADD sources), then
 * returns the hex digest of what the image depends on.
 */
export function solve(spec: Spec): string {
    const h = crypto.createHash("sha256");
    h.update(JSON.stringify({ platforms: spec.platforms, buildArgs: spec.buildArgs, labels: spec.labels, target: spec.target ?? null }));
    for (const [name, loc] of Object.entries(spec.named)) {
        if (isRemoteNamed(loc)) continue;
        if (!fs.existsSync(loc)) throw new Error(`failed to get build context ${name}: stat ${loc}: no such file or directory`);
        if (!isDir(loc)) throw new Error(`failed to get build context path ${loc}: not a directory`);
    }
    const remoteFile = spec.dockerfile !== undefined && isRemote(spec.dockerfile);
    if (isRemote(spec.context) || remoteFile) return h.update(JSON.stringify(spec)).digest("hex"); // not fetched
    if (!isDir(spec.context)) throw new Error(`unable to prepare context: path ${JSON.stringify(spec.context)} not found`);
    const file = spec.dockerfile ?? path.join(spec.context, "Dockerfile");
    if (spec.inline === undefined && !isFile(file)) throw new Error(`failed to solve: failed to read dockerfile: open ${file}: no such file or directory`);
    const text = spec.inline ?? fs.readFileSync(file, "utf8");
    h.update(text);
    const df = parseDockerfile(text);
    const stages = neededStages(df, targetStage(df, spec.target));
    const main = mainContext(spec);
    const named = new Map<string, Context>();
    const namedCtx = (name: string) => named.get(name) ?? named.set(name, namedContext(name, spec.named[name])).get(name)!;
    const dockerfileName = spec.dockerfile ?? "Dockerfile (inline)";
    for (const c of copySources(stages)) {
        if (c.source.includes("$") || c.from?.includes("$")) continue; // ARG/ENV expansion: not guessed
        let ctx: Context | undefined = main;
        if (c.from !== undefined) {
            // A stage (name or index) or an image is not checked; a local named context is.
            const local = !/^\d+$/.test(c.from) && !stageNamed(df, c.from) && c.from in spec.named && !isRemoteNamed(spec.named[c.from]);
            ctx = local ? namedCtx(c.from) : undefined;
        }
        const problem = ctx && sourceProblem(c, ctx, dockerfileName);
        if (problem) throw new Error(problem);
    }
    hashFiles(h, main.dir, main.listing.files);
    for (const name of [...externalReferences(df, stages)].filter((n) => n in spec.named && !isRemoteNamed(spec.named[n])).sort()) {
        const ctx = namedCtx(name);
        hashFiles(h.update(`\0named:${name}\0`), ctx.dir, ctx.listing.files);
    }
    return h.digest("hex");
}

/** CheckFailures the provider reports before anything is built (also in a preview). */
function checkFailures(news: Props): CheckFailure[] {
    const r = reveal(news);
    const failures: CheckFailure[] = [];
    const location = str(r.context?.location);
    const dockerfile = str(r.dockerfile?.location);
    const inline = str(r.dockerfile?.inline);
    if (dockerfile && inline) return [{ property: "dockerfile", reason: `only specify "file" or "inline", not both` }];
    if (location && !isRemote(location) && location !== "-" && !isDir(location)) {
        failures.push({ property: "context.location", reason: `${JSON.stringify(location)}: not a valid directory or URL` });
    }
    const parses = (property: string, text: () => string) => {
        try {
            parseDockerfile(text());
        } catch (e) {
            failures.push({ property, reason: (e as Error).message });
        }
    };
    if (dockerfile && !isRemote(dockerfile)) {
        const abs = path.resolve(dockerfile);
        if (!fs.existsSync(abs)) failures.push({ property: "dockerfile.location", reason: `open ${abs}: no such file or directory` });
        else if (!isFile(abs)) failures.push({ property: "dockerfile.location", reason: `read ${abs}: is a directory` });
        else parses("dockerfile.location", () => fs.readFileSync(abs, "utf8"));
    }
    if (inline) parses("dockerfile.inline", () => inline);
    const tags = known<unknown[]>(news.tags) ?? (news.tags === undefined || news.tags === null ? [] : undefined);
    if (r.push === true && tags !== undefined && tags.length === 0) {
        failures.push({ property: `exports[${Array.isArray(r.exports) ? r.exports.length : 0}]`, reason: "at least one tag or export name is needed when pushing to a registry" });
    }
    return failures;
}

/** The inputs as outputs: registry passwords and build secrets always secret (`provider:"secret"`). */
function outputsOf(inputs: Props): Props {
    const out: Props = { ...inputs };
    if (Array.isArray(out.registries)) {
        out.registries = out.registries.map((reg: Props) => (reg && typeof reg === "object" && reg.password !== undefined && reg.password !== null ? { ...reg, password: secret(reg.password) } : reg));
    }
    if (out.secrets !== undefined && out.secrets !== null) out.secrets = secret(out.secrets);
    return out;
}

/** Registries as the diff compares them: address and username, never the password (ECR tokens change every run). */
const registryKeys = (v: unknown) => (Array.isArray(reveal(v)) ? reveal(v) : []).map((reg: Props) => ({ address: reg?.address, username: reg?.username }));

export class DockerBuildDouble implements ProviderDouble {
    readonly name = "docker-build";
    readonly version = sdkVersion("docker-build");

    constructor(readonly cloud = new FakeCloud()) {}

    check(args: CheckArgs) {
        this.only(args.type);
        const inputs = withDefaults(args.news);
        if (inputs.push === undefined || inputs.push === null) return { inputs, failures: [{ property: "push", reason: "Missing required field 'push' on 'internal.ImageArgs'" }] };
        return { inputs, failures: checkFailures(inputs) };
    }

    diff(args: DiffArgs): DiffResult {
        this.only(args.type);
        const { oldInputs: olds, news } = args;
        const ignored = new Set(args.ignoreChanges);
        const special = ["context", "registries", "secrets", "exec", "ignoreSecretsInDiffCalculation", "contextHash", "digest", "ref"];
        const strip = (p: Props) => Object.fromEntries(Object.entries(p).filter(([k]) => !special.includes(k)));
        const changed = diffInputs({ ...args, oldInputs: strip(olds), news: strip(news) }, () => false).changed;
        const differs = (a: unknown, b: unknown) => hasUnknown(b) || !sameValue(a, b);
        if (!ignored.has("context")) {
            if (differs(reveal(olds.context)?.location, reveal(news.context)?.location)) changed.push("context.location");
            if (differs(reveal(olds.context)?.named, reveal(news.context)?.named)) changed.push("context.named");
        }
        const skipSecrets = new Set<string>(known<string[]>(news.ignoreSecretsInDiffCalculation) ?? []);
        const secretsOf = (p: Props, other: Props) => Object.fromEntries(Object.entries((reveal(p.secrets) ?? {}) as Props).filter(([k]) => !(skipSecrets.has(k) && k in ((reveal(other.secrets) ?? {}) as Props))));
        if (!ignored.has("secrets") && differs(secretsOf(olds, news), secretsOf(news, olds))) changed.push("secrets");
        if (!ignored.has("registries")) {
            const [a, b] = [registryKeys(olds.registries), registryKeys(news.registries)];
            if (hasUnknown(news.registries) || a.length !== b.length) changed.push("registries");
            else {
                const k = a.findIndex((reg: Props, idx: number) => !sameValue(reg, b[idx]));
                if (k >= 0) changed.push(`registries[${k}]`);
            }
        }
        // The context itself: the provider rebuilds when its preliminary hash moved.
        const r = reveal(news);
        if (r.pull === true && isExported(r)) changed.push("contextHash");
        else if (!hasUnknown(news.context) && !hasUnknown(news.dockerfile) && contextHashOf(specOf(news)) !== reveal(args.olds.contextHash)) changed.push("contextHash");
        return { changed: changed.sort(), replaces: [] };
    }

    async create(args: CreateArgs) {
        this.only(args.type);
        const outs = await this.build(args.inputs, args.preview);
        return { id: args.preview ? "" : outs.digest || args.name, outs };
    }

    update(args: UpdateArgs) {
        this.only(args.type);
        return this.build(args.inputs, args.preview);
    }

    /** Like the provider: deleting a pushed image deletes its manifest (by digest) from each ECR repository it was tagged in. */
    async delete(args: ResourceArgs): Promise<void> {
        const r = reveal(args.props);
        if (!r.digest || !pushes(r)) return;
        for (const repo of this.ecrRepositories(specOf(args.props).tags)) await deleteFromFakeEcr(this.cloud, repo, String(r.digest).replace(/^sha256:/, ""));
    }

    /** Refresh: a pushed image is gone when none of its ECR tags has its digest any more. */
    async read(args: ResourceArgs) {
        const r = reveal(args.props);
        if (!r.digest || !pushes(r)) return { props: args.props, inputs: args.inputs };
        const digest = String(r.digest).replace(/^sha256:/, "");
        const tags = specOf(args.props).tags;
        const kept = tags.filter((t) => {
            const q = qualified(t);
            return !q || !ECR_HOST.test(q.repo.split("/")[0]) || inFakeEcr(this.cloud, q.repo, digest);
        });
        if (tags.length > 0 && kept.length === 0) return undefined;
        return { props: { ...args.props, tags: kept }, inputs: args.inputs };
    }

    invoke(token: string): Props {
        throw new Error(`invoke ${token} is not implemented by the docker-build test double`);
    }

    private only(type: string): void {
        if (type !== IMAGE) throw new Error(`${type} is not implemented by the docker-build test double (only ${IMAGE})`);
    }

    private ecrRepositories(tags: string[]): string[] {
        return [...new Set(tags.map(qualified).filter((q) => q && ECR_HOST.test(q.repo.split("/")[0])).map((q) => q!.repo))];
    }

    private async build(inputs: Props, preview: boolean): Promise<Props> {
        const r = reveal(inputs);
        const spec = specOf(inputs);
        const base = outputsOf(inputs);
        if (preview) {
            // The provider builds during a preview (never pushing) unless told not to or an input is unknown.
            if (r.buildOnPreview !== false && !hasUnknown(inputs)) solve(spec);
            return { ...base, contextHash: UNKNOWN, digest: UNKNOWN, ref: UNKNOWN };
        }
        const hex = solve(spec);
        const contextHash = contextHashOf(spec);
        if (!isExported(r)) return { ...base, contextHash, digest: "", ref: spec.tags[0] ?? "" };
        const digest = `sha256:${hex}`;
        if (pushes(r)) {
            for (const tag of spec.tags) {
                const q = qualified(tag);
                if (!q) continue;
                const host = q.repo.split("/")[0];
                const login = (Array.isArray(r.registries) ? r.registries : []).find((reg: Props) => reg?.address && registryHost(String(reg.address)) === host) ?? {};
                await pushToFakeEcr(this.cloud, {
                    repo: q.repo, digest: hex, username: login.username, password: login.password, what: `failed to solve: failed to push ${tag}`,
                    credentialsHint: `no \`registries\` entry with a username and password for ${host}`,
                });
            }
        }
        const first = spec.tags.map(qualified).find((q) => q);
        return { ...base, contextHash, digest, ref: first ? `${first.repo}:${first.tag}@${digest}` : "" };
    }
}

if (require.main === module) startOrExplain(() => serve(new DockerBuildDouble()), "docker-build");
