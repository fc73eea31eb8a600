/**
 * Generated images, run natively: for app folders without a Dockerfile, the platform writes one
 * (components/generatedDockerfile.ts). There is no Docker here, so each test reads the generated
 * Dockerfile and does on this machine what the image would do, as the template tests run theirs
 * (test/apps/harness.ts): the final stage's ENV, WORKDIR, COPY, USER and exec-form CMD, with the
 * image's paths mapped to this machine. Apps this project did not write: the Shiny examples inside
 * Debian's r-cran-shiny (read where they are installed), Streamlit's `hello` app from its PyPI
 * package (copied to a temporary folder with a requirements.txt pinning that streamlit), and the
 * Dash and Flask tutorial fixtures (test/fixtures/python-apps, their venvs from
 * scripts/setup-app-tests.sh).
 *
 * How the image maps to this machine (each mapping comes from a line of the Dockerfile):
 * - `COPY --from=dashboards-platform <src> <dest>`: <dest> is apps/shared/<src> (the named
 *   context the platform builds with), so /shared -> apps/shared;
 * - `COPY --from=build /opt/venv /opt/venv`: the venv pip filled in the build stage, here the venv
 *   the setup script made as that stage does (checked by its stamp: the same requirement files,
 *   --uploaded-prior-to day and slimming script; and every pin at its version); `COPY --from=build /opt/R/<version>`: R and its library, here this machine's R;
 * - WORKDIR /app and the COPY lines from the app folder: /app is a temporary folder holding what
 *   those lines copy, and nothing else (so an app that needs a file they leave out fails here too);
 * - R packages the image installs (build stage or install2.r): they must be in R's library here
 *   (Debian's r-cran-*); a final-stage `Rscript -e` check (every package loads) runs here too;
 *   `apt-get` (Debian's run-time libraries) is this machine's own packages;
 * - `RUN useradd`, `USER`: the app runs as this machine's user (Python lives in root's pyenv here,
 *   out of uid 10001's reach); instead, the test checks that the app wrote nothing under /app
 *   outside the folders the Dockerfile gives that user (`install -d -o`), as there /app is root's;
 * - ENV: ARGs expanded, each value's absolute paths mapped as above, `$PATH` this machine's; then
 *   PORT is a free port and HOST 127.0.0.1, as the harness starts the templates; the network
 *   guard is appended to a Python app's PYTHONPATH, and HOME is a temporary folder;
 * - VOLUME: the platform deploys generated images with a read-only root file system and these
 *   folders writable, so the app runs so here too (fixtures/read_only_root.sh, in a mount
 *   namespace): every mount read-only, /tmp a fresh tmpfs, and each other VOLUME the folder that
 *   stands in for it; /app and HOME are kept outside /tmp for that;
 * - CMD and HEALTHCHECK (exec form): argv[0] looked up on the mapped PATH, as execvp does.
 * Any other instruction or command in the final stage fails the test: the emulation must keep up
 * with the generator, not skip what it does not understand.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { Page } from "playwright-core";
import { GeneratedSource, resolveAppSource } from "../../components/appSource";
import { BUILD_PIP_REQUIREMENTS, GENERATED_WSGI_HEALTH_PATH } from "../../components/generatedDockerfile";
import { needs, Prerequisite, PREREQUISITES } from "../prerequisites";
import { APPS, dragSlider, freePort, Identity, IMAGE_VENVS_DIR, NATIVE_IMAGES_DIR, NETWORK_GUARD, NETWORK_GUARD_MARK, ReadOnlyRoot, ROOT, RunningApp, sitePackagesOf, startApp, Suite, useRunningApp } from "./harness";

const SHARED = path.join(APPS, "shared");
const SHINY_EXAMPLES = "/usr/lib/R/site-library/shiny/examples";
const FIXTURES = path.join(ROOT, "test", "fixtures", "python-apps");
/** The stand-in for the generated image of Streamlit's hello app (scripts/setup-app-tests.sh), whose streamlit package holds the app. */
const STREAMLIT_VENV = path.join(IMAGE_VENVS_DIR, "streamlit-hello");
const SHOTS = path.join(ROOT, ".test-artifacts", "screenshots");
/** The named build contexts the platform passes to every build (components: dashboards-platform = apps/shared). */
const NAMED_CONTEXTS: Record<string, string> = { "dashboards-platform": SHARED };

// ---------------------------------------------------------------------------------------------
// Reading a Dockerfile

interface Instruction {
    op: string;
    /** Leading --name=value flags (COPY --from=..., HEALTHCHECK --interval=...). */
    flags: Record<string, string>;
    /** The rest after the flags. */
    rest: string;
}

/** The instructions of a Dockerfile: comments dropped, continuation lines joined, flags split off. */
function instructions(text: string): Instruction[] {
    const logical: string[] = [];
    let pending = "";
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line.startsWith("#") || (line === "" && pending === "")) continue; // comments also inside continuations, as BuildKit
        if (line.endsWith("\\")) {
            pending += line.slice(0, -1) + " ";
            continue;
        }
        logical.push(pending + line);
        pending = "";
    }
    if (pending.trim()) logical.push(pending);
    return logical.map((line) => {
        const m = /^(\w+)\s+(.*)$/s.exec(line);
        if (!m) throw new Error(`not an instruction: ${line}`);
        let rest = m[2].trim();
        const flags: Record<string, string> = {};
        for (let f = /^--([\w-]+)=(\S+)\s+/.exec(rest); f; f = /^--([\w-]+)=(\S+)\s+/.exec(rest)) {
            flags[f[1]] = f[2];
            rest = rest.slice(f[0].length);
        }
        return { op: m[1].toUpperCase(), flags, rest };
    });
}

/** `["a","b"]` (exec/JSON form) as its strings; anything else is refused. */
function jsonForm(rest: string, what: string): string[] {
    const parsed: unknown = JSON.parse(rest);
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((s) => typeof s === "string")) throw new Error(`${what}: not a JSON array of strings: ${rest}`);
    return parsed;
}

