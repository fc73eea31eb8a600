/**
 * Image sizes on paper (no Docker daemon here): what a generated Dockerfile's image weighs, as the
 * base image's documented size plus what its layers add, measured on this machine:
 *
 * - Python (Dash, Flask, Streamlit): the base image, plus the environment its build stage makes,
 *   plus the app's files. The environment is measured as scripts/setup-app-tests.sh makes it for
 *   the generated images the tests run (the Dash and Flask tutorial fixtures, Streamlit's hello
 *   app): what the image's pip installs, as of the platform's day, with --no-compile into a venv
 *   without pip, then slimmed by apps/shared/python/slim_environment.py, the image's own steps.
 *   These venvs run this machine's Python 3.11, the image 3.12: wheels differ by a few kB.
 * - Shiny: the base image, plus the run-time libraries the generated Dockerfile installs (their
 *   closure on top of debian:bookworm-slim, measured here once: see R_RUNTIME_MB), plus R itself
 *   (a range: r-builds' R 4.5.1 is not at hand; Debian's R 4.2.2 home measures 66 MB with 7 of the
 *   15 recommended packages), plus shiny and the identity helper's packages with their
 *   dependencies as installed here (Debian's r-cran-* binaries, a stand-in for Posit Package
 *   Manager's; sizes are close, not equal).
 *
 * Sizes in MB (10^6 bytes, uncompressed), as `docker images` shows them.
 *
 *   npx tsx test/apps/imageSizes.ts       prints the table the README states
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { APPS, IMAGE_VENVS_DIR, ROOT, sitePackagesOf } from "./harness";

/** Documented uncompressed sizes of the generated Dockerfiles' base images. */
export const BASE_IMAGES = {
    // docker-library/repo-info, repos/python/local/3.12-slim-bookworm.md (124.3 MB).
    python: { name: "python:3.12.12-slim-bookworm", mb: [124.3, 124.3] },
    // docker-library/repo-info, repos/debian/local/bookworm-slim.md (74.83 MB).
    r: { name: "debian:12.11-slim", mb: [74.83, 74.83] },
} as const;

/**
 * The run-time libraries of the generated Shiny image (components/generatedDockerfile.ts
 * R_RUNTIME_LIBRARIES) with everything they pull in that debian:bookworm-slim lacks: 74 packages,
 * 86.6 MB of files without docs, man pages and locales (which slim images leave out). Measured on
 * 2026-12-01 with `apt-get -s install --no-install-recommends` against a dpkg status holding the
 * slim image's package set, summing `dpkg -L` file sizes (every package was installed here).
 */
export const R_RUNTIME_MB = 86.6;
/** R itself under /opt/R/4.5.1: Debian's R home (66 MB) up to an allowance for the 8 recommended packages Debian ships apart. */
export const R_HOME_MB: [number, number] = [66, 90];

export const TARGETS_MB = { dash: 250, flask: 250, streamlit: 250, shiny: 900 } as const;

/** Bytes of the files under `dir`, leaving out what `skip` names (a file or folder name). */
export function treeBytes(dir: string, skip: (name: string) => boolean = () => false): number {
    let total = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (skip(entry.name)) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) total += treeBytes(full, skip);
        else if (entry.isFile()) total += fs.statSync(full).size;
    }
    return total;
}

const MB = 1e6;
/** The stand-ins of generated images' build stages (scripts/setup-app-tests.sh), by the image they stand for. */
export const IMAGE_VENVS = { dash: "dash-tutorial", flask: "flask-tutorial", streamlit: "streamlit-hello" } as const;

/** site-packages of the generated image's environment, as its build stage leaves it; undefined without the venv. */
export function pythonPackagesMb(app: keyof typeof IMAGE_VENVS): number | undefined {
    const sp = sitePackagesOf(path.join(IMAGE_VENVS_DIR, IMAGE_VENVS[app]));
    // __pycache__: none in the image (--no-compile, PYTHONDONTWRITEBYTECODE); a run here may have written some.
    return sp ? treeBytes(sp, (n) => n === "__pycache__") / MB : undefined;
}

/** The app folder the image copies to /app: the fixture, or the hello app inside the venv's streamlit. */
function appFolder(app: keyof typeof IMAGE_VENVS): string {
    if (app !== "streamlit") return path.join(ROOT, "test", "fixtures", "python-apps", IMAGE_VENVS[app]);
    return path.join(sitePackagesOf(path.join(IMAGE_VENVS_DIR, IMAGE_VENVS.streamlit))!, "streamlit", "hello");
}

/** The installed size of shiny, curl, jsonlite, openssl and their dependencies in this machine's R library. */
export function rPackagesMb(): number | undefined {
    const r = spawnSync("Rscript", ["-e", [
        "ip <- installed.packages()",
        "want <- c('shiny','curl','jsonlite','openssl')",
        "deps <- unlist(tools::package_dependencies(want, db = ip, recursive = TRUE, which = c('Depends','Imports','LinkingTo')))",
        "all <- setdiff(unique(c(want, deps)), rownames(ip)[ip[, 'Priority'] %in% 'base'])",
        "cat(file.path(ip[all, 'LibPath'], all), sep = '\\n')",
    ].join("; ")], { encoding: "utf8" });
    if (r.status !== 0) return undefined;
    return r.stdout.split("\n").filter(Boolean).reduce((sum, dir) => sum + treeBytes(dir), 0) / MB;
}

export interface SizeEstimate {
    app: string;
    base: string;
    /** [low, high] in MB: the base image's range plus the measured layers. */
    mb: [number, number];
    target: number;
}

/** The estimates for the generated images the tests run (Python), and a Shiny image of shiny and the identity helper. */
export function estimates(): SizeEstimate[] {
    const out: SizeEstimate[] = [];
    for (const app of ["dash", "flask", "streamlit"] as const) {
        const packages = pythonPackagesMb(app);
        if (packages === undefined) continue;
        const files = (treeBytes(appFolder(app), (n) => n === "__pycache__") + treeBytes(path.join(APPS, "shared"))) / MB;
        const [lo, hi] = BASE_IMAGES.python.mb;
        out.push({ app, base: BASE_IMAGES.python.name, mb: [lo + packages + files, hi + packages + files], target: TARGETS_MB[app] });
    }
    const r = rPackagesMb();
    if (r !== undefined) {
        const base = BASE_IMAGES.r.mb[0] + R_RUNTIME_MB + r + treeBytes(path.join(APPS, "shared")) / MB;
        out.push({ app: "shiny", base: BASE_IMAGES.r.name, mb: [base + R_HOME_MB[0], base + R_HOME_MB[1]], target: TARGETS_MB.shiny });
    }
    return out;
}

export function renderTable(list: SizeEstimate[]): string {
    const mb = (n: number) => `${Math.round(n)}`;
    return [
        "| Image | Base | On paper (MB) | Target (MB) |",
        "| --- | --- | --- | --- |",
        ...list.map((e) => `| ${e.app} | \`${e.base}\` | ${e.mb[0] === e.mb[1] ? mb(e.mb[0]) : `${mb(e.mb[0])}-${mb(e.mb[1])}`} | < ${e.target} |`),
    ].join("\n");
}

if (require.main === module) console.log(renderTable(estimates()));
