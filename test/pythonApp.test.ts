import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    DEFAULT_PYTHON, PYTHON_APP_LIMITS, PythonAppFound, PythonAppProblems, PythonDetection, PythonFramework, detectPythonApp,
} from "../components/pythonApp";
import { Prerequisite, SETUP_COMMAND, requirePrerequisites } from "./prerequisites";

const FIXTURES = path.join(__dirname, "fixtures", "python-apps");

let tmp: string;
/** The app folder of a test (a fresh one under tmp), and `outside`: a folder beside it holding a secret. */
let folder: string;
let outside: string;

beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "python-app-"));
    folder = path.join(tmp, "app");
    outside = path.join(tmp, "outside");
    fs.mkdirSync(folder);
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, "secret.txt"), "dash==9.9.9\nstreamlit==9.9.9\nflask==9.9.9\n");
    fs.writeFileSync(path.join(outside, "app.py"), "from flask import Flask\napp = Flask(__name__)\n");
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Empties the app folder. */
function reset(): void {
    fs.rmSync(folder, { recursive: true, force: true });
    fs.mkdirSync(folder);
}

/** Writes files into the app folder (folders made as needed). */
function write(files: Record<string, string | Buffer>): string {
    for (const [rel, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
        fs.writeFileSync(path.join(folder, rel), content);
    }
    return folder;
}

function found(d: PythonDetection): PythonAppFound {
    if (!d.ok) expect.fail(`expected a detection, got problems: ${JSON.stringify(d.problems, null, 1)}`);
    return d;
}

function refused(d: PythonDetection): PythonAppProblems {
    if (d.ok) expect.fail(`expected problems, got ${JSON.stringify(d, null, 1)}`);
    return d;
}

/** The problems' text, one `file: message` a line. */
function problemText(d: PythonDetection): string {
    return refused(d).problems.map((p) => `${p.file}: ${p.message}`).join("\n");
}

const DASH_APP = "from dash import Dash, html\n\napp = Dash(__name__)\nserver = app.server\napp.layout = html.Div('hi')\n";
const FLASK_APP = "from flask import Flask\n\napp = Flask(__name__)\n";
const STREAMLIT_APP = "import streamlit as st\n\nst.title('hi')\n";
const APP_FOR: Record<PythonFramework, Record<string, string>> = {
    dash: { "app.py": DASH_APP },
    flask: { "app.py": FLASK_APP },
    streamlit: { "streamlit_app.py": STREAMLIT_APP },
};

/** A fresh app folder holding `files` and the symlinks `links` (name → target). */
function prepare(files: Record<string, string | Buffer>, links: Record<string, string> = {}): void {
    reset();
    write(files);
    for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(folder, name));
}

/** A fresh app folder holding `files` and the symlinks `links`, detected as `framework`. */
function detectIn(files: Record<string, string | Buffer>, framework: PythonFramework, entrypoint?: unknown, links: Record<string, string> = {}): PythonDetection {
    prepare(files, links);
    return detectPythonApp(folder, framework, entrypoint === undefined ? {} : { entrypoint: entrypoint as string });
}

/** An app of `framework` with `requirements` as its requirements.txt, detected. */
function withRequirements(requirements: string | Buffer, framework: PythonFramework = "dash", extra: Record<string, string | Buffer> = {}): PythonDetection {
    return detectIn({ ...APP_FOR[framework], "requirements.txt": requirements, ...extra }, framework);
}

/**
 * A fresh app folder holding `files` (an app of `framework` with requirements.txt unless given),
 * detected: in well under a second of CPU time (the detection alone; other processes on the machine
 * do not count), every message of a bounded length.
 */
function quick(files: Record<string, string | Buffer>, framework: PythonFramework = "flask", ms = 500): PythonDetection {
    prepare({ ...APP_FOR[framework], "requirements.txt": `${framework}==1.0\n`, ...files });
    const started = process.cpuUsage();
    const result = detectPythonApp(folder, framework);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000, `CPU milliseconds for ${JSON.stringify(result).slice(0, 200)}`).to.be.below(ms);
    const messages = [...result.notes, ...(result.ok ? [] : result.problems.map((p) => `${p.file}: ${p.message}`))];
    expect(messages.filter((m) => m.length > 1200), "messages longer than 1200 characters").to.deep.equal([]);
    return result;
}

