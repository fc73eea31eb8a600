/**
 * A local stand-in for the ALB's `authenticate-oidc` action and the identity provider behind it,
 * on 127.0.0.1, for browser tests of what a dashboard page does when its login session ends.
 *
 * - The "ALB" forwards HTTP requests and websocket upgrades to the app while the browser holds a
 *   valid session cookie (`AWSELBAuthSessionCookie-0`), adding freshly signed `x-amzn-oidc-*`
 *   headers (client-sent ones are dropped, as the ALB overwrites them) and the X-Forwarded-For,
 *   -Proto and -Port headers the ALB sets. The Host header is kept; other client headers pass on.
 * - Without a valid session it answers every request, websocket upgrades included, with a 302 to
 *   the "IdP" (`/oauth2/authorize`, another origin), as the ALB does. A websocket cannot follow it.
 * - The IdP shows a sign-in page; its button sends the browser to the ALB's `/oauth2/idpresponse`
 *   with a one-time code, which starts a new session and redirects to the page first asked for.
 * - `expireSessions()` ends every session (the ALB session timeout, `auth.sessionTimeoutSeconds`);
 *   `dropWebsockets()` closes the open websockets (an idle timeout, a new task, a network change).
 *   Like the real ALB, neither happens on its own, and sign-out (the app expiring the cookie)
 *   leaves open websockets alone.
 * - `sleep()` scales the dashboard to zero: its websockets close and, behind the same sign-in, the
 *   platform's waker answers instead of the app: a page load (a top-level navigation without
 *   X-Dashboards-Probe) wakes it and gets a "Starting…" page that reloads itself; every other
 *   request, websocket upgrades and anything with X-Dashboards-Probe included, gets 503 and wakes
 *   nothing. Every answer carries `X-Dashboards-Asleep: true`, as functions/wakeOnRequest's do.
 *   (Here the app keeps running: waking is instant.)
 * - `requests()` records each HTTP request and what answered it (the app, the waker, the redirect
 *   to sign-in), with its headers and status: the ALB's RequestCount is the ones the app answered.
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import type { BrowserContext } from "playwright-core";
import type { RunningApp } from "./harness";

export const SESSION_COOKIE = "AWSELBAuthSessionCookie-0";

/** One HTTP request the "ALB" received (its own /oauth2/idpresponse aside). */
export interface AlbRequest {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    /** Who answered: the app (through the target group), the waker, or the redirect to sign-in. */
    to: "app" | "waker" | "sign-in";
    /** Status sent to the browser (undefined until the answer has started). */
    status?: number;
    at: number;
}

/** The header the session guard sends with its checks; the waker never wakes for it. */
export const PROBE_HEADER = "x-dashboards-probe";
/** The header the waker answers every request with while the dashboard is asleep. */
export const ASLEEP_HEADER = "x-dashboards-asleep";

export interface StandInAlb {
    /** Base URL of the "ALB" (what the browser opens). */
    url: string;
    /** Base URL of the "IdP" (a different origin, like Cognito's hosted UI). */
    idpUrl: string;
    /** Prefix of the IdP's sign-in page, where an ended session must bring the browser. */
    loginUrl: string;
    /** Sign-out landing page on the IdP (for DASHBOARD_LOGOUT_URL). */
    logoutUrl: string;
    /** Paths (the ALB's `state`) the sign-in page was opened for as a page, in order. */
    logins(): string[];
    /** Requests answered with the redirect to the IdP (method, path; websocket upgrades marked). */
    redirected(): string[];
    /** Forgets the sign-ins and redirects recorded so far (one test's record starts empty). */
    resetRecord(): void;
    /** Resolves once no HTTP request has been in flight for `quietMs` (the page has settled). */
    settled(quietMs?: number): Promise<void>;
    /** Number of websockets currently proxied to the app. */
    openWebsockets(): number;
    expireSessions(): void;
    dropWebsockets(): void;
    /** A new signed-in session (the cookie a browser gets after sign-in): skips the IdP pages. */
    newSession(): { name: string; value: string; url: string };
    /** Every HTTP request received since the last resetRecord(), in order. */
    requests(): AlbRequest[];
    /** The dashboard scales to zero (see above). */
    sleep(): void;
    asleep(): boolean;
    /** Page loads that woke the dashboard. */
    wakes(): number;
    close(): Promise<void>;
}

