/**
 * The portal's log: one JSON object per line (`time`, `level`, `msg`, then the event's fields),
 * so a log reader (CloudWatch Logs Insights, `jq`) sees each event as exactly one record.
 *
 * Much of what the portal logs comes from the request: a rejected token's `alg`, `kid`, `signer`
 * or claims end up in the verifier's error message. No such text may reach the log raw, or a
 * newline in it writes a record of the attacker's choosing and an ANSI escape repaints the
 * terminal of whoever tails the log. So every string in a record is made `inert` (controls and
 * line separators escaped, bidi controls too) and `bounded` in length before it is written, and
 * the record is serialised with JSON.stringify.
 *
 * No logging library: JSON.stringify per line is all the portal needs, and it keeps the image's
 * dependencies to the four it has.
 */

export type LogLevel = "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
    info(msg: string, fields?: LogFields): void;
    warn(msg: string, fields?: LogFields): void;
    error(msg: string, fields?: LogFields): void;
}

/** Longest string written into a record, marker included (a header may hold 16 KB of attacker text). */
export const MAX_LOGGED_CHARS = 400;

/**
 * C0 controls (newline, carriage return, escape, ...), DEL and C1 controls (NEL, 8-bit CSI), the
 * Unicode line and paragraph separators, bidi embeddings, overrides and isolates, and lone
 * surrogates (not UTF-8: they would be written as U+FFFD and hide what was sent).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escape(ch: string): string {
    const code = ch.charCodeAt(0);
    return NAMED[ch] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`);
}

const marker = (dropped: number) => `…[+${dropped} more characters]`;

/**
 * `text` cut to at most `max` characters, the marker that says how many were dropped included.
 * Never splits a surrogate pair or an escape sequence made by `inert`. Idempotent.
 */
export function bounded(text: string, max = MAX_LOGGED_CHARS): string {
    if (text.length <= max) return text;
    // The marker's length depends on the count: leave room for the longest it can be.
    let cut = Math.max(0, max - marker(text.length).length);
    if (cut > 0 && /[\ud800-\udbff]/.test(text[cut - 1]!)) cut--;
    const tail = text.slice(Math.max(0, cut - 5), cut).search(/\\(x[0-9a-f]?|u[0-9a-f]{0,3})?$/);
    if (tail >= 0) cut = Math.max(0, cut - 5) + tail;
    return `${text.slice(0, cut)}${marker(text.length - cut)}`;
}

/**
 * `text` safe to write on one line anywhere: controls as `\n`, `\r`, `\t` or `\xNN`; line
 * separators, bidi controls and lone surrogates as `\uNNNN`; then bounded. Backslashes stay as
 * they are, so `inert(inert(x)) === inert(x)` and no value is escaped twice (the price: a
 * backslash-n a client sent literally reads like an escaped newline).
 */
export function inert(text: string, max = MAX_LOGGED_CHARS): string {
    return bounded(text.replace(UNSAFE, escape), max);
}

/** `Name: message` of anything thrown, inert and bounded. */
export function describeError(err: unknown): string {
    return inert(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}

const MAX_DEPTH = 3;
const MAX_ITEMS = 20;

/** A JSON-safe, inert, bounded copy of a field value. */
function safe(value: unknown, depth = 0): unknown {
    if (typeof value === "string") return inert(value);
    if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
    if (typeof value === "boolean" || value === null || value === undefined) return value;
    if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function") return inert(String(value));
    if (value instanceof Error) return describeError(value);
    if (depth >= MAX_DEPTH) return "[…]";
    if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => safe(v, depth + 1));
    const entries = Object.entries(value as object).slice(0, MAX_ITEMS);
    return Object.fromEntries(entries.map(([k, v]) => [inert(k, 64), safe(v, depth + 1)]));
}

/** One record as one line of JSON, without the newline. */
export function formatRecord(level: LogLevel, msg: string, fields: LogFields = {}, time = new Date()): string {
    const own: Array<[string, unknown]> = [["time", time.toISOString()], ["level", level], ["msg", inert(msg)]];
    const extra = Object.entries(fields).filter(([k]) => k !== "time" && k !== "level" && k !== "msg").slice(0, MAX_ITEMS);
    // fromEntries makes own properties even of "__proto__", so no key can reach a prototype.
    return JSON.stringify(Object.fromEntries([...own, ...extra.map(([k, v]): [string, unknown] => [inert(k, 64), safe(v)])]));
}

/**
 * The default logger: info to stdout, warnings and errors to stderr, where ECS sends both to
 * CloudWatch. Writes go through the console, which writes each line in one call and ignores a
 * closed stream instead of crashing; "%s" keeps `%` in a record from being read as a format.
 */
export function jsonLogger(clock: () => Date = () => new Date()): Logger {
    return {
        info: (msg, fields) => console.log("%s", formatRecord("info", msg, fields, clock())),
        warn: (msg, fields) => console.warn("%s", formatRecord("warn", msg, fields, clock())),
        error: (msg, fields) => console.error("%s", formatRecord("error", msg, fields, clock())),
    };
}
