import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError } from "../components/component";
import { DashboardPlatform, DashboardPlatformArgs, validateDashboardPlatformArgs } from "../components/dashboardPlatform";
import { validateStackConfig } from "../components/stackConfig";
import { USAGE_QUERY_LIST } from "../components/usageQueries";
import { portalConfigSchema } from "../apps/portal/src/config";
import { declaredBeforeFailure, Plan, planConfig, PROJECT_DIR, runUnderMocks } from "../plan/runPlan";
import { devStackWith, one, ofType } from "./helpers";

const APPS = path.join(PROJECT_DIR, "apps");

/** A small platform in the stack file's words: two dashboards, one group, the portal. */
const SMALL: DashboardPlatformArgs = {
    domain: "analytics.example.org",
    dns: { hostedZoneId: "Z0123456789PLATFORM" },
    network: { nat: "none" },
    auth: { groups: [{ name: "finance" }], adminGroups: ["finance"] },
    dashboards: [
        { name: "finance", framework: "dash", app: "dash", accessGroups: ["finance"], extraHosts: [{ host: "money.analytics.example.org" }] },
        { name: "ops", framework: "shiny", app: "shiny" },
    ],
    appsDir: APPS,
    region: "eu-west-1",
};

function planPlatform(args: DashboardPlatformArgs, name = "analytics"): Promise<Plan> {
    return runUnderMocks(devStackWith(), () => {
        const p = new DashboardPlatform(name, args);
        return { dashboardUrls: p.dashboardUrls, portalUrl: p.portalUrl, albDnsName: p.albDnsName, userPoolId: p.userPoolId, dashboardAccessGroups: p.dashboardAccessGroups };
    });
}

async function failure(args: DashboardPlatformArgs): Promise<{ error: Error; declared: string[] }> {
    try {
        await planPlatform(args);
    } catch (e) {
        return { error: e as Error, declared: (declaredBeforeFailure.get(e as Error) ?? []).map((r) => r.type) };
    }
    throw new Error("expected the platform to refuse its arguments");
}

/** The catalogue the portal image is built with: the file in its portal-catalogue build context. */
function portalCatalogueOf(p: Plan): string {
    const image = one(p, "docker-build:index:Image", (r) => r.name === "portal-image");
    return fs.readFileSync(path.join(image.inputs.context.named["portal-catalogue"].location, "catalogue.json"), "utf8");
}

