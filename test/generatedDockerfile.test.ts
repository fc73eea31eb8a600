/**
 * Dockerfiles generated for app folders without one, on apps this project did not write: the
 * Shiny examples inside Debian's r-cran-shiny and Streamlit's `hello` app inside its PyPI package
 * (both read where they are installed, never copied into the repository), and apps in the shape
 * of the Dash and Flask tutorials (test/fixtures/python-apps). Each must pass hadolint and be
 * buildable as far as a build can be checked here: every COPY source found in the app folder (the
 * build context) or the platform's named context, as the docker-build test double checks it.
 */
import { execFileSync } from "child_process";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GeneratedSource, resolveAppSource } from "../components/appSource";
import { CRAN_SNAPSHOT, GENERATED_BASE_IMAGES, GENERATED_WSGI_HEALTH_PATH, PYPI_SNAPSHOT } from "../components/generatedDockerfile";
import { solve } from "../engine/providers/docker-build";
import { PREREQUISITES, requirePrerequisites } from "./prerequisites";

const REPO = path.resolve(__dirname, "..");
const SHARED = path.join(REPO, "apps", "shared");
const SHINY_EXAMPLES = "/usr/lib/R/site-library/shiny/examples";
const STREAMLIT_VENV = path.join(REPO, "apps", "streamlit", ".venv");
const HADOLINT = path.join(REPO, "apps", ".venv-tools", "bin", "hadolint");
const FIXTURES = path.join(REPO, "test", "fixtures", "python-apps");

function generated(appsDir: string, app: string, framework: string, entrypoint?: string): GeneratedSource {
    const result = resolveAppSource({ appsDir, app, framework, entrypoint });
    expect(result.ok, JSON.stringify(!result.ok && result.problems)).to.equal(true);
    if (!result.ok || result.source.kind !== "generated") throw new Error(`${app}: not generated`);
    return result.source;
}

/** hadolint's findings on the text (empty when clean). */
function hadolint(text: string): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gen-df-")), "Dockerfile");
    fs.writeFileSync(file, text);
    try {
        execFileSync(HADOLINT, [file], { encoding: "utf8", stdio: "pipe" });
        return "";
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        return `${e.stdout ?? ""}${e.stderr ?? ""}`;
    } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
}

/** BuildKit's view as the test double models it: throws when a COPY source is missing from its context. */
function buildable(folder: string, text: string): void {
    solve({ context: folder, named: { "dashboards-platform": SHARED }, inline: text, platforms: ["linux/amd64"], buildArgs: {}, labels: {}, tags: [] });
}

