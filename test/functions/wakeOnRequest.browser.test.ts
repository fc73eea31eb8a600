/**
 * The starting page in Debian's Chromium, end to end: a stand-in ALB (standInWakeAlb.ts) routes
 * by the listener's rules in moto as the ALB does (the lowest matching priority wins): while the
 * wake rule sits below the app rule it hands requests to the real handler, and once the handler
 * has moved the wake rule above the app rule it proxies to a local "dashboard"; the dashboard is
 * healthy only a few seconds after the wake. The page must say "Starting Sales…", reload itself
 * into the dashboard, show the failure message when waking fails, and stop reloading when the
 * rule change never arrives.
 */
import { expect } from "chai";
import * as http from "http";
import type { AddressInfo } from "net";
import type { BrowserContext, Browser, Page } from "playwright-core";
import { createHandler } from "../../functions/wakeOnRequest/handler";
import { MAX_RELOADS } from "../../functions/wakeOnRequest/page";
import { launchBrowser, screenshot } from "../apps/harness";
import { needs, PREREQUISITES } from "../prerequisites";
import { type MotoServer, startMoto } from "./motoServer";
import { type StandInWakeAlb, type StandInWakeAlbOptions, startStandInWakeAlb } from "./standInWakeAlb";
import { createMotoDashboard, PRIORITIES, recordingClients } from "./wakeOnRequest.fixtures";

