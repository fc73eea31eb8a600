/**
 * Hundreds of dashboards over several load balancers, under the offline plan of the program
 * (index.ts): stable assignment (the 91st added, one removed from the middle: nothing of any other
 * dashboard changes), and a 500-dashboard stack that keeps every invariant a single ALB had and
 * passes the policy pack. The last deployment's outputs are handed to the plan as a reference to
 * the stack itself reads them (test/engine/cli/loadBalancers.test.ts does the same on the real
 * engine).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { ALB_RULE_LIMIT, ALB_TARGET_GROUP_LIMIT } from "../components/loadBalancers";
import { LISTENER_CERTIFICATE_LIMIT } from "../components/certificates";
import { estimateCost } from "../plan/cost";
import { evaluatePlan } from "../policy/offline";
import { Plan, PlannedResource, planConfig } from "../plan/runPlan";
import { devStackWith, ofType } from "./helpers";

const DOMAIN = "dev.dashboards.example.com";
const FRAMEWORKS = ["shiny", "dash", "streamlit", "flask"] as const;

/** `n` dashboards d001..dNNN built from the templates, every fourth scaling to zero when `sleeping`. */
function dashboards(n: number, options: { sleeping?: boolean; without?: string[] } = {}) {
    return Array.from({ length: n }, (_, i) => ({
        name: `d${String(i + 1).padStart(3, "0")}`,
        framework: FRAMEWORKS[i % 4],
        app: FRAMEWORKS[i % 4],
        accessGroups: [["shiny_users"], ["dash_users"], ["analysts"], []][i % 4],
        ...(options.sleeping && i % 4 === 1 ? { minTasks: 0 } : {}),
        // Every tenth has an extra host a certificate must cover on its own load balancer.
        ...(i % 10 === 0 ? { extraHosts: [`eu.d${String(i + 1).padStart(3, "0")}.${DOMAIN}`] } : {}),
    })).filter((d) => !(options.without ?? []).includes(d.name));
}

const plan = (list: object[], previous?: Plan) =>
    planConfig(devStackWith({ "dashboards:dashboards": list }), undefined, previous ? { previousOutputs: { routing: previous.outputs.routing } } : {});

/** Every resource of a dashboard's service (its DashboardService and all below it), by URN. */
function resourcesOf(p: Plan, dashboard: string): Map<string, PlannedResource> {
    const marker = `$dashboards:index:DashboardService::${dashboard}`;
    const own = p.resources.filter((r) => r.urn.endsWith(`DashboardService::${dashboard}`) || (r.parent ?? "").includes(marker) || (r.parent ?? "").endsWith(`::${dashboard}`));
    return new Map(own.map((r) => [r.urn, r]));
}

/** What a resource is in the cloud: its inputs and what it depends on. */
const shape = (r: PlannedResource) => JSON.stringify({ inputs: r.inputs, dependsOn: [...(r.dependsOn ?? [])].sort() });

/** The resources of the load balancer numbered `n` (its ALB, security group, listeners, rules of its own). */
function loadBalancerParts(p: Plan, n: number): PlannedResource[] {
    const prefix = n === 0 ? "dashboards-" : `dashboards-lb${n}-`;
    return p.resources.filter((r) => r.urn.includes("$dashboards:index:DashboardCluster$") && r.name.startsWith(prefix) && !/^dashboards-lb\d+-/.test(n === 0 ? r.name : "") && /alb|http|signed-out|listener-cert/.test(r.name));
}

function expectUnchanged(before: Plan, after: Plan, names: string[]): void {
    for (const name of names) {
        const was = resourcesOf(before, name);
        const now = resourcesOf(after, name);
        expect([...now.keys()].sort(), name).to.deep.equal([...was.keys()].sort());
        expect(was.size, name).to.be.above(8);
        for (const [urn, r] of was) expect(shape(now.get(urn)!), urn).to.equal(shape(r));
    }
}

