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
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[A-Za-z0-9+=,.@_\/-]+$/;
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
        if (!POLICY_ARN.test(arn)) problems.push(`deployPolicyArns: "${arn}" is not an IAM policy ARN`);
    }
    if (args.permissionsBoundaryArn !== undefined && !POLICY_ARN.test(args.permissionsBoundaryArn)) problems.push(`permissionsBoundaryArn "${args.permissionsBoundaryArn}" is not an IAM policy ARN`);
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
        const parent = { parent: this };
        const project = pulumi.getProject();
        const currentStack = pulumi.getStack();
        const stack = args.stack ?? currentStack;
        const branch = args.branch ?? "main";
        const region = aws.getRegionOutput({}, parent).region;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const partition = aws.getPartitionOutput({}, parent).partition;

        // Names are fixed (not autonamed) so the roles' trust policies can name the pipeline and project
        // before they exist; the stack and project keep them unique in the account.
        const pipelineName = boundedName([project, currentStack, name], 100);
        const projectName = boundedName([project, currentStack, name, "deploy"], 150);
        const pipelineArn = pulumi.interpolate`arn:${partition}:codepipeline:${region}:${account}:${pipelineName}`;
        const projectArn = pulumi.interpolate`arn:${partition}:codebuild:${region}:${account}:project/${projectName}`;

        // --- Connection to the repository -----------------------------------------------------
        let connectionArn: pulumi.Output<string>;
        if (args.connectionArn) {
            connectionArn = pulumi.output(args.connectionArn);
            this.connectionStatus = pulumi.output(undefined);
        } else {
            // A new connection stays PENDING until its handshake is completed in the console.
            // https://docs.aws.amazon.com/dtconsole/latest/userguide/connections-update.html
            this.connection = new aws.codeconnections.Connection(`${name}-connection`, {
                name: boundedName([currentStack, name], 32), // CodeConnections caps names at 32
                providerType: args.provider ?? "GitHub",
            }, parent);
            connectionArn = this.connection.arn;
            this.connectionStatus = this.connection.connectionStatus;
        }
        this.connectionArn = connectionArn;

        // --- Artifact bucket ------------------------------------------------------------------
        // Versioning stays off: each execution writes its artifact under a new key and never
        // overwrites one, so old versions would protect nothing, and expiry really deletes.
        const bucket = new aws.s3.Bucket(`${name}-artifacts`, {
            bucketPrefix: `${boundedName([currentStack, name, "artifacts"], 36)}-`,
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
                    expiration: { days: args.artifactRetentionDays ?? 30 },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                }],
            }, parent),
        ];
        const bucketPolicy = new aws.s3.BucketPolicy(`${name}-artifacts-policy`, {
            bucket: bucket.id,
            policy: bucket.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(arn)] })),
        }, { ...parent, dependsOn: bucketControls });
        this.artifactBucket = bucket.bucket;

        // --- Build logs -----------------------------------------------------------------------
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-build-logs`, {
            name: `/aws/codebuild/${projectName}`,
            retentionInDays: args.logRetentionDays ?? 30,
        }, parent);

        // --- Build (deploy) role --------------------------------------------------------------
        this.buildRole = new aws.iam.Role(`${name}-build-role`, {
            name: boundedName([project, currentStack, name, "deploy"], 64),
            description: `Runs the tests and pulumi up for stack ${stack}; broad by nature (see deployPolicyArns)`,
            permissionsBoundary: args.permissionsBoundaryArn,
            assumeRolePolicy: serviceTrust("codebuild.amazonaws.com", account, projectArn),
        }, parent);
        const secretArns = [args.pulumiAccessTokenSecretArn, args.pulumiConfigPassphraseSecretArn].filter((a): a is string => !!a);
        new aws.iam.RolePolicy(`${name}-build-policy`, {
            role: this.buildRole.id,
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
        const deployAttachments = args.deployPolicyArns.map((policyArn, i) =>
            new aws.iam.RolePolicyAttachment(`${name}-deploy-policy-${i}`, { role: this.buildRole.name, policyArn }, parent));

        // --- CodeBuild project ----------------------------------------------------------------
        const environmentVariables: aws.types.input.codebuild.ProjectEnvironmentEnvironmentVariable[] = [];
        // CodeBuild reads these from Secrets Manager at build start; only the ARN is stored anywhere.
        // https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec.env.secrets-manager
        if (args.pulumiAccessTokenSecretArn) environmentVariables.push({ name: "PULUMI_ACCESS_TOKEN", type: "SECRETS_MANAGER", value: args.pulumiAccessTokenSecretArn });
        if (args.pulumiConfigPassphraseSecretArn) environmentVariables.push({ name: "PULUMI_CONFIG_PASSPHRASE", type: "SECRETS_MANAGER", value: args.pulumiConfigPassphraseSecretArn });
        this.project = new aws.codebuild.Project(`${name}-deploy`, {
            name: projectName,
            description: `Tests and deploys stack ${stack} from ${args.repository}@${branch}`,
            serviceRole: this.buildRole.arn,
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
        }, { ...parent, dependsOn: deployAttachments });

        // --- Pipeline role --------------------------------------------------------------------
        this.pipelineRole = new aws.iam.Role(`${name}-pipeline-role`, {
            name: boundedName([project, currentStack, name, "pipeline"], 64),
            description: `Runs pipeline ${pipelineName}: its artifact bucket, its connection, its build project`,
            assumeRolePolicy: serviceTrust("codepipeline.amazonaws.com", account, pipelineArn),
        }, parent);
        const pipelinePolicy = new aws.iam.RolePolicy(`${name}-pipeline-policy`, {
            role: this.pipelineRole.id,
            policy: pulumi.all([bucket.arn, connectionArn, projectArn]).apply(([bucketArn, connArn, buildArn]) => JSON.stringify({
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

        // --- Pipeline -------------------------------------------------------------------------
        this.pipeline = new aws.codepipeline.Pipeline(`${name}-pipeline`, {
            name: pipelineName,
            pipelineType: "V2",
            // Executions wait for the one before: two `pulumi up` runs of one stack never overlap.
            // https://docs.aws.amazon.com/codepipeline/latest/userguide/concepts-how-it-works.html#concepts-how-it-works-executions
            executionMode: "QUEUED",
            roleArn: this.pipelineRole.arn,
            artifactStores: [{ type: "S3", location: bucket.bucket }],
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
                            FullRepositoryId: args.repository,
                            BranchName: branch,
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
                        configuration: { ProjectName: this.project.name },
                    }],
                },
            ],
            // With a trigger, the source action's own change detection is off: only pushes to the branch start it.
            // https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-triggers.html
            triggers: [{
                providerType: "CodeStarSourceConnection",
                gitConfiguration: {
                    sourceActionName: SOURCE_ACTION,
                    pushes: [{ branches: { includes: [branch] } }],
                },
            }],
        }, { ...parent, dependsOn: [pipelinePolicy, bucketPolicy] });
        this.pipelineName = this.pipeline.name;
        this.pipelineArn = this.pipeline.arn;

        // --- Failure notifications ------------------------------------------------------------
        // CodeStar Notifications can only publish to an encrypted topic whose key lets it: AWS-managed
        // keys (alias/aws/sns) cannot be edited, so the topic gets its own key.
        // https://docs.aws.amazon.com/dtconsole/latest/userguide/set-up-sns.html
        const { topic, topicPolicy } = notificationTopic(`${name}-notifications`, {
            publisher: "codestar-notifications.amazonaws.com",
            keyDescription: `Encrypts failure notifications of pipeline ${pipelineName}`,
            keyCondition: (ctx) => ({ StringEquals: { "kms:ViaService": `sns.${ctx.region}.amazonaws.com` } }),
            // Only notification rules of this account (confused-deputy guard).
            publishCondition: (ctx) => ({ StringEquals: { "aws:SourceAccount": ctx.accountId } }),
            emails: args.notificationEmails ?? [],
        }, parent);
        new aws.codestarnotifications.NotificationRule(`${name}-failed`, {
            name: boundedName([currentStack, name, "failed"], 64),
            resource: this.pipeline.arn,
            detailType: "FULL",
            eventTypeIds: [EXECUTION_FAILED_EVENT],
            targets: [{ type: "SNS", address: topic.arn }],
        }, { ...parent, dependsOn: [topicPolicy] });
        this.notificationTopicArn = topic.arn;

        this.registerOutputs({
            pipelineName: this.pipelineName,
            pipelineArn: this.pipelineArn,
            connectionArn: this.connectionArn,
            connectionStatus: this.connectionStatus,
            artifactBucket: this.artifactBucket,
            notificationTopicArn: this.notificationTopicArn,
        });
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
