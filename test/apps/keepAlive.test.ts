/**
 * Keep-alive for dashboards that scale to zero (`minTasks: 0`, stopped after `idleMinutes` without
 * requests). Idleness is the ALB's per-target-group RequestCount, which counts HTTP requests and
 * not websocket messages: a user busy in Shiny or Streamlit sends none. The session guard
 * (apps/shared/js/session-guard.js) therefore sends a check while the user is active, and only
 * then, so an untouched tab lets the dashboard sleep; while asleep, the platform's waker answers
 * and the page shows a notice instead of reloading (a reload would wake it).
 *
 * Each real template runs behind the stand-in ALB (./standInAlb.ts), whose `sleep()` plays the
 * waker, with a 1 s check interval and a 4 s activity window; the user is played by Playwright's
 * mouse and keyboard (trusted input, like a person's). The guard on its own: a hidden tab and
 * script-made events, the notice under a strict CSP.
 */
import { expect } from "chai";
import { Browser, Locator, Page } from "playwright-core";
import { dragSlider, Identity, launchBrowser, startIdentity, Template, TEMPLATES } from "./harness";
import { GuardPage, OpenedGuardPage, serveGuardPage } from "./guardPage";
import { AlbRequest, ASLEEP_HEADER, PROBE_HEADER, useAppBehindAlb } from "./standInAlb";
import { needs, Prerequisite, PREREQUISITES } from "../prerequisites";

const INTERVAL_S = 1;
const ACTIVE_S = 4;
/** The guard makes at most one check every 3 s, whatever its interval. */
const GAP_MS = 3000;
const GUARD_ENV = { SESSION_GUARD_INTERVAL_SECONDS: String(INTERVAL_S), SESSION_GUARD_ACTIVE_SECONDS: String(ACTIVE_S) };
const READY_TIMEOUT_MS = 60_000;
/** DASHBOARD_NAME in the harness's environment: the notice names the dashboard. */
const SLEEP_NOTICE = "test-dashboard went to sleep after a while without use.";
const SUB = "0d6f0f8e-1111-2222-3333-444455556666";

const isProbe = (r: AlbRequest) => r.headers[PROBE_HEADER] !== undefined;
const isPageLoad = (r: AlbRequest) => r.headers["sec-fetch-mode"] === "navigate";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Case {
    template: Template;
    needs: Prerequisite[];
    /** The dashboard has rendered (no input made). */
    rendered(page: Page): Promise<void>;
    /** One thing a user does (step counts up), with real mouse and keyboard input. */
    interact(page: Page, step: number): Promise<void>;
}

/** Clicks into a field and types over its content, as a person would (keydown, input). */
async function typeInto(page: Page, field: Locator, text: string): Promise<void> {
    await field.click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type(text);
}

const CASES: Case[] = [
    {
        template: TEMPLATES.shiny,
        needs: PREREQUISITES.shinyTemplate,
        rendered: (page) =>
            page.waitForFunction(() => (document.getElementById("coefs") as unknown as { data?: unknown[] } | null)?.data?.length === 2, null, { timeout: READY_TIMEOUT_MS }).then(() => undefined),
        // Each drag is a websocket message and a re-fit in R; not one HTTP request.
        interact: (page, step) => dragSlider(page, "lambda", 0.15 + 0.1 * (step % 7)),
    },
    {
        template: TEMPLATES.streamlit,
        needs: [PREREQUISITES.venv("streamlit")],
        rendered: (page) => page.locator('[data-testid="stMetricValue"]', { hasText: "500 of 500" }).waitFor({ timeout: READY_TIMEOUT_MS }),
        async interact(page, step) {
            // A rerun over the websocket.
            await typeInto(page, page.getByLabel("Minimum revenue"), String(100 + 50 * (step % 8)));
            await page.keyboard.press("Enter");
        },
    },
    {
        template: TEMPLATES.dash,
        needs: [PREREQUISITES.venv("dash")],
        rendered: (page) => page.getByRole("button", { name: "Analyze" }).waitFor({ timeout: READY_TIMEOUT_MS }),
        async interact(page, step) {
            await typeInto(page, page.locator("#text"), step % 2 ? "What a wonderful day." : "What an awful day.");
            await page.getByRole("button", { name: "Analyze" }).click();
        },
    },
    {
        template: TEMPLATES.flask,
        needs: [PREREQUISITES.venv("flask")],
        rendered: (page) => page.locator("#chart rect").nth(11).waitFor({ timeout: READY_TIMEOUT_MS }),
        async interact(page, step) {
            // Another region: the chart fetches its JSON.
            await page.locator("#region").click();
            await page.keyboard.press(step % 2 ? "ArrowUp" : "ArrowDown");
            await page.keyboard.press("Enter");
        },
    },
];

