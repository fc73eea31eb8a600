/**
 * Wake on request: the controller of a dashboard that scales to zero (`minTasks: 0`).
 *
 * The dashboard has two listener rules on its hosts, each authenticating, then forwarding: the app
 * rule to the app's target group (its ECS tasks), at a priority Pulumi manages, and the wake rule
 * to a "waker" target group whose only target is this function. The lower priority wins. Asleep,
 * the wake rule sits at WAKE_RULE_ASLEEP_PRIORITY (below the app rule's: requests reach the
 * waker); awake, at WAKE_RULE_AWAKE_PRIORITY (above it: requests reach the app). This function
 * moves only the wake rule, with SetRulePriorities, and never writes a rule's actions. It is invoked
 *
 * - by the ALB, for requests that reach the waker (only after the wake rule's authenticate action):
 *   a page load scales the service up to AWAKE_MIN_TASKS and answers the "Starting …" page, which
 *   polls (header `X-Dashboards-Wake: poll`) until a target is healthy; the poll then moves the
 *   wake rule to its awake slot and answers "ready", and the page reloads into the dashboard.
 *   Requests that are not page loads (the templates' session probe, POSTs, XHR) never wake: 503,
 *   tiny body.
 * - by an EventBridge schedule (every 5 minutes): the idle check. A dashboard with no request to
 *   either target group for IDLE_MINUTES (and no task started within them) is put to sleep: the
 *   wake rule to its asleep slot first, then the scalable target and the service to 0. A sleeping
 *   service still routed to the app is repaired.
 *
 * Fail safe: any error answers the page or poll with "could not start" and a request id, never a
 * stack trace or a 502; rules that are not exactly the expected pair (rule.ts: each
 * [authenticate, forward to its own target group only], the app rule's priority between the wake
 * rule's two slots) are never moved. One JSON line per decision goes to stdout (CloudWatch Logs).
 *
 * Environment: see config.ts (ENV); every variable is checked on the first invocation, and a bad
 * one makes every invocation fail safe (no AWS call) with `config-error` in the log.
 */
import type { ALBResult, Context } from "aws-lambda";
import { type AwsClients, createClients, DashboardAws } from "./aws";
import { ConfigError, readConfig, type WakeConfig } from "./config";
import { IdleStepError, runIdleCheck, type IdleOutcome } from "./idle";
import { type Branding, FALLBACK_BRANDING, pageStatus, type PageStatus } from "./page";
import { type AlbRequest, classifyRequest, readInvocation, type RequestKind } from "./request";
import { asleepResult, healthResult, pageResult, pollResult, refusedResult } from "./response";
import { RuleShapeError } from "./rule";
import { createWakePath, type WakeOutcome } from "./wake";
import { describeError } from "../preTokenGeneration/util";

/** The structured line logged for every invocation. */
export interface WakeLogEntry {
    level: "INFO" | "WARN" | "ERROR";
    message: "wake decision" | "idle decision" | "ignored event";
    /** For requests: what was answered; for the idle check: none, repair, sleep or error. */
    decision: string;
    reason: string;
    requestKind?: RequestKind;
    method?: string;
    path?: string;
    traceId?: string;
    service?: string;
    desired?: number;
    running?: number;
    healthy?: number;
    routing?: string;
    appRulePriority?: number;
    wakeRulePriority?: number;
    steps?: string[];
    cached?: boolean;
    startingSeconds?: number;
    requestsInWindow?: number;
    newestTaskStartedAt?: string;
    unstartedTasks?: number;
    rerouted?: boolean;
    error?: string;
    requestId?: string;
}

/** Injectable dependencies of {@link createHandler}; everything defaults to the Lambda setup. */
export interface HandlerDependencies {
    /** Environment to read the settings from. Default: `process.env`. */
    env?: Record<string, string | undefined>;
    /** SDK clients. Default: created for the region of CLUSTER_ARN on first use. */
    clients?: AwsClients;
    /** Milliseconds since the epoch. Default: `Date.now`. */
    now?: () => number;
    /** Receives one entry per invocation. Default: one JSON line on stdout. */
    log?: (entry: WakeLogEntry) => void;
}

