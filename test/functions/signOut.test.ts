/**
 * The platform's sign-out (functions/signOut): what a browser gets for /_dashboards/sign-out on a
 * dashboard host, and what an attacker gets for anything else. Also the bundle as Lambda runs it:
 * index.js beside its sign-out.json, loaded from a folder of its own.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { bundleHandler } from "../../components/lambdaBundle";
import { readTable, SIGN_OUT_PATH, signOut, SignOutTable } from "../../functions/signOut/handler";

const LOGOUT = "https://login.example.com/logout?client_id=abc123&logout_uri=https%3A%2F%2Fsales.dashboards.example.com%2Fsigned-out";
const TABLE: SignOutTable = { "sales.dashboards.example.com": LOGOUT };

function request(headers: Record<string, string | string[]>, method = "GET"): ALBEvent {
    const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
    return { httpMethod: method, path: SIGN_OUT_PATH, multiValueHeaders, multiValueQueryStringParameters: {}, body: "", isBase64Encoded: false, requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/1" } } } as unknown as ALBEvent;
}
const cookiesOf = (r: ALBResult) => r.multiValueHeaders?.["set-cookie"] ?? [];
const expiredNames = (r: ALBResult) => cookiesOf(r).map((c) => String(c).split("=")[0]);

describe("sign-out (functions/signOut)", () => {
    it("expires every ALB session cookie shard and redirects to the host's logout from its table", () => {
        const r = signOut(request({ host: "sales.dashboards.example.com", cookie: "AWSELBAuthSessionCookie-0=a; AWSELBAuthSessionCookie-5=b; theme=dark", "sec-fetch-site": "same-origin" }), TABLE);
        expect(r.statusCode).to.equal(302);
        expect(r.multiValueHeaders!.location).to.deep.equal([LOGOUT]);
        expect(expiredNames(r)).to.deep.equal(["AWSELBAuthSessionCookie-0", "AWSELBAuthSessionCookie-1", "AWSELBAuthSessionCookie-2", "AWSELBAuthSessionCookie-3", "AWSELBAuthSessionCookie-5"]);
        for (const c of cookiesOf(r)) {
            expect(String(c)).to.match(/=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; HttpOnly; SameSite=Lax$/);
        }
        expect(r.multiValueHeaders!["cache-control"]).to.deep.equal(["no-store"]);
    });

    it("signs out from a link on another dashboard of the domain, a bookmark, a port in Host and the single-value header form", () => {
        for (const site of ["same-site", "none"]) expect(signOut(request({ host: "sales.dashboards.example.com", "sec-fetch-site": site }), TABLE).statusCode, site).to.equal(302);
        expect(signOut(request({ host: "Sales.Dashboards.Example.com:443" }), TABLE).statusCode).to.equal(302);
        const single = { httpMethod: "GET", path: SIGN_OUT_PATH, headers: { host: "sales.dashboards.example.com" } } as unknown as ALBEvent;
        expect(signOut(single, TABLE).statusCode).to.equal(302);
        expect(signOut(request({ host: "sales.dashboards.example.com" }, "POST"), TABLE).statusCode).to.equal(302);
    });

    describe("attacks", () => {
        it("never redirects anywhere the table does not say: an unknown or forged host gets 404", () => {
            for (const host of ["evil.example.com", "sales.dashboards.example.com.evil.example", "", "__proto__", "constructor", "sales.dashboards.example.com\r\nLocation: https://evil.example"]) {
                const r = signOut(request({ host }), TABLE);
                expect(r.statusCode, JSON.stringify(host)).to.equal(404);
                expect(r.multiValueHeaders).not.to.have.property("location");
                expect(cookiesOf(r)).to.deep.equal([]);
            }
            // Two Host values: the last one counts, as ALB passes a repeated header without multi-value headers.
            expect(signOut(request({ host: ["sales.dashboards.example.com", "evil.example.com"] }), TABLE).statusCode).to.equal(404);
        });

        it("refuses a sign-out another site triggers (an image or form on its page): 403, nothing expired", () => {
            const r = signOut(request({ host: "sales.dashboards.example.com", "sec-fetch-site": "cross-site" }), TABLE);
            expect(r.statusCode).to.equal(403);
            expect(cookiesOf(r)).to.deep.equal([]);
        });

        it("refuses a sign-out that is not a page load, even from a sibling dashboard: an image, a fetch, a frame, a prefetch or prerender", () => {
            const host = "sales.dashboards.example.com";
            const cases: Array<[string, Record<string, string>]> = [
                ["an image on a sibling dashboard", { "sec-fetch-site": "same-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" }],
                ["a fetch from a sibling dashboard", { "sec-fetch-site": "same-site", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" }],
                ["a fetch from the dashboard's own page", { "sec-fetch-site": "same-origin", "sec-fetch-mode": "same-origin", "sec-fetch-dest": "empty" }],
                ["a hidden frame on a sibling dashboard", { "sec-fetch-site": "same-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "iframe" }],
                ["a browser prefetch of the link", { "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", "sec-purpose": "prefetch" }],
                ["a speculative prerender", { "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", "sec-purpose": "prefetch;prerender" }],
                ["an old-style prefetch", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", purpose: "prefetch" }],
                ["another site, header names not in lower case", { "Sec-Fetch-Site": "cross-site" }],
                ["an image, header names in capitals", { "SEC-FETCH-MODE": "no-cors", "SEC-FETCH-DEST": "image" }],
            ];
            for (const [what, headers] of cases) {
                const r = signOut(request({ host, ...headers }), TABLE);
                expect(r.statusCode, what).to.equal(403);
                expect(cookiesOf(r), what).to.deep.equal([]);
                expect(r.multiValueHeaders, what).not.to.have.property("location");
                expect(String(r.body), what).to.contain(SIGN_OUT_PATH);
            }
        });

        it("still signs out on a clicked link or a posted form, from the page itself or a sibling dashboard", () => {
            for (const site of ["same-origin", "same-site", "none"]) {
                for (const method of ["GET", "POST"]) {
                    const r = signOut(request({ host: "sales.dashboards.example.com", "sec-fetch-site": site, "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", "sec-fetch-user": "?1" }, method), TABLE);
                    expect(r.statusCode, `${site} ${method}`).to.equal(302);
                }
            }
            expect(signOut(request({ Host: "sales.dashboards.example.com", "Sec-Fetch-Mode": "Navigate", "Sec-Fetch-Dest": "Document" }), TABLE).statusCode).to.equal(302);
        });

        it("expires only ALB session cookies, whatever names the Cookie header carries", () => {
            const cookie = ["AWSELBAuthSessionCookie-0\r\nSet-Cookie: x=1=v", "session=1", "AWSELBAuthSessionCookie-999=x", "AWSELBAuthSessionCookie-7; Domain=evil=x", "AWSELBAuthSessionCookie-8=y"].join("; ");
            const names = expiredNames(signOut(request({ host: "sales.dashboards.example.com", cookie }), TABLE));
            expect(names).to.deep.equal(["AWSELBAuthSessionCookie-0", "AWSELBAuthSessionCookie-1", "AWSELBAuthSessionCookie-2", "AWSELBAuthSessionCookie-3", "AWSELBAuthSessionCookie-7", "AWSELBAuthSessionCookie-8"]);
        });

        it("stays bounded on a huge Cookie header: at most 16 names read, quickly", () => {
            const cookie = Array.from({ length: 50_000 }, (_, i) => `AWSELBAuthSessionCookie-${i % 100}=v`).join("; ");
            const started = process.hrtime.bigint();
            const r = signOut(request({ host: "sales.dashboards.example.com", cookie }), TABLE);
            expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(50);
            expect(cookiesOf(r).length).to.be.at.most(4 + 16);
        });

        it("answers only GET, HEAD and POST, and never throws on a malformed event", () => {
            for (const method of ["PUT", "DELETE", "OPTIONS", "TRACE", ""]) expect(signOut(request({ host: "sales.dashboards.example.com" }, method), TABLE).statusCode, method).to.equal(405);
            for (const event of [{}, { httpMethod: 7 }, { httpMethod: "GET", headers: null }, { httpMethod: "GET", multiValueHeaders: { host: "x" } }, null]) {
                expect(() => signOut(event as unknown as ALBEvent, TABLE)).not.to.throw();
            }
        });

        it("reads from its table file only well-formed hosts with https URLs", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sign-out-"));
            try {
                const file = path.join(dir, "sign-out.json");
                fs.writeFileSync(file, JSON.stringify({ "sales.dashboards.example.com": LOGOUT, "bad host": LOGOUT, "plain.example.com": "http://x", "__proto__": "https://x", "n.example.com": 7 }));
                expect(Object.entries(readTable(file))).to.deep.equal([["sales.dashboards.example.com", LOGOUT]]);
                fs.writeFileSync(file, "[1,2]");
                expect(Object.keys(readTable(file))).to.deep.equal([]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    it("runs as bundled: index.js beside its sign-out.json; a missing or broken table answers 404, never 500", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sign-out-bundle-"));
        try {
            fs.writeFileSync(path.join(dir, "index.js"), bundleHandler("signOut"));
            fs.writeFileSync(path.join(dir, "sign-out.json"), JSON.stringify(TABLE));
            const { handler } = require(path.join(dir, "index.js"));
            const r: ALBResult = await handler(request({ host: "sales.dashboards.example.com" }));
            expect(r.statusCode).to.equal(302);
            expect(r.multiValueHeaders!.location).to.deep.equal([LOGOUT]);
            const broken = fs.mkdtempSync(path.join(os.tmpdir(), "sign-out-broken-"));
            fs.writeFileSync(path.join(broken, "index.js"), bundleHandler("signOut"));
            fs.writeFileSync(path.join(broken, "sign-out.json"), "{not json");
            expect((await require(path.join(broken, "index.js")).handler(request({ host: "sales.dashboards.example.com" }))).statusCode).to.equal(404);
            fs.rmSync(broken, { recursive: true, force: true });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
