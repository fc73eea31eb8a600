import { expect } from "chai";
import { CostEstimate, DEFAULT_ASSUMPTIONS, estimateCost, PRICES, splitTasks } from "../../plan/cost";
import { Plan, PlannedResource, planConfig } from "../../plan/runPlan";
import { devStackWith, sharedPlan } from "../helpers";

// All figures below are worked by hand from plan/prices.json (us-east-1, late 2026) and a
// 730-hour month: ALB $0.0225/h, LCU $0.008/h, NAT $0.045/h + $0.045/GB, public IPv4 $0.005/h,
// Fargate $0.04048 per vCPU-h + $0.004445 per GB-h, Spot 70% off, logs $0.50/GB, alarm $0.10,
// ECR $0.10/GB-month, Cognito Lite $0.0055/MAU after 10,000 free, KMS key $1/month. Default assumptions: 1 LCU,
// 20 GB through NAT, 50 MAU, 1 GB logs per log group, 1 GB per repository.
const line = (e: CostEstimate, item: string) => {
    const found = e.lines.find((l) => l.item.startsWith(item));
    if (!found) throw new Error(`no cost line ${item}: ${e.lines.map((l) => l.item).join(", ")}`);
    return found.monthlyUsd;
};
const CENT = 0.005;

describe("cost estimate", () => {
    it("uses the prices of FIELD-NOTES 'Prices' (one data file, with sources)", () => {
        expect(PRICES.region).to.equal("us-east-1");
        expect(PRICES.hoursPerMonth).to.equal(730);
        expect(PRICES.prices.fargateVcpuHour.usd).to.equal(0.04048);
        expect(PRICES.prices.fargateGbHour.usd).to.equal(0.004445);
        expect(PRICES.prices.albHour.usd).to.equal(0.0225);
        expect(PRICES.prices.natGatewayHour.usd).to.equal(0.045);
        expect(PRICES.prices.publicIpv4Hour.usd).to.equal(0.005);
        for (const [key, p] of Object.entries(PRICES.prices)) expect(p.source, key).to.match(/^https:\/\/aws\.amazon\.com\//);
    });

    it("places tasks over a capacity strategy like ECS: bases first, the rest by weight", () => {
        expect(splitTasks([{ capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 }], 2)).to.deep.equal({ onDemand: 0, spot: 2 });
        // mixed, 3 tasks: base 1 on demand, remaining 2 split 1:3 -> 0.5 on demand, 1.5 Spot.
        expect(splitTasks([{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 }], 3)).to.deep.equal({ onDemand: 1.5, spot: 1.5 });
        expect(splitTasks([], 2)).to.deep.equal({ onDemand: 2, spot: 0 });
    });

    it("counts ECR storage only for dashboards with their own repository: none for a prebuilt image, kept for one pinned by digest", async () => {
        const digest = `sha256:${"ef56".repeat(16)}`;
        const list = (JSON.parse(devStackWith().config["dashboards:dashboards"]) as Record<string, unknown>[]).map((d) => {
            if (d.name === "sentiment") { const { app: _app, ...rest } = d; return { ...rest, image: `public.ecr.aws/acme/sentiment@${digest}` }; }
            return d.name === "kpis" ? { ...d, imageDigest: digest } : d;
        });
        const e = estimateCost(await planConfig(devStackWith({ "dashboards:dashboards": list })));
        expect(line(e, "ECR storage")).to.be.closeTo(0.4, CENT); // 4 repositories (3 dashboards + portal) x 1 GB x 0.10
    });

    it("prices a dashboard on office hours for the hours it runs, and says what that saves against around the clock", async () => {
        // All four dev dashboards MON-FRI 07:00-20:00: 65 h of 168 a week; the portal stays on.
        const always = estimateCost(await sharedPlan("dev"));
        const e = estimateCost(await planConfig(devStackWith({ "dashboards:defaults": { ...JSON.parse(devStackWith().config["dashboards:defaults"] ?? "{}"), schedule: { start: "07:00", stop: "20:00", timeZone: "Europe/Zurich" } } })));
        const share = 65 / 168;
        // Dev runs everything on Spot with public IPs: Fargate and task IPv4 scale with the hours, the portal's do not.
        const portal = always.services.find((s) => s.name === "portal")!.monthlyUsd;
        const dashboards = always.services.filter((s) => s.name !== "portal").reduce((n, s) => n + s.monthlyUsd, 0);
        expect(line(e, "Fargate Spot")).to.be.closeTo(portal + dashboards * share, CENT * 2);
        const ipv4Always = line(always, "Public IPv4");
        expect(line(e, "Public IPv4")).to.be.closeTo(ipv4Always - 4 * 730 * 0.005 * (1 - share), CENT * 2);
        expect(e.services.find((s) => s.name === "kpis")!.hours).to.equal("MON-FRI 07:00-20:00 Europe/Zurich");
        const saving = always.totalUsd - e.totalUsd;
        expect(saving).to.be.above(10);
        expect(e.notes.join("\n")).to.contain(`Office hours: 4 dashboards priced for the hours they run (MON-FRI 07:00-20:00 Europe/Zurich), 65 h a week on average: $${saving.toFixed(2)}/month less than around the clock.`);
        expect(always.notes.join("\n")).not.to.contain("Office hours");
    });

    describe("dev (no NAT, 2 AZs, Fargate Spot, one task each)", () => {
        let e: CostEstimate;
        before(async () => {
            e = estimateCost(await sharedPlan("dev"));
        });

        it("prices each line by hand", () => {
            expect(line(e, "Application Load Balancer")).to.be.closeTo(16.425, CENT); // 730 x 0.0225
            expect(line(e, "ALB capacity units")).to.be.closeTo(5.84, CENT); // 1 LCU x 730 x 0.008
            expect(line(e, "NAT gateways")).to.equal(0); // strategy None
            expect(line(e, "NAT data processing")).to.equal(0);
            // 2 ALB addresses (one per AZ) + 5 tasks with public IPs (4 dashboards + portal) = 7 x 730 x 0.005
            expect(line(e, "Public IPv4 addresses")).to.be.closeTo(25.55, CENT);
            expect(line(e, "Fargate on-demand")).to.equal(0);
            // vCPU 0.5 + 0.25 + 0.5 + 0.25 + 0.25 (portal) = 1.75; GB 1 + 0.5 + 1 + 0.5 + 0.5 = 3.5
            // (1.75 x 0.04048 + 3.5 x 0.004445) x 730 = 63.070675; x 0.3 on Spot = 18.9212
            expect(line(e, "Fargate Spot")).to.be.closeTo(18.9212, CENT);
            expect(line(e, "Cognito")).to.equal(0); // 50 MAU < 10,000 free
            expect(line(e, "CloudWatch Logs")).to.be.closeTo(3, CENT); // 6 log groups (5 services + Lambda) x 1 GB x 0.50
            expect(line(e, "ECR storage")).to.be.closeTo(0.5, CENT); // 5 repositories x 1 GB x 0.10
            expect(line(e, "Route 53")).to.equal(0); // existing zone, alias records only
            expect(e.lines.some((l) => l.item.startsWith("CloudWatch alarms"))).to.equal(false); // no alarm emails in dev
            expect(e.lines.some((l) => l.item.startsWith("KMS keys"))).to.equal(false); // so no alarm topic and no key
            // 16.425 + 5.84 + 25.55 + 18.9212 + 3 + 0.5 = 70.2362
            expect(e.totalUsd).to.be.closeTo(70.2362, CENT);
        });

        it("prices one more smallest dashboard on Spot with a public IP", () => {
            // (0.25 x 0.04048 + 0.5 x 0.004445) x 730 = 9.010025; x 0.3 = 2.7030
            // + IPv4 3.65 + logs 0.50 + ECR 0.10 = 6.9530
            expect(e.marginal.capacity).to.equal("spot");
            expect(e.marginal.totalUsd).to.be.closeTo(6.953, CENT);
        });

        it("grows by exactly that marginal figure when such a dashboard is added to the plan", async () => {
            const dashboards = JSON.parse(devStackWith().config["dashboards:dashboards"]);
            const more = estimateCost(await planConfig(devStackWith({ "dashboards:dashboards": [...dashboards, { name: "churn", framework: "dash", app: "dash" }] })));
            expect(more.totalUsd - e.totalUsd).to.be.closeTo(e.marginal.totalUsd, 1e-9);
        });
    });

    describe("prod (NAT per AZ over 3 AZs, on-demand, two tasks each, alarms)", () => {
        let e: CostEstimate;
        before(async () => {
            e = estimateCost(await sharedPlan("prod"));
        });

        it("prices each line by hand", () => {
            expect(line(e, "NAT gateways")).to.be.closeTo(98.55, CENT); // 3 x 730 x 0.045
            expect(line(e, "NAT data processing")).to.be.closeTo(0.9, CENT); // 20 GB x 0.045
            // 3 ALB addresses + 0 tasks (private subnets) + 3 NAT EIPs = 6 x 730 x 0.005
            expect(line(e, "Public IPv4 addresses")).to.be.closeTo(21.9, CENT);
            // vCPU 2x(1 + 0.5 + 1 + 0.5 + 0.25) = 6.5; GB 2x(2 + 1 + 2 + 1 + 0.5) = 13
            // (6.5 x 0.04048 + 13 x 0.004445) x 730 = 0.320905 x 730 = 234.26065
            expect(line(e, "Fargate on-demand")).to.be.closeTo(234.2607, CENT);
            expect(line(e, "Fargate Spot")).to.equal(0);
            expect(line(e, "CloudWatch alarms")).to.be.closeTo(1, CENT); // 2 per service x 5 x 0.10
            expect(line(e, "KMS keys")).to.be.closeTo(1, CENT); // the alarm topic's customer-managed key
            // 16.425 + 5.84 + 98.55 + 0.9 + 21.9 + 234.26065 + 3 + 1 (alarms) + 1 (KMS) + 0.5 = 383.37565
            expect(e.totalUsd).to.be.closeTo(383.3757, CENT);
        });

        it("prices one more smallest dashboard on demand, with its two alarms", () => {
            // 9.010025 on demand + logs 0.50 + ECR 0.10 + 2 alarms 0.20 = 9.810025
            expect(e.marginal.capacity).to.equal("on-demand");
            expect(e.marginal.totalUsd).to.be.closeTo(9.8100, CENT);
        });
    });

    it("lists extra listener certificates at $0: ACM public certificates and attaching them to a listener are free", async () => {
        const dev = estimateCost(await sharedPlan("dev"));
        expect(dev.lines.some((l) => l.item.startsWith("Listener certificates"))).to.equal(false); // dev's hosts are all under the wildcard
        const dashboards = JSON.parse(devStackWith().config["dashboards:dashboards"]);
        dashboards[3].extraHosts = ["eu.kpis.dev.dashboards.example.com", { host: "kpis.example.org", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9" }];
        const e = estimateCost(await planConfig(devStackWith({ "dashboards:dashboards": dashboards })));
        const certificates = e.lines.find((l) => l.item.startsWith("Listener certificates"))!;
        expect(certificates.monthlyUsd).to.equal(0);
        expect(certificates.basis).to.match(/^2 extra certificates on the HTTPS listener/);
        expect(e.totalUsd).to.be.closeTo(dev.totalUsd, 1e-9);
    });

    describe("a tiny synthetic plan (built by hand: the estimate reads nothing but the plan)", () => {
        const res = (type: string, name: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = {}): PlannedResource => ({
            urn: `urn:pulumi:t::p::${type}::${name}`, type, name, custom: true, inputs, secretInputs: [], outputs: { ...inputs, ...outputs },
            protect: false, retainOnDelete: false, dependsOn: [], deleteBeforeReplace: false, additionalSecretOutputs: [],
        });
        const plan: Plan = {
            project: "p", stack: "t", outputs: {},
            resources: [
                res("awsx:ec2:Vpc", "vpc", { numberOfAvailabilityZones: 3, natGateways: { strategy: "Single" } }),
                res("aws:lb/loadBalancer:LoadBalancer", "alb", { subnets: ["a", "b", "c"] }, { arn: "arn:alb" }),
                res("aws:ecs/taskDefinition:TaskDefinition", "td", { cpu: "1024", memory: "2048", containerDefinitions: "[]" }, { arn: "arn:td" }),
                res("aws:ecs/service:Service", "svc", {
                    taskDefinition: "arn:td", desiredCount: 3, networkConfiguration: { assignPublicIp: false },
                    capacityProviderStrategies: [{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 }],
                }, { name: "svc-1" }),
                res("aws:cognito/userPool:UserPool", "pool", { userPoolTier: "LITE" }),
            ],
        };

        it("prices a Single NAT over 3 AZs, a mixed-capacity service and Cognito above the free tier", () => {
            const e = estimateCost(plan, { ...DEFAULT_ASSUMPTIONS, cognitoMau: 12_000 });
            expect(line(e, "NAT gateways")).to.be.closeTo(32.85, CENT); // Single = 1 gateway x 730 x 0.045
            expect(line(e, "Public IPv4 addresses")).to.be.closeTo(14.6, CENT); // (3 ALB + 0 task + 1 NAT) x 730 x 0.005
            // One 1 vCPU / 2 GB task-month: (0.04048 + 2 x 0.004445) x 730 = 36.0401
            // 3 tasks mixed: 1.5 on demand = 54.06015; 1.5 on Spot = 1.5 x 36.0401 x 0.3 = 16.218045
            expect(line(e, "Fargate on-demand")).to.be.closeTo(54.0602, CENT);
            expect(line(e, "Fargate Spot")).to.be.closeTo(16.2180, CENT);
            expect(line(e, "Cognito")).to.be.closeTo(11, CENT); // (12,000 - 10,000) x 0.0055
            // 16.425 + 5.84 + 32.85 + 0.9 + 14.6 + 54.06015 + 16.218045 + 11 (no log groups, repositories, records) = 151.893195
            expect(e.totalUsd).to.be.closeTo(151.8932, CENT);
            // Marginal: 1 task of a mixed strategy = its base, on demand; no public IP, log group or repository here.
            expect(e.marginal.capacity).to.equal("mixed");
            expect(e.marginal.totalUsd).to.be.closeTo(9.0100, CENT);
        });
    });
});
