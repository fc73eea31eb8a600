/**
 * A test instrument: runs a CloudWatch Logs Insights query over recorded log events, for exactly
 * the subset of the language the saved usage queries use, and throws on anything else, so a query
 * that reaches outside the subset fails its test instead of passing on semantics nobody checked.
 *
 * The subset (lower-case keywords, commands separated by `|`):
 * - `fields a, b as c`
 * - `filter` of terms joined by `and`; a term is `field = literal`, `field != literal`,
 *   `ispresent(field)` or `not ispresent(field)`; a literal is a "string", a 'string' or a number
 * - `stats` (once) of `count(*)`, `count(f)`, `count_distinct(f)`, `max(f)`, `min(f)`, each with
 *   an optional `as` alias, optionally `by` fields and `bin(<n><unit>)`, each with an optional alias
 * - `sort key asc|desc[, key asc|desc]` (the direction is required; AWS's docs show one key, and the
 *   saved queries sort on one), `limit n` (1..10,000)
 * - after `stats`, only `sort` and `limit`
 *
 * What it models, and how:
 * - A message that is a JSON object gives one field per value, nested objects and arrays flattened
 *   with dots (`_aws.CloudWatchMetrics.0.Namespace`); any other message gives no fields. Every event
 *   also has `@timestamp` and `@message`; other `@` fields are refused rather than left empty.
 *   Field names are case-sensitive (`dashboard` and `Dashboard` are two fields); a JSON null is no value.
 * - `bin(<n><unit>)` for ms, s, m, h, d and w (and their documented spellings) floors `@timestamp`
 *   to a multiple of the period since the epoch: `1d` bins start at UTC midnight, `1w` bins start
 *   on a Thursday 00:00 UTC (1970-01-01 was a Thursday). AWS does not document where week bins
 *   start; this is the evaluator's assumption. Calendar units (month, quarter, year) are refused.
 * - Result rows are records of strings, as GetQueryResults returns them; timestamps (`@timestamp`,
 *   `bin(...)`, `max(@timestamp)`) read `YYYY-MM-DD HH:MM:SS.mmm` in UTC. A field a row lacks
 *   (e.g. a `by` field absent from the events of that group) is left out of the row.
 * - Comparison: a string literal equals a value whose text is that string; a number literal equals
 *   a value that is that number. An absent field is never `=` anything, and `!=` is `not =`, so an
 *   absent field is `!=` everything (AWS does not document this case; the saved queries avoid it).
 * - Sort: numbers (and all-digit strings) after other values, as the sort docs say; other strings
 *   by UTF-16 code unit; timestamps in time order; rows without the key last, either direction.
 *
 * What it does not model: count_distinct's approximation at high cardinality (it counts exactly),
 * Lambda's "first embedded JSON fragment" discovery and the Lambda fields (`@requestId`, `@type`,
 * ...), the cap on fields extracted per event, the extra `@` on JSON keys that start with `@`,
 * natural-sort chunking of mixed strings, the row order Insights uses when there is no `sort`
 * (here: first-seen order), regex, `like`, `in`, `or`, comparisons other than `=`/`!=`,
 * arithmetic, `parse`, `display`, `dedup`, comments and every other function and command.
 */

/** One log event as CloudWatch Logs stores it. */
export interface LogEvent {
    /** Milliseconds since the epoch (Insights' `@timestamp`). */
    timestamp: number;
    /** The raw message (Insights' `@message`). */
    message: string;
}

/** One result row: field name to value, every value a string, as in GetQueryResults. */
export type ResultRow = Record<string, string>;

/** Thrown for a query outside the modelled subset, or one that is not well formed. */
export class UnsupportedQueryError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnsupportedQueryError";
    }
}

/** A timestamp value, kept apart from numbers so it sorts by time and prints as a date. */
class Timestamp {
    constructor(readonly ms: number) {}
}

type Value = string | number | boolean | Timestamp;
type Fields = Map<string, Value>;
type Token = { kind: "name" | "string" | "number" | "duration" | "symbol"; text: string };

const SYSTEM_FIELDS = new Set(["@timestamp", "@message"]);
const MAX_LIMIT = 10_000;
const DAY_MS = 86_400_000;
// bin units and spellings ("adding s to pluralize is supported" for spellings longer than one character): https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Stats.html
const BIN_UNITS: [spellings: string[], ms: number | undefined][] = [
    [["millisecond", "ms", "msec"], 1],
    [["second", "s", "sec"], 1000],
    [["minute", "m", "min"], 60_000],
    [["hour", "h", "hr"], 3_600_000],
    [["day", "d"], DAY_MS],
    [["week", "w"], 7 * DAY_MS],
    [["month", "mo", "mon", "quarter", "q", "qtr", "year", "y", "yr"], undefined],
];

