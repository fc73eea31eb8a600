import { expect } from "chai";
import { loadSettings } from "../src/config.js";
import { FINDER_JS } from "../src/finder.js";
import { escapeHtml, renderPortalPage } from "../src/html.js";
import { createServer, type Logger, type RunningServer } from "../src/server.js";
import { federatedClaims, nativeClaims } from "./support/federation.js";
import { startKeyServer, type KeyServer } from "./support/keys.js";
import { PORTAL_CONFIG, testEnv } from "./support/settings.js";

/** Records each event as its message and fields, as JSON. */
const quiet = (lines: string[]): Logger => {
    const record = (msg: string, fields?: Record<string, unknown>) => lines.push(JSON.stringify({ msg, ...fields }));
    return { info: record, warn: record, error: record };
};

describe("HTML rendering", () => {
    it("escapes text and attributes", () => {
        expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        const page = renderPortalPage({
            title: "T<script>",
            user: { displayName: `<img src=x onerror="alert(1)">` },
            dashboards: [{ ...PORTAL_CONFIG.dashboards[0]!, description: "</p><script>alert(1)</script>", url: 'https://x.example.com/?a="b"' }],
        });
        expect(page).not.to.include("<script>");
        expect(page).not.to.include("<img");
        expect(page).to.include("&lt;script&gt;alert(1)&lt;/script&gt;");
        expect(page).to.include('href="https://x.example.com/?a=&quot;b&quot;"');
    });

    it("has landmarks, a skip link and a language", () => {
        const page = renderPortalPage({ title: "T", user: { displayName: "A" }, dashboards: PORTAL_CONFIG.dashboards });
        for (const part of ['<html lang="en">', "<header", "<main", "<footer", '<nav aria-label="Account">', 'href="#main"', "<h1>Hello, A</h1>"]) {
            expect(page).to.include(part);
        }
        expect(page.match(/<li class="tile">/g)).to.have.length(4);
    });

    it("has no category headings, and h2 cards, when no dashboard has a category", () => {
        const page = renderPortalPage({ title: "T", user: { displayName: "A" }, dashboards: PORTAL_CONFIG.dashboards });
        expect(page).not.to.include('class="group');
        expect(page).to.include('<ul class="tiles" aria-label="Your dashboards">');
        expect(page.match(/<h2 id="dash-/g)).to.have.length(4);
    });

    it("groups the cards under category headings, h3 cards under h2 categories, Other last", () => {
        const [sales, ops, forecast, handbook] = PORTAL_CONFIG.dashboards;
        const dashboards = [{ ...sales!, category: "Sales" }, { ...ops!, category: "Operations" }, forecast!, { ...handbook!, category: "Operations" }];
        const page = renderPortalPage({ title: "T", user: { displayName: "A" }, dashboards });
        // Headings in document order: each category's h2, then its cards' h3.
        const headings = [...page.matchAll(/<(h[23])[^>]*>(?:<a [^>]*>)?([^<]*)/g)].map((m) => `${m[1]} ${m[2]}`);
        expect(headings).to.deep.equal(["h2 Operations", "h3 Operations", "h3 Data handbook", "h2 Sales", "h3 Sales overview", "h2 Other", "h3 Demand forecast"]);
        // Each list is named by its category's heading.
        expect(page).to.include('<h2 class="group-title" id="group-1">Operations</h2>');
        expect(page).to.include('<ul class="tiles" aria-labelledby="group-1">');
        expect(page).not.to.include('aria-label="Your dashboards"');
    });

    it("escapes the category", () => {
        const page = renderPortalPage({ title: "T", user: { displayName: "A" }, dashboards: [{ ...PORTAL_CONFIG.dashboards[0]!, category: `<img src=x onerror="alert(1)">` }] });
        expect(page).not.to.include("<img");
        expect(page).to.include("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</h2>");
    });

    it("renders a labelled search box, hidden until its script runs, with a polite live region", () => {
        const page = renderPortalPage({ title: "T", user: { displayName: "A" }, dashboards: PORTAL_CONFIG.dashboards });
        expect(page).to.include('<div class="finder" id="finder" role="search" hidden>');
        expect(page).to.include('<label for="finder-input">Search dashboards</label>');
        expect(page).to.match(/<input id="finder-input" type="search" [^>]*>/);
        expect(page).to.match(/<p [^>]*role="status" aria-live="polite"><\/p>/);
        expect(page).to.match(/<p class="finder-empty" id="finder-empty" hidden>/);
        expect(page).to.match(/<script src="\/static\/finder\.js\?v=[0-9a-f]{12}" defer><\/script>/);
    });

    it("loads the search script only where there is a list to search", () => {
        for (const model of [{ title: "T", dashboards: PORTAL_CONFIG.dashboards }, { title: "T", user: { displayName: "A" }, dashboards: [] }]) {
            const page = renderPortalPage(model);
            expect(page).not.to.include("finder");
            expect(page).to.include('<script src="/static/session-guard.js" defer></script>');
        }
    });

    it("keeps every script and style in files: nothing inline for the CSP to allow", () => {
        const page = renderPortalPage({ title: "T", user: { displayName: "A" }, dashboards: PORTAL_CONFIG.dashboards.map((d) => ({ ...d, category: "C" })) });
        const scripts = page.match(/<script\b[^>]*>/g) ?? [];
        expect(scripts).to.have.length(2);
        for (const tag of scripts) expect(tag).to.match(/^<script src="\/static\/[^"]+" defer>$/);
        expect(page).not.to.match(/<script[^>]*>[^<]/);
        expect(page).not.to.match(/<style|\sstyle=|\son[a-z]+=|javascript:/i);
    });

    it("ships a search script that parses", () => {
        expect(() => new Function(FINDER_JS)).not.to.throw();
    });
});

describe("portal server", () => {
    let keys: KeyServer;
    let server: RunningServer;
    const logs: string[] = [];
    const logoutUrl = "https://auth.example.com/logout?client_id=abc&logout_uri=https%3A%2F%2Fportal.example.com%2Fsigned-out";

    before(async () => {
        keys = await startKeyServer();
        server = await createServer({ settings: loadSettings(testEnv(keys, logoutUrl)), port: 0, host: "127.0.0.1", logger: quiet(logs) });
    });
    after(async () => {
        await server?.close();
        await keys?.close();
    });

    it("answers /health without authentication and without configuration", async () => {
        const res = await fetch(`${server.url}/health`);
        expect(res.status).to.equal(200);
        const body = await res.text();
        expect(JSON.parse(body)).to.deep.equal({ status: "ok" });
        expect(body).not.to.include("eu-west-1");
    });

    it("shows a clear message and no dashboards without tokens", async () => {
        const res = await fetch(server.url);
        expect(res.status).to.equal(200);
        expect(res.headers.get("cache-control")).to.equal("no-store");
        expect(res.headers.get("content-security-policy")).to.include("default-src 'none'");
        const body = await res.text();
        expect(body).to.include("We could not confirm your sign-in");
        expect(body).not.to.include('class="tile"');
        expect(logs.some((l) => l.includes('"reason":"missing","detail":"no x-amzn-oidc-accesstoken header"'))).to.equal(true);
    });

    it("shows no dashboards and no error page for forged tokens", async () => {
        const res = await fetch(server.url, { headers: { "x-amzn-oidc-accesstoken": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "x-amzn-oidc-data": "garbage" } });
        expect(res.status).to.equal(200);
        const body = await res.text();
        expect(body).to.include("We could not confirm your sign-in");
        expect(body).not.to.include("Sales overview");
        expect(body).not.to.match(/Error:|at .+\.(ts|js):\d+/);
    });

    it("lists the dashboards of a verified user", async () => {
        const res = await fetch(server.url, {
            headers: {
                "x-amzn-oidc-accesstoken": await keys.signAccessToken({ sub: "u1", groups: ["ops"] }),
                "x-amzn-oidc-data": keys.signAlbData({ sub: "u1", givenName: "Olga" }),
            },
        });
        const body = await res.text();
        expect(body).to.include("Hello, Olga");
        expect(body).to.include("Operations");
        expect(body).to.include("Demand forecast");
        expect(body).to.include("Data handbook");
        expect(body).not.to.include("Sales overview");
    });

    describe("users from a federated identity provider (groups in custom:groups)", () => {
        /** The tiles the page shows a user with no Cognito groups and these ALB-signed claims. */
        async function tiles(claims: Record<string, unknown>): Promise<{ names: string[]; body: string }> {
            const res = await fetch(server.url, {
                headers: {
                    "x-amzn-oidc-accesstoken": await keys.signAccessToken({ sub: "jdoe" }),
                    "x-amzn-oidc-data": keys.signAlbData({ sub: "jdoe", givenName: "Jane", claims }),
                },
            });
            expect(res.status).to.equal(200);
            const body = await res.text();
            return { names: [...body.matchAll(/<h2 id="dash-[^"]*"><a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]!), body };
        }

        it("shows a federated user exactly the dashboards their IdP groups allow", async () => {
            expect((await tiles(federatedClaims("[sales, Domain Users]"))).names).to.deep.equal(["Sales overview", "Demand forecast", "Data handbook"]);
            expect((await tiles(federatedClaims('["admins"]'))).names).to.have.length(4);
        });

        it("gives a native user who wrote custom:groups nothing beyond open dashboards", async () => {
            expect((await tiles(nativeClaims('["admins","sales"]'))).names).to.deep.equal(["Data handbook"]);
        });

        for (const value of [",,,", "[ , ]", "[]", "", '[1, null, {"g":"admins"}]']) {
            it(`shows only open dashboards for a custom:groups of separators or junk: ${JSON.stringify(value)}`, async () => {
                expect((await tiles(federatedClaims(value))).names).to.deep.equal(["Data handbook"]);
            });
        }

        it("shows no dashboards, and no error page, when custom:groups is not a string", async () => {
            const { names, body } = await tiles(federatedClaims(["admins"]));
            expect(names).to.deep.equal([]);
            expect(body).to.include("We could not confirm your sign-in");
        });
    });

    it("expires every ALB session cookie on /logout and redirects to the logout URL", async () => {
        const res = await fetch(`${server.url}/logout`, {
            redirect: "manual",
            headers: { cookie: "AWSELBAuthSessionCookie-0=a; AWSELBAuthSessionCookie-5=b; other=keep" },
        });
        expect(res.status).to.equal(302);
        expect(res.headers.get("location")).to.equal(logoutUrl);
        const cookies = res.headers.getSetCookie();
        const names = cookies.map((c) => c.split("=")[0]).sort();
        expect(names).to.deep.equal([0, 1, 2, 3, 5].map((n) => `AWSELBAuthSessionCookie-${n}`));
        for (const c of cookies) {
            expect(c).to.match(/Max-Age=0/);
            expect(c).to.match(/Path=\//);
            expect(c).to.match(/Secure/);
            expect(c).not.to.match(/Domain=/i);
        }
    });

    it("serves the stylesheet and the search script the page names, under the unchanged CSP", async () => {
        const res = await fetch(server.url, {
            headers: {
                "x-amzn-oidc-accesstoken": await keys.signAccessToken({ sub: "u1", groups: ["ops"] }),
                "x-amzn-oidc-data": keys.signAlbData({ sub: "u1", givenName: "Olga" }),
            },
        });
        // The policy as it was before the search existed: scripts from the portal only, nothing inline.
        expect(res.headers.get("content-security-policy")).to.equal("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        const body = await res.text();
        const css = /<link rel="stylesheet" href="([^"]+)">/.exec(body)![1]!;
        const js = /<script src="(\/static\/finder\.js[^"]*)"/.exec(body)![1]!;
        const [cssRes, jsRes] = await Promise.all([fetch(`${server.url}${css}`), fetch(`${server.url}${js}`)]);
        expect(cssRes.status).to.equal(200);
        expect(cssRes.headers.get("content-type")).to.equal("text/css; charset=utf-8");
        expect(jsRes.status).to.equal(200);
        expect(jsRes.headers.get("content-type")).to.equal("text/javascript; charset=utf-8");
        expect(jsRes.headers.get("x-content-type-options")).to.equal("nosniff");
        expect(await jsRes.text()).to.equal(FINDER_JS);
    });

    it("answers unknown paths with a plain 404 page", async () => {
        const res = await fetch(`${server.url}/nope`);
        expect(res.status).to.equal(404);
        expect(await res.text()).to.include("Page not found");
    });
});
