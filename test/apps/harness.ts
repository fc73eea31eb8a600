/**
 * Shared harness for the app template tests: starts an app as its own process group on a free
 * 127.0.0.1 port, waits for its health endpoint, drives it with Debian's Chromium, and provides
 * an ALB-like identity setup (ES256 key served on a local key endpoint, tokens signed the way
 * the ALB signs them: base64url segments *with* '=' padding).
 */
import { spawn, ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { expect } from "chai";
import { exportSPKI, generateKeyPair } from "jose";
import { chromium, Browser, Page } from "playwright-core";

export const ROOT = path.resolve(__dirname, "..", "..");
export const APPS = path.join(ROOT, "apps");
export const SETUP_HINT = "run `bash scripts/setup-app-tests.sh` first";
/** The venvs scripts/setup-app-tests.sh makes as generated images' build stages make /opt/venv. */
export const IMAGE_VENVS_DIR = path.join(ROOT, ".test-artifacts", "venvs");

/** A venv's site-packages (under lib/python3.x/); undefined when it has none. */
export function sitePackagesOf(venv: string): string | undefined {
    const lib = path.join(venv, "lib");
    if (!fs.existsSync(lib)) return undefined;
    return fs.readdirSync(lib).map((py) => path.join(lib, py, "site-packages")).find((p) => fs.existsSync(p));
}
export const CHROMIUM = "/usr/bin/chromium";
// Test runs write screenshots to a git-ignored folder; `UPDATE_SCREENSHOTS=1` refreshes the README's copies.
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, "docs", "screenshots") : path.join(ROOT, ".test-artifacts", "screenshots");

/**
 * Fails (never skips) when something the setup script installs is missing. Suites first declare what
 * they need (`needs`, test/prerequisites.ts), which skips them after only `npm ci`; this is the backstop.
 */
export function requireInstalled(file: string, what: string): string {
    if (!fs.existsSync(file)) {
        throw new Error(`${what} not found at ${file}: ${SETUP_HINT}`);
    }
    return file;
}

export function venvBin(app: string, tool: string): string {
    return requireInstalled(path.join(APPS, app, ".venv", "bin", tool), `${tool} of the ${app} venv`);
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address() as net.AddressInfo;
            srv.close(() => resolve(port));
        });
    });
}

export interface RunningApp {
    url: string;
    port: number;
    /** Milliseconds from spawning the process to the first 200 from its health path (polled every 50 ms). */
    startMs: number;
    logs(): string;
    stop(): Promise<void>;
}

export interface StartOptions {
    name: string;
    command: string;
    args: string[];
    cwd: string;
    env: Record<string, string>;
    port: number;
    healthPath: string;
    timeoutMs?: number;
    /**
     * Run as the task does with `readonlyRootFilesystem`: every mount read-only but a fresh tmpfs on
     * each `tmpfs` folder and each `writable` folder (one standing in for a volume the image fills).
     */
    readOnlyRoot?: ReadOnlyRoot;
}

/** The writable folders of a read-only root (fixtures/read_only_root.sh). */
export interface ReadOnlyRoot {
    tmpfs: string[];
    writable?: string[];
}

/** What the generated images, the templates and the portal write with a read-only root: /tmp, their one VOLUME. */
export const TMP_ONLY: ReadOnlyRoot = { tmpfs: ["/tmp"] };

export const READ_ONLY_ROOT = path.join(__dirname, "fixtures", "read_only_root.sh");
/**
 * Where the tests keep folders an app must reach through a read-only root with a fresh /tmp (so
 * not under /tmp): the generated images' /app and HOME stand-ins.
 */
export const NATIVE_IMAGES_DIR = path.join(ROOT, ".test-artifacts", "native-images");

/** `command args` wrapped to run in its own mount namespace under a read-only root (as root, or in a user namespace where it is root). */
export function readOnlyRootCommand(root: ReadOnlyRoot, command: string, args: string[]): { command: string; args: string[] } {
    const unshare = requireInstalled("/usr/bin/unshare", "unshare (Debian util-linux)");
    const asRoot = process.getuid?.() === 0;
    return {
        command: unshare,
        args: [
            "--mount", "--propagation", "private", ...(asRoot ? [] : ["--map-root-user"]),
            READ_ONLY_ROOT,
            ...root.tmpfs.flatMap((d) => ["--tmpfs", d]),
            ...(root.writable ?? []).flatMap((d) => ["--writable", d]),
            // The checkout (apps, venvs, the stand-in folders) stays visible, read-only, where a fresh /tmp would hide it (a clone under /tmp, as CI's may be).
            ...(root.tmpfs.some((d) => ROOT.startsWith(d + path.sep)) ? ["--keep", ROOT] : []),
            "--", command, ...args,
        ],
    };
}

