/**
 * The project's security and reliability rules as pure functions over plain resource
 * descriptions. Nothing here imports Pulumi: the same rules run
 *   - inside the policy pack (`index.ts` / `pack.ts`) under `pulumi preview|up --policy-pack policy`, and
 *   - offline over the mocked plan (`offline.ts`) in `npm test`.
 *
 * A resource rule looks at one resource; a stack rule looks at all of them and follows references
 * between resources through `refs` (see `ResourceDescription.refs`).
 */

/** A value Pulumi does not know yet (during preview). Stack rules treat it as "cannot tell", never as a violation. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export const isUnknown = (v: unknown): boolean => v === UNKNOWN;

/** One resource as the rules see it. */
export interface ResourceDescription {
    /** Pulumi type token, e.g. `aws:lb/listener:Listener`. */
    type: string;
    /** Logical (Pulumi) name. */
    name: string;
    urn?: string;
    /** Resource inputs (resource rules) or state (stack rules under the CLI). */
    props: Record<string, any>;
    /** Resource options that matter to the rules. */
    options?: { protect?: boolean; retainOnDelete?: boolean };
    /**
     * For each top-level property, the URNs of the resources its value came from. Under the CLI this
     * is Pulumi's `propertyDependencies` (known even when the value itself is not); offline it is
     * found by matching values against other resources' ids and ARNs.
     */
    refs?: Record<string, string[]>;
}

/** Settings shared by every rule: where the rules run. */
export interface RuleEnv {
    /** Stack name (from the URN under the CLI, from the plan offline). */
    stack?: string;
}

export interface Violation {
    ruleId: string;
    message: string;
    /** What to change; the same for every violation of a rule. */
    remediation: string;
    /** The resource at fault (undefined: the stack as a whole). */
    urn?: string;
    resourceName?: string;
}

export type EnforcementLevel = "advisory" | "mandatory";
export type Severity = "low" | "medium" | "high" | "critical";

/** A JSON-schema fragment for one config property (what `@pulumi/policy` accepts in `configSchema`). */
export interface ConfigProperty {
    type: "boolean" | "string" | "integer" | "array";
    description: string;
    items?: { type: "string" | "integer" };
    minimum?: number;
    default?: unknown;
}

interface RuleBase<C> {
    id: string;
    description: string;
    remediation: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    /** Policy config (set per rule with `--policy-pack-config`), with its defaults. */
    config?: { schema: Record<string, ConfigProperty>; defaults: C };
}

export interface ResourceRule<C = Record<string, never>> extends RuleBase<C> {
    kind: "resource";
    /** Types this rule applies to. */
    types: string[];
    /** Messages, one per problem; empty when compliant. */
    check(resource: ResourceDescription, config: C, env: RuleEnv): string[];
}

export interface StackFinding {
    message: string;
    /** The resource at fault. */
    resource?: ResourceDescription;
}

export interface StackRule<C = Record<string, never>> extends RuleBase<C> {
    kind: "stack";
    check(resources: ResourceDescription[], config: C, env: RuleEnv): StackFinding[];
}

export type Rule = ResourceRule<any> | StackRule<any>;

// --- Types (the `aws.alb` module registers the same resources under its own tokens) -----------------

const T = {
    loadBalancer: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
    listener: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
    listenerRule: ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"],
    targetGroup: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
    securityGroup: ["aws:ec2/securityGroup:SecurityGroup"],
    ingressRule: ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"],
    legacySgRule: ["aws:ec2/securityGroupRule:SecurityGroupRule"],
    ecsService: ["aws:ecs/service:Service"],
    taskDefinition: ["aws:ecs/taskDefinition:TaskDefinition"],
    ecrRepository: ["aws:ecr/repository:Repository"],
    logGroup: ["aws:cloudwatch/logGroup:LogGroup"],
    userPool: ["aws:cognito/userPool:UserPool"],
    role: ["aws:iam/role:Role"],
    iamPolicyDocs: ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"],
    bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    awsxVpc: ["awsx:ec2:Vpc"],
    natGateway: ["aws:ec2/natGateway:NatGateway"],
} as const;

export const RESOURCE_TYPES = T;

const is = (r: ResourceDescription, types: readonly string[]) => types.includes(r.type);
const q = (v: unknown) => (typeof v === "string" ? `"${v}"` : String(v));

// --- Helpers for stack rules ------------------------------------------------------------------------

/** URNs the value of `prop` refers to. */
export function refsOf(r: ResourceDescription, prop: string): string[] {
    return r.refs?.[prop] ?? [];
}

/** Resources of `types` that `r`'s property `prop` refers to. */
function referenced(r: ResourceDescription, prop: string, all: ResourceDescription[], types: readonly string[]): ResourceDescription[] {
    const urns = new Set(refsOf(r, prop));
    return all.filter((x) => x.urn !== undefined && urns.has(x.urn) && is(x, types));
}

const refersTo = (r: ResourceDescription, prop: string, target: ResourceDescription) =>
    target.urn !== undefined && refsOf(r, prop).includes(target.urn);

