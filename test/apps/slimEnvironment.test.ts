/**
 * apps/shared/python/slim_environment.py, the generated Python images' last build step: what it
 * removes and keeps in a virtual environment, that a library strip would break is put back as pip
 * installed it (numpy's real OpenBLAS, from a venv the setup script made), and that it never
 * reaches outside site-packages. The generated apps' native runs (generatedApps.test.ts) show that
 * real apps run in environments it slimmed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { PREREQUISITES, requirePrerequisites } from "../prerequisites";
import { APPS, IMAGE_VENVS_DIR, sitePackagesOf } from "./harness";

const SCRIPT = path.join(APPS, "shared", "python", "slim_environment.py");
const PYTHON = process.env.PYTHON ?? "python3";

/** A directory that looks like a venv: pyvenv.cfg and lib/python3.12/site-packages, with `files` (path: content). */
function fakeVenv(root: string, files: Record<string, string | Buffer>): { venv: string; sp: string } {
    const venv = path.join(root, "venv");
    const sp = path.join(venv, "lib", "python3.12", "site-packages");
    fs.mkdirSync(sp, { recursive: true });
    fs.writeFileSync(path.join(venv, "pyvenv.cfg"), "home = /usr/bin\n");
    for (const [rel, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(sp, rel)), { recursive: true });
        fs.writeFileSync(path.join(sp, rel), content);
    }
    return { venv, sp };
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
    return spawnSync(PYTHON, [SCRIPT, ...args], { encoding: "utf8", env, timeout: 60_000 });
}

/** Every file under `dir` (relative), sorted; links listed, never followed. */
function files(dir: string): string[] {
    const out: string[] = [];
    const walk = (p: string) => {
        for (const e of fs.readdirSync(p, { withFileTypes: true })) {
            const full = path.join(p, e.name);
            if (e.isDirectory()) walk(full);
            else out.push(path.relative(dir, full));
        }
    };
    walk(dir);
    return out.sort();
}

const sha = (f: string) => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");

