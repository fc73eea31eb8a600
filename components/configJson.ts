/**
 * Reads a config value's JSON text (Pulumi hands object and list values to programs as JSON) for
 * the stack validator, without trusting it:
 *   - objects have no prototype, and the keys `__proto__`, `constructor` and `prototype` are
 *     reported and dropped at every level, so no key can reach `Object.prototype` or stand in for
 *     another key through inheritance;
 *   - nesting deeper than any stack-file key is reported, and skipped without recursion;
 *   - problems carry the path of the value inside the config value, for the validator to name.
 * No Pulumi, no zod: a pure function.
 */

/** Keys that mean something to JavaScript objects themselves; never a stack-file key. */
export const RESERVED_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];
export const RESERVED_KEY_MESSAGE = "is a reserved JavaScript name, never a stack-file key (__proto__, constructor and prototype are refused at every level)";
/** The stack file's deepest key (`auth.identityProviders[].attributeMapping.email`) is 4 levels down; this leaves room. */
export const MAX_JSON_DEPTH = 32;

/** Stands in for a value that was reported while reading it, so no later check reports it again. */
export const REPORTED: unique symbol = Symbol("reported while reading the config value");

export type JsonPath = (string | number)[];

export interface JsonProblem {
    path: JsonPath;
    message: string;
}

export type ParsedJson = { ok: true; value: unknown; problems: JsonProblem[] } | { ok: false; error: string };

class JsonSyntaxError extends Error {}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NON_FINITE_WORDS = ["NaN", "Infinity", "-Infinity"];

/** Long text shortened for a message: its start and its length. */
export function abbreviated(text: string, max = 40): string {
    return text.length <= max ? text : `${text.slice(0, 20)}... (${text.length} characters)`;
}

/** Parses JSON text; syntax errors give `ok: false` with the position, everything else a value and its problems. */
export function parseConfigJson(text: string): ParsedJson {
    const problems: JsonProblem[] = [];
    let pos = 0;

    const fail = (what: string): never => {
        throw new JsonSyntaxError(pos >= text.length ? `${what} at the end` : `${what} at position ${pos}`);
    };
    const skipWhitespace = () => {
        WHITESPACE.lastIndex = pos;
        WHITESPACE.exec(text);
        pos = WHITESPACE.lastIndex;
    };
    const expectChar = (c: string) => {
        if (text[pos] !== c) fail(`expected ${JSON.stringify(c)}`);
        pos++;
    };
    const readString = (): string => {
        const start = pos;
        expectChar('"');
        // The closing quote is the first one not escaped by an odd number of backslashes.
        let end = text.indexOf('"', pos);
        for (;;) {
            if (end < 0) return fail("unterminated string");
            let backslashes = 0;
            while (text[end - 1 - backslashes] === "\\") backslashes++;
            if (backslashes % 2 === 0) break;
            end = text.indexOf('"', end + 1);
        }
        pos = end + 1;
        try {
            return JSON.parse(text.slice(start, pos)) as string;
        } catch {
            pos = start;
            return fail("invalid string");
        }
    };
    const literal = (word: string, value: unknown): unknown => {
        if (!text.startsWith(word, pos)) fail("unexpected character");
        pos += word.length;
        return value;
    };
    /** Moves past one value without building it or recursing (for values nested too deep). */
    const skipValue = () => {
        let depth = 0;
        do {
            skipWhitespace();
            const c = text[pos];
            if (c === '"') readString();
            else if (c === "{" || c === "[") {
                depth++;
                pos++;
            } else if (c === "}" || c === "]") {
                depth--;
                pos++;
            } else if (c === "," || c === ":") pos++;
            else if (c === undefined) fail("unexpected end");
            else readScalar();
        } while (depth > 0);
    };
    const readScalar = (path: JsonPath = [], report = false): unknown => {
        const c = text[pos];
        if (c === "t") return literal("true", true);
        if (c === "f") return literal("false", false);
        if (c === "n") return literal("null", null);
        // JSON has no NaN or infinities, but Python's json.dumps (and others) write these words.
        const word = NON_FINITE_WORDS.find((w) => text.startsWith(w, pos));
        NUMBER.lastIndex = pos;
        const written = word ?? NUMBER.exec(text)?.[0];
        if (written === undefined) return fail("unexpected character");
        pos += written.length;
        const value = word ? NaN : Number(written);
        if (Number.isFinite(value)) return value;
        // A number too large for a double (1e400) would read as Infinity: say what was written.
        if (report) problems.push({ path, message: `is not a finite number (got ${abbreviated(written)})` });
        return REPORTED;
    };

    const readValue = (path: JsonPath, depth: number, report: boolean): unknown => {
        skipWhitespace();
        const c = text[pos];
        if ((c === "{" || c === "[") && depth >= MAX_JSON_DEPTH) {
            if (report) problems.push({ path, message: `is nested more than ${MAX_JSON_DEPTH} levels deep; no stack-file value is` });
            skipValue();
            return REPORTED;
        }
        if (c === "{") {
            pos++;
            const object: Record<string, unknown> = Object.create(null);
            skipWhitespace();
            if (text[pos] === "}") {
                pos++;
                return object;
            }
            for (;;) {
                skipWhitespace();
                if (text[pos] !== '"') fail("expected a key in double quotes");
                const key = readString();
                skipWhitespace();
                expectChar(":");
                const reserved = RESERVED_KEYS.includes(key);
                if (reserved && report) problems.push({ path: [...path, key], message: RESERVED_KEY_MESSAGE });
                const value = readValue([...path, key], depth + 1, report && !reserved);
                if (!reserved) object[key] = value;
                skipWhitespace();
                if (text[pos] === ",") pos++;
                else if (text[pos] === "}") {
                    pos++;
                    return object;
                } else fail('expected "," or "}"');
            }
        }
        if (c === "[") {
            pos++;
            const list: unknown[] = [];
            skipWhitespace();
            if (text[pos] === "]") {
                pos++;
                return list;
            }
            for (;;) {
                list.push(readValue([...path, list.length], depth + 1, report));
                skipWhitespace();
                if (text[pos] === ",") pos++;
                else if (text[pos] === "]") {
                    pos++;
                    return list;
                } else fail('expected "," or "]"');
            }
        }
        if (c === '"') return readString();
        if (c === undefined) return fail("unexpected end");
        return readScalar(path, report);
    };

    try {
        const value = readValue([], 0, true);
        skipWhitespace();
        if (pos < text.length) fail("unexpected text after the value");
        return { ok: true, value, problems };
    } catch (e) {
        if (e instanceof JsonSyntaxError) return { ok: false, error: e.message };
        throw e;
    }
}