/** Starts the app in its own process group and resolves once `healthPath` answers 200. */
export async function startApp(opts: StartOptions): Promise<RunningApp> {
    const spawnedAt = performance.now();
    const run = opts.readOnlyRoot ? readOnlyRootCommand(opts.readOnlyRoot, opts.command, opts.args) : { command: opts.command, args: opts.args };
    const child: ChildProcess = spawn(run.command, run.args, {
        cwd: opts.cwd,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", LANG: "C.UTF-8", ...opts.env },
        detached: true, // own process group: stop() kills workers and children too
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const url = `http://127.0.0.1:${opts.port}`;
    const app: RunningApp = {
        url,
        port: opts.port,
        startMs: NaN,
        logs: () => output,
        async stop() {
            if (child.exitCode !== null || child.signalCode !== null) return;
            try {
                process.kill(-child.pid!, "SIGTERM");
            } catch {
                return; // group already gone
            }
            const timer = setTimeout(() => {
                try {
                    process.kill(-child.pid!, "SIGKILL");
                } catch {
                    /* gone */
                }
            }, 10_000);
            await exited;
            clearTimeout(timer);
            // Workers may outlive the leader briefly; make sure the whole group is gone.
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                /* gone, as expected */
            }
        },
    };
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    while (Date.now() < deadline) {
        if (child.exitCode !== null) {
            throw new Error(`${opts.name} exited with ${child.exitCode} before becoming healthy:\n${output}`);
        }
        try {
            const res = await fetch(url + opts.healthPath, { signal: AbortSignal.timeout(2000) });
            if (res.status === 200) {
                app.startMs = performance.now() - spawnedAt;
                return app;
            }
        } catch {
            /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 50));
    }
    await app.stop();
    throw new Error(`${opts.name} did not answer ${opts.healthPath} within the timeout:\n${output}`);
}

