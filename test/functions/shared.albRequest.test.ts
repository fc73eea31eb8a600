/**
 * The request reading that the sign-out function and the wakers share (functions/shared/albRequest):
 * which requests a browser marks as a top-level page load, and how headers of any shape are read.
 * Each function's own tables (signOut.test.ts, wakeOnRequest.test.ts) show what it does with the answer.
 */
import { expect } from "chai";
import { eventHeaders, isTopLevelPageLoad, MAX_HEADER_VALUE, MAX_HEADERS, readHeaders } from "../../functions/shared/albRequest";

const headers = (h: Record<string, string>) => new Map(Object.entries(h));

describe("shared ALB request reading (functions/shared/albRequest)", () => {
    describe("isTopLevelPageLoad", () => {
        const cases: Array<[string, Record<string, string>, boolean | undefined]> = [
            ["a clicked link", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", "sec-fetch-user": "?1" }, true],
            ["a navigation without Sec-Fetch-Dest", { "sec-fetch-mode": "navigate" }, true],
            ["values with odd case and spaces", { "sec-fetch-mode": " Navigate ", "sec-fetch-dest": "DOCUMENT" }, true],
            ["an image", { "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" }, false],
            ["a script's fetch", { "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" }, false],
            ["a same-origin fetch", { "sec-fetch-mode": "same-origin", "sec-fetch-dest": "empty" }, false],
            ["an iframe", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "iframe" }, false],
            ["an embed", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "embed" }, false],
            ["a prefetch", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", "sec-purpose": "prefetch" }, false],
            ["a prerender", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", "sec-purpose": "prefetch;prerender" }, false],
            ["an old-style prefetch", { "sec-fetch-mode": "navigate", purpose: "Prefetch" }, false],
            ["a prefetch from a browser without Fetch Metadata", { purpose: "prefetch" }, false],
            ["a frame from a browser that sends only Sec-Fetch-Dest", { "sec-fetch-dest": "iframe" }, false],
            ["a browser without Fetch Metadata", { accept: "text/html" }, undefined],
            ["only Sec-Fetch-Dest document", { "sec-fetch-dest": "document" }, undefined],
            ["nothing at all", {}, undefined],
        ];
        for (const [what, h, expected] of cases) {
            it(`${what}: ${expected}`, () => expect(isTopLevelPageLoad(headers(h))).to.equal(expected));
        }
    });

    describe("readHeaders and eventHeaders", () => {
        it("lower-cases names and keeps the last value of a repeated header", () => {
            const h = readHeaders({ "Sec-Fetch-Mode": ["cors", "navigate"], HOST: ["a.example.com"] }, true);
            expect([...h]).to.deep.equal([["sec-fetch-mode", "navigate"], ["host", "a.example.com"]]);
        });

        it("reads the form the event carries: multiValueHeaders only when there are no single-value headers", () => {
            expect(eventHeaders({ multiValueHeaders: { host: ["a"] } })).to.deep.equal({ headers: new Map([["host", "a"]]), multiValue: true });
            expect(eventHeaders({ headers: { host: "b" }, multiValueHeaders: { host: ["a"] } })).to.deep.equal({ headers: new Map([["host", "b"]]), multiValue: false });
        });

        it("treats values of the wrong type, and events of the wrong type, as no header", () => {
            expect(readHeaders({ a: 1, b: { c: "d" }, e: null, f: ["x", 2] }, true).size).to.equal(0);
            expect(readHeaders({ a: ["x"] }, false).size).to.equal(0);
            for (const event of [null, undefined, "GET /", 42, [], { headers: [] }, { multiValueHeaders: "host: x" }]) {
                expect(eventHeaders(event).headers.size, JSON.stringify(event)).to.equal(0);
            }
        });

        it("stays bounded: at most 100 headers, each cut at 8 KB, quickly", () => {
            const many: Record<string, string> = { cookie: "x".repeat(1_000_000) };
            for (let i = 0; i < 100_000; i++) many[`x-h${i}`] = "v";
            const started = process.hrtime.bigint();
            const h = readHeaders(many, false);
            expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(500);
            expect(h.size).to.equal(MAX_HEADERS);
            expect(h.get("cookie")!.length).to.equal(MAX_HEADER_VALUE);
        });
    });
});