function unsupported(message: string): never {
    throw new UnsupportedQueryError(message);
}

/** Splits a query into tokens; any character outside the subset's syntax is refused here. */
function tokenize(query: string): Token[] {
    const tokens: Token[] = [];
    const pattern = /\s+|(?<name>@?[A-Za-z_][A-Za-z0-9_.]*)|(?<num>\d+(?:\.\d+)?[A-Za-z]*)|"(?<dq>(?:[^"\\]|\\.)*)"|'(?<sq>(?:[^'\\]|\\.)*)'|(?<sym>!=|[|,()=*])/y;
    while (pattern.lastIndex < query.length) {
        const at = pattern.lastIndex;
        const m = pattern.exec(query);
        if (!m) unsupported(`unsupported syntax at ${JSON.stringify(query.slice(at, at + 20))}`);
        const g = m.groups!;
        if (g.name !== undefined) tokens.push({ kind: "name", text: g.name });
        else if (g.num !== undefined) tokens.push({ kind: /[A-Za-z]/.test(g.num) ? "duration" : "number", text: g.num });
        else if (g.dq !== undefined || g.sq !== undefined) tokens.push({ kind: "string", text: (g.dq ?? g.sq ?? "").replace(/\\(.)/g, "$1") });
        else if (g.sym !== undefined) tokens.push({ kind: "symbol", text: g.sym });
    }
    return tokens;
}

/** A cursor over one command's tokens. */
class Tokens {
    private i = 0;
    constructor(private readonly list: Token[], readonly command: string) {}
    peek(): Token | undefined {
        return this.list[this.i];
    }
    next(what: string): Token {
        return this.list[this.i++] ?? unsupported(`${this.command}: expected ${what}, found the end of the command`);
    }
    accept(text: string): boolean {
        if (this.peek()?.text !== text || this.peek()?.kind === "string") return false;
        this.i++;
        return true;
    }
    expect(text: string): void {
        const t = this.next(JSON.stringify(text));
        if (t.text !== text || t.kind === "string") unsupported(`${this.command}: expected ${JSON.stringify(text)}, found ${JSON.stringify(t.text)}`);
    }
    /** A field name (not a function call); `@` fields only where Insights makes them for every event. */
    field(): string {
        const t = this.next("a field name");
        if (t.kind !== "name") unsupported(`${this.command}: expected a field name, found ${JSON.stringify(t.text)}`);
        if (this.peek()?.text === "(") unsupported(`${this.command}: unsupported function ${t.text}()`);
        if (t.text.startsWith("@") && !SYSTEM_FIELDS.has(t.text)) unsupported(`${this.command}: field ${t.text} is not modelled`);
        return t.text;
    }
    alias(fallback: string): string {
        return this.accept("as") ? this.field() : fallback;
    }
    /** Comma-separated items up to the end of the command (or a stop word). */
    commaList<T>(item: () => T, stop?: string): T[] {
        const items = [item()];
        while (this.accept(",")) items.push(item());
        const rest = this.peek();
        if (rest && rest.text !== stop) unsupported(`${this.command}: unexpected ${JSON.stringify(rest.text)}`);
        return items;
    }
    end(): void {
        const rest = this.peek();
        if (rest) unsupported(`${this.command}: unexpected ${JSON.stringify(rest.text)}`);
    }
}

/** The fields Insights discovers in a message: a JSON object's values, flattened with dots. */
function discoveredFields(event: LogEvent): Fields {
    const fields: Fields = new Map<string, Value>([["@timestamp", new Timestamp(event.timestamp)], ["@message", event.message]]);
    let parsed: unknown;
    try {
        parsed = JSON.parse(event.message);
    } catch {
        return fields;
    }
    // Nested JSON fields use dot notation, arrays are flattened by index: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html
    const flatten = (value: unknown, name: string): void => {
        if (value === null) return;
        if (typeof value === "object") for (const [key, inner] of Object.entries(value)) flatten(inner, name ? `${name}.${key}` : key);
        else if (name && !fields.has(name)) fields.set(name, value as Value);
    };
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) flatten(parsed, "");
    return fields;
}