export async function launchBrowser(): Promise<Browser> {
    requireInstalled(CHROMIUM, "Debian chromium");
    return chromium.launch({
        executablePath: CHROMIUM,
        args: [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    });
}

export async function screenshot(page: Page, name: string): Promise<void> {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

// ---------------------------------------------------------------------------------------------
// ALB identity

export const ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/dashboards/50dc6c495c0c9188";
export const OTHER_ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/other/0123456789abcdef";
export const LOGOUT_URL = "https://login.example.com/logout?client_id=abc&logout_uri=https%3A%2F%2Fsales.example.com%2Fsigned-out";
export const PORTAL_URL = "https://portal.example.com/";
export const USER_EMAIL = "ada.lovelace@example.com";

export interface Identity {
    keysUrl: string;
    kid: string;
    /** Environment every app under test gets (the contract of components/appEnvironment.ts). */
    env: Record<string, string>;
    token(opts?: { signer?: string; expiresIn?: number; wrongKey?: boolean; padded?: boolean }): string;
    keyRequests(): string[];
    close(): Promise<void>;
}

const b64url = (buf: Buffer, padded: boolean) => {
    const s = buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
    return padded ? s : s.replace(/=+$/, "");
};

/** A local stand-in for public-keys.auth.elb.<region>.amazonaws.com plus a token factory. */
export async function startIdentity(): Promise<Identity> {
    const good = await generateKeyPair("ES256", { extractable: true });
    const wrong = await generateKeyPair("ES256", { extractable: true });
    const pem = await exportSPKI(good.publicKey);
    const kid = crypto.randomUUID();
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        requests.push(req.url ?? "");
        if (req.url === `/${kid}`) {
            res.writeHead(200, { "content-type": "text/plain" }).end(pem);
        } else {
            res.writeHead(404).end();
        }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const keysUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const toNodeKey = (k: CryptoKey) => crypto.KeyObject.from(k);
    return {
        keysUrl,
        kid,
        env: {
            ALB_ARN,
            ALB_PUBLIC_KEYS_URL: keysUrl,
            // The verifiers accept an http key URL only on loopback and only with this test opt-in.
            DASHBOARD_AUTH_ALLOW_LOCAL_HTTP_KEYS: "1",
            AWS_REGION: "eu-west-1",
            DASHBOARD_NAME: "test-dashboard",
            DASHBOARD_URL: "https://test-dashboard.example.com",
            DASHBOARD_LOGOUT_URL: LOGOUT_URL,
            DASHBOARD_PORTAL_URL: PORTAL_URL,
        },
        token({ signer = ALB_ARN, expiresIn = 120, wrongKey = false, padded = true } = {}) {
            const exp = Math.floor(Date.now() / 1000) + expiresIn;
            // Same shape as the ALB's x-amzn-oidc-data (header carries kid, signer, exp).
            const header = { typ: "JWT", kid, alg: "ES256", iss: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test", client: "testclient", signer, exp };
            const payload = { sub: "0d6f0f8e-1111-2222-3333-444455556666", email_verified: "true", email: USER_EMAIL, username: "ada", exp, iss: header.iss };
            const input = `${b64url(Buffer.from(JSON.stringify(header)), padded)}.${b64url(Buffer.from(JSON.stringify(payload)), padded)}`;
            const sig = crypto.sign("sha256", Buffer.from(input), { key: toNodeKey((wrongKey ? wrong : good).privateKey), dsaEncoding: "ieee-p1363" });
            return `${input}.${b64url(sig, padded)}`;
        },
        keyRequests: () => [...requests],
        close: () => new Promise<void>((r) => server.close(() => r())),
    };
}

/** The token cases every template must handle: only valid tokens (padded or not) show the user. */
export const TOKEN_CASES: { name: string; make: (id: Identity) => string; shown: boolean }[] = [
    { name: "a valid ALB token (padded base64url)", make: (id) => id.token(), shown: true },
    { name: "a valid token without padding", make: (id) => id.token({ padded: false }), shown: true },
    { name: "a token signed for another load balancer", make: (id) => id.token({ signer: OTHER_ALB_ARN }), shown: false },
    { name: "a token signed with the wrong key", make: (id) => id.token({ wrongKey: true }), shown: false },
    { name: "an expired token", make: (id) => id.token({ expiresIn: -60 }), shown: false },
];

/**
 * Registers one `it` per token case: the page is opened with the token in x-amzn-oidc-data
 * (as the ALB would forward it); `ready` waits until the app has rendered its content, so
 * "email absent" is checked on a fully rendered page, not on an empty one.
 */
export function itShowsOnlyVerifiedIdentity(
    get: () => Suite,
    ready: (page: Page) => Promise<void>,
): void {
    for (const c of TOKEN_CASES) {
        it(`${c.shown ? "shows" : "does not show"} the user for ${c.name}`, async () => {
            const { browser, app, id } = get();
            const context = await browser.newContext({ extraHTTPHeaders: { "x-amzn-oidc-data": c.make(id) } });
            try {
                const page = await context.newPage();
                await page.goto(app.url + "/");
                await ready(page);
                if (c.shown) {
                    await page.getByText(USER_EMAIL).first().waitFor({ timeout: 15_000 });
                } else {
                    expect(await page.content()).not.to.include(USER_EMAIL);
                }
            } finally {
                await context.close();
            }
        });
    }
}

/** `/logout` answers 302 to DASHBOARD_LOGOUT_URL and expires every ALB session cookie shard. */
export async function checkLogout(baseUrl: string): Promise<void> {
    const res = await fetch(`${baseUrl}/logout`, {
        redirect: "manual",
        headers: { cookie: "AWSELBAuthSessionCookie-0=aaa; other=1; AWSELBAuthSessionCookie-1=bbb; AWSELBAuthSessionCookie-5=ccc" },
    });
    expect(res.status).to.equal(302);
    expect(res.headers.get("location")).to.equal(LOGOUT_URL);
    const cookies = res.headers.getSetCookie();
    for (const name of ["AWSELBAuthSessionCookie-0", "AWSELBAuthSessionCookie-1", "AWSELBAuthSessionCookie-2", "AWSELBAuthSessionCookie-3", "AWSELBAuthSessionCookie-5"]) {
        const c = cookies.find((x) => x.startsWith(`${name}=`));
        expect(c, `Set-Cookie for ${name} in ${JSON.stringify(cookies)}`).to.be.a("string");
        expect(c).to.match(/;\s*Path=\/(;|$)/i);
        expect(c).to.match(/;\s*Secure(;|$)/i);
        const maxAgeZero = /;\s*Max-Age=0(;|$)/i.test(c!);
        const expires = /;\s*Expires=([^;]+)/i.exec(c!);
        expect(maxAgeZero || (expires !== null && Date.parse(expires[1]) < Date.now()), `${c} expires the cookie`).to.equal(true);
    }
    expect(cookies.some((x) => x.startsWith("other="))).to.equal(false, "only ALB session cookies are touched");
}

/** Test-only sitecustomize that blocks and reports outbound network access from Python apps. */
export const NETWORK_GUARD = path.join(__dirname, "fixtures", "network_guard");
export const NETWORK_GUARD_MARK = "NETWORK-GUARD";

/**
 * Starts a Python template on a free port with its venv first on PATH, the shared code and the
 * network guard on PYTHONPATH. `command` is a venv tool (gunicorn) or a script in the app dir.
 */
export async function startPythonApp(opts: {
    app: string;
    command: string;
    args: string[];
    healthPath: string;
    identity: Identity;
    env?: Record<string, string>;
}): Promise<RunningApp> {
    const venvDir = path.dirname(venvBin(opts.app, "python"));
    const local = path.join(APPS, opts.app, opts.command);
    const command = fs.existsSync(local) ? local : venvBin(opts.app, opts.command);
    const port = await freePort();
    return startApp({
        name: opts.app,
        command,
        args: opts.args,
        cwd: path.join(APPS, opts.app),
        env: {
            ...opts.identity.env,
            PORT: String(port),
            HOST: "127.0.0.1",
            PATH: `${venvDir}${path.delimiter}${process.env.PATH ?? "/usr/bin:/bin"}`,
            PYTHONPATH: [path.join(APPS, "shared", "python"), NETWORK_GUARD].join(path.delimiter),
            ...opts.env,
        },
        port,
        healthPath: opts.healthPath,
        readOnlyRoot: TMP_ONLY, // as the platform deploys the templates: a read-only root, their Dockerfiles' VOLUME /tmp writable
    });
}

export interface Suite {
    id: Identity;
    app: RunningApp;
    browser: Browser;
}

/**
 * Registers before/after hooks in the calling `describe`: a key endpoint, the app (started by
 * `start`) and a browser; everything is stopped afterwards, the app's whole process group included.
 */
export function useRunningApp(start: (id: Identity) => Promise<RunningApp>): Suite {
    const suite = {} as Suite;
    before(async function () {
        this.timeout(180_000);
        suite.id = await startIdentity();
        suite.app = await start(suite.id);
        suite.browser = await launchBrowser();
    });
    afterEach(function () {
        // The app's own output is the quickest way to see why a check failed.
        if (this.currentTest?.state === "failed" && suite.app) {
            console.error(`--- ${suite.app.url} output (last 4000 chars) ---\n${suite.app.logs().slice(-4000)}`);
        }
    });
    after(async () => {
        await suite.browser?.close();
        await suite.app?.stop();
        await suite.id?.close();
    });
    return suite;
}

/** Start function for a gunicorn-served template (Flask, Dash), with two workers as in production. */
export function gunicornApp(app: string, wsgi: string): (identity: Identity, env?: Record<string, string>) => Promise<RunningApp> {
    return (identity, env = {}) =>
        startPythonApp({
            app,
            command: "gunicorn",
            args: ["-c", "../shared/python/gunicorn.conf.py", wsgi],
            healthPath: "/health",
            identity,
            env: { WEB_CONCURRENCY: "2", ...env },
        });
}

// ---------------------------------------------------------------------------------------------
// The templates, started as their images start them (entry point, port from PORT), on loopback

export type TemplateName = "shiny" | "streamlit" | "dash" | "flask";

export interface Template {
    name: TemplateName;
    /** The path the target group's health check requests (components/frameworks.ts). */
    healthPath: string;
    /** The path the session guard checks (its data-probe): cheap for the app to answer. */
    probePath: string;
    /** Whether the page talks to the app over a websocket (user input never reaches the ALB as requests). */
    websocket: boolean;
    /** Starts it with the identity's environment plus `env` (later keys win). */
    start(identity: Identity, env?: Record<string, string>): Promise<RunningApp>;
}

export const TEMPLATES: Record<TemplateName, Template> = {
    shiny: {
        name: "shiny",
        healthPath: "/",
        probePath: "/session-guard/session-guard.js",
        websocket: true,
        async start(identity, env = {}) {
            const rscript = requireInstalled("/usr/bin/Rscript", "Rscript (Debian r-base-core)");
            // Debian's plotly with the plotly.js that CRAN's plotly bundles (see the setup script).
            const overlay = path.join(APPS, "shiny", ".r-lib");
            requireInstalled(path.join(overlay, "plotly", "DESCRIPTION"), "R plotly overlay");
            const port = await freePort();
            return startApp({
                name: "shiny",
                command: rscript,
                // The image's command: the platform's launcher, run in the app's folder.
                args: [path.join(APPS, "shared", "r", "run.R")],
                cwd: path.join(APPS, "shiny"),
                env: { ...identity.env, PORT: String(port), HOST: "127.0.0.1", R_LIBS: overlay, ...env },
                port,
                healthPath: "/",
                readOnlyRoot: TMP_ONLY, // as the platform deploys it: a read-only root, its Dockerfile's VOLUME /tmp writable
            });
        },
    },
    streamlit: {
        name: "streamlit",
        healthPath: "/_stcore/health",
        probePath: "/_stcore/health",
        websocket: true,
        start: (identity, env = {}) =>
            startPythonApp({
                app: "streamlit",
                command: "start.sh", // the image's entry point; runs the venv's streamlit from PATH
                args: [],
                healthPath: "/_stcore/health",
                identity,
                env: { STREAMLIT_SERVER_COOKIE_SECRET: "test-cookie-secret-0123456789abcdef", ...env },
            }),
    },
    dash: { name: "dash", healthPath: "/health", probePath: "/health", websocket: false, start: gunicornApp("dash", "app:server") },
    flask: { name: "flask", healthPath: "/health", probePath: "/health", websocket: false, start: gunicornApp("flask", "app:app") },
};

export const PORTAL = path.join(APPS, "portal");

/**
 * Starts the portal on loopback with `env` (apps/portal/test/support/settings.ts makes one). The
 * container's entry point (src/main.ts) listens on every interface; this imports the same modules
 * and listens on 127.0.0.1. `built`: the compiled dist/ (`npm --prefix apps/portal run build`),
 * which the image runs; otherwise the sources through tsx.
 */
export async function startPortal(env: Record<string, string>, built = false): Promise<RunningApp> {
    const port = await freePort();
    const dir = built ? "./dist" : "./src";
    const ext = built ? "js" : "ts";
    if (built) requireInstalled(path.join(PORTAL, "dist", "server.js"), "the built portal (npm --prefix apps/portal run build)");
    const launch = `const { loadSettings } = await import("${dir}/config.${ext}"); const { createServer } = await import("${dir}/server.${ext}");`
        + ' await createServer({ settings: loadSettings(process.env), host: "127.0.0.1" });';
    return startApp({
        name: "portal",
        command: process.execPath,
        args: [...(built ? [] : ["--import", "tsx"]), "--input-type=module", "-e", launch],
        cwd: PORTAL,
        env: { ...env, PORT: String(port) },
        port,
        healthPath: "/health",
        readOnlyRoot: TMP_ONLY, // as the platform deploys it (apps/portal/Dockerfile's VOLUME)
    });
}

/** Drags the slider handle of `inputId` (a Shiny sliderInput) to `fraction` of its track, like a user would. */
export async function dragSlider(page: Page, inputId: string, fraction: number): Promise<void> {
    const container = page.locator(`.form-group:has(#${inputId}) .irs`);
    const handle = container.locator(".irs-handle").first();
    const line = await container.locator(".irs-line").boundingBox();
    const box = await handle.boundingBox();
    if (!line || !box) throw new Error(`slider ${inputId} not rendered`);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(line.x + line.width * fraction, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
}
