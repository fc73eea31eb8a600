import { expect } from "chai";
import { bounded, describeError, formatRecord, inert, MAX_LOGGED_CHARS } from "../src/log.js";

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("log records (src/log.ts)", () => {
    it("escapes controls, separators and bidi controls, and leaves other text alone", () => {
        expect(inert("a\nb\rc\td\u001b[31m\u0000\u007f\u0085\u009b\u2028\u2029\u202e\u2066")).to.equal(
            "a\\nb\\rc\\td\\x1b[31m\\x00\\x7f\\x85\\x9b\\u2028\\u2029\\u202e\\u2066",
        );
        expect(inert('Grüße, "quoted" \\ 😀 ok')).to.equal('Grüße, "quoted" \\ 😀 ok');
    });

    it("escapes lone surrogates but keeps pairs", () => {
        expect(inert("x\ud800y\udc00z😀")).to.equal("x\\ud800y\\udc00z😀");
    });

    it("is idempotent, so nothing is escaped twice", () => {
        for (const text of ["a\nb", "\u001b".repeat(1000), "x".repeat(5000), "😀".repeat(400), "\\x1"]) {
            expect(inert(inert(text))).to.equal(inert(text));
        }
    });

    it("bounds every value, marker included, without splitting a pair or an escape", () => {
        for (const text of ["A".repeat(100_000), "\u001b".repeat(1000), "😀".repeat(1000), `${"a".repeat(370)}\u2028${"b".repeat(100)}`]) {
            for (let shift = 0; shift < 8; shift++) {
                const out = inert("-".repeat(shift) + text);
                expect(out.length).to.be.at.most(MAX_LOGGED_CHARS);
                expect(out).to.match(/…\[\+\d+ more characters\]$/);
                const kept = out.replace(/…\[\+\d+ more characters\]$/, "");
                expect(kept).not.to.match(/\\(x[0-9a-f]?|u[0-9a-f]{0,3})?$/);
                expect(kept).not.to.match(/[\ud800-\udbff]$/);
            }
        }
        expect(bounded("short")).to.equal("short");
    });

    it("writes one line of JSON whose every string is inert, and no field can replace time, level or msg", () => {
        const line = formatRecord("warn", "m\nx", {
            detail: "a\nb",
            level: "info",
            msg: "forged",
            time: "2030",
            nested: { deeper: ["\u001b[2J", { k: "v\r" }] },
            ["__proto__"]: "x",
            count: Number.POSITIVE_INFINITY,
            error: new RangeError("bad\nvalue"),
        }, new Date(0));
        expect(line).not.to.match(UNSAFE);
        const record = JSON.parse(line);
        expect(record).to.include({ time: "1970-01-01T00:00:00.000Z", level: "warn", msg: "m\\nx", detail: "a\\nb", count: "Infinity", error: "RangeError: bad\\nvalue" });
        expect(Object.hasOwn(record, "__proto__")).to.equal(true);
        expect(record.nested).to.deep.equal({ deeper: ["\\x1b[2J", { k: "v\\r" }] });
        expect(JSON.stringify(record)).not.to.match(UNSAFE);
    });

    it("describes anything thrown", () => {
        expect(describeError(new TypeError("x\ny"))).to.equal("TypeError: x\\ny");
        expect(describeError("plain\u001b")).to.equal("plain\\x1b");
        expect(describeError(undefined)).to.equal("undefined");
    });
});
