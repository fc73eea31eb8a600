/**
 * The wake-on-request controller against moto's server mode: every AWS call the handler makes is
 * a real API request to a dashboard set up in moto as the component deploys it. Nothing moto
 * serves is faked. Where moto differs from AWS, the test says so at the step:
 * - moto reports a registered ip target `healthy` at once (AWS: after its health checks pass);
 *   the tests register the target when they mean "a task became healthy".
 * - moto sets runningCount = desiredCount on UpdateService and never starts tasks for a service,
 *   so ListTasks finds only tasks a test starts with RunTask (and moto ignores ListTasks'
 *   serviceName filter: it lists the cluster's tasks).
 * - moto's tasks have no startedAt: they count as "not started yet" (a start under way).
 * - SetRulePriorities with one rule (all the handler sends): moto moves that rule only and answers
 *   with it alone, its new priority as a string; the other rules and every action stay as they
 *   are. moto refuses with PriorityInUse a priority another rule of the listener holds, and also
 *   the rule's own current priority (a no-op move; the handler never makes one); it accepts 0 and
 *   50001, which AWS refuses (the handler's slots are checked to be 1..50000 at cold start).
 * - moto reports a forward to one target group with TargetGroupArn only (AWS adds a ForwardConfig
 *   of that one group); rule.ts accepts both.
 */
import { CreateTargetGroupCommand, DescribeTargetGroupsCommand, ModifyRuleCommand, type Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ALBResult } from "aws-lambda";
import { expect } from "chai";
import { createHandler, type IdleSummary, type WakeLogEntry } from "../../functions/wakeOnRequest/handler";
import type { PageStatus } from "../../functions/wakeOnRequest/page";
import { WAKE_ON_REQUEST_ACTIONS } from "../../functions/wakeOnRequest/permissions";
import { ROUTE_INTERVAL_MS, STATE_TTL_MS, WAKE_INTERVAL_MS } from "../../functions/wakeOnRequest/wake";
import { needs, PREREQUISITES } from "../prerequisites";
import { type MotoServer, startMoto } from "./motoServer";
import {
    albEvent,
    createMotoDashboard,
    type MotoDashboard,
    NAVIGATION_HEADERS,
    OIDC_CONFIG,
    POLL_HEADERS,
    PRIORITIES,
    PROBE_HEADERS,
    recordingClients,
    scheduledEvent,
    type SentCall,
    XHR_HEADERS,
} from "./wakeOnRequest.fixtures";

const MINUTE = 60_000;

