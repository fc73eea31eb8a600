/**
 * DashboardService: one dashboard = an image built from its Dockerfile into its own ECR
 * repository, a Fargate service behind its own host name on the shared ALB, reachable only after
 * login, scaled between min and max tasks.
 *
 * Cost note: a 0.25 vCPU / 0.5 GB task running all month is ~$9 on demand, ~$3 on Fargate Spot.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as random from "@pulumi/random";
import { albPublicKeysUrl, APP_ENV } from "./appEnvironment";
import { isInDomain } from "./certificates";
import { ComponentArgsError, PACKAGE } from "./component";
import type { ServiceClusterArgs } from "./serviceClusterArgs";

export type { ServiceClusterArgs };
import { fargateMemoryOptions, FARGATE_CPU_VALUES } from "./fargate";
import { defaultDeregistrationDelay, FRAMEWORK_PRESETS, FrameworkPreset, SPOT_MAX_DEREGISTRATION_DELAY } from "./frameworks";
import { bundleHandler } from "./lambdaBundle";
import { boundedName, isDashboardName, MAX_DASHBOARD_NAME_LENGTH, targetGroupName } from "./naming";
import { cronAt, daysProblem, minutesOf, SCHEDULE_DEFAULTS, timeProblem, timeZoneProblem } from "./schedule";
import type { WakeRuleSlots } from "./routing";
import { IDLE_CHECK_MINUTES, IDLE_MINUTES, idleMinutesProblem, wakeControllerEnvironment, wakeControllerPolicy, WakeControllerSettings } from "./wake";
import { throttlesAlarm } from "./functionAlarms";
import { taskPolicyProblems } from "./iamPolicyArns";
import { writableMounts, writablePathsProblems } from "./writablePaths";
import { KMS_KEY_ARN_DESCRIPTION, kmsKeyArnProblem, SECRET_REF_DESCRIPTION, secretDecryptStatements, secretRefKind, secretRefProblem, secretResourceArn } from "./secretRefs";
import { BUILD_STAGE, IMAGE_DIGEST, IMAGE_DIGEST_DESCRIPTION, ImageReference, LOG_RETENTION_DAYS, mutableTagProblem, parseImageReference } from "./stackConfig";


/** How users log in before reaching the service (from `CognitoAuth.loginFor(name)`). */
export interface ServiceLoginArgs {
    /** The listener-rule action that authenticates (it runs first, order 1). */
    authenticateAction: pulumi.Input<aws.types.input.lb.ListenerRuleAction>;
    /** Full logout URL of the identity provider for this dashboard's client. */
    logoutUrl: pulumi.Input<string>;
}

/** The CPU architecture every task runs on, and the platform its image is built for. */
export const TASK_ARCHITECTURE = { ecs: "X86_64", docker: "linux/amd64" } as const;

/** The name under which every build gets the platform's shared helpers (`COPY --from=dashboards-platform ...`). */
export const PLATFORM_CONTEXT = "dashboards-platform";

/** Docker build of the dashboard's image (BuildKit, through the docker-build provider). */
export interface ServiceBuildArgs {
    /**
     * Build context: the dashboard's own folder. Nothing outside it is sent (minus its ignore file).
     * @default the folder of `dockerfile`
     * @example "apps/sales"
     */
    context?: string;
    /**
     * Dockerfile path. A `<Dockerfile>.dockerignore` beside it is used before `<context>/.dockerignore`.
     * @default "<context>/Dockerfile"
     */
    dockerfile?: string;
    /** The Dockerfile's text instead of a file: a Dockerfile generated for a folder without one. Not with `dockerfile`. */
    dockerfileInline?: string;
    /**
     * The stage to build, for a multi-stage Dockerfile whose last stage is not the one to deploy.
     * @default the last stage
     * @example "production"
     */
    target?: string;
    /**
     * Further build contexts by name (`COPY --from=<name>`, `FROM <name>`), as local folders. The
     * platform's helpers are usually one: `{ "dashboards-platform": "apps/shared" }`.
     * @default {}
     */
    namedContexts?: Record<string, string>;
}

