import { expect } from "chai";
import { Page } from "playwright-core";
import { checkLogout, dragSlider, itShowsOnlyVerifiedIdentity, PORTAL_URL, screenshot, TEMPLATES, useRunningApp } from "./harness";
import { needs, PREREQUISITES } from "../prerequisites";

/** The box plot's y values per trace, read from plotly's own data on the rendered graph. */
function plotData(page: Page): Promise<{ name: string; y: number[] }[]> {
    return page.evaluate(() => {
        const graph = document.getElementById("coefs") as unknown as { data?: { name: string; y: number[] }[] } | null;
        return (graph?.data ?? []).map((t) => ({ name: t.name, y: Array.from(t.y) }));
    });
}

describe("apps/shiny template", function () {
    this.timeout(90_000);
    needs(...PREREQUISITES.shinyTemplate, PREREQUISITES.chromium);
    const suite = useRunningApp((identity) => TEMPLATES.shiny.start(identity));

    it("answers / (the health check path)", async () => {
        const res = await fetch(suite.app.url + "/");
        expect(res.status).to.equal(200);
        expect(await res.text()).to.include("Lambda (penalty)");
    });

    it("re-renders the coefficient box plot when the lambda slider moves", async () => {
        const context = await suite.browser.newContext({ extraHTTPHeaders: { "x-amzn-oidc-data": suite.id.token() } });
        const page = await context.newPage();
        try {
            await page.goto(suite.app.url + "/");
            await page.waitForFunction(() => (document.getElementById("coefs") as unknown as { data?: unknown[] } | null)?.data?.length === 2);
            const before = await plotData(page);
            expect(before.map((t) => t.name).sort()).to.deep.equal(["Lasso", "Ridge"]);
            // 6 predictors x 50 simulated data sets per model
            expect(before[0].y).to.have.length(300);
            const summaryBefore = await page.locator("#summary").textContent();

            await dragSlider(page, "lambda", 0.8);
            await page.waitForFunction(
                (prev) => JSON.stringify((document.getElementById("coefs") as unknown as { data: { y: number[] }[] }).data.map((t) => Array.from(t.y))) !== prev,
                JSON.stringify(before.map((t) => t.y)),
                { timeout: 30_000 },
            );
            const lambda = Number(await page.locator("#lambda").inputValue());
            expect(lambda).to.be.greaterThan(1);
            const after = await plotData(page);
            const lasso = (d: { name: string; y: number[] }[]) => d.find((t) => t.name === "Lasso")!.y;
            const zeros = (ys: number[]) => ys.filter((v) => v === 0).length;
            // A larger penalty sets more lasso coefficients to exactly zero.
            expect(zeros(lasso(after))).to.be.greaterThan(zeros(lasso(before)));
            await page.waitForFunction((prev) => document.querySelector("#summary")?.textContent !== prev, summaryBefore);
            expect(await page.locator("a#portal").getAttribute("href")).to.equal(PORTAL_URL);
            expect(await page.locator("a#logout").getAttribute("href")).to.equal("/logout");
            await screenshot(page, "shiny");
        } finally {
            await context.close();
        }
    });

    itShowsOnlyVerifiedIdentity(() => suite, (page) => page.locator("#lambda").waitFor({ state: "attached" }));

    it("signs out: /logout expires the ALB cookies and redirects to the logout URL", () => checkLogout(suite.app.url));
});