/** Action order as AWS applies it: explicit `order`, else position (1-based). */
function ordered(actions: any[]): { type: string; order: number; action: any }[] {
    return actions.map((a, i) => ({ type: String(a?.type ?? ""), order: typeof a?.order === "number" ? a.order : i + 1, action: a }));
}

const isForward = (a: any) => a?.type === "forward";
const AUTHENTICATE = ["authenticate-oidc", "authenticate-cognito"];

// --- Rules --------------------------------------------------------------------------------------------

/**
 * Modern ALB TLS policies: TLS 1.3 (with or without a TLS 1.2 fallback) and the forward-secret
 * TLS 1.2 family. `ELBSecurityPolicy-TLS13-1-0-*`/`-1-1-*` still accept TLS 1.0/1.1 and are excluded.
 */
export const MODERN_SSL_POLICY_PATTERNS = [/^ELBSecurityPolicy-TLS13-1-[23]-/, /^ELBSecurityPolicy-FS-1-2-/];

export const httpsListenerModernTls: ResourceRule<{ allowedSslPolicies: string[] }> = {
    kind: "resource",
    id: "alb-https-listener-modern-tls",
    description: "HTTPS listeners use a TLS 1.2+/1.3 security policy (ELBSecurityPolicy-TLS13-1-2-*, -TLS13-1-3-*, -FS-1-2-*).",
    remediation: "Set the listener's sslPolicy to ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 (DashboardCluster's default) or another TLS13-1-2/TLS13-1-3/FS-1-2 policy.",
    enforcementLevel: "mandatory",
    severity: "high",
    types: [...T.listener],
    config: {
        schema: {
            allowedSslPolicies: { type: "array", items: { type: "string" }, description: "Extra policy names to accept besides the TLS13-1-2/TLS13-1-3/FS-1-2 families." },
        },
        defaults: { allowedSslPolicies: [] },
    },
    check(r, config) {
        if (r.props.protocol !== "HTTPS") return [];
        const policy = r.props.sslPolicy;
        if (typeof policy !== "string") {
            return [`HTTPS listener "${r.name}" sets no sslPolicy, so AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0 and 1.1.`];
        }
        const ok = MODERN_SSL_POLICY_PATTERNS.some((p) => p.test(policy)) || config.allowedSslPolicies.includes(policy);
        return ok ? [] : [`HTTPS listener "${r.name}" uses TLS policy "${policy}", which is not a TLS 1.2+/1.3 policy on the allow-list.`];
    },
};

export const httpListenerRedirects: ResourceRule = {
    kind: "resource",
    id: "alb-http-listener-redirects-to-https",
    description: "Plain-HTTP listeners only redirect to HTTPS.",
    remediation: "Give the HTTP listener a single default action { type: \"redirect\", redirect: { protocol: \"HTTPS\", port: \"443\", statusCode: \"HTTP_301\" } }.",
    enforcementLevel: "mandatory",
    severity: "high",
    types: [...T.listener],
    check(r) {
        if (r.props.protocol !== "HTTP") return [];
        const actions: any[] = r.props.defaultActions ?? [];
        if (actions.length === 0) return [`HTTP listener "${r.name}" has no default action; it must redirect to HTTPS.`];
        return actions
            .filter((a) => a?.type !== "redirect" || a?.redirect?.protocol !== "HTTPS")
            .map((a) => `HTTP listener "${r.name}" has a default action of type ${q(a?.type)}${a?.type === "redirect" ? ` to protocol ${q(a?.redirect?.protocol)}` : ""}; it may only redirect to HTTPS.`);
    },
};

export const listenerDefaultNeverForwards: ResourceRule = {
    kind: "resource",
    id: "alb-listener-default-never-forwards",
    description: "Listener default actions never forward: a request that matches no authenticated host rule must not reach a dashboard.",
    remediation: "Use a fixed-response (404) default action on HTTPS listeners and a redirect on HTTP listeners; forward only from host rules that authenticate first.",
    enforcementLevel: "mandatory",
    severity: "critical",
    types: [...T.listener],
    check(r) {
        const actions: any[] = r.props.defaultActions ?? [];
        return actions.some(isForward) ? [`Listener "${r.name}" forwards by default, bypassing login for any host without a rule.`] : [];
    },
};

/**
 * The platform's sign-out rule (components/signOut.ts): forwards without a login, on purpose (a
 * user whose session ended must be able to sign out), to a function that only expires cookies and
 * redirects from its own table. Exactly that: declared by a SignOut component, one condition (the
 * path `/_dashboards/sign-out`, no host or other pattern), one action (the forward).
 */
