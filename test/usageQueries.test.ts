import { expect } from "chai";
import {
    QUERY_DEFINITION_NAME_MAX_LENGTH,
    QUERY_DEFINITION_QUERY_MAX_LENGTH,
    USAGE_QUERIES,
    USAGE_QUERY_LIST,
    usageQueryDefinitionName,
} from "../components/usageQueries";
import { adminGroupsDocument, clientAccessDocument } from "../functions/preTokenGeneration/accessMap";
import { createHandler } from "../functions/preTokenGeneration/handler";
import { type LogEvent, type ResultRow, runInsightsQuery } from "./logsInsights";

/** One access decision as the pre-token Lambda logs it (the contract fields; the rest as the handler fills them). */
interface Decision {
    at: string;
    decision: "allow" | "deny";
    reason: string;
    dashboard?: string;
    trigger?: "sign-in" | "refresh";
    user?: string;
    userGroups?: string;
    matchedGroup?: string;
}

/** The decision's JSON line, with the fields the queries do not use (EMF block, metric numbers, ids) as the handler writes them. */
function decisionLine(d: Decision): LogEvent {
    const timestamp = Date.parse(d.at);
    const allowed = d.decision === "allow";
    const line = {
        level: allowed ? "INFO" : "WARN",
        message: "access decision",
        decision: d.decision,
        reason: d.reason,
        dashboard: d.dashboard,
        clientId: d.dashboard ? `client-${d.dashboard}` : "client-unknown",
        triggerSource: d.trigger === undefined ? undefined : d.trigger === "refresh" ? "TokenGeneration_RefreshTokens" : "TokenGeneration_HostedAuth",
        trigger: d.trigger,
        userPoolId: "eu-west-1_EXAMPLE1",
        user: d.user,
        userKey: "email",
        federated: false,
        userGroups: d.userGroups,
        matchedGroup: d.matchedGroup,
        accessMapSource: "cache",
        accessMapAgeSeconds: 12,
        requestId: `req-${timestamp}`,
        _aws: {
            Timestamp: timestamp,
            CloudWatchMetrics: [{ Namespace: "Dashboards/dev", Dimensions: [["DashboardName"]], Metrics: [{ Name: "Logins", Unit: "Count" }, { Name: "Denied", Unit: "Count" }] }],
        },
        DashboardName: d.dashboard ?? "(none)",
        Logins: allowed && d.trigger === "sign-in" ? 1 : 0,
        Denied: allowed ? 0 : 1,
    };
    // JSON.stringify leaves out undefined fields, as the handler's line does.
    return { timestamp, message: JSON.stringify(line) };
}

/** The lines Lambda itself writes around each invocation: not JSON, so they have no fields. */
function lambdaLines(at: string): LogEvent[] {
    const timestamp = Date.parse(at);
    return [
        { timestamp, message: "START RequestId: 6f1c2a0e-1111-4c1e-9d7a-0123456789ab Version: $LATEST" },
        { timestamp, message: "END RequestId: 6f1c2a0e-1111-4c1e-9d7a-0123456789ab" },
        { timestamp, message: "REPORT RequestId: 6f1c2a0e-1111-4c1e-9d7a-0123456789ab\tDuration: 3.21 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 71 MB" },
    ];
}

// Days (UTC): D1 Thursday 2024-03-07 ... D3 Saturday; D8 Thursday 2024-03-14, D9 Friday. D1-D3 and D8-D9 fall in
// one week each whether weeks start on Monday or Thursday, so the weekly answers do not hang on where AWS starts a week.
const [D1, D2, D3, D8, D9] = ["2024-03-07", "2024-03-08", "2024-03-09", "2024-03-14", "2024-03-15"];
const alice = "alice@example.com", bob = "bob@example.com", carol = "carol@example.com", dave = "dave@example.com";
const erin = "erin@example.com", frank = "frank@example.com", grace = "grace@example.com", zed = "zed@example.com";
const allowedBy = (group: string) => ({ decision: "allow", reason: "access-group", matchedGroup: group }) as const;
const notInGroups = { decision: "deny", reason: "not-in-access-groups" } as const;

