/**
 * Sessions that survive re-login: behind a stand-in for the ALB's authenticate action
 * (./standInAlb.ts), each template and the portal must notice that the login session has ended
 * (the ALB session timeout, or a sign-out in another tab) and navigate, so the browser goes
 * through the sign-in page and back to the same dashboard instead of sitting on a dead page
 * (a websocket cannot follow the ALB's 302 to the sign-in page).
 *
 * Also: the Python templates trust only the forwarded headers the ALB sets, so a client-sent
 * X-Forwarded-Host cannot change the URLs they generate.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { Browser, Page } from "playwright-core";
import { APPS, Identity, launchBrowser, RunningApp, startIdentity, startPortal, TEMPLATES, USER_EMAIL, venvBin } from "./harness";
import { GuardPage, OpenedGuardPage, serveGuardPage } from "./guardPage";
import { SESSION_COOKIE, StandInAlb, useAppBehindAlb } from "./standInAlb";
import { needs, Prerequisite, PREREQUISITES, requirePrerequisites } from "../prerequisites";

/** A dashboard URL with a query, to show the user comes back to exactly where they were. */
const DASHBOARD_PATH = "/?view=regional";
// Generous: two shared cores, and the guard's own throttling of its checks.
const LOGIN_TIMEOUT_MS = 45_000;
const READY_TIMEOUT_MS = 60_000;
const SUB = "0d6f0f8e-1111-2222-3333-444455556666";

interface PortalKeys {
    signAccessToken(claims?: { sub?: string; groups?: string[] }): Promise<string>;
    signAlbData(claims?: { sub?: string; givenName?: string }): string;
    close(): Promise<void>;
}

interface World {
    browser: Browser;
    id: Identity;
    portalKeys: PortalKeys;
    portalEnv: (logoutUrl: string) => Record<string, string>;
}

interface Case {
    name: string;
    /** What it runs on besides Chromium (the case is skipped, or in CI fails, without it). */
    needs: Prerequisite[];
    start(world: World, alb: StandInAlb): Promise<RunningApp>;
    headers(world: World): Promise<Record<string, string>>;
    /** The dashboard has rendered for the signed-in user and works. */
    ready(page: Page): Promise<void>;
    /** Whether the page keeps a websocket open through the ALB. */
    websocket: boolean;
    /** What makes the page talk to the ALB once its session has ended. */
    afterExpiry(page: Page, alb: StandInAlb): Promise<void>;
}

/** The templates' environment behind the stand-in (key server on loopback http, sign-out to its IdP). */
const templateEnv = (w: World, alb: StandInAlb) => ({ ...w.id.env, DASHBOARD_AUTH_ALLOW_LOCAL_HTTP_KEYS: "1", DASHBOARD_LOGOUT_URL: alb.logoutUrl });
const templateHeaders = async (w: World) => ({ "x-amzn-oidc-data": w.id.token(), "x-amzn-oidc-identity": SUB });

/** What the browser does when the user switches back to the tab. */
async function returnToTab(page: Page): Promise<void> {
    await page.bringToFront();
    await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
}

