import * as pulumi from "@pulumi/pulumi";
import { ConfigProblem } from "./stackConfig";

/** Renders config problems as the message users see: one line per problem, key first. */
export function formatConfigProblems(stack: string, problems: ConfigProblem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    return [
        `Stack configuration (Pulumi.${stack}.yaml) has ${problems.length} ${noun}:`,
        ...problems.map((p) => `  ${p.key}: ${p.message}`),
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
