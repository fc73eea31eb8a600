/**
 * Attacks on the identity check of Shiny images (apps/shared/r/alb_auth.R), run against the real R
 * code: test/security/fixtures/r/verify.R sources alb_auth.R and verifies the given headers the way
 * the app does, against key servers started here on 127.0.0.1. Offline; needs Debian's Rscript
 * with r-cran-openssl, r-cran-curl and r-cran-jsonlite.
 *
 * Timing checks count the key server's requests and use generous bounds: they separate "a few
 * short fetches" from "one long fetch per forged kid", not milliseconds.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { needs, PREREQUISITES } from "../prerequisites";

const ROOT = path.resolve(__dirname, "..", "..");
const RSCRIPT = "/usr/bin/Rscript";
const ALB_AUTH = path.join(ROOT, "apps", "shared", "r", "alb_auth.R");
const DRIVER = path.join(__dirname, "fixtures", "r", "verify.R");
const ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/dashboards/50dc6c495c0c9188";
/** The test-only opt-in that lets the verifier fetch keys over http from a loopback address. */
const LOCAL_HTTP_OPT_IN = "DASHBOARD_AUTH_ALLOW_LOCAL_HTTP_KEYS";

// ---------------------------------------------------------------------------------------------
// Keys and tokens shaped like the ALB's x-amzn-oidc-data (segments base64url *with* padding)

interface KeyPair {
    pem: string;
    privateKey: crypto.KeyObject;
}