export const SIGN_OUT_PATH = "/_dashboards/sign-out";
function isPlatformSignOutRule(r: ResourceDescription): boolean {
    const conditions: any[] = r.props.conditions ?? [];
    const actions: any[] = r.props.actions ?? [];
    // The type chain of the URN: ...$dashboards:index:SignOut$aws:lb/listenerRule:ListenerRule.
    const typeChain = r.urn?.split("::")[2] ?? "";
    const declaredBySignOut = typeChain.endsWith("dashboards:index:SignOut$aws:lb/listenerRule:ListenerRule");
    return declaredBySignOut
        && conditions.length === 1 && Object.keys(conditions[0] ?? {}).length === 1
        && JSON.stringify(conditions[0].pathPattern?.values) === JSON.stringify([SIGN_OUT_PATH])
        && actions.length === 1 && isForward(actions[0]);
}

export const ruleAuthenticatesBeforeForward: ResourceRule = {
    kind: "resource",
    id: "alb-rule-authenticates-before-forward",
    description: "Every listener rule that forwards has an authenticate-oidc/authenticate-cognito action with a lower order that does not let unauthenticated requests through (the platform's sign-out rule alone excepted: the path /_dashboards/sign-out, to its function).",
    remediation: "Put the CognitoAuth authenticate action first (order 1, onUnauthenticatedRequest \"authenticate\") and the forward after it (order 2), as DashboardService does.",
    enforcementLevel: "mandatory",
    severity: "critical",
    types: [...T.listenerRule],
    check(r) {
        const actions = ordered(r.props.actions ?? []);
        const forwards = actions.filter((a) => a.type === "forward");
        if (forwards.length === 0 || isPlatformSignOutRule(r)) return [];
        const problems: string[] = [];
        const firstForward = Math.min(...forwards.map((a) => a.order));
        const auth = actions.filter((a) => AUTHENTICATE.includes(a.type) && a.order < firstForward);
        if (auth.length === 0) {
            problems.push(`Listener rule "${r.name}" forwards (order ${firstForward}) without an authenticate action before it.`);
        }
        for (const a of auth) {
            const config = a.action.authenticateOidc ?? a.action.authenticateCognito ?? {};
            if (config.onUnauthenticatedRequest === "allow") {
                problems.push(`Listener rule "${r.name}" authenticates with onUnauthenticatedRequest "allow", which forwards users who are not logged in.`);
            }
        }
        return problems;
    },
};

export const albDropsInvalidHeaders: ResourceRule = {
    kind: "resource",
    id: "alb-drops-invalid-header-fields",
    description: "Application load balancers drop HTTP header fields with invalid characters (request-smuggling guard).",
    remediation: "Set dropInvalidHeaderFields: true on the load balancer.",
    enforcementLevel: "mandatory",
    severity: "medium",
    types: [...T.loadBalancer],
    check(r) {
        if ((r.props.loadBalancerType ?? "application") !== "application") return [];
        return r.props.dropInvalidHeaderFields === true ? [] : [`Load balancer "${r.name}" does not drop invalid header fields (dropInvalidHeaderFields is ${q(r.props.dropInvalidHeaderFields)}).`];
    },
};

export const ecrScanOnPush: ResourceRule = {
    kind: "resource",
    id: "ecr-scan-on-push",
    description: "ECR repositories scan every pushed image for vulnerabilities.",
    remediation: "Set imageScanningConfiguration: { scanOnPush: true } on the repository.",
    enforcementLevel: "mandatory",
    severity: "medium",
    types: [...T.ecrRepository],
    check(r) {
        return r.props.imageScanningConfiguration?.scanOnPush === true ? [] : [`ECR repository "${r.name}" does not scan images on push.`];
    },
};

export const logRetentionSet: ResourceRule = {
    kind: "resource",
    id: "log-group-retention-set",
    description: "CloudWatch log groups have a retention period (logs are neither kept, nor paid for, forever).",
    remediation: "Set retentionInDays on the log group (dashboards: defaults.logRetentionDays or the dashboard's logRetentionDays).",
    enforcementLevel: "mandatory",
    severity: "low",
    types: [...T.logGroup],
    check(r) {
        const days = r.props.retentionInDays;
        return typeof days === "number" && days > 0 ? [] : [`Log group "${r.name}" keeps its logs forever (retentionInDays is ${q(days)}).`];
    },
};

export const cognitoPasswordPolicy: ResourceRule<{ minimumLength: number }> = {
    kind: "resource",
    id: "cognito-password-policy",
    description: "Cognito user pools require long passwords with lower and upper case letters, digits and symbols.",
    remediation: "Set passwordPolicy { minimumLength >= 12, requireLowercase, requireUppercase, requireNumbers, requireSymbols: true } (dashboards: auth.passwordMinimumLength).",
    enforcementLevel: "mandatory",
    severity: "high",
    types: [...T.userPool],
    config: {
        schema: { minimumLength: { type: "integer", minimum: 8, default: 12, description: "Shortest password length accepted." } },
        defaults: { minimumLength: 12 },
    },
    check(r, config) {
        const p = r.props.passwordPolicy ?? {};
        const problems: string[] = [];
        const length = p.minimumLength ?? 8; // Cognito's default
        if (!(length >= config.minimumLength)) problems.push(`User pool "${r.name}" accepts passwords of ${length} characters; at least ${config.minimumLength} are required.`);
        const classes = ["requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"].filter((k) => p[k] !== true);
        if (classes.length > 0) problems.push(`User pool "${r.name}" does not set ${classes.join(", ")} in its password policy.`);
        return problems;
    },
};