export interface DashboardServiceArgs {
    /** The shared cluster, load balancer and network. */
    cluster: ServiceClusterArgs;
    /** Login in front of the service. */
    login: ServiceLoginArgs;
    /** How to build the image; exactly one of `build` and `image`. */
    build?: ServiceBuildArgs;
    /**
     * A prebuilt image to run instead of building: `<registry>/<repository>@sha256:<64 hex>`, in this or
     * another account's ECR (the execution role may pull exactly that repository) or a public registry
     * (no ECR rights). No build, repository or lifecycle policy is made for it.
     */
    image?: string;
    /**
     * Accept an `image` pinned by a tag only. Tags move, so a redeploy may run different code.
     * @default false
     */
    allowMutableTag?: boolean;
    /**
     * `sha256:<64 hex>` of an earlier image in this dashboard's own repository: the task runs
     * `<repositoryUrl>@<digest>` and nothing is built (roll back by digest). Not with `image`.
     */
    imageDigest?: string;
    /**
     * `shiny`, `dash`, `streamlit`, `flask` or `custom`: sets port, health check and stickiness presets.
     */
    framework: string;
    /** Listener rule priority, unique on the listener; see `rulePriorities` for a stable choice. */
    rulePriority: number;
    /**
     * Extra host names (full DNS names) that route here too; at most 4. The HTTPS listener must have a
     * certificate for each that `*.<domain>` does not cover: list them in DashboardCluster's `extraHosts`.
     * @default []
     */
    extraHosts?: string[];
    /**
     * Fargate CPU units.
     * @default 256
     */
    cpu?: number;
    /**
     * Memory in MiB; must pair with `cpu` (e.g. 256 -> 512, 1024, 2048).
     * @default 512
     */
    memory?: number;
    /**
     * Fewest tasks; also the count after a deploy. `0` scales to zero: the service sleeps after
     * `idleMinutes` without requests and wakes when a signed-in user who may open it arrives; they
     * see a "Starting <displayName>..." page until a task is healthy (about the framework's start
     * time plus two health checks). Needs `wakeRuleSlots`; not with `schedule`.
     * @default 1
     */
    minTasks?: number;
    /**
     * Most tasks autoscaling may run.
     * @default the larger of 2 and minTasks
     */
    maxTasks?: number;
    /**
     * With `minTasks: 0`: minutes without a request (to the dashboard or its starting page) after
     * which the service scales to zero (10 to 1440). Websocket messages are not requests: the
     * templates' session guard sends one while the user is active (apps/shared/js/session-guard.js).
     * @default 30
     */
    idleMinutes?: number;
    /**
     * With `minTasks: 0`: the waker rule's two listener priorities, free on the listener: `asleep`
     * below `rulePriority` (the waker wins) and `awake` above it (the dashboard's rule wins). See
     * `wakeRuleSlots` for a stable choice.
     * @example { asleep: 4099, awake: 4101 }
     */
    wakeRuleSlots?: WakeRuleSlots;
    /** Name shown on the starting page of a scale-to-zero dashboard. @default the dashboard's name */
    displayName?: string;
    /** Platform name shown on the starting page. @default "Dashboards" */
    platformName?: string;
    /** Container port. @default the framework preset (shiny 3838, streamlit 8501, dash 8050, flask 8000, custom 8080) */
    port?: number;
    /** Health check path. @default the framework preset (`/`, `/_stcore/health`, `/health`) */
    healthCheckPath?: string;
    /**
     * HTTP codes a healthy target answers.
     * @default "200-399"
     */
    healthCheckMatcher?: string;
    /** Pin each browser to one task with an `lb_cookie` (needed by websocket apps with >1 task). @default shiny/streamlit true, others false */
    sticky?: boolean;
    /** Seconds to drain connections from a task being replaced. @default 300 sticky, 110 sticky on Spot, 30 otherwise */
    deregistrationDelaySeconds?: number;
    /** Seconds after start during which failing health checks are ignored. @default the framework preset */
    healthCheckGracePeriodSeconds?: number;
    /**
     * Run the container with a read-only root file system (AWS Security Hub control ECS.5): code that
     * an attacker gets to run cannot rewrite the app or the system's programs, or leave files for
     * later. Only /tmp and `writablePaths` are writable, each a mount of the task's own storage that
     * lasts as long as the task. An image that runs as a non-root user must declare each with
     * `VOLUME` (after giving the folder to that user): ECS then fills the mount with what the image
     * has there, permissions included; otherwise the folder is empty and writable by root only.
     * Images the platform generates declare theirs (`VOLUME ["/tmp"]`), and DashboardPlatform turns
     * this on for them and for a Dockerfile that declares /tmp.
     * @default false
     */
    readonlyRootFilesystem?: boolean;
    /**
     * With `readonlyRootFilesystem`: further folders the app writes, besides /tmp (at most 10,
     * absolute, none inside another). Each hides what the image has there unless it is a `VOLUME`.
     * @default []
     * @example ["/app/cache"]
     */
    writablePaths?: string[];
    /**
     * `on-demand`, `spot` (all tasks on Fargate Spot, ~70% cheaper, may be interrupted) or `mixed`
     * (first task on demand, the rest mostly Spot).
     * @default "on-demand"
     */
    capacity?: string;
    /**
     * Target average CPU utilisation (%) for scaling.
     * @default 60
     */
    targetCpuPercent?: number;
    /**
     * Target requests per task per minute for scaling. Not with `minTasks: 0`, which tracks CPU only
     * (each target-tracking policy keeps two CloudWatch alarms, $0.20/month, also while asleep).
     * @default 300
     */
    targetRequestsPerTask?: number;
    /** Plain environment variables. @default {} */
    environment?: Record<string, pulumi.Input<string>>;
    /** Secret environment variables: name -> SSM parameter ARN or Secrets Manager secret ARN. @default {} */
    secrets?: Record<string, string>;
    /**
     * Customer-managed KMS keys that encrypt some of `secrets` (SecureString parameters or secrets not
     * under the AWS managed `aws/ssm` / `aws/secretsmanager` keys). The execution role may decrypt with
     * exactly these keys, only through SSM or Secrets Manager and only for `secrets`; without them a
     * task whose secret uses such a key never starts (ResourceInitializationError). Key ARNs, not aliases.
     * @default []
     * @example ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
     */
    secretKeyArns?: string[];
    /**
     * Managed policies for the task role (which grants nothing by default). The AWS managed policies
     * that make the app's code an account administrator, or able to become one (AdministratorAccess,
     * PowerUserAccess, IAMFullAccess, ...: `PRIVILEGED_AWS_POLICIES`), are refused unless
     * `allowPrivilegedTaskPolicies` is set; so are service-linked role policies and repeats.
     * @default []
     * @example ["arn:aws:iam::123456789012:policy/sales-dashboard-read-reports"]
     */
    taskPolicyArns?: string[];
    /**
     * Accept an administrator-level AWS managed policy in `taskPolicyArns`: the code of a dashboard
     * answers anyone signed in, so a flaw in it would then reach the whole account.
     * @default false
     */
    allowPrivilegedTaskPolicies?: boolean;
    /**
     * Days to keep the container logs (a CloudWatch Logs retention value).
     * @default 30
     */
    logRetentionDays?: number;
    /**
     * Images kept in the repository; older ones expire.
     * @default 10
     */
    imagesToKeep?: number;
    /**
     * Let `pulumi destroy` delete the repository with its images.
     * @default false
     */
    forceDeleteRepository?: boolean;
    /** URL of the portal, passed to the app so it can link back. */
    portalUrl?: pulumi.Input<string>;
    /**
     * Make `pulumi up` wait (up to 30 minutes) until the service's rollout is steady, and fail the
     * update when the tasks never get healthy or the circuit breaker rolls the deployment back.
     * Off: `pulumi up` returns as soon as ECS accepts the deployment.
     * @default true
     */
    waitForSteadyState?: boolean;
    /**
     * Office hours: the service runs `minTasks`..`maxTasks` inside them and `tasksOutside` tasks
     * (0: asleep) outside, through two scheduled actions on its scalable target.
     * @default none (runs around the clock)
     * @example { days: "MON-FRI", start: "07:00", stop: "20:00", timeZone: "Europe/Zurich", tasksOutside: 0 }
     */
    schedule?: ServiceScheduleArgs;
}

/** When a dashboard runs. */
export interface ServiceScheduleArgs {
    /** Days it runs: `MON-FRI`, `MON,WED,FRI`, `*` for every day. @default "MON-FRI" */
    days?: string;
    /** Start of the hours, `HH:MM` (24 h) in `timeZone`. */
    start: string;
    /** End of the hours, `HH:MM`, later the same day. */
    stop: string;
    /** IANA time zone, e.g. `Europe/Zurich`. @default "UTC" */
    timeZone?: string;
    /** Tasks kept running outside the hours. @default 0 */
    tasksOutside?: number;
}

const CAPACITIES = ["on-demand", "spot", "mixed"];
/** The schedule's problems, each naming its argument. */
function scheduleProblems(schedule: ServiceScheduleArgs, minTasks: number): string[] {
    const problems: string[] = [];
    const add = (key: string, problem: string | undefined) => problem && problems.push(`schedule.${key} ${problem}`);
    add("days", daysProblem(schedule.days ?? SCHEDULE_DEFAULTS.days));
    add("start", timeProblem(schedule.start ?? ""));
    add("stop", timeProblem(schedule.stop ?? ""));
    add("timeZone", timeZoneProblem(schedule.timeZone ?? SCHEDULE_DEFAULTS.timeZone));
    if (problems.length === 0 && minutesOf(schedule.stop) <= minutesOf(schedule.start)) add("stop", `${schedule.stop} is not after start ${schedule.start}`);
    const outside = schedule.tasksOutside ?? SCHEDULE_DEFAULTS.tasksOutside;
    if (!Number.isInteger(outside) || outside < 0 || outside > minTasks) add("tasksOutside", `${outside} must be a whole number from 0 to minTasks ${minTasks}`);
    return problems;
}

/**
 * How long `pulumi up` waits for a rollout to become steady: a start-up grace period, health checks,
 * then up to the deregistration delay (300 s for sticky apps) per batch of replaced tasks.
 */
export const STEADY_STATE_TIMEOUT = "30m";
const CONTAINER_NAME = "app";
/** Streamlit reads `server.cookieSecret` from this variable. */
const STREAMLIT_COOKIE_SECRET = "STREAMLIT_SERVER_COOKIE_SECRET";
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function buildProblems(build: ServiceBuildArgs): string[] {
    const problems: string[] = [];
    if (build.context === undefined ? typeof build.dockerfile !== "string" || build.dockerfile === "" : typeof build.context !== "string" || build.context === "") {
        problems.push("build.context must be the app's folder (or give build.dockerfile, whose folder it then is)");
    }
    if (build.dockerfile !== undefined && build.dockerfileInline !== undefined) problems.push("build.dockerfile and build.dockerfileInline are mutually exclusive: a file, or a generated text");
    if (build.dockerfileInline !== undefined && (typeof build.dockerfileInline !== "string" || build.dockerfileInline.trim() === "")) problems.push("build.dockerfileInline is empty");
    if (build.target !== undefined && !(typeof build.target === "string" && BUILD_STAGE.test(build.target))) problems.push(`build.target ${JSON.stringify(build.target)} is not a stage name (a letter, then letters, digits, _ . -)`);
    for (const [key, location] of Object.entries(build.namedContexts ?? {})) {
        if (!BUILD_STAGE.test(key)) problems.push(`build.namedContexts key ${JSON.stringify(key)} is not a context name (a letter, then letters, digits, _ . -)`);
        if (typeof location !== "string" || location === "") problems.push(`build.namedContexts.${key} must be a local folder`);
    }
    return problems;
}

