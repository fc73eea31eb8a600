import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackConfigError } from "../components/configError";
import { declaredBeforeFailure, Plan, PlannedResource, planConfig, planStack, PROJECT_DIR } from "../plan/runPlan";
import { devStackWith, one, ofType, runPlanCli, sharedPlan } from "./helpers";

/**
 * The forwarding rules of the dashboards (each must authenticate first), after checking the one
 * rule that may not: the platform's sign-out rule, /_dashboards/sign-out on any host, to its function.
 */
function dashboardRules(plan: Plan): PlannedResource[] {
    const forwarding = ofType(plan, "aws:lb/listenerRule:ListenerRule").filter((r) => r.inputs.actions.some((a: { type: string }) => a.type === "forward"));
    const unauthenticated = forwarding.filter((r) => !r.inputs.actions.some((a: { type: string }) => a.type.startsWith("authenticate-")));
    expect(unauthenticated.map((r) => r.name)).to.deep.equal(["sign-out-rule"]);
    const signOut = unauthenticated[0];
    expect(signOut.urn).to.contain("$dashboards:index:SignOut$aws:lb/listenerRule:ListenerRule::sign-out-rule");
    expect(signOut.inputs.conditions).to.deep.equal([{ pathPattern: { values: ["/_dashboards/sign-out"] } }]);
    const tg = one(plan, "aws:lb/targetGroup:TargetGroup", (r) => r.name === "sign-out-tg");
    expect(tg.inputs).to.include({ targetType: "lambda", lambdaMultiValueHeadersEnabled: true });
    expect(signOut.inputs.actions).to.deep.equal([{ type: "forward", targetGroupArn: tg.outputs.arn }]);
    return forwarding.filter((r) => r !== signOut);
}

