/**
 * Dashboards from every kind of app folder, deployed on the real Pulumi engine with the
 * docker-build test double (which refuses what BuildKit would: a COPY source missing from the
 * build context or excluded by its ignore file, an unknown target stage):
 *
 * - a third-party app with its own multi-stage Dockerfile, written for its own folder
 *   (`COPY requirements.txt /app/`, `COPY euler /app/euler` naming its own sub-folder), built at
 *   the stage `buildTarget` names;
 * - a folder holding only a Shiny app that this project did not write (01_hello from Debian's
 *   r-cran-shiny, copied into the workspace at test time);
 * - a Dash app in the shape of the Dash tutorial (test/fixtures/python-apps/dash-tutorial).
 *
 * The generated Dockerfiles reach the provider inline and are stable: a second preview changes
 * nothing. A Dockerfile whose COPY source the ignore file excludes deploys nothing of it.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PREREQUISITES, requirePrerequisites } from "../../prerequisites";
import { EngineWorkspace, REPO, tail } from "./workspace";

const SHINY_HELLO = "/usr/lib/R/site-library/shiny/examples/01_hello";
const IMAGE = "docker-build:index:Image";

const EULER_DOCKERFILE = [
    "# A third-party app's own Dockerfile: paths relative to its folder, a dev stage last.",
    "FROM python:3.12-slim AS production",
    "WORKDIR /app",
    "COPY requirements.txt /app/",
    "RUN pip install --no-cache-dir -r requirements.txt",
    "COPY euler /app/euler",
    'CMD ["gunicorn", "-b", "0.0.0.0:8050", "euler.app:server"]',
    "",
    "FROM production AS dev",
    'CMD ["python", "-m", "euler.app"]',
    "",
].join("\n");

describe("app folders of every kind on the real engine: own Dockerfile, Shiny and Dash without one", function () {
    this.timeout(1_800_000);
    let ws: EngineWorkspace;
    const run = (args: string[]) => ws.pulumi(["--stack", "dev", ...args]);
    const images = () => {
        const r = run(["stack", "export"]);
        expect(r.code, tail(r)).to.equal(0);
        const resources = JSON.parse(r.stdout).deployment.resources as { type: string; urn: string; inputs: Record<string, any> }[];
        return new Map(resources.filter((x) => x.type === IMAGE).map((x) => [x.urn.split("::").pop()!, x.inputs]));
    };

    before(function () {
        requirePrerequisites(this, PREREQUISITES.shinyExamples);
        ws = new EngineWorkspace("sources");
        // apps/ of its own: this project's portal and shared helpers (copies: a symlink out of apps/
        // is refused, rightly), and three new app folders.
        const apps = path.join(ws.projectDir, "apps");
        fs.rmSync(apps, { force: true });
        fs.mkdirSync(apps);
        const skip = new Set(["node_modules", "dist", "test-results", "__pycache__", ".venv"]);
        for (const name of ["portal", "shared"]) fs.cpSync(path.join(REPO, "apps", name), path.join(apps, name), { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
        fs.mkdirSync(path.join(apps, "euler", "euler"), { recursive: true });
        fs.writeFileSync(path.join(apps, "euler", "Dockerfile"), EULER_DOCKERFILE);
        fs.writeFileSync(path.join(apps, "euler", "requirements.txt"), "dash==4.4.1\ngunicorn==27.0.1\n");
        fs.writeFileSync(path.join(apps, "euler", "euler", "app.py"), "from dash import Dash, html\napp = Dash(__name__)\nserver = app.server\napp.layout = html.P('e')\n");
        fs.cpSync(SHINY_HELLO, path.join(apps, "hello"), { recursive: true });
        fs.cpSync(path.join(REPO, "test", "fixtures", "python-apps", "dash-tutorial"), path.join(apps, "tutorial"), { recursive: true });
        // dev's stack file with these three dashboards instead of the templates.
        const stack = parse(fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8"));
        stack.config["dashboards:dashboards"] = [
            { name: "euler", app: "euler", framework: "dash", buildTarget: "production", accessGroups: ["analysts"] },
            { name: "hello", app: "hello", framework: "shiny", accessGroups: ["analysts"] },
            { name: "tutorial", app: "tutorial", framework: "dash", accessGroups: ["analysts"] },
        ];
        ws.addStack("dev", stringify(stack));
    });
    after(() => ws?.dispose());

    it("deploys all three: each image built from its own folder and pushed", () => {
        expect(ws.pulumi(["stack", "init", "dev", "--secrets-provider", "passphrase"]).code).to.equal(0);
        const r = run(["up", "--yes", "--skip-preview"]);
        expect(r.code, tail(r)).to.equal(0);
        const built = images();
        expect([...built.keys()].sort()).to.deep.equal(["euler-image", "hello-image", "portal-image", "tutorial-image"]);
        for (const [name, inputs] of built) {
            const app = name.replace(/-image$/, "");
            expect(inputs.context.location, name).to.equal(`apps/${app}`);
            expect(inputs.platforms, name).to.deep.equal(["linux/amd64"]);
        }
        expect(built.get("euler-image")!.dockerfile).to.deep.equal({ location: "apps/euler/Dockerfile" });
        expect(built.get("euler-image")!.target).to.equal("production");
        for (const generated of ["hello", "tutorial"]) {
            expect(built.get(`${generated}-image`)!.dockerfile.inline, generated).to.contain(`# Generated by the dashboards platform for apps/${generated}`);
        }
        const pushed = ws.cloudResources().filter((x) => x.type === "fake-cloud:ecr/image");
        expect(pushed).to.have.length(4);
    });

    it("then a preview changes nothing: the generated Dockerfiles are the same on every run", () => {
        const r = run(["preview", "--expect-no-changes"]);
        expect(r.code, tail(r)).to.equal(0);
    });

    it("refuses to build a Dockerfile whose COPY source the folder's ignore file excludes, naming the file", () => {
        fs.writeFileSync(path.join(ws.projectDir, "apps", "euler", "Dockerfile.dockerignore"), "*\n!euler/\n");
        try {
            const r = run(["up", "--yes", "--skip-preview"]);
            expect(r.code).not.to.equal(0);
            expect(r.output).to.contain('"/requirements.txt": not found');
        } finally {
            fs.rmSync(path.join(ws.projectDir, "apps", "euler", "Dockerfile.dockerignore"));
        }
    });
});
