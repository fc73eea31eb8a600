/**
 * The session guard (apps/shared/js/session-guard.js) on its own: a page on 127.0.0.1 that loads it
 * under a strict CSP (script-src 'self'; connect-src 'self') with the attributes a test picks;
 * every other request goes to the test's handler (the probe path, and whatever else it serves).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { Browser, Page } from "playwright-core";
import { APPS } from "./harness";

const CSP = { "content-security-policy": "default-src 'none'; script-src 'self'; connect-src 'self'" };

export interface OpenedGuardPage {
    page: Page;
    /** CSP violations the page reported. */
    violations(): Promise<number>;
    close(): Promise<void>;
}

export interface GuardPage {
    base: string;
    /** Loads of /page since the last open(). */
    loads(): number;
    /** A new browser context on /page, once the guard has loaded. `hidden`: as if another tab were in front. */
    open(browser: Browser, opts?: { hidden?: boolean }): Promise<OpenedGuardPage>;
    close(): Promise<void>;
}

export async function serveGuardPage(
    attributes: string,
    handle: (req: http.IncomingMessage, res: http.ServerResponse) => void,
    body = "",
): Promise<GuardPage> {
    const guard = fs.readFileSync(path.join(APPS, "shared", "js", "session-guard.js"), "utf8");
    let loads = 0;
    const server = http.createServer((req, res) => {
        if (req.url === "/page") {
            loads++;
            res.writeHead(200, { "content-type": "text/html", ...CSP }).end(
                `<!doctype html><title>Dashboard</title><h1>Dashboard</h1>${body}<script src="/guard.js" ${attributes}></script>`,
            );
        } else if (req.url === "/guard.js") {
            res.writeHead(200, { "content-type": "text/javascript", ...CSP }).end(guard);
        } else {
            handle(req, res);
        }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    return {
        base,
        loads: () => loads,
        async open(browser, { hidden = false } = {}) {
            loads = 0;
            const context = await browser.newContext();
            const page = await context.newPage();
            // As text: tsx would add helper calls to a function's source that the page does not have.
            await page.addInitScript({
                content: 'window.cspViolations = 0; document.addEventListener("securitypolicyviolation", () => window.cspViolations++);'
                    + (hidden ? ' Object.defineProperty(document, "visibilityState", { get() { return "hidden"; } });' : ""),
            });
            await page.goto(`${base}/page`);
            await page.waitForFunction(() => "dashboardSessionGuard" in window);
            return {
                page,
                violations: () => page.evaluate(() => (window as unknown as { cspViolations: number }).cspViolations),
                close: () => context.close(),
            };
        },
        async close() {
            if (!server.listening) return;
            server.closeAllConnections();
            await new Promise<void>((r) => server.close(() => r()));
        },
    };
}