describe("wakeOnRequest: the starting page in Chromium", function () {
    needs(PREREQUISITES.chromium, PREREQUISITES.moto);
    this.timeout(90_000);

    let moto: MotoServer;
    let browser: Browser;
    const open: Array<{ context: BrowserContext; alb: StandInWakeAlb }> = [];

    before(async () => {
        [moto, browser] = await Promise.all([startMoto(), launchBrowser()]);
    });
    afterEach(async () => {
        for (const { context, alb } of open.splice(0)) await Promise.all([context.close(), alb.close()]);
    });
    after(async () => {
        await Promise.all([browser?.close(), moto?.stop()]);
    });

    async function world(opts: { serviceNameInEnv?: string } & Partial<Omit<StandInWakeAlbOptions, "dashboard" | "handler">> = {}) {
        await moto.reset();
        const dashboard = await createMotoDashboard(moto, { serviceNameInEnv: opts.serviceNameInEnv });
        const sent: string[] = [];
        const handler = createHandler({ env: dashboard.env, clients: recordingClients(moto.clientConfig, sent), log: () => {} });
        const alb = await startStandInWakeAlb({ dashboard, handler, bootMs: 2000, ...opts });
        const context = await browser.newContext();
        open.push({ context, alb });
        const page: Page = await context.newPage();
        const cspErrors: string[] = [];
        page.on("console", (m) => {
            if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
        });
        return { dashboard, sent, alb, context, page, cspErrors, count: (a: string) => sent.filter((s) => s === a).length };
    }

    it("says Starting Sales… in a status region, then reloads itself into the dashboard once it is healthy", async () => {
        const w = await world({ propagationMs: 1500 });
        await w.page.goto(`${w.alb.url}/reports?tab=margins`);
        expect(await w.page.locator("h1").textContent()).to.equal("Starting Sales…");
        expect(await w.page.title()).to.equal("Starting Sales…");
        expect(await w.page.getByRole("status").textContent()).to.include("This dashboard was asleep to save costs and is starting now");
        expect(await w.page.locator("html").getAttribute("lang")).to.equal("en");
        expect(await w.page.getByRole("link", { name: "Back to Dashboards" }).getAttribute("href")).to.equal("https://portal.dashboards.example.com/");
        await screenshot(w.page, "wake-on-request-starting");

        await w.page.locator("#dashboard").waitFor({ timeout: 40_000 });
        expect(w.page.url(), "the same address, now served by the dashboard").to.equal(`${w.alb.url}/reports?tab=margins`);
        const navigations = w.alb.toHandler.filter((t) => t.endsWith("navigate"));
        expect(navigations.length, w.alb.toHandler.join("\n")).to.be.within(2, 1 + MAX_RELOADS); // the rule change took 1.5 s to arrive
        expect(w.alb.toHandler.filter((t) => t.endsWith("poll")).length).to.be.at.least(2);
        expect(w.alb.toHandler.filter((t) => t.startsWith("502"))).to.deep.equal([]);
        expect(w.count("ecs:UpdateService")).to.equal(1);
        expect(w.count("elasticloadbalancing:SetRulePriorities")).to.equal(1);
        expect(await w.dashboard.priorities(), "the wake rule above the app rule: the app rule wins").to.deep.equal({ app: PRIORITIES.app, wake: PRIORITIES.awake });
        expect(w.cspErrors).to.deep.equal([]);
    });

    it("shows the failure message with a reference when waking fails, and keeps it while polls fail", async () => {
        const w = await world({ serviceNameInEnv: "no-such-service" });
        // The page's timers run on Playwright's clock (the whole context, across reloads); requests are real.
        await w.context.clock.install();
        await w.page.goto(`${w.alb.url}/`);
        expect(await w.page.locator("h1").textContent()).to.equal("Could not start Sales");
        const status = w.page.getByRole("status");
        expect(await status.textContent()).to.match(/Something went wrong while starting Sales\. Please try again in a minute\. .*platform team .*reference: req-1\./);
        expect(await w.page.getByRole("link", { name: "Reload" }).isVisible()).to.equal(true);
        await screenshot(w.page, "wake-on-request-failed");
        // After a failure the page polls every 10 s; the poll fails too and the page says so, with the poll's reference.
        await w.context.clock.runFor(10_500);
        await w.page.waitForFunction(() => /reference: req-2\./.test(document.getElementById("status")?.textContent ?? ""), undefined, { timeout: 10_000 });
        expect(await w.page.locator("html").getAttribute("data-state")).to.equal("failed");
        expect(w.count("ecs:UpdateService")).to.equal(0);
        expect(w.cspErrors).to.deep.equal([]);
    });

    it("does not wake for the dashboard in a frame on another site's page (a hidden frame would start tasks nobody sees)", async () => {
        const w = await world();
        // Another site's page: served on localhost, while the stand-in ALB is 127.0.0.1 (different sites to the browser).
        const other = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(`<iframe src="${w.alb.url}/"></iframe>`));
        await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
        try {
            await w.page.goto(`http://localhost:${(other.address() as AddressInfo).port}/`);
            for (let i = 0; i < 50 && w.alb.toHandler.length === 0; i++) await w.page.waitForTimeout(100);
        } finally {
            await new Promise<void>((resolve) => other.close(() => resolve()));
        }
        expect(w.alb.toHandler, "the frame's load, seen as a navigation").to.deep.equal(["GET / navigate"]);
        expect(w.count("ecs:UpdateService")).to.equal(0);
        expect(await w.dashboard.priorities()).to.deep.equal({ app: PRIORITIES.app, wake: PRIORITIES.asleep });
        // Opened on its own, the same browser wakes it.
        await w.page.goto(`${w.alb.url}/`);
        expect(await w.page.locator("h1").textContent()).to.equal("Starting Sales…");
        expect(w.count("ecs:UpdateService")).to.equal(1);
    });

    it(`stops reloading after ${MAX_RELOADS} tries when the rule change never reaches the load balancer, and says so`, async () => {
        const w = await world({ neverRouteToApp: true, bootMs: 0 });
        await w.context.clock.install();
        await w.page.goto(`${w.alb.url}/`);
        const stuck = w.page.locator("html[data-state=stuck]");
        for (let i = 0; i < 120 && (await stuck.count()) === 0; i++) {
            await w.context.clock.runFor(1000).catch(() => undefined); // fails while a reload replaces the page
            await new Promise((r) => setTimeout(r, 150));
        }
        await stuck.waitFor({ timeout: 5000 });
        expect(await w.page.getByRole("status").textContent()).to.equal("Ready, but this browser keeps reaching this start page instead of Sales. Use Reload; if that does not help, tell the platform team.");
        expect(w.alb.toHandler.filter((t) => t.endsWith("navigate")).length).to.equal(1 + MAX_RELOADS);
        expect(w.alb.toDashboard).to.deep.equal([]);
    });
});
