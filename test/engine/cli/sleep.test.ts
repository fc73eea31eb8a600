/**
 * Dev as shipped, on the real Pulumi engine: the portal on office hours, four dashboards that
 * scale to zero. It deploys the scheduled actions after their scalable targets and
 * the wakers' Lambda targets after their invoke permissions (the aws double refuses both otherwise,
 * as AWS does), the offline plan declares the same resources, and what the waker owns at run time
 * (its rule's priority, the desired count, the capacity range) is left alone by `pulumi refresh` +
 * `pulumi up`: a woken dashboard stays awake through a deploy, a sleeping one asleep.
 */
import { expect } from "chai";
import { planConfig } from "../../../plan/runPlan";
import { loadStack } from "../../../plan/stackFile";
import { EngineWorkspace, tail } from "./workspace";

type CloudRecord = { type: string; id: string; name?: string; urn?: string; props?: Record<string, any> };

const RULE = "aws:lb/listenerRule:ListenerRule";
const SERVICE = "aws:ecs/service:Service";
const TARGET = "aws:appautoscaling/target:Target";
const SCALE_TO_ZERO = ["explorer", "kpis", "ridge-lasso", "sentiment"];

describe("dev as shipped (office hours and scale to zero) on the real Pulumi engine", function () {
    this.timeout(1_800_000);
    let ws: EngineWorkspace;
    const run = (args: string[]) => ws.pulumi(["--stack", "dev", ...args]);
    const records = () => ws.cloudResources() as CloudRecord[];
    const byUrnName = (type: string, name: string) => {
        const found = records().filter((r) => r.type === type && String(r.urn).endsWith(`::${name}`));
        expect(found, `${type} ${name}`).to.have.length(1);
        return found[0];
    };
    const priorities = (d: string) => ({ app: byUrnName(RULE, `${d}-rule`).props!.priority, waker: byUrnName(RULE, `${d}-wake-rule`).props!.priority });

    before(() => {
        ws = new EngineWorkspace("sleep");
        ws.addStack("dev");
    });
    after(() => ws?.dispose());

    it("deploys office hours for the portal, and four scale-to-zero dashboards asleep", () => {
        expect(ws.pulumi(["stack", "init", "dev", "--secrets-provider", "passphrase"]).code).to.equal(0);
        const up = run(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up)).to.equal(0);
        const actions = records().filter((r) => r.type === "aws:appautoscaling/scheduledAction:ScheduledAction");
        expect(actions.map((r) => r.name).sort()).to.deep.equal(["portal-sleep", "portal-wake"]);
        for (const a of actions) {
            expect(a.props?.timezone, a.name).to.equal("Europe/Zurich");
            expect(a.props?.schedule, a.name).to.equal(a.name!.endsWith("-wake") ? "cron(0 7 ? * MON-FRI *)" : "cron(0 20 ? * MON-FRI *)");
        }
        for (const d of SCALE_TO_ZERO) {
            expect(byUrnName(SERVICE, `${d}-service`).props!.desiredCount, d).to.equal(0);
            expect(byUrnName(TARGET, `${d}-scaling`).props, d).to.deep.include({ minCapacity: 0, maxCapacity: 0 });
            const p = priorities(d);
            expect(p.waker, d).to.be.below(p.app);
            // The Lambda target is registered (after its invoke permission, or the double refuses it).
            expect(records().some((r) => r.type === "aws:lb/targetGroupAttachment:TargetGroupAttachment" && String(r.urn).endsWith(`::${d}-waker-target`)), d).to.equal(true);
        }
    });

    it("the offline plan of the same stack file declares the same scheduled actions and wakers", async () => {
        const exported = run(["stack", "export"]);
        expect(exported.code, tail(exported)).to.equal(0);
        const types = new Set(["aws:appautoscaling/scheduledAction:ScheduledAction", "aws:lambda/function:Function", "aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:cloudwatch/eventRule:EventRule", RULE]);
        const deployed = (JSON.parse(exported.stdout).deployment.resources as { urn: string; type: string }[]).filter((r) => types.has(r.type)).map((r) => r.urn).sort();
        const plan = await planConfig(loadStack(ws.projectDir, "dev"));
        expect(plan.resources.filter((r) => types.has(r.type)).map((r) => r.urn).sort()).to.deep.equal(deployed);
    });

    it("a second preview changes nothing: pulumi up while asleep leaves it asleep", () => {
        const r = run(["preview", "--expect-no-changes", "--diff"]);
        expect(r.code, tail(r, 120)).to.equal(0);
    });

    it("once the waker woke a dashboard (its rule moved above, a task, capacity 1..2), refresh and up keep it awake, through a deploy", () => {
        // What the waker does on a wake (functions/wakeOnRequest), done to the fake cloud: its rule to
        // the slot above the dashboard's, as its environment says.
        const before = priorities("sentiment");
        const awake = Number(byUrnName("aws:lambda/function:Function", "sentiment-waker").props!.environment.variables.WAKE_RULE_AWAKE_PRIORITY);
        expect(awake).to.be.above(before.app);
        ws.changeCloud((all) => {
            const find = (type: string, name: string) => all.find((r) => r.type === type && String((r as CloudRecord).urn).endsWith(`::${name}`))!;
            find(RULE, "sentiment-wake-rule").props!.priority = awake;
            find(SERVICE, "sentiment-service").props!.desiredCount = 1;
            Object.assign(find(TARGET, "sentiment-scaling").props!, { minCapacity: 1, maxCapacity: 2 });
        });
        const refresh = run(["refresh", "--yes", "--skip-preview"]);
        expect(refresh.code, tail(refresh)).to.equal(0);
        const preview = run(["preview", "--expect-no-changes", "--diff"]);
        expect(preview.code, tail(preview, 120)).to.equal(0);
        // A deploy of the woken dashboard and of a sleeping one (new task definitions) changes nothing the waker owns.
        for (const index of [1, 2]) {
            const set = run(["config", "set", "--path", `dashboards[${index}].environment.MODE`, "demo"]);
            expect(set.code, tail(set)).to.equal(0);
        }
        const up = run(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up)).to.equal(0);
        expect(up.output).to.match(/aws:ecs:TaskDefinition\s+sentiment-task\s+replaced/);
        expect(up.output).to.match(/aws:ecs:TaskDefinition\s+explorer-task\s+replaced/);
        // The sleeping one's service now names the new task definition, for its next wake.
        const explorerTask = records().find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && String(r.urn).endsWith("::explorer-task"))!;
        expect(byUrnName(SERVICE, "explorer-service").props!.taskDefinition).to.equal(explorerTask.props!.arn);
        expect(priorities("sentiment")).to.deep.equal({ app: before.app, waker: awake });
        expect(byUrnName(SERVICE, "sentiment-service").props!.desiredCount).to.equal(1);
        expect(byUrnName(TARGET, "sentiment-scaling").props).to.deep.include({ minCapacity: 1, maxCapacity: 2 });
        // The sleeping ones stayed asleep.
        for (const d of ["explorer", "kpis", "ridge-lasso"]) expect(byUrnName(SERVICE, `${d}-service`).props!.desiredCount, d).to.equal(0);
        const again = run(["preview", "--expect-no-changes"]);
        expect(again.code, tail(again, 120)).to.equal(0);
    });
});
