/**
 * The AWS facts the aws double enforces, as data: how the real (bridged) provider autonames each
 * type, the naming rules AWS and the Terraform provider apply, which inputs force a replacement,
 * which names must be unique (and where), and the Fargate CPU/memory table.
 *
 * Sources: pulumi-aws provider/resource_overrides.go and autonaming.go (autoname lengths: 255 for
 * every `name` input unless overridden), the AWS API references (CreateLoadBalancer,
 * CreateTargetGroup, CreateRole, CreateFunction, CreateLogGroup, CreateSecurityGroup,
 * PutParameter, CreateRepository, S3 bucket naming rules, Cognito CreateUserPoolDomain) and
 * terraform-provider-aws schemas (ForceNew inputs). AWS changes limits: check before relying on one.
 */
import { AutonameSpec } from "./shared";

// --- Autonaming (the bridge's AutoName settings) ---------------------------------------------

const DEFAULT_MAXLEN = 255;
const named = (maxlen = DEFAULT_MAXLEN, conflicts = ["namePrefix"]): AutonameSpec => ({ prop: "name", maxlen, conflicts });

export const AUTONAME: Record<string, AutonameSpec> = {
    "aws:lb/targetGroup:TargetGroup": named(32),
    "aws:lb/loadBalancer:LoadBalancer": named(),
    "aws:iam/role:Role": named(64),
    "aws:iam/rolePolicy:RolePolicy": named(),
    "aws:iam/policy:Policy": named(),
    "aws:lambda/function:Function": named(64, []),
    "aws:lambda/permission:Permission": { prop: "statementId", maxlen: 100, conflicts: ["statementIdPrefix"] },
    "aws:s3/bucket:Bucket": { prop: "bucket", maxlen: 63, transform: (s) => s.toLowerCase(), conflicts: ["bucketPrefix"] },
    "aws:sns/topic:Topic": named(80),
    "aws:cloudwatch/logGroup:LogGroup": named(),
    "aws:cloudwatch/metricAlarm:MetricAlarm": named(255, []),
    "aws:ec2/securityGroup:SecurityGroup": named(),
    "aws:ecr/repository:Repository": named(255, []),
    "aws:ecs/cluster:Cluster": named(255, []),
    "aws:ecs/service:Service": named(255, []),
    "aws:ssm/parameter:Parameter": named(255, []),
    "aws:cognito/userPool:UserPool": named(255, []),
    "aws:cognito/userPoolClient:UserPoolClient": named(255, []),
    "aws:cognito/userGroup:UserGroup": named(255, []),
    "aws:codebuild/project:Project": named(255, []),
    "aws:codepipeline/pipeline:Pipeline": named(255, []),
    "aws:codeconnections/connection:Connection": named(255, []),
    "aws:codestarnotifications/notificationRule:NotificationRule": named(255, []),
    "aws:appautoscaling/policy:Policy": named(255, []),
    "aws:kms/alias:Alias": { prop: "name", maxlen: 238, conflicts: ["namePrefix"] },
    "aws:cloudwatch/eventRule:EventRule": named(64),
};

// --- Naming rules ------------------------------------------------------------------------------

export interface NameRule {
    min?: number;
    max: number;
    /** Every character must match. */
    chars?: RegExp;
    charsText?: string;
    noEdgeHyphen?: boolean;
    notStart?: string[];
    notEnd?: string[];
    /** Further AWS rules; returns the reasons the value breaks them. */
    extra?: (value: string) => string[];
}

const ALNUM_HYPHEN = { chars: /^[0-9A-Za-z-]*$/, charsText: "alphanumeric characters and hyphens" };
const IAM_CHARS = { chars: /^[\w+=,.@-]*$/, charsText: "alphanumeric characters and +=,.@-_" };
const ECS_CHARS = { chars: /^[\w-]*$/, charsText: "letters, numbers, underscores and hyphens" };
const COGNITO_CHARS = { chars: /^[\w\s+=,.@-]*$/, charsText: "characters matching [\\w\\s+=,.@-]" };
const SG_CHARS = { chars: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/, charsText: "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*" };