describe("DashboardPlatform", () => {
    let plan: Plan;
    before(async () => {
        plan = await planPlatform(SMALL);
    });

    it("builds the cluster, the login, a service per dashboard and the portal, all under itself", () => {
        const platform = one(plan, "dashboards:index:DashboardPlatform");
        const children = plan.resources.filter((r) => r.parent === platform.urn).map((r) => `${r.type} ${r.name}`).sort();
        expect(children).to.deep.equal([
            // The load balancer's operations dashboard and the saved usage queries.
            "aws:cloudwatch/dashboard:Dashboard operations-lb0",
            ...USAGE_QUERY_LIST.map((q) => `aws:cloudwatch/queryDefinition:QueryDefinition usage-${q.name}`).sort(),
            "dashboards:index:CognitoAuth auth",
            "dashboards:index:DashboardCluster dashboards",
            "dashboards:index:DashboardService finance",
            "dashboards:index:DashboardService ops",
            "dashboards:index:DashboardService portal",
            "dashboards:index:SignOut sign-out",
        ]);
        // Nothing is left at the stack's top level but the platform.
        expect(plan.resources.filter((r) => r.parent?.endsWith("pulumi:pulumi:Stack::dashboards-dev")).map((r) => r.type)).to.deep.equal(["dashboards:index:DashboardPlatform"]);
    });

    it("with alarm emails, alarms on the alarm topic when the login check or the sign-out is throttled; reserves sign-out concurrency when asked", async () => {
        expect(one(plan, "aws:lambda/function:Function", (r) => r.name === "sign-out-fn").inputs).to.not.have.property("reservedConcurrentExecutions");
        const p = await planPlatform({ ...SMALL, alarms: { emails: ["ops@example.org"] }, loadBalancer: { signOutConcurrency: 20 } });
        const topic = one(p, "aws:sns/topic:Topic");
        const fns = new Map(ofType(p, "aws:lambda/function:Function").map((f) => [f.outputs.name, f.name]));
        const throttles = ofType(p, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricName === "Throttles");
        expect(throttles.map((a) => fns.get(a.inputs.dimensions.FunctionName)).sort()).to.deep.equal(["auth-pre-token", "sign-out-fn"]);
        for (const a of throttles) expect(a.inputs.alarmActions).to.deep.equal([topic.outputs.arn]);
        expect(one(p, "aws:lambda/function:Function", (r) => r.name === "sign-out-fn").inputs.reservedConcurrentExecutions).to.equal(20);
    });

    it("publishes each dashboard's URL, its groups and the portal", () => {
        expect(plan.outputs.dashboardUrls).to.deep.equal({ finance: "https://finance.analytics.example.org", ops: "https://ops.analytics.example.org" });
        expect(plan.outputs.dashboardAccessGroups).to.deep.equal({ finance: ["finance"], ops: [] });
        expect(plan.outputs.portalUrl).to.equal("https://portal.analytics.example.org");
        expect(plan.outputs.userPoolId).to.match(/^eu-west-1_/);
    });

    it("applies the stack file's defaults to what the literal leaves out (Fargate size, tasks, listener rule per host)", () => {
        const finance = one(plan, "aws:ecs/taskDefinition:TaskDefinition", (r) => r.name.startsWith("finance"));
        expect([finance.inputs.cpu, finance.inputs.memory]).to.deep.equal(["256", "512"]);
        const rule = one(plan, "aws:lb/listenerRule:ListenerRule", (r) => r.name.startsWith("finance"));
        expect(JSON.stringify(rule.inputs.conditions)).to.contain("money.analytics.example.org");
        expect(ofType(plan, "aws:appautoscaling/target:Target").map((t) => t.inputs.minCapacity)).to.deep.equal([1, 1, 1]);
    });

    it("plans the same resources as the program does from the equivalent stack file (declared in one go there, one service at a time by create in the program)", async () => {
        // The program path: the stack file validated by validateStackConfig, then this component.
        const loaded = devStackWith();
        const result = validateStackConfig(loaded.config, "dashboards", { appsDir: APPS });
        if (!result.ok) throw new Error("dev stack file invalid");
        const fromStackFile = await runUnderMocks(loaded, () => {
            new DashboardPlatform("dashboards", { ...result.args, region: result.config.region, appsDir: "apps" });
            return {};
        });
        const program = await planConfig(loaded);
        const shape = (p: Plan) => p.resources.map((r) => `${r.urn} ${JSON.stringify(r.inputs)}`).sort();
        expect(shape(fromStackFile)).to.deep.equal(shape(program));
    });

    it("DashboardPlatform.create makes the same platform as the constructor: resources, inputs and outputs", async () => {
        const outputsOf = (p: DashboardPlatform) => ({ dashboardUrls: p.dashboardUrls, dashboardImages: p.dashboardImages, routing: p.routing, portalUrl: p.portalUrl, loadBalancerDnsNames: p.loadBalancerDnsNames, clusterName: p.clusterName });
        const inOneGo = await runUnderMocks(devStackWith(), () => outputsOf(new DashboardPlatform("analytics", SMALL)));
        const stepByStep = await runUnderMocks(devStackWith(), async () => outputsOf(await DashboardPlatform.create("analytics", SMALL)));
        const shape = (p: Plan) => p.resources.map((r) => `${r.urn} ${JSON.stringify(r.inputs)} ${JSON.stringify([...r.dependsOn].sort())} ${r.parent} ${r.protect} ${r.retainOnDelete} ${JSON.stringify(r.secretInputs)}`).sort();
        expect(shape(stepByStep)).to.deep.equal(shape(inOneGo));
        expect(stepByStep.outputs).to.deep.equal(inOneGo.outputs);
        expect(Object.keys(stepByStep.outputs.routing as object)).to.deep.equal(["finance", "ops", "portal"]);
    });

    it("DashboardPlatform.create lets the SDK register each service before it declares the next (what keeps a 500-dashboard plan's memory down)", async () => {
        // How many services were declared when the first dashboard's ECS service reached the engine.
        async function declaredWhenFirstRegistered(declare: () => Promise<unknown>): Promise<number> {
            let declared = 0;
            let atFirst: number | undefined;
            await runUnderMocks(devStackWith(), async () => {
                pulumi.runtime.registerStackTransformation((a) => {
                    if (a.type === "dashboards:index:DashboardService") declared++;
                    return undefined;
                });
                await declare();
                return {};
            }, {
                mocks: (base) => ({
                    ...base,
                    newResource: (a) => {
                        if (a.type === "aws:ecs/service:Service" && a.name.startsWith("finance")) atFirst ??= declared;
                        return base.newResource(a);
                    },
                }),
            });
            return atFirst!;
        }
        expect(await declaredWhenFirstRegistered(async () => new DashboardPlatform("analytics", SMALL))).to.equal(3);
        expect(await declaredWhenFirstRegistered(() => DashboardPlatform.create("analytics", SMALL))).to.be.below(3);
    });

    it("refuses invalid arguments before declaring anything, listing every problem by argument path", async () => {
        const { error, declared } = await failure({
            ...SMALL,
            domain: "Not A Domain",
            dashboards: [{ name: "finance", framework: "django", cpu: 256, memory: 3072, accessGroups: ["nobody"] }, { name: "ops", framework: "shiny", app: "nowhere" }],
            // @ts-expect-error a typo as a JavaScript or YAML caller could make it
            portl: { title: "x" },
        });
        expect(error).to.be.instanceOf(ComponentArgsError);
        expect(error.message).to.contain('invalid DashboardPlatform "analytics" arguments');
        for (const line of [
            "domain: ",
            'dashboards[0].framework: "django" is not allowed; allowed: shiny, dash, streamlit, flask, custom',
            "dashboards[0].memory: 3072 is not valid with cpu 256 on Fargate; allowed: 512, 1024, 2048",
            'dashboards[0].accessGroups[0]: group "nobody" is not declared in auth.groups; declared groups: finance',
            "dashboards[1].app: apps/nowhere does not exist",
            'portl: unknown key (did you mean "portal"?)',
        ]) expect(error.message).to.contain(`  - ${line}`);
        expect(error.message).not.to.match(/\n\s+at /);
        expect(declared).to.deep.equal(["pulumi:pulumi:Stack"]);
    });

    it("refuses a Pulumi output where it needs a plain value, naming the argument", async () => {
        const { error, declared } = await failure({
            ...SMALL,
            dns: { hostedZoneId: pulumi.output("Z0123456789PLATFORM") as unknown as string },
        });
        expect(error.message).to.contain("dns.hostedZoneId: is a Pulumi output; DashboardPlatform needs plain values");
        expect(declared).to.deep.equal(["pulumi:pulumi:Stack"]);
    });

    it("takes the region from aws:region when the literal has none, and names region when neither is set", async () => {
        const withRegion = await runUnderMocks(devStackWith(), () => ({ urls: new DashboardPlatform("analytics", { ...SMALL, region: undefined }).dashboardUrls }));
        expect(withRegion.outputs.urls).to.have.keys("finance", "ops");
        const noRegion = devStackWith({}, ["aws:region"]);
        try {
            await runUnderMocks(noRegion, () => ({ p: new DashboardPlatform("analytics", { ...SMALL, region: undefined }) }));
            expect.fail("expected a missing region to be refused");
        } catch (e) {
            expect((e as Error).message).to.contain("  - region: is not set; pass region, or set the AWS region");
        }
    });

    it("schedules the dashboards on defaults.schedule, never the portal (everyone's way in)", async () => {
        const scheduled = await planPlatform({ ...SMALL, defaults: { schedule: { start: "07:00", stop: "20:00", timeZone: "Europe/Zurich" } }, dashboards: [SMALL.dashboards[0], { ...SMALL.dashboards[1], schedule: { enabled: false } }] });
        expect(ofType(scheduled, "aws:appautoscaling/scheduledAction:ScheduledAction").map((a) => a.name).sort()).to.deep.equal(["finance-sleep", "finance-wake"]);
        // The portal learns each dashboard's hours (to show it asleep), in the shape its own config schema reads.
        const portalConfig = portalConfigSchema.parse(JSON.parse(portalCatalogueOf(scheduled)));
        expect(portalConfig.dashboards.map((d) => [d.name, d.schedule])).to.deep.equal([
            ["finance", { days: "MON-FRI", start: "07:00", stop: "20:00", timeZone: "Europe/Zurich", tasksOutside: 0 }],
            ["ops", undefined],
        ]);
    });

    it("builds the portal's catalogue into its image, categories included, never into its task definition (which holds 64 KiB)", async () => {
        const planned = await planPlatform({ ...SMALL, dashboards: [{ ...SMALL.dashboards[0], category: "Finance" }, SMALL.dashboards[1]] });
        const catalogue = portalConfigSchema.parse(JSON.parse(portalCatalogueOf(planned)));
        expect(catalogue.dashboards.map((d) => [d.name, d.category])).to.deep.equal([["finance", "Finance"], ["ops", undefined]]);
        const portalTask = one(planned, "aws:ecs/taskDefinition:TaskDefinition", (r) => r.name.startsWith("portal"));
        expect(portalTask.inputs.containerDefinitions).not.to.contain("PORTAL_CONFIG");
        expect(portalTask.inputs.containerDefinitions).not.to.contain("finance.");
        // The Dockerfile takes it from that context (and the engine's docker-build double checks the file is there).
        expect(fs.readFileSync(path.join(PROJECT_DIR, "apps", "portal", "Dockerfile"), "utf8")).to.contain("COPY --from=portal-catalogue catalogue.json /app/catalogue.json");
        // A changed catalogue is a new folder (a new build input), an unchanged one the same.
        const again = await planPlatform({ ...SMALL, dashboards: [{ ...SMALL.dashboards[0], category: "Finance" }, SMALL.dashboards[1]] });
        const changed = await planPlatform({ ...SMALL, dashboards: [{ ...SMALL.dashboards[0], category: "Risk" }, SMALL.dashboards[1]] });
        const location = (p: Plan) => one(p, "docker-build:index:Image", (r) => r.name === "portal-image").inputs.context.named["portal-catalogue"].location;
        expect(location(again)).to.equal(location(planned));
        expect(location(changed)).to.not.equal(location(planned));
    });

    it("refuses a region that is not the AWS provider's (it would check certificates against the wrong region)", async () => {
        const { error } = await failure({ ...SMALL, region: "eu-central-1" });
        expect(error.message).to.contain('  - region: "eu-central-1" is not the AWS provider\'s region eu-west-1 (aws:region)');
    });

    it("is validated on its own by validateDashboardPlatformArgs, with the constructor's problems", () => {
        expect(validateDashboardPlatformArgs(SMALL)).to.deep.equal([]);
        expect(validateDashboardPlatformArgs({ ...SMALL, dashboards: [] })).to.deep.equal(["dashboards: is empty; configure at least one dashboard"]);
        expect(validateDashboardPlatformArgs(null as unknown as DashboardPlatformArgs)).to.deep.equal(["args: expected an object with domain, dns and dashboards"]);
        // An object that refers to itself (a JavaScript or YAML caller's mistake) is a problem, not a hang or a crash.
        const dns: Record<string, unknown> = { hostedZoneId: "Z0123456789PLATFORM" };
        dns.self = dns;
        expect(validateDashboardPlatformArgs({ ...SMALL, dns })).to.deep.equal(["dns.self: unknown key; allowed keys: hostedZoneId, certificateArn"]);
    });
});

