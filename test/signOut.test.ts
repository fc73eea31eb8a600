/**
 * SignOut (components/signOut.ts): one unauthenticated rule for /_dashboards/sign-out of every host,
 * ahead of every login rule, to a function that carries its host table with it.
 */
import { expect } from "chai";
import { SIGNED_OUT_RULE_PRIORITY, SIGN_OUT_RULE_PRIORITY, FIRST_DASHBOARD_PRIORITY } from "../components/routing";
import { SignOut } from "../components/signOut";
import { runUnderMocks } from "../plan/runPlan";
import { devStackWith, one } from "./helpers";

const URLS = {
    "sales.dashboards.example.com": "https://login.example.com/logout?client_id=s&logout_uri=https%3A%2F%2Fsales.dashboards.example.com%2Fsigned-out",
    "kpis.dashboards.example.com": "https://login.example.com/logout?client_id=k&logout_uri=https%3A%2F%2Fkpis.dashboards.example.com%2Fsigned-out",
};

describe("SignOut", () => {
    it("bundles the host table sorted by host, and routes the one path of every host to its function before any login rule", async () => {
        const plan = await runUnderMocks(devStackWith(), () => {
            const signOut = new SignOut("sign-out", { listenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2", logoutUrls: URLS, logRetentionDays: 7 });
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
});
