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

/** A customer-managed KMS key's ARN: a key id (UUID) or a multi-Region key id (`mrk-` and 32 hex digits); never an alias. */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KMS_ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\//;

export const KMS_KEY_ARN_DESCRIPTION = "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>)";

/** Why `arn` is not a key ARN this project grants on, said for a message after the value; undefined when it is one. */
export function kmsKeyArnProblem(arn: string): string | undefined {
    if (KMS_KEY_ARN.test(arn)) return undefined;
    // IAM matches a key's Resource by the key's own ARN; an alias ARN there grants nothing on the key.
    // https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html
    if (KMS_ALIAS_ARN.test(arn)) return `is an alias ARN, which an IAM policy cannot grant a key by; use the key's own ARN (aws kms describe-key --key-id <alias> --query KeyMetadata.Arn)`;
    return `is not ${KMS_KEY_ARN_DESCRIPTION}`;
}

const regionOf = (arn: string) => arn.split(":")[3];

/**
 * The execution role's `kms:Decrypt` statements for secrets under customer-managed keys: on exactly
 * `keyArns`, only when SSM or Secrets Manager asks on the role's behalf (`kms:ViaService`) and only
 * for these secrets (the encryption context each service binds to its data key: `PARAMETER_ARN`,
 * `SecretARN`). Secrets under the AWS managed keys (`aws/ssm`, `aws/secretsmanager`) need none.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html
 *
 * @example
 * secretDecryptStatements(["arn:aws:ssm:eu-west-1:123456789012:parameter/db"], ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
 * // [{ Sid: "DecryptOwnParameters", Action: "kms:Decrypt", Resource: [<key>], Condition: { StringEquals: {
 * //     "kms:ViaService": ["ssm.eu-west-1.amazonaws.com"], "kms:EncryptionContext:PARAMETER_ARN": [<parameter>] } } }]
 */
export function secretDecryptStatements(refs: readonly string[], keyArns: readonly string[]): Record<string, unknown>[] {
    if (keyArns.length === 0) return [];
    const keys = [...new Set(keyArns)];
    const byKind = (kind: SecretRefKind) => [...new Set(refs.filter((r) => secretRefKind(r) === kind).map(secretResourceArn))];
    const statement = (sid: string, service: string, contextKey: string, arns: string[]) => ({
        Sid: sid,
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: keys,
        Condition: {
            StringEquals: {
                // A ViaService name ends in .amazonaws.com in every partition.
                "kms:ViaService": [...new Set(arns.map((a) => `${service}.${regionOf(a)}.amazonaws.com`))],
                [`kms:EncryptionContext:${contextKey}`]: arns,
            },
        },
    });
    const ssm = byKind("ssm");
    const secretsManager = byKind("secretsmanager");
    return [
        ...(ssm.length ? [statement("DecryptOwnParameters", "ssm", "PARAMETER_ARN", ssm)] : []),
        ...(secretsManager.length ? [statement("DecryptOwnSecrets", "secretsmanager", "SecretARN", secretsManager)] : []),
    ];
}