function checkArgs(name: string, args: DashboardServiceArgs): ImageReference | undefined {
    const problems: string[] = [];
    let prebuilt: ImageReference | undefined;
    if ((args.build === undefined) === (args.image === undefined)) problems.push(args.build ? "set either build or image, not both" : "set either build or image");
    if (args.build !== undefined) problems.push(...buildProblems(args.build));
    if (args.image !== undefined) {
        const parsed = typeof args.image === "string" ? parseImageReference(args.image) : { ok: false as const, problem: "is not a string" };
        if (!parsed.ok) problems.push(`image ${JSON.stringify(args.image)} ${parsed.problem}`);
        else {
            const mutable = args.allowMutableTag ? undefined : mutableTagProblem(parsed.image);
            if (mutable) problems.push(`image ${JSON.stringify(args.image)} ${mutable}`);
            else prebuilt = parsed.image;
        }
        if (args.imageDigest !== undefined) problems.push("image and imageDigest are mutually exclusive: imageDigest pins an earlier build of the own repository, image runs a prebuilt one");
    }
    if (args.imageDigest !== undefined && !(typeof args.imageDigest === "string" && IMAGE_DIGEST.test(args.imageDigest))) {
        problems.push(`imageDigest ${JSON.stringify(args.imageDigest)} is not ${IMAGE_DIGEST_DESCRIPTION}`);
    }
    if (!isDashboardName(name)) problems.push(`name "${name}" must be a DNS label of at most ${MAX_DASHBOARD_NAME_LENGTH} characters`);
    const preset = FRAMEWORK_PRESETS[args.framework];
    if (!preset) problems.push(`framework "${args.framework}" is not one of ${Object.keys(FRAMEWORK_PRESETS).join(", ")}`);
    const cpu = args.cpu ?? 256;
    const memory = args.memory ?? 512;
    const options = fargateMemoryOptions(cpu);
    if (!options) problems.push(`cpu ${cpu} is not a Fargate CPU value (${FARGATE_CPU_VALUES.join(", ")})`);
    else if (!options.includes(memory)) problems.push(`memory ${memory} is not valid with cpu ${cpu} (allowed: ${options.join(", ")})`);
    const min = args.minTasks ?? 1;
    const max = args.maxTasks ?? Math.max(2, min);
    if (!Number.isInteger(min) || min < 0) problems.push(`minTasks ${min} must be a whole number >= 0 (0: scale to zero)`);
    if (!Number.isInteger(max) || max < 1) problems.push(`maxTasks ${max} must be a whole number >= 1`);
    else if (max < min) problems.push(`maxTasks ${max} is less than minTasks ${min}`);
    const isPriority = (p: unknown) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 50000;
    if (!isPriority(args.rulePriority)) problems.push(`rulePriority ${args.rulePriority} must be 1..50000`);
    if (min === 0) {
        const slots = args.wakeRuleSlots;
        if (slots === undefined) problems.push("wakeRuleSlots is required with minTasks 0 (the waker rule's priorities)");
        else if (!isPriority(slots.asleep) || !isPriority(slots.awake) || !(slots.asleep < args.rulePriority && args.rulePriority < slots.awake)) {
            problems.push(`wakeRuleSlots ${JSON.stringify(slots)} must be priorities 1..50000 with asleep < rulePriority ${args.rulePriority} < awake`);
        }
        if (args.idleMinutes !== undefined) {
            const problem = idleMinutesProblem(args.idleMinutes);
            if (problem) problems.push(`idleMinutes ${problem}`);
        }
        if (args.schedule) problems.push("schedule and minTasks 0 both decide when the service sleeps; use one of them");
    } else {
        if (args.idleMinutes !== undefined) problems.push("idleMinutes needs minTasks 0 (scale to zero)");
        if (args.wakeRuleSlots !== undefined) problems.push("wakeRuleSlots needs minTasks 0 (scale to zero)");
    }
    if ((args.extraHosts ?? []).length > 4) problems.push("extraHosts allows at most 4 hosts (5 host names per rule)");
    const capacity = args.capacity ?? "on-demand";
    if (!CAPACITIES.includes(capacity)) problems.push(`capacity "${capacity}" is not one of ${CAPACITIES.join(", ")}`);
    const delay = args.deregistrationDelaySeconds;
    if (delay !== undefined && (delay < 0 || delay > 3600)) problems.push(`deregistrationDelaySeconds ${delay} must be 0..3600`);
    if (delay !== undefined && capacity !== "on-demand" && delay > SPOT_MAX_DEREGISTRATION_DELAY) {
        problems.push(`deregistrationDelaySeconds ${delay} must be under 120 on Fargate Spot (tasks get a 2-minute warning)`);
    }
    if (args.schedule && min > 0) problems.push(...scheduleProblems(args.schedule, min));
    if (args.logRetentionDays !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(args.logRetentionDays)) {
        problems.push(`logRetentionDays ${args.logRetentionDays} is not a CloudWatch retention (${LOG_RETENTION_DAYS.join(", ")})`);
    }
    const reserved = new Set(Object.values(APP_ENV));
    for (const key of [...Object.keys(args.environment ?? {}), ...Object.keys(args.secrets ?? {})]) {
        if (!ENV_NAME.test(key)) problems.push(`environment variable name "${key}" is not valid`);
        if (reserved.has(key as never)) problems.push(`environment variable ${key} is set by the platform`);
    }
    for (const [key, ref] of Object.entries(args.secrets ?? {})) {
        const problem = typeof ref === "string" ? secretRefProblem(ref) : `is not ${SECRET_REF_DESCRIPTION}`;
        if (problem) problems.push(`secrets.${key} ${JSON.stringify(ref)} ${problem}`);
    }
    (args.secretKeyArns ?? []).forEach((arn, i) => {
        const problem = typeof arn === "string" ? kmsKeyArnProblem(arn) : `is not ${KMS_KEY_ARN_DESCRIPTION}`;
        if (problem) problems.push(`secretKeyArns[${i}] ${JSON.stringify(arn)} ${problem}`);
    });
    if ((args.secretKeyArns ?? []).length > 0 && Object.keys(args.secrets ?? {}).length === 0) problems.push("secretKeyArns is set but there are no secrets to decrypt with it");
    for (const p of taskPolicyProblems(args.taskPolicyArns ?? [], args.allowPrivilegedTaskPolicies === true, "report")) {
        problems.push(p.key === "taskPolicyArns" ? `taskPolicyArns[${p.index}] ${JSON.stringify(p.value)} ${p.problem}` : `${p.key} ${p.problem}`);
    }
    if (args.writablePaths !== undefined) {
        if (!Array.isArray(args.writablePaths)) problems.push("writablePaths must be a list of folders");
        else {
            if (args.readonlyRootFilesystem !== true && args.writablePaths.length > 0) problems.push("writablePaths only applies with readonlyRootFilesystem: true (otherwise every folder is writable)");
            for (const p of writablePathsProblems(args.writablePaths, "report")) {
                problems.push(p.index === undefined ? `writablePaths ${p.problem}` : `writablePaths[${p.index}] ${JSON.stringify(args.writablePaths[p.index])} ${p.problem}`);
            }
        }
    }
    if (problems.length > 0) throw new ComponentArgsError(`DashboardService "${name}"`, problems);
    return prebuilt;
}

