/**
 * The Dockerfile the platform writes for an app folder that has none (deploy from source), from
 * what `shinyApp.ts` / `pythonApp.ts` detected. Pure: text in, text out; the folder was read there.
 *
 * Every generated image: a pinned base image and package snapshot, packages installed in a build
 * stage (Python) or from binaries (R) so no compiler reaches the runtime image, the platform's
 * helpers (identity, health check, launcher) from the `dashboards-platform` named context under
 * /shared, code owned by root and run as an unprivileged user, a HEALTHCHECK, exec-form commands.
 * It passes hadolint (test/generatedDockerfile.test.ts). The analyst can copy it into the folder
 * as `Dockerfile` to take it over ("eject"); the header says how.
 */
import type { ShinyApp } from "./shinyApp";

/** Base images, pinned to a patch release (the same as the templates'). */
export const GENERATED_BASE_IMAGES = {
    python: "python:3.12.12-slim-bookworm",
    r: "debian:12.11-slim",
} as const;
/** The R release of generated Shiny images (Posit's r-builds for Debian 12). */
export const R_VERSION = "4.5.1";
/**
 * The run-time libraries of R as r-builds packages it for Debian 12 (builder/package.debian-12
 * lists the -dev and compiler packages it builds with; these are their run-time halves), plus a
 * font for plots. All are bookworm packages.
 */
export const R_RUNTIME_LIBRARIES = [
    "ca-certificates", "fonts-dejavu-core", "libblas3", "libbz2-1.0", "libcairo2", "libcurl4", "libdeflate0", "libgfortran5", "libglib2.0-0",
    "libgomp1", "libicu72", "libjpeg62-turbo", "liblapack3", "liblzma5", "libpango-1.0-0", "libpangocairo-1.0-0", "libpaper-utils",
    "libpcre2-8-0", "libpng16-16", "libreadline8", "libssl3", "libtcl8.6", "libtiff6", "libtk8.6", "libx11-6", "libxt6", "libzstd1",
    "unzip", "zip", "zlib1g",
] as const;
/** The Python the generated image runs: one version, so a requirement that needs another asks for a Dockerfile. */
export const GENERATED_PYTHON_VERSION = "3.12";
/**
 * R packages come from a dated Posit Package Manager snapshot of CRAN: Debian 12 binaries as of
 * the last day of R 4.5.1 (rocker pins that release to the same date), so a rebuild installs the same versions.
 */
export const CRAN_SNAPSHOT = "https://p3m.dev/cran/__linux__/bookworm/2025-10-30";
/** Posit Package Manager's Debian 12 binaries of CRAN as of a day (YYYY-MM-DD), or its newest (`latest`). */
const cranSnapshotOf = (day: string) => `${CRAN_SNAPSHOT.slice(0, CRAN_SNAPSHOT.lastIndexOf("/"))}/${day}`;
/**
 * Python packages come from PyPI as it was before this day, unless the dashboard's packageSnapshot
 * says otherwise: a rebuild installs the same versions even where requirements are not pinned
 * (most requirement files pin the app's packages, not their dependencies). The platform's release
 * moves it forward, so upgrading the platform rebuilds generated images with newer packages, as it
 * does for R. The stand-in environments of the tests are installed as of this day
 * (scripts/setup-app-tests.sh reads it here), so every pin of the tested apps exists before it.
 */
export const PYPI_SNAPSHOT = "2026-12-01";
/** packageSnapshot's value for no snapshot: the newest packages at build time (not repeatable). */
export const LATEST_PACKAGES = "latest";
/** The pip the build stage installs packages with (apps/shared/python/build-requirements.txt): 26.0 added --uploaded-prior-to. */
export const BUILD_PIP_REQUIREMENTS = "/src/platform/python/build-requirements.txt";
/** R packages the platform's identity helper (apps/shared/r/alb_auth.R) needs, besides shiny. */
export const R_PLATFORM_PACKAGES = ["curl", "jsonlite", "openssl", "shiny"] as const;
/** The health path generated Dash and Flask images answer (apps/shared/python/dashboards_wsgi.py). */
export const GENERATED_WSGI_HEALTH_PATH = "/_dashboards/health";

const UID = 10001;