const DECISIONS: Decision[] = [
    // sales: alice and bob on D1 (alice also refreshes), carol denied on D1, bob alone on D2, carol let in on D8.
    { at: `${D1}T09:00:00.000Z`, ...allowedBy("analysts"), dashboard: "sales", trigger: "sign-in", user: alice, userGroups: "analysts" },
    { at: `${D1}T10:00:00.000Z`, ...allowedBy("analysts"), dashboard: "sales", trigger: "refresh", user: alice, userGroups: "analysts" },
    { at: `${D1}T11:00:00.000Z`, ...allowedBy("analysts"), dashboard: "sales", trigger: "sign-in", user: bob, userGroups: "analysts,finance" },
    { at: `${D1}T11:30:00.000Z`, ...notInGroups, dashboard: "sales", trigger: "sign-in", user: carol, userGroups: "interns" },
    { at: `${D2}T09:00:00.000Z`, ...allowedBy("analysts"), dashboard: "sales", trigger: "sign-in", user: bob, userGroups: "analysts,finance" },
    { at: `${D2}T09:50:00.000Z`, ...allowedBy("analysts"), dashboard: "sales", trigger: "refresh", user: bob, userGroups: "analysts,finance" },
    { at: `${D8}T10:00:00.000Z`, ...allowedBy("analysts"), dashboard: "sales", trigger: "sign-in", user: carol, userGroups: "analysts,interns" },
    // ridge-lasso: dave either side of midnight, carol denied twice (a retry), erin (no groups) denied, grace in as an admin on D8.
    { at: `${D1}T23:59:59.999Z`, ...allowedBy("data-science"), dashboard: "ridge-lasso", trigger: "sign-in", user: dave, userGroups: "data-science" },
    { at: `${D2}T00:00:00.000Z`, ...allowedBy("data-science"), dashboard: "ridge-lasso", trigger: "sign-in", user: dave, userGroups: "data-science" },
    { at: `${D2}T12:00:00.000Z`, ...notInGroups, dashboard: "ridge-lasso", trigger: "sign-in", user: carol, userGroups: "interns" },
    { at: `${D2}T12:01:00.000Z`, ...notInGroups, dashboard: "ridge-lasso", trigger: "sign-in", user: carol, userGroups: "interns" },
    { at: `${D3}T08:00:00.000Z`, ...notInGroups, dashboard: "ridge-lasso", trigger: "sign-in", user: erin, userGroups: "" },
    { at: `${D8}T15:00:00.000Z`, decision: "allow", reason: "admin-group", matchedGroup: "platform-admins", dashboard: "ridge-lasso", trigger: "sign-in", user: grace, userGroups: "platform-admins" },
    // ops (open to every signed-in user): opened on D1, only a token refresh on D9.
    { at: `${D1}T07:00:00.000Z`, decision: "allow", reason: "open-dashboard", dashboard: "ops", trigger: "sign-in", user: alice, userGroups: "analysts" },
    { at: `${D9}T08:00:00.000Z`, decision: "allow", reason: "open-dashboard", dashboard: "ops", trigger: "refresh", user: alice, userGroups: "analysts" },
    // finance: a refresh of a session opened before the window, no sign-in in it.
    { at: `${D3}T09:00:00.000Z`, ...allowedBy("finance"), dashboard: "finance", trigger: "refresh", user: frank, userGroups: "finance" },
    // Denials before a dashboard is known: no `dashboard` field.
    { at: `${D2}T13:00:00.000Z`, decision: "deny", reason: "unknown-client", trigger: "sign-in", user: zed, userGroups: "analysts" },
    { at: `${D2}T13:05:00.000Z`, decision: "deny", reason: "invalid-event" },
    { at: `${D3}T10:00:00.000Z`, decision: "deny", reason: "access-map-unavailable", trigger: "sign-in", user: alice, userGroups: "analysts" },
];

const EVENTS: LogEvent[] = [...DECISIONS.flatMap((d) => [...lambdaLines(d.at), decisionLine(d)]), { timestamp: Date.parse(`${D1}T06:00:00.000Z`), message: "INIT_START Runtime Version: nodejs:20.v30" }];

/** The rows' values of `columns`, one array per row, for order-insensitive comparison. */
const project = (rows: ResultRow[], columns: string[]) => rows.map((r) => columns.map((c) => r[c]));
const day = (d: string) => `${d} 00:00:00.000`;

