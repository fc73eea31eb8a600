import { expect } from "chai";
import { planStack } from "../../plan/runPlan";

describe("offline plan URNs", () => {
    it("are built as the real engine builds them: no root-stack prefix, the parent's whole type chain", async () => {
        const plan = await planStack("dev");
        const urns = plan.resources.map((r) => r.urn);
        expect(urns).to.include("urn:pulumi:dev::dashboards::dashboards:index:DashboardPlatform::dashboards");
        expect(urns).to.include("urn:pulumi:dev::dashboards::dashboards:index:DashboardPlatform$dashboards:index:CognitoAuth::auth");
        expect(urns).to.include("urn:pulumi:dev::dashboards::dashboards:index:DashboardPlatform$dashboards:index:CognitoAuth$aws:cognito/userPool:UserPool::auth-pool");
        expect(urns.filter((u) => u.includes("pulumi:pulumi:Stack$"))).to.deep.equal([]);
        // Every child's type chain extends its parent's (the engine's rule, also for deeper nesting).
        const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
        for (const r of plan.resources) {
            const parent = r.parent ? byUrn.get(r.parent) : undefined;
            if (!parent || parent.type === "pulumi:pulumi:Stack") continue;
            expect(r.urn.split("::")[2], r.urn).to.equal(`${parent.urn.split("::")[2]}$${r.type}`);
        }
    });
});