/** `ENV a=b c="d e"` as pairs, in order. */
function envPairs(rest: string): [string, string][] {
    const pairs: [string, string][] = [];
    const re = /([A-Za-z_]\w*)=("(?:[^"\\]|\\.)*"|\S*)\s*/gy;
    let read = 0;
    for (let m = re.exec(rest); m !== null && m[0] !== ""; m = re.exec(rest)) {
        pairs.push([m[1], m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2]]);
        read = re.lastIndex;
    }
    if (read !== rest.length) throw new Error(`ENV: cannot read ${rest.slice(read)}`);
    return pairs;
}

// ---------------------------------------------------------------------------------------------
// The image, on this machine

interface NativeImage {
    /** The image's ENV as written (image paths). */
    imageEnv: Record<string, string>;
    /** The environment to run with: image paths mapped, PORT/HOST not yet set. */
    env: Record<string, string>;
    /** WORKDIR, mapped. */
    cwd: string;
    /** CMD, argv[0] resolved on the mapped PATH, arguments mapped. */
    command: string;
    args: string[];
    /** HEALTHCHECK's CMD, resolved the same way. */
    healthcheck: { command: string; args: string[] };
    /** USER (the image runs as it; see the file's comment). */
    user: string;
    /** The folder standing in for /app (only what the COPY lines put there), and the folders in it the image's user may write. */
    appRoot: string;
    writable: string[];
    /** VOLUME: what the task may write with its read-only root file system, as this machine's run gets it. */
    readOnlyRoot: ReadOnlyRoot;
    /** Requirement files the build stage's pip installs into /opt/venv, mapped (Python). */
    requirementFiles: string[];
    /** What else the build stage does to /opt/venv (Python): pip's --uploaded-prior-to day, and the slimming script run on it (mapped). */
    venvBuild: { uploadedPriorTo?: string; slimScript?: string };
    /** R packages the stage installs (Shiny). */
    rPackages: string[];
    cleanup(): void;
}

interface Mapping { image: string; host: string }

/** Longest image-path prefix that maps; unmapped absolute paths (e.g. /usr/bin) are this machine's too. */
function mapPath(mappings: Mapping[], p: string): string {
    const hit = mappings
        .filter((m) => p === m.image || p.startsWith(m.image.endsWith("/") ? m.image : m.image + "/"))
        .sort((a, b) => b.image.length - a.image.length)[0];
    return hit ? path.join(hit.host, p.slice(hit.image.length)) : p;
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);

/** A shell-form RUN as its commands (split at `&&`), each as words; quotes as sh reads them (no globbing, no $ in words here). */
function shellCommands(run: string): string[][] {
    const commands: string[][] = [[]];
    let word: string | undefined;
    let quote: "'" | '"' | undefined;
    const end = () => {
        if (word !== undefined) commands[commands.length - 1].push(word);
        word = undefined;
    };
    for (let i = 0; i < run.length; i++) {
        const c = run[i];
        if (quote) {
            if (c === quote) quote = undefined;
            else if (quote === '"' && c === "\\" && i + 1 < run.length) word += run[++i];
            else word += c;
        } else if (c === "'" || c === '"') {
            quote = c;
            word ??= "";
        } else if (/\s/.test(c)) {
            end();
        } else if (c === "&" && run[i + 1] === "&") {
            end();
            commands.push([]);
            i++;
        } else if (";|<>`()".includes(c)) {
            throw new Error(`RUN: the native run reads only commands joined by &&: ${run}`);
        } else {
            word = (word ?? "") + c;
        }
    }
    if (quote) throw new Error(`RUN: unterminated quote: ${run}`);
    end();
    return commands.filter((c) => c.length > 0);
}

/** `${NAME}` and `$NAME` from `vars`; `keep` (e.g. PATH) left as written, for the caller. */
function expand(text: string, vars: Record<string, string>, keep: string[] = []): string {
    return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => {
        const name = (a ?? b)!;
        if (keep.includes(name)) return whole;
        if (!(name in vars)) throw new Error(`cannot expand ${whole}: not an ARG or ENV of the stage`);
        return vars[name];
    });
}

/** The arguments of an R package install (`install2.r [flags] pkgs`, `Rscript install_packages.R [--renv lock] pkgs`): the packages. */
function rPackagesOf(words: string[]): string[] {
    const takesValue = ["--ncpus", "-n", "--repos", "-r", "--renv", "--libloc", "-l"];
    const out: string[] = [];
    for (let i = 0; i < words.length; i++) {
        if (takesValue.includes(words[i])) i++;
        else if (!words[i].startsWith("-")) out.push(words[i]);
    }
    return out;
}

/**
 * Lays the image out on this machine as the file's comment describes. `folder` is the build context
 * (the app folder); `venv` the environment standing in for the build stage's /opt/venv (Python).
 *
 * Build stages make what the final stage copies from them; here the setup script made the stand-ins,
 * so of a build stage only what it installs is read (pip's requirement files, R's packages), to
 * check the stand-in against. The final stage is followed instruction by instruction.
 */
function nativeImage(dockerfile: string, folder: string, venv?: string): NativeImage {
    // Not under /tmp: the app runs with a fresh /tmp, as the task does (its VOLUME).
    fs.mkdirSync(NATIVE_IMAGES_DIR, { recursive: true });
    const appRoot = fs.mkdtempSync(path.join(NATIVE_IMAGES_DIR, "gen-image-app-"));
    try {
        return layOut(dockerfile, folder, appRoot, venv);
    } catch (err) {
        fs.rmSync(appRoot, { recursive: true, force: true });
        throw err;
    }
}

