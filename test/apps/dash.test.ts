import { expect } from "chai";
import { Page } from "playwright-core";
import {
    checkLogout, itShowsOnlyVerifiedIdentity, NETWORK_GUARD_MARK, PORTAL_URL, screenshot, useRunningApp,
    gunicornApp,
} from "./harness";
import { needs, PREREQUISITES } from "../prerequisites";

async function analyze(page: Page, text: string): Promise<{ label: string; polarity: number }> {
    await page.locator("#text").fill(text);
    await page.getByRole("button", { name: "Analyze" }).click();
    // The result echoes the analysed text: wait for the answer to *this* text.
    await page.locator("#analyzed", { hasText: text }).waitFor();
    return {
        label: (await page.locator("#label").textContent()) ?? "",
        polarity: Number(await page.locator("#polarity").textContent()),
    };
}

describe("apps/dash template", function () {
    this.timeout(60_000);
    needs(PREREQUISITES.venv("dash"), PREREQUISITES.chromium);
    const suite = useRunningApp(gunicornApp("dash", "app:server"));

    it("answers /health", async () => {
        const res = await fetch(suite.app.url + "/health");
        expect(res.status).to.equal(200);
    });

    it("shows the sentiment of a typed sentence", async () => {
        const context = await suite.browser.newContext({ extraHTTPHeaders: { "x-amzn-oidc-data": suite.id.token() } });
        const page = await context.newPage();
        try {
            await page.goto(suite.app.url + "/");
            const happy = await analyze(page, "I love this wonderful, excellent dashboard!");
            expect(happy.label).to.equal("positive");
            expect(happy.polarity).to.be.greaterThan(0.05);
            const sad = await analyze(page, "This is a terrible, awful and sad result.");
            expect(sad.label).to.equal("negative");
            expect(sad.polarity).to.be.lessThan(-0.05);
            await analyze(page, "What a beautiful, delightful morning.");
            expect(await page.locator("#portal").getAttribute("href")).to.equal(PORTAL_URL);
            expect(await page.locator("#logout").getAttribute("href")).to.equal("/logout");
            await screenshot(page, "dash");
        } finally {
            await context.close();
        }
    });

    itShowsOnlyVerifiedIdentity(() => suite, (page) => page.getByRole("button", { name: "Analyze" }).waitFor());

    it("made no outbound network connection (TextBlob needs no corpus download)", () => {
        expect(suite.app.logs()).not.to.include(NETWORK_GUARD_MARK);
    });

    it("signs out: /logout expires the ALB cookies and redirects to the logout URL", () => checkLogout(suite.app.url));
});
