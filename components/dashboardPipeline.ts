/**
 * DashboardPipeline (optional): continuous deployment inside your own AWS account. A push to the
 * branch starts a CodePipeline (V2, QUEUED) that fetches the repository through a CodeConnections
 * connection and runs one CodeBuild project: install, run the tests, then `pulumi up --yes` for the
 * stack. Failed executions are emailed through an encrypted SNS topic.
 *
 * Built on @pulumi/aws primitives so every child is visible to policy checks and mocked tests.
 *
 * Setup that no program can do for you:
 * - A connection made here stays PENDING until someone with admin rights on the repository opens it
 *   in the console (Developer Tools > Settings > Connections > "Update pending connection") and
 *   completes the handshake with GitHub/GitLab/Bitbucket. Until then the Source stage fails.
 * - The Pulumi access token lives in Secrets Manager as a plain string; only its ARN is given here.
 *
 * On permissions: the build runs `pulumi up`, which creates and deletes VPCs, load balancers, IAM
 * roles and so on. Whatever can run it can change almost anything in the account, so the deploy role
 * is broad by nature. Give it `deployPolicyArns` in a dedicated account for the stack and, ideally, a
 * `permissionsBoundaryArn` that caps what the roles it creates may do. Everything else here (the
 * pipeline role, the build role's own statements) is scoped to this pipeline's resources.
 *
 * Cost note: CodePipeline V2 bills action minutes (the first 100/month are free), CodeBuild about
 * $0.005/minute on BUILD_GENERAL1_MEDIUM, plus $1/month for the notification topic's KMS key.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { stringify } from "yaml";
import { notificationTopic } from "./notificationTopic";
import { denyInsecureTransport } from "./policyStatements";
import { ComponentArgsError, PACKAGE } from "./component";
import { boundedName } from "./naming";
import { IAM_POLICY_ARN } from "./iamPolicyArns";
import { LOG_RETENTION_DAYS } from "./stackConfig";

export interface DashboardPipelineArgs {
    /**
     * Repository to deploy from, as the provider names it: `owner/name` (GitLab: `group/subgroup/name`).
     * @example "acme/dashboards"
     */
    repository: string;
    /**
     * Branch whose pushes deploy the stack.
     * @default "main"
     */
    branch?: string;
    /**
     * Where the repository is hosted: `GitHub`, `GitLab` or `Bitbucket`. Used only when the component
     * creates the connection.
     * @default "GitHub"
     */
    provider?: string;
    /**
     * An existing CodeConnections (or CodeStar Connections) connection to use. Without it the
     * component creates one, which stays PENDING until its handshake is completed in the console.
     * @example "arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
     */
    connectionArn?: string;
    /**
     * The Pulumi stack the pipeline deploys (`name`, or `org/name` on Pulumi Cloud). It must exist
     * already (`pulumi stack init` once) and its stack file must be in the repository.
     * @default the current stack's name
     */
    stack?: string;
    /**
     * Secrets Manager secret (full ARN, with its 6-character suffix) whose value is a Pulumi access
     * token, stored as a plain string. Required unless `pulumiBackendUrl` is given.
     * @example "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pulumi/access-token-AbC123"
     */
    pulumiAccessTokenSecretArn?: string;
    /**
     * Self-managed state backend for `pulumi login`, e.g. `s3://my-state-bucket`. Without it the
     * build uses Pulumi Cloud with the access token.
     */
    pulumiBackendUrl?: string;
    /**
     * Secrets Manager secret (full ARN) holding the stack's config passphrase, for self-managed backends
     * that use the passphrase secrets provider. Passed as `PULUMI_CONFIG_PASSPHRASE`.
     */
    pulumiConfigPassphraseSecretArn?: string;
    /**
     * Pulumi CLI version installed in the build, e.g. `3.190.0`.
     * @default the latest release
     */
    pulumiVersion?: string;
    /**
     * Email addresses told when a pipeline execution fails (each must confirm the subscription).
     * @default []
     */
    notificationEmails?: string[];
    /**
     * Command that runs the tests; `pulumi up` runs only if it succeeds.
     * @default "bash scripts/test.sh"
     */
    testCommand?: string;
    /**
     * CodeBuild compute type: `BUILD_GENERAL1_SMALL`, `BUILD_GENERAL1_MEDIUM`, `BUILD_GENERAL1_LARGE`,
     * `BUILD_GENERAL1_XLARGE` or `BUILD_GENERAL1_2XLARGE`.
     * @default "BUILD_GENERAL1_MEDIUM"
     */
    buildComputeType?: string;
    /**
     * CodeBuild image (x86_64 Linux, with Docker and Node.js 20). Builds run privileged because
     * `pulumi up` builds the dashboards' images with Docker.
     * @default "aws/codebuild/standard:7.0"
     */
    buildImage?: string;
    /**
     * Minutes before a build is stopped (5..2160).
     * @default 60
     */
    buildTimeoutMinutes?: number;
    /**
     * Days to keep the build logs (a CloudWatch Logs retention value).
     * @default 30
     */
    logRetentionDays?: number;
    /**
     * Days before pipeline artifacts (zipped copies of the repository) expire.
     * @default 30
     */
    artifactRetentionDays?: number;
    /**
     * Managed policies the build role needs to run `pulumi up` for the stack. This is inherently broad
     * (the stack creates IAM roles, networks and load balancers): prefer a dedicated AWS account for
     * the stack and set `permissionsBoundaryArn`.
     * @example ["arn:aws:iam::aws:policy/AdministratorAccess"]
     */
    deployPolicyArns: string[];
    /** Permissions boundary for the build (deploy) role, capping what the deploy policies grant. */
    permissionsBoundaryArn?: string;
}

