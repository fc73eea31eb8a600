/**
 * apps/shared/r/build/install_packages.R, the package step of generated Shiny images, on this
 * machine against a CRAN-like repository on disk (no network): it installs what it is asked from
 * CRAN_SNAPSHOT, and fails naming every package that did not install (install.packages() itself
 * only warns, which would let a build go on to an image whose app cannot start).
 */
import { spawnSync } from "node:child_process";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PREREQUISITES, requirePrerequisites } from "../prerequisites";

const SCRIPT = path.join(__dirname, "..", "..", "apps", "shared", "r", "build", "install_packages.R");

describe("install_packages.R (generated Shiny images' package step)", function () {
    this.timeout(120_000);
    let dir: string;
    let repo: string;
    const run = (args: string[], snapshot = `file://${repo}`) => {
        const lib = fs.mkdtempSync(path.join(dir, "lib-"));
        const r = spawnSync("Rscript", [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, R_LIBS: lib, R_LIBS_USER: lib, CRAN_SNAPSHOT: snapshot } });
        return { ...r, lib };
    };

    before(function () {
        requirePrerequisites(this, PREREQUISITES.rVerifier[0]);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "r-install-"));
        // A one-package CRAN-like repository: src/contrib with the built tarball and its PACKAGES index.
        const src = path.join(dir, "tinydash");
        fs.mkdirSync(path.join(src, "R"), { recursive: true });
        fs.writeFileSync(path.join(src, "DESCRIPTION"), "Package: tinydash\nVersion: 0.1.0\nTitle: A Test Package\nDescription: Used by a test.\nAuthors@R: person('A', 'B', email = 'a@example.com', role = c('aut', 'cre'))\nLicense: MIT\n");
        fs.writeFileSync(path.join(src, "NAMESPACE"), "export(hello)\n");
        fs.writeFileSync(path.join(src, "R", "hello.R"), "hello <- function() 'hi'\n");
        repo = path.join(dir, "repo");
        const contrib = path.join(repo, "src", "contrib");
        fs.mkdirSync(contrib, { recursive: true });
        const built = spawnSync("R", ["CMD", "build", "--no-manual", "--no-build-vignettes", src], { cwd: contrib, encoding: "utf8" });
        expect(built.status, built.stderr).to.equal(0);
        const indexed = spawnSync("Rscript", ["-e", `tools::write_PACKAGES("${contrib}", type = "source")`], { encoding: "utf8" });
        expect(indexed.status, indexed.stderr).to.equal(0);
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("installs the packages it is asked for from CRAN_SNAPSHOT", () => {
        const r = run(["tinydash"]);
        expect(r.status, r.stderr).to.equal(0);
        expect(fs.existsSync(path.join(r.lib, "tinydash", "DESCRIPTION"))).to.equal(true);
    });

    it("fails, naming it, when a package does not install", () => {
        const r = run(["tinydash", "nosuchpkg"]);
        expect(r.status).to.equal(1);
        expect(r.stderr).to.contain("not installed: nosuchpkg");
    });

    it("fails without a snapshot to install from", () => {
        const r = run(["tinydash"], "");
        expect(r.status).to.equal(1);
        expect(r.stderr).to.contain("CRAN_SNAPSHOT is not set");
    });
});
