import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { detectShinyApp, isRPackageName, ShinyApp, ShinyDetection, ShinyOverrides, ShinyProblems, ShinyScanLimits, SHINY_SCAN_LIMITS } from "../components/shinyApp";
import { requirePrerequisites } from "./prerequisites";

/** The module's own fs (esbuild's namespace imports read it live), for spying on what it opens. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const liveFs: typeof fs = require("fs");

const made: string[] = [];
after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under os.tmpdir() holding `files` (path → content; parents are made). */
function folder(files: Record<string, string | Buffer> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shiny-detect-"));
    made.push(dir);
    for (const [rel, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), content);
    }
    return dir;
}

function ok(detection: ShinyDetection): ShinyApp {
    if (!detection.ok) expect.fail(`expected a Shiny app, got problems:\n${detection.problems.map((p) => `  ${p.file}: ${p.message}`).join("\n")}`);
    return detection;
}

function problems(detection: ShinyDetection): ShinyProblems["problems"] {
    if (detection.ok) expect.fail(`expected problems, got a Shiny app: ${JSON.stringify(detection)}`);
    return detection.problems;
}

const names = (d: ShinyDetection) => ok(d).packages.map((p) => p.name);
const notes = (d: ShinyDetection) => ok(d).notes.join("\n");
const detect = (files: Record<string, string | Buffer>, overrides?: ShinyOverrides, limits?: Partial<ShinyScanLimits>) => detectShinyApp(folder(files), overrides, limits);

/** Runs `fn` while recording every path the module opens or lists. */
function opened<T>(fn: () => T): { result: T; paths: string[] } {
    const paths: string[] = [];
    const originals = { openSync: liveFs.openSync, opendirSync: liveFs.opendirSync, readFileSync: liveFs.readFileSync, readdirSync: liveFs.readdirSync };
    const spy = <K extends keyof typeof originals>(name: K) => {
        (liveFs as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
            paths.push(String(args[0]));
            return (originals[name] as (...a: unknown[]) => unknown).apply(liveFs, args);
        };
    };
    (Object.keys(originals) as (keyof typeof originals)[]).forEach(spy);
    try {
        return { result: fn(), paths };
    } finally {
        Object.assign(liveFs, originals);
    }
}

/**
 * Runs `fn`, failing unless it takes under `ms` of this process's CPU time (what a quadratic or
 * backtracking scan would blow up; other processes' load does not count) and under 4 × `ms` of
 * wall time (what a blocking read would blow up).
 */
function fast<T>(label: string, fn: () => T, ms = 500): T {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    const result = fn();
    const wall = Number(process.hrtime.bigint() - started) / 1e6;
    const used = process.cpuUsage(cpu);
    const took = (used.user + used.system) / 1000;
    if (process.env.SHINY_DETECT_TIMES) process.stderr.write(`${took.toFixed(1).padStart(7)} ms CPU ${wall.toFixed(1).padStart(7)} ms wall  ${label}\n`);
    expect(took, `${label} took ${took.toFixed(0)} ms of CPU`).to.be.below(ms);
    expect(wall, `${label} took ${wall.toFixed(0)} ms`).to.be.below(4 * ms);
    return result;
}

const APP = "library(shiny)\nui <- fluidPage()\nserver <- function(input, output) {}\nshinyApp(ui, server)\n";