export interface StandInAlbOptions {
    /** The app, e.g. http://127.0.0.1:8050 (read per request: the app may start after the stand-in). */
    target: () => string;
    /** The `x-amzn-oidc-*` headers for one forwarded request (signed fresh each time). */
    identityHeaders: () => Record<string, string> | Promise<Record<string, string>>;
}

// Hop-by-hop headers (RFC 9110 section 7.6.1) are not forwarded on plain HTTP requests.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"]);

async function listen(server: http.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
    for (const part of (header ?? "").split(";")) {
        const [k, ...v] = part.trim().split("=");
        if (k === name) return v.join("=");
    }
    return undefined;
}

/** `state` carries the path to return to; only same-site paths are accepted. */
function safePath(state: string | null): string {
    return state && state.startsWith("/") && !state.startsWith("//") ? state : "/";
}

function rawHead(status: string, rawHeaders: string[]): string {
    let head = `HTTP/1.1 ${status}\r\n`;
    for (let i = 0; i < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
    return head + "\r\n";
}

export async function startStandInAlb(opts: StandInAlbOptions): Promise<StandInAlb> {
    const sessions = new Set<string>();
    const codes = new Set<string>();
    const logins: string[] = [];
    const redirected: string[] = [];
    const sockets = new Set<net.Socket>();
    const requests: AlbRequest[] = [];
    let asleep = false;
    let wakes = 0;
    let inFlight = 0;
    let lastActivity = Date.now();
    let albUrl = "";
    let idpUrl = "";

    const authorizeUrl = (path: string) =>
        `${idpUrl}/oauth2/authorize?response_type=code&client_id=standin&scope=openid` +
        `&redirect_uri=${encodeURIComponent(`${albUrl}/oauth2/idpresponse`)}&state=${encodeURIComponent(path)}`;

    const hasSession = (req: http.IncomingMessage) => {
        const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
        return id !== undefined && sessions.has(id);
    };

    async function forwardedHeaders(req: http.IncomingMessage, keepUpgrade: boolean): Promise<http.OutgoingHttpHeaders> {
        const headers: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(req.headers)) {
            if (name.startsWith("x-amzn-oidc-")) continue;
            if (!keepUpgrade && HOP_BY_HOP.has(name)) continue;
            headers[name] = value;
        }
        const client = req.socket.remoteAddress ?? "127.0.0.1";
        headers["x-forwarded-for"] = req.headers["x-forwarded-for"] ? `${req.headers["x-forwarded-for"]}, ${client}` : client;
        headers["x-forwarded-proto"] = "http";
        headers["x-forwarded-port"] = new URL(albUrl).port;
        return { ...headers, ...(await opts.identityHeaders()) };
    }

    const idp = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://idp");
        if (url.pathname === "/oauth2/authorize") {
            const state = url.searchParams.get("state") ?? "/";
            // Only page loads count as "the browser is on the sign-in page": fetches, scripts and
            // XHRs of a page whose session ended also follow the ALB's 302 here (and then fail CORS).
            if (req.headers["sec-fetch-mode"] === "navigate") logins.push(state);
            const back = new URL(url.searchParams.get("redirect_uri") ?? "");
            const form = new URLSearchParams({ redirect_uri: back.href, state });
            res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(
                `<!doctype html><title>Sign in</title><h1>Sign in</h1>` +
                    `<p><a id="sign-in" href="/login?${form.toString().replace(/&/g, "&amp;")}">Sign in</a></p>`,
            );
        } else if (url.pathname === "/login") {
            // Password accepted: back to the ALB with a one-time code.
            const code = crypto.randomUUID();
            codes.add(code);
            const back = new URL(url.searchParams.get("redirect_uri") ?? "");
            back.search = new URLSearchParams({ code, state: url.searchParams.get("state") ?? "/" }).toString();
            res.writeHead(302, { location: back.href }).end();
        } else if (url.pathname === "/logout") {
            res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><title>Signed out</title><h1>You are signed out</h1>`);
        } else {
            res.writeHead(404).end();
        }
    });

    const alb = http.createServer(async (req, res) => {
        const url = new URL(req.url ?? "/", albUrl);
        if (url.pathname === "/oauth2/idpresponse") {
            const code = url.searchParams.get("code") ?? "";
            if (!codes.delete(code)) {
                res.writeHead(401, { "content-type": "text/plain" }).end("401 Authorization Required");
                return;
            }
            const id = crypto.randomBytes(16).toString("hex");
            sessions.add(id);
            res.writeHead(302, {
                location: safePath(url.searchParams.get("state")),
                "set-cookie": `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; Secure; SameSite=Lax`,
                "cache-control": "no-store",
            }).end();
            return;
        }
        inFlight++;
        lastActivity = Date.now();
        res.on("close", () => {
            inFlight--;
            lastActivity = Date.now();
        });
        const record: AlbRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, to: "app", at: Date.now() };
        requests.push(record);
        const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse;
        res.writeHead = ((...args: unknown[]) => {
            record.status = args[0] as number;
            return writeHead(...args);
        }) as typeof res.writeHead;
        if (!hasSession(req)) {
            record.to = "sign-in";
            redirected.push(`${req.method} ${req.url}`);
            res.writeHead(302, { location: authorizeUrl(req.url ?? "/"), "cache-control": "no-store" }).end();
            return;
        }
        if (asleep) {
            record.to = "waker";
            const pageLoad = req.headers["sec-fetch-mode"] === "navigate" && req.headers["sec-fetch-dest"] === "document";
            if (pageLoad && req.headers[PROBE_HEADER] === undefined) {
                asleep = false;
                wakes++;
                res.writeHead(200, { [ASLEEP_HEADER]: "true", "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(
                    `<!doctype html><title>Starting…</title><meta http-equiv="refresh" content="1"><h1>Starting…</h1>`,
                );
            } else {
                res.writeHead(503, { [ASLEEP_HEADER]: "true", "content-type": "text/plain", "cache-control": "no-store" }).end("asleep");
            }
            return;
        }
        try {
            const target = new URL(opts.target());
            const headers = await forwardedHeaders(req, false);
            const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (upRes) => {
                // Raw name/value pairs keep repeated headers (Set-Cookie) as they came.
                const pairs: string[] = [];
                for (let i = 0; i < upRes.rawHeaders.length; i += 2) {
                    if (!HOP_BY_HOP.has(upRes.rawHeaders[i].toLowerCase())) pairs.push(upRes.rawHeaders[i], upRes.rawHeaders[i + 1]);
                }
                res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, pairs);
                upRes.pipe(res);
            });
            up.on("error", () => {
                if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
                res.end("502 Bad Gateway");
            });
            req.pipe(up);
        } catch {
            res.writeHead(502).end();
        }
    });

    alb.on("upgrade", async (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
        socket.on("error", () => socket.destroy());
        if (!hasSession(req)) {
            redirected.push(`UPGRADE ${req.url}`);
            socket.end(rawHead("302 Found", ["Location", authorizeUrl(req.url ?? "/"), "Content-Length", "0", "Connection", "close"]));
            return;
        }
        if (asleep) {
            socket.end(rawHead("503 Service Unavailable", [ASLEEP_HEADER, "true", "Content-Length", "0", "Connection", "close"]));
            return;
        }
        const target = new URL(opts.target());
        const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: await forwardedHeaders(req, true) });
        up.on("upgrade", (upRes, upSocket, upHead) => {
            socket.write(rawHead(`101 ${upRes.statusMessage || "Switching Protocols"}`, upRes.rawHeaders));
            if (upHead.length) socket.write(upHead);
            if (head.length) upSocket.write(head);
            sockets.add(socket);
            const done = () => {
                sockets.delete(socket);
                socket.destroy();
                upSocket.destroy();
            };
            socket.on("close", done);
            upSocket.on("close", done);
            upSocket.on("error", done);
            upSocket.pipe(socket);
            socket.pipe(upSocket);
        });
        up.on("response", (upRes) => {
            // The app refused the upgrade: pass its answer on.
            socket.write(rawHead(`${upRes.statusCode} ${upRes.statusMessage}`, upRes.rawHeaders));
            upRes.pipe(socket);
        });
        up.on("error", () => socket.destroy());
        up.end();
    });

    function dropWebsockets(): void {
        for (const s of sockets) s.destroy();
        sockets.clear();
    }

    idpUrl = await listen(idp);
    albUrl = await listen(alb);
    return {
        url: albUrl,
        idpUrl,
        loginUrl: `${idpUrl}/oauth2/authorize`,
        logoutUrl: `${idpUrl}/logout`,
        logins: () => [...logins],
        redirected: () => [...redirected],
        resetRecord() {
            logins.length = 0;
            redirected.length = 0;
            requests.length = 0;
        },
        async settled(quietMs = 750) {
            while (inFlight > 0 || Date.now() - lastActivity < quietMs) await new Promise((r) => setTimeout(r, 100));
        },
        openWebsockets: () => sockets.size,
        expireSessions: () => sessions.clear(),
        dropWebsockets,
        newSession() {
            const id = crypto.randomBytes(16).toString("hex");
            sessions.add(id);
            return { name: SESSION_COOKIE, value: id, url: albUrl };
        },
        requests: () => [...requests],
        sleep() {
            asleep = true;
            dropWebsockets(); // the task stops
        },
        asleep: () => asleep,
        wakes: () => wakes,
        async close() {
            for (const s of sockets) s.destroy();
            for (const server of [alb, idp]) {
                server.closeAllConnections();
                await new Promise<void>((resolve) => server.close(() => resolve()));
            }
        },
    };
}

/** What `useAppBehindAlb` holds for the tests of one describe. */
export interface AppBehindAlb {
    alb: StandInAlb;
    app: RunningApp;
    /** The test's browser context, if it opened one: closed after each test. */
    context?: BrowserContext;
}

/**
 * Registers hooks in the calling `describe`: a stand-in ALB in front of the app `start` starts,
 * both stopped afterwards; after each test its browser context is closed and, when the test
 * failed, `diagnose` and the app's output are printed.
 */
export function useAppBehindAlb(opts: {
    name: string;
    identityHeaders: StandInAlbOptions["identityHeaders"];
    start(alb: StandInAlb): Promise<RunningApp>;
    diagnose(alb: StandInAlb): string;
}): AppBehindAlb {
    const suite = {} as AppBehindAlb;
    before(async function () {
        this.timeout(180_000);
        suite.alb = await startStandInAlb({ target: () => suite.app.url, identityHeaders: opts.identityHeaders });
        suite.app = await opts.start(suite.alb);
    });
    afterEach(async function () {
        if (this.currentTest?.state === "failed") {
            console.error(`--- ${opts.name}: ${opts.diagnose(suite.alb)}`);
            console.error(`--- ${opts.name} output (last 3000 chars) ---\n${suite.app?.logs().slice(-3000)}`);
        }
        await suite.context?.close();
        suite.context = undefined;
    });
    after(async () => {
        await suite.app?.stop();
        await suite.alb?.close();
    });
    return suite;
}