export const PIPELINE_PROVIDERS = ["GitHub", "GitLab", "Bitbucket"] as const;
export const BUILD_COMPUTE_TYPES = [
    "BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_XLARGE", "BUILD_GENERAL1_2XLARGE",
] as const;
export const DEFAULT_BUILD_IMAGE = "aws/codebuild/standard:7.0";
export const DEFAULT_TEST_COMMAND = "bash scripts/test.sh";
/** The event CodeStar Notifications raises when an execution fails. */
// https://docs.aws.amazon.com/dtconsole/latest/userguide/concepts.html#events-ref-pipeline
export const EXECUTION_FAILED_EVENT = "codepipeline-pipeline-pipeline-execution-failed";

const SOURCE_ACTION = "Source";
const SOURCE_ARTIFACT = "source";
const OWNER_REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const GITLAB_REPO = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
// Plain git branch names; no spaces, `..`, or leading `-`/`/` (git refuses them too).
const BRANCH = /^(?![-/])(?!.*\.\.)[A-Za-z0-9._/-]+(?<![/.])$/;
// Stack names go into shell commands: letters, digits, `-`, `_`, `.`, with up to two `/` (org/project/stack).
const STACK = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/;
const CONNECTION_ARN = /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;
// A full secret ARN ends with `-` and the 6 random characters Secrets Manager appends.
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const BACKEND_URL = /^(s3|gs|azblob|https):\/\/[A-Za-z0-9._~\/?=&:%+-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const VERSION = /^\d+\.\d+\.\d+$/;

function checkArgs(args: DashboardPipelineArgs): void {
    const problems: string[] = [];
    const provider = args.provider ?? "GitHub";
    if (!(PIPELINE_PROVIDERS as readonly string[]).includes(provider)) problems.push(`provider "${provider}" is not one of ${PIPELINE_PROVIDERS.join(", ")}`);
    const repoPattern = provider === "GitLab" ? GITLAB_REPO : OWNER_REPO;
    if (!args.repository || !repoPattern.test(args.repository)) {
        problems.push(`repository "${args.repository ?? ""}" must be ${provider === "GitLab" ? "group/name (or group/subgroup/name)" : "owner/name"}, e.g. acme/dashboards`);
    }
    if (args.branch !== undefined && !BRANCH.test(args.branch)) problems.push(`branch "${args.branch}" is not a valid branch name`);
    if (args.connectionArn !== undefined && !CONNECTION_ARN.test(args.connectionArn)) problems.push(`connectionArn "${args.connectionArn}" is not a CodeConnections connection ARN`);
    if (args.stack !== undefined && !STACK.test(args.stack)) problems.push(`stack "${args.stack}" is not a valid stack name (name, org/name or org/project/name)`);
    if (!args.pulumiAccessTokenSecretArn && !args.pulumiBackendUrl) {
        problems.push("set pulumiAccessTokenSecretArn (Pulumi Cloud) or pulumiBackendUrl (self-managed state): the build must log in to a backend");
    }
    for (const key of ["pulumiAccessTokenSecretArn", "pulumiConfigPassphraseSecretArn"] as const) {
        const arn = args[key];
        if (arn !== undefined && !SECRET_ARN.test(arn)) problems.push(`${key} "${arn}" must be the full Secrets Manager ARN (ending in -XXXXXX)`);
    }
    if (args.pulumiBackendUrl !== undefined && !BACKEND_URL.test(args.pulumiBackendUrl)) problems.push(`pulumiBackendUrl "${args.pulumiBackendUrl}" must be an s3://, gs://, azblob:// or https:// URL`);
    if (args.pulumiVersion !== undefined && !VERSION.test(args.pulumiVersion)) problems.push(`pulumiVersion "${args.pulumiVersion}" must look like 3.190.0`);
    for (const email of args.notificationEmails ?? []) {
        if (!EMAIL.test(email)) problems.push(`notificationEmails: "${email}" is not an email address`);
    }
    if (args.testCommand !== undefined && args.testCommand.trim() === "") problems.push("testCommand must not be empty (the tests gate the deploy)");
    if (args.buildComputeType !== undefined && !(BUILD_COMPUTE_TYPES as readonly string[]).includes(args.buildComputeType)) {
        problems.push(`buildComputeType "${args.buildComputeType}" is not one of ${BUILD_COMPUTE_TYPES.join(", ")}`);
    }
    if (args.buildImage !== undefined && args.buildImage.trim() === "") problems.push("buildImage must not be empty");
    const timeout = args.buildTimeoutMinutes;
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 5 || timeout > 2160)) problems.push(`buildTimeoutMinutes ${timeout} must be a whole number 5..2160`);
    if (args.logRetentionDays !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(args.logRetentionDays)) {
        problems.push(`logRetentionDays ${args.logRetentionDays} is not a CloudWatch Logs retention (${LOG_RETENTION_DAYS.join(", ")})`);
    }
    const expiry = args.artifactRetentionDays;
    if (expiry !== undefined && (!Number.isInteger(expiry) || expiry < 1)) problems.push(`artifactRetentionDays ${expiry} must be a whole number >= 1`);
    if (!args.deployPolicyArns || args.deployPolicyArns.length === 0) {
        problems.push("deployPolicyArns needs at least one policy: `pulumi up` cannot deploy the stack without permissions (see the component's notes)");
    }
    for (const arn of args.deployPolicyArns ?? []) {
        if (!IAM_POLICY_ARN.test(arn)) problems.push(`deployPolicyArns: "${arn}" is not an IAM policy ARN`);
    }
    if (args.permissionsBoundaryArn !== undefined && !IAM_POLICY_ARN.test(args.permissionsBoundaryArn)) problems.push(`permissionsBoundaryArn "${args.permissionsBoundaryArn}" is not an IAM policy ARN`);
    if (problems.length > 0) throw new ComponentArgsError("DashboardPipeline", problems);
}

