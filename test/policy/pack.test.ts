/**
 * The @pulumi/policy wrappers (`policy/pack.ts`): called the way the policy SDK calls them, with
 * props behind its unknown-checking proxy and references as property dependencies.
 */
import { expect } from "chai";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { Plan } from "../../plan/runPlan";
import { describePlan } from "../../policy/offline";
import { describeStack, policies, resolveKnown, stackFromUrn } from "../../policy/pack";
import { RULES, UNKNOWN } from "../../policy/rules";
import { mutate, plan, TYPES, UNKNOWN_STRING } from "./helpers";

const byName = Object.fromEntries(policies().map((p) => [p.name, p]));
const resourcePolicy = (name: string) => byName[name] as ResourceValidationPolicy;
const stackPolicy = (name: string) => byName[name] as StackValidationPolicy;

/** Runs a resource policy like the SDK does; returns what it reported. */
function validateResource(name: string, resource: { type: string; name: string; urn: string; props: object; protect?: boolean }, config: object = {}): string[] {
    const reported: string[] = [];
    const validate = resourcePolicy(name).validateResource as (args: any, report: (m: string) => void) => void;
    validate({
        ...resource, props: unknownCheckingProxy(resource.props), opts: { protect: resource.protect ?? false },
        getConfig: () => config,
    }, (m) => reported.push(m));
    return reported;
}

/**
 * The plan as AnalyzeStack would hand it over: props without ids/ARNs (unknown in a first preview),
 * references only as property dependencies.
 */
function stackArgs(p: Plan, config: object = {}): { resources: PolicyResource[]; getConfig: () => object } {
    const described = describePlan(p);
    const byUrn = new Map<string, PolicyResource>();
    const resources = described.map((d) => {
        const r = { type: d.type, name: d.name, urn: d.urn!, props: unknownCheckingProxy(d.props), opts: { protect: d.options?.protect ?? false }, propertyDependencies: {} } as unknown as PolicyResource;
        byUrn.set(d.urn!, r);
        return r;
    });
    described.forEach((d, i) => {
        resources[i].propertyDependencies = Object.fromEntries(Object.entries(d.refs ?? {}).map(([k, urns]) => [k, urns.map((u) => byUrn.get(u)!)]));
    });
    return { resources, getConfig: () => config };
}

function validateStack(name: string, args: ReturnType<typeof stackArgs>): { message: string; urn?: string }[] {
    const reported: { message: string; urn?: string }[] = [];
    (stackPolicy(name).validateStack as (a: any, report: (m: string, urn?: string) => void) => void)(args, (message, urn) => reported.push({ message, urn }));
    return reported;
}

