/**
 * apps/shared/python/dashboards_launch.py, the start command of generated Python images: the flags
 * a Streamlit app is started with. The platform's defaults (no file watcher, a viewer's toolbar, no
 * tracebacks in the browser) apply unless the app's own config files or a STREAMLIT_* variable set
 * the option, since flags would override both. The generated Streamlit app's native run
 * (generatedApps.test.ts) shows the viewer toolbar in Chromium.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { APPS, IMAGE_VENVS_DIR } from "./harness";
import { needs, PREREQUISITES } from "../prerequisites";

const SHARED_PYTHON = path.join(APPS, "shared", "python");
const PYTHON = process.env.PYTHON ?? "python3";
const DEFAULTS = ["--server.fileWatcherType", "none", "--client.toolbarMode", "viewer", "--client.showErrorDetails", "none"];

/** streamlit_argv(script) as the launcher computes it, run from `cwd` with `env` as its environment. */
function argvOf(cwd: string, script: string, env: Record<string, string> = {}, python = PYTHON): string[] {
    const code = "import json, sys, dashboards_launch; print(json.dumps(dashboards_launch.streamlit_argv(sys.argv[1])))";
    const out = execFileSync(python, ["-c", code, script], { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PYTHONPATH: SHARED_PYTHON, ...env } });
    return JSON.parse(out) as string[];
}

/** The flags after the ones every start has (port, address, headless, no usage statistics). */
const platformDefaults = (argv: string[]) => argv.slice(argv.indexOf("--browser.gatherUsageStats") + 2);

describe("dashboards_launch: the flags a generated Streamlit image starts with", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "launch-"));
        fs.writeFileSync(path.join(dir, "app.py"), "import streamlit as st\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const config = (folder: string, text: string | Buffer) => {
        fs.mkdirSync(path.join(folder, ".streamlit"), { recursive: true });
        fs.writeFileSync(path.join(folder, ".streamlit", "config.toml"), text);
    };

    it("starts an app without config on $PORT and $HOST, headless, with the platform's defaults", () => {
        const argv = argvOf(dir, "app.py", { PORT: "9000", HOST: "127.0.0.1" });
        expect(argv.slice(0, 7)).to.deep.equal(["streamlit", "run", "app.py", "--server.port", "9000", "--server.address", "127.0.0.1"]);
        expect(argv).to.include.members(["--server.headless", "--browser.gatherUsageStats"]);
        expect(platformDefaults(argv)).to.deep.equal(DEFAULTS);
    });

    it("leaves to the app what its config.toml in the working folder sets, as a table or as dotted keys", () => {
        config(dir, 'server.fileWatcherType = "poll"\n\n[client]\ntoolbarMode = "developer"\n');
        expect(platformDefaults(argvOf(dir, "app.py"))).to.deep.equal(["--client.showErrorDetails", "none"]);
    });

    it("leaves to the app what the config.toml beside its script sets, when the script is in a subfolder", () => {
        fs.mkdirSync(path.join(dir, "src"));
        fs.writeFileSync(path.join(dir, "src", "main.py"), "");
        config(path.join(dir, "src"), '[client]\nshowErrorDetails = "full"\n');
        expect(platformDefaults(argvOf(dir, "src/main.py"))).to.deep.equal(["--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"]);
    });

    it("leaves to the stack file's environment an option set there as a STREAMLIT_* variable", () => {
        const argv = argvOf(dir, "app.py", { STREAMLIT_CLIENT_TOOLBAR_MODE: "minimal", STREAMLIT_SERVER_FILE_WATCHER_TYPE: "auto" });
        expect(platformDefaults(argv)).to.deep.equal(["--client.showErrorDetails", "none"]);
    });

    it("keeps a default when its STREAMLIT_* variable is set but empty (Streamlit ignores an empty one)", () => {
        expect(platformDefaults(argvOf(dir, "app.py", { STREAMLIT_CLIENT_TOOLBAR_MODE: "" }))).to.deep.equal(DEFAULTS);
    });

    it("reads the config beside a linked script where Streamlit does: beside the link, not its target", () => {
        fs.mkdirSync(path.join(dir, "real"));
        fs.writeFileSync(path.join(dir, "real", "app.py"), "");
        fs.mkdirSync(path.join(dir, "sub"));
        fs.symlinkSync(path.join("..", "real", "app.py"), path.join(dir, "sub", "app.py"));
        config(path.join(dir, "sub"), '[client]\ntoolbarMode = "developer"\n');
        expect(platformDefaults(argvOf(dir, "sub/app.py"))).to.deep.equal(["--server.fileWatcherType", "none", "--client.showErrorDetails", "none"]);
    });

    it("never lets the app's config turn off the headless start or the usage-statistics opt-out", () => {
        config(dir, "[server]\nheadless = false\n[browser]\ngatherUsageStats = true\n");
        const argv = argvOf(dir, "app.py");
        expect(argv[argv.indexOf("--server.headless") + 1]).to.equal("true");
        expect(argv[argv.indexOf("--browser.gatherUsageStats") + 1]).to.equal("false");
    });

    for (const [what, text] of [
        ["is not TOML", "[client\ntoolbarMode = \n"],
        ["is not UTF-8", Buffer.from([0xff, 0xfe, 0x00, 0x5b])],
        ["has a section that is not a table", "client = 3\nserver = [\"a\"]\n"],
        ["is empty", ""],
    ] as const) {
        it(`starts with all the defaults, without failing, when the app's config.toml ${what} (Streamlit reports a broken file itself)`, () => {
            config(dir, text);
            expect(platformDefaults(argvOf(dir, "app.py"))).to.deep.equal(DEFAULTS);
        });
    }

    it("starts with all the defaults when config.toml is a folder, or .streamlit a file", () => {
        fs.mkdirSync(path.join(dir, ".streamlit", "config.toml"), { recursive: true });
        expect(platformDefaults(argvOf(dir, "app.py"))).to.deep.equal(DEFAULTS);
        fs.rmSync(path.join(dir, ".streamlit"), { recursive: true });
        fs.writeFileSync(path.join(dir, ".streamlit"), "not a folder");
        expect(platformDefaults(argvOf(dir, "app.py"))).to.deep.equal(DEFAULTS);
    });

    describe("against the Streamlit the generated hello image installs", () => {
        needs(PREREQUISITES.fixtureVenv("streamlit-hello"));
        const venvPython = path.join(IMAGE_VENVS_DIR, "streamlit-hello", "bin", "python");

        it("names real options, allowed values and Streamlit's own variable names", () => {
            const code = [
                "import json, dashboards_launch",
                "from streamlit import config",
                "out = []",
                "for option, value, variable in dashboards_launch.STREAMLIT_DEFAULTS:",
                "    o = config._config_options_template[option]",
                "    out.append([option, o.env_var == variable, value in o.description])",
                "print(json.dumps(out))",
            ].join("\n");
            const out = JSON.parse(execFileSync(venvPython, ["-c", code], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", PYTHONPATH: SHARED_PYTHON } })) as [string, boolean, boolean][];
            expect(out.map(([o]) => o)).to.deep.equal(["server.fileWatcherType", "client.toolbarMode", "client.showErrorDetails"]);
            for (const [option, variable, allowed] of out) {
                expect(variable, `${option}: the variable Streamlit reads`).to.equal(true);
                expect(allowed, `${option}: a value its description allows`).to.equal(true);
            }
        });
    });
});