describe("keep-alive for dashboards that scale to zero (stand-in ALB and waker, Chromium)", function () {
    this.timeout(180_000);
    needs(PREREQUISITES.chromium);
    let browser: Browser;
    let id: Identity;

    before(async () => {
        id = await startIdentity();
        browser = await launchBrowser();
    });

    after(async () => {
        await browser?.close();
        await id?.close();
    });

    for (const c of CASES) {
        const t = c.template;
        describe(t.name, () => {
            needs(...c.needs);
            const suite = useAppBehindAlb({
                name: t.name,
                identityHeaders: () => ({ "x-amzn-oidc-data": id.token(), "x-amzn-oidc-identity": SUB }),
                start: () => t.start(id, { ...GUARD_ENV, DASHBOARD_AUTH_ALLOW_LOCAL_HTTP_KEYS: "1" }),
                diagnose(alb) {
                    // Streamlit's many chunk and reconnect requests aside.
                    const telling = alb.requests().filter((r) => isProbe(r) || isPageLoad(r) || !/^\/(static|_stcore)\//.test(r.path));
                    const t0 = alb.requests()[0]?.at ?? 0;
                    const seen = telling.map((r) => `${((r.at - t0) / 1000).toFixed(1)}s ${r.method} ${r.path} ${isProbe(r) ? "[probe] " : ""}-> ${r.to} ${r.status}`);
                    return `requests at the ALB (wakes: ${alb.wakes()}):\n${seen.slice(-40).join("\n")}`;
                },
            });

            /** A signed-in browser on the dashboard, rendered; the ALB's record starts after the page load. */
            async function openDashboard(): Promise<{ page: Page; loadedAt: number }> {
                suite.context = await browser.newContext();
                await suite.context.addCookies([suite.alb.newSession()]);
                const page = await suite.context.newPage();
                suite.alb.resetRecord();
                const loadedAt = Date.now();
                await page.goto(suite.alb.url + "/");
                await c.rendered(page);
                // Streamlit adds the guard's script element during its first run: it may load after the first content.
                await page.waitForFunction(() => "dashboardSessionGuard" in window);
                if (t.websocket) expect(suite.alb.openWebsockets(), "websockets open through the ALB").to.be.greaterThan(0);
                return { page, loadedAt };
            }

            const probes = (since = 0) => suite.alb.requests().filter((r) => isProbe(r) && r.at >= since);

            it("while the user works in the page, its checks reach the app every few seconds, each marked X-Dashboards-Probe", async () => {
                const { page } = await openDashboard();
                await sleep(ACTIVE_S * 1000 + GAP_MS); // the activity of the page load has run out
                const start = Date.now();
                for (let step = 0; Date.now() - start < 12_000; step++) {
                    await c.interact(page, step);
                    await sleep(1000);
                }
                const during = suite.alb.requests().filter((r) => r.at >= start);
                const checks = during.filter(isProbe);
                expect(checks.length, "checks while the user was active for 12 s").to.be.at.least(3);
                for (const r of checks) {
                    expect({ method: r.method, path: r.path, to: r.to, status: r.status, probe: r.headers[PROBE_HEADER], pageLoad: isPageLoad(r) })
                        .to.deep.equal({ method: "GET", path: t.probePath, to: "app", status: 200, probe: "1", pageLoad: false });
                }
                // Never more than an interval plus the guard's spacing between two checks.
                const gaps = checks.slice(1).map((r, i) => r.at - checks[i].at);
                expect(Math.max(...gaps), `gaps between checks ${JSON.stringify(gaps)}`).to.be.below(GAP_MS + INTERVAL_S * 1000 + 1500);
                // Whatever the page fetched from the probe path meanwhile is a check. (Streamlit's
                // own client fetches /_stcore/health too, once, when it connects.)
                const fetched = during.filter((r) => r.path === t.probePath && r.headers["sec-fetch-dest"] === "empty");
                expect(fetched.filter((r) => !isProbe(r)), "unmarked fetches of the probe path").to.deep.equal([]);
                if (t.websocket) {
                    // Without the guard the ALB would see this user as idle: the work went over the websocket.
                    expect(during.filter((r) => !isProbe(r)).map((r) => r.path), "other requests while working").to.deep.equal([]);
                    expect(suite.alb.openWebsockets(), "websockets open through the ALB").to.be.greaterThan(0);
                }
            });

            it("an untouched tab stops checking once the activity window has passed, and checks again when the user is back", async () => {
                const { page, loadedAt } = await openDashboard();
                // The page load counts as activity: the guard checks at first...
                const quietFrom = loadedAt + (ACTIVE_S + INTERVAL_S) * 1000 + GAP_MS + 1000;
                await sleep(quietFrom - Date.now());
                expect(probes().length, "checks right after the page load").to.be.at.least(1);
                // ...then no more, for as long as nobody touches the page.
                await sleep(3 * GAP_MS);
                expect(probes(quietFrom).map((r) => r.path), "checks from an untouched tab").to.deep.equal([]);
                const back = Date.now();
                await page.mouse.move(20, 20);
                await page.mouse.move(60, 40, { steps: 4 });
                await sleep(1500);
                expect(probes(back).length, "checks right after the user is back").to.equal(1);
            });

            it("asleep: shows a notice instead of reloading; its button reloads and wakes the dashboard", async () => {
                const { page } = await openDashboard();
                await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
                suite.alb.sleep();
                const asleepAt = Date.now();
                // A websocket app notices at once (its socket closes); the others at the user's next request.
                if (!t.websocket) await c.interact(page, 1);
                const notice = page.getByRole("alert").filter({ hasText: "went to sleep" });
                await notice.waitFor({ timeout: 15_000 });
                expect((await notice.textContent())?.trim()).to.equal(`${SLEEP_NOTICE} Wake it`);
                // The user stays active, the page stays: no reload, nothing wakes the dashboard.
                for (let i = 0; i < 6; i++) {
                    await page.mouse.move(100 + 20 * i, 200, { steps: 3 });
                    await sleep(1000);
                }
                const whileAsleep = suite.alb.requests().filter((r) => r.at >= asleepAt);
                expect(whileAsleep.filter(isPageLoad).map((r) => r.path), "page loads while asleep").to.deep.equal([]);
                expect(whileAsleep.filter((r) => r.to === "app").map((r) => r.path), "requests that reached the app while asleep").to.deep.equal([]);
                expect(whileAsleep.filter(isProbe).length, "checks that found it asleep").to.be.at.least(1);
                for (const r of whileAsleep.filter(isProbe)) expect([r.to, r.status]).to.deep.equal(["waker", 503]);
                expect(suite.alb.wakes(), "wakes").to.equal(0);
                expect(suite.alb.asleep()).to.equal(true);
                expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce), "the same page (not reloaded)").to.equal(true);

                await notice.getByRole("button", { name: "Wake it" }).click();
                await page.getByRole("heading", { name: "Starting…" }).waitFor();
                await c.rendered(page); // the waker's page reloads itself once the dashboard is up
                expect(suite.alb.wakes(), "wakes").to.equal(1);
                expect(await page.getByRole("alert").filter({ hasText: "went to sleep" }).count(), "notice after waking").to.equal(0);
                if (t.websocket) expect(suite.alb.openWebsockets(), "websockets open through the ALB").to.be.greaterThan(0);
            });
        });
    }
});