describe("wake on request against moto", function () {
    needs(PREREQUISITES.moto);
    this.timeout(60_000);

    let moto: MotoServer;
    /** Every IAM action the handlers sent in this file (for the permissions test). */
    const everySent = new Set<string>();
    let current: Scenario | undefined;

    before(async () => {
        moto = await startMoto();
    });
    afterEach(() => {
        current?.sent.forEach((a) => everySent.add(a));
        current = undefined;
    });
    after(async () => {
        await moto?.stop();
    });

    interface Scenario {
        dashboard: MotoDashboard;
        /** IAM actions the handlers sent, in order. */
        sent: string[];
        /** The same, with each command's input. */
        calls: SentCall[];
        /** Runs just before each of the handlers' commands goes out (set by a test). */
        beforeSend?: (action: string) => Promise<void>;
        logs: WakeLogEntry[];
        clock: { ms: number };
        advance(ms: number): void;
        /** A new handler: another Lambda instance (own cache and rate limits), same clock. */
        instance(): ReturnType<typeof createHandler>;
        request(headers: Record<string, string>, opts?: { method?: string; handler?: ReturnType<typeof createHandler> }): Promise<ALBResult>;
        poll(handler?: ReturnType<typeof createHandler>): Promise<PageStatus>;
        idle(): Promise<IdleSummary>;
        count(action: string): number;
        /** The inputs of the handlers' SetRulePriorities calls. */
        moves(): unknown[];
    }

    /** A fresh dashboard in moto (asleep unless said) and one handler instance over it. */
    async function scenario(opts: Parameters<typeof createMotoDashboard>[1] = {}): Promise<Scenario> {
        await moto.reset();
        const dashboard = await createMotoDashboard(moto, opts);
        const sent: string[] = [];
        const calls: SentCall[] = [];
        const logs: WakeLogEntry[] = [];
        const clock = { ms: Date.now() };
        const beforeSend = async (action: string) => current?.beforeSend?.(action);
        const instance = () => createHandler({ env: dashboard.env, clients: recordingClients(moto.clientConfig, sent, { calls, beforeSend }), now: () => clock.ms, log: (e) => logs.push(e) });
        const first = instance();
        const request = async (headers: Record<string, string>, o: { method?: string; handler?: ReturnType<typeof createHandler> } = {}) =>
            (await (o.handler ?? first)(albEvent({ targetGroupArn: dashboard.wakerTargetGroupArn, headers, method: o.method, path: "/reports" }), { awsRequestId: "7f1c-req" })) as ALBResult;
        current = {
            dashboard,
            sent,
            calls,
            logs,
            clock,
            advance: (ms) => (clock.ms += ms),
            instance,
            request,
            poll: async (handler) => {
                const res = await request(POLL_HEADERS, { handler });
                expect(res.statusCode, res.body).to.equal(200);
                return JSON.parse(res.body!) as PageStatus;
            },
            idle: async () => (await first(scheduledEvent(), { awsRequestId: "idle-req" })) as IdleSummary,
            count: (action) => sent.filter((a) => a === action).length,
            moves: () => calls.filter((c) => c.action === SET_PRIORITIES).map((c) => c.input),
        };
        return current;
    }

    /** An awake dashboard: scalable target 1..3, desired 1 (moto: 1 running), the wake rule at its awake slot, a healthy target. */
    async function awake(s: Scenario): Promise<void> {
        await s.request(NAVIGATION_HEADERS);
        await s.dashboard.registerTarget();
        s.advance(5000);
        expect((await s.poll()).state).to.equal("ready");
        expect(await s.dashboard.priorities()).to.deep.equal({ app: PRIORITIES.app, wake: PRIORITIES.awake });
        s.sent.length = 0;
        s.calls.length = 0;
        s.logs.length = 0;
    }

    /**
     * Every rule of the listener, as DescribeRules returns it now, is JSON for JSON the rule as
     * created, but for the wake rule's priority (at `wakePriority`): the app rule, the neighbour,
     * both authenticate actions (their client secret included), conditions and forwards untouched.
     */
    async function expectOnlyWakeRuleAt(s: Scenario, wakePriority: number): Promise<void> {
        const now = await s.dashboard.listenerRules();
        const byArn = (rules: Rule[]) => new Map(rules.map((r) => [r.RuleArn, JSON.stringify(r)]));
        const expected = s.dashboard.createdRules.map((r) => (r.RuleArn === s.dashboard.wakeRuleArn ? { ...r, Priority: String(wakePriority) } : r));
        expect(byArn(now)).to.deep.equal(byArn(expected));
    }

    /** The one SetRulePriorities input the handler may send: the wake rule alone, to one of its slots. */
    const moveWakeRule = (s: Scenario, priority: number) => ({ RulePriorities: [{ RuleArn: s.dashboard.wakeRuleArn, Priority: priority }] });

    describe("wake path", () => {
        it("a page load of a sleeping dashboard scales it up (scalable target 1..3, desired 1) and leaves the rules alone", async () => {
            const s = await scenario();
            const res = await s.request(NAVIGATION_HEADERS);
            expect(res.statusCode).to.equal(503);
            expect(res.headers).to.include({ "X-Dashboards-Asleep": "true", "Cache-Control": "no-store" });
            expect(res.body).to.include("<h1 id=\"title\">Starting Sales…</h1>");
            expect(await s.dashboard.scalableTarget()).to.deep.equal({ min: 1, max: 3 });
            expect((await s.dashboard.service()).desired).to.equal(1);
            await expectOnlyWakeRuleAt(s, PRIORITIES.asleep);
            expect(s.count(SET_PRIORITIES)).to.equal(0);
            // Both rules in one read.
            expect(s.calls.find((c) => c.action === "elasticloadbalancing:DescribeRules")!.input).to.deep.equal({ RuleArns: [s.dashboard.appRuleArn, s.dashboard.wakeRuleArn] });
            // The scalable target first (so Application Auto Scaling's minimum does not undo the count), then the service.
            expect(s.sent.slice(-2)).to.deep.equal(["application-autoscaling:RegisterScalableTarget", "ecs:UpdateService"]);
            expect(s.logs.at(-1)).to.deep.include({
                message: "wake decision", decision: "starting", reason: "asleep: waking", requestKind: "navigate", desired: 0, steps: ["scale-up"],
                routing: "asleep", appRulePriority: PRIORITIES.app, wakeRulePriority: PRIORITIES.asleep,
            });
        });

        it("a thousand page loads and polls make one wake and a few reads; another instance does not wake again", async () => {
            const s = await scenario();
            for (let i = 0; i < 1000; i++) {
                const res = await s.request(i % 2 === 0 ? NAVIGATION_HEADERS : POLL_HEADERS);
                expect(res.statusCode).to.be.oneOf([200, 503]);
                s.advance(100); // 1000 requests over 100 s
            }
            expect(s.count("ecs:UpdateService")).to.equal(1);
            expect(s.count("application-autoscaling:RegisterScalableTarget")).to.equal(1);
            // The state is read at most once per STATE_TTL_MS (3 s): about 100 s / 3 s reads, three calls each.
            expect(s.count("ecs:DescribeServices")).to.be.within(30, 36);
            expect(s.sent.length).to.be.below(120);
            const other = s.instance();
            await s.request(NAVIGATION_HEADERS, { handler: other });
            expect(s.count("ecs:UpdateService")).to.equal(1);
            expect((await s.dashboard.service()).desired).to.equal(1);
            expect(s.count(SET_PRIORITIES)).to.equal(0);
        });

        it("a service another instance already woke (desired 1) is not woken again and its count is not raised", async () => {
            const s = await scenario();
            await s.dashboard.setDesired(1);
            const res = await s.request(NAVIGATION_HEADERS);
            expect(res.body).to.include("Starting Sales…");
            expect(s.count("ecs:UpdateService") + s.count("application-autoscaling:RegisterScalableTarget")).to.equal(0);
            expect(s.logs.at(-1)).to.deep.include({ decision: "starting", reason: "starting: no healthy target yet", desired: 1 });
        });

        it("polls say starting until a target is healthy, then move only the wake rule, to its awake slot; nothing else of any rule changes", async () => {
            const s = await scenario();
            await s.request(NAVIGATION_HEADERS);
            s.advance(4000);
            expect(await s.poll()).to.deep.include({ state: "starting", title: "Starting Sales…" });
            expect(s.count(SET_PRIORITIES)).to.equal(0);
            await expectOnlyWakeRuleAt(s, PRIORITIES.asleep);

            await s.dashboard.registerTarget(); // moto: healthy as soon as registered
            s.advance(4000);
            expect(await s.poll()).to.deep.include({ state: "ready", title: "Opening Sales…" });
            expect(s.moves(), "one SetRulePriorities, for the wake rule alone").to.deep.equal([moveWakeRule(s, PRIORITIES.awake)]);
            expect(await s.dashboard.priorities()).to.deep.equal({ app: PRIORITIES.app, wake: PRIORITIES.awake });
            await expectOnlyWakeRuleAt(s, PRIORITIES.awake);
            const authenticate = (arn: string, rules: Rule[]) => JSON.stringify(rules.find((r) => r.RuleArn === arn)!.Actions!.find((a) => a.Order === 1));
            const now = await s.dashboard.listenerRules();
            for (const arn of [s.dashboard.appRuleArn, s.dashboard.wakeRuleArn]) {
                expect(authenticate(arn, now), "the authenticate action as created").to.equal(authenticate(arn, s.dashboard.createdRules));
                expect(authenticate(arn, now)).to.include(OIDC_CONFIG.ClientSecret).and.not.include("UseExistingClientSecret");
            }
            expect(s.sent).not.to.include("elasticloadbalancing:ModifyRule");

            s.advance(4000);
            expect((await s.poll()).state).to.equal("ready");
            expect(s.count(SET_PRIORITIES), "no second move once awake").to.equal(1);
        });

        it("fails safe when the awake slot is taken by another rule (moto: PriorityInUse): the could-not-start answer, the wake rule stays", async () => {
            const s = await scenario();
            await s.dashboard.setPriority(s.dashboard.neighbourRuleArn, PRIORITIES.awake);
            await s.request(NAVIGATION_HEADERS);
            await s.dashboard.registerTarget();
            s.advance(4000);
            expect(await s.poll()).to.deep.include({ state: "failed", reason: "error", reference: "7f1c-req" });
            expect(s.logs.at(-1)).to.deep.include({ level: "ERROR", decision: "failed", reason: "a step failed", steps: ["route-to-app"] });
            expect(s.logs.at(-1)!.error).to.match(/PriorityInUse/);
            expect(s.moves()).to.deep.equal([moveWakeRule(s, PRIORITIES.awake)]);
            expect(await s.dashboard.priorities()).to.deep.equal({ app: PRIORITIES.app, wake: PRIORITIES.asleep });
        });

        it("says failed (timeout) after START_TIMEOUT_SECONDS without a healthy target, and keeps the start going", async () => {
            const s = await scenario();
            await s.request(NAVIGATION_HEADERS);
            for (let waited = 0; waited < 290_000; waited += 10_000) {
                s.advance(10_000); // a waiting page polls every 2 s; every 10 s is enough for the instance to keep track
                expect((await s.poll()).state).to.equal("starting");
            }
            s.advance(11_000);
            const status = await s.poll();
            expect(status).to.deep.include({ state: "failed", reason: "timeout", title: "Starting Sales is taking longer than usual", reference: "7f1c-req" });
            expect(status.message).to.include("It has not started after 5 minutes");
            expect(s.count("ecs:UpdateService")).to.equal(1);
            expect((await s.dashboard.service()).desired).to.equal(1);
            await s.dashboard.registerTarget();
            s.advance(4000);
            expect((await s.poll()).state, "a late start still opens").to.equal("ready");
        });

        it("an instance that lost track of a start (no poll reached it for an hour) counts from when it sees it again", async () => {
            const s = await scenario();
            await s.request(NAVIGATION_HEADERS);
            s.advance(60 * MINUTE);
            expect((await s.poll()).state, "not 'taking longer' at once").to.equal("starting");
        });

        const neverWake: Array<[string, Record<string, string>, string?]> = [
            ["the session probe", PROBE_HEADERS],
            ["an XHR", XHR_HEADERS],
            ["a form POST from a stale tab", NAVIGATION_HEADERS, "POST"],
            ["a websocket upgrade", { ...NAVIGATION_HEADERS, connection: "Upgrade", upgrade: "websocket", "sec-fetch-mode": "websocket" }],
            ["a prefetch", { ...NAVIGATION_HEADERS, "sec-purpose": "prefetch" }],
            ["the dashboard in another site's frame", { ...NAVIGATION_HEADERS, "sec-fetch-dest": "iframe", "sec-fetch-site": "cross-site" }],
        ];
        for (const [what, headers, method] of neverWake) {
            it(`${what} gets 503 with X-Dashboards-Asleep and makes no AWS call`, async () => {
                const s = await scenario();
                const res = await s.request(headers, { method });
                expect(res.statusCode).to.equal(503);
                expect(res.headers).to.include({ "X-Dashboards-Asleep": "true" });
                expect(res.body!.length).to.be.below(100);
                expect(s.sent).to.deep.equal([]);
                expect((await s.dashboard.service()).desired).to.equal(0);
                await expectOnlyWakeRuleAt(s, PRIORITIES.asleep);
            });
        }

        it("refuses a request that came through another target group, without an AWS call", async () => {
            const s = await scenario();
            const handler = s.instance();
            const res = (await handler(albEvent({ targetGroupArn: s.dashboard.appTargetGroupArn }))) as ALBResult;
            expect(res.statusCode).to.equal(403);
            expect(s.sent).to.deep.equal([]);
            expect(s.logs.at(-1)).to.deep.include({ decision: "refused", level: "WARN" });
        });

        it("answers an AWS error with the failure page and poll JSON carrying the request id, never a stack trace", async () => {
            const s = await scenario({ serviceNameInEnv: "no-such-service" });
            const page = await s.request(NAVIGATION_HEADERS);
            expect(page.statusCode).to.equal(503);
            expect(page.body).to.include("Could not start Sales");
            expect(page.body).to.include("7f1c-req");
            expect(page.body).not.to.match(/Error|at \w+ \(|no-such-service/);
            s.advance(ERROR_PAUSE);
            const status = await s.poll();
            expect(status).to.deep.include({ state: "failed", reason: "error", reference: "7f1c-req" });
            expect(s.logs.at(-1)).to.deep.include({ level: "ERROR", decision: "failed", reason: "could not read the state" });
            expect(s.logs.at(-1)!.error).to.include("no-such-service");
            expect(s.count("ecs:UpdateService")).to.equal(0);
        });

        /** Changes the test makes to the rules in moto that the handler must refuse to act on. */
        const attacks: Array<[string, (s: Scenario) => Promise<void>, RegExp]> = [
            ["a wake rule without the authenticate action", async (s) => {
                await s.dashboard.setup.elb.send(new ModifyRuleCommand({ RuleArn: s.dashboard.wakeRuleArn, Actions: [{ Type: "forward", Order: 1, TargetGroupArn: s.dashboard.wakerTargetGroupArn }] }));
            }, /wake rule has 1 action\(s\)/],
            ["a wake rule forwarding to the app's target group", async (s) => {
                await s.dashboard.setup.elb.send(new ModifyRuleCommand({
                    RuleArn: s.dashboard.wakeRuleArn,
                    Actions: [{ Type: "authenticate-oidc", Order: 1, AuthenticateOidcConfig: { ...OIDC_CONFIG } }, { Type: "forward", Order: 2, TargetGroupArn: s.dashboard.appTargetGroupArn }],
                }));
            }, /wake rule forwards to .*sales-app/],
            ["an app rule with a third target group", async (s) => {
                const { elb } = s.dashboard.setup;
                const vpcId = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [s.dashboard.appTargetGroupArn] }))).TargetGroups![0].VpcId;
                const third = (await elb.send(new CreateTargetGroupCommand({ Name: "sales-extra", Protocol: "HTTP", Port: 80, VpcId: vpcId, TargetType: "ip" }))).TargetGroups![0];
                await elb.send(new ModifyRuleCommand({
                    RuleArn: s.dashboard.appRuleArn,
                    Actions: [
                        { Type: "authenticate-oidc", Order: 1, AuthenticateOidcConfig: { ...OIDC_CONFIG } },
                        { Type: "forward", Order: 2, ForwardConfig: { TargetGroups: [{ TargetGroupArn: s.dashboard.appTargetGroupArn, Weight: 1 }, { TargetGroupArn: third.TargetGroupArn, Weight: 1 }] } },
                    ],
                }));
            }, /app rule must forward to .*sales-app.* only, found 2/],
            ["the app rule moved outside the wake rule's slots", async (s) => {
                await s.dashboard.setPriority(s.dashboard.appRuleArn, PRIORITIES.awake + 2);
            }, /app rule's priority 5003 is not between the wake rule's slots 4999 \(asleep\) and 5001 \(awake\): moving the wake rule would not switch the routing/],
        ];
        for (const [what, attack, message] of attacks) {
            it(`never moves a rule nor wakes with ${what}: could not start, rule-shape in the log, the rules as they were`, async () => {
                const s = await scenario();
                await attack(s);
                const before = JSON.stringify(await s.dashboard.listenerRules());
                await s.dashboard.registerTarget(); // a healthy target: the wake path would route to the app
                const page = await s.request(NAVIGATION_HEADERS);
                expect(page.statusCode).to.equal(503);
                expect(page.body).to.include("Could not start Sales");
                expect(s.logs.at(-1)).to.deep.include({ level: "ERROR", reason: "rule-shape", decision: "failed" });
                expect(s.logs.at(-1)!.error).to.match(message);
                s.advance(ERROR_PAUSE);
                expect(await s.poll()).to.deep.include({ state: "failed", reason: "error" });
                await s.dashboard.setDesired(1); // awake and idle: the idle check would route to the waker
                expect(await s.idle()).to.deep.include({ decision: "error", reason: "rule-shape" });
                expect(s.logs.at(-1)!.error).to.match(message);
                expect(s.count(SET_PRIORITIES) + s.count("ecs:UpdateService") + s.count("application-autoscaling:RegisterScalableTarget")).to.equal(0);
                expect(JSON.stringify(await s.dashboard.listenerRules())).to.equal(before);
            });
        }
    });

    describe("idle check", () => {
        it("puts an idle awake dashboard to sleep: the wake rule to its asleep slot first, then scalable target 0..0, then desired 0", async () => {
            const s = await scenario();
            await awake(s);
            s.advance(20 * MINUTE);
            const summary = await s.idle();
            expect(summary).to.deep.equal({ decision: "sleep", reason: "idle", steps: ["route-to-waker", "scale-to-zero"] });
            const changes = s.sent.filter((a) => !/:(Describe|List|Get)/.test(a));
            expect(changes).to.deep.equal([SET_PRIORITIES, "application-autoscaling:RegisterScalableTarget", "ecs:UpdateService"]);
            expect(s.moves()).to.deep.equal([moveWakeRule(s, PRIORITIES.asleep)]);
            await expectOnlyWakeRuleAt(s, PRIORITIES.asleep); // every rule JSON for JSON as created
            expect(await s.dashboard.scalableTarget()).to.deep.equal({ min: 0, max: 0 });
            expect((await s.dashboard.service()).desired).to.equal(0);
            expect(s.logs.at(-1)).to.deep.include({
                message: "idle decision", decision: "sleep", requestsInWindow: 0, desired: 1, running: 1, routing: "awake", appRulePriority: PRIORITIES.app, wakeRulePriority: PRIORITIES.awake,
            });
            expect(s.logs.at(-1)!.rerouted, "nothing moved it back").to.equal(undefined);

            // And it wakes again on the next page load.
            s.advance(2 * MINUTE);
            expect((await s.request(NAVIGATION_HEADERS)).body).to.include("Starting Sales…");
            expect((await s.dashboard.service()).desired).to.equal(1);
        });

        for (const which of ["app", "waker"] as const) {
            it(`keeps a dashboard awake while its ${which} target group had requests within IDLE_MINUTES`, async () => {
                const s = await scenario();
                await awake(s);
                s.clock.ms = Date.now();
                await s.dashboard.putRequests(which, 3, new Date(s.clock.ms - 4 * MINUTE));
                expect(await s.idle()).to.deep.include({ decision: "none", reason: "in use" });
                expect(s.logs.at(-1)).to.deep.include({ requestsInWindow: 3 });
                expect(s.count(SET_PRIORITIES) + s.count("ecs:UpdateService")).to.equal(0);
                expect((await s.dashboard.service()).desired).to.equal(1);
            });
        }

        it("does not count requests from before the idle window", async () => {
            const s = await scenario();
            await awake(s);
            s.clock.ms = Date.now();
            await s.dashboard.putRequests("app", 50, new Date(s.clock.ms - 40 * MINUTE));
            expect(await s.idle()).to.deep.include({ decision: "sleep" });
        });

        it("keeps a dashboard awake while a task has not started yet (moto: RunTask's task has no startedAt)", async () => {
            const s = await scenario();
            await awake(s);
            await s.dashboard.runServiceTask();
            s.advance(20 * MINUTE);
            expect(await s.idle()).to.deep.include({ decision: "none", reason: "recently started" });
            expect(s.logs.at(-1)).to.deep.include({ unstartedTasks: 1 });
            expect(s.sent).to.include.members(["ecs:ListTasks", "ecs:DescribeTasks"]);
        });

        it("treats desired > 0 with no running task as starting, not idle, and routes it to the waker's page rather than an empty target group", async () => {
            const s = await scenario({ desiredCount: 1 }); // moto: a new service reports 0 running
            await s.dashboard.setPriority(s.dashboard.wakeRuleArn, PRIORITIES.awake);
            s.advance(20 * MINUTE);
            expect(await s.idle()).to.deep.include({ decision: "repair", reason: "routed to the app but no task runs" });
            expect(s.sent).to.deep.equal(["ecs:DescribeServices", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:SetRulePriorities"]);
            // Still starting (desired 1), now behind the waker's page: the next check leaves it be.
            s.sent.length = 0;
            expect(await s.idle()).to.deep.include({ decision: "none", reason: "starting: no running task yet" });
            expect(s.sent).to.deep.equal(["ecs:DescribeServices", "elasticloadbalancing:DescribeRules"]);
        });

        it("moves the wake rule back when a wake moved it to the app between routing to the waker and scaling to zero", async () => {
            const s = await scenario();
            await awake(s);
            s.advance(20 * MINUTE);
            // Another instance's poll found the draining task healthy and routed to the app, just before the scale to zero.
            let raced = false;
            s.beforeSend = async (action) => {
                if (action !== "application-autoscaling:RegisterScalableTarget" || raced) return;
                raced = true;
                await s.dashboard.setPriority(s.dashboard.wakeRuleArn, PRIORITIES.awake);
            };
            expect(await s.idle()).to.deep.equal({ decision: "sleep", reason: "idle", steps: ["route-to-waker", "scale-to-zero"] });
            expect(raced).to.equal(true);
            expect(s.moves()).to.deep.equal([moveWakeRule(s, PRIORITIES.asleep), moveWakeRule(s, PRIORITIES.asleep)]);
            expect(s.sent.filter((a) => !/:(Describe|List|Get)/.test(a))).to.deep.equal([SET_PRIORITIES, "application-autoscaling:RegisterScalableTarget", "ecs:UpdateService", SET_PRIORITIES]);
            expect(await s.dashboard.priorities()).to.deep.equal({ app: PRIORITIES.app, wake: PRIORITIES.asleep });
            expect((await s.dashboard.service()).desired).to.equal(0);
            expect(s.logs.at(-1)).to.deep.include({ level: "WARN", decision: "sleep", rerouted: true });
        });

        it("never routes to the app on a cached view that an idle check has overtaken (the service scaled to zero since the read)", async () => {
            const s = await scenario();
            await awake(s); // this instance moved the wake rule to the app just now
            // The idle check's first step: the wake rule back to its asleep slot.
            await s.dashboard.setPriority(s.dashboard.wakeRuleArn, PRIORITIES.asleep);
            s.advance(STATE_TTL_MS + 1); // a fresh read, but the instance moved the rule less than ROUTE_INTERVAL_MS ago
            expect((await s.poll()).state).to.equal("starting");
            expect(s.count(SET_PRIORITIES)).to.equal(0);
            // Its second step: the service to zero (the target stays registered: moto reports it healthy).
            await s.dashboard.setDesired(0);
            s.advance(ROUTE_INTERVAL_MS - STATE_TTL_MS); // the cached view (desired 1, healthy, asleep) is still young; a move is allowed
            s.sent.length = 0;
            const status = await s.poll();
            expect(s.count(SET_PRIORITIES), "no move to an empty target group").to.equal(0);
            expect(await s.dashboard.priorities()).to.deep.equal({ app: PRIORITIES.app, wake: PRIORITIES.asleep });
            // The fresh read saw the service at zero: the page waits, and the instance wakes it again once its wake interval allows.
            expect(status.state).to.equal("starting");
            expect(s.sent.filter((a) => !/:(Describe|List|Get)/.test(a))).to.deep.equal([]);
            s.advance(WAKE_INTERVAL_MS);
            expect((await s.poll()).state).to.equal("starting");
            expect(s.sent.filter((a) => !/:(Describe|List|Get)/.test(a))).to.deep.equal(["application-autoscaling:RegisterScalableTarget", "ecs:UpdateService"]);
            expect((await s.dashboard.service()).desired).to.equal(1);
        });

        it("repairs a sleeping dashboard routed to the app (the wake rule at its awake slot), without touching the service", async () => {
            const s = await scenario();
            await s.dashboard.setPriority(s.dashboard.wakeRuleArn, PRIORITIES.awake);
            expect(await s.idle()).to.deep.equal({ decision: "repair", reason: "asleep but the rule routes to the app", steps: ["route-to-waker"] });
            expect(s.moves()).to.deep.equal([moveWakeRule(s, PRIORITIES.asleep)]);
            await expectOnlyWakeRuleAt(s, PRIORITIES.asleep);
            expect(s.count("ecs:UpdateService") + s.count("application-autoscaling:RegisterScalableTarget")).to.equal(0);
            expect(s.logs.at(-1)).to.deep.include({ level: "WARN", decision: "repair" });
        });

        it("leaves a sleeping dashboard alone: two reads, no change", async () => {
            const s = await scenario();
            expect(await s.idle()).to.deep.include({ decision: "none", reason: "asleep" });
            expect(s.sent).to.deep.equal(["ecs:DescribeServices", "elasticloadbalancing:DescribeRules"]);
        });

        it("ignores any other event without an AWS call", async () => {
            const s = await scenario();
            const handler = s.instance();
            expect(await handler({ source: "aws.s3", "detail-type": "Object Created", detail: {} })).to.equal(undefined);
            expect(await handler(null)).to.equal(undefined);
            expect(s.sent).to.deep.equal([]);
            expect(s.logs.at(-1)).to.deep.include({ message: "ignored event" });
        });
    });

    describe("IAM actions (permissions.ts)", () => {
        it("a whole cycle sends exactly the listed actions, and no test in this file sent any other", async () => {
            const s = await scenario();
            await awake(s); // DescribeServices, DescribeTargetHealth, DescribeRules, RegisterScalableTarget, UpdateService, SetRulePriorities
            await s.dashboard.runServiceTask();
            await s.idle(); // ListTasks, DescribeTasks, GetMetricData (the task keeps it awake)
            const cycle = new Set([...s.sent, ...everySent]);
            expect([...cycle].sort()).to.deep.equal([...WAKE_ON_REQUEST_ACTIONS].sort());
        });
    });
});

/** Longer than the handler's pause after a failed read (ERROR_TTL_MS). */
const ERROR_PAUSE = 2500;
const SET_PRIORITIES = "elasticloadbalancing:SetRulePriorities";
