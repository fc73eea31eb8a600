import { expect } from "chai";
import {
    checkLogout, itShowsOnlyVerifiedIdentity, NETWORK_GUARD_MARK, PORTAL_URL, screenshot, useRunningApp,
    gunicornApp,
} from "./harness";
import { needs, PREREQUISITES } from "../prerequisites";

describe("apps/flask template", function () {
    this.timeout(60_000);
    needs(PREREQUISITES.venv("flask"), PREREQUISITES.chromium);
    const suite = useRunningApp(gunicornApp("flask", "app:app"));

    it("answers /health", async () => {
        const res = await fetch(suite.app.url + "/health");
        expect(res.status).to.equal(200);
        expect(await res.text()).to.equal("ok");
    });

    it("runs several gunicorn workers", async () => {
        // Workers boot concurrently; give the second one a moment to log.
        for (let i = 0; i < 50 && (suite.app.logs().match(/Booting worker/g) ?? []).length < 2; i++) {
            await new Promise((r) => setTimeout(r, 100));
        }
        expect(suite.app.logs().match(/Booting worker/g) ?? []).to.have.length(2);
    });

    it("serves the JSON endpoint and rejects unknown regions", async () => {
        const res = await fetch(suite.app.url + "/api/sales?region=East");
        expect(res.headers.get("content-type")).to.match(/application\/json/);
        const body = (await res.json()) as { region: string; total: number; rows: { month: string; sales: number }[] };
        expect(body.region).to.equal("East");
        expect(body.rows).to.have.length(12);
        const sum = body.rows.reduce((a, r) => a + r.sales, 0);
        expect(body.total).to.be.closeTo(sum, 0.2);
        expect((await fetch(suite.app.url + "/api/sales?region=Atlantis")).status).to.equal(400);
    });

    it("draws the chart from the JSON endpoint and redraws it for another region", async () => {
        // Signed in, so the screenshot shows the identity bar too.
        const context = await suite.browser.newContext({ extraHTTPHeaders: { "x-amzn-oidc-data": suite.id.token() } });
        const page = await context.newPage();
        try {
            await page.goto(suite.app.url + "/");
            await page.locator("#chart rect").nth(11).waitFor();
            const heights = () => page.locator("#chart rect").evaluateAll((els) => els.map((e) => e.getAttribute("height")));
            const before = await heights();
            const total = await page.locator("#total").textContent();
            await page.selectOption("#region", "West");
            await page.waitForFunction(() => document.querySelector<SVGElement>("#chart")?.dataset.region === "West");
            expect(await heights()).not.to.deep.equal(before);
            expect(await page.locator("#total").textContent()).not.to.equal(total);
            expect(await page.locator("#portal").getAttribute("href")).to.equal(PORTAL_URL);
            expect(await page.locator("#logout").getAttribute("href")).to.equal("/logout");
            await screenshot(page, "flask");
        } finally {
            await context.close();
        }
    });

    itShowsOnlyVerifiedIdentity(() => suite, (page) => page.locator("#chart rect").first().waitFor());

    it("fetches the ALB key once per kid (cached across requests)", async () => {
        // Each worker process has its own cache: at most one fetch per worker.
        expect(suite.id.keyRequests().filter((u) => u === `/${suite.id.kid}`).length).to.be.within(1, 2);
    });

    it("made no outbound network connection", () => {
        expect(suite.app.logs()).not.to.include(NETWORK_GUARD_MARK);
    });

    it("signs out: /logout expires the ALB cookies and redirects to the logout URL", () => checkLogout(suite.app.url));
});