/** The connection's ARN under both service prefixes: connections made before the 2024 rename are `codestar-connections`. */
function connectionArnForms(arn: string): string[] {
    const other = arn.includes(":codeconnections:")
        ? arn.replace(":codeconnections:", ":codestar-connections:")
        : arn.replace(":codestar-connections:", ":codeconnections:");
    return [arn, other];
}

/** The inline buildspec: install, test, then deploy, each phase running only if the one before succeeded. */
export function pipelineBuildspec(options: { stack: string; testCommand: string; backendUrl?: string; pulumiVersion?: string }): string {
    const install = options.pulumiVersion
        ? `curl -fsSL https://get.pulumi.com | sh -s -- --version ${options.pulumiVersion}`
        : "curl -fsSL https://get.pulumi.com | sh";
    return stringify({
        version: "0.2",
        env: {
            shell: "bash",
            variables: { PULUMI_SKIP_UPDATE_CHECK: "true", CI: "true" },
        },
        phases: {
            install: {
                "runtime-versions": { nodejs: "20" },
                commands: [
                    install,
                    // On PATH for every later phase (the installer only edits shell profiles).
                    "ln -sf \"$HOME/.pulumi/bin/pulumi\" /usr/local/bin/pulumi",
                    "pulumi version",
                    "npm ci --no-audit --no-fund",
                ],
            },
            // A failing pre_build phase skips the build phase: no deploy without green tests.
            pre_build: { commands: [options.testCommand] },
            build: {
                commands: [
                    // Validated in checkArgs (no quotes or spaces); quoted anyway.
                    ...(options.backendUrl ? [`pulumi login '${options.backendUrl}'`] : []),
                    `pulumi stack select ${options.stack}`,
                    `pulumi up --yes --stack ${options.stack} --non-interactive`,
                ],
            },
        },
    });
}