function layOut(dockerfile: string, folder: string, appRoot: string, venv?: string): NativeImage {
    const all = instructions(dockerfile);
    const froms = all.map((ins, i) => (ins.op === "FROM" ? i : -1)).filter((i) => i >= 0);
    expect(froms.length, "stages").to.be.within(1, 2);
    const globalArgs: Record<string, string> = {};
    for (const ins of all.slice(0, froms[0])) {
        const m = /^(\w+)(?:=(.*))?$/.exec(ins.rest);
        if (ins.op !== "ARG" || !m) throw new Error(`before FROM: ${ins.op} ${ins.rest}`);
        globalArgs[m[1]] = m[2] ?? "";
    }
    /** ARG in a stage: its default, or the global one it redeclares. */
    const arg = (vars: Record<string, string>, rest: string) => {
        const m = /^(\w+)(?:=(.*))?$/.exec(rest) ?? expect.fail(`ARG ${rest}`);
        vars[m[1]] = m[2] !== undefined ? expand(m[2], vars) : (globalArgs[m[1]] ?? "");
    };
    fs.chmodSync(appRoot, 0o755);
    const requirementFiles: string[] = [];
    const venvBuild: NativeImage["venvBuild"] = {};
    const rPackages: string[] = [];
    const writable: string[] = [];

    // The build stage: where its files come from (for the requirement files pip reads) and what it installs.
    const buildMappings: Mapping[] = [];
    if (froms.length === 2) {
        expect(all[froms[0]].rest, "first stage").to.match(/ AS build$/);
        const vars: Record<string, string> = {};
        for (const ins of all.slice(froms[0] + 1, froms[1])) {
            if (ins.op === "ARG") arg(vars, ins.rest);
            else if (ins.op === "COPY") {
                const parts = ins.flags.from ? ins.rest.split(/\s+/) : jsonForm(ins.rest, "COPY");
                const [src, dest] = [parts.slice(0, -1), expand(parts[parts.length - 1], vars)];
                expect(src, `one source: ${ins.rest}`).to.have.length(1);
                const host = ins.flags.from ? path.join(NAMED_CONTEXTS[ins.flags.from] ?? expect.fail(`unknown context ${ins.flags.from}`), src[0]) : path.join(folder, src[0]);
                buildMappings.push({ image: trimSlash(dest), host });
            } else if (ins.op === "RUN") {
                for (const words of shellCommands(expand(ins.rest, vars))) {
                    const pip = words.indexOf("install");
                    const line = words.join(" ");
                    if (line.match(/^python -m venv( --without-pip)? \/opt\/venv$/)) {
                        if (!venv) throw new Error("the image has a Python venv: pass the venv standing in for it");
                        buildMappings.push({ image: "/opt/venv", host: venv });
                    } else if (line === `python -m pip install --no-cache-dir -r ${BUILD_PIP_REQUIREMENTS}`) {
                        // The build stage's own pip (the one the stand-in was filled with: scripts/setup-app-tests.sh).
                    } else if (words.some((w) => /(^|\/)pip$/.test(w)) && pip > 0) {
                        expect(words.slice(0, pip + 1).join(" "), "pip installs into the venv the final stage copies").to.equal("pip --python /opt/venv/bin/python install");
                        words.forEach((w, i) => w === "-r" && requirementFiles.push(mapPath(buildMappings, words[i + 1])));
                        const day = words.map((w) => /^--uploaded-prior-to=(\d{4}-\d{2}-\d{2})T00:00:00Z$/.exec(w)?.[1]).find(Boolean);
                        if (day) venvBuild.uploadedPriorTo = day;
                    } else if (words[0] === "python" && /\/slim_environment\.py$/.test(words[1] ?? "") && words[2] === "/opt/venv" && words.length === 3) {
                        venvBuild.slimScript = mapPath(buildMappings, words[1]);
                    } else if (words[0] === "install2.r" || (words[0] === "Rscript" && /install_packages\.R$/.test(words[1] ?? ""))) {
                        rPackages.push(...rPackagesOf(words.slice(words[0] === "Rscript" ? 2 : 1)));
                    }
                    // Anything else (apt-get, R itself, a cp into R's etc/) built what the stand-in replaces.
                }
            } else if (ins.op === "ENV") {
                for (const [k, v] of envPairs(ins.rest)) vars[k] = expand(v, vars, ["PATH"]);
            }
        }
    }

    const mappings: Mapping[] = [];
    const imageEnv: Record<string, string> = {};
    const vars: Record<string, string> = {};
    let workdir = "/";
    let user = "root";
    let cmd: string[] | undefined;
    let healthcheck: string[] | undefined;
    const volumes: string[] = [];
    /** Commands the image runs while building that check something (they run here too, once the layout is done). */
    const checks: string[][] = [];
    for (const ins of all.slice(froms[froms.length - 1] + 1)) {
        switch (ins.op) {
            case "ARG":
                arg(vars, ins.rest);
                break;
            case "EXPOSE":
                break; // documentation; PORT is what the app listens on
            case "ENV":
                for (const [k, v] of envPairs(ins.rest)) imageEnv[k] = vars[k] = expand(v, vars, ["PATH"]);
                break;
            case "WORKDIR":
                workdir = path.posix.resolve(workdir, ins.rest);
                expect(workdir, "the app's folder").to.equal("/app");
                mappings.push({ image: "/app", host: appRoot });
                break;
            case "USER":
                user = ins.rest;
                break;
            case "COPY": {
                if (ins.flags.from === "build") {
                    const [src, dest] = expand(ins.rest, vars).split(/\s+/);
                    expect(src, "what the build stage made").to.equal(dest);
                    if (src === "/opt/venv") mappings.push({ image: "/opt/venv", host: mapPath(buildMappings, "/opt/venv") });
                    else expect(src, "R as built in the image; here this machine's R (Rscript on PATH)").to.match(/^\/opt\/R\/[\d.]+$/);
                } else if (ins.flags.from) {
                    const [src, dest] = ins.rest.split(/\s+/);
                    const context = NAMED_CONTEXTS[ins.flags.from] ?? expect.fail(`unknown named context ${ins.flags.from}`);
                    mappings.push({ image: trimSlash(dest), host: path.join(context, src) });
                } else {
                    // From the app folder: copied for real, into the folder that stands in for /app.
                    const parts = jsonForm(ins.rest, "COPY");
                    const dest = path.posix.resolve(workdir, parts[parts.length - 1]);
                    expect(dest === "/app" || dest.startsWith("/app/"), `COPY into /app: ${ins.rest}`).to.equal(true);
                    for (const src of parts.slice(0, -1)) {
                        const from = path.join(folder, src);
                        const to = fs.statSync(from).isDirectory() ? mapPath(mappings, dest) : path.join(mapPath(mappings, dest), path.basename(src));
                        fs.cpSync(from, to, { recursive: true });
                    }
                }
                break;
            }
            case "RUN":
                for (const words of shellCommands(expand(ins.rest, vars, ["PATH"]))) {
                    if (words[0] === "useradd") {
                        // The image's user; here the app runs as this machine's (see the file's comment).
                    } else if (words[0] === "apt-get" || (words[0] === "rm" && words.slice(2).every((w) => w.startsWith("/var/lib/apt/") || w.startsWith("/tmp/")))) {
                        // Debian's run-time libraries: here the machine's own (the setup script's packages).
                    } else if (words[0] === "install2.r") {
                        rPackages.push(...rPackagesOf(words.slice(1)));
                    } else if (words[0] === "Rscript" && words[1] === "-e") {
                        checks.push(words); // e.g. every package loads
                    } else if (words[0] === "install" && words[1] === "-d") {
                        // Folders the image's user owns inside the root-owned code: `install -d -o USER -g GROUP DIR...`.
                        expect(words.slice(2, 6).filter((_, i) => i % 2 === 0), words.join(" ")).to.deep.equal(["-o", "-g"]);
                        for (const d of words.slice(6)) {
                            const host = mapPath(mappings, path.posix.resolve(workdir, d));
                            expect(host.startsWith(appRoot + path.sep), `${d} inside /app`).to.equal(true);
                            fs.mkdirSync(host, { recursive: true });
                            writable.push(host);
                        }
                    } else {
                        throw new Error(`the native run does not know how to do this command of the image: RUN ${words.join(" ")}`);
                    }
                }
                break;
            case "HEALTHCHECK": {
                const m = /^CMD (\[.*\])$/.exec(ins.rest);
                healthcheck = jsonForm(m?.[1] ?? expect.fail(`HEALTHCHECK: ${ins.rest}`), "HEALTHCHECK");
                break;
            }
            case "CMD":
                cmd = jsonForm(ins.rest, "CMD");
                break;
            case "VOLUME":
                volumes.push(...jsonForm(ins.rest, "VOLUME").map((v) => path.posix.resolve(workdir, v)));
                break;
            default:
                throw new Error(`the native run does not know how to do this instruction of the image: ${ins.op} ${ins.rest}`);
        }
    }
    if (!cmd || !healthcheck) throw new Error("the image has no exec-form CMD or HEALTHCHECK");
    // ENV with the image's paths mapped (PATH-like values part by part), $PATH being this machine's.
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(imageEnv)) {
        env[k] = v
            .split(":")
            .map((part) => {
                if (part === "$PATH" || part === "${PATH}") return process.env.PATH ?? "/usr/bin:/bin";
                return part.startsWith("/") ? mapPath(mappings, part) : part;
            })
            .join(":");
    }
    // argv[0] as execvp finds it on the mapped PATH; absolute arguments mapped.
    const resolve = ([bin, ...args]: string[]) => {
        const command = bin.includes("/")
            ? mapPath(mappings, path.posix.resolve(workdir, bin))
            : (env.PATH ?? process.env.PATH ?? "").split(":").map((dir) => path.join(dir, bin)).find((f) => fs.existsSync(f)) ?? expect.fail(`${bin} not on the image's PATH here: ${env.PATH}`);
        return { command, args: args.map((a) => (a.startsWith("/") ? mapPath(mappings, a) : a)) };
    };
    for (const check of checks) {
        const { command, args } = resolve(check);
        execFileSync(command, args, { cwd: appRoot, env: { ...process.env, ...env }, stdio: "pipe" });
    }
    // The code is root's in the image: read-only here too (as far as permissions stop this user).
    const readOnly = (p: string) => {
        if (writable.includes(p)) return;
        const st = fs.statSync(p);
        if (st.isDirectory()) for (const e of fs.readdirSync(p)) readOnly(path.join(p, e));
        fs.chmodSync(p, st.isDirectory() ? 0o555 : 0o444);
    };
    readOnly(appRoot);
    // The task's read-only root: /tmp a fresh tmpfs, each other VOLUME the folder standing in for it
    // (ECS fills the volume with what the image has there). A folder the image gives its user is of no
    // use unless it is a VOLUME too, so each must be one.
    const readOnlyRoot: ReadOnlyRoot = { tmpfs: [], writable: [] };
    for (const v of volumes) {
        const host = mapPath(mappings, v);
        if (v === "/tmp") readOnlyRoot.tmpfs.push("/tmp");
        else if (host !== v && fs.existsSync(host)) readOnlyRoot.writable!.push(host);
        else throw new Error(`the native run cannot stand in for VOLUME ${v}: neither /tmp nor a folder the image made`);
    }
    for (const w of writable) expect(readOnlyRoot.writable, `${path.relative(appRoot, w)}, which the image's user owns, is a VOLUME (writable with a read-only root)`).to.include(w);
    return {
        imageEnv,
        env,
        cwd: mapPath(mappings, workdir),
        ...resolve(cmd),
        healthcheck: resolve(healthcheck),
        user,
        appRoot,
        writable,
        readOnlyRoot,
        requirementFiles,
        venvBuild,
        rPackages: [...new Set(rPackages)],
        cleanup() {
            execFileSync("chmod", ["-R", "u+w", appRoot]);
            fs.rmSync(appRoot, { recursive: true, force: true });
        },
    };
}

