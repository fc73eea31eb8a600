/**
 * Deploy from source, step one: is an app folder without a Dockerfile a Shiny app, and which R
 * packages does it need? A pure look at the folder (no R, no network); someone else writes the
 * Dockerfile from the answer.
 *
 * The folder is anyone's pull request and this runs at plan time in CI, so it is read as hostile:
 *   - nothing outside the folder is read: symlinks that lead out are reported or skipped, never
 *     followed, and no folder is entered through a symlink;
 *   - bytes read per file and in total, files read, folder entries listed and folder depth are
 *     capped (`SHINY_SCAN_LIMITS`); a note says when a cap cut the scan;
 *   - only regular files are opened (non-blocking, no symlink followed at open), so a FIFO or a
 *     device cannot hang it; files with NUL bytes are binary and not scanned;
 *   - the R scanner and the DESCRIPTION reader are hand-written single passes (no regular
 *     expression runs over file text, except linear ones for line endings), and every call
 *     argument list is read at most `CALL_TOKENS` tokens far, so no input makes it quadratic;
 *   - renv.lock is read by the hardened JSON reader of the stack file (`configJson.ts`): no
 *     prototype keys, bounded depth; its shape is checked field by field;
 *   - names from the files are quoted and shortened in messages, invisible and control
 *     characters escaped; files whose names hold such characters are skipped.
 */
import * as fs from "fs";
import * as path from "path";
import { readPrefix } from "./boundedRead";
import { abbreviated, parseConfigJson, RESERVED_KEYS } from "./configJson";

/** One R package the image must install. */
export interface ShinyPackage {
    /** The package's name, e.g. `shiny`, `data.table`. */
    name: string;
    /** The exact version to install (from renv.lock only), e.g. `1.7.4` or `0.3-2`. */
    version?: string;
    /** A constraint DESCRIPTION puts on the version, e.g. `>= 1.0`: for information, not a pin. */
    constraint?: string;
}

/** Where the package list came from, first match wins: the config, renv.lock, DESCRIPTION, the R files. */
export type ShinyPackageSource = "renv.lock" | "DESCRIPTION" | "R files" | "config";

/** What is wrong with the folder, for the user to fix. */
export interface ShinyProblem {
    /** The file the problem is in, relative to the folder with `/`, or `.` for the folder itself. */
    file: string;
    /** What is wrong and what to add or change. */
    message: string;
}

/** A folder that holds a Shiny app the Dockerfile can be written for. */
export interface ShinyApp {
    ok: true;
    /**
     * `app.R`: run the file `appDir/app.R` (shiny::runApp takes a file; run the file rather than
     * the folder, since Shiny picks server.R first when a folder holds both). `ui.R+server.R`:
     * run the folder `appDir`.
     */
    layout: "app.R" | "ui.R+server.R";
    /** The folder holding the entry files, relative to the folder: `.`, `app`, or an entrypoint's folder such as `dashboard`. */
    appDir: string;
    /** The R files read, relative to the folder with `/`, sorted (binary or unreadable ones are not listed). */
    files: string[];
    /** The packages to install, sorted by name (case-insensitively), without the packages that come with R; always with shiny. */
    packages: ShinyPackage[];
    /** Where `packages` came from. */
    packageSource: ShinyPackageSource;
    /** The R version renv.lock was made with, e.g. `4.3.1` (only with renv.lock, when it says). */
    rVersion?: string;
    /** What the user should know but need not fix: unpinned packages, calls that could not be read, caps hit, files skipped. */
    notes: string[];
}

/** A folder that is not (yet) a Shiny app the Dockerfile can be written for. */
export interface ShinyProblems {
    ok: false;
    /** Every problem found, each naming its file (the first `SHINY_SCAN_LIMITS.messages`, then a count). */
    problems: ShinyProblem[];
}

export type ShinyDetection = ShinyApp | ShinyProblems;

/** What a dashboard's config may say instead of what the folder says. */
export interface ShinyOverrides {
    /** The folder or entry file to use, relative to the folder: `app`, `app.R`, `dashboard/app.R`, `dashboard/ui.R`, `.` ... */
    entrypoint?: string;
    /** The packages to install, replacing detection (unpinned; shiny is always added). */
    packages?: string[];
}

/** Bounds on the work done for one folder. */
export interface ShinyScanLimits {
    /** Bytes read from one R file or DESCRIPTION; a longer R file is scanned up to here. */
    fileBytes: number;
    /** Bytes renv.lock may have (it cannot be read in part). */
    lockfileBytes: number;
    /** Bytes read from all files together. */
    totalBytes: number;
    /** R files read. */
    files: number;
    /** Folder entries listed while looking for R files. */
    entries: number;
    /** Folder levels below the folder that are searched for R files. */
    depth: number;
    /** Packages one source may list. */
    packages: number;
    /** Problems (and notes) kept; the rest are counted. */
    messages: number;
}

const MiB = 1024 * 1024;
export const SHINY_SCAN_LIMITS: Readonly<ShinyScanLimits> = {
    fileBytes: 1 * MiB,
    lockfileBytes: 8 * MiB,
    totalBytes: 16 * MiB,
    files: 1000,
    entries: 20_000,
    depth: 12,
    packages: 2000,
    messages: 50,
};

/** How far one library()/require() call's arguments are read (a real one has a handful of tokens; more, and `library(library(...` would be slow). */
const CALL_TOKENS = 64;

/** The packages that come with R itself: never installed. */
export const BASE_R_PACKAGES: readonly string[] = [
    "base", "compiler", "datasets", "grDevices", "graphics", "grid", "methods", "parallel", "splines", "stats", "stats4", "tcltk", "tools", "utils",
];
const BASE = new Set(BASE_R_PACKAGES);

/** R's reserved words: never a package, whatever precedes `::`. */
const R_RESERVED = new Set([
    "if", "else", "repeat", "while", "function", "for", "next", "break", "in", "TRUE", "FALSE", "NULL", "Inf", "NaN",
    "NA", "NA_integer_", "NA_real_", "NA_character_", "NA_complex_",
]);

const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]$/;
export const PACKAGE_NAME_RULE = "letters, digits and dots, starting with a letter, not ending in a dot, at least 2 characters";
/** An R package or R version: numbers joined by `.` or `-`, at least two (`1.0`, `0.3-2`, `4.3.1`). */
const VERSION = /^\d+(?:[.-]\d+)+$/;
/** Repositories whose names mean CRAN or Posit's CRAN mirror in renv.lock. */
const CRAN_NAMES = new Set(["cran", "rspm", "ppm", "p3m"]);

