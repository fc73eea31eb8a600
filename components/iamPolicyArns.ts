/**
 * Checks of the IAM managed-policy ARNs a stack file or a component user attaches to the
 * platform's roles. Pure: no Pulumi, no AWS calls. Used by the stack-file validator, by
 * DashboardService for code users, and by DashboardPipeline.
 */

/** A managed policy ARN: an AWS managed one (`iam::aws:`) or one of an account (`iam::<12 digits>:`), with an optional path. */
export const IAM_POLICY_ARN = /^arn:aws[a-z-]*:iam::(?:\d{12}|aws):policy\/[\w+=,.@\-/]+$/;

/**
 * AWS managed policies that make their holder an administrator of the account, or let it become
 * one (full IAM, or Organizations). A task role serves code that anyone signed in can drive, so
 * these are refused there unless `allowPrivilegedTaskPolicies` says otherwise. AWS says of
 * AdministratorAccess-Amplify that it "should be considered as powerful as the AdministratorAccess
 * policy": https://docs.aws.amazon.com/amplify/latest/userguide/security-iam-awsmanpol.html
 * Each one's document: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html
 */
export const PRIVILEGED_AWS_POLICIES: readonly string[] = [
    "AdministratorAccess",
    "AdministratorAccess-Amplify",
    "AdministratorAccess-AWSElasticBeanstalk",
    "PowerUserAccess",
    "IAMFullAccess",
    "AWSOrganizationsFullAccess",
];

const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/;

/** Whether the ARN is one of PRIVILEGED_AWS_POLICIES (in any partition). */
export function isPrivilegedAwsPolicy(arn: string): boolean {
    const awsName = AWS_MANAGED.exec(arn)?.[1];
    return awsName !== undefined && PRIVILEGED_AWS_POLICIES.includes(awsName);
}

/**
 * What is wrong with a managed policy for a dashboard's task role, or undefined when it may be attached.
 *
 * @param arn The policy ARN as given.
 * @param allowPrivileged The dashboard accepts an administrator-level AWS managed policy.
 */
export function taskPolicyArnProblem(arn: string, allowPrivileged: boolean): string | undefined {
    if (!IAM_POLICY_ARN.test(arn)) return "is not an IAM policy ARN (arn:aws:iam::<account or aws>:policy/<name>)";
    const awsName = AWS_MANAGED.exec(arn)?.[1];
    if (awsName === undefined) return undefined;
    // Service-linked role policies cannot be attached to a role of ours: https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
    if (awsName.startsWith("aws-service-role/")) return "is the policy of a service-linked role, which IAM attaches only to that service's own role; list the actions the app needs in a policy of your own";
    if (!allowPrivileged && isPrivilegedAwsPolicy(arn)) {
        return "makes the dashboard's code an administrator of the account (or able to become one), and that code answers anyone signed in; "
            + "attach a policy of your own with only the actions and resources the app needs, or set allowPrivilegedTaskPolicies: true to accept the risk";
    }
    return undefined;
}

/** Each entry that repeats an earlier one, with the index of its first appearance (a second attachment of one policy). */
export function repeats(values: readonly unknown[]): Array<{ index: number; first: number }> {
    return values.flatMap((v, index) => {
        const first = values.indexOf(v);
        return first < index ? [{ index, first }] : [];
    });
}

/** One problem of a dashboard's task policies: the entry of `taskPolicyArns` it is about, or the opt-in itself. */
export type TaskPolicyProblem = { key: "taskPolicyArns"; index: number; value: unknown; problem: string } | { key: "allowPrivilegedTaskPolicies"; problem: string };

/**
 * Every problem of a dashboard's `taskPolicyArns` with its `allowPrivilegedTaskPolicies`, for the
 * stack-file validator and DashboardService alike (each says where, in its own words): each entry
 * by `taskPolicyArnProblem`, a policy listed twice, and an opt-in that no listed policy needs.
 *
 * @param malformed "skip" leaves entries that are not policy ARNs (or not strings) to a schema that reports them.
 */
export function taskPolicyProblems(arns: readonly unknown[], allowPrivileged: boolean, malformed: "report" | "skip"): TaskPolicyProblem[] {
    const problems: TaskPolicyProblem[] = [];
    arns.forEach((value, index) => {
        const wellFormed = typeof value === "string" && IAM_POLICY_ARN.test(value);
        if (!wellFormed && malformed === "skip") return;
        const problem = typeof value === "string" ? taskPolicyArnProblem(value, allowPrivileged) : "is not a string";
        if (problem) problems.push({ key: "taskPolicyArns", index, value, problem });
    });
    for (const { index, first } of repeats(arns)) {
        if (typeof arns[index] !== "string" && malformed === "skip") continue;
        problems.push({ key: "taskPolicyArns", index, value: arns[index], problem: `is listed twice (also taskPolicyArns[${first}])` });
    }
    if (allowPrivileged && !arns.some((arn) => typeof arn === "string" && isPrivilegedAwsPolicy(arn))) {
        problems.push({ key: "allowPrivilegedTaskPolicies", problem: "is set but no policy in taskPolicyArns needs it; remove it, so that such a policy is refused if one is added later" });
    }
    return problems;
}
