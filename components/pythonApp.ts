/**
 * Deploy from source, step one: what a Python app folder (Dash, Streamlit or Flask) without a
 * Dockerfile holds. Says where its packages come from and which are pinned, the entry point to run
 * and the Python version it asks for; or every problem that stops an image being built for it, each
 * naming the file and what to add. Writes nothing: the Dockerfile and the launcher are made
 * elsewhere from this result.
 *
 * The folder is anyone's pull request, read at plan time in CI. So this reads source text only and
 * never runs it; never reads outside the folder (a symlink out is a problem, never followed; `-r`
 * and `entrypoint` paths stay inside); never blocks (no FIFO or device is opened for reading); caps
 * what it reads (`PYTHON_APP_LIMITS`: bytes per file and in all, files, `-r` depth, folder entries),
 * saying so in `notes` or, when the answer depends on what was not read, in a problem; and scans
 * user text in single passes, with regular expressions only where they cannot backtrack badly.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseToml } from "smol-toml";
import { readPrefix } from "./boundedRead";

export type PythonFramework = "dash" | "streamlit" | "flask";
export const PYTHON_FRAMEWORKS: readonly PythonFramework[] = ["dash", "streamlit", "flask"];

/** One package the image installs. */
export interface PythonRequirement {
    /** The package name normalized per PEP 503 (lowercase, runs of `-`, `_`, `.` as one `-`): `flask` for `Flask`. */
    name: string;
    /** The requirement as written (continuations joined; without its comment and per-line options such as `--hash`). */
    line: string;
    /**
     * True when one version is fixed: `==` with no wildcard or `===` (on the line, or for
     * requirements.txt in a `-c` constraints file), or a direct `https` reference checked by hash.
     */
    pinned: boolean;
    /** The file it is listed in, relative to the app folder: `requirements.txt`, a `-r` include, or `pyproject.toml`. */
    file: string;
    /** Its environment marker (after `;`), unevaluated, e.g. `python_version < "3.11"`. */
    marker?: string;
}

/** Streamlit: run as `streamlit run <file>`. */
export interface PythonScriptEntry {
    /** A script the framework's own runner starts. */
    kind: "script";
    /** The script, relative to the app folder with `/` separators, e.g. `streamlit_app.py`. */
    file: string;
}

/** Dash or Flask: a WSGI server imports `module` and serves `attribute` (calling it first when `factory`). */
export interface PythonWsgiEntry {
    /** A WSGI application a server such as gunicorn imports. */
    kind: "wsgi";
    /** The importable module, `app` or `pkg.sub`, from the app folder as the working directory. */
    module: string;
    /** What to serve from it: `server`, `app`, `app.server` (a Dash app's Flask server) or `create_app`. */
    attribute: string;
    /** True when `attribute` is an application factory: call it with no arguments to get the app. */
    factory: boolean;
}

export type PythonEntry = PythonScriptEntry | PythonWsgiEntry;

/** What the image needs. */
export interface PythonAppFound {
    /** An image can be generated. */
    ok: true;
    /** The framework asked for (and whose own package is listed). */
    framework: PythonFramework;
    /** The file the packages come from (its `-r`/`-c` includes are in `requirementFiles`). */
    packageSource: "requirements.txt" | "pyproject.toml";
    /**
     * The files pip reads, relative to the app folder with `/` separators, each once: requirements.txt
     * first, then its `-r` and `-c` includes in the order met (the files to copy before `pip install`);
     * `["pyproject.toml"]` when that is the source.
     */
    requirementFiles: string[];
    /** Every requirement, in file order (includes in place); constraints files add none. */
    requirements: PythonRequirement[];
    /** The entry point: the user's `entrypoint` when given, else found from the usual file names. */
    entry: PythonEntry;
    /**
     * `3.N` to run, when the folder says: `.python-version` (checked against requires-python), else
     * pyproject.toml's `requires-python` (DEFAULT_PYTHON when it allows it, else the allowed version
     * nearest it); undefined when neither says.
     */
    pythonVersion?: string;
    /** What a reviewer should know: unpinned requirements, the entry point chosen and why, caps hit. */
    notes: string[];
}

/** One thing to fix before an image can be generated. */
export interface PythonAppProblem {
    /** The file at fault relative to the app folder (`/` separators), or `.` for the folder as a whole. */
    file: string;
    /** What is wrong and what to add or change. */
    message: string;
}

export interface PythonAppProblems {
    /** No image can be generated until the problems are fixed. */
    ok: false;
    /** Every problem found (at most PYTHON_APP_LIMITS.problems, the last one counting the rest). */
    problems: PythonAppProblem[];
    /** Notes gathered on the way, caps hit included. */
    notes: string[];
}

export type PythonDetection = PythonAppFound | PythonAppProblems;

/** The caps on what one detection reads and reports. */
export const PYTHON_APP_LIMITS = Object.freeze({
    /** Bytes read from one file: a larger package file is a problem, a larger source is scanned to here. */
    fileBytes: 512 * 1024,
    /** Bytes read in all. */
    totalBytes: 4 * 1024 * 1024,
    /** Files opened. */
    files: 64,
    /** requirements.txt and its `-r`/`-c` includes nested this deep at most. */
    includeDepth: 5,
    /** Requirements in all. */
    requirements: 2000,
    /** Entries read from one folder listing. */
    folderEntries: 2000,
    /** Top-level package folders examined for an entry point. */
    packages: 20,
    /** Problems reported (the last one says how many more there were). */
    problems: 25,
    /** Characters of user text quoted in a message. */
    quote: 80,
});

/** The Python the generated image uses unless the folder says otherwise (the templates' image). */
export const DEFAULT_PYTHON = "3.12";
/** The Python versions an image can be generated for (python:3.N-slim). */
export const PYTHON_VERSIONS: readonly string[] = ["3.10", "3.11", "3.12", "3.13", "3.14"];

const FRAMEWORK_CLASS: Record<Exclude<PythonFramework, "streamlit">, string> = { dash: "Dash", flask: "Flask" };
/** Streamlit's usual main scripts (Streamlit Community Cloud's default first). */
const STREAMLIT_SCRIPTS = ["streamlit_app.py", "app.py", "main.py", "Home.py", "home.py"];
/** Modules a Dash or Flask app usually lives in. */
const WSGI_MODULES = ["app", "main", "index", "wsgi", "server"];
/** Application factories Flask itself looks for (`flask --app pkg`), in its order. */
const FLASK_FACTORIES = ["create_app", "make_app"];
/** Folders that are never the app's package. */
const NOT_APP_PACKAGES = new Set(["venv", "env", "site-packages", "node_modules", "tests", "test", "docs", "build", "dist"]);
const PY_KEYWORDS = new Set(("False None True and as assert async await break class continue def del elif else except finally for from " +
    "global if import in is lambda nonlocal not or pass raise return try while with yield").split(" "));
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads `folder` as a `framework` app without a Dockerfile. `overrides.entrypoint`, when given, wins
 * over detection: for Streamlit a `.py` file in the folder; for Dash and Flask `module:attribute`,
 * `module`, `file.py` or `file.py:attribute` (identifiers and dots only). Never throws.
 */
export function detectPythonApp(folder: string, framework: PythonFramework, overrides: { entrypoint?: string } = {}): PythonDetection {
    const findings = new Findings();
    try {
        return detect(folder, framework, overrides, findings);
    } catch (error) {
        findings.problem(".", `could not be read (${clip(error instanceof Error ? error.message : String(error))})`);
        return { ok: false, problems: findings.list(), notes: findings.notes };
    }
}

function detect(folder: string, framework: PythonFramework, overrides: { entrypoint?: string }, findings: Findings): PythonDetection {
    if (!PYTHON_FRAMEWORKS.includes(framework)) {
        findings.problem(".", `${quote(String(framework))} is not a Python framework this can generate an image for (${PYTHON_FRAMEWORKS.join(", ")})`);
        return { ok: false, problems: findings.list(), notes: findings.notes };
    }
    const files = new AppFiles(folder, findings);
    if (!files.root) {
        findings.problem(".", "is not a folder");
        return { ok: false, problems: findings.list(), notes: findings.notes };
    }
    const pyproject = readPyproject(files, findings);
    const packages = readPackages(files, findings, framework, pyproject);
    const pythonVersion = choosePython(files, findings, pyproject?.requiresPython);
    const sources = new Sources(files, findings);
    const entrypoint = overrides?.entrypoint;
    const entry = entrypoint !== undefined ? entryFromOverride(sources, findings, framework, entrypoint)
        : framework === "streamlit" ? findStreamlitScript(sources, findings) : findWsgiApp(sources, findings, framework);
    for (const note of files.capNotes()) findings.note(note);
    if (!packages || !entry || findings.count > 0) return { ok: false, problems: findings.list(), notes: findings.notes };
    return { ok: true, framework, packageSource: packages.source, requirementFiles: packages.files, requirements: packages.requirements, entry, ...(pythonVersion ? { pythonVersion } : {}), notes: findings.notes };
}

// ---------------------------------------------------------------------------------------------
// Findings and quoting

class Findings {
    readonly problems: PythonAppProblem[] = [];
    readonly notes: string[] = [];
    private dropped = 0;