/**
 * The folders a generated image may write when its root file system is read-only (the platform's
 * default for generated images): it declares them with VOLUME, and the task definition mounts task
 * storage on each (components/dashboardService.ts), which lasts as long as the task. /tmp for every
 * image: R does not start without a writable temporary folder, and Python's tempfile and gunicorn's
 * workers use it. Flask's instance folder too (FLASK_INSTANCE_FOLDER). Nothing else: the code, the
 * packages and the home folder stay read-only (test/apps/generatedApps.test.ts runs each app so).
 */
export function generatedWritablePaths(framework: "shiny" | "dash" | "streamlit" | "flask"): string[] {
    return framework === "flask" ? ["/tmp", "/app/instance"] : ["/tmp"];
}

/** VOLUME for the writable folders, after every RUN that makes them (Docker drops what a later RUN writes there). */
const WRITABLE_VOLUMES = (paths: string[]) => [
    "# With a read-only root file system only these are writable: the task mounts its own storage on each,",
    "# and ECS fills it with what the image has there, owner and mode included (so uid " + UID + " may write).",
    "# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html",
    `VOLUME ${JSON.stringify(paths)}`,
];

/** What the generator needs to know about the folder besides the detection. */
export interface GeneratedImageInput {
    /** The app folder's path shown in comments, e.g. `apps/churn`. */
    folder: string;
    /** Top-level entries of the folder to copy into /app: files and folders (`kind`). */
    entries: { name: string; kind: "file" | "folder" }[];
}

/** A Python app as the generator needs it (a subset of pythonApp.ts's detection). */
export interface GeneratedPythonApp {
    framework: "dash" | "streamlit" | "flask";
    packageSource: "requirements.txt" | "pyproject.toml";
    /** The requirement files pip reads, relative to the folder (requirements.txt and what it includes with -r/-c). */
    requirementFiles: string[];
    /** Normalized names of the requirements (to know whether gunicorn is listed). */
    requirementNames: string[];
    entry: { kind: "script"; file: string } | { kind: "wsgi"; module: string; attribute: string; factory: boolean };
    /**
     * Install packages as uploaded to PyPI before this day (YYYY-MM-DD); `latest`: the requirements'
     * pins alone, the newest versions otherwise.
     * @default PYPI_SNAPSHOT
     */
    packageSnapshot?: string;
}

const HEADER = (folder: string, what: string[]) => [
    "# syntax=docker/dockerfile:1",
    `# Generated by the dashboards platform for ${folder}, which has no Dockerfile:`,
    ...what.map((w) => `#   ${w}`),
    "# To take it over, copy this file to the folder as Dockerfile; the platform then builds that one.",
    "# Build it by hand from the project's root:",
    `#   docker buildx build --platform linux/amd64 --build-context dashboards-platform=apps/shared -f <this file> ${folder}`,
];

/** The platform's helpers under /shared (identity, launcher, health check), as in the repository (apps/shared beside apps/<app>). */
const PLATFORM_HELPERS = [
    "# The platform's helpers keep the repository's layout (apps/shared beside the app): /shared",
    "# beside /app. dashboards-platform is a named build context, not a stage: hence the ignore.",
    "# hadolint ignore=DL3022",
    "COPY --from=dashboards-platform / /shared/",
];

/**
 * Flask's instance folder, where a Flask app keeps what it writes at run time: the tutorial's
 * application factory creates it and its SQLite database there at start-up. Flask puts it beside
 * the app's top-level module or package, so /app/instance for every app imported from /app; in a
 * root-owned /app the app user could not create it and the app would not start. Owned by that user
 * (a copied instance/ folder too); its files last as long as the task.
 */
const FLASK_INSTANCE_FOLDER = [
    "# Flask's instance folder (app.instance_path, beside the app's module): the one folder of /app the",
    "# app may write, e.g. a SQLite database as in Flask's tutorial. It lasts as long as the task.",
    `RUN install -d -o app -g app /app/instance`,
];

/** `COPY` lines for the app's own files: files together, each folder to its own name (COPY flattens a folder's contents). */
function copyApp(entries: GeneratedImageInput["entries"], to: string): string[] {
    const files = entries.filter((e) => e.kind === "file").map((e) => e.name);
    const folders = entries.filter((e) => e.kind === "folder").map((e) => e.name);
    const lines: string[] = [];
    // JSON form: any name a folder may hold (spaces included) without shell quoting; no `$` reaches here.
    if (files.length > 0) lines.push(`COPY ${JSON.stringify([...files, to])}`);
    for (const f of folders) lines.push(`COPY ${JSON.stringify([f, `${to}${f}/`])}`);
    return lines;
}

