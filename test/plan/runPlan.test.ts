import { expect } from "chai";
import { PlannedResource } from "../../plan/runPlan";
import { sharedPlan } from "../helpers";

describe("offline plan URNs", () => {
    it("are built as the real engine builds them: no root-stack prefix, the parent's whole type chain", async () => {
        const plan = await sharedPlan("dev");
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

describe("the stack plans the tests share (test/helpers.ts sharedPlan)", () => {
    it("are planned once per process and frozen all the way down, so a test that edits one fails instead of changing the others' plan", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const plan = await sharedPlan(stack);
            expect(await sharedPlan(stack), stack).to.equal(plan);
            const task = plan.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")!;
            const service = plan.resources.find((r) => r.type === "aws:ecs/service:Service")!;
            expect(() => plan.resources.push({} as PlannedResource), `${stack}: resources`).to.throw(TypeError);
            expect(() => { task.inputs.cpu = "4096"; }, `${stack}: a resource's inputs`).to.throw(TypeError);
            expect(() => { service.inputs.capacityProviderStrategies[0].weight = 9; }, `${stack}: nested inputs`).to.throw(TypeError);
            expect(() => { plan.outputs.domain = "example.org"; }, `${stack}: outputs`).to.throw(TypeError);
            // What tests that edit a plan do instead: a copy, which is theirs to change.
            const copy = structuredClone(plan);
            copy.resources.find((r) => r.urn === task.urn)!.inputs.cpu = "4096";
            expect(task.inputs.cpu).not.to.equal("4096");
        }
    });
});