/** Whether `name` is a valid R package name. */
export function isRPackageName(name: string): boolean {
    return PACKAGE_NAME.test(name);
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Control, invisible and direction-changing characters: escaped in messages, refused in file names. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
const HAS_INVISIBLE = new RegExp(INVISIBLE.source);

/** Text from a file, fit for a message: quoted, shortened, invisible characters escaped. */
function quote(text: string): string {
    return JSON.stringify(abbreviated(text, 60)).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}

/** A list for a message: the first few, then a count. */
function listed(items: string[], most = 8): string {
    return items.length <= most ? items.join(", ") : `${items.slice(0, most).join(", ")} and ${items.length - most} more`;
}

const ADD_ENTRY = "add app.R (or ui.R and server.R), or set entrypoint";
const FIX_NAME = `R package names have ${PACKAGE_NAME_RULE}`;

// ---------------------------------------------------------------------------------------------
// The folder, read only from inside

interface Ctx {
    /** The folder's real path: every path read is checked to stay in it. */
    root: string;
    limits: ShinyScanLimits;
    problems: ShinyProblem[];
    notes: string[];
    bytesRead: number;
    listings: Map<string, Set<string>>;
}

type Found = { kind: "file"; real: string } | { kind: "dir"; real: string } | { kind: "missing" } | { kind: "outside" } | { kind: "broken" } | { kind: "special" };


function isInside(root: string, real: string): boolean {
    const rel = path.relative(root, real);
    return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function absolute(ctx: Ctx, rel: string): string {
    return rel === "." ? ctx.root : path.join(ctx.root, ...rel.split("/"));
}

function join(dir: string, name: string): string {
    return dir === "." ? name : `${dir}/${name}`;
}

/** The names in a folder (up to the entries cap), listed once: exact names, even where the filesystem ignores case. */
function names(ctx: Ctx, rel: string): Set<string> {
    const abs = absolute(ctx, rel);
    let found = ctx.listings.get(abs);
    if (found) return found;
    found = new Set();
    let dir: fs.Dir | undefined;
    try {
        // Never list a folder reached through a symlink that leads out.
        if (!isInside(ctx.root, fs.realpathSync.native(abs))) throw new Error("outside");
        dir = fs.opendirSync(abs);
        for (let entry = dir.readSync(); entry && found.size < ctx.limits.entries; entry = dir.readSync()) found.add(entry.name);
    } catch {
        // unreadable: no names
    } finally {
        try {
            dir?.closeSync();
        } catch {
            // already closed
        }
    }
    ctx.listings.set(abs, found);
    return found;
}

/** What `rel` is, following symlinks only while they stay inside the folder. */
function find(ctx: Ctx, rel: string): Found {
    const parent = rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : ".";
    const base = rel.slice(rel.lastIndexOf("/") + 1);
    const abs = absolute(ctx, rel);
    let real: string | undefined;
    try {
        real = fs.realpathSync.native(abs);
    } catch {
        real = undefined;
    }
    if (real !== undefined && !isInside(ctx.root, real)) return { kind: "outside" };
    if (rel !== "." && !names(ctx, parent).has(base)) return { kind: "missing" };
    if (real === undefined) return { kind: "broken" };
    try {
        const st = fs.lstatSync(real);
        return st.isFile() ? { kind: "file", real } : st.isDirectory() ? { kind: "dir", real } : { kind: "special" };
    } catch {
        return { kind: "missing" };
    }
}

type Read = { text: string; truncated: boolean } | { error: string };

/** Reads up to `cap` bytes of the regular file at `real` (a path with no symlink in it), counting them against the total. */
function readFile(ctx: Ctx, real: string, cap: number): Read {
    const want = Math.min(cap, ctx.limits.totalBytes - ctx.bytesRead);
    const read = readPrefix(real, (st) => {
        if (!st.isFile()) return "is not a regular file";
        if (want <= 0 && st.size > 0) return `was not read: the ${mib(ctx.limits.totalBytes)} read in total were used up`;
        return want;
    });
    if ("error" in read) return { error: read.error };
    ctx.bytesRead += read.bytes.length;
    if (read.bytes.includes(0)) return { error: "is binary (it has NUL bytes), not text; save it as UTF-8 text" };
    // TextDecoder drops a UTF-8 byte order mark; invalid bytes become U+FFFD.
    const text = new TextDecoder("utf-8").decode(read.bytes).replace(/\r\n?/g, "\n");
    return { text, truncated: read.size > want };
}

function mib(bytes: number): string {
    return bytes >= MiB ? `${+(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** Reads a named file of the folder (renv.lock, DESCRIPTION, an entry file): undefined when it is not there, problems for what cannot be read. */
function readNamed(ctx: Ctx, rel: string, cap: number): { text: string; truncated: boolean } | undefined | "problem" {
    const found = find(ctx, rel);
    if (found.kind === "missing") return undefined;
    const problem = (message: string) => {
        ctx.problems.push({ file: rel, message });
        return "problem" as const;
    };
    switch (found.kind) {
        case "outside": return problem(`${rel} is a symlink to outside the folder, which is not followed; put the file itself here`);
        case "broken": return problem(`${rel} is a symlink to nothing; put the file itself here`);
        case "dir": return problem(`${rel} is a folder, not a file`);
        case "special": return problem(`${rel} is not a regular file`);
    }
    const read = readFile(ctx, found.real, cap);
    if ("error" in read) return problem(`${rel} ${read.error}`);
    return read;
}

interface Tree {
    /** Regular R files found, relative, in the order they were found (the folder's top first). */
    rFiles: string[];
}

const SKIPPED_FOLDERS = new Set(["renv", "packrat"]);
const R_FILE = /\.[Rr]$/;

/**
 * The R files of the folder, level by level (so the top and app/ come first when a cap cuts),
 * skipping renv/, packrat/, hidden folders and symlinks, within the entry and depth caps.
 */
function walk(ctx: Ctx): Tree {
    const rFiles: string[] = [];
    const outside: string[] = [];
    const tooDeep: string[] = [];
    let oddNames = 0;
    let entries = 0;
    let capped = false;
    const queue: { rel: string; depth: number }[] = [{ rel: ".", depth: 0 }];
    for (let q = 0; q < queue.length && !capped; q++) {
        const { rel, depth } = queue[q];
        const dirAbs = absolute(ctx, rel);
        let dir: fs.Dir | undefined;
        const listing: string[] = [];
        try {
            dir = fs.opendirSync(dirAbs);
            for (let entry = dir.readSync(); entry; entry = dir.readSync()) {
                if (++entries > ctx.limits.entries) {
                    capped = true;
                    break;
                }
                listing.push(entry.name);
            }
        } catch {
            // an unreadable folder holds nothing we can scan
        } finally {
            try {
                dir?.closeSync();
            } catch {
                // already closed
            }
        }
        for (const name of listing.sort()) {
            if (HAS_INVISIBLE.test(name)) {
                oddNames++;
                continue;
            }
            const childRel = join(rel, name);
            let st: fs.Stats;
            try {
                st = fs.lstatSync(path.join(dirAbs, name));
            } catch {
                continue;
            }
            if (st.isSymbolicLink()) {
                let real: string | undefined;
                try {
                    real = fs.realpathSync.native(path.join(dirAbs, name));
                } catch {
                    real = undefined;
                }
                if (real !== undefined && !isInside(ctx.root, real)) outside.push(childRel);
            } else if (st.isDirectory()) {
                if (name.startsWith(".") || SKIPPED_FOLDERS.has(name)) continue;
                if (depth + 1 > ctx.limits.depth) tooDeep.push(childRel);
                else queue.push({ rel: childRel, depth: depth + 1 });
            } else if (st.isFile() && R_FILE.test(name)) {
                rFiles.push(childRel);
            }
        }
    }
    if (capped) ctx.notes.push(`the folder has more than ${ctx.limits.entries} files and folders: only the first ${ctx.limits.entries} were looked at for R files`);
    if (tooDeep.length > 0) ctx.notes.push(`folders more than ${ctx.limits.depth} levels down were not searched for R files: ${listed(tooDeep, 3)}`);
    if (outside.length > 0) ctx.notes.push(`symlinks to outside the folder were not followed: ${listed(outside, 5)}`);
    if (oddNames > 0) ctx.notes.push(`${plural(oddNames, "file or folder", "files or folders")} with control or invisible characters in the name were skipped`);
    return { rFiles };
}

// ---------------------------------------------------------------------------------------------
// Where the app is

type Layout = ShinyApp["layout"];
interface Candidate {
    layout: Layout;
    appDir: string;
    /** The entry files, relative. */
    entries: string[];
    /** What `entrypoint` picks this one. */
    pick: string;
}

/** The Shiny apps in folder `dir` (relative), and its half apps (ui.R or server.R alone). */
function appsIn(ctx: Ctx, dir: string): { candidates: Candidate[]; half?: ShinyProblem } {
    const here = names(ctx, dir);
    const at = (name: string) => join(dir, name);
    const has = (name: string) => here.has(name);
    const candidates: Candidate[] = [];
    if (has("app.R")) candidates.push({ layout: "app.R", appDir: dir, entries: [at("app.R")], pick: at("app.R") });
    if (has("ui.R") && has("server.R")) candidates.push({ layout: "ui.R+server.R", appDir: dir, entries: [at("ui.R"), at("server.R")], pick: at("ui.R") });
    if (candidates.length === 1 && dir !== ".") candidates[0].pick = dir;
    let half: ShinyProblem | undefined;
    if (candidates.length === 0 && has("ui.R")) half = { file: at("ui.R"), message: `${at("ui.R")} has no server.R beside it: add ${at("server.R")} (or put the app in ${at("app.R")})` };
    if (candidates.length === 0 && has("server.R")) half = { file: at("server.R"), message: `${at("server.R")} has no ui.R beside it: add ${at("ui.R")} (or put the app in ${at("app.R")}); deploy from source does not serve www/index.html in place of ui.R` };
    return { candidates, half };
}

/** Files whose names differ from app.R, ui.R, server.R only in case: Shiny on Linux does not see them. */
function caseMisses(ctx: Ctx, dir: string): string[] {
    const wanted = new Map([["app.r", "app.R"], ["ui.r", "ui.R"], ["server.r", "server.R"]]);
    return [...names(ctx, dir)].filter((n) => wanted.has(n.toLowerCase()) && wanted.get(n.toLowerCase()) !== n)
        .map((n) => `${join(dir, n)} (Shiny looks for ${wanted.get(n.toLowerCase())})`);
}

function describe(c: Candidate): string {
    return c.layout === "app.R" ? c.entries[0] : `${c.appDir === "." ? "" : `${c.appDir}/ with `}ui.R + server.R`;
}

/** Entrypoint values: relative, `/`-separated, inside the folder, in characters safe in a Dockerfile and an R string. */
const ENTRY_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** The app the folder holds, or problems (pushed to ctx) and undefined. */
function locateApp(ctx: Ctx, entrypoint: unknown, rFiles: string[]): Candidate | undefined {
    if (entrypoint !== undefined) return locateEntrypoint(ctx, entrypoint);
    const top = appsIn(ctx, ".");
    const appFolder = names(ctx, ".").has("app") ? find(ctx, "app") : undefined;
    const nested = appFolder?.kind === "dir" ? appsIn(ctx, "app") : { candidates: [] };
    const candidates = [...top.candidates, ...nested.candidates];
    if (candidates.length > 1) {
        ctx.problems.push({
            file: ".",
            message: `the folder holds ${candidates.length} Shiny apps: ${candidates.map(describe).join(" and ")}; set entrypoint to ${candidates.map((c) => JSON.stringify(c.pick)).join(" or ")} to pick one`,
        });
        return undefined;
    }
    if (candidates.length === 1) {
        const other = candidates[0].appDir === "." ? nested.half : top.half;
        if (other) ctx.notes.push(`${other.file} is not used: the app is ${describe(candidates[0])}`);
        return candidates[0];
    }
    if (top.half || nested.half) {
        for (const half of [top.half, nested.half]) if (half) ctx.problems.push(half);
        return undefined;
    }
    if (appFolder?.kind === "outside") {
        ctx.problems.push({ file: "app", message: `app is a symlink to outside the folder, which is not followed; ${ADD_ENTRY}` });
        return undefined;
    }
    const hints = [...caseMisses(ctx, "."), ...(appFolder?.kind === "dir" ? caseMisses(ctx, "app") : [])];
    const elsewhere = rFiles.filter((f) => f.includes("/") && /(^|\/)(app|server)\.R$/.test(f) && !/^app\/[^/]+$/.test(f));
    const more = [
        hints.length > 0 ? `; found ${listed(hints, 3)}: rename it` : "",
        elsewhere.length > 0 ? `; found ${listed(elsewhere, 3)}: set entrypoint to it` : "",
    ].join("");
    ctx.problems.push({ file: ".", message: `no Shiny app: the folder has no app.R, no ui.R and server.R, and no app/ folder holding them; ${ADD_ENTRY}${more}` });
    return undefined;
}

function locateEntrypoint(ctx: Ctx, entrypoint: unknown): Candidate | undefined {
    const fail = (file: string, message: string) => {
        ctx.problems.push({ file, message });
        return undefined;
    };
    if (typeof entrypoint !== "string") return fail(".", "entrypoint must be text: a folder or file inside the folder, such as \"app\" or \"dashboard/app.R\"");
    const raw = entrypoint;
    if (raw.trim() === "") return fail(".", "entrypoint is empty: name a folder or file inside the folder, such as \"app\" or \"dashboard/app.R\" (or leave it out)");
    if (raw.length > 200) return fail(".", `entrypoint ${quote(raw)} is longer than 200 characters`);
    const rel = raw.replace(/^(\.\/)+/, "").replace(/\/+$/, "") || ".";
    const segments = rel.split("/");
    if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw) || raw.includes("\\")) {
        return fail(".", `entrypoint ${quote(raw)} must be a path inside the folder, relative to it with / (such as "app" or "dashboard/app.R"), not an absolute path`);
    }
    if (segments.includes("..")) return fail(".", `entrypoint ${quote(raw)} leads outside the folder; name a folder or file inside it, such as "app" or "dashboard/app.R"`);
    if (rel !== "." && !segments.every((s) => ENTRY_SEGMENT.test(s))) {
        return fail(".", `entrypoint ${quote(raw)} is not a plain path: use folder and file names of letters, digits, . _ - (not starting with . or -) joined by /`);
    }
    const found = find(ctx, rel);
    switch (found.kind) {
        case "missing": return fail(rel, `entrypoint ${quote(raw)} does not exist in the folder; ${ADD_ENTRY} to one that does`);
        case "broken": return fail(rel, `entrypoint ${quote(raw)} is a symlink to nothing`);
        case "outside": return fail(rel, `entrypoint ${quote(raw)} is a symlink to outside the folder, which is not followed; point entrypoint at a folder or file inside it`);
        case "special": return fail(rel, `entrypoint ${quote(raw)} is not a file or folder`);
    }
    if (found.kind === "dir") {
        const { candidates, half } = appsIn(ctx, rel);
        if (candidates.length === 1) return candidates[0];
        if (candidates.length > 1) return fail(rel, `entrypoint ${quote(raw)} holds both app.R and ui.R + server.R; set entrypoint to ${JSON.stringify(join(rel, "app.R"))} or ${JSON.stringify(join(rel, "ui.R"))} to pick one`);
        if (half) return fail(half.file, half.message);
        const hints = caseMisses(ctx, rel);
        return fail(rel, `entrypoint ${quote(raw)} has no app.R (or ui.R and server.R): add ${join(rel, "app.R")}${hints.length > 0 ? `; found ${listed(hints, 3)}: rename it` : ""}`);
    }
    const dir = segments.length > 1 ? segments.slice(0, -1).join("/") : ".";
    const file = segments[segments.length - 1];
    if (file === "app.R") return { layout: "app.R", appDir: dir, entries: [rel], pick: rel };
    if (file === "ui.R" || file === "server.R") {
        const other = file === "ui.R" ? "server.R" : "ui.R";
        if (!names(ctx, dir).has(other)) return fail(rel, `${rel} has no ${other} beside it: add ${join(dir, other)}, or set entrypoint to an app.R`);
        return { layout: "ui.R+server.R", appDir: dir, entries: [join(dir, "ui.R"), join(dir, "server.R")], pick: rel };
    }
    return fail(rel, `entrypoint ${quote(raw)} must be a folder or a file named app.R, ui.R or server.R; rename it to app.R, or set entrypoint to its folder`);
}

// ---------------------------------------------------------------------------------------------
// R source: a tokenizer that knows comments and strings, and the calls that load packages

type TokenKind = "id" | "str" | "num" | "op";
interface Token {
    kind: TokenKind;
    /** Identifier or operator text; a string's content (escapes left as written). */
    text: string;
    line: number;
}

const RAW_DASHES_MAX = 32;
const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

function isSpace(c: number): boolean {
    return c === 32 || c === 9 || c === 12 || c === 11 || c === 13 || c === 0xa0 || c === 0xfeff || (c >= 0x2000 && c <= 0x200b) || c === 0x3000 || c === 0x202f || c === 0x205f;
}
function isDigit(c: number): boolean {
    return c >= 48 && c <= 57;
}
function isLetter(c: number): boolean {
    return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
/** Non-ASCII characters count as identifier characters, as letters do in R's UTF-8 locales. */
function isIdentChar(c: number): boolean {
    return isLetter(c) || isDigit(c) || c === 46 || c === 95 || (c >= 0x80 && !isSpace(c));
}

/** R source to tokens, in one pass: comments dropped, strings (raw ones too) and backtick names kept whole. */
function tokenizeR(text: string): Token[] {
    const tokens: Token[] = [];
    const n = text.length;
    let line = 1;
    let i = 0;
    let raw: { end: number; content: string } | undefined;
    /** Counts the newlines of a token: only its own characters are looked at (indexOf could run on past it, making this quadratic). */
    const countLines = (from: number, to: number) => {
        for (let k = from; k < to; k++) if (text.charCodeAt(k) === 10) line++;
    };
    /** The end of a quoted run starting at i (the quote), honouring backslash escapes; n when unclosed. */
    const quoted = (quote: number): number => {
        let j = i + 1;
        while (j < n) {
            const c = text.charCodeAt(j);
            if (c === 92) j += 2;
            else if (c === quote) return j;
            else j++;
        }
        return n;
    };
    while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 10) {
            line++;
            i++;
        } else if (isSpace(c)) {
            i++;
        } else if (c === 35) { // # comment
            const end = text.indexOf("\n", i);
            i = end < 0 ? n : end;
        } else if ((c === 114 || c === 82) && (text.charCodeAt(i + 1) === 34 || text.charCodeAt(i + 1) === 39) && (raw = rawString(i)) !== undefined) {
            tokens.push({ kind: "str", text: raw.content, line });
            countLines(i, raw.end);
            i = raw.end;
        } else if (c === 34 || c === 39 || c === 96) { // "string", 'string', `name`
            const end = quoted(c);
            tokens.push({ kind: c === 96 ? "id" : "str", text: text.slice(i + 1, end), line });
            countLines(i, end);
            i = end + 1;
        } else if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
            let j = i + 1;
            while (j < n && isIdentChar(text.charCodeAt(j)) && text.charCodeAt(j) < 0x80) j++;
            tokens.push({ kind: "num", text: text.slice(i, j), line });
            i = j;
        } else if (isLetter(c) || c === 46 || (c >= 0x80 && !isSpace(c))) {
            let j = i + 1;
            while (j < n && isIdentChar(text.charCodeAt(j))) j++;
            tokens.push({ kind: "id", text: text.slice(i, j), line });
            i = j;
        } else if (c === 58 && text.charCodeAt(i + 1) === 58) { // :: and :::
            const three = text.charCodeAt(i + 2) === 58;
            tokens.push({ kind: "op", text: three ? ":::" : "::", line });
            i += three ? 3 : 2;
        } else if (c === 37) { // %op%, ended on the same line
            let j = i + 1;
            while (j < n && text.charCodeAt(j) !== 37 && text.charCodeAt(j) !== 10) j++;
            const closed = text.charCodeAt(j) === 37;
            tokens.push({ kind: "op", text: closed ? text.slice(i, j + 1) : "%", line });
            i = closed ? j + 1 : i + 1;
        } else {
            const two = (c === 61 || c === 33 || c === 60 || c === 62) && text.charCodeAt(i + 1) === 61 ? text.slice(i, i + 2) : undefined;
            const op = two ?? text[i];
            tokens.push({ kind: "op", text: op, line });
            i += op.length;
        }
    }
    return tokens;

    /** R 4's r"(...)", R"[...]", r"--{...}--": its end and content, or undefined when not one. */
    function rawString(at: number): { end: number; content: string } | undefined {
        const quoteChar = text[at + 1];
        let j = at + 2;
        while (j < n && text.charCodeAt(j) === 45 && j - at - 2 <= RAW_DASHES_MAX) j++;
        const dashes = j - at - 2;
        const closer = CLOSERS[text[j]];
        if (dashes > RAW_DASHES_MAX || closer === undefined) return undefined;
        const close = `${closer}${"-".repeat(dashes)}${quoteChar}`;
        const found = text.indexOf(close, j + 1);
        const end = found < 0 ? n : found + close.length;
        return { end, content: text.slice(j + 1, found < 0 ? n : found) };
    }
}

/** A place in an R file. */
interface Where {
    file: string;
    line: number;
}

/** What the R files say about packages. */
interface RUses {
    /** Valid package names used (without R's own), with the first place each is used. */
    packages: Map<string, Where>;
    /** Names used as packages that no R package can have. */
    invalid: Map<string, Where>;
    /** Calls whose package is only known at run time, per file. */
    dynamic: Map<string, number[]>;
}

const LOADERS = new Set(["library", "require", "requireNamespace", "loadNamespace"]);
const ATTACHERS = new Set(["library", "require"]);

function isOp(t: Token | undefined, ...ops: string[]): boolean {
    return t !== undefined && t.kind === "op" && ops.includes(t.text);
}

function used(uses: RUses, name: string, where: Where): void {
    if (R_RESERVED.has(name) || BASE.has(name)) return;
    const into = isRPackageName(name) ? uses.packages : uses.invalid;
    if (!into.has(name)) into.set(name, where);
}

function dynamic(uses: RUses, where: Where): void {
    const lines = uses.dynamic.get(where.file) ?? [];
    if (!lines.includes(where.line)) lines.push(where.line);
    uses.dynamic.set(where.file, lines);
}

/** TRUE/T, FALSE/F, or undefined for anything else (a variable: unknown until run time). */
function literalLogical(value: Token[]): boolean | undefined {
    if (value.length !== 1 || value[0].kind !== "id") return undefined;
    return value[0].text === "TRUE" || value[0].text === "T" ? true : value[0].text === "FALSE" || value[0].text === "F" ? false : undefined;
}

/** The package a library()/require()/requireNamespace()/loadNamespace() call starting at `open` (its `(`) loads. */
function loaderCall(tokens: Token[], open: number, fn: string, where: Where, uses: RUses): void {
    const args: Token[][] = [[]];
    let depth = 0;
    let closed = false;
    for (let k = open + 1; k < tokens.length && k <= open + CALL_TOKENS; k++) {
        const t = tokens[k];
        // Another loader call inside this one's arguments: no real call does that; stop (it is scanned on its own).
        if (t.kind === "id" && LOADERS.has(t.text) && isOp(tokens[k + 1], "(")) break;
        if (t.kind === "op") {
            if (t.text === "(" || t.text === "[" || t.text === "{") depth++;
            else if (t.text === ")" || t.text === "]" || t.text === "}") {
                if (depth === 0) {
                    closed = t.text === ")";
                    break;
                }
                depth--;
            } else if (t.text === "," && depth === 0) {
                args.push([]);
                continue;
            }
        }
        args[args.length - 1].push(t);
    }
    if (!closed) args.pop(); // the last argument may go on past what was read
    const attacher = ATTACHERS.has(fn);
    let pkg: Token[] | undefined;
    let characterOnly: boolean | undefined = false;
    const positional: Token[][] = [];
    for (const arg of args) {
        const named = arg.length >= 2 && (arg[0].kind === "id" || arg[0].kind === "str") && isOp(arg[1], "=") ? arg[0].text : undefined;
        if (named === undefined || named === "") {
            if (arg.length > 0) positional.push(arg);
        } else if (named.length >= 2 && "package".startsWith(named)) {
            pkg = arg.slice(2);
        } else if (attacher && "help".startsWith(named)) {
            return; // library(help = x) shows documentation
        } else if (attacher && "character.only".startsWith(named)) {
            characterOnly = literalLogical(arg.slice(2));
        }
    }
    pkg ??= positional[0];
    if (pkg === undefined) {
        if (!closed) dynamic(uses, where);
        return;
    }
    if (pkg.length === 1 && pkg[0].kind === "str") used(uses, pkg[0].text, where);
    else if (pkg.length === 1 && pkg[0].kind === "id" && attacher && characterOnly === false) used(uses, pkg[0].text, where);
    else dynamic(uses, where);
}

/** Adds what one R file uses to `uses`. */
function scanR(text: string, file: string, uses: RUses): void {
    const tokens = tokenizeR(text);
    for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        const prev = tokens[i - 1];
        const next = tokens[i + 1];
        if ((t.kind === "id" || t.kind === "str") && isOp(next, "::", ":::")) {
            if (!isOp(prev, "$", "@", "::", ":::")) used(uses, t.text, { file, line: t.line });
            continue;
        }
        if (t.kind !== "id" || !LOADERS.has(t.text) || isOp(prev, "$", "@")) continue;
        if (isOp(prev, "::", ":::") && tokens[i - 2]?.text !== "base") continue;
        if (isOp(next, "(")) loaderCall(tokens, i + 1, t.text, { file, line: t.line }, uses);
        // lapply(pkgs, library, character.only = TRUE): the function passed on, its packages unknown
        else if (isOp(prev, ",", "(") && !isOp(next, "=", "<", "-")) dynamic(uses, { file, line: t.line });
    }
}

// ---------------------------------------------------------------------------------------------
// renv.lock

interface PackageList {
    packages: ShinyPackage[];
    rVersion?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function shapeOf(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return "a list";
    if (typeof v === "object") return "an object";
    if (typeof v === "string") return `the text ${quote(v)}`;
    if (typeof v === "symbol") return "a value that could not be read";
    return `${typeof v === "number" ? "the number" : typeof v === "boolean" ? "" : typeof v} ${String(v)}`.trim();
}

function lineAt(text: string, position: number): number {
    let line = 1;
    for (let k = text.indexOf("\n"); k >= 0 && k < position; k = text.indexOf("\n", k + 1)) line++;
    return line;
}

/** renv.lock's packages at their locked versions, or problems (pushed to ctx). */
function readLockfile(ctx: Ctx, file: string, text: string): PackageList | undefined {
    const fail = (message: string) => {
        ctx.problems.push({ file, message: `${file}: ${message}` });
        return undefined;
    };
    const parsed = parseConfigJson(text);
    if (!parsed.ok) {
        const at = parsed.error.lastIndexOf(" at position ");
        const what = at < 0 ? `${parsed.error.replace(/ at the end$/, "")}, but the file ends there` : parsed.error.slice(0, at);
        const line = at < 0 ? lineAt(text, text.length) : lineAt(text, Number(parsed.error.slice(at + 13)));
        return fail(`line ${line} is not valid JSON (${what}); renv::snapshot() writes a valid renv.lock`);
    }
    const lock = parsed.value;
    if (!isRecord(lock)) return fail(`is ${shapeOf(lock)}, not a renv lockfile (a JSON object with "R" and "Packages"); renv::snapshot() writes one`);
    let rVersion: string | undefined;
    const r = lock["R"];
    if (r !== undefined) {
        if (!isRecord(r)) return fail(`field "R" is ${shapeOf(r)}; it must be an object such as {"Version": "4.3.1"}`);
        const version = r["Version"];
        if (version !== undefined) {
            if (typeof version !== "string" || !VERSION.test(version)) return fail(`field "R.Version" is ${shapeOf(version)}; it must be an R version such as "4.3.1"`);
            rVersion = version;
        }
    }
    const packages = lock["Packages"];
    if (!isRecord(packages)) {
        return fail(`field "Packages" is ${packages === undefined ? "missing" : shapeOf(packages)}; it must be an object of packages such as {"shiny": {"Package": "shiny", "Version": "1.7.4", "Source": "Repository", "Repository": "CRAN"}}`);
    }
    const bad: string[] = parsed.problems.filter((p) => p.path.length === 2 && p.path[0] === "Packages" && RESERVED_KEYS.includes(String(p.path[1]))).map((p) => String(p.path[1]));
    const names = Object.keys(packages);
    if (names.length > ctx.limits.packages) return fail(`lists ${names.length} packages, more than the ${ctx.limits.packages} deploy from source installs`);
    const found: ShinyPackage[] = [];
    const unpinnable: string[] = [];
    const otherRepos: string[] = [];
    for (const name of names) {
        const field = `"Packages.${abbreviated(name, 60)}`;
        if (!isRPackageName(name)) {
            bad.push(name);
            continue;
        }
        const entry = packages[name];
        if (!isRecord(entry)) {
            fail(`field ${field}" is ${shapeOf(entry)}; it must be an object with "Package", "Version" and "Source"`);
            continue;
        }
        if (entry["Package"] !== undefined && entry["Package"] !== name) {
            fail(`field ${field}.Package" is ${shapeOf(entry["Package"])}; it must be ${JSON.stringify(name)}, the entry's name`);
            continue;
        }
        const version = entry["Version"];
        if (typeof version !== "string" || !VERSION.test(version)) {
            fail(`field ${field}.Version" is ${version === undefined ? "missing" : shapeOf(version)}; it must be a package version such as "1.7.4" or "0.3-2"`);
            continue;
        }
        const source = entry["Source"];
        if (source !== "Repository" && source !== "CRAN") {
            const remote = typeof entry["RemoteType"] === "string" ? ` (${abbreviated(entry["RemoteType"] as string, 20)})` : "";
            unpinnable.push(`${name} from ${typeof source === "string" ? `${quote(source)}${remote}` : `a source renv.lock does not name${remote}`}`);
            continue;
        }
        const repository = entry["Repository"];
        if (typeof repository === "string" && !CRAN_NAMES.has(repository.toLowerCase())) otherRepos.push(`${name} (${quote(repository)})`);
        if (!BASE.has(name)) found.push({ name, version });
    }
    if (bad.length > 0) fail(`field "Packages" has ${plural(bad.length, "entry", "entries")} that no R package can be named: ${listed(bad.map(quote), 5)}; ${FIX_NAME}`);
    if (unpinnable.length > 0) {
        fail(`${plural(unpinnable.length, "package")} cannot be installed at the locked version, since deploy from source installs only from CRAN-like repositories: ${listed(unpinnable, 5)}; install ${unpinnable.length === 1 ? "it" : "them"} from CRAN (renv::install("name"), then renv::snapshot()), or set packages in the dashboard's config (unpinned), or add a Dockerfile`);
    }
    if (otherRepos.length > 0) ctx.notes.push(`${file} names repositories other than CRAN for ${listed(otherRepos, 5)}: the image installs those versions from CRAN, where a package that only that repository has will be missing`);
    if (rVersion === undefined) ctx.notes.push(`${file} does not say which R it was made with ("R": {"Version": ...}): the image's R version is used`);
    return { packages: found, rVersion };
}

// ---------------------------------------------------------------------------------------------
// DESCRIPTION

interface DcfField {
    value: string;
    line: number;
    /** Where each line of the value starts in `value`, and its line in the file. */
    starts: { offset: number; line: number }[];
}

/** A DESCRIPTION's fields, as R's read.dcf reads one record; a problem names the line. */
function parseDcf(text: string): { fields: Map<string, DcfField> } | { line: number; message: string } {
    const fields = new Map<string, DcfField>();
    let current: DcfField | undefined;
    let ended: number | undefined;
    let lineNo = 0;
    for (let start = 0; start <= text.length;) {
        let end = text.indexOf("\n", start);
        if (end < 0) end = text.length;
        const line = text.slice(start, end);
        start = end + 1;
        lineNo++;
        if (line.trim() === "") {
            if (current) ended ??= lineNo;
            continue;
        }
        if (ended !== undefined) return { line: lineNo, message: `text after the blank line ${ended}; a DESCRIPTION is one block of fields: remove the blank line` };
        const first = line.charCodeAt(0);
        if (first === 32 || first === 9) {
            if (!current) return { line: lineNo, message: "an indented continuation line before any field; start with a field such as \"Imports: shiny\"" };
            current.starts.push({ offset: current.value.length + 1, line: lineNo });
            current.value += `\n${line.trim()}`;
            continue;
        }
        const colon = line.indexOf(":");
        const name = colon > 0 ? line.slice(0, colon) : "";
        if (name === "" || /\s/.test(name)) return { line: lineNo, message: `${quote(line)} is not "Field: value" (nor an indented continuation line)` };
        if (fields.has(name)) return { line: lineNo, message: `field ${quote(name)} is given twice (first on line ${fields.get(name)!.line}); merge them into one` };
        const value = line.slice(colon + 1).trim();
        current = { value, line: lineNo, starts: [{ offset: 0, line: lineNo }] };
        fields.set(name, current);
    }
    return { fields };
}

function dependencyLine(fields: Map<string, DcfField>): number {
    return (fields.get("Imports") ?? fields.get("Depends"))?.line ?? 1;
}

const CONSTRAINT_OPS = [">=", "<=", "==", "!=", ">", "<"];

/** The packages of DESCRIPTION's Imports and Depends, or problems (pushed to ctx); undefined too when it lists none. */
function readDescription(ctx: Ctx, file: string, text: string): PackageList | "none" | undefined {
    const fail = (line: number, message: string) => {
        ctx.problems.push({ file, message: `${file} line ${line}: ${message}` });
        return undefined;
    };
    const dcf = parseDcf(text);
    if ("message" in dcf) return fail(dcf.line, dcf.message);
    const found = new Map<string, ShinyPackage>();
    let problems = 0;
    for (const fieldName of ["Depends", "Imports"]) {
        const field = dcf.fields.get(fieldName);
        if (!field) continue;
        let s = 0;
        for (let from = 0; from <= field.value.length;) {
            let comma = field.value.indexOf(",", from);
            if (comma < 0) comma = field.value.length;
            const item = field.value.slice(from, comma);
            const at = from + (item.length - item.trimStart().length);
            from = comma + 1;
            while (s + 1 < field.starts.length && field.starts[s + 1].offset <= at) s++;
            const entry = item.trim();
            if (entry === "") continue;
            const parsed = dependency(entry);
            if (typeof parsed === "string") {
                // Past the cap only counted: a hostile DESCRIPTION can have 100,000 bad entries.
                if (++problems <= ctx.limits.messages) fail(field.starts[s].line, `${fieldName} entry ${quote(entry.replace(/\s+/g, " "))} ${parsed}`);
                continue;
            }
            if (parsed.name === "R" && fieldName === "Depends") {
                if (parsed.constraint) ctx.notes.push(`${file} asks for R ${parsed.constraint}: the image's R must satisfy it`);
                continue;
            }
            if (BASE.has(parsed.name)) continue;
            if (found.size >= ctx.limits.packages) return fail(field.line, `lists more than the ${ctx.limits.packages} packages deploy from source installs`);
            found.set(parsed.name, parsed);
        }
    }
    const remotes = dcf.fields.get("Remotes");
    if (remotes && remotes.value.trim() !== "") {
        return fail(remotes.line, `Remotes names packages from outside CRAN (${quote(remotes.value.replace(/\s+/g, " "))}); deploy from source installs only CRAN packages: drop Remotes to use the CRAN releases, or add renv.lock or a Dockerfile`);
    }
    if (problems > ctx.limits.messages) fail(dependencyLine(dcf.fields), `... and ${plural(problems - ctx.limits.messages, "more entry", "more entries")} like those`);
    if (problems > 0) return undefined;
    if (!dcf.fields.has("Imports") && !dcf.fields.has("Depends")) return "none";
    if (found.size === 0) return "none";
    return { packages: [...found.values()] };
}

/** One Imports/Depends entry, `pkg` or `pkg (>= 1.0)`: the package, or what is wrong with it. */
function dependency(entry: string): ShinyPackage | string {
    let k = 0;
    while (k < entry.length && entry[k] !== "(" && !/\s/.test(entry[k])) k++;
    const name = entry.slice(0, k);
    const rest = entry.slice(k).trim();
    if (!isRPackageName(name) && name !== "R") return `is not a package name (${FIX_NAME}); write entries as "pkg" or "pkg (>= 1.0)", separated by commas`;
    if (rest === "") return { name };
    if (!rest.startsWith("(") || !rest.endsWith(")")) return `has text after the package name that is not a version constraint such as "(>= 1.0)"; separate entries with commas`;
    const inner = rest.slice(1, -1).trim();
    const op = CONSTRAINT_OPS.find((o) => inner.startsWith(o));
    const version = op === undefined ? "" : inner.slice(op.length).trim();
    if (op === undefined || !VERSION.test(version)) return `has a version constraint that is not an operator (>=, >, <=, <, ==, !=) and a version, such as "(>= 1.0)"`;
    return { name, constraint: `${op} ${version}` };
}

// ---------------------------------------------------------------------------------------------
// The config's packages

function readConfigPackages(ctx: Ctx, list: unknown): PackageList | undefined {
    if (!Array.isArray(list)) {
        ctx.problems.push({ file: ".", message: "packages must be a list of R package names, such as [\"shiny\", \"dplyr\"]" });
        return undefined;
    }
    if (list.length > ctx.limits.packages) {
        ctx.problems.push({ file: ".", message: `packages lists ${list.length} packages, more than the ${ctx.limits.packages} deploy from source installs` });
        return undefined;
    }
    const bad = list.filter((p) => typeof p !== "string" || !isRPackageName(p));
    if (bad.length > 0) {
        ctx.problems.push({ file: ".", message: `packages has ${plural(bad.length, "entry", "entries")} that no R package can be named: ${listed(bad.map((p) => (typeof p === "string" ? quote(p) : shapeOf(p))), 5)}; ${FIX_NAME}` });
        return undefined;
    }
    const base = (list as string[]).filter((p) => BASE.has(p));
    if (base.length > 0) ctx.notes.push(`packages lists ${listed([...new Set(base)])}, which come${base.length === 1 ? "s" : ""} with R: not installed`);
    return { packages: [...new Set(list as string[])].filter((p) => !BASE.has(p)).map((name) => ({ name })) };
}

// ---------------------------------------------------------------------------------------------
// All together

function byName(a: ShinyPackage, b: ShinyPackage): number {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function where(w: Where): string {
    return `${w.file} line ${w.line}`;
}

/** The first problems, then one that counts the rest. */
function capped<T>(items: T[], most: number, more: (n: number) => T): T[] {
    return items.length <= most ? items : [...items.slice(0, most), more(items.length - most)];
}

/**
 * Detects the Shiny app in `folder` (the dashboard's app folder, the image's build context) and the
 * R packages it needs, or says what is missing. Reads only inside the folder and never throws.
 *
 * The app is `app.R`, or `ui.R` + `server.R`, at the folder's top or in its `app/` folder, or where
 * `overrides.entrypoint` says. Its packages come from `overrides.packages`, else `renv.lock` (at the
 * locked versions), else DESCRIPTION's Imports and Depends, else the R files' library(),
 * require(), requireNamespace(), loadNamespace(), pkg::fun and pkg:::fun.
 *
 * `limits` tightens the scan's bounds (tests use it); `SHINY_SCAN_LIMITS` are the defaults.
 */
export function detectShinyApp(folder: string, overrides: ShinyOverrides = {}, limits: Partial<ShinyScanLimits> = {}): ShinyDetection {
    try {
        return detect(folder, overrides ?? {}, { ...SHINY_SCAN_LIMITS, ...limits });
    } catch (e) {
        // Nothing above should throw; if something does, it is a problem to report, not a crash of the plan.
        return { ok: false, problems: [{ file: ".", message: `the folder could not be read (${e instanceof Error ? abbreviated(e.message, 120) : "error"})` }] };
    }
}

function detect(folder: string, overrides: ShinyOverrides, limits: ShinyScanLimits): ShinyDetection {
    let root: string;
    try {
        root = fs.realpathSync.native(folder);
        if (!fs.statSync(root).isDirectory()) return { ok: false, problems: [{ file: ".", message: `${quote(String(folder))} is not a folder` }] };
    } catch {
        return { ok: false, problems: [{ file: ".", message: `the folder ${quote(String(folder))} does not exist` }] };
    }
    const ctx: Ctx = { root, limits, problems: [], notes: [], bytesRead: 0, listings: new Map() };
    const tree = walk(ctx);
    const app = locateApp(ctx, overrides.entrypoint, tree.rFiles);

    // The entry files first, so no cap keeps them from being read; then the other R files.
    const uses: RUses = { packages: new Map(), invalid: new Map(), dynamic: new Map() };
    const files: string[] = [];
    const truncated: string[] = [];
    const unread: string[] = [];
    const entryReads = new Set<string>();
    for (const entry of app?.entries ?? []) {
        const read = readNamed(ctx, entry, limits.fileBytes);
        if (read === "problem") continue;
        if (read === undefined) {
            ctx.problems.push({ file: entry, message: `${entry} does not exist; ${ADD_ENTRY}` });
            continue;
        }
        entryReads.add(entry);
        files.push(entry);
        if (read.truncated) truncated.push(entry);
        scanR(read.text, entry, uses);
    }

    // renv.lock and DESCRIPTION: the folder's top, else the app's folder.
    const spots = [...new Set([".", app?.appDir ?? "."])];
    const pick = (name: string, cap: number) => {
        for (const dir of spots) {
            const rel = join(dir, name);
            const read = readNamed(ctx, rel, cap);
            if (read === undefined) continue;
            if (read !== "problem" && read.truncated) {
                ctx.problems.push({ file: rel, message: `${rel} is larger than ${mib(cap)}, more than deploy from source reads` });
                return "problem" as const;
            }
            return read === "problem" ? read : { rel, text: read.text };
        }
        return undefined;
    };
    let list: PackageList | undefined;
    let source: ShinyPackageSource | undefined;
    let described = false;
    if (overrides.packages !== undefined) {
        list = readConfigPackages(ctx, overrides.packages);
        source = "config";
        const unused = spots.flatMap((dir) => ["renv.lock", "DESCRIPTION"].filter((name) => names(ctx, dir).has(name)).map((name) => join(dir, name)));
        if (unused.length > 0) ctx.notes.push(`the packages setting replaces what ${listed([...new Set(unused)])} list${unused.length === 1 ? "s" : ""}`);
    } else {
        const lock = pick("renv.lock", limits.lockfileBytes);
        if (lock === "problem") source = "renv.lock";
        else if (lock) {
            list = readLockfile(ctx, lock.rel, lock.text);
            source = "renv.lock";
        } else {
            const description = pick("DESCRIPTION", limits.fileBytes);
            if (description === "problem") source = "DESCRIPTION";
            else if (description) {
                const read = readDescription(ctx, description.rel, description.text);
                described = read === "none";
                if (read !== "none") {
                    list = read;
                    source = "DESCRIPTION";
                }
            }
        }
    }

    let countedOut = 0;
    for (const rel of tree.rFiles) {
        if (entryReads.has(rel)) continue;
        if (files.length >= limits.files || ctx.bytesRead >= limits.totalBytes) {
            countedOut++;
            continue;
        }
        const read = readFile(ctx, absolute(ctx, rel), limits.fileBytes);
        if ("error" in read) {
            unread.push(`${rel} ${read.error}`);
            continue;
        }
        files.push(rel);
        if (read.truncated) truncated.push(rel);
        scanR(read.text, rel, uses);
    }
    if (countedOut > 0) ctx.notes.push(`${plural(countedOut, "R file was", "R files were")} not scanned: at most ${limits.files} R files and ${mib(limits.totalBytes)} are read`);
    if (truncated.length > 0) ctx.notes.push(`only the first ${mib(limits.fileBytes)} of ${listed(truncated, 5)} ${truncated.length === 1 ? "was" : "were"} scanned: ${truncated.length === 1 ? "it is" : "they are"} larger`);
    if (unread.length > 0) ctx.notes.push(`not scanned: ${listed(unread, 5)}`);

    if (source === undefined) {
        source = "R files";
        list = { packages: [...uses.packages.keys()].map((name) => ({ name })) };
        if (described) ctx.notes.push("DESCRIPTION lists no packages in Imports or Depends: the packages were read from the R files");
        if (uses.invalid.size > 0) {
            const shown = [...uses.invalid].map(([name, w]) => `${quote(name)} (${where(w)})`);
            ctx.problems.push({ file: [...uses.invalid.values()][0].file, message: `the R files load packages that no R package can be named: ${listed(shown, 5)}; ${FIX_NAME}; fix the code, or set packages in the dashboard's config` });
        }
        if (list.packages.length > limits.packages) ctx.problems.push({ file: ".", message: `the R files use ${list.packages.length} packages, more than the ${limits.packages} deploy from source installs` });
    } else if (list) {
        const listedNames = new Set(list.packages.map((p) => p.name));
        const missing = [...uses.packages].filter(([name]) => !listedNames.has(name) && name !== "shiny").map(([name, w]) => `${name} (${where(w)})`);
        const label = source === "config" ? "the packages setting" : source;
        if (missing.length > 0) ctx.notes.push(`the R files use packages that ${label} does not list, so the app fails where it loads them: ${listed(missing, 8)}; add them${source === "renv.lock" ? " (renv::snapshot())" : ""}`);
        if (uses.invalid.size > 0) ctx.notes.push(`the R files name packages that no R package can be named: ${listed([...uses.invalid].map(([name, w]) => `${quote(name)} (${where(w)})`), 5)}`);
    }
    for (const [file, lines] of uses.dynamic) {
        const shown = lines.slice(0, 10).join(", ") + (lines.length > 10 ? ` and ${lines.length - 10} more` : "");
        ctx.notes.push(`${file} line${lines.length === 1 ? "" : "s"} ${shown}: a library(), require() or loadNamespace() call names its package only at run time (character.only = TRUE, a variable, or the function passed to lapply), so it could not be read; list the package in renv.lock, DESCRIPTION Imports or the packages setting`);
    }

    if (!app || !list || ctx.problems.length > 0) {
        if (ctx.problems.length === 0) ctx.problems.push({ file: ".", message: ADD_ENTRY });
        return { ok: false, problems: capped(ctx.problems, limits.messages, (n) => ({ file: ".", message: `... and ${plural(n, "more problem")}` })) };
    }

    const packages = [...list.packages];
    if (!packages.some((p) => p.name === "shiny")) {
        packages.push({ name: "shiny" });
        if (source === "renv.lock") ctx.notes.push("renv.lock does not list shiny: the image gets its current CRAN version; run renv::snapshot() with shiny installed to pin it");
    }
    packages.sort(byName);
    if (source !== "renv.lock") {
        const constrained = packages.filter((p) => p.constraint).map((p) => `${p.name} (${p.constraint})`);
        const why = source === "config" ? "the packages setting has no versions" : "no renv.lock";
        const pin = source === "config" ? "drop the packages setting and commit renv.lock (renv::snapshot() in the app's folder)" : "run renv::snapshot() in the app's folder and commit renv.lock";
        ctx.notes.push(`${plural(packages.length, "package is", "packages are")} not pinned (${why}): the image gets the versions of the dated CRAN snapshot it installs from; ${pin} to pin them to the versions you run${constrained.length > 0 ? `; the version constraints ${listed(constrained, 5)} are not checked` : ""}`);
    }
    files.sort();
    return {
        ok: true,
        layout: app.layout,
        appDir: app.appDir,
        files,
        packages,
        packageSource: source,
        ...(list.rVersion !== undefined ? { rVersion: list.rVersion } : {}),
        notes: capped(ctx.notes, limits.messages, (n) => `... and ${plural(n, "more note")}`),
    };
}