describe("usage queries (saved Logs Insights queries over the pre-token Lambda's decision lines)", () => {
    it("are four, with distinct names that make one saved-query folder per stack, and fit AWS's limits", () => {
        const names = USAGE_QUERY_LIST.map((q) => q.name);
        expect(names).to.deep.equal(["dashboard-users-per-day", "dashboard-users-per-week", "denied-logins-by-dashboard-and-group", "last-opened-per-dashboard"]);
        for (const q of USAGE_QUERY_LIST) {
            expect(q.name, q.name).to.match(/^[a-z0-9-]+$/);
            expect(q.queryString.length, q.name).to.be.within(1, QUERY_DEFINITION_QUERY_MAX_LENGTH);
            expect(q.description, q.name).not.to.equal("");
        }
        expect(usageQueryDefinitionName("dashboards", "prod", USAGE_QUERIES.usersPerDay)).to.equal("dashboards/prod/dashboard-users-per-day");
    });

    it("refuses a saved-query name longer than AWS accepts", () => {
        const longStack = "s".repeat(QUERY_DEFINITION_NAME_MAX_LENGTH);
        expect(() => usageQueryDefinitionName("dashboards", longStack, USAGE_QUERIES.usersPerDay)).to.throw(/at most 255/);
    });

    describe(USAGE_QUERIES.usersPerDay.name, () => {
        const rows = runInsightsQuery(USAGE_QUERIES.usersPerDay.queryString, EVENTS);

        it("counts distinct allowed users per dashboard per UTC day: a refresh is not a second user, a denied user is not a user", () => {
            expect(project(rows, ["dashboard", "day", "users"])).to.have.deep.members([
                ["sales", day(D1), "2"],
                ["sales", day(D2), "1"],
                ["sales", day(D8), "1"],
                ["ridge-lasso", day(D1), "1"],
                ["ridge-lasso", day(D2), "1"],
                ["ridge-lasso", day(D8), "1"],
                ["ops", day(D1), "1"],
                ["ops", day(D9), "1"],
                ["finance", day(D3), "1"],
            ]);
        });

        it("lists the days oldest first and has no row for denials without a dashboard", () => {
            expect(rows.map((r) => r.day)).to.deep.equal([...rows.map((r) => r.day)].sort());
            expect(rows.every((r) => r.dashboard !== undefined)).to.equal(true);
        });

        it("would catch a query that counted denials or events instead of users (the lines tell them apart)", () => {
            const salesDay1 = (query: string) => runInsightsQuery(query, EVENTS).find((r) => r.dashboard === "sales" && r.day === day(D1))?.users;
            expect(salesDay1(USAGE_QUERIES.usersPerDay.queryString)).to.equal("2");
            expect(salesDay1(USAGE_QUERIES.usersPerDay.queryString.replace(' and decision = "allow"', ""))).to.equal("3");
            expect(salesDay1(USAGE_QUERIES.usersPerDay.queryString.replace("count_distinct(user)", "count(*)"))).to.equal("3");
        });
    });

    describe(USAGE_QUERIES.usersPerWeek.name, () => {
        const rows = runInsightsQuery(USAGE_QUERIES.usersPerWeek.queryString, EVENTS);

        it("counts each allowed user once per dashboard per week, however many days they came; denied users not at all", () => {
            const weeks = [...new Set(rows.map((r) => r.week))];
            expect(weeks, "two weeks, oldest first").to.have.length(2).and.deep.equal([...weeks].sort());
            const [first, second] = weeks;
            expect(project(rows, ["dashboard", "week", "users"])).to.have.deep.members([
                ["sales", first, "2"],
                ["sales", second, "1"],
                ["ridge-lasso", first, "1"],
                ["ridge-lasso", second, "1"],
                ["ops", first, "1"],
                ["ops", second, "1"],
                ["finance", first, "1"],
            ]);
        });

        it("labels each week with a start no later than its first event and less than a week before it", () => {
            const [first, second] = [...new Set(rows.map((r) => r.week))].map((w) => Date.parse(`${w.replace(" ", "T")}Z`));
            const week = 7 * 86_400_000;
            expect(Date.parse(`${D1}T07:00:00.000Z`) - first).to.be.within(0, week - 1);
            expect(Date.parse(`${D8}T10:00:00.000Z`) - second).to.be.within(0, week - 1);
        });
    });

    describe(USAGE_QUERIES.deniedByDashboardAndGroup.name, () => {
        const rows = runInsightsQuery(USAGE_QUERIES.deniedByDashboardAndGroup.queryString, EVENTS);

        it("counts denials by dashboard, reason and the user's groups, and nothing that was allowed", () => {
            expect(project(rows, ["dashboard", "reason", "userGroups", "denials"])).to.have.deep.members([
                ["sales", "not-in-access-groups", "interns", "1"],
                ["ridge-lasso", "not-in-access-groups", "interns", "2"],
                ["ridge-lasso", "not-in-access-groups", "", "1"],
                [undefined, "unknown-client", "analysts", "1"],
                [undefined, "invalid-event", undefined, "1"],
                [undefined, "access-map-unavailable", "analysts", "1"],
            ]);
            expect(rows.reduce((sum, r) => sum + Number(r.denials), 0)).to.equal(DECISIONS.filter((d) => d.decision === "deny").length);
        });

        it("lists the most denied first", () => {
            expect(rows[0]).to.deep.equal({ dashboard: "ridge-lasso", reason: "not-in-access-groups", userGroups: "interns", denials: "2" });
            expect(rows.map((r) => Number(r.denials))).to.deep.equal([2, 1, 1, 1, 1, 1]);
        });
    });

    describe(USAGE_QUERIES.lastOpenedPerDashboard.name, () => {
        const rows = runInsightsQuery(USAGE_QUERIES.lastOpenedPerDashboard.queryString, EVENTS);

        it("lists dashboards by their last allowed sign-in, least recently opened first; refreshes and denials do not count", () => {
            expect(rows).to.deep.equal([
                { dashboard: "ops", lastOpened: `${D1} 07:00:00.000`, signIns: "1" },
                { dashboard: "sales", lastOpened: `${D8} 10:00:00.000`, signIns: "4" },
                { dashboard: "ridge-lasso", lastOpened: `${D8} 15:00:00.000`, signIns: "3" },
            ]);
        });

        it("leaves out a dashboard with only refreshes in the window (not opened in it)", () => {
            expect(rows.map((r) => r.dashboard)).not.to.include("finance");
        });

        it("would catch a query that counted refreshes as openings (the lines tell them apart)", () => {
            const counted = runInsightsQuery(USAGE_QUERIES.lastOpenedPerDashboard.queryString.replace(' and trigger = "sign-in"', ""), EVENTS);
            expect(counted.map((r) => r.dashboard)).to.deep.equal(["finance", "sales", "ridge-lasso", "ops"]);
        });
    });

    describe("over the lines the real login trigger writes", () => {
        it("answers from the handler's own decision lines: users per day, denials by group, last opened", async () => {
            const map = {
                adminGroups: ["dashboard-admins"],
                clients: { "client0sales": { dashboard: "sales", accessGroups: ["analysts"] }, "client0wiki": { dashboard: "wiki", accessGroups: [] } },
            };
            const events: LogEvent[] = [];
            let now = 0;
            const handler = createHandler({
                env: { USAGE_METRICS_NAMESPACE: "Dashboards/dashboards/dev" },
                loadUsageSalt: async () => "salt-of-this-stack-1f0e",
                now: () => now,
                loadAccessMap: async (clientId) => ({
                    adminGroups: adminGroupsDocument(map.adminGroups),
                    ...(Object.hasOwn(map.clients, clientId) ? { client: clientAccessDocument(map.clients[clientId as keyof typeof map.clients]) } : {}),
                }),
                // What Lambda puts in the log group: the line as written to stdout, at the invocation's time.
                log: (line) => events.push({ timestamp: now, message: JSON.stringify(line) }),
            });
            const signIn = async (at: string, clientId: string, sub: string, groups: string[], triggerSource = "TokenGeneration_HostedAuth") => {
                now = Date.parse(at);
                events.push(...lambdaLines(at));
                const event = {
                    version: "1", triggerSource, region: "eu-west-1", userPoolId: "eu-west-1_EXAMPLE1", userName: sub,
                    callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId },
                    request: { userAttributes: { sub, email: `${sub}@example.com`, "cognito:user_status": "CONFIRMED" }, groupConfiguration: { groupsToOverride: groups } },
                    response: {},
                };
                await handler(event as never).catch(() => undefined);
            };
            await signIn(`${D1}T09:00:00.000Z`, "client0sales", "u-alice", ["analysts"]);
            await signIn(`${D1}T09:30:00.000Z`, "client0sales", "u-alice", ["analysts"], "TokenGeneration_RefreshTokens");
            await signIn(`${D1}T10:00:00.000Z`, "client0sales", "u-bob", ["analysts", "finance"]);
            await signIn(`${D1}T10:30:00.000Z`, "client0sales", "u-carol", ["interns"]);
            await signIn(`${D1}T11:00:00.000Z`, "client0sales", "u-carol", ["interns"]);
            await signIn(`${D2}T08:00:00.000Z`, "client0wiki", "u-carol", ["interns"]);
            await signIn(`${D2}T09:00:00.000Z`, "client0other", "u-dave", []);
            await signIn(`${D3}T09:00:00.000Z`, "client0sales", "u-erin", ["dashboard-admins"]);

            const perDay = runInsightsQuery(USAGE_QUERIES.usersPerDay.queryString, events).map((r) => [r.dashboard, r.day.slice(0, 10), r.users]);
            expect(perDay).to.have.deep.members([["sales", D1, "2"], ["wiki", D2, "1"], ["sales", D3, "1"]]);
            const denied = runInsightsQuery(USAGE_QUERIES.deniedByDashboardAndGroup.queryString, events).map((r) => [r.dashboard, r.reason, r.userGroups, r.denials]);
            expect(denied).to.deep.equal([["sales", "not-in-access-groups", "interns", "2"], [undefined, "unknown-client", "", "1"]]);
            const lastOpened = runInsightsQuery(USAGE_QUERIES.lastOpenedPerDashboard.queryString, events).map((r) => [r.dashboard, r.signIns]);
            expect(lastOpened).to.deep.equal([["wiki", "1"], ["sales", "3"]]);
        });
    });
});
