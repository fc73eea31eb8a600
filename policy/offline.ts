/**
 * Runs the policy rules over an offline plan (`plan/runPlan.ts`), so `npm test` checks the same
 * rules `pulumi preview --policy-pack policy` enforces, without AWS or the Pulumi CLI.
 *
 * The rules see each resource's declared inputs (secrets unwrapped), its options, and `refs`:
 * which other resources each top-level input came from, found by matching the values against the
 * ids and ARNs the mock provider assigned (the CLI gives these as `propertyDependencies`).
 */
import type { Plan, PlannedResource } from "../plan/runPlan";
import { refsByValue } from "./refs";
import { evaluate, ResourceDescription, Rule, RulesConfig, Violation } from "./rules";

/** The plan's resources as the rules see them. */
export function describePlan(plan: Plan): ResourceDescription[] {
    const described = plan.resources.map((r: PlannedResource) => ({
        source: r,
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.inputs,
        options: { protect: r.protect, retainOnDelete: r.retainOnDelete },
    }));
    const refs = refsByValue(described, (d) => [d.source.id, d.source.outputs?.arn]);
    return described.map((d) => ({ type: d.type, name: d.name, urn: d.urn, props: d.props, options: d.options, refs: refs.get(d) ?? {} }));
}

/** What the policy pack would report for this plan. `config` is the `--policy-pack-config` content. */
export function evaluatePlan(plan: Plan, options: { config?: RulesConfig; rules?: Rule[] } = {}): Violation[] {
    return evaluate(describePlan(plan), { ...options, env: { stack: plan.stack } });
}

/** One line per violation, for test failure messages. */
export function formatViolations(violations: Violation[]): string {
    return violations.map((v) => `[${v.ruleId}] ${v.resourceName ?? "(stack)"}: ${v.message}`).join("\n");
}