describe("slim_environment.py: a generated image's environment without what no running app reads", function () {
    this.timeout(120_000);
    let tmp: string;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "slim-env-"));
    });
    afterEach(() => {
        execFileSync("chmod", ["-R", "u+w", tmp]);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("removes numpy's, pandas' and pyarrow's test suites, pyarrow's headers and sources, Cython sources and source maps; keeps everything else", function () {
        requirePrerequisites(this, PREREQUISITES.strip);
        const { venv, sp } = fakeVenv(tmp, {
            "numpy/__init__.py": "",
            "numpy/_core/tests/test_multiarray.py": "x",
            "numpy/linalg/tests/test_linalg.py": "x",
            "numpy/testing/__init__.py": "kept: numpy.testing is imported by apps' own tests and some libraries",
            "pandas/tests/frame/test_api.py": "x",
            "pandas/_testing/__init__.py": "kept",
            "pyarrow/tests/test_table.py": "x",
            "pyarrow/include/arrow/api.h": "x",
            "pyarrow/src/arrow/python/common.cc": "x",
            "pyarrow/lib.pyx": "x",
            "pyarrow/lib.pxd": "x",
            "pyarrow/types.pxi": "x",
            "pyarrow/__init__.py": "kept",
            "pydeck/nbextension/static/index.js": "kept",
            "pydeck/nbextension/static/index.js.map": "x",
            "streamlit/static/static/css/index.css.map": "x",
            "streamlit/static/static/css/index.css": "kept",
            // Another package's tests: not known never to be imported, so kept.
            "mypackage/tests/__init__.py": "kept",
            "mypackage/tests.py": "kept",
            "mypackage/map.py": "kept",
            // A folder named like a suite outside the three packages' trees.
            "tests/conftest.py": "kept",
        });
        const result = run([venv]);
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stdout).to.match(/^slim_environment: [\d.]+ MB less \(test suites and build-only folders [\d.]+ MB, sources and source maps [\d.]+ MB, symbols \(strip\) [\d.]+ MB\)\n$/);
        expect(files(sp)).to.deep.equal([
            "mypackage/map.py",
            "mypackage/tests.py",
            "mypackage/tests/__init__.py",
            "numpy/__init__.py",
            "numpy/testing/__init__.py",
            "pandas/_testing/__init__.py",
            "pyarrow/__init__.py",
            "pydeck/nbextension/static/index.js",
            "streamlit/static/static/css/index.css",
            "tests/conftest.py",
        ]);
        // Running it again finds nothing more (the setup script and a rebuilt layer may run it twice).
        const again = run([venv]);
        expect(again.status, again.stderr).to.equal(0);
        expect(again.stdout).to.contain("slim_environment: 0.0 MB less");
    });

    it("strips an extension module's unneeded symbols, and it still imports and works: rpds and markupsafe as their wheels installed them", function () {
        requirePrerequisites(this, PREREQUISITES.strip, PREREQUISITES.venv("streamlit"));
        // The Streamlit template's venv is not slimmed: its packages are as pip installed them.
        const installed = sitePackagesOf(path.join(APPS, "streamlit", ".venv"))!;
        const { venv, sp } = fakeVenv(tmp, {});
        for (const pkg of ["rpds", "markupsafe"]) fs.cpSync(path.join(installed, pkg), path.join(sp, pkg), { recursive: true });
        const modules = ["rpds", "markupsafe"].map((pkg) => path.join(sp, pkg, fs.readdirSync(path.join(sp, pkg)).find((f) => f.endsWith(".so"))!));
        fs.chmodSync(modules[1], 0o444); // some wheels install read-only files
        const before = modules.map((m) => fs.statSync(m).size);
        const result = run([venv]);
        expect(result.status, result.stderr).to.equal(0);
        modules.forEach((m, i) => expect(fs.statSync(m).size, `${path.basename(m)} smaller once stripped`).to.be.below(before[i]));
        expect(fs.statSync(modules[1]).mode & 0o777, "mode as installed").to.equal(0o444);
        const use = "import rpds, markupsafe; print(rpds.HashTrieMap({'a': 42})['a'], markupsafe._speedups._escape_inner('<b>'))";
        const out = execFileSync(PYTHON, ["-c", use], { encoding: "utf8", env: { ...process.env, PYTHONPATH: sp } });
        expect(out.trim()).to.equal("42 &lt;b&gt;");
    });

    it("puts back, as pip installed it, a library that would not load stripped: numpy's OpenBLAS, which auditwheel's patchelf edited", function () {
        requirePrerequisites(this, PREREQUISITES.strip, PREREQUISITES.fixtureVenv("streamlit-hello"));
        // numpy.libs as the wheel installs it (the setup script's venv kept it so: this very rule).
        const installed = path.join(sitePackagesOf(path.join(IMAGE_VENVS_DIR, "streamlit-hello"))!, "numpy.libs");
        const { venv, sp } = fakeVenv(tmp, {});
        fs.cpSync(installed, path.join(sp, "numpy.libs"), { recursive: true });
        const openblas = fs.readdirSync(path.join(sp, "numpy.libs")).find((f) => f.startsWith("libscipy_openblas"));
        expect(openblas, "numpy.libs holds OpenBLAS").to.be.a("string");
        const lib = path.join(sp, "numpy.libs", openblas!);
        // The hazard is real: stripped, this file does not load.
        const probe = path.join(tmp, "probe");
        fs.cpSync(path.join(sp, "numpy.libs"), probe, { recursive: true });
        execFileSync("strip", ["--strip-unneeded", path.join(probe, openblas!)]);
        const load = (f: string) => spawnSync(PYTHON, ["-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])", f], { encoding: "utf8" });
        expect(load(path.join(probe, openblas!)).stderr).to.match(/not page-aligned|cannot|error/i);
        expect(load(lib).status, "as installed, it loads").to.equal(0);

        const want = sha(lib);
        const result = run([venv]);
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stderr).to.contain(`kept as installed: ${lib}: does not load once stripped`);
        expect(sha(lib), "byte for byte as installed").to.equal(want);
        expect(load(lib).status).to.equal(0);
    });

    it("never follows a link out of site-packages, and never removes outside it", function () {
        requirePrerequisites(this, PREREQUISITES.strip);
        const outside = path.join(tmp, "outside");
        fs.mkdirSync(path.join(outside, "tests"), { recursive: true });
        fs.writeFileSync(path.join(outside, "tests", "test_x.py"), "x");
        fs.writeFileSync(path.join(outside, "app.js.map"), "x");
        fs.writeFileSync(path.join(outside, "lib.pyx"), "x");
        const { venv, sp } = fakeVenv(tmp, { "numpy/__init__.py": "" });
        // A linked package, a linked suite inside a package, a linked map: all point outside.
        fs.symlinkSync(outside, path.join(sp, "pandas"));
        fs.symlinkSync(path.join(outside, "tests"), path.join(sp, "numpy", "tests"));
        fs.symlinkSync(path.join(outside, "app.js.map"), path.join(sp, "numpy", "linked.js.map"));
        // A map and a test suite beside the venv (lib/, bin/): not site-packages.
        fs.mkdirSync(path.join(venv, "share", "pandas", "tests"), { recursive: true });
        fs.writeFileSync(path.join(venv, "share", "pandas", "tests", "t.py"), "x");
        fs.writeFileSync(path.join(venv, "share", "x.js.map"), "x");
        const before = files(outside);
        const result = run([venv]);
        expect(result.status, result.stderr).to.equal(0);
        expect(files(outside)).to.deep.equal(before);
        expect(fs.existsSync(path.join(venv, "share", "pandas", "tests", "t.py"))).to.equal(true);
        expect(fs.existsSync(path.join(venv, "share", "x.js.map"))).to.equal(true);
    });

    it("refuses what is not a venv, and a machine without strip, with exit 1 and a reason; wrong usage with 2", function () {
        requirePrerequisites(this, PREREQUISITES.strip);
        const notVenv = path.join(tmp, "not-a-venv");
        fs.mkdirSync(path.join(notVenv, "lib", "python3.12", "site-packages", "pandas", "tests"), { recursive: true });
        const refused = run([notVenv]);
        expect(refused.status).to.equal(1);
        expect(refused.stderr).to.equal(`slim_environment: ${notVenv} is not a virtual environment (no pyvenv.cfg)\n`);
        expect(fs.existsSync(path.join(notVenv, "lib", "python3.12", "site-packages", "pandas", "tests")), "nothing removed").to.equal(true);

        const { venv } = fakeVenv(tmp, { "pandas/tests/t.py": "x" });
        // PATH without strip (Python found by its absolute path).
        const python = execFileSync(PYTHON, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
        const noStrip = spawnSync(python, [SCRIPT, venv], { encoding: "utf8", env: { ...process.env, PATH: tmp } });
        expect(noStrip.status).to.equal(1);
        expect(noStrip.stderr).to.equal("slim_environment: strip is missing (Debian: apt-get install binutils)\n");

        for (const args of [[], [venv, venv]]) {
            const wrong = run(args);
            expect(wrong.status).to.equal(2);
            expect(wrong.stderr).to.equal("usage: python slim_environment.py <virtual environment>\n");
        }
    });
});