describe("the policy pack's @pulumi/policy wrappers", () => {
    let prod: Plan;
    before(async () => {
        prod = await plan("prod");
    });

    it("has one policy per rule: single-resource rules as resource policies, cross-resource ones as stack policies", () => {
        const list = policies();
        expect(list.map((p) => p.name)).to.deep.equal(RULES.map((r) => r.id));
        for (const [i, p] of list.entries()) {
            const rule = RULES[i];
            expect("validateResource" in p, p.name).to.equal(rule.kind === "resource");
            expect("validateStack" in p, p.name).to.equal(rule.kind === "stack");
            expect(p).to.include({ description: rule.description, remediationSteps: rule.remediation, enforcementLevel: rule.enforcementLevel });
        }
        // The SDK refuses a pack whose config schema declares enforcementLevel.
        for (const p of list) expect(Object.keys(p.configSchema?.properties ?? {})).not.to.include("enforcementLevel");
    });

    it("reads the stack name from URNs", () => {
        expect(stackFromUrn("urn:pulumi:prod-eu::dashboards::aws:cognito/userPool:UserPool::auth-pool")).to.equal("prod-eu");
        expect(stackFromUrn(undefined)).to.equal(undefined);
    });

    it("resource policy: reports the rule's message with its remediation, for the resource's type only", () => {
        const listener = { type: TYPES.listener, name: "https", urn: "urn:pulumi:dev::dashboards::aws:lb/listener:Listener::https", props: { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-2016-08" } };
        const [message, ...rest] = validateResource("alb-https-listener-modern-tls", listener);
        expect(rest).to.deep.equal([]);
        expect(message).to.equal(`HTTPS listener "https" uses TLS policy "ELBSecurityPolicy-2016-08", which is not a TLS 1.2+/1.3 policy on the allow-list.\nRemediation: ${RULES[0].remediation}`);
        expect(validateResource("alb-https-listener-modern-tls", { ...listener, type: "aws:lb/listenerRule:ListenerRule" })).to.deep.equal([]);
    });

    it("resource policy: prod-like from the pack config or the stack name in the URN, protect from the options", () => {
        const pool = prod.resources.find((r) => r.type === TYPES.userPool)!;
        const asDev = { type: pool.type, name: pool.name, urn: pool.urn.replace(":prod::", ":dev::"), props: { ...pool.inputs, mfaConfiguration: "OPTIONAL" }, protect: true };
        expect(validateResource("cognito-prod-protection", asDev)).to.deep.equal([]);
        expect(validateResource("cognito-prod-protection", asDev, { prodLike: true })).to.have.length(1);
        expect(validateResource("cognito-prod-protection", { ...asDev, urn: pool.urn })[0]).to.match(/^User pool "auth-pool" has mfaConfiguration "OPTIONAL" in prod-like stack "prod"/);
        expect(validateResource("cognito-prod-protection", { ...asDev, urn: pool.urn, props: pool.inputs, protect: false })[0]).to.match(/not protected by Pulumi/);
    });

    it("resource policy: a value unknown during preview raises the SDK's UnknownValueError (it reports \"can't run during preview\"), not a violation", () => {
        const listener = { type: TYPES.listener, name: "https", urn: "urn:pulumi:dev::d::aws:lb/listener:Listener::https", props: { protocol: "HTTPS", sslPolicy: UNKNOWN_STRING } };
        expect(() => validateResource("alb-https-listener-modern-tls", listener)).to.throw(UnknownValueError);
    });

    it("stack policies pass the prod plan when references come only as property dependencies", () => {
        const args = stackArgs(prod);
        for (const rule of RULES.filter((r) => r.kind === "stack")) expect(validateStack(rule.id, args), rule.id).to.deep.equal([]);
    });

    it("stack policy: follows property dependencies to catch a task rule that admits another security group, reported on that rule's URN", () => {
        const other = prod.resources.find((r) => r.name === "sentiment-tasks-sg")!;
        const p = mutate(prod, TYPES.ingressRule, "kpis-tasks-in", (i) => { i.referencedSecurityGroupId = other.id; });
        const reported = validateStack("ecs-tasks-only-from-alb", stackArgs(p));
        expect(reported).to.have.length(1);
        expect(reported[0].urn).to.match(/::kpis-tasks-in$/);
        expect(reported[0].message).to.match(/admits a security group that is not the load balancer's[\s\S]*\nRemediation: /);
    });

    it("stack policy: unknown values do not abort the rule or count as violations", () => {
        const p = mutate(prod, TYPES.ingressRule, "kpis-tasks-in", (i) => { i.referencedSecurityGroupId = UNKNOWN_STRING; });
        const args = stackArgs(p);
        // The unknown reference has no property dependency either: nothing to judge, nothing reported.
        const rule = args.resources.find((r) => r.name === "kpis-tasks-in")!;
        delete rule.propertyDependencies.referencedSecurityGroupId;
        expect(validateStack("ecs-tasks-only-from-alb", args)).to.deep.equal([]);
        // A CIDR on another task rule is still caught in the same run.
        const open = mutate(p, TYPES.ingressRule, "portal-tasks-in", (i) => { delete i.referencedSecurityGroupId; i.cidrIpv4 = "0.0.0.0/0"; });
        expect(validateStack("ecs-tasks-only-from-alb", stackArgs(open)).map((r) => r.urn)).to.have.length(1);
    });

    it("resolveKnown copies props with UNKNOWN in place of values unknown during preview; describeStack adds references by id/ARN", () => {
        const props = unknownCheckingProxy({ a: { b: UNKNOWN_STRING, c: [1, UNKNOWN_STRING] }, d: "x" });
        expect(resolveKnown(props)).to.deep.equal({ a: { b: UNKNOWN, c: [1, UNKNOWN] }, d: "x" });
        const sg = { type: TYPES.securityGroup, name: "sg", urn: "urn:sg", props: { id: "sg-1" }, propertyDependencies: {} } as unknown as PolicyResource;
        const rule = { type: TYPES.ingressRule, name: "in", urn: "urn:in", props: { securityGroupId: "sg-1" }, propertyDependencies: {} } as unknown as PolicyResource;
        expect(describeStack([sg, rule])[1].refs).to.deep.equal({ securityGroupId: ["urn:sg"] });
    });
});
