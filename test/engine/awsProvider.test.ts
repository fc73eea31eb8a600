/**
 * The aws test double over gRPC, started as the engine starts it: autonaming like the bridge,
 * what it rejects (names, Fargate sizes, collisions, protected deletes), secrets, diffs, invokes.
 */
import { expect } from "chai";
import { UNKNOWN } from "../../engine/providers/shared";
import { isSecret, ProviderProcess, rejection, secret, tempDir } from "./providerClient";

const TG = "aws:lb/targetGroup:TargetGroup";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const RULE = "aws:lb/listenerRule:ListenerRule";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const POOL = "aws:cognito/userPool:UserPool";
const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";

const tgInputs = (more: object = {}) => ({ port: 3838, protocol: "HTTP", targetType: "ip", vpcId: "vpc-1", ...more });
const fargate = (cpu: string, memory: string) => ({
    family: "dash", cpu, memory, networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], containerDefinitions: "[]",
});

describe("aws test double (engine/bin/pulumi-resource-aws)", function () {
    this.timeout(60_000);
    let aws: ProviderProcess;
    let cloudDir: string;

    before(async () => {
        cloudDir = tempDir("fake-cloud-");
        aws = await ProviderProcess.start("aws", { cloudDir });
        await aws.configure({ region: "eu-west-1" });
    });
    after(() => aws?.close());

    describe("protocol", () => {
        it("reports the version @pulumi/aws requests, accepts secrets and supports previews", async () => {
            expect(await aws.pluginVersion()).to.equal(require("@pulumi/aws/package.json").version);
            const hs = await aws.handshake();
            expect(hs.getAcceptSecrets()).to.equal(true);
            expect(hs.getSupportsAutonamingConfiguration()).to.equal(true);
            expect((await aws.configure({ region: "eu-west-1" })).getSupportspreview()).to.equal(true);
        });

        it("CheckConfig requires aws:region, naming the key", async () => {
            const missing = await aws.checkConfig({ version: "7.48.0" });
            expect(missing.failures.map((f) => f.property)).to.deep.equal(["region"]);
            expect(missing.failures[0].reason).to.contain('"aws:region"');
            expect((await aws.checkConfig({ region: "eu-west-1" })).failures).to.deep.equal([]);
        });

        it("refuses to start without DASHBOARDS_FAKE_CLOUD_DIR, saying why", async () => {
            const env = { ...process.env };
            delete env.DASHBOARDS_FAKE_CLOUD_DIR;
            const { code, stderr } = await ProviderProcess.exitOf("aws", env);
            expect(code).to.not.equal(0);
            expect(stderr).to.contain("DASHBOARDS_FAKE_CLOUD_DIR is not set");
        });
    });

    describe("autonaming, as the bridge does it", () => {
        it("names a target group <logical>-<7 hex> from the random seed, the same for the same seed", async () => {
            const a = await aws.check(TG, "shiny-tg", tgInputs(), { seed: "s1" });
            const b = await aws.check(TG, "shiny-tg", tgInputs(), { seed: "s1" });
            const c = await aws.check(TG, "shiny-tg", tgInputs(), { seed: "s2" });
            expect(a.inputs.name).to.match(/^shiny-tg-[0-9a-f]{7}$/);
            expect(b.inputs.name).to.equal(a.inputs.name);
            expect(c.inputs.name).to.not.equal(a.inputs.name);
        });

        it("keeps the old name on update, and an explicit name or namePrefix as given", async () => {
            expect((await aws.check(TG, "shiny-tg", tgInputs(), { seed: "new", olds: { name: "shiny-tg-1234567" } })).inputs.name).to.equal("shiny-tg-1234567");
            expect((await aws.check(TG, "shiny-tg", tgInputs({ name: "fixed" }), { seed: "x" })).inputs.name).to.equal("fixed");
            expect((await aws.check(TG, "shiny-tg", tgInputs({ namePrefix: "dash-" }), { seed: "x" })).inputs.name).to.equal(undefined);
        });

        it("fails like the bridge when the logical name plus 8 characters exceeds the maximum", async () => {
            const msg = await rejection(aws.check(TG, "a-very-long-dashboard-tg-x", tgInputs(), { seed: "s" }));
            expect(msg).to.contain("could not make instance of 'aws:lb/targetGroup:TargetGroup': name 'a-very-long-dashboard-tg-x-' plus 7 random chars is longer than maximum length 32");
            // 24 characters + 8 = 32 still fits.
            expect((await aws.check(TG, "a-very-long-dashboard-tg", tgInputs(), { seed: "s" })).inputs.name).to.have.length(32);
        });

        it("lower-cases S3 bucket names and honours the engine's autonaming proposal", async () => {
            expect((await aws.check("aws:s3/bucket:Bucket", "Logs", {}, { seed: "s" })).inputs.bucket).to.match(/^logs-[0-9a-f]{7}$/);
            expect((await aws.check(TG, "tg", tgInputs(), { seed: "s", autonaming: { proposedName: "Proposed-tg", mode: "enforce" } })).inputs.name).to.equal("Proposed-tg");
            expect((await aws.check("aws:s3/bucket:Bucket", "b", {}, { autonaming: { proposedName: "MyBucket", mode: "propose" } })).inputs.bucket).to.equal("mybucket");
            expect(await rejection(aws.check(TG, "tg", tgInputs(), { autonaming: { proposedName: "x".repeat(33), mode: "propose" } }))).to.contain("exceeds maximum length of 32");
        });
    });

    describe("names AWS rejects (Check failures naming the property)", () => {
        const cases: [string, string, object, string, RegExp][] = [
            ["ALB name over 32", LB, { name: "d".repeat(33) }, "name", /cannot be longer than 32 characters/],
            ["ALB name starting internal-", LB, { name: "internal-dash" }, "name", /cannot begin with "internal-"/],
            ["ALB name with an underscore", LB, { name: "dash_alb" }, "name", /only alphanumeric characters and hyphens allowed/],
            ["ALB name ending in a hyphen", LB, { name: "dash-" }, "name", /cannot end with a hyphen/],
            ["target group name starting with a hyphen", TG, tgInputs({ name: "-tg" }), "name", /cannot begin with a hyphen/],
            ["target group namePrefix over 6", TG, tgInputs({ namePrefix: "dash-tg" }), "namePrefix", /cannot be longer than 6 characters/],
            ["IAM role name over 64", "aws:iam/role:Role", { name: "r".repeat(65), assumeRolePolicy: "{}" }, "name", /cannot be longer than 64/],
            ["IAM role namePrefix over 38", "aws:iam/role:Role", { namePrefix: "r".repeat(39), assumeRolePolicy: "{}" }, "namePrefix", /cannot be longer than 38/],
            ["Lambda function name over 64", "aws:lambda/function:Function", { name: "f".repeat(65), role: "arn" }, "name", /cannot be longer than 64/],
            ["S3 bucket with upper case", "aws:s3/bucket:Bucket", { bucket: "Dash-Logs" }, "bucket", /only lowercase letters/],
            ["S3 bucket of 2 characters", "aws:s3/bucket:Bucket", { bucket: "ab" }, "bucket", /at least 3 characters/],
            ["S3 bucket starting xn--", "aws:s3/bucket:Bucket", { bucket: "xn--logs" }, "bucket", /must not start with "xn--"/],
            ["ECR repository with upper case", "aws:ecr/repository:Repository", { name: "Dash" }, "name", /must satisfy regular expression/],
            ["Cognito domain prefix containing aws", "aws:cognito/userPoolDomain:UserPoolDomain", { domain: "dash-aws-login", userPoolId: "p" }, "domain", /reserved word "aws"/],
            ["Cognito domain prefix with upper case", "aws:cognito/userPoolDomain:UserPoolDomain", { domain: "Dash", userPoolId: "p" }, "domain", /must match/],
            ["SSM parameter prefixed ssm", "aws:ssm/parameter:Parameter", { name: "/ssm-dash/x", type: "String", value: "v" }, "name", /can't be prefixed with "aws" or "ssm"/],
            ["SSM hierarchy without a leading slash", "aws:ssm/parameter:Parameter", { name: "dash/x", type: "String", value: "v" }, "name", /fully qualified/],
            ["log group name over 512", "aws:cloudwatch/logGroup:LogGroup", { name: `/${"l".repeat(512)}` }, "name", /cannot be longer than 512/],
            ["security group name starting sg-", "aws:ec2/securityGroup:SecurityGroup", { name: "sg-dash", vpcId: "vpc-1" }, "name", /cannot begin with "sg-"/],
            ["security group name over 255", "aws:ec2/securityGroup:SecurityGroup", { name: "s".repeat(256), vpcId: "vpc-1" }, "name", /cannot be longer than 255/],
            ["listener rule priority 0", RULE, { listenerArn: "l", priority: 0, actions: [] }, "priority", /range \(1 - 50000\)/],
        ];
        for (const [title, type, inputs, property, reason] of cases) {
            it(`rejects: ${title}`, async () => {
                const { failures } = await aws.check(type, "r", inputs, { seed: "s" });
                expect(failures.map((f) => f.property), JSON.stringify(failures)).to.include(property);
                expect(failures.find((f) => f.property === property)!.reason).to.match(reason);
            });
        }

        it("does not judge a name that is not known yet (preview)", async () => {
            expect((await aws.check(LB, "alb", { name: UNKNOWN }, { seed: "s" })).failures).to.deep.equal([]);
        });

        it("accepts what AWS accepts: a custom Cognito domain (certificate) is not a prefix", async () => {
            expect((await aws.check("aws:cognito/userPoolDomain:UserPoolDomain", "d", { domain: "login.aws-dashboards.example.com", certificateArn: "arn", userPoolId: "p" })).failures).to.deep.equal([]);
            expect((await aws.check(LB, "alb", { name: "dev-dashboards" })).failures).to.deep.equal([]);
        });
    });

    describe("create, with what AWS rejects at the API", () => {
        it("keeps a replaced task definition's new revision when the old one is deregistered (same family, the same id)", async () => {
            const td = { family: "dashboards-dev-rev", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: "[]" };
            const first = await aws.checkAndCreate("aws:ecs/taskDefinition:TaskDefinition", "rev-task", td);
            const second = await aws.checkAndCreate("aws:ecs/taskDefinition:TaskDefinition", "rev-task", { ...td, containerDefinitions: "[{}]" });
            expect(second.id).to.equal(first.id); // the provider's id is the family
            expect(second.outs.arn).to.match(/:task-definition\/dashboards-dev-rev:2$/);
            await aws.delete("aws:ecs/taskDefinition:TaskDefinition", "rev-task", first.id, first.outs);
            const live = (await import("fs")).readFileSync((await import("path")).join(cloudDir, "fake-cloud.json"), "utf8");
            expect(live).to.contain(second.outs.arn).and.not.contain(`${first.outs.arn}"`);
            const third = await aws.checkAndCreate("aws:ecs/taskDefinition:TaskDefinition", "rev-task", { ...td, containerDefinitions: "[{},{}]" });
            expect(third.outs.arn).to.match(/:3$/);
        });

        it("registers a Lambda target only once the load balancer may invoke it from that target group", async () => {
            const tg = await aws.checkAndCreate("aws:lb/targetGroup:TargetGroup", "waker-tg", { name: "dev-waker-abc123", targetType: "lambda", healthCheck: { enabled: false } });
            const fn = await aws.checkAndCreate("aws:lambda/function:Function", "waker", { runtime: "nodejs22.x", handler: "index.handler", role: "arn:aws:iam::123456789012:role/r" });
            const attach = { targetGroupArn: tg.id, targetId: fn.outs.arn };
            expect(await rejection(aws.checkAndCreate("aws:lb/targetGroupAttachment:TargetGroupAttachment", "early", attach)))
                .to.contain("AccessDenied: elasticloadbalancing principal does not have permission to invoke");
            // A permission for another source does not count.
            await aws.checkAndCreate("aws:lambda/permission:Permission", "other", { action: "lambda:InvokeFunction", function: fn.id, principal: "elasticloadbalancing.amazonaws.com", sourceArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/other/1" });
            expect(await rejection(aws.checkAndCreate("aws:lb/targetGroupAttachment:TargetGroupAttachment", "early", attach))).to.contain("AccessDenied");
            await aws.checkAndCreate("aws:lambda/permission:Permission", "invoke", { action: "lambda:InvokeFunction", function: fn.id, principal: "elasticloadbalancing.amazonaws.com", sourceArn: tg.id });
            expect((await aws.checkAndCreate("aws:lb/targetGroupAttachment:TargetGroupAttachment", "target", attach)).id).to.be.a("string").and.not.equal("");
        });

        it("schedules an action only on a registered scalable target, with a valid expression, time zone and range", async () => {
            const target = { serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: "service/dash/sched", minCapacity: 1, maxCapacity: 2 };
            const action = (more: object = {}) => ({
                name: "sched-wake", serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: "service/dash/sched",
                schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Europe/Zurich", scalableTargetAction: { minCapacity: 1, maxCapacity: 2 }, ...more,
            });
            expect(await rejection(aws.checkAndCreate("aws:appautoscaling/scheduledAction:ScheduledAction", "early", action()))).to.contain("ObjectNotFoundException: No scalable target registered");
            await aws.checkAndCreate("aws:appautoscaling/target:Target", "sched-scaling", target);
            for (const [more, why] of [
                [{ schedule: "cron(0 7 * * MON-FRI)" }, "Schedule expression cron(0 7 * * MON-FRI) is invalid"],
                [{ schedule: "every weekday" }, "is invalid"],
                [{ timezone: "Mars/Olympus" }, "Timezone Mars/Olympus is invalid"],
                [{ scalableTargetAction: { minCapacity: 3, maxCapacity: 2 } }, "Minimum capacity cannot be greater than maximum capacity"],
            ] as const) {
                expect(await rejection(aws.checkAndCreate("aws:appautoscaling/scheduledAction:ScheduledAction", "bad", action(more))), JSON.stringify(more)).to.contain(why);
            }
            const ok = await aws.checkAndCreate("aws:appautoscaling/scheduledAction:ScheduledAction", "sched-wake", action());
            expect(ok.id).to.be.a("string").and.not.equal("");
            expect((await aws.check("aws:appautoscaling/scheduledAction:ScheduledAction", "n", action({ name: "a:b" }))).failures.map((f) => f.reason).join()).to.contain("characters other than : / |");
        });

        it("rejects a Fargate task size that does not exist, and accepts one that does", async () => {
            const msg = await rejection(aws.checkAndCreate(TASK, "task", fargate("256", "4096")));
            expect(msg).to.contain("No Fargate configuration exists for given values: 256 CPU, 4096 memory");
            expect(await rejection(aws.checkAndCreate(TASK, "task", { ...fargate("512", "1024"), networkMode: "bridge" }))).to.contain("Fargate only supports network mode 'awsvpc'");
            const ok = await aws.checkAndCreate(TASK, "task", fargate("512", "1024"));
            expect(ok.outs.arn).to.match(/^arn:aws:ecs:eu-west-1:123456789012:task-definition\/dash:\d+$/);
        });

        it("rejects a second rule with the same priority on one listener (PriorityInUse), not on another listener", async () => {
            const l1 = await aws.checkAndCreate(LISTENER, "l1", { loadBalancerArn: "arn:lb1", port: 443, protocol: "HTTPS" });
            const l2 = await aws.checkAndCreate(LISTENER, "l2", { loadBalancerArn: "arn:lb1", port: 8443, protocol: "HTTPS" });
            await aws.checkAndCreate(RULE, "r1", { listenerArn: l1.id, priority: 10, actions: [] });
            const msg = await rejection(aws.checkAndCreate(RULE, "r2", { listenerArn: l1.id, priority: 10, actions: [] }));
            expect(msg).to.contain("PriorityInUse: Priority '10' is currently in use");
            await aws.checkAndCreate(RULE, "r3", { listenerArn: l2.id, priority: 10, actions: [] });
            expect(await rejection(aws.checkAndCreate(LISTENER, "l3", { loadBalancerArn: "arn:lb1", port: 443, protocol: "HTTPS" }))).to.contain("DuplicateListener");
        });

        let subnets: string[] = [];
        before(async () => {
            const subnet = async (az: string) => (await aws.checkAndCreate("aws:ec2/subnet:Subnet", `public-${az}`, { vpcId: "vpc-1", cidrBlock: "10.0.0.0/20", availabilityZone: `eu-west-1${az}` })).id;
            subnets = [await subnet("a"), await subnet("b")];
        });

        it("rejects an application load balancer without subnets in two availability zones", async () => {
            const msg = await rejection(aws.checkAndCreate(LB, "alb-one-az", { name: "dash-one-az", subnets: subnets.slice(0, 1) }));
            expect(msg).to.contain("At least two subnets in two different Availability Zones must be specified");
        });

        it("invents unique AWS-shaped ids: a replacement gets a new one", async () => {
            expect(subnets[0]).to.match(/^subnet-[0-9a-f]{17}$/);
            const a = await aws.checkAndCreate(LB, "alb-a", { name: "dash-a", subnets });
            const b = await aws.checkAndCreate(LB, "alb-b", { name: "dash-b", subnets });
            expect(a.id).to.match(/^arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer\/app\/dash-a\/[0-9a-f]{16}$/);
            expect(a.outs.arnSuffix).to.equal(a.id.split(":loadbalancer/")[1]);
            expect(a.outs.dnsName).to.match(/^dash-a-\d+\.eu-west-1\.elb\.amazonaws\.com$/);
            expect(a.outs.zoneId).to.equal("Z32O12XQLNTSW2");
            expect(b.id).to.not.equal(a.id);
        });

        it("leaves computed outputs unknown in a preview and keeps the inputs", async () => {
            const { id, outs } = await aws.create(LB, "alb-p", { name: "dash-p" }, true);
            expect(id).to.equal("");
            expect(outs.name).to.equal("dash-p");
            for (const k of ["arn", "arnSuffix", "dnsName", "zoneId"]) expect(outs[k], k).to.equal(UNKNOWN);
        });

        it("refuses to delete a load balancer with deletion protection until an update turns it off", async () => {
            const lb = await aws.checkAndCreate(LB, "alb-protected", { name: "dash-protected", enableDeletionProtection: true, subnets });
            expect(await rejection(aws.delete(LB, "alb-protected", lb.id, lb.outs, lb.inputs))).to.contain("OperationNotPermitted");
            const news = { ...lb.inputs, enableDeletionProtection: false };
            const outs = await aws.update(LB, "alb-protected", { id: lb.id, olds: lb.outs, oldInputs: lb.inputs, news });
            expect(outs.arn).to.equal(lb.outs.arn);
            await aws.delete(LB, "alb-protected", lb.id, outs, news);
        });

        it("refuses to delete a Cognito user pool with deletion protection ACTIVE", async () => {
            const pool = await aws.checkAndCreate(POOL, "pool", { deletionProtection: "ACTIVE" });
            expect(pool.id).to.match(/^eu-west-1_[A-Z]{9}$/);
            expect(await rejection(aws.delete(POOL, "pool", pool.id, pool.outs, pool.inputs))).to.contain("deletion protection is activated");
        });

        it("rejects a service whose capacity provider is not on its cluster, and removing one a service uses", async () => {
            const cluster = await aws.checkAndCreate("aws:ecs/cluster:Cluster", "cluster", { name: "dash-cluster" });
            const service = { name: "svc", cluster: cluster.id, capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] };
            expect(await rejection(aws.checkAndCreate("aws:ecs/service:Service", "svc", service))).to.contain("not associated with the cluster");
            const ccp = await aws.checkAndCreate("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "ccp", { clusterName: "dash-cluster", capacityProviders: ["FARGATE", "FARGATE_SPOT"] });
            await aws.checkAndCreate("aws:ecs/service:Service", "svc", service);
            expect(await rejection(aws.delete("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "ccp", ccp.id, ccp.outs))).to.contain("capacity provider is in use");
        });
    });

    describe("target-group name collisions across provider processes (one fake cloud)", () => {
        it("a second process cannot create a target group whose name the first one took, until it is deleted", async () => {
            const dir = tempDir("fake-cloud-shared-");
            const first = await ProviderProcess.start("aws", { cloudDir: dir });
            await first.configure({ region: "eu-west-1" });
            const tg = await first.checkAndCreate(TG, "tg", tgInputs({ name: "dev-dash-p3838" }));
            first.close();

            const second = await ProviderProcess.start("aws", { cloudDir: dir });
            try {
                await second.configure({ region: "eu-west-1" });
                // The replacement of a fixed-name target group (new VPC), created before the old one is deleted:
                const msg = await rejection(second.checkAndCreate(TG, "tg", tgInputs({ name: "dev-dash-p3838", vpcId: "vpc-2" })));
                expect(msg).to.contain("DuplicateTargetGroupName: A target group with the same name 'dev-dash-p3838' exists, but with different settings");
                await second.configure({ region: "us-east-1" });
                await second.checkAndCreate(TG, "tg-other-region", tgInputs({ name: "dev-dash-p3838" }));
                await second.configure({ region: "eu-west-1" });
                await second.delete(TG, "tg", tg.id, tg.outs);
                await second.checkAndCreate(TG, "tg", tgInputs({ name: "dev-dash-p3838", vpcId: "vpc-2" }));
            } finally {
                second.close();
            }
        });
    });

    describe("secrets", () => {
        it("marks a confidential client's clientSecret secret, and keeps secret inputs secret", async () => {
            const client = await aws.checkAndCreate(CLIENT, "client", { userPoolId: "eu-west-1_X", generateSecret: true, callbackUrls: secret(["https://a/cb"]) });
            expect(isSecret(client.outs.clientSecret)).to.equal(true);
            expect(client.outs.clientSecret.value).to.match(/^[a-z0-9]{51}$/);
            expect(isSecret(client.outs.callbackUrls)).to.equal(true);
            const param = await aws.checkAndCreate("aws:ssm/parameter:Parameter", "p", { name: "/dash/access", type: "String", value: secret("{}") });
            expect(param.outs.value).to.deep.equal(secret("{}"));
        });

        it("returns the ECR token and password as secrets", async () => {
            const token = await aws.invoke("aws:ecr/getAuthorizationToken:getAuthorizationToken", { registryId: "123456789012" });
            expect(isSecret(token.password)).to.equal(true);
            expect(isSecret(token.authorizationToken)).to.equal(true);
            expect(token.userName).to.equal("AWS");
            expect(token.proxyEndpoint).to.equal("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        });
    });

    describe("diff", () => {
        const olds = { ...tgInputs({ name: "dash-tg-1234567" }), arn: "arn:tg", arnSuffix: "targetgroup/x/1" };
        const oldInputs = tgInputs({ name: "dash-tg-1234567" });

        it("replaces a target group when its VPC changes", async () => {
            const d = await aws.diff(TG, "tg", { id: "arn:tg", olds, oldInputs, news: { ...oldInputs, vpcId: "vpc-2" } });
            expect(d).to.include({ changes: "some", deleteBeforeReplace: false });
            expect(d.diffs).to.deep.equal(["vpcId"]);
            expect(d.replaces).to.deep.equal(["vpcId"]);
        });

        it("replaces a CloudWatch dashboard when its name changes (the name is the dashboard), updates its body in place", async () => {
            const dash = { dashboardName: "dashboards-dev-operations-lb0", dashboardBody: "{\"widgets\":[]}" };
            const renamed = await aws.diff("aws:cloudwatch/dashboard:Dashboard", "d", { id: dash.dashboardName, olds: dash, oldInputs: dash, news: { ...dash, dashboardName: "dashboards-dev-eu-west-1-operations-lb0" } });
            expect(renamed.replaces).to.deep.equal(["dashboardName"]);
            const body = await aws.diff("aws:cloudwatch/dashboard:Dashboard", "d", { id: dash.dashboardName, olds: dash, oldInputs: dash, news: { ...dash, dashboardBody: "{\"widgets\":[{}]}" } });
            expect([body.diffs, body.replaces]).to.deep.equal([["dashboardBody"], []]);
        });

        it("updates in place what does not force a replacement", async () => {
            const d = await aws.diff(TG, "tg", { id: "arn:tg", olds, oldInputs, news: { ...oldInputs, deregistrationDelay: 30 } });
            expect(d.diffs).to.deep.equal(["deregistrationDelay"]);
            expect(d.replaces).to.deep.equal([]);
            const task = fargate("512", "1024");
            const tags = await aws.diff(TASK, "t", { id: "dash", olds: task, oldInputs: task, news: { ...task, tags: { a: "b" } } });
            expect(tags.replaces).to.deep.equal([]);
            expect((await aws.diff(TASK, "t", { id: "dash", olds: task, oldInputs: task, news: { ...task, containerDefinitions: "[{}]" } })).replaces).to.deep.equal(["containerDefinitions"]);
        });

        it("says no changes for identical inputs, after an autonamed name and secrets round-trip", async () => {
            const checked = await aws.check(TG, "tg", tgInputs(), { seed: "another-seed", olds: oldInputs });
            expect((await aws.diff(TG, "tg", { id: "arn:tg", olds, oldInputs, news: checked.inputs })).changes).to.equal("none");
            const withSecret = { name: "/dash/x", type: "String", value: secret("v") };
            expect((await aws.diff("aws:ssm/parameter:Parameter", "p", { id: "/dash/x", olds: withSecret, oldInputs: withSecret, news: { ...withSecret, value: secret("v") } })).changes).to.equal("none");
        });

        it("counts a value not known yet as a change (a replacement when the input forces one)", async () => {
            const d = await aws.diff(TG, "tg", { id: "arn:tg", olds, oldInputs, news: { ...oldInputs, vpcId: UNKNOWN } });
            expect(d.replaces).to.deep.equal(["vpcId"]);
        });
    });

    describe("invokes", () => {
        it("answers the program's data sources with the configured region", async () => {
            expect((await aws.invoke("aws:index/getRegion:getRegion")).region).to.equal("eu-west-1");
            expect((await aws.invoke("aws:index/getCallerIdentity:getCallerIdentity")).accountId).to.equal("123456789012");
            expect((await aws.invoke("aws:index/getPartition:getPartition")).partition).to.equal("aws");
            expect((await aws.invoke("aws:index/getAvailabilityZones:getAvailabilityZones")).names).to.deep.equal(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
            expect((await aws.invoke("aws:elb/getServiceAccount:getServiceAccount", { region: "eu-west-1" })).arn).to.equal("arn:aws:iam::156460612806:root");
        });

        it("looks a pinned image digest up in its repository, like ECR: an image never pushed is ImageNotFoundException", async () => {
            const digest = `sha256:${"a".repeat(64)}`;
            expect(await rejection(aws.invoke("aws:ecr/getImage:getImage", { repositoryName: "dashboards-dev/sales", imageDigest: digest })))
                .to.contain(`ImageNotFoundException: The image with imageId {imageDigest:'${digest}'} does not exist within the repository with name 'dashboards-dev/sales'`);
        });

        it("fails an invoke it does not know, naming it", async () => {
            expect(await rejection(aws.invoke("aws:ec2/getVpc:getVpc", {}))).to.contain("invoke aws:ec2/getVpc:getVpc is not implemented by the aws test double");
        });
    });

    describe("refresh", () => {
        it("reads what exists and reports what is gone", async () => {
            const role = await aws.checkAndCreate("aws:iam/role:Role", "role", { assumeRolePolicy: "{}" });
            expect((await aws.read("aws:iam/role:Role", "role", role.id, role.outs, role.inputs)).id).to.equal(role.id);
            await aws.delete("aws:iam/role:Role", "role", role.id, role.outs);
            expect((await aws.read("aws:iam/role:Role", "role", role.id, role.outs, role.inputs)).id).to.equal("");
        });

        it("reads back a plain value changed outside Pulumi (a rule priority the waker swapped) into state and inputs, nothing else", async () => {
            const fs = await import("fs");
            const path = await import("path");
            const inputs = { listenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2", priority: 4100, conditions: [{ hostHeader: { values: ["a.example.com"] } }], actions: [{ type: "forward", order: 1, targetGroupArn: "tg" }] };
            const rule = await aws.checkAndCreate("aws:lb/listenerRule:ListenerRule", "rule", inputs);
            const file = path.join(cloudDir, "fake-cloud.json");
            const cloud = JSON.parse(fs.readFileSync(file, "utf8"));
            cloud.resources[`aws:lb/listenerRule:ListenerRule|${rule.id}`].props.priority = 4200;
            fs.writeFileSync(file, JSON.stringify(cloud));
            const read = await aws.read("aws:lb/listenerRule:ListenerRule", "rule", rule.id, rule.outs, rule.inputs);
            expect(read.props.priority).to.equal(4200);
            expect(read.inputs.priority).to.equal(4200);
            expect(read.inputs.conditions).to.deep.equal(inputs.conditions);
            expect(read.inputs.listenerArn).to.equal(inputs.listenerArn);
        });
    });
});
