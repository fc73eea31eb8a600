import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { APP_ENV } from "../components/appEnvironment";
import { ComponentArgsError, DashboardCluster, ExistingVpcArgs } from "../components/dashboardCluster";
import { DashboardService, DashboardServiceArgs } from "../components/dashboardService";
import { FRAMEWORK_PRESETS } from "../components/frameworks";
import { Plan, PlannedResource, runUnderMocks } from "../plan/runPlan";
import { devStackWith, ofType, one } from "./helpers";

const LOGIN = {
    authenticateAction: {
        type: "authenticate-oidc",
        authenticateOidc: {
            issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TEST",
            authorizationEndpoint: "https://login.example.com/oauth2/authorize",
            tokenEndpoint: "https://login.example.com/oauth2/token",
            userInfoEndpoint: "https://login.example.com/oauth2/userInfo",
            clientId: "client-id",
            clientSecret: "client-secret",
        },
    },
    logoutUrl: "https://login.example.com/logout?client_id=client-id&logout_uri=https%3A%2F%2Fsales.dashboards.example.com%2Fsigned-out",
};

type ServiceOptions = Partial<Omit<DashboardServiceArgs, "cluster" | "login">>;

function planServices(
    services: Record<string, ServiceOptions>,
    clusterArgs: { natStrategy?: string; alarmEmails?: string[]; existingVpc?: ExistingVpcArgs } = {},
    mocks?: (base: pulumi.runtime.Mocks) => pulumi.runtime.Mocks,
): Promise<Plan> {
    return runUnderMocks(devStackWith(), () => {
        const cluster = new DashboardCluster("dashboards", {
            domain: "dashboards.example.com",
            hostedZoneId: "Z0123456789TESTZONE1",
            vpc: clusterArgs.existingVpc ? undefined : { natStrategy: clusterArgs.natStrategy ?? "single" },
            existingVpc: clusterArgs.existingVpc,
            alarmEmails: clusterArgs.alarmEmails,
        });
        let priority = 1000;
        for (const [name, options] of Object.entries(services)) {
            new DashboardService(name, {
                cluster: cluster.forServices,
                login: LOGIN,
                build: { context: `apps/${options.framework ?? "dash"}`, namedContexts: { "dashboards-platform": "apps/shared" }, ...(options.framework === "dash" ? { target: "release" } : {}) },
                framework: "dash",
                rulePriority: priority++,
                ...options,
            });
        }
        return {};
    }, { mocks });
}

const container = (plan: Plan, name: string) => {
    const task = one(plan, "aws:ecs/taskDefinition:TaskDefinition", (r) => r.name === `${name}-task`);
    return JSON.parse(task.inputs.containerDefinitions)[0];
};
const envOf = (c: { environment: { name: string; value: string }[] }) => Object.fromEntries(c.environment.map((e) => [e.name, e.value]));
const named = (plan: Plan, type: string, name: string): PlannedResource => one(plan, type, (r) => r.name === name);
const SCHEDULE = { days: "MON-FRI", start: "07:00", stop: "20:00", timeZone: "Europe/Zurich" };


