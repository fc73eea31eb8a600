/**
 * Planning speed (every offline plan, see runUnderMocks): the Pulumi SDK's `debuggablePromise` captures `new Error().stack` for every
 * promise it makes (several per resource), only to print it if the program exits with promises
 * still pending. At 98 dashboards (~2,150 resources) that capture was about 60% of the planning
 * time (8.1 s -> 3.1 s without it; see scripts/bench.ts). The plan itself does not change: the
 * SDK's resource source positions (`Resource.callsites`) set their own unlimited stack depth.
 */

/** Runs `fn` with `Error.stackTraceLimit = 0` (so the SDK's per-promise captures are free), then restores it. */
export async function withoutPromiseStackTraces<T>(fn: () => Promise<T>): Promise<T> {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return await fn();
    } finally {
        Error.stackTraceLimit = limit;
    }
}