function isoTimestamp(ms: number): string {
    return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

// GetQueryResults returns every value as a string: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ResultField.html
function text(value: Value): string {
    return value instanceof Timestamp ? isoTimestamp(value.ms) : String(value);
}

/** Sort order: rank first (other values, then numbers, then timestamps), then within the rank. */
// "All non-number values come before all number values": https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Sort.html
function compareValues(a: Value, b: Value): number {
    const numeric = (v: Value) => (typeof v === "number" ? v : typeof v === "string" && /^\d+(?:\.\d+)?$/.test(v) ? Number(v) : undefined);
    const rank = (v: Value) => (v instanceof Timestamp ? 2 : numeric(v) !== undefined ? 1 : 0);
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    if (a instanceof Timestamp && b instanceof Timestamp) return a.ms - b.ms;
    const na = numeric(a);
    const nb = numeric(b);
    if (na !== undefined && nb !== undefined) return na - nb;
    const [ta, tb] = [text(a), text(b)];
    return ta < tb ? -1 : ta > tb ? 1 : 0;
}

type Condition = (fields: Fields) => boolean;

function parseFilter(t: Tokens): Condition {
    const term = (): Condition => {
        const negated = t.accept("not");
        if (t.accept("ispresent")) {
            t.expect("(");
            const name = t.field();
            t.expect(")");
            return (f) => f.has(name) !== negated;
        }
        if (negated) unsupported("filter: `not` is modelled only before ispresent()");
        const name = t.field();
        const op = t.next("= or !=");
        if (op.kind !== "symbol" || (op.text !== "=" && op.text !== "!=")) unsupported(`filter: unsupported operator ${JSON.stringify(op.text)}`);
        const literal = t.next("a literal");
        if (literal.kind !== "string" && literal.kind !== "number") unsupported(`filter: expected a string or number literal, found ${JSON.stringify(literal.text)}`);
        const equals = (v: Value | undefined) =>
            v !== undefined && (literal.kind === "number" ? typeof v === "number" && v === Number(literal.text) : text(v) === literal.text);
        return op.text === "=" ? (f) => equals(f.get(name)) : (f) => !equals(f.get(name));
    };
    const terms = [term()];
    while (t.accept("and")) terms.push(term());
    t.end();
    return (f) => terms.every((c) => c(f));
}

interface Aggregate {
    column: string;
    fn: "count" | "count_distinct" | "max" | "min";
    /** The field, or `*` for count(*). */
    field: string;
}
interface Grouping {
    column: string;
    key: (f: Fields) => Value | undefined;
}

/** A `bin(...)` period in milliseconds. */
function binPeriod(duration: Token): number {
    const m = /^(\d+)([A-Za-z]+)$/.exec(duration.text);
    if (duration.kind !== "duration" || !m) unsupported(`stats: bin() needs a period like 1d, found ${JSON.stringify(duration.text)}`);
    const [, amount, unit] = m;
    const entry = BIN_UNITS.find(([spellings]) => spellings.some((s) => unit === s || (s.length > 1 && unit === `${s}s`)));
    if (!entry) unsupported(`stats: unknown bin unit ${JSON.stringify(unit)}`);
    if (entry[1] === undefined) unsupported(`stats: calendar bin unit ${JSON.stringify(unit)} is not modelled`);
    if (Number(amount) < 1) unsupported("stats: a bin period must be at least 1");
    return Number(amount) * entry[1];
}

function parseStats(t: Tokens): { aggregates: Aggregate[]; groupings: Grouping[] } {
    const aggregate = (): Aggregate => {
        const fn = t.next("an aggregate function");
        if (!["count", "count_distinct", "max", "min"].includes(fn.text) || fn.kind !== "name") unsupported(`stats: unsupported function ${JSON.stringify(fn.text)}`);
        t.expect("(");
        const field = fn.text === "count" && t.accept("*") ? "*" : t.field();
        t.expect(")");
        return { fn: fn.text as Aggregate["fn"], field, column: t.alias(`${fn.text}(${field})`) };
    };
    const grouping = (): Grouping => {
        if (t.accept("bin")) {
            t.expect("(");
            const duration = t.next("a period");
            const period = binPeriod(duration);
            t.expect(")");
            const key = (f: Fields) => new Timestamp(Math.floor((f.get("@timestamp") as Timestamp).ms / period) * period);
            return { key, column: t.alias(`bin(${duration.text})`) };
        }
        const name = t.field();
        return { key: (f) => f.get(name), column: t.alias(name) };
    };
    const aggregates = t.commaList(aggregate, "by");
    const groupings = t.accept("by") ? t.commaList(grouping) : [];
    const columns = [...groupings, ...aggregates].map((c) => c.column);
    const twice = columns.find((c, i) => columns.indexOf(c) !== i);
    if (twice !== undefined) unsupported(`stats: column ${twice} is named twice`);
    return { aggregates, groupings };
}

function aggregateValue(a: Aggregate, rows: Fields[]): Value | undefined {
    if (a.fn === "count") return a.field === "*" ? rows.length : rows.filter((f) => f.has(a.field)).length;
    const values = rows.map((f) => f.get(a.field)).filter((v): v is Value => v !== undefined);
    // count_distinct is exact here; Insights approximates it for high-cardinality fields: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
    if (a.fn === "count_distinct") return new Set(values.map(text)).size;
    if (values.length === 0) return undefined;
    const sign = a.fn === "max" ? 1 : -1;
    return values.reduce((best, v) => (sign * compareValues(v, best) > 0 ? v : best));
}

function runStats(rows: Fields[], stats: ReturnType<typeof parseStats>): Fields[] {
    const groups = new Map<string, Fields[]>();
    for (const f of rows) {
        // An absent `by` value forms its own group (keyed apart from every real value).
        const key = JSON.stringify(stats.groupings.map((g) => { const v = g.key(f); return v === undefined ? null : [typeof v, text(v)]; }));
        const members = groups.get(key);
        if (members) members.push(f);
        else groups.set(key, [f]);
    }
    return [...groups.values()].map((members) => {
        const out: Fields = new Map();
        for (const g of stats.groupings) { const v = g.key(members[0]); if (v !== undefined) out.set(g.column, v); }
        for (const a of stats.aggregates) { const v = aggregateValue(a, members); if (v !== undefined) out.set(a.column, v); }
        return out;
    });
}

/**
 * Runs `queryString` over `events` as Logs Insights would, within the modelled subset (see the file header).
 * @returns The result rows, every value a string.
 * @throws UnsupportedQueryError when the query uses anything outside the subset or is not well formed.
 */
export function runInsightsQuery(queryString: string, events: readonly LogEvent[]): ResultRow[] {
    const all = tokenize(queryString);
    if (all.length === 0) unsupported("empty query");
    const commands: Token[][] = [[]];
    for (const tok of all) {
        if (tok.kind === "symbol" && tok.text === "|") commands.push([]);
        else commands[commands.length - 1].push(tok);
    }
    let rows = events.map(discoveredFields);
    let columns: string[] | undefined;
    let displayed: string[] = [];
    for (const command of commands) {
        const head = command[0];
        if (!head) unsupported("empty command between pipes");
        const t = new Tokens(command.slice(1), head.text);
        const afterStats = columns !== undefined;
        if (afterStats && head.text !== "sort" && head.text !== "limit") unsupported(`${head.text} after stats is not modelled`);
        if (head.kind !== "name") unsupported(`expected a command, found ${JSON.stringify(head.text)}`);
        if (head.text === "fields") {
            const specs = t.commaList(() => { const name = t.field(); return { name, column: t.alias(name) }; });
            for (const f of rows) for (const s of specs) { const v = f.get(s.name); if (v !== undefined) f.set(s.column, v); }
            displayed = [...displayed, ...specs.map((s) => s.column).filter((c) => !displayed.includes(c))];
        } else if (head.text === "filter") {
            const condition = parseFilter(t);
            rows = rows.filter(condition);
        } else if (head.text === "stats") {
            const stats = parseStats(t);
            rows = runStats(rows, stats);
            columns = [...stats.groupings, ...stats.aggregates].map((c) => c.column);
        } else if (head.text === "sort") {
            const keys = t.commaList(() => {
                const name = t.field();
                const direction = t.next("asc or desc").text;
                if (direction !== "asc" && direction !== "desc") unsupported(`sort: expected asc or desc after ${name}, found ${JSON.stringify(direction)}`);
                if (columns && !columns.includes(name)) unsupported(`sort: ${name} is not a column of the stats result`);
                return { name, sign: direction === "asc" ? 1 : -1 };
            });
            const byKeys = (a: Fields, b: Fields): number => {
                for (const k of keys) {
                    const [va, vb] = [a.get(k.name), b.get(k.name)];
                    const order = va === undefined || vb === undefined ? Number(va === undefined) - Number(vb === undefined) : k.sign * compareValues(va, vb);
                    if (order !== 0) return order;
                }
                return 0;
            };
            rows = [...rows].sort(byKeys);
        } else if (head.text === "limit") {
            const n = t.next("a number");
            t.end();
            // Without limit a query returns up to 10,000 rows: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html
            if (n.kind !== "number" || !/^\d+$/.test(n.text) || Number(n.text) < 1 || Number(n.text) > MAX_LIMIT) unsupported(`limit: expected a whole number from 1 to ${MAX_LIMIT}, found ${JSON.stringify(n.text)}`);
            rows = rows.slice(0, Number(n.text));
        } else {
            unsupported(`unsupported command ${JSON.stringify(head.text)}`);
        }
    }
    const shown = columns ?? (displayed.length ? displayed : ["@timestamp", "@message"]);
    return rows.slice(0, MAX_LIMIT).map((f) => Object.fromEntries(shown.filter((c) => f.has(c)).map((c) => [c, text(f.get(c)!)])));
}
