/**
 * A Dockerfile read the way BuildKit's frontend reads it, as far as the docker-build test double
 * needs: parser directives (`# escape=`), comments, line continuations, heredoc bodies skipped,
 * instructions with their `--flags` and arguments (JSON-array or whitespace form), stages, which
 * stages a target needs, and what each needs from a build context. Parse errors carry BuildKit's
 * wording (moby/buildkit frontend/dockerfile/parser and instructions).
 *
 * Not modelled: variable expansion (ARG/ENV): an argument holding `$` is reported as such so that
 * callers skip it rather than guess; ONBUILD triggers; instruction-specific argument checks other
 * than FROM's and COPY/ADD's; unknown flags.
 */

export interface Flag { name: string; value?: string }

export interface Instruction {
    /** 1-based line where it starts. */
    line: number;
    /** Upper case (`COPY`). */
    keyword: string;
    /** `--name[=value]` before the arguments, in order. */
    flags: Flag[];
    /** Arguments after the flags (heredoc markers like `<<EOF` included, as BuildKit counts them). */
    args: string[];
    /** The instruction as written, continuations joined. */
    text: string;
}

export interface Stage {
    index: number;
    /** `FROM ... AS <name>`, lower case as BuildKit keeps it. */
    name?: string;
    base: string;
    line: number;
    instructions: Instruction[];
}

export interface Dockerfile { stages: Stage[] }

const INSTRUCTIONS = new Set([
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
]);
/** Instructions whose `<<NAME` words open a heredoc (its body follows on the next lines). */
const HEREDOC_INSTRUCTIONS = new Set(["RUN", "COPY", "ADD"]);
const HEREDOC = /^<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2$/;

export const isHeredoc = (word: string) => HEREDOC.test(word);

const parseError = (line: number, message: string) => new Error(`dockerfile parse error on line ${line}: ${message}`);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Flags at the start of `rest` and what follows them. */
function splitFlags(rest: string): { flags: Flag[]; remainder: string } {
    const flags: Flag[] = [];
    let s = rest;
    for (;;) {
        const m = /^\s*--([A-Za-z0-9][A-Za-z0-9-]*)(?:=(\S*))?(?=\s|$)/.exec(s);
        if (!m) break;
        flags.push(m[2] === undefined ? { name: m[1] } : { name: m[1], value: m[2] });
        s = s.slice(m[0].length);
    }
    return { flags, remainder: s.trim() };
}

/** The JSON-array form (`["a", "b"]`) when it is one, else whitespace-separated words. */
function splitArgs(remainder: string): string[] {
    if (remainder.startsWith("[")) {
        try {
            const parsed: unknown = JSON.parse(remainder);
            if (Array.isArray(parsed) && parsed.every((a) => typeof a === "string")) return parsed as string[];
        } catch {
            // not JSON: BuildKit falls back to the shell form
        }
    }
    return remainder === "" ? [] : remainder.split(/\s+/);
}

/** Parses a Dockerfile, failing with BuildKit's message on what its parser refuses. */
export function parseDockerfile(text: string): Dockerfile {
    const lines = text.split(/\r?\n/);
    let escape = "\\";
    let i = 0;
    // Parser directives: only at the very top, before any comment, blank line or instruction.
    for (; i < lines.length; i++) {
        const m = /^\s*#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$/.exec(lines[i]);
        if (!m) break;
        if (m[1].toLowerCase() === "escape") {
            if (m[2] !== "\\" && m[2] !== "`") throw new Error(`invalid escape token '${m[2]}' does not match ` + "` or \\");
            escape = m[2];
        }
    }
    const continuation = new RegExp(`${escapeRegExp(escape)}[ \\t]*$`);
    const skippable = (l: string) => /^\s*$/.test(l) || /^\s*#/.test(l);
    const instructions: Instruction[] = [];
    for (; i < lines.length; i++) {
        if (skippable(lines[i])) continue;
        const line = i + 1;
        let logical = "";
        let current = lines[i];
        // Continuation lines: comments and blank lines inside them are dropped, as BuildKit does.
        while (continuation.test(current)) {
            logical += current.replace(continuation, "");
            do i++; while (i < lines.length && skippable(lines[i]));
            if (i >= lines.length) {
                current = "";
                break;
            }
            current = lines[i];
        }
        logical = `${logical}${current}`.trim();
        const m = /^(\S+)\s*([\s\S]*)$/.exec(logical)!;
        const keyword = m[1].toUpperCase();
        const { flags, remainder } = splitFlags(m[2]);
        const args = splitArgs(remainder);
        if (HEREDOC_INSTRUCTIONS.has(keyword)) {
            // Skip each heredoc's body, up to its terminator line (tabs stripped for `<<-`).
            for (const word of args) {
                const h = HEREDOC.exec(word);
                if (!h) continue;
                do i++; while (i < lines.length && (h[1] ? lines[i].replace(/^\t+/, "") : lines[i]) !== h[3]);
            }
        }
        if (!INSTRUCTIONS.has(keyword)) throw parseError(line, `unknown instruction: ${m[1]}`);
        instructions.push({ line, keyword, flags, args, text: logical });
    }
    if (instructions.length === 0) throw new Error("file with no instructions");
    return { stages: stagesOf(instructions) };
}