/** The generated Dockerfile of a Dash, Streamlit or Flask app. */
export function pythonDockerfile(app: GeneratedPythonApp, input: GeneratedImageInput): string {
    const base = GENERATED_BASE_IMAGES.python;
    const wsgi = app.entry.kind === "wsgi";
    const entry = app.entry.kind === "wsgi"
        ? `${app.entry.module}:${app.entry.attribute}${app.entry.factory ? "()" : ""}`
        : app.entry.file;
    const addServer = wsgi && !app.requirementNames.includes("gunicorn");
    const port = { dash: 8050, streamlit: 8501, flask: 8000 }[app.framework];
    const health = wsgi ? GENERATED_WSGI_HEALTH_PATH : "/_stcore/health";
    const fromPyproject = app.packageSource === "pyproject.toml";
    const copies = fromPyproject
        ? [
            "COPY pyproject.toml /src/app/pyproject.toml",
            "# The project's dependencies are installed, not the project itself: no build backend, no compilers.",
        ]
        : app.requirementFiles.map((f) => `COPY ${JSON.stringify([f, `/src/app/${f}`])}`);
    const requirementFile = app.packageSource === "requirements.txt" ? `/src/app/${app.requirementFiles[0]}` : "/src/app/requirements.txt";
    const requirementArgs = `-r ${requirementFile} -r /src/platform/python/requirements.txt${addServer ? " -r /src/platform/python/server-requirements.txt" : ""}`;
    const snapshot = app.packageSnapshot === LATEST_PACKAGES ? undefined : (app.packageSnapshot ?? PYPI_SNAPSHOT);
    return [
        ...HEADER(input.folder, [
            `framework ${app.framework}, entry point ${entry}, packages from ${app.packageSource}`,
        ]),
        "#",
        "# Why it looks like this:",
        `# - ${base}: Debian's slim Python image, pinned to a patch release; no compilers.`,
        "# - Two stages: pip installs into a virtual environment in the first, and only that environment",
        "#   is copied on, so pip's cache, the requirement files and any build tools stay behind. The",
        "#   environment has no pip of its own (the base image's installs into it): 12 MB less, and",
        "#   nothing to install packages with at run time.",
        "# - --no-compile and PYTHONDONTWRITEBYTECODE: no .pyc files in the image (smaller; Python",
        "#   compiles in memory at start-up, a second or two).",
        "# - The platform's identity helper (dashboard_auth) and its pinned dependencies are installed with",
        "#   the app's packages and put on PYTHONPATH; the app may import it, it need not.",
        wsgi
            ? `# - gunicorn serves the app through the platform's WSGI wrapper, which adds ${GENERATED_WSGI_HEALTH_PATH}\n#   (the health check) and trusts the load balancer's X-Forwarded headers; the app is unchanged.`
            : "# - streamlit run serves the script; /_stcore/health is Streamlit's own health route. No file\n#   watcher, a viewer's toolbar, tracebacks in the log only, unless .streamlit/config.toml or a\n#   STREAMLIT_* variable says otherwise.",
        `# - Code owned by root, run as uid ${UID}: the app cannot rewrite itself.`,
        "# - Packages as PyPI had them before a day (packageSnapshot; the platform's day when unset), then",
        "#   what no running app reads removed (slim_environment.py): the README's image sizes say how much.",
        `FROM ${base} AS build`,
        "ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1",
        "# strip (binutils) for slim_environment.py, in this stage only; a venv without pip.",
        "# hadolint ignore=DL3008",
        "RUN apt-get update \\",
        " && apt-get install -y --no-install-recommends binutils \\",
        " && rm -rf /var/lib/apt/lists/* \\",
        " && python -m venv --without-pip /opt/venv",
        "# hadolint ignore=DL3022",
        "COPY --from=dashboards-platform python/ /src/platform/python/",
        ...copies,
        ...(snapshot
            ? [
                `# Packages as uploaded to PyPI before ${snapshot} (${app.packageSnapshot ? "packageSnapshot" : "the platform's day; packageSnapshot sets another"}):`,
                "# a rebuild gets the same versions, pinned or not; a pin published later is not found (set a",
                "# later packageSnapshot). The pip that does it (26.0+) stays in this stage.",
            ]
            : ["# packageSnapshot: latest: the newest versions the requirements allow, as of each build."]),
        "# Then what no running app reads goes: the own test suites of numpy, pandas, pyarrow, scipy,",
        "# scikit-learn, statsmodels and matplotlib, C headers, Cython sources, JavaScript source maps, and",
        "# symbols of shared libraries (strip; a library that would not load stripped is kept as installed).",
        ...shellSteps([
            ...(fromPyproject ? ["python /src/platform/python/pyproject_requirements.py /src/app/pyproject.toml > /src/app/requirements.txt"] : []),
            ...(snapshot
                ? [
                    `python -m pip install --no-cache-dir -r ${BUILD_PIP_REQUIREMENTS}`,
                    `pip --python /opt/venv/bin/python install --no-compile --uploaded-prior-to=${snapshot}T00:00:00Z ${requirementArgs}`,
                ]
                : [`pip --python /opt/venv/bin/python install --no-compile ${requirementArgs}`]),
            "python /src/platform/python/slim_environment.py /opt/venv",
        ]),
        "",
        `FROM ${base}`,
        "ENV PATH=/opt/venv/bin:$PATH \\",
        "    PYTHONPATH=/shared/python \\",
        "    PYTHONDONTWRITEBYTECODE=1 \\",
        "    PYTHONUNBUFFERED=1 \\",
        ...(wsgi ? [`    DASHBOARD_WSGI_APP=${entry} \\`] : []),
        `    PORT=${port}`,
        // Streamlit keeps per-user state under ~/.streamlit: it needs a home directory.
        `RUN useradd --system --uid ${UID} ${wsgi ? "--no-create-home" : "--create-home"} --shell /usr/sbin/nologin app`,
        "WORKDIR /app",
        "COPY --from=build /opt/venv /opt/venv",
        ...copyApp(input.entries, "./"),
        ...(app.framework === "flask" ? FLASK_INSTANCE_FOLDER : []),
        ...PLATFORM_HELPERS,
        ...WRITABLE_VOLUMES(generatedWritablePaths(app.framework)),
        `USER ${UID}`,
        `EXPOSE ${port}`,
        "HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\",
        `  CMD ["python", "/shared/python/healthcheck.py", "${health}"]`,
        wsgi ? 'CMD ["python", "-m", "dashboards_launch", "wsgi"]' : `CMD ${JSON.stringify(["python", "-m", "dashboards_launch", "streamlit", entry])}`,
        "",
    ].join("\n");
}