    /** Problems found so far, those past the cap included. */
    get count(): number {
        return this.problems.length + this.dropped;
    }

    problem(file: string, message: string): void {
        if (this.problems.length < PYTHON_APP_LIMITS.problems - 1) this.problems.push({ file: bounded(file), message: bounded(message) });
        else this.dropped++;
    }

    note(text: string): void {
        this.notes.push(bounded(text));
    }

    list(): PythonAppProblem[] {
        if (this.dropped === 0) return this.problems;
        return [...this.problems, { file: ".", message: `and ${this.dropped} more problem${this.dropped === 1 ? "" : "s"} (only the first ${PYTHON_APP_LIMITS.problems - 1} are listed)` }];
    }
}

/** A message's length, whatever its parts: at most MESSAGE_MAX characters. */
const MESSAGE_MAX = 1000;
function bounded(text: string): string {
    return text.length > MESSAGE_MAX ? `${text.slice(0, MESSAGE_MAX - 1)}…` : text;
}

/** User text for a message: at most PYTHON_APP_LIMITS.quote characters, control characters shown as `?`. */
function clip(text: string): string {
    const shown = text.length > PYTHON_APP_LIMITS.quote ? `${text.slice(0, PYTHON_APP_LIMITS.quote)}…` : text;
    return shown.replace(/[\u0000-\u001f\u007f]/g, "?");
}

function quote(text: string): string {
    return `\`${clip(text)}\``;
}

function list(names: string[], most = 10): string {
    const shown = names.slice(0, most).join(", ");
    return names.length > most ? `${shown} and ${names.length - most} more` : shown;
}

function kib(bytes: number): string {
    return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}

// ---------------------------------------------------------------------------------------------
// Reading inside the folder only

type Read = { ok: true; text: string; truncated: boolean; real: string } | { ok: false; why: string };
type Located = { ok: true; real: string; stat: fs.Stats } | { ok: false; why: string; missing?: boolean };


/** The app folder's files, by paths relative to it with `/` separators; every read is checked and counted. */
class AppFiles {
    readonly root: string | undefined;
    private bytes = 0;
    private opened = 0;
    private readonly caps = new Set<string>();
    private readonly listings = new Map<string, { names: string[]; set: Set<string> }>();

    constructor(folder: string, private readonly findings: Findings) {
        let root: string | undefined;
        try {
            root = fs.realpathSync.native(folder);
            if (!fs.statSync(root).isDirectory()) root = undefined;
        } catch {
            root = undefined;
        }
        this.root = root;
    }

    capNotes(): string[] {
        return [...this.caps];
    }

    /** Exact names in a folder of the app (`""`: the app folder), so `Home.py` is not `home.py` on any filesystem. */
    names(dir: string): string[] {
        return this.listing(dir).names;
    }

    private listing(dir: string): { names: string[]; set: Set<string> } {
        const cached = this.listings.get(dir);
        if (cached) return cached;
        const names: string[] = [];
        const where = this.locate(dir);
        if (where.ok && where.stat.isDirectory()) {
            let handle: fs.Dir | undefined;
            try {
                handle = fs.opendirSync(where.real);
                for (let entry = handle.readSync(); entry; entry = handle.readSync()) {
                    if (names.length >= PYTHON_APP_LIMITS.folderEntries) {
                        this.caps.add(`read only the first ${PYTHON_APP_LIMITS.folderEntries} entries of ${dir || "the app folder"}`);
                        break;
                    }
                    names.push(entry.name);
                }
            } catch {
                // unreadable: as empty
            } finally {
                handle?.closeSync();
            }
        }
        const listing = { names, set: new Set(names) };
        this.listings.set(dir, listing);
        return listing;
    }

    /** Whether `rel` exists under exactly that name (each segment as listed), as a file, folder or symlink. */
    exists(rel: string): boolean {
        const segments = rel.split("/");
        return segments.every((name, i) => this.listing(segments.slice(0, i).join("/")).set.has(name));
    }

    /** Where `rel` really is, if that is inside the app folder. */
    locate(rel: string): Located {
        const root = this.root!;
        const abs = path.join(root, ...rel.split("/").filter((s) => s !== ""));
        if (!within(root, abs)) return { ok: false, why: "is outside the app folder" };
        let real: string;
        try {
            real = fs.realpathSync.native(abs);
        } catch {
            let link = false;
            try {
                link = fs.lstatSync(abs).isSymbolicLink();
            } catch {
                // missing
            }
            return link ? { ok: false, why: "is a symlink to nothing" } : { ok: false, why: "does not exist", missing: true };
        }
        if (!within(root, real)) return { ok: false, why: "is a symlink to somewhere outside the app folder (the image holds the folder only, and this never follows a link out)" };
        try {
            return { ok: true, real, stat: fs.statSync(real) };
        } catch {
            return { ok: false, why: "could not be read" };
        }
    }

    /** A regular file's text: `whole` (a larger one is refused) or its `head` (scanned to the cap, `truncated` said). */
    read(rel: string, mode: "whole" | "head"): Read {
        const where = this.locate(rel);
        if (!where.ok) return where;
        if (!where.stat.isFile()) return { ok: false, why: where.stat.isDirectory() ? "is a folder, not a file" : "is not a regular file" };
        if (this.opened >= PYTHON_APP_LIMITS.files) {
            this.caps.add(`stopped opening files after ${PYTHON_APP_LIMITS.files}`);
            return { ok: false, why: `was not read: ${PYTHON_APP_LIMITS.files} files were read already (a cap)` };
        }
        const left = PYTHON_APP_LIMITS.totalBytes - this.bytes;
        const read = readPrefix(where.real, (stat) => {
            this.opened++;
            if (!stat.isFile()) return "is not a regular file";
            if (mode === "whole" && stat.size > PYTHON_APP_LIMITS.fileBytes) return `is larger than ${kib(PYTHON_APP_LIMITS.fileBytes)} (a cap)`;
            if (left <= 0 || (mode === "whole" && stat.size > left)) {
                this.caps.add(`stopped reading after ${kib(PYTHON_APP_LIMITS.totalBytes)} in all`);
                return `was not read: ${kib(PYTHON_APP_LIMITS.totalBytes)} were read already (a cap)`;
            }
            return Math.min(PYTHON_APP_LIMITS.fileBytes, left);
        });
        if ("error" in read) return { ok: false, why: read.error };
        const got = read.bytes.length;
        this.bytes += got;
        const truncated = read.size > got;
        if (truncated) this.caps.add(`read only the first ${kib(got)} of ${rel}`);
        const text = decode(read.bytes, truncated);
        if (text === undefined) return { ok: false, why: "is not text (binary, or not UTF-8)" };
        return { ok: true, text, truncated, real: where.real };
    }

    /** Reads `rel` or records the problem with it; undefined then. */
    readOrProblem(rel: string, mode: "whole" | "head"): (Read & { ok: true }) | undefined {
        const read = this.read(rel, mode);
        if (read.ok) return read;
        this.findings.problem(rel, read.why);
        return undefined;
    }
}