describe("DashboardPlatform read-only root file systems", () => {
    // An apps/ of its own: a generated Flask app (the tutorial fixture, no Dockerfile), the Dash
    // template's and the portal's Dockerfiles, and the platform's helpers.
    let root: string;
    let plan: Plan;
    const container = (name: string) => JSON.parse(one(plan, "aws:ecs/taskDefinition:TaskDefinition", (r) => r.name === `${name}-task`).inputs.containerDefinitions)[0];
    const writable = (name: string) => (container(name).mountPoints ?? []).map((m: { containerPath: string }) => m.containerPath);
    before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "platform-readonly-"));
        const apps = path.join(root, "apps");
        fs.cpSync(path.join(PROJECT_DIR, "test", "fixtures", "python-apps", "flask-tutorial"), path.join(apps, "blog"), { recursive: true });
        fs.cpSync(path.join(APPS, "shared"), path.join(apps, "shared"), { recursive: true });
        // Own Dockerfiles: what the validator checks their COPY lines against is there too.
        fs.mkdirSync(path.join(apps, "dash"));
        for (const file of ["Dockerfile", "requirements.txt", "app.py"]) fs.copyFileSync(path.join(APPS, "dash", file), path.join(apps, "dash", file));
        // A third-party Dockerfile that declares no VOLUME.
        fs.mkdirSync(path.join(apps, "plain"));
        fs.writeFileSync(path.join(apps, "plain", "Dockerfile"), "FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"http.server\"]\n");
        fs.mkdirSync(path.join(apps, "portal"));
        for (const file of ["Dockerfile", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "src"]) {
            fs.cpSync(path.join(APPS, "portal", file), path.join(apps, "portal", file), { recursive: true });
        }
        plan = await planPlatform({
            ...SMALL,
            appsDir: apps,
            dashboards: [
                { name: "blog", framework: "flask", app: "blog" },
                { name: "blog-open", framework: "flask", app: "blog", readonlyRootFilesystem: false },
                { name: "finance", framework: "dash", app: "dash" },
                { name: "plain", framework: "custom", app: "plain" },
                { name: "locked", framework: "custom", app: "plain", readonlyRootFilesystem: true, writablePaths: ["/app/cache"] },
            ],
        });
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("runs a generated image read-only by default, writable only where its Dockerfile declares VOLUME (/tmp, Flask's instance folder)", () => {
        expect(container("blog").readonlyRootFilesystem).to.equal(true);
        expect(writable("blog")).to.deep.equal(["/tmp", "/app/instance"]);
        const dockerfile = one(plan, "docker-build:index:Image", (r) => r.name === "blog-image").inputs.dockerfile.inline as string;
        expect(dockerfile).to.match(/^VOLUME \["\/tmp","\/app\/instance"\]$/m);
    });

    it("runs the app's own Dockerfile read-only when the stage it builds declares VOLUME /tmp (the Dash template does), and writable when it declares none", () => {
        expect(container("finance").readonlyRootFilesystem).to.equal(true);
        expect(writable("finance")).to.deep.equal(["/tmp"]);
        expect(container("plain")).not.to.have.property("readonlyRootFilesystem");
        expect(container("plain")).not.to.have.property("mountPoints");
    });

    it("lets the stack file turn it off for a generated image, and on for a Dockerfile without VOLUME, with its further folders", () => {
        expect(container("blog-open")).not.to.have.property("readonlyRootFilesystem");
        expect(container("blog-open")).not.to.have.property("mountPoints");
        expect(container("locked").readonlyRootFilesystem).to.equal(true);
        expect(writable("locked")).to.deep.equal(["/tmp", "/app/cache"]);
    });

    it("runs the portal read-only, /tmp writable (its Dockerfile's one VOLUME)", () => {
        expect(container("portal").readonlyRootFilesystem).to.equal(true);
        expect(writable("portal")).to.deep.equal(["/tmp"]);
        expect(fs.readFileSync(path.join(APPS, "portal", "Dockerfile"), "utf8")).to.match(/^VOLUME \["\/tmp"\]$/m);
    });
});
