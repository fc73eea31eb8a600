/**
 * The platform's sign-out (functions/signOut) in Debian's Chromium: what a real browser sends for
 * a clicked link, a typed address, an image, a script's fetch, a frame and a link on another site,
 * and what the handler does with it. A loopback server stands in for the ALB's Lambda target: it
 * turns each request into the event the ALB sends (lower-case names, multi-value headers, as the
 * sign-out target group has them) and writes the handler's answer back. It does not check what the
 * ALB itself adds (TLS, the listener rule's path match); test/signOut.test.ts covers the rule.
 */
import { expect } from "chai";
import * as http from "http";
import type { AddressInfo } from "net";
import type { ALBEvent } from "aws-lambda";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { SIGN_OUT_PATH, signOut, SignOutTable } from "../../functions/signOut/handler";
import { launchBrowser } from "../apps/harness";
import { needs, PREREQUISITES } from "../prerequisites";

const SESSION = "AWSELBAuthSessionCookie-0";

interface Seen {
    status: number;
    site?: string;
    mode?: string;
    dest?: string;
}

/** One loopback origin: its pages, and sign-out answered by the real handler. */
async function startOrigin(pages: Record<string, string>, table: () => SignOutTable, seen: Seen[]): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://placeholder");
        if (url.pathname === SIGN_OUT_PATH) {
            const multiValueHeaders: Record<string, string[]> = {};
            for (let i = 0; i < req.rawHeaders.length; i += 2) (multiValueHeaders[req.rawHeaders[i].toLowerCase()] ??= []).push(req.rawHeaders[i + 1]);
            const event = { httpMethod: req.method, path: url.pathname, multiValueHeaders, multiValueQueryStringParameters: {}, body: "", isBase64Encoded: false, requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/sign-out/1" } } } as unknown as ALBEvent;
            const result = signOut(event, table());
            seen.push({ status: result.statusCode, site: multiValueHeaders["sec-fetch-site"]?.[0], mode: multiValueHeaders["sec-fetch-mode"]?.[0], dest: multiValueHeaders["sec-fetch-dest"]?.[0] });
            for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) res.setHeader(name, values.map(String));
            res.writeHead(result.statusCode);
            res.end(result.body);
            return;
        }
        const page = pages[url.pathname];
        res.writeHead(page === undefined ? 404 : 200, { "content-type": "text/html; charset=utf-8" });
        res.end(page ?? "not found");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("sign-out in Chromium (functions/signOut)", function () {
    needs(PREREQUISITES.chromium);
    this.timeout(60_000);

    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const seen: Seen[] = [];
    let dashboard: { url: string; close: () => Promise<void> };
    let otherSite: { url: string; close: () => Promise<void> };

    before(async () => {
        browser = await launchBrowser();
        // The dashboard's host is 127.0.0.1; its "identity provider logout" is a page of its own.
        dashboard = await startOrigin({
            "/": `<a id="out" href="${SIGN_OUT_PATH}">Sign out</a>`,
            "/form": `<form method="post" action="${SIGN_OUT_PATH}"><button id="out">Sign out</button></form>`,
            "/image": `<img src="${SIGN_OUT_PATH}" alt="">`,
            "/fetch": `<script>window.done = fetch("${SIGN_OUT_PATH}").then((r) => r.status, () => "failed");</script>`,
            "/frame": `<iframe src="${SIGN_OUT_PATH}"></iframe>`,
            "/logged-out": "<h1>Signed out</h1>",
        }, () => ({ "127.0.0.1": `${dashboard.url}/logged-out` }), seen);
        // localhost and 127.0.0.1 are different sites to the browser: a page elsewhere linking here.
        otherSite = await startOrigin({}, () => ({}), []);
        otherSite.url = otherSite.url.replace("127.0.0.1", "localhost");
    });
    beforeEach(async () => {
        seen.length = 0;
        context = await browser.newContext();
        await context.addCookies([{ name: SESSION, value: "signed-in", url: dashboard.url }]);
        page = await context.newPage();
    });
    afterEach(async () => context?.close());
    after(async () => Promise.all([browser?.close(), dashboard?.close(), otherSite?.close()]));

    const sessionCookie = async () => (await context.cookies(dashboard.url)).find((c) => c.name === SESSION)?.value;

    it("signs out on a clicked link: the session cookie is gone and the browser lands on the logout page", async () => {
        await page.goto(`${dashboard.url}/`);
        await Promise.all([page.waitForURL(`${dashboard.url}/logged-out`), page.click("#out")]);
        expect(seen).to.deep.equal([{ status: 302, site: "same-origin", mode: "navigate", dest: "document" }]);
        expect(await sessionCookie()).to.equal(undefined);
        expect(await page.locator("h1").textContent()).to.equal("Signed out");
    });

    it("signs out on a posted form and on a typed address", async () => {
        await page.goto(`${dashboard.url}/form`);
        await Promise.all([page.waitForURL(`${dashboard.url}/logged-out`), page.click("#out")]);
        expect(await sessionCookie()).to.equal(undefined);
        await context.addCookies([{ name: SESSION, value: "signed-in", url: dashboard.url }]);
        await page.goto(`${dashboard.url}${SIGN_OUT_PATH}`);
        expect(page.url()).to.equal(`${dashboard.url}/logged-out`);
        expect(seen.map((s) => [s.status, s.site])).to.deep.equal([[302, "same-origin"], [302, "none"]]);
        expect(await sessionCookie()).to.equal(undefined);
    });

    for (const [what, path, dest, mode] of [
        ["an image on the dashboard's own page", "/image", "image", "no-cors"],
        ["a script's fetch on the dashboard's own page", "/fetch", "empty", "cors"],
        ["a frame on the dashboard's own page", "/frame", "iframe", "navigate"],
    ] as const) {
        it(`keeps the user signed in for ${what}: 403, the cookie untouched`, async () => {
            await page.goto(`${dashboard.url}${path}`);
            if (path === "/fetch") expect(await page.evaluate(() => (window as unknown as { done: Promise<unknown> }).done)).to.equal(403);
            for (let i = 0; i < 50 && seen.length === 0; i++) await page.waitForTimeout(100);
            expect(seen).to.deep.equal([{ status: 403, site: "same-origin", mode, dest }]);
            expect(await sessionCookie()).to.equal("signed-in");
        });
    }

    it("keeps the user signed in when another site's link points here: 403, the cookie untouched", async () => {
        await page.goto(`${otherSite.url}/`).catch(() => undefined);
        await page.setContent(`<a id="out" href="${dashboard.url}${SIGN_OUT_PATH}">Sign out</a>`);
        // setContent keeps the page on the other site's origin (localhost), so the click is cross-site.
        expect(new URL(page.url()).hostname).to.equal("localhost");
        await Promise.all([page.waitForURL(`${dashboard.url}${SIGN_OUT_PATH}`), page.click("#out")]);
        expect(seen).to.deep.equal([{ status: 403, site: "cross-site", mode: "navigate", dest: "document" }]);
        expect(await page.locator("body").textContent()).to.contain("another site");
        expect(await sessionCookie()).to.equal("signed-in");
    });
});