const CASES: Case[] = [
    {
        name: "shiny",
        needs: PREREQUISITES.shinyTemplate,
        websocket: true,
        start: (w, alb) => TEMPLATES.shiny.start(w.id, templateEnv(w, alb)),
        headers: templateHeaders,
        async ready(page) {
            await page.waitForFunction(() => (document.getElementById("coefs") as unknown as { data?: unknown[] } | null)?.data?.length === 2, null, { timeout: READY_TIMEOUT_MS });
            await page.getByText(USER_EMAIL).first().waitFor();
        },
        afterExpiry: async (_page, alb) => alb.dropWebsockets(),
    },
    {
        name: "streamlit",
        needs: [PREREQUISITES.venv("streamlit")],
        websocket: true,
        start: (w, alb) => TEMPLATES.streamlit.start(w.id, templateEnv(w, alb)),
        headers: templateHeaders,
        async ready(page) {
            await page.locator('[data-testid="stMetricValue"]', { hasText: "500 of 500" }).waitFor({ timeout: READY_TIMEOUT_MS });
            await page.getByText(USER_EMAIL).first().waitFor();
        },
        afterExpiry: async (_page, alb) => alb.dropWebsockets(),
    },
    {
        name: "dash",
        needs: [PREREQUISITES.venv("dash")],
        websocket: false,
        start: (w, alb) => TEMPLATES.dash.start(w.id, templateEnv(w, alb)),
        headers: templateHeaders,
        async ready(page) {
            await page.locator("#text").fill("What a wonderful, delightful morning.", { timeout: READY_TIMEOUT_MS });
            await page.getByRole("button", { name: "Analyze" }).click();
            await page.locator("#label", { hasText: "positive" }).waitFor();
            await page.getByText(USER_EMAIL).first().waitFor();
        },
        async afterExpiry(page) {
            // A callback: Dash POSTs to /_dash-update-component, which now gets the 302.
            await page.locator("#text").fill("This is a terrible, awful result.");
            await page.getByRole("button", { name: "Analyze" }).click();
        },
    },
    {
        name: "flask",
        needs: [PREREQUISITES.venv("flask")],
        websocket: false,
        start: (w, alb) => TEMPLATES.flask.start(w.id, templateEnv(w, alb)),
        headers: templateHeaders,
        async ready(page) {
            await page.locator("#chart rect").nth(11).waitFor({ timeout: READY_TIMEOUT_MS });
            await page.getByText(USER_EMAIL).first().waitFor();
        },
        // The chart's JSON endpoint, fetched in the background.
        afterExpiry: async (page) => void (await page.selectOption("#region", "West")),
    },
    {
        name: "portal",
        needs: [PREREQUISITES.portalPackages],
        websocket: false,
        start: (w, alb) => startPortal(w.portalEnv(alb.logoutUrl)),
        async headers(w) {
            return {
                "x-amzn-oidc-accesstoken": await w.portalKeys.signAccessToken({ sub: SUB, groups: ["sales"] }),
                "x-amzn-oidc-data": w.portalKeys.signAlbData({ sub: SUB, givenName: "Ada" }),
                "x-amzn-oidc-identity": SUB,
            };
        },
        async ready(page) {
            await page.getByRole("list", { name: "Your dashboards" }).waitFor({ timeout: READY_TIMEOUT_MS });
            await page.getByText("Signed in as Ada").waitFor();
        },
        // A server-rendered page with no background traffic: the user comes back to the tab.
        afterExpiry: (page) => returnToTab(page),
    },
];

