/**
 * What some tests need beyond `npm ci`: the app templates' Python venvs, Debian's Chromium and R,
 * the lint tools (all from `bash scripts/setup-app-tests.sh`) and the portal's packages.
 *
 * A suite or test that needs one calls `needs(...)` (a before hook in its describe) or
 * `requirePrerequisites(this, ...)` (in a test). When something is missing it is skipped (pending),
 * and the run ends with one line per missing prerequisite: how many tests it skipped and the
 * command that installs it. With DASHBOARDS_REQUIRE_APP_PREREQUISITES=1 (scripts/test.sh, so CI)
 * a missing prerequisite fails instead: there, nothing is skipped.
 *
 * Loaded by mocha (.mocharc.json `require`) for the closing summary, a root hook.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
export const SETUP_COMMAND = "bash scripts/setup-app-tests.sh";
/** Set (to anything but "" or "0") by scripts/test.sh: a missing prerequisite is a failure, not a skip. */
export const REQUIRE_ENV = "DASHBOARDS_REQUIRE_APP_PREREQUISITES";

export interface Prerequisite {
    /** What is missing, as the summary names it, e.g. `apps/flask/.venv`. */
    name: string;
    /** Files that must all exist (a list of alternatives: one of them). */
    files: (string | string[])[];
    /** The command that installs it. */
    install: string;
}

const fromSetup = (name: string, ...files: (string | string[])[]): Prerequisite => ({ name, files, install: SETUP_COMMAND });
/** Where Debian's r-cran-* packages go, or another library on R's default path. */
const rPackage = (pkg: string) => ["/usr/lib/R/site-library", "/usr/local/lib/R/site-library", "/usr/lib/R/library"].map((lib) => `${lib}/${pkg}/DESCRIPTION`);

const rscript = fromSetup("Rscript (Debian r-base-core)", "/usr/bin/Rscript");

export const PREREQUISITES = {
    chromium: fromSetup("Debian chromium (/usr/bin/chromium)", "/usr/bin/chromium"),
    /** strip, which slim_environment.py runs (the generated images' build stage installs binutils too). */
    strip: fromSetup("strip (Debian binutils)", "/usr/bin/strip"),
    /** What the Shiny template runs on: R, the packages app.R and alb_auth.R load, and the plotly overlay. */
    shinyTemplate: [
        rscript,
        fromSetup("R packages shiny, glmnet, openssl, curl, jsonlite (Debian r-cran-*)", ...["shiny", "glmnet", "openssl", "curl", "jsonlite"].map(rPackage)),
        fromSetup("the Shiny template's plotly overlay (apps/shiny/.r-lib)", path.join(ROOT, "apps", "shiny", ".r-lib", "plotly", "DESCRIPTION")),
    ],
    /** What test/security/shinyVerifier.test.ts runs alb_auth.R with. */
    rVerifier: [rscript, fromSetup("R packages openssl, curl, jsonlite (Debian r-cran-*)", ...["openssl", "curl", "jsonlite"].map(rPackage))],
    /** Apps this project did not write: the examples inside Debian's r-cran-shiny. */
    shinyExamples: fromSetup("the Shiny examples of Debian r-cran-shiny", "/usr/lib/R/site-library/shiny/examples/01_hello/app.R"),
    rscript,
    venv: (app: "flask" | "dash" | "streamlit") => fromSetup(`apps/${app}/.venv`, path.join(ROOT, "apps", app, ".venv", "bin", "python")),
    /** The venv of a Python app fixture (test/fixtures/python-apps/<name>): what its generated Dockerfile installs. */
    fixtureVenv: (name: "dash-tutorial" | "flask-tutorial" | "streamlit-hello" | "science") => fromSetup(`.test-artifacts/venvs/${name}`, path.join(ROOT, ".test-artifacts", "venvs", name, "bin", "python")),
    tool: (name: "hadolint" | "actionlint" | "shellcheck") => fromSetup(`${name} (apps/.venv-tools/bin)`, path.join(ROOT, "apps", ".venv-tools", "bin", name)),
    /** moto's server mode (pinned in scripts/requirements-tools.txt): the AWS API peer of the wake-on-request tests. */
    moto: fromSetup("moto (apps/.venv-tools/bin/moto_server)", path.join(ROOT, "apps", ".venv-tools", "bin", "moto_server")),
    portalPackages: { name: "apps/portal/node_modules", files: [path.join(ROOT, "apps", "portal", "node_modules", ".package-lock.json")], install: "npm --prefix apps/portal ci" } as Prerequisite,
};