/** What every generated image has: pinned base, non-root user, helpers from the platform, a health check, exec-form command. */
function expectPlatformShape(text: string, base: string): void {
    expect(text).to.match(new RegExp(`^FROM ${base.replace(/[.]/g, "\\.")}( AS build)?$`, "m"));
    expect(text).to.match(/^USER 10001$/m);
    expect(text).to.contain("COPY --from=dashboards-platform / /shared/");
    expect(text).to.match(/^HEALTHCHECK /m);
    expect(text).to.match(/^CMD \[/m);
    expect(text).to.contain("copy this file to the folder as Dockerfile");
    // The folders it may write with the read-only root the platform gives it: declared once, /tmp among
    // them, after every RUN of the final stage (Docker drops what a RUN writes to a VOLUME later).
    const finalStage = text.split("\nFROM ").pop()!.split("\n");
    const volumes = finalStage.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith("VOLUME "));
    expect(volumes, "one VOLUME line").to.have.length(1);
    const [line, at] = volumes[0];
    expect(JSON.parse(line.slice("VOLUME ".length))[0]).to.equal("/tmp");
    const lastRun = finalStage.map((l, i) => (l.startsWith("RUN ") ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    expect(at, "VOLUME after the last RUN").to.be.above(lastRun);
}

describe("generated Dockerfiles on apps this project did not write", function () {
    this.timeout(120_000);

    describe("Shiny: the examples inside Debian's r-cran-shiny", () => {
        const examples = fs.existsSync(SHINY_EXAMPLES) ? fs.readdirSync(SHINY_EXAMPLES).filter((e) => fs.existsSync(path.join(SHINY_EXAMPLES, e, "app.R"))).sort() : [];

        it("are installed here (r-cran-shiny)", function () {
            requirePrerequisites(this, PREREQUISITES.shinyExamples);
            expect(examples.length).to.be.at.least(10);
        });

        for (const example of examples.length > 0 ? examples : ["01_hello"]) {
            it(`${example}: detected as app.R with shiny, written with the platform's shape, hadolint-clean and buildable`, function () {
                requirePrerequisites(this, PREREQUISITES.shinyExamples, PREREQUISITES.tool("hadolint"));
                const source = generated(SHINY_EXAMPLES, example, "shiny");
                expect(source.detected[0]).to.equal("framework: shiny (app.R in the folder)");
                expect(source.healthCheckPath).to.equal("/");
                expectPlatformShape(source.dockerfile, GENERATED_BASE_IMAGES.r);
                expect(source.dockerfile).to.match(/^ && Rscript \/tmp\/platform\/install_packages\.R \\\n\s+curl jsonlite openssl shiny$/m);
                // Two stages: the run-time one starts anew from the base (no compilers), gets R, and loads every package once.
                expect(source.dockerfile.match(/^FROM /gm)).to.have.length(2);
                expect(source.dockerfile).to.contain("COPY --from=build /opt/R/${R_VERSION} /opt/R/${R_VERSION}");
                expect(source.dockerfile).to.match(/^RUN Rscript -e 'for \(p in commandArgs\(TRUE\)\) library\(p, character\.only = TRUE\)' curl jsonlite openssl shiny \\$/m);
                expect(source.dockerfile.split("\nFROM ")[2]).not.to.match(/\b(gcc|g\+\+|gfortran|make|-dev)\b/);
                expect(source.dockerfile).to.contain("APP_DIR=/app/app.R");
                expect(source.dockerfile).to.contain("ARG CRAN_SNAPSHOT=https://p3m.dev/cran/__linux__/bookworm/2025-10-30");
                const dated = resolveAppSource({ appsDir: SHINY_EXAMPLES, app: example, framework: "shiny", packageSnapshot: "2026-11-02" });
                expect(dated.ok && dated.source.kind === "generated" && dated.source.dockerfile).to.contain("ARG CRAN_SNAPSHOT=https://p3m.dev/cran/__linux__/bookworm/2026-11-02");
                expect(source.dockerfile).to.match(/^COPY \[.*"app\.R".*"\.\/"\]$/m);
                expect(hadolint(source.dockerfile)).to.equal("");
                buildable(path.join(SHINY_EXAMPLES, example), source.dockerfile);
            });
        }
    });

    it("Shiny with renv.lock: restores the lockfile's packages at their versions in the build stage, hadolint-clean and buildable", function () {
        requirePrerequisites(this, PREREQUISITES.tool("hadolint"));
        const appsDir = fs.mkdtempSync(path.join(os.tmpdir(), "gen-renv-"));
        try {
            fs.mkdirSync(path.join(appsDir, "locked"));
            fs.writeFileSync(path.join(appsDir, "locked", "app.R"), "library(shiny)\nlibrary(DT)\nshinyApp(fluidPage(DTOutput('t')), function(input, output) output$t <- renderDT(mtcars))\n");
            fs.writeFileSync(path.join(appsDir, "locked", "renv.lock"), JSON.stringify({
                R: { Version: "4.4.1", Repositories: [{ Name: "CRAN", URL: "https://cloud.r-project.org" }] },
                Packages: {
                    shiny: { Package: "shiny", Version: "1.9.1", Source: "Repository", Repository: "CRAN" },
                    DT: { Package: "DT", Version: "0.33", Source: "Repository", Repository: "CRAN" },
                },
            }));
            const source = generated(appsDir, "locked", "shiny");
            expect(source.detected).to.include("packages (renv.lock): DT 0.33, shiny 1.9.1");
            expect(source.dockerfile).to.contain("COPY renv.lock /tmp/renv.lock");
            expect(source.dockerfile).to.match(/install_packages\.R --renv \/tmp\/renv\.lock \\\n\s+curl DT jsonlite openssl shiny$/m);
            expect(hadolint(source.dockerfile)).to.equal("");
            buildable(path.join(appsDir, "locked"), source.dockerfile);
        } finally {
            fs.rmSync(appsDir, { recursive: true, force: true });
        }
    });

    describe("Streamlit: the hello app inside its PyPI package", () => {
        let appsDir: string;
        before(function () {
            requirePrerequisites(this, PREREQUISITES.venv("streamlit"));
            const hello = fs.existsSync(path.join(STREAMLIT_VENV, "lib")) ? fs.readdirSync(path.join(STREAMLIT_VENV, "lib")).map((py) => path.join(STREAMLIT_VENV, "lib", py, "site-packages", "streamlit", "hello")).find((p) => fs.existsSync(p)) : undefined;
            if (!hello) this.skip();
            // The package folder as an analyst's app folder: its files plus a requirements.txt pinning streamlit.
            appsDir = fs.mkdtempSync(path.join(os.tmpdir(), "gen-streamlit-"));
            fs.cpSync(hello!, path.join(appsDir, "hello"), { recursive: true, filter: (src) => !src.includes("__pycache__") });
            const version = execFileSync(path.join(STREAMLIT_VENV, "bin", "python"), ["-c", "import streamlit; print(streamlit.__version__)"], { encoding: "utf8" }).trim();
            fs.writeFileSync(path.join(appsDir, "hello", "requirements.txt"), `streamlit==${version}\n`);
        });
        after(() => appsDir && fs.rmSync(appsDir, { recursive: true, force: true }));

        it("is served with streamlit run on its entry script, with Streamlit's own health route, hadolint-clean and buildable", function () {
            requirePrerequisites(this, PREREQUISITES.tool("hadolint"));
            const source = generated(appsDir, "hello", "streamlit", "streamlit_app.py");
            expect(source.healthCheckPath).to.equal("/_stcore/health");
            expectPlatformShape(source.dockerfile, GENERATED_BASE_IMAGES.python);
            expect(source.dockerfile).to.contain('CMD ["python","-m","dashboards_launch","streamlit","streamlit_app.py"]');
            // Its sub-folders keep their names (COPY of a folder copies its contents).
            for (const folder of fs.readdirSync(path.join(appsDir, "hello"), { withFileTypes: true }).filter((e) => e.isDirectory())) {
                expect(source.dockerfile).to.contain(`COPY ${JSON.stringify([folder.name, `./${folder.name}/`])}`);
            }
            expect(hadolint(source.dockerfile)).to.equal("");
            buildable(path.join(appsDir, "hello"), source.dockerfile);
        });

        it("copies the app's own .streamlit settings into the image, where the launcher leaves them the last word", function () {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gen-streamlit-config-"));
            try {
                fs.cpSync(path.join(appsDir, "hello"), path.join(dir, "hello"), { recursive: true });
                fs.mkdirSync(path.join(dir, "hello", ".streamlit"));
                fs.writeFileSync(path.join(dir, "hello", ".streamlit", "config.toml"), '[client]\ntoolbarMode = "developer"\n');
                const source = generated(dir, "hello", "streamlit", "streamlit_app.py");
                expect(source.dockerfile).to.contain('COPY [".streamlit","./.streamlit/"]');
                expect(source.dockerfile).to.contain("WORKDIR /app");
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("Dash and Flask: apps in the shape of their official tutorials", () => {
        it("Dash: served by gunicorn through the platform's WSGI wrapper (app:server), health on its own path", function () {
            requirePrerequisites(this, PREREQUISITES.tool("hadolint"));
            const source = generated(FIXTURES, "dash-tutorial", "dash");
            expect(source.healthCheckPath).to.equal(GENERATED_WSGI_HEALTH_PATH);
            expectPlatformShape(source.dockerfile, GENERATED_BASE_IMAGES.python);
            expect(source.dockerfile).to.contain("DASHBOARD_WSGI_APP=app:server");
            expect(source.dockerfile).to.contain('CMD ["python", "-m", "dashboards_launch", "wsgi"]');
            expect(source.dockerfile).to.contain('COPY ["requirements.txt", "/src/app/requirements.txt"]'.replace(/", "/g, '","'));
            expect(hadolint(source.dockerfile)).to.equal("");
            buildable(path.join(FIXTURES, "dash-tutorial"), source.dockerfile);
        });

        it("Flask: the tutorial's create_app factory in the flaskr package, its templates folder copied under its name", function () {
            requirePrerequisites(this, PREREQUISITES.tool("hadolint"));
            const source = generated(FIXTURES, "flask-tutorial", "flask");
            expect(source.dockerfile).to.contain("DASHBOARD_WSGI_APP=flaskr:create_app()");
            expect(source.dockerfile).to.contain('COPY ["flaskr","./flaskr/"]');
            expect(source.detected).to.include("entry point: flaskr:create_app()");
            // The factory creates its instance folder in /app, root's: the one folder the app user owns.
            expect(source.dockerfile).to.match(/^COPY \["flaskr","\.\/flaskr\/"\]\n(#.*\n)*RUN install -d -o app -g app \/app\/instance\n/m);
            expect(generated(FIXTURES, "dash-tutorial", "dash").dockerfile).not.to.contain("/app/instance");
            expect(hadolint(source.dockerfile)).to.equal("");
            buildable(path.join(FIXTURES, "flask-tutorial"), source.dockerfile);
        });

        it("installs what PyPI had before the platform's day by default, or packageSnapshot's, with pip 26.3 in the build stage only; latest takes no snapshot; all hadolint-clean", function () {
            requirePrerequisites(this, PREREQUISITES.tool("hadolint"));
            const dockerfile = (packageSnapshot?: string) => {
                const result = resolveAppSource({ appsDir: FIXTURES, app: "dash-tutorial", framework: "dash", packageSnapshot });
                if (!result.ok || result.source.kind !== "generated") throw new Error(JSON.stringify(result));
                return result.source;
            };
            const pipLine = (day: string) => new RegExp(`^RUN python -m pip install --no-cache-dir -r /src/platform/python/build-requirements\\.txt \\\\\n && pip --python /opt/venv/bin/python install --no-compile --uploaded-prior-to=${day}T00:00:00Z -r `, "m");
            const byDefault = dockerfile();
            expect(byDefault.dockerfile).to.match(pipLine(PYPI_SNAPSHOT));
            expect(byDefault.detected).to.include(`package snapshot: PyPI uploads before ${PYPI_SNAPSHOT} (the platform's; a pin published later needs a later packageSnapshot)`);
            const dated = dockerfile("2026-11-02");
            expect(dated.dockerfile).to.match(pipLine("2026-11-02"));
            expect(dated.detected).to.include("package snapshot: PyPI uploads before 2026-11-02 (packageSnapshot)");
            const latest = dockerfile("latest");
            expect(latest.dockerfile).not.to.contain("--uploaded-prior-to");
            expect(latest.dockerfile).not.to.contain("build-requirements.txt");
            expect(latest.dockerfile).to.match(/^RUN pip --python \/opt\/venv\/bin\/python install --no-compile -r /m);
            expect(latest.detected).to.include("package snapshot: none, the newest versions at each build (packageSnapshot: latest)");
            // The build stage's pip is the one build-requirements.txt pins, the one the option needs.
            expect(fs.readFileSync(path.join(REPO, "apps", "shared", "python", "build-requirements.txt"), "utf8")).to.match(/^pip==26\.3$/m);
            for (const source of [byDefault, dated, latest]) {
                // The upgraded pip stays in the build stage: the run-time stage starts anew and copies the environment only.
                expect(source.dockerfile.split("\nFROM ")[2]).not.to.match(/pip==|build-requirements/);
                expect(hadolint(source.dockerfile)).to.equal("");
            }
            // The platform's day has passed (a snapshot of a day to come would not repeat).
            expect(PYPI_SNAPSHOT).to.match(/^\d{4}-\d{2}-\d{2}$/);
            expect(PYPI_SNAPSHOT <= new Date().toISOString().slice(0, 10)).to.equal(true);
        });

        it("are dated as the README says: its configuration reference and its generated-image paragraph name the platform's days", () => {
            const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
            const cranDay = CRAN_SNAPSHOT.split("/").pop();
            expect(readme).to.contain(`| Python: \`${PYPI_SNAPSHOT}\`; R: \`${cranDay}\` (the platform's) |`);
            expect(readme.replace(/\s+/g, " ")).to.contain(`(PyPI uploads before ${PYPI_SNAPSHOT}, or CRAN as of ${cranDay};`);
        });

        it("slims the environment in the build stage, after pip and with strip from that stage only, before the run-time stage copies it", () => {
            const text = generated(FIXTURES, "dash-tutorial", "dash").dockerfile;
            const [, build, runtime] = text.split("\nFROM ");
            // RUN instructions with their continuation lines joined.
            const steps = build.replace(/ \\\n/g, " ").split("\n").filter((l) => l.startsWith("RUN "));
            expect(steps[0]).to.contain("apt-get install -y --no-install-recommends binutils");
            expect(steps[steps.length - 1]).to.match(/ && pip --python \/opt\/venv\/bin\/python install --no-compile .* && python \/src\/platform\/python\/slim_environment\.py \/opt\/venv$/);
            expect(runtime).not.to.match(/binutils|strip|slim_environment/);
            expect(runtime).to.contain("COPY --from=build /opt/venv /opt/venv");
        });

        it("adds the platform's pinned gunicorn only when the app's requirements do not list one", () => {
            const listsGunicorn = fs.readFileSync(path.join(FIXTURES, "dash-tutorial", "requirements.txt"), "utf8").match(/^gunicorn==/im) !== null;
            const source = generated(FIXTURES, "dash-tutorial", "dash");
            expect(source.dockerfile.includes("server-requirements.txt")).to.equal(!listsGunicorn);
        });
    });

    it("can be taken over: copied into the folder as Dockerfile, it is the folder's own, builds the same and keeps its read-only root (its VOLUMEs and user read back)", () => {
        const appsDir = fs.mkdtempSync(path.join(os.tmpdir(), "gen-eject-"));
        try {
            fs.cpSync(path.join(FIXTURES, "flask-tutorial"), path.join(appsDir, "churn"), { recursive: true });
            const source = generated(appsDir, "churn", "flask");
            fs.writeFileSync(path.join(appsDir, "churn", "Dockerfile"), source.dockerfile);
            const ejected = resolveAppSource({ appsDir, app: "churn", framework: "flask" });
            expect(ejected).to.deep.equal({ ok: true, source: { kind: "dockerfile", stage: { volumes: source.writablePaths, user: "10001" } } });
            expect(source.writablePaths).to.deep.equal(["/tmp", "/app/instance"]);
            buildable(path.join(appsDir, "churn"), fs.readFileSync(path.join(appsDir, "churn", "Dockerfile"), "utf8"));
        } finally {
            fs.rmSync(appsDir, { recursive: true, force: true });
        }
    });

    it("never copies environments, caches or links out of the folder, and refuses a folder it cannot understand, naming the file to add", () => {
        const appsDir = fs.mkdtempSync(path.join(os.tmpdir(), "gen-junk-"));
        try {
            const app = path.join(appsDir, "junk");
            fs.mkdirSync(path.join(app, ".venv", "bin"), { recursive: true });
            fs.mkdirSync(path.join(app, "__pycache__"));
            fs.mkdirSync(path.join(app, "data"));
            fs.writeFileSync(path.join(app, "app.py"), "from flask import Flask\napp = Flask(__name__)\n");
            fs.writeFileSync(path.join(app, "requirements.txt"), "flask==3.1.3\n");
            fs.writeFileSync(path.join(app, "$HOME.py"), "");
            fs.symlinkSync("/etc/passwd", path.join(app, "passwd"));
            const source = generated(appsDir, "junk", "flask");
            expect(source.dockerfile).to.contain('COPY ["app.py","requirements.txt","./"]');
            expect(source.dockerfile).to.contain('COPY ["data","./data/"]');
            for (const left of [".venv", "__pycache__", "passwd", "$HOME"]) expect(source.dockerfile).not.to.contain(`"${left}`);
            expect(source.notes.join("\n")).to.contain('"$HOME.py"').and.to.contain('"passwd"');
            fs.rmSync(path.join(app, "requirements.txt"));
            const refused = resolveAppSource({ appsDir, app: "junk", framework: "flask" });
            expect(refused.ok).to.equal(false);
            expect(!refused.ok && refused.problems.map((p) => `${p.key}: ${p.message}`)).to.deep.equal([
                "app: gen-junk/junk: has no requirements.txt: add requirements.txt listing the packages the app imports with exact versions, e.g. `flask==<version>` (`pip freeze` shows the versions you run)".replace("gen-junk", path.basename(appsDir)),
            ]);
        } finally {
            fs.rmSync(appsDir, { recursive: true, force: true });
        }
    });
});
