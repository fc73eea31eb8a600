/**
 * Reading the access map document from SSM Parameter Store, within the trigger's time budget.
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

/**
 * Overall deadline for one GetParameter call, retries included. Cognito gives the trigger 5 s
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
 * Returns a loader that fetches the raw value of the SSM parameter `name` (String or
 * SecureString; the latter needs `kms:Decrypt` on its key), aborting after {@link SSM_DEADLINE_MS}.
 *
 * @param name Parameter name, e.g. `/dashboards/prod/access-map`.
 * @param client SSM client (anything with `send`), created lazily with {@link createFastSsmClient} when omitted.
 */
export function ssmParameterLoader(name: string, client?: Pick<SSMClient, "send">): () => Promise<string> {
    let ssm = client;
    return async () => {
        ssm ??= createFastSsmClient();
        // WithDecryption decrypts SecureString values and is ignored for String: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
        const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }), {
            abortSignal: AbortSignal.timeout(SSM_DEADLINE_MS),
        });
        const value = out.Parameter?.Value;
        if (typeof value !== "string") throw new Error(`SSM parameter ${name} has no value`);
        return value;
    };
}
