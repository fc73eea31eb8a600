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
import { hashFiles, listContext, pushToFakeEcr, readIgnoreFile } from "./dockerContext";
import {
    CheckArgs, CreateArgs, diffInputs, DiffArgs, FakeCloud, known, ProviderDouble, Props, ResourceArgs, reveal, sdkVersion, serve,
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

/** Files Docker would send, after the BuildKit ignore file (`<Dockerfile>.dockerignore`, else `<context>/.dockerignore`). */
export function contextFiles(build: Build): string[] {
    const { rules } = readIgnoreFile([`${build.dockerfile}.dockerignore`, path.join(build.context, ".dockerignore")]);
    return listContext(build.context, rules).files;
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
    return hashFiles(h, build.context, contextFiles(build)).digest("hex");
}

const withoutCredentials = (inputs: Props): Props => {
    const { registry, ...rest } = inputs;
    if (!registry || typeof registry !== "object") return rest;
    const { username: _u, password: _p, ...server } = registry as Props;
    return { ...rest, registry: server };
};

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
        if (!reveal(inputs.skipPush)) await this.push(repo, digest, reveal(inputs.registry) ?? {});
        return { ...base, repoDigest: `${repo}@sha256:${digest}`, contextDigest: digest };
    }

    /** Pushes to a fake ECR: the repository must exist and the push must carry credentials. */
    private push(repo: string, digest: string, registry: Props): Promise<void> {
        return pushToFakeEcr(this.cloud, { repo, digest, username: registry.username, password: registry.password, what: `docker push ${repo}`, credentialsHint: "registry username/password not given" });
    }
}

if (require.main === module) startOrExplain(() => serve(new DockerDouble()), "docker");
