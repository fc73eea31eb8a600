/**
 * What the docker and docker-build test doubles share: a build context as BuildKit sends it (the
 * ignore file BuildKit picks, the files and directories that survive it, their hash) and the fake
 * ECR (a push records `repository@digest` in the fake cloud, where the aws double's
 * `ecr/getImage` and its repository deletion see it).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { minimatch } from "minimatch";
import { FakeCloud, IMAGE_RECORD, recordKey } from "./shared";

export interface IgnoreRule { pattern: string; negated: boolean }

/** The first of `candidates` that is a file (BuildKit's order: `<Dockerfile>.dockerignore`, then `<context>/.dockerignore`) and its rules. */
export function readIgnoreFile(candidates: string[]): { file?: string; rules: IgnoreRule[] } {
    const file = candidates.find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    if (!file) return { rules: [] };
    const rules = fs.readFileSync(file, "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => {
        const negated = l.startsWith("!");
        return { pattern: path.posix.normalize((negated ? l.slice(1) : l).replace(/^\/+/, "")).replace(/\/$/, ""), negated };
    });
    return { file, rules };
}

export interface ContextListing {
    /** Regular files, relative with `/`, sorted: what is hashed. */
    files: string[];
    /** Directories that are sent (not excluded, or holding something that is not). */
    dirs: Set<string>;
    /** Every path that is sent: files, directories and links. */
    present: Set<string>;
}

const byName = (a: fs.Dirent, b: fs.Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** What BuildKit sends from `dir`: a path is excluded when the last rule matching it or a parent excludes it. */
export function listContext(dir: string, rules: IgnoreRule[]): ContextListing {
    const excluded = (rel: string) => {
        const parts = rel.split("/");
        const selfAndParents = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
        let out = false;
        for (const r of rules) if (selfAndParents.some((p) => minimatch(p, r.pattern, { dot: true }))) out = !r.negated;
        return out;
    };
    // An excluded directory is skipped unless an exception could bring back something inside it.
    const mayReinclude = (d: string) => rules.some((r) => r.negated && (r.pattern.startsWith(`${d}/`) || /[*?[]/.test(r.pattern)));
    const listing: ContextListing = { files: [], dirs: new Set(), present: new Set() };
    /** Walks `rel`; true when something below it is sent. */
    const walk = (rel: string): boolean => {
        let sent = false;
        for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort(byName)) {
            const child = rel ? `${rel}/${entry.name}` : entry.name;
            if (entry.isDirectory()) {
                const out = excluded(child);
                if (out && !mayReinclude(child)) continue;
                // fsutil sends an excluded directory only as the parent of something it sends.
                if (walk(child) || !out) {
                    listing.dirs.add(child);
                    listing.present.add(child);
                    sent = true;
                }
            } else if (!excluded(child)) {
                if (entry.isFile()) listing.files.push(child);
                listing.present.add(child);
                sent = true;
            }
        }
        return sent;
    };
    walk("");
    return listing;
}

/** Adds files (names and contents) to a hash, each framed so that moving bytes between names changes it. */
export function hashFiles(h: crypto.Hash, dir: string, files: string[]): crypto.Hash {
    for (const f of files) h.update(`\0${f}\0`).update(fs.readFileSync(path.join(dir, f)));
    return h;
}

// --- The fake ECR ------------------------------------------------------------------------------

export const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/;

export interface Push {
    /** `<host>/<repository>` without tag. */
    repo: string;
    /** The image digest, hex without `sha256:`. */
    digest: string;
    username?: string;
    password?: string;
    /** How the error names the push (`docker push <repo>`, `failed to push <tag>`). */
    what: string;
    /** What the "no basic auth credentials" error adds about where credentials come from. */
    credentialsHint: string;
}

/** Pushes to a fake ECR (other registries accept anything): the push must carry credentials and the repository must exist. */
export async function pushToFakeEcr(cloud: FakeCloud, push: Push): Promise<void> {
    const host = push.repo.split("/")[0];
    const ecr = ECR_HOST.exec(host);
    if (!ecr) return;
    if (!push.password || !push.username) throw new Error(`${push.what}: no basic auth credentials (${push.credentialsHint})`);
    await cloud.transact((resources) => {
        const exists = Object.values(resources).some((r) => r.type === "aws:ecr/repository:Repository" && r.props?.repositoryUrl === push.repo);
        if (!exists) throw new Error(`${push.what}: name unknown: The repository with name '${push.repo.slice(host.length + 1)}' does not exist in the registry with id '${ecr[1]}'`);
        resources[recordKey(IMAGE_RECORD, `${push.repo}@${push.digest}`)] = { type: IMAGE_RECORD, id: `${push.repo}@sha256:${push.digest}`, region: ecr[2], props: { repositoryUrl: push.repo, digest: push.digest } };
    });
}

/** Whether the fake ECR holds `repo@sha256:<digest>`. */
export function inFakeEcr(cloud: FakeCloud, repo: string, digest: string): boolean {
    return cloud.records((r) => r.type === IMAGE_RECORD && r.props?.repositoryUrl === repo && r.props?.digest === digest).length > 0;
}

/** Deletes the manifest `repo@sha256:<digest>` from the fake ECR (whoever pushed it: a manifest is deleted by digest). */
export async function deleteFromFakeEcr(cloud: FakeCloud, repo: string, digest: string): Promise<void> {
    await cloud.transact((resources) => {
        delete resources[recordKey(IMAGE_RECORD, `${repo}@${digest}`)];
    });
}