/** Every file under `dir` with its size and modification time. */
function snapshot(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (p: string) => {
        const st = fs.lstatSync(p);
        out.set(path.relative(dir, p) || ".", st.isDirectory() ? "dir" : `${st.size}:${st.mtimeMs}`);
        if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    };
    walk(dir);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Starting them

interface Started {
    source: GeneratedSource;
    image: NativeImage;
    /** The /app tree right after the image was laid out (before the app ran). */
    before: Map<string, string>;
}

const startTimes: { app: string; healthPath: string; ms: number }[] = [];

function generated(appsDir: string, app: string, framework: string, entrypoint?: string): GeneratedSource {
    const result = resolveAppSource({ appsDir, app, framework, entrypoint });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    if (result.source.kind !== "generated") throw new Error(`${app}: not generated`);
    return result.source;
}

/** Generates the app's Dockerfile, lays the image out and starts its CMD on a free loopback port. */
async function startGenerated(
    state: Partial<Started>,
    identity: Identity,
    opts: { name: string; appsDir: string; app: string; framework: string; entrypoint?: string; venv?: string },
): Promise<RunningApp> {
    const source = generated(opts.appsDir, opts.app, opts.framework, opts.entrypoint);
    const image = nativeImage(source.dockerfile, path.join(opts.appsDir, opts.app), opts.venv);
    state.source = source;
    state.image = image;
    state.before = snapshot(image.appRoot);
    const home = fs.mkdtempSync(path.join(NATIVE_IMAGES_DIR, "gen-image-home-"));
    const port = await freePort();
    const python = image.imageEnv.PYTHONPATH !== undefined;
    const started = startApp({
        name: opts.name,
        command: image.command,
        args: image.args,
        cwd: image.cwd,
        env: {
            ...identity.env, // what every dashboard's task gets (components/appEnvironment.ts)
            ...image.env,
            PORT: String(port),
            HOST: "127.0.0.1",
            HOME: home,
            ...(python ? { PYTHONPATH: [image.env.PYTHONPATH, NETWORK_GUARD].join(path.delimiter) } : {}),
        },
        port,
        healthPath: source.healthCheckPath,
        timeoutMs: 90_000,
        // As the platform deploys a generated image: a read-only root, its VOLUMEs writable.
        readOnlyRoot: image.readOnlyRoot,
    });
    const app = await started.catch((err: unknown) => {
        fs.rmSync(home, { recursive: true, force: true });
        throw err;
    });
    startTimes.push({ app: opts.name, healthPath: source.healthCheckPath, ms: app.startMs });
    const stop = app.stop.bind(app);
    app.stop = async () => {
        await stop();
        fs.rmSync(home, { recursive: true, force: true });
    };
    return app;
}

/** First check of every generated image: its health check path, and its HEALTHCHECK command run here. */
function itAnswersItsHealthChecks(suite: Suite, state: Partial<Started>): void {
    it("answers the target group's health check path with 200, and the image's HEALTHCHECK command passes", async () => {
        const res = await fetch(suite.app.url + state.source!.healthCheckPath);
        expect(res.status).to.equal(200);
        const { command, args } = state.image!.healthcheck;
        // Throws (exit status not 0) when unhealthy; run with the image's environment and the app's port.
        execFileSync(command, args, { cwd: state.image!.cwd, env: { ...process.env, ...state.image!.env, PORT: String(suite.app.port) }, stdio: "pipe", timeout: 20_000 });
    });
}

/** Last checks of every generated image, after the browser has used it: where it wrote, and (Python) the network. */
function itStayedInsideTheImage(suite: Suite, state: Partial<Started>, python: boolean): void {
    it("wrote nothing into its code (root's in the image) outside the folders the image's user owns", () => {
        const { appRoot, writable, user } = state.image!;
        expect(user, "the image runs unprivileged").to.equal("10001");
        const after = snapshot(appRoot);
        const inWritable = (rel: string) => writable.some((w) => path.join(appRoot, rel).startsWith(w + path.sep));
        const changed = [...after].filter(([rel, v]) => state.before!.get(rel) !== v && !inWritable(rel)).map(([rel]) => rel);
        const removed = [...state.before!.keys()].filter((rel) => !after.has(rel));
        expect([...changed, ...removed], "paths under /app the app created, changed or removed").to.deep.equal([]);
    });

    if (python) {
        it("made no outbound network connection", () => {
            expect(suite.app.logs()).not.to.include(NETWORK_GUARD_MARK);
        });
    }
}

async function shot(page: Page, name: string): Promise<void> {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `generated-${name}.png`), fullPage: true });
}