/** What every step of DashboardService reads: its name and arguments, the values derived from them once, and where it runs. */
interface ServiceContext {
    name: string;
    args: DashboardServiceArgs;
    cluster: ServiceClusterArgs;
    preset: FrameworkPreset;
    port: number;
    sticky: boolean;
    capacity: string;
    usesSpot: boolean;
    minTasks: number;
    maxTasks: number;
    /** `minTasks` 0: the waker decides when the service runs. */
    scaleToZero: boolean;
    waitForSteady: boolean;
    stack: string;
    project: string;
    region: pulumi.Output<string>;
    account: pulumi.Output<string>;
}

/** Where the task runs its image from: its own repository (and build), or a prebuilt image. */
interface ServiceImage {
    repository?: aws.ecr.Repository;
    image?: dockerBuild.Image;
    imageReference: pulumi.Output<string>;
    /** The one ECR repository the execution role may pull from; none for a public registry. */
    pullRepositoryArn?: pulumi.Output<string>;
}

/** The trust policy of both task roles: ECS tasks acting for this account only. */
function ecsTasksTrust(account: pulumi.Output<string>): pulumi.Output<string> {
    return account.apply((accountId) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Only ECS acting for this account may assume the role (confused-deputy guard).
            // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        }],
    }));
}

export class DashboardService extends pulumi.ComponentResource {
    /** `https://<name>.<domain>` */
    public readonly url: string;
    /** Every host name that routes here; the first is `<name>.<domain>`. */
    public readonly hosts: string[];
    /** The dashboard's own repository; none for a prebuilt `image`. */
    public readonly repository?: aws.ecr.Repository;
    /** The image built from the Dockerfile; none for a prebuilt `image` or a pinned `imageDigest`. */
    public readonly image?: dockerBuild.Image;
    /** The image the task runs, pinned by digest (or as given, for a prebuilt image with `allowMutableTag`). */
    public readonly imageReference: pulumi.Output<string>;
    public readonly taskDefinition: aws.ecs.TaskDefinition;
    public readonly targetGroup: aws.lb.TargetGroup;
    public readonly listenerRule: aws.lb.ListenerRule;
    /** With `minTasks: 0`: the rule that sends the host to the waker while the dashboard sleeps. */
    public readonly wakeRule?: aws.lb.ListenerRule;
    /** With `minTasks: 0`: the Lambda target group of the waker. */
    public readonly wakerTargetGroup?: aws.lb.TargetGroup;
    /** With `minTasks: 0`: the controller that shows the starting page, wakes the service and puts it to sleep. */
    public readonly wakeFunction?: aws.lambda.Function;
    public readonly service: aws.ecs.Service;
    public readonly securityGroup: aws.ec2.SecurityGroup;
    public readonly scalingTarget: aws.appautoscaling.Target;
    public readonly logGroup: aws.cloudwatch.LogGroup;
    public readonly records: aws.route53.Record[] = [];

    constructor(name: string, args: DashboardServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const prebuilt = checkArgs(name, args);
        super(`${PACKAGE}:index:DashboardService`, name, {}, opts);
        const ctx = this.context(name, args);

        this.hosts = [`${name}.${ctx.cluster.domain}`, ...(args.extraHosts ?? [])];
        this.url = `https://${this.hosts[0]}`;

        // A prebuilt image runs as given; otherwise the dashboard's own repository holds its builds.
        const image = prebuilt ? this.prebuiltImage(args, prebuilt) : this.ownImage(ctx);
        this.repository = image.repository;
        this.image = image.image;
        this.imageReference = image.imageReference;

        this.logGroup = this.createLogGroup(ctx);
        const trust = ecsTasksTrust(ctx.account);
        const executionRole = this.createExecutionRole(ctx, trust);
        const generatedSecrets = this.createCookieSecret(ctx);
        this.grantExecutionRole(ctx, executionRole, image.pullRepositoryArn, this.logGroup, generatedSecrets);
        const taskRole = this.createTaskRole(ctx, trust);
        this.taskDefinition = this.createTaskDefinition(ctx, this.imageReference, this.logGroup, executionRole, taskRole, generatedSecrets);

        this.securityGroup = this.createTaskSecurityGroup(ctx);
        this.targetGroup = this.createTargetGroup(ctx);
        this.listenerRule = this.createListenerRule(ctx, "rule", this.hosts, this.targetGroup, args.rulePriority);
        if (ctx.scaleToZero) {
            // Scale to zero: a second rule on the same hosts, to the waker; it starts in its slot below (asleep).
            this.wakerTargetGroup = this.createWakerTargetGroup(ctx);
            this.wakeRule = this.createListenerRule(ctx, "wake-rule", this.hosts, this.wakerTargetGroup, args.wakeRuleSlots!.asleep, true);
        }
        this.service = this.createService(ctx, this.taskDefinition, this.securityGroup, this.targetGroup, this.listenerRule);
        const settledTaskDefinition = this.settledTaskDefinition(ctx, this.service, this.taskDefinition);

        this.scalingTarget = this.createAutoscaling(ctx, this.service, this.targetGroup);
        if (this.wakeRule && this.wakerTargetGroup) {
            this.wakeFunction = this.createWaker(ctx, { service: this.service, scalingTarget: this.scalingTarget, appRule: this.listenerRule, wakeRule: this.wakeRule, appTargetGroup: this.targetGroup, wakerTargetGroup: this.wakerTargetGroup });
        }
        this.records.push(...this.createDnsRecords(ctx, this.hosts));
        this.createAlarms(ctx, this.targetGroup);

        this.registerOutputs({ url: this.url, hosts: this.hosts, image: this.imageReference, serviceName: this.service.name, taskDefinitionArn: settledTaskDefinition });
    }

    /** The values every step reads, derived once from the arguments, and the region and account. */
    private context(name: string, args: DashboardServiceArgs): ServiceContext {
        const parent = { parent: this };
        const preset = FRAMEWORK_PRESETS[args.framework];
        const capacity = args.capacity ?? "on-demand";
        const minTasks = args.minTasks ?? 1;
        return {
            name,
            args,
            cluster: args.cluster,
            preset,
            port: args.port ?? preset.port,
            sticky: args.sticky ?? preset.sticky,
            capacity,
            usesSpot: capacity !== "on-demand",
            minTasks,
            maxTasks: args.maxTasks ?? Math.max(2, minTasks),
            scaleToZero: minTasks === 0,
            waitForSteady: args.waitForSteadyState ?? true,
            stack: pulumi.getStack(),
            project: pulumi.getProject(),
            region: aws.getRegionOutput({}, parent).region,
            account: aws.getCallerIdentityOutput({}, parent).accountId,
        };
    }

    /** A prebuilt image, as given: no repository, no build. */
    private prebuiltImage(args: DashboardServiceArgs, prebuilt: ImageReference): ServiceImage {
        return {
            imageReference: pulumi.output(args.image!),
            // Exactly the referenced ECR repository (parsed strictly, never a wildcard); nothing for a public registry.
            pullRepositoryArn: prebuilt.ecr ? pulumi.output(prebuilt.ecr.repositoryArn) : undefined,
        };
    }

    /** The dashboard's own repository, and the image it runs from it: an earlier one pinned by `imageDigest`, or a new build. */
    private ownImage(ctx: ServiceContext): ServiceImage {
        const repository = this.createRepository(ctx);
        if (ctx.args.imageDigest) {
            // Roll back by digest: an earlier image of this repository, and no build. Looking it up makes
            // `pulumi preview`/`up` fail before any change when the image has expired or never existed.
            const pinned = aws.ecr.getImageOutput({ registryId: repository.registryId, repositoryName: repository.name, imageDigest: ctx.args.imageDigest }, { parent: this });
            return { repository, imageReference: pulumi.interpolate`${repository.repositoryUrl}@${pinned.imageDigest}`, pullRepositoryArn: repository.arn };
        }
        const image = this.buildImage(ctx, repository);
        // By digest, not tag: a rebuild changes the task definition, and a moved tag never does.
        return { repository, image, imageReference: pulumi.interpolate`${repository.repositoryUrl}@${image.digest}`, pullRepositoryArn: repository.arn };
    }