function newKeyPair(): KeyPair {
    const { publicKey, privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    return { pem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}

const b64url = (buf: Buffer) => buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
const seg = (text: string) => b64url(Buffer.from(text, "utf8"));
const now = () => Math.floor(Date.now() / 1000);

interface TokenOptions {
    kid: string;
    key?: KeyPair;
    /** Raw JSON text of the header / payload (default: a well-formed ALB header / claims). */
    header?: string;
    payload?: string;
}

function albHeader(kid: unknown, extra: Record<string, unknown> = {}): string {
    return JSON.stringify({ typ: "JWT", kid, alg: "ES256", iss: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test", client: "testclient", signer: ALB_ARN, exp: now() + 120, ...extra });
}

function claims(extra: Record<string, unknown> = {}): string {
    return JSON.stringify({ sub: "0d6f0f8e-1111-2222-3333-444455556666", email: "ada.lovelace@example.com", username: "ada", exp: now() + 120, ...extra });
}

/** A token signed with `key` (or with a throwaway key: a forgery whose kid the server does not know). */
function token({ kid, key, header, payload }: TokenOptions): string {
    const input = `${seg(header ?? albHeader(kid))}.${seg(payload ?? claims())}`;
    const sig = crypto.sign("sha256", Buffer.from(input), { key: (key ?? newKeyPair()).privateKey, dsaEncoding: "ieee-p1363" });
    return `${input}.${b64url(sig)}`;
}

// ---------------------------------------------------------------------------------------------
// Local key servers

type Handler = (kid: string, req: http.IncomingMessage, res: http.ServerResponse) => void;

interface KeyServer {
    url: string;
    /** Paths requested so far, in order. */
    requests: string[];
    close(): Promise<void>;
}

async function startKeyServer(handler: Handler): Promise<KeyServer> {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        requests.push(req.url ?? "");
        handler((req.url ?? "").replace(/^\//, ""), req, res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return {
        url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        requests,
        close: () =>
            new Promise<void>((r) => {
                server.closeAllConnections(); // a "slow" server still holds requests open
                server.close(() => r());
            }),
    };
}

/** Serves `keys[kid]` as PEM, 404 for every other kid. */
const serveKeys = (keys: Record<string, KeyPair>): Handler => (kid, _req, res) => {
    if (Object.hasOwn(keys, kid)) res.writeHead(200, { "content-type": "text/plain" }).end(keys[kid].pem);
    else res.writeHead(404).end();
};

// ---------------------------------------------------------------------------------------------
// The R driver

/** One alb_verify call (or alb_user with `via: "user"`) on a string, on raw bytes, or on an R value; or a pause. */
type Step = ({ token: string } | { hex: string } | { expr: string }) & { via?: "user" } | { sleep: number };

interface StepResult {
    sub: string | null;
    user: string | null;
    raised: string | null;
    seconds: number;
}

interface Run {
    results: StepResult[];
    stats: { keys: number; failed: number };
    stderr: string;
    seconds: number;
}

/** Runs the real alb_auth.R on `steps`; `env` adds to ALB_ARN / ALB_PUBLIC_KEYS_URL, `set` overrides its constants. */
async function verify(keysUrl: string, steps: Step[], opts: { env?: Record<string, string>; set?: Record<string, number>; optIn?: boolean } = {}): Promise<Run> {
    if (!fs.existsSync(RSCRIPT)) throw new Error(`Rscript not found at ${RSCRIPT} (Debian r-base-core, r-cran-openssl, r-cran-curl, r-cran-jsonlite)`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shiny-verifier-"));
    const input = path.join(dir, "input.json");
    fs.writeFileSync(input, JSON.stringify({ set: opts.set ?? {}, steps }));
    const env: Record<string, string> = {
        PATH: "/usr/bin:/bin",
        HOME: dir,
        LANG: "C.UTF-8",
        ALB_ARN,
        ALB_PUBLIC_KEYS_URL: keysUrl,
        AWS_REGION: "eu-west-1",
        ...(opts.optIn === false ? {} : { [LOCAL_HTTP_OPT_IN]: "1" }),
        ...opts.env,
    };
    const started = Date.now();
    // Asynchronous on purpose: the key servers live in this process and must keep answering.
    const child = spawn(RSCRIPT, [DRIVER, ALB_AUTH, input], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    fs.rmSync(dir, { recursive: true, force: true });
    if (code !== 0) throw new Error(`Rscript exited with ${code}:\n${stderr.slice(-4000)}`);
    const out = JSON.parse(stdout) as Omit<Run, "stderr" | "seconds">;
    return { ...out, results: out.results.filter((r) => !("slept" in r)), stderr, seconds: (Date.now() - started) / 1000 };
}

const freshKid = () => crypto.randomUUID();

describe("security: the Shiny verifier (apps/shared/r/alb_auth.R) under attack", function () {
    this.timeout(120_000);
    const good = newKeyPair();
    const kid = freshKid();
    let keys: KeyServer;

    needs(...PREREQUISITES.rVerifier);
    before(async () => {
        keys = await startKeyServer(serveKeys({ [kid]: good }));
    });
    after(() => keys?.close());

    it("accepts a valid ALB token (the control case)", async () => {
        const run = await verify(keys.url, [{ token: token({ kid, key: good }) }, { token: token({ kid, key: good }), via: "user" }]);
        expect(run.results[0]).to.include({ sub: "0d6f0f8e-1111-2222-3333-444455556666", raised: null });
        expect(run.results[1]).to.include({ user: "ada.lovelace@example.com", raised: null });
    });

    describe("hostile tokens never raise: a malformed token means \"not signed in\"", () => {
        const signed = (payload: string, header?: string) => token({ kid, key: good, payload, header });
        const withHeaderExp = (exp: string) => albHeader(kid).replace(/"exp":\d+/, `"exp":${exp}`);
        const withClaimsExp = (exp: string) => claims().replace(/"exp":\d+/, `"exp":${exp}`);
        const sig = token({ kid, key: good }).split(".")[2];
        const headerSeg = seg(albHeader(kid));
        const claimsSeg = seg(claims());
        const hex = (b: Buffer) => b.toString("hex");
        // Every case is a header the app could receive; none may raise, none may sign anyone in.
        const cases: { name: string; step: Step }[] = [
            // deeply nested JSON (the Python verifier's RecursionError), within the 16 KB header limit
            { name: "a header of 12,000 unclosed '['", step: { token: `${seg("[".repeat(12_000))}.${claimsSeg}.${sig}` } },
            { name: "a header nested 5,000 arrays deep", step: { token: `${seg("[".repeat(5000) + "]".repeat(5000))}.${claimsSeg}.${sig}` } },
            { name: "a header nested 2,000 objects deep", step: { token: `${seg('{"a":'.repeat(2000) + "1" + "}".repeat(2000))}.${claimsSeg}.${sig}` } },
            { name: "validly signed claims nested 5,000 arrays deep", step: { token: signed("[".repeat(5000) + "]".repeat(5000)) } },
            { name: "validly signed claims nested 2,000 objects deep", step: { token: signed('{"a":'.repeat(2000) + "1" + "}".repeat(2000)) } },
            // huge and non-numeric exp (the Python verifier's OverflowError)
            { name: "a header exp of 1 followed by 400 zeros", step: { token: signed(claims(), withHeaderExp("1" + "0".repeat(400))) } },
            { name: "a header exp of 1e400", step: { token: signed(claims(), withHeaderExp("1e400")) } },
            { name: "a header exp of -1e400", step: { token: signed(claims(), withHeaderExp("-1e400")) } },
            { name: 'a header exp of "never"', step: { token: signed(claims(), withHeaderExp('"never"')) } },
            { name: "validly signed claims with exp 1 followed by 400 zeros", step: { token: signed(withClaimsExp("1" + "0".repeat(400))) } },
            { name: "validly signed claims with exp 1e400", step: { token: signed(withClaimsExp("1e400")) } },
            { name: 'validly signed claims with exp as a string ("9999999999")', step: { token: signed(withClaimsExp('"9999999999"')) } },
            { name: "validly signed claims with exp as an array ([9999999999])", step: { token: signed(withClaimsExp("[9999999999]")) } },
            { name: "validly signed claims with exp true", step: { token: signed(withClaimsExp("true")) } },
            { name: 'validly signed claims with exp {"a":9999999999}', step: { token: signed(withClaimsExp('{"a":9999999999}')) } },
            { name: "validly signed claims without exp", step: { token: signed(JSON.stringify({ sub: "x" })) } },
            // non-string header fields and claims
            { name: "a numeric kid", step: { token: token({ kid: "", header: albHeader(123) }) } },
            { name: "a kid that is an array", step: { token: signed(claims(), albHeader([kid])) } },
            { name: "a kid that is an object", step: { token: signed(claims(), albHeader({ kid })) } },
            { name: "a null kid", step: { token: signed(claims(), albHeader(null)) } },
            { name: "alg as an array", step: { token: signed(claims(), albHeader(kid, { alg: ["ES256"] })) } },
            { name: "signer as an array", step: { token: signed(claims(), albHeader(kid, { signer: [ALB_ARN] })) } },
            { name: "signer as an object", step: { token: signed(claims(), albHeader(kid, { signer: { arn: ALB_ARN } })) } },
            { name: "validly signed claims with a numeric sub", step: { token: signed(claims({ sub: 42 })) } },
            { name: "validly signed claims with sub as an array", step: { token: signed(claims({ sub: ["a", "b"] })) } },
            { name: "validly signed claims with a null sub", step: { token: signed(claims({ sub: null })) } },
            { name: "validly signed claims that are an array", step: { token: signed("[1,2,3]") } },
            { name: "validly signed claims that are a string", step: { token: signed('"sub"') } },
            { name: "validly signed claims that are null", step: { token: signed("null") } },
            { name: "a header that is null", step: { token: `${seg("null")}.${claimsSeg}.${sig}` } },
            { name: "a header that is a number", step: { token: `${seg("42")}.${claimsSeg}.${sig}` } },
            { name: "a header that is a string", step: { token: `${seg('"ES256"')}.${claimsSeg}.${sig}` } },
            // bad base64 and bad bytes
            { name: "a header segment that is not base64", step: { token: `!!!!.${claimsSeg}.${sig}` } },
            { name: "a one-character header segment", step: { token: `A.${claimsSeg}.${sig}` } },
            { name: "a header of '*' and '%'", step: { token: `*%*%.${claimsSeg}.${sig}` } },
            { name: "a header that decodes to invalid UTF-8", step: { token: `${b64url(Buffer.from([0xff, 0xfe, 0x7b]))}.${claimsSeg}.${sig}` } },
            { name: "a header that decodes to a NUL byte", step: { token: `${b64url(Buffer.from('{"alg"\u0000:1}'))}.${claimsSeg}.${sig}` } },
            { name: "a signature that is not base64", step: { token: `${headerSeg}.${claimsSeg}.not*base64` } },
            { name: "a 63-byte signature", step: { token: `${headerSeg}.${claimsSeg}.${b64url(Buffer.alloc(63, 1))}` } },
            { name: "an empty signature", step: { token: `${headerSeg}.${claimsSeg}.` } },
            { name: "two segments", step: { token: `${headerSeg}.${claimsSeg}` } },
            { name: "four segments", step: { token: `${headerSeg}.${claimsSeg}.${sig}.${sig}` } },
            { name: "only dots", step: { token: ".".repeat(5000) } },
            { name: "whitespace only", step: { token: " \t\n " } },
            // huge headers and bytes that are not UTF-8 (httpuv hands header bytes over as they came)
            { name: "a 16,385-character header", step: { token: `${headerSeg}.${claimsSeg}.${sig}`.padEnd(16_385, "A") } },
            { name: "a 4 MB header", step: { token: `${headerSeg}.${"A".repeat(4 * 1024 * 1024)}.${sig}` } },
            { name: "a header with a byte that is not UTF-8 (0xff)", step: { hex: hex(Buffer.concat([Buffer.from(`${headerSeg}.${claimsSeg}.`), Buffer.from([0xff])])) } },
            { name: "a header that is just 0xff 0xfe", step: { hex: "fffe" } },
            { name: "a header with a byte that is not UTF-8, via alb_user", step: { hex: hex(Buffer.from([0x61, 0xff, 0x2e, 0x61, 0x2e, 0x61])), via: "user" } },
            { name: "a header that is Latin-1 text, via alb_user", step: { hex: hex(Buffer.from("caf\xe9.x.y", "latin1")), via: "user" } },
            // values that are not one string (what a caller might pass)
            { name: "NULL", step: { expr: "NULL" } },
            { name: "character(0)", step: { expr: "character(0)" } },
            { name: "two strings", step: { expr: `c(${JSON.stringify(token({ kid, key: good }))}, "x")` } },
            { name: "NA", step: { expr: "NA_character_" } },
            { name: "a number", step: { expr: "42" } },
            { name: "a list holding a valid token", step: { expr: `list(${JSON.stringify(token({ kid, key: good }))})` } },
            { name: "a raw vector", step: { expr: "as.raw(1:3)" } },
        ];
        let run: Run;

        before(async () => {
            run = await verify(keys.url, cases.map((c) => c.step));
        });

        cases.forEach((c, i) => {
            it(`${c.name}: not signed in, no error`, () => {
                const r = run.results[i];
                expect(r.raised, `alb_verify raised for ${c.name}`).to.equal(null);
                expect(r.sub, `signed in with ${c.name}`).to.equal(null);
                expect(r.user, `signed in with ${c.name}`).to.equal(null);
            });
        });

        it("shows the sub when email and username are not strings (no error)", async () => {
            const r = await verify(keys.url, [{ token: signed(claims({ email: { a: 1 }, username: [1] })), via: "user" }]);
            expect(r.results[0]).to.include({ raised: null, user: "0d6f0f8e-1111-2222-3333-444455556666" });
        });
    });

    describe("key fetches: no redirects, https only unless a test opts into a local http server", () => {
        const attacker = newKeyPair();
        let evil: KeyServer;
        let redirecting: KeyServer;

        before(async () => {
            // The attacker's server serves the attacker's key under any kid.
            evil = await startKeyServer((_kid, _req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(attacker.pem));
            redirecting = await startKeyServer((k, _req, res) => {
                const [status, where] = k.split("-");
                if (k === "same-server-key") res.writeHead(200).end(attacker.pem);
                else if (where === "same") res.writeHead(Number(status), { location: "/same-server-key" }).end();
                else res.writeHead(Number(status), { location: `${evil.url}/${k}` }).end();
            });
        });
        after(async () => {
            await evil.close();
            await redirecting.close();
        });

        for (const status of [301, 302, 303, 307, 308]) {
            it(`does not follow a ${status} from the key URL to another server (token signed with that server's key)`, async () => {
                const run = await verify(redirecting.url, [{ token: token({ kid: `${status}-${freshKid()}`, key: attacker }) }]);
                expect(run.results[0]).to.include({ sub: null, raised: null });
                expect(evil.requests, "requests that reached the redirect target").to.deep.equal([]);
            });
        }

        it("does not follow a redirect to another path on the same server", async () => {
            const run = await verify(redirecting.url, [{ token: token({ kid: `302-same`, key: attacker }) }]);
            expect(run.results[0]).to.include({ sub: null, raised: null });
            expect(redirecting.requests).not.to.include("/same-server-key");
        });

        it("refuses an http key URL without the test opt-in, and fetches nothing", async () => {
            const plain = await startKeyServer(serveKeys({ [kid]: good }));
            try {
                const run = await verify(plain.url, [{ token: token({ kid, key: good }) }], { optIn: false });
                expect(run.results[0]).to.include({ sub: null, raised: null });
                expect(plain.requests).to.deep.equal([]);
            } finally {
                await plain.close();
            }
        });

        it(`refuses other key URLs even with ${LOCAL_HTTP_OPT_IN}=1, and other values of the opt-in`, async () => {
            const plain = await startKeyServer(serveKeys({ [kid]: good }));
            try {
                const t = token({ kid, key: good });
                const port = new URL(plain.url).port;
                const refused = [
                    "http://192.0.2.1:9", // TEST-NET-1: never routed, so a fetch attempt could not succeed either
                    `http://localhost:${port}`, // a name resolves wherever DNS says: only loopback IP literals
                    plain.url.replace("http://", "http://127.0.0.1@"),
                    `${plain.url}/?kid=`,
                    `file://${ROOT}`,
                    `ftp://127.0.0.1:${port}/keys`,
                    "data:text/plain,x",
                    `https://user:pw@public-keys.auth.elb.eu-west-1.amazonaws.com`,
                    "https://public-keys.auth.elb.eu-west-1.amazonaws.com/?kid=",
                ];
                for (const keysUrl of refused) {
                    const run = await verify(keysUrl, [{ token: t }]);
                    expect(run.results[0], keysUrl).to.include({ sub: null, raised: null });
                }
                const yes = await verify(plain.url, [{ token: t }], { optIn: false, env: { [LOCAL_HTTP_OPT_IN]: "yes" } });
                expect(yes.results[0]).to.include({ sub: null, raised: null });
                expect(plain.requests).to.deep.equal([]);
            } finally {
                await plain.close();
            }
        });

        it(`accepts the local http key server with ${LOCAL_HTTP_OPT_IN}=1 (what the app tests rely on)`, async () => {
            const run = await verify(keys.url, [{ token: token({ kid, key: good }) }]);
            expect(run.results[0]).to.include({ sub: "0d6f0f8e-1111-2222-3333-444455556666", raised: null });
        });

        it("does try an https key URL (the production shape)", async () => {
            // A bare TCP listener: curl connects, the TLS handshake fails, nobody is signed in.
            let connections = 0;
            const tcp = net.createServer((socket) => {
                connections++;
                socket.destroy();
            });
            await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", () => r()));
            try {
                const run = await verify(`https://127.0.0.1:${(tcp.address() as net.AddressInfo).port}`, [{ token: token({ kid, key: good }) }], { optIn: false });
                expect(run.results[0]).to.include({ sub: null, raised: null });
                expect(connections, "connections to the https key URL").to.equal(1);
            } finally {
                await new Promise<void>((r) => tcp.close(() => r()));
            }
        });

        it("no Shiny image sets the opt-in: the template's, the platform's R helpers, the generated Dockerfiles", () => {
            const files = [
                ["apps", "shiny", "Dockerfile"], ["apps", "shiny", "app.R"], ["apps", "shared", "r", "run.R"], ["apps", "shared", "r", "healthcheck.R"],
                ["apps", "shared", "r", "build", "install_packages.R"], ["apps", "shared", "r", "build", "Rprofile.site"], ["components", "generatedDockerfile.ts"],
            ];
            for (const file of files) expect(fs.readFileSync(path.join(ROOT, ...file), "utf8"), file.join("/")).not.to.include(LOCAL_HTTP_OPT_IN);
        });

        it("fetches nothing for a kid that is not a whole-string key id", async () => {
            const watched = await startKeyServer(serveKeys({}));
            try {
                const kids = [`${kid}\n`, `\n${kid}`, `${kid}\r`, `${kid} `, "../../etc/passwd", "a/b", "a?b=c", "a#b", "a%2fb", "é", "ａｂ", "x".repeat(129), ""];
                const run = await verify(watched.url, kids.map((k) => ({ token: token({ kid: k }) })));
                run.results.forEach((r, i) => expect(r, JSON.stringify(kids[i])).to.include({ sub: null, raised: null }));
                expect(watched.requests).to.deep.equal([]);
            } finally {
                await watched.close();
            }
        });
    });

    describe("key-fetch denial of service: short fetches, a budget for unseen kids, bounded caches", () => {
        const forged = (n: number) => Array.from({ length: n }, () => ({ token: token({ kid: freshKid() }) }));

        it("8 fresh kids against a key endpoint that never answers cost one short fetch, not 8 five-second ones", async () => {
            const hanging = await startKeyServer(() => undefined); // accepts, never answers
            try {
                const run = await verify(hanging.url, forged(8));
                run.results.forEach((r) => expect(r).to.include({ sub: null, raised: null }));
                // The fetch times out after 2 s and opens the breaker; before: 8 fetches of 5 s each (40 s).
                expect(hanging.requests.length, "fetches").to.equal(1);
                const longest = Math.max(...run.results.map((r) => r.seconds));
                expect(longest, "the longest alb_verify call (s)").to.be.below(4.5);
                expect(run.results.reduce((t, r) => t + r.seconds, 0), "all calls (s)").to.be.below(9);
            } finally {
                await hanging.close();
            }
        });

        it("a key endpoint that answers 503 opens the breaker too", async () => {
            const failing = await startKeyServer((_kid, _req, res) => res.writeHead(503).end());
            try {
                const run = await verify(failing.url, forged(8));
                run.results.forEach((r) => expect(r).to.include({ sub: null, raised: null }));
                expect(failing.requests.length, "fetches").to.equal(1);
            } finally {
                await failing.close();
            }
        });

        it("1,000 forged kids cost at most 4 fetches and 4 negative-cache entries; the known kid keeps working", async () => {
            const counted = await startKeyServer(serveKeys({ [kid]: good }));
            try {
                const sameForgery = { token: token({ kid: "forged-again" }) };
                const steps: Step[] = [{ token: token({ kid, key: good }) }, ...Array(20).fill(sameForgery), ...forged(1000), { token: token({ kid, key: good }) }];
                const run = await verify(counted.url, steps);
                expect(run.results[0].sub).to.be.a("string");
                expect(run.results[run.results.length - 1].sub, "the known kid after the flood").to.be.a("string");
                run.results.slice(1, -1).forEach((r) => expect(r).to.include({ sub: null, raised: null }));
                expect(counted.requests.filter((u) => u === "/forged-again"), "one forged kid, asked 20 times").to.have.length(1);
                // Before: 1,000 + 2 fetches and 1,001 negative-cache entries.
                expect(counted.requests.length, "fetches").to.be.at.most(4);
                expect(run.stats.failed, "negative-cache entries").to.be.at.most(4);
            } finally {
                await counted.close();
            }
        });

        it("the negative cache stays bounded (128) even with the fetch budget lifted", async () => {
            const counted = await startKeyServer(serveKeys({}));
            try {
                const run = await verify(counted.url, forged(600), { set: { ".ALB_FETCH_BUDGET": 1e6 } });
                run.results.forEach((r) => expect(r).to.include({ sub: null, raised: null }));
                expect(counted.requests.length).to.equal(600);
                expect(run.stats.failed, "negative-cache entries").to.be.at.most(128);
            } finally {
                await counted.close();
            }
        });

        it("the key cache holds at most 32 keys and evicts the least recently used", async () => {
            // Serves the good key under every kid starting with "k": 41 distinct, valid kids.
            const many = await startKeyServer((k, _req, res) => (k.startsWith("k") ? res.writeHead(200).end(good.pem) : res.writeHead(404).end()));
            try {
                const t = (k: string) => ({ token: token({ kid: k, key: good }) });
                const steps: Step[] = [t("k0")];
                for (let i = 1; i <= 40; i++) steps.push(t(`k${i}`), t("k0"));
                steps.push(t("k1"));
                const run = await verify(many.url, steps, { set: { ".ALB_FETCH_BUDGET": 1e6 } });
                run.results.forEach((r) => expect(r.sub, "every kid verifies").to.be.a("string"));
                expect(run.stats.keys, "cached keys").to.be.at.most(32);
                expect(many.requests.filter((u) => u === "/k0"), "k0, used all along, stays cached").to.have.length(1);
                expect(many.requests.filter((u) => u === "/k1"), "k1, least recently used, was evicted").to.have.length(2);
            } finally {
                await many.close();
            }
        });

        it("once the budget is spent, unseen kids are refused without a fetch until the window passes", async () => {
            const second = newKeyPair();
            const kid2 = freshKid();
            const counted = await startKeyServer(serveKeys({ [kid]: good, [kid2]: second }));
            try {
                const steps: Step[] = [
                    { token: token({ kid, key: good }) }, // fetch 1 of 4
                    ...forged(5), // fetches 2..4, then refused
                    { token: token({ kid: kid2, key: second }) }, // a real but unseen kid: refused for now
                    { token: token({ kid, key: good }) }, // cached: still fine
                    { sleep: 4.5 },
                    { token: token({ kid: kid2, key: second }) }, // the window has passed
                ];
                const run = await verify(counted.url, steps, { set: { ".ALB_FETCH_WINDOW_SECONDS": 4 } });
                const subs = run.results.map((r) => r.sub);
                expect(subs[0]).to.be.a("string");
                expect(subs.slice(1, 6)).to.deep.equal([null, null, null, null, null]);
                expect(subs[6], "unseen kid while the budget is spent").to.equal(null);
                expect(subs[7], "known kid while the budget is spent").to.be.a("string");
                expect(subs[8], "unseen kid after the window").to.be.a("string");
                expect(counted.requests.filter((u) => u === `/${kid2}`), "fetches of the second kid").to.have.length(1);
                expect(counted.requests.length, "fetches").to.equal(5);
            } finally {
                await counted.close();
            }
        });
    });
});
