/** IAM policy statements more than one component uses. */

/** Bucket-policy statement refusing every request to the bucket that does not use TLS. */
export function denyInsecureTransport(bucketArn: string): Record<string, unknown> {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/**
 * Key-policy statement letting the account administer a customer-managed KMS key: without it the key
 * cannot be managed at all, and with it IAM policies of the account decide who else may use the key.
 * A key policy's Resource is always "*": it means this key.
 */
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
export function accountAdministersKey(partition: string, accountId: string): Record<string, unknown> {
    return { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" };
}
