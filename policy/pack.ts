/**
 * Turns the pure rules (`rules.ts`) into `@pulumi/policy` policies. `index.ts` serves them as a
 * policy pack; tests call the policies' validate functions directly with hand-made arguments.
 */
import type {
    PolicyConfigSchema, PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy,
    StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";
import { refsByValue } from "./refs";
import { configFor, ResourceDescription, ResourceRule, Rule, RULES, StackRule, UNKNOWN } from "./rules";

export const PACK_NAME = "dashboards-aws";

/** The stack name from a URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackFromUrn(urn: string | undefined): string | undefined {
    const match = /^urn:pulumi:([^:]+)::/.exec(urn ?? "");
    return match?.[1];
}

/** What every policy carries besides its validate function. */
function metadata(rule: Rule) {
    return {
        name: rule.id,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        severity: rule.severity,
        remediationSteps: rule.remediation,
        configSchema: rule.config ? { properties: rule.config.schema as PolicyConfigSchema["properties"] } : undefined,
    };
}

/** The violation text: what is wrong, then how to fix it (the CLI prints the message, not remediationSteps). */
const withRemediation = (rule: Rule, message: string) => `${message}\nRemediation: ${rule.remediation}`;

function resourcePolicy(rule: ResourceRule<any>): ResourceValidationPolicy {
    return {
        ...metadata(rule),
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
            if (!rule.types.includes(args.type)) return;
            // props stay the SDK's unknown-checking proxy: a rule that reads a value unknown during
            // preview throws, and the SDK reports "can't run during preview" instead of a false violation.
            const resource: ResourceDescription = { type: args.type, name: args.name, urn: args.urn, props: args.props, options: { protect: args.opts?.protect } };
            const env = { stack: stackFromUrn(args.urn) };
            for (const message of rule.check(resource, configFor(rule, args.getConfig<Record<string, unknown>>()), env)) report(withRemediation(rule, message));
        },
    };
}

/**
 * A copy of `value` in which every value Pulumi does not know yet is `UNKNOWN`. The SDK's proxy
 * throws when such a value is read; one unknown anywhere in the stack must not abort a stack rule.
 */
export function resolveKnown(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
        return Array.from({ length: value.length }, (_, i) => {
            try {
                return resolveKnown(value[i]);
            } catch (e) {
                if (isUnknownValueError(e)) return UNKNOWN;
                throw e;
            }
        });
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
        try {
            out[key] = resolveKnown((value as Record<string, unknown>)[key]);
        } catch (e) {
            if (!isUnknownValueError(e)) throw e;
            out[key] = UNKNOWN;
        }
    }
    return out;
}

const isUnknownValueError = (e: unknown) => e instanceof UnknownValueError;

/** The stack's resources as the rules see them: Pulumi's property dependencies, plus references by id/ARN. */
export function describeStack(resources: PolicyResource[]): ResourceDescription[] {
    const described = resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: resolveKnown(r.props) as Record<string, any>,
        options: { protect: r.opts?.protect },
        dependencies: r.propertyDependencies ?? {},
    }));
    const byValue = refsByValue(described, (d) => [d.props.id, d.props.arn]);
    return described.map((d) => {
        const refs: Record<string, string[]> = { ...(byValue.get(d) ?? {}) };
        for (const [key, deps] of Object.entries(d.dependencies)) {
            refs[key] = [...new Set([...(refs[key] ?? []), ...deps.map((x) => x.urn)])];
        }
        return { type: d.type, name: d.name, urn: d.urn, props: d.props, options: d.options, refs };
    });
}

function stackPolicy(rule: StackRule<any>): StackValidationPolicy {
    return {
        ...metadata(rule),
        validateStack: (args: StackValidationArgs, report: ReportViolation) => {
            const resources = describeStack(args.resources);
            const env = { stack: resources.map((r) => stackFromUrn(r.urn)).find((s) => s !== undefined) };
            for (const finding of rule.check(resources, configFor(rule, args.getConfig<Record<string, unknown>>()), env)) {
                report(withRemediation(rule, finding.message), finding.resource?.urn);
            }
        },
    };
}

/** One policy per rule: resource rules as resource policies, cross-resource rules as stack policies. */
export function policies(rules: Rule[] = RULES): (ResourceValidationPolicy | StackValidationPolicy)[] {
    return rules.map((rule) => (rule.kind === "resource" ? resourcePolicy(rule) : stackPolicy(rule)));
}
