/**
 * Reading the headers of a request the load balancer passes to a Lambda target, and what the
 * browser's Fetch Metadata says about it. Shared by the sign-out function and the wakers, which
 * both act only on a top-level page load. Everything here is untrusted input: a field of the
 * wrong type is treated as absent, and long or many values are cut.
 */
import { isRecord } from "../preTokenGeneration/util";

/** Longest header value kept (ALB allows 16 KB per header line; the sign-out reads up to 8 KB of Cookie). */
export const MAX_HEADER_VALUE = 8 * 1024;
/** Most headers read (ALB allows 100 request headers). */
export const MAX_HEADERS = 100;

/**
 * Lower-case header name -> value. With multi-value headers, the last value of a repeated header,
 * as ALB itself passes without them: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
 * Names are lower-cased here, so that no check fails open if ALB ever sends another case.
 *
 * @param raw `event.headers` or `event.multiValueHeaders`, of any type.
 * @param multiValue Whether `raw` is the multi-value form (name -> array of values).
 */
export function readHeaders(raw: unknown, multiValue: boolean): Map<string, string> {
    const headers = new Map<string, string>();
    if (!isRecord(raw)) return headers;
    for (const [name, value] of Object.entries(raw).slice(0, MAX_HEADERS)) {
        const last = multiValue ? (Array.isArray(value) ? value[value.length - 1] : undefined) : value;
        if (typeof last === "string") headers.set(name.toLowerCase(), last.slice(0, MAX_HEADER_VALUE));
    }
    return headers;
}

/** The headers of an ALB event, from whichever form it carries (`multiValueHeaders` when present). */
export function eventHeaders(event: unknown): { headers: Map<string, string>; multiValue: boolean } {
    const record = isRecord(event) ? event : {};
    // With multi-value headers on, the event has multiValueHeaders instead of headers (same page as above).
    const multiValue = isRecord(record.multiValueHeaders) && !isRecord(record.headers);
    return { headers: readHeaders(multiValue ? record.multiValueHeaders : record.headers, multiValue), multiValue };
}

/**
 * Whether the browser marks this request as a top-level page load: a clicked or typed link or a
 * posted form (`Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest: document`: https://www.w3.org/TR/fetch-metadata/).
 * - false: an image, a script's request, a frame (any `Sec-Fetch-Dest` but document), or a
 *   speculative prefetch or prerender, which no user is waiting for (`Sec-Purpose`, older
 *   `Purpose`: https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Sec-Purpose);
 * - true: a navigation, with `Sec-Fetch-Dest` document or absent;
 * - undefined: the request carries no `Sec-Fetch-Mode` (a browser without Fetch Metadata, such as
 *   Safari before 16.4, or no browser at all), so the caller decides by other means.
 *
 * Whether the request came from another site (`Sec-Fetch-Site`) is the caller's own question.
 */
export function isTopLevelPageLoad(headers: Map<string, string>): boolean | undefined {
    const field = (name: string) => headers.get(name)?.trim().toLowerCase();
    if (/prefetch|prerender/.test(`${field("sec-purpose") ?? ""} ${field("purpose") ?? ""}`)) return false;
    const dest = field("sec-fetch-dest");
    if (dest !== undefined && dest !== "document") return false;
    const mode = field("sec-fetch-mode");
    return mode === undefined ? undefined : mode === "navigate";
}
