/**
 * Reading an invocation: which kind of event it is and, for a request from the load balancer,
 * what kind of request. Everything here is untrusted input: a field of the wrong type is treated
 * as absent, long values are cut, and nothing in this module calls AWS.
 */
import { isRecord } from "../preTokenGeneration/util";
import { eventHeaders, isTopLevelPageLoad } from "../shared/albRequest";

/** Request header set by the starting page's poll. */
export const WAKE_HEADER = "x-dashboards-wake";
/** Request header of the templates' session guard (a background same-origin GET). */
export const PROBE_HEADER = "x-dashboards-probe";

/** Longest path kept for the log. */
const MAX_LOGGED_PATH = 200;

/** What a request from the load balancer asks for, as far as waking is concerned. */
export type RequestKind =
    /** A top-level page load: wakes the dashboard and gets the starting page. */
    | "navigate"
    /** The starting page asking how far the start is: wakes too (a user is waiting), gets JSON. */
    | "poll"
    /** The session guard of a dashboard page: never wakes. */
    | "probe"
    /** The load balancer's health check of the waker target group: answered 200, never wakes. */
    | "health-check"
    /** Anything else (POST from a stale tab, XHR, assets, websocket upgrade, prefetch): never wakes. */
    | "other";

/** The facts of one ALB request that the controller uses. */
export interface AlbRequest {
    /** `requestContext.elb.targetGroupArn`: must be the waker target group. */
    targetGroupArn?: string;
    method: string;
    /** Path only (no query string), cut to a loggable length. */
    path: string;
    /** Lower-case header name -> value (the last one when a header is repeated, as ALB does without multi-value headers). */
    headers: Map<string, string>;
    /** The event used `multiValueHeaders`: the response must use them too. */
    multiValue: boolean;
    /** `x-amzn-trace-id` when well formed, for the log. */
    traceId?: string;
}

/** What an invocation is. */
export type Invocation =
    | { kind: "alb"; request: AlbRequest }
    | { kind: "schedule" }
    | { kind: "unknown"; detail: string };

/**
 * Tells an ALB request, an EventBridge scheduled event and anything else apart. An event that
 * carries `httpMethod` but no `requestContext.elb` is still read as a request (so that it is
 * answered, and refused for its missing target group) rather than ignored.
 *
 * @param event The raw event, of any type (null, a string, an array: all `unknown`).
 */
export function readInvocation(event: unknown): Invocation {
    if (!isRecord(event)) return { kind: "unknown", detail: event === null ? "null event" : `event is ${Array.isArray(event) ? "an array" : typeof event}` };
    // Scheduled rules deliver source "aws.events" and detail-type "Scheduled Event": https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
    if (event.source === "aws.events" && event["detail-type"] === "Scheduled Event") return { kind: "schedule" };
    const context = isRecord(event.requestContext) ? event.requestContext : undefined;
    const elb = context && isRecord(context.elb) ? context.elb : undefined;
    if (!elb && typeof event.httpMethod !== "string") {
        const keys = Object.keys(event).slice(0, 8).map((k) => k.slice(0, 40));
        return { kind: "unknown", detail: `neither an ALB request nor a scheduled event (keys: ${keys.join(", ") || "none"})` };
    }
    const { headers, multiValue } = eventHeaders(event);
    const trace = headers.get("x-amzn-trace-id");
    return {
        kind: "alb",
        request: {
            targetGroupArn: elb && typeof elb.targetGroupArn === "string" ? elb.targetGroupArn : undefined,
            method: typeof event.httpMethod === "string" ? event.httpMethod.slice(0, 16).toUpperCase() : "",
            path: typeof event.path === "string" ? event.path.slice(0, MAX_LOGGED_PATH) : "",
            headers,
            multiValue,
            traceId: trace !== undefined && /^[A-Za-z0-9=;:.-]{1,200}$/.test(trace) ? trace : undefined,
        },
    };
}

/** Whether an Accept header value accepts text/html (with a q above 0). */
export function acceptsHtml(accept: string | undefined): boolean {
    if (accept === undefined) return false;
    return accept.split(",").some((item) => {
        const [type, ...params] = item.split(";").map((s) => s.trim().toLowerCase());
        if (type !== "text/html") return false;
        const q = params.find((p) => p.startsWith("q="));
        return q === undefined || Number(q.slice(2)) > 0;
    });
}

/**
 * Classifies a request. Only a GET or HEAD top-level page load wakes: `Sec-Fetch-Mode: navigate` with
 * `Sec-Fetch-Dest: document` where the browser sends Fetch Metadata, else an Accept that includes
 * text/html. A page in a frame does not wake. A speculative prefetch or
 * prerender (`Sec-Purpose`/`Purpose: prefetch`) is not a user waiting for the page, so it does not wake.
 */
export function classifyRequest(request: AlbRequest): RequestKind {
    const h = request.headers;
    const getOrHead = request.method === "GET" || request.method === "HEAD";
    if (h.has(PROBE_HEADER)) return "probe";
    if (!getOrHead || h.has("upgrade")) return "other";
    if (h.get(WAKE_HEADER)?.trim().toLowerCase() === "poll") return request.method === "GET" ? "poll" : "other";
    // A frame's load (iframe, frame, embed, object) never could show the starting page
    // (frame-ancestors 'none'), so a hidden frame on another page would only start tasks nobody watches.
    const pageLoad = isTopLevelPageLoad(h);
    if (pageLoad !== undefined) return pageLoad ? "navigate" : "other";
    // The ALB's health checker sends this user agent: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
    if (/^ELB-HealthChecker\//.test(h.get("user-agent") ?? "")) return "health-check";
    return acceptsHtml(h.get("accept")) ? "navigate" : "other";
}