describe("the session guard's keep-alive on its own (strict CSP)", function () {
    this.timeout(60_000);
    // A page that loads the guard with a 1 s interval and a 3 s activity window; the probe
    // answers as the app (200) or as the waker (503, X-Dashboards-Asleep: true).
    let guardPage: GuardPage;
    let probes: { at: number; header: string | undefined }[] = [];
    let asleep = false;
    let browser: Browser;

    needs(PREREQUISITES.chromium);
    before(async () => {
        const attributes = 'data-probe="/probe" data-interval="1" data-active-seconds="3" data-name="Sales overview"';
        guardPage = await serveGuardPage(attributes, (req, res) => {
            if (req.url !== "/probe") {
                res.writeHead(404).end();
                return;
            }
            probes.push({ at: Date.now(), header: req.headers[PROBE_HEADER] as string | undefined });
            if (asleep) res.writeHead(503, { [ASLEEP_HEADER]: "true" }).end();
            else res.writeHead(200, { "content-type": "text/plain" }).end("ok");
        }, '<p><input aria-label="Anything"></p>');
        browser = await launchBrowser();
    });

    after(async () => {
        await browser?.close();
        await guardPage?.close();
    });

    async function open(opts: { hidden?: boolean } = {}): Promise<OpenedGuardPage> {
        probes = [];
        return guardPage.open(browser, opts);
    }

    it("a hidden tab never checks, however active its user", async () => {
        asleep = false;
        const { page, close } = await open({ hidden: true });
        try {
            for (let i = 0; i < 8; i++) {
                await page.mouse.move(10 + 30 * i, 50, { steps: 3 });
                await page.keyboard.press("Shift");
                await sleep(750);
            }
            expect(probes.length, "checks from a hidden tab").to.equal(0);
        } finally {
            await close();
        }
    });

    it("events a script dispatches are not activity", async () => {
        asleep = false;
        const { page, close } = await open();
        try {
            const openedAt = Date.now();
            // The page's own code fakes input all the time (an auto-playing demo, a library).
            await page.evaluate(() => {
                setInterval(() => {
                    for (const type of ["pointermove", "pointerdown", "keydown", "wheel", "input"]) window.dispatchEvent(new Event(type));
                    window.dispatchEvent(new FocusEvent("focus"));
                }, 200);
            });
            const quietFrom = openedAt + 3000 + 1000 + GAP_MS + 500;
            await sleep(quietFrom - Date.now());
            expect(probes.length, "checks after the page load").to.be.at.least(1);
            expect(probes.every((p) => p.header === "1"), "every check carries X-Dashboards-Probe: 1").to.equal(true);
            await sleep(2 * GAP_MS);
            expect(probes.filter((p) => p.at >= quietFrom).length, "checks with only script-made events").to.equal(0);
        } finally {
            await close();
        }
    });

    it("an asleep answer shows the named notice with a Wake it button (no reload, no further checks); the button reloads", async () => {
        asleep = true;
        const { page, violations, close } = await open();
        try {
            const notice = page.getByRole("alert");
            await notice.waitFor({ timeout: 5000 });
            expect((await notice.textContent())?.trim()).to.equal("Sales overview went to sleep after a while without use. Wake it");
            const seen = probes.length;
            for (let i = 0; i < 6; i++) {
                await page.locator("input").press("a"); // an active user: checks would go on, were it not asleep
                await sleep(1000);
            }
            expect(probes.length, "checks after the notice").to.equal(seen);
            expect(guardPage.loads(), "page loads").to.equal(1);
            expect(await violations(), "CSP violations").to.equal(0);
            asleep = false;
            await Promise.all([page.waitForEvent("load"), notice.getByRole("button", { name: "Wake it" }).click()]);
            expect(guardPage.loads(), "page loads").to.equal(2);
            await page.waitForFunction(() => "dashboardSessionGuard" in window);
            await sleep(1500);
            expect(await page.getByRole("alert").count(), "notice after the reload").to.equal(0);
        } finally {
            await close();
        }
    });
});
