/**
 * References to secrets a task reads at start (`secrets[].valueFrom` in an ECS container
 * definition), and the IAM resource each one needs. Pure: the stack validator and DashboardService
 * share it, so a reference the validator accepts is one the component can grant on exactly.
 *
 * A Secrets Manager secret's ARN ends in `-` and 6 random characters. Without them (a "partial
 * ARN") IAM can only match it with a wildcard, and `...:secret:p*` is every secret whose name
 * starts with `p`; so only full ARNs are taken, and the grant is on that ARN alone.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot.html#ARN_secretnamehyphen
 */

/** Secret names: letters, digits and `/_+=.@-`, at most 512 characters. */
const SECRET_NAME = "[\\w/+=.@-]{1,512}";
const SECRETS_MANAGER_PREFIX = "arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:";

/** A full Secrets Manager secret ARN: the name, `-` and the 6 random characters. */
export const SECRETS_MANAGER_SECRET_ARN = new RegExp(`^${SECRETS_MANAGER_PREFIX}${SECRET_NAME}-[A-Za-z0-9]{6}$`);
/** What ECS takes in `valueFrom`: a full secret ARN, optionally `:<json-key>:<version-stage>:<version-id>` (each may be empty). */
export const SECRETS_MANAGER_VALUE_FROM = new RegExp(`^${SECRETS_MANAGER_PREFIX}${SECRET_NAME}-[A-Za-z0-9]{6}(?::[^:\\s]*:[^:\\s]*:[^:\\s]*)?$`);
/** An SSM parameter ARN (names: letters, digits and `_.-/`, at most 2048 characters). */
export const SSM_PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[\w.\-/]{1,2048}$/;
/** A Secrets Manager ARN that stops at the name: the random suffix (or everything after `secret:`) is missing. */
const PARTIAL_SECRETS_MANAGER_ARN = new RegExp(`^${SECRETS_MANAGER_PREFIX}${SECRET_NAME}(?::[^:\\s]*:[^:\\s]*:[^:\\s]*)?$`);

export const SECRET_REF_DESCRIPTION =
    "an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>) or a full Secrets Manager secret ARN " +
    "(arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>, optionally followed by :<json-key>:<version-stage>:<version-id>)";

export type SecretRefKind = "ssm" | "secretsmanager";

/** Which service a `valueFrom` reads from, or undefined when it is not a reference this project accepts. */
export function secretRefKind(ref: string): SecretRefKind | undefined {
    if (SSM_PARAMETER_ARN.test(ref)) return "ssm";
    if (SECRETS_MANAGER_VALUE_FROM.test(ref)) return "secretsmanager";
    return undefined;
}

/** Why `ref` is not accepted, said for a message after the value; undefined when it is accepted. */
export function secretRefProblem(ref: string): string | undefined {
    if (secretRefKind(ref)) return undefined;
    if (PARTIAL_SECRETS_MANAGER_ARN.test(ref)) {
        return "is a partial Secrets Manager ARN (no -<6 random characters> after the name), which IAM could only match with a wildcard; " +
            "use the secret's full ARN (aws secretsmanager describe-secret --secret-id <name> --query ARN)";
    }
    return `is not ${SECRET_REF_DESCRIPTION}`;
}

/** The IAM resource a reference needs: the ARN itself, a Secrets Manager ARN without its json-key/stage/version part. */
export function secretResourceArn(ref: string): string {
    return secretRefKind(ref) === "secretsmanager" ? ref.split(":").slice(0, 7).join(":") : ref;
}
