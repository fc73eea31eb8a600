import { expect } from "chai";
import { type LogEvent, runInsightsQuery, UnsupportedQueryError } from "./logsInsights";

/** An event at an ISO time (UTC) whose message is `body` as JSON, or `body` itself when a string. */
function event(iso: string, body: object | string): LogEvent {
    return { timestamp: Date.parse(iso), message: typeof body === "string" ? body : JSON.stringify(body) };
}

const T0 = "2024-03-07T12:00:00.000Z";

describe("the Logs Insights evaluator (test instrument)", () => {
    describe("fields discovered in messages", () => {
        it("reads a JSON object's values as fields, and returns @timestamp and @message when nothing else is asked", () => {
            const rows = runInsightsQuery("filter a = \"x\"", [event(T0, { a: "x" })]);
            expect(rows).to.deep.equal([{ "@timestamp": "2024-03-07 12:00:00.000", "@message": '{"a":"x"}' }]);
        });

        it("gives a non-JSON line (Lambda's START line) no fields, but still counts it as an event", () => {
            const events = [event(T0, "START RequestId: 8f5e Version: $LATEST"), event(T0, { a: "x" })];
            expect(runInsightsQuery("filter ispresent(a) | stats count(*) as n", events)).to.deep.equal([{ n: "1" }]);
            expect(runInsightsQuery("stats count(*) as n", events)).to.deep.equal([{ n: "2" }]);
        });

        it("gives a JSON array or scalar message no fields", () => {
            const events = [event(T0, "[1,2]"), event(T0, "42"), event(T0, '"text"')];
            expect(runInsightsQuery("stats count(a) as n, count(*) as all", events)).to.deep.equal([{ n: "0", all: "3" }]);
        });

        it("flattens nested objects and arrays with dots, as Insights names them", () => {
            const line = { _aws: { CloudWatchMetrics: [{ Namespace: "Dashboards" }] }, a: { b: 1 } };
            const rows = runInsightsQuery("fields _aws.CloudWatchMetrics.0.Namespace as ns, a.b", [event(T0, line)]);
            expect(rows).to.deep.equal([{ ns: "Dashboards", "a.b": "1" }]);
        });

        it("keeps field names case-sensitive (dashboard and the metric dimension Dashboard are two fields)", () => {
            const rows = runInsightsQuery("fields dashboard, Dashboard", [event(T0, { dashboard: "sales", Dashboard: "(none)" })]);
            expect(rows).to.deep.equal([{ dashboard: "sales", Dashboard: "(none)" }]);
        });

        it("returns every value as a string and leaves out the fields a row lacks (a JSON null is no value)", () => {
            const rows = runInsightsQuery("fields a, n, ok, gone, missing", [event(T0, { a: "x", n: 3, ok: true, gone: null })]);
            expect(rows).to.deep.equal([{ a: "x", n: "3", ok: "true" }]);
        });
    });

    describe("filter", () => {
        const events = [
            event(T0, { decision: "allow", trigger: "sign-in", n: 1 }),
            event(T0, { decision: "allow", trigger: "refresh", n: 2 }),
            event(T0, { decision: "deny", trigger: "sign-in" }),
            event(T0, { decision: "allow" }),
        ];
        const count = (condition: string) => runInsightsQuery(`filter ${condition} | stats count(*) as n`, events)[0]?.n ?? "0";

        it("keeps the events whose field equals a string literal (double or single quotes)", () => {
            expect(count('decision = "allow"')).to.equal("3");
            expect(count("decision = 'deny'")).to.equal("1");
        });

        it("compares a number literal with a number", () => {
            expect(count("n = 2")).to.equal("1");
            expect(count('n = "2"')).to.equal("1");
        });

        it("joins terms with and", () => {
            expect(count('decision = "allow" and trigger = "sign-in"')).to.equal("1");
            expect(count('decision = "allow" and trigger = "sign-in" and n = 2')).to.equal("0");
        });

        it("never matches = on an event without the field", () => {
            expect(count('trigger = "refresh"')).to.equal("1");
            expect(count('decision = "allow" and trigger = "sign-in"')).to.equal("1");
        });

        it("treats != as not =, so an event without the field is != everything", () => {
            expect(count('trigger != "refresh"')).to.equal("3");
            expect(count('decision != "allow"')).to.equal("1");
        });

        it("tests presence with ispresent and not ispresent", () => {
            expect(count("ispresent(trigger)")).to.equal("3");
            expect(count('not ispresent(trigger) and decision = "allow"')).to.equal("1");
        });
    });

    describe("stats", () => {
        it("counts events, events with a field, distinct values, and takes max and min, by a field", () => {
            const events = [
                event("2024-03-07T09:00:00.000Z", { d: "a", user: "u1", n: 5 }),
                event("2024-03-07T10:00:00.000Z", { d: "a", user: "u1", n: 12 }),
                event("2024-03-07T11:00:00.000Z", { d: "a", user: "u2" }),
                event("2024-03-07T08:00:00.000Z", { d: "b", user: "u3", n: 7 }),
            ];
            const rows = runInsightsQuery(
                "stats count(*) as events, count(n) as withN, count_distinct(user) as users, max(n) as top, min(@timestamp) as first by d | sort d asc",
                events,
            );
            expect(rows).to.deep.equal([
                { d: "a", events: "3", withN: "2", users: "2", top: "12", first: "2024-03-07 09:00:00.000" },
                { d: "b", events: "1", withN: "1", users: "1", top: "7", first: "2024-03-07 08:00:00.000" },
            ]);
        });

        it("names unaliased columns after their expression", () => {
            const rows = runInsightsQuery("stats count(*), count_distinct(user) by d, bin(1d)", [event(T0, { d: "a", user: "u" })]);
            expect(rows).to.deep.equal([{ d: "a", "bin(1d)": "2024-03-07 00:00:00.000", "count(*)": "1", "count_distinct(user)": "1" }]);
        });

        it("groups the events without a by field together, in a row without that field", () => {
            const events = [event(T0, { reason: "unknown-client" }), event(T0, { reason: "unknown-client" }), event(T0, { d: "a", reason: "unknown-client" })];
            const rows = runInsightsQuery("stats count(*) as n by d, reason | sort n desc", events);
            expect(rows).to.deep.equal([{ reason: "unknown-client", n: "2" }, { d: "a", reason: "unknown-client", n: "1" }]);
        });

        it("bins by UTC day: the last millisecond before midnight and midnight are in different days", () => {
            const events = ["2024-03-07T00:00:00.000Z", "2024-03-07T23:59:59.999Z", "2024-03-08T00:00:00.000Z"].map((t) => event(t, { a: 1 }));
            const rows = runInsightsQuery("stats count(*) as n by bin(1d) as day | sort day asc", events);
            expect(rows).to.deep.equal([{ day: "2024-03-07 00:00:00.000", n: "2" }, { day: "2024-03-08 00:00:00.000", n: "1" }]);
        });

        it("bins by week from the epoch: weeks start on Thursday 00:00 UTC (the evaluator's documented assumption)", () => {
            // 2024-03-07 is a Thursday; 2024-03-13 a Wednesday.
            const events = ["2024-03-06T23:59:59.999Z", "2024-03-07T00:00:00.000Z", "2024-03-13T23:59:59.999Z", "2024-03-14T00:00:00.000Z"].map((t) => event(t, { a: 1 }));
            const rows = runInsightsQuery("stats count(*) as n by bin(1w) as week | sort week asc", events);
            expect(rows).to.deep.equal([
                { week: "2024-02-29 00:00:00.000", n: "1" },
                { week: "2024-03-07 00:00:00.000", n: "2" },
                { week: "2024-03-14 00:00:00.000", n: "1" },
            ]);
            expect(runInsightsQuery("stats count(*) as n by bin(7d) as week | sort week asc", events)).to.deep.equal(rows);
        });

        it("accepts the documented spellings of fixed-length bin units", () => {
            const events = [event("2024-03-07T10:59:00.000Z", {}), event("2024-03-07T11:00:00.000Z", {})];
            for (const period of ["1h", "1hr", "1hrs", "1hour", "60m", "60mins", "3600s", "3600000ms"]) {
                expect(runInsightsQuery(`stats count(*) as n by bin(${period}) as t`, events), period).to.have.length(2);
            }
        });
    });

    describe("sort and limit", () => {
        // The row without `d` comes first, so only the sort can put it last.
        const events = [
            event(T0, { n: 3 }),
            event(T0, { d: "b", n: 2 }),
            event(T0, { d: "a", n: 2 }),
            event(T0, { d: "c", n: 10 }),
            event(T0, { d: "a", n: 1 }),
        ];

        it("sorts by two keys, each with its own direction, numbers by value", () => {
            const rows = runInsightsQuery("fields d, n | sort n desc, d asc", events);
            expect(rows).to.deep.equal([{ d: "c", n: "10" }, { n: "3" }, { d: "a", n: "2" }, { d: "b", n: "2" }, { d: "a", n: "1" }]);
        });

        it("sorts rows without the key last, in either direction", () => {
            expect(runInsightsQuery("fields d | sort d asc", events).map((r) => r.d)).to.deep.equal(["a", "a", "b", "c", undefined]);
            expect(runInsightsQuery("fields d | sort d desc", events).map((r) => r.d)).to.deep.equal(["c", "b", "a", "a", undefined]);
        });

        it("sorts numbers (and all-digit strings) after other values, as the sort docs say", () => {
            const mixed = [event(T0, { v: 10 }), event(T0, { v: "b" }), event(T0, { v: "2" }), event(T0, { v: "a1" })];
            expect(runInsightsQuery("fields v | sort v asc", mixed).map((r) => r.v)).to.deep.equal(["a1", "b", "2", "10"]);
        });

        it("sorts timestamps in time order", () => {
            const late = event("2024-03-08T00:00:00.000Z", { d: "x" });
            const early = event("2024-03-07T23:00:00.000Z", { d: "y" });
            expect(runInsightsQuery("stats max(@timestamp) as t by d | sort t asc", [late, early]).map((r) => r.d)).to.deep.equal(["y", "x"]);
        });

        it("keeps the first n rows after sorting", () => {
            expect(runInsightsQuery("fields d, n | sort n desc | limit 2", events)).to.deep.equal([{ d: "c", n: "10" }, { n: "3" }]);
        });
    });

    describe("anything outside the subset", () => {
        const refused: [what: string, query: string, reason: RegExp][] = [
            ["an unknown command", 'parse @message "* *" as a, b', /unsupported command "parse"/],
            ["display", "display a", /unsupported command "display"/],
            ["dedup", "sort a asc | dedup a", /unsupported command "dedup"/],
            ["an upper-case command", "Filter a = 1", /unsupported command "Filter"/],
            ["an unknown aggregate", "stats avg(n)", /unsupported function "avg"/],
            ["sum", "stats sum(n) by d", /unsupported function "sum"/],
            ["a function in fields", "fields abs(n)", /unsupported function abs\(\)/],
            ["a function in filter", 'filter strcontains(a, "x")', /unsupported function strcontains\(\)/],
            ["like", 'filter a like "x"', /unsupported operator "like"/],
            ["a regex", "filter a like /x/", /unsupported syntax at "\/x\/"/],
            ["=~", "filter a =~ /x/", /unsupported syntax at "~/],
            ["<", "filter n < 3", /unsupported syntax at "</],
            [">=", "filter n >= 3", /unsupported syntax at ">=/],
            ["or", 'filter a = "x" or b = "y"', /unexpected "or"/],
            ["in", 'filter a in ["x"]', /unsupported syntax at "\[/],
            ["not before a comparison", 'filter not a = "x"', /`not` is modelled only before ispresent/],
            ["parentheses", 'filter (a = "x")', /expected a field name, found "\("/],
            ["a field compared with a field", "filter a = b", /expected a string or number literal, found "b"/],
            ["arithmetic", "fields n + 1", /unsupported syntax at "\+/],
            ["a sort without a direction", "sort a", /expected asc or desc/],
            ["a trailing comma", "fields a,", /expected a field name, found the end/],
            ["an unterminated string", 'filter a = "x', /unsupported syntax at "\\"x"/],
            ["an empty query", "   ", /empty query/],
            ["an empty command", "filter a = 1 || limit 1", /empty command/],
            ["a limit of 0", "limit 0", /whole number from 1 to 10000/],
            ["a limit above 10,000", "limit 10001", /whole number from 1 to 10000/],
            ["a fractional limit", "limit 2.5", /whole number from 1 to 10000/],
            ["count_distinct(*)", "stats count_distinct(*)", /expected a field name, found "\*"/],
            ["a second stats", "stats count(*) as n by d | stats count(*)", /stats after stats/],
            ["filter after stats", "stats count(*) as n by d | filter n = 1", /filter after stats/],
            ["sort by a column stats did not make", "stats count(*) as n by d | sort m desc", /m is not a column/],
            ["a calendar bin unit", "stats count(*) by bin(1mo)", /calendar bin unit "mo"/],
            ["an unknown bin unit", "stats count(*) by bin(1fortnight)", /unknown bin unit "fortnight"/],
            ["a bin without a unit", "stats count(*) by bin(86400)", /needs a period/],
            ["a column named twice", "stats count(*) as d by d", /column d is named twice/],
            ["an @ field Insights makes only for some logs", 'filter @requestId = "x"', /@requestId is not modelled/],
            ["a backquoted field", "fields `foo-bar`", /unsupported syntax at "`/],
            ["a comment", "# note\nfields a", /unsupported syntax at "#/],
        ];
        for (const [what, query, reason] of refused) {
            it(`refuses ${what}: ${query}`, () => {
                expect(() => runInsightsQuery(query, [event(T0, { a: "x", d: "a", n: 1 })])).to.throw(UnsupportedQueryError, reason);
            });
        }
    });
});
