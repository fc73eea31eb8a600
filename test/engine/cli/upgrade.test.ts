/**
 * Upgrading a deployed stack to the DashboardPlatform layout, on the real Pulumi engine: deploy dev
 * and prod with the program as it was released before DashboardPlatform (every component at the top
 * level of the stack), switch the program's sources (not apps/) to this checkout, and check that the engine moves every
 * resource under the new parent through its aliases: no create, update, replace or delete of any
 * resource that was deployed, the same physical resources in the (fake) cloud, and then nothing
 * left to change.
 *
 * Strict on purpose: the checkout must differ from the release by the layout alone. A later change
 * that alters deployed resources on purpose (a new input, a new resource per dashboard) fails it
 * and must list, here, exactly the steps it expects with the reason, like a release note does.
 *
 * Since the release, on purpose (the release notes of this upgrade):
 * - images are built with the docker-build provider, each from its own app folder with the
 *   platform's helpers as a named context (apps/ moves with the program: its Dockerfiles changed
 *   for the new context). Each built dashboard's docker.Image gives way to a docker-build Image (a
 *   new type, so a create and a delete; the old resource never deleted pushed images), its task
 *   definition gets a new revision with the new digest, and its service moves to it;
 * - the Dash and Flask presets probe "/" (every such app answers it) instead of "/health" (only
 *   the templates do): the released stack file names no healthCheckPath, so their target groups'
 *   health checks change (today's stack files keep /health for the templates explicitly);
 * - every host gets the platform's sign-out path: a SignOut component with its function, log
 *   group, role, target group and one listener rule, all new;
 * - the login check's access map is split, so that no parameter's size limits the dashboards or
 *   groups: one SSM parameter per app client and one for the admin groups replace the single map
 *   (created, and the old one deleted), and the trigger's code and role policy change to read them;
 * - usage statistics: an operations dashboard, the saved usage queries and the salt of the hashed
 *   user key (with the SecureString the trigger reads it from) are created, and the trigger gets its
 *   usage settings (the same update as above).
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as path from "path";
import { EngineWorkspace, LINKED, REPO, sourcesAt, tail, THROTTLE_ALARMS, TLS_POLICY_UPDATE, USAGE_STATISTICS_CREATES } from "./workspace";

/** The last release of main before DashboardPlatform (index.ts composed the components itself). */
const RELEASED_BEFORE_PLATFORM = "a94a753e0ceaa913b76c0c0a181c3a38e50d7b66";
const PLATFORM_TYPE = "dashboards:index:DashboardPlatform";

/** What `pulumi preview --json` prints: the steps that change something, and a count of each op. */
interface PreviewJson {
    steps?: { op: string; urn: string }[];
    changeSummary?: Record<string, number>;
}

const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
const OLD_IMAGE = "docker:index/image:Image";
const NEW_IMAGE = "docker-build:index:Image";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
/** What the fake cloud holds for a pushed image (engine/providers/shared.ts IMAGE_RECORD). */
const PUSHED_IMAGE = "fake-cloud:ecr/image";
/** What the platform's sign-out adds (components/signOut.ts): type and name of each new resource. */
const SIGN_OUT_RESOURCES = [
    "dashboards:index:SignOut sign-out", "aws:cloudwatch/logGroup:LogGroup sign-out-logs", "aws:iam/role:Role sign-out-role",
    "aws:iam/rolePolicy:RolePolicy sign-out-policy", "aws:lambda/function:Function sign-out-fn", "aws:lb/targetGroup:TargetGroup sign-out-tg",
    "aws:lambda/permission:Permission sign-out-invoke", "aws:lb/targetGroupAttachment:TargetGroupAttachment sign-out-target",
    "aws:lb/listenerRule:ListenerRule sign-out-rule",
];
/** The single access-map parameter of the release, and what the trigger that reads the split map changes. */
const FORMER_ACCESS_MAP = "aws:ssm/parameter:Parameter auth-access-map";
const TRIGGER_CHANGES = ["update aws:lambda/function:Function auth-pre-token", "update aws:iam/rolePolicy:RolePolicy auth-pre-token-policy"];
const PARAMETER = "aws:ssm/parameter:Parameter";
/** The dashboards the released stack files run on the Dash and Flask presets. */
const PRESET_HEALTH_CHANGED = ["kpis-tg", "sentiment-tg"];