function s3Extra(v: string): string[] {
    const out: string[] = [];
    if (!/^[a-z0-9]/.test(v) || !/[a-z0-9]$/.test(v)) out.push("must begin and end with a lowercase letter or number");
    if (v.includes("..")) out.push("must not contain two adjacent periods");
    if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) out.push("must not be formatted as an IP address");
    for (const p of ["xn--", "sthree-", "amzn-s3-demo-"]) if (v.startsWith(p)) out.push(`must not start with "${p}"`);
    for (const s of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) if (v.endsWith(s)) out.push(`must not end with "${s}"`);
    return out;
}

function ssmExtra(v: string): string[] {
    const out: string[] = [];
    const first = v.replace(/^\//, "").split("/")[0].toLowerCase();
    if (first.startsWith("aws") || first.startsWith("ssm")) out.push(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive)`);
    if (v.includes("/") && !v.startsWith("/")) out.push("Parameter name must be a fully qualified name (a hierarchy starts with /)");
    if (v.split("/").filter(Boolean).length > 15) out.push("Parameter hierarchies are limited to a maximum depth of fifteen levels");
    return out;
}

/** Cognito hosted-login domain prefix (FIELD-NOTES): not for custom domains (those have a certificate). */
function cognitoPrefixExtra(v: string): string[] {
    const out: string[] = [];
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(v)) out.push("a domain prefix must match ^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$");
    for (const word of ["aws", "amazon", "cognito"]) if (v.includes(word)) out.push(`a domain prefix must not contain the reserved word "${word}"`);
    return out;
}

export const NAME_RULES: Record<string, Record<string, NameRule>> = {
    "aws:lb/loadBalancer:LoadBalancer": {
        name: { max: 32, ...ALNUM_HYPHEN, noEdgeHyphen: true, notStart: ["internal-"] },
        namePrefix: { max: 6, ...ALNUM_HYPHEN },
    },
    "aws:lb/targetGroup:TargetGroup": {
        name: { max: 32, ...ALNUM_HYPHEN, noEdgeHyphen: true },
        namePrefix: { max: 6, ...ALNUM_HYPHEN },
    },
    "aws:iam/role:Role": { name: { min: 1, max: 64, ...IAM_CHARS }, namePrefix: { max: 38, ...IAM_CHARS } },
    "aws:iam/rolePolicy:RolePolicy": { name: { min: 1, max: 128, ...IAM_CHARS } },
    "aws:iam/policy:Policy": { name: { min: 1, max: 128, ...IAM_CHARS } },
    "aws:lambda/function:Function": { name: { min: 1, max: 64, chars: /^[a-zA-Z0-9_-]*$/, charsText: "letters, numbers, hyphens and underscores" } },
    "aws:cloudwatch/eventRule:EventRule": { name: { min: 1, max: 64, chars: /^[.\-_A-Za-z0-9]*$/, charsText: "letters, numbers, periods, hyphens and underscores" } },
    "aws:lambda/permission:Permission": { statementId: { min: 1, max: 100, chars: /^[a-zA-Z0-9_-]*$/, charsText: "letters, numbers, hyphens and underscores" } },
    "aws:s3/bucket:Bucket": {
        bucket: { min: 3, max: 63, chars: /^[a-z0-9.-]*$/, charsText: "lowercase letters, numbers, periods and hyphens", extra: s3Extra },
        bucketPrefix: { max: 37, chars: /^[a-z0-9.-]*$/, charsText: "lowercase letters, numbers, periods and hyphens" },
    },
    "aws:ecr/repository:Repository": {
        name: {
            min: 2, max: 256, extra: (v) => (/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(v) ? []
                : ["must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"]),
        },
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        name: { min: 1, max: 512, chars: /^[.\-_/#A-Za-z0-9]*$/, charsText: "a-z, A-Z, 0-9, '_', '-', '/', '.' and '#'" },
        namePrefix: { max: 483, chars: /^[.\-_/#A-Za-z0-9]*$/, charsText: "a-z, A-Z, 0-9, '_', '-', '/', '.' and '#'" },
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": { name: { min: 1, max: 255 } },
    "aws:ec2/securityGroup:SecurityGroup": {
        name: { max: 255, ...SG_CHARS, notStart: ["sg-"] },
        namePrefix: { max: 100, ...SG_CHARS, notStart: ["sg-"] },
        description: { max: 255, ...SG_CHARS },
    },
    "aws:ssm/parameter:Parameter": { name: { min: 1, max: 1011, chars: /^[a-zA-Z0-9_.\-/]*$/, charsText: "a-zA-Z0-9_.- and /", extra: ssmExtra } },
    "aws:ecs/cluster:Cluster": { name: { min: 1, max: 255, ...ECS_CHARS } },
    "aws:ecs/service:Service": { name: { min: 1, max: 255, ...ECS_CHARS } },
    "aws:ecs/taskDefinition:TaskDefinition": { family: { min: 1, max: 255, ...ECS_CHARS } },
    "aws:cognito/userPool:UserPool": { name: { min: 1, max: 128, ...COGNITO_CHARS } },
    "aws:cognito/userPoolClient:UserPoolClient": { name: { min: 1, max: 128, ...COGNITO_CHARS } },
    "aws:cognito/userGroup:UserGroup": { name: { min: 1, max: 128 } },
    "aws:sns/topic:Topic": { name: { min: 1, max: 256, chars: /^[A-Za-z0-9_.-]*$/, charsText: "alphanumeric characters, hyphens and underscores (and .fifo)" } },
    "aws:codebuild/project:Project": { name: { min: 2, max: 255, chars: /^[A-Za-z0-9_-]*$/, charsText: "letters, numbers, hyphens and underscores", notStart: ["-", "_"] } },
    "aws:codepipeline/pipeline:Pipeline": { name: { min: 1, max: 100, chars: /^[A-Za-z0-9.@_-]*$/, charsText: "characters matching [A-Za-z0-9.@_-]" } },
    "aws:codeconnections/connection:Connection": { name: { min: 1, max: 32 } },
    "aws:codestarnotifications/notificationRule:NotificationRule": { name: { min: 1, max: 64, chars: /^[A-Za-z0-9_ -]*$/, charsText: "letters, numbers, spaces, hyphens and underscores" } },
    "aws:appautoscaling/policy:Policy": { name: { min: 1, max: 256 } },
    "aws:appautoscaling/scheduledAction:ScheduledAction": { name: { min: 1, max: 256, chars: /^[^:/|]*$/, charsText: "characters other than : / |" } },
};

/** Rules that depend on other inputs. */
export const COGNITO_DOMAIN_PREFIX: NameRule = { max: 63, extra: cognitoPrefixExtra };

/** Reasons `value` breaks `rule`, worded like the Terraform provider's validation errors. */
export function breaks(prop: string, value: string, rule: NameRule): string[] {
    const out: string[] = [];
    const q = JSON.stringify(prop);
    if (value.length > rule.max) out.push(`${q} cannot be longer than ${rule.max} characters: ${JSON.stringify(value)}`);
    if (rule.min !== undefined && value.length < rule.min) out.push(`${q} must be at least ${rule.min} characters: ${JSON.stringify(value)}`);
    if (rule.chars && !rule.chars.test(value)) out.push(`only ${rule.charsText} allowed in ${q}: ${JSON.stringify(value)}`);
    if (rule.noEdgeHyphen && value.startsWith("-")) out.push(`${q} cannot begin with a hyphen: ${JSON.stringify(value)}`);
    if (rule.noEdgeHyphen && value.endsWith("-")) out.push(`${q} cannot end with a hyphen: ${JSON.stringify(value)}`);
    for (const p of rule.notStart ?? []) if (value.startsWith(p)) out.push(`${q} cannot begin with ${JSON.stringify(p)}: ${JSON.stringify(value)}`);
    for (const s of rule.notEnd ?? []) if (value.endsWith(s)) out.push(`${q} cannot end with ${JSON.stringify(s)}: ${JSON.stringify(value)}`);
    for (const r of rule.extra?.(value) ?? []) out.push(`${q} ${r}: ${JSON.stringify(value)}`);
    return out;
}

// --- Replacement -------------------------------------------------------------------------------

/** Inputs whose change replaces the resource (ForceNew upstream). "*" = every input except tags. Other types only update. */
export const REPLACE_ON: Record<string, string[] | "*"> = {
    "aws:lb/targetGroup:TargetGroup": ["name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId", "ipAddressType"],
    "aws:lb/loadBalancer:LoadBalancer": ["name", "namePrefix", "internal", "loadBalancerType"],
    "aws:lb/listener:Listener": ["loadBalancerArn"],
    "aws:lb/listenerRule:ListenerRule": ["listenerArn"],
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": ["targetGroupArn", "targetId", "port", "availabilityZone"],
    "aws:cloudwatch/eventRule:EventRule": ["name", "namePrefix", "eventBusName"],
    "aws:cloudwatch/eventTarget:EventTarget": ["rule", "targetId", "eventBusName"],
    "aws:lb/listenerCertificate:ListenerCertificate": ["listenerArn", "certificateArn"],
    "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "description", "vpcId"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["securityGroupId"],
    "aws:ec2/vpc:Vpc": ["cidrBlock", "instanceTenancy"],
    "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"],
    "aws:ec2/routeTable:RouteTable": ["vpcId"],
    "aws:ec2/route:Route": ["routeTableId", "destinationCidrBlock"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId", "gatewayId"],
    "aws:ec2/natGateway:NatGateway": ["subnetId", "allocationId", "connectivityType"],
    "aws:ecs/cluster:Cluster": ["name"],
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": ["clusterName"],
    "aws:ecs/service:Service": ["name", "cluster", "launchType", "iamRole", "schedulingStrategy", "deploymentController"],
    "aws:ecs/taskDefinition:TaskDefinition": "*",
    "aws:ecr/repository:Repository": ["name", "encryptionConfigurations"],
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ["repository"],
    "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix", "logGroupClass"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
    // The name is the dashboard's identity: a new name is a new dashboard (CloudFormation: "Update requires: Replacement").
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-dashboard.html
    "aws:cloudwatch/dashboard:Dashboard": ["dashboardName"],
    "aws:iam/role:Role": ["name", "namePrefix", "path"],
    "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
    "aws:iam/policy:Policy": ["name", "namePrefix", "path"],
    "aws:lambda/function:Function": ["name", "packageType"],
    "aws:lambda/permission:Permission": "*",
    "aws:ssm/parameter:Parameter": ["name"],
    "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
    "aws:s3/bucketPolicy:BucketPolicy": ["bucket"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["bucket"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["bucket"],
    "aws:cognito/userPool:UserPool": ["name", "usernameAttributes", "aliasAttributes", "usernameConfiguration"],
    "aws:cognito/userPoolClient:UserPoolClient": ["userPoolId", "generateSecret"],
    "aws:cognito/userPoolDomain:UserPoolDomain": ["domain", "userPoolId"],
    "aws:cognito/userGroup:UserGroup": ["name", "userPoolId"],
    "aws:cognito/user:User": ["userPoolId", "username"],
    "aws:cognito/userInGroup:UserInGroup": ["userPoolId", "groupName", "username"],
    "aws:cognito/identityProvider:IdentityProvider": ["userPoolId", "providerName", "providerType"],
    "aws:route53/record:Record": ["name", "type", "zoneId", "setIdentifier"],
    "aws:acm/certificate:Certificate": ["domainName", "subjectAlternativeNames", "validationMethod", "keyAlgorithm"],
    "aws:acm/certificateValidation:CertificateValidation": ["certificateArn", "validationRecordFqdns"],
    "aws:sns/topic:Topic": ["name", "namePrefix", "fifoTopic"],
    "aws:sns/topicSubscription:TopicSubscription": ["topic", "protocol", "endpoint"],
    "aws:sns/topicPolicy:TopicPolicy": ["arn"],
    "aws:appautoscaling/target:Target": ["resourceId", "scalableDimension", "serviceNamespace"],
    "aws:appautoscaling/policy:Policy": ["name", "resourceId", "scalableDimension", "serviceNamespace"],
    "aws:appautoscaling/scheduledAction:ScheduledAction": ["name", "resourceId", "scalableDimension", "serviceNamespace"],
    "aws:codebuild/project:Project": ["name"],
    "aws:codepipeline/pipeline:Pipeline": ["name"],
    "aws:codeconnections/connection:Connection": ["name", "providerType", "hostArn"],
    "aws:codestarnotifications/notificationRule:NotificationRule": ["resource"],
    "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage"],
};

/** Types the bridge replaces delete-first (DeleteBeforeReplace in pulumi-aws). */
export const DELETE_BEFORE_REPLACE = new Set([
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
]);

export const IGNORED_FOR_REPLACE = new Set(["tags", "tagsAll"]);

// --- Uniqueness --------------------------------------------------------------------------------

export interface Uniqueness {
    /** Where the name must be unique ("" = the whole partition), from the inputs; undefined = not checked. */
    key: (inputs: Record<string, any>, region: string) => string | undefined;
    /** The AWS error for a taken name. */
    error: (inputs: Record<string, any>) => string;
}

const inRegion = (prop: string) => (i: Record<string, any>, region: string) => (i[prop] === undefined ? undefined : `${region}/${i[prop]}`);
const global = (prop: string) => (i: Record<string, any>) => (i[prop] === undefined ? undefined : String(i[prop]));

export const UNIQUE: Record<string, Uniqueness> = {
    "aws:lb/targetGroup:TargetGroup": {
        key: inRegion("name"),
        error: (i) => `creating ELBv2 Target Group (${i.name}): operation error Elastic Load Balancing v2: CreateTargetGroup, api error DuplicateTargetGroupName: A target group with the same name '${i.name}' exists, but with different settings`,
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        key: inRegion("name"),
        error: (i) => `creating ELBv2 application Load Balancer (${i.name}): api error DuplicateLoadBalancerName: A load balancer with the same name '${i.name}' exists, but with different settings`,
    },
    "aws:lb/listener:Listener": {
        key: (i) => (i.loadBalancerArn && i.port !== undefined ? `${i.loadBalancerArn}/${i.port}` : undefined),
        error: (i) => `creating ELBv2 Listener (${i.loadBalancerArn}): api error DuplicateListener: A listener already exists on this port (${i.port}) for this load balancer`,
    },
    "aws:lb/listenerRule:ListenerRule": {
        key: (i) => (i.listenerArn && i.priority !== undefined ? `${i.listenerArn}/${i.priority}` : undefined),
        error: (i) => `creating ELBv2 Listener Rule: api error PriorityInUse: Priority '${i.priority}' is currently in use`,
    },
    "aws:iam/role:Role": { key: global("name"), error: (i) => `creating IAM Role (${i.name}): api error EntityAlreadyExists: Role with name ${i.name} already exists.` },
    "aws:iam/policy:Policy": { key: global("name"), error: (i) => `creating IAM Policy (${i.name}): api error EntityAlreadyExists: A policy called ${i.name} already exists. Duplicate names are not allowed.` },
    "aws:s3/bucket:Bucket": { key: global("bucket"), error: (i) => `creating S3 Bucket (${i.bucket}): api error BucketAlreadyOwnedByYou: Your previous request to create the named bucket succeeded and you already own it.` },
    "aws:ecr/repository:Repository": { key: inRegion("name"), error: (i) => `creating ECR Repository (${i.name}): api error RepositoryAlreadyExistsException: The repository with name '${i.name}' already exists in the registry` },
    "aws:cloudwatch/logGroup:LogGroup": { key: inRegion("name"), error: (i) => `creating CloudWatch Logs Log Group (${i.name}): api error ResourceAlreadyExistsException: The specified log group already exists` },
    "aws:ec2/securityGroup:SecurityGroup": {
        key: (i) => (i.name ? `${i.vpcId ?? "default"}/${i.name}` : undefined),
        error: (i) => `creating Security Group (${i.name}): api error InvalidGroup.Duplicate: The security group '${i.name}' already exists for VPC '${i.vpcId}'`,
    },
    "aws:ssm/parameter:Parameter": {
        key: (i, region) => (i.name && !i.overwrite ? `${region}/${i.name}` : undefined),
        error: (i) => `creating SSM Parameter (${i.name}): api error ParameterAlreadyExists: The parameter already exists. To overwrite this value, set the overwrite option in the request to true.`,
    },
    "aws:lambda/function:Function": { key: inRegion("name"), error: (i) => `creating Lambda Function (${i.name}): api error ResourceConflictException: Function already exist: ${i.name}` },
    "aws:ecs/service:Service": {
        key: (i) => (i.name ? `${i.cluster}/${i.name}` : undefined),
        error: (i) => `creating ECS Service (${i.name}): api error InvalidParameterException: Creation of service was not idempotent.`,
    },
    "aws:cognito/userPoolDomain:UserPoolDomain": {
        key: (i, region) => (i.domain ? (i.certificateArn ? String(i.domain) : `${region}/${i.domain}`) : undefined),
        error: (i) => `creating Cognito User Pool Domain (${i.domain}): api error InvalidParameterException: Domain already associated with another user pool.`,
    },
    "aws:cognito/userGroup:UserGroup": {
        key: (i) => (i.name ? `${i.userPoolId}/${i.name}` : undefined),
        error: (i) => `creating Cognito User Group (${i.name}): api error GroupExistsException: A group with the name already exists.`,
    },
    "aws:cognito/user:User": {
        key: (i) => (i.username ? `${i.userPoolId}/${String(i.username).toLowerCase()}` : undefined),
        error: () => "creating Cognito User: api error UsernameExistsException: User account already exists",
    },
    "aws:cognito/identityProvider:IdentityProvider": {
        key: (i) => (i.providerName ? `${i.userPoolId}/${i.providerName}` : undefined),
        error: (i) => `creating Cognito Identity Provider (${i.providerName}): api error DuplicateProviderException: A provider with the name ${i.providerName} already exists.`,
    },
    "aws:route53/record:Record": {
        key: (i) => (i.name && i.type && !i.allowOverwrite ? `${i.zoneId}/${String(i.name).replace(/\.$/, "").toLowerCase()}/${i.type}/${i.setIdentifier ?? ""}` : undefined),
        error: (i) => `creating Route53 Record: InvalidChangeBatch: [Tried to create resource record set [name='${i.name}', type='${i.type}'] but it already exists]`,
    },
    "aws:codebuild/project:Project": { key: inRegion("name"), error: (i) => `creating CodeBuild Project (${i.name}): api error ResourceAlreadyExistsException: Project already exists: ${i.name}` },
    "aws:codepipeline/pipeline:Pipeline": { key: inRegion("name"), error: (i) => `creating CodePipeline (${i.name}): api error PipelineNameInUseException: A pipeline with the name '${i.name}' already exists` },
};

// --- ECS on Fargate ----------------------------------------------------------------------------

const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

/**
 * Valid Fargate task sizes: CPU units -> memory (MiB) (FIELD-NOTES "Fargate / ECS"). Transcribed
 * here on purpose rather than imported from components/fargate.ts: an instrument that checks the
 * program must not share the program's table, or a wrong entry would pass both.
 */
export const FARGATE_SIZES: Record<number, number[]> = {
    256: [512, 1024, 2048],
    512: range(1024, 4096, 1024),
    1024: range(2048, 8192, 1024),
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
    8192: range(16384, 61440, 4096),
    16384: range(32768, 122880, 8192),
};

/** Per application load balancer (FIELD-NOTES "Limits"): rules on all its listeners, defaults excluded. */
export const MAX_RULES_PER_ALB = 100;
export const RULE_PRIORITY = { min: 1, max: 50000 };