/** The parts of the Lambda context the handler reads. */
export type WakeContext = Pick<Context, "awsRequestId"> & Partial<Pick<Context, "getRemainingTimeInMillis">>;

/** The handler: an ALB result for ALB requests, the idle outcome for scheduled events, nothing otherwise. */
export type WakeHandler = (event: unknown, context?: WakeContext) => Promise<ALBResult | IdleSummary | undefined>;

/** Time kept back from the function's timeout to build and return the answer. */
export const ANSWER_MARGIN_MS = 1000;
/** The AWS calls' budget when the context does not tell the remaining time (tests, manual runs). */
export const DEFAULT_BUDGET_MS = 8000;

/** When this invocation's AWS calls must be done (wall clock, ms since the epoch). */
function invocationEnd(context: WakeContext | undefined): number {
    // The context's getRemainingTimeInMillis counts down to the function's timeout: https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
    const remaining = typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : NaN;
    const budget = Number.isFinite(remaining) ? remaining - ANSWER_MARGIN_MS : DEFAULT_BUDGET_MS;
    return Date.now() + Math.max(500, budget);
}

/** What the idle check returns (EventBridge ignores it; tests and manual invocations read it). */
export interface IdleSummary {
    decision: string;
    reason: string;
    steps: string[];
}

// Lambda relays stdout to the function's CloudWatch Logs log stream: https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html
function writeJsonLine(entry: WakeLogEntry): void {
    process.stdout.write(`${JSON.stringify(entry)}\n`);
}

interface Ready {
    config: WakeConfig;
    aws: DashboardAws;
    wake: () => Promise<WakeOutcome>;
}

/**
 * Creates a handler with its own caches and rate limits (one Lambda instance); tests create one
 * per scenario, Lambda uses the module-level {@link handler}.
 */