/** Whether a stack is prod-like: explicit policy config wins, else the stack name is matched. */
export function isProdLike(config: { prodLike?: boolean; prodStackPattern: string }, env: RuleEnv): boolean {
    if (typeof config.prodLike === "boolean") return config.prodLike;
    return env.stack !== undefined && new RegExp(config.prodStackPattern, "i").test(env.stack);
}

export const cognitoProdProtection: ResourceRule<{ prodLike?: boolean; prodStackPattern: string }> = {
    kind: "resource",
    id: "cognito-prod-protection",
    description: "In prod-like stacks the user pool has Cognito deletion protection, Pulumi protect, and requires MFA.",
    remediation: "In the stack file set auth.deletionProtection: true and auth.mfa: required (CognitoAuth then sets deletionProtection ACTIVE, protect and mfaConfiguration ON).",
    enforcementLevel: "mandatory",
    severity: "high",
    types: [...T.userPool],
    config: {
        schema: {
            prodLike: { type: "boolean", description: "Treat this stack as production. When unset, prodStackPattern decides from the stack name." },
            prodStackPattern: { type: "string", default: "prod", description: "Case-insensitive regular expression; stacks whose name matches are prod-like when prodLike is unset." },
        },
        defaults: { prodStackPattern: "prod" },
    },
    check(r, config, env) {
        if (!isProdLike(config, env)) return [];
        const problems: string[] = [];
        if (r.props.deletionProtection !== "ACTIVE") problems.push(`User pool "${r.name}" has deletionProtection ${q(r.props.deletionProtection)} in prod-like stack ${q(env.stack)}; it must be "ACTIVE".`);
        if (r.props.mfaConfiguration !== "ON") problems.push(`User pool "${r.name}" has mfaConfiguration ${q(r.props.mfaConfiguration)} in prod-like stack ${q(env.stack)}; it must be "ON".`);
        if (r.options && r.options.protect !== true) problems.push(`User pool "${r.name}" is not protected by Pulumi (protect: true) in prod-like stack ${q(env.stack)}.`);
        return problems;
    },
};

/**
 * Read-only actions with no resource-level permissions, which therefore need `Resource: "*"`:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export const WILDCARD_RESOURCE_ACTIONS = ["ecr:GetAuthorizationToken", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetHealth", "cloudwatch:GetMetricData"];
/**
 * Actions allowed on `Resource: "*"` only with the condition key that scopes them, as AWS's own
 * examples do (ListTasks of one cluster: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security_iam_id-based-policy-examples.html).
 */
export const CONDITIONED_WILDCARD_ACTIONS: Record<string, string> = { "ecs:ListTasks": "ecs:cluster" };

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const iamNoWildcardResource: ResourceRule<{ allowedWildcardActions: string[] }> = {
    kind: "resource",
    id: "iam-no-wildcard-resource",
    description: "IAM policies grant actions on named resources: no Action \"*\" and no Resource \"*\" except for read-only actions without resource-level permissions (ecr:GetAuthorizationToken, ELB Describe*, cloudwatch:GetMetricData) and ecs:ListTasks scoped by its ecs:cluster condition.",
    remediation: "Scope each Allow statement to the ARNs it needs (the dashboard's own repository, log group, parameters); keep Resource \"*\" only for ecr:GetAuthorizationToken, ELB Describe*, cloudwatch:GetMetricData, and ecs:ListTasks with an ecs:cluster condition.",
    enforcementLevel: "mandatory",
    severity: "high",
    types: [...T.iamPolicyDocs],
    config: {
        schema: { allowedWildcardActions: { type: "array", items: { type: "string" }, description: "Actions that may use Resource \"*\"." } },
        defaults: { allowedWildcardActions: WILDCARD_RESOURCE_ACTIONS },
    },
    check(r, config) {
        let doc = r.props.policy;
        if (typeof doc === "string") {
            try {
                doc = JSON.parse(doc);
            } catch {
                return [`Policy "${r.name}" is not valid JSON.`];
            }
        }
        if (!doc || typeof doc !== "object") return [];
        const problems: string[] = [];
        asList(doc.Statement).forEach((s: any, i) => {
            if (s?.Effect !== "Allow") return;
            const label = `Policy "${r.name}" statement ${s.Sid ? q(s.Sid) : i}`;
            const actions = asList(s.Action).map(String);
            if (actions.some((a) => a === "*") || s.NotAction !== undefined) problems.push(`${label} allows every action.`);
            if (s.NotResource !== undefined) problems.push(`${label} uses NotResource, which grants everything else.`);
            if (asList(s.Resource).some((res) => res === "*")) {
                const conditionKeys = new Set(Object.values(s.Condition && typeof s.Condition === "object" ? s.Condition : {})
                    .flatMap((c) => (c && typeof c === "object" ? Object.keys(c) : [])));
                const scoped = (a: string) => CONDITIONED_WILDCARD_ACTIONS[a] !== undefined && conditionKeys.has(CONDITIONED_WILDCARD_ACTIONS[a]);
                const extra = actions.filter((a) => !config.allowedWildcardActions.includes(a) && !scoped(a));
                if (extra.length > 0) problems.push(`${label} allows ${extra.join(", ")} on Resource "*".`);
            }
        });
        return problems;
    },
};