/** The generated Dockerfile of a Shiny app. */
export function shinyDockerfile(app: ShinyApp, input: GeneratedImageInput, packageSnapshot?: string): string {
    const snapshot = packageSnapshot ? cranSnapshotOf(packageSnapshot) : CRAN_SNAPSHOT;
    const base = GENERATED_BASE_IMAGES.r;
    const locked = app.packageSource === "renv.lock";
    const platform = [...R_PLATFORM_PACKAGES];
    const packages = [...new Set([...platform, ...app.packages.map((p) => p.name)])].sort((a, b) => a.localeCompare(b, "en"));
    // runApp() takes the app.R file itself (a folder holding server.R too would run that instead) or the ui.R/server.R folder.
    const appDir = app.appDir === "." ? "/app" : `/app/${app.appDir}`;
    const appPath = app.layout === "app.R" ? `${appDir}/app.R` : appDir;
    const rHome = "/opt/R/${R_VERSION}";
    return [
        ...HEADER(input.folder, [
            `framework shiny, ${app.layout} in ${app.appDir === "." ? "the folder" : app.appDir + "/"}, packages from ${app.packageSource}: ${packages.join(", ")}`,
        ]),
        "#",
        "# Why it looks like this:",
        `# - ${base} with R ${R_VERSION} as Posit builds it for Debian 12 (r-builds, in /opt/R): R pinned to`,
        "#   a release, on a pinned Debian point release.",
        "# - R packages from a dated Posit Package Manager snapshot of CRAN (CRAN_SNAPSHOT): Linux binaries,",
        "#   the same versions on every rebuild" + (locked ? ", and renv.lock's packages at their locked versions." : "."),
        "# - Two stages: the first installs R with its compilers and the packages (compiling any that has",
        "#   no binary); the second gets R and its library, and only the shared libraries R needs at run",
        "#   time: no compilers, about a third of an image on rocker/r-ver (which keeps them).",
        "# - The system libraries follow the base image's Debian release (bookworm's security updates);",
        "#   the image loads every package once at build time, so a library missing for one fails the build.",
        "# - The platform's identity helper (alb_auth.R), launcher and health check under /shared/r; the",
        "#   app may source /shared/r/alb_auth.R, it need not.",
        `# - Code owned by root, run as uid ${UID}: the app cannot rewrite itself.`,
        `ARG R_VERSION=${R_VERSION}`,
        `FROM ${base} AS build`,
        "ARG R_VERSION",
        `ARG CRAN_SNAPSHOT=${snapshot}`,
        "# hadolint ignore=DL3008",
        "RUN apt-get update \\",
        " && apt-get install -y --no-install-recommends ca-certificates curl \\",
        ` && curl -fsSLo /tmp/r.deb "https://cdn.posit.co/r/debian-12/pkgs/r-\${R_VERSION}_1_amd64.deb" \\`,
        " && apt-get install -y --no-install-recommends /tmp/r.deb \\",
        " && rm -rf /tmp/r.deb /var/lib/apt/lists/*",
        `ENV PATH=${rHome}/bin:$PATH`,
        "# hadolint ignore=DL3022",
        `COPY --from=dashboards-platform r/build/ /tmp/platform/`,
        ...(locked ? ["COPY renv.lock /tmp/renv.lock"] : []),
        `# The packages the app loads (from ${app.packageSource === "config" ? "the stack file's packages" : app.packageSource}) and the platform's (shiny; curl, jsonlite and openssl`,
        "# for the identity helper), with their dependencies.",
        `RUN cp /tmp/platform/Rprofile.site ${rHome}/lib/R/etc/Rprofile.site \\`,
        ` && Rscript /tmp/platform/install_packages.R ${locked ? "--renv /tmp/renv.lock " : ""}\\`,
        `      ${packages.join(" ")}`,
        "",
        `FROM ${base}`,
        "ARG R_VERSION",
        "# What R and its packages load at run time (the run-time halves of r-builds' dependencies), and a font for plots.",
        "# hadolint ignore=DL3008",
        "RUN apt-get update \\",
        " && apt-get install -y --no-install-recommends \\",
        ...wrapWords(R_RUNTIME_LIBRARIES, 90).map((line) => `      ${line} \\`),
        " && rm -rf /var/lib/apt/lists/*",
        `COPY --from=build ${rHome} ${rHome}`,
        `ENV PATH=${rHome}/bin:$PATH`,
        "# Every package loads here, with the run-time libraries only; then the user the app runs as.",
        `RUN Rscript -e 'for (p in commandArgs(TRUE)) library(p, character.only = TRUE)' ${packages.join(" ")} \\`,
        ` && useradd --system --uid ${UID} --create-home --shell /usr/sbin/nologin shiny`,
        "WORKDIR /app",
        ...copyApp(input.entries, "./"),
        ...PLATFORM_HELPERS,
        `ENV PORT=3838 \\`,
        `    APP_DIR=${appPath}`,
        ...WRITABLE_VOLUMES(generatedWritablePaths("shiny")),
        `USER ${UID}`,
        "EXPOSE 3838",
        "HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\",
        '  CMD ["Rscript", "/shared/r/healthcheck.R"]',
        'CMD ["Rscript", "/shared/r/run.R"]',
        "",
    ].join("\n");
}

/** One RUN of shell commands joined by `&&`, a line each (one layer; hadolint's DL3059 asks for no run of RUNs). */
function shellSteps(commands: string[]): string[] {
    return commands.map((c, i) => `${i === 0 ? "RUN " : " && "}${c}${i < commands.length - 1 ? " \\" : ""}`);
}

/** Words joined into lines of at most `width` characters. */
function wrapWords(words: readonly string[], width: number): string[] {
    const lines: string[] = [];
    for (const word of words) {
        const last = lines[lines.length - 1];
        if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
        else lines.push(word);
    }
    return lines;
}
