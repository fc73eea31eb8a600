/**
 * Where a dashboard's image comes from when it is built: the Dockerfile in its app folder, or, for
 * a folder without one, a Dockerfile generated from what the folder holds (deploy from source).
 *
 * Used three times with the same answer: by the stack-file validator (a folder that cannot be
 * understood fails the plan, naming the key and the file), by DashboardPlatform (the text it
 * builds) and by the plan CLI (which prints the detection and writes the Dockerfile). Reads only
 * inside the app folder, never follows a symlink out of it (the detectors enforce their own caps).
 */
import * as fs from "fs";
import * as path from "path";
import { readPrefix } from "./boundedRead";
import { BuiltStage, builtStage, DockerfileInstruction, dockerfileInstructions, dockerfileStages } from "./dockerfileStage";
import { CRAN_SNAPSHOT, GENERATED_PYTHON_VERSION, GENERATED_WSGI_HEALTH_PATH, GeneratedImageInput, generatedWritablePaths, LATEST_PACKAGES, PYPI_SNAPSHOT, pythonDockerfile, shinyDockerfile } from "./generatedDockerfile";
import { detectPythonApp } from "./pythonApp";
import { detectShinyApp } from "./shinyApp";

/** What the stack file says about the dashboard's source. */
export interface AppSourceRequest {
    /** The apps directory (e.g. the project's `apps/`). */
    appsDir: string;
    /** The folder in it, already checked by `appFolderChecker`. */
    app: string;
    framework: string;
    /** Overrides the detected entry point (folder without a Dockerfile only). */
    entrypoint?: string;
    /** Overrides the detected R packages (Shiny folder without a Dockerfile only). */
    packages?: string[];
    /** The stage of the folder's own Dockerfile to build. */
    buildTarget?: string;
    /** Packages as published up to this day (YYYY-MM-DD), for a folder without a Dockerfile. */
    packageSnapshot?: string;
}

/** The image is built from the folder's own Dockerfile. */
export interface OwnDockerfile {
    kind: "dockerfile";
    /** What the stage it builds declares (dockerfileStage.ts): its VOLUME folders and USER. Absent when the file could not be read. */
    stage?: BuiltStage;
}

/** The image is built from a Dockerfile generated for the folder. */
export interface GeneratedSource {
    kind: "generated";
    framework: string;
    /** The Dockerfile's text. */
    dockerfile: string;
    /** What was detected, one line each (framework, entry point, packages): shown by the plan. */
    detected: string[];
    /** What the user should know but need not fix (unpinned packages, skipped files, caps hit). */
    notes: string[];
    /** The path the generated image answers for health checks. */
    healthCheckPath: string;
    /** The folders the image declares writable (VOLUME): all it may write with a read-only root file system. */
    writablePaths: string[];
}

export type AppSource = OwnDockerfile | GeneratedSource;

/** A problem with the dashboard's source, under one of its stack-file keys. */
export interface AppSourceProblem {
    key: "app" | "entrypoint" | "packages" | "buildTarget" | "packageSnapshot";
    message: string;
}

export type AppSourceResult = { ok: true; source: AppSource } | { ok: false; problems: AppSourceProblem[] };

/** Frameworks a Dockerfile can be generated for. */
export const GENERATED_FRAMEWORKS = ["shiny", "dash", "streamlit", "flask"] as const;