/** What every step of DashboardPipeline reads: its name and arguments, the stacks and branch, the fixed names and ARNs. */
interface PipelineContext {
    name: string;
    args: DashboardPipelineArgs;
    /** The Pulumi project and stack running this program (they keep the fixed names unique). */
    project: string;
    currentStack: string;
    /** The stack the pipeline deploys. */
    stack: string;
    branch: string;
    account: pulumi.Output<string>;
    pipelineName: string;
    projectName: string;
    pipelineArn: pulumi.Output<string>;
    projectArn: pulumi.Output<string>;
}

/** The connection the Source stage uses. */
interface PipelineSource {
    /** Made here unless `connectionArn` was given. */
    connection?: aws.codeconnections.Connection;
    connectionArn: pulumi.Output<string>;
    connectionStatus: pulumi.Output<string | undefined>;
}

/** The artifact bucket and the policy the pipeline must wait for. */
interface ArtifactBucket {
    bucket: aws.s3.Bucket;
    bucketPolicy: aws.s3.BucketPolicy;
}

/** The pipeline role and the policy the pipeline must wait for. */
interface PipelineRole {
    role: aws.iam.Role;
    policy: aws.iam.RolePolicy;
}

export class DashboardPipeline extends pulumi.ComponentResource {
    public readonly pipelineName: pulumi.Output<string>;
    public readonly pipelineArn: pulumi.Output<string>;
    /** The connection the Source stage uses (made here unless `connectionArn` was given). */
    public readonly connectionArn: pulumi.Output<string>;
    /** `PENDING` until the handshake is completed in the console, then `AVAILABLE`; undefined for an existing connection. */
    public readonly connectionStatus: pulumi.Output<string | undefined>;
    /** Name of the artifact bucket. */
    public readonly artifactBucket: pulumi.Output<string>;
    public readonly notificationTopicArn: pulumi.Output<string>;
    public readonly pipeline: aws.codepipeline.Pipeline;
    public readonly project: aws.codebuild.Project;
    /** The role `pulumi up` runs as; attach further policies to it if the stack needs them. */
    public readonly buildRole: aws.iam.Role;
    public readonly pipelineRole: aws.iam.Role;
    public readonly connection?: aws.codeconnections.Connection;

