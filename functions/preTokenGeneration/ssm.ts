/**
 * Reading one sign-in's access-map documents, and the usage salt, from SSM Parameter Store, within
 * the trigger's time budget.
 */
import { GetParametersCommand, type GetParametersCommandOutput, SSMClient } from "@aws-sdk/client-ssm";
import { type AccessMapDocuments, adminGroupsParameterName, clientParameterName } from "./accessMap";

/**
 * Overall deadline for one GetParameters call, retries included. Cognito gives the trigger 5 s
 * in total; this leaves room for the cold start and the decision.
 */
// Cognito waits 5 s for a trigger: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
export const SSM_DEADLINE_MS = 2000;

/** An SSM client that fails fast: short connect/request timeouts and a single retry. */
export function createFastSsmClient(): SSMClient {
    return new SSMClient({
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true },
    });
}

/**
 * Returns a loader that fetches, in one GetParameters call, the admin groups and the client's
 * entry under the map's `path`, aborting after {@link SSM_DEADLINE_MS}. A client without a
 * parameter (or with an id that cannot name one) comes back without `client`; a missing admin
 * parameter is an error (the map is not there: fail closed).
 *
 * @param path The map's path, e.g. `/dashboards/prod/auth/access`.
 * @param client SSM client (anything with `send`), created lazily with {@link createFastSsmClient} when omitted.
 */
export function ssmAccessMapLoader(path: string, client?: Pick<SSMClient, "send">): (clientId: string) => Promise<AccessMapDocuments> {
    let ssm = client;
    const adminName = adminGroupsParameterName(path);
    return async (clientId) => {
        ssm ??= createFastSsmClient();
        const clientName = clientParameterName(path, clientId);
        const names = clientName === undefined ? [adminName] : [adminName, clientName];
        // Names not found come back in InvalidParameters, not as an error; WithDecryption is ignored for String:
        // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
        const out = await ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }), {
            abortSignal: AbortSignal.timeout(SSM_DEADLINE_MS),
        });
        const adminGroups = requiredValue(out, adminName);
        const entry = clientName === undefined ? undefined : valueOf(out, clientName);
        return entry === undefined ? { adminGroups } : { adminGroups, client: entry };
    };
}

/**
 * Returns a loader of one parameter's decrypted value (a SecureString, e.g. the usage salt), through
 * GetParameters (granted on that parameter's exact ARN) and within {@link SSM_DEADLINE_MS}. A missing
 * parameter is an error.
 */
export function ssmSecureValueLoader(name: string, client?: Pick<SSMClient, "send">): () => Promise<string> {
    let ssm = client;
    return async () => {
        ssm ??= createFastSsmClient();
        // The AWS managed key aws/ssm lets the account's principals decrypt: no kms permission to grant. https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html
        const out = await ssm.send(new GetParametersCommand({ Names: [name], WithDecryption: true }), {
            abortSignal: AbortSignal.timeout(SSM_DEADLINE_MS),
        });
        return requiredValue(out, name);
    };
}

function valueOf(out: GetParametersCommandOutput, name: string): string | undefined {
    return out.Parameters?.find((p) => p.Name === name)?.Value;
}

function requiredValue(out: GetParametersCommandOutput, name: string): string {
    const value = valueOf(out, name);
    if (typeof value !== "string") throw new Error(`SSM parameter ${name} is missing or has no value`);
    return value;
}
