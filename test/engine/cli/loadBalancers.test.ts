/**
 * Dashboards over several load balancers on the real Pulumi engine, where the program reads the
 * last deployment's `routing` output back through a reference to the stack itself (index.ts):
 *
 * - a single-ALB stack deployed by the release before load balancers were several upgrades with
 *   no change to any resource but the portal's: load balancer 0 keeps every name it had. The
 *   portal is rebuilt on purpose (a release note): its catalogue moved from its task definition,
 *   which holds 64 KiB, into its image, so its image, task definition and service change;
 * - with two dashboards per load balancer, removing a dashboard from the first load balancer moves
 *   none of the others (those on the second stay there, though they would fit on the first now),
 *   and a dashboard added later takes the free place; each step is then steady
 *   (`preview --expect-no-changes`).
 */
import { expect } from "chai";
import * as path from "path";
import { parse, stringify } from "yaml";
import * as fs from "fs";
import { EngineWorkspace, LINKED, REPO, sourcesAt, tail, THROTTLE_ALARMS, TLS_POLICY_UPDATE, USAGE_STATISTICS_CREATES } from "./workspace";

/** The last commit of main before dashboards could be spread over several load balancers. */
const RELEASED_WITH_ONE_LOAD_BALANCER = "5a7f232662c12842288527d7fb9c017baf569e9b";

interface PreviewJson {
    steps?: { op: string; urn: string }[];
}
type Routing = Record<string, { loadBalancer: number; priority: number }>;

const nameOf = (urn: string) => urn.split("::").pop()!;
/** Steps that change something in the cloud (not `same`, nor the read of the stack's own outputs). */
const changes = (preview: PreviewJson) => (preview.steps ?? []).filter((s) => s.op !== "same" && s.op !== "read");

describe("a single-ALB stack upgrading to several load balancers (real engine)", function () {
    this.timeout(1_800_000);
    let ws: EngineWorkspace;
    const run = (args: string[]) => ws.pulumi(["--stack", "prod", ...args]);

    before(() => {
        ws = new EngineWorkspace("lb-upgrade");
        ws.linkSources(sourcesAt(RELEASED_WITH_ONE_LOAD_BALANCER, path.join(ws.dir, "released")));
        ws.addStack("prod");
    });
    after(() => ws?.dispose());

    it("deploys prod with the release that had one load balancer", () => {
        expect(ws.pulumi(["stack", "init", "prod", "--secrets-provider", "passphrase"]).code).to.equal(0);
        const r = run(["up", "--yes", "--skip-preview"]);
        expect(r.code, tail(r)).to.equal(0);
    });

    it("previews the upgrade with no change to any resource but the portal's: load balancer 0 keeps its names", () => {
        // The program's sources of this checkout, and its portal; the dashboards' folders stay the
        // release's (a changed app folder rebuilds its image, by design, and a checkout has files a release lacks).
        ws.linkSources(REPO, LINKED.filter((name) => name !== "apps"));
        // A copy (a symlink out of apps/ is refused), without what the build never sees.
        const portal = path.join(ws.dir, "released", "apps", "portal");
        fs.rmSync(portal, { recursive: true, force: true });
        fs.cpSync(path.join(REPO, "apps", "portal"), portal, { recursive: true, filter: (src) => !/[/\\](node_modules|dist|test-results)$/.test(src) });
        const r = run(["preview", "--json"]);
        expect(r.code, tail(r)).to.equal(0);
        expect(changes(JSON.parse(r.stdout) as PreviewJson).map((s) => `${s.op} ${s.urn.split("::")[2].split("$").pop()} ${nameOf(s.urn)}`).sort()).to.deep.equal([
            "replace aws:ecs/taskDefinition:TaskDefinition portal-task",
            "update aws:ecs/service:Service portal-service",
            "update docker-build:index:Image portal-image",
            // Usage statistics came later: new resources of their own, the trigger's new settings, and its read of the salt.
            ...USAGE_STATISTICS_CREATES,
            "update aws:lambda/function:Function auth-pre-token",
            "update aws:iam/rolePolicy:RolePolicy auth-pre-token-policy",
            // Sign-out came to refuse anything but a page load: its code changed, so the function is updated in place.
            "update aws:lambda/function:Function sign-out-fn",
            // The post-quantum TLS policy, in place; and, prod having alarm emails, the throttle alarms.
            TLS_POLICY_UPDATE,
            ...THROTTLE_ALARMS.map((a) => `create ${a}`),
        ].sort());
    });

    it("pulumi up then records the routing (every dashboard on load balancer 0) and nothing is left to change", () => {
        const up = run(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up)).to.equal(0);
        const outputs = JSON.parse(run(["stack", "output", "--json"]).stdout);
        const routing = outputs.routing as Routing;
        expect(Object.keys(routing).sort()).to.deep.equal(["explorer", "kpis", "portal", "ridge-lasso", "sentiment"]);
        expect(Object.values(routing).every((r) => r.loadBalancer === 0)).to.equal(true);
        expect(Object.keys(outputs.loadBalancerDnsNames)).to.deep.equal(["0"]);
        const again = run(["preview", "--expect-no-changes"]);
        expect(again.code, tail(again)).to.equal(0);
    });
});

