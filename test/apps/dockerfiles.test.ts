import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { APPS, requireInstalled } from "./harness";
import { requirePrerequisites, PREREQUISITES } from "../prerequisites";

// Every template directory with a Dockerfile (apps/portal included: it is built the same way).
const templates = fs
    .readdirSync(APPS)
    .filter((d) => fs.existsSync(path.join(APPS, d, "Dockerfile")))
    .sort();

describe("app Dockerfiles", function () {
    this.timeout(60_000);

    it("exist for every template", () => {
        expect(templates).to.include.members(["dash", "flask", "shiny", "streamlit"]);
    });

    for (const name of templates) {
        const dockerfile = path.join(APPS, name, "Dockerfile");

        it(`apps/${name}/Dockerfile passes hadolint`, function () {
            requirePrerequisites(this, PREREQUISITES.tool("hadolint"));
            const hadolint = requireInstalled(path.join(APPS, ".venv-tools", "bin", "hadolint"), "hadolint");
            try {
                execFileSync(hadolint, [dockerfile], { encoding: "utf8", stdio: "pipe" });
            } catch (err) {
                const e = err as { stdout?: string; stderr?: string };
                expect.fail(`hadolint findings:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
            }
        });

        it(`apps/${name}/Dockerfile copies only files of its own folder (the build context) or of apps/shared (the dashboards-platform context)`, () => {
            // The infrastructure builds with context = apps/<name> and the named context
            // dashboards-platform = apps/shared; a COPY of a path missing there fails the build.
            const text = fs.readFileSync(dockerfile, "utf8").replace(/\\\n/g, " ");
            const copies = text.split("\n").filter((l) => /^\s*(COPY|ADD)\s/i.test(l));
            const sources = (l: string) => l.trim().split(/\s+/).slice(1).filter((a) => !a.startsWith("--")).slice(0, -1);
            const own = copies.filter((l) => !/--from=/.test(l)).flatMap(sources);
            const shared = copies.filter((l) => /--from=dashboards-platform\s/.test(l)).flatMap(sources);
            expect(own, "COPY sources").not.to.be.empty;
            for (const src of own) {
                expect(src.startsWith("..") || path.isAbsolute(src), `${src} stays in the folder`).to.equal(false);
                expect(fs.existsSync(path.join(APPS, name, src)), `${src} exists in apps/${name}`).to.equal(true);
            }
            for (const src of shared) expect(fs.existsSync(path.join(APPS, "shared", src)), `${src} exists in apps/shared`).to.equal(true);
            expect(fs.existsSync(path.join(APPS, name, "Dockerfile.dockerignore")), "Dockerfile.dockerignore").to.equal(true);
        });

        it(`apps/${name}/Dockerfile declares /tmp a VOLUME in its final stage, after its last RUN, so it runs with a read-only root file system`, () => {
            // The platform runs an image whose built stage declares /tmp a VOLUME with a read-only root (the
            // portal always): the task mounts its storage on /tmp, and ECS fills it with the image's /tmp
            // (mode 1777) only for a VOLUME. test/apps runs each template under a read-only root, /tmp writable.
            const finalStage = fs.readFileSync(dockerfile, "utf8").replace(/\\\n/g, " ").split(/^FROM /m).pop()!.split("\n");
            const volumes = finalStage.flatMap((l, i) => (l.startsWith("VOLUME ") ? [{ paths: JSON.parse(l.slice(7)) as string[], i }] : []));
            expect(volumes.map((v) => v.paths)).to.deep.equal([["/tmp"]]);
            const lastRun = Math.max(-1, ...finalStage.map((l, i) => (l.startsWith("RUN ") ? i : -1)));
            expect(volumes[0].i).to.be.above(lastRun);
        });
    }
});