function stagesOf(instructions: Instruction[]): Stage[] {
    const stages: Stage[] = [];
    for (const ins of instructions) {
        if (ins.keyword === "FROM") {
            const a = ins.args;
            let name: string | undefined;
            if (a.length === 3 && a[1].toLowerCase() === "as") {
                name = a[2].toLowerCase();
                if (!/^[a-z][a-z0-9-_.]*$/.test(name)) {
                    throw parseError(ins.line, `invalid name for build stage: ${JSON.stringify(a[2])}, name can't start with a number or contain symbols`);
                }
            } else if (a.length !== 1) throw parseError(ins.line, "FROM requires either one or three arguments");
            stages.push({ index: stages.length, name, base: a[0], line: ins.line, instructions: [] });
            continue;
        }
        if ((ins.keyword === "COPY" || ins.keyword === "ADD") && ins.args.length < 2) {
            throw parseError(ins.line, `${ins.keyword} requires at least two arguments, but only one was provided. Destination could not be determined`);
        }
        if (stages.length === 0) {
            if (ins.keyword === "ARG") continue; // a meta argument, for FROM lines
            throw new Error("no build stage in current context");
        }
        stages[stages.length - 1].instructions.push(ins);
    }
    return stages;
}

// --- What a build needs -------------------------------------------------------------------------

export const flagValue = (ins: Instruction, name: string) => ins.flags.find((f) => f.name === name)?.value;

/** The stage a `--from=` or `FROM` reference names (a stage name, case-insensitively, or an index), if any. */
export function stageNamed(df: Dockerfile, ref: string): Stage | undefined {
    if (/^\d+$/.test(ref)) return df.stages[Number(ref)];
    return df.stages.find((s) => s.name === ref.toLowerCase());
}

/** The stage `--target` builds (the last one by default); fails with BuildKit's message for a name no stage has. */
export function targetStage(df: Dockerfile, target?: string): Stage {
    if (!target) return df.stages[df.stages.length - 1];
    const stage = df.stages.find((s) => s.name === target.toLowerCase());
    if (!stage) throw new Error(`target stage ${JSON.stringify(target)} could not be found`);
    return stage;
}

/** `from=` of each `RUN --mount=...` (bind, cache: mounts from a stage, context or image). */
const mountSources = (ins: Instruction) =>
    ins.keyword !== "RUN" ? [] : ins.flags.filter((f) => f.name === "mount" && f.value).flatMap((f) => f.value!.split(",").filter((kv) => kv.startsWith("from=")).map((kv) => kv.slice(5)));

/** Something a stage takes from elsewhere: another stage, or a name that is not a stage (an image, or a named context of that name). */
export interface Reference { ref: string; stage?: Stage }

/** What a stage takes: its base (a stage only when that stage comes earlier), `COPY/ADD --from=`, `RUN --mount=from=`. Names holding `$` are left out. */
function referencesOf(df: Dockerfile, stage: Stage): Reference[] {
    const base = stageNamed(df, stage.base);
    const refs: Reference[] = [{ ref: stage.base, stage: base && !/^\d+$/.test(stage.base) && base.index < stage.index ? base : undefined }];
    for (const ins of stage.instructions) {
        const from = [...(ins.keyword === "COPY" || ins.keyword === "ADD" ? [flagValue(ins, "from")] : []), ...mountSources(ins)];
        for (const ref of from) if (ref !== undefined) refs.push({ ref, stage: stageNamed(df, ref) });
    }
    return refs.filter((r) => !r.ref.includes("$") && r.stage !== stage);
}

/** The stages BuildKit builds for `target`: it and what it needs, transitively (in Dockerfile order). */
export function neededStages(df: Dockerfile, target: Stage): Stage[] {
    const needed = new Set<number>();
    const visit = (s: Stage) => {
        if (needed.has(s.index)) return;
        needed.add(s.index);
        for (const r of referencesOf(df, s)) if (r.stage) visit(r.stage);
    };
    visit(target);
    return df.stages.filter((s) => needed.has(s.index));
}

/** Names the needed stages take that are not stages: images, or named contexts when one has that name. */
export function externalReferences(df: Dockerfile, stages: Stage[]): Set<string> {
    return new Set(stages.flatMap((s) => referencesOf(df, s)).filter((r) => !r.stage).map((r) => r.ref));
}

export interface CopySource {
    instruction: Instruction;
    /** `--from=` as written, if any. */
    from?: string;
    source: string;
}

const isRemoteSource = (src: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(src) || src.startsWith("git@");

/**
 * The sources `COPY`/`ADD` in the needed stages read from a build context (the main one, or the
 * one `from` names): not heredocs, not ADD's URLs, not `--parents` copies (BuildKit treats their
 * sources as patterns that may match nothing).
 */
export function copySources(stages: Stage[]): CopySource[] {
    const out: CopySource[] = [];
    for (const stage of stages) {
        for (const ins of stage.instructions) {
            if (ins.keyword !== "COPY" && ins.keyword !== "ADD") continue;
            if (ins.flags.some((f) => f.name === "parents")) continue;
            const from = flagValue(ins, "from");
            for (const source of ins.args.slice(0, -1)) {
                if (isHeredoc(source) || (ins.keyword === "ADD" && isRemoteSource(source))) continue;
                out.push({ instruction: ins, from, source });
            }
        }
    }
    return out;
}
