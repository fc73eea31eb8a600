/**
 * After only `npm ci`, tests that need the app setup are skipped and named; in scripts/test.sh (CI)
 * they fail instead, and a skipped test is never counted as passed. Runs test/apps/fixtures/needsPrerequisites.ts
 * in mocha processes of its own, with this project's .mocharc.json. (Here, not in `npm run test:unit`:
 * it is about the app setup, and its mocha processes are slow to start.)
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../../plan/runPlan";
import { REQUIRE_ENV } from "../prerequisites";

interface Run { status: number | null; stdout: string }

function run(command: string, args: string[], env: Record<string, string | undefined>): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: PROJECT_DIR, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stdout += d));
        child.once("error", reject);
        child.once("close", (status) => resolve({ status, stdout }));
    });
}

describe("tests whose prerequisites are not installed (test/prerequisites.ts)", function () {
    this.timeout(60_000);
    const mocha = path.join(PROJECT_DIR, "node_modules", ".bin", "mocha");
    const fixture = path.join("test", "apps", "fixtures", "needsPrerequisites.ts");
    const { [REQUIRE_ENV]: _ignored, ...withoutRequire } = process.env;
    let skipping: Run;
    let required: Run;

    before(async () => {
        [skipping, required] = await Promise.all([
            run(mocha, [fixture], withoutRequire),
            run(mocha, [fixture], { ...withoutRequire, [REQUIRE_ENV]: "1" }),
        ]);
    });

    it("after only npm ci: skip what needs a missing one (its hooks do not run), run the rest, and end naming each with its install command", () => {
        expect(skipping.status, skipping.stdout).to.equal(0);
        expect(skipping.stdout).to.match(/^ +2 passing/m);
        expect(skipping.stdout).to.match(/^ +4 pending/m);
        expect(skipping.stdout).not.to.contain("FIXTURE: started");
        expect(skipping.stdout).not.to.contain("FIXTURE: ran a test whose prerequisites are missing");
        expect(skipping.stdout).to.contain("FIXTURE: frobnicator suite torn down, started=false");
        expect(skipping.stdout).to.contain([
            `4 tests skipped: what they need is not installed (${REQUIRE_ENV}=1 makes this a failure)`,
            "  skipped 4 tests: the frobnicator missing — run `make frobnicator`",
            "  skipped 1 test: apps/widget/.venv missing — run `make widget`",
        ].join("\n"));
    });

    it(`with ${REQUIRE_ENV}=1 (scripts/test.sh): fail instead, naming what is missing and how to install it`, () => {
        expect(required.status, required.stdout).to.equal(2); // mocha exits with the number of failures
        expect(required.stdout).to.match(/^ +2 passing/m);
        expect(required.stdout).to.match(/^ +2 failing/m);
        expect(required.stdout).not.to.match(/pending|skipped/);
        expect(required.stdout).to.contain(`Error: missing: the frobnicator; run \`make frobnicator\` (${REQUIRE_ENV} is set, so this fails instead of skipping)`);
        expect(required.stdout).to.contain("Error: missing: the frobnicator, apps/widget/.venv; run `make frobnicator` and `make widget`");
    });

    it("scripts/test.sh counts a skipped (pending) test as failed, never as passed", async () => {
        const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "counted-"));
        try {
            const script = [
                'source scripts/lib/counted.sh; passed=0; failed=0; status=0; LOG_DIR="$1"',
                `run_mocha "a suite" printf '  3 passing (1s)\\n  2 pending\\n'`,
                `run_mocha "another" printf '  4 passing (1s)\\n  1 failing\\n'`,
                'run_mocha "a third" printf "  5 passing (1s)\\n"',
                'printf "%s passed, %s failed, status %s\\n" "$passed" "$failed" "$status"',
            ].join("\n");
            const counted = await run("bash", ["-c", script, "bash", logDir], withoutRequire);
            expect(counted.stdout).to.contain("!! a suite: 2 tests skipped (pending), counted as failed");
            expect(counted.stdout.trim().split("\n").pop()).to.equal("12 passed, 3 failed, status 1");
        } finally {
            fs.rmSync(logDir, { recursive: true, force: true });
        }
    });
});