/** Actions that read a secret's or a parameter's value (what a task execution role uses for `secrets`). */
// GetParameterHistory returns past values, decrypted on request: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameterHistory.html
export const SECRET_READ_ACTIONS = ["secretsmanager:GetSecretValue", "ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath", "ssm:GetParameterHistory"];

/** Whether an IAM action pattern (`*` and `?` wildcards, case-insensitive) covers `action`. */
function actionCovers(pattern: string, action: string): boolean {
    const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${regex}$`, "i").test(action);
}

/**
 * Whether a resource ARN matches more than one thing by wildcard. A Secrets Manager ARN may end in
 * `-??????` (the secret's 6 random characters): that matches one secret name and nothing else.
 */
function isWildcardResource(resource: string): boolean {
    const exact = /^arn:[^:]+:secretsmanager:[^:*?]+:[^:*?]+:secret:[^*?]+-\?{6}$/.test(resource) ? resource.slice(0, -6) : resource;
    return /[*?]/.test(exact);
}

/** An IAM policy document given as JSON text or as an object; undefined when it is neither (or unknown). */
function policyDocument(policy: unknown): any {
    if (typeof policy !== "string") return policy && typeof policy === "object" ? policy : undefined;
    try {
        return JSON.parse(policy);
    } catch {
        return undefined;
    }
}

/**
 * The one wildcard read allowed: the login check's trigger reading its own access map. The
 * statement must be in a CognitoAuth's role policy, grant ssm:GetParameters alone, and name
 * `parameter/<project>/<stack>/<component>/access/*`: the path holds one non-secret entry per app
 * client, no stack-file value names or widens it, and exact ARNs for 500 clients would not fit a
 * role policy (10,240 characters).
 */
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
function isOwnAccessMapRead(r: ResourceDescription, statement: any): boolean {
    const typeChain = r.urn?.split("::")[2] ?? "";
    if (!typeChain.endsWith("dashboards:index:CognitoAuth$aws:iam/rolePolicy:RolePolicy")) return false;
    const actions = asList(statement.Action);
    const resources = asList(statement.Resource);
    const ownPath = /^arn:[^:*?]+:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/access\/\*$/;
    return statement.NotResource === undefined && actions.length === 1 && actions[0] === "ssm:GetParameters" &&
        resources.length > 0 && resources.every((res) => typeof res === "string" && ownPath.test(res));
}

export const iamNoWildcardSecretRead: ResourceRule = {
    kind: "resource",
    id: "iam-no-wildcard-secret-read",
    description: "No IAM policy (a task execution role's above all) reads secrets or SSM parameters by wildcard: secretsmanager:GetSecretValue and ssm:GetParameter(s) only on exact ARNs. The one exception is the login check reading its own access map (a CognitoAuth role policy, ssm:GetParameters alone, on <project>/<stack>/<component>/access/*).",
    remediation: "Grant secretsmanager:GetSecretValue on each secret's full ARN (name plus -<6 random characters>, or the -?????? pattern) and ssm:GetParameters on each parameter's ARN; never a partial ARN with *, a path with *, or \"*\".",
    enforcementLevel: "mandatory",
    severity: "critical",
    types: [...T.iamPolicyDocs, ...T.role],
    check(r) {
        const documents: { label: string; doc: any }[] = is(r, T.role)
            ? asList(r.props.inlinePolicies).map((p: any, i) => ({ label: `Role "${r.name}" inline policy ${q(p?.name ?? i)}`, doc: policyDocument(p?.policy) }))
            : [{ label: `Policy "${r.name}"`, doc: policyDocument(r.props.policy) }];
        const problems: string[] = [];
        for (const { label, doc } of documents) {
            asList(doc?.Statement).forEach((s: any, i) => {
                if (s?.Effect !== "Allow" || isOwnAccessMapRead(r, s)) return;
                const granted = (patterns: unknown) => SECRET_READ_ACTIONS.filter((a) => asList(patterns).some((p) => typeof p === "string" && actionCovers(p, a)));
                const reads = s.NotAction !== undefined
                    ? SECRET_READ_ACTIONS.filter((a) => !granted(s.NotAction).includes(a))
                    : granted(s.Action);
                if (reads.length === 0) return;
                const at = `${label} statement ${s.Sid ? q(s.Sid) : i} lets ${reads.join(", ")} read`;
                if (s.NotResource !== undefined) {
                    problems.push(`${at} everything but its NotResource.`);
                    return;
                }
                const wild = asList(s.Resource).filter((res): res is string => typeof res === "string" && isWildcardResource(res));
                if (wild.length > 0) problems.push(`${at} by wildcard: ${wild.map(q).join(", ")}.`);
            });
        }
        return problems;
    },
};

export const ecsCircuitBreaker: ResourceRule = {
    kind: "resource",
    id: "ecs-deployment-circuit-breaker",
    description: "ECS services roll back a deployment whose tasks never become healthy.",
    remediation: "Set deploymentCircuitBreaker: { enable: true, rollback: true } on the service.",
    enforcementLevel: "mandatory",
    severity: "medium",
    types: [...T.ecsService],
    check(r) {
        const cb = r.props.deploymentCircuitBreaker;
        return cb?.enable === true && cb?.rollback === true ? [] : [`ECS service "${r.name}" has no deployment circuit breaker with rollback.`];
    },
};

/**
 * The container definitions of a task definition (a JSON string in the resource's inputs), or
 * undefined when they are not known yet (a preview) or not a JSON list of objects.
 */
function containersOf(r: ResourceDescription): Record<string, unknown>[] | undefined {
    const raw = r.props.containerDefinitions;
    if (typeof raw !== "string" || isUnknown(raw)) return undefined;
    try {
        const parsed: unknown = JSON.parse(raw);
        return Array.isArray(parsed) && parsed.every((c) => typeof c === "object" && c !== null && !Array.isArray(c)) ? parsed : undefined;
    } catch {
        return undefined;
    }
}

export const ecsReadOnlyRoot: ResourceRule = {
    kind: "resource",
    id: "ecs-read-only-root-filesystem",
    description: "Every container of a task definition runs with a read-only root file system (AWS Security Hub ECS.5), so code an attacker runs in it cannot change the app or the system, or leave files behind.",
    remediation: "Declare the folders the app writes with VOLUME in its Dockerfile (/tmp at least) and set readonlyRootFilesystem (a dashboard whose built stage declares VOLUME /tmp gets it by default; writablePaths lists further folders).",
    // Advisory: a third-party image may need writes the platform cannot see; raise it to mandatory once every dashboard complies.
    enforcementLevel: "advisory",
    severity: "medium",
    types: [...T.taskDefinition],
    check(r) {
        const containers = containersOf(r);
        if (containers === undefined) return [];
        return containers
            .filter((c) => c.readonlyRootFilesystem !== true)
            .map((c) => `Container "${typeof c.name === "string" ? c.name : "?"}" of task definition "${r.name}" has a writable root file system.`);
    },
};

// --- Stack rules --------------------------------------------------------------------------------------

/** Security groups the ECS services put their tasks in. */
function taskSecurityGroups(all: ResourceDescription[]): ResourceDescription[] {
    const groups = new Map<string, ResourceDescription>();
    for (const svc of all.filter((r) => is(r, T.ecsService))) {
        for (const sg of referenced(svc, "networkConfiguration", all, T.securityGroup)) groups.set(sg.urn!, sg);
    }
    return [...groups.values()];
}

export const tasksOnlyFromAlb: StackRule = {
    kind: "stack",
    id: "ecs-tasks-only-from-alb",
    description: "Dashboard tasks are reachable only from the load balancer: their security groups' ingress rules reference a security group (never a CIDR or prefix list), and that group is the load balancer's.",
    remediation: "Replace the rule by one with referencedSecurityGroupId set to the ALB's security group (DashboardCluster.albSecurityGroup), as DashboardService does.",
    enforcementLevel: "mandatory",
    severity: "critical",
    check(all) {
        const albGroups = new Set(all.filter((r) => is(r, T.loadBalancer)).flatMap((lb) => refsOf(lb, "securityGroups")));
        const findings: StackFinding[] = [];
        for (const sg of taskSecurityGroups(all)) {
            const sources: { rule: ResourceDescription; label: string; cidrs: unknown[]; groups: string[]; groupValues: unknown[] }[] = [];
            // Inline ingress blocks on the group itself.
            const inline = sg.props.ingress;
            if (Array.isArray(inline)) {
                inline.forEach((b: any, i: number) => sources.push({
                    rule: sg, label: `inline ingress ${i} of security group "${sg.name}"`,
                    cidrs: [...asList(b?.cidrBlocks), ...asList(b?.ipv6CidrBlocks), ...asList(b?.prefixListIds)].filter((c) => !isUnknown(c)),
                    groups: refsOf(sg, "ingress"), groupValues: asList(b?.securityGroups),
                }));
            }
            for (const rule of all.filter((x) => is(x, T.ingressRule) && refersTo(x, "securityGroupId", sg))) {
                sources.push({
                    rule, label: `ingress rule "${rule.name}" of security group "${sg.name}"`,
                    cidrs: [rule.props.cidrIpv4, rule.props.cidrIpv6, rule.props.prefixListId].filter((c) => c !== undefined && !isUnknown(c)),
                    groups: refsOf(rule, "referencedSecurityGroupId"), groupValues: asList(rule.props.referencedSecurityGroupId),
                });
            }
            for (const rule of all.filter((x) => is(x, T.legacySgRule) && x.props.type === "ingress" && refersTo(x, "securityGroupId", sg))) {
                sources.push({
                    rule, label: `ingress rule "${rule.name}" of security group "${sg.name}"`,
                    cidrs: [...asList(rule.props.cidrBlocks), ...asList(rule.props.ipv6CidrBlocks), ...asList(rule.props.prefixListIds)].filter((c) => !isUnknown(c)),
                    groups: refsOf(rule, "sourceSecurityGroupId"), groupValues: asList(rule.props.sourceSecurityGroupId),
                });
            }
            for (const s of sources) {
                if (s.cidrs.length > 0) {
                    findings.push({ resource: s.rule, message: `Task ${s.label} admits ${s.cidrs.map(q).join(", ")}; tasks may only admit the load balancer's security group.` });
                    continue;
                }
                const known = s.groups.length > 0 || s.groupValues.some((v) => !isUnknown(v));
                if (!known) continue; // a preview of a new stack: nothing to compare yet
                if (s.groups.length === 0 || s.groups.some((g) => !albGroups.has(g))) {
                    findings.push({ resource: s.rule, message: `Task ${s.label} admits a security group that is not the load balancer's (${s.groupValues.filter((v) => !isUnknown(v)).map(q).join(", ") || s.groups.join(", ")}).` });
                }
            }
        }
        return findings;
    },
};

/** Whether the stack routes private subnets through NAT gateways. */
export function stackHasNat(all: ResourceDescription[]): boolean {
    if (all.some((r) => is(r, T.natGateway))) return true;
    return all.filter((r) => is(r, T.awsxVpc)).some((vpc) => {
        const nat = vpc.props.natGateways;
        if (isUnknown(nat)) return false;
        if (Array.isArray(nat)) return nat.length > 0; // the component's output: the gateways it made
        const strategy = nat?.strategy;
        if (isUnknown(strategy)) return false;
        return (strategy ?? "OnePerAz") !== "None"; // awsx's default strategy is OnePerAz
    });
}

export const noPublicIpWithNat: StackRule = {
    kind: "stack",
    id: "ecs-no-public-ip-with-nat",
    description: "When the stack has NAT gateways (awsx Vpc natGateways strategy other than None), ECS tasks run in private subnets without public IPs.",
    remediation: "Set networkConfiguration.assignPublicIp: false and the private subnets (DashboardCluster does this unless network.nat is none).",
    enforcementLevel: "mandatory",
    severity: "high",
    check(all) {
        if (!stackHasNat(all)) return [];
        return all
            .filter((r) => is(r, T.ecsService) && r.props.networkConfiguration?.assignPublicIp === true)
            .map((r) => ({ resource: r, message: `ECS service "${r.name}" gives its tasks public IPs although the stack has NAT gateways.` }));
    },
};

/** Conventional ports of websocket frameworks with in-memory sessions: Shiny 3838, Streamlit 8501. */
export const WEBSOCKET_PORTS = [3838, 8501];
/** Streamlit's own health route: a target group checking it serves Streamlit whatever its port. */
export const STREAMLIT_HEALTH_PATH = "/_stcore/health";

export const websocketSticky: StackRule<{ websocketPorts: number[] }> = {
    kind: "stack",
    id: "websocket-target-groups-sticky",
    description: "Target groups of Shiny and Streamlit services (container or target-group port 3838/8501, or Streamlit's /_stcore/health check) use lb_cookie/app_cookie stickiness: their sessions live on one task.",
    remediation: "Set stickiness { type: \"lb_cookie\", enabled: true } on the target group (DashboardService: sticky: true, the shiny/streamlit default).",
    enforcementLevel: "mandatory",
    severity: "high",
    config: {
        schema: { websocketPorts: { type: "array", items: { type: "integer" }, description: "Container ports that identify websocket apps needing stickiness." } },
        defaults: { websocketPorts: WEBSOCKET_PORTS },
    },
    check(all, config) {
        const ports = new Set(config.websocketPorts);
        const why = new Map<string, string>();
        const groups = all.filter((r) => is(r, T.targetGroup));
        for (const tg of groups) {
            if (ports.has(tg.props.port)) why.set(tg.urn ?? tg.name, `port ${tg.props.port}`);
            else if (tg.props.healthCheck?.path === STREAMLIT_HEALTH_PATH) why.set(tg.urn ?? tg.name, `health check ${STREAMLIT_HEALTH_PATH}`);
        }
        for (const svc of all.filter((r) => is(r, T.ecsService))) {
            const lbs: any[] = Array.isArray(svc.props.loadBalancers) ? svc.props.loadBalancers : [];
            if (!lbs.some((l) => ports.has(l?.containerPort))) continue;
            const port = lbs.find((l) => ports.has(l?.containerPort)).containerPort;
            for (const tg of referenced(svc, "loadBalancers", all, T.targetGroup)) {
                if (!why.has(tg.urn!)) why.set(tg.urn!, `service "${svc.name}" container port ${port}`);
            }
        }
        return groups
            .filter((tg) => why.has(tg.urn ?? tg.name))
            .filter((tg) => !(tg.props.stickiness?.enabled === true && ["lb_cookie", "app_cookie"].includes(tg.props.stickiness?.type)))
            .map((tg) => ({ resource: tg, message: `Target group "${tg.name}" serves a websocket app (${why.get(tg.urn ?? tg.name)}) but is not sticky; sessions break when requests reach another task.` }));
    },
};

export const internetFacingAlbHasHttps: StackRule = {
    kind: "stack",
    id: "alb-internet-facing-has-https",
    description: "An internet-facing application load balancer has an HTTPS listener (where login happens).",
    remediation: "Add an HTTPS listener with a certificate (DashboardCluster always makes one), or make the load balancer internal.",
    enforcementLevel: "mandatory",
    severity: "high",
    check(all) {
        const listeners = all.filter((r) => is(r, T.listener));
        return all
            .filter((lb) => is(lb, T.loadBalancer) && lb.props.internal !== true && !isUnknown(lb.props.internal))
            .filter((lb) => (lb.props.loadBalancerType ?? "application") === "application")
            .filter((lb) => !listeners.some((l) => refersTo(l, "loadBalancerArn", lb) && l.props.protocol === "HTTPS"))
            .map((lb) => ({ resource: lb, message: `Internet-facing load balancer "${lb.name}" has no HTTPS listener.` }));
    },
};

export const bucketsBlockPublicAccess: StackRule = {
    kind: "stack",
    id: "s3-bucket-public-access-blocked",
    description: "Every S3 bucket (e.g. the ALB access-log bucket) has a public access block with all four settings on.",
    remediation: "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets set to true.",
    enforcementLevel: "mandatory",
    severity: "high",
    check(all) {
        const blocks = all.filter((r) => is(r, T.publicAccessBlock));
        const SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        const findings: StackFinding[] = [];
        for (const bucket of all.filter((r) => is(r, T.bucket))) {
            const mine = blocks.filter((b) => refersTo(b, "bucket", bucket));
            if (mine.length === 0) {
                findings.push({ resource: bucket, message: `S3 bucket "${bucket.name}" has no public access block.` });
                continue;
            }
            for (const b of mine) {
                const off = SETTINGS.filter((k) => b.props[k] !== true && !isUnknown(b.props[k]));
                if (off.length > 0) findings.push({ resource: b, message: `Public access block "${b.name}" of bucket "${bucket.name}" does not set ${off.join(", ")} to true.` });
            }
        }
        return findings;
    },
};

/** Every rule, in the order the pack lists them. */
export const RULES: Rule[] = [
    httpsListenerModernTls,
    httpListenerRedirects,
    listenerDefaultNeverForwards,
    ruleAuthenticatesBeforeForward,
    albDropsInvalidHeaders,
    internetFacingAlbHasHttps,
    tasksOnlyFromAlb,
    noPublicIpWithNat,
    websocketSticky,
    ecsCircuitBreaker,
    ecsReadOnlyRoot,
    ecrScanOnPush,
    logRetentionSet,
    cognitoPasswordPolicy,
    cognitoProdProtection,
    iamNoWildcardResource,
    iamNoWildcardSecretRead,
    bucketsBlockPublicAccess,
];

/** Per-rule config as users write it in the `--policy-pack-config` file: `{ "<rule id>": { ... } }`. */
export type RulesConfig = Record<string, Record<string, unknown> | undefined>;

/** A rule's config: its defaults overridden by what the user set. */
export function configFor(rule: Rule, user: Record<string, unknown> = {}): any {
    const { enforcementLevel: _level, ...rest } = user;
    return { ...(rule.config?.defaults ?? {}), ...rest };
}

/** Runs one rule over all resources. */
export function runRule(rule: Rule, resources: ResourceDescription[], user: Record<string, unknown> | undefined, env: RuleEnv): Violation[] {
    const config = configFor(rule, user);
    const violation = (message: string, r?: ResourceDescription): Violation => ({
        ruleId: rule.id, message, remediation: rule.remediation, urn: r?.urn, resourceName: r?.name,
    });
    if (rule.kind === "resource") {
        return resources.filter((r) => rule.types.includes(r.type)).flatMap((r) => rule.check(r, config, env).map((m) => violation(m, r)));
    }
    return rule.check(resources, config, env).map((f) => violation(f.message, f.resource));
}

/** Runs every rule (or `rules`) over the resources: what the pack would report, without the CLI. */
export function evaluate(resources: ResourceDescription[], options: { config?: RulesConfig; env?: RuleEnv; rules?: Rule[] } = {}): Violation[] {
    return (options.rules ?? RULES).flatMap((rule) => runRule(rule, resources, options.config?.[rule.id], options.env ?? {}));
}