const SECRETS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
describe("DashboardService", () => {
    let plan: Plan;
    before(async () => {
        plan = await planServices({
            sales: { framework: "shiny", cpu: 512, memory: 1024, minTasks: 2, maxTasks: 5, extraHosts: ["sales.example.org"], environment: { MODE: "prod" }, secrets: { DB_PASSWORD: "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/db", API_KEY: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sales-api-AbCdEf:key::" }, secretKeyArns: [SECRETS_KEY], taskPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] },
            stats: { framework: "dash" },
        }, { alarmEmails: ["oncall@example.com"] });
    });

    describe("image", () => {
        it("builds the app's own folder (no wider context) for the task's architecture, and pushes to its own scanned, encrypted repository", () => {
            const repo = named(plan, "aws:ecr/repository:Repository", "sales-repo");
            expect(repo.inputs.imageScanningConfiguration).to.deep.equal({ scanOnPush: true });
            expect(repo.inputs.encryptionConfigurations).to.deep.equal([{ encryptionType: "AES256" }]);
            expect(repo.inputs.forceDelete).to.equal(false);
            const image = named(plan, "docker-build:index:Image", "sales-image");
            expect(image.inputs.context).to.deep.equal({ location: "apps/shiny", named: { "dashboards-platform": { location: "apps/shared" } } });
            expect(image.inputs.dockerfile).to.deep.equal({ location: "apps/shiny/Dockerfile" });
            expect(image.inputs).not.to.have.property("target");
            // The task runs X86_64: an arm64 laptop must still push an amd64 image.
            expect(image.inputs.platforms).to.deep.equal(["linux/amd64"]);
            expect(named(plan, "aws:ecs/taskDefinition:TaskDefinition", "sales-task").inputs.runtimePlatform).to.deep.include({ cpuArchitecture: "X86_64" });
            expect(image.inputs.push).to.equal(true);
            expect(image.inputs.tags).to.deep.equal([`${repo.outputs.repositoryUrl}:${plan.stack}`]);
            expect(image.inputs.registries).to.have.length(1);
            expect(image.inputs.registries[0].address).to.equal(repo.outputs.repositoryUrl.split("/")[0]);
            // The short-lived ECR password must never land in state in clear text.
            expect(image.secretInputs.some((p) => /^registries(\[0\])?(\.password)?$/.test(p))).to.equal(true);
        });

        it("keeps a pushed image when its resource goes (the provider would delete it, though it may be the digest now pinned)", () => {
            expect(named(plan, "docker-build:index:Image", "sales-image").retainOnDelete).to.equal(true);
        });

        it("takes the Dockerfile's folder as the context when only build.dockerfile is given, and refuses a build with neither", async () => {
            const legacy = await planServices({ legacy: { build: { dockerfile: "apps/flask/Dockerfile" } } });
            expect(named(legacy, "docker-build:index:Image", "legacy-image").inputs.context).to.deep.equal({ location: "apps/flask" });
            expect(() => new DashboardService("none", { cluster: {} as any, login: LOGIN, rulePriority: 1, framework: "dash", build: {} }))
                .to.throw(ComponentArgsError, /build\.context must be the app's folder \(or give build\.dockerfile, whose folder it then is\)/);
        });

        it("builds the stage a multi-stage Dockerfile names as target", () => {
            expect(named(plan, "docker-build:index:Image", "stats-image").inputs.target).to.equal("release");
        });

        it("keeps only the last N images", () => {
            const policy = named(plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "sales-repo-expiry");
            expect(JSON.parse(policy.inputs.policy).rules[0].selection).to.deep.include({ countType: "imageCountMoreThan", countNumber: 10 });
        });

        it("pins the task to the image digest, so a rebuild redeploys", () => {
            const image = named(plan, "docker-build:index:Image", "sales-image");
            const repo = named(plan, "aws:ecr/repository:Repository", "sales-repo");
            expect(container(plan, "sales").image).to.equal(`${repo.outputs.repositoryUrl}@${image.outputs.digest}`).and.to.match(/@sha256:[0-9a-f]{64}$/);
        });
    });

    describe("task", () => {
        it("has the requested Fargate size and runs on Fargate with awsvpc", () => {
            const task = named(plan, "aws:ecs/taskDefinition:TaskDefinition", "sales-task");
            expect(task.inputs).to.deep.include({ cpu: "512", memory: "1024", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"] });
        });

        it("passes the app its URL, logout URL, region, ALB ARN and port under the documented names", () => {
            const env = envOf(container(plan, "sales"));
            const alb = one(plan, "aws:lb/loadBalancer:LoadBalancer");
            expect(env).to.deep.include({
                [APP_ENV.name]: "sales",
                [APP_ENV.url]: "https://sales.dashboards.example.com",
                [APP_ENV.logoutUrl]: LOGIN.logoutUrl,
                [APP_ENV.region]: "eu-west-1",
                [APP_ENV.albArn]: alb.outputs.arn,
                [APP_ENV.port]: "3838",
                [APP_ENV.albPublicKeysUrl]: "https://public-keys.auth.elb.eu-west-1.amazonaws.com",
                MODE: "prod",
            });
        });

        it("takes secrets by reference, never as plain values", () => {
            const c = container(plan, "sales");
            expect(c.secrets).to.deep.equal([
                { name: "API_KEY", valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sales-api-AbCdEf:key::" },
                { name: "DB_PASSWORD", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/db" },
            ]);
            expect(JSON.stringify(c.environment)).not.to.contain("arn:aws:ssm");
        });

        it("logs to its own log group with retention", () => {
            const logs = named(plan, "aws:cloudwatch/logGroup:LogGroup", "sales-logs");
            expect(logs.inputs.retentionInDays).to.equal(30);
            expect(container(plan, "sales").logConfiguration.options["awslogs-group"]).to.equal(logs.inputs.name);
        });
    });

    describe("IAM", () => {
        it("lets the execution role pull only its own image, write only its own logs and read only its own secrets", () => {
            const policy = JSON.parse(named(plan, "aws:iam/rolePolicy:RolePolicy", "sales-exec-policy").inputs.policy);
            const repo = named(plan, "aws:ecr/repository:Repository", "sales-repo");
            const logs = named(plan, "aws:cloudwatch/logGroup:LogGroup", "sales-logs");
            const bySid = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
            expect(bySid.PullOwnImage.Resource).to.equal(repo.outputs.arn);
            expect(bySid.WriteOwnLogs.Resource).to.equal(`${logs.outputs.arn}:*`);
            expect(bySid.ReadOwnParameters.Resource).to.deep.equal(["arn:aws:ssm:eu-west-1:123456789012:parameter/sales/db"]);
            // The secret's own ARN, without the json key ECS reads from it, and no wildcard.
            expect(bySid.ReadOwnSecrets.Resource).to.deep.equal(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:sales-api-AbCdEf"]);
            for (const s of policy.Statement) {
                if (s.Sid !== "EcrLogin") expect(s.Resource, s.Sid).not.to.equal("*");
            }
        });

        it("lets the execution role decrypt with the secrets' own KMS key only through SSM and Secrets Manager, and only for its own secrets", () => {
            const policy = JSON.parse(named(plan, "aws:iam/rolePolicy:RolePolicy", "sales-exec-policy").inputs.policy);
            const decrypts = policy.Statement.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith("kms:")));
            expect(decrypts).to.deep.equal([
                {
                    Sid: "DecryptOwnParameters", Effect: "Allow", Action: "kms:Decrypt", Resource: [SECRETS_KEY],
                    Condition: { StringEquals: { "kms:ViaService": ["ssm.eu-west-1.amazonaws.com"], "kms:EncryptionContext:PARAMETER_ARN": ["arn:aws:ssm:eu-west-1:123456789012:parameter/sales/db"] } },
                },
                {
                    Sid: "DecryptOwnSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: [SECRETS_KEY],
                    // The secret's own ARN: Secrets Manager's encryption context names the secret, not the json key ECS reads.
                    Condition: { StringEquals: { "kms:ViaService": ["secretsmanager.eu-west-1.amazonaws.com"], "kms:EncryptionContext:SecretARN": ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:sales-api-AbCdEf"] } },
                },
            ]);
            // A dashboard without secretKeyArns gets no KMS right at all.
            const stats = JSON.parse(named(plan, "aws:iam/rolePolicy:RolePolicy", "stats-exec-policy").inputs.policy);
            expect(JSON.stringify(stats)).not.to.contain("kms:");
        });

        it("gives the app's task role nothing but the policies configured", () => {
            const taskRole = named(plan, "aws:iam/role:Role", "sales-task");
            expect(ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === taskRole.id)).to.have.length(0);
            const attachments = ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === taskRole.outputs.name);
            expect(attachments.map((a) => a.inputs.policyArn)).to.deep.equal(["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]);
            const statsRole = named(plan, "aws:iam/role:Role", "stats-task");
            expect(ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === statsRole.outputs.name)).to.have.length(0);
        });

        it("lets only ECS tasks of this account assume the roles", () => {
            const trust = JSON.parse(named(plan, "aws:iam/role:Role", "sales-exec").inputs.assumeRolePolicy);
            expect(trust.Statement[0].Principal).to.deep.equal({ Service: "ecs-tasks.amazonaws.com" });
            expect(trust.Statement[0].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "123456789012" } });
        });
    });

    describe("network", () => {
        it("admits only the load balancer's security group, on the container port", () => {
            const sg = named(plan, "aws:ec2/securityGroup:SecurityGroup", "sales-tasks-sg");
            const albSg = named(plan, "aws:ec2/securityGroup:SecurityGroup", "dashboards-alb-sg");
            const ingress = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === sg.id);
            expect(ingress).to.have.length(1);
            expect(ingress[0].inputs).to.include({ referencedSecurityGroupId: albSg.id, fromPort: 3838, toPort: 3838, ipProtocol: "tcp" });
            expect(ingress[0].inputs.cidrIpv4).to.equal(undefined);
        });

        it("opens the load balancer's way out to exactly this service's tasks and port", () => {
            const sg = named(plan, "aws:ec2/securityGroup:SecurityGroup", "sales-tasks-sg");
            const albSg = named(plan, "aws:ec2/securityGroup:SecurityGroup", "dashboards-alb-sg");
            const out = named(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "sales-alb-out");
            expect(out.inputs).to.include({ securityGroupId: albSg.id, referencedSecurityGroupId: sg.id, fromPort: 3838, toPort: 3838 });
        });

        it("runs in private subnets without public IPs when the VPC has NAT", () => {
            const service = named(plan, "aws:ecs/service:Service", "sales-service");
            const vpc = one(plan, "awsx:ec2:Vpc");
            expect(service.inputs.networkConfiguration.assignPublicIp).to.equal(false);
            expect(service.inputs.networkConfiguration.subnets).to.deep.equal(vpc.outputs.privateSubnetIds);
        });

        it("runs in public subnets with public IPs when there is no NAT", async () => {
            const noNat = await planServices({ kpis: { framework: "flask" } }, { natStrategy: "none" });
            const service = named(noNat, "aws:ecs/service:Service", "kpis-service");
            expect(service.inputs.networkConfiguration.assignPublicIp).to.equal(true);
            expect(service.inputs.networkConfiguration.subnets).to.deep.equal(one(noNat, "awsx:ec2:Vpc").outputs.publicSubnetIds);
        });
    });

    describe("routing", () => {
        it("authenticates first (order 1), then forwards (order 2), for its host and extra hosts", () => {
            const rule = named(plan, "aws:lb/listener:Listener", "dashboards-https");
            const listenerRule = named(plan, "aws:lb/listenerRule:ListenerRule", "sales-rule");
            expect(listenerRule.inputs.listenerArn).to.equal(rule.outputs.arn);
            expect(listenerRule.inputs.conditions).to.deep.equal([{ hostHeader: { values: ["sales.dashboards.example.com", "sales.example.org"] } }]);
            const [first, second] = [...listenerRule.inputs.actions].sort((a: any, b: any) => a.order - b.order);
            expect(first).to.deep.include({ type: "authenticate-oidc", order: 1 });
            expect(second).to.deep.include({ type: "forward", order: 2, targetGroupArn: named(plan, "aws:lb/targetGroup:TargetGroup", "sales-tg").outputs.arn });
        });

        it("health-checks the framework's path on a type-ip target group with a name within 32 characters", () => {
            const tg = named(plan, "aws:lb/targetGroup:TargetGroup", "sales-tg");
            expect(tg.inputs).to.include({ port: 3838, protocol: "HTTP", targetType: "ip" });
            expect(tg.inputs.healthCheck).to.include({ path: "/", matcher: "200-399" });
            expect(tg.inputs.name.length).to.be.at.most(32);
            // Dash's preset probes "/", the one path every Dash app answers (no /health unless the app adds one).
            expect(named(plan, "aws:lb/targetGroup:TargetGroup", "stats-tg").inputs.healthCheck.path).to.equal("/");
        });

        it("names its target group anew when it moves to another VPC, and keeps the name while nothing forcing a replacement changes", async () => {
            // A target group is replaced (created before the old one is deleted) when its VPC changes; the
            // new one must not ask for the old one's name, which AWS would refuse as a duplicate.
            const inVpc = (vpcId: string) => planServices({ sales: { framework: "shiny" } }, {
                existingVpc: { vpcId, publicSubnetIds: ["subnet-0a", "subnet-0b"], privateSubnetIds: ["subnet-0c", "subnet-0d"] },
            }).then((p) => named(p, "aws:lb/targetGroup:TargetGroup", "sales-tg").inputs.name as string);
            const [a, again, b] = [await inVpc("vpc-0123456789abcdef0"), await inVpc("vpc-0123456789abcdef0"), await inVpc("vpc-0fedcba9876543210")];
            expect(again).to.equal(a);
            expect(b).not.to.equal(a);
            for (const name of [a, b]) expect(name.length).to.be.at.most(32);
        });

        it("makes an alias record for each host under the domain only", () => {
            const records = ofType(plan, "aws:route53/record:Record").filter((r) => r.name.startsWith("sales-dns"));
            expect(records.map((r) => r.inputs.name)).to.deep.equal(["sales.dashboards.example.com"]);
            const alb = one(plan, "aws:lb/loadBalancer:LoadBalancer");
            expect(records[0].inputs.aliases).to.deep.equal([{ name: alb.outputs.dnsName, zoneId: alb.outputs.zoneId, evaluateTargetHealth: true }]);
        });
    });

    describe("service", () => {
        it("rolls back failed deploys and keeps full capacity while deploying", () => {
            const service = named(plan, "aws:ecs/service:Service", "sales-service");
            expect(service.inputs.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
            expect(service.inputs).to.include({ deploymentMinimumHealthyPercent: 100, deploymentMaximumPercent: 200, desiredCount: 2, healthCheckGracePeriodSeconds: 120 });
            expect(service.inputs.loadBalancers).to.deep.equal([{ targetGroupArn: named(plan, "aws:lb/targetGroup:TargetGroup", "sales-tg").outputs.arn, containerName: "app", containerPort: 3838 }]);
            expect(service.dependsOn).to.include(named(plan, "aws:lb/listenerRule:ListenerRule", "sales-rule").urn);
        });

        it("makes pulumi up wait until the rollout is steady, for at most 30 minutes, so crash-looping tasks fail the update", () => {
            const service = named(plan, "aws:ecs/service:Service", "sales-service");
            expect(service.inputs.waitForSteadyState).to.equal(true);
            expect(service.customTimeouts).to.deep.equal({ create: "30m", update: "30m" });
        });

        it("can return without waiting when asked (waitForSteadyState: false)", async () => {
            const quick = await planServices({ quick: { waitForSteadyState: false } });
            expect(named(quick, "aws:ecs/service:Service", "quick-service").inputs.waitForSteadyState).to.equal(false);
        });

        it("fails pulumi up when the deployment circuit breaker rolled the service back to another task definition", async () => {
            // A rollback also ends in a steady state, so waiting alone reports success: AWS answers with the
            // task definition the service settled on, and here that is the previous one.
            const rolledBack = (base: pulumi.runtime.Mocks): pulumi.runtime.Mocks => ({
                ...base,
                newResource: (args) => {
                    const result = base.newResource(args) as { id: string; state: Record<string, unknown> };
                    return args.type === "aws:ecs/service:Service"
                        ? { ...result, state: { ...result.state, taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/dashboards-dev-sales:6" } }
                        : result;
                },
            });
            let failure: unknown;
            await planServices({ sales: { framework: "shiny" } }, {}, rolledBack).catch((e) => (failure = e));
            expect(String(failure)).to.match(/sales: the deployment did not settle on the new task definition[\s\S]*task-definition\/dashboards-dev-sales:6[\s\S]*circuit breaker/);
            // Without waiting there is nothing to compare: ECS reports the new task definition at once.
            await planServices({ sales: { framework: "shiny", waitForSteadyState: false } }, {}, rolledBack);
        });

        it("is created after, and deleted before, the cluster's capacity providers it runs on", () => {
            // Pulumi deletes dependents first: the FARGATE/FARGATE_SPOT association must outlive every service
            // using it, or destroy fails with "The specified capacity provider is in use".
            const capacity = one(plan, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
            for (const name of ["sales-service", "stats-service"]) {
                expect(named(plan, "aws:ecs/service:Service", name).dependsOn, name).to.include(capacity.urn);
            }
        });

        it("scales between min and max tasks on CPU and on ALB requests per target", () => {
            const target = named(plan, "aws:appautoscaling/target:Target", "sales-scaling");
            expect(target.inputs).to.include({ minCapacity: 2, maxCapacity: 5, scalableDimension: "ecs:service:DesiredCount" });
            const cpu = named(plan, "aws:appautoscaling/policy:Policy", "sales-scale-cpu");
            expect(cpu.inputs.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType).to.equal("ECSServiceAverageCPUUtilization");
            const requests = named(plan, "aws:appautoscaling/policy:Policy", "sales-scale-requests");
            const alb = one(plan, "aws:lb/loadBalancer:LoadBalancer");
            const tg = named(plan, "aws:lb/targetGroup:TargetGroup", "sales-tg");
            expect(requests.inputs.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification).to.deep.equal({
                predefinedMetricType: "ALBRequestCountPerTarget",
                resourceLabel: `${alb.outputs.arnSuffix}/${tg.outputs.arnSuffix}`,
            });
        });

        it("alarms on unhealthy targets and 5xx to the stack's topic", () => {
            const topic = one(plan, "aws:sns/topic:Topic");
            for (const alarm of ["sales-unhealthy", "sales-5xx"]) {
                expect(named(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", alarm).inputs.alarmActions).to.deep.equal([topic.outputs.arn]);
            }
            expect(one(plan, "aws:sns/topicSubscription:TopicSubscription").inputs).to.include({ protocol: "email", endpoint: "oncall@example.com" });
        });
    });

    describe("framework presets", () => {
        const cases: [string, number, string, boolean][] = [
            ["shiny", 3838, "/", true],
            ["streamlit", 8501, "/_stcore/health", true],
            ["dash", 8050, "/", false],
            ["flask", 8000, "/", false],
        ];
        let presets: Plan;
        before(async () => {
            presets = await planServices(Object.fromEntries(cases.map(([f]) => [`app-${f}`, { framework: f }])));
        });
        for (const [framework, port, path, sticky] of cases) {
            it(`${framework}: port ${port}, health ${path}, ${sticky ? "sticky with session draining" : "not sticky"}`, () => {
                const tg = named(presets, "aws:lb/targetGroup:TargetGroup", `app-${framework}-tg`);
                expect(tg.inputs.port).to.equal(port);
                expect(tg.inputs.healthCheck.path).to.equal(path);
                expect(tg.inputs.stickiness.enabled).to.equal(sticky);
                if (sticky) expect(tg.inputs.stickiness.type).to.equal("lb_cookie");
                expect(tg.inputs.deregistrationDelay).to.equal(sticky ? 300 : 30);
                expect(container(presets, `app-${framework}`).portMappings[0].containerPort).to.equal(port);
                expect(FRAMEWORK_PRESETS[framework].port).to.equal(port);
            });
        }

        it("streamlit gets one generated cookie secret shared by all its tasks, as an SSM SecureString readable only by its own role", () => {
            const param = named(presets, "aws:ssm/parameter:Parameter", "app-streamlit-cookie-secret");
            expect(param.inputs.type).to.equal("SecureString");
            expect(param.secretInputs).to.include("value");
            const c = container(presets, "app-streamlit");
            expect(c.secrets).to.deep.include({ name: "STREAMLIT_SERVER_COOKIE_SECRET", valueFrom: param.outputs.arn });
            expect(envOf(c)).not.to.have.property("STREAMLIT_SERVER_COOKIE_SECRET");
            const policy = JSON.parse(named(presets, "aws:iam/rolePolicy:RolePolicy", "app-streamlit-exec-policy").inputs.policy);
            expect(policy.Statement.find((st: any) => st.Sid === "ReadOwnParameters").Resource).to.deep.equal([param.outputs.arn]);
            expect(ofType(presets, "aws:ssm/parameter:Parameter").filter((p) => p.name.includes("cookie"))).to.have.length(1);
        });

        it("every preset can be overridden", async () => {
            const custom = await planServices({ odd: { framework: "shiny", port: 9000, healthCheckPath: "/ping", sticky: false, deregistrationDelaySeconds: 45, healthCheckGracePeriodSeconds: 300 } });
            const tg = named(custom, "aws:lb/targetGroup:TargetGroup", "odd-tg");
            expect(tg.inputs).to.deep.include({ port: 9000, deregistrationDelay: 45 });
            expect(tg.inputs.healthCheck.path).to.equal("/ping");
            expect(tg.inputs.stickiness.enabled).to.equal(false);
            expect(named(custom, "aws:ecs/service:Service", "odd-service").inputs.healthCheckGracePeriodSeconds).to.equal(300);
            expect(envOf(container(custom, "odd")).PORT).to.equal("9000");
        });

        it("websocket apps on Spot drain within the 2-minute interruption warning", async () => {
            const spot = await planServices({ spotty: { framework: "streamlit", capacity: "spot" } });
            expect(named(spot, "aws:lb/targetGroup:TargetGroup", "spotty-tg").inputs.deregistrationDelay).to.be.below(120);
            expect(named(spot, "aws:ecs/service:Service", "spotty-service").inputs.capacityProviderStrategies).to.deep.equal([{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }]);
        });
    });

    describe("prebuilt images and rollback by digest", () => {
        const DIGEST = `sha256:${"ab12".repeat(16)}`;
        const OTHER_ACCOUNT = `210987654321.dkr.ecr.us-east-1.amazonaws.com/team/sales@${DIGEST}`;
        const PUBLIC = `public.ecr.aws/docker/library/nginx@${DIGEST}`;
        let images: Plan;
        before(async () => {
            images = await planServices({
                ecr: { image: OTHER_ACCOUNT, build: undefined },
                pub: { image: PUBLIC, build: undefined },
                tagged: { image: "ghcr.io/acme/tagged:1.2.3", allowMutableTag: true, build: undefined },
                pinned: { framework: "dash", imageDigest: DIGEST },
            });
        });
        const childTypes = (name: string) => {
            const parent = one(images, "dashboards:index:DashboardService", (r) => r.name === name);
            return images.resources.filter((r) => r.parent === parent.urn).map((r) => r.type);
        };
        const policyOf = (name: string) => JSON.parse(named(images, "aws:iam/rolePolicy:RolePolicy", `${name}-exec-policy`).inputs.policy);

        it("runs a prebuilt image as given, with no build, repository or lifecycle policy", () => {
            for (const [name, image] of [["ecr", OTHER_ACCOUNT], ["pub", PUBLIC], ["tagged", "ghcr.io/acme/tagged:1.2.3"]]) {
                expect(container(images, name).image, name).to.equal(image);
                const types = childTypes(name);
                for (const absent of ["docker-build:index:Image", "aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy"]) {
                    expect(types, `${name}: ${absent}`).not.to.include(absent);
                }
            }
        });

        it("lets the execution role pull exactly the prebuilt image's ECR repository, in its own account and region", () => {
            const ecrStatements = policyOf("ecr").Statement.filter((s: any) => String(s.Action).includes("ecr:"));
            expect(ecrStatements).to.deep.equal([
                // GetAuthorizationToken has no resource-level permissions: https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html
                { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                { Sid: "PullOwnImage", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: "arn:aws:ecr:us-east-1:210987654321:repository/team/sales" },
            ]);
        });

        it("grants no ECR rights at all for an image from a public registry", () => {
            for (const name of ["pub", "tagged"]) {
                const policy = policyOf(name);
                expect(JSON.stringify(policy), name).not.to.contain("ecr:");
                expect(policy.Statement.map((s: any) => s.Sid), name).to.deep.equal(["WriteOwnLogs"]);
            }
        });

        it("pins a built dashboard to an earlier image of its own repository by digest, without building", () => {
            const repo = named(images, "aws:ecr/repository:Repository", "pinned-repo");
            expect(container(images, "pinned").image).to.equal(`${repo.outputs.repositoryUrl}@${DIGEST}`);
            const types = childTypes("pinned");
            expect(types).to.include("aws:ecr/lifecyclePolicy:LifecyclePolicy");
            expect(types).not.to.include("docker-build:index:Image");
            expect(policyOf("pinned").Statement.find((s: any) => s.Sid === "PullOwnImage").Resource).to.equal(repo.outputs.arn);
        });

        it("looks the pinned digest up in its own repository, so a preview fails before any change when it has expired", async () => {
            const lookups: Record<string, unknown>[] = [];
            const recording = (base: pulumi.runtime.Mocks): pulumi.runtime.Mocks => ({
                newResource: (a) => base.newResource(a),
                call: (a) => {
                    if (a.token === "aws:ecr/getImage:getImage") lookups.push(a.inputs);
                    return base.call(a);
                },
            });
            await planServices({ kept: { imageDigest: DIGEST } }, {}, recording);
            expect(lookups).to.have.length(1);
            expect(lookups[0]).to.deep.include({ imageDigest: DIGEST, repositoryName: "dashboards-dev/kept" });
        });

        it("reports the image each service runs", async () => {
            const plan = await runUnderMocks(devStackWith(), () => {
                const cluster = new DashboardCluster("dashboards", { domain: "dashboards.example.com", hostedZoneId: "Z0123456789TESTZONE1", vpc: { natStrategy: "none" } });
                const s = new DashboardService("pub", { cluster: cluster.forServices, login: LOGIN, image: PUBLIC, framework: "dash", rulePriority: 1 });
                return { image: s.imageReference };
            });
            expect(plan.outputs.image).to.equal(PUBLIC);
        });

        it("refuses a tag without a digest (unless allowMutableTag), image with imageDigest or a build, and malformed references", () => {
            const service = (args: Partial<DashboardServiceArgs>) => () => new DashboardService("img", {
                cluster: {} as any, login: LOGIN, rulePriority: 1, framework: "dash", ...args,
            });
            expect(service({ image: "ghcr.io/acme/app:latest" })).to.throw(ComponentArgsError, /image "ghcr\.io\/acme\/app:latest" is pinned by tag, not by digest: tags are mutable/);
            expect(service({ image: "ghcr.io/acme/app" })).to.throw(ComponentArgsError, /is pinned by tag, not by digest/);
            expect(service({ image: PUBLIC, imageDigest: DIGEST })).to.throw(ComponentArgsError, /image and imageDigest are mutually exclusive/);
            expect(service({ image: PUBLIC, build: { context: "x" } })).to.throw(ComponentArgsError, /set either build or image, not both/);
            expect(service({})).to.throw(ComponentArgsError, /set either build or image/);
            expect(service({ build: { context: "x" }, imageDigest: "sha256:ABC" })).to.throw(ComponentArgsError, /imageDigest "sha256:ABC" is not sha256: followed by 64 lowercase hex digits/);
            expect(service({ image: "210987654321.dkr.ecr.us-east-1.amazonaws.com/*@" + DIGEST })).to.throw(ComponentArgsError, /wildcard/);
        });
    });

    describe("argument checks", () => {
        it("rejects invalid sizes, counts, frameworks and Spot draining, all at once", () => {
            expect(() => new DashboardService("bad", {
                cluster: {} as any, login: LOGIN, build: { context: "x" }, rulePriority: 0,
                framework: "django", cpu: 256, memory: 4096, minTasks: 3, maxTasks: 1, capacity: "spot", deregistrationDelaySeconds: 300,
                environment: { PORT: "1" },
            })).to.throw(ComponentArgsError, /framework "django"[\s\S]*memory 4096 is not valid with cpu 256[\s\S]*maxTasks 1 is less than minTasks 3[\s\S]*rulePriority 0[\s\S]*under 120 on Fargate Spot[\s\S]*PORT is set by the platform/);
        });

        it("refuses secret references IAM could only grant by wildcard: partial Secrets Manager ARNs, wildcards", () => {
            const service = (ref: string) => () => new DashboardService("leaky", {
                cluster: {} as any, login: LOGIN, build: { context: "x" }, rulePriority: 1, framework: "dash", secrets: { API_KEY: ref },
            });
            expect(service("arn:aws:secretsmanager:eu-west-1:123456789012:secret:p")).to.throw(ComponentArgsError, /secrets\.API_KEY "arn:aws:secretsmanager:eu-west-1:123456789012:secret:p" is a partial Secrets Manager ARN/);
            for (const ref of ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:*", "arn:aws:ssm:eu-west-1:123456789012:parameter/*", "arn:aws:ssm:eu-west-1:123456789012:parameter"]) {
                expect(service(ref), ref).to.throw(ComponentArgsError, /secrets\.API_KEY .* is not an SSM parameter ARN/);
            }
        });

        it("refuses task policies that would make the app's code an account administrator, unless accepted; and service-linked, repeated or malformed ones", () => {
            const service = (taskPolicyArns: unknown[], allowPrivilegedTaskPolicies?: boolean) => () => new DashboardService("policies", {
                cluster: {} as any, login: LOGIN, build: { context: "x" }, rulePriority: 1, framework: "dash", taskPolicyArns: taskPolicyArns as string[], allowPrivilegedTaskPolicies,
            });
            const READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
            for (const name of ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AdministratorAccess-Amplify"]) {
                expect(service([READ, `arn:aws:iam::aws:policy/${name}`]), name).to.throw(ComponentArgsError, new RegExp(`taskPolicyArns\\[1\\] "arn:aws:iam::aws:policy/${name}" makes the dashboard's code an administrator`));
            }
            expect(service(["arn:aws-us-gov:iam::aws:policy/AdministratorAccess"]), "another partition").to.throw(ComponentArgsError, /makes the dashboard's code an administrator/);
            expect(service(["arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"])).to.throw(ComponentArgsError, /is the policy of a service-linked role/);
            expect(service([READ, READ])).to.throw(ComponentArgsError, /taskPolicyArns\[1\] .* is listed twice \(also taskPolicyArns\[0\]\)/);
            for (const bad of ["*", "arn:aws:iam::aws:policy/*x", "arn:aws:iam::*:policy/x", "arn:aws:s3:::bucket", 42]) {
                expect(service([bad]), String(bad)).to.throw(ComponentArgsError, /taskPolicyArns\[0\] .* (is not an IAM policy ARN|is not a string)/);
            }
            expect(service([READ], true)).to.throw(ComponentArgsError, /allowPrivilegedTaskPolicies is set but no policy in taskPolicyArns needs it/);
            // Accepted: a customer policy named like an AWS one, an admin policy with the opt-in (what fails next is the stand-in cluster, not the arguments).
            expect(service(["arn:aws:iam::123456789012:policy/AdministratorAccess"])).to.throw().that.is.not.instanceOf(ComponentArgsError);
            expect(service(["arn:aws:iam::aws:policy/AdministratorAccess"], true)).to.throw().that.is.not.instanceOf(ComponentArgsError);
        });

        it("refuses secret keys IAM could not grant exactly: aliases, wildcards, other services, keys without secrets", () => {
            const service = (secretKeyArns: unknown[], secrets: Record<string, string> = { DB: "arn:aws:ssm:eu-west-1:123456789012:parameter/db" }) => () => new DashboardService("keys", {
                cluster: {} as any, login: LOGIN, build: { context: "x" }, rulePriority: 1, framework: "dash", secrets, secretKeyArns: secretKeyArns as string[],
            });
            expect(service(["arn:aws:kms:eu-west-1:123456789012:alias/app"])).to.throw(ComponentArgsError, /secretKeyArns\[0\] "arn:aws:kms:eu-west-1:123456789012:alias\/app" is an alias ARN/);
            for (const bad of ["arn:aws:kms:eu-west-1:123456789012:key/*", "*", "arn:aws:kms:*:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:s3:::bucket", 42]) {
                expect(service([SECRETS_KEY, bad]), String(bad)).to.throw(ComponentArgsError, /secretKeyArns\[1\] .* is not a KMS key ARN/);
            }
            expect(service([SECRETS_KEY], {})).to.throw(ComponentArgsError, /secretKeyArns is set but there are no secrets/);
            // A multi-Region key passes the checks (what fails next is the stand-in cluster, not the arguments).
            expect(service(["arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"])).to.throw().that.is.not.instanceOf(ComponentArgsError);
        });
    });
});

describe("DashboardService read-only root file system", () => {
    let plan: Plan;
    before(async () => {
        plan = await planServices({
            locked: { framework: "flask", readonlyRootFilesystem: true, writablePaths: ["/app/instance", "/var/cache/app"] },
            tmponly: { framework: "shiny", readonlyRootFilesystem: true },
            open: { framework: "dash" },
        });
    });
    const task = (name: string) => named(plan, "aws:ecs/taskDefinition:TaskDefinition", `${name}-task`);

    it("runs the container read-only, with /tmp and each writable folder on a volume of the task's own storage", () => {
        const c = container(plan, "locked");
        expect(c.readonlyRootFilesystem).to.equal(true);
        expect(c.mountPoints.map((m: { containerPath: string }) => m.containerPath)).to.deep.equal(["/tmp", "/app/instance", "/var/cache/app"]);
        const volumes: { name: string; host?: unknown; efsVolumeConfiguration?: unknown }[] = task("locked").inputs.volumes;
        // Every mount point has its volume, and each volume is a bind mount without a host path: task storage, not EFS or a host folder.
        expect(c.mountPoints.map((m: { sourceVolume: string }) => m.sourceVolume)).to.deep.equal(volumes.map((v) => v.name));
        for (const v of volumes) expect(Object.keys(v), v.name).to.deep.equal(["name"]);
        expect(c.mountPoints.every((m: { readOnly: boolean }) => m.readOnly === false)).to.equal(true);
    });

    it("makes /tmp writable even when no further folder is listed (R does not start without it)", () => {
        expect(container(plan, "tmponly").mountPoints).to.deep.equal([{ sourceVolume: "writable-0-tmp", containerPath: "/tmp", readOnly: false }]);
        expect(task("tmponly").inputs.volumes).to.deep.equal([{ name: "writable-0-tmp" }]);
    });

    it("leaves the root writable and mounts nothing by default (an image of the app's own may write anywhere)", () => {
        const c = container(plan, "open");
        expect(c).not.to.have.property("readonlyRootFilesystem");
        expect(c).not.to.have.property("mountPoints");
        expect(task("open").inputs).not.to.have.property("volumes");
    });

    it("refuses writable folders without a read-only root, and folders it cannot mount as given, before declaring anything", () => {
        const service = (args: ServiceOptions) => () => new DashboardService("paths", { cluster: {} as any, login: LOGIN, build: { context: "x" }, rulePriority: 1, framework: "dash", ...args });
        expect(service({ writablePaths: ["/app/cache"] })).to.throw(ComponentArgsError, /writablePaths only applies with readonlyRootFilesystem: true/);
        expect(service({ readonlyRootFilesystem: false, writablePaths: ["/app/cache"] })).to.throw(ComponentArgsError, /writablePaths only applies with readonlyRootFilesystem: true/);
        expect(service({ readonlyRootFilesystem: true, writablePaths: ["/app/cache", "relative", "/tmp", "/app/cache", "/proc/x", "/etc"] }))
            .to.throw(ComponentArgsError, /writablePaths\[1\] "relative" is not an absolute folder path[\s\S]*writablePaths\[2\] "\/tmp" is inside \/tmp[\s\S]*writablePaths\[4\] "\/proc\/x" is inside \/proc[\s\S]*writablePaths\[5\] "\/etc" holds the system's programs[\s\S]*writablePaths\[3\] "\/app\/cache" is listed twice/);
        expect(service({ readonlyRootFilesystem: true, writablePaths: "/app/cache" as unknown as string[] })).to.throw(ComponentArgsError, /writablePaths must be a list of folders/);
        expect(service({ readonlyRootFilesystem: true, writablePaths: Array.from({ length: 11 }, (_, i) => `/app/f${i}`) })).to.throw(ComponentArgsError, /writablePaths lists 11 folders; at most 10/);
        // Accepted (what fails next is the stand-in cluster, not the arguments).
        expect(service({ readonlyRootFilesystem: true, writablePaths: ["/app/cache"] })).to.throw().that.is.not.instanceOf(ComponentArgsError);
    });
});

describe("DashboardService office hours (schedule)", () => {

    it("wakes the service at start and puts it to sleep at stop, in the schedule's time zone", async () => {
        const plan = await planServices({ sales: { minTasks: 2, maxTasks: 4, schedule: SCHEDULE } });
        const target = named(plan, "aws:appautoscaling/target:Target", "sales-scaling");
        const actions = ofType(plan, "aws:appautoscaling/scheduledAction:ScheduledAction");
        expect(actions.map((a) => a.name).sort()).to.deep.equal(["sales-sleep", "sales-wake"]);
        const wake = named(plan, "aws:appautoscaling/scheduledAction:ScheduledAction", "sales-wake");
        const sleep = named(plan, "aws:appautoscaling/scheduledAction:ScheduledAction", "sales-sleep");
        expect(wake.inputs).to.deep.include({ schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Europe/Zurich", scalableTargetAction: { minCapacity: 2, maxCapacity: 4 } });
        expect(sleep.inputs).to.deep.include({ schedule: "cron(0 20 ? * MON-FRI *)", timezone: "Europe/Zurich", scalableTargetAction: { minCapacity: 0, maxCapacity: 0 } });
        // Both act on this service's own scalable target.
        for (const a of [wake, sleep]) {
            expect(a.inputs.resourceId).to.equal(target.inputs.resourceId);
            expect(a.inputs.scalableDimension).to.equal("ecs:service:DesiredCount");
        }
    });

    it("leaves the capacity to the scheduled actions (a deploy outside the hours does not wake it), and the desired count to scaling", async () => {
        const plan = await planServices({ sales: { schedule: SCHEDULE }, ops: {} });
        expect(named(plan, "aws:appautoscaling/target:Target", "sales-scaling").ignoreChanges).to.have.members(["minCapacity", "maxCapacity"]);
        expect(named(plan, "aws:appautoscaling/target:Target", "ops-scaling").ignoreChanges).to.deep.equal([]);
        expect(ofType(plan, "aws:ecs/service:Service").map((s) => s.ignoreChanges)).to.deep.equal([["desiredCount"], ["desiredCount"]]);
        // Without a schedule nothing is scheduled.
        expect(ofType(plan, "aws:appautoscaling/scheduledAction:ScheduledAction").map((a) => a.name).sort()).to.deep.equal(["sales-sleep", "sales-wake"]);
    });

    it("keeps tasksOutside running outside the hours", async () => {
        const plan = await planServices({ sales: { minTasks: 3, maxTasks: 6, schedule: { ...SCHEDULE, tasksOutside: 1 } } });
        expect(named(plan, "aws:appautoscaling/scheduledAction:ScheduledAction", "sales-sleep").inputs.scalableTargetAction).to.deep.equal({ minCapacity: 1, maxCapacity: 1 });
    });

    it("refuses a schedule it cannot run, naming each argument, before declaring anything", async () => {
        try {
            await planServices({ sales: { minTasks: 1, schedule: { days: "WEEKDAYS", start: "20:00", stop: "7:00", timeZone: "Mars/Olympus", tasksOutside: 2 } } });
            expect.fail("expected the schedule to be refused");
        } catch (e) {
            expect(e).to.be.instanceOf(ComponentArgsError);
            const message = (e as Error).message;
            for (const key of ["schedule.days", "schedule.stop", "schedule.timeZone", "schedule.tasksOutside"]) expect(message).to.contain(`  - ${key} `);
        }
    });
});

describe("DashboardService scale to zero (minTasks 0)", () => {
    const RULE = "aws:lb/listenerRule:ListenerRule";
    const TG = "aws:lb/targetGroup:TargetGroup";
    let plan: Plan;
    before(async () => {
        plan = await planServices({
            sales: { minTasks: 0, maxTasks: 3, wakeRuleSlots: { asleep: 900, awake: 1100 }, idleMinutes: 45, displayName: "Sales & Co", capacity: "spot", extraHosts: ["sales.example.org"] },
            ops: { minTasks: 0, wakeRuleSlots: { asleep: 950, awake: 2000 }, capacity: "mixed" },
            always: {},
        });
    });
    const policyOf = (name: string) => JSON.parse(named(plan, "aws:iam/rolePolicy:RolePolicy", `${name}-waker-policy`).inputs.policy);
    const envOfWaker = (name: string) => named(plan, "aws:lambda/function:Function", `${name}-waker`).inputs.environment.variables;

    it("alarms when a waker is throttled (its sleeping dashboard cannot be opened), only with an alarm topic", async () => {
        expect(ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricName === "Throttles")).to.deep.equal([]);
        const alarmed = await planServices({ sales: { minTasks: 0, wakeRuleSlots: { asleep: 900, awake: 1100 } }, always: {} }, { alarmEmails: ["oncall@example.com"] });
        const topic = one(alarmed, "aws:sns/topic:Topic");
        const throttles = ofType(alarmed, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricName === "Throttles");
        expect(throttles.map((a) => a.name)).to.deep.equal(["sales-waker-throttles"]);
        expect(throttles[0].inputs).to.deep.include({ namespace: "AWS/Lambda", dimensions: { FunctionName: named(alarmed, "aws:lambda/function:Function", "sales-waker").outputs.name }, alarmActions: [topic.outputs.arn] });
    });

    it("starts asleep: no task, a 0..0 scalable target, and the waker's rule winning on the same hosts behind the same login", () => {
        expect(named(plan, "aws:ecs/service:Service", "sales-service").inputs.desiredCount).to.equal(0);
        expect(named(plan, "aws:appautoscaling/target:Target", "sales-scaling").inputs).to.deep.include({ minCapacity: 0, maxCapacity: 0 });
        const app = named(plan, RULE, "sales-rule");
        const wake = named(plan, RULE, "sales-wake-rule");
        // The lower number wins: the waker's, in its slot below the dashboard's rule, while asleep.
        expect(app.inputs.priority).to.equal(1000);
        expect(wake.inputs.priority).to.equal(900);
        expect(wake.inputs.conditions).to.deep.equal(app.inputs.conditions);
        expect(wake.inputs.conditions[0].hostHeader.values).to.deep.equal(["sales.dashboards.example.com", "sales.example.org"]);
        for (const rule of [app, wake]) {
            const ordered = [...rule.inputs.actions].sort((a: any, b: any) => a.order - b.order);
            expect(ordered.map((a: any) => a.type)).to.deep.equal(["authenticate-oidc", "forward"]);
            expect(ordered[0].authenticateOidc.clientId).to.equal("client-id");
        }
        const waker = named(plan, TG, "sales-waker-tg");
        expect(waker.inputs.targetType).to.equal("lambda");
        expect(wake.inputs.actions[1].targetGroupArn).to.equal(waker.outputs.arn);
        expect(app.inputs.actions[1].targetGroupArn).to.equal(named(plan, TG, "sales-tg").outputs.arn);
        expect(String(waker.inputs.name).length).to.be.at.most(32);
        expect(waker.inputs.name).to.not.equal(named(plan, TG, "sales-tg").inputs.name);
    });

    it("lets the waker own exactly its rule's priority, the desired count and the capacity: pulumi up leaves them as the waker set them", () => {
        for (const name of ["sales", "ops"]) {
            // The dashboard's own rule, its login included, stays Pulumi's.
            expect(named(plan, RULE, `${name}-rule`).ignoreChanges).to.deep.equal([]);
            expect(named(plan, RULE, `${name}-wake-rule`).ignoreChanges).to.deep.equal(["priority"]);
            expect(named(plan, "aws:ecs/service:Service", `${name}-service`).ignoreChanges).to.deep.equal(["desiredCount"]);
            expect(named(plan, "aws:appautoscaling/target:Target", `${name}-scaling`).ignoreChanges).to.have.members(["minCapacity", "maxCapacity"]);
        }
        // An always-on dashboard keeps its rule and capacity managed by Pulumi.
        expect(named(plan, RULE, "always-rule").ignoreChanges).to.deep.equal([]);
        expect(named(plan, "aws:appautoscaling/target:Target", "always-scaling").ignoreChanges).to.deep.equal([]);
        expect(ofType(plan, RULE).filter((r) => r.name.startsWith("always-"))).to.have.length(1);
    });

    it("gives the waker its own resources: the service, both rules, both target groups, the capacity range and the wake page's texts", () => {
        const env = envOfWaker("sales");
        expect(env).to.deep.include({
            SERVICE_NAME: named(plan, "aws:ecs/service:Service", "sales-service").outputs.name,
            APP_RULE_ARN: named(plan, RULE, "sales-rule").outputs.arn,
            WAKE_RULE_ARN: named(plan, RULE, "sales-wake-rule").outputs.arn,
            APP_TARGET_GROUP_ARN: named(plan, TG, "sales-tg").outputs.arn,
            WAKER_TARGET_GROUP_ARN: named(plan, TG, "sales-waker-tg").outputs.arn,
            SCALABLE_RESOURCE_ID: named(plan, "aws:appautoscaling/target:Target", "sales-scaling").inputs.resourceId,
            AWAKE_MIN_TASKS: "1",
            AWAKE_MAX_TASKS: "3",
            IDLE_MINUTES: "45",
            DISPLAY_NAME: "Sales & Co",
            WAKE_RULE_ASLEEP_PRIORITY: "900",
            WAKE_RULE_AWAKE_PRIORITY: "1100",
        });
        expect(envOfWaker("ops")).to.deep.include({ IDLE_MINUTES: "30", AWAKE_MAX_TASKS: "2", DISPLAY_NAME: "ops" });
        expect(Number(env.START_TIMEOUT_SECONDS)).to.be.greaterThan(FRAMEWORK_PRESETS.dash.healthCheckGracePeriodSeconds);
    });

    it("lets the waker act on its own dashboard only; its only * resources are read-only calls", () => {
        const sales = policyOf("sales");
        const resourcesOf = (doc: any, action: string) => doc.Statement.filter((s: any) => [s.Action].flat().includes(action)).flatMap((s: any) => [s.Resource].flat());
        // It may move its own waker rule only: never the dashboard's rule, never any action.
        expect(resourcesOf(sales, "elasticloadbalancing:SetRulePriorities")).to.deep.equal([named(plan, RULE, "sales-wake-rule").outputs.arn]);
        expect(JSON.stringify(sales)).to.not.contain(named(plan, RULE, "sales-rule").outputs.arn);
        expect(JSON.stringify(sales)).to.not.contain("ModifyRule");
        expect(resourcesOf(sales, "application-autoscaling:RegisterScalableTarget")).to.deep.equal([named(plan, "aws:appautoscaling/target:Target", "sales-scaling").outputs.arn]);
        expect(resourcesOf(sales, "ecs:UpdateService")).to.have.length(1);
        expect(resourcesOf(sales, "ecs:UpdateService")[0]).to.match(/^arn:aws:ecs:[a-z0-9-]+:\d{12}:service\/[^/*]+\/[^/*]+$/);
        expect(resourcesOf(sales, "ecs:UpdateService")[0]).to.contain(`/${named(plan, "aws:ecs/service:Service", "sales-service").outputs.name}`);
        for (const s of sales.Statement) {
            const actions: string[] = [s.Action].flat();
            const resources: string[] = [s.Resource].flat();
            if (resources.includes("*")) {
                // Reads, or ListTasks bound to this cluster by its condition.
                expect(actions.every((a) => /:(Describe|Get|List)/.test(a)), JSON.stringify(s)).to.equal(true);
                if (actions.includes("ecs:ListTasks")) expect(s.Condition.ArnEquals["ecs:cluster"]).to.match(/^arn:aws:ecs:/);
            } else {
                for (const r of resources) expect(r.replace(/\/\*$/, "").replace(/:\*$/, ""), r).to.not.contain("*");
            }
            expect(actions.some((a) => a.endsWith(":*") || a === "*"), JSON.stringify(s)).to.equal(false);
        }
        // Nothing of one dashboard's is in the other's policy.
        const ops = JSON.stringify(policyOf("ops"));
        for (const arn of [named(plan, RULE, "sales-wake-rule").outputs.arn, named(plan, "aws:appautoscaling/target:Target", "sales-scaling").outputs.arn]) expect(ops).to.not.contain(arn);
    });

    it("is invoked only by its own target group and its own idle check, every 5 minutes", () => {
        const permissions = ofType(plan, "aws:lambda/permission:Permission").filter((p) => p.name.startsWith("sales-"));
        const bySource = Object.fromEntries(permissions.map((p) => [p.inputs.principal, p.inputs.sourceArn]));
        expect(bySource).to.deep.equal({
            "elasticloadbalancing.amazonaws.com": named(plan, TG, "sales-waker-tg").outputs.arn,
            "events.amazonaws.com": named(plan, "aws:cloudwatch/eventRule:EventRule", "sales-idle-check").outputs.arn,
        });
        expect(named(plan, "aws:cloudwatch/eventRule:EventRule", "sales-idle-check").inputs.scheduleExpression).to.equal("rate(5 minutes)");
        expect(named(plan, "aws:cloudwatch/eventTarget:EventTarget", "sales-idle-check-target").inputs.arn).to.equal(named(plan, "aws:lambda/function:Function", "sales-waker").outputs.arn);
        const attachment = named(plan, "aws:lb/targetGroupAttachment:TargetGroupAttachment", "sales-waker-target");
        expect(attachment.inputs).to.deep.include({ targetGroupArn: named(plan, TG, "sales-waker-tg").outputs.arn, targetId: named(plan, "aws:lambda/function:Function", "sales-waker").outputs.arn });
        // No VPC: it calls AWS APIs only, with no address of its own.
        expect(named(plan, "aws:lambda/function:Function", "sales-waker").inputs.vpcConfig).to.equal(undefined);
    });

    it("keeps Spot and mixed capacity as configured", () => {
        const strategies = (name: string) => named(plan, "aws:ecs/service:Service", `${name}-service`).inputs.capacityProviderStrategies;
        expect(strategies("sales")).to.deep.equal([{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }]);
        expect(strategies("ops")).to.deep.equal([{ capacityProvider: "FARGATE", weight: 1, base: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 }]);
    });

    it("refuses scale-to-zero arguments it cannot run, naming each, before declaring anything", async () => {
        const refused = async (options: ServiceOptions) => {
            try {
                await planServices({ sales: options });
            } catch (e) {
                expect(e).to.be.instanceOf(ComponentArgsError);
                return (e as Error).message;
            }
            return expect.fail(`expected ${JSON.stringify(options)} to be refused`);
        };
        const slots = { asleep: 999, awake: 1001 };
        expect(await refused({ minTasks: 0 })).to.contain("wakeRuleSlots is required with minTasks 0");
        for (const bad of [{ asleep: 1001, awake: 1002 }, { asleep: 998, awake: 999 }, { asleep: 1000, awake: 1001 }, { asleep: 0, awake: 1001 }]) {
            expect(await refused({ minTasks: 0, wakeRuleSlots: bad }), JSON.stringify(bad)).to.contain("must be priorities 1..50000 with asleep < rulePriority 1000 < awake");
        }
        expect(await refused({ minTasks: 0, wakeRuleSlots: slots, idleMinutes: 5 })).to.contain("idleMinutes 5 must be a whole number of minutes from 10 to 1440");
        expect(await refused({ minTasks: 0, wakeRuleSlots: slots, schedule: SCHEDULE })).to.contain("schedule and minTasks 0 both decide when the service sleeps");
        expect(await refused({ minTasks: 1, idleMinutes: 30 })).to.contain("idleMinutes needs minTasks 0");
        expect(await refused({ minTasks: 1, wakeRuleSlots: slots })).to.contain("wakeRuleSlots needs minTasks 0");
        expect(await refused({ minTasks: 0, wakeRuleSlots: slots, maxTasks: 0 })).to.contain("maxTasks 0 must be a whole number >= 1");
        expect(await refused({ minTasks: -1 })).to.contain("minTasks -1 must be a whole number >= 0");
    });
});
