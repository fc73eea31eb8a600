/**
 * The wake-on-request controller's pure parts (settings, event reading, request classification,
 * the two rules' shape and routing, decisions, page) and every handler path that must make no AWS call, with clients
 * that throw on any command. The AWS-calling paths are tested against moto
 * (wakeOnRequest.moto.test.ts).
 */
import { createHash } from "node:crypto";
import * as net from "node:net";
import type { Action, Rule, RuleCondition } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ALBResult } from "aws-lambda";
import { expect } from "chai";
import { ConfigError, readConfig } from "../../functions/wakeOnRequest/config";
import { decideIdle, planWake } from "../../functions/wakeOnRequest/decide";
import { createHandler, handler as defaultHandler, type WakeLogEntry } from "../../functions/wakeOnRequest/handler";
import { escapeHtml, PAGE_CSP, pageStatus, renderPage } from "../../functions/wakeOnRequest/page";
import { acceptsHtml, type AlbRequest, classifyRequest, readInvocation } from "../../functions/wakeOnRequest/request";
import { MAX_HEADER_VALUE } from "../../functions/shared/albRequest";
import { movedTo, readRules, routingOf, RuleShapeError, wakePriorityFor } from "../../functions/wakeOnRequest/rule";
import { winningRule } from "./standInWakeAlb";
import { albEvent, forbiddenClients, NAVIGATION_HEADERS, POLL_HEADERS, PROBE_HEADERS, recordingClients, scheduledEvent, XHR_HEADERS } from "./wakeOnRequest.fixtures";

const ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012";
const APP_TG = `${ARN}:targetgroup/sales-app/73e2d6bc24d8a067`;
const WAKER_TG = `${ARN}:targetgroup/sales-waker/943f017f100becff`;
const OTHER_TG = `${ARN}:targetgroup/wiki-app/0123456789abcdef`;
const LISTENER = `${ARN}:listener-rule/app/dashboards/50dc6c495c0c9188/f2f7dc8efc522ab2`;

/** An environment as the component writes it. */
const ENV: Record<string, string> = {
    CLUSTER_ARN: "arn:aws:ecs:eu-west-1:123456789012:cluster/dashboards",
    SERVICE_NAME: "sales",
    SCALABLE_RESOURCE_ID: "service/dashboards/sales",
    APP_RULE_ARN: `${LISTENER}/9683b2d02a6cabee`,
    WAKE_RULE_ARN: `${LISTENER}/1d4c7a30e5b2f981`,
    WAKE_RULE_ASLEEP_PRIORITY: "4999",
    WAKE_RULE_AWAKE_PRIORITY: "5001",
    APP_TARGET_GROUP_ARN: APP_TG,
    WAKER_TARGET_GROUP_ARN: WAKER_TG,
    LOAD_BALANCER_ARN_SUFFIX: "app/dashboards/50dc6c495c0c9188",
    AWAKE_MIN_TASKS: "1",
    AWAKE_MAX_TASKS: "4",
    IDLE_MINUTES: "30",
    DISPLAY_NAME: "Sales & Margins",
    PLATFORM_NAME: "Dashboards",
    PORTAL_URL: "https://portal.example.com/",
    START_TIMEOUT_SECONDS: "300",
};