for (const stack of ["dev", "prod"]) {
    describe(`${stack}: upgrading a deployed stack to DashboardPlatform (real engine)`, function () {
        this.timeout(1_800_000);
        let ws: EngineWorkspace;
        let deployedUrns: string[] = [];
        let deployedCloud: string[] = [];
        /** The release's stack file, and the throttle alarms its alarm emails bring (prod has them, dev not). */
        const releasedStackFile = execFileSync("git", ["-C", REPO, "show", `${RELEASED_BEFORE_PLATFORM}:Pulumi.${stack}.yaml`], { encoding: "utf8" });
        const throttleAlarms = /^\s*dashboards:alarms:/m.test(releasedStackFile) ? THROTTLE_ALARMS : [];
        const run = (args: string[]) => ws.pulumi(["--stack", stack, ...args]);
        const stateResources = () => {
            const r = run(["stack", "export"]);
            expect(r.code, tail(r)).to.equal(0);
            return JSON.parse(r.stdout).deployment.resources as { urn: string; custom?: boolean; type: string }[];
        };
        /** URNs of the deployed AWS resources (not components, providers, the stack, or its read of its own outputs). */
        const stateUrns = () => stateResources().filter((x) => x.custom && !x.type.startsWith("pulumi:providers:") && x.type !== "pulumi:pulumi:StackReference").map((x) => x.urn);
        const cloud = () => ws.cloudResources().map((r) => `${r.type} ${r.id}`).sort();

        before(() => {
            ws = new EngineWorkspace(`upgrade-${stack}`);
            ws.linkSources(sourcesAt(RELEASED_BEFORE_PLATFORM, path.join(ws.dir, "released")));
            // The release's stack file: dev's own has since turned on office hours and scale to zero, a
            // configuration change of its own (test/engine/cli/schedule.test.ts deploys it), not layout.
            ws.addStack(stack, releasedStackFile);
        });
        after(() => ws?.dispose());

        it(`deploys ${stack} with the released program (components at the top level)`, () => {
            expect(ws.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]).code).to.equal(0);
            const r = run(["up", "--yes", "--skip-preview"]);
            expect(r.code, tail(r)).to.equal(0);
            deployedUrns = stateUrns();
            deployedCloud = cloud();
            expect(deployedUrns.some((u) => u.includes(PLATFORM_TYPE))).to.equal(false);
            expect(deployedUrns.filter((u) => u.includes("::dashboards:index:DashboardCluster$")).length).to.be.above(10);
        });

        it("previews the upgrade as moves, plus exactly the image, task-definition and health-check changes of the release notes", () => {
            // The program's sources switch to this checkout, apps/ included (its Dockerfiles follow the new build context).
            ws.linkSources(REPO, LINKED);
            const r = run(["preview", "--json"]);
            expect(r.code, tail(r)).to.equal(0);
            const preview = JSON.parse(r.stdout) as PreviewJson;
            // A read (the program reading its own last outputs, index.ts) changes nothing.
            const changed = (preview.steps ?? []).filter((s) => s.op !== "same" && s.op !== "read").map((s) => `${s.op} ${typeOf(s.urn)} ${s.urn.split("::").pop()}`).sort();
            const built = deployedUrns.filter((u) => typeOf(u) === OLD_IMAGE).map((u) => u.split("::").pop()!.replace(/-image$/, ""));
            expect(built.length).to.equal(5); // four dashboards and the portal
            const clients = deployedUrns.filter((u) => typeOf(u) === "aws:cognito/userPoolClient:UserPoolClient").map((u) => u.split("::").pop()!.replace(/^auth-client-/, ""));
            expect(clients.sort()).to.deep.equal([...built].sort());
            const expected = [
                // DashboardPlatform, a component: a node in the state, nothing in the cloud.
                `create ${PLATFORM_TYPE} dashboards`,
                ...built.flatMap((d) => [
                    `create ${NEW_IMAGE} ${d}-image`,
                    `delete ${OLD_IMAGE} ${d}-image`,
                    `replace ${TASK_DEFINITION} ${d}-task`,
                    `update aws:ecs/service:Service ${d}-service`,
                ]),
                ...PRESET_HEALTH_CHANGED.map((tg) => `update aws:lb/targetGroup:TargetGroup ${tg}`),
                ...SIGN_OUT_RESOURCES.map((r) => `create ${r}`),
                `delete ${FORMER_ACCESS_MAP}`,
                `create ${PARAMETER} auth-admin-groups`,
                ...clients.map((d) => `create ${PARAMETER} auth-access-${d}`),
                ...TRIGGER_CHANGES,
                ...USAGE_STATISTICS_CREATES,
                TLS_POLICY_UPDATE,
                ...throttleAlarms.map((a) => `create ${a}`),
            ].sort();
            expect(changed).to.deep.equal(expected);
        });

        it("pulumi up of the new layout keeps every other resource where it is in the cloud", () => {
            const r = run(["up", "--yes", "--skip-preview"]);
            expect(r.code, tail(r)).to.equal(0);
            // Everything but task-definition revisions, pushed images, the new sign-out and the access-map parameters is the same physical resource.
            const signOutTypes = new Set([...SIGN_OUT_RESOURCES, ...throttleAlarms, ...USAGE_STATISTICS_CREATES.map((c) => c.replace(/^create /, ""))].map((r) => r.split(" ")[0]));
            const steady = (list: string[]) => list.filter((x) => !x.startsWith(`${TASK_DEFINITION} `) && !x.startsWith(`${PUSHED_IMAGE} `) && !(x.startsWith(`${PARAMETER} `) && x.includes("/auth/access")));
            const after = steady(cloud());
            expect(after.filter((x) => !deployedCloud.includes(x)).map((x) => x.split(" ")[0]).every((type) => signOutTypes.has(type)), after.join("\n")).to.equal(true);
            expect(steady(deployedCloud).filter((x) => !after.includes(x))).to.deep.equal([]);
            const urns = stateUrns();
            // Same resources, each now under the platform: old URN with the platform spliced into its type chain; images of the new type; and the sign-out's.
            const expected = deployedUrns
                .filter((u) => !u.endsWith(`$${PARAMETER}::auth-access-map`))
                .map((u) => u.replace("::dashboards:index:", `::${PLATFORM_TYPE}$dashboards:index:`).replace(`$${OLD_IMAGE}::`, `$${NEW_IMAGE}::`))
                .sort();
            const signOutUrns = urns.filter((u) => u.includes("$dashboards:index:SignOut$"));
            const signOutAlarm = throttleAlarms.filter((a) => a.endsWith(" sign-out-throttles"));
            expect(signOutUrns.map((u) => `${typeOf(u)} ${u.split("::").pop()}`).sort()).to.deep.equal([...SIGN_OUT_RESOURCES.filter((r) => !r.startsWith("dashboards:")), ...signOutAlarm].sort());
            // The login check's throttle alarm, new under CognitoAuth.
            const alarmUrns = urns.filter((u) => !signOutUrns.includes(u) && throttleAlarms.includes(`${typeOf(u)} ${u.split("::").pop()}`));
            expect(alarmUrns).to.have.length(throttleAlarms.length - signOutAlarm.length);
            // The login check's parameters (a Streamlit dashboard's cookie secret is a parameter of its own, unchanged).
            const parameterUrns = urns.filter((u) => typeOf(u) === PARAMETER && /^auth-(admin-groups|access-)/.test(u.split("::").pop()!));
            expect(parameterUrns.map((u) => u.split("::").pop()!).sort()).to.deep.equal(["auth-admin-groups", ...deployedUrns.filter((u) => typeOf(u) === "aws:cognito/userPoolClient:UserPoolClient").map((u) => u.split("::").pop()!.replace(/^auth-client-/, "auth-access-"))].sort());
            // The fake cloud holds the new parameters, and the former map is gone.
            const parameterIds = cloud().filter((x) => x.startsWith(`${PARAMETER} `)).map((x) => x.split(" ")[1]);
            expect(parameterIds.filter((id) => /\/auth\/access\/(admin-groups|clients\/[A-Za-z0-9_]+)$/.test(id))).to.have.length(parameterUrns.length);
            expect(parameterIds.filter((id) => id.endsWith("/auth/access-map"))).to.deep.equal([]);
            const usageUrns = urns.filter((u) => USAGE_STATISTICS_CREATES.includes(`create ${typeOf(u)} ${u.split("::").pop()}`));
            expect(usageUrns).to.have.length(USAGE_STATISTICS_CREATES.length);
            expect(urns.filter((u) => !signOutUrns.includes(u) && !parameterUrns.includes(u) && !usageUrns.includes(u) && !alarmUrns.includes(u)).sort()).to.deep.equal(expected);
        });

        it("then pulumi preview --expect-no-changes passes", () => {
            const r = run(["preview", "--expect-no-changes"]);
            expect(r.code, tail(r)).to.equal(0);
        });
    });
}
