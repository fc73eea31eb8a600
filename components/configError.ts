import * as pulumi from "@pulumi/pulumi";
import { ConfigProblem } from "./stackConfig";

/** Problems printed at most; a hostile or badly broken stack file can have tens of thousands. */
export const MAX_PRINTED_PROBLEMS = 100;

/** Renders config problems as the message users see: one line per problem, key first (the first 100, then a count). */
export function formatConfigProblems(stack: string, problems: ConfigProblem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    const more = problems.length - MAX_PRINTED_PROBLEMS;
    return [
        `Stack configuration (Pulumi.${stack}.yaml) has ${problems.length} ${noun}:`,
        ...problems.slice(0, MAX_PRINTED_PROBLEMS).map((p) => `  ${p.key}: ${p.message}`),
        ...(more > 0 ? [`  ... and ${more} more; fix the ones above and run again to see the rest`] : []),
        `Fix them in Pulumi.${stack}.yaml (or with \`pulumi config set --path ...\`) and run again.`,
    ].join("\n");
}

/**
 * A configuration error. It extends pulumi.RunError, which the Pulumi CLI prints without a stack
 * trace; the offline plan prints only its message too.
 */
export class StackConfigError extends pulumi.RunError {
    constructor(public readonly stack: string, public readonly problems: ConfigProblem[]) {
        super(formatConfigProblems(stack, problems));
        this.name = "StackConfigError";
    }
}