describe("dashboards after the ALB login session ends (stand-in ALB, Chromium)", function () {
    this.timeout(240_000);
    needs(PREREQUISITES.chromium);
    const world = {} as World;

    before(async function () {
        world.id = await startIdentity();
        // The portal verifies a Cognito access token too: its own test identity provider signs both.
        const keys = await import("../../apps/portal/test/support/keys");
        const settings = await import("../../apps/portal/test/support/settings");
        const portalKeys = await keys.startKeyServer();
        world.portalKeys = portalKeys;
        world.portalEnv = (logoutUrl) => settings.testEnv(portalKeys, logoutUrl);
        world.browser = await launchBrowser();
    });

    after(async () => {
        await world.browser?.close();
        await world.portalKeys?.close();
        await world.id?.close();
    });

    for (const c of CASES) {
        describe(c.name, () => {
            needs(...c.needs);
            const suite = useAppBehindAlb({
                name: c.name,
                identityHeaders: () => c.headers(world),
                start: (alb) => c.start(world, alb),
                diagnose: (alb) => `sign-in page shown for ${JSON.stringify(alb.logins())}; redirected to it: ${JSON.stringify(alb.redirected().slice(-12))}`,
            });

            /** Opens the dashboard through the ALB: the first visit signs in. */
            async function openDashboard(): Promise<Page> {
                suite.alb.resetRecord();
                suite.context = await world.browser.newContext();
                const page = await suite.context.newPage();
                await page.goto(suite.alb.url + DASHBOARD_PATH);
                await signInAndReturn(page, 1);
                return page;
            }

            /** The page is on the sign-in page (the `n`th time); signing in brings it back to the dashboard. */
            async function signInAndReturn(page: Page, n: number): Promise<void> {
                await page.waitForURL((u) => u.href.startsWith(suite.alb.loginUrl), { timeout: LOGIN_TIMEOUT_MS });
                expect(suite.alb.logins(), "sign-in pages shown (each for the dashboard's path)").to.deep.equal(Array(n).fill(DASHBOARD_PATH));
                await page.locator("#sign-in").click();
                await page.waitForURL(suite.alb.url + DASHBOARD_PATH, { timeout: READY_TIMEOUT_MS });
                await c.ready(page);
                await suite.alb.settled();
                if (c.websocket) {
                    expect(suite.alb.openWebsockets(), "websockets open through the ALB").to.be.greaterThan(0);
                }
            }

            it("goes through the sign-in page and back to the same dashboard when the ALB session expires", async () => {
                const page = await openDashboard();
                suite.alb.expireSessions();
                await c.afterExpiry(page, suite.alb);
                await signInAndReturn(page, 2);
            });

            it("goes through the sign-in page and back when the user signed out in another tab", async () => {
                const page = await openDashboard();
                const other = await suite.context!.newPage();
                await other.goto(suite.alb.url + "/logout");
                await other.getByText("You are signed out").waitFor();
                const cookies = await suite.context!.cookies(suite.alb.url);
                expect(cookies.map((k) => k.name), "session cookie expired by /logout").not.to.include(SESSION_COOKIE);
                await returnToTab(page);
                await signInAndReturn(page, 2);
            });
        });
    }
});

describe("the session guard (apps/shared/js/session-guard.js) on its own", function () {
    this.timeout(60_000);
    // A page that loads the guard under a strict CSP, and a probe URL whose answer the test picks.
    let guardPage: GuardPage;
    let base = "";
    let probes: string[] = [];
    let probe: "redirect" | "error" | "drop" = "redirect";
    let browser: Browser;
    const loads = () => guardPage.loads();

    needs(PREREQUISITES.chromium);
    before(async () => {
        guardPage = await serveGuardPage('data-probe="/probe" data-interval="0"', (req, res) => {
            if (req.url === "/probe" && (probes.push(probe), probe === "redirect")) {
                // A same-origin redirect looks like the ALB's to the guard, yet a reload does not sign in.
                res.writeHead(302, { location: "/elsewhere" }).end();
            } else if ((req.url === "/probe" && probe === "drop") || req.url === "/api/dropped") {
                req.socket.destroy(); // what the browser sees when the network is gone
            } else {
                res.writeHead(503).end();
            }
        });
        base = guardPage.base;
        browser = await launchBrowser();
    });

    after(async () => {
        await browser?.close();
        await guardPage?.close();
    });

    async function open(): Promise<OpenedGuardPage> {
        probes = [];
        return guardPage.open(browser);
    }

    const check = (page: Page) => page.evaluate(() => (window as unknown as { dashboardSessionGuard: { check(): void } }).dashboardSessionGuard.check());

    it("reloads once for an ended session, then shows a sign-in link rather than reloading in a loop", async () => {
        probe = "redirect";
        const { page, violations, close } = await open();
        try {
            await Promise.all([page.waitForEvent("load"), check(page)]);
            expect(loads(), "page loads").to.equal(2);
            await page.waitForFunction(() => "dashboardSessionGuard" in window);
            await check(page);
            const notice = page.getByRole("alert");
            await notice.waitFor();
            expect(await notice.textContent()).to.include("Your sign-in has ended");
            expect(await notice.getByRole("link", { name: "Sign in again" }).getAttribute("href")).to.equal(`${base}/page`);
            await page.waitForTimeout(4000);
            expect(loads(), "no further reload").to.equal(2);
            expect(await violations(), "CSP violations").to.equal(0);
        } finally {
            await close();
        }
    });

    it("checks when a fetch fails, an XHR fails or a websocket closes", async () => {
        probe = "error";
        const { page, close } = await open();
        try {
            const checksAfter = async (action: () => Promise<unknown>) => {
                const before = probes.length;
                await action();
                // One check each, at most one every few seconds.
                await page.waitForTimeout(3500);
                return probes.length > before;
            };
            expect(await checksAfter(() => page.evaluate(() => fetch("/api/dropped").catch(() => "failed"))), "failed fetch").to.equal(true);
            const xhr = () =>
                page.evaluate(() => new Promise((resolve) => {
                    const x = new XMLHttpRequest();
                    x.open("GET", "/api/dropped");
                    x.onloadend = resolve;
                    x.send();
                }));
            expect(await checksAfter(xhr), "failed XHR").to.equal(true);
            // This server refuses websocket upgrades, like the ALB's 302 without a session.
            const socket = () =>
                page.evaluate((url) => new Promise((resolve) => {
                    new WebSocket(url).addEventListener("close", resolve);
                }), base.replace("http:", "ws:") + "/ws");
            expect(await checksAfter(socket), "closed websocket").to.equal(true);
            expect(await checksAfter(() => page.evaluate(() => fetch("/guard.js").then((r) => r.status))), "successful fetch").to.equal(false);
            expect(loads(), "page loads").to.equal(1);
        } finally {
            await close();
        }
    });

    it("leaves the page alone when the check fails for another reason (server error, no network)", async () => {
        probe = "error";
        const { page, close } = await open();
        try {
            await check(page);
            await page.waitForTimeout(1000);
            probe = "drop";
            await page.evaluate(() => window.dispatchEvent(new Event("online"))); // checked after the guard's pause
            await page.waitForTimeout(5000);
            // (Chromium retries a GET once when a reused connection drops.)
            expect([...new Set(probes)], "checks made").to.deep.equal(["error", "drop"]);
            expect(loads(), "page loads").to.equal(1);
            expect(await page.getByRole("alert").count()).to.equal(0);
        } finally {
            await close();
        }
    });
});

