/**
 * Office hours on the real Pulumi engine: dev with `defaults.schedule` set through the CLI deploys
 * its scheduled actions after their scalable targets (the aws double refuses an action whose target
 * is not registered, as AWS does), the offline plan declares the same resources, and a second
 * preview changes nothing.
 */
import { expect } from "chai";
import { planConfig, planStack } from "../../../plan/runPlan";
import { loadStack } from "../../../plan/stackFile";
import { EngineWorkspace, tail } from "./workspace";

describe("dev on office hours on the real Pulumi engine", function () {
    this.timeout(1_800_000);
    let ws: EngineWorkspace;
    const run = (args: string[]) => ws.pulumi(["--stack", "dev", ...args]);

    before(() => {
        ws = new EngineWorkspace("schedule");
        ws.addStack("dev");
    });
    after(() => ws?.dispose());

    it("deploys a wake and a sleep action per dashboard, in the schedule's time zone, none for the portal", () => {
        expect(ws.pulumi(["stack", "init", "dev", "--secrets-provider", "passphrase"]).code).to.equal(0);
        for (const [key, value] of [["defaults.schedule.start", "07:00"], ["defaults.schedule.stop", "20:00"], ["defaults.schedule.timeZone", "Europe/Zurich"]]) {
            const set = run(["config", "set", "--path", key, value]);
            expect(set.code, tail(set)).to.equal(0);
        }
        const up = run(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up)).to.equal(0);
        const actions = (ws.cloudResources() as { type: string; name?: string; props?: Record<string, any> }[])
            .filter((r) => r.type === "aws:appautoscaling/scheduledAction:ScheduledAction");
        expect(actions.map((r) => r.name).sort()).to.deep.equal(["explorer", "kpis", "ridge-lasso", "sentiment"].flatMap((d) => [`${d}-sleep`, `${d}-wake`]));
        for (const a of actions) {
            expect(a.props?.timezone, a.name).to.equal("Europe/Zurich");
            expect(a.props?.schedule, a.name).to.equal(a.name!.endsWith("-wake") ? "cron(0 7 ? * MON-FRI *)" : "cron(0 20 ? * MON-FRI *)");
        }
    });

    it("the offline plan of the same stack file declares the same scheduled actions", async () => {
        const exported = run(["stack", "export"]);
        expect(exported.code, tail(exported)).to.equal(0);
        const deployed = (JSON.parse(exported.stdout).deployment.resources as { urn: string; type: string }[])
            .filter((r) => r.type === "aws:appautoscaling/scheduledAction:ScheduledAction").map((r) => r.urn).sort();
        const plan = await planConfig(loadStack(ws.projectDir, "dev"));
        const planned = plan.resources.filter((r) => r.type === "aws:appautoscaling/scheduledAction:ScheduledAction").map((r) => r.urn).sort();
        expect(planned).to.deep.equal(deployed);
        // Unscheduled dev plans none.
        expect((await planStack("dev")).resources.filter((r) => r.type === "aws:appautoscaling/scheduledAction:ScheduledAction")).to.deep.equal([]);
    });

    it("a second preview changes nothing", () => {
        const r = run(["preview", "--expect-no-changes", "--diff"]);
        expect(r.code, tail(r, 120)).to.equal(0);
    });
});
