/**
 * SignOut (components/signOut.ts): one unauthenticated rule for /_dashboards/sign-out of every host,
 * ahead of every login rule, to a function that carries its host table with it.
 */
import { expect } from "chai";
import { SIGNED_OUT_RULE_PRIORITY, SIGN_OUT_RULE_PRIORITY, FIRST_DASHBOARD_PRIORITY } from "../components/routing";
import { SignOut } from "../components/signOut";
import { declaredBeforeFailure, runUnderMocks } from "../plan/runPlan";
import { devStackWith, ofType, one } from "./helpers";

const URLS = {
    "sales.dashboards.example.com": "https://login.example.com/logout?client_id=s&logout_uri=https%3A%2F%2Fsales.dashboards.example.com%2Fsigned-out",
    "kpis.dashboards.example.com": "https://login.example.com/logout?client_id=k&logout_uri=https%3A%2F%2Fkpis.dashboards.example.com%2Fsigned-out",
};

describe("SignOut", () => {
    it("bundles the host table sorted by host, and routes the one path of every host to its function before any login rule", async () => {
        const plan = await runUnderMocks(devStackWith(), () => {
            const signOut = new SignOut("sign-out", { listeners: [{ loadBalancer: 0, listenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2" }], logoutUrls: URLS, logRetentionDays: 7 });
            return { table: signOut.table };
        });
        expect(JSON.parse(plan.outputs.table)).to.deep.equal(URLS);
        expect(Object.keys(JSON.parse(plan.outputs.table))).to.deep.equal(["kpis.dashboards.example.com", "sales.dashboards.example.com"]);
        const rule = one(plan, "aws:lb/listenerRule:ListenerRule", (r) => r.name === "sign-out-rule");
        expect(rule.inputs.priority).to.equal(SIGN_OUT_RULE_PRIORITY);
        expect(SIGN_OUT_RULE_PRIORITY).to.be.above(SIGNED_OUT_RULE_PRIORITY).and.below(FIRST_DASHBOARD_PRIORITY);
        expect(rule.inputs.conditions).to.deep.equal([{ pathPattern: { values: ["/_dashboards/sign-out"] } }]);
        expect(one(plan, "aws:cloudwatch/logGroup:LogGroup", (r) => r.name === "sign-out-logs").inputs.retentionInDays).to.equal(7);
        expect(one(plan, "aws:lb/targetGroup:TargetGroup", (r) => r.name === "sign-out-tg").inputs.name.length).to.be.at.most(32);
    });

    it("gives each load balancer its own target group and rule to the one function, load balancer 0 keeping the single-ALB names", async () => {
        const listener = (n: number) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/lb${n}/1/2`;
        const plan = await runUnderMocks(devStackWith(), () => {
            new SignOut("sign-out", { listeners: [0, 1, 3].map((n) => ({ loadBalancer: n, listenerArn: listener(n) })), logoutUrls: URLS });
            return {};
        });
        const fn = one(plan, "aws:lambda/function:Function");
        const rules = ofType(plan, "aws:lb/listenerRule:ListenerRule");
        expect(rules.map((r) => [r.name, r.inputs.listenerArn])).to.deep.equal([["sign-out-rule", listener(0)], ["sign-out-lb1-rule", listener(1)], ["sign-out-lb3-rule", listener(3)]]);
        const groups = ofType(plan, "aws:lb/targetGroup:TargetGroup");
        expect(groups.map((g) => g.name)).to.deep.equal(["sign-out-tg", "sign-out-lb1-tg", "sign-out-lb3-tg"]);
        expect(new Set(groups.map((g) => g.inputs.name)).size).to.equal(3);
        for (const g of groups) expect(g.inputs.name.length).to.be.at.most(32);
        rules.forEach((r, i) => expect(r.inputs.actions).to.deep.equal([{ type: "forward", targetGroupArn: groups[i].outputs.arn }]));
        // Each target group may invoke the function, and has it attached.
        const permissions = ofType(plan, "aws:lambda/permission:Permission");
        expect(permissions.map((p) => p.inputs.sourceArn)).to.deep.equal(groups.map((g) => g.outputs.arn));
        expect(permissions.every((p) => p.inputs.function === fn.outputs.name)).to.equal(true);
        expect(ofType(plan, "aws:lb/targetGroupAttachment:TargetGroupAttachment").map((a) => [a.inputs.targetGroupArn, a.inputs.targetId])).to.deep.equal(groups.map((g) => [g.outputs.arn, fn.outputs.arn]));
    });

    describe("concurrency and throttling", () => {
        const LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2";
        const TOPIC = "arn:aws:sns:eu-west-1:123456789012:dashboards-alarms";
        const plan = (args: { reservedConcurrency?: number; alarmTopicArn?: string }) => runUnderMocks(devStackWith(), () => {
            new SignOut("sign-out", { listeners: [{ loadBalancer: 0, listenerArn: LISTENER }], logoutUrls: URLS, ...args });
            return {};
        });

        it("shares the account's concurrency by default (a reservation fails on accounts with a quota of 10), with no alarm without a topic", async () => {
            const p = await plan({});
            expect(one(p, "aws:lambda/function:Function").inputs).to.not.have.property("reservedConcurrentExecutions");
            expect(ofType(p, "aws:cloudwatch/metricAlarm:MetricAlarm")).to.deep.equal([]);
        });

        it("reserves, and so caps, the concurrency asked for, and alarms on the topic when the function is throttled", async () => {
            const p = await plan({ reservedConcurrency: 20, alarmTopicArn: TOPIC });
            const fn = one(p, "aws:lambda/function:Function");
            expect(fn.inputs.reservedConcurrentExecutions).to.equal(20);
            const alarm = one(p, "aws:cloudwatch/metricAlarm:MetricAlarm");
            expect(alarm.inputs).to.deep.include({
                namespace: "AWS/Lambda", metricName: "Throttles", dimensions: { FunctionName: fn.outputs.name },
                statistic: "Sum", period: 60, threshold: 0, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching",
                alarmActions: [TOPIC], okActions: [TOPIC],
            });
        });

        it("refuses a reservation that is not a whole number from 1 to 900, naming the argument, before anything is declared", async () => {
            for (const bad of [0, -1, 1.5, 901, Number.NaN]) {
                let error: unknown;
                try {
                    await plan({ reservedConcurrency: bad });
                } catch (e) {
                    error = e;
                }
                expect(String(error), String(bad)).to.match(/reservedConcurrency .* must be a whole number from 1 to 900/);
                expect((declaredBeforeFailure.get(error as Error) ?? []).map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack"), "declared before the refusal").to.deep.equal([]);
            }
        });
    });
});
