/**
 * The portal under hostile input (issue 12, points 4 and 10): every attack here is one that was
 * tried against the running portal. Each test states what must hold: malformed input never
 * crashes or hangs the portal, never widens access, and never writes a log line of the
 * attacker's choosing.
 */
import { createHmac, randomUUID } from "node:crypto";
import { connect } from "node:net";
import { KeyObjectCache } from "aws-jwt-verify/jwt-verifier";
import { expect } from "chai";
import { createAuthenticator, type Authenticator } from "../src/auth.js";
import { loadSettings } from "../src/config.js";
import { createServer, type RunningServer } from "../src/server.js";
import { ALB_ARN, CLIENT_ID, ISSUER, startKeyServer, USER_POOL_ID, type KeyServer } from "./support/keys.js";
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

/** Send `request` as bytes on a fresh connection; the status and the whole response. */
function rawRequest(url: string, request: Buffer | string): Promise<{ status: number; response: string }> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => socket.end(request));
        const chunks: Buffer[] = [];
        socket.on("data", (c: Buffer) => chunks.push(c));
        // The server may answer (431, 400) and close before it has read all we sent: a reset
        // after an answer is the end of that answer.
        socket.on("error", (err) => (chunks.length ? undefined : reject(err)));
        socket.on("close", () => {
            const response = Buffer.concat(chunks).toString("latin1");
            resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0), response });
        });
    });
}