export function isPresent(p: Prerequisite): boolean {
    return p.files.every((f) => (Array.isArray(f) ? f : [f]).some((alternative) => fs.existsSync(alternative)));
}

export function prerequisitesRequired(): boolean {
    const value = process.env[REQUIRE_ENV];
    return value !== undefined && value !== "" && value !== "0";
}

/** Per prerequisite name: its install command and the suites and tests it skipped. On globalThis: one registry however this module is loaded. */
type Registry = Map<string, { install: string; skipped: Set<Mocha.Runnable | Mocha.Suite> }>;
const REGISTRY_KEY = Symbol.for("dashboards.test.prerequisites.skipped");
const registry = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] ??= new Map()) as Registry;

/**
 * In a hook or a test (`this`): returns when every prerequisite is present. Otherwise skips what it
 * runs in (a before hook: its whole describe, nested ones included; a test: that test) and records
 * why, or, when REQUIRE_ENV is set, throws naming what is missing and how to install it.
 */
export function requirePrerequisites(ctx: Mocha.Context, ...needed: Prerequisite[]): void {
    const missing = needed.filter((p) => !isPresent(p));
    if (missing.length === 0) return;
    if (prerequisitesRequired()) {
        const installs = [...new Set(missing.map((p) => `\`${p.install}\``))].join(" and ");
        throw new Error(`missing: ${missing.map((p) => p.name).join(", ")}; run ${installs} (${REQUIRE_ENV} is set, so this fails instead of skipping)`);
    }
    const runnable = ctx.test as Mocha.Runnable & { type: "hook" | "test" };
    const skipped = runnable.type === "hook" ? runnable.parent! : runnable;
    for (const p of missing) {
        const entry = registry.get(p.name) ?? { install: p.install, skipped: new Set() };
        entry.skipped.add(skipped);
        registry.set(p.name, entry);
    }
    ctx.skip();
}

/** Registers a before hook in the calling describe that skips it unless `needed` are present. Call it before the describe's other hooks. */
export function needs(...needed: Prerequisite[]): void {
    before(function () {
        requirePrerequisites(this, ...needed);
    });
}

function pendingTests(of: Mocha.Runnable | Mocha.Suite, into: Set<Mocha.Test>): void {
    if ("eachTest" in of) {
        of.eachTest((t) => {
            if (t.isPending()) into.add(t);
        });
    } else if (of.isPending()) {
        into.add(of as Mocha.Test);
    }
}

/** The closing lines: all skipped tests, then one line per missing prerequisite; "" when nothing was skipped. */
export function skipSummary(): string {
    const all = new Set<Mocha.Test>();
    const lines: string[] = [];
    for (const [name, { install, skipped }] of registry) {
        const tests = new Set<Mocha.Test>();
        for (const s of skipped) pendingTests(s, tests);
        if (tests.size === 0) continue;
        tests.forEach((t) => all.add(t));
        lines.push(`  skipped ${tests.size} test${tests.size === 1 ? "" : "s"}: ${name} missing — run \`${install}\``);
    }
    if (all.size === 0) return "";
    return [`${all.size} test${all.size === 1 ? "" : "s"} skipped: what they need is not installed (${REQUIRE_ENV}=1 makes this a failure)`, ...lines].join("\n");
}

/** Root hook plugin (.mocharc.json `require`): prints the summary once the run's tests are done. */
export const mochaHooks = {
    afterAll(): void {
        const summary = skipSummary();
        if (summary) process.stdout.write(`\n${summary}\n`);
        registry.clear();
    },
};
