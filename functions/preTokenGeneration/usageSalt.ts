/**
 * The salt of the hashed user key, read from SSM (a SecureString beside the access map's path) once
 * per function instance, since it never changes. It is not in the function's environment, where
 * whoever may read the function's configuration would read it too.
 *
 * Statistics never fail a sign-in and rarely slow one: the first fetch runs beside the first
 * access-map lookup; a sign-in waits for it at most {@link SALT_WAIT_MS}; a fetch that failed or
 * overran that wait is tried again no sooner than {@link SALT_RETRY_MS} later (so an SSM outage adds
 * its timeout to one sign-in a minute, not to each), and meanwhile lines carry no user key and say why.
 */
import { describeError } from "./util";

/** How long after a failed fetch the next sign-in tries again. */
export const SALT_RETRY_MS = 60_000;
/**
 * Longest a sign-in waits for the salt (the SSM loader gives up after its own 2 s deadline; this
 * bounds any loader): past it the line goes without a user key and the fetch carries on for later lines.
 */
export const SALT_WAIT_MS = 2500;
/** Shortest salt used: anything shorter is taken for a broken parameter, not a secret (the stack's is 32). */
export const MIN_SALT_LENGTH = 16;

/** The salt, or why there is none. */
export interface UsageSaltResult {
    salt?: string;
    problem?: string;
}

/**
 * Creates the instance's salt source. The returned function never rejects and shares one fetch
 * among concurrent callers.
 *
 * @param load Fetches the salt (e.g. `ssmSecureValueLoader(<the name USAGE_SALT_PARAMETER gives>)`).
 * @param now Milliseconds since the epoch.
 */
export function createUsageSaltSource(load: () => Promise<string>, now: () => number, retryMs = SALT_RETRY_MS, waitMs = SALT_WAIT_MS): () => Promise<UsageSaltResult> {
    let salt: string | undefined;
    let failure: { at: number; problem: string } | undefined;
    let inFlight: Promise<UsageSaltResult> | undefined;

    const fetchSalt = async (): Promise<UsageSaltResult> => {
        try {
            const value = await load();
            if (typeof value !== "string" || value.length < MIN_SALT_LENGTH) {
                throw new Error(`the salt has ${typeof value === "string" ? value.length : "no"} characters, fewer than ${MIN_SALT_LENGTH}`);
            }
            salt = value;
            failure = undefined;
            return { salt };
        } catch (err) {
            failure = { at: now(), problem: `usage salt unavailable, so the line has no user key (tried again after ${retryMs / 1000} s): ${describeError(err)}` };
            return { problem: failure.problem };
        }
    };

    return () => {
        if (salt !== undefined) return Promise.resolve({ salt });
        if (failure && now() - failure.at < retryMs) return Promise.resolve({ problem: failure.problem });
        // Cleared once settled (a microtask later, even for a loader that throws at once), so a later try fetches anew.
        inFlight ??= fetchSalt().finally(() => {
            inFlight = undefined;
        });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<UsageSaltResult>((resolve) => {
            timer = setTimeout(() => {
                // Counted as a failure, so later sign-ins do not wait again; the fetch carries on and a late salt is kept.
                failure = { at: now(), problem: `usage salt not fetched within ${waitMs} ms, so the line has no user key (tried again after ${retryMs / 1000} s)` };
                resolve({ problem: failure.problem });
            }, waitMs);
            timer.unref?.();
        });
        return Promise.race([inFlight, late]).finally(() => clearTimeout(timer));
    };
}
