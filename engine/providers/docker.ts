/**
 * Test double for the `docker` provider (pulumi-docker v4), `docker:index/image:Image` only.
 * There is no Docker daemon: "building" hashes the Dockerfile and the build context (after the
 * BuildKit ignore file) read from disk relative to the program's directory (the engine starts
 * plugins there), and "pushing" records the digest in the fake cloud, where the aws double sees
 * it (an ECR repository with images cannot be deleted without forceDelete).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { minimatch } from "minimatch";
import {
    CheckArgs, CreateArgs, diffInputs, DiffArgs, FakeCloud, IMAGE_RECORD, known, ProviderDouble, Props, recordKey, ResourceArgs, reveal, sdkVersion, serve,
    startOrExplain, UNKNOWN, UpdateArgs,
} from "./shared";

const IMAGE = "docker:index/image:Image";

interface Build { context: string; dockerfile: string; platform?: string; args?: Props; target?: string }

/** The build as the provider resolves it: context `.` and `<context>/Dockerfile` by default, paths from the working directory. */
function buildOf(inputs: Props): Build {
    const b = reveal(inputs.build);
    const build: Props = typeof b === "string" ? { context: b } : (b ?? {});
    const context = build.context ?? ".";
    return { ...build, context, dockerfile: build.dockerfile ?? path.join(context, "Dockerfile") } as Build;
}

/** Ignore rules: BuildKit reads `<Dockerfile>.dockerignore` first, else `<context>/.dockerignore`. */
function ignoreRules(build: Build): { pattern: string; negated: boolean }[] {
    const file = [`${build.dockerfile}.dockerignore`, path.join(build.context, ".dockerignore")].find((f) => fs.existsSync(f));
    if (!file) return [];
    return fs.readFileSync(file, "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => {
        const negated = l.startsWith("!");
        return { pattern: path.posix.normalize((negated ? l.slice(1) : l).replace(/^\/+/, "")).replace(/\/$/, ""), negated };
    });
}