function within(root: string, p: string): boolean {
    const rel = path.relative(root, p);
    return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Text from bytes: UTF-8 (a BOM dropped) or UTF-16 with a BOM (Windows PowerShell's `pip freeze >`); undefined for binary. */
function decode(bytes: Buffer, truncated: boolean): string | undefined {
    let text: string;
    if (bytes[0] === 0xff && bytes[1] === 0xfe) {
        text = new TextDecoder("utf-16le").decode(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
        const swapped = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
        text = new TextDecoder("utf-16le").decode(swapped.swap16());
    } else {
        try {
            // stream: a character cut by the cap is left out instead of failing
            text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes, { stream: truncated });
        } catch {
            return undefined;
        }
    }
    return text.includes("\u0000") ? undefined : text;
}

// ---------------------------------------------------------------------------------------------
// Packages: requirements.txt or pyproject.toml

interface Pyproject {
    /** `[project].dependencies` as found (any TOML value), undefined when absent. */
    dependencies: unknown;
    requiresPython: unknown;
    dynamicDependencies: boolean;
    poetryDependencies: boolean;
}

function isTable(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A table's own key only (never `__proto__` or anything inherited). */
function own(table: unknown, key: string): unknown {
    return isTable(table) && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

function describeValue(value: unknown): string {
    if (typeof value === "string") return "a string";
    if (typeof value === "number" || typeof value === "bigint") return "a number";
    if (typeof value === "boolean") return "a boolean";
    if (value instanceof Date) return "a date";
    if (Array.isArray(value)) return "a list";
    return "a table";
}

function readPyproject(files: AppFiles, findings: Findings): Pyproject | undefined {
    if (!files.exists("pyproject.toml")) return undefined;
    const read = files.readOrProblem("pyproject.toml", "whole");
    if (!read) return undefined;
    let doc: unknown;
    try {
        doc = parseToml(read.text);
    } catch (error) {
        const where = error && typeof (error as { line?: unknown }).line === "number" ? ` at line ${(error as { line: number }).line}` : "";
        const first = (error instanceof Error ? error.message : String(error)).split("\n")[0];
        findings.problem("pyproject.toml", `is not valid TOML${where} (${clip(first)}): fix it, or remove it and list the packages in requirements.txt`);
        return undefined;
    }
    const project = own(doc, "project");
    if (project !== undefined && !isTable(project)) {
        findings.problem("pyproject.toml", `[project] must be a table, not ${describeValue(project)}`);
        return undefined;
    }
    const dynamic = own(project, "dynamic");
    const poetry = own(own(own(doc, "tool"), "poetry"), "dependencies");
    return {
        dependencies: own(project, "dependencies"),
        requiresPython: own(project, "requires-python"),
        dynamicDependencies: Array.isArray(dynamic) && dynamic.includes("dependencies"),
        poetryDependencies: isTable(poetry) && Object.keys(poetry).length > 0,
    };
}

interface Packages {
    source: "requirements.txt" | "pyproject.toml";
    files: string[];
    requirements: PythonRequirement[];
}

/** Files that list packages in a way the generated image does not install from, and how to get requirements.txt. */
const OTHER_SOURCES: [file: string, what: string][] = [
    ["Pipfile", "Pipenv; `pipenv requirements > requirements.txt` writes it"],
    ["Pipfile.lock", "Pipenv; `pipenv requirements > requirements.txt` writes it"],
    ["poetry.lock", "Poetry; `poetry export -f requirements.txt -o requirements.txt` writes it"],
    ["environment.yml", "conda; list the packages from PyPI in it"],
    ["environment.yaml", "conda; list the packages from PyPI in it"],
    ["setup.py", "setuptools; list its install_requires in it, with versions"],
    ["setup.cfg", "setuptools; list its install_requires in it, with versions"],
];

function readPackages(files: AppFiles, findings: Findings, framework: PythonFramework, pyproject: Pyproject | undefined): Packages | undefined {
    const hasRequirements = files.exists("requirements.txt");
    const deps = pyproject?.dependencies;
    if (deps !== undefined && !(Array.isArray(deps) && deps.every((d) => typeof d === "string"))) {
        const at = Array.isArray(deps) ? ` (item ${deps.findIndex((d) => typeof d !== "string") + 1} is ${describeValue(deps.find((d) => typeof d !== "string"))})` : "";
        findings.problem("pyproject.toml", `[project].dependencies must be a list of strings such as ["${framework}==1.2.3"], not ${describeValue(deps)}${at}`);
        return undefined;
    }
    const pyDeps = deps as string[] | undefined;

    let packages: Packages | undefined;
    if (hasRequirements) {
        const read = readRequirementsTxt(files, findings);
        if (!read) return undefined;
        const { requirements } = read;
        packages = { source: "requirements.txt", files: read.files, requirements };
        if (pyDeps && pyDeps.length > 0) {
            // Two package lists. requirements.txt wins only when it lists every package pyproject.toml
            // does (as a lock file compiled from it does, e.g. pip-compile's); otherwise they disagree,
            // and either choice would build something other than what the author runs.
            const fromPyproject = pyprojectRequirements(pyDeps, findings);
            const listed = new Set(requirements.map((r) => r.name));
            const missing = [...new Set(fromPyproject.map((r) => r.name).filter((n) => !listed.has(n)))];
            if (missing.length > 0) {
                findings.problem(".", `two package lists: requirements.txt and pyproject.toml's [project].dependencies, and requirements.txt lacks ${list(missing)}. ` +
                    "Keep one (delete requirements.txt, or empty [project].dependencies), or write requirements.txt from pyproject.toml " +
                    "(e.g. `pip-compile pyproject.toml -o requirements.txt`, which also pins every version)");
                return undefined;
            }
            findings.note("requirements.txt lists every package of pyproject.toml's [project].dependencies (as a lock file written from it does), so the packages come from requirements.txt");
        }
    } else if (pyDeps) {
        packages = { source: "pyproject.toml", files: ["pyproject.toml"], requirements: pyprojectRequirements(pyDeps, findings) };
    } else {
        unknownPackageSource(files, findings, framework, pyproject);
        return undefined;
    }

    const names = new Set(packages.requirements.map((r) => r.name));
    if (!names.has(framework)) {
        const why = framework === "flask" && names.has("dash") ? " (dash brings Flask in, but the app imports flask itself: list it too)" : "";
        findings.problem(packages.source, packages.source === "requirements.txt"
            ? `does not list ${framework}${why}: add a line \`${framework}==<version>\` (the version you run: \`pip show ${framework}\`)`
            : `[project].dependencies does not list ${framework}${why}: add "${framework}==<version>" (the version you run: \`pip show ${framework}\`)`);
        return undefined;
    }
    const marked = packages.requirements.find((r) => r.name === framework && r.marker);
    if (marked) findings.note(`${framework} is installed only where its marker holds (${clip(marked.marker!)}): the image's Linux and Python must satisfy it`);
    const loose = [...new Set(packages.requirements.filter((r) => !r.pinned).map((r) => r.name))];
    if (loose.length > 0) {
        findings.note(`not pinned to one version: ${list(loose)}; the package snapshot's day decides their versions (with packageSnapshot: latest, each build's newest: builds do not repeat); pin each with == to choose them (e.g. the versions \`pip freeze\` shows)`);
    }
    const includes = packages.files.slice(1);
    findings.note(`packages from ${packages.source}: ${packages.requirements.length} requirement${packages.requirements.length === 1 ? "" : "s"}${includes.length ? ` (with ${list(includes)})` : ""}`);
    return packages;
}

function unknownPackageSource(files: AppFiles, findings: Findings, framework: PythonFramework, pyproject: Pyproject | undefined): void {
    const add = "the generated image installs from requirements.txt (or pyproject.toml's [project].dependencies): add requirements.txt";
    let found = false;
    if (pyproject?.poetryDependencies) {
        findings.problem("pyproject.toml", `an unknown package source: [tool.poetry.dependencies] (Poetry); ${add} (\`poetry export -f requirements.txt -o requirements.txt\` writes it), or list the packages in [project].dependencies`);
        found = true;
    } else if (pyproject?.dynamicDependencies) {
        findings.problem("pyproject.toml", `an unknown package source: [project].dynamic makes the dependencies come from the build backend; ${add}, or list the packages in [project].dependencies`);
        found = true;
    }
    for (const [file, what] of OTHER_SOURCES) {
        if (found && file === "poetry.lock") continue;
        if (files.exists(file)) {
            findings.problem(file, `an unknown package source (${what.split(";")[0]}); ${add} (${what.split("; ")[1]})`);
            found = true;
        }
    }
    if (!found) {
        findings.problem(".", `has no requirements.txt: add requirements.txt listing the packages the app imports with exact versions, e.g. \`${framework}==<version>\` (\`pip freeze\` shows the versions you run)`);
    }
}

function pyprojectRequirements(deps: string[], findings: Findings): PythonRequirement[] {
    const out: PythonRequirement[] = [];
    deps.slice(0, PYTHON_APP_LIMITS.requirements).forEach((text, i) => {
        const parsed = parseRequirement(text, false);
        if (!parsed.ok) findings.problem("pyproject.toml", `[project].dependencies item ${i + 1}, ${quote(text.trim())}: ${parsed.why}`);
        else out.push({ name: parsed.name, line: text.trim(), pinned: parsed.pinned, file: "pyproject.toml", ...(parsed.marker ? { marker: parsed.marker } : {}) });
    });
    if (deps.length > PYTHON_APP_LIMITS.requirements) findings.problem("pyproject.toml", `[project].dependencies lists more than ${PYTHON_APP_LIMITS.requirements} packages (a cap)`);
    return out;
}

// requirements.txt, as pip reads it -------------------------------------------------------------

const PRIVATE_INDEX = "the generated image installs from PyPI only, so a private index (or its credentials) needs a Dockerfile of your own";
/** Options that change where packages come from or what is trusted: refused, with why. */
const REFUSED_OPTIONS: Record<string, string> = {
    "-e": "installs an editable package from a source folder or checkout that is not in the image and changes with it; list the package with its version from PyPI (`name==1.2.3`), or put its code in the app folder",
    "--editable": "installs an editable package from a source folder or checkout that is not in the image and changes with it; list the package with its version from PyPI (`name==1.2.3`), or put its code in the app folder",
    "-i": `points pip at another package index; ${PRIVATE_INDEX}`,
    "--index-url": `points pip at another package index; ${PRIVATE_INDEX}`,
    "--extra-index-url": `adds another package index; ${PRIVATE_INDEX}`,
    "--no-index": `turns PyPI off; ${PRIVATE_INDEX}`,
    "--trusted-host": `turns off HTTPS certificate checks for a host (a private index's); ${PRIVATE_INDEX}`,
    "-f": "installs packages from a folder or page outside PyPI; list versions from PyPI, or write a Dockerfile of your own",
    "--find-links": "installs packages from a folder or page outside PyPI; list versions from PyPI, or write a Dockerfile of your own",
};
/** Options that change how, not where from: kept (pip reads the file itself in the image). */
const HARMLESS_OPTIONS = new Set(["--pre", "--prefer-binary", "--only-binary", "--no-binary", "--require-hashes", "--use-feature"]);
const INCLUDE_OPTIONS: Record<string, "requirement" | "constraint"> = { "-r": "requirement", "--requirement": "requirement", "-c": "constraint", "--constraint": "constraint" };

interface RequirementsRead {
    requirements: PythonRequirement[];
    /** Names a constraints file fixes to one version. */
    exact: Set<string>;
    /** Real paths read already (a file included twice is read once). */
    done: Set<string>;
    /** The files read, as included. */
    files: string[];
    count: number;
}

function readRequirementsTxt(files: AppFiles, findings: Findings): { files: string[]; requirements: PythonRequirement[] } | undefined {
    const state: RequirementsRead = { requirements: [], exact: new Set(), done: new Set(), files: [], count: 0 };
    const before = findings.count;
    readRequirementsFile(files, findings, state, "requirements.txt", "requirement", []);
    if (findings.count > before) return undefined;
    return { files: state.files, requirements: state.requirements.map((r) => (r.pinned || !state.exact.has(r.name) ? r : { ...r, pinned: true })) };
}

/** One requirements file; `chain` holds the real paths of the files including it (to refuse circles). */
function readRequirementsFile(files: AppFiles, findings: Findings, state: RequirementsRead, rel: string, kind: "requirement" | "constraint", chain: { real: string; rel: string }[]): void {
    const read = files.readOrProblem(rel, "whole");
    if (!read) return;
    if (state.done.has(read.real)) return;
    state.done.add(read.real);
    state.files.push(rel);
    const here = [...chain, { real: read.real, rel }];
    for (const { line, text } of requirementLines(read.text)) {
        const at = `line ${line}`;
        if (text.includes("${") && /\$\{[A-Za-z0-9_]+\}/.test(text)) {
            findings.problem(rel, `${at}: uses an environment variable (${quote(text)}), which the image build does not have; ${PRIVATE_INDEX}`);
            continue;
        }
        if (text.startsWith("-")) {
            readOption(files, findings, state, rel, at, text, kind, here);
            continue;
        }
        const { requirement, options } = splitOptions(text);
        const hashed = options.some((o) => o.startsWith("--hash"));
        const unknown = options.filter((o) => !o.startsWith("--hash") && !o.startsWith("sha256:") && !o.startsWith("sha384:") && !o.startsWith("sha512:"));
        if (unknown.length > 0) {
            findings.problem(rel, `${at}: ${quote(unknown[0])} is not an option the generated image supports on a requirement (only --hash); remove it or write a Dockerfile of your own`);
            continue;
        }
        const parsed = parseRequirement(requirement, hashed);
        if (!parsed.ok) {
            findings.problem(rel, `${at}, ${quote(requirement)}: ${parsed.why}`);
            continue;
        }
        if (kind === "constraint") {
            if (parsed.pinned) state.exact.add(parsed.name);
            continue;
        }
        if (++state.count > PYTHON_APP_LIMITS.requirements) {
            findings.problem(rel, `lists more than ${PYTHON_APP_LIMITS.requirements} requirements (a cap)`);
            return;
        }
        state.requirements.push({ name: parsed.name, line: requirement, pinned: parsed.pinned, file: rel, ...(parsed.marker ? { marker: parsed.marker } : {}) });
    }
}

function readOption(files: AppFiles, findings: Findings, state: RequirementsRead, rel: string, at: string, text: string, kind: "requirement" | "constraint", chain: { real: string; rel: string }[]): void {
    const { flag, value } = splitFlag(text);
    const refused = REFUSED_OPTIONS[flag];
    if (refused) return findings.problem(rel, `${at}: ${flag} ${refused}`);
    if (HARMLESS_OPTIONS.has(flag)) return;
    const include = INCLUDE_OPTIONS[flag];
    if (!include) return findings.problem(rel, `${at}: ${quote(flag)} is not a requirements file option the generated image supports; remove it or write a Dockerfile of your own`);
    const target = includePath(rel, value);
    if (typeof target !== "string") return findings.problem(rel, `${at}: ${flag} ${quote(value)} ${target.why}`);
    if (chain.length >= PYTHON_APP_LIMITS.includeDepth) {
        return findings.problem(rel, `${at}: ${flag} ${quote(target)} nests requirements files more than ${PYTHON_APP_LIMITS.includeDepth} deep (a cap): include the files from requirements.txt directly`);
    }
    const where = files.locate(target);
    if (!where.ok) return findings.problem(rel, `${at}: ${flag} ${quote(target)} ${where.why}`);
    // by its exact name: the image's filesystem tells Base.txt from base.txt even where this one does not
    if (!files.exists(target)) return findings.problem(rel, `${at}: ${flag} ${quote(target)} does not exist under that name (names are case-sensitive in the image)`);
    const circle = chain.findIndex((c) => c.real === where.real);
    if (circle >= 0) {
        return findings.problem(rel, `${at}: ${flag} ${quote(target)} makes a circle (${clip([...chain.slice(circle).map((c) => c.rel), target].join(" → "))}): remove one of the includes`);
    }
    readRequirementsFile(files, findings, state, target, kind === "constraint" ? "constraint" : include, chain);
}

/** Logical lines as pip makes them: CRLF, `\` continuations (a comment line ends one), comments and blank lines dropped. */
function requirementLines(text: string): { line: number; text: string }[] {
    const physical = text.replace(/\r\n?/g, "\n").split("\n");
    const out: { line: number; text: string }[] = [];
    let pending: { line: number; text: string } | undefined;
    const emit = (line: number, raw: string) => {
        const stripped = stripComment(raw).trim();
        if (stripped) out.push({ line, text: stripped });
    };
    physical.forEach((raw, i) => {
        const commentOnly = raw.trimStart().startsWith("#");
        if (!raw.endsWith("\\") || commentOnly) {
            if (pending) {
                emit(pending.line, pending.text + (commentOnly ? ` ${raw}` : raw));
                pending = undefined;
            } else {
                emit(i + 1, raw);
            }
        } else {
            pending ??= { line: i + 1, text: "" };
            pending.text += raw.slice(0, -1);
        }
    });
    if (pending) emit(pending.line, pending.text);
    return out;
}

/** Drops a comment: `#` at the start or after whitespace (so a URL's `#sha256=` fragment stays). */
function stripComment(line: string): string {
    for (let i = line.indexOf("#"); i >= 0; i = line.indexOf("#", i + 1)) {
        if (i === 0 || line[i - 1] === " " || line[i - 1] === "\t") return line.slice(0, i);
    }
    return line;
}

/** pip's split of a requirement line: the requirement, then options from the first token starting with `-`. */
function splitOptions(text: string): { requirement: string; options: string[] } {
    const first = /[ \t]-/.exec(text);
    if (!first) return { requirement: text, options: [] };
    return { requirement: text.slice(0, first.index).trim(), options: text.slice(first.index).trim().split(/[ \t]+/) };
}

function splitFlag(text: string): { flag: string; value: string } {
    if (!text.startsWith("--")) return { flag: text.slice(0, 2), value: text.slice(2).trim() };
    let k = 2;
    while (k < text.length && text[k] !== "=" && text[k] !== " " && text[k] !== "\t") k++;
    return { flag: text.slice(0, k), value: (text[k] === "=" ? text.slice(k + 1) : text.slice(k)).trim() };
}

/** A `-r`/`-c` path: relative to the including file, as pip takes it, and inside the app folder. */
function includePath(from: string, value: string): string | { why: string } {
    if (value === "") return { why: "names no file" };
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return { why: "is an address or drive, not a file in the app folder: copy the file into the folder" };
    if (value.startsWith("/") || value.startsWith("\\") || value.startsWith("~")) return { why: "is outside the app folder (the image is built from the folder alone): copy the file into the folder" };
    if (!/^[A-Za-z0-9_./\\+-]+$/.test(value)) return { why: "is not a plain relative path (letters, digits, _ . + - and /)" };
    const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), value.replace(/\\/g, "/")));
    if (joined === ".." || joined.startsWith("../")) return { why: "is outside the app folder (the image is built from the folder alone): copy the file into the folder" };
    return joined;
}

type RequirementParse = { ok: true; name: string; pinned: boolean; marker?: string } | { ok: false; why: string };

const LOCAL_PATH = "is a local path: the generated image installs packages before it copies the app, and from PyPI only; publish the package (or list its version from PyPI), or write a Dockerfile of your own";
const VCS = "installs from a version-control repository, which needs git (and for a private one credentials) in the image, and a branch or tag can move; use a release from PyPI, or write a Dockerfile of your own";
const VERSION_OPERATORS = ["===", "==", "!=", "<=", ">=", "~=", "<", ">"];
const ARCHIVE = /\.(whl|zip|tar|tgz|tbz|txz|tar\.gz|tar\.bz2|tar\.xz)$/i;

const isNameChar = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === "." || c === "_" || c === "-";
const isAlphanumeric = (c: string | undefined) => c !== undefined && isNameChar(c) && c !== "." && c !== "_" && c !== "-";

/**
 * One PEP 508 requirement (pip's forms included). Refused: local paths, VCS (`git+…`) and bare
 * URLs. A direct reference `name @ https://…` is kept only with a hash (`#sha256=…` or `--hash`),
 * which pip checks: the same file every build, and it is pinned. Without one the file at that
 * address can change between builds; over plain http it can be changed on the way.
 */
function parseRequirement(text: string, hashed: boolean): RequirementParse {
    const s = text.trim();
    if (s.length > 1000) return { ok: false, why: "is longer than 1000 characters" };
    const lower = s.toLowerCase();
    if (/^(git|hg|svn|bzr)\+/.test(lower)) return { ok: false, why: VCS };
    if (lower.startsWith("file:")) return { ok: false, why: LOCAL_PATH };
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(lower)) return { ok: false, why: "is an address with no package name: write it as `name @ https://…#sha256=<hash>`, or use a version from PyPI" };
    const head = s.split(/[ ;@[]/)[0];
    if (/^[./\\~]/.test(s) || head.includes("/") || head.includes("\\") || ARCHIVE.test(head)) return { ok: false, why: LOCAL_PATH };

    let i = 0;
    while (i < s.length && isNameChar(s[i])) i++;
    const name = s.slice(0, i);
    if (!isAlphanumeric(name[0]) || !isAlphanumeric(name[name.length - 1])) return { ok: false, why: "does not start with a package name (letters, digits, and . _ - inside)" };
    const skip = () => {
        while (s[i] === " " || s[i] === "\t") i++;
    };
    skip();
    if (s[i] === "[") {
        const close = s.indexOf("]", i);
        if (close < 0) return { ok: false, why: "has an unclosed [extras] list" };
        const extras = s.slice(i + 1, close).split(",").map((e) => e.trim()).filter((e) => e !== "");
        if (!extras.every((e) => [...e].every(isNameChar))) return { ok: false, why: "has an extra that is not a name" };
        i = close + 1;
        skip();
    }
    const rest = s.slice(i);
    const normalized = name.toLowerCase().replace(/[-_.]+/g, "-");
    if (rest.startsWith("@")) {
        let end = rest.length;
        for (let k = rest.indexOf(";"); k >= 0; k = rest.indexOf(";", k + 1)) {
            if (rest[k - 1] === " " || rest[k - 1] === "\t") {
                end = k;
                break;
            }
        }
        const url = rest.slice(1, end).trim();
        const marker = end < rest.length ? rest.slice(end + 1).trim() : undefined;
        const why = directReferenceProblem(url, hashed);
        if (why) return { ok: false, why };
        return { ok: true, name: normalized, pinned: true, ...(marker ? { marker } : {}) };
    }
    const semicolon = rest.indexOf(";");
    const marker = semicolon >= 0 ? rest.slice(semicolon + 1).trim() : undefined;
    if (semicolon >= 0 && !marker) return { ok: false, why: "has an empty environment marker after ;" };
    let spec = (semicolon >= 0 ? rest.slice(0, semicolon) : rest).trim();
    if (spec.startsWith("(") && spec.endsWith(")")) spec = spec.slice(1, -1).trim();
    let pinned = false;
    if (spec !== "") {
        for (const clause of spec.split(",")) {
            const c = clause.trim();
            const op = VERSION_OPERATORS.find((o) => c.startsWith(o));
            const version = op ? c.slice(op.length).trim() : "";
            if (!op || !/^[A-Za-z0-9_.*+!-]+$/.test(version)) return { ok: false, why: `cannot read ${quote(c)} as a version (e.g. ==1.2.3 or >=1.2)` };
            if (op === "===" || (op === "==" && !version.includes("*"))) pinned = true;
        }
    }
    return { ok: true, name: normalized, pinned, ...(marker ? { marker } : {}) };
}

function directReferenceProblem(url: string, hashed: boolean): string | undefined {
    const lower = url.toLowerCase();
    if (/^(git|hg|svn|bzr)\+/.test(lower)) return VCS;
    if (lower.startsWith("file:") || !lower.includes(":")) return LOCAL_PATH;
    if (lower.startsWith("http://")) return "downloads over plain http, where the file can be changed on the way; use https with a #sha256=<hash>, or a version from PyPI";
    if (!lower.startsWith("https://") || /\s/.test(url)) return "is not an https address; use a version from PyPI";
    if (!hashed && !/#sha(256|384|512)=[0-9a-f]{64,128}$/.test(lower)) {
        return "downloads a file that can change between builds: add the file's hash (`#sha256=<hash>` at the end, which pip checks), or use a version from PyPI";
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// Python version: .python-version and requires-python

type VersionClause = { op: string; version: number[]; wildcard: boolean };

function parseVersionSpec(text: string): VersionClause[] | undefined {
    if (text.length > 200) return undefined;
    const clauses: VersionClause[] = [];
    for (const part of text.split(",")) {
        const c = part.trim();
        const op = VERSION_OPERATORS.find((o) => c.startsWith(o));
        if (!op) return undefined;
        let v = c.slice(op.length).trim();
        const wildcard = v.endsWith(".*");
        if (wildcard) v = v.slice(0, -2);
        if (!/^\d{1,4}(\.\d{1,4}){0,3}$/.test(v)) return undefined;
        if (wildcard && op !== "==" && op !== "!=") return undefined;
        if (op === "~=" && !v.includes(".")) return undefined;
        clauses.push({ op, version: v.split(".").map(Number), wildcard });
    }
    return clauses;
}

function compareVersions(a: number[], b: number[]): number {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}

function satisfies(v: number[], c: VersionClause): boolean {
    const prefix = (p: number[]) => p.every((n, i) => v[i] === n);
    const cmp = compareVersions(v, c.version);
    switch (c.op) {
        case "==": case "===": return c.wildcard ? prefix(c.version) : cmp === 0;
        case "!=": return c.wildcard ? !prefix(c.version) : cmp !== 0;
        case "<": return cmp < 0;
        case "<=": return cmp <= 0;
        case ">": return cmp > 0;
        case ">=": return cmp >= 0;
        default: return cmp >= 0 && prefix(c.version.slice(0, -1)); // ~=
    }
}

/** Whether some release 3.N.x satisfies every clause. */
function allowsMinor(minor: string, clauses: VersionClause[]): boolean {
    const [major, n] = minor.split(".").map(Number);
    for (let patch = 0; patch <= 30; patch++) {
        if (clauses.every((c) => satisfies([major, n, patch], c))) return true;
    }
    return false;
}

function choosePython(files: AppFiles, findings: Findings, requiresPython: unknown): string | undefined {
    let clauses: VersionClause[] | undefined;
    if (requiresPython !== undefined) {
        clauses = typeof requiresPython === "string" ? parseVersionSpec(requiresPython) : undefined;
        if (!clauses) {
            findings.problem("pyproject.toml", `[project].requires-python ${typeof requiresPython === "string" ? quote(requiresPython) : `is ${describeValue(requiresPython)}, which`} is not a version range such as ">=3.10" or ">=3.10,<3.14"`);
            return undefined;
        }
    }
    const range = `requires-python ${quote(String(requiresPython))}`;
    if (files.exists(".python-version")) {
        const read = files.readOrProblem(".python-version", "whole");
        if (!read) return undefined;
        const first = read.text.replace(/\r/g, "").split("\n").map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("#")) ?? "";
        const m = /^(\d{1,2})\.(\d{1,3})(\.\d{1,3})?$/.exec(first);
        const minor = m ? `${m[1]}.${m[2]}` : undefined;
        if (!minor || !PYTHON_VERSIONS.includes(minor)) {
            findings.problem(".python-version", `says ${quote(first)}; write one of ${PYTHON_VERSIONS.join(", ")} (or a release of one, e.g. ${DEFAULT_PYTHON}.4)`);
            return undefined;
        }
        if (clauses && !allowsMinor(minor, clauses)) {
            findings.problem(".python-version", `says ${minor}, which pyproject.toml's ${range} does not allow: change one of them`);
            return undefined;
        }
        findings.note(`Python ${minor} from .python-version${m![3] ? ` (its release ${first} is the image's to choose)` : ""}`);
        return minor;
    }
    if (!clauses) return undefined;
    const allowed = PYTHON_VERSIONS.filter((v) => allowsMinor(v, clauses!));
    if (allowed.length === 0) {
        findings.problem("pyproject.toml", `[project].${range} allows none of ${PYTHON_VERSIONS.join(", ")}: allow one of them`);
        return undefined;
    }
    // The default when allowed, else the allowed version nearest it (the newer of two as near).
    const distance = (v: string) => Math.abs(PYTHON_VERSIONS.indexOf(v) - PYTHON_VERSIONS.indexOf(DEFAULT_PYTHON));
    const chosen = allowed.reduce((best, v) => (distance(v) <= distance(best) ? v : best));
    findings.note(`Python ${chosen}: pyproject.toml's ${range} allows ${list(allowed)}${chosen === DEFAULT_PYTHON ? "" : ` (not ${DEFAULT_PYTHON}, the default)`}`);
    return chosen;
}

// ---------------------------------------------------------------------------------------------
// Python source, read as text

interface Statement {
    line: number;
    tokens: string[];
}

const MAX_STATEMENT_CHARS = 2000;
const MAX_TOKENS = 400;
const MAX_STATEMENTS = 20000;
/** Imports, calls and attribute assignments kept per module: matching modules against each other stays small. */
const MAX_FACTS = 1000;

/**
 * The module's top-level simple statements (those starting at column 0), each as tokens, in one
 * pass: comments dropped, strings (triple-quoted too, any prefix) as `""`, lines joined inside
 * brackets and after `\`, statements split at `;`. Indented blocks are skipped, not read.
 */
function topLevelStatements(source: string): Statement[] {
    const out: Statement[] = [];
    const n = source.length;
    let i = 0;
    let line = 1;
    let depth = 0;
    let lineStart = true;
    let record = false;
    let code = "";
    let startLine = 1;
    const flush = () => {
        if (record && out.length < MAX_STATEMENTS && code.trim() !== "") out.push({ line: startLine, tokens: tokenize(code) });
        code = "";
    };
    const add = (s: string) => {
        if (record && code.length < MAX_STATEMENT_CHARS) code += s;
    };
    while (i < n) {
        const c = source[i];
        if (lineStart) {
            lineStart = false;
            record = c !== " " && c !== "\t" && c !== "\f";
            startLine = line;
        }
        if (c === "#") {
            const end = source.indexOf("\n", i);
            i = end < 0 ? n : end;
        } else if (c === '"' || c === "'") {
            const end = stringEnd(source, i);
            for (let k = i; k < end; k++) if (source.charCodeAt(k) === 10) line++; // within the literal only: linear
            add('""');
            i = end;
        } else if (c === "\\" && source[i + 1] === "\n") {
            add(" ");
            line++;
            i += 2;
        } else if (c === "\n") {
            line++;
            i++;
            if (depth === 0) {
                flush();
                lineStart = true;
            } else {
                add(" ");
            }
        } else if (c === ";" && depth === 0) {
            flush();
            startLine = line;
            i++;
        } else {
            if (c === "(" || c === "[" || c === "{") depth++;
            else if ((c === ")" || c === "]" || c === "}") && depth > 0) depth--;
            add(c);
            i++;
        }
    }
    flush();
    return out;
}

/** Where the string literal opening at `i` ends (past its closing quote; at the newline ending an unclosed one-line string). */
function stringEnd(s: string, i: number): number {
    const q = s[i];
    const triple = s[i + 1] === q && s[i + 2] === q;
    let j = i + (triple ? 3 : 1);
    while (j < s.length) {
        const c = s[j];
        if (c === "\\") j += 2;
        else if (c === "\n" && !triple) return j;
        else if (c === q && (!triple || (s[j + 1] === q && s[j + 2] === q))) return j + (triple ? 3 : 1);
        else j++;
    }
    return s.length;
}

const NAME_TOKEN = /[A-Za-z_][A-Za-z0-9_]*/y;
const TWO_CHAR_TOKENS = new Set(["==", "!=", "<=", ">=", "->", "**", "//", ":=", "+=", "-=", "*=", "/=", '""']);

function tokenize(code: string): string[] {
    const tokens: string[] = [];
    let i = 0;
    while (i < code.length && tokens.length < MAX_TOKENS) {
        const c = code[i];
        if (c === " " || c === "\t" || c === "\f" || c === "\r") {
            i++;
            continue;
        }
        NAME_TOKEN.lastIndex = i;
        const m = NAME_TOKEN.exec(code);
        const two = code.slice(i, i + 2);
        const token = m ? m[0] : TWO_CHAR_TOKENS.has(two) ? two : c;
        tokens.push(token);
        i += token.length;
    }
    return tokens;
}

const isName = (t: string | undefined): t is string => t !== undefined && IDENTIFIER.test(t) && !PY_KEYWORDS.has(t);

/** A dotted name at `tokens[k]`: its parts and where it ends. */
function dotted(tokens: string[], k: number): { parts: string[]; end: number } {
    const parts: string[] = [];
    while (isName(tokens[k])) {
        parts.push(tokens[k]);
        if (tokens[k + 1] !== "." || !isName(tokens[k + 2])) return { parts, end: k + 1 };
        k += 2;
    }
    return { parts, end: k };
}

/** What a module binds at its top level, as far as reading its text tells. */
interface ModuleFacts {
    /** Relative file, e.g. `app.py` or `flaskr/__init__.py`. */
    file: string;
    /** Its module name, e.g. `app` or `flaskr`. */
    module: string;
    /** Modules imported (`import a.b`, `from a.b import c`: `a.b`), absolute imports only. */
    imports: Set<string>;
    /** `from <module> import <name> as <alias>`, `level` counting leading dots. */
    fromImports: { module: string; level: number; name: string; alias: string }[];
    /** `target = callee(…)`, callee dotted, e.g. `dash.Dash`. */
    calls: { target: string; callee: string; line: number }[];
    /** `target = object.attribute`. */
    attributes: { target: string; object: string; attribute: string }[];
    /** Functions, with the parameters a call with no arguments would miss. */
    defs: Map<string, { line: number; required: string[] }>;
    /** Every name bound at the top level. */
    names: Set<string>;
    /** Set when more than MAX_FACTS of a kind were met (the rest are not kept). */
    capped: boolean;
}

/** Adds to one of a module's fact lists, up to MAX_FACTS. */
function keep<T>(facts: ModuleFacts, into: T[], item: T): void {
    if (into.length < MAX_FACTS) into.push(item);
    else facts.capped = true;
}

function moduleFacts(file: string, module: string, source: string): ModuleFacts {
    const facts: ModuleFacts = { file, module, imports: new Set(), fromImports: [], calls: [], attributes: [], defs: new Map(), names: new Set(), capped: false };
    for (const { line, tokens } of topLevelStatements(source)) {
        const first = tokens[0];
        if (first === "import") readImport(facts, tokens);
        else if (first === "from") readFromImport(facts, tokens);
        else if (first === "def" || (first === "async" && tokens[1] === "def")) readDef(facts, tokens.slice(first === "def" ? 1 : 2), line);
        else if (first === "class" && isName(tokens[1])) facts.names.add(tokens[1]);
        else if (isName(first)) readAssignment(facts, tokens, line);
    }
    return facts;
}

function readImport(facts: ModuleFacts, tokens: string[]): void {
    let k = 1;
    while (k < tokens.length) {
        const { parts, end } = dotted(tokens, k);
        if (parts.length === 0) return;
        facts.imports.add(parts.join("."));
        k = end;
        if (tokens[k] === "as" && isName(tokens[k + 1])) {
            facts.names.add(tokens[k + 1]);
            k += 2;
        } else {
            facts.names.add(parts[0]);
        }
        if (tokens[k] !== ",") return;
        k++;
    }
}

function readFromImport(facts: ModuleFacts, tokens: string[]): void {
    let k = 1;
    let level = 0;
    while (tokens[k] === ".") {
        level++;
        k++;
    }
    const { parts, end } = dotted(tokens, k);
    if (tokens[end] !== "import" || (level === 0 && parts.length === 0)) return;
    const module = parts.join(".");
    if (level === 0) facts.imports.add(module);
    k = end + 1;
    if (tokens[k] === "(") k++;
    while (isName(tokens[k])) {
        const name = tokens[k];
        const alias = tokens[k + 1] === "as" && isName(tokens[k + 2]) ? tokens[k + 2] : name;
        keep(facts, facts.fromImports, { module, level, name, alias });
        facts.names.add(alias);
        k += alias === name && tokens[k + 1] !== "as" ? 1 : 3;
        if (tokens[k] !== ",") return;
        k++;
    }
}

function readDef(facts: ModuleFacts, tokens: string[], line: number): void {
    const name = tokens[0];
    if (!isName(name) || tokens[1] !== "(") return;
    facts.names.add(name);
    const required: string[] = [];
    let depth = 0;
    let param: string[] = [];
    const close = () => {
        if (isName(param[0]) && !param.includes("=")) required.push(param[0]);
        param = [];
    };
    for (let k = 2; k < tokens.length; k++) {
        const t = tokens[k];
        if (depth === 0 && (t === ")" || t === ",")) {
            close();
            if (t === ")") break;
            continue;
        }
        if (t === "(" || t === "[" || t === "{") depth++;
        else if (t === ")" || t === "]" || t === "}") depth--;
        if (depth === 0 || param.length === 0) param.push(t);
    }
    facts.defs.set(name, { line, required });
}

function readAssignment(facts: ModuleFacts, tokens: string[], line: number): void {
    let eq = 1;
    if (tokens[1] === ":") {
        // an annotation: `app: Flask = Flask(__name__)`; the first `=` outside brackets
        let depth = 0;
        for (eq = 2; eq < tokens.length; eq++) {
            const t = tokens[eq];
            if (t === "(" || t === "[" || t === "{") depth++;
            else if (t === ")" || t === "]" || t === "}") depth--;
            else if (t === "=" && depth === 0) break;
        }
    }
    if (tokens[eq] !== "=") return;
    const targets = [tokens[0]];
    let k = eq + 1;
    while (isName(tokens[k]) && tokens[k + 1] === "=") {
        targets.push(tokens[k]);
        k += 2;
    }
    targets.forEach((t) => facts.names.add(t));
    const { parts, end } = dotted(tokens, k);
    if (parts.length === 0) return;
    for (const target of targets) {
        if (tokens[end] === "(") keep(facts, facts.calls, { target, callee: parts.join("."), line });
        else if (end === tokens.length && parts.length >= 2) keep(facts, facts.attributes, { target, object: parts.slice(0, -1).join("."), attribute: parts[parts.length - 1] });
    }
}

/** The app folder's Python modules: found by name as Python imports them, read once each. */
class Sources {
    private readonly cache = new Map<string, ModuleFacts | undefined>();

    constructor(readonly files: AppFiles, private readonly findings: Findings) {}

    /** A module's file: `a.b` is `a/b/__init__.py` (a package comes first, as in Python) or `a/b.py`; undefined when not in the folder. */
    fileOf(module: string): string | undefined {
        const base = module.split(".").join("/");
        if (this.files.exists(`${base}/__init__.py`)) return `${base}/__init__.py`;
        if (this.files.exists(`${base}.py`)) return `${base}.py`;
        return undefined;
    }

    /** The facts of a file; a file that cannot be read is a problem (outside, FIFO), or a note (binary, cap). */
    facts(file: string, module: string): ModuleFacts | undefined {
        if (this.cache.has(file)) return this.cache.get(file);
        const read = this.files.read(file, "head");
        let facts: ModuleFacts | undefined;
        if (read.ok) {
            facts = moduleFacts(file, module, read.text);
            if (facts.capped) this.findings.note(`${file}: kept only its first ${MAX_FACTS} top-level imports, calls and attribute assignments of each kind`);
        }
        else if (read.why.includes("(a cap)") || read.why.startsWith("is not text")) this.findings.note(`skipped ${file}: it ${read.why}`);
        else this.findings.problem(file, read.why);
        this.cache.set(file, facts);
        return facts;
    }

    /** The local module a `from` import names, relative to `facts`' module; undefined when not in the folder. */
    imported(facts: ModuleFacts, from: { module: string; level: number }): ModuleFacts | undefined {
        let module = from.module;
        if (from.level > 0) {
            const pkg = facts.module.split(".");
            if (!facts.file.endsWith("__init__.py")) pkg.pop();
            if (from.level - 1 >= pkg.length) return undefined; // beyond the top level: an ImportError in Python
            module = [...pkg.slice(0, pkg.length - (from.level - 1)), ...(module ? [module] : [])].join(".");
        }
        if (!module || module === facts.module) return undefined;
        const file = this.fileOf(module);
        return file ? this.facts(file, module) : undefined;
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points

function findStreamlitScript(sources: Sources, findings: Findings): PythonScriptEntry | undefined {
    const present = STREAMLIT_SCRIPTS.filter((f) => sources.files.exists(f));
    const facts = present.map((f) => sources.facts(f, f.slice(0, -3))).filter((f): f is ModuleFacts => f !== undefined);
    const importing = facts.filter(importsStreamlit);
    if (importing.length === 1) {
        const others = present.filter((f) => f !== importing[0].file);
        findings.note(`entry point ${importing[0].file}: the one of ${STREAMLIT_SCRIPTS.join(", ")} that imports streamlit${others.length ? ` (${others.join(", ")} do${others.length === 1 ? "es" : ""} not)` : ""}`);
        return { kind: "script", file: importing[0].file };
    }
    if (importing.length > 1) {
        findings.problem(".", `two candidates: ${importing.map((f) => f.file).join(", ")} each import streamlit: set entrypoint to the one \`streamlit run\` starts`);
    } else if (present.length > 0) {
        findings.problem(present[0], `does not import streamlit at its top level, and neither does any of ${STREAMLIT_SCRIPTS.join(", ")}: set entrypoint to the app's main script`);
    } else {
        findings.problem(".", `has none of ${STREAMLIT_SCRIPTS.join(", ")}: name the app's main script streamlit_app.py, or set entrypoint to it (e.g. dashboard.py)`);
    }
    return undefined;
}

function importsStreamlit(facts: ModuleFacts): boolean {
    return [...facts.imports].some((m) => m === "streamlit" || m.startsWith("streamlit."));
}

/** A way a module exposes the app a WSGI server serves. */
interface Exposure {
    attribute: string;
    factory: boolean;
    /** Why, for the notes. */
    how: string;
    /** The local module it imports the app from, when it does. */
    via?: string;
    /** The app object served, `file:name` where it is created: two exposures of one app are one candidate. */
    serves: string;
    /** Set when it cannot be served as it is (a factory that needs arguments). */
    problem?: string;
}

const isClassCall = (callee: string, cls: string) => callee === cls || (callee.endsWith(`.${cls}`) && callee.split(".").length === 2);

/** A module's apps, indexed once: its Dash apps with their servers, its Flask apps (made by the class or a local factory). */
interface AppIndex {
    /** Dash app name → the call that creates it. */
    dashApps: Map<string, ModuleFacts["calls"][number]>;
    /** Dash app name → the name its Flask server is bound to (`server` first). */
    serverOf: Map<string, string>;
    /** Server name → the Dash app it is the server of. */
    appOfServer: Map<string, string>;
    /** Flask app name → the call that creates it. */
    flaskApps: Map<string, ModuleFacts["calls"][number]>;
}

const appIndexes = new WeakMap<ModuleFacts, AppIndex>();

function appIndex(sources: Sources, facts: ModuleFacts): AppIndex {
    const cached = appIndexes.get(facts);
    if (cached) return cached;
    const dashApps = new Map<string, ModuleFacts["calls"][number]>();
    for (const call of facts.calls) if (isClassCall(call.callee, "Dash") && !dashApps.has(call.target)) dashApps.set(call.target, call);
    const serverOf = new Map<string, string>();
    const appOfServer = new Map<string, string>();
    for (const a of facts.attributes) {
        if (a.attribute !== "server" || !dashApps.has(a.object)) continue;
        if (!serverOf.has(a.object) || a.target === "server") serverOf.set(a.object, a.target);
        appOfServer.set(a.target, a.object);
    }
    // the factories a call may make a Flask app with: defined here, or imported from a local module that defines them
    const factories = new Set(FLASK_FACTORIES.filter((name) => facts.defs.has(name)));
    for (const from of facts.fromImports) {
        if (FLASK_FACTORIES.includes(from.name) && sources.imported(facts, from)?.defs.has(from.name)) factories.add(from.alias);
    }
    const flaskApps = new Map<string, ModuleFacts["calls"][number]>();
    for (const call of facts.calls) {
        if ((isClassCall(call.callee, "Flask") || factories.has(call.callee)) && !flaskApps.has(call.target)) flaskApps.set(call.target, call);
    }
    const index = { dashApps, serverOf, appOfServer, flaskApps };
    appIndexes.set(facts, index);
    return index;
}

function dashExposures(sources: Sources, facts: ModuleFacts): Exposure[] {
    const out: Exposure[] = [];
    const own = appIndex(sources, facts);
    for (const [app, call] of own.dashApps) {
        const server = own.serverOf.get(app);
        out.push({
            attribute: server ?? `${app}.server`, factory: false, serves: `${facts.file}:${app}`,
            how: `${facts.file} creates the Dash app (${app} = ${call.callee}(…), line ${call.line})${server ? ` and names its Flask server (${server} = ${app}.server)` : "; its Flask server is .server"}`,
        });
    }
    for (const from of facts.fromImports) {
        const other = sources.imported(facts, from);
        if (!other) continue;
        const theirs = appIndex(sources, other);
        const how = `${facts.file} imports the Dash app's ${from.name} from ${other.file}`;
        const appOfServer = theirs.appOfServer.get(from.name);
        if (appOfServer !== undefined) out.push({ attribute: from.alias, factory: false, how, via: other.module, serves: `${other.file}:${appOfServer}` });
        else if (theirs.dashApps.has(from.name)) {
            // `from app import app` then `server = app.server` here
            const server = facts.attributes.find((a) => a.object === from.alias && a.attribute === "server")?.target;
            out.push({ attribute: server ?? `${from.alias}.server`, factory: false, how, via: other.module, serves: `${other.file}:${from.name}` });
        }
    }
    return out;
}

function flaskExposures(sources: Sources, facts: ModuleFacts): Exposure[] {
    const out: Exposure[] = [];
    for (const [app, call] of appIndex(sources, facts).flaskApps) {
        out.push({ attribute: app, factory: false, serves: `${facts.file}:${app}`, how: `${facts.file} creates the Flask app (${app} = ${call.callee}(…), line ${call.line})` });
    }
    for (const from of facts.fromImports) {
        const other = sources.imported(facts, from);
        if (other && appIndex(sources, other).flaskApps.has(from.name)) {
            out.push({ attribute: from.alias, factory: false, how: `${facts.file} imports the Flask app ${from.name} from ${other.file}`, via: other.module, serves: `${other.file}:${from.name}` });
        }
    }
    for (const name of FLASK_FACTORIES) {
        const def = facts.defs.get(name);
        if (!def) continue;
        out.push({
            attribute: name, factory: true, serves: `${facts.file}:${name}`, how: `${facts.file} has the application factory ${name}() (line ${def.line}), called with no arguments`,
            ...(def.required.length ? { problem: `${name}() needs ${list(def.required)}, but it is called with no arguments: give ${def.required.length === 1 ? "it a default" : "them defaults"}` } : {}),
        });
    }
    return out;
}

/**
 * The one exposure of a module, as Flask's own discovery picks it: an app (named app or application
 * first), else a factory. One app reached two ways (`from app import app, server`) is one: its
 * plain name (`server`) is served rather than `app.server`.
 */
function pickExposure(framework: "dash" | "flask", file: string, exposures: Exposure[], findings: Findings): Exposure | undefined {
    const apps = exposures.filter((e) => !e.factory);
    const pool = apps.length ? apps : exposures;
    if (new Set(pool.map((e) => e.serves)).size <= 1) return pool.find((e) => !e.attribute.includes(".")) ?? pool[0];
    const attributes = [...new Set(pool.map((e) => e.attribute))];
    const preferred = framework === "flask" ? ["app", "application", ...FLASK_FACTORIES].find((a) => attributes.includes(a)) : undefined;
    if (preferred) return pool.find((e) => e.attribute === preferred);
    findings.problem(file, `has more than one ${FRAMEWORK_CLASS[framework]} app at its top level (${clip(list(attributes))}): set entrypoint to the one to serve, e.g. ${file.replace(/(\/__init__)?\.py$/, "").split("/").join(".")}:${clip(attributes[0])}`);
    return undefined;
}

function wsgiEntry(module: string, exposure: Exposure, findings: Findings, file: string): PythonWsgiEntry | undefined {
    if (exposure.problem) {
        findings.problem(file, exposure.problem);
        return undefined;
    }
    return { kind: "wsgi", module, attribute: exposure.attribute, factory: exposure.factory };
}

/** A top-level `name.py` that a package `name/` hides: Python imports the package. */
function shadowed(sources: Sources, findings: Findings, module: string): boolean {
    const top = module.split(".")[0];
    if (sources.files.exists(`${top}.py`) && sources.files.exists(`${top}/__init__.py`)) {
        findings.problem(`${top}.py`, `is hidden by the package ${top}/ (Python imports ${top}/__init__.py, never ${top}.py): rename one of them`);
        return true;
    }
    return false;
}

function findWsgiApp(sources: Sources, findings: Findings, framework: "dash" | "flask"): PythonWsgiEntry | undefined {
    const before = findings.count;
    const exposuresOf = (facts: ModuleFacts) => (framework === "dash" ? dashExposures : flaskExposures)(sources, facts);
    const candidates: { module: string; file: string; exposure: Exposure }[] = [];
    const consider = (module: string, file: string) => {
        const facts = sources.facts(file, module);
        if (!facts) return;
        const exposure = pickExposure(framework, file, exposuresOf(facts), findings);
        if (exposure) candidates.push({ module, file, exposure });
    };
    const modules = WSGI_MODULES.filter((m) => sources.files.exists(`${m}.py`) && !shadowed(sources, findings, m));
    modules.forEach((m) => consider(m, `${m}.py`));
    const looked = modules.map((m) => `${m}.py`);
    if (candidates.length === 0) {
        // app/ first; the other packages only when it has no app
        for (const p of topLevelPackages(sources.files)) {
            if (p !== "app" && candidates.some((c) => c.module === "app")) break;
            consider(p, `${p}/__init__.py`);
            looked.push(`${p}/__init__.py`);
        }
    }
    // A module that imports the app from another (index.py in Dash's multi-page layout, wsgi.py) is
    // the one that puts the pieces together: serve it.
    const importers = candidates.filter((c) => c.exposure.via !== undefined);
    const pool = importers.length > 0 ? importers : candidates;
    if (pool.length === 1) {
        const [chosen] = pool;
        findings.note(`entry point ${chosen.module}:${chosen.exposure.attribute}${chosen.exposure.factory ? " (a factory, called with no arguments)" : ""}: ${chosen.exposure.how}`);
        return wsgiEntry(chosen.module, chosen.exposure, findings, chosen.file);
    }
    if (pool.length > 1) {
        findings.problem(".", `two candidates: ${pool.map((c) => `${c.file} (${c.module}:${c.exposure.attribute})`).join(", ")} each have a ${FRAMEWORK_CLASS[framework]} app: set entrypoint to the one to serve`);
        return undefined;
    }
    if (findings.count > before) return undefined;
    const add = framework === "dash" ? "add app = Dash(__name__) and server = app.server to app.py" : "add app = Flask(__name__) to app.py (or a create_app() factory to a package's __init__.py)";
    const where = looked.length ? `read ${list(looked)}` : `there is none of ${WSGI_MODULES.map((m) => `${m}.py`).join(", ")} nor a package`;
    findings.problem(".", `found no ${FRAMEWORK_CLASS[framework]} app at a module's top level (${where}): ${add}, or set entrypoint (e.g. dashboard:${framework === "dash" ? "server" : "app"})`);
    return undefined;
}

/** Top-level folders holding `__init__.py` that could be the app's package: `app` first, then by name, at most PYTHON_APP_LIMITS.packages. */
function topLevelPackages(files: AppFiles): string[] {
    const names = files.names("").filter((n) => IDENTIFIER.test(n) && !n.startsWith("_") && !NOT_APP_PACKAGES.has(n) && files.exists(`${n}/__init__.py`)).sort();
    const ordered = names.includes("app") ? ["app", ...names.filter((n) => n !== "app")] : names;
    return ordered.slice(0, PYTHON_APP_LIMITS.packages);
}

// The user's entrypoint --------------------------------------------------------------------------

const ENTRYPOINT_MAX = 200;

function entryFromOverride(sources: Sources, findings: Findings, framework: PythonFramework, entrypoint: unknown): PythonEntry | undefined {
    const bad = (why: string) => {
        findings.problem(".", `entrypoint ${typeof entrypoint === "string" ? quote(entrypoint) : `is ${describeValue(entrypoint)}, which`} ${why}`);
        return undefined;
    };
    if (typeof entrypoint !== "string" || entrypoint === "") return bad("is not a non-empty string");
    if (entrypoint.length > ENTRYPOINT_MAX) return bad(`is longer than ${ENTRYPOINT_MAX} characters`);
    const fileForm = framework === "streamlit"
        ? "must be a .py file in the app folder, e.g. dashboard.py or pages/home.py (letters, digits, _ . - and /; no .. or absolute path)"
        : "must be module:attribute, module, file.py or file.py:attribute (identifiers and dots only), e.g. app:server or wsgi.py";
    if (framework === "streamlit") {
        const segments = entrypoint.split("/");
        if (!entrypoint.endsWith(".py") || !segments.every((s) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s))) return bad(fileForm);
        const where = sources.files.locate(entrypoint);
        if (!sources.files.exists(entrypoint) || !where.ok) return bad(`${where.ok ? "does not exist" : where.why} (it must be a .py file in the app folder)`);
        if (!where.stat.isFile()) return bad("is not a file");
        const facts = sources.facts(entrypoint, entrypoint.slice(0, -3));
        if (facts && !importsStreamlit(facts)) findings.note(`${entrypoint} (the entrypoint) does not import streamlit at its top level`);
        findings.note(`entry point ${entrypoint}: the entrypoint set`);
        return { kind: "script", file: entrypoint };
    }

    const parts = entrypoint.split(":");
    if (parts.length > 2) return bad(fileForm);
    const [target, attribute] = parts;
    const isDotted = (s: string | undefined) => s !== undefined && s.split(".").every(isName);
    let module: string;
    if (target.endsWith(".py")) {
        const segments = target.slice(0, -3).split("/");
        if (!segments.every(isName)) return bad(fileForm);
        module = (segments[segments.length - 1] === "__init__" ? segments.slice(0, -1) : segments).join(".");
        if (module === "") return bad(fileForm);
    } else {
        if (!isDotted(target)) return bad(fileForm);
        module = target;
    }
    if (attribute !== undefined && !isDotted(attribute)) {
        return bad(`${fileForm}; the attribute is a name (a factory such as create_app is named without (), and called with no arguments)`);
    }
    const file = sources.fileOf(module);
    if (!file) return bad(`names ${module}, but the app folder has no ${module.split(".").join("/")}.py nor ${module.split(".").join("/")}/__init__.py`);
    if (shadowed(sources, findings, module)) return undefined;
    const before = findings.count;
    const facts = sources.facts(file, module);
    if (!facts) return undefined;
    if (attribute === undefined) {
        const exposure = pickExposure(framework, file, (framework === "dash" ? dashExposures : flaskExposures)(sources, facts), findings);
        if (!exposure) {
            if (findings.count === before) findings.problem(file, `has no ${FRAMEWORK_CLASS[framework]} app at its top level: name it in entrypoint, e.g. ${module}:app`);
            return undefined;
        }
        findings.note(`entry point ${module}:${exposure.attribute}: the entrypoint set ${entrypoint}, and ${exposure.how}`);
        return wsgiEntry(module, exposure, findings, file);
    }
    const head = attribute.split(".")[0];
    const def = attribute.includes(".") ? undefined : facts.defs.get(attribute);
    if (def && def.required.length > 0) {
        findings.problem(file, `${attribute}() (the entrypoint) needs ${list(def.required)}, but it is called with no arguments: give ${def.required.length === 1 ? "it a default" : "them defaults"}`);
        return undefined;
    }
    if (!facts.names.has(head)) findings.note(`${file} binds no ${head} at its top level that could be read; serving ${module}:${attribute} as the entrypoint says`);
    findings.note(`entry point ${module}:${attribute}${def ? " (a function: called with no arguments as an application factory)" : ""}: the entrypoint set`);
    return { kind: "wsgi", module, attribute, factory: def !== undefined };
}
