/** Helpers for the policy tests: planned stacks, mutated copies of them, and running one rule. */
import { Plan, PlannedResource } from "../../plan/runPlan";
import { evaluatePlan } from "../../policy/offline";
import { Rule, RulesConfig, Violation } from "../../policy/rules";
import { sharedPlan } from "../helpers";

/** The offline plan of `Pulumi.<stack>.yaml`, planned once per test process (shared and frozen: see sharedPlan). */
export const plan = sharedPlan;

/**
 * A copy of `base` in which the one resource of `type` named `name` has its inputs changed by
 * `change` (which gets a deep copy and may mutate it or return a replacement). The original plan,
 * shared by the tests, is never touched.
 */
export function mutate(base: Plan, type: string, name: string, change: (inputs: any, resource: PlannedResource) => any): Plan {
    const found = base.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return {
        ...base,
        resources: base.resources.map((r) => {
            if (r !== found[0]) return r;
            const inputs = structuredClone(r.inputs);
            return { ...r, inputs: change(inputs, r) ?? inputs };
        }),
    };
}

/** `base` with resources added (hand-written) and/or removed. */
export function withResources(base: Plan, add: Partial<PlannedResource>[], remove: (r: PlannedResource) => boolean = () => false): Plan {
    const made = add.map((r): PlannedResource => ({
        urn: `urn:pulumi:${base.stack}::${base.project}::${r.type}::${r.name}`,
        custom: true, inputs: {}, secretInputs: [], outputs: {}, protect: false, retainOnDelete: false,
        dependsOn: [], deleteBeforeReplace: false, additionalSecretOutputs: [], type: "", name: "",
        ...r,
    } as PlannedResource));
    return { ...base, resources: [...base.resources.filter((r) => !remove(r)), ...made] };
}

/** `base` with one resource's options changed. */
export function withOptions(base: Plan, type: string, name: string, options: Partial<Pick<PlannedResource, "protect" | "retainOnDelete">>): Plan {
    return { ...base, resources: base.resources.map((r) => (r.type === type && r.name === name ? { ...r, ...options } : r)) };
}

/** Violations of one rule over a plan. */
export function violationsOf(rule: Rule, p: Plan, config?: RulesConfig): Violation[] {
    return evaluatePlan(p, { rules: [rule], config });
}

export function messages(rule: Rule, p: Plan, config?: RulesConfig): string[] {
    return violationsOf(rule, p, config).map((v) => v.message);
}

/** How Pulumi encodes a string it does not know yet (preview); the policy SDK's proxy throws on reading it. */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const TYPES = {
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    service: "aws:ecs/service:Service",
    repository: "aws:ecr/repository:Repository",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    userPool: "aws:cognito/userPool:UserPool",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    bucket: "aws:s3/bucket:Bucket",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    vpc: "awsx:ec2:Vpc",
} as const;