/** Files Docker would send: a path is excluded when the last rule matching it or a parent excludes it. */
export function contextFiles(build: Build): string[] {
    const rules = ignoreRules(build);
    const excluded = (rel: string) => {
        const parts = rel.split("/");
        const selfAndParents = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
        let out = false;
        for (const r of rules) if (selfAndParents.some((p) => minimatch(p, r.pattern, { dot: true }))) out = !r.negated;
        return out;
    };
    // A directory is skipped when excluded and no exception could bring back something inside it.
    const mayReinclude = (dir: string) => rules.some((r) => r.negated && (r.pattern.startsWith(`${dir}/`) || /[*?[]/.test(r.pattern)));
    const files: string[] = [];
    const walk = (rel: string) => {
        for (const entry of fs.readdirSync(path.join(build.context, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
            const child = rel ? `${rel}/${entry.name}` : entry.name;
            if (entry.isDirectory()) {
                if (!excluded(child) || mayReinclude(child)) walk(child);
            } else if (entry.isFile() && !excluded(child)) files.push(child);
        }
    };
    walk("");
    return files;
}

/** What a build depends on, as a digest: Dockerfile, context files (names and contents), platform, args, target. */
export function buildDigest(build: Build): string {
    if (!fs.existsSync(build.context) || !fs.statSync(build.context).isDirectory()) {
        throw new Error(`docker build failed: unable to prepare context: path ${JSON.stringify(build.context)} not found (from ${process.cwd()}; there is no Docker daemon here, the test double only hashes the context)`);
    }
    if (!fs.existsSync(build.dockerfile)) {
        throw new Error(`docker build failed: failed to solve: failed to read dockerfile: open ${build.dockerfile}: no such file or directory (from ${process.cwd()})`);
    }
    const h = crypto.createHash("sha256");
    h.update(fs.readFileSync(build.dockerfile));
    h.update(JSON.stringify({ platform: build.platform ?? null, args: build.args ?? null, target: build.target ?? null }));
    for (const f of contextFiles(build)) h.update(`\0${f}\0`).update(fs.readFileSync(path.join(build.context, f)));
    return h.digest("hex");
}

const withoutCredentials = (inputs: Props): Props => {
    const { registry, ...rest } = inputs;
    if (!registry || typeof registry !== "object") return rest;
    const { username: _u, password: _p, ...server } = registry as Props;
    return { ...rest, registry: server };
};

const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/;

export class DockerDouble implements ProviderDouble {
    readonly name = "docker";
    readonly version = sdkVersion("docker");

    constructor(readonly cloud = new FakeCloud()) {}

    check(args: CheckArgs) {
        if (args.type !== IMAGE) throw new Error(`${args.type} is not implemented by the docker test double (only ${IMAGE})`);
        const failures = args.news.imageName === undefined ? [{ property: "imageName", reason: "Missing required property 'imageName'" }] : [];
        return { inputs: args.news, failures };
    }

    diff(args: DiffArgs) {
        // The provider ignores registry username/password changes (ECR tokens change every run).
        const d = diffInputs({ ...args, oldInputs: withoutCredentials(args.oldInputs), news: withoutCredentials(args.news) }, () => false);
        if (!d.changed.includes("build") && known(args.news.build) !== undefined) {
            let digest: string | undefined;
            try {
                digest = buildDigest(buildOf(args.news));
            } catch {
                digest = undefined; // a broken build shows as a change; the update then fails with the reason
            }
            if (digest !== args.olds.contextDigest) d.changed = [...d.changed, "build"].sort();
        }
        return d;
    }

    async create(args: CreateArgs) {
        const outs = await this.build(args.inputs, args.preview);
        return { id: args.preview ? "" : `${String(reveal(args.inputs.imageName))}-${String(outs.contextDigest).slice(0, 12)}`, outs };
    }

    update(args: UpdateArgs) {
        return this.build(args.inputs, args.preview);
    }

    async delete(): Promise<void> {
        // Like the provider, deleting the resource leaves the pushed image in the registry.
    }

    async read(args: ResourceArgs) {
        return { props: args.props, inputs: args.inputs };
    }

    invoke(token: string): Props {
        throw new Error(`invoke ${token} is not implemented by the docker test double`);
    }

    private async build(inputs: Props, preview: boolean): Promise<Props> {
        const imageName = String(reveal(inputs.imageName));
        const repo = imageName.replace(/:[^:/]+$/, "");
        const host = repo.split("/")[0];
        const build = buildOf(inputs);
        const base = { ...inputs, imageName, baseImageName: imageName, registryServer: host, context: build.context, dockerfile: build.dockerfile, platform: build.platform ?? "" };
        if (preview) return { ...base, repoDigest: UNKNOWN, contextDigest: UNKNOWN };
        const digest = buildDigest(build);
        if (!reveal(inputs.skipPush)) await this.push(repo, host, digest, reveal(inputs.registry) ?? {});
        return { ...base, repoDigest: `${repo}@sha256:${digest}`, contextDigest: digest };
    }

    /** Pushes to a fake ECR: the repository must exist and the push must carry credentials. */
    private async push(repo: string, host: string, digest: string, registry: Props): Promise<void> {
        const ecr = ECR_HOST.exec(host);
        if (!ecr) return;
        if (!registry.password || !registry.username) throw new Error(`docker push ${repo}: no basic auth credentials (registry username/password not given)`);
        await this.cloud.transact((resources) => {
            const exists = Object.values(resources).some((r) => r.type === "aws:ecr/repository:Repository" && r.props?.repositoryUrl === repo);
            if (!exists) throw new Error(`docker push ${repo}: name unknown: The repository with name '${repo.slice(host.length + 1)}' does not exist in the registry with id '${ecr[1]}'`);
            resources[recordKey(IMAGE_RECORD, `${repo}@${digest}`)] = { type: IMAGE_RECORD, id: `${repo}@sha256:${digest}`, region: ecr[2], props: { repositoryUrl: repo, digest } };
        });
    }
}

if (require.main === module) startOrExplain(() => serve(new DockerDouble()), "docker");