describe("Shiny app detection (deploy from source)", () => {
    describe("where the app is", () => {
        it("finds app.R, or ui.R + server.R, at the top or in app/", () => {
            expect(ok(detect({ "app.R": APP }))).to.include({ layout: "app.R", appDir: ".", packageSource: "R files" });
            expect(ok(detect({ "ui.R": "fluidPage()", "server.R": "function(input, output) {}" }))).to.include({ layout: "ui.R+server.R", appDir: "." });
            const nested = ok(detect({ "app/app.R": APP, "README.md": "hi" }));
            expect(nested).to.include({ layout: "app.R", appDir: "app" });
            expect(nested.files).to.deep.equal(["app/app.R"]);
            expect(ok(detect({ "app/ui.R": "library(bslib)", "app/server.R": "" }))).to.include({ layout: "ui.R+server.R", appDir: "app" });
            // app.R beside a lone ui.R: app.R is the app, ui.R a helper it may source
            expect(ok(detect({ "app.R": APP, "ui.R": "" }))).to.include({ layout: "app.R", appDir: "." });
        });

        it("says what to add when there is no entry point, with near misses", () => {
            const [none] = problems(detect({ "README.md": "no app here", "helpers.R": "library(dplyr)" }));
            expect(none.file).to.equal(".");
            expect(none.message).to.contain("add app.R (or ui.R and server.R), or set entrypoint");
            const [cased] = problems(detect({ "App.R": APP }));
            expect(cased.message).to.contain("found App.R (Shiny looks for app.R): rename it");
            expect(problems(detect({ "app.r": APP }))[0].message).to.contain("found app.r (Shiny looks for app.R): rename it");
            expect(problems(detect({ "app/UI.R": "", "app/Server.r": "" }))[0].message).to.contain("found app/Server.r (Shiny looks for server.R), app/UI.R (Shiny looks for ui.R): rename it");
            const [deeper] = problems(detect({ "dashboard/app.R": APP }));
            expect(deeper.message).to.contain("found dashboard/app.R: set entrypoint to it");
            expect(problems(detect({}))[0].message).to.contain("set entrypoint");
        });

        it("refuses two candidates, naming both and the entrypoint values that pick one", () => {
            const [both] = problems(detect({ "app.R": APP, "ui.R": "", "server.R": "" }));
            expect(both.file).to.equal(".");
            expect(both.message).to.contain("2 Shiny apps: app.R and ui.R + server.R").and.contain('set entrypoint to "app.R" or "ui.R" to pick one');
            const [levels] = problems(detect({ "app.R": APP, "app/app.R": APP }));
            expect(levels.message).to.contain("app.R and app/app.R").and.contain('"app.R" or "app"');
            const [three] = problems(detect({ "ui.R": "", "server.R": "", "app/app.R": APP, "app/ui.R": "", "app/server.R": "" }));
            expect(three.message).to.contain("3 Shiny apps").and.contain('"ui.R" or "app/app.R" or "app/ui.R"');
        });

        it("refuses ui.R without server.R (and server.R without ui.R), naming the file", () => {
            expect(problems(detect({ "ui.R": "fluidPage()" }))).to.deep.equal([{ file: "ui.R", message: "ui.R has no server.R beside it: add server.R (or put the app in app.R)" }]);
            const [server] = problems(detect({ "app/server.R": "", "app/www/index.html": "<html>" }));
            expect(server.file).to.equal("app/server.R");
            expect(server.message).to.contain("add app/ui.R");
            // a half app beside a whole one elsewhere: the whole one, and a note
            const d = ok(detect({ "ui.R": "", "app/app.R": APP }));
            expect(d.appDir).to.equal("app");
            expect(notes(d)).to.contain("ui.R is not used: the app is app/app.R");
        });

        it("takes entrypoint as a folder or an entry file inside the folder", () => {
            const files = { "app.R": APP, "ui.R": "", "server.R": "", "dashboard/app.R": "library(leaflet)", "two/ui.R": "", "two/server.R": "library(DT)" };
            expect(ok(detectShinyApp(folder(files), { entrypoint: "app.R" }))).to.include({ layout: "app.R", appDir: "." });
            expect(ok(detectShinyApp(folder(files), { entrypoint: "ui.R" }))).to.include({ layout: "ui.R+server.R", appDir: "." });
            expect(ok(detectShinyApp(folder(files), { entrypoint: "server.R" }))).to.include({ layout: "ui.R+server.R", appDir: "." });
            expect(ok(detectShinyApp(folder(files), { entrypoint: "dashboard" }))).to.include({ layout: "app.R", appDir: "dashboard" });
            expect(ok(detectShinyApp(folder(files), { entrypoint: "./dashboard/" }))).to.include({ layout: "app.R", appDir: "dashboard" });
            expect(ok(detectShinyApp(folder(files), { entrypoint: "dashboard/app.R" }))).to.include({ layout: "app.R", appDir: "dashboard" });
            expect(ok(detectShinyApp(folder(files), { entrypoint: "two/server.R" }))).to.include({ layout: "ui.R+server.R", appDir: "two" });
            expect(ok(detectShinyApp(folder({ "app/app.R": APP, "app.R": APP }), { entrypoint: "app" }))).to.include({ appDir: "app" });
            expect(ok(detectShinyApp(folder({ "app.R": APP }), { entrypoint: "." }))).to.include({ appDir: "." });
            const [ambiguous] = problems(detectShinyApp(folder(files), { entrypoint: "." }));
            expect(ambiguous.message).to.contain('set entrypoint to "app.R" or "ui.R"');
        });

        it("refuses an entrypoint that is missing, outside the folder, or not an entry file", () => {
            const dir = folder({ "app.R": APP, "main.R": APP, "empty/README.md": "", "half/ui.R": "" });
            const outside = folder({ "app.R": "library(secretpkg)" });
            fs.symlinkSync(outside, path.join(dir, "link"));
            const refused = (entrypoint: unknown) => problems(detectShinyApp(dir, { entrypoint } as ShinyOverrides));
            expect(refused("nope")[0]).to.deep.include({ file: "nope" });
            expect(refused("nope")[0].message).to.contain('entrypoint "nope" does not exist in the folder');
            for (const escape of ["../app.R", "..", "app/../../x", "dashboard/../.."]) expect(refused(escape)[0].message, escape).to.contain("leads outside the folder");
            for (const absolute of ["/etc", "/etc/passwd", "C:\\app", "C:/app", "a\\app.R"]) expect(refused(absolute)[0].message, absolute).to.contain("not an absolute path");
            for (const odd of [".hidden", "a//b", "a b", "app.R\n", "-rf", "$(id)", "`id`", "x;y"]) expect(refused(odd)[0].message, JSON.stringify(odd)).to.match(/not a plain path|does not exist/);
            for (const empty of ["", "  "]) expect(refused(empty)[0].message).to.contain("entrypoint is empty");
            expect(refused("link")[0].message).to.contain("symlink to outside the folder");
            expect(refused("link/app.R")[0].message).to.contain("symlink to outside the folder");
            expect(refused("main.R")[0].message).to.contain("must be a folder or a file named app.R, ui.R or server.R");
            expect(refused("empty")[0].message).to.contain('entrypoint "empty" has no app.R (or ui.R and server.R): add empty/app.R');
            expect(refused("half")[0].message).to.contain("half/ui.R has no server.R beside it");
            expect(refused("half/ui.R")[0].message).to.contain("add half/server.R");
            expect(refused(42)[0].message).to.contain("entrypoint must be text");
            expect(refused("a/".repeat(150))[0].message).to.contain("longer than 200 characters");
        });
    });

    describe("packages from the R files", () => {
        it("reads library, require, requireNamespace, loadNamespace, pkg::fun and pkg:::fun in all R files, without R's own packages", () => {
            const d = detect({
                "app.R": [
                    "library(shiny)",
                    "library('bslib'); require(\"DT\")",
                    "suppressPackageStartupMessages(library(dplyr, warn.conflicts = FALSE))",
                    "if (requireNamespace(\"plotly\", quietly = TRUE)) plotly::plot_ly()",
                    "loadNamespace('jsonlite')",
                    "x <- data.table::fread('a.csv'); y <- ggplot2:::ggplot_build",
                    "z <- stats::sd(1:3); utils::head(x); library(datasets); library(methods)",
                    "base::library(leaflet)",
                    "\"htmltools\"::tags; `shinyWidgets`::pickerInput",
                    "library(package = readr); library(pa = tidyr)",
                    "library(purrr, character.only = FALSE); library(\"magrittr\", character.only = TRUE)",
                    "d <- a %>% b %in% c",
                ].join("\n"),
                "R/helpers.R": "library(lubridate)\n",
                "R/deep/er/more.r": "stringr::str_detect('a', 'b')\n",
            });
            expect(names(d)).to.deep.equal(["bslib", "data.table", "dplyr", "DT", "ggplot2", "htmltools", "jsonlite", "leaflet", "lubridate", "magrittr", "plotly", "purrr", "readr", "shiny", "shinyWidgets", "stringr", "tidyr"]);
            expect(ok(d).files).to.deep.equal(["R/deep/er/more.r", "R/helpers.R", "app.R"]);
            expect(notes(d)).to.contain("17 packages are not pinned (no renv.lock)");
        });

        it("skips comments, strings (raw ones too), renv/, packrat/ and hidden folders", () => {
            const d = detect({
                "app.R": [
                    "library(shiny) # library(commented)",
                    "# requireNamespace('commentedtoo'); x::y",
                    "msg <- \"library(instring) and gone::fun\"",
                    "msg2 <- 'it''s library(single) \\' still::inside'",
                    "raw <- r\"(library(rawstring) \"quoted\" )\"; raw2 <- R\"--[ )\" ]\" library(rawdash) ]--\"",
                    "url <- \"^http://(127[.]0[.]0[.]1|\\\\[::1\\\\])\"",
                    "multi <- \"line one",
                    "library(multiline)\"",
                    "`library(backticked)` <- 1",
                    "obj$library(notacall); obj@require(nor); other::library(this)",
                    "library(help = helponly); library()",
                    "after::raw",
                ].join("\n"),
                "renv/library/R-4.3/x86_64/foo/R/foo.R": "library(renvinternal)",
                "renv/activate.R": "library(activate)",
                "packrat/init.R": "library(packratpkg)",
                ".git/hooks/x.R": "library(gitpkg)",
                ".Rproj.user/x.R": "library(rproj)",
                "www/app.js": "library(jsfile)",
                "notes.Rmd": "library(rmdfile)",
            });
            expect(names(d)).to.deep.equal(["after", "other", "shiny"]);
            expect(ok(d).files).to.deep.equal(["app.R"]);
        });

        it("notes calls whose package is only known at run time, with their lines", () => {
            const d = detect({
                "app.R": "library(shiny)\npkgs <- c('a', 'b')\nfor (p in pkgs) library(p, character.only = TRUE)\nlapply(pkgs, require, character.only = TRUE)\nrequireNamespace(p)\nlibrary(pkgs[[1]])\nlibrary(x, character.only = only)\n",
            });
            expect(names(d)).to.deep.equal(["shiny"]);
            expect(notes(d)).to.contain("app.R lines 3, 4, 5, 6, 7: a library(), require() or loadNamespace() call names its package only at run time");
        });

        it("refuses names no R package can have, when the R files are the source", () => {
            const [bad] = problems(detect({ "app.R": "library(shiny)\nlibrary(my_pkg)\nx <- a::b\nlibrary(\"ggplot2 \")\nlibrary(ñandú)\nlibrary(shіny)\n" }));
            expect(bad.file).to.equal("app.R");
            expect(bad.message).to.contain('"my_pkg" (app.R line 2)').and.contain('"a" (app.R line 3)').and.contain('"ggplot2 " (app.R line 4)')
                .and.contain('"ñandú" (app.R line 5)').and.contain('"shіny" (app.R line 6)').and.contain("set packages in the dashboard's config");
            // the config escapes it; the odd names stay a note
            const d = detect({ "app.R": "library(shiny)\nlibrary(my_pkg)\n" }, { packages: ["shiny"] });
            expect(notes(d)).to.contain('"my_pkg" (app.R line 2)');
        });

        it("counts lines right with CRLF and CR endings and a byte order mark", () => {
            const d = detect({ "app.R": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("library(shiny)\r\nlibrary(dplyr)\r\rlibrary(p, character.only = TRUE)\r\n")]) });
            expect(names(d)).to.deep.equal(["dplyr", "shiny"]);
            expect(notes(d)).to.contain("app.R line 4:");
            // a BOM before library(x) does not hide x
            expect(names(detect({ "app.R": "\ufeffrequire(leaflet)\n" }))).to.deep.equal(["leaflet", "shiny"]);
        });

        it("reads non-ASCII file and folder names and identifiers", () => {
            const d = detect({ "app.R": "library(shiny)\ncafé <- 1\ndonnées <- leaflet::addTiles(café)\n", "R/données été.R": "library(DT)\n", "tableau/日本語.R": "library(jsonlite)\n" });
            expect(names(d)).to.deep.equal(["DT", "jsonlite", "leaflet", "shiny"]);
            expect(ok(d).files).to.deep.equal(["R/données été.R", "app.R", "tableau/日本語.R"]);
            expect(problems(detect({ "app.R": "library(shiny)\nrésumé::x\n" }))[0].message).to.contain('"résumé"');
        });
    });

    describe("packages from DESCRIPTION", () => {
        it("reads Imports and Depends (without R): constraints, continuation lines, commas, whitespace", () => {
            const d = detect({
                "app.R": "library(shiny)\nlibrary(dplyr)\n",
                DESCRIPTION: "Package: dash\nTitle: A: dashboard\nDepends: R (>= 4.1.0), methods\nImports:\n    dplyr (>= 1.1.0),\n\tggplot2(>=3.4),\n    data.table ( == 1.14.8 ) ,plotly,\n  shiny,\nSuggests: testthat\n",
            });
            expect(ok(d).packageSource).to.equal("DESCRIPTION");
            expect(ok(d).packages).to.deep.equal([
                { name: "data.table", constraint: "== 1.14.8" },
                { name: "dplyr", constraint: ">= 1.1.0" },
                { name: "ggplot2", constraint: ">= 3.4" },
                { name: "plotly" },
                { name: "shiny" },
            ]);
            expect(notes(d)).to.contain("asks for R >= 4.1.0").and.contain("5 packages are not pinned").and.contain("the version constraints data.table (== 1.14.8), dplyr (>= 1.1.0), ggplot2 (>= 3.4) are not checked");
            expect(ok(d).rVersion).to.equal(undefined);
        });

        it("takes CRLF and a byte order mark, adds shiny, and notes what the R files use beyond it", () => {
            const d = detect({ "app.R": "library(leaflet)\n", DESCRIPTION: "\ufeffPackage: x\r\nImports: DT,\r\n  jsonlite\r\n" });
            expect(names(d)).to.deep.equal(["DT", "jsonlite", "shiny"]);
            expect(notes(d)).to.contain("the R files use packages that DESCRIPTION does not list, so the app fails where it loads them: leaflet (app.R line 1)");
        });

        it("falls back to the R files when DESCRIPTION lists no packages", () => {
            for (const description of ["Title: Hello\nType: Shiny\n", "Depends: R (>= 4.0)\n", "Imports:\n"]) {
                const d = detect({ "app.R": "library(shiny)\nlibrary(DT)\n", DESCRIPTION: description });
                expect(ok(d).packageSource, description).to.equal("R files");
                expect(names(d)).to.deep.equal(["DT", "shiny"]);
                expect(notes(d)).to.contain("DESCRIPTION lists no packages in Imports or Depends");
            }
        });

        it("names the line of a malformed DESCRIPTION and says what to write", () => {
            const at = (description: string) => problems(detect({ "app.R": APP, DESCRIPTION: description }))[0];
            expect(at("Package: x\nImports shiny\n")).to.deep.equal({ file: "DESCRIPTION", message: 'DESCRIPTION line 2: "Imports shiny" is not "Field: value" (nor an indented continuation line)' });
            expect(at("  Imports: shiny\n").message).to.contain("line 1: an indented continuation line before any field");
            expect(at("Imports: a\nImports: b\n").message).to.contain('line 2: field "Imports" is given twice (first on line 1)');
            expect(at("Package: x\n\nImports: b\n").message).to.contain("line 3: text after the blank line 2");
            expect(at("Imports: shiny,\n  dplyr (>= 1.0,\n  DT\n").message).to.contain('line 2: Imports entry "dplyr (>= 1.0" has text after the package name');
            expect(at("Imports: dplyr (~> 1.0)\n").message).to.contain("version constraint that is not an operator");
            expect(at("Imports: dplyr (>= 1.0; rm -rf /)\n").message).to.contain("version constraint");
            expect(at("Imports: shiny,\n  my_pkg\n").message).to.contain('line 2: Imports entry "my_pkg" is not a package name');
            expect(at("Imports: shiny dplyr\n").message).to.contain("separate entries with commas");
            expect(at("Imports: shiny\nRemotes: rstudio/shiny@main\n").message).to.contain("line 2: Remotes names packages from outside CRAN");
            expect(at("Imports: \u202eyhsin\n").message).to.contain("\\u202e");
        });
    });

    describe("packages from renv.lock", () => {
        const lock = (packages: Record<string, unknown>, r: unknown = { Version: "4.3.1", Repositories: [{ Name: "CRAN", URL: "https://cloud.r-project.org" }] }) =>
            JSON.stringify({ R: r, Packages: packages }, null, 2);
        const cran = (name: string, version: string, repository = "CRAN") => ({ Package: name, Version: version, Source: "Repository", Repository: repository, Hash: "0123" });

        it("pins every locked package at its version, with R's version, sorted, R's own left out", () => {
            const d = detect({
                "app.R": "library(shiny)\nlibrary(dplyr)\n",
                "renv.lock": lock({ shiny: cran("shiny", "1.7.4"), dplyr: cran("dplyr", "1.1.2", "RSPM"), Rcpp: cran("Rcpp", "1.0.10"), renv: cran("renv", "1.0.3"), old: { Package: "old", Version: "0.3-2", Source: "CRAN" }, stats: cran("stats", "4.3.1") }),
                DESCRIPTION: "Imports: ignored\n",
            });
            expect(ok(d)).to.deep.include({ packageSource: "renv.lock", rVersion: "4.3.1" });
            expect(ok(d).packages).to.deep.equal([
                { name: "dplyr", version: "1.1.2" }, { name: "old", version: "0.3-2" }, { name: "Rcpp", version: "1.0.10" }, { name: "renv", version: "1.0.3" }, { name: "shiny", version: "1.7.4" },
            ]);
            expect(notes(d)).not.to.contain("not pinned");
        });

        it("takes CRLF and a BOM; adds a missing shiny and notes packages the R files use beyond the lock", () => {
            const text = `\ufeff${lock({ DT: cran("DT", "0.28") }).replace(/\n/g, "\r\n")}`;
            const d = detect({ "app.R": "library(shiny)\nlibrary(leaflet)\n", "renv.lock": text });
            expect(ok(d).packages).to.deep.equal([{ name: "DT", version: "0.28" }, { name: "shiny" }]);
            expect(notes(d)).to.contain("renv.lock does not list shiny").and.contain("renv.lock does not list, so the app fails where it loads them: leaflet (app.R line 2)");
            expect(notes(detect({ "app.R": APP, "renv.lock": JSON.stringify({ Packages: { shiny: cran("shiny", "1.7.4") } }) }))).to.contain("does not say which R it was made with");
        });

        it("refuses packages it cannot pin (GitHub, Bioconductor, local), and notes other repositories", () => {
            const d = detect({
                "app.R": APP,
                "renv.lock": lock({
                    shiny: cran("shiny", "1.7.4"),
                    mypkg: { Package: "mypkg", Version: "0.1.0", Source: "GitHub", RemoteType: "github", RemoteUsername: "me", RemoteRepo: "mypkg", RemoteSha: "abc" },
                    Biobase: { Package: "Biobase", Version: "2.60.0", Source: "Bioconductor" },
                    here: { Package: "here", Version: "1.0", Source: "Local", RemoteType: "local" },
                }),
            });
            const [p] = problems(d);
            expect(p.file).to.equal("renv.lock");
            expect(p.message).to.contain("3 packages cannot be installed at the locked version").and.contain('mypkg from "GitHub" (github)').and.contain('Biobase from "Bioconductor"')
                .and.contain('here from "Local" (local)').and.contain("renv::install").and.contain("set packages in the dashboard's config").and.contain("add a Dockerfile");
            const internal = detect({ "app.R": APP, "renv.lock": lock({ shiny: cran("shiny", "1.7.4"), corp: cran("corp", "2.0", "internal") }) });
            expect(notes(internal)).to.contain('repositories other than CRAN for corp ("internal")');
        });

        it("names the line of a renv.lock that is not JSON (a merge conflict, a trailing comma, a cut file)", () => {
            const conflict = lock({ shiny: cran("shiny", "1.7.4") }).replace('"Version": "1.7.4"', '<<<<<<< HEAD\n"Version": "1.7.4"\n=======\n"Version": "1.8.0"\n>>>>>>> main');
            const line = conflict.split("\n").findIndex((l) => l.trimStart().startsWith("<<<<<<<")) + 1;
            expect(problems(detect({ "app.R": APP, "renv.lock": conflict }))[0]).to.deep.equal({ file: "renv.lock", message: `renv.lock: line ${line} is not valid JSON (expected a key in double quotes); renv::snapshot() writes a valid renv.lock` });
            expect(problems(detect({ "app.R": APP, "renv.lock": '{\n  "Packages": {},\n}' }))[0].message).to.contain("line 3 is not valid JSON");
            expect(problems(detect({ "app.R": APP, "renv.lock": '{\n  "Packages": {\n' }))[0].message).to.contain("line 3 is not valid JSON (expected a key in double quotes, but the file ends there)");
            expect(problems(detect({ "app.R": APP, "renv.lock": "" }))[0].message).to.contain("not valid JSON");
        });

        it("refuses valid JSON of the wrong shape, naming the field: arrays, nulls, numbers, __proto__", () => {
            const message = (text: string) => problems(detect({ "app.R": APP, "renv.lock": text })).map((p) => p.message).join("\n");
            expect(message("[]")).to.contain("renv.lock: is a list, not a renv lockfile");
            expect(message("null")).to.contain("is null, not a renv lockfile");
            expect(message("42")).to.contain("is the number 42, not a renv lockfile");
            expect(message('"Packages"')).to.contain('is the text "Packages", not a renv lockfile');
            expect(message("{}")).to.contain('field "Packages" is missing');
            expect(message('{"Packages": []}')).to.contain('field "Packages" is a list');
            expect(message('{"Packages": null}')).to.contain('field "Packages" is null');
            expect(message('{"R": [], "Packages": {}}')).to.contain('field "R" is a list');
            expect(message('{"R": {"Version": 4.3}, "Packages": {}}')).to.contain('field "R.Version" is the number 4.3');
            expect(message('{"R": {"Version": "4.3.1\\nRUN curl evil"}, "Packages": {}}')).to.contain('field "R.Version" is the text "4.3.1\\nRUN curl evil"');
            expect(message('{"Packages": {"shiny": 1}}')).to.contain('field "Packages.shiny" is the number 1');
            expect(message('{"Packages": {"shiny": null}}')).to.contain('field "Packages.shiny" is null');
            expect(message('{"Packages": {"shiny": {"Version": 1.7, "Source": "Repository"}}}')).to.contain('field "Packages.shiny.Version" is the number 1.7');
            expect(message('{"Packages": {"shiny": {"Source": "Repository"}}}')).to.contain('field "Packages.shiny.Version" is missing');
            expect(message('{"Packages": {"shiny": {"Version": "1.7; rm -rf /", "Source": "Repository"}}}')).to.contain("must be a package version");
            expect(message('{"Packages": {"shiny": {"Package": "evil", "Version": "1.7.4", "Source": "Repository"}}}')).to.contain('field "Packages.shiny.Package" is the text "evil"; it must be "shiny"');
            expect(message('{"Packages": {"shiny": {"Version": "1.7.4", "Source": ["Repository"]}}}')).to.contain("shiny from a source renv.lock does not name");
            const proto = message('{"Packages": {"__proto__": {"Version": "1.0", "Source": "Repository"}, "constructor": {}, "my_pkg": {}, "shiny": {"Version": "1.7.4", "Source": "Repository"}}}');
            expect(proto).to.contain('that no R package can be named: "__proto__", "constructor", "my_pkg"');
            expect(({} as Record<string, unknown>)["Version"], "Object.prototype untouched").to.equal(undefined);
            expect(message(`{"Packages": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`)).to.contain('field "Packages"');
        });

        it("keeps a hostile renv.lock's names out of messages' control characters and to a bounded length", () => {
            const [p] = problems(detect({ "app.R": APP, "renv.lock": JSON.stringify({ Packages: { [`x\u001b[31m${"y".repeat(10_000)}`]: {} } }) }));
            expect(p.message).not.to.contain("\u001b");
            expect(p.message.length).to.be.below(400);
        });
    });

    describe("packages from the config", () => {
        it("replaces detection, adds shiny, leaves out R's own, and notes what it replaces", () => {
            const d = detect({ "app.R": "library(shiny)\nlibrary(leaflet)\n", "renv.lock": "{ not even json", DESCRIPTION: "Imports: DT\n" }, { packages: ["dplyr", "data.table", "stats", "dplyr"] });
            expect(ok(d).packageSource).to.equal("config");
            expect(names(d)).to.deep.equal(["data.table", "dplyr", "shiny"]);
            expect(notes(d)).to.contain("the packages setting replaces what renv.lock, DESCRIPTION list").and.contain("stats, which comes with R").and.contain("leaflet (app.R line 2)")
                .and.contain("the packages setting has no versions");
        });

        it("refuses names no R package can have", () => {
            for (const bad of ["a", "_x", "x.", "1x", "ggplot2 ", "dplyr;rm -rf /", "my-pkg", "ñandú", "", "__proto__"]) {
                const [p] = problems(detect({ "app.R": APP }, { packages: ["shiny", bad] }));
                expect(p.message, bad).to.contain("that no R package can be named").and.contain("letters, digits and dots, starting with a letter, not ending in a dot, at least 2 characters");
            }
            expect(problems(detect({ "app.R": APP }, { packages: [5, null] as unknown as string[] }))[0].message).to.contain("the number 5, null");
            expect(problems(detect({ "app.R": APP }, { packages: "shiny" as unknown as string[] }))[0].message).to.contain("packages must be a list");
            for (const good of ["shiny", "data.table", "R6", "Rcpp", "x1", "a.b.c"]) expect(isRPackageName(good), good).to.equal(true);
        });
    });

    describe("attacks: it never crashes, hangs or reads outside the folder", () => {
        it("never follows a symlink out of the folder, and says so", () => {
            const outside = folder({ "secret.R": "library(secretpkg)\n", "renv.lock": '{"Packages": {"evil": {"Version": "1.0", "Source": "Repository"}}}', "DESCRIPTION": "Imports: evil\n", "app.R": "library(secretpkg)" });
            const dir = folder({ "app.R": APP, "R/ok.R": "library(DT)\n" });
            fs.symlinkSync(path.join(outside, "secret.R"), path.join(dir, "R", "secret.R"));
            fs.symlinkSync(outside, path.join(dir, "R", "linked"));
            fs.symlinkSync("/etc", path.join(dir, "etc"));
            fs.symlinkSync(path.join(dir, "R"), path.join(dir, "R", "loop")); // a loop, inside
            fs.symlinkSync("nowhere", path.join(dir, "dangling.R"));
            const root = fs.realpathSync(dir);
            const { result, paths } = opened(() => detectShinyApp(dir));
            expect(names(result)).to.deep.equal(["DT", "shiny"]);
            expect(ok(result).files).to.deep.equal(["R/ok.R", "app.R"]);
            expect(notes(result)).to.contain("symlinks to outside the folder were not followed: etc, R/linked, R/secret.R");
            const strays = paths.filter((p) => !(fs.realpathSync(p) + path.sep).startsWith(root + path.sep));
            expect(strays, "opened or listed outside the folder").to.deep.equal([]);

            for (const name of ["renv.lock", "DESCRIPTION"]) {
                const linked = folder({ "app.R": APP });
                fs.symlinkSync(path.join(outside, name), path.join(linked, name));
                const [p] = problems(detectShinyApp(linked));
                expect(p).to.deep.equal({ file: name, message: `${name} is a symlink to outside the folder, which is not followed; put the file itself here` });
            }
            const entry = folder();
            fs.symlinkSync("/etc/passwd", path.join(entry, "app.R"));
            const spied = opened(() => detectShinyApp(entry));
            expect(problems(spied.result)[0].message).to.equal("app.R is a symlink to outside the folder, which is not followed; put the file itself here");
            expect(spied.paths).not.to.include("/etc/passwd");
            const appLink = folder();
            fs.symlinkSync(outside, path.join(appLink, "app"));
            expect(problems(detectShinyApp(appLink))[0].message).to.contain("app is a symlink to outside the folder");
            // a symlink inside the folder is another name for a file in it: fine
            const inside = folder({ "src/main.R": APP });
            fs.symlinkSync("src/main.R", path.join(inside, "app.R"));
            expect(names(detectShinyApp(inside))).to.deep.equal(["shiny"]);
        });

        it("never opens a FIFO or device (which would block)", function () {
            const dir = folder({ "app.R": APP });
            try {
                execFileSync("mkfifo", [path.join(dir, "helper.R"), path.join(dir, "renv.lock")]);
            } catch {
                this.skip();
            }
            const d = fast("FIFOs", () => detectShinyApp(dir));
            expect(problems(d)[0]).to.deep.equal({ file: "renv.lock", message: "renv.lock is not a regular file" });
            const fifoApp = folder();
            execFileSync("mkfifo", [path.join(fifoApp, "app.R")]);
            expect(problems(fast("a FIFO app.R", () => detectShinyApp(fifoApp)))[0].message).to.equal("app.R is not a regular file");
            const device = folder({ "app.R": APP });
            fs.symlinkSync("/dev/zero", path.join(device, "zero.R"));
            expect(notes(fast("/dev/zero", () => detectShinyApp(device)))).to.contain("zero.R");
        });

        it("reads at most 1 MiB of an R file, and says so", () => {
            const big = `library(shiny)\n${"# filler line of comment text\n".repeat(40_000)}library(afterthecap)\n`;
            expect(big.length).to.be.above(SHINY_SCAN_LIMITS.fileBytes);
            const d = fast("a 1.2 MiB app.R", () => detect({ "app.R": big }));
            expect(names(d)).to.deep.equal(["shiny"]);
            expect(notes(d)).to.contain("only the first 1 MiB of app.R was scanned");
            // a sparse 4 GiB file: read in part, found binary, skipped
            const dir = folder({ "app.R": APP });
            fs.closeSync(fs.openSync(path.join(dir, "huge.R"), "w"));
            fs.truncateSync(path.join(dir, "huge.R"), 4 * 1024 ** 3);
            expect(notes(fast("a 4 GiB sparse R file", () => detectShinyApp(dir)))).to.contain("huge.R is binary");
            const lock = detect({ "app.R": APP, "renv.lock": `{"Packages": {}, "pad": "${"x".repeat(SHINY_SCAN_LIMITS.lockfileBytes)}"}` });
            expect(problems(lock)[0].message).to.equal("renv.lock is larger than 8 MiB, more than deploy from source reads");
            const description = detect({ "app.R": APP, DESCRIPTION: `Imports: shiny\nDescription: ${"x".repeat(SHINY_SCAN_LIMITS.fileBytes)}\n` });
            expect(problems(description)[0]).to.deep.equal({ file: "DESCRIPTION", message: "DESCRIPTION is larger than 1 MiB, more than deploy from source reads" });
        });

        it("caps the bytes read in total, the R files read, the entries listed and the depth searched", () => {
            const many: Record<string, string> = { "app.R": APP };
            for (let i = 0; i < 30; i++) many[`R/f${String(i).padStart(2, "0")}.R`] = `library(pkg${i})\n${"#".repeat(1000)}\n`;
            const bytes = ok(detect(many, undefined, { totalBytes: 10_000 }));
            expect(bytes.files.length).to.be.within(5, 12);
            expect(bytes.notes.join("\n")).to.match(/\d+ R files were not scanned: at most 1000 R files and 10000 bytes are read/);
            const files = ok(detect(many, undefined, { files: 5 }));
            expect(files.files).to.have.length(5);
            expect(files.files).to.include("app.R");
            expect(files.notes.join("\n")).to.contain("26 R files were not scanned: at most 5 R files");
            const entries = ok(detect(many, undefined, { entries: 10 }));
            expect(entries.notes.join("\n")).to.contain("more than 10 files and folders: only the first 10 were looked at");
            const deep = `${Array.from({ length: 15 }, (_, i) => `d${i}`).join("/")}/deep.R`;
            const depth = detect({ "app.R": APP, [deep]: "library(toodeep)\n", "d0/d1/shallow.R": "library(shallow)\n" });
            expect(names(depth)).to.deep.equal(["shallow", "shiny"]);
            expect(notes(depth)).to.contain("folders more than 12 levels down were not searched for R files: d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12");
            const wide: Record<string, string> = { "app.R": APP };
            for (let i = 0; i < 200; i++) wide[`x${i}/a.R`] = `library(p${i}) ; library(q${i}); z${i}::f\n`;
            expect(problems(detect(wide, undefined, { packages: 100 }))[0].message).to.contain("the R files use 601 packages, more than the 100");
            const messages = detect({ "app.R": APP, "renv.lock": JSON.stringify({ Packages: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`p${i}x`, { Version: `v${i}`, Source: "Repository" }])) }) });
            expect(problems(messages)).to.have.length(51);
            expect(problems(messages)[50].message).to.equal("... and 30 more problems");
        });

        it("refuses a binary entry file and skips binary R files", () => {
            const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
            expect(problems(detect({ "app.R": png }))[0]).to.deep.equal({ file: "app.R", message: "app.R is binary (it has NUL bytes), not text; save it as UTF-8 text" });
            const utf16 = Buffer.from("\ufefflibrary(shiny)\n", "utf16le");
            expect(problems(detect({ "app.R": utf16 }))[0].message).to.contain("binary");
            const d = detect({ "app.R": APP, "R/data.R": Buffer.concat([Buffer.from("library(fake)\n"), png]), "R/latin1.R": Buffer.from([0x6c, 0x69, 0x62, 0x72, 0x61, 0x72, 0x79, 0x28, 0x44, 0x54, 0x29, 0x20, 0x23, 0xe9, 0xff, 0x0a]) });
            expect(names(d)).to.deep.equal(["DT", "shiny"]);
            expect(notes(d)).to.contain("R/data.R is binary");
        });

        it("skips files whose names hold control or invisible characters, and escapes them in messages", () => {
            const d = detect({ "app.R": APP, "evil\nname.R": "library(hidden1)", "x\u202eR.txt.R": "library(hidden2)", "ok.R": "library(DT)" });
            expect(names(d)).to.deep.equal(["DT", "shiny"]);
            expect(notes(d)).to.contain("2 files or folders with control or invisible characters in the name were skipped");
            const [p] = problems(detect({ "app.R": "library(shiny)\nlibrary('bad\u001b[2Jname')\n" }));
            expect(p.message).to.contain("\\u001b").and.not.contain("\u001b");
        });

        it("finishes pathological R, DESCRIPTION, renv.lock and entrypoint text in well under a second", () => {
            const size = 200_000;
            const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length));
            const rInputs: Record<string, string> = {
                "library(((((": `library${fill("(")}`,
                "library(library(": fill("library("),
                "a::": fill("a::"),
                "::::": fill(":"),
                "a:::b::": fill("a:::b::"),
                "unclosed string": `library(shiny)\n"${fill("library(x) ")}`,
                "backslashes": `"${fill("\\")}`,
                "quotes and escapes": fill("'\\'\"\\\""),
                "raw strings": fill('r"('),
                "raw strings with dashes": fill(`r"${"-".repeat(32)}(`),
                "raw string with many dashes": `r"${fill("-")}(`,
                "almost-closing raw string": `r"${"-".repeat(32)}(${fill(`)${"-".repeat(31)}"`)}`,
                "percent operators": fill("%"),
                "percent then text": `%${fill("a")}`,
                "backticks": fill("`"),
                "comments": fill("#library(x)\n"),
                "calls without end": fill("library(x, "),
                "named arguments": `library(${fill("character.only = ")}`,
                "nesting": `library(${fill("[{(")}`,
                "identifiers": fill("a"),
                "dots": fill("."),
                "numbers": fill("1e"),
                "lapply": fill("lapply(x, library, "),
                "newlines": fill("\n"),
                "non-ASCII": fill("é::"),
            };
            const timed = (label: string, files: Record<string, string>, overrides?: ShinyOverrides) => {
                const dir = folder(files);
                return fast(label, () => detectShinyApp(dir, overrides));
            };
            for (const [label, text] of Object.entries(rInputs)) timed(label, { "app.R": text });
            const descriptions: Record<string, string> = {
                "open constraints": `Imports: ${fill("a (>= ")}`,
                "commas": `Imports: ${fill("a,")}`,
                "parentheses": `Imports: ${fill("(")}`,
                "continuations": `Imports: a\n${fill(" b,\n")}`,
                "spaces": `Imports: a${fill(" ")}b`,
                "colons": fill(":"),
                "many fields": Array.from({ length: 20_000 }, (_, i) => `F${i}: v`).join("\n"),
            };
            for (const [label, text] of Object.entries(descriptions)) timed(label, { "app.R": APP, DESCRIPTION: text });
            const locks: Record<string, string> = {
                "deep arrays": fill("["),
                "deep objects": fill('{"a":'),
                "backslash string": `{"Packages": {"a": "${fill("\\\\")}"}}`,
                "escaped quotes": `"${fill('\\"')}`,
                "many packages": JSON.stringify({ Packages: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`pkg${i}`, { Version: "1.0", Source: "Repository" }])) }),
            };
            for (const [label, text] of Object.entries(locks)) timed(label, { "app.R": APP, "renv.lock": text });
            timed("entrypoint of slashes", { "app.R": APP }, { entrypoint: fill("/") });
            timed("entrypoint of dots", { "app.R": APP }, { entrypoint: `a${"/.".repeat(99)}` });
        });

        it("never throws, whatever it is given", () => {
            const file = path.join(folder({ "x.txt": "" }), "x.txt");
            expect(problems(detectShinyApp(path.join(os.tmpdir(), "shiny-detect-does-not-exist")))[0].message).to.contain("does not exist");
            expect(problems(detectShinyApp(file))[0].message).to.contain("is not a folder");
            expect(problems(detectShinyApp(undefined as unknown as string))[0].file).to.equal(".");
            expect(problems(detectShinyApp("\u0000"))[0].file).to.equal(".");
            expect(ok(detectShinyApp(folder({ "app.R": APP }), null as unknown as ShinyOverrides)).layout).to.equal("app.R");
            const unreadable = folder({ "app.R": APP, "R/x.R": "library(DT)" });
            fs.chmodSync(path.join(unreadable, "R"), 0);
            try {
                expect(ok(detectShinyApp(unreadable)).layout).to.equal("app.R");
            } finally {
                fs.chmodSync(path.join(unreadable, "R"), 0o755);
            }
        });
    });

    describe("the Shiny examples Debian's r-cran-shiny installs", () => {
        const EXAMPLES = "/usr/lib/R/site-library/shiny/examples";
        const SHINY_EXAMPLES = {
            name: `Debian r-cran-shiny (its example apps in ${EXAMPLES}) and Rscript`,
            files: [path.join(EXAMPLES, "01_hello", "app.R"), "/usr/bin/Rscript"],
            install: "bash scripts/setup-app-tests.sh",
        };

        /**
         * What R's own parser says each example's R files load: SYMBOL_PACKAGE (and strings) before
         * `::`/`:::`, and the first argument of library/require/requireNamespace/loadNamespace.
         */
        const R_ORACLE = `
for (dir in commandArgs(TRUE)) {
  pkgs <- character()
  for (f in list.files(dir, pattern = "[.][Rr]$", recursive = TRUE, full.names = TRUE)) {
    pd <- getParseData(parse(f, keep.source = TRUE))
    pd <- pd[pd$terminal, ]
    pd <- pd[order(pd$line1, pd$col1), ]
    ns <- which(pd$token == "NS_GET" | pd$token == "NS_GET_INT")
    pkgs <- c(pkgs, pd$text[ns - 1])
    for (i in which(pd$token == "SYMBOL_FUNCTION_CALL" & pd$text %in% c("library", "require", "requireNamespace", "loadNamespace"))) {
      if (pd$token[i + 1] == "'('" && pd$token[i + 2] %in% c("SYMBOL", "STR_CONST")) pkgs <- c(pkgs, pd$text[i + 2])
    }
  }
  pkgs <- unique(gsub("^[\\"'\`]|[\\"'\`]$", "", pkgs))
  cat(basename(dir), paste(pkgs, collapse = ","), sep = "\\t")
  cat("\\n")
}`;

        it("detects each example (01_hello ...) with the packages R's parser says it loads", function () {
            requirePrerequisites(this, SHINY_EXAMPLES);
            const dirs = fs.readdirSync(EXAMPLES).filter((d) => /^\d\d_/.test(d)).sort().map((d) => path.join(EXAMPLES, d));
            expect(dirs.length).to.be.at.least(11);
            const script = path.join(folder(), "oracle.R");
            fs.writeFileSync(script, R_ORACLE);
            const oracle = new Map(execFileSync("Rscript", ["--vanilla", script, ...dirs], { encoding: "utf8" }).trim().split("\n").map((l) => {
                const [name, list] = l.split("\t");
                return [name, list ? list.split(",") : []] as const;
            }));
            const base = new Set(["base", "compiler", "datasets", "grDevices", "graphics", "grid", "methods", "parallel", "splines", "stats", "stats4", "tcltk", "tools", "utils"]);
            for (const dir of dirs) {
                const name = path.basename(dir);
                const d = ok(detectShinyApp(dir));
                const expected = [...new Set([...oracle.get(name)!.filter((p) => !base.has(p)), "shiny"])].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
                expect(d.packages.map((p) => p.name), name).to.deep.equal(expected);
                expect(d, name).to.deep.include({ layout: "app.R", appDir: ".", packageSource: "R files" });
                expect(d.files, name).to.deep.equal(["app.R"]);
            }
            // 04_mpg loads datasets, which comes with R
            expect(oracle.get("04_mpg")).to.include("datasets");
        });
    });
});