describe("dashboards stay on their load balancer when others come and go (real engine)", function () {
    this.timeout(1_800_000);
    let ws: EngineWorkspace;
    const run = (args: string[]) => ws.pulumi(["--stack", "dev", ...args]);
    const base = parse(fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8"));
    /** Dev's stack file with two dashboards per load balancer and the dashboards `edit` leaves. */
    const stackFile = (edit: (dashboards: Record<string, unknown>[]) => Record<string, unknown>[]) => {
        const doc = structuredClone(base);
        doc.config["dashboards:loadBalancer"] = { ...doc.config["dashboards:loadBalancer"], maxDashboards: 2 };
        doc.config["dashboards:dashboards"] = edit(doc.config["dashboards:dashboards"]);
        return stringify(doc);
    };
    const routing = () => JSON.parse(run(["stack", "output", "--json"]).stdout).routing as Routing;
    let first: Routing;

    before(() => {
        ws = new EngineWorkspace("lb-stable");
        ws.addStack("dev", stackFile((d) => d));
    });
    after(() => ws?.dispose());

    it("deploys four dashboards over two load balancers: the first two (and the portal) on 0, the others on 1", () => {
        expect(ws.pulumi(["stack", "init", "dev", "--secrets-provider", "passphrase"]).code).to.equal(0);
        const up = run(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up)).to.equal(0);
        first = routing();
        expect(Object.fromEntries(Object.entries(first).map(([n, r]) => [n, r.loadBalancer]))).to.deep.equal({ "ridge-lasso": 0, sentiment: 0, explorer: 1, kpis: 1, portal: 0 });
        const albs = ws.cloudResources().filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer");
        expect(albs).to.have.length(2);
    });

    it("removing a dashboard of load balancer 0 touches none of the others: those on 1 stay there", () => {
        ws.addStack("dev", stackFile((list) => list.filter((d) => d.name !== "ridge-lasso")));
        const r = run(["preview", "--json"]);
        expect(r.code, tail(r)).to.equal(0);
        const steps = changes(JSON.parse(r.stdout) as PreviewJson);
        const touched = (d: string) => steps.filter((s) => s.urn.includes(`DashboardService::${d}`) || s.urn.includes(`$dashboards:index:DashboardService$`) && nameOf(s.urn).startsWith(`${d}-`));
        for (const d of ["sentiment", "explorer", "kpis"]) expect(touched(d).map((s) => `${s.op} ${nameOf(s.urn)}`), d).to.deep.equal([]);
        // Nothing of either load balancer changes; ridge-lasso's resources go.
        expect(steps.filter((s) => s.urn.includes("$dashboards:index:DashboardCluster$")).map((s) => `${s.op} ${nameOf(s.urn)}`)).to.deep.equal([]);
        expect(steps.filter((s) => s.op === "delete").every((s) => nameOf(s.urn).startsWith("ridge-lasso") || nameOf(s.urn) === "auth-client-ridge-lasso" || nameOf(s.urn) === "auth-access-ridge-lasso"), steps.map((s) => `${s.op} ${nameOf(s.urn)}`).join("\n")).to.equal(true);
        const up = run(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up)).to.equal(0);
        const after = routing();
        for (const d of ["sentiment", "explorer", "kpis", "portal"]) expect(after[d], d).to.deep.equal(first[d]);
        expect(after["ridge-lasso"]).to.equal(undefined);
        const again = run(["preview", "--expect-no-changes"]);
        expect(again.code, tail(again)).to.equal(0);
    });

    it("a dashboard added later takes the free place on load balancer 0, and the others keep theirs", () => {
        ws.addStack("dev", stackFile((list) => [...list.filter((d) => d.name !== "ridge-lasso"), { name: "churn", framework: "dash", app: "dash", accessGroups: ["analysts"] }]));
        const up = run(["up", "--yes", "--skip-preview"]);
        expect(up.code, tail(up)).to.equal(0);
        const after = routing();
        expect(after.churn.loadBalancer).to.equal(0);
        for (const d of ["sentiment", "explorer", "kpis", "portal"]) expect(after[d], d).to.deep.equal(first[d]);
        const again = run(["preview", "--expect-no-changes"]);
        expect(again.code, tail(again)).to.equal(0);
    });
});
