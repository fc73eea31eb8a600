import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diagramDot, renderDiagram, renderSvg, svgToPng } from "../../plan/diagram";
import { Plan, planConfig, PROJECT_DIR } from "../../plan/runPlan";
import { devStackWith, runPlanCli, sharedPlan } from "../helpers";

/** The text of one Graphviz node in the SVG (its <g class="node"> with that <title>), or undefined. */
function svgNode(svg: string, nodeId: string): string | undefined {
    const m = new RegExp(`<g id="[^"]+" class="node">\\s*<title>${nodeId}</title>([\\s\\S]*?)</g>`).exec(svg);
    const decode = (t: string) => t.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    return m ? [...m[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => decode(t[1])).join(" | ") : undefined;
}

function pngSize(png: Buffer): { width: number; height: number } {
    expect(png.subarray(0, 8).toString("hex")).to.equal("89504e470d0a1a0a"); // PNG signature
    return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("architecture diagram: office hours", () => {
    it("marks scheduled and scale-to-zero dashboards as dev ships them; an always-on one carries no mark", async () => {
        // Dev: the portal on office hours, every dashboard scales to zero.
        const { svg } = await renderDiagram(await sharedPlan("dev"));
        expect(svgNode(svg, "svc_portal")).to.contain("office hours MON-FRI 07:00–20:00 Europe/Zurich · asleep outside");
        for (const name of ["ridge_lasso", "sentiment", "explorer", "kpis"]) {
            expect(svgNode(svg, `svc_${name}`), name).to.contain("scale to zero · sleeps after 30 min idle · wakes on the first request");
            expect(svgNode(svg, `svc_${name}`), name).not.to.contain("office hours");
        }
        const list = (JSON.parse(devStackWith().config["dashboards:dashboards"]) as Record<string, unknown>[]).map((d) =>
            d.name === "kpis" ? { ...d, minTasks: undefined, schedule: { enabled: false } } : d.name === "explorer" ? { ...d, idleMinutes: 90 } : d);
        const other = await renderDiagram(await planConfig(devStackWith({ "dashboards:dashboards": list })));
        expect(svgNode(other.svg, "svc_kpis")).not.to.match(/office hours|scale to zero/);
        expect(svgNode(other.svg, "svc_explorer")).to.contain("sleeps after 90 min idle");
    });
});

describe("architecture diagram", () => {
    let dev: Plan;
    let svg: string;
    let png: Buffer;
    before(async () => {
        dev = await sharedPlan("dev");
        ({ svg, png } = await renderDiagram(dev));
    });

    it("has a node per dashboard host rule showing its host, the authenticate step and its access groups", () => {
        const groups: Record<string, string> = {
            ridge_lasso: "groups: shiny_users", sentiment: "groups: dash_users", explorer: "groups: analysts", kpis: "any signed-in user", portal: "any signed-in user",
        };
        for (const [name, expected] of Object.entries(groups)) {
            const node = svgNode(svg, `rule_${name}`);
            expect(node, name).to.be.a("string");
            expect(node).to.contain(`${name.replace("_", "-")}.dev.dashboards.example.com`);
            expect(node).to.contain("authenticate-oidc → forward");
            expect(node).to.contain(expected);
        }
    });

    it("has a node per service with its framework, task size, min/max tasks and capacity", () => {
        expect(svgNode(svg, "svc_ridge_lasso")).to.contain("R Shiny · 0.5 vCPU / 1 GB").and.contain("tasks 0–2 · Fargate Spot");
        expect(svgNode(svg, "svc_sentiment")).to.contain("Dash · 0.25 vCPU / 0.5 GB");
        expect(svgNode(svg, "svc_explorer")).to.contain("Streamlit · 0.5 vCPU / 1 GB");
        expect(svgNode(svg, "svc_kpis")).to.contain("Flask · 0.25 vCPU / 0.5 GB");
        expect(svgNode(svg, "svc_portal")).to.contain("tasks 1–4");
    });

    it("shows the listeners, ECR repositories, Cognito with its login domain and Lambda, and the VPC's NAT strategy", () => {
        expect(svgNode(svg, "listener_https")).to.contain("TLS policy ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09");
        expect(svgNode(svg, "listener_http")).to.contain("redirect 301 to HTTPS:443");
        expect(svgNode(svg, "repo_sentiment")).to.contain("dashboards-dev/sentiment");
        expect(svgNode(svg, "pool")).to.contain("admins");
        expect(svgNode(svg, "login")).to.match(/\.auth\.eu-west-1\.amazoncognito\.com/);
        expect(svgNode(svg, "pretoken")).to.contain("Pre-token Lambda");
        expect(svg).to.contain("NAT: none");
    });

    it("is an SVG that resvg parses, and a PNG of a readable size", () => {
        expect(svg.trimStart()).to.match(/^<\?xml[^>]*>\s*<!DOCTYPE svg[\s\S]*<svg /);
        expect(svg.trimEnd()).to.match(/<\/svg>$/);
        expect(() => svgToPng("<svg")).to.throw(); // resvg does reject broken SVG, so the next line means something
        const { width, height } = pngSize(svgToPng(svg, 1));
        expect(width).to.be.above(500);
        expect(height).to.be.above(200);
        expect(png.length).to.be.above(20_000);
        expect(pngSize(png).width).to.be.above(width); // the written PNG is zoomed for sharpness
    });

    it("rejects invalid DOT with Graphviz's message rather than drawing nothing", async () => {
        let error: unknown;
        try {
            await renderSvg("digraph { a -> }");
        } catch (e) {
            error = e;
        }
        expect(String(error)).to.match(/graphviz: .*syntax error/);
    });

    it("is drawn from the plan: a dashboard added to the stack appears, and an edited planned resource changes its node", async () => {
        const dashboards = JSON.parse(devStackWith().config["dashboards:dashboards"]);
        const more = await planConfig(devStackWith({ "dashboards:dashboards": [...dashboards, { name: "churn", framework: "streamlit", app: "streamlit", cpu: 1024, memory: 4096, accessGroups: ["analysts"] }] }));
        const moreSvg = await renderSvg(diagramDot(more));
        expect(svgNode(svg, "rule_churn")).to.equal(undefined);
        expect(svgNode(moreSvg, "rule_churn")).to.contain("churn.dev.dashboards.example.com").and.contain("groups: analysts");
        expect(svgNode(moreSvg, "svc_churn")).to.contain("Streamlit · 1 vCPU / 4 GB");
        expect(svgNode(moreSvg, "repo_churn")).to.contain("dashboards-dev/churn");

        // Edit the planned task definition only (not the stack file): the diagram follows the plan.
        const edited: Plan = structuredClone(dev);
        const task = edited.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.parent?.endsWith("::kpis"))!;
        Object.assign(task.inputs, { cpu: "2048", memory: "8192" });
        expect(diagramDot(edited)).to.contain("2 vCPU / 8 GB");
        expect(diagramDot(dev)).not.to.contain("2 vCPU / 8 GB");
    });

    it("reads access groups from the planned access map: a changed map changes the rule's groups", () => {
        const edited: Plan = structuredClone(dev);
        const kpis = edited.resources.find((r) => r.type === "aws:ssm/parameter:Parameter" && String(r.inputs.value).includes('"dashboard":"kpis"'))!;
        kpis.inputs.value = JSON.stringify({ ...JSON.parse(kpis.inputs.value), accessGroups: ["finance"] });
        expect(diagramDot(edited)).to.match(/kpis\.dev\.dashboards\.example\.com.*groups: finance/);
    });

    it("is written by `npm run plan -- dev --out <dir>` with plan.json, and the CLI prints the cost and the paths", async function () {
        this.timeout(120_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-out-"));
        try {
            const result = await runPlanCli(["dev", "--out", dir]);
            expect(result.status, result.stderr).to.equal(0);
            for (const f of ["diagram.svg", "diagram.png", "plan.json"]) {
                expect(fs.statSync(path.join(dir, f)).size, f).to.be.above(1000);
                expect(result.stdout).to.contain(path.join(dir, f).replace(`${PROJECT_DIR}/`, ""));
            }
            expect(result.stdout).to.match(/Estimated monthly cost \(us-east-1 list prices/);
            expect(result.stdout).to.match(/Total\s+\$36\.19/);
            expect(result.stdout).to.match(/One more dashboard \(0\.25 vCPU \/ 0\.5 GB, 1 task, spot\): \$7\.50\/month/);
            expect((await runPlanCli(["dev", "--bogus"])).status).to.equal(2);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

/** The texts of one Graphviz cluster's label in the SVG (its <g class="cluster"> with that <title>), or undefined. */
function svgCluster(svg: string, clusterId: string): string | undefined {
    const m = new RegExp(`<g id="[^"]+" class="cluster">\\s*<title>${clusterId}</title>([\\s\\S]*?)</g>`).exec(svg);
    return m ? [...m[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1].replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))).join(" | ") : undefined;
}

const DOMAIN = "dev.dashboards.example.com";
const FRAMEWORKS = ["shiny", "dash", "streamlit", "flask"] as const;

/** `n` dashboards d001..dNNN from the templates, as test/dashboardPlatform.loadBalancers.test.ts builds them. */
function manyDashboards(n: number) {
    return Array.from({ length: n }, (_, i) => ({
        name: `d${String(i + 1).padStart(3, "0")}`,
        framework: FRAMEWORKS[i % 4],
        app: FRAMEWORKS[i % 4],
        accessGroups: [["shiny_users"], ["dash_users"], ["analysts"], []][i % 4],
        ...(i % 4 === 1 ? { minTasks: 0 } : {}),
        ...(i % 10 === 0 ? { extraHosts: [`eu.d${String(i + 1).padStart(3, "0")}.${DOMAIN}`] } : {}),
    }));
}

/** Dashboards (the portal not counted) per load balancer, by the ALB's AWS name, from the stack's `routing` output. */
function dashboardsPerAlb(plan: Plan): Map<string, number> {
    const albs = plan.resources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer");
    const nameOf = (n: number) => albs.find((a) => a.name === (n === 0 ? "dashboards-alb" : `dashboards-lb${n}-alb`))!.inputs.name as string;
    const counts = new Map<string, number>(albs.map((a) => [a.inputs.name as string, 0]));
    for (const [name, r] of Object.entries(plan.outputs.routing as Record<string, { loadBalancer: number }>)) {
        if (name !== "portal") counts.set(nameOf(r.loadBalancer), counts.get(nameOf(r.loadBalancer))! + 1);
    }
    return counts;
}

/** The load balancer clusters of a diagram: `cluster_alb` for the first, `cluster_alb_<i>` after. */
const albClusters = (svg: string) => [...svg.matchAll(/class="cluster">\s*<title>(cluster_alb(?:_\d+)?)<\/title>/g)].map((c) => c[1]);

describe("architecture diagram: many dashboards over several load balancers", function () {
    this.timeout(300_000);
    let big: Plan;
    let svg: string;
    let renderMs: number;
    before(async () => {
        big = await planConfig(devStackWith({ "dashboards:dashboards": manyDashboards(500) }));
        const dot = diagramDot(big);
        const started = Date.now();
        svg = await renderSvg(dot);
        renderMs = Date.now() - started;
    });

    it("renders 500 dashboards in reasonable time, in under 200 nodes", () => {
        expect(renderMs).to.be.below(20_000);
        const nodes = (svg.match(/<g id="[^"]+" class="node">/g) ?? []).length;
        expect(nodes).to.be.above(20).and.below(200);
        expect(svgNode(svg, "repos")).to.contain("501 repositories");
        expect(svgNode(svg, "svc_portal")).to.contain("office hours"); // the portal keeps its own box
        expect(svgNode(svg, "rule_d001")).to.equal(undefined);
        expect(svgNode(svg, "svc_d001")).to.equal(undefined);
    });

    it("draws each load balancer as its own cluster, with its dashboards counted in its label, its listeners and signed-out rule", () => {
        const expected = dashboardsPerAlb(big);
        const clusters = albClusters(svg);
        expect(clusters).to.have.length(big.resources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer").length).and.to.have.length.above(4);
        const seen = new Map<string, number>();
        for (const [i, cluster] of clusters.entries()) {
            const text = svgCluster(svg, cluster)!;
            const m = /Application Load Balancer (\S+) \| (\d+) dashboards?( \+ portal)? · 2 AZs/.exec(text);
            expect(m, text).to.not.equal(null);
            seen.set(m![1], Number(m![2]));
            expect(Boolean(m![3]), cluster).to.equal(i === 0); // the portal is on load balancer 0
            const suffix = i === 0 ? "" : `_${i}`;
            expect(svgNode(svg, `listener_https${suffix}`)).to.contain("default: fixed 404 (unknown host)");
            expect(svgNode(svg, `listener_http${suffix}`)).to.contain("redirect 301 to HTTPS:443");
            expect(svgNode(svg, `rules_${i}`)).to.contain(`${m![2]} host rules: authenticate (1), then forward (2)`);
            expect(svgNode(svg, `svcs_${i}`)).to.contain(`${m![2]} dashboards on ${m![1]}`);
        }
        expect(seen).to.deep.equal(expected);
        expect([...seen.values()].reduce((a, b) => a + b, 0)).to.equal(500);
        const fixed = [...svg.matchAll(/<title>(fixed_\d+)<\/title>/g)].map((t) => svgNode(svg, t[1])!);
        expect(fixed.filter((t) => t.startsWith("path /signed-out"))).to.have.length(clusters.length);
    });

    it("counts the dashboards by framework (they add up to 500), by access group, and those that scale to zero", () => {
        const services = [...svg.matchAll(/<title>(svcs_\d+)<\/title>/g)].map((t) => svgNode(svg, t[1])!);
        const total: Record<string, number> = {};
        for (const text of services) for (const [, n, f] of text.matchAll(/(\d+) (R Shiny|Dash|Streamlit|Flask)\b/g)) total[f] = (total[f] ?? 0) + Number(n);
        expect(total).to.deep.equal({ "R Shiny": 125, Dash: 125, Streamlit: 125, Flask: 125 });
        const asleep = services.reduce((n, t) => n + Number(/(\d+) scale to zero/.exec(t)?.[1] ?? 0), 0);
        expect(asleep).to.equal(125); // every fourth has minTasks: 0
        const rules = [...svg.matchAll(/<title>(rules_\d+)<\/title>/g)].map((t) => svgNode(svg, t[1])!);
        const open = rules.reduce((n, t) => n + Number(/open to all \((\d+)\)/.exec(t)?.[1] ?? 0), 0);
        const analysts = rules.reduce((n, t) => n + Number(/analysts \((\d+)\)/.exec(t)?.[1] ?? 0), 0);
        expect([open, analysts]).to.deep.equal([125, 125]);
    });

    it("draws a 91-dashboard stack over two load balancers, summarised", async () => {
        const ninetyOne = await planConfig(devStackWith({ "dashboards:dashboards": manyDashboards(91) }));
        const small = await renderSvg(diagramDot(ninetyOne));
        const expected = dashboardsPerAlb(ninetyOne);
        expect(albClusters(small)).to.deep.equal(["cluster_alb", "cluster_alb_1"]);
        for (const [i, [name, count]] of [...expected].entries()) {
            expect(svgCluster(small, i === 0 ? "cluster_alb" : `cluster_alb_${i}`)).to.contain(`Application Load Balancer ${name}`).and.contain(`${count} dashboard`);
        }
        expect([...expected.values()].reduce((a, b) => a + b, 0)).to.equal(91);
        expect(svgNode(small, "listener_https_1")).to.contain("HTTPS :443");
    });
});