    constructor(name: string, args: DashboardPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
        checkArgs(args);
        super(`${PACKAGE}:index:DashboardPipeline`, name, {}, opts);
        const ctx = this.context(name, args);

        const source = this.createConnection(ctx);
        this.connection = source.connection;
        this.connectionArn = source.connectionArn;
        this.connectionStatus = source.connectionStatus;

        const artifacts = this.createArtifactBucket(ctx);
        this.artifactBucket = artifacts.bucket.bucket;
        const logGroup = this.createBuildLogGroup(ctx);
        this.buildRole = this.createBuildRole(ctx, logGroup, artifacts.bucket);
        const deployAttachments = this.attachDeployPolicies(ctx, this.buildRole);
        this.project = this.createBuildProject(ctx, this.buildRole, logGroup, deployAttachments);

        const pipelineRole = this.createPipelineRole(ctx, artifacts.bucket, this.connectionArn);
        this.pipelineRole = pipelineRole.role;
        this.pipeline = this.createPipeline(ctx, pipelineRole, artifacts, this.connectionArn, this.project);
        this.pipelineName = this.pipeline.name;
        this.pipelineArn = this.pipeline.arn;
        this.notificationTopicArn = this.createFailureNotifications(ctx, this.pipeline).arn;

        this.registerOutputs({
            pipelineName: this.pipelineName,
            pipelineArn: this.pipelineArn,
            connectionArn: this.connectionArn,
            connectionStatus: this.connectionStatus,
            artifactBucket: this.artifactBucket,
            notificationTopicArn: this.notificationTopicArn,
        });
    }

    /** The stacks, branch and fixed names every step reads, and the ARNs the roles' trust policies name. */
    private context(name: string, args: DashboardPipelineArgs): PipelineContext {
        const parent = { parent: this };
        const project = pulumi.getProject();
        const currentStack = pulumi.getStack();
        const region = aws.getRegionOutput({}, parent).region;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const partition = aws.getPartitionOutput({}, parent).partition;

        // Names are fixed (not autonamed) so the roles' trust policies can name the pipeline and project
        // before they exist; the stack and project keep them unique in the account.
        const pipelineName = boundedName([project, currentStack, name], 100);
        const projectName = boundedName([project, currentStack, name, "deploy"], 150);
        return {
            name,
            args,
            project,
            currentStack,
            stack: args.stack ?? currentStack,
            branch: args.branch ?? "main",
            account,
            pipelineName,
            projectName,
            pipelineArn: pulumi.interpolate`arn:${partition}:codepipeline:${region}:${account}:${pipelineName}`,
            projectArn: pulumi.interpolate`arn:${partition}:codebuild:${region}:${account}:project/${projectName}`,
        };
    }

    /** The connection to the repository: the one given, or a new one (PENDING until its handshake is done). */
    private createConnection(ctx: PipelineContext): PipelineSource {
        if (ctx.args.connectionArn) {
            return { connectionArn: pulumi.output(ctx.args.connectionArn), connectionStatus: pulumi.output(undefined) };
        }
        // A new connection stays PENDING until its handshake is completed in the console.
        // https://docs.aws.amazon.com/dtconsole/latest/userguide/connections-update.html
        const connection = new aws.codeconnections.Connection(`${ctx.name}-connection`, {
            name: boundedName([ctx.currentStack, ctx.name], 32), // CodeConnections caps names at 32
            providerType: ctx.args.provider ?? "GitHub",
        }, { parent: this });
        return { connection, connectionArn: connection.arn, connectionStatus: connection.connectionStatus };
    }