describe("the program (index.ts) under the offline plan", () => {
    const plans: Record<string, Plan> = {};
    before(async () => {
        plans.dev = await sharedPlan("dev");
        plans.prod = await sharedPlan("prod");
    });

    for (const stack of ["dev", "prod"]) {
        it(`plans Pulumi.${stack}.yaml: one cluster with its ALB, listeners and ECS cluster`, () => {
            const plan = plans[stack];
            one(plan, "dashboards:index:DashboardCluster");
            one(plan, "aws:lb/loadBalancer:LoadBalancer");
            one(plan, "aws:ecs/cluster:Cluster");
            expect(ofType(plan, "aws:lb/listener:Listener").map((l) => l.inputs.port).sort()).to.deep.equal([443, 80]);
            expect(plan.outputs.albDnsName).to.match(/\.elb\.amazonaws\.com$/);
            expect(plan.outputs.albArn).to.match(/^arn:aws:elasticloadbalancing:eu-west-1:\d{12}:loadbalancer\/app\//);
        });
    }

    for (const stack of ["dev", "prod"]) {
        it(`Pulumi.${stack}.yaml runs every container (each dashboard and the portal) with a read-only root file system, /tmp its one writable folder`, () => {
            const tasks = ofType(plans[stack], "aws:ecs/taskDefinition:TaskDefinition");
            expect(tasks).to.have.length.above(4);
            for (const task of tasks) {
                for (const c of JSON.parse(task.inputs.containerDefinitions)) {
                    expect(c.readonlyRootFilesystem, `${task.name} ${c.name}`).to.equal(true);
                    expect(c.mountPoints.map((m: { containerPath: string }) => m.containerPath), task.name).to.deep.equal(["/tmp"]);
                }
            }
        });
    }

    it("dev is cheap: no NAT gateway, no deletion protection, no access logs", () => {
        const plan = plans.dev;
        expect(one(plan, "awsx:ec2:Vpc").inputs.natGateways).to.deep.equal({ strategy: "None" });
        expect(one(plan, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection).to.equal(false);
        expect(ofType(plan, "aws:s3/bucket:Bucket")).to.have.length(0);
    });

    it("prod is resilient: NAT per AZ over 3 AZs, deletion protection, access logs kept a year", () => {
        const plan = plans.prod;
        expect(one(plan, "awsx:ec2:Vpc").inputs).to.deep.include({ natGateways: { strategy: "OnePerAz" }, numberOfAvailabilityZones: 3 });
        expect(one(plan, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection).to.equal(true);
        expect(one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0].expiration.days).to.equal(365);
    });

    const SERVICE_PARTS = [
        "aws:ecr/repository:Repository", "docker-build:index:Image", "aws:ecs/taskDefinition:TaskDefinition",
        "aws:lb/targetGroup:TargetGroup", "aws:lb/listenerRule:ListenerRule", "aws:ecs/service:Service",
        "aws:appautoscaling/target:Target", "aws:route53/record:Record",
    ];
    const DASHBOARDS = ["ridge-lasso", "sentiment", "explorer", "kpis"];
    const childrenOf = (plan: Plan, component: string) => {
        const parent = one(plan, "dashboards:index:DashboardService", (r) => r.name === component);
        return plan.resources.filter((r) => r.parent === parent.urn);
    };

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every dashboard (and the portal) gets repository, image, task, target group, host rule, service, scaling and DNS`, () => {
            const plan = plans[stack];
            for (const name of [...DASHBOARDS, "portal"]) {
                const types = childrenOf(plan, name).map((r) => r.type);
                for (const part of SERVICE_PARTS) expect(types, `${name}: ${part}`).to.include(part);
            }
            const domain = plan.outputs.domain;
            expect(plan.outputs.dashboardUrls).to.deep.equal(Object.fromEntries(DASHBOARDS.map((d) => [d, `https://${d}.${domain}`])));
            expect(plan.outputs.portalUrl).to.equal(`https://portal.${domain}`);
        });

        it(`${stack}: every listener rule that forwards authenticates first`, () => {
            const plan = plans[stack];
            const forwarding = dashboardRules(plan);
            // One per dashboard and the portal, and a waker's rule per scale-to-zero dashboard (dev: 4).
            const wakers: Record<string, number> = { dev: 4, prod: 0 };
            expect(forwarding).to.have.length(DASHBOARDS.length + 1 + wakers[stack]!);
            for (const rule of forwarding) {
                const actions = [...rule.inputs.actions].sort((a: { order: number }, b: { order: number }) => a.order - b.order);
                expect(actions[0].type, rule.name).to.match(/^authenticate-(oidc|cognito)$/);
                expect(actions[0].order).to.be.below(actions.find((a: { type: string }) => a.type === "forward").order);
            }
            // And the listeners themselves never forward: unknown hosts get a 404, HTTP only redirects.
            for (const listener of ofType(plan, "aws:lb/listener:Listener")) {
                expect(listener.inputs.defaultActions.map((a: { type: string }) => a.type)).not.to.include("forward");
            }
        });
    }

    it("gives each waker an environment its own startup check accepts, naming its own dashboard's resources", async () => {
        // The waker validates its environment at cold start (functions/wakeOnRequest/config.ts); load that very check.
        const { readConfig } = await import("../functions/wakeOnRequest/config");
        const plan = plans.dev;
        for (const name of ["ridge-lasso", "sentiment", "explorer", "kpis"]) {
            const fn = one(plan, "aws:lambda/function:Function", (r) => r.name === `${name}-waker`);
            const config = readConfig(fn.inputs.environment.variables);
            expect(config.serviceName, name).to.equal(one(plan, "aws:ecs/service:Service", (r) => r.name === `${name}-service`).outputs.name);
            expect(config.wakeRuleArn, name).to.equal(one(plan, "aws:lb/listenerRule:ListenerRule", (r) => r.name === `${name}-wake-rule`).outputs.arn);
            expect(config.appRuleArn, name).to.equal(one(plan, "aws:lb/listenerRule:ListenerRule", (r) => r.name === `${name}-rule`).outputs.arn);
            const appPriority = one(plan, "aws:lb/listenerRule:ListenerRule", (r) => r.name === `${name}-rule`).inputs.priority;
            expect(config.wakeRuleAsleepPriority).to.be.below(appPriority);
            expect(config.wakeRuleAwakePriority).to.be.above(appPriority);
            expect(config.displayName).to.equal({ "ridge-lasso": "Ridge & Lasso", sentiment: "Sentiment", explorer: "Data explorer", kpis: "KPIs" }[name]);
            expect(config.portalUrl).to.equal(new URL(String(plan.outputs.portalUrl)).href);
        }
    });

    it("gives the portal a configuration its own startup check accepts, listing every dashboard with its groups", async () => {
        // The portal validates its environment and its catalogue at startup; load that very check,
        // with the catalogue where its image has it (PORTAL_CONFIG_FILE, from the portal-catalogue build context).
        const { loadSettings } = await import("../apps/portal/src/config");
        const dockerfile = fs.readFileSync(path.join(PROJECT_DIR, "apps", "portal", "Dockerfile"), "utf8");
        expect(dockerfile).to.contain("COPY --from=portal-catalogue catalogue.json /app/catalogue.json").and.contain("ENV PORTAL_CONFIG_FILE=/app/catalogue.json");
        for (const stack of ["dev", "prod"]) {
            const task = one(plans[stack], "aws:ecs/taskDefinition:TaskDefinition", (r) => r.name === "portal-task");
            const image = one(plans[stack], "docker-build:index:Image", (r) => r.name === "portal-image");
            const env = Object.fromEntries(JSON.parse(task.inputs.containerDefinitions)[0].environment.map((e: { name: string; value: string }) => [e.name, e.value]));
            const settings = loadSettings({ ...env, PORTAL_CONFIG_FILE: path.join(image.inputs.context.named["portal-catalogue"].location, "catalogue.json") });
            expect(settings.portal.dashboards.map((d: { name: string }) => d.name)).to.deep.equal(DASHBOARDS);
            expect(settings.portal.adminGroups).to.deep.equal(["admins"]);
            const portalClient = one(plans[stack], "aws:cognito/userPoolClient:UserPoolClient", (r) => r.inputs.callbackUrls?.some((u: string) => u.startsWith("https://portal.")));
            expect(env.COGNITO_CLIENT_ID).to.equal(portalClient.id);
        }
    });

    it("tells every task the load balancer's idle timeout, so app servers keep connections open longer (no ALB 502s)", () => {
        for (const [stack, idle] of [["dev", "600"], ["prod", "900"]]) {
            const tasks = ofType(plans[stack], "aws:ecs/taskDefinition:TaskDefinition");
            expect(tasks.length).to.be.greaterThan(4);
            for (const task of tasks) {
                const env = Object.fromEntries(JSON.parse(task.inputs.containerDefinitions)[0].environment.map((e: { name: string; value: string }) => [e.name, e.value]));
                expect(env.ALB_IDLE_TIMEOUT_SECONDS, `${stack} ${task.name}`).to.equal(idle);
            }
        }
    });

    it("makes pulumi up wait for every service's rollout unless the stack file's defaults turn it off", async () => {
        for (const stack of ["dev", "prod"]) {
            for (const service of ofType(plans[stack], "aws:ecs/service:Service")) expect(service.inputs.waitForSteadyState, `${stack} ${service.name}`).to.equal(true);
        }
        const defaults = JSON.parse(devStackWith().config["dashboards:defaults"]);
        const quick = await planConfig(devStackWith({ "dashboards:defaults": { ...defaults, waitForSteadyState: false } }));
        for (const service of ofType(quick, "aws:ecs/service:Service")) expect(service.inputs.waitForSteadyState, service.name).to.equal(false);
    });

    it("prod's user pool emails through SES (Cognito's own email has a small daily quota); dev keeps Cognito's", () => {
        expect(one(plans.prod, "aws:cognito/userPool:UserPool").inputs.emailConfiguration).to.deep.equal({
            emailSendingAccount: "DEVELOPER",
            sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/dashboards.example.com",
            fromEmailAddress: "no-reply@dashboards.example.com",
        });
        expect(one(plans.dev, "aws:cognito/userPool:UserPool").inputs.emailConfiguration).to.equal(undefined);
    });

    it("serves a dashboard's extra hosts with a certificate each on the HTTPS listener, callbacks and DNS where the zone is the stack's", async () => {
        const arn = "arn:aws:acm:eu-west-1:123456789012:certificate/1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9";
        const dashboards = JSON.parse(devStackWith().config["dashboards:dashboards"]);
        dashboards[3].extraHosts = ["kpi.dev.dashboards.example.com", "eu.kpis.dev.dashboards.example.com", { host: "kpis.example.org", certificateArn: arn }];
        const plan = await planConfig(devStackWith({ "dashboards:dashboards": dashboards }));
        const https = one(plan, "aws:lb/listener:Listener", (l) => l.inputs.port === 443);
        const attached = ofType(plan, "aws:lb/listenerCertificate:ListenerCertificate");
        expect(attached.every((a) => a.inputs.listenerArn === https.outputs.arn)).to.equal(true);
        const deep = one(plan, "aws:acm/certificateValidation:CertificateValidation", (v) => v.name.includes("eu.kpis"));
        expect(attached.map((a) => a.inputs.certificateArn).sort()).to.deep.equal([arn, deep.outputs.certificateArn].sort());
        const client = one(plan, "aws:cognito/userPoolClient:UserPoolClient", (c) => c.inputs.name === "kpis");
        for (const host of ["kpi.dev.dashboards.example.com", "eu.kpis.dev.dashboards.example.com", "kpis.example.org"]) {
            expect(client.inputs.callbackUrls).to.include(`https://${host}/oauth2/idpresponse`);
        }
        const records = childrenOf(plan, "kpis").filter((r) => r.type === "aws:route53/record:Record").map((r) => r.inputs.name);
        expect(records).to.have.members(["kpis.dev.dashboards.example.com", "kpi.dev.dashboards.example.com", "eu.kpis.dev.dashboards.example.com"]);
    });

    it("dev runs on Fargate Spot, every dashboard asleep until woken and the portal in office hours, a week of logs and force-deletable repositories", () => {
        const plan = plans.dev;
        const tasks: Record<string, number> = {};
        for (const name of DASHBOARDS) {
            const parts = childrenOf(plan, name);
            const service = parts.find((r) => r.type === "aws:ecs/service:Service")!;
            expect(service.inputs.capacityProviderStrategies.map((s: { capacityProvider: string }) => s.capacityProvider)).to.deep.equal(["FARGATE_SPOT"]);
            tasks[name] = service.inputs.desiredCount;
            for (const logs of parts.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")) expect(logs.inputs.retentionInDays, logs.name).to.equal(7);
            expect(parts.find((r) => r.type === "aws:ecr/repository:Repository")!.inputs.forceDelete).to.equal(true);
        }
        expect(tasks).to.deep.equal({ "ridge-lasso": 0, sentiment: 0, explorer: 0, kpis: 0 });
        const actions = ofType(plan, "aws:appautoscaling/scheduledAction:ScheduledAction").map((a) => a.name).sort();
        expect(actions).to.deep.equal(["portal-sleep", "portal-wake"]);
        expect(ofType(plan, "aws:lambda/function:Function").map((f) => f.name).filter((n) => n.endsWith("-waker")).sort()).to.deep.equal(["explorer-waker", "kpis-waker", "ridge-lasso-waker", "sentiment-waker"]);
        // A sleeping dashboard tracks CPU only: each target-tracking policy keeps two alarms, also while asleep.
        const policies = ofType(plan, "aws:appautoscaling/policy:Policy").map((p) => p.name).sort();
        expect(policies).to.deep.equal(["explorer-scale-cpu", "kpis-scale-cpu", "portal-scale-cpu", "portal-scale-requests", "ridge-lasso-scale-cpu", "sentiment-scale-cpu"]);
    });

    it("prod runs at least two on-demand tasks per dashboard spread over AZs, keeps logs a year and protects the user pool", () => {
        const plan = plans.prod;
        for (const name of DASHBOARDS) {
            const parts = childrenOf(plan, name);
            const service = parts.find((r) => r.type === "aws:ecs/service:Service")!;
            expect(service.inputs.capacityProviderStrategies.map((s: { capacityProvider: string }) => s.capacityProvider)).to.deep.equal(["FARGATE"]);
            expect(service.inputs.desiredCount).to.be.at.least(2);
            expect(service.inputs.availabilityZoneRebalancing).to.equal("ENABLED");
            expect(parts.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!.inputs.retentionInDays).to.equal(365);
            expect(parts.find((r) => r.type === "aws:ecr/repository:Repository")!.inputs.forceDelete).to.equal(false);
        }
        const pool = one(plan, "aws:cognito/userPool:UserPool");
        expect(pool.inputs.mfaConfiguration).to.equal("ON");
        expect(pool.inputs.deletionProtection).to.equal("ACTIVE");
        expect(pool.protect).to.equal(true);
        expect(pool.retainOnDelete).to.equal(true);
        const devPool = one(plans.dev, "aws:cognito/userPool:UserPool");
        expect(devPool.protect).to.equal(false);
        expect(devPool.inputs.mfaConfiguration).to.equal("OPTIONAL");
    });

    describe("adding or removing one dashboard changes no other dashboard's resources", () => {
        const fingerprint = (plan: Plan, name: string) =>
            childrenOf(plan, name).map((r) => `${r.type} ${r.name} ${JSON.stringify(r.inputs)}`).sort();
        const dashboards = () => JSON.parse(devStackWith().config["dashboards:dashboards"]) as Record<string, unknown>[];

        it("when one is added at the front of the list", async () => {
            const more = await planConfig(devStackWith({ "dashboards:dashboards": [{ name: "churn", framework: "dash", app: "dash", minTasks: 0 }, ...dashboards()] }));
            for (const name of DASHBOARDS) expect(fingerprint(more, name), name).to.deep.equal(fingerprint(plans.dev, name));
            expect(childrenOf(more, "churn").length).to.equal(childrenOf(plans.dev, "sentiment").length);
        });

        it("when one is removed from the middle of the list", async () => {
            const fewer = await planConfig(devStackWith({ "dashboards:dashboards": dashboards().filter((d) => d.name !== "sentiment") }));
            for (const name of DASHBOARDS.filter((d) => d !== "sentiment")) expect(fingerprint(fewer, name), name).to.deep.equal(fingerprint(plans.dev, name));
            expect(fewer.resources.some((r) => r.name === "sentiment-service")).to.equal(false);
        });
    });

    it("gives every dashboard host a sign-out that needs no app code, whose function may write its own logs and nothing else", () => {
        for (const stack of ["dev", "prod"] as const) {
            const plan = plans[stack];
            const fn = one(plan, "aws:lambda/function:Function", (r) => r.name === "sign-out-fn");
            expect(fn.inputs).to.include({ runtime: "nodejs22.x", handler: "index.handler" });
            const policy = JSON.parse(one(plan, "aws:iam/rolePolicy:RolePolicy", (r) => r.name === "sign-out-policy").inputs.policy);
            expect(policy.Statement.map((s: { Action: string[] }) => s.Action)).to.deep.equal([["logs:CreateLogStream", "logs:PutLogEvents"]]);
            // The load balancer may invoke it only through its own target group.
            const invoke = one(plan, "aws:lambda/permission:Permission", (r) => r.name === "sign-out-invoke");
            expect(invoke.inputs.sourceArn).to.equal(one(plan, "aws:lb/targetGroup:TargetGroup", (r) => r.name === "sign-out-tg").outputs.arn);
        }
    });

    it("plans a stack that logs in through an external OIDC provider, without Cognito or a portal", async () => {
        const open = (JSON.parse(devStackWith().config["dashboards:dashboards"]) as Record<string, unknown>[]).map((d) => ({ ...d, accessGroups: undefined, minTasks: undefined }));
        const plan = await planConfig(devStackWith({
            "dashboards:auth": { provider: "oidc", oidc: { issuer: "https://idp.example.com", authorizationEndpoint: "https://idp.example.com/authorize", tokenEndpoint: "https://idp.example.com/token", userInfoEndpoint: "https://idp.example.com/userinfo", clientId: "dashboards", clientSecret: "s3cret" } },
            "dashboards:dashboards": open,
        }));
        expect(ofType(plan, "aws:cognito/userPool:UserPool")).to.have.length(0);
        expect(plan.resources.some((r) => r.name === "portal-service")).to.equal(false);
        const rules = dashboardRules(plan);
        expect(rules).to.have.length(DASHBOARDS.length);
        for (const rule of rules) {
            const auth = rule.inputs.actions.find((a: { order: number }) => a.order === 1);
            expect(auth.authenticateOidc).to.include({ issuer: "https://idp.example.com", clientId: "dashboards" });
            expect(rule.secretInputs.some((p) => p.startsWith("actions"))).to.equal(true);
        }
    });

    it("exports each dashboard's image: built ones by their repository digest", () => {
        for (const stack of ["dev", "prod"]) {
            const images = plans[stack].outputs.dashboardImages as Record<string, string>;
            expect(Object.keys(images).sort(), stack).to.deep.equal([...DASHBOARDS].sort());
            for (const name of DASHBOARDS) {
                const repo = one(plans[stack], "aws:ecr/repository:Repository", (r) => r.name === `${name}-repo`);
                expect(images[name], `${stack} ${name}`).to.match(new RegExp(`^${repo.outputs.repositoryUrl.replace(/[.]/g, "\\.")}@sha256:[0-9a-f]{64}$`));
            }
        }
    });

    it("runs a prebuilt image without building it or making it a repository, and pins a built dashboard by digest, both shown in the outputs", async () => {
        const digest = `sha256:${"cd34".repeat(16)}`;
        const prebuilt = `210987654321.dkr.ecr.eu-west-1.amazonaws.com/shared/sentiment@${digest}`;
        const list = (JSON.parse(devStackWith().config["dashboards:dashboards"]) as Record<string, unknown>[]).map((d) => {
            if (d.name === "sentiment") { const { app: _app, ...rest } = d; return { ...rest, image: prebuilt }; }
            return d.name === "kpis" ? { ...d, imageDigest: digest } : d;
        });
        const plan = await planConfig(devStackWith({ "dashboards:dashboards": list }));
        const names = (type: string) => ofType(plan, type).map((r) => r.name);
        expect(names("aws:ecr/repository:Repository")).not.to.include("sentiment-repo");
        expect(names("aws:ecr/lifecyclePolicy:LifecyclePolicy")).not.to.include("sentiment-repo-expiry");
        expect(names("docker-build:index:Image")).not.to.include("sentiment-image");
        expect(names("docker-build:index:Image")).not.to.include("kpis-image");
        expect(names("aws:ecr/repository:Repository")).to.include("kpis-repo");
        const kpisRepo = one(plan, "aws:ecr/repository:Repository", (r) => r.name === "kpis-repo");
        const images = plan.outputs.dashboardImages as Record<string, string>;
        expect(images.sentiment).to.equal(prebuilt);
        expect(images.kpis).to.equal(`${kpisRepo.outputs.repositoryUrl}@${digest}`);
        const task = (name: string) => JSON.parse(one(plan, "aws:ecs/taskDefinition:TaskDefinition", (r) => r.name === `${name}-task`).inputs.containerDefinitions)[0];
        expect(task("sentiment").image).to.equal(prebuilt);
        expect(task("kpis").image).to.equal(images.kpis);
        const pull = JSON.parse(one(plan, "aws:iam/rolePolicy:RolePolicy", (r) => r.name === "sentiment-exec-policy").inputs.policy).Statement.find((s: any) => s.Sid === "PullOwnImage");
        expect(pull.Resource).to.equal("arn:aws:ecr:eu-west-1:210987654321:repository/shared/sentiment");
    });

    it("builds each dashboard from its own folder, with the platform's helpers as the named context, and the stage buildTarget names", async () => {
        // The Flask template's first stage (named "build"): plumbing only; which stage makes sense is the Dockerfile's business.
        const list = (JSON.parse(devStackWith().config["dashboards:dashboards"]) as Record<string, unknown>[]).map((d) => (d.name === "kpis" ? { ...d, buildTarget: "build" } : d));
        const plan = await planConfig(devStackWith({ "dashboards:dashboards": list }));
        for (const image of ofType(plan, "docker-build:index:Image")) {
            const app = image.name === "portal-image" ? "portal" : (list.find((d) => `${d.name}-image` === image.name)!.app as string);
            // The portal also gets its catalogue, in a folder named after its content (components/portalCatalogue.ts).
            const catalogue: Record<string, { location: string }> = image.name === "portal-image" ? { "portal-catalogue": { location: image.inputs.context.named["portal-catalogue"]?.location } } : {};
            if (image.name === "portal-image") expect(catalogue["portal-catalogue"]?.location).to.match(/^\.dashboards\/dev\/portal-catalogue\/[0-9a-f]{16}$/);
            expect(image.inputs.context, image.name).to.deep.equal({ location: `apps/${app}`, named: { "dashboards-platform": { location: "apps/shared" }, ...catalogue } });
            expect(image.inputs.dockerfile, image.name).to.deep.equal({ location: `apps/${app}/Dockerfile` });
            expect(image.inputs.target, image.name).to.equal(image.name === "kpis-image" ? "build" : undefined);
        }
    });

    it("adds the AWS-native pipeline only when the stack configures one, and exports its connection", async () => {
        expect(ofType(plans.dev, "dashboards:index:DashboardPipeline")).to.have.length(0);
        const plan = await planConfig(devStackWith({
            "dashboards:pipeline": {
                repository: "acme/dashboards",
                pulumiAccessTokenSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pulumi/token-AbC123",
                deployPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
            },
        }));
        one(plan, "dashboards:index:DashboardPipeline");
        expect(one(plan, "aws:codepipeline/pipeline:Pipeline").inputs.pipelineType).to.equal("V2");
        expect(plan.outputs.pipelineConnectionStatus).to.equal("PENDING");
    });

    it("gives the same plan twice (deterministic mocks, no random names)", async () => {
        const again = await planStack("dev");
        const summary = (p: Plan) => p.resources.map((r) => [r.type, r.name, JSON.stringify(r.inputs)]).sort();
        expect(summary(again)).to.deep.equal(summary(plans.dev));
    });

    it("declares nothing when the stack file is invalid, and names every broken key", async () => {
        const broken = devStackWith({
            "dashboards:domian": "dev.dashboards.example.com",
            "dashboards:dashboards": [{ name: "sales", framework: "shiny", cpu: 256, memory: 3072 }],
        });
        let error: unknown;
        try {
            await planConfig(broken);
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(StackConfigError);
        const message = (error as Error).message;
        expect(message).to.contain('dashboards:domian: unknown key (did you mean "domain"?)');
        expect(message).to.contain("dashboards:dashboards[0].memory: 3072 is not valid with cpu 256 on Fargate; allowed: 512, 1024, 2048");
        expect(message).not.to.match(/\n\s+at /); // no stack trace in the message
        const declared = declaredBeforeFailure.get(error as Error) ?? [];
        expect(declared.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:Stack"]);
    });
});

describe("npm run plan (CLI)", function () {
    this.timeout(120_000);

    it("runs as `tsx plan/cli.ts`: prints the resource tree and outputs for dev and exits 0; exits 1 with the problem on stderr for an unknown stack", async () => {
        // The one test of the real process (exit code, stdout, stderr); the others run the CLI's main in this process.
        const tsx = path.join(PROJECT_DIR, "node_modules", ".bin", "tsx");
        const run = (args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
            const child = spawn(tsx, [path.join(PROJECT_DIR, "plan", "cli.ts"), ...args], { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            child.once("error", reject);
            child.once("close", (status) => resolve({ status, stdout, stderr }));
        });
        // Both at once: two cores, and each process spends most of its time loading modules.
        const [result, unknown] = await Promise.all([run(["dev"]), run(["staging"])]);
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stdout).to.contain("dashboards:index:DashboardCluster  dashboards");
        expect(result.stdout).to.match(/\n\s+\+ aws:lb\/loadBalancer:LoadBalancer  dashboards-alb/);
        expect(result.stdout).to.contain("Outputs:");
        expect(result.stdout).to.contain("albDnsName:");
        expect(unknown.status).to.equal(1);
        expect(unknown.stderr).to.contain("no stack file Pulumi.staging.yaml; stacks here: dev, prod");
        expect(unknown.stdout).to.equal("");
    });

    /** Runs the plan CLI for dev on a project folder (this project's Pulumi.yaml) whose Pulumi.dev.yaml is `edit`ed. */
    const runEdited = async (edit: (dev: string) => string) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-broken-"));
        try {
            fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), edit(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")));
            return await runPlanCli(["dev"], dir);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };

    it("exits non-zero naming both keys of a broken stack file, without a stack trace", async () => {
        // A Pulumi.dev.yaml with a typo'd key and a bad cpu/memory pair.
        const result = await runEdited((dev) => dev
            .replace("dashboards:domain:", "dashboards:domian:")
            .replace(/cpu: 256\n(\s+)memory: 512/, "cpu: 256\n$1memory: 3072"));
        expect(result.status).to.equal(1);
        expect(result.stderr).to.contain("dashboards:domian: unknown key");
        expect(result.stderr).to.contain("dashboards:domain: is required");
        expect(result.stderr).to.match(/dashboards:dashboards\[1\]\.memory: 3072 is not valid with cpu 256/);
        expect(result.stderr).not.to.match(/\n\s+at /);
        expect(result.stdout).not.to.contain("+ aws:");
    });

    it("exits 1 naming the key when a dashboard's app folder is not in apps/, before declaring anything", async () => {
        const result = await runEdited((dev) => dev.replace("app: dash\n", "app: nosuchdir\n"));
        expect(result.status, result.stdout + result.stderr).to.equal(1);
        expect(result.stderr).to.contain("dashboards:dashboards[1].app: apps/nosuchdir does not exist; set app to the folder in apps/ that holds the dashboard (its app.R, or app.py and requirements.txt, or a Dockerfile); the folders there: dash, flask, shiny, streamlit");
        expect(result.stderr).not.to.match(/\n\s+at /);
        expect(result.stdout).not.to.contain("+ aws:");
    });

    it("rejects an unknown stack with the list of stacks", async () => {
        const result = await runPlanCli(["staging"]);
        expect(result.status).to.equal(1);
        expect(result.stderr).to.contain("no stack file Pulumi.staging.yaml; stacks here: dev, prod");
    });
});
