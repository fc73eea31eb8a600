/**
 * What the platform reads of an app's own Dockerfile, without building it: its instructions
 * (continuation lines joined), and of the stage it builds (`buildTarget`, or the last) the
 * folders it declares with VOLUME and the user it runs as, each inherited through `FROM <earlier
 * stage>` as Docker inherits them. Pure: text in, facts out. What it cannot see, it does not
 * guess: a base image's own VOLUME or USER, and paths or users written with `$` variables.
 */

/** One instruction: its keyword (upper case), the rest of it, and the line it starts on (1-based). */
export interface DockerfileInstruction {
    op: string;
    rest: string;
    line: number;
}

/** A line that continues on the next (Docker's default escape character). */
const CONTINUED = /\\[ \t]*$/;

/** The instructions, continuation lines joined with a space; comments and blank lines dropped. Linear in the text's length. */
export function dockerfileInstructions(text: string): DockerfileInstruction[] {
    const out: DockerfileInstruction[] = [];
    const lines = text.split(/\r?\n/);
    const comment = (line: string) => line.trimStart().startsWith("#");
    for (let i = 0; i < lines.length; i++) {
        if (comment(lines[i])) continue;
        const start = i;
        const parts = [lines[i]];
        // Docker drops comment lines inside a continued instruction, and joins the rest.
        let continues = CONTINUED.test(lines[i]);
        while (continues && i + 1 < lines.length) {
            parts[parts.length - 1] = parts[parts.length - 1].replace(CONTINUED, " ");
            const next = lines[++i];
            if (comment(next)) continue;
            parts.push(next);
            continues = CONTINUED.test(next);
        }
        const m = /^\s*([A-Za-z]+)(?:\s+(.*))?$/.exec(parts.join(""));
        if (!m) continue;
        out.push({ op: m[1].toUpperCase(), rest: (m[2] ?? "").trim(), line: start + 1 });
    }
    return out;
}

/** The built stage's declarations that decide how it may run with a read-only root file system. */
export interface BuiltStage {
    /** Absolute VOLUME folders, normalized, in the order declared (inherited ones first); none with `$`. */
    volumes: string[];
    /** The last USER, as written; undefined when the stage (and its parents in the file) set none. */
    user?: string;
}

/** VOLUME's arguments: a JSON array, or words (Docker reads a malformed array as words too). */
function volumeArguments(rest: string): string[] {
    if (rest.startsWith("[")) {
        try {
            const parsed: unknown = JSON.parse(rest);
            if (Array.isArray(parsed) && parsed.every((p) => typeof p === "string")) return parsed;
        } catch {
            /* words, as Docker reads it */
        }
    }
    return rest.split(/\s+/).filter((w) => w !== "");
}

/** `/app/cache/` and `/app//cache` as `/app/cache`; undefined for what is not a plain absolute path. */
function normalizeFolder(p: string): string | undefined {
    if (!p.startsWith("/") || p.includes("$")) return undefined;
    const segments = p.split("/").filter((s) => s !== "" && s !== ".");
    if (segments.includes("..")) return undefined;
    return "/" + segments.join("/");
}

/** One stage of a Dockerfile: its name as written (`FROM ... AS <name>`), what it is built FROM, its VOLUMEs and last USER. */
export interface DockerfileStage {
    name?: string;
    base: string;
    volumes: string[];
    user?: string;
}

/** The stages, in order. */
export function dockerfileStages(instructions: readonly DockerfileInstruction[]): DockerfileStage[] {
    const stages: DockerfileStage[] = [];
    for (const ins of instructions) {
        if (ins.op === "FROM") {
            const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.rest);
            stages.push({ base: m?.[1] ?? "", ...(m?.[2] !== undefined ? { name: m[2] } : {}), volumes: [] });
            continue;
        }
        const stage = stages[stages.length - 1];
        if (!stage) continue;
        if (ins.op === "VOLUME") {
            for (const v of volumeArguments(ins.rest)) {
                const folder = normalizeFolder(v);
                if (folder) stage.volumes.push(folder);
            }
        } else if (ins.op === "USER") {
            stage.user = ins.rest;
        }
    }
    return stages;
}

/** VOLUME and USER of the stage built: `target` (case-insensitive, as BuildKit), or the last; undefined for a target that names no stage. */
export function builtStage(stages: readonly DockerfileStage[], target?: string): BuiltStage | undefined {
    const named = stages.map((s) => s.name?.toLowerCase());
    let at = target === undefined ? stages.length - 1 : named.indexOf(target.toLowerCase());
    if (at < 0) return undefined;
    // The chain of stages this one is built FROM, nearest first: each base names an earlier stage.
    const chain: number[] = [];
    while (at >= 0 && !chain.includes(at)) {
        chain.push(at);
        at = named.slice(0, at).lastIndexOf(stages[at].base.toLowerCase());
    }
    const volumes = [...new Set(chain.slice().reverse().flatMap((i) => stages[i].volumes))];
    const user = chain.map((i) => stages[i].user).find((u) => u !== undefined);
    return { volumes, ...(user !== undefined ? { user } : {}) };
}

/**
 * Whether a USER value runs as root: `root` or uid 0, with or without a group. Undefined when it
 * cannot be told: no USER in the file (the base image may set one) or a variable.
 */
export function runsAsRoot(user: string | undefined): boolean | undefined {
    if (user === undefined || user.includes("$")) return undefined;
    const name = user.split(":")[0];
    return name === "root" || name === "0";
}
