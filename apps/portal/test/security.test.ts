/**
 * The portal under hostile input (issue 12, points 4 and 10): every attack here is one that was
 * tried against the running portal. Each test states what must hold: malformed input never
 * crashes or hangs the portal, never widens access, and never writes a log line of the
 * attacker's choosing.
 */
import { expect } from "chai";
import { loadSettings } from "../src/config.js";
import { createServer, type RunningServer } from "../src/server.js";
import { startKeyServer, type KeyServer } from "./support/keys.js";
import { testEnv } from "./support/settings.js";

const b64url = (text: string) => Buffer.from(text).toString("base64url");

/** A token whose signature is junk: nothing in it has been signed by anyone. */
function unsigned(header: Record<string, unknown> | string, payload: string): string {
    return `${b64url(typeof header === "string" ? header : JSON.stringify(header))}.${b64url(payload)}.${b64url("not a signature")}`;
}

/**
 * A value that, written raw, forges a whole log record (JSON like the portal's own), returns the
 * cursor, clears the terminal and paints in red; C1 NEL and U+2028 end a line for some viewers.
 */
const FORGED_RECORD = '{"time":"2030-01-01T00:00:00.000Z","level":"info","msg":"portal: admin signed in","sub":"admin"}';
const HOSTILE = `ES256\n${FORGED_RECORD}\r\u001b[2J\u001b[1;31mALERT\u001b[0m\u0085\u2028\u202eend`;

/** Characters that must never reach the log raw: C0 and C1 controls, DEL, line/paragraph separators, bidi overrides. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Everything the portal writes to stdout and stderr while `fn` runs (its default logger, as deployed). */
async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
    const chunks: string[] = [];
    const out = process.stdout.write;
    const err = process.stderr.write;
    const grab = (chunk: unknown, ...rest: unknown[]) => {
        chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
        const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
        cb?.();
        return true;
    };
    process.stdout.write = grab as typeof process.stdout.write;
    process.stderr.write = grab as typeof process.stderr.write;
    try {
        const result = await fn();
        return { result, output: chunks.join("") };
    } finally {
        process.stdout.write = out;
        process.stderr.write = err;
    }
}

/** The output as log records: it must be whole lines, each one JSON object. */
function records(output: string): Record<string, unknown>[] {
    expect(output.endsWith("\n"), `output ends mid-line: ${JSON.stringify(output)}`).to.equal(true);
    return output.slice(0, -1).split("\n").map((line) => {
        expect(line, "a raw control or separator character in a log line").not.to.match(UNSAFE);
        let record: unknown;
        expect(() => (record = JSON.parse(line)), `not a JSON log line: ${JSON.stringify(line)}`).not.to.throw();
        expect(record).to.be.an("object");
        return record as Record<string, unknown>;
    });
}

describe("portal under hostile input", () => {
    let keys: KeyServer;
    let server: RunningServer;

    before(async () => {
        keys = await startKeyServer();
        // No logger passed: the default one, as the container runs it.
        server = await createServer({ settings: loadSettings(testEnv(keys)), port: 0, host: "127.0.0.1" });
    });
    after(async () => {
        await server?.close();
        await keys?.close();
    });

    /** GET / with the two OIDC headers; the page and the log records it wrote. */
    async function visit(headers: { access?: string; data?: string }): Promise<{ status: number; body: string; logged: Record<string, unknown>[] }> {
        const h: Record<string, string> = {};
        if (headers.access !== undefined) h["x-amzn-oidc-accesstoken"] = headers.access;
        if (headers.data !== undefined) h["x-amzn-oidc-data"] = headers.data;
        const { result, output } = await captureOutput(async () => {
            const res = await fetch(server.url, { headers: h });
            return { status: res.status, body: await res.text() };
        });
        return { ...result, logged: records(output) };
    }

    describe("log forging through token fields (point 4)", () => {
        const validAccess = () => keys.signAccessToken({ sub: "user-1" });
        const cases: Array<[string, () => Promise<{ access: string; data: string }>]> = [
            ["alg of the ALB token (unsigned)", async () => ({ access: await validAccess(), data: unsigned({ ...keys.albHeader(), alg: HOSTILE }, keys.albPayloadJson()) })],
            ["kid of the ALB token (unsigned)", async () => ({ access: await validAccess(), data: unsigned({ ...keys.albHeader(), kid: HOSTILE }, keys.albPayloadJson()) })],
            ["signer of the ALB token", async () => ({ access: await validAccess(), data: keys.signAlbRaw({ signer: HOSTILE }) })],
            ["client of the ALB token", async () => ({ access: await validAccess(), data: keys.signAlbRaw({ client: HOSTILE }) })],
            ["iss claim of the ALB token", async () => ({ access: await validAccess(), data: keys.signAlbRaw({}, JSON.stringify({ ...JSON.parse(keys.albPayloadJson()), iss: HOSTILE })) })],
            ["alg of the access token (unsigned)", async () => ({ access: unsigned({ ...keys.accessHeader(), alg: HOSTILE }, keys.accessPayloadJson()), data: keys.signAlbData() })],
            ["kid of the access token (unsigned)", async () => ({ access: unsigned({ ...keys.accessHeader(), kid: HOSTILE }, keys.accessPayloadJson()), data: keys.signAlbData() })],
            ["client_id claim of the access token", async () => ({ access: keys.signAccessRaw({}, JSON.stringify({ ...JSON.parse(keys.accessPayloadJson()), client_id: HOSTILE })), data: keys.signAlbData() })],
            ["token_use claim of the access token", async () => ({ access: keys.signAccessRaw({}, JSON.stringify({ ...JSON.parse(keys.accessPayloadJson()), token_use: HOSTILE })), data: keys.signAlbData() })],
            ["a header that is not JSON (the parser quotes it)", async () => ({ access: await validAccess(), data: unsigned(`x${HOSTILE}`, keys.albPayloadJson()) })],
        ];

        for (const [field, make] of cases) {
            it(`writes exactly one JSON record, the value escaped, for a forged log line in the ${field}`, async () => {
                const { status, body, logged } = await visit(await make());
                expect(status).to.equal(200);
                expect(body).to.include("We could not confirm your sign-in");
                expect(logged).to.have.length(1);
                const [record] = logged;
                expect(record).to.include({ level: "warn", reason: "invalid" });
                expect(record!["msg"]).to.be.a("string");
                const detail = String(record!["detail"]);
                // The value is still there for whoever reads the log, but inert.
                expect(detail, "control characters survive JSON.parse of the record").not.to.match(UNSAFE);
                expect(JSON.stringify(logged)).not.to.include('"sub":"admin"');
            });
        }

        it("names the rejected value, escaped, so the log still says what was wrong", async () => {
            const { logged } = await visit({ access: await validAccess(), data: unsigned({ ...keys.albHeader(), alg: HOSTILE }, keys.albPayloadJson()) });
            expect(String(logged[0]!["detail"])).to.include("JWT signature algorithm not allowed: ES256\\n{");
        });

        it("bounds the length of a logged attacker value", async () => {
            const huge = `ES256${"A".repeat(8000)}`;
            const { logged } = await visit({ access: await validAccess(), data: unsigned({ ...keys.albHeader(), alg: huge }, keys.albPayloadJson()) });
            expect(logged).to.have.length(1);
            expect(JSON.stringify(logged[0]).length).to.be.below(1200);
            expect(String(logged[0]!["detail"])).to.match(/more characters/);
        });
    });
});