describe("Python templates trust only the forwarded headers the ALB sets", function () {
    this.timeout(60_000);
    // A client can send X-Forwarded-Host; the ALB passes it on untouched and sets only
    // X-Forwarded-For, -Proto and -Port: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
    const probe = String.raw`
import json, sys
from flask import request, url_for
server = getattr(__import__(sys.argv[1]), sys.argv[2])

@server.get("/probe-host/")
def probe_host():
    return {"host": request.host, "scheme": request.scheme, "remote": request.remote_addr,
            "logoutExternal": url_for("logout", _external=True)}

client = server.test_client()
headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
get = lambda p: client.get(p, base_url="http://dashboard.example.com", headers=headers)
page = get("/probe-host/").get_json()
print(json.dumps({**page, "slashRedirect": get("/probe-host").headers.get("Location"),
                  "logoutRedirect": get("/logout").headers.get("Location")}))
`;

    for (const [app, object] of [["flask", "app"], ["dash", "server"]] as const) {
        it(`apps/${app}: a forged X-Forwarded-Host does not change generated URLs`, function () {
            requirePrerequisites(this, PREREQUISITES.venv(app));
            const out = spawnSync(venvBin(app, "python"), ["-c", probe, "app", object], {
                cwd: path.join(APPS, app),
                encoding: "utf8",
                env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PYTHONPATH: path.join(APPS, "shared", "python"), DASHBOARD_LOGOUT_URL: "" },
            });
            expect(out.status, out.stderr).to.equal(0);
            const seen = JSON.parse(out.stdout.trim().split("\n").pop()!) as Record<string, string | null>;
            expect(seen.host).to.equal("dashboard.example.com");
            expect(seen.logoutExternal).to.equal("https://dashboard.example.com/logout");
            // Still trusted: the headers the ALB does set.
            expect(seen.scheme).to.equal("https");
            expect(seen.remote).to.equal("203.0.113.9");
            for (const [key, value] of Object.entries(seen)) {
                expect(value ?? "", key).not.to.include("evil.example");
            }
        });
    }
});