describe("DashboardPlatform over several load balancers (offline plan of index.ts)", function () {
    this.timeout(300_000);
    let ninety: Plan;
    let ninetyOne: Plan;
    let middleRemoved: Plan;

    before(async () => {
        ninety = await plan(dashboards(90));
        ninetyOne = await plan(dashboards(91), ninety);
        middleRemoved = await plan(dashboards(91, { without: ["d045"] }), ninetyOne);
    });

    it("puts 90 dashboards and the portal on one load balancer, and the 91st on a second", () => {
        expect(ofType(ninety, "aws:lb/loadBalancer:LoadBalancer").map((r) => r.name)).to.deep.equal(["dashboards-alb"]);
        expect(ofType(ninetyOne, "aws:lb/loadBalancer:LoadBalancer").map((r) => r.name).sort()).to.deep.equal(["dashboards-alb", "dashboards-lb1-alb"]);
        const routing = ninetyOne.outputs.routing as Record<string, { loadBalancer: number }>;
        expect(Object.entries(routing).filter(([, r]) => r.loadBalancer === 1).map(([name]) => name)).to.deep.equal(["d091"]);
        expect(routing.portal.loadBalancer).to.equal(0);
    });

    it("adding the 91st changes nothing of the other 90: no target group, rule, DNS record, service or other resource of theirs", () => {
        expectUnchanged(ninety, ninetyOne, dashboards(90).map((d) => d.name));
    });

    it("adding the 91st leaves load balancer 0 (ALB, security group, listeners, certificates, platform rules) as it was", () => {
        const before = loadBalancerParts(ninety, 0);
        expect(before.map((r) => r.name)).to.include.members(["dashboards-alb", "dashboards-alb-sg", "dashboards-https", "dashboards-http", "dashboards-signed-out"]);
        const after = new Map(loadBalancerParts(ninetyOne, 0).map((r) => [r.urn, r]));
        for (const r of before) expect(shape(after.get(r.urn)!), r.urn).to.equal(shape(r));
    });

    it("removing one from the middle changes nothing of any other, and the 91st stays on load balancer 1", () => {
        expectUnchanged(ninetyOne, middleRemoved, dashboards(91, { without: ["d045"] }).map((d) => d.name));
        expect((middleRemoved.outputs.routing as Record<string, { loadBalancer: number }>).d091.loadBalancer).to.equal(1);
        expect(resourcesOf(middleRemoved, "d045").size).to.equal(0);
    });

    it("without the last deployment's routing, the same removal would move the 91st: the reason the program reads it back", async () => {
        const fresh = await plan(dashboards(91, { without: ["d045"] }));
        expect((fresh.outputs.routing as Record<string, { loadBalancer: number }>).d091.loadBalancer).to.equal(0);
    });

    it("points each host's DNS record at its own load balancer and attaches its extra host's certificate to that load balancer's listener", () => {
        const albs = new Map(ofType(ninetyOne, "aws:lb/loadBalancer:LoadBalancer").map((a) => [a.name, a]));
        const records = ofType(ninetyOne, "aws:route53/record:Record").filter((r) => r.inputs.aliases);
        const d091 = records.filter((r) => String(r.inputs.name).includes("d091"));
        expect(d091.map((r) => r.inputs.name).sort()).to.deep.equal([`d091.${DOMAIN}`, `eu.d091.${DOMAIN}`]);
        for (const r of d091) expect(r.inputs.aliases[0].name).to.equal(albs.get("dashboards-lb1-alb")!.outputs.dnsName);
        const d001 = records.find((r) => r.inputs.name === `d001.${DOMAIN}`)!;
        expect(d001.inputs.aliases[0].name).to.equal(albs.get("dashboards-alb")!.outputs.dnsName);
        const listeners = new Map(ofType(ninetyOne, "aws:lb/listener:Listener").map((l) => [l.name, l]));
        const cert = ofType(ninetyOne, "aws:lb/listenerCertificate:ListenerCertificate").find((c) => c.name.includes("eu.d091"))!;
        expect(cert.name).to.equal(`dashboards-lb1-listener-cert-eu.d091.${DOMAIN}`);
        expect(cert.inputs.listenerArn).to.equal(listeners.get("dashboards-lb1-https")!.outputs.arn);
    });
});

