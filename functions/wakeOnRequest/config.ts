/**
 * The controller's settings, read from its environment and checked all at once: one bad value
 * means no setting is used (no AWS call is made), and the error names every problem.
 * The infrastructure (components/) writes these variables; a mismatch between them (a target group
 * of another load balancer, a scalable resource id of another service) is a configuration bug
 * caught here rather than an API call against the wrong resource.
 */

/** Environment variable names (the contract with the component that deploys this function). */
export const ENV = {
    clusterArn: "CLUSTER_ARN",
    serviceName: "SERVICE_NAME",
    scalableResourceId: "SCALABLE_RESOURCE_ID",
    appRuleArn: "APP_RULE_ARN",
    wakeRuleArn: "WAKE_RULE_ARN",
    wakeRuleAsleepPriority: "WAKE_RULE_ASLEEP_PRIORITY",
    wakeRuleAwakePriority: "WAKE_RULE_AWAKE_PRIORITY",
    appTargetGroupArn: "APP_TARGET_GROUP_ARN",
    wakerTargetGroupArn: "WAKER_TARGET_GROUP_ARN",
    loadBalancerArnSuffix: "LOAD_BALANCER_ARN_SUFFIX",
    awakeMinTasks: "AWAKE_MIN_TASKS",
    awakeMaxTasks: "AWAKE_MAX_TASKS",
    idleMinutes: "IDLE_MINUTES",
    displayName: "DISPLAY_NAME",
    platformName: "PLATFORM_NAME",
    portalUrl: "PORTAL_URL",
    startTimeoutSeconds: "START_TIMEOUT_SECONDS",
} as const;

/** Bounds of the numeric settings. */
export const LIMITS = {
    /** Tasks when awake: a sane ceiling, far above what one dashboard needs. */
    maxTasks: 1000,
    idleMinutes: { min: 10, max: 1440 },
    startTimeoutSeconds: { min: 30, max: 3600 },
    // Listener rule priorities are 1 to 50000: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RulePriorityPair.html
    rulePriority: { min: 1, max: 50000 },
    /** Longest display or platform name (the page stays small; names are shown in a heading). */
    nameLength: 200,
} as const;

/** The validated settings. */
export interface WakeConfig {
    region: string;
    account: string;
    clusterArn: string;
    clusterName: string;
    serviceName: string;
    /** `service/<cluster>/<service>`, the Application Auto Scaling resource id. */
    scalableResourceId: string;
    /** The dashboard's own rule (forward to the app): read only, its priority is Pulumi's. */
    appRuleArn: string;
    /** The waker's rule (forward to the waker): the only thing this controller moves. */
    wakeRuleArn: string;
    /** The wake rule's priority while asleep: below the app rule's, so the wake rule wins. */
    wakeRuleAsleepPriority: number;
    /** The wake rule's priority while awake: above the app rule's, so the app rule wins. */
    wakeRuleAwakePriority: number;
    appTargetGroupArn: string;
    wakerTargetGroupArn: string;
    /** `app/<name>/<id>`: the `LoadBalancer` dimension of the ALB's CloudWatch metrics. */
    loadBalancerDimension: string;
    /** `targetgroup/<name>/<id>` of each target group: their `TargetGroup` metric dimension. */
    appTargetGroupDimension: string;
    wakerTargetGroupDimension: string;
    awakeMinTasks: number;
    awakeMaxTasks: number;
    idleMinutes: number;
    displayName: string;
    platformName: string;
    portalUrl?: string;
    startTimeoutSeconds: number;
}

/** At least one setting is missing or invalid; `problems` lists each. */
export class ConfigError extends Error {
    override name = "ConfigError";
    constructor(readonly problems: string[]) {
        super(`invalid configuration: ${problems.join("; ")}`);
    }
}

const PARTITION = "aws(?:-[a-z]+)*";
const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d";
const ACCOUNT = "\\d{12}";
// ECS cluster and service names: letters, digits, hyphens, underscores, up to 255: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
const ECS_NAME = "[A-Za-z0-9_-]{1,255}";
// Load balancer and target group names: up to 32 alphanumerics and hyphens: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
const ELB_NAME = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?";
const HEX_ID = "[0-9a-f]{1,32}";

