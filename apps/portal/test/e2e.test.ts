/**
 * End to end: the portal on a free local port, driven by headless Debian Chromium. A route
 * handler plays the ALB: it adds the two OIDC headers to requests for the portal only.
 */
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { loadSettings } from "../src/config.js";
import { createServer, type RunningServer } from "../src/server.js";
import { startKeyServer, type KeyServer } from "./support/keys.js";
import { testEnv } from "./support/settings.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SHOT = fileURLToPath(new URL("../test-results/portal.png", import.meta.url));
const DOCS_SHOT = fileURLToPath(new URL("../../../docs/screenshots/portal.png", import.meta.url));

interface User {
    sub: string;
    name: string;
    groups: string[];
}

describe("portal in Chromium (end to end)", function () {
    this.timeout(60000);
    let keys: KeyServer;
    let portal: RunningServer;
    let logoutServer: Server;
    let logoutHits: string[];
    let logoutBase: string;
    let browser: Browser;

    before(async () => {
        // Fail, never skip: a missing browser must not look like a green run.
        if (!existsSync(CHROMIUM)) {
            throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" or set CHROMIUM_PATH`);
        }
        keys = await startKeyServer();
        logoutHits = [];
        // Stands in for Cognito's /logout: records the visit and shows a signed-out page.
        logoutServer = createHttpServer((req, res) => {
            logoutHits.push(req.url ?? "");
            res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Signed out</title><h1>You are signed out</h1>");
        });
        await new Promise<void>((resolve) => logoutServer.listen(0, "127.0.0.1", resolve));
        logoutBase = `http://127.0.0.1:${(logoutServer.address() as AddressInfo).port}`;
        const settings = loadSettings(testEnv(keys, `${logoutBase}/logout?client_id=portal&logout_uri=${encodeURIComponent("https://portal.example.com/signed-out")}`));
        portal = await createServer({ settings, port: 0, host: "127.0.0.1", logger: { info() {}, warn() {}, error() {} } });
        browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });

    after(async () => {
        await browser?.close();
        await portal?.close();
        await keys?.close();
        if (logoutServer) {
            logoutServer.closeAllConnections();
            await new Promise<void>((resolve) => logoutServer.close(() => resolve()));
        }
    });

    /** A browser context signed in as `user`: ALB session cookies plus the ALB's headers on portal requests. */
    async function signedIn(user: User, viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
        const context = await browser.newContext({ viewport });
        await context.addCookies([0, 1].map((n) => ({ name: `AWSELBAuthSessionCookie-${n}`, value: `session-${user.sub}-${n}`, url: portal.url, secure: true, httpOnly: true })));
        await context.addCookies([{ name: "theme", value: "dark", url: portal.url }]);
        await context.route(`${portal.url}/**`, async (route) => {
            const headers = {
                ...route.request().headers(),
                "x-amzn-oidc-accesstoken": await keys.signAccessToken({ sub: user.sub, groups: user.groups }),
                "x-amzn-oidc-data": keys.signAlbData({ sub: user.sub, givenName: user.name }),
                "x-amzn-oidc-identity": user.sub,
            };
            await route.continue({ headers });
        });
        return context;
    }

    /** Open the portal in `context`, run `check`, and always close the context. */
    async function onPortal(context: BrowserContext, check: (page: Page) => Promise<void>): Promise<void> {
        try {
            const page = await context.newPage();
            await page.goto(portal.url);
            await check(page);
        } finally {
            await context.close();
        }
    }

    async function tileNames(context: BrowserContext): Promise<string[]> {
        const page = await context.newPage();
        await page.goto(portal.url);
        return page.locator(".tile h2").allInnerTexts();
    }

    it("shows two users with different groups different tiles", async () => {
        const olga = await signedIn({ sub: "olga", name: "Olga", groups: ["ops"] });
        const sam = await signedIn({ sub: "sam", name: "Sam", groups: ["sales"] });
        try {
            expect(await tileNames(olga)).to.deep.equal(["Operations", "Demand forecast", "Data handbook"]);
            expect(await tileNames(sam)).to.deep.equal(["Sales overview", "Demand forecast", "Data handbook"]);
        } finally {
            await olga.close();
            await sam.close();
        }
    });

    it("greets an admin, links every dashboard and is keyboard reachable", async () => {
        await onPortal(await signedIn({ sub: "ada", name: "Ada", groups: ["admins"] }), async (page) => {
            expect(await page.getByRole("heading", { level: 1 }).innerText()).to.equal("Hello, Ada");
            const links = page.getByRole("list", { name: "Your dashboards" }).getByRole("link");
            expect(await links.count()).to.equal(4);
            expect(await page.getByRole("link", { name: "Sales overview" }).getAttribute("href")).to.equal("https://sales.dash.example.com/");
            // Screenshot before any focus ring appears; copied to docs/ only on request.
            mkdirSync(dirname(SHOT), { recursive: true });
            await page.screenshot({ path: SHOT, fullPage: true });
            if (process.env.UPDATE_SCREENSHOTS === "1") {
                mkdirSync(dirname(DOCS_SHOT), { recursive: true });
                copyFileSync(SHOT, DOCS_SHOT);
            }
            // First Tab lands on the skip link; following it moves focus to <main>.
            await page.keyboard.press("Tab");
            expect(await page.evaluate("document.activeElement && document.activeElement.textContent")).to.equal("Skip to content");
            await page.keyboard.press("Enter");
            expect(await page.evaluate("document.activeElement && document.activeElement.id")).to.equal("main");
        });
    });

    it("fits a 320 px phone screen without horizontal scrolling", async () => {
        // A long name (the greeting falls back to the e-mail address) must wrap, not overflow.
        await onPortal(await signedIn({ sub: "ada", name: "ada.lovelace-byron@analytical-engines.example.com", groups: ["admins"] }, { width: 320, height: 740 }), async (page) => {
            const overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            expect(overflow).to.equal(0);
            expect(await page.locator(".tile").count()).to.equal(4);
        });
    });

    it("shows no tiles and a clear message when the ALB headers are missing", async () => {
        await onPortal(await browser.newContext(), async (page) => {
            expect(await page.getByRole("heading", { level: 2 }).innerText()).to.equal("We could not confirm your sign-in");
            expect(await page.locator(".tile").count()).to.equal(0);
        });
    });

    it("signs out: clears the ALB session cookies and lands on the logout URL", async () => {
        await onPortal(await signedIn({ sub: "olga", name: "Olga", groups: ["ops"] }), async (page) => {
            const before = (await page.context().cookies(portal.url)).map((c) => c.name);
            expect(before).to.include.members(["AWSELBAuthSessionCookie-0", "AWSELBAuthSessionCookie-1"]);
            await Promise.all([page.waitForURL(`${logoutBase}/logout**`), page.getByRole("link", { name: "Sign out" }).first().click()]);
            expect(await page.getByRole("heading", { level: 1 }).innerText()).to.equal("You are signed out");
            expect(logoutHits).to.deep.equal([`/logout?client_id=portal&logout_uri=${encodeURIComponent("https://portal.example.com/signed-out")}`]);
            const after = (await page.context().cookies(portal.url)).map((c) => c.name);
            expect(after.filter((n) => n.startsWith("AWSELBAuthSessionCookie-"))).to.deep.equal([]);
            expect(after).to.include("theme"); // only the ALB's cookies are touched
        });
    });
});
