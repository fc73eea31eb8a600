import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { createAuthenticator, type Authenticator } from "./auth.js";
import { visibleDashboards } from "./catalogue.js";
import type { Settings } from "./config.js";
import { FINDER_JS, FINDER_PATH } from "./finder.js";
import { html, PORTAL_CSS, renderPortalPage } from "./html.js";
import { SESSION_GUARD_JS, SESSION_GUARD_PATH } from "./sessionGuard.js";
import { describeError, jsonLogger, type Logger } from "./log.js";

export type { Logger };

/** The ALB splits its session into AWSELBAuthSessionCookie-0, -1, ... (4 KB each). */
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
const SESSION_COOKIE = /^AWSELBAuthSessionCookie-\d+$/;
/** Always expired on sign-out, even if the browser did not send them (e.g. a partial request). */
const ALWAYS_EXPIRED = [0, 1, 2, 3].map((n) => `AWSELBAuthSessionCookie-${n}`);

export interface ServerOptions {
    settings: Settings;
    /** Defaults to JSON lines on stdout/stderr (src/log.ts); tests pass a quiet or recording one. */
    logger?: Logger;
    /** Injected in tests that want a fake; normally built from settings. */
    authenticator?: Authenticator;
}

export interface RunningServer {
    port: number;
    url: string;
    close(): Promise<void>;
}

function securityHeaders(h: Headers): void {
    // Server-rendered page with an external stylesheet and two same-origin scripts (the session
    // guard, which checks the session with same-origin requests, and the search); no inline code, no framing.
    h.set("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", "DENY");
}

export function createApp(options: ServerOptions): Hono {
    const { settings } = options;
    const log = options.logger ?? jsonLogger();
    const auth = options.authenticator ?? createAuthenticator(settings);
    const app = new Hono();

    app.use(async (c, next) => {
        await next();
        securityHeaders(c.res.headers);
    });

    // For the ALB target group and Docker HEALTHCHECK: no auth, no configuration echoed.
    app.get("/health", (c) => {
        c.header("Cache-Control", "no-store");
        return c.json({ status: "ok" });
    });

    app.get("/static/portal.css", (c) => {
        c.header("Cache-Control", "public, max-age=3600");
        return c.body(PORTAL_CSS, 200, { "Content-Type": "text/css; charset=utf-8" });
    });
    app.get(SESSION_GUARD_PATH, (c) => {
        c.header("Cache-Control", "public, max-age=3600");
        return c.body(SESSION_GUARD_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" });
    });
    app.get(FINDER_PATH, (c) => {
        c.header("Cache-Control", "public, max-age=3600");
        return c.body(FINDER_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" });
    });

    app.get("/", async (c) => {
        const result = await auth.authenticate(c.req.raw.headers);
        if (!result.ok) {
            // Never log the tokens themselves; the detail may quote what the client sent, so it is one JSON field.
            log.warn("portal: request without verified identity", { reason: result.reason, detail: result.detail });
        }
        const user = result.ok ? result.identity : undefined;
        const page = renderPortalPage({
            title: settings.portal.title,
            user,
            dashboards: user ? visibleDashboards(settings.portal, user.groups) : [],
            portalUrl: settings.portalUrl,
        });
        // Personalised page: no shared caches.
        c.header("Cache-Control", "no-store");
        return c.html(page, 200);
    });

    // ALB logout: expire the session cookies, then redirect to the IdP's logout endpoint: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
    app.get("/logout", (c) => {
        const present = Object.keys(getCookie(c)).filter((name) => SESSION_COOKIE.test(name));
        for (const name of new Set([...present, ...ALWAYS_EXPIRED])) {
            // Host-only (no Domain), like the cookies the ALB sets for this host.
            setCookie(c, name, "", { path: "/", secure: true, httpOnly: true, maxAge: 0, expires: new Date(0) });
        }
        c.header("Cache-Control", "no-store");
        return c.redirect(settings.logoutUrl, 302);
    });

    app.notFound((c) =>
        c.html(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><main><h1>Page not found</h1><p><a href="/">Back to the dashboards</a></p></main></body></html>`.value, 404),
    );

    app.onError((err, c) => {
        log.error("portal: unhandled error", { error: describeError(err) });
        return c.html(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head>
<body><main><h1>Something went wrong</h1><p>Please try again in a moment.</p></main></body></html>`.value, 500);
    });

    return app;
}

/** Build the portal and start listening (port 0 = any free port). */
export async function createServer(options: ServerOptions & { port?: number; host?: string }): Promise<RunningServer> {
    const app = createApp(options);
    const server = createAdaptorServer({ fetch: app.fetch });
    const port = options.port ?? options.settings.port;
    const host = options.host ?? "0.0.0.0";
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve());
    });
    const actual = (server.address() as AddressInfo).port;
    return {
        port: actual,
        url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${actual}`,
        close: () =>
            new Promise<void>((resolve, reject) => {
                if ("closeAllConnections" in server) server.closeAllConnections();
                server.close((err) => (err ? reject(err) : resolve()));
            }),
    };
}