    /** The private, encrypted, expiring artifact bucket and its TLS-only policy. */
    private createArtifactBucket(ctx: PipelineContext): ArtifactBucket {
        const { name } = ctx;
        const parent = { parent: this };
        // Versioning stays off: each execution writes its artifact under a new key and never
        // overwrites one, so old versions would protect nothing, and expiry really deletes.
        const bucket = new aws.s3.Bucket(`${name}-artifacts`, {
            bucketPrefix: `${boundedName([ctx.currentStack, name, "artifacts"], 36)}-`,
            // Artifacts are disposable copies of the repository; let `pulumi destroy` empty the bucket.
            forceDestroy: true,
        }, parent);
        const bucketControls = [
            new aws.s3.BucketPublicAccessBlock(`${name}-artifacts-private`, {
                bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
            }, parent),
            new aws.s3.BucketOwnershipControls(`${name}-artifacts-ownership`, {
                bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" },
            }, parent),
            new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-artifacts-encryption`, {
                bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
            }, parent),
            new aws.s3.BucketLifecycleConfiguration(`${name}-artifacts-expiry`, {
                bucket: bucket.id,
                rules: [{
                    id: "expire-pipeline-artifacts",
                    status: "Enabled",
                    filter: {},
                    expiration: { days: ctx.args.artifactRetentionDays ?? 30 },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                }],
            }, parent),
        ];
        const bucketPolicy = new aws.s3.BucketPolicy(`${name}-artifacts-policy`, {
            bucket: bucket.id,
            policy: bucket.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(arn)] })),
        }, { ...parent, dependsOn: bucketControls });
        return { bucket, bucketPolicy };
    }

    /** The build's log group, under the name CodeBuild writes to. */
    private createBuildLogGroup(ctx: PipelineContext): aws.cloudwatch.LogGroup {
        return new aws.cloudwatch.LogGroup(`${ctx.name}-build-logs`, {
            name: `/aws/codebuild/${ctx.projectName}`,
            retentionInDays: ctx.args.logRetentionDays ?? 30,
        }, { parent: this });
    }

    /** The build (deploy) role and its own statements: its logs, the source artifacts, the Pulumi secrets. */
    private createBuildRole(ctx: PipelineContext, logGroup: aws.cloudwatch.LogGroup, bucket: aws.s3.Bucket): aws.iam.Role {
        const { name, args } = ctx;
        const parent = { parent: this };
        const buildRole = new aws.iam.Role(`${name}-build-role`, {
            name: boundedName([ctx.project, ctx.currentStack, name, "deploy"], 64),
            description: `Runs the tests and pulumi up for stack ${ctx.stack}; broad by nature (see deployPolicyArns)`,
            permissionsBoundary: args.permissionsBoundaryArn,
            assumeRolePolicy: serviceTrust("codebuild.amazonaws.com", ctx.account, ctx.projectArn),
        }, parent);
        const secretArns = [args.pulumiAccessTokenSecretArn, args.pulumiConfigPassphraseSecretArn].filter((a): a is string => !!a);
        new aws.iam.RolePolicy(`${name}-build-policy`, {
            role: buildRole.id,
            policy: pulumi.all([logGroup.arn, bucket.arn]).apply(([logArn, bucketArn]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [logArn, `${logArn}:*`] },
                    { Sid: "ReadArtifactBucket", Effect: "Allow", Action: ["s3:GetBucketAcl", "s3:GetBucketLocation"], Resource: bucketArn },
                    { Sid: "ReadSourceArtifacts", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${bucketArn}/*` },
                    ...(secretArns.length ? [{ Sid: "ReadPulumiSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArns }] : []),
                ],
            })),
        }, parent);
        return buildRole;
    }

    /** The managed policies `pulumi up` needs (`deployPolicyArns`), attached to the build role. */
    private attachDeployPolicies(ctx: PipelineContext, buildRole: aws.iam.Role): aws.iam.RolePolicyAttachment[] {
        return ctx.args.deployPolicyArns.map((policyArn, i) =>
            new aws.iam.RolePolicyAttachment(`${ctx.name}-deploy-policy-${i}`, { role: buildRole.name, policyArn }, { parent: this }));
    }

    /** The CodeBuild project: privileged, one build at a time, the inline buildspec, the Pulumi secrets from Secrets Manager. */
    private createBuildProject(
        ctx: PipelineContext, buildRole: aws.iam.Role, logGroup: aws.cloudwatch.LogGroup, deployAttachments: aws.iam.RolePolicyAttachment[],
    ): aws.codebuild.Project {
        const { args, stack } = ctx;
        const environmentVariables: aws.types.input.codebuild.ProjectEnvironmentEnvironmentVariable[] = [];
        // CodeBuild reads these from Secrets Manager at build start; only the ARN is stored anywhere.
        // https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec.env.secrets-manager
        if (args.pulumiAccessTokenSecretArn) environmentVariables.push({ name: "PULUMI_ACCESS_TOKEN", type: "SECRETS_MANAGER", value: args.pulumiAccessTokenSecretArn });
        if (args.pulumiConfigPassphraseSecretArn) environmentVariables.push({ name: "PULUMI_CONFIG_PASSPHRASE", type: "SECRETS_MANAGER", value: args.pulumiConfigPassphraseSecretArn });
        return new aws.codebuild.Project(`${ctx.name}-deploy`, {
            name: ctx.projectName,
            description: `Tests and deploys stack ${stack} from ${args.repository}@${ctx.branch}`,
            serviceRole: buildRole.arn,
            // Never two deploys of one stack at once, even if someone starts a build by hand.
            concurrentBuildLimit: 1,
            buildTimeout: args.buildTimeoutMinutes ?? 60,
            source: {
                type: "CODEPIPELINE",
                buildspec: pipelineBuildspec({ stack, testCommand: args.testCommand ?? DEFAULT_TEST_COMMAND, backendUrl: args.pulumiBackendUrl, pulumiVersion: args.pulumiVersion }),
            },
            artifacts: { type: "CODEPIPELINE" },
            environment: {
                type: "LINUX_CONTAINER",
                computeType: args.buildComputeType ?? "BUILD_GENERAL1_MEDIUM",
                image: args.buildImage ?? DEFAULT_BUILD_IMAGE,
                imagePullCredentialsType: "CODEBUILD",
                // `pulumi up` builds the dashboards' images with Docker, which needs a privileged container.
                // https://docs.aws.amazon.com/codebuild/latest/userguide/sample-docker.html
                privilegedMode: true,
                environmentVariables,
            },
            logsConfig: {
                cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name },
                s3Logs: { status: "DISABLED" },
            },
        }, { parent: this, dependsOn: deployAttachments });
    }

    /** The pipeline role and its policy: its artifact bucket, its connection, its build project. */
    private createPipelineRole(ctx: PipelineContext, bucket: aws.s3.Bucket, connectionArn: pulumi.Output<string>): PipelineRole {
        const parent = { parent: this };
        const role = new aws.iam.Role(`${ctx.name}-pipeline-role`, {
            name: boundedName([ctx.project, ctx.currentStack, ctx.name, "pipeline"], 64),
            description: `Runs pipeline ${ctx.pipelineName}: its artifact bucket, its connection, its build project`,
            assumeRolePolicy: serviceTrust("codepipeline.amazonaws.com", ctx.account, ctx.pipelineArn),
        }, parent);
        const policy = new aws.iam.RolePolicy(`${ctx.name}-pipeline-policy`, {
            role: role.id,
            policy: pulumi.all([bucket.arn, connectionArn, ctx.projectArn]).apply(([bucketArn, connArn, buildArn]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "ArtifactBucket", Effect: "Allow", Action: ["s3:GetBucketVersioning", "s3:GetBucketAcl", "s3:GetBucketLocation"], Resource: bucketArn },
                    // PutObjectAcl: CodePipeline uploads with a bucket-owner-full-control ACL header; UseConnection for the source.
                    // https://docs.aws.amazon.com/codepipeline/latest/userguide/troubleshooting.html#codebuild-role-connections
                    { Sid: "Artifacts", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl"], Resource: `${bucketArn}/*` },
                    { Sid: "UseRepositoryConnection", Effect: "Allow", Action: ["codeconnections:UseConnection", "codestar-connections:UseConnection"], Resource: connectionArnForms(connArn) },
                    { Sid: "RunDeployBuild", Effect: "Allow", Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild"], Resource: buildArn },
                ],
            })),
        }, parent);
        return { role, policy };
    }

    /** The V2 pipeline, queued: Source from the connection, then Deploy (the build project), started by pushes to the branch. */
    private createPipeline(
        ctx: PipelineContext, pipelineRole: PipelineRole, artifacts: ArtifactBucket, connectionArn: pulumi.Output<string>, buildProject: aws.codebuild.Project,
    ): aws.codepipeline.Pipeline {
        return new aws.codepipeline.Pipeline(`${ctx.name}-pipeline`, {
            name: ctx.pipelineName,
            pipelineType: "V2",
            // Executions wait for the one before: two `pulumi up` runs of one stack never overlap.
            // https://docs.aws.amazon.com/codepipeline/latest/userguide/concepts-how-it-works.html#concepts-how-it-works-executions
            executionMode: "QUEUED",
            roleArn: pipelineRole.role.arn,
            artifactStores: [{ type: "S3", location: artifacts.bucket.bucket }],
            stages: [
                {
                    name: "Source",
                    actions: [{
                        name: SOURCE_ACTION,
                        category: "Source",
                        owner: "AWS",
                        // https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html
                        provider: "CodeStarSourceConnection",
                        version: "1",
                        outputArtifacts: [SOURCE_ARTIFACT],
                        configuration: {
                            ConnectionArn: connectionArn,
                            FullRepositoryId: ctx.args.repository,
                            BranchName: ctx.branch,
                            OutputArtifactFormat: "CODE_ZIP",
                        },
                    }],
                },
                {
                    name: "Deploy",
                    actions: [{
                        name: "TestAndDeploy",
                        category: "Build",
                        owner: "AWS",
                        provider: "CodeBuild",
                        version: "1",
                        inputArtifacts: [SOURCE_ARTIFACT],
                        configuration: { ProjectName: buildProject.name },
                    }],
                },
            ],
            // With a trigger, the source action's own change detection is off: only pushes to the branch start it.
            // https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-triggers.html
            triggers: [{
                providerType: "CodeStarSourceConnection",
                gitConfiguration: {
                    sourceActionName: SOURCE_ACTION,
                    pushes: [{ branches: { includes: [ctx.branch] } }],
                },
            }],
        }, { parent: this, dependsOn: [pipelineRole.policy, artifacts.bucketPolicy] });
    }

    /** The encrypted topic failed executions are emailed through, and the notification rule that publishes to it. */
    private createFailureNotifications(ctx: PipelineContext, pipeline: aws.codepipeline.Pipeline): aws.sns.Topic {
        const { name } = ctx;
        const parent = { parent: this };
        // CodeStar Notifications can only publish to an encrypted topic whose key lets it: AWS-managed
        // keys (alias/aws/sns) cannot be edited, so the topic gets its own key.
        // https://docs.aws.amazon.com/dtconsole/latest/userguide/set-up-sns.html
        const { topic, topicPolicy } = notificationTopic(`${name}-notifications`, {
            publisher: "codestar-notifications.amazonaws.com",
            keyDescription: `Encrypts failure notifications of pipeline ${ctx.pipelineName}`,
            keyCondition: (where) => ({ StringEquals: { "kms:ViaService": `sns.${where.region}.amazonaws.com` } }),
            // Only notification rules of this account (confused-deputy guard).
            publishCondition: (where) => ({ StringEquals: { "aws:SourceAccount": where.accountId } }),
            emails: ctx.args.notificationEmails ?? [],
        }, parent);
        new aws.codestarnotifications.NotificationRule(`${name}-failed`, {
            name: boundedName([ctx.currentStack, name, "failed"], 64),
            resource: pipeline.arn,
            detailType: "FULL",
            eventTypeIds: [EXECUTION_FAILED_EVENT],
            targets: [{ type: "SNS", address: topic.arn }],
        }, { ...parent, dependsOn: [topicPolicy] });
        return topic;
    }
}


/** Trust for an AWS service acting for exactly one resource of this account (confused-deputy guard). */
// https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
function serviceTrust(service: string, account: pulumi.Output<string>, sourceArn: pulumi.Output<string>): pulumi.Output<string> {
    return pulumi.all([account, sourceArn]).apply(([accountId, arn]) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": accountId, "aws:SourceArn": arn } },
        }],
    }));
}