describe("Python app detection (deploy from source)", () => {
    describe("packages from requirements.txt", () => {
        it("lists requirements with PEP 503 names, the line as written, and whether each is pinned", () => {
            const d = found(withRequirements("Dash==4.4.1\nPyYAML>=6\nzope.interface===7.0\nruamel_yaml.clib\nrequests==2.*\n"));
            expect(d.packageSource).to.equal("requirements.txt");
            expect(d.requirementFiles).to.deep.equal(["requirements.txt"]);
            expect(d.requirements.map((r) => [r.name, r.line, r.pinned])).to.deep.equal([
                ["dash", "Dash==4.4.1", true],
                ["pyyaml", "PyYAML>=6", false],
                ["zope-interface", "zope.interface===7.0", true],
                ["ruamel-yaml-clib", "ruamel_yaml.clib", false],
                ["requests", "requests==2.*", false],
            ]);
            expect(d.notes.join("\n")).to.contain("not pinned to one version: pyyaml, ruamel-yaml-clib, requests; the package snapshot's day decides their versions");
        });

        it("reads comments, blank lines, CRLF, a BOM, continuations, extras, markers and hash options as pip does", () => {
            const text = "\ufeff# top comment\r\n\r\ndash==4.4.1  # the framework\r\n" +
                "pandas[excel, performance]==2.2.3 ; python_version >= \"3.10\"\r\n" +
                "numpy==2.1.0 \\\r\n    --hash=sha256:aaaa \\\r\n    --hash=sha256:bbbb\r\n" +
                "colorama==0.4.6; sys_platform == 'win32'\r\n" +
                "tzdata \\\n# a comment line ends the continuation\nrich==13.9.4\n   \t\n";
            const d = found(withRequirements(text));
            expect(d.requirements.map((r) => r.name)).to.deep.equal(["dash", "pandas", "numpy", "colorama", "tzdata", "rich"]);
            expect(d.requirements[1]).to.deep.include({ line: "pandas[excel, performance]==2.2.3 ; python_version >= \"3.10\"", pinned: true, marker: "python_version >= \"3.10\"" });
            expect(d.requirements[2]).to.deep.include({ line: "numpy==2.1.0", pinned: true });
            expect(d.requirements[3].marker).to.equal("sys_platform == 'win32'");
            expect(d.requirements[4]).to.deep.include({ line: "tzdata", pinned: false });
        });

        it("reads a UTF-16 requirements.txt with its BOM (what Windows PowerShell's `pip freeze >` writes)", () => {
            const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("dash==4.4.1\r\nplotly==5.24.1\r\n", "utf16le")]);
            expect(found(withRequirements(utf16)).requirements.map((r) => r.name)).to.deep.equal(["dash", "plotly"]);
            const be = Buffer.from("dash==4.4.1\n", "utf16le").swap16();
            expect(found(withRequirements(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).requirements[0].name).to.equal("dash");
        });

        it("follows -r and -c inside the folder, relative to the including file, reading a file included twice once", () => {
            const d = found(withRequirements("-r requirements/base.txt\n--requirement=requirements/extra.txt\n-c constraints.txt\npandas\n", "dash", {
                "requirements/base.txt": "dash==4.4.1\n-r common.txt\n",
                "requirements/extra.txt": "-r ./common.txt\nrequests>=2\n",
                "requirements/common.txt": "plotly==5.24.1\n",
                "constraints.txt": "pandas==2.2.3\nrequests==2.32.3\n",
            }));
            expect(d.requirementFiles).to.deep.equal(["requirements.txt", "requirements/base.txt", "requirements/common.txt", "requirements/extra.txt", "constraints.txt"]);
            expect(d.requirements.map((r) => `${r.file}: ${r.name} ${r.pinned}`)).to.deep.equal([
                "requirements/base.txt: dash true",
                "requirements/common.txt: plotly true",
                "requirements/extra.txt: requests true",
                "requirements.txt: pandas true",
            ]);
            expect(d.notes.join("\n")).not.to.contain("not pinned");
        });

        it("refuses -r circles, includes nested past the cap, and includes that leave the folder", () => {
            expect(problemText(withRequirements("dash==4.4.1\n-r a.txt\n", "dash", { "a.txt": "-r b.txt\n", "b.txt": "-r ./a.txt\n" })))
                .to.contain("b.txt: line 1: -r `a.txt` makes a circle (a.txt → b.txt → a.txt)");
            expect(problemText(withRequirements("dash==4.4.1\n-r requirements.txt\n"))).to.contain("makes a circle (requirements.txt → requirements.txt)");
            expect(problemText(withRequirements("dash==4.4.1\n-r Base.txt\n", "dash", { "base.txt": "plotly==5.24.1\n" }))).to.match(/-r `Base.txt` (does not exist under that name|does not exist)/);
            expect(problemText(withRequirements("dash==4.4.1\n-r missing.txt\n"))).to.contain("-r `missing.txt` does not exist");
            const chain: Record<string, string> = {};
            for (let i = 1; i <= 8; i++) chain[`r${i}.txt`] = `-r r${i + 1}.txt\n`;
            chain["r9.txt"] = "flask==3.1.3\n";
            expect(problemText(withRequirements("dash==4.4.1\n-r r1.txt\n", "dash", chain))).to.contain(`nests requirements files more than ${PYTHON_APP_LIMITS.includeDepth} deep`);
            for (const out of ["../outside/secret.txt", "sub/../../outside/secret.txt", "/etc/passwd", "~/x.txt", "C:\\x.txt", "https://example.com/r.txt", "file:///etc/passwd"]) {
                const text = problemText(withRequirements(`dash==4.4.1\n-r ${out}\n`));
                expect(text, out).to.match(/outside the app folder|an address or drive/);
                expect(text, out).not.to.contain("9.9.9");
            }
        });

        it("refuses what cannot be built repeatably or safely from PyPI, saying why", () => {
            const cases: [string, RegExp][] = [
                ["-e .", /-e installs an editable package/],
                ["--editable git+https://github.com/a/b#egg=b", /--editable installs an editable package/],
                ["-i https://pypi.example.com/simple", /another package index; the generated image installs from PyPI only, so a private index .* needs a Dockerfile of your own/],
                ["--index-url https://pypi.example.com/simple", /needs a Dockerfile of your own/],
                ["--extra-index-url=https://token@pypi.example.com/simple", /adds another package index/],
                ["--trusted-host pypi.example.com", /turns off HTTPS certificate checks/],
                ["--no-index", /turns PyPI off/],
                ["--find-links ./wheels", /outside PyPI/],
                ["-f https://example.com/wheels", /outside PyPI/],
                ["./libs/mylib", /is a local path/],
                ["../mylib", /is a local path/],
                ["/opt/mylib", /is a local path/],
                ["libs/mylib-1.0-py3-none-any.whl", /is a local path/],
                ["mylib-1.0.tar.gz", /is a local path/],
                ["file:///opt/mylib", /is a local path/],
                ["mylib @ file:///opt/mylib", /is a local path/],
                ["git+https://github.com/a/b.git@main#egg=b", /version-control repository, which needs git/],
                ["b @ git+https://github.com/a/b.git@v1.0", /version-control repository/],
                ["b @ https://example.com/b-1.0-py3-none-any.whl", /can change between builds: add the file's hash/],
                ["b @ http://example.com/b-1.0-py3-none-any.whl#sha256=" + "a".repeat(64), /plain http/],
                ["https://example.com/b-1.0-py3-none-any.whl", /address with no package name/],
                ["b==1.0 --global-option=--x", /is not an option the generated image supports on a requirement/],
                ["--no-such-option", /is not a requirements file option/],
                ["private==1.0 @ https://${TOKEN}@example.com/x", /environment variable/],
                ["dash=4.4", /cannot read `=4.4` as a version/],
                ["[dash]", /does not start with a package name/],
                ["dash[extra", /unclosed \[extras\]/],
                ["dash ;", /empty environment marker/],
            ];
            for (const [line, why] of cases) {
                expect(problemText(withRequirements(`dash==4.4.1\n${line}\n`)), line).to.match(why);
            }
        });

        it("keeps harmless pip options, and a direct https reference with a hash (pip checks it: the same file every build)", () => {
            const hash = "0123456789abcdef".repeat(4);
            const d = found(withRequirements(`--require-hashes\n--prefer-binary\n--only-binary=:all:\n--pre\ndash==4.4.1 --hash=sha256:${hash}\n` +
                `mylib @ https://example.com/mylib-1.0-py3-none-any.whl#sha256=${hash}\nother @ https://example.com/o.whl --hash=sha256:${hash}\n`));
            expect(d.requirements.map((r) => [r.name, r.pinned])).to.deep.equal([["dash", true], ["mylib", true], ["other", true]]);
            expect(d.requirements[1].line, "a # in a URL is no comment").to.equal(`mylib @ https://example.com/mylib-1.0-py3-none-any.whl#sha256=${hash}`);
        });

        it("needs the framework's own package: flask for Flask, even when dash brings it in", () => {
            expect(problemText(withRequirements("plotly==5.24.1\n"))).to.equal("requirements.txt: does not list dash: add a line `dash==<version>` (the version you run: `pip show dash`)");
            expect(problemText(withRequirements("dash==4.4.1\n", "flask"))).to.contain("requirements.txt: does not list flask (dash brings Flask in, but the app imports flask itself: list it too)");
            expect(problemText(withRequirements("", "streamlit"))).to.contain("requirements.txt: does not list streamlit");
            expect(found(withRequirements("Flask==3.1.3\n", "flask")).requirements[0].name).to.equal("flask");
        });

        it("caps the problems it reports", () => {
            const d = refused(withRequirements(`dash==4.4.1\n${"-e .\n".repeat(100)}`));
            expect(d.problems).to.have.length(PYTHON_APP_LIMITS.problems);
            expect(d.problems[PYTHON_APP_LIMITS.problems - 1].message).to.equal(`and ${100 - PYTHON_APP_LIMITS.problems + 1} more problems (only the first ${PYTHON_APP_LIMITS.problems - 1} are listed)`);
        });
    });

    describe("packages from pyproject.toml", () => {
        const pyproject = (toml: string, extra: Record<string, string> = {}) => detectIn({ "app.py": DASH_APP, "pyproject.toml": toml, ...extra }, "dash");

        it("reads [project].dependencies (and requires-python) with smol-toml", () => {
            const d = found(pyproject('[project]\nname = "x"\nrequires-python = ">=3.10"\ndependencies = ["Dash==4.4.1", "pandas>=2; python_version >= \'3.10\'"]\n'));
            expect(d.packageSource).to.equal("pyproject.toml");
            expect(d.requirementFiles).to.deep.equal(["pyproject.toml"]);
            expect(d.requirements).to.deep.equal([
                { name: "dash", line: "Dash==4.4.1", pinned: true, file: "pyproject.toml" },
                { name: "pandas", line: "pandas>=2; python_version >= '3.10'", pinned: false, file: "pyproject.toml", marker: "python_version >= '3.10'" },
            ]);
            expect(d.pythonVersion).to.equal(DEFAULT_PYTHON);
        });

        it("refuses dependencies of the wrong shape, naming what it is", () => {
            for (const [value, what] of [['"dash"', "a string"], ["3", "a number"], ['{ dash = "4.4.1" }', "a table"], ['["dash==4.4.1", 3]', "a list (item 2 is a number)"], ["2024-01-01", "a date"]]) {
                expect(problemText(pyproject(`[project]\ndependencies = ${value}\n`)), value).to.equal(`pyproject.toml: [project].dependencies must be a list of strings such as ["dash==1.2.3"], not ${what}`);
            }
            expect(problemText(pyproject('project = "dash"\n'))).to.contain("[project] must be a table, not a string");
            expect(problemText(pyproject('[project]\ndependencies = ["git+https://github.com/a/b"]\n'))).to.contain("item 1, `git+https://github.com/a/b`: installs from a version-control repository");
        });

        it("takes only own keys: __proto__ in the TOML is data, never a dependency list or a prototype", () => {
            for (const toml of ['[project]\n__proto__ = { dependencies = ["dash==4.4.1"] }\n', '[__proto__]\ndependencies = ["dash==4.4.1"]\npolluted = 1\n',
                '[project]\nname = "x"\n[project.__proto__]\ndependencies = ["dash==4.4.1"]\n', '"__proto__".project.dependencies = ["dash==4.4.1"]\n']) {
                expect(problemText(pyproject(toml)), toml).to.contain(".: has no requirements.txt");
                expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
                expect(({} as Record<string, unknown>).dependencies).to.equal(undefined);
            }
        });

        it("refuses TOML that does not parse, or nests without end, with where", () => {
            expect(problemText(pyproject("[project\n"))).to.match(/^pyproject.toml: is not valid TOML at line 1 \(.*\): fix it, or remove it/);
            expect(problemText(quick({ "pyproject.toml": `a = ${"[".repeat(200_000)}` }, "dash"))).to.contain("is not valid TOML");
            expect(problemText(quick({ "pyproject.toml": `a = ${"{b=".repeat(100_000)}` }, "dash"))).to.contain("is not valid TOML");
        });

        it("uses requirements.txt when it lists all of pyproject.toml's packages (a lock written from it), and asks to keep one otherwise", () => {
            const both = found(pyproject('[project]\ndependencies = ["dash>=4", "Plotly"]\n', { "requirements.txt": "dash==4.4.1\nplotly==5.24.1\nnarwhals==1.0\n" }));
            expect(both.packageSource).to.equal("requirements.txt");
            expect(both.notes.join("\n")).to.contain("requirements.txt lists every package of pyproject.toml's [project].dependencies");
            expect(problemText(pyproject('[project]\ndependencies = ["dash>=4", "pandas"]\n', { "requirements.txt": "dash==4.4.1\n" })))
                .to.equal(".: two package lists: requirements.txt and pyproject.toml's [project].dependencies, and requirements.txt lacks pandas. " +
                    "Keep one (delete requirements.txt, or empty [project].dependencies), or write requirements.txt from pyproject.toml (e.g. `pip-compile pyproject.toml -o requirements.txt`, which also pins every version)");
            // an empty list is no second source
            expect(found(pyproject("[project]\ndependencies = []\n", { "requirements.txt": "dash==4.4.1\n" })).packageSource).to.equal("requirements.txt");
            expect(problemText(pyproject("[project]\ndependencies = []\n"))).to.contain("pyproject.toml: [project].dependencies does not list dash");
        });

        it("calls Poetry, Pipenv, conda and setup.py an unknown package source, naming the file and what to add", () => {
            expect(problemText(pyproject('[tool.poetry.dependencies]\npython = "^3.11"\ndash = "^4.4"\n', { "poetry.lock": "" })))
                .to.equal("pyproject.toml: an unknown package source: [tool.poetry.dependencies] (Poetry); the generated image installs from requirements.txt (or pyproject.toml's [project].dependencies): " +
                    "add requirements.txt (`poetry export -f requirements.txt -o requirements.txt` writes it), or list the packages in [project].dependencies");
            expect(problemText(pyproject('[project]\nname = "x"\ndynamic = ["dependencies"]\n'))).to.contain("[project].dynamic makes the dependencies come from the build backend");
            for (const [file, hint] of [["Pipfile", "pipenv requirements > requirements.txt"], ["environment.yml", "list the packages from PyPI in it"], ["setup.py", "install_requires"]]) {
                const text = problemText(detectIn({ "app.py": DASH_APP, [file]: "x" }, "dash"));
                expect(text, file).to.contain(`${file}: an unknown package source`);
                expect(text, file).to.contain("add requirements.txt");
                expect(text, file).to.contain(hint);
            }
        });

        it("asks for requirements.txt when there is no package list at all", () => {
            write({ "app.py": DASH_APP });
            expect(problemText(detectPythonApp(folder, "dash"))).to.equal(".: has no requirements.txt: add requirements.txt listing the packages the app imports with exact versions, e.g. `dash==<version>` (`pip freeze` shows the versions you run)");
        });
    });

    describe("Python version", () => {
        const version = (requiresPython: string | undefined, pythonVersionFile?: string) => detectIn({
            "app.py": DASH_APP, "requirements.txt": "dash==4.4.1\n",
            ...(requiresPython !== undefined ? { "pyproject.toml": `[project]\nname = "x"\nrequires-python = ${requiresPython}\n` } : {}),
            ...(pythonVersionFile !== undefined ? { ".python-version": pythonVersionFile } : {}),
        }, "dash");

        it("takes the default when requires-python allows it, else the allowed version nearest it", () => {
            expect(found(version(undefined)).pythonVersion).to.equal(undefined);
            const cases: [string, string][] = [['">=3.10"', "3.12"], ['">=3.13"', "3.13"], ['"<3.12"', "3.11"], ['"==3.11.*"', "3.11"], ['"~=3.10"', "3.12"],
                ['">=3.9,<3.11"', "3.10"], ['"==3.14.2"', "3.14"], ['">3.12"', "3.12"], ['"!=3.12.*,>=3.11"', "3.13"], ['"~=3.13.1"', "3.13"]];
            for (const [range, expected] of cases) expect(found(version(range)).pythonVersion, range).to.equal(expected);
            expect(found(version('">=3.13"')).notes.join("\n")).to.contain("Python 3.13: pyproject.toml's requires-python `>=3.13` allows 3.13, 3.14 (not 3.12, the default)");
        });

        it("refuses a requires-python it cannot read or that allows no image's Python", () => {
            expect(problemText(version('"<3.9"'))).to.contain("allows none of 3.10, 3.11, 3.12, 3.13, 3.14: allow one of them");
            expect(problemText(version('"banana"'))).to.contain("[project].requires-python `banana` is not a version range");
            expect(problemText(version("3.12"))).to.contain("[project].requires-python is a number, which is not a version range");
            expect(problemText(quick({ "pyproject.toml": `[project]\nrequires-python = "${">=3.1,".repeat(50_000)}"\n` }, "dash"))).to.contain("is not a version range");
        });

        it("reads .python-version (a release gives its minor version) and checks it against requires-python", () => {
            const d = found(version(undefined, "3.11.9\n"));
            expect(d.pythonVersion).to.equal("3.11");
            expect(d.notes.join("\n")).to.contain("Python 3.11 from .python-version (its release 3.11.9 is the image's to choose)");
            expect(found(version('">=3.10"', "# pyenv\n3.13\n")).pythonVersion).to.equal("3.13");
            expect(problemText(version('">=3.12"', "3.11"))).to.equal(".python-version: says 3.11, which pyproject.toml's requires-python `>=3.12` does not allow: change one of them");
            for (const bad of ["system", "pypy3.10", "3", "3.8", "3.12-dev", ""]) {
                expect(problemText(version(undefined, bad)), bad).to.contain(".python-version: says");
            }
        });
    });

    describe("entry point: Streamlit", () => {
        const streamlit = (files: Record<string, string>, entrypoint?: string, links?: Record<string, string>) =>
            detectIn({ "requirements.txt": "streamlit==1.40.0\n", ...files }, "streamlit", entrypoint, links);

        it("finds the one usual script that imports streamlit", () => {
            for (const name of ["streamlit_app.py", "app.py", "main.py", "Home.py", "home.py"]) {
                expect(found(streamlit({ [name]: STREAMLIT_APP })).entry, name).to.deep.equal({ kind: "script", file: name });
            }
            const d = found(streamlit({ "app.py": "from streamlit import title\ntitle('x')\n", "main.py": "import pandas\n", "helpers.py": STREAMLIT_APP }));
            expect(d.entry).to.deep.equal({ kind: "script", file: "app.py" });
            expect(d.notes.join("\n")).to.contain("entry point app.py: the one of streamlit_app.py, app.py, main.py, Home.py, home.py that imports streamlit (main.py does not)");
        });

        it("does not count an import in a comment, a string or an indented block", () => {
            const text = problemText(streamlit({ "app.py": "# import streamlit\n'''\nimport streamlit\n'''\nx = \"import streamlit\"\nif True:\n    import streamlit\n" }));
            expect(text).to.equal("app.py: does not import streamlit at its top level, and neither does any of streamlit_app.py, app.py, main.py, Home.py, home.py: set entrypoint to the app's main script");
        });

        it("asks for entrypoint when two scripts import streamlit, or there is none", () => {
            expect(problemText(streamlit({ "app.py": STREAMLIT_APP, "streamlit_app.py": STREAMLIT_APP })))
                .to.equal(".: two candidates: streamlit_app.py, app.py each import streamlit: set entrypoint to the one `streamlit run` starts");
            expect(problemText(streamlit({ "dashboard.py": STREAMLIT_APP }))).to.contain(".: has none of streamlit_app.py, app.py, main.py, Home.py, home.py");
        });

        it("takes an entrypoint that is a .py file in the folder, and nothing else", () => {
            expect(found(streamlit({ "pages/overview.py": STREAMLIT_APP, "app.py": STREAMLIT_APP, "main.py": STREAMLIT_APP }, "pages/overview.py")).entry).to.deep.equal({ kind: "script", file: "pages/overview.py" });
            const bad: [string, RegExp][] = [
                ["../outside/app.py", /must be a .py file in the app folder/], ["/etc/passwd", /must be a .py file/], ["app", /must be a .py file/],
                ["./app.py", /must be a .py file/], ["pages//x.py", /must be a .py file/], ["a b.py", /must be a .py file/], ["missing.py", /does not exist/],
                ["linked.py", /is a symlink to somewhere outside the app folder/], ["dir.py", /is not a file/], ["APP.PY", /must be a .py file|does not exist/],
                ["x".repeat(300) + ".py", /longer than 200/], ["", /not a non-empty string/],
            ];
            for (const [entrypoint, why] of bad) {
                expect(problemText(streamlit({ "app.py": STREAMLIT_APP, "dir.py/x": "" }, entrypoint, { "linked.py": path.join(outside, "app.py") })), entrypoint).to.match(why);
            }
            expect(problemText(streamlit({ "app.py": STREAMLIT_APP }, "App.py"))).to.contain("does not exist");
        });
    });

    describe("entry point: Dash", () => {
        const dash = (files: Record<string, string>, entrypoint?: string) => detectIn({ "requirements.txt": "dash==4.4.1\n", ...files }, "dash", entrypoint);

        it("serves the server a module names, else the Dash app's .server", () => {
            const d = found(dash({ "app.py": DASH_APP }));
            expect(d.entry).to.deep.equal({ kind: "wsgi", module: "app", attribute: "server", factory: false });
            expect(d.notes.join("\n")).to.contain("entry point app:server: app.py creates the Dash app (app = Dash(…), line 3) and names its Flask server (server = app.server)");
            expect(found(dash({ "main.py": "import dash\n\napplication = dash.Dash(\n    __name__,\n    title='x',\n)\n" })).entry)
                .to.deep.equal({ kind: "wsgi", module: "main", attribute: "application.server", factory: false });
            expect(found(dash({ "server.py": "from dash import Dash\ndashboard: Dash = Dash(__name__)\nwsgi = dashboard.server\n" })).entry)
                .to.deep.include({ module: "server", attribute: "wsgi" });
        });

        it("serves the module that imports the app (the multi-page index.py layout)", () => {
            const d = found(dash({
                "app.py": "import dash\napp = dash.Dash(__name__, suppress_callback_exceptions=True)\nserver = app.server\n",
                "index.py": "from dash import html\nfrom app import app, server\nfrom apps import page1\napp.layout = html.Div()\n",
                "apps/__init__.py": "", "apps/page1.py": "from app import app\n",
            }));
            expect(d.entry).to.deep.equal({ kind: "wsgi", module: "index", attribute: "server", factory: false });
            expect(d.notes.join("\n")).to.contain("index.py imports the Dash app's server from app.py");
            expect(found(dash({ "app.py": "from dash import Dash\napp = Dash(__name__)\n", "index.py": "from app import app as dash_app\n" })).entry)
                .to.deep.include({ module: "index", attribute: "dash_app.server" });
        });

        it("falls back on a package's __init__.py, app/ first", () => {
            expect(found(dash({ "app/__init__.py": DASH_APP, "other/__init__.py": DASH_APP })).entry).to.deep.include({ module: "app", attribute: "server" });
            expect(found(dash({ "dashboard/__init__.py": "from .make import app, server\n", "dashboard/make.py": DASH_APP })).entry).to.deep.include({ module: "dashboard", attribute: "server" });
            expect(problemText(dash({ "one/__init__.py": DASH_APP, "two/__init__.py": DASH_APP }))).to.contain("two candidates: one/__init__.py (one:server), two/__init__.py (two:server)");
        });

        it("reads only top-level code: not a comment, a string, a function or an if block", () => {
            const text = problemText(dash({
                "app.py": "# app = Dash(__name__)\n\"\"\"\napp = Dash(__name__)\n\"\"\"\ns = 'app = Dash(__name__)'\ndef make():\n    app = Dash(__name__)\n" +
                    "if __name__ == '__main__':\n    app = Dash(__name__)\nx = r'''it''' ; y = f\"{1}\"\n",
            }));
            expect(text).to.equal(".: found no Dash app at a module's top level (read app.py): add app = Dash(__name__) and server = app.server to app.py, or set entrypoint (e.g. dashboard:server)");
        });

        it("asks for entrypoint when two modules each have an app, or one has two", () => {
            expect(problemText(dash({ "app.py": DASH_APP, "main.py": DASH_APP }))).to.equal(".: two candidates: app.py (app:server), main.py (main:server) each have a Dash app: set entrypoint to the one to serve");
            expect(problemText(dash({ "app.py": "from dash import Dash\na = Dash(__name__)\nb = Dash(__name__)\n" }))).to.contain("app.py: has more than one Dash app at its top level (a.server, b.server)");
        });

        it("refuses app.py beside an app/ package, which Python would import instead", () => {
            expect(problemText(dash({ "app.py": DASH_APP, "app/__init__.py": "" }))).to.contain("app.py: is hidden by the package app/ (Python imports app/__init__.py, never app.py): rename one of them");
        });

        it("takes module:attribute, module, file.py and file.py:attribute as entrypoint, strictly", () => {
            const files = { "dashboard.py": DASH_APP, "pkg/wsgi.py": "from dashboard import server\n", "pkg/__init__.py": "" };
            const entry = (e: string) => found(dash(files, e)).entry;
            expect(entry("dashboard:server")).to.deep.equal({ kind: "wsgi", module: "dashboard", attribute: "server", factory: false });
            expect(entry("dashboard:app.server")).to.deep.include({ attribute: "app.server" });
            expect(entry("dashboard")).to.deep.include({ module: "dashboard", attribute: "server" });
            expect(entry("dashboard.py")).to.deep.include({ module: "dashboard", attribute: "server" });
            expect(entry("pkg/wsgi.py")).to.deep.include({ module: "pkg.wsgi", attribute: "server" });
            expect(entry("pkg.wsgi:server")).to.deep.include({ module: "pkg.wsgi" });
            expect(found(dash(files, "dashboard:later")).notes.join("\n")).to.contain("dashboard.py binds no later at its top level that could be read; serving dashboard:later as the entrypoint says");
        });
    });

    describe("entry point: Flask", () => {
        const flask = (files: Record<string, string>, entrypoint?: unknown) => detectIn({ "requirements.txt": "flask==3.1.3\n", ...files }, "flask", entrypoint);

        it("serves a top-level Flask app under its name", () => {
            expect(found(flask({ "app.py": FLASK_APP })).entry).to.deep.equal({ kind: "wsgi", module: "app", attribute: "app", factory: false });
            expect(found(flask({ "server.py": "import flask\nwebsite = flask.Flask(__name__, static_folder='s')\n" })).entry).to.deep.include({ module: "server", attribute: "website" });
            // Flask's own order: an app named app (or application) before any other
            expect(found(flask({ "app.py": "from flask import Flask\nadmin = Flask('admin')\napp = Flask(__name__)\n" })).entry).to.deep.include({ attribute: "app" });
            expect(problemText(flask({ "app.py": "from flask import Flask\nadmin = Flask('admin')\nsite = Flask(__name__)\n" }))).to.contain("has more than one Flask app at its top level (admin, site)");
        });

        it("serves a package's create_app factory (the tutorial's flaskr/__init__.py), or the app wsgi.py makes with it", () => {
            const factory = "import os\nfrom flask import Flask\n\ndef create_app(test_config=None):\n    app = Flask(__name__)\n    return app\n";
            const d = found(flask({ "flaskr/__init__.py": factory }));
            expect(d.entry).to.deep.equal({ kind: "wsgi", module: "flaskr", attribute: "create_app", factory: true });
            expect(d.notes.join("\n")).to.contain("entry point flaskr:create_app (a factory, called with no arguments): flaskr/__init__.py has the application factory create_app() (line 4)");
            expect(found(flask({ "wsgi.py": "from flaskr import create_app\n\napp = create_app()\n", "flaskr/__init__.py": factory })).entry).to.deep.equal({ kind: "wsgi", module: "wsgi", attribute: "app", factory: false });
            // a create_app from a package not in the folder is not known to make a Flask app
            expect(problemText(flask({ "wsgi.py": "from elsewhere import create_app\n\napp = create_app()\n" }))).to.contain("found no Flask app at a module's top level (read wsgi.py)");
            expect(found(flask({ "main.py": "from flask import Flask\n\ndef make_app(*, debug=False, **kw):\n    return Flask(__name__)\n" })).entry).to.deep.include({ attribute: "make_app", factory: true });
        });

        it("refuses a factory that needs arguments", () => {
            expect(problemText(flask({ "app.py": "def create_app(config, *args, name: str = 'x', **kw):\n    pass\n" })))
                .to.contain("app.py: create_app() needs config, but it is called with no arguments: give it a default");
            expect(problemText(flask({ "app.py": "def create_app(*, config):\n    pass\n" }))).to.contain("needs config");
            expect(problemText(flask({ "app.py": "def make(config):\n    pass\n" }, "app:make"))).to.contain("make() (the entrypoint) needs config");
        });

        it("takes a factory as entrypoint by its name (no parentheses), and refuses anything but identifiers and dots", () => {
            const factory = { "app.py": "def create_app(test_config=None):\n    pass\n" };
            expect(found(flask(factory, "app:create_app")).entry).to.deep.equal({ kind: "wsgi", module: "app", attribute: "create_app", factory: true });
            expect(found(flask(factory, "app.py:create_app")).entry).to.deep.include({ factory: true });
            const bad: [unknown, RegExp][] = [
                ["../x.py", /must be module:attribute/], ["/etc/passwd", /must be module:attribute/], ["a:b()", /the attribute is a name \(a factory such as create_app is named without \(\)/],
                ["app:create_app()", /named without/], ["os:system", /names os, but the app folder has no os.py nor os\/__init__.py/], ["app:app:x", /must be module:attribute/],
                ["app:", /the attribute is a name/], ["app;rm -rf /", /must be module:attribute/], ["app:import", /the attribute is a name/], ["class:app", /must be module:attribute/],
                ["app.py/x", /must be module:attribute/], ["__init__.py", /must be module:attribute/], [" app", /must be module:attribute/], ["app\n", /must be module:attribute/],
                ["é:app", /must be module:attribute/], ["a".repeat(201), /longer than 200 characters/], [42, /is a number, which is not a non-empty string/],
            ];
            for (const [entrypoint, why] of bad) {
                const text = problemText(flask({ "app.py": FLASK_APP }, entrypoint));
                expect(text, String(entrypoint)).to.match(why);
                expect(text.length, "never echoes much").to.be.below(600);
            }
        });
    });

    describe("attacks: files anyone with a pull request controls", () => {
        /** Every file the detector opens while `fn` runs. */
        function opened<T>(fn: () => T): { result: T; files: string[] } {
            const real = require("node:fs") as typeof fs;
            const original = real.openSync;
            const files: string[] = [];
            real.openSync = ((p: fs.PathLike, ...rest: unknown[]) => {
                files.push(String(p));
                return (original as (...a: unknown[]) => number)(p, ...rest);
            }) as typeof fs.openSync;
            try {
                return { result: fn(), files };
            } finally {
                real.openSync = original;
            }
        }

        it("never follows a symlink out of the folder, and never opens a file outside it", () => {
            const secret = path.join(outside, "secret.txt");
            fs.symlinkSync(path.join(outside, "app.py"), path.join(folder, "app.py"));
            fs.symlinkSync(secret, path.join(folder, "requirements.txt"));
            fs.symlinkSync(outside, path.join(folder, "pkg"));
            fs.symlinkSync(secret, path.join(folder, "pyproject.toml"));
            fs.symlinkSync(secret, path.join(folder, ".python-version"));
            fs.symlinkSync(path.join(folder, "missing"), path.join(folder, "main.py"));
            const { result, files } = opened(() => detectPythonApp(folder, "flask"));
            const text = problemText(result);
            expect(text).to.contain("requirements.txt: is a symlink to somewhere outside the app folder (the image holds the folder only, and this never follows a link out)");
            expect(text).to.contain("app.py: is a symlink to somewhere outside the app folder");
            expect(text).to.contain("pyproject.toml: is a symlink to somewhere outside");
            expect(text).to.contain("main.py: is a symlink to nothing");
            expect(text).not.to.contain("9.9.9");
            const root = fs.realpathSync(folder);
            expect(files.filter((f) => !f.startsWith(`${root}${path.sep}`))).to.deep.equal([]);
        });

        it("never reads outside through -r, a folder symlink or an entrypoint", () => {
            fs.symlinkSync(outside, path.join(folder, "linked"));
            fs.symlinkSync(path.join(outside, "secret.txt"), path.join(folder, "inner.txt"));
            write({ "app.py": FLASK_APP, "requirements.txt": "flask==3.1.3\n-r linked/secret.txt\n-c inner.txt\n" });
            const { result, files } = opened(() => detectPythonApp(folder, "flask", { entrypoint: "linked/app.py" }));
            const text = problemText(result);
            expect(text).to.contain("requirements.txt: line 2: -r `linked/secret.txt` is a symlink to somewhere outside the app folder");
            expect(text).to.contain("requirements.txt: line 3: -c `inner.txt` is a symlink to somewhere outside");
            expect(text).to.contain("entrypoint `linked/app.py` names linked.app, but the app folder has no linked/app.py nor linked/app/__init__.py");
            const root = fs.realpathSync(folder);
            expect(files.filter((f) => !f.startsWith(`${root}${path.sep}`))).to.deep.equal([]);
            expect(problemText(detectPythonApp(folder, "streamlit", { entrypoint: "linked/app.py" }))).to.contain("is a symlink to somewhere outside the app folder");
        });

        it("follows a symlink that stays inside the folder", () => {
            write({ "src/real_app.py": FLASK_APP, "reqs/base.txt": "flask==3.1.3\n" });
            fs.symlinkSync("src/real_app.py", path.join(folder, "app.py"));
            fs.symlinkSync("reqs/base.txt", path.join(folder, "requirements.txt"));
            expect(found(detectPythonApp(folder, "flask")).entry).to.deep.include({ module: "app", attribute: "app" });
        });

        it("never blocks on a FIFO named like a package file or a module", function () {
            try {
                execFileSync("mkfifo", [path.join(folder, "requirements.txt"), path.join(folder, "app.py"), path.join(folder, "pyproject.toml")]);
            } catch {
                this.skip();
            }
            const started = Date.now();
            const text = problemText(detectPythonApp(folder, "flask"));
            expect(Date.now() - started).to.be.below(500);
            expect(text).to.contain("requirements.txt: is not a regular file");
            expect(text).to.contain("app.py: is not a regular file");
        });

        it("caps bytes per file: a huge package file is refused, a huge module scanned to the cap (and says so)", () => {
            const big = `flask==3.1.3\n${"# padding\n".repeat(600_000)}`;
            expect(problemText(quick({ "requirements.txt": big }))).to.contain(`requirements.txt: is larger than ${PYTHON_APP_LIMITS.fileBytes / 1024} KiB (a cap)`);
            const d = refused(quick({ "app.py": `${"x = 1\n".repeat(1_000_000)}app = Flask(__name__)\n` }));
            expect(d.notes).to.include(`read only the first ${PYTHON_APP_LIMITS.fileBytes / 1024} KiB of app.py`);
            expect(d.problems.map((p) => p.message).join("\n")).to.contain("found no Flask app");
        });

        it("caps the bytes and files read in all, and the entries of a folder", () => {
            const includes: Record<string, string> = {};
            for (let i = 0; i < 12; i++) includes[`r${i}.txt`] = `pkg${i}==1.0\n${"#".repeat(PYTHON_APP_LIMITS.fileBytes - 20)}\n`;
            const many = Object.keys(includes).map((f) => `-r ${f}`).join("\n");
            expect(problemText(quick({ "requirements.txt": `flask==3.1.3\n${many}\n`, ...includes }))).to.contain("was not read: 4 MiB were read already (a cap)");

            const small: Record<string, string> = {};
            for (let i = 0; i < 100; i++) small[`s${i}.txt`] = `p${i}==1\n`;
            const text = problemText(withRequirements(`flask==3.1.3\n${Object.keys(small).map((f) => `-r ${f}`).join("\n")}\n`, "flask", small));
            expect(text).to.contain(`was not read: ${PYTHON_APP_LIMITS.files} files were read already (a cap)`);

            const entries = Object.fromEntries(Array.from({ length: PYTHON_APP_LIMITS.folderEntries + 10 }, (_, i) => [`a${String(i).padStart(5, "0")}.txt`, ""]));
            const d = quick(entries);
            expect(d.notes).to.include(`read only the first ${PYTHON_APP_LIMITS.folderEntries} entries of the app folder`);
        });

        it("refuses binary package files and skips binary modules", () => {
            const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
            expect(problemText(withRequirements(binary, "flask"))).to.contain("requirements.txt: is not text (binary, or not UTF-8)");
            expect(problemText(withRequirements(Buffer.from([0x66, 0x6c, 0x61, 0x73, 0x6b, 0xff, 0xfe, 0x0a]), "flask"))).to.contain("is not text");
            const d = refused(withRequirements("flask==3.1.3\n", "flask", { "app.py": Buffer.concat([Buffer.from(FLASK_APP), Buffer.from([0, 1, 2, 0xff])]) as unknown as string }));
            expect(d.notes).to.include("skipped app.py: it is not text (binary, or not UTF-8)");
            expect(problemText(withRequirements("flask==3.1.3\n", "flask", { "pyproject.toml": binary as unknown as string }))).to.contain("pyproject.toml: is not text");
        });

        it("finishes quickly on input built against its scanners", () => {
            const K = 200_000;
            const sources = [
                "(".repeat(K), "app = Flask(".repeat(K / 12), `app = ${"Flask(".repeat(K / 6)}`, `"""${"a".repeat(K)}`, "'".repeat(K), "\\\n".repeat(K / 2),
                `app = Flask(__name__)${" ".repeat(K)}`, `${"a".repeat(K)} = Flask(__name__)\n`, `from ${"a.".repeat(K / 2)}a import b\n`, `import ${"a, ".repeat(K / 3)}\n`,
                `def create_app(${"a=(".repeat(K / 4)}\n`, `app: ${"[".repeat(K)} = Flask()\n`, "#".repeat(K), `x = ${"'a' ".repeat(K / 4)}\n`, `${"app = Flask(__name__);".repeat(K / 22)}\n`,
            ];
            for (const source of sources) {
                const d = quick({ "app.py": source });
                expect(d, source.slice(0, 20)).to.have.property("ok");
            }
            const lines = [
                "[".repeat(K), `dash${" ".repeat(K)}==1`, `dash==${"1.".repeat(K / 2)}`, `${" ".repeat(K)}#`, `a${"-".repeat(K)}a`, `dash @ https://${"a".repeat(K)}`,
                `dash; ${"(".repeat(K)}`, `-r ${"a/".repeat(K / 2)}x.txt`, `${"\\\n".repeat(K / 2)}dash==1`, `dash[${",".repeat(K)}`, `-${"-".repeat(K)}`, "${".repeat(K / 2),
                `dash ${"--hash=sha256:a ".repeat(K / 16)}`, `${"#".repeat(K)}\n${" #".repeat(K / 2)}`, "-e .\n".repeat(K / 5), "a==1\n".repeat(K / 5), ";".repeat(K),
            ];
            for (const line of lines) quick({ "requirements.txt": `flask==3.1.3\n${line}\n` });
            // modules matched against each other: many imports of many assignments
            const names = Array.from({ length: 12_000 }, (_, i) => `a${i}`);
            quick({ "app.py": names.map((n) => `from other import ${n}\n`).join(""), "other.py": names.map((n) => `${n} = Flask(${n})\n`).join("") });
            const dash = quick({ "index.py": names.map((n) => `from app import ${n}\n`).join(""), "app.py": names.map((n) => `${n} = Dash()\n${n}s = ${n}.server\n`).join("") }, "dash");
            expect(dash.notes.join("\n")).to.contain("kept only its first 1000 top-level imports");
            for (const toml of [`[project]\ndependencies = ["${"a".repeat(K)}"]`, `[project]\nrequires-python = "${">=3,".repeat(K / 4)}"`, `[project]\ndependencies = [${'"a",'.repeat(K / 4)}]`]) {
                quick({ "pyproject.toml": toml });
            }
        });

        it("answers for a folder that is missing, a file, or a framework it does not know", () => {
            expect(problemText(detectPythonApp(path.join(tmp, "none"), "dash"))).to.equal(".: is not a folder");
            expect(problemText(detectPythonApp(path.join(outside, "secret.txt"), "dash"))).to.equal(".: is not a folder");
            expect(problemText(detectPythonApp(folder, "shiny" as PythonFramework))).to.contain("`shiny` is not a Python framework this can generate an image for (dash, streamlit, flask)");
            expect(problemText(detectPythonApp(folder, "dash", null as unknown as { entrypoint?: string }))).to.contain("has no requirements.txt");
        });
    });

    describe("real apps", () => {
        /** Streamlit's hello app, inside the streamlit package of the Streamlit template's venv. */
        function helloApp(): { prerequisite: Prerequisite; folder?: string; version?: string } {
            const lib = path.join(__dirname, "..", "apps", "streamlit", ".venv", "lib");
            const sitePackages = (fs.existsSync(lib) ? fs.readdirSync(lib) : []).filter((d) => d.startsWith("python3")).map((d) => path.join(lib, d, "site-packages"));
            const hello = sitePackages.map((s) => path.join(s, "streamlit", "hello")).find((h) => fs.existsSync(path.join(h, "streamlit_app.py")));
            const dist = hello && fs.readdirSync(path.dirname(path.dirname(hello))).find((d) => /^streamlit-[\d.]+\.dist-info$/.test(d));
            return {
                prerequisite: {
                    name: "Streamlit's hello app (apps/streamlit/.venv/lib/python3.*/site-packages/streamlit/hello)",
                    files: [hello ? path.join(hello, "streamlit_app.py") : path.join(lib, "python3.*", "site-packages", "streamlit", "hello", "streamlit_app.py")],
                    install: SETUP_COMMAND,
                },
                folder: hello,
                version: dist?.slice("streamlit-".length, -".dist-info".length),
            };
        }

        it("finds the entry point of Streamlit's hello app (copied from the installed package, with a requirements.txt pinning streamlit)", function () {
            const hello = helloApp();
            requirePrerequisites(this, hello.prerequisite);
            fs.cpSync(hello.folder!, folder, { recursive: true, filter: (src) => path.basename(src) !== "__pycache__" });
            fs.writeFileSync(path.join(folder, "requirements.txt"), `streamlit==${hello.version}\n`);
            const d = found(detectPythonApp(folder, "streamlit"));
            expect(d.entry).to.deep.equal({ kind: "script", file: "streamlit_app.py" });
            expect(d.requirements).to.deep.equal([{ name: "streamlit", line: `streamlit==${hello.version}`, pinned: true, file: "requirements.txt" }]);
            // its pages import streamlit too, but are not among the usual names
            expect(fs.readFileSync(path.join(folder, "hello.py"), "utf8")).to.contain("import streamlit");
        });

        it("detects the Dash tutorial fixture: app:server, every package pinned", () => {
            const d = found(detectPythonApp(path.join(FIXTURES, "dash-tutorial"), "dash"));
            expect(d.entry).to.deep.equal({ kind: "wsgi", module: "app", attribute: "server", factory: false });
            expect(d.requirementFiles).to.deep.equal(["requirements.txt"]);
            expect(d.requirements.map((r) => r.name)).to.include.members(["dash", "flask", "plotly", "gunicorn"]);
            expect(d.requirements.every((r) => r.pinned)).to.equal(true);
            expect(d.notes.join("\n")).to.contain("entry point app:server: app.py creates the Dash app (app = Dash(…), line 11) and names its Flask server (server = app.server)");
            expect(d.notes.join("\n")).not.to.contain("not pinned");
        });

        it("detects the Flask tutorial fixture: the flaskr package's create_app factory", () => {
            const d = found(detectPythonApp(path.join(FIXTURES, "flask-tutorial"), "flask"));
            expect(d.entry).to.deep.equal({ kind: "wsgi", module: "flaskr", attribute: "create_app", factory: true });
            expect(d.requirements.map((r) => r.name)).to.include.members(["flask", "werkzeug", "jinja2", "gunicorn"]);
            expect(d.requirements.every((r) => r.pinned)).to.equal(true);
            expect(d.pythonVersion).to.equal(undefined);
        });
    });
});
