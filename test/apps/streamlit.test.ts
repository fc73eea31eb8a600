import { expect } from "chai";
import { Page } from "playwright-core";
import { checkLogout, itShowsOnlyVerifiedIdentity, NETWORK_GUARD_MARK, PORTAL_URL, screenshot, TEMPLATES, useRunningApp } from "./harness";
import { needs, PREREQUISITES } from "../prerequisites";

/** "Rows shown" metric, e.g. { shown: 120, total: 500 }, once the script run has settled. */
async function rowsShown(page: Page): Promise<{ shown: number; total: number }> {
    const metric = page.locator('[data-testid="stMetricValue"]');
    await metric.waitFor();
    const m = /(\d+) of (\d+)/.exec((await metric.textContent()) ?? "");
    expect(m, "Rows shown metric").not.to.equal(null);
    return { shown: Number(m![1]), total: Number(m![2]) };
}

describe("apps/streamlit template", function () {
    this.timeout(90_000);
    needs(PREREQUISITES.venv("streamlit"), PREREQUISITES.chromium);
    const suite = useRunningApp((identity) => TEMPLATES.streamlit.start(identity));

    it("answers /_stcore/health", async () => {
        const res = await fetch(suite.app.url + "/_stcore/health");
        expect(res.status).to.equal(200);
    });

    it("renders over its websocket and reacts to a filter", async () => {
        const context = await suite.browser.newContext({ extraHTTPHeaders: { "x-amzn-oidc-data": suite.id.token() } });
        const page = await context.newPage();
        try {
            await page.goto(suite.app.url + "/");
            await page.getByText("Rows shown").waitFor();
            const all = await rowsShown(page);
            expect(all.shown).to.equal(all.total);
            expect(all.total).to.equal(500);
            const min = page.getByLabel("Minimum revenue");
            await min.fill("600");
            await min.press("Enter");
            await page.waitForFunction(() => !/500 of 500/.test(document.querySelector('[data-testid="stMetricValue"]')?.textContent ?? "500 of 500"));
            const filtered = await rowsShown(page);
            expect(filtered.total).to.equal(500);
            expect(filtered.shown).to.be.within(1, 499);
            await page.getByText("Total revenue by region").waitFor();
            await page.locator('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]').first().waitFor();
            expect(await page.locator("a#portal").getAttribute("href")).to.equal(PORTAL_URL);
            expect(await page.locator("a#logout").getAttribute("href")).to.equal("/logout");
            await screenshot(page, "streamlit");
        } finally {
            await context.close();
        }
    });

    it("explores an uploaded CSV (upload passes XSRF protection)", async () => {
        const page = await suite.browser.newPage();
        try {
            await page.goto(suite.app.url + "/");
            await page.getByText("Rows shown").waitFor();
            const csv = "city,visitors\nOslo,120\nLima,80\nPune,95\n";
            await page.locator('input[type="file"]').setInputFiles({ name: "cities.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
            await page.getByText("Source: cities.csv").waitFor();
            expect(await rowsShown(page)).to.deep.equal({ shown: 3, total: 3 });
            await page.getByText("Total visitors by city").waitFor();
        } finally {
            await page.close();
        }
    });

    itShowsOnlyVerifiedIdentity(() => suite, (page) => page.getByText("Rows shown").waitFor());

    it("made no outbound network connection (no usage statistics)", () => {
        expect(suite.app.logs()).not.to.include(NETWORK_GUARD_MARK);
    });

    it("signs out: /logout expires the ALB cookies and redirects to the logout URL", () => checkLogout(suite.app.url));
});