export function createHandler(deps: HandlerDependencies = {}): WakeHandler {
    const now = deps.now ?? Date.now;
    const log = (entry: WakeLogEntry) => {
        try {
            (deps.log ?? writeJsonLine)(entry);
        } catch {
            // A broken logger must not break the answer.
        }
    };
    let setup: { ready?: Ready; error?: ConfigError } | undefined;
    // Lambda runs one invocation at a time per instance: the current one's end, read by every AWS call.
    let end = Infinity;

    function configured(): { ready?: Ready; error?: ConfigError } {
        if (setup) return setup;
        try {
            const config = readConfig(deps.env ?? process.env);
            const aws = new DashboardAws(config, deps.clients ?? createClients(config.region), () => end);
            setup = { ready: { config, aws, wake: createWakePath(config, aws, now) } };
        } catch (err) {
            setup = { error: err instanceof ConfigError ? err : new ConfigError([describeError(err)]) };
        }
        return setup;
    }

    async function onRequest(request: AlbRequest, requestId: string | undefined): Promise<{ result: ALBResult; entry: Omit<WakeLogEntry, "message"> }> {
        const base = { method: request.method, path: request.path, traceId: request.traceId };
        const { ready, error } = configured();
        if (!ready) {
            const kind = classifyRequest(request);
            const failed = pageStatus(FALLBACK_BRANDING, "failed", { reason: "error", reference: requestId });
            const result = kind === "poll" ? pollResult(request, failed) : kind === "navigate" ? pageResult(request, FALLBACK_BRANDING, failed) : asleepResult(request);
            return { result, entry: { level: "ERROR", decision: "failed", reason: "config-error", requestKind: kind, ...base, error: error?.message } };
        }
        // Lambda targets receive the target group ARN in requestContext.elb: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
        if (request.targetGroupArn !== ready.config.wakerTargetGroupArn) {
            return { result: refusedResult(request), entry: { level: "WARN", decision: "refused", reason: "not from the waker target group", ...base } };
        }
        const kind = classifyRequest(request);
        const brand: Branding = ready.config;
        if (kind === "health-check") return { result: healthResult(request), entry: { level: "INFO", decision: "health-check", reason: "ELB health checker", requestKind: kind, ...base } };
        if (kind === "probe" || kind === "other") {
            return { result: asleepResult(request), entry: { level: "INFO", decision: "asleep", reason: "not a page load: never wakes", requestKind: kind, ...base } };
        }
        const outcome = await ready.wake();
        const status: PageStatus = pageStatus(brand, outcome.state, { reason: outcome.failure, reference: requestId, timeoutSeconds: ready.config.startTimeoutSeconds });
        const result = kind === "poll" ? pollResult(request, status) : pageResult(request, brand, status);
        return {
            result,
            entry: {
                level: outcome.state === "failed" ? (outcome.failure === "timeout" ? "WARN" : "ERROR") : "INFO",
                decision: outcome.state,
                reason: outcome.error instanceof RuleShapeError ? "rule-shape" : outcome.reason,
                requestKind: kind,
                ...base,
                ...outcome.observed,
                steps: outcome.steps,
                cached: outcome.cached,
                startingSeconds: outcome.startingSeconds,
                error: outcome.error === undefined ? undefined : describeError(outcome.error),
            },
        };
    }

    async function onSchedule(): Promise<{ summary: IdleSummary; entry: Omit<WakeLogEntry, "message"> }> {
        const { ready, error } = configured();
        if (!ready) {
            return { summary: { decision: "error", reason: "config-error", steps: [] }, entry: { level: "ERROR", decision: "error", reason: "config-error", error: error?.message } };
        }
        let outcome: IdleOutcome;
        try {
            outcome = await runIdleCheck(ready.config, ready.aws, now);
        } catch (err) {
            const steps = err instanceof IdleStepError ? err.steps : [];
            const reason = err instanceof RuleShapeError ? "rule-shape" : err instanceof IdleStepError ? "a step failed" : "could not read the state";
            const detail = err instanceof IdleStepError ? `${err.message}: ${describeError(err.cause)}` : describeError(err);
            return { summary: { decision: "error", reason, steps }, entry: { level: "ERROR", decision: "error", reason, steps, error: detail } };
        }
        const { decision, observed, activity, steps, rerouted } = outcome;
        return {
            summary: { decision: decision.decision, reason: decision.reason, steps },
            entry: {
                level: decision.decision === "repair" || rerouted ? "WARN" : "INFO",
                decision: decision.decision,
                reason: decision.reason,
                ...observed,
                steps,
                requestsInWindow: activity?.requests,
                newestTaskStartedAt: activity?.newestTaskStartMs === undefined ? undefined : new Date(activity.newestTaskStartMs).toISOString(),
                unstartedTasks: activity?.unstartedTasks,
                rerouted,
            },
        };
    }

    return async (event, context) => {
        const requestId = context?.awsRequestId;
        end = invocationEnd(context);
        const invocation = readInvocation(event);
        if (invocation.kind === "alb") {
            let answer: Awaited<ReturnType<typeof onRequest>>;
            try {
                answer = await onRequest(invocation.request, requestId);
            } catch (err) {
                // Not expected (every failure above is an answer); still never a 502.
                const brand = setup?.ready?.config ?? FALLBACK_BRANDING;
                const failed = pageStatus(brand, "failed", { reason: "error", reference: requestId });
                answer = { result: pageResult(invocation.request, brand, failed), entry: { level: "ERROR", decision: "failed", reason: "internal-error", error: describeError(err) } };
            }
            log({ message: "wake decision", ...answer.entry, service: setup?.ready?.config.serviceName, requestId });
            return answer.result;
        }
        if (invocation.kind === "schedule") {
            let answer: Awaited<ReturnType<typeof onSchedule>>;
            try {
                answer = await onSchedule();
            } catch (err) {
                answer = { summary: { decision: "error", reason: "internal-error", steps: [] }, entry: { level: "ERROR", decision: "error", reason: "internal-error", error: describeError(err) } };
            }
            log({ message: "idle decision", ...answer.entry, service: setup?.ready?.config.serviceName, requestId });
            return answer.summary;
        }
        log({ level: "WARN", message: "ignored event", decision: "ignored", reason: invocation.detail, service: setup?.ready?.config.serviceName, requestId });
        return undefined;
    };
}

/** The Lambda entry point (`functions/wakeOnRequest/handler.handler`). */
export const handler: WakeHandler = createHandler();
