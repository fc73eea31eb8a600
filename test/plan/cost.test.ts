import { expect } from "chai";
import { CostEstimate, DEFAULT_ASSUMPTIONS, estimateCost, PRICES, splitTasks } from "../../plan/cost";
import { Plan, PlannedResource, planConfig } from "../../plan/runPlan";
import { devStackWith, sharedPlan } from "../helpers";

// All figures below are worked by hand from plan/prices.json (us-east-1, late 2026) and a
// 730-hour month: ALB $0.0225/h, LCU $0.008/h, NAT $0.045/h + $0.045/GB, public IPv4 $0.005/h,
// Fargate $0.04048 per vCPU-h + $0.004445 per GB-h, Spot 70% off, logs $0.50/GB, alarm $0.10,
// ECR $0.10/GB-month, Cognito Lite $0.0055/MAU after 10,000 free, KMS key $1/month, Lambda $0.20 per million
// requests + $0.0000133334 per GB-s (Arm), GetMetricData $0.01 per 1,000 metrics. Default assumptions: 0.25 LCU,
// 20 GB through NAT, 50 MAU, 1 GB logs per log group running all month, 1 GB per repository, 40 h awake a
// month per scale-to-zero dashboard. Office hours MON-FRI 07:00-20:00 are 65 of 168 hours a week.
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

    it("prices office hours and scale to zero for the hours they run, and says what that saves against around the clock", async () => {
        // Dev as shipped: the portal on office hours, the four dashboards scale to zero.
        // The same stack with neither: every dashboard and the portal one task around the clock.
        const e = estimateCost(await sharedPlan("dev"));
        const defaults = JSON.parse(devStackWith().config["dashboards:defaults"]);
        delete defaults.schedule;
        const dashboards = (JSON.parse(devStackWith().config["dashboards:dashboards"]) as Record<string, unknown>[]).map(({ minTasks: _m, ...d }) => d);
        const always = estimateCost(await planConfig(devStackWith({ "dashboards:defaults": defaults, "dashboards:dashboards": dashboards }, ["dashboards:portal"])));
        expect(always.notes.join("\n")).not.to.match(/Office hours|Scale to zero|Against running/);
        // 65.856 as before scale to zero + 5 services x 2 target-tracking policies x 2 alarms x 0.10
        // + their login metrics, 5 x 2 x 176 h / 730 h x 0.30 = 0.723288, + the operations dashboard 3, + the usage salt's key 1
        expect(always.totalUsd).to.be.closeTo(72.579288, CENT);
        expect(e.notes).to.include(`Against running every service around the clock ($${always.totalUsd.toFixed(2)}), the hours they sleep save $${(always.totalUsd - e.totalUsd).toFixed(2)}/month.`);
        expect(e.notes).to.include("Office hours: 1 service priced for the hours they run (MON-FRI 07:00-20:00 Europe/Zurich), 65 h a week on average.");
        expect(Object.fromEntries(e.services.map((s) => [s.name, s.hours]))).to.deep.equal({
            explorer: "scale to zero, 40 h awake (assumed)",
            kpis: "scale to zero, 40 h awake (assumed)",
            sentiment: "scale to zero, 40 h awake (assumed)",
            "ridge-lasso": "scale to zero, 40 h awake (assumed)",
            portal: "MON-FRI 07:00-20:00 Europe/Zurich",
        });
    });

    it("prices a scale-to-zero dashboard nobody opens at its repository, alarms and idle checks: no task, no public IPv4", async () => {
        const e = estimateCost(await sharedPlan("dev"));
        // Asleep all month: 8,760 checks x ($0.2e-6 + 0.05 GB-s x $0.0000133334) = $0.007592, + ECR 1 GB x $0.10,
        // + their log lines 8,760 x 300 B x $0.50/GB = $0.001314, + the CPU policy's two alarms $0.20 = $0.308906.
        const note = e.notes.find((n) => n.startsWith("Scale to zero:"))!;
        expect(note).to.equal("Scale to zero: 4 dashboards (explorer, kpis, ridge-lasso, sentiment) priced for 40 h awake a month (assumed). " +
            "One that nobody opens costs $0.31/month beyond the shared load balancer (its repository, its CPU policy's two alarms, idle checks and their logs): no task and no public IPv4 while asleep.");
        // Adding one that nobody opens adds that much, and nothing for Fargate or IPv4.
        const asleep = { ...DEFAULT_ASSUMPTIONS, awakeHoursPerMonth: 0 };
        const base = estimateCost(await sharedPlan("dev"), asleep);
        const dashboards = JSON.parse(devStackWith().config["dashboards:dashboards"]);
        const more = estimateCost(await planConfig(devStackWith({ "dashboards:dashboards": [...dashboards, { name: "churn", framework: "dash", app: "dash", minTasks: 0 }] })), asleep);
        expect(more.totalUsd - base.totalUsd).to.be.closeTo(0.007592 + 0.1 + 0.001314 + 0.2, 1e-4);
        expect(more.totalUsd - base.totalUsd).to.be.at.most(0.5);
        expect(line(more, "Fargate Spot")).to.be.closeTo(line(base, "Fargate Spot"), 1e-9);
        expect(line(more, "Public IPv4")).to.be.closeTo(line(base, "Public IPv4"), 1e-9);
    });

    describe("dev (no NAT, 2 AZs, Fargate Spot, office hours and scale to zero)", () => {
        let e: CostEstimate;
        before(async () => {
            e = estimateCost(await sharedPlan("dev"));
        });

        it("prices each line by hand", () => {
            expect(line(e, "Application Load Balancer")).to.be.closeTo(16.425, CENT); // 730 x 0.0225
            expect(line(e, "ALB capacity units")).to.be.closeTo(1.46, CENT); // 0.25 LCU x 730 x 0.008
            expect(line(e, "NAT gateways")).to.equal(0); // strategy None
            expect(line(e, "NAT data processing")).to.equal(0);
            // 2 ALB addresses + tasks with public IPs on average: the portal 65/168 (0.386905), four
            // scale-to-zero dashboards 40/730 each (0.054795): 2.606085 x 730 x 0.005 = 9.51221
            expect(line(e, "Public IPv4 addresses")).to.be.closeTo(9.51221, CENT);
            expect(line(e, "Fargate on-demand")).to.equal(0);
            // Task-months on Spot: 0.5 vCPU / 1 GB = 18.02005 x 0.3 = 5.406015; 0.25 / 0.5 = 9.010025 x 0.3 = 2.7030075.
            // portal 2.7030075 x 0.386905 + ridge-lasso and explorer 2 x 5.406015 x 0.054795
            // + sentiment and kpis 2 x 2.7030075 x 0.054795 = 1.04581 + 0.59244 + 0.29622 = 1.93447
            expect(line(e, "Fargate Spot")).to.be.closeTo(1.93447, CENT);
            expect(line(e, "Cognito")).to.equal(0); // 50 MAU < 10,000 free
            // The login Lambda's group 1 GB + part-time services 0.386905 + 4 x 0.054795 GB + 4 wakers x 8,760 lines x 300 B
            // = 1 + 0.606085 + 0.010512 = 1.616597 GB x 0.50
            expect(line(e, "CloudWatch Logs")).to.be.closeTo(0.80830, CENT);
            // 4 x (8,760 x (0.2e-6 + 0.05 x 0.0000133334) + 480 awake checks x 2 metrics x 0.01/1,000) = 4 x 0.017192
            expect(line(e, "Wakers")).to.be.closeTo(0.068768, 1e-4);
            // No alarm emails in dev, so no alarms of its own; target tracking keeps 2 per policy:
            // the portal's CPU and request policies 4, each scale-to-zero dashboard's CPU policy 2: 12 x 0.10
            expect(line(e, "CloudWatch alarms")).to.be.closeTo(1.2, CENT);
            expect(line(e, "ECR storage")).to.be.closeTo(0.5, CENT); // 5 repositories x 1 GB x 0.10
            expect(line(e, "Route 53")).to.equal(0); // existing zone, alias records only
            expect(line(e, "KMS keys")).to.be.closeTo(1, CENT); // the usage salt's key (no alarm topic, so not its key)
            // The operations dashboard: 5 rows of 12 metrics and the load balancer's 2, past the free tier's 50.
            expect(line(e, "Operations dashboards")).to.equal(3);
            // Logins and Denied in the hours with sign-ins: the portal 176 h, the four scale-to-zero ones their 40 awake
            // hours: 2 x (176 + 4 x 40) / 730 x 0.30 = 0.276164
            expect(line(e, "Login metrics")).to.be.closeTo(0.276164, 1e-6);
            // 16.425 + 1.46 + 9.51221 + 1.93447 + 0.80830 + 0.06877 + 1.2 + 0.5 + 1 + 3 + 0.27616 = 36.18491
            expect(e.totalUsd).to.be.closeTo(36.1849, CENT);
            // The idle-cost issue's target, <= $35, was for the platform before usage statistics (its operations dashboard $3, the salt's key $1).
            expect(e.totalUsd - line(e, "Operations dashboards") - line(e, "KMS keys")).to.be.at.most(35);
        });

        it("prices one more smallest dashboard on Spot with a public IP", () => {
            // (0.25 x 0.04048 + 0.5 x 0.004445) x 730 = 9.010025; x 0.3 = 2.7030
            // + IPv4 3.65 + logs 0.50 + ECR 0.10 + its two target-tracking policies' 4 alarms 0.40
            // + its login metrics 2 x 176 / 730 x 0.30 = 0.144658: 7.497666
            expect(e.marginal.capacity).to.equal("spot");
            expect(e.marginal.totalUsd).to.be.closeTo(7.4977, CENT);
        });

        it("grows by exactly that marginal figure when such a dashboard is added to the plan", async () => {
            const dashboards = JSON.parse(devStackWith().config["dashboards:dashboards"]);
            // Around the clock (dev's defaults.schedule would put it on office hours).
            const more = estimateCost(await planConfig(devStackWith({ "dashboards:dashboards": [...dashboards, { name: "churn", framework: "dash", app: "dash", schedule: { enabled: false } }] })));
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
            // 2 of the stack per service x 5, + 2 throttles (login check, sign-out) = 12; + 2 target-tracking policies x 2 alarms per service x 5 = 32 x 0.10
            expect(line(e, "CloudWatch alarms")).to.be.closeTo(3.2, CENT);
            expect(line(e, "KMS keys")).to.be.closeTo(2, CENT); // the alarm topic's customer-managed key and the usage salt's
            // Logins and Denied of 5 services in 176 h each: 5 x 2 x 176 / 730 x 0.30 = 0.723288
            expect(line(e, "Login metrics")).to.be.closeTo(0.723288, 1e-6);
            // 16.425 + 1.46 (0.25 LCU) + 98.55 + 0.9 + 21.9 + 234.26065 + 3 + 3.2 (alarms) + 2 (KMS) + 0.5 + 0.72329 + 3 (operations dashboard) = 385.91894
            expect(e.totalUsd).to.be.closeTo(385.9189, CENT);
        });

        it("prices one more smallest dashboard on demand, with its two alarms", () => {
            // 9.010025 on demand + logs 0.50 + ECR 0.10 + 2 alarms 0.20 + 4 target-tracking alarms 0.40 + login metrics 0.144658 = 10.354683
            expect(e.marginal.capacity).to.equal("on-demand");
            expect(e.marginal.totalUsd).to.be.closeTo(10.3547, CENT);
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
            // 16.425 + 1.46 + 32.85 + 0.9 + 14.6 + 54.06015 + 16.218045 + 11 (no log groups, repositories, records) = 147.513195
            expect(e.totalUsd).to.be.closeTo(147.5132, CENT);
            // Marginal: 1 task of a mixed strategy = its base, on demand; no public IP, log group or repository here; its two policies would keep 4 alarms (0.40).
            expect(e.marginal.capacity).to.equal("mixed");
            expect(e.marginal.totalUsd).to.be.closeTo(9.4100, CENT);
        });

        it("prices users who sign in through company SSO (SAML or OIDC) at the federated rate, with its own 50 free", () => {
            const withSso = (type: string): Plan => ({ ...plan, resources: [...plan.resources, res("aws:cognito/identityProvider:IdentityProvider", "idp", { providerName: "Corp", providerType: type })] });
            for (const type of ["SAML", "OIDC"]) {
                const e = estimateCost(withSso(type), { ...DEFAULT_ASSUMPTIONS, cognitoMau: 500 });
                expect(line(e, "Cognito"), type).to.be.closeTo(6.75, CENT); // (500 - 50) x 0.015, where direct sign-in would be free under 10,000
                expect(e.lines.filter((l) => l.item.startsWith("Cognito")).map((l) => l.item), type).to.deep.equal(["Cognito user pool (LITE), federated sign-in"]);
            }
            expect(line(estimateCost(withSso("SAML"), { ...DEFAULT_ASSUMPTIONS, cognitoMau: 50 }), "Cognito")).to.equal(0);
            // Social providers (Google, ...) are billed as direct sign-in.
            expect(line(estimateCost(withSso("Google"), { ...DEFAULT_ASSUMPTIONS, cognitoMau: 500 }), "Cognito")).to.equal(0);
        });
    });
});
