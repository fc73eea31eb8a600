import { expect } from "chai";
import { parse } from "yaml";
import { ComponentArgsError } from "../components/dashboardCluster";
import { DashboardPipeline, DashboardPipelineArgs, EXECUTION_FAILED_EVENT } from "../components/dashboardPipeline";
import { Plan, PlannedResource, runUnderMocks } from "../plan/runPlan";
import { byRef, devStackWith, ofType, one } from "./helpers";

const TOKEN_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pulumi/access-token-AbC123";
const EXISTING_CONNECTION = "arn:aws:codestar-connections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const BOUNDARY = "arn:aws:iam::123456789012:policy/deploy-boundary";

const BASE: DashboardPipelineArgs = {
    repository: "acme/dashboards",
    branch: "release",
    stack: "prod",
    pulumiAccessTokenSecretArn: TOKEN_ARN,
    notificationEmails: ["ops@example.com", "lead@example.com"],
    deployPolicyArns: [ADMIN],
    permissionsBoundaryArn: BOUNDARY,
};

function planPipeline(args: Partial<DashboardPipelineArgs> = {}, name = "ci"): Promise<Plan> {
    return runUnderMocks(devStackWith(), () => {
        const p = new DashboardPipeline(name, { ...BASE, ...args });
        return {
            pipelineName: p.pipelineName, pipelineArn: p.pipelineArn, connectionArn: p.connectionArn,
            connectionStatus: p.connectionStatus, artifactBucket: p.artifactBucket, notificationTopicArn: p.notificationTopicArn,
        };
    });
}

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[]; Principal?: any; Condition?: any };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const statements = (policy: string): Statement[] => JSON.parse(policy).Statement;
/** Every (action, resource) pair the inline policies of `role` allow. */
function grants(plan: Plan, role: PlannedResource): Array<[string, string]> {
    return ofType(plan, "aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === role.id)
        .flatMap((p) => statements(p.inputs.policy))
        .filter((s) => s.Effect === "Allow")
        .flatMap((s) => list(s.Action).flatMap((a) => list(s.Resource).map((r) => [a, r] as [string, string])));
}
const pipelineOf = (plan: Plan) => one(plan, "aws:codepipeline/pipeline:Pipeline");
const projectOf = (plan: Plan) => one(plan, "aws:codebuild/project:Project");
const role = (plan: Plan, suffix: string) => one(plan, "aws:iam/role:Role", (r) => r.name.endsWith(suffix));
const stage = (plan: Plan, name: string) => pipelineOf(plan).inputs.stages.find((s: { name: string }) => s.name === name);

describe("DashboardPipeline", () => {
    let plan: Plan;
    before(async () => {
        plan = await planPipeline();
    });

    describe("pipeline", () => {
        it("is a V2 pipeline that queues executions, so two deploys of one stack never overlap", () => {
            expect(pipelineOf(plan).inputs).to.include({ pipelineType: "V2", executionMode: "QUEUED" });
            // A second guard for builds started by hand.
            expect(projectOf(plan).inputs.concurrentBuildLimit).to.equal(1);
        });

        it("fetches the repository's branch through the connection as a zip", () => {
            const connection = one(plan, "aws:codeconnections/connection:Connection");
            const [action] = stage(plan, "Source").actions;
            expect(action).to.include({ category: "Source", owner: "AWS", provider: "CodeStarSourceConnection" });
            expect(action.configuration).to.deep.equal({
                ConnectionArn: connection.outputs.arn,
                FullRepositoryId: "acme/dashboards",
                BranchName: "release",
                OutputArtifactFormat: "CODE_ZIP",
            });
        });

        it("starts on a push to that branch only", () => {
            const [action] = stage(plan, "Source").actions;
            expect(pipelineOf(plan).inputs.triggers).to.deep.equal([{
                providerType: "CodeStarSourceConnection",
                gitConfiguration: { sourceActionName: action.name, pushes: [{ branches: { includes: ["release"] } }] },
            }]);
        });

        it("runs the deploy project on the source artifact, after the source stage", () => {
            const stages = pipelineOf(plan).inputs.stages;
            expect(stages.map((s: { name: string }) => s.name)).to.deep.equal(["Source", "Deploy"]);
            const [source] = stage(plan, "Source").actions;
            const [deploy] = stage(plan, "Deploy").actions;
            expect(deploy).to.include({ category: "Build", provider: "CodeBuild" });
            expect(deploy.configuration.ProjectName).to.equal(projectOf(plan).outputs.name);
            expect(deploy.inputArtifacts).to.deep.equal(source.outputArtifacts);
        });

        it("stores artifacts in its own bucket and runs as its own role", () => {
            const bucket = one(plan, "aws:s3/bucket:Bucket");
            expect(pipelineOf(plan).inputs.artifactStores).to.deep.equal([{ type: "S3", location: bucket.outputs.bucket }]);
            expect(pipelineOf(plan).inputs.roleArn).to.equal(role(plan, "-pipeline-role").outputs.arn);
        });
    });

    describe("build", () => {
        const buildspec = (p: Plan) => parse(projectOf(p).inputs.source.buildspec);

        it("installs Node 20 and the packages, runs the tests, then pulumi up for the stack", () => {
            const spec = buildspec(plan);
            expect(projectOf(plan).inputs.source.type).to.equal("CODEPIPELINE");
            expect(spec.phases.install["runtime-versions"]).to.deep.equal({ nodejs: "20" });
            expect(spec.phases.install.commands).to.include("npm ci --no-audit --no-fund");
            expect(spec.phases.install.commands.join("\n")).to.contain("https://get.pulumi.com");
            // Tests in pre_build: CodeBuild skips the build phase when pre_build fails.
            expect(spec.phases.pre_build.commands).to.deep.equal(["bash scripts/test.sh"]);
            expect(spec.phases.build.commands).to.deep.equal(["pulumi stack select prod", "pulumi up --yes --stack prod --non-interactive"]);
        });

        it("deploys the current stack by default and logs in to a self-managed backend when given", async () => {
            const selfManaged = await planPipeline({ stack: undefined, pulumiAccessTokenSecretArn: undefined, pulumiBackendUrl: "s3://acme-pulumi-state" });
            const commands: string[] = buildspec(selfManaged).phases.build.commands;
            expect(commands).to.deep.equal(["pulumi login 's3://acme-pulumi-state'", "pulumi stack select dev", "pulumi up --yes --stack dev --non-interactive"]);
            expect(projectOf(selfManaged).inputs.environment.environmentVariables ?? []).to.deep.equal([]);
        });

        it("gets the Pulumi token from Secrets Manager, never as plain text", () => {
            const variables = projectOf(plan).inputs.environment.environmentVariables;
            expect(variables).to.deep.equal([{ name: "PULUMI_ACCESS_TOKEN", type: "SECRETS_MANAGER", value: TOKEN_ARN }]);
            expect(variables.filter((v: { type?: string }) => (v.type ?? "PLAINTEXT") === "PLAINTEXT")).to.have.length(0);
            expect(projectOf(plan).inputs.source.buildspec).not.to.contain("PULUMI_ACCESS_TOKEN");
        });

        it("runs privileged on the standard image so pulumi up can build Docker images", () => {
            expect(projectOf(plan).inputs.environment).to.include({
                type: "LINUX_CONTAINER", privilegedMode: true, image: "aws/codebuild/standard:7.0", computeType: "BUILD_GENERAL1_MEDIUM",
            });
        });

        it("logs to its own log group with the retention asked for", async () => {
            const custom = await planPipeline({ logRetentionDays: 90 });
            const logGroup = one(custom, "aws:cloudwatch/logGroup:LogGroup");
            expect(logGroup.inputs.retentionInDays).to.equal(90);
            expect(projectOf(custom).inputs.logsConfig.cloudwatchLogs).to.deep.equal({ status: "ENABLED", groupName: logGroup.outputs.name });
            expect(one(plan, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).to.equal(30);
        });
    });

    describe("build role", () => {
        it("is the project's role, assumable only by CodeBuild for this project in this account", () => {
            const build = role(plan, "-build-role");
            expect(projectOf(plan).inputs.serviceRole).to.equal(build.outputs.arn);
            const [trust] = statements(build.inputs.assumeRolePolicy);
            expect(trust.Principal).to.deep.equal({ Service: "codebuild.amazonaws.com" });
            expect(trust.Condition.StringEquals).to.deep.equal({ "aws:SourceAccount": "123456789012", "aws:SourceArn": projectOf(plan).outputs.arn });
        });

        it("can read exactly the token secret, and nothing else in Secrets Manager", () => {
            const secretGrants = grants(plan, role(plan, "-build-role")).filter(([action]) => action.startsWith("secretsmanager:"));
            expect(secretGrants).to.deep.equal([["secretsmanager:GetSecretValue", TOKEN_ARN]]);
        });

        it("writes only its own logs and only reads its artifact bucket", () => {
            const bucket = one(plan, "aws:s3/bucket:Bucket").outputs.arn;
            const logGroup = one(plan, "aws:cloudwatch/logGroup:LogGroup").outputs.arn;
            const pairs = grants(plan, role(plan, "-build-role"));
            expect(pairs.map(([, r]) => r)).not.to.include("*");
            for (const [action, resource] of pairs) {
                if (action.startsWith("logs:")) expect([logGroup, `${logGroup}:*`]).to.include(resource);
                if (action.startsWith("s3:")) {
                    expect(action).to.match(/^s3:Get/);
                    expect([bucket, `${bucket}/*`]).to.include(resource);
                }
            }
        });

        it("carries the deploy policies and the permissions boundary", () => {
            const build = role(plan, "-build-role");
            expect(build.inputs.permissionsBoundary).to.equal(BOUNDARY);
            const attached = ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === build.outputs.name);
            expect(attached.map((a) => a.inputs.policyArn)).to.deep.equal([ADMIN]);
            // The project is created only once the role can deploy.
            for (const a of attached) expect(projectOf(plan).dependsOn).to.include(a.urn);
        });
    });

    describe("pipeline role", () => {
        it("is assumable only by CodePipeline for this pipeline in this account", () => {
            const [trust] = statements(role(plan, "-pipeline-role").inputs.assumeRolePolicy);
            expect(trust.Principal).to.deep.equal({ Service: "codepipeline.amazonaws.com" });
            expect(trust.Condition.StringEquals).to.deep.equal({ "aws:SourceAccount": "123456789012", "aws:SourceArn": pipelineOf(plan).outputs.arn });
        });

        it("reaches only its bucket, its connection and its build project (no wildcard resources)", () => {
            const bucket = one(plan, "aws:s3/bucket:Bucket").outputs.arn;
            const connection = one(plan, "aws:codeconnections/connection:Connection").outputs.arn;
            const allowed = [bucket, `${bucket}/*`, connection, connection.replace(":codeconnections:", ":codestar-connections:"), projectOf(plan).outputs.arn];
            const pairs = grants(plan, role(plan, "-pipeline-role"));
            for (const [action, resource] of pairs) expect(allowed, `${action} on ${resource}`).to.include(resource);
            expect(pairs).to.deep.include(["codeconnections:UseConnection", connection]);
            expect(pairs).to.deep.include(["codestar-connections:UseConnection", connection]);
            expect(pairs).to.deep.include(["codebuild:StartBuild", projectOf(plan).outputs.arn]);
            // The pipeline never passes a role or touches IAM.
            expect(pairs.filter(([a]) => a.startsWith("iam:"))).to.have.length(0);
        });
    });

    describe("artifact bucket", () => {
        it("is private, encrypted, expires artifacts and only takes TLS", () => {
            const bucket = one(plan, "aws:s3/bucket:Bucket");
            const forBucket = (type: string) => one(plan, type, (r) => r.inputs.bucket === bucket.id);
            expect(forBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
            expect(forBucket("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule.objectOwnership).to.equal("BucketOwnerEnforced");
            expect(forBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).to.equal("AES256");
            expect(forBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0].expiration.days).to.equal(30);
            const [deny] = statements(forBucket("aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
            expect(deny).to.deep.include({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
            expect(deny.Resource).to.deep.equal([bucket.outputs.arn, `${bucket.outputs.arn}/*`]);
        });
    });

    describe("failure notifications", () => {
        it("email every address when an execution fails", () => {
            const topic = one(plan, "aws:sns/topic:Topic");
            const subscriptions = ofType(plan, "aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.topic === topic.outputs.arn);
            expect(subscriptions.map((s) => [s.inputs.protocol, s.inputs.endpoint])).to.have.deep.members([["email", "ops@example.com"], ["email", "lead@example.com"]]);
            const rule = one(plan, "aws:codestarnotifications/notificationRule:NotificationRule");
            expect(rule.inputs.resource).to.equal(pipelineOf(plan).outputs.arn);
            expect(rule.inputs.eventTypeIds).to.deep.equal([EXECUTION_FAILED_EVENT]);
            expect(rule.inputs.targets).to.deep.equal([{ type: "SNS", address: topic.outputs.arn }]);
            expect(plan.outputs.notificationTopicArn).to.equal(topic.outputs.arn);
        });

        it("go through a topic the notification service may publish to and whose key it may use", () => {
            const topic = one(plan, "aws:sns/topic:Topic");
            const key = byRef(plan, topic.inputs.kmsMasterKeyId);
            expect(key?.type, "topic encrypted with a key made here").to.equal("aws:kms/key:Key");
            const topicPolicy = one(plan, "aws:sns/topicPolicy:TopicPolicy");
            expect(topicPolicy.inputs.arn).to.equal(topic.outputs.arn);
            const [publish] = statements(topicPolicy.inputs.policy);
            expect(publish).to.deep.include({ Effect: "Allow", Principal: { Service: "codestar-notifications.amazonaws.com" }, Action: "sns:Publish", Resource: topic.outputs.arn });
            expect(publish.Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "123456789012" } });
            const keyUse = statements(key!.inputs.policy).find((s) => s.Principal?.Service === "codestar-notifications.amazonaws.com");
            expect(list(keyUse!.Action)).to.have.members(["kms:GenerateDataKey*", "kms:Decrypt"]);
            expect(keyUse!.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "sns.eu-west-1.amazonaws.com" } });
            // The rule is created after the policy, or CodeStar Notifications rejects the target.
            expect(one(plan, "aws:codestarnotifications/notificationRule:NotificationRule").dependsOn).to.include(topicPolicy.urn);
        });
    });

    describe("connection", () => {
        it("is created for the provider, and its ARN and PENDING status are outputs until the handshake is done", async () => {
            const gitlab = await planPipeline({ provider: "GitLab", repository: "acme/analytics/dashboards" });
            const connection = one(gitlab, "aws:codeconnections/connection:Connection");
            expect(connection.inputs.providerType).to.equal("GitLab");
            expect(connection.inputs.name.length).to.be.at.most(32);
            expect(gitlab.outputs).to.deep.include({ connectionArn: connection.outputs.arn, connectionStatus: "PENDING" });
        });

        it("is not created when an existing one is given, and the pipeline uses that one", async () => {
            const existing = await planPipeline({ connectionArn: EXISTING_CONNECTION });
            expect(ofType(existing, "aws:codeconnections/connection:Connection")).to.have.length(0);
            expect(ofType(existing, "aws:codestarconnections/connection:Connection")).to.have.length(0);
            expect(stage(existing, "Source").actions[0].configuration.ConnectionArn).to.equal(EXISTING_CONNECTION);
            expect(existing.outputs.connectionArn).to.equal(EXISTING_CONNECTION);
            const uses = grants(existing, role(existing, "-pipeline-role")).filter(([a]) => a.endsWith(":UseConnection")).map(([, r]) => r);
            expect(new Set(uses)).to.deep.equal(new Set([EXISTING_CONNECTION, EXISTING_CONNECTION.replace(":codestar-connections:", ":codeconnections:")]));
        });
    });

    it("exports the pipeline's name and ARN and the artifact bucket", () => {
        expect(plan.outputs).to.deep.include({
            pipelineName: pipelineOf(plan).outputs.name,
            pipelineArn: pipelineOf(plan).outputs.arn,
            artifactBucket: one(plan, "aws:s3/bucket:Bucket").outputs.bucket,
        });
    });

    it("keeps physical names within AWS limits for long names", async () => {
        const long = await planPipeline({}, "a-very-long-pipeline-component-name-for-the-analytics-dashboards-team");
        expect(one(long, "aws:codeconnections/connection:Connection").inputs.name.length).to.be.at.most(32);
        for (const r of ofType(long, "aws:iam/role:Role")) expect(r.inputs.name.length).to.be.at.most(64);
        expect(pipelineOf(long).inputs.name.length).to.be.at.most(100);
        expect(one(long, "aws:s3/bucket:Bucket").inputs.bucketPrefix.length).to.be.at.most(37);
    });

    it("rejects bad arguments with every problem listed at once", () => {
        const attempt = () => new DashboardPipeline("bad", {
            repository: "dashboards",
            provider: "CodeCommit",
            logRetentionDays: 31,
            deployPolicyArns: [ADMIN],
        });
        expect(attempt).to.throw(ComponentArgsError, /provider "CodeCommit"[\s\S]*repository "dashboards"[\s\S]*pulumiAccessTokenSecretArn[\s\S]*pulumiBackendUrl[\s\S]*logRetentionDays 31/);
    });

    it("refuses a pipeline with no deploy permissions or a partial secret ARN", () => {
        expect(() => new DashboardPipeline("bad", {
            ...BASE, deployPolicyArns: [], pulumiAccessTokenSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pulumi/access-token",
        })).to.throw(ComponentArgsError, /full Secrets Manager ARN[\s\S]*deployPolicyArns needs at least one/);
    });

    it("parents every child to the component and names it after it", () => {
        const component = one(plan, "dashboards:index:DashboardPipeline");
        const children = plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && r !== component);
        expect(children.length).to.be.greaterThan(15);
        for (const child of children) expect(child.parent, child.name).to.equal(component.urn);
        for (const child of children) expect(child.name.startsWith("ci-"), child.name).to.equal(true);
    });
});
