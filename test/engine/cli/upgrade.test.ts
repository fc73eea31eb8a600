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
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as path from "path";
import { EngineWorkspace, LINKED, REPO, sourcesAt, tail } from "./workspace";

/** The last release of main before DashboardPlatform (index.ts composed the components itself). */
const RELEASED_BEFORE_PLATFORM = "a94a753e0ceaa913b76c0c0a181c3a38e50d7b66";
const PLATFORM_TYPE = "dashboards:index:DashboardPlatform";

/** What `pulumi preview --json` prints: the steps that change something, and a count of each op. */
interface PreviewJson {
    steps?: { op: string; urn: string }[];
    changeSummary?: Record<string, number>;
}

const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;

for (const stack of ["dev", "prod"]) {
    describe(`${stack}: upgrading a deployed stack to DashboardPlatform (real engine)`, function () {
        this.timeout(1_800_000);
        let ws: EngineWorkspace;
        let deployedUrns: string[] = [];
        let deployedCloud: string[] = [];
        let deployedCount = 0;
        const run = (args: string[]) => ws.pulumi(["--stack", stack, ...args]);
        const stateResources = () => {
            const r = run(["stack", "export"]);
            expect(r.code, tail(r)).to.equal(0);
            return JSON.parse(r.stdout).deployment.resources as { urn: string; custom?: boolean; type: string }[];
        };
        /** URNs of the deployed AWS resources (not components, providers or the stack). */
        const stateUrns = () => stateResources().filter((x) => x.custom && !x.type.startsWith("pulumi:providers:")).map((x) => x.urn);
        const cloud = () => ws.cloudResources().map((r) => `${r.type} ${r.id}`).sort();

        before(() => {
            ws = new EngineWorkspace(`upgrade-${stack}`);
            ws.linkSources(sourcesAt(RELEASED_BEFORE_PLATFORM, path.join(ws.dir, "released")));
            // The release's stack file: dev's own has since turned on office hours and scale to zero, a
            // configuration change of its own (test/engine/cli/schedule.test.ts deploys it), not layout.
            ws.addStack(stack, execFileSync("git", ["-C", REPO, "show", `${RELEASED_BEFORE_PLATFORM}:Pulumi.${stack}.yaml`], { encoding: "utf8" }));
        });
        after(() => ws?.dispose());

        it(`deploys ${stack} with the released program (components at the top level)`, () => {
            expect(ws.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]).code).to.equal(0);
            const r = run(["up", "--yes", "--skip-preview"]);
            expect(r.code, tail(r)).to.equal(0);
            deployedUrns = stateUrns();
            // Providers are not steps of the change summary.
            deployedCount = stateResources().filter((x) => !x.type.startsWith("pulumi:providers:")).length;
            deployedCloud = cloud();
            expect(deployedUrns.some((u) => u.includes(PLATFORM_TYPE))).to.equal(false);
            expect(deployedUrns.filter((u) => u.includes("::dashboards:index:DashboardCluster$")).length).to.be.above(10);
        });

        it("previews the upgrade as moves only: every deployed resource is the same, only the component itself is new", () => {
            // The program's sources switch to this checkout; apps/ stays at the release. A change to an
            // app's own code rebuilds its image (a deploy of that app), which is not what this test is about.
            ws.linkSources(REPO, LINKED.filter((name) => name !== "apps"));
            const r = run(["preview", "--json"]);
            expect(r.code, tail(r)).to.equal(0);
            const preview = JSON.parse(r.stdout) as PreviewJson;
            const changed = (preview.steps ?? []).filter((s) => s.op !== "same");
            // The one create is DashboardPlatform, a component: a node in the state, nothing in the cloud.
            expect(changed.map((s) => `${s.op} ${typeOf(s.urn)}`)).to.deep.equal([`create ${PLATFORM_TYPE}`]);
            // Every resource in the state (components, AWS resources, the stack) is matched as it is, by alias.
            expect(preview.changeSummary).to.deep.equal({ create: 1, same: deployedCount });
        });

        it("pulumi up of the new layout creates, replaces and deletes nothing in the cloud", () => {
            const r = run(["up", "--yes", "--skip-preview"]);
            expect(r.code, tail(r)).to.equal(0);
            expect(cloud()).to.deep.equal(deployedCloud);
            const urns = stateUrns();
            expect(urns.length).to.equal(deployedUrns.length);
            // Same resources, each now under the platform: old URN with the platform spliced into its type chain.
            const expected = deployedUrns.map((u) => u.replace("::dashboards:index:", `::${PLATFORM_TYPE}$dashboards:index:`)).sort();
            expect([...urns].sort()).to.deep.equal(expected);
        });

        it("then pulumi preview --expect-no-changes passes", () => {
            const r = run(["preview", "--expect-no-changes"]);
            expect(r.code, tail(r)).to.equal(0);
        });
    });
}
