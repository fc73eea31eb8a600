/**
 * Sign-out for any dashboard, with no app code: `GET /_dashboards/sign-out` on any dashboard host.
 *
 * The ALB has no sign-out of its own: the browser holds its session cookies
 * (`AWSELBAuthSessionCookie-0`, `-1`, ... when split at 4 KB), and the identity provider its own
 * session. So this function answers 302 with every such cookie expired and `Location` set to the
 * identity provider's logout for that host (Cognito's `/logout` with the host's app client and its
 * registered `https://<host>/signed-out`), which ends the provider's session and comes back to the
 * load balancer's signed-out page.
 * ALB sign-out: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html#authentication-logout
 *
 * One listener rule sends this path of every host here, without authentication (a signed-out or
 * expired user must be able to sign out too). So the function trusts nothing in the request:
 * - the redirect comes from the table bundled with the function (`sign-out.json`: host -> logout
 *   URL), never from the request; an unknown host gets 404;
 * - the cookies it expires are only `AWSELBAuthSessionCookie-<n>` (fixed names, n < 100), whatever
 *   the Cookie header holds (bounded: the first 8 KB, 16 names);
 * - a request another site makes (`Sec-Fetch-Site: cross-site`, e.g. an image on someone else's
 *   page signing users out) gets 403 and changes nothing; so do an image, a script's fetch, a frame
 *   or a prefetch from any page (a dashboard's own code could otherwise sign users out of its
 *   siblings, which are same-site); links from the dashboards themselves (same-origin, same-site:
 *   one domain) and typed or bookmarked URLs (none) sign out. Browsers without Fetch Metadata
 *   (Safari before 16.4) are not checked this way;
 * - only GET, HEAD and POST; anything else 405.
 * It reads and logs nothing about the user. It needs no AWS permission beyond its own logs.
 */
import * as fs from "fs";
import * as path from "path";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { eventHeaders, isTopLevelPageLoad } from "../shared/albRequest";

export const SIGN_OUT_PATH = "/_dashboards/sign-out";
/** The file beside the bundled handler that maps each host to its logout URL. */
export const SIGN_OUT_TABLE = "sign-out.json";

/** Host (lowercase, no port) -> the identity provider's logout URL for it. */
export type SignOutTable = Record<string, string>;

const SESSION_COOKIE = /^AWSELBAuthSessionCookie-\d{1,2}$/;
/** Shards always expired, sent or not (the browser may hold more than this request carried). */
const ALWAYS = [0, 1, 2, 3].map((n) => `AWSELBAuthSessionCookie-${n}`);
const MAX_COOKIE_NAMES = 16;
const EXPIRED = "Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; HttpOnly; SameSite=Lax";
const HOST = /^[a-z0-9.-]{1,253}$/;

/**
 * Why a request may not sign out, or undefined when it may. Where the browser sends Fetch Metadata,
 * only a top-level page load (a clicked or typed link, a form) from the dashboards themselves signs
 * out: another site's request, an image or fetch from any page (every dashboard runs its own code,
 * and sibling dashboards are same-site), a frame, or a prefetch or prerender is refused.
 */
function refusal(headers: Map<string, string>): string | undefined {
    if (headers.get("sec-fetch-site")?.trim().toLowerCase() === "cross-site") return "this request came from another site";
    if (isTopLevelPageLoad(headers) === false) return "only a page load (a link or a form) signs out, not an image, a script's request, a frame or a prefetch";
    return undefined;
}

function answer(statusCode: number, text: string, headers: Record<string, string[]> = {}): ALBResult {
    return {
        statusCode,
        statusDescription: `${statusCode} ${{ 302: "Found", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed" }[statusCode] ?? ""}`.trim(),
        multiValueHeaders: { "content-type": ["text/plain; charset=utf-8"], "cache-control": ["no-store"], ...headers },
        body: text,
        isBase64Encoded: false,
    };
}

/** The answer to one request, given the host table. Never throws. */
export function signOut(event: ALBEvent, table: SignOutTable): ALBResult {
    const method = typeof event?.httpMethod === "string" ? event.httpMethod.toUpperCase() : "";
    if (!["GET", "HEAD", "POST"].includes(method)) return answer(405, "Method not allowed.\n", { allow: ["GET, HEAD, POST"] });
    const { headers } = eventHeaders(event);
    const host = (headers.get("host") ?? "").toLowerCase().replace(/:\d{1,5}$/, "");
    const logoutUrl = HOST.test(host) && Object.prototype.hasOwnProperty.call(table, host) ? table[host] : undefined;
    if (!logoutUrl) return answer(404, "No dashboard here.\n");
    const refused = refusal(headers);
    if (refused !== undefined) return answer(403, `Sign out from the dashboard itself, with a link to ${SIGN_OUT_PATH}: ${refused}.\n`);
    // The Cookie header is already cut to its first 8 KB (MAX_HEADER_VALUE) by readHeaders.
    const sent = (headers.get("cookie") ?? "").split(";").slice(0, 64)
        .map((c) => c.split("=")[0].trim()).filter((n) => SESSION_COOKIE.test(n)).slice(0, MAX_COOKIE_NAMES);
    const names = [...new Set([...ALWAYS, ...sent])];
    return answer(302, "Signing out.\n", { location: [logoutUrl], "set-cookie": names.map((n) => `${n}=; ${EXPIRED}`) });
}

let loaded: SignOutTable | undefined;

/** The table bundled with the function: only string values for well-formed hosts are kept. */
export function readTable(file = path.join(__dirname, SIGN_OUT_TABLE)): SignOutTable {
    const raw = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    const table: SignOutTable = Object.create(null);
    if (raw && typeof raw === "object" && !Array.isArray(raw)) {
        for (const [host, url] of Object.entries(raw)) if (HOST.test(host) && typeof url === "string" && url.startsWith("https://")) table[host] = url;
    }
    return table;
}

export const handler = async (event: ALBEvent): Promise<ALBResult> => {
    try {
        loaded ??= readTable();
        return signOut(event, loaded);
    } catch {
        return answer(404, "No dashboard here.\n");
    }
};