    /** The dashboard's ECR repository (scanned, encrypted) and the lifecycle policy that keeps its last N images. */
    private createRepository(ctx: ServiceContext): aws.ecr.Repository {
        const { name, args } = ctx;
        const parent = { parent: this };
        const repository = new aws.ecr.Repository(`${name}-repo`, {
            name: `${ctx.project}-${ctx.stack}/${name}`.toLowerCase(),
            // https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "AES256" }],
            // Tags are moved on every build; the task definition pins the image by digest instead.
            imageTagMutability: "MUTABLE",
            forceDelete: args.forceDeleteRepository ?? false,
        }, parent);
        // Lifecycle rules select images by tag or age only, never by digest, so a pinned image cannot be
        // excluded from expiry; while pinned nothing new is pushed here, so an image within the last N stays.
        // https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
        new aws.ecr.LifecyclePolicy(`${name}-repo-expiry`, {
            repository: repository.name,
            policy: JSON.stringify({
                rules: [{
                    rulePriority: 1,
                    description: `keep the last ${args.imagesToKeep ?? 10} images`,
                    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.imagesToKeep ?? 10 },
                    action: { type: "expire" },
                }],
            }),
        }, parent);
        return repository;
    }

    /** The image built with BuildKit from the dashboard's folder (its Dockerfile, or a generated one) and pushed to its repository. */
    private buildImage(ctx: ServiceContext, repository: aws.ecr.Repository): dockerBuild.Image {
        const parent = { parent: this };
        const build = ctx.args.build!;
        const credentials = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, parent);
        const namedContexts = Object.fromEntries(Object.entries(build.namedContexts ?? {}).map(([key, location]) => [key, { location }]));
        const context = build.context ?? path.posix.dirname(build.dockerfile!);
        return new dockerBuild.Image(`${ctx.name}-image`, {
            context: { location: context, ...(Object.keys(namedContexts).length > 0 ? { named: namedContexts } : {}) },
            dockerfile: build.dockerfileInline !== undefined ? { inline: build.dockerfileInline } : { location: build.dockerfile ?? `${context}/Dockerfile` },
            ...(build.target !== undefined ? { target: build.target } : {}),
            // The task's architecture, whatever the building machine is (an arm64 laptop included).
            platforms: [TASK_ARCHITECTURE.docker],
            push: true,
            tags: [pulumi.interpolate`${repository.repositoryUrl}:${ctx.stack}`],
            registries: [{
                address: repository.repositoryUrl.apply((url) => url.split("/")[0]),
                username: credentials.userName,
                password: pulumi.secret(credentials.password),
            }],
            // Like `pulumi preview` always did here: no Docker needed to preview; `up` builds.
            buildOnPreview: false,
        }, {
            ...parent,
            // The provider deletes the image it pushed when the resource goes (a switch to imageDigest
            // or image): that may be the very digest now pinned. The lifecycle policy expires images instead.
            retainOnDelete: true,
        });
    }

    /** The log group of the dashboard's containers. */
    private createLogGroup(ctx: ServiceContext): aws.cloudwatch.LogGroup {
        return new aws.cloudwatch.LogGroup(`${ctx.name}-logs`, {
            name: `/dashboards/${ctx.project}-${ctx.stack}/${ctx.name}`,
            retentionInDays: ctx.args.logRetentionDays ?? 30,
        }, { parent: this });
    }

    /** The role ECS starts the tasks with (its rights come from grantExecutionRole). */
    private createExecutionRole(ctx: ServiceContext, trust: pulumi.Output<string>): aws.iam.Role {
        return new aws.iam.Role(`${ctx.name}-exec`, {
            description: `Starts the ${ctx.name} dashboard's tasks: pull its image, write its logs, read its secrets`,
            assumeRolePolicy: trust,
        }, { parent: this });
    }

    /** Streamlit's cookie secret, generated into an SSM parameter unless the dashboard sets its own; by variable name. */
    private createCookieSecret(ctx: ServiceContext): Record<string, pulumi.Output<string>> {
        const { name, args } = ctx;
        const parent = { parent: this };
        // Streamlit signs its cookies with server.cookieSecret, which must be the same on every task:
        // generate one per dashboard and hand it over as a secret (never a plain environment variable).
        const generatedSecrets: Record<string, pulumi.Output<string>> = {};
        if (args.framework === "streamlit" && !(STREAMLIT_COOKIE_SECRET in (args.secrets ?? {})) && !(STREAMLIT_COOKIE_SECRET in (args.environment ?? {}))) {
            const value = new random.RandomPassword(`${name}-cookie-secret`, { length: 48, special: false }, parent);
            generatedSecrets[STREAMLIT_COOKIE_SECRET] = new aws.ssm.Parameter(`${name}-cookie-secret`, {
                name: `/dashboards/${ctx.project}-${ctx.stack}/${name}/streamlit-cookie-secret`,
                type: "SecureString",
                value: value.result,
                description: `Streamlit cookie secret shared by the ${name} dashboard's tasks`,
            }, parent).arn;
        }
        return generatedSecrets;
    }

    /** The execution role's only rights: pull its own image, write its own logs, read its own secrets. */
    private grantExecutionRole(
        ctx: ServiceContext, executionRole: aws.iam.Role, pullRepositoryArn: pulumi.Output<string> | undefined,
        logGroup: aws.cloudwatch.LogGroup, generatedSecrets: Record<string, pulumi.Output<string>>,
    ): void {
        // Exactly the secrets configured: full ARNs only (checkArgs), granted as they are, never with a wildcard.
        // ECS `valueFrom` may carry `:json-key:stage:version` after a Secrets Manager ARN; IAM wants the secret's own ARN.
        const secretRefs = Object.values(ctx.args.secrets ?? {});
        const ssmArns = [...new Set(secretRefs.filter((r) => secretRefKind(r) === "ssm"))];
        const secretsManagerArns = [...new Set(secretRefs.filter((r) => secretRefKind(r) === "secretsmanager").map(secretResourceArn))];
        new aws.iam.RolePolicy(`${ctx.name}-exec-policy`, {
            role: executionRole.id,
            policy: pulumi.all([pullRepositoryArn, logGroup.arn, pulumi.all(Object.values(generatedSecrets))]).apply(([repoArn, logArn, generatedArns]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    // GetAuthorizationToken has no resource-level permissions, so it needs "*"; the pull is for exactly one repository.
                    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html
                    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
                    // A public registry's image needs no ECR rights at all.
                    ...(repoArn ? [
                        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                        { Sid: "PullOwnImage", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: repoArn },
                    ] : []),
                    { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logArn}:*` },
                    ...(ssmArns.length + generatedArns.length ? [{ Sid: "ReadOwnParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: [...ssmArns, ...generatedArns] }] : []),
                    ...(secretsManagerArns.length ? [{ Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretsManagerArns }] : []),
                    // The generated secrets use aws/ssm, which needs no grant; only the configured ones may use the given keys.
                    ...secretDecryptStatements(secretRefs, ctx.args.secretKeyArns ?? []),
                ],
            })),
        }, { parent: this });
    }

    /** The identity of the dashboard's code, with only the managed policies `taskPolicyArns` lists. */
    private createTaskRole(ctx: ServiceContext, trust: pulumi.Output<string>): aws.iam.Role {
        const parent = { parent: this };
        const taskRole = new aws.iam.Role(`${ctx.name}-task`, {
            description: `Identity of the ${ctx.name} dashboard's code; grants nothing unless taskPolicyArns says so`,
            assumeRolePolicy: trust,
        }, parent);
        (ctx.args.taskPolicyArns ?? []).forEach((policyArn, i) => {
            new aws.iam.RolePolicyAttachment(`${ctx.name}-task-policy-${i}`, { role: taskRole.name, policyArn }, parent);
        });
        return taskRole;
    }

    /** The Fargate task definition: one container with the image by digest, the platform's environment and the secrets. */
    private createTaskDefinition(
        ctx: ServiceContext, imageReference: pulumi.Output<string>, logGroup: aws.cloudwatch.LogGroup,
        executionRole: aws.iam.Role, taskRole: aws.iam.Role, generatedSecrets: Record<string, pulumi.Output<string>>,
    ): aws.ecs.TaskDefinition {
        const { name, args, cluster, port, region } = ctx;
        const platformEnv: Record<string, pulumi.Input<string>> = {
            [APP_ENV.name]: name,
            [APP_ENV.url]: this.url,
            [APP_ENV.logoutUrl]: args.login.logoutUrl,
            [APP_ENV.port]: String(port),
            [APP_ENV.region]: region,
            [APP_ENV.albArn]: cluster.albArn,
            [APP_ENV.albPublicKeysUrl]: pulumi.output(region).apply(albPublicKeysUrl),
            ...(args.portalUrl ? { [APP_ENV.portalUrl]: args.portalUrl } : {}),
            ...(cluster.albIdleTimeoutSeconds !== undefined
                ? { [APP_ENV.albIdleTimeoutSeconds]: pulumi.output(cluster.albIdleTimeoutSeconds).apply(String) }
                : {}),
        };
        const environment = { ...(args.environment ?? {}), ...platformEnv };
        const writable = args.readonlyRootFilesystem === true ? writableMounts(args.writablePaths ?? []) : undefined;
        return new aws.ecs.TaskDefinition(`${name}-task`, {
            // Family <= 255 characters; awsvpc and a valid CPU/memory pair are required on Fargate.
            // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
            family: boundedName([ctx.project, ctx.stack, name], 255),
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            cpu: String(args.cpu ?? 256),
            memory: String(args.memory ?? 512),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: TASK_ARCHITECTURE.ecs },
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            // Bind mounts without a host path: the task's own storage, one per writable folder.
            ...(writable ? { volumes: writable.volumes } : {}),
            containerDefinitions: pulumi
                .all([imageReference, logGroup.name, region, pulumi.all(environment), pulumi.all(generatedSecrets)])
                .apply(([image, logGroupName, awsRegion, env, generated]) => {
                    const secrets: Record<string, string> = { ...(args.secrets ?? {}), ...generated };
                    return JSON.stringify([{
                    name: CONTAINER_NAME,
                    // By digest: a rebuilt image changes the task definition, so the service redeploys.
                    image,
                    essential: true,
                    portMappings: [{ name: "http", containerPort: port, protocol: "tcp" }],
                    environment: Object.keys(env).sort().map((k) => ({ name: k, value: env[k] })),
                    secrets: Object.keys(secrets).sort().map((k) => ({ name: k, valueFrom: secrets[k] })),
                    logConfiguration: {
                        logDriver: "awslogs",
                        options: { "awslogs-group": logGroupName, "awslogs-region": awsRegion, "awslogs-stream-prefix": name },
                    },
                    // An init process reaps zombies and forwards SIGTERM, so apps stop cleanly on deploys and Spot interruptions.
                    linuxParameters: { initProcessEnabled: true },
                    ...(writable ? { readonlyRootFilesystem: true, mountPoints: writable.mountPoints } : {}),
                    // Fargate allows at most 120 s; Spot gives a 2-minute warning, so stay under it there.
                    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
                    stopTimeout: ctx.usesSpot ? 100 : 120,
                }]);
                }),
        }, { parent: this });
    }

    /** Network access: only the load balancer reaches the tasks (and the load balancer may reach them). */
    private createTaskSecurityGroup(ctx: ServiceContext): aws.ec2.SecurityGroup {
        const { name, cluster, port } = ctx;
        const parent = { parent: this };
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-tasks-sg`, {
            vpcId: cluster.vpcId,
            description: `${name} dashboard tasks: in only from the load balancer on ${port}`,
            revokeRulesOnDelete: true,
        }, parent);
        new aws.vpc.SecurityGroupIngressRule(`${name}-tasks-in`, {
            securityGroupId: securityGroup.id,
            description: "From the load balancer only",
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            referencedSecurityGroupId: cluster.albSecurityGroupId,
        }, parent);
        // Out: image pulls, AWS APIs and the app's own data sources.
        new aws.vpc.SecurityGroupEgressRule(`${name}-tasks-out`, {
            securityGroupId: securityGroup.id,
            description: "Image pulls, AWS APIs and the app's data sources",
            ipProtocol: "-1",
            cidrIpv4: "0.0.0.0/0",
        }, parent);
        new aws.vpc.SecurityGroupEgressRule(`${name}-alb-out`, {
            securityGroupId: cluster.albSecurityGroupId,
            description: `To the ${name} dashboard's tasks`,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            referencedSecurityGroupId: securityGroup.id,
        }, parent);
        return securityGroup;
    }

    /** The target group with the framework's health check and stickiness. */
    private createTargetGroup(ctx: ServiceContext): aws.lb.TargetGroup {
        const { name, args, cluster, port, preset, sticky } = ctx;
        const deregistrationDelay = args.deregistrationDelaySeconds ?? defaultDeregistrationDelay(sticky, ctx.usesSpot);
        // Every input that forces a replacement, stated once: the name is derived from all of them, so it is
        // stable while they are and new when one changes (the replacement is created before the old group goes).
        const identity = { port, protocol: "HTTP", protocolVersion: "HTTP1", targetType: "ip", ipAddressType: "ipv4" } as const;
        return new aws.lb.TargetGroup(`${name}-tg`, {
            name: pulumi.output(cluster.vpcId).apply((vpcId) => targetGroupName(ctx.stack, name, { ...identity, vpcId })),
            ...identity,
            vpcId: cluster.vpcId,
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#deregistration-delay
            deregistrationDelay,
            healthCheck: {
                enabled: true,
                path: args.healthCheckPath ?? preset.healthCheckPath,
                port: "traffic-port",
                protocol: "HTTP",
                matcher: args.healthCheckMatcher ?? "200-399",
                interval: 15,
                timeout: 5,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
            },
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/sticky-sessions.html
            stickiness: sticky
                ? { type: "lb_cookie", enabled: true, cookieDuration: 86400 }
                : { type: "lb_cookie", enabled: false },
        }, { parent: this, deleteBeforeReplace: false });
    }

    /** A host rule on the HTTPS listener: authenticate, then forward to the target group. */
    private createListenerRule(ctx: ServiceContext, suffix: string, hosts: string[], targetGroup: aws.lb.TargetGroup, priority: number, movedByWaker = false): aws.lb.ListenerRule {
        return new aws.lb.ListenerRule(`${ctx.name}-${suffix}`, {
            listenerArn: ctx.cluster.httpsListenerArn,
            priority,
            // At most 5 host names per rule; authenticate (order 1) runs before forward (order 2).
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
            conditions: [{ hostHeader: { values: hosts } }],
            actions: [
                pulumi.output(ctx.args.login.authenticateAction).apply((a) => ({ ...a, order: 1 })),
                { type: "forward", order: 2, targetGroupArn: targetGroup.arn },
            ],
        }, movedByWaker
            // The waker moves this rule between its two slots when the dashboard wakes and sleeps; `pulumi up` leaves it be.
            ? { parent: this, ignoreChanges: ["priority"] }
            : { parent: this });
    }

    /** The waker's Lambda target group (no health check: a Lambda target is healthy while it can be invoked). */
    private createWakerTargetGroup(ctx: ServiceContext): aws.lb.TargetGroup {
        // A name of the same form as the app's group, from an identity no ip group has.
        const identity = { port: 0, protocol: "", protocolVersion: "", targetType: "lambda", ipAddressType: "", vpcId: "" };
        return new aws.lb.TargetGroup(`${ctx.name}-waker-tg`, {
            name: targetGroupName(ctx.stack, ctx.name, identity),
            targetType: "lambda",
            // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
            healthCheck: { enabled: false },
        }, { parent: this });
    }

    /** The Fargate service: capacity providers, rolling deploys with circuit-breaker rollback, waiting for a steady state. */
    private createService(
        ctx: ServiceContext, taskDefinition: aws.ecs.TaskDefinition, securityGroup: aws.ec2.SecurityGroup,
        targetGroup: aws.lb.TargetGroup, listenerRule: aws.lb.ListenerRule,
    ): aws.ecs.Service {
        const { name, args, cluster } = ctx;
        // Each provider's base first, the rest by weight: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
        const capacityProviderStrategies = {
            "on-demand": [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
            spot: [{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }],
            // The first task always on demand so one Spot reclaim never takes the dashboard down.
            mixed: [{ capacityProvider: "FARGATE", weight: 1, base: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 }],
        }[ctx.capacity]!;
        return new aws.ecs.Service(`${name}-service`, {
            cluster: cluster.clusterArn,
            taskDefinition: taskDefinition.arn,
            desiredCount: ctx.minTasks,
            capacityProviderStrategies,
            networkConfiguration: {
                subnets: cluster.subnetIds,
                securityGroups: [securityGroup.id],
                assignPublicIp: cluster.assignPublicIp,
            },
            loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: CONTAINER_NAME, containerPort: ctx.port }],
            healthCheckGracePeriodSeconds: args.healthCheckGracePeriodSeconds ?? ctx.preset.healthCheckGracePeriodSeconds,
            // Keep full capacity during deploys: start new tasks before stopping old ones; roll back a deploy that never gets healthy.
            // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
            deploymentCircuitBreaker: { enable: true, rollback: true },
            // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html
            availabilityZoneRebalancing: "ENABLED",
            enableExecuteCommand: false,
            propagateTags: "SERVICE",
            // Wait like `aws ecs wait services-stable`: a deployment whose tasks never get healthy fails the update.
            // https://docs.aws.amazon.com/cli/latest/reference/ecs/wait/services-stable.html
            waitForSteadyState: ctx.waitForSteady,
        }, {
            parent: this,
            customTimeouts: { create: STEADY_STATE_TIMEOUT, update: STEADY_STATE_TIMEOUT },
            // Autoscaling owns the running count after the first deploy.
            ignoreChanges: ["desiredCount"],
            // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html
            // The target group must be attached to the load balancer before a service can use it; the
            // capacity providers must outlive the service, or destroy fails with "capacity provider is in use".
            dependsOn: [listenerRule, ...(cluster.capacityProviders ? [cluster.capacityProviders] : [])],
        });
    }

    /** The task definition the service runs once the rollout settled; fails the update when it was rolled back. */
    private settledTaskDefinition(ctx: ServiceContext, service: aws.ecs.Service, taskDefinition: aws.ecs.TaskDefinition): pulumi.Output<string | undefined> {
        // A circuit-breaker rollback also ends in a steady state, which the provider reports as success
        // (https://github.com/hashicorp/terraform-provider-aws/issues/20858); ECS then names the previous
        // task definition, so a mismatch after waiting means the new one was rolled back: fail the update.
        return pulumi.all([service.taskDefinition, taskDefinition.arn]).apply(([running, wanted]) => {
            if (ctx.waitForSteady && !pulumi.runtime.isDryRun() && running && wanted && running !== wanted) {
                throw new pulumi.ResourceError(`${ctx.name}: the deployment did not settle on the new task definition ${wanted}; ECS runs ${running}, ` +
                    "so the deployment circuit breaker rolled it back. The service's events tell why (aws ecs describe-services); fix the app and run pulumi up again.",
                service, true);
            }
            return running;
        });
    }

    /** The scaling target (min..max tasks) and its CPU and request-count target-tracking policies. */
    private createAutoscaling(ctx: ServiceContext, service: aws.ecs.Service, targetGroup: aws.lb.TargetGroup): aws.appautoscaling.Target {
        const { name, args, cluster } = ctx;
        const parent = { parent: this };
        const scalingTarget = new aws.appautoscaling.Target(`${name}-scaling`, {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            // https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html
            resourceId: pulumi.interpolate`service/${cluster.clusterName}/${service.name}`,
            minCapacity: ctx.minTasks,
            // Scale to zero starts asleep (0..0); the waker registers minTasks..maxTasks when it wakes the service.
            maxCapacity: ctx.scaleToZero ? 0 : ctx.maxTasks,
        }, args.schedule || ctx.scaleToZero
            // The scheduled actions (or the waker) own the capacity: a `pulumi up` while asleep must not wake the service.
            ? { ...parent, ignoreChanges: ["minCapacity", "maxCapacity"] }
            : parent);
        if (args.schedule && !ctx.scaleToZero) this.createSchedule(ctx, args.schedule, scalingTarget);
        // Websocket sessions die with their task: scale in slowly.
        const scaleInCooldown = ctx.sticky ? 600 : 300;
        const trackTarget = (suffix: string, metric: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification, targetValue: number) =>
            new aws.appautoscaling.Policy(`${name}-scale-${suffix}`, {
                policyType: "TargetTrackingScaling",
                serviceNamespace: scalingTarget.serviceNamespace,
                scalableDimension: scalingTarget.scalableDimension,
                resourceId: scalingTarget.resourceId,
                targetTrackingScalingPolicyConfiguration: { predefinedMetricSpecification: metric, targetValue, scaleInCooldown, scaleOutCooldown: 60 },
            }, parent);
        trackTarget("cpu", { predefinedMetricType: "ECSServiceAverageCPUUtilization" }, args.targetCpuPercent ?? 60);
        // Each target-tracking policy keeps two CloudWatch alarms ($0.20/month), asleep or not: a
        // scale-to-zero dashboard tracks CPU only. https://aws.amazon.com/cloudwatch/pricing/
        if (ctx.scaleToZero) return scalingTarget;
        trackTarget("requests", {
            // resourceLabel app/<alb>/<id>/targetgroup/<tg>/<id>: https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredefinedMetricSpecification.html
            predefinedMetricType: "ALBRequestCountPerTarget",
            resourceLabel: pulumi.interpolate`${cluster.albArnSuffix}/${targetGroup.arnSuffix}`,
        }, args.targetRequestsPerTask ?? 300);
        return scalingTarget;
    }

    /**
     * Scale to zero: the controller Lambda (functions/wakeOnRequest) behind the waker target group,
     * with a role that may act on this dashboard's service, rules and scalable target only, and the
     * idle check that invokes it every few minutes. No VPC: it calls AWS APIs only, so it needs no
     * NAT and has no address. Costs nothing while nobody opens the dashboard but its invocations.
     */
    private createWaker(ctx: ServiceContext, parts: {
        service: aws.ecs.Service; scalingTarget: aws.appautoscaling.Target; appRule: aws.lb.ListenerRule; wakeRule: aws.lb.ListenerRule;
        appTargetGroup: aws.lb.TargetGroup; wakerTargetGroup: aws.lb.TargetGroup;
    }): aws.lambda.Function {
        const { name, args, cluster } = ctx;
        const parent = { parent: this };
        const partition = aws.getPartitionOutput({}, parent).partition;
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-waker-logs`, {
            name: `/dashboards/${ctx.project}-${ctx.stack}/${name}/waker`,
            retentionInDays: args.logRetentionDays ?? 30,
        }, parent);
        const role = new aws.iam.Role(`${name}-waker-role`, {
            description: `Waker of ${name}: its own service, rules and scalable target, its own logs`,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, parent);
        // The service's ARN from its documented form: arn:<partition>:ecs:<region>:<account>:service/<cluster>/<service>
        // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html#ecs-resource-ids
        const serviceArn = pulumi.interpolate`arn:${partition}:ecs:${ctx.region}:${ctx.account}:service/${cluster.clusterName}/${parts.service.name}`;
        const policy = new aws.iam.RolePolicy(`${name}-waker-policy`, {
            role: role.id,
            policy: pulumi.all([partition, ctx.region, ctx.account, cluster.clusterName, cluster.clusterArn, serviceArn, parts.wakeRule.arn, parts.scalingTarget.arn, logGroup.arn])
                .apply(([p, region, account, clusterName, clusterArn, svcArn, wakeRuleArn, targetArn, logGroupArn]) => JSON.stringify(wakeControllerPolicy({
                    partition: p, region, account, clusterName, clusterArn, serviceArn: svcArn, wakeRuleArn, scalableTargetArn: targetArn, logGroupArn,
                }))),
        }, parent);
        const grace = args.healthCheckGracePeriodSeconds ?? ctx.preset.healthCheckGracePeriodSeconds;
        const environment = pulumi.all({
            clusterArn: pulumi.output(cluster.clusterArn), serviceName: parts.service.name, scalableResourceId: parts.scalingTarget.resourceId,
            appRuleArn: parts.appRule.arn, wakeRuleArn: parts.wakeRule.arn, appTargetGroupArn: parts.appTargetGroup.arn,
            wakerTargetGroupArn: parts.wakerTargetGroup.arn, loadBalancerArnSuffix: pulumi.output(cluster.albArnSuffix),
            portalUrl: pulumi.output(args.portalUrl ?? ""),
        }).apply(({ portalUrl, ...resolved }) => wakeControllerEnvironment({
                ...(resolved as Omit<WakeControllerSettings, "awakeMinTasks" | "awakeMaxTasks" | "idleMinutes" | "displayName" | "platformName" | "startTimeoutSeconds" | "portalUrl" | "wakeRuleAsleepPriority" | "wakeRuleAwakePriority">),
                wakeRuleAsleepPriority: args.wakeRuleSlots!.asleep,
                wakeRuleAwakePriority: args.wakeRuleSlots!.awake,
                portalUrl: portalUrl || undefined,
                awakeMinTasks: 1,
                awakeMaxTasks: ctx.maxTasks,
                idleMinutes: args.idleMinutes ?? IDLE_MINUTES.default,
                displayName: args.displayName ?? name,
                platformName: args.platformName ?? "Dashboards",
                // Placing a Fargate task and pulling its image take up to a few minutes, then the app starts and passes two checks.
                startTimeoutSeconds: grace + 240,
            }));
        const fn = new aws.lambda.Function(`${name}-waker`, {
            description: `Starts ${name} on the first request and stops it when idle`,
            runtime: "nodejs22.x",
            architectures: ["arm64"],
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandler("wakeOnRequest")) }),
            role: role.arn,
            // The ALB waits for the answer; the page polls, so one invocation never waits for the start.
            timeout: 10,
            memorySize: 256,
            environment: { variables: environment },
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        }, { ...parent, dependsOn: [policy, logGroup] });
        // A throttled waker leaves a sleeping dashboard's users on an error page instead of its starting page.
        if (ctx.cluster.alarmTopicArn) throttlesAlarm(`${name}-waker-throttles`, fn, `${name}: a sleeping dashboard cannot be opened`, ctx.cluster.alarmTopicArn, parent);
        // Only this dashboard's waker target group may invoke it from the load balancer.
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#register-lambda-function
        const albInvoke = new aws.lambda.Permission(`${name}-waker-invoke`, {
            action: "lambda:InvokeFunction",
            function: fn.name,
            principal: "elasticloadbalancing.amazonaws.com",
            sourceArn: parts.wakerTargetGroup.arn,
        }, parent);
        new aws.lb.TargetGroupAttachment(`${name}-waker-target`, {
            targetGroupArn: parts.wakerTargetGroup.arn,
            targetId: fn.arn,
        }, { ...parent, dependsOn: [albInvoke] });
        // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
        const check = new aws.cloudwatch.EventRule(`${name}-idle-check`, {
            description: `Puts ${name} to sleep after ${args.idleMinutes ?? IDLE_MINUTES.default} minutes without requests`,
            scheduleExpression: `rate(${IDLE_CHECK_MINUTES} minutes)`,
        }, parent);
        const eventsInvoke = new aws.lambda.Permission(`${name}-idle-check-invoke`, {
            action: "lambda:InvokeFunction",
            function: fn.name,
            principal: "events.amazonaws.com",
            sourceArn: check.arn,
        }, parent);
        new aws.cloudwatch.EventTarget(`${name}-idle-check-target`, { rule: check.name, arn: fn.arn }, { ...parent, dependsOn: [eventsInvoke] });
        return fn;
    }

    /** Two scheduled actions: the hours' capacity at start, `tasksOutside` at stop, in the schedule's time zone. */
    private createSchedule(ctx: ServiceContext, schedule: ServiceScheduleArgs, target: aws.appautoscaling.Target): void {
        const days = schedule.days ?? SCHEDULE_DEFAULTS.days;
        const outside = schedule.tasksOutside ?? SCHEDULE_DEFAULTS.tasksOutside;
        const action = (suffix: string, time: string, min: number, max: number) =>
            // https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scheduled-scaling.html
            new aws.appautoscaling.ScheduledAction(`${ctx.name}-${suffix}`, {
                name: `${ctx.name}-${suffix}`,
                serviceNamespace: target.serviceNamespace,
                resourceId: target.resourceId,
                scalableDimension: target.scalableDimension,
                schedule: cronAt(time, days),
                timezone: schedule.timeZone ?? SCHEDULE_DEFAULTS.timeZone,
                scalableTargetAction: { minCapacity: min, maxCapacity: max },
            }, { parent: this });
        action("wake", schedule.start, ctx.minTasks, ctx.maxTasks);
        action("sleep", schedule.stop, outside, outside);
    }

    /** A Route 53 alias to the load balancer for each host under the cluster's domain, when the cluster manages DNS. */
    private createDnsRecords(ctx: ServiceContext, hosts: string[]): aws.route53.Record[] {
        const { name, cluster } = ctx;
        if (!cluster.hostedZoneId) return [];
        return hosts.filter((h) => isInDomain(h, cluster.domain)).map((host, i) => new aws.route53.Record(`${name}-dns-${i}`, {
            zoneId: cluster.hostedZoneId!,
            name: host,
            type: "A",
            // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-elb-load-balancer.html
            aliases: [{ name: cluster.albDnsName, zoneId: cluster.albZoneId, evaluateTargetHealth: true }],
        }, { parent: this }));
    }

    /** Unhealthy-task and server-error alarms on the target group, when the cluster has an alarm topic. */
    private createAlarms(ctx: ServiceContext, targetGroup: aws.lb.TargetGroup): void {
        const { name, cluster } = ctx;
        if (!cluster.alarmTopicArn) return;
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
        const dimensions = { LoadBalancer: pulumi.output(cluster.albArnSuffix), TargetGroup: targetGroup.arnSuffix };
        const alarms = [
            { suffix: "unhealthy", what: "a task behind the load balancer is failing health checks", metricName: "UnHealthyHostCount", statistic: "Maximum", period: 60, evaluationPeriods: 3, threshold: 0 },
            { suffix: "5xx", what: "the app answers with server errors", metricName: "HTTPCode_Target_5XX_Count", statistic: "Sum", period: 300, evaluationPeriods: 1, threshold: 10 },
        ];
        for (const { suffix, what, ...metric } of alarms) {
            new aws.cloudwatch.MetricAlarm(`${name}-${suffix}`, {
                alarmDescription: `${name}: ${what}`,
                namespace: "AWS/ApplicationELB",
                dimensions,
                ...metric,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [cluster.alarmTopicArn],
                okActions: [cluster.alarmTopicArn],
            }, { parent: this });
        }
    }
}
