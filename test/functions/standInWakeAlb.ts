/**
 * A local stand-in for what surrounds the wake-on-request controller, on 127.0.0.1, for browser
 * tests of the starting page:
 *
 * - the "ALB": an HTTP server that routes as a listener does: it reads the listener's rules from
 *   moto and takes the one with the lowest priority whose conditions match the request (every
 *   request is taken as addressed to the dashboard's host; only host-header conditions are known
 *   here, a rule with any other condition does not match). When that rule forwards to the waker
 *   target group, the request goes to the controller's handler as an ALB event (the handler is
 *   the Lambda target); to the app target group, it is proxied to the "dashboard"; no rule: the
 *   listener's 404. The rules' authenticate actions are not run (no identity provider here).
 *   A rule change reaches the stand-in after `propagationMs`, as it reaches real ALB nodes after a while.
 * - "ECS": when moto says the service's desired count is above 0, the dashboard starts; it
 *   answers its health check only `bootMs` after that.
 * - the ALB's health check: once the dashboard's /health answers 200, its ip target is registered
 *   in moto (which reports a registered target healthy).
 */
import * as http from "node:http";
import type * as net from "node:net";
import type { Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ALBEvent, ALBResult } from "aws-lambda";
import type { WakeHandler } from "../../functions/wakeOnRequest/handler";
import { DASHBOARD_HOST, type MotoDashboard } from "./wakeOnRequest.fixtures";

export interface StandInWakeAlb {
    /** What the browser opens. */
    url: string;
    /** Requests the handler answered (method, path, request kind by header) and those proxied to the dashboard. */
    toHandler: string[];
    toDashboard: string[];
    close(): Promise<void>;
}

export interface StandInWakeAlbOptions {
    dashboard: MotoDashboard;
    handler: WakeHandler;
    /** How long the dashboard takes from "ECS started it" to a healthy /health. */
    bootMs: number;
    /** How long a rule change takes to reach the stand-in ALB. */
    propagationMs?: number;
    /** Never route to the app, whatever the rules say (a rule change that never arrives). */
    neverRouteToApp?: boolean;
}

/** Where the winning rule sends a request: the app, the waker, or nowhere (no rule matched, or another target group). */
type Target = "app" | "waker" | "none";

/** Whether every condition of the rule matches a request to `host` (host-header only; host names compare case-insensitively). */
function matches(rule: Rule, host: string): boolean {
    return (rule.Conditions ?? []).every((c) => {
        if (c.Field !== "host-header") return false;
        const values = c.HostHeaderConfig?.Values ?? c.Values ?? [];
        return values.some((v) => v.toLowerCase() === host.toLowerCase());
    });
}

/** The rule a listener applies to a request to `host`: the lowest priority among the matching ones (the default rule is not considered). */
// Rules are evaluated in priority order, from the lowest value to the highest: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html
export function winningRule(rules: Rule[], host: string): Rule | undefined {
    return rules
        .filter((r) => !r.IsDefault && r.Priority !== "default" && matches(r, host))
        .sort((a, b) => Number(a.Priority) - Number(b.Priority))[0];
}

function targetOf(rule: Rule | undefined, dashboard: MotoDashboard): Target {
    const forward = rule?.Actions?.find((a) => a.Type === "forward");
    const groups = forward?.ForwardConfig?.TargetGroups?.map((g) => g.TargetGroupArn) ?? [forward?.TargetGroupArn];
    if (groups.length !== 1) return "none";
    return groups[0] === dashboard.appTargetGroupArn ? "app" : groups[0] === dashboard.wakerTargetGroupArn ? "waker" : "none";
}

async function listen(server: http.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

async function body(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

export async function startStandInWakeAlb(opts: StandInWakeAlbOptions): Promise<StandInWakeAlb> {
    const { dashboard } = opts;
    const toHandler: string[] = [];
    const toDashboard: string[] = [];
    let bootedAt: number | undefined;
    let registered = false;
    let stopped = false;

    const app = http.createServer((req, res) => {
        if (req.url === "/health") {
            const healthy = bootedAt !== undefined && Date.now() >= bootedAt;
            res.writeHead(healthy ? 200 : 503, { "content-type": "text/plain" }).end(healthy ? "ok" : "booting");
            return;
        }
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html lang="en"><title>Sales</title><h1 id="dashboard">Sales dashboard</h1><p>${req.method} ${req.url}</p></html>`);
    });
    const appUrl = await listen(app);

    // "ECS" and the "ALB health check", every 250 ms.
    const loop = (async () => {
        while (!stopped) {
            try {
                if (bootedAt === undefined && ((await dashboard.service()).desired ?? 0) > 0) bootedAt = Date.now() + opts.bootMs;
                if (bootedAt !== undefined && !registered && (await fetch(`${appUrl}/health`)).status === 200) {
                    await dashboard.registerTarget();
                    registered = true;
                }
            } catch {
                /* moto busy or stopping: try again */
            }
            await new Promise((r) => setTimeout(r, 250));
        }
    })();

    // The rules as the stand-in ALB sees them: re-read from moto, a change applied `propagationMs` later.
    let routing: { to: Target; pending?: { to: Target; at: number } } = { to: "waker" };
    async function route(): Promise<Target> {
        const winner = winningRule(await dashboard.listenerRules(), DASHBOARD_HOST);
        let to = targetOf(winner, dashboard);
        if (to === "app" && opts.neverRouteToApp) to = routing.to;
        const now = Date.now();
        if (to !== routing.to && routing.pending?.to !== to) routing.pending = { to, at: now + (opts.propagationMs ?? 0) };
        if (routing.pending && now >= routing.pending.at) routing = { to: routing.pending.to };
        return routing.to;
    }

    const alb = http.createServer(async (req, res) => {
        const url = new URL(req.url ?? "/", "http://alb");
        const tag = `${req.method} ${url.pathname} ${req.headers["x-dashboards-wake"] ? "poll" : (req.headers["sec-fetch-mode"] ?? "")}`;
        try {
            const to = await route();
            if (to === "none") {
                res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
                return;
            }
            if (to === "app") {
                toDashboard.push(tag);
                const upstream = http.request(`${appUrl}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
                    res.writeHead(up.statusCode ?? 502, up.headers);
                    up.pipe(res);
                });
                req.pipe(upstream);
                return;
            }
            toHandler.push(tag);
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
            const event: ALBEvent = {
                requestContext: { elb: { targetGroupArn: dashboard.wakerTargetGroupArn } },
                httpMethod: req.method ?? "GET",
                path: url.pathname,
                queryStringParameters: Object.fromEntries(url.searchParams),
                headers: { ...headers, "x-forwarded-proto": "http", "x-forwarded-for": req.socket.remoteAddress ?? "127.0.0.1" },
                body: await body(req),
                isBase64Encoded: false,
            };
            const result = (await opts.handler(event, { awsRequestId: `req-${toHandler.length}` })) as ALBResult;
            res.writeHead(result.statusCode, result.headers as http.OutgoingHttpHeaders).end(result.body ?? "");
        } catch (err) {
            // The real ALB answers 502 when a Lambda target fails; the tests assert this never happens.
            toHandler.push(`502 ${String(err)}`);
            res.writeHead(502).end("502 Bad Gateway");
        }
    });
    const url = await listen(alb);

    return {
        url,
        toHandler,
        toDashboard,
        close: async () => {
            stopped = true;
            await loop;
            alb.closeAllConnections();
            app.closeAllConnections();
            await Promise.all([new Promise((r) => alb.close(r)), new Promise((r) => app.close(r))]);
        },
    };
}