/** Requirements pinned in `files` (following -r/-c) that the venv does not have at that version. */
function unmetPins(venv: string, files: string[]): string[] {
    const script = [
        "import importlib.metadata as md, pathlib, re, sys",
        "def pins(f):",
        "    for line in pathlib.Path(f).read_text().splitlines():",
        "        line = line.split('#', 1)[0].strip()",
        "        inc = re.match(r'-[rc]\\s+(\\S+)$', line)",
        "        if inc: yield from pins(pathlib.Path(f).parent / inc[1]); continue",
        "        m = re.match(r'([A-Za-z0-9._-]+)(?:\\[[^\\]]*\\])?\\s*(?:==\\s*(\\S+))?', line)",
        "        if m and m[1]: yield m[1], m[2]",
        "for f in sys.argv[1:]:",
        "    for name, want in pins(f):",
        "        try: have = md.version(name)",
        "        except md.PackageNotFoundError: have = None",
        "        if have is None or (want and have != want): print(f'{name}=={want} (here: {have})')",
    ].join("\n");
    return execFileSync(path.join(venv, "bin", "python"), ["-c", script, ...files], { encoding: "utf8" }).split("\n").filter(Boolean);
}

/**
 * What the stand-in venv must have been made from, as scripts/setup-app-tests.sh stamps it: the
 * requirement files the image's pip reads, its --uploaded-prior-to day and the slimming script.
 * A Dockerfile that installs or slims differently from the stand-in gives another hash.
 */
function imageBuildStamp(image: NativeImage): string {
    const parts = [
        ...image.requirementFiles.map((f) => fs.readFileSync(f)),
        ...(image.venvBuild.uploadedPriorTo ? [Buffer.from(`--uploaded-prior-to=${image.venvBuild.uploadedPriorTo}\n`)] : []),
        ...(image.venvBuild.slimScript ? [fs.readFileSync(image.venvBuild.slimScript)] : []),
    ];
    return execFileSync("sha256sum", { input: Buffer.concat(parts) }).toString().split(" ")[0];
}