const CLUSTER_ARN = new RegExp(`^arn:${PARTITION}:ecs:(${REGION}):(${ACCOUNT}):cluster/(${ECS_NAME})$`);
const SERVICE_NAME = new RegExp(`^${ECS_NAME}$`);
const TARGET_GROUP_ARN = new RegExp(`^arn:${PARTITION}:elasticloadbalancing:(${REGION}):(${ACCOUNT}):(targetgroup/${ELB_NAME}/${HEX_ID})$`);
// Groups: region, account, load balancer suffix, listener id.
const RULE_ARN = new RegExp(`^arn:${PARTITION}:elasticloadbalancing:(${REGION}):(${ACCOUNT}):listener-rule/(app/${ELB_NAME}/${HEX_ID})/(${HEX_ID})/${HEX_ID}$`);
const LOAD_BALANCER_SUFFIX = new RegExp(`^app/${ELB_NAME}/${HEX_ID}$`);
// C0 and C1 control characters, and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Reads and validates every setting.
 *
 * @param env The environment (`process.env` in Lambda).
 * @throws ConfigError listing every missing or invalid variable, and every inconsistency between them.
 */
export function readConfig(env: Record<string, string | undefined>): WakeConfig {
    const problems: string[] = [];
    const text = (name: string): string => {
        const value = env[name]?.trim() ?? "";
        if (value === "") problems.push(`${name} is not set`);
        return value;
    };
    const matching = (name: string, pattern: RegExp, what: string): RegExpMatchArray | undefined => {
        const value = text(name);
        if (value === "") return undefined;
        const match = pattern.exec(value);
        if (!match) problems.push(`${name} must be ${what}, got ${JSON.stringify(value.slice(0, 200))}`);
        return match ?? undefined;
    };
    const integer = (name: string, min: number, max: number): number => {
        const value = text(name);
        if (value === "") return NaN;
        const n = /^\d{1,7}$/.test(value) ? Number(value) : NaN;
        if (!(n >= min && n <= max)) problems.push(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value.slice(0, 40))}`);
        return n;
    };
    const name = (variable: string): string => {
        const value = text(variable);
        if (value.length > LIMITS.nameLength) problems.push(`${variable} is longer than ${LIMITS.nameLength} characters`);
        if (CONTROL.test(value)) problems.push(`${variable} contains a control character`);
        return value;
    };

    const cluster = matching(ENV.clusterArn, CLUSTER_ARN, "an ECS cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>)");
    const serviceName = matching(ENV.serviceName, SERVICE_NAME, "an ECS service name")?.[0] ?? "";
    const scalableResourceId = text(ENV.scalableResourceId);
    const appRule = matching(ENV.appRuleArn, RULE_ARN, "an ALB listener rule ARN");
    const wakeRule = matching(ENV.wakeRuleArn, RULE_ARN, "an ALB listener rule ARN");
    const { min: pMin, max: pMax } = LIMITS.rulePriority;
    const asleepPriority = integer(ENV.wakeRuleAsleepPriority, pMin, pMax);
    const awakePriority = integer(ENV.wakeRuleAwakePriority, pMin, pMax);
    const appTg = matching(ENV.appTargetGroupArn, TARGET_GROUP_ARN, "a target group ARN");
    const wakerTg = matching(ENV.wakerTargetGroupArn, TARGET_GROUP_ARN, "a target group ARN");
    const lbSuffix = matching(ENV.loadBalancerArnSuffix, LOAD_BALANCER_SUFFIX, "a load balancer ARN suffix (app/<name>/<id>)")?.[0];
    const awakeMinTasks = integer(ENV.awakeMinTasks, 1, LIMITS.maxTasks);
    const awakeMaxTasks = integer(ENV.awakeMaxTasks, 1, LIMITS.maxTasks);
    const idleMinutes = integer(ENV.idleMinutes, LIMITS.idleMinutes.min, LIMITS.idleMinutes.max);
    const startTimeoutSeconds = integer(ENV.startTimeoutSeconds, LIMITS.startTimeoutSeconds.min, LIMITS.startTimeoutSeconds.max);
    const displayName = name(ENV.displayName);
    const platformName = name(ENV.platformName);
    const portalUrl = readPortalUrl(env[ENV.portalUrl], problems);

    if (awakeMaxTasks < awakeMinTasks) problems.push(`${ENV.awakeMaxTasks} ${awakeMaxTasks} is less than ${ENV.awakeMinTasks} ${awakeMinTasks}`);
    if (cluster && serviceName && scalableResourceId !== "" && scalableResourceId !== `service/${cluster[3]}/${serviceName}`) {
        problems.push(`${ENV.scalableResourceId} must be service/${cluster[3]}/${serviceName} (from ${ENV.clusterArn} and ${ENV.serviceName}), got ${JSON.stringify(scalableResourceId.slice(0, 300))}`);
    }
    if (appTg && wakerTg && appTg[0] === wakerTg[0]) problems.push(`${ENV.appTargetGroupArn} and ${ENV.wakerTargetGroupArn} are the same target group`);
    for (const [variable, rule] of [[ENV.appRuleArn, appRule], [ENV.wakeRuleArn, wakeRule]] as const) {
        if (rule && lbSuffix && rule[3] !== lbSuffix) problems.push(`${variable} belongs to load balancer ${rule[3]}, not ${ENV.loadBalancerArnSuffix} ${lbSuffix}`);
    }
    if (appRule && wakeRule) {
        if (appRule[0] === wakeRule[0]) problems.push(`${ENV.appRuleArn} and ${ENV.wakeRuleArn} are the same rule`);
        // Priorities order the rules of one listener only.
        else if (appRule[3] !== wakeRule[3] || appRule[4] !== wakeRule[4]) problems.push(`${ENV.appRuleArn} and ${ENV.wakeRuleArn} are not rules of the same listener`);
    }
    if (asleepPriority >= awakePriority) {
        problems.push(`${ENV.wakeRuleAsleepPriority} ${asleepPriority} must be less than ${ENV.wakeRuleAwakePriority} ${awakePriority} (the lower number wins: asleep, the wake rule must win)`);
    }
    const places = [cluster, appRule, wakeRule, appTg, wakerTg].filter((m): m is RegExpMatchArray => m !== undefined);
    if (new Set(places.map((m) => `${m[1]}:${m[2]}`)).size > 1) problems.push("the ARNs are not all in one region and account");

    if (problems.length > 0 || !cluster || !appRule || !wakeRule || !appTg || !wakerTg || !lbSuffix) throw new ConfigError(problems);
    return {
        region: cluster[1],
        account: cluster[2],
        clusterArn: cluster[0],
        clusterName: cluster[3],
        serviceName,
        scalableResourceId,
        appRuleArn: appRule[0],
        wakeRuleArn: wakeRule[0],
        wakeRuleAsleepPriority: asleepPriority,
        wakeRuleAwakePriority: awakePriority,
        appTargetGroupArn: appTg[0],
        wakerTargetGroupArn: wakerTg[0],
        loadBalancerDimension: lbSuffix,
        appTargetGroupDimension: appTg[3],
        wakerTargetGroupDimension: wakerTg[3],
        awakeMinTasks,
        awakeMaxTasks,
        idleMinutes,
        displayName,
        platformName,
        portalUrl,
        startTimeoutSeconds,
    };
}

/** `PORTAL_URL` is optional; when set it must be an absolute http(s) URL (it becomes a link's href). */
function readPortalUrl(raw: string | undefined, problems: string[]): string | undefined {
    const value = raw?.trim() ?? "";
    if (value === "") return undefined;
    let url: URL | undefined;
    try {
        url = new URL(value);
    } catch {
        url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.username !== "" || url.password !== "" || CONTROL.test(value)) {
        problems.push(`${ENV.portalUrl} must be an absolute https:// (or http://) URL without credentials, got ${JSON.stringify(value.slice(0, 200))}`);
        return undefined;
    }
    return url.href;
}