/** The output as log records: it must be whole lines, each one JSON object. */
function records(output: string): Record<string, unknown>[] {
    if (output === "") return [];
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
            ["iss claim of the access token (unsigned)", async () => ({ access: unsigned(keys.accessHeader(), JSON.stringify({ ...JSON.parse(keys.accessPayloadJson()), iss: HOSTILE })), data: keys.signAlbData() })],
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

        it("writes one record, escaped, for an unexpected error whose message carries a forged line", async () => {
            const failing = { authenticate: async () => { throw new TypeError(HOSTILE); } } as unknown as Authenticator;
            const broken = await createServer({ settings: loadSettings(testEnv(keys)), port: 0, host: "127.0.0.1", authenticator: failing });
            try {
                const { result, output } = await captureOutput(async () => {
                    const res = await fetch(broken.url);
                    return { status: res.status, body: await res.text() };
                });
                expect(result.status).to.equal(500);
                expect(result.body).to.include("Something went wrong").and.not.to.include("ALERT");
                const logged = records(output);
                expect(logged).to.have.length(1);
                expect(logged[0]).to.include({ level: "error" });
                expect(String(logged[0]!["error"])).to.match(/^TypeError: ES256\\n\{/);
            } finally {
                await broken.close();
            }
        });

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

    /** rawRequest, with the log records it caused. */
    async function rawVisit(request: Buffer | string) {
        const { result, output } = await captureOutput(() => rawRequest(server.url, request));
        return { ...result, logged: records(output) };
    }

    /** The portal still answers after an attack. */
    async function alive(): Promise<void> {
        const res = await fetch(`${server.url}/health`);
        expect(res.status).to.equal(200);
    }

    /** A signed-in page for a valid pair of tokens, to show the attack did not break normal use. */
    async function stillServesUsers(): Promise<void> {
        const { body } = await visit({ access: await keys.signAccessToken({ sub: "u9", groups: ["ops"] }), data: keys.signAlbData({ sub: "u9", givenName: "Uma" }) });
        expect(body).to.include("Hello, Uma");
    }

    const notSignedIn = (page: { status: number; body: string }) => {
        expect(page.status).to.equal(200);
        expect(page.body).to.include("We could not confirm your sign-in");
        expect(page.body).not.to.include('class="tile"');
    };

    describe("huge headers", () => {
        it("treats a 14 KB junk token as not signed in, quickly, with one bounded record", async () => {
            const started = Date.now();
            const page = await visit({ access: await keys.signAccessToken(), data: `${"a".repeat(7000)}.${"b".repeat(7000)}.c` });
            notSignedIn(page);
            expect(page.logged).to.have.length(1);
            expect(JSON.stringify(page.logged[0]).length).to.be.below(1000);
            expect(Date.now() - started).to.be.below(2000);
        });

        it("refuses headers beyond Node's 16 KB limit with 431 and keeps serving", async () => {
            const { status } = await rawVisit(`GET / HTTP/1.1\r\nHost: x\r\nx-amzn-oidc-data: ${"a".repeat(100_000)}\r\nConnection: close\r\n\r\n`);
            expect(status).to.equal(431);
            await alive();
            await stillServesUsers();
        });

        it("does not backtrack on a token of thousands of dots and segments", async () => {
            const started = Date.now();
            notSignedIn(await visit({ access: "a.".repeat(4000), data: `${"a=".repeat(1500)}.${"=".repeat(1500)}` }));
            expect(Date.now() - started).to.be.below(2000);
        });
    });

    describe("headers sent more than once (arrays)", () => {
        it("does not accept a valid token pair sent twice (joined, it is no JWT)", async () => {
            const access = await keys.signAccessToken({ sub: "u2", groups: ["admins"] });
            const data = keys.signAlbData({ sub: "u2" });
            const { status, response, logged } = await rawVisit([
                "GET / HTTP/1.1", "Host: x", "Connection: close",
                `x-amzn-oidc-accesstoken: ${access}`, `x-amzn-oidc-accesstoken: ${access}`,
                `x-amzn-oidc-data: ${data}`, `X-Amzn-Oidc-Data: ${data}`, "", "",
            ].join("\r\n"));
            expect(status).to.equal(200);
            expect(response).to.include("We could not confirm your sign-in");
            expect(response).not.to.include('class="tile"');
            expect(logged).to.have.length(1);
        });

        it("does not let a second, forged header ride along with a valid one", async () => {
            const access = await keys.signAccessToken({ sub: "u3" });
            const forged = unsigned({ ...keys.albHeader(), alg: "none" }, JSON.stringify({ sub: "u3", "custom:groups": "admins", identities: "[1]" }));
            const { response } = await rawVisit([
                "GET / HTTP/1.1", "Host: x", "Connection: close",
                `x-amzn-oidc-accesstoken: ${access}`, `x-amzn-oidc-data: ${keys.signAlbData({ sub: "u3" })}`, `x-amzn-oidc-data: ${forged}`, "", "",
            ].join("\r\n"));
            expect(response).to.include("We could not confirm your sign-in");
        });

        it("treats an empty or blank header as missing", async () => {
            const page = await visit({ access: "   ", data: keys.signAlbData() });
            notSignedIn(page);
            expect(page.logged[0]).to.include({ reason: "missing" });
        });
    });

    describe("tokens in the wrong header", () => {
        it("does not accept the ALB token as the access token or the other way round", async () => {
            const access = await keys.signAccessToken({ sub: "u4", groups: ["admins"] });
            const data = keys.signAlbData({ sub: "u4" });
            notSignedIn(await visit({ access: data, data: access }));
            notSignedIn(await visit({ access: data, data }));
            notSignedIn(await visit({ access, data: access }));
        });
    });

    describe("non-UTF-8 and control bytes", () => {
        it("treats raw Latin-1 bytes in the token headers as not signed in", async () => {
            const head = Buffer.from("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-amzn-oidc-accesstoken: ", "latin1");
            const junk = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80, 0xe2, 0x82]);
            const request = Buffer.concat([head, junk, Buffer.from(".a.b\r\nx-amzn-oidc-data: "), junk, Buffer.from("\r\n\r\n")]);
            const { status, response, logged } = await rawVisit(request);
            expect(status).to.equal(200);
            expect(logged).to.have.length(1);
            expect(response).to.include("We could not confirm your sign-in");
        });

        it("treats invalid UTF-8 inside the token's JSON as not signed in, the record still inert", async () => {
            const header = Buffer.concat([Buffer.from('{"alg":"ES256\xff'), Buffer.from([0xff, 0xc0, 0xaf, 0x0a]), Buffer.from(`","kid":"${keys.albHeader()["kid"]}"}`)]);
            const data = `${header.toString("base64url")}.${b64url(keys.albPayloadJson())}.${b64url("sig")}`;
            const page = await visit({ access: await keys.signAccessToken(), data });
            notSignedIn(page);
            expect(page.logged).to.have.length(1);
        });

        it("answers 400 to a NUL, a bare CR or LF, or a folded line in a header, and keeps serving", async () => {
            for (const bad of ["x-amzn-oidc-data: a\u0000b", "x-amzn-oidc-data: a\rb", "x-amzn-oidc-data: a\nb", "x-amzn-oidc-data: a\r\n b"]) {
                const { status } = await rawVisit(`GET / HTTP/1.1\r\nHost: x\r\n${bad}\r\nConnection: close\r\n\r\n`);
                expect(status).to.equal(400);
            }
            await alive();
        });

        for (const path of ["/%ff", "/%", "/%E0%A4%A", "/static/portal.css%00", "/..%2f..%2fetc%2fpasswd", "//evil.example.com/", "/logout%0d%0aSet-Cookie:%20x=1"]) {
            it(`answers a malformed path ${JSON.stringify(path)} with a page, not a crash`, async () => {
                const { status, response } = await rawVisit(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
                expect([200, 302, 400, 404]).to.include(status);
                expect(response).not.to.match(/\r\nSet-Cookie: x=1/i);
                await alive();
            });
        }
    });

    describe("deeply nested JSON", () => {
        /** About 9,000 characters of JSON: with base64 and the other header, just under Node's 16 KB header limit. */
        const nests = [
            ["arrays", "[".repeat(9000)],
            ["objects", '{"a":'.repeat(1800)],
            ["closed arrays", `${"[".repeat(4500)}${"]".repeat(4500)}`],
            ["closed objects", `${'{"a":'.repeat(1000)}1${"}".repeat(1000)}`],
        ] as const;
        for (const [what, json] of nests) {
            it(`treats an ALB token whose payload or header is nested ${what} as not signed in`, async () => {
                for (const data of [unsigned(keys.albHeader(), json), unsigned(json, keys.albPayloadJson())]) {
                    const page = await visit({ access: await keys.signAccessToken(), data });
                    notSignedIn(page);
                    expect(page.logged).to.have.length(1);
                }
            });
            it(`treats an access token whose payload or header is nested ${what} as not signed in`, async () => {
                for (const access of [unsigned(keys.accessHeader(), json), unsigned(json, keys.accessPayloadJson())]) {
                    const page = await visit({ access, data: keys.signAlbData() });
                    notSignedIn(page);
                    expect(page.logged).to.have.length(1);
                }
            });
        }

        it("copes with a signed token whose claims are nested deeply", async () => {
            const deep = `${"[".repeat(3000)}${"]".repeat(3000)}`;
            const payload = keys.albPayloadJson("u5").replace(/}$/, `,"nested":${deep},"custom:groups":"${"[".repeat(2000)}","identities":"[1]"}`);
            const page = await visit({ access: await keys.signAccessToken({ sub: "u5" }), data: keys.signAlbRaw({}, payload) });
            expect(page.status).to.equal(200);
            expect(page.body).not.to.include("Sales overview");
        });
    });

    describe("numbers out of range", () => {
        const withClaims = (claims: string) => keys.albPayloadJson("u6").replace(/,"exp":\d+/, "").replace(/}$/, `,${claims}}`);
        for (const claims of ['"exp":1e400', `"exp":1${"0".repeat(400)}`, '"exp":-1e400', '"exp":-1e300', '"exp":"9999999999"', '"exp":null', '"exp":[1]', '"nbf":1e300', '"nbf":1e400', '"iat":1e400']) {
            it(`rejects, without an error page, a signed ALB token with ${claims.slice(0, 40)}`, async () => {
                const page = await visit({ access: await keys.signAccessToken({ sub: "u6" }), data: keys.signAlbRaw({}, withClaims(claims)) });
                notSignedIn(page);
                expect(page.logged).to.have.length(1);
            });
        }
        it("rejects the same numbers in an access token", async () => {
            for (const claims of ['"exp":1e400', '"exp":-1e300', '"nbf":1e300']) {
                const payload = keys.accessPayloadJson("u7").replace(/,"exp":\d+/, "").replace(/}$/, `,${claims}}`);
                notSignedIn(await visit({ access: keys.signAccessRaw({}, payload), data: keys.signAlbData({ sub: "u7" }) }));
            }
        });
    });

    describe("key ids with path characters", () => {
        const uuid = () => String(keys.albHeader()["kid"]);
        const kids = () => ["../cognito/.well-known/jwks.json", "..%2f..%2fcognito", `${uuid()}/../../cognito/.well-known/jwks.json`, `${uuid()}\n`, `${uuid()}?x=1`, `${uuid()}#x`, `/${uuid()}`, "http://evil.example.com/key", "", " "];
        it("never fetches an ALB key for a kid that is not a bare UUID", async () => {
            const before = keys.requested().length;
            for (const kid of kids()) {
                notSignedIn(await visit({ access: await keys.signAccessToken(), data: keys.signAlbRaw({ kid }) }));
            }
            expect(keys.requested().slice(before).filter((path) => path.startsWith("/alb"))).to.deep.equal([]);
        });

        it("fetches nothing but the pool's JWKS for an access-token kid with path characters", async () => {
            const before = keys.requested().length;
            for (const kid of kids()) {
                notSignedIn(await visit({ access: keys.signAccessRaw({ kid }), data: keys.signAlbData() }));
            }
            for (const path of keys.requested().slice(before)) {
                expect(path).to.be.oneOf(["/cognito/.well-known/jwks.json", `/alb/${uuid()}`]);
            }
        });

        it("fetches an unknown but well-formed ALB kid once, at exactly its own URL", async () => {
            const kid = randomUUID();
            notSignedIn(await visit({ access: await keys.signAccessToken(), data: keys.signAlbRaw({ kid }) }));
            expect(keys.requested()).to.include(`/alb/${kid}`);
        });
    });

    describe("algorithm and structure confusion", () => {
        it("rejects an ALB token signed with HS256 using the ALB public key as the secret", async () => {
            const pem = await (await fetch(`${keys.albKeysUrl}/${keys.albHeader()["kid"]}`)).text();
            const input = `${b64url(JSON.stringify({ ...keys.albHeader(), alg: "HS256" }))}.${b64url(keys.albPayloadJson("u8"))}`;
            const data = `${input}.${createHmac("sha256", pem).update(input).digest("base64url")}`;
            notSignedIn(await visit({ access: await keys.signAccessToken({ sub: "u8", groups: ["admins"] }), data }));
        });

        it("does not let __proto__ or constructor in signed claims add groups", async () => {
            const payload = keys.albPayloadJson("u10").replace(/}$/, ',"__proto__":{"custom:groups":"admins","identities":"[1]"},"constructor":{"prototype":{"custom:groups":"admins"}}}');
            const page = await visit({ access: await keys.signAccessToken({ sub: "u10" }), data: keys.signAlbRaw({}, payload) });
            expect(page.body).to.include("Hello,");
            expect(page.body).not.to.include("Sales overview");
            expect(({} as Record<string, unknown>)["custom:groups"]).to.equal(undefined);
        });

        // Before: the ALB token's sub went through String(), so a missing one "matched" an access
        // token for the user "undefined"; two empty subs matched each other.
        for (const [albSub, accessSub] of [[undefined, "undefined"], ["", ""], [undefined, undefined]] as const) {
            it(`does not match tokens whose subjects are ${JSON.stringify(albSub) ?? "absent"} and ${JSON.stringify(accessSub) ?? "absent"}`, async () => {
                const data = JSON.stringify({ ...JSON.parse(keys.albPayloadJson()), sub: albSub });
                const access = JSON.stringify({ ...JSON.parse(keys.accessPayloadJson()), sub: accessSub, "cognito:groups": ["admins"] });
                notSignedIn(await visit({ access: keys.signAccessRaw({}, access), data: keys.signAlbRaw({}, data) }));
            });
        }
    });

    describe("odd cookies on /logout", () => {
        async function logout(cookie: string | Buffer) {
            const request = Buffer.concat([Buffer.from("GET /logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: "), Buffer.from(cookie), Buffer.from("\r\n\r\n")]);
            const result = await rawVisit(request);
            const setCookies = [...result.response.matchAll(/^set-cookie: (.*)$/gim)].map((m) => m[1]!.trim());
            return { ...result, setCookies };
        }
        const expiry = /^AWSELBAuthSessionCookie-\d+=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure$/;

        for (const cookie of [
            ";;;=;AWSELBAuthSessionCookie-0",
            "AWSELBAuthSessionCookie-0=%",
            "AWSELBAuthSessionCookie-0=%E0%A4%A; AWSELBAuthSessionCookie-1=%ZZ",
            'AWSELBAuthSessionCookie-0="unterminated',
            "AWSELBAuthSessionCookie-99999999999999999999999999=x",
            "AWSELBAuthSessionCookie-1 =x; AWSELBAuthSessionCookie-\u0663=x; awselbauthsessioncookie-7=x",
            "AWSELBAuthSessionCookie-0=a; Domain=evil.example.com; Path=/; AWSELBAuthSessionCookie-4=b",
            `AWSELBAuthSessionCookie-0=${"x".repeat(8000)}`,
        ]) {
            it(`expires only real session cookies, with fixed attributes, for ${JSON.stringify(cookie.slice(0, 60))}`, async () => {
                const { status, setCookies, response } = await logout(cookie);
                expect(status).to.equal(302);
                expect(response).to.match(/\r\nlocation: https:\/\/auth\.example\.com\/logout/i);
                expect(setCookies.length).to.be.within(4, 6);
                for (const c of setCookies) expect(c).to.match(expiry);
                await alive();
            });
        }

        it("survives Latin-1 bytes in the cookie header", async () => {
            const { status, setCookies } = await logout(Buffer.from([0x41, 0x3d, 0xff, 0xfe, 0x3b, 0x20, 0xe9, 0x3d, 0x80]));
            expect(status).to.equal(302);
            for (const c of setCookies) expect(c).to.match(expiry);
        });

        // Every shard sent is expired, without a cap (server.ts /logout, left as it is): 300 shards
        // make a 9 KB request and about 33 KB of Set-Cookie; only the sender's own browser sends them.
        it("expires many session cookie shards, each with fixed attributes", async () => {
            const cookie = Array.from({ length: 300 }, (_, i) => `AWSELBAuthSessionCookie-${i}=x`).join("; ");
            const { status, setCookies } = await logout(cookie);
            expect(status).to.equal(302);
            expect(setCookies).to.have.length(300);
            for (const c of setCookies) expect(c).to.match(expiry);
        });
    });

    describe("memory kept for forged tokens", () => {
        // aws-jwt-verify caches each key object under the token's payload `iss`, before it checks
        // the signature. Before: 2,000 junk-signed ALB tokens, each with a fresh 8 KB iss, left
        // 2,000 entries (16 MB of keys alone) in the ALB verifier's cache for good; a steady stream
        // runs the task out of memory. The spy counts the issuers the caches take in.
        it("caches key objects for the user pool's issuers only, whatever iss forged tokens carry", async () => {
            const cached = new Set<string>();
            const proto = KeyObjectCache.prototype as unknown as { putKeyObjectInCache(issuer: string, ...rest: unknown[]): void };
            const put = proto.putKeyObjectInCache;
            proto.putKeyObjectInCache = function (issuer, ...rest) {
                cached.add(issuer);
                return put.call(this, issuer, ...rest);
            };
            try {
                const auth = createAuthenticator({ userPoolId: USER_POOL_ID, clientId: CLIENT_ID, albArn: ALB_ARN, albPublicKeysUrl: keys.albKeysUrl, cognitoJwksUrl: keys.jwksUrl });
                const signedIn = await auth.authenticate(new Headers({ "x-amzn-oidc-accesstoken": await keys.signAccessToken(), "x-amzn-oidc-data": keys.signAlbData() }));
                expect(signedIn.ok).to.equal(true);
                expect([...cached], "the spy no longer sees the library's cache").to.deep.equal([ISSUER]);
                for (let i = 0; i < 200; i++) {
                    const iss = `${ISSUER}/${i}${"i".repeat(8000)}`;
                    const data = unsigned(keys.albHeader(), JSON.stringify({ ...JSON.parse(keys.albPayloadJson()), iss }));
                    const access = unsigned(keys.accessHeader(), JSON.stringify({ ...JSON.parse(keys.accessPayloadJson()), iss }));
                    expect(await auth.authenticate(new Headers({ "x-amzn-oidc-accesstoken": access, "x-amzn-oidc-data": keys.signAlbData() }))).to.include({ ok: false });
                    expect(await auth.authenticate(new Headers({ "x-amzn-oidc-accesstoken": await keys.signAccessToken(), "x-amzn-oidc-data": data }))).to.include({ ok: false });
                }
                expect(cached.size, "issuers cached").to.equal(1);
            } finally {
                proto.putKeyObjectInCache = put;
            }
        });
    });
});