const OIDC: Action = {
    Type: "authenticate-oidc",
    Order: 1,
    AuthenticateOidcConfig: {
        Issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE1",
        AuthorizationEndpoint: "https://login.auth.eu-west-1.amazoncognito.com/oauth2/authorize",
        TokenEndpoint: "https://login.auth.eu-west-1.amazoncognito.com/oauth2/token",
        UserInfoEndpoint: "https://login.auth.eu-west-1.amazoncognito.com/oauth2/userInfo",
        ClientId: "sales-client",
        ClientSecret: "secret-from-describe",
        Scope: "openid email",
        SessionCookieName: "AWSELBAuthSessionCookie",
        SessionTimeout: 28800,
        OnUnauthenticatedRequest: "authenticate",
        AuthenticationRequestExtraParams: { prompt: "login" },
    },
};
const COGNITO: Action = {
    Type: "authenticate-cognito",
    Order: 1,
    AuthenticateCognitoConfig: { UserPoolArn: "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_EXAMPLE1", UserPoolClientId: "sales-client", UserPoolDomain: "login" },
};
/** A forward to one target group as AWS's DescribeRules reports it: TargetGroupArn and a ForwardConfig of that group. */
const forward = (targetGroupArn: string): Action => ({
    Type: "forward",
    Order: 2,
    TargetGroupArn: targetGroupArn,
    ForwardConfig: { TargetGroups: [{ TargetGroupArn: targetGroupArn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
});
const HOSTS: RuleCondition[] = [{ Field: "host-header", Values: ["sales.dashboards.example.com"], HostHeaderConfig: { Values: ["sales.dashboards.example.com"] } }];
const appRule = (change: Partial<Rule> = {}): Rule => ({ RuleArn: ENV.APP_RULE_ARN, Priority: "5000", Conditions: HOSTS, Actions: [OIDC, forward(APP_TG)], IsDefault: false, ...change });
const wakeRule = (change: Partial<Rule> = {}): Rule => ({ RuleArn: ENV.WAKE_RULE_ARN, Priority: "4999", Conditions: HOSTS, Actions: [OIDC, forward(WAKER_TG)], IsDefault: false, ...change });
const SETTINGS = readConfig(ENV);

function request(headers: Record<string, string>, method = "GET"): AlbRequest {
    const inv = readInvocation(albEvent({ targetGroupArn: WAKER_TG, headers, method }));
    if (inv.kind !== "alb") throw new Error("not an ALB request");
    return inv.request;
}

/** A handler whose AWS clients throw on any command; `sent` records attempts. */
function offline(env: Record<string, string | undefined> = ENV) {
    const sent: string[] = [];
    const logs: WakeLogEntry[] = [];
    const handler = createHandler({ env, clients: forbiddenClients(sent), log: (e) => logs.push(e) });
    return { handler: (event: unknown) => handler(event, { awsRequestId: "req-42" }), sent, logs };
}

describe("wakeOnRequest: settings (config.ts)", () => {
    it("reads the component's environment and derives the metric dimensions", () => {
        const c = readConfig(ENV);
        expect(c).to.deep.include({
            region: "eu-west-1",
            account: "123456789012",
            clusterName: "dashboards",
            serviceName: "sales",
            loadBalancerDimension: "app/dashboards/50dc6c495c0c9188",
            appTargetGroupDimension: "targetgroup/sales-app/73e2d6bc24d8a067",
            wakerTargetGroupDimension: "targetgroup/sales-waker/943f017f100becff",
            awakeMinTasks: 1,
            awakeMaxTasks: 4,
            idleMinutes: 30,
            startTimeoutSeconds: 300,
            portalUrl: "https://portal.example.com/",
            appRuleArn: ENV.APP_RULE_ARN,
            wakeRuleArn: ENV.WAKE_RULE_ARN,
            wakeRuleAsleepPriority: 4999,
            wakeRuleAwakePriority: 5001,
        });
        expect(c).not.to.have.property("ruleArn");
    });

    it("accepts the widest slots, 1 and 50000", () => {
        expect(readConfig({ ...ENV, WAKE_RULE_ASLEEP_PRIORITY: "1", WAKE_RULE_AWAKE_PRIORITY: "50000" })).to.deep.include({ wakeRuleAsleepPriority: 1, wakeRuleAwakePriority: 50000 });
    });

    it("names every problem of the rules and their slots at once", () => {
        try {
            readConfig({ ...ENV, WAKE_RULE_ARN: ENV.WAKE_RULE_ARN.replace("dashboards/50dc6c495c0c9188", "other/0123456789abcdef"), WAKE_RULE_ASLEEP_PRIORITY: "5001", APP_RULE_ARN: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:rule/x" });
            expect.fail("expected a ConfigError");
        } catch (err) {
            expect(err).to.be.instanceOf(ConfigError);
            const problems = (err as ConfigError).problems;
            expect(problems.some((p) => /^APP_RULE_ARN must be an ALB listener rule ARN/.test(p))).to.equal(true);
            expect(problems.some((p) => /^WAKE_RULE_ARN belongs to load balancer app\/other/.test(p))).to.equal(true);
            expect(problems.some((p) => /^WAKE_RULE_ASLEEP_PRIORITY 5001 must be less than WAKE_RULE_AWAKE_PRIORITY 5001/.test(p))).to.equal(true);
        }
    });

    it("treats PORTAL_URL as optional", () => {
        expect(readConfig({ ...ENV, PORTAL_URL: "" }).portalUrl).to.equal(undefined);
        expect(readConfig({ ...ENV, PORTAL_URL: undefined }).portalUrl).to.equal(undefined);
    });

    it("names every missing variable at once", () => {
        try {
            readConfig({});
            expect.fail("expected a ConfigError");
        } catch (err) {
            expect(err).to.be.instanceOf(ConfigError);
            const problems = (err as ConfigError).problems.join("\n");
            for (const name of Object.keys(ENV).filter((n) => n !== "PORTAL_URL")) expect(problems).to.include(`${name} is not set`);
        }
    });

    const bad: Array<[string, Record<string, string>, RegExp]> = [
        ["a scalable resource id of another service", { SCALABLE_RESOURCE_ID: "service/dashboards/wiki" }, /SCALABLE_RESOURCE_ID must be service\/dashboards\/sales/],
        ["the same target group twice", { WAKER_TARGET_GROUP_ARN: APP_TG }, /are the same target group/],
        ["rules of another load balancer", { LOAD_BALANCER_ARN_SUFFIX: "app/other/0123456789abcdef" }, /APP_RULE_ARN belongs to load balancer app\/dashboards.*WAKE_RULE_ARN belongs to load balancer app\/dashboards/],
        ["a wake rule of another load balancer", { WAKE_RULE_ARN: ENV.WAKE_RULE_ARN.replace("dashboards/50dc6c495c0c9188", "other/0123456789abcdef") }, /WAKE_RULE_ARN belongs to load balancer app\/other\/0123456789abcdef, not LOAD_BALANCER_ARN_SUFFIX/],
        ["an app rule of another load balancer", { APP_RULE_ARN: ENV.APP_RULE_ARN.replace("dashboards/50dc6c495c0c9188", "other/0123456789abcdef") }, /APP_RULE_ARN belongs to load balancer app\/other/],
        ["the same rule twice", { WAKE_RULE_ARN: `${LISTENER}/9683b2d02a6cabee` }, /APP_RULE_ARN and WAKE_RULE_ARN are the same rule/],
        ["rules of two listeners", { WAKE_RULE_ARN: ENV.WAKE_RULE_ARN.replace("f2f7dc8efc522ab2", "0000dc8efc522ab2") }, /not rules of the same listener/],
        ["a target group ARN as a rule", { WAKE_RULE_ARN: WAKER_TG }, /WAKE_RULE_ARN must be an ALB listener rule ARN/],
        ["equal slots", { WAKE_RULE_ASLEEP_PRIORITY: "5000", WAKE_RULE_AWAKE_PRIORITY: "5000" }, /WAKE_RULE_ASLEEP_PRIORITY 5000 must be less than WAKE_RULE_AWAKE_PRIORITY 5000/],
        ["the slots the wrong way round", { WAKE_RULE_ASLEEP_PRIORITY: "5001", WAKE_RULE_AWAKE_PRIORITY: "4999" }, /must be less than/],
        ["a slot of 0", { WAKE_RULE_ASLEEP_PRIORITY: "0" }, /WAKE_RULE_ASLEEP_PRIORITY must be a whole number from 1 to 50000, got "0"/],
        ["a slot of 50001", { WAKE_RULE_AWAKE_PRIORITY: "50001" }, /WAKE_RULE_AWAKE_PRIORITY must be a whole number from 1 to 50000/],
        ["a negative slot", { WAKE_RULE_ASLEEP_PRIORITY: "-1" }, /WAKE_RULE_ASLEEP_PRIORITY must be a whole number/],
        ["a fractional slot", { WAKE_RULE_AWAKE_PRIORITY: "5001.5" }, /WAKE_RULE_AWAKE_PRIORITY must be a whole number/],
        ["a slot in hex", { WAKE_RULE_AWAKE_PRIORITY: "0x1389" }, /WAKE_RULE_AWAKE_PRIORITY must be a whole number/],
        ["the listener's default slot", { WAKE_RULE_AWAKE_PRIORITY: "default" }, /WAKE_RULE_AWAKE_PRIORITY must be a whole number/],
        ["ARNs in two regions", { APP_TARGET_GROUP_ARN: APP_TG.replace("eu-west-1", "us-east-1") }, /not all in one region and account/],
        ["max below min", { AWAKE_MIN_TASKS: "3", AWAKE_MAX_TASKS: "2" }, /AWAKE_MAX_TASKS 2 is less than AWAKE_MIN_TASKS 3/],
        ["min 0 (asleep is not a waking size)", { AWAKE_MIN_TASKS: "0" }, /AWAKE_MIN_TASKS must be a whole number from 1/],
        ["idle below 10 minutes", { IDLE_MINUTES: "9" }, /IDLE_MINUTES must be a whole number from 10 to 1440/],
        ["idle above a day", { IDLE_MINUTES: "1441" }, /IDLE_MINUTES/],
        ["a fractional idle", { IDLE_MINUTES: "15.5" }, /IDLE_MINUTES/],
        ["an exponent", { IDLE_MINUTES: "1e2" }, /IDLE_MINUTES/],
        ["a start timeout of 0", { START_TIMEOUT_SECONDS: "0" }, /START_TIMEOUT_SECONDS/],
        ["a cluster ARN of another service", { CLUSTER_ARN: "arn:aws:ec2:eu-west-1:123456789012:cluster/dashboards" }, /CLUSTER_ARN must be an ECS cluster ARN/],
        ["a target group ARN with a path", { APP_TARGET_GROUP_ARN: `${APP_TG}/../x` }, /APP_TARGET_GROUP_ARN must be a target group ARN/],
        ["a display name with a line break (header injection)", { DISPLAY_NAME: "Sales\r\nSet-Cookie: x=1" }, /DISPLAY_NAME contains a control character/],
        ["a display name of 201 characters", { DISPLAY_NAME: "x".repeat(201) }, /DISPLAY_NAME is longer than 200/],
        ["a javascript: portal link", { PORTAL_URL: "javascript:alert(1)" }, /PORTAL_URL must be an absolute https/],
        ["a relative portal link", { PORTAL_URL: "/portal" }, /PORTAL_URL/],
        ["a portal link with credentials", { PORTAL_URL: "https://user:pw@portal.example.com/" }, /without credentials/],
    ];
    for (const [what, change, message] of bad) {
        it(`rejects ${what}`, () => {
            expect(() => readConfig({ ...ENV, ...change })).to.throw(ConfigError, message);
        });
    }
});

describe("wakeOnRequest: reading events (request.ts)", () => {
    it("reads the ALB developer guide's example request", () => {
        const inv = readInvocation({
            requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a" } },
            httpMethod: "GET",
            path: "/lambda",
            queryStringParameters: { query: "1234ABCD" },
            headers: {
                accept: "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8",
                "accept-encoding": "gzip",
                "accept-language": "en-US,en;q=0.9",
                connection: "keep-alive",
                host: "lambda-alb-123578498.us-east-1.elb.amazonaws.com",
                "upgrade-insecure-requests": "1",
                "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/71.0.3578.98 Safari/537.36",
                "x-amzn-trace-id": "Root=1-5c536348-3d683b8b04734faae651f476",
                "x-forwarded-for": "72.12.164.125",
                "x-forwarded-port": "80",
                "x-forwarded-proto": "http",
                "x-imforwards": "20",
            },
            body: "",
            isBase64Encoded: false,
        });
        expect(inv.kind).to.equal("alb");
        if (inv.kind !== "alb") return;
        expect(inv.request).to.deep.include({ method: "GET", path: "/lambda", multiValue: false, traceId: "Root=1-5c536348-3d683b8b04734faae651f476" });
        expect(inv.request.targetGroupArn).to.match(/targetgroup\/lambda-279XGJDqGZ5rsrHC2Fjr/);
        // An old browser without Fetch Metadata: Accept decides.
        expect(classifyRequest(inv.request)).to.equal("navigate");
    });

    it("reads multi-value headers (the last value of a repeated header, as ALB does without them)", () => {
        const inv = readInvocation({
            requestContext: { elb: { targetGroupArn: WAKER_TG } },
            httpMethod: "GET",
            path: "/",
            multiValueQueryStringParameters: { a: ["1", "2"] },
            multiValueHeaders: { "Sec-Fetch-Mode": ["cors", "navigate"], accept: ["*/*"] },
            body: "",
            isBase64Encoded: false,
        });
        if (inv.kind !== "alb") expect.fail(inv.kind);
        expect(inv.request.multiValue).to.equal(true);
        expect(inv.request.headers.get("sec-fetch-mode")).to.equal("navigate");
    });

    it("reads the EventBridge scheduled event", () => {
        expect(readInvocation(scheduledEvent())).to.deep.equal({ kind: "schedule" });
    });

    const junk: Array<[string, unknown]> = [
        ["null", null],
        ["undefined", undefined],
        ["a string (non-JSON payload)", "GET / HTTP/1.1"],
        ["a number", 42],
        ["an array", [{ httpMethod: "GET" }]],
        ["an empty object", {}],
        ["an S3 event", { Records: [{ eventSource: "aws:s3" }] }],
        ["an EventBridge event of another type", { source: "aws.ecs", "detail-type": "ECS Task State Change", detail: {} }],
        ["a scheduled event from a custom source", { source: "my.app", "detail-type": "Scheduled Event" }],
    ];
    for (const [what, event] of junk) {
        it(`calls ${what} unknown`, () => {
            expect(readInvocation(event).kind).to.equal("unknown");
        });
    }

    it("reads a request without requestContext as a request without a target group (so it is refused)", () => {
        const inv = readInvocation({ httpMethod: "GET", path: "/", headers: NAVIGATION_HEADERS });
        if (inv.kind !== "alb") expect.fail(inv.kind);
        expect(inv.request.targetGroupArn).to.equal(undefined);
    });

    it("survives huge, many and odd headers", () => {
        const many: Record<string, unknown> = {};
        for (let i = 0; i < 5000; i++) many[`x-h${i}`] = "v";
        const inv = readInvocation({
            requestContext: { elb: { targetGroupArn: WAKER_TG } },
            httpMethod: "get",
            path: `/${"a".repeat(100_000)}`,
            headers: { accept: `${"x/y,".repeat(250_000)}text/html`, "x-amzn-trace-id": "Root=1\r\nInjected: yes", cookie: 42, "sec-fetch-mode": { navigate: true }, ...many },
        });
        if (inv.kind !== "alb") expect.fail(inv.kind);
        expect(inv.request.method).to.equal("GET");
        expect(inv.request.path.length).to.equal(200);
        expect(inv.request.headers.get("accept")!.length).to.equal(MAX_HEADER_VALUE);
        expect(inv.request.headers.has("cookie")).to.equal(false);
        expect(inv.request.headers.has("sec-fetch-mode")).to.equal(false);
        expect(inv.request.headers.size).to.be.at.most(100);
        expect(inv.request.traceId).to.equal(undefined);
        // text/html was past the part looked at: not a page load.
        expect(classifyRequest(inv.request)).to.equal("other");
    });

    it("reads Accept with quality values", () => {
        expect(acceptsHtml("text/html")).to.equal(true);
        expect(acceptsHtml("application/json, TEXT/HTML;q=0.5")).to.equal(true);
        expect(acceptsHtml("text/html;q=0, */*")).to.equal(false);
        expect(acceptsHtml("text/htmlx, application/json")).to.equal(false);
        expect(acceptsHtml(undefined)).to.equal(false);
    });

    const kinds: Array<[string, Record<string, string>, string, string]> = [
        ["a Chrome page load", NAVIGATION_HEADERS, "GET", "navigate"],
        ["a HEAD page load", NAVIGATION_HEADERS, "HEAD", "navigate"],
        ["a page in a frame (the starting page cannot show there)", { ...NAVIGATION_HEADERS, "sec-fetch-dest": "iframe" }, "GET", "other"],
        ["a hidden frame on another site's page", { ...NAVIGATION_HEADERS, "sec-fetch-dest": "iframe", "sec-fetch-site": "cross-site" }, "GET", "other"],
        ["an embed or object load", { ...NAVIGATION_HEADERS, "sec-fetch-dest": "embed" }, "GET", "other"],
        ["a frame whose Accept alone would look like a page load", { accept: "text/html", "sec-fetch-dest": "frame" }, "GET", "other"],
        ["a link followed from another site (top level)", { ...NAVIGATION_HEADERS, "sec-fetch-site": "cross-site" }, "GET", "navigate"],
        ["a top-level load with Sec-Fetch-Dest in capitals", { ...NAVIGATION_HEADERS, "sec-fetch-dest": " Document " }, "GET", "navigate"],
        ["an old browser's page load (Accept only)", { accept: "text/html", "user-agent": "Mozilla/4.0" }, "GET", "navigate"],
        ["the starting page's poll", POLL_HEADERS, "GET", "poll"],
        ["a poll header on a POST", POLL_HEADERS, "POST", "other"],
        ["the session probe", PROBE_HEADERS, "GET", "probe"],
        ["the session probe dressed as a page load", { ...NAVIGATION_HEADERS, "x-dashboards-probe": "1" }, "GET", "probe"],
        ["an XHR", XHR_HEADERS, "GET", "other"],
        ["a fetch that accepts HTML", { ...XHR_HEADERS, accept: "text/html" }, "GET", "other"],
        ["a form POST (a navigation, but not GET)", NAVIGATION_HEADERS, "POST", "other"],
        ["a websocket upgrade", { ...NAVIGATION_HEADERS, upgrade: "websocket" }, "GET", "other"],
        ["a prefetch", { ...NAVIGATION_HEADERS, "sec-purpose": "prefetch" }, "GET", "other"],
        ["a prerender", { ...NAVIGATION_HEADERS, "sec-purpose": "prefetch;prerender" }, "GET", "other"],
        ["an old-style prefetch", { ...NAVIGATION_HEADERS, purpose: "prefetch" }, "GET", "other"],
        ["an image", { ...NAVIGATION_HEADERS, accept: "image/avif,image/webp,*/*", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" }, "GET", "other"],
        ["the ALB health checker", { "user-agent": "ELB-HealthChecker/2.0" }, "GET", "health-check"],
        ["curl", { accept: "*/*", "user-agent": "curl/8.5.0" }, "GET", "other"],
        ["OPTIONS", NAVIGATION_HEADERS, "OPTIONS", "other"],
    ];
    for (const [what, headers, method, kind] of kinds) {
        it(`classifies ${what} as ${kind}`, () => {
            expect(classifyRequest(request(headers, method))).to.equal(kind);
        });
    }
});

describe("wakeOnRequest: the two rules (rule.ts)", () => {
    const read = (...rules: Rule[]) => readRules(rules, SETTINGS);

    it("reads asleep (wake rule below the app rule) and awake (above it), with either authenticate action", () => {
        expect(read(appRule(), wakeRule())).to.deep.equal({ appPriority: 5000, wakePriority: 4999, routing: "asleep" });
        expect(read(appRule(), wakeRule({ Priority: "5001" }))).to.deep.equal({ appPriority: 5000, wakePriority: 5001, routing: "awake" });
        expect(read(appRule({ Actions: [COGNITO, forward(APP_TG)] }), wakeRule({ Actions: [COGNITO, forward(WAKER_TG)] })).routing).to.equal("asleep");
        expect(read(wakeRule({ Priority: "5001" }), appRule()).routing, "in either order in DescribeRules' answer").to.equal("awake");
        expect(read(appRule({ Actions: [forward(APP_TG), OIDC] }), wakeRule()).routing, "actions in any array order, by Order").to.equal("asleep");
    });

    it("reads a forward reported with TargetGroupArn only (moto) or ForwardConfig only", () => {
        const arnOnly = (tg: string): Action => ({ Type: "forward", Order: 2, TargetGroupArn: tg });
        const configOnly = (tg: string): Action => ({ Type: "forward", Order: 2, ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg }] } });
        expect(read(appRule({ Actions: [OIDC, arnOnly(APP_TG)] }), wakeRule({ Actions: [OIDC, configOnly(WAKER_TG)] })).routing).to.equal("asleep");
    });

    it("routes by the two priorities even off the slots: the lower number wins", () => {
        expect(read(appRule(), wakeRule({ Priority: "1200" })).routing).to.equal("asleep");
        expect(read(appRule(), wakeRule({ Priority: "6000" })).routing).to.equal("awake");
        expect(routingOf(5000, 4999)).to.equal("asleep");
        expect(routingOf(5000, 5001)).to.equal("awake");
    });

    it("accepts the same conditions in another order", () => {
        const two: RuleCondition[] = [{ Field: "host-header", HostHeaderConfig: { Values: ["a.example.com", "b.example.com"] } }, { Field: "http-request-method", HttpRequestMethodConfig: { Values: ["GET", "HEAD"] } }];
        const reordered: RuleCondition[] = [{ HttpRequestMethodConfig: { Values: ["HEAD", "GET"] }, Field: "http-request-method" }, { Field: "host-header", HostHeaderConfig: { Values: ["b.example.com", "a.example.com"] } }];
        expect(read(appRule({ Conditions: two }), wakeRule({ Conditions: reordered })).routing).to.equal("asleep");
    });

    it("moves only the wake rule, to the slot of the routing asked for", () => {
        const pair = read(appRule(), wakeRule());
        expect(wakePriorityFor("awake", SETTINGS)).to.equal(5001);
        expect(wakePriorityFor("asleep", SETTINGS)).to.equal(4999);
        expect(movedTo(pair, "awake", SETTINGS)).to.deep.equal({ appPriority: 5000, wakePriority: 5001, routing: "awake" });
        expect(movedTo(movedTo(pair, "awake", SETTINGS), "asleep", SETTINGS)).to.deep.equal(pair);
    });

    const wakeOnly = (...actions: Action[]) => [appRule(), wakeRule({ Actions: actions })];
    const appOnly = (...actions: Action[]) => [appRule({ Actions: actions }), wakeRule()];
    const shapes: Array<[string, Rule[] | undefined, RegExp]> = [
        ["no answer", undefined, /app rule was not returned/],
        ["the app rule missing", [wakeRule()], /app rule was not returned/],
        ["the wake rule missing", [appRule()], /wake rule was not returned/],
        ["the wake rule answered under the app rule's ARN only", [appRule(), wakeRule({ RuleArn: ENV.APP_RULE_ARN })], /wake rule was not returned/],
        ["a wake rule without the authenticate action (it would wake for anyone)", wakeOnly({ ...forward(WAKER_TG), Order: 1 }), /wake rule has 1 action\(s\), expected 2/],
        ["a wake rule whose first action is the forward", wakeOnly({ ...OIDC, Order: 3 }, forward(WAKER_TG)), /wake rule's first action is "forward"/],
        ["a wake rule with a fixed response instead of authenticate", wakeOnly({ Type: "fixed-response", Order: 1, FixedResponseConfig: { StatusCode: "200" } }, forward(WAKER_TG)), /wake rule's first action is "fixed-response"/],
        ["a wake rule whose authenticate action has no config", wakeOnly({ Type: "authenticate-oidc", Order: 1 }, forward(WAKER_TG)), /not an authenticate action with its config/],
        ["a wake rule forwarding to the app's target group (the login would be the only gate to the app)", wakeOnly(OIDC, forward(APP_TG)), /wake rule forwards to .*sales-app.*, not to its own target group .*sales-waker/],
        ["a wake rule naming the waker but forwarding to the app", wakeOnly(OIDC, { ...forward(APP_TG), TargetGroupArn: WAKER_TG }), /wake rule must forward to .*sales-waker.* only, found 1 target group\(s\): .*sales-app/],
        ["a wake rule forwarding to a second target group", wakeOnly(OIDC, { ...forward(WAKER_TG), TargetGroupArn: undefined, ForwardConfig: { TargetGroups: [{ TargetGroupArn: WAKER_TG, Weight: 1 }, { TargetGroupArn: OTHER_TG, Weight: 0 }] } }), /wake rule must forward to .* only, found 2 target group\(s\)/],
        ["an app rule without the authenticate action (the dashboard open to anyone)", appOnly({ ...forward(APP_TG), Order: 1 }), /app rule has 1 action\(s\)/],
        ["an app rule forwarding to the waker", appOnly(OIDC, forward(WAKER_TG)), /app rule forwards to .*sales-waker/],
        ["an app rule split between the app and the waker (the old weighted forward)", appOnly(OIDC, { Type: "forward", Order: 2, ForwardConfig: { TargetGroups: [{ TargetGroupArn: APP_TG, Weight: 1 }, { TargetGroupArn: WAKER_TG, Weight: 0 }] } }), /app rule must forward to .*sales-app.* only, found 2/],
        ["an app rule with a third target group", appOnly(OIDC, { Type: "forward", Order: 2, ForwardConfig: { TargetGroups: [{ TargetGroupArn: OTHER_TG, Weight: 1 }] } }), /app rule must forward to .*sales-app.* only, found 1 target group\(s\): .*wiki-app/],
        ["an app rule forwarding with weight 0", appOnly(OIDC, { ...forward(APP_TG), ForwardConfig: { TargetGroups: [{ TargetGroupArn: APP_TG, Weight: 0 }] } }), /app rule forwards with weight 0/],
        ["a forward without any target group", appOnly(OIDC, { Type: "forward", Order: 2 }), /app rule's forward names no target group/],
        ["a redirect instead of the forward", appOnly(OIDC, { Type: "redirect", Order: 2, RedirectConfig: { StatusCode: "HTTP_302" } }), /app rule's second action is "redirect"/],
        ["actions without Order", appOnly({ ...OIDC, Order: undefined }, forward(APP_TG)), /app rule has no Order/],
        ["two actions of the same Order", wakeOnly(OIDC, { ...forward(WAKER_TG), Order: 1 }), /both actions of the wake rule have the same Order/],
        ["a third action", wakeOnly(OIDC, forward(WAKER_TG), { Type: "fixed-response", Order: 3, FixedResponseConfig: { StatusCode: "200" } }), /wake rule has 3 action\(s\)/],
        ["a wake rule on another host", [appRule(), wakeRule({ Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["wiki.dashboards.example.com"] } }] })], /do not have the same conditions/],
        ["a wake rule with an extra condition", [appRule(), wakeRule({ Conditions: [...HOSTS, { Field: "path-pattern", PathPatternConfig: { Values: ["/wake/*"] } }] })], /do not have the same conditions/],
        ["the app rule below both slots", [appRule({ Priority: "4998" }), wakeRule()], /app rule's priority 4998 is not between the wake rule's slots 4999 \(asleep\) and 5001 \(awake\): moving the wake rule would not switch the routing/],
        ["the app rule above both slots", [appRule({ Priority: "5002" }), wakeRule({ Priority: "5001" })], /app rule's priority 5002 is not between/],
        ["the app rule on the asleep slot", [appRule({ Priority: "4999" }), wakeRule({ Priority: "5001" })], /app rule's priority 4999 is not between/],
        ["the app rule on the awake slot", [appRule({ Priority: "5001" }), wakeRule()], /app rule's priority 5001 is not between/],
        ["the listener's default rule as the app rule", [appRule({ Priority: "default", IsDefault: true }), wakeRule()], /app rule is the listener's default rule/],
        ["a priority that is not a number", [appRule(), wakeRule({ Priority: "4999; DROP" })], /wake rule's priority "4999; DROP" is not a whole number from 1 to 50000/],
        ["a priority of 0", [appRule(), wakeRule({ Priority: "0" })], /wake rule's priority "0"/],
        ["no priority", [appRule({ Priority: undefined }), wakeRule()], /app rule's priority undefined/],
    ];
    for (const [what, rules, message] of shapes) {
        it(`refuses ${what}`, () => {
            expect(() => readRules(rules, SETTINGS)).to.throw(RuleShapeError, message);
        });
    }
});

describe("wakeOnRequest: the browser test's stand-in ALB (standInWakeAlb.ts)", () => {
    it("applies the matching rule with the lowest priority, as a listener does, whatever the answer's order", () => {
        const neighbour: Rule = { ...appRule({ Priority: "10", Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["wiki.dashboards.example.com"] } }] }), RuleArn: "wiki" };
        const fallback: Rule = { RuleArn: "default", Priority: "default", IsDefault: true, Conditions: [], Actions: [] };
        const host = "Sales.Dashboards.Example.com";
        expect(winningRule([fallback, appRule(), neighbour, wakeRule()], host)?.RuleArn).to.equal(ENV.WAKE_RULE_ARN);
        expect(winningRule([wakeRule({ Priority: "5001" }), neighbour, appRule(), fallback], host)?.RuleArn).to.equal(ENV.APP_RULE_ARN);
        expect(winningRule([fallback, neighbour], host)).to.equal(undefined);
    });
});

describe("wakeOnRequest: decisions (decide.ts)", () => {
    const allowed = { wake: true, route: true };
    it("wakes a sleeping service once, then waits", () => {
        expect(planWake({ desired: 0, running: 0, healthy: 0, routing: "asleep" }, allowed)).to.deep.equal({ steps: ["scale-up"], state: "starting", reason: "asleep: waking" });
        expect(planWake({ desired: 0, running: 0, healthy: 0, routing: "asleep" }, { wake: false, route: true }).steps).to.deep.equal([]);
        expect(planWake({ desired: 2, running: 0, healthy: 0, routing: "asleep" }, allowed)).to.deep.include({ steps: [], state: "starting" });
    });
    it("routes to the app once a target is healthy", () => {
        expect(planWake({ desired: 1, running: 1, healthy: 1, routing: "asleep" }, allowed)).to.deep.include({ steps: ["route-to-app"], state: "ready" });
        expect(planWake({ desired: 1, running: 1, healthy: 1, routing: "asleep" }, { wake: true, route: false })).to.deep.include({ steps: [], state: "starting" });
        expect(planWake({ desired: 1, running: 1, healthy: 1, routing: "awake" }, allowed)).to.deep.equal({ steps: [], state: "ready", reason: "awake" });
    });
    it("wakes a service scaled to 0 even while its draining tasks are healthy", () => {
        expect(planWake({ desired: 0, running: 1, healthy: 1, routing: "awake" }, allowed).steps).to.deep.equal(["scale-up"]);
    });

    const now = Date.parse("2026-12-01T12:00:00Z");
    const quiet = { unstartedTasks: 0, requests: 0 };
    it("sleeps only an awake, running, unused service, routing to the waker first", () => {
        const awake = { desired: 1, running: 1, routing: "awake" as const };
        expect(decideIdle(awake, undefined, now, 30)).to.deep.equal({ decision: "needs-activity" });
        expect(decideIdle(awake, { ...quiet, newestTaskStartMs: now - 31 * 60_000 }, now, 30)).to.deep.equal({ decision: "sleep", reason: "idle", steps: ["route-to-waker", "scale-to-zero"] });
        expect(decideIdle(awake, quiet, now, 30).decision, "no task listed").to.equal("sleep");
        expect(decideIdle({ ...awake, routing: "asleep" }, quiet, now, 30)).to.deep.include({ steps: ["scale-to-zero"] });
        expect(decideIdle(awake, { ...quiet, newestTaskStartMs: now - 29 * 60_000 }, now, 30)).to.deep.include({ decision: "none", reason: "recently started" });
        expect(decideIdle(awake, { ...quiet, unstartedTasks: 1 }, now, 30)).to.deep.include({ reason: "recently started" });
        expect(decideIdle(awake, { ...quiet, requests: 1 }, now, 30)).to.deep.include({ decision: "none", reason: "in use" });
        expect(decideIdle({ ...awake, running: 0, routing: "asleep" }, undefined, now, 30)).to.deep.include({ decision: "none", reason: "starting: no running task yet" });
        // Routed to the app with no task (Spot capacity short, a crashed task): back to the waker's page, not the ALB's 503.
        expect(decideIdle({ ...awake, running: 0 }, undefined, now, 30)).to.deep.equal({ decision: "repair", reason: "routed to the app but no task runs", steps: ["route-to-waker"] });
    });
    it("repairs a sleeping service routed to the app, and leaves a sleeping one alone", () => {
        expect(decideIdle({ desired: 0, running: 0, routing: "awake" }, undefined, now, 30)).to.deep.include({ decision: "repair", steps: ["route-to-waker"] });
        expect(decideIdle({ desired: 0, running: 0, routing: "asleep" }, undefined, now, 30)).to.deep.equal({ decision: "none", reason: "asleep" });
    });
});

describe("wakeOnRequest: the page (page.ts)", () => {
    const brand = { displayName: "Sales & Margins", platformName: "Dashboards", portalUrl: "https://portal.example.com/?a=1&b=2" };
    const html = renderPage(brand, pageStatus(brand, "starting"));
    const blocks = (tag: string) => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]);
    const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

    it("shows Starting <name>… as the heading, with the progress in a polite status region", () => {
        expect(html).to.include("<h1 id=\"title\">Starting Sales &#38; Margins…</h1>");
        expect(html).to.match(/<p id="status" role="status" aria-live="polite">This dashboard was asleep/);
        expect(html).to.match(/^<!doctype html>\n<html lang="en" data-state="starting">/);
    });

    it("allows exactly its one inline style and one inline script by hash, fetches only to itself", () => {
        expect(blocks("style")).to.have.length(1);
        expect(blocks("script")).to.have.length(1);
        expect(PAGE_CSP).to.include(`style-src ${hash(blocks("style")[0])}`);
        expect(PAGE_CSP).to.include(`script-src ${hash(blocks("script")[0])}`);
        expect(PAGE_CSP).to.include("default-src 'none'");
        expect(PAGE_CSP).to.include("connect-src 'self'");
        expect(PAGE_CSP).not.to.include("unsafe");
        expect(html, "no external assets").not.to.match(/\ssrc=|<link|@import|url\(/);
    });

    it("works without JavaScript (meta refresh in noscript), respects reduced motion and shows focus", () => {
        expect(html).to.match(/<noscript><meta http-equiv="refresh" content="10"><\/noscript>/);
        expect(blocks("style")[0]).to.include("prefers-reduced-motion:reduce");
        expect(blocks("style")[0]).to.include(":focus-visible{outline:3px");
    });

    it("links back to the portal when set (escaped), and not otherwise", () => {
        expect(html).to.include('<a href="https://portal.example.com/?a=1&#38;b=2">Back to Dashboards</a>');
        expect(renderPage({ ...brand, portalUrl: undefined }, pageStatus(brand, "starting"))).not.to.include("Back to");
    });

    it("escapes every value from the environment", () => {
        const evil = { displayName: `</title><script>alert(1)</script><img src=x onerror=alert(2)> "'`, platformName: "<b>P</b>", portalUrl: `https://x.example/"><script>alert(3)</script>` };
        const page = renderPage(evil, pageStatus(evil, "failed", { reason: "error", reference: "<ref>" }));
        expect(page).not.to.match(/<script>alert|<img|<b>|"><script/);
        expect(page.match(/<script>/g)).to.have.length(1);
        expect(page).to.include("&#60;/title&#62;&#60;script&#62;alert(1)");
        expect(escapeHtml(`&<>"'`)).to.equal("&#38;&#60;&#62;&#34;&#39;");
    });

    it("says what failed and gives the reference, in the error and timeout states", () => {
        expect(pageStatus(brand, "failed", { reason: "error", reference: "abc-123" })).to.deep.include({ title: "Could not start Sales & Margins", reference: "abc-123" });
        expect(pageStatus(brand, "failed", { reason: "error", reference: "abc-123" }).message).to.match(/try again in a minute.*platform team.*abc-123/);
        const late = pageStatus(brand, "failed", { reason: "timeout", reference: "abc-123", timeoutSeconds: 300 });
        expect(late).to.deep.include({ reason: "timeout", title: "Starting Sales & Margins is taking longer than usual" });
        expect(late.message).to.include("It has not started after 5 minutes");
    });

    it("stays small", () => {
        expect(Buffer.byteLength(html)).to.be.below(6000);
    });
});

describe("wakeOnRequest: handler paths without an AWS call", () => {
    it("refuses a request from another target group, or without requestContext", async () => {
        const { handler, sent, logs } = offline();
        for (const event of [albEvent({ targetGroupArn: OTHER_TG }), { httpMethod: "GET", path: "/", headers: NAVIGATION_HEADERS }]) {
            const res = (await handler(event)) as ALBResult;
            expect(res.statusCode).to.equal(403);
            expect(res.body).to.equal("Forbidden.\n");
        }
        expect(sent).to.deep.equal([]);
        expect(logs.map((l) => l.decision)).to.deep.equal(["refused", "refused"]);
    });

    it("answers the probe 503 with X-Dashboards-Asleep and a tiny body", async () => {
        const { handler, sent } = offline();
        const res = (await handler(albEvent({ targetGroupArn: WAKER_TG, headers: PROBE_HEADERS }))) as ALBResult;
        expect(res).to.deep.include({ statusCode: 503, statusDescription: "503 Service Unavailable", isBase64Encoded: false });
        expect(res.headers).to.include({ "X-Dashboards-Asleep": "true", "Cache-Control": "no-store", "Retry-After": "30" });
        expect(res.body!.length).to.be.below(64);
        expect(sent).to.deep.equal([]);
    });

    it("answers in multi-value headers when the event used them, and without a body for HEAD", async () => {
        const { handler } = offline();
        const res = (await handler(albEvent({ targetGroupArn: WAKER_TG, headers: PROBE_HEADERS, multiValue: true, method: "HEAD" }))) as ALBResult;
        expect(res.headers).to.equal(undefined);
        expect(res.multiValueHeaders).to.deep.include({ "X-Dashboards-Asleep": ["true"], "Cache-Control": ["no-store"] });
        expect(res.body).to.equal("");
    });

    it("answers the ALB health checker 200 without waking", async () => {
        const { handler, sent } = offline();
        const res = (await handler(albEvent({ targetGroupArn: WAKER_TG, headers: { "user-agent": "ELB-HealthChecker/2.0" } }))) as ALBResult;
        expect(res.statusCode).to.equal(200);
        expect(sent).to.deep.equal([]);
    });

    it("ignores events of any other shape, null included, and logs one line", async () => {
        const { handler, sent, logs } = offline();
        for (const event of [null, "not json", [], {}, { source: "aws.s3" }]) expect(await handler(event)).to.equal(undefined);
        expect(sent).to.deep.equal([]);
        expect(logs).to.have.length(5);
        expect(logs.every((l) => l.message === "ignored event" && l.level === "WARN")).to.equal(true);
    });

    it("with a bad setting: fails safe on every path, makes no AWS call, and logs every problem", async () => {
        const { handler, sent, logs } = offline({ ...ENV, IDLE_MINUTES: "5", DISPLAY_NAME: "Sales\nX-Injected: 1" });
        const page = (await handler(albEvent({ targetGroupArn: WAKER_TG }))) as ALBResult;
        expect(page.statusCode).to.equal(503);
        expect(page.body).to.include("<h1 id=\"title\">Could not start the dashboard</h1>");
        expect(page.body).to.include("req-42");
        expect(page.body).not.to.include("X-Injected");
        const poll = (await handler(albEvent({ targetGroupArn: WAKER_TG, headers: POLL_HEADERS }))) as ALBResult;
        expect(JSON.parse(poll.body!)).to.deep.include({ state: "failed", reason: "error", reference: "req-42" });
        const probe = (await handler(albEvent({ targetGroupArn: WAKER_TG, headers: PROBE_HEADERS }))) as ALBResult;
        expect(probe.body).to.equal("This dashboard is asleep or starting.\n");
        expect(await handler(scheduledEvent())).to.deep.equal({ decision: "error", reason: "config-error", steps: [] });
        expect(sent).to.deep.equal([]);
        expect(logs.map((l) => l.reason)).to.deep.equal(["config-error", "config-error", "config-error", "config-error"]);
        expect(logs[0].error).to.include("IDLE_MINUTES must be a whole number from 10 to 1440").and.include("DISPLAY_NAME contains a control character");
    });

    it("with bad rule settings (equal slots, the old RULE_ARN only): fails safe without an AWS call, naming each", async () => {
        const { APP_RULE_ARN: _app, WAKE_RULE_ARN: _wake, ...rest } = ENV;
        const { handler, sent, logs } = offline({ ...rest, RULE_ARN: ENV.APP_RULE_ARN, WAKE_RULE_ASLEEP_PRIORITY: "5001" });
        const page = (await handler(albEvent({ targetGroupArn: WAKER_TG }))) as ALBResult;
        expect(page.body).to.include("Could not start the dashboard");
        expect(await handler(scheduledEvent())).to.deep.equal({ decision: "error", reason: "config-error", steps: [] });
        expect(sent).to.deep.equal([]);
        expect(logs[0].error).to.include("APP_RULE_ARN is not set").and.include("WAKE_RULE_ARN is not set").and.include("WAKE_RULE_ASLEEP_PRIORITY 5001 must be less than WAKE_RULE_AWAKE_PRIORITY 5001");
    });

    it("never puts a configured value in a response header", async () => {
        const { handler } = offline();
        for (const headers of [NAVIGATION_HEADERS, PROBE_HEADERS, POLL_HEADERS]) {
            const res = (await handler(albEvent({ targetGroupArn: WAKER_TG, headers }))) as ALBResult;
            const values = Object.values(res.headers ?? {}).map(String);
            expect(values.some((v) => /Sales|[\r\n]/.test(v))).to.equal(false);
        }
    });

    it("answers within the function's remaining time when AWS does not answer at all", async () => {
        // A peer on 127.0.0.1 that accepts connections and never answers: every AWS call hangs.
        const sockets = new Set<net.Socket>();
        const silent = net.createServer((socket) => sockets.add(socket));
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
        const endpoint = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
        try {
            const sent: string[] = [];
            const handler = createHandler({ env: ENV, clients: recordingClients({ region: "eu-west-1", endpoint, credentials: { accessKeyId: "x", secretAccessKey: "x" } }, sent), log: () => {} });
            const context = { awsRequestId: "slow-1", getRemainingTimeInMillis: () => 2000 }; // a 2 s timeout: 1 s for the calls
            let started = Date.now();
            const page = (await handler(albEvent({ targetGroupArn: WAKER_TG }), context)) as ALBResult;
            expect(Date.now() - started).to.be.below(1900);
            expect(page.statusCode).to.equal(503);
            expect(page.body).to.include("Could not start Sales &#38; Margins").and.include("slow-1");
            started = Date.now();
            expect(await handler(scheduledEvent(), context)).to.deep.include({ decision: "error", reason: "could not read the state" });
            expect(Date.now() - started).to.be.below(1900);
            expect(sent).to.include("ecs:DescribeServices");
        } finally {
            sockets.forEach((s) => s.destroy());
            await new Promise((resolve) => silent.close(resolve));
        }
    });

    it("a broken logger does not change the answer", async () => {
        const handler = createHandler({ env: ENV, clients: forbiddenClients(), log: () => { throw new Error("log sink down"); } });
        const res = (await handler(albEvent({ targetGroupArn: WAKER_TG, headers: PROBE_HEADERS }))) as ALBResult;
        expect(res.statusCode).to.equal(503);
    });

    it("the Lambda entry point loads without an environment and fails safe on first use", async () => {
        expect(defaultHandler).to.be.a("function");
        const saved = { ...process.env };
        const write = process.stdout.write;
        const lines: string[] = [];
        try {
            for (const name of Object.keys(ENV)) delete process.env[name];
            process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
            const res = (await defaultHandler(albEvent({ targetGroupArn: WAKER_TG, headers: PROBE_HEADERS }))) as ALBResult;
            expect(res.statusCode).to.equal(503);
        } finally {
            process.stdout.write = write;
            process.env = saved;
        }
        expect(JSON.parse(lines.join(""))).to.deep.include({ level: "ERROR", message: "wake decision", reason: "config-error" });
    });
});