/** Top-level entries never copied into a generated image: environments, caches, VCS, editor state, Docker files. */
const NOT_COPIED = new Set([
    ".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints",
    "node_modules", "renv", "packrat", ".Rproj.user", ".Rhistory", ".RData", "rsconnect", ".DS_Store", ".dockerignore", ".idea", ".vscode",
]);
/** Names the COPY line can carry as they are (no `$`, which Docker would expand, no quotes, backslashes or control characters). */
const COPYABLE = /^[^$"\\\u0000-\u001f\u007f]{1,255}$/;
/** More top-level entries than this: the folder is not an app folder (or needs its own Dockerfile). */
const MAX_ENTRIES = 200;
/** `appDir` as it may appear in the image's environment. */
const SAFE_RELATIVE_DIR = /^(\.|[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*)$/;

export function resolveAppSource(req: AppSourceRequest): AppSourceResult {
    const folder = path.join(req.appsDir, req.app);
    const shown = `${path.basename(path.resolve(req.appsDir))}/${req.app}`;
    if (fs.existsSync(path.join(folder, "Dockerfile"))) {
        const problems: AppSourceProblem[] = [];
        const own = `${shown} has its own Dockerfile, which says how to run the app`;
        if (req.entrypoint !== undefined) problems.push({ key: "entrypoint", message: `is only used for a folder without a Dockerfile; ${own}: remove entrypoint (or the Dockerfile)` });
        if (req.packages !== undefined) problems.push({ key: "packages", message: `is only used for a folder without a Dockerfile; ${own}: remove packages (or the Dockerfile)` });
        if (req.packageSnapshot !== undefined) problems.push({ key: "packageSnapshot", message: `is only used for a folder without a Dockerfile; ${own}: remove packageSnapshot (or the Dockerfile)` });
        const text = readDockerfile(folder);
        let stage: BuiltStage | undefined;
        if (text !== undefined) {
            // One reading of the file for the COPY check, the target's stage and what that stage declares.
            const instructions = dockerfileInstructions(text);
            problems.push(...copySourceProblems(instructions, folder, shown, req.app));
            const stages = dockerfileStages(instructions);
            stage = builtStage(stages, req.buildTarget);
            if (req.buildTarget !== undefined && stage === undefined) {
                const names = stages.flatMap((s) => (s.name !== undefined ? [s.name] : []));
                problems.push({ key: "buildTarget", message: `${JSON.stringify(req.buildTarget)} names no stage of ${shown}/Dockerfile; ${names.length > 0 ? `its stages: ${names.join(", ")}` : "it names no stages (FROM <image> AS <name>)"}` });
            }
        }
        return problems.length > 0 ? { ok: false, problems } : { ok: true, source: { kind: "dockerfile", ...(stage ? { stage } : {}) } };
    }
    if (!(GENERATED_FRAMEWORKS as readonly string[]).includes(req.framework)) {
        return { ok: false, problems: [{ key: "app", message: `${shown} has no Dockerfile, and one can be generated only for ${GENERATED_FRAMEWORKS.join(", ")}; add a Dockerfile for a ${req.framework} app` }] };
    }
    const listed = topLevelEntries(folder);
    if (!listed.ok) return { ok: false, problems: [{ key: "app", message: `${shown}: ${listed.problem}` }] };
    const input: GeneratedImageInput = { folder: shown, entries: listed.entries };
    const notes = [...listed.notes];
    if (req.framework === "shiny") return shinySource(req, folder, shown, input, notes);
    return pythonSource(req, folder, shown, input, notes);
}

function shinySource(req: AppSourceRequest, folder: string, shown: string, input: GeneratedImageInput, notes: string[]): AppSourceResult {
    const found = detectShinyApp(folder, { entrypoint: req.entrypoint, packages: req.packages });
    if (!found.ok) return { ok: false, problems: found.problems.map((p) => problemIn(shown, p, req)) };
    if (!SAFE_RELATIVE_DIR.test(found.appDir)) {
        return { ok: false, problems: [{ key: "entrypoint", message: `${shown}/${found.appDir}: the app's folder name may hold only letters, digits, . _ - and /; rename it or add a Dockerfile` }] };
    }
    const packages = found.packages.map((p) => (p.version ? `${p.name} ${p.version}` : p.name));
    return {
        ok: true,
        source: {
            kind: "generated",
            framework: "shiny",
            dockerfile: shinyDockerfile(found, input, req.packageSnapshot),
            detected: [
                `framework: shiny (${found.layout} in ${found.appDir === "." ? "the folder" : `${found.appDir}/`})`,
                `packages (${found.packageSource}): ${packages.join(", ")}`,
                ...(found.rVersion ? [`R version in renv.lock: ${found.rVersion} (the image runs R 4.5.1)`] : []),
                snapshotLine(req.packageSnapshot, {
                    latest: "CRAN's newest binaries at each build",
                    dated: (day) => `CRAN as of ${day}`,
                    platformDay: CRAN_SNAPSHOT.split("/").pop()!,
                    platformNote: "packageSnapshot changes it",
                }),
            ],
            notes: [...notes, ...found.notes],
            healthCheckPath: "/",
            writablePaths: generatedWritablePaths("shiny"),
        },
    };
}

function pythonSource(req: AppSourceRequest, folder: string, shown: string, input: GeneratedImageInput, notes: string[]): AppSourceResult {
    if (req.packages !== undefined) {
        return { ok: false, problems: [{ key: "packages", message: `is for Shiny apps; a ${req.framework} app lists its packages in ${shown}/requirements.txt (or pyproject.toml)` }] };
    }
    const framework = req.framework as "dash" | "streamlit" | "flask";
    const found = detectPythonApp(folder, framework, { entrypoint: req.entrypoint });
    if (!found.ok) return { ok: false, problems: found.problems.map((p) => problemIn(shown, p, req)) };
    if (found.pythonVersion !== undefined && found.pythonVersion !== GENERATED_PYTHON_VERSION) {
        return { ok: false, problems: [{ key: "app", message: `${shown} asks for Python ${found.pythonVersion}, and generated images run Python ${GENERATED_PYTHON_VERSION}; allow ${GENERATED_PYTHON_VERSION} (requires-python or .python-version), or add a Dockerfile` }] };
    }
    const entry = found.entry.kind === "script" ? found.entry.file : `${found.entry.module}:${found.entry.attribute}${found.entry.factory ? "()" : ""}`;
    return {
        ok: true,
        source: {
            kind: "generated",
            framework,
            dockerfile: pythonDockerfile({
                framework,
                packageSource: found.packageSource,
                // requirements.txt first, then what it includes with -r/-c (each copied to its own path: those lines are relative).
                requirementFiles: found.requirementFiles,
                requirementNames: found.requirements.map((r) => r.name),
                entry: found.entry,
                packageSnapshot: req.packageSnapshot,
            }, input),
            detected: [
                `framework: ${framework}`,
                `entry point: ${entry}${req.entrypoint !== undefined ? " (entrypoint)" : ""}`,
                `packages (${found.packageSource}): ${found.requirements.map((r) => r.line).join(", ")}`,
                snapshotLine(req.packageSnapshot, {
                    latest: "the newest versions at each build",
                    dated: (day) => `PyPI uploads before ${day}`,
                    platformDay: PYPI_SNAPSHOT,
                    platformNote: "a pin published later needs a later packageSnapshot",
                }),
            ],
            notes: [...notes, ...found.notes],
            healthCheckPath: found.entry.kind === "wsgi" ? GENERATED_WSGI_HEALTH_PATH : "/_stcore/health",
            writablePaths: generatedWritablePaths(framework),
        },
    };
}

/** The plan's `package snapshot:` line: packageSnapshot's day, the platform's, or none (`latest`). */
function snapshotLine(packageSnapshot: string | undefined, index: { latest: string; dated: (day: string) => string; platformDay: string; platformNote: string }): string {
    if (packageSnapshot === LATEST_PACKAGES) return `package snapshot: none, ${index.latest} (packageSnapshot: latest)`;
    return packageSnapshot
        ? `package snapshot: ${index.dated(packageSnapshot)} (packageSnapshot)`
        : `package snapshot: ${index.dated(index.platformDay)} (the platform's; ${index.platformNote})`;
}

/**
 * A detector's problem under its stack-file key, with the file named from the apps directory: under
 * entrypoint or packages when the config set them and the problem is theirs, else under app.
 */
function problemIn(shown: string, p: { file: string; message: string }, req: AppSourceRequest): AppSourceProblem {
    const key = req.entrypoint !== undefined && /entrypoint/i.test(p.message) ? "entrypoint"
        : req.packages !== undefined && /package/i.test(p.message) ? "packages" : "app";
    return { key, message: p.file === "." ? `${shown}: ${p.message}` : `${shown}/${p.file}: ${p.message}` };
}

/** The folder's top-level entries a generated image copies, sorted; what it leaves out, as notes. */
function topLevelEntries(folder: string): { ok: true; entries: GeneratedImageInput["entries"]; notes: string[] } | { ok: false; problem: string } {
    let names: fs.Dirent[];
    try {
        names = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
        return { ok: false, problem: "cannot be read" };
    }
    if (names.length > MAX_ENTRIES) return { ok: false, problem: `has ${names.length} entries at its top level (at most ${MAX_ENTRIES} for a generated Dockerfile); move files into folders, or add a Dockerfile` };
    const entries: GeneratedImageInput["entries"] = [];
    const skipped: string[] = [];
    for (const e of names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (NOT_COPIED.has(e.name) || e.name.endsWith(".pyc") || e.name.startsWith("Dockerfile")) continue;
        // Symlinks are not followed: BuildKit would copy the link, which may point outside the image.
        if (!COPYABLE.test(e.name) || e.isSymbolicLink() || !(e.isFile() || e.isDirectory())) {
            skipped.push(JSON.stringify(e.name));
            continue;
        }
        entries.push({ name: e.name, kind: e.isDirectory() ? "folder" : "file" });
    }
    const notes = skipped.length > 0 ? [`not copied into the image (a symlink, a special file, or a name with $, quotes, backslashes or control characters): ${skipped.join(", ")}`] : [];
    return { ok: true, entries, notes };
}

/** Bytes of a Dockerfile read for the COPY check (a real one is a few kB). */
const MAX_DOCKERFILE_BYTES = 256 * 1024;

/** The start of the folder's Dockerfile (a real one is a few kB), or undefined when it cannot be read. */
function readDockerfile(folder: string): string | undefined {
    // appFolder.ts has checked that a symlinked Dockerfile stays inside the apps directory.
    const read = readPrefix(path.join(folder, "Dockerfile"), () => MAX_DOCKERFILE_BYTES, { followSymlink: true });
    return "error" in read ? undefined : read.bytes.toString("utf8");
}

/**
 * COPY/ADD sources of the folder's own Dockerfile that are not in the folder, the build context:
 * a plain path (no variable, no wildcard, not a URL, no --from) that does not exist would fail the
 * build after the network and load balancer exist. A path under `<app>/` or `shared/` is a
 * Dockerfile written for the former build context, apps/: the message says how to move it.
 */
function copySourceProblems(instructions: readonly DockerfileInstruction[], folder: string, shown: string, app: string): AppSourceProblem[] {
    const problems: AppSourceProblem[] = [];
    for (const ins of instructions) {
        if (problems.length >= 10) break;
        if ((ins.op !== "COPY" && ins.op !== "ADD") || /--from=/i.test(ins.rest)) continue;
        for (const src of copySources(ins.rest)) {
            if (problems.length >= 10) break;
            if (/[$*?[\]]/.test(src) || /^[a-z][a-z0-9+.-]*:\/\//i.test(src)) continue;
            const rel = path.posix.normalize(src.replace(/^\/+/, ""));
            if (rel === "." || rel.startsWith("..") || fs.existsSync(path.join(folder, rel))) continue;
            const former = rel.startsWith(`${app}/`) || rel === app || rel.startsWith("shared/");
            problems.push({
                key: "app",
                message: `${shown}/Dockerfile line ${ins.line}: ${ins.op} ${src}: there is no ${rel} in ${shown}, the build context (the app's own folder)` + (former
                    ? `; this Dockerfile was written for the former context apps/: write ${rel.startsWith(`${app}/`) ? `${ins.op} ${rel.slice(app.length + 1)}` : "the path inside the folder"}, and take the platform's helpers with COPY --from=dashboards-platform <path in apps/shared>`
                    : ""),
            });
        }
    }
    return problems;
}

/** The sources of a COPY/ADD argument list (shell or JSON form), without flags and destination. */
function copySources(args: string): string[] {
    const rest = args.trim();
    if (rest.startsWith("[")) {
        try {
            const list = JSON.parse(rest) as unknown;
            return Array.isArray(list) && list.every((s) => typeof s === "string") ? (list as string[]).slice(0, -1) : [];
        } catch {
            return [];
        }
    }
    if (/<</.test(rest)) return []; // heredoc
    return rest.split(/\s+/).filter((w) => !w.startsWith("--")).slice(0, -1);
}