/** The stand-in was made as the image's build stage makes /opt/venv, and has every pin at its version. */
function expectBuiltAsTheImage(image: NativeImage, venv: string): void {
    expect(image.venvBuild.uploadedPriorTo, "the image installs packages as of a day").to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(image.venvBuild.slimScript, "the image slims its environment").to.equal(path.join(SHARED, "python", "slim_environment.py"));
    expect(fs.readFileSync(path.join(venv, ".image-build.sha256"), "utf8").trim(), "the stand-in venv was made from what the image's build stage installs, as of its day, slimmed by the same script").to.equal(imageBuildStamp(image));
    expect(unmetPins(venv, image.requirementFiles)).to.deep.equal([]);
    expect(fs.existsSync(path.join(venv, "bin", "pip")), "no pip of its own, as in the image").to.equal(false);
}

// ---------------------------------------------------------------------------------------------

const shinyNeeds: Prerequisite[] = [PREREQUISITES.rscript, PREREQUISITES.shinyExamples, PREREQUISITES.chromium];

describe("generated images, their command run natively, on apps this project did not write", function () {
    this.timeout(120_000);

    after(() => {
        if (startTimes.length === 0) return;
        console.log("\n  start to first 200 from the health check path (generated images' commands, natively):");
        for (const t of startTimes) console.log(`    ${t.app.padEnd(24)} ${t.healthPath.padEnd(20)} ${(t.ms / 1000).toFixed(2)} s`);
    });

    describe("Shiny: the examples inside Debian's r-cran-shiny", () => {
        /** Registers one example's suite; `check` drives the page. */
        const example = (name: string, shows: string, heading: string | RegExp, check: (page: Page) => Promise<void>) =>
            describe(name, () => {
                needs(...shinyNeeds);
                const state: Partial<Started> = {};
                const suite = useRunningApp((id) => startGenerated(state, id, { name: `shiny ${name}`, appsDir: SHINY_EXAMPLES, app: name, framework: "shiny" }));
                after(() => state.image?.cleanup());

                it("is started as its image starts it: Rscript /shared/r/run.R on the example's app.R, with the R packages the image installs", () => {
                    const { image, source } = state as Started;
                    expect(source.healthCheckPath).to.equal("/");
                    expect(image.imageEnv.APP_DIR).to.equal("/app/app.R");
                    expect(image.env.APP_DIR).to.equal(path.join(image.appRoot, "app.R"));
                    expect(fs.readFileSync(image.env.APP_DIR, "utf8")).to.equal(fs.readFileSync(path.join(SHINY_EXAMPLES, name, "app.R"), "utf8"));
                    expect([path.basename(image.command), ...image.args]).to.deep.equal(["Rscript", path.join(SHARED, "r", "run.R")]);
                    expect(image.rPackages).to.include("shiny");
                    const missing = execFileSync("Rscript", ["-e", `for (p in commandArgs(TRUE)) if (!nzchar(system.file(package = p))) cat(p, "\\n")`, ...image.rPackages], { encoding: "utf8" }).trim();
                    expect(missing, "R packages of the image missing here").to.equal("");
                });

                itAnswersItsHealthChecks(suite, state);

                it(`renders in Chromium: ${shows}`, async () => {
                    const page = await suite.browser.newPage();
                    try {
                        await page.goto(suite.app.url + "/");
                        await page.getByRole("heading", { name: heading }).waitFor();
                        await check(page);
                        await shot(page, `shiny-${name}`);
                    } finally {
                        await page.close();
                    }
                });

                itStayedInsideTheImage(suite, state, false);
            });

        const imgSrc = (page: Page) => page.locator("#distPlot img").getAttribute("src");
        example("01_hello", "the histogram R draws, redrawn for fewer bins when the slider moves", "Hello Shiny!", async (page) => {
            // The histogram, drawn by R; fewer bins draw another one.
            await page.locator("#distPlot img").waitFor();
            const first = await imgSrc(page);
            expect(first).to.match(/^data:image\/png;base64,/);
            expect(await page.locator("#bins").inputValue()).to.equal("30");
            await dragSlider(page, "bins", 0.1);
            await page.waitForFunction((prev) => document.querySelector("#distPlot img")?.getAttribute("src") !== prev, first, { timeout: 30_000 });
            expect(Number(await page.locator("#bins").inputValue())).to.be.below(30);
        });

        /** The values table of 05_sliders as { Name: Value }, cells trimmed (xtable pads them). */
        const sliderTable = (page: Page) =>
            page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll("#values tbody tr"), (tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent!.trim()))));
        example("05_sliders", "the table echoing each slider, its Integer row following the dragged slider", "Sliders", async (page) => {
            // The table echoes each slider; moving one changes its row.
            await page.locator("#values table").waitFor();
            expect(await sliderTable(page)).to.deep.equal({ Integer: "500", Decimal: "0.5", Range: "200 500", "Custom Format": "0", Animation: "1" });
            await dragSlider(page, "integer", 0.9);
            await page.waitForFunction(() => Array.from(document.querySelectorAll("#values td")).some((td, i, all) => td.textContent!.trim() === "Integer" && all[i + 1]?.textContent!.trim() !== "500"), undefined, { timeout: 30_000 });
            const moved = await sliderTable(page);
            expect(Number(moved.Integer)).to.be.above(500);
            expect(moved.Integer).to.equal(await page.locator("#integer").inputValue());
            expect(moved.Range).to.equal("200 500");
        });

        const time = /^The current time is (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})/;
        example("11_timer", "the current time, pushed by the server every second", time, async (page) => {
            // invalidateLater(1000): the server pushes a new time every second, unasked.
            const first = time.exec((await page.locator("#currentTime").textContent()) ?? "")![1];
            await page.waitForFunction((prev) => !(document.querySelector("#currentTime")?.textContent ?? "").includes(prev), first, { timeout: 10_000 });
            const next = time.exec((await page.locator("#currentTime").textContent()) ?? "")![1];
            expect(Date.parse(next.replace(" ", "T"))).to.be.above(Date.parse(first.replace(" ", "T")));
        });
        example("02_text", "a dataset's summary and rows, following the chosen dataset and number of rows", "Shiny Text", async (page) => {
            // Another dataset: another summary and table; fewer observations: fewer rows.
            await page.locator("#view table").waitFor();
            expect(await page.locator("#summary").textContent()).to.contain("area");
            expect(await page.locator("#view tbody tr").count()).to.equal(10);
            // selectInput is a selectize widget: open it and pick, as a user does.
            await page.locator(".form-group:has(#dataset) .selectize-input").click();
            await page.locator(".form-group:has(#dataset) .selectize-dropdown .option", { hasText: "pressure" }).click();
            await page.locator("#summary", { hasText: "temperature" }).waitFor({ timeout: 30_000 });
            await page.locator("#obs").fill("3");
            await page.waitForFunction(() => document.querySelectorAll("#view tbody tr").length === 3, undefined, { timeout: 30_000 });
            expect(await page.locator("#view thead").textContent()).to.contain("temperature");
        });
    });

    describe("Streamlit: the hello app inside its PyPI package", () => {
        needs(PREREQUISITES.fixtureVenv("streamlit-hello"), PREREQUISITES.chromium);
        const state: Partial<Started> = {};
        let appsDir: string | undefined;
        let version = "";
        const suite = useRunningApp(async (id) => {
            // The package's folder as an analyst's app folder: its files plus a requirements.txt pinning streamlit.
            const sp = sitePackagesOf(STREAMLIT_VENV);
            const hello = sp && path.join(sp, "streamlit", "hello");
            if (!hello || !fs.existsSync(hello)) throw new Error(`no streamlit/hello in ${STREAMLIT_VENV}`);
            version = execFileSync(path.join(STREAMLIT_VENV, "bin", "python"), ["-c", "import streamlit; print(streamlit.__version__)"], { encoding: "utf8" }).trim();
            appsDir = fs.mkdtempSync(path.join(os.tmpdir(), "gen-streamlit-"));
            fs.cpSync(hello, path.join(appsDir, "hello"), { recursive: true, filter: (src) => !src.includes("__pycache__") });
            fs.writeFileSync(path.join(appsDir, "hello", "requirements.txt"), `streamlit==${version}\n`);
            return startGenerated(state, id, { name: "streamlit hello", appsDir, app: "hello", framework: "streamlit", entrypoint: "streamlit_app.py", venv: STREAMLIT_VENV });
        });
        after(() => {
            state.image?.cleanup();
            if (appsDir) fs.rmSync(appsDir, { recursive: true, force: true });
        });

        it("is started as its image starts it: python -m dashboards_launch streamlit streamlit_app.py, in a venv with what the image installs", () => {
            const { image, source } = state as Started;
            expect(source.healthCheckPath).to.equal("/_stcore/health");
            expect(image.command).to.equal(path.join(STREAMLIT_VENV, "bin", "python"));
            expect(image.args).to.deep.equal(["-m", "dashboards_launch", "streamlit", "streamlit_app.py"]);
            expect(image.env.PYTHONPATH).to.equal(path.join(SHARED, "python"));
            expect(image.requirementFiles).to.include(path.join(SHARED, "python", "requirements.txt"));
            expectBuiltAsTheImage(image, STREAMLIT_VENV);
        });

        itAnswersItsHealthChecks(suite, state);

        it("renders its welcome page in Chromium with a viewer's toolbar, and the plotting demo draws its chart over the websocket", async () => {
            const page = await suite.browser.newPage();
            try {
                await page.goto(suite.app.url + "/");
                await page.getByRole("heading", { name: "Welcome to Streamlit!" }).waitFor();
                await page.getByText("Select a demo from the sidebar").waitFor();
                await page.getByTestId("stMainMenu").waitFor();
                // The launcher's client.toolbarMode viewer: left at auto, Streamlit shows developer options (Deploy among them) on localhost.
                expect(await page.getByTestId("stAppDeployButton").count(), "developer options in the toolbar").to.equal(0);
                await shot(page, "streamlit-hello");
                // st.navigation's sidebar: another page of the same app, rendered by the same script run.
                await page.getByRole("link", { name: "Plotting demo" }).click();
                await page.getByRole("heading", { name: "Plotting demo" }).waitFor();
                await page.getByText("100% complete").waitFor({ timeout: 30_000 });
                await page.locator('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]').first().waitFor();
                await page.getByRole("button", { name: "Rerun" }).waitFor();
                expect(new URL(page.url()).pathname).to.equal("/plotting_demo");
                await shot(page, "streamlit-hello-plotting");
            } finally {
                await page.close();
            }
        });

        itStayedInsideTheImage(suite, state, true);
    });

    /** Dash and Flask: gunicorn through the platform's WSGI wrapper, with the fixture's venv. */
    const wsgiFixture = (name: "dash-tutorial" | "flask-tutorial", framework: "dash" | "flask", wsgiApp: string, checks: (get: () => { suite: Suite; state: Started }) => void) =>
        describe(`${framework === "dash" ? "Dash" : "Flask"}: ${name} (the official tutorial's shape)`, () => {
            needs(PREREQUISITES.fixtureVenv(name), PREREQUISITES.chromium);
            const venv = path.join(IMAGE_VENVS_DIR, name);
            const state: Partial<Started> = {};
            const suite = useRunningApp((id) => startGenerated(state, id, { name, appsDir: FIXTURES, app: name, framework, venv }));
            after(() => state.image?.cleanup());

            it(`is started as its image starts it: python -m dashboards_launch wsgi serving ${wsgiApp}, in a venv with exactly the pins the image installs`, () => {
                const { image, source } = state as Started;
                expect(source.healthCheckPath).to.equal(GENERATED_WSGI_HEALTH_PATH);
                expect(image.imageEnv.DASHBOARD_WSGI_APP).to.equal(wsgiApp);
                expect(image.env.DASHBOARD_WSGI_APP).to.equal(wsgiApp);
                expect(image.command).to.equal(path.join(venv, "bin", "python"));
                expect(image.args).to.deep.equal(["-m", "dashboards_launch", "wsgi"]);
                expect(image.env.PATH.split(":")[0]).to.equal(path.join(venv, "bin"));
                expectBuiltAsTheImage(image, venv);
            });

            itAnswersItsHealthChecks(suite, state);

            it("answers the app's own / with 200 (the framework preset's health path for an app with its own Dockerfile)", async () => {
                const res = await fetch(suite.app.url + "/");
                expect(res.status).to.equal(200);
                expect(res.headers.get("content-type")).to.match(/^text\/html/);
            });

            it(`answers ${GENERATED_WSGI_HEALTH_PATH} itself: the app is not reached (its own answer for that path differs)`, async () => {
                for (const method of ["GET", "HEAD"]) {
                    const res = await fetch(suite.app.url + GENERATED_WSGI_HEALTH_PATH, { method });
                    expect(res.status, method).to.equal(200);
                    expect(res.headers.get("content-type")).to.equal("text/plain");
                    expect(res.headers.get("cache-control")).to.equal("no-store");
                    expect(await res.text()).to.equal(method === "GET" ? "ok" : "");
                }
                // What the app itself says for the path: the wrapper passes other methods and paths on.
                const own = await fetch(suite.app.url + GENERATED_WSGI_HEALTH_PATH, { method: "POST" });
                expect(own.status, "the app's own answer to POST").to.be.oneOf([404, 405]);
                expect(await own.text()).not.to.equal("ok");
                const below = await fetch(suite.app.url + GENERATED_WSGI_HEALTH_PATH + "/x");
                expect(await below.text()).not.to.equal("ok");
            });

            checks(() => ({ suite, state: state as Started }));

            itStayedInsideTheImage(suite, state, true);
        });

    wsgiFixture("dash-tutorial", "dash", "app:server", (get) => {
        /** The bar chart's continents, values and y-axis title, read from plotly's own data on the page. */
        const graph = (page: Page) =>
            page.evaluate(() => {
                const el = document.querySelector("#controls-and-graph .js-plotly-plot") as unknown as { data?: { x: string[]; y: number[] }[]; layout?: { yaxis?: { title?: { text?: string } } } } | null;
                const trace = el?.data?.[0];
                return { x: trace ? Array.from(trace.x) : [], y: trace ? Array.from(trace.y) : [], title: el?.layout?.yaxis?.title?.text ?? "" };
            });

        it("renders the tutorial's page in Chromium: heading, table, and the graph its callback draws; another column redraws it", async () => {
            const { suite } = get();
            const page = await suite.browser.newPage();
            try {
                // The callback runs on the server: the page POSTs its input to Dash's update route.
                const isCallback = (r: { url(): string; request(): { method(): string } }) => new URL(r.url()).pathname === "/_dash-update-component" && r.request().method() === "POST";
                const callback = page.waitForResponse((r) => isCallback(r) && r.status() === 200);
                await page.goto(suite.app.url + "/");
                await page.getByRole("heading", { name: "My first app with data, graph, and controls" }).waitFor();
                expect(await page.locator("#table tr").count(), "header and 10 countries").to.equal(11);
                await page.locator("#table", { hasText: "New Zealand" }).waitFor();
                await callback;
                await page.waitForFunction(() => (document.querySelector("#controls-and-graph .js-plotly-plot") as unknown as { data?: unknown[] } | null)?.data?.length === 1);
                const life = await graph(page);
                expect(life.x).to.deep.equal(["Asia", "Europe", "Africa", "Americas", "Oceania"]);
                expect(life.title).to.equal("avg of lifeExp");
                expect(life.y[0]).to.be.closeTo((43.828 + 82.603) / 2, 1e-9);
                await page.locator(".js-plotly-plot .bars path").first().waitFor();
                const again = page.waitForResponse((r) => isCallback(r) && r.status() === 200);
                await page.getByLabel("pop").check();
                await again;
                await page.waitForFunction(() => (document.querySelector("#controls-and-graph .js-plotly-plot") as unknown as { layout?: { yaxis?: { title?: { text?: string } } } }).layout?.yaxis?.title?.text === "avg of pop");
                const pop = await graph(page);
                expect(pop.y[0]).to.equal((31889923 + 127467972) / 2);
                await shot(page, "dash-tutorial");
            } finally {
                await page.close();
            }
        });
    });

    wsgiFixture("flask-tutorial", "flask", "flaskr:create_app()", (get) => {
        it("renders the tutorial's blog in Chromium: the index, the form, a new post listed with its date", async () => {
            const { suite } = get();
            const page = await suite.browser.newPage();
            try {
                await page.goto(suite.app.url + "/");
                expect(await page.title()).to.equal("Posts - Flaskr");
                await page.getByRole("heading", { name: "Posts" }).waitFor();
                await page.getByRole("link", { name: "New" }).click();
                await page.getByRole("heading", { name: "New Post" }).waitFor();
                const title = `Hello from a generated image ${Date.now()}`;
                await page.getByLabel("Title").fill(title);
                await page.getByLabel("Body").fill("Served by gunicorn through dashboards_wsgi.");
                await page.getByRole("button", { name: "Save" }).click();
                await page.waitForURL(suite.app.url + "/");
                const post = page.locator("article.post", { has: page.getByRole("heading", { name: title }) });
                await post.waitFor();
                expect(await post.locator(".about").textContent()).to.equal(`on ${new Date().toISOString().slice(0, 10)}`);
                expect(await post.locator(".body").textContent()).to.equal("Served by gunicorn through dashboards_wsgi.");
                await shot(page, "flask-tutorial");
            } finally {
                await page.close();
            }
        });

        it("keeps its SQLite database in Flask's instance folder, the one folder of /app the image's user may write", () => {
            const { state } = get();
            expect(state.image.writable).to.deep.equal([path.join(state.image.appRoot, "instance")]);
            expect(fs.existsSync(path.join(state.image.appRoot, "instance", "flaskr.sqlite"))).to.equal(true);
        });
    });
});