describe("500 dashboards (offline plan of index.ts)", function () {
    this.timeout(600_000);
    let big: Plan;

    before(async () => {
        big = await plan(dashboards(500, { sleeping: true }));
    });

    it("spreads them over load balancers of at most 90, none past an ALB's rules, target groups or certificates", () => {
        const albs = ofType(big, "aws:lb/loadBalancer:LoadBalancer");
        const listeners = ofType(big, "aws:lb/listener:Listener");
        const rules = ofType(big, "aws:lb/listenerRule:ListenerRule");
        const groups = ofType(big, "aws:lb/targetGroup:TargetGroup");
        const routing = big.outputs.routing as Record<string, { loadBalancer: number; priority: number }>;
        const perLb = new Map<number, string[]>();
        for (const [name, r] of Object.entries(routing)) perLb.set(r.loadBalancer, [...(perLb.get(r.loadBalancer) ?? []), name]);
        expect(albs).to.have.length(perLb.size);
        for (const [n, names] of perLb) expect(names.filter((x) => x !== "portal").length, `load balancer ${n}`).to.be.at.most(90);
        for (const alb of albs) {
            const own = listeners.filter((l) => l.inputs.loadBalancerArn === alb.outputs.arn);
            expect(own.map((l) => l.inputs.port).sort()).to.deep.equal([443, 80]);
            const https = own.find((l) => l.inputs.port === 443)!;
            const onIt = rules.filter((r) => r.inputs.listenerArn === https.outputs.arn);
            expect(onIt.length, alb.name).to.be.at.most(ALB_RULE_LIMIT);
            // Priorities are unique per listener.
            expect(new Set(onIt.map((r) => r.inputs.priority)).size, alb.name).to.equal(onIt.length);
            const forwarded = new Set(onIt.flatMap((r) => r.inputs.actions.filter((a: any) => a.type === "forward").map((a: any) => a.targetGroupArn)));
            expect(groups.filter((g) => forwarded.has(g.outputs.arn)).length, alb.name).to.be.at.most(ALB_TARGET_GROUP_LIMIT);
            const certs = ofType(big, "aws:lb/listenerCertificate:ListenerCertificate").filter((c) => c.inputs.listenerArn === https.outputs.arn);
            expect(certs.length, alb.name).to.be.at.most(LISTENER_CERTIFICATE_LIMIT);
            // The 404 default and the signed-out page on every load balancer.
            expect(https.inputs.defaultActions[0].fixedResponse.statusCode).to.equal("404");
            expect(onIt.some((r) => r.inputs.conditions[0]?.pathPattern?.values?.[0] === "/signed-out")).to.equal(true);
        }
    });

    it("authenticates before every forward, except each load balancer's one sign-out rule", () => {
        const forwarding = ofType(big, "aws:lb/listenerRule:ListenerRule").filter((r) => r.inputs.actions.some((a: any) => a.type === "forward"));
        const unauthenticated = forwarding.filter((r) => !r.inputs.actions.some((a: any) => a.type.startsWith("authenticate-")));
        expect(unauthenticated.every((r) => /^sign-out(-lb\d+)?-rule$/.test(r.name) && r.inputs.conditions[0].pathPattern.values[0] === "/_dashboards/sign-out")).to.equal(true);
        expect(unauthenticated).to.have.length(ofType(big, "aws:lb/loadBalancer:LoadBalancer").length);
        for (const r of forwarding.filter((x) => !unauthenticated.includes(x))) {
            const order = (t: string) => r.inputs.actions.find((a: any) => a.type.startsWith(t)).order;
            expect(order("authenticate-"), r.name).to.be.below(order("forward"));
        }
    });

    it("gives every host a DNS record at its own load balancer and a certificate on that load balancer's listener", () => {
        const albs = new Map(ofType(big, "aws:lb/loadBalancer:LoadBalancer").map((a) => [a.outputs.dnsName, a]));
        const routing = big.outputs.routing as Record<string, { loadBalancer: number }>;
        const nameOf = (n: number) => (n === 0 ? "dashboards-alb" : `dashboards-lb${n}-alb`);
        const records = new Map(ofType(big, "aws:route53/record:Record").filter((r) => r.inputs.aliases).map((r) => [r.inputs.name, r]));
        const certs = ofType(big, "aws:lb/listenerCertificate:ListenerCertificate").map((c) => c.name);
        for (const d of dashboards(500)) {
            const lb = nameOf(routing[d.name].loadBalancer);
            for (const host of [`${d.name}.${DOMAIN}`, ...(d.extraHosts ?? [])]) {
                expect(albs.get(records.get(host)?.inputs.aliases[0].name)?.name, host).to.equal(lb);
            }
            // <name>.<domain> is under the wildcard every listener has; an extra host has its own on its listener.
            for (const host of d.extraHosts ?? []) expect(certs, host).to.include(`${lb.replace(/-alb$/, "")}-listener-cert-${host}`);
        }
    });

    it("keeps every task definition within ECS's 64 KiB, the portal's too: its catalogue of 500 is in its image", () => {
        // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
        for (const td of ofType(big, "aws:ecs/taskDefinition:TaskDefinition")) expect(Buffer.byteLength(JSON.stringify(td.inputs)), td.name).to.be.below(64 * 1024);
        const portal = ofType(big, "docker-build:index:Image").find((i) => i.name === "portal-image")!;
        const catalogue = JSON.parse(fs.readFileSync(path.join(portal.inputs.context.named["portal-catalogue"].location, "catalogue.json"), "utf8"));
        expect(catalogue.dashboards).to.have.length(500);
    });

    it("scales each dashboard on requests to its own load balancer, and prices every load balancer", () => {
        const albs = ofType(big, "aws:lb/loadBalancer:LoadBalancer");
        const suffixOf = new Map(albs.map((a) => [a.name, a.outputs.arnSuffix]));
        const routing = big.outputs.routing as Record<string, { loadBalancer: number }>;
        const policies = ofType(big, "aws:appautoscaling/policy:Policy").filter((p) => p.inputs.targetTrackingScalingPolicyConfiguration?.predefinedMetricSpecification?.predefinedMetricType === "ALBRequestCountPerTarget");
        expect(policies.length).to.be.at.least(375); // the always-on dashboards (scale-to-zero ones are woken by their waker)
        for (const p of policies) {
            const dashboard = String(p.parent).split("::").pop()!;
            const lb = routing[dashboard].loadBalancer;
            const label: string = p.inputs.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.resourceLabel;
            expect(label.startsWith(`${suffixOf.get(lb === 0 ? "dashboards-alb" : `dashboards-lb${lb}-alb`)}/targetgroup/`), `${dashboard} on ${lb}`).to.equal(true);
        }
        const cost = estimateCost(big);
        const alb = cost.lines.find((l) => l.item === "Application Load Balancer")!;
        expect(alb.monthlyUsd).to.be.closeTo(albs.length * 730 * 0.0225, 0.01);
        expect(alb.basis).to.contain(`${albs.length} ALBs`);
    });

    it("passes the policy pack", () => {
        expect(evaluatePlan(big).map((v) => v.message)).to.deep.equal([]);
    });
});
