import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ConfigError, loadSettings, MAX_CATALOGUE_BYTES } from "../src/config.js";
import { ALB_ARN, CLIENT_ID, REGION, USER_POOL_ID } from "./support/keys.js";
import { PORTAL_CONFIG } from "./support/settings.js";

const baseEnv = () => ({
    PORTAL_CONFIG: JSON.stringify(PORTAL_CONFIG),
    COGNITO_USER_POOL_ID: USER_POOL_ID,
    COGNITO_CLIENT_ID: CLIENT_ID,
    AWS_REGION: REGION,
    ALB_ARN,
    DASHBOARD_LOGOUT_URL: "https://auth.example.com/logout?client_id=abc&logout_uri=https%3A%2F%2Fportal.example.com%2Fsigned-out",
});

function errorOf(env: Record<string, string | undefined>): string {
    try {
        loadSettings(env);
    } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as Error).message;
    }
    throw new Error("expected loadSettings to throw");
}

describe("loadSettings", () => {
    describe("the catalogue from the file the image holds (PORTAL_CONFIG_FILE)", () => {
        let dir: string;
        beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-catalogue-"))));
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
        const fileEnv = (file: string) => {
            const { PORTAL_CONFIG: _, ...rest } = baseEnv();
            return { ...rest, PORTAL_CONFIG_FILE: file };
        };

        it("reads the catalogue from the file when PORTAL_CONFIG is not set", () => {
            const file = path.join(dir, "catalogue.json");
            fs.writeFileSync(file, JSON.stringify(PORTAL_CONFIG));
            expect(loadSettings(fileEnv(file)).portal.dashboards).to.have.length(4);
        });

        it("prefers PORTAL_CONFIG when both are set (tests and local runs)", () => {
            expect(loadSettings({ ...baseEnv(), PORTAL_CONFIG_FILE: path.join(dir, "absent.json") }).portal.dashboards).to.have.length(4);
        });

        it("refuses a missing file, a folder, a FIFO and a file past the size limit, naming the variable", () => {
            expect(errorOf(fileEnv(path.join(dir, "absent.json")))).to.match(/PORTAL_CONFIG_FILE: cannot read .*absent\.json \(ENOENT/);
            expect(errorOf(fileEnv(dir))).to.match(/PORTAL_CONFIG_FILE: cannot read .* \(not a regular file\)/);
            const fifo = path.join(dir, "fifo");
            if (spawnSync("mkfifo", [fifo]).status === 0) expect(errorOf(fileEnv(fifo))).to.match(/not a regular file/);
            const big = path.join(dir, "big.json");
            fs.writeFileSync(big, "");
            fs.truncateSync(big, MAX_CATALOGUE_BYTES + 1);
            expect(errorOf(fileEnv(big))).to.match(/more than 16777216/);
        });

        it("validates the file's content like PORTAL_CONFIG's", () => {
            const file = path.join(dir, "catalogue.json");
            fs.writeFileSync(file, "{not json");
            expect(errorOf(fileEnv(file))).to.match(/PORTAL_CONFIG: not valid JSON/);
        });
    });

    it("accepts the infrastructure's environment and fills defaults", () => {
        const s = loadSettings(baseEnv());
        expect(s.port).to.equal(8080);
        expect(s.albPublicKeysUrl).to.equal(`https://public-keys.auth.elb.${REGION}.amazonaws.com`);
        expect(s.portal.dashboards).to.have.length(4);
        expect(s.cognitoJwksUrl).to.equal(undefined);
    });

    it("defaults description and accessGroups, and strips a trailing slash from ALB_PUBLIC_KEYS_URL", () => {
        const s = loadSettings({
            ...baseEnv(),
            ALB_PUBLIC_KEYS_URL: "http://127.0.0.1:9999/keys/",
            PORT: "3000",
            PORTAL_CONFIG: JSON.stringify({ title: "T", dashboards: [{ name: "a", displayName: "A", framework: "Dash", url: "https://a.example.com" }] }),
        });
        expect(s.portal.dashboards[0]).to.include({ description: "" });
        expect(s.portal.dashboards[0]!.accessGroups).to.deep.equal([]);
        expect(s.portal.adminGroups).to.deep.equal([]);
        expect(s.albPublicKeysUrl).to.equal("http://127.0.0.1:9999/keys");
        expect(s.port).to.equal(3000);
    });

    it("names every missing variable", () => {
        const msg = errorOf({});
        for (const name of ["PORTAL_CONFIG", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "AWS_REGION", "ALB_ARN", "DASHBOARD_LOGOUT_URL"]) {
            expect(msg).to.include(name);
        }
    });

    it("rejects PORTAL_CONFIG that is not JSON", () => {
        expect(errorOf({ ...baseEnv(), PORTAL_CONFIG: "{title:" })).to.match(/PORTAL_CONFIG: not valid JSON/);
    });

    it("points at the bad field inside PORTAL_CONFIG", () => {
        const cfg = { ...PORTAL_CONFIG, dashboards: [{ ...PORTAL_CONFIG.dashboards[0], url: "javascript:alert(1)" }] };
        expect(errorOf({ ...baseEnv(), PORTAL_CONFIG: JSON.stringify(cfg) })).to.include("PORTAL_CONFIG.dashboards.0.url");
    });

    it("rejects duplicate dashboard names and unknown keys", () => {
        const dup = { ...PORTAL_CONFIG, dashboards: [PORTAL_CONFIG.dashboards[0], PORTAL_CONFIG.dashboards[0]] };
        expect(errorOf({ ...baseEnv(), PORTAL_CONFIG: JSON.stringify(dup) })).to.include('duplicate dashboard name "sales"');
        expect(errorOf({ ...baseEnv(), PORTAL_CONFIG: JSON.stringify({ ...PORTAL_CONFIG, admins: [] }) })).to.match(/admins/);
    });

    describe("category", () => {
        /** PORTAL_CONFIG whose first dashboard has `category` set to `value` (JSON, so undefined drops it). */
        const withCategory = (value: unknown) => ({
            ...baseEnv(),
            PORTAL_CONFIG: JSON.stringify({ ...PORTAL_CONFIG, dashboards: [{ ...PORTAL_CONFIG.dashboards[0], category: value }, ...PORTAL_CONFIG.dashboards.slice(1)] }),
        });

        it("is optional, and trimmed when given", () => {
            expect(loadSettings(baseEnv()).portal.dashboards[0]!.category).to.equal(undefined);
            expect(loadSettings(withCategory("  Finance \t")).portal.dashboards[0]!.category).to.equal("Finance");
            expect(loadSettings(withCategory("Équipes & budgets")).portal.dashboards[0]!.category).to.equal("Équipes & budgets");
        });

        it("allows 64 characters, counted after trimming", () => {
            expect(loadSettings(withCategory(` ${"c".repeat(64)} `)).portal.dashboards[0]!.category).to.have.length(64);
        });

        it("rejects one longer than 64 characters, naming the field", () => {
            expect(errorOf(withCategory("c".repeat(65)))).to.match(/PORTAL_CONFIG\.dashboards\.0\.category: .*64/);
        });

        it("rejects an empty or blank one, naming the field", () => {
            for (const value of ["", "   "]) {
                expect(errorOf(withCategory(value))).to.include("PORTAL_CONFIG.dashboards.0.category");
            }
        });

        it("rejects one that is not a string, naming the field", () => {
            for (const value of [7, null, ["Finance"], { name: "Finance" }, true]) {
                expect(errorOf(withCategory(value))).to.match(/PORTAL_CONFIG\.dashboards\.0\.category: .*expected string/);
            }
        });
    });

    it("rejects a malformed ALB ARN and port", () => {
        expect(errorOf({ ...baseEnv(), ALB_ARN: "my-alb" })).to.include("ALB_ARN");
        expect(errorOf({ ...baseEnv(), PORT: "http" })).to.include("PORT");
    });

    it("makes the entry point exit non-zero with a readable message", function () {
        this.timeout(20000);
        const env: Record<string, string> = { PATH: process.env.PATH ?? "", ...baseEnv(), PORTAL_CONFIG: "[]" };
        const run = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], { env, encoding: "utf8", timeout: 15000 });
        expect(run.status).to.equal(1);
        expect(run.stderr).to.include("Invalid portal configuration");
        expect(run.stderr).to.include("PORTAL_CONFIG");
        expect(run.stderr).not.to.match(/\bat .+\.ts:\d+/); // no stack trace
    });
});
