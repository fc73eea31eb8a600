/**
 * Answers to the load balancer: every answer carries `X-Dashboards-Asleep: true` and
 * `Cache-Control: no-store`, and uses multi-value headers exactly when the request did.
 */
import type { ALBResult } from "aws-lambda";
import { ASLEEP_HEADER, type Branding, PAGE_CSP, type PageStatus, renderPage } from "./page";
import type { AlbRequest } from "./request";

const REASONS: Record<number, string> = { 200: "OK", 403: "Forbidden", 503: "Service Unavailable" };

/** Seconds a client should wait before retrying a request that does not wake. */
export const RETRY_AFTER_SECONDS = 30;

/**
 * Builds an ALB result.
 *
 * @param request The request answered (its method and header mode).
 * @param status HTTP status.
 * @param contentType Content-Type of the body.
 * @param body The body; dropped for HEAD.
 * @param extra Further headers.
 */
export function albResult(request: Pick<AlbRequest, "method" | "multiValue">, status: number, contentType: string, body: string, extra: Record<string, string> = {}): ALBResult {
    const headers: Record<string, string> = {
        "Content-Type": contentType,
        "Cache-Control": "no-store",
        [ASLEEP_HEADER]: "true",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        ...extra,
    };
    // A Lambda answering an ALB gives statusCode, statusDescription, headers or multiValueHeaders, body, isBase64Encoded: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
    const result: ALBResult = {
        statusCode: status,
        statusDescription: `${status} ${REASONS[status] ?? ""}`.trim(),
        body: request.method === "HEAD" ? "" : body,
        isBase64Encoded: false,
    };
    if (request.multiValue) result.multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
    else result.headers = headers;
    return result;
}

/** The starting page (503: the dashboard itself is not serving yet). */
export function pageResult(request: Pick<AlbRequest, "method" | "multiValue">, brand: Branding, status: PageStatus): ALBResult {
    return albResult(request, 503, "text/html; charset=utf-8", renderPage(brand, status), {
        "Content-Security-Policy": PAGE_CSP,
        "Retry-After": "5",
    });
}

/** The poll's JSON answer (200: the poll itself succeeded; `state` says how far the start is). */
export function pollResult(request: Pick<AlbRequest, "method" | "multiValue">, status: PageStatus): ALBResult {
    return albResult(request, 200, "application/json; charset=utf-8", JSON.stringify(status));
}

/** The answer to a request that never wakes: 503, a tiny body. */
export function asleepResult(request: Pick<AlbRequest, "method" | "multiValue">): ALBResult {
    return albResult(request, 503, "text/plain; charset=utf-8", "This dashboard is asleep or starting.\n", { "Retry-After": String(RETRY_AFTER_SECONDS) });
}

/** The answer to a request that did not come through the waker target group. */
export function refusedResult(request: Pick<AlbRequest, "method" | "multiValue">): ALBResult {
    return albResult(request, 403, "text/plain; charset=utf-8", "Forbidden.\n");
}

/** The answer to the load balancer's health check of the waker target group. */
export function healthResult(request: Pick<AlbRequest, "method" | "multiValue">): ALBResult {
    return albResult(request, 200, "text/plain; charset=utf-8", "ok\n");
}
