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

    it("removes the test suites of numpy, pandas, pyarrow and the analysis stack, pyarrow's headers and sources, Cython sources and source maps; keeps everything else", function () {
        requirePrerequisites(this, PREREQUISITES.strip);
        const { venv, sp } = fakeVenv(tmp, {
            "numpy/__init__.py": "",
            "numpy/_core/tests/test_multiarray.py": "x",
            "numpy/linalg/tests/test_linalg.py": "x",
            "numpy/testing/__init__.py": "kept: numpy.testing is imported by apps' own tests and some libraries",
            "pandas/tests/frame/test_api.py": "x",
            "pandas/_testing/__init__.py": "kept",
            "pyarrow/tests/test_table.py": "x",
            "scipy/special/tests/data/boost.npz": "x",
            "scipy/_lib/_testutils.py": "kept: scipy's own test helpers, imported by scipy.test",
            "sklearn/linear_model/tests/test_base.py": "x",
            "statsmodels/regression/tests/results/results_regression.py": "x",
            "matplotlib/tests/baseline_images/test_axes/a.png": "x",
            "matplotlib/testing/__init__.py": "kept",
            "mpl_toolkits/mplot3d/tests/test_axes3d.py": "x",
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
            // A folder named like a suite outside those packages' trees.
            "tests/conftest.py": "kept",
        });
        const result = run([venv]);
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stdout).to.match(/^slim_environment: [\d.]+ MB less \(test suites and build-only folders [\d.]+ MB, sources and source maps [\d.]+ MB, symbols \(strip\) [\d.]+ MB\)\n$/);
        expect(files(sp)).to.deep.equal([
            "matplotlib/testing/__init__.py",
            "mypackage/map.py",
            "mypackage/tests.py",
            "mypackage/tests/__init__.py",
            "numpy/__init__.py",
            "numpy/testing/__init__.py",
            "pandas/_testing/__init__.py",
            "pyarrow/__init__.py",
            "pydeck/nbextension/static/index.js",
            "scipy/_lib/_testutils.py",
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

    it("leaves the analysis stack (scipy, scikit-learn, statsmodels, matplotlib) without its test suites, every module importing as before, and computing", function () {
        this.timeout(300_000);
        requirePrerequisites(this, PREREQUISITES.fixtureVenv("science"));
        const venv = path.join(IMAGE_VENVS_DIR, "science");
        const sp = sitePackagesOf(venv)!;
        const packages = ["scipy", "sklearn", "statsmodels", "matplotlib", "mpl_toolkits"];
        const suites = packages.flatMap((p) => execFileSync("find", [path.join(sp, p), "-type", "d", "-name", "tests"], { encoding: "utf8" }).split("\n").filter(Boolean));
        expect(suites, "test suites left").to.deep.equal([]);
        // Every module but the test helpers, imported; a failure passes only for what is not installed
        // (GUI toolkits, torch, pytest), never for a module of the slimmed packages themselves.
        const importAll = [
            "import importlib, importlib.util, json, pkgutil, sys, warnings",
            "warnings.filterwarnings('ignore')",
            "import matplotlib; matplotlib.use('Agg')",
            "SKIP = ('.tests', '._precompute', 'conftest', '.testing', '._testing', '_testutils', '._mptestutils', '._build_utils', '.compat.pytest', '.array_api_compat.', '.array_api_extra._lib._backends', '.sphinxext.')",
            "count, broken = 0, {}",
            "for top in sys.argv[2:]:",
            "    pkg = importlib.import_module(top)",
            "    for info in pkgutil.walk_packages(pkg.__path__, top + '.', onerror=lambda n: any(s in n + '.' for s in SKIP) or broken.setdefault(n, 'not walkable')):",
            "        if any(s in info.name for s in SKIP): continue",
            "        count += 1",
            "        try: importlib.import_module(info.name)",
            "        except BaseException as e:",
            "            missing = (getattr(e, 'name', None) or '').split('.')[0]",
            "            # matplotlib's backends for toolkits not installed (Qt, GTK, wx, Tornado) refuse to import.",
            "            gui = info.name.startswith('matplotlib.backends.') and 'tests' not in str(e)",
            "            optional = isinstance(e, ImportError) and missing and importlib.util.find_spec(missing) is None",
            "            if not (gui or optional): broken[info.name] = repr(e)",
            "open(sys.argv[1], 'w').write(json.dumps({'modules': count, 'broken': broken}))",
        ].join("\n");
        const report = path.join(tmp, "imports.json");
        execFileSync(path.join(venv, "bin", "python"), ["-c", importAll, report, ...packages], { stdio: "ignore", timeout: 240_000 });
        const { modules, broken } = JSON.parse(fs.readFileSync(report, "utf8")) as { modules: number; broken: Record<string, string> };
        expect(modules, "modules imported").to.be.above(1500);
        // statsmodels' table-building script fails at import as installed too (it runs on import); nothing else may.
        expect(broken).to.deep.equal({ "statsmodels.stats.libqsturng.make_tbls": "TypeError('cannot unpack non-iterable float object')" });
        const compute = [
            "import io, numpy as np, pandas as pd, matplotlib",
            "matplotlib.use('Agg')",
            "import matplotlib.pyplot as plt",
            "from scipy import stats, optimize, integrate, signal",
            "from sklearn.ensemble import RandomForestClassifier",
            "from sklearn.model_selection import cross_val_score",
            "from sklearn.datasets import load_iris",
            "import statsmodels.formula.api as smf",
            "from statsmodels.tsa.arima.model import ARIMA",
            "rng = np.random.default_rng(1)",
            "x = rng.normal(size=200); df = pd.DataFrame({'x': x, 'y': 3 * x + rng.normal(scale=0.1, size=200)})",
            "ols = smf.ols('y ~ x', df).fit()",
            "arima = ARIMA(np.cumsum(rng.normal(size=120)), order=(1, 1, 0)).fit()",
            "X, y = load_iris(return_X_y=True)",
            "score = cross_val_score(RandomForestClassifier(n_estimators=20, random_state=0), X, y, cv=3).mean()",
            "root = optimize.brentq(lambda t: t * t - 2, 0, 2)",
            "area = integrate.quad(np.sin, 0, np.pi)[0]",
            "b, a = signal.butter(3, 0.2)",
            "fig, ax = plt.subplots(); ax.plot(x); png = io.BytesIO(); fig.savefig(png, format='png')",
            "print(round(ols.params['x'], 1), round(stats.norm.cdf(0), 2), round(root, 4), round(area, 4), score > 0.9, len(b), png.getvalue()[:4] == b'\\x89PNG', arima.nobs)",
        ].join("\n");
        const out = execFileSync(path.join(venv, "bin", "python"), ["-c", compute], { encoding: "utf8", timeout: 120_000 });
        expect(out.trim()).to.equal("3.0 0.5 1.4142 2.0 True 4 True 120");
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
