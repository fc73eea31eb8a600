import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { builtStage as builtStageOf, dockerfileInstructions, dockerfileStages, runsAsRoot } from "../components/dockerfileStage";

const APPS = path.join(__dirname, "..", "apps");
/** The built stage of a Dockerfile's text, as appSource.ts reads it. */
const builtStage = (text: string, target?: string) => builtStageOf(dockerfileStages(dockerfileInstructions(text)), target);

describe("dockerfileStage: what the platform reads of an app's own Dockerfile", () => {
    describe("instructions", () => {
        it("joins continuation lines, drops comments (also inside a continued instruction) and blank lines, and keeps each instruction's first line", () => {
            const text = [
                "# syntax=docker/dockerfile:1",
                "FROM python:3.12-slim AS build",
                "",
                "RUN apt-get update \\",
                "# a comment inside the instruction, ending in a backslash \\",
                " && apt-get install -y curl",
                "  # an indented comment",
                "copy app.py /app/",
            ].join("\n");
            expect(dockerfileInstructions(text)).to.deep.equal([
                { op: "FROM", rest: "python:3.12-slim AS build", line: 2 },
                { op: "RUN", rest: "apt-get update   && apt-get install -y curl", line: 4 },
                { op: "COPY", rest: "app.py /app/", line: 8 },
            ]);
        });

        it("reads a huge or hostile file in linear time and never throws (a 1 MB run of continuations, a lone backslash, no newline at the end)", () => {
            const started = Date.now();
            expect(dockerfileInstructions("RUN a \\\n".repeat(150_000))).to.have.length(1);
            expect(dockerfileInstructions("\\")).to.deep.equal([]);
            expect(dockerfileInstructions("VOLUME /x")).to.deep.equal([{ op: "VOLUME", rest: "/x", line: 1 }]);
            expect(Date.now() - started).to.be.below(1000);
        });
    });

    describe("the built stage's VOLUMEs and USER", () => {
        it("reads VOLUME in both of Docker's forms, normalized, and skips what is not a plain absolute path ($ variables, relative, ..)", () => {
            const text = 'FROM x\nVOLUME ["/tmp", "/app/cache/"]\nVOLUME /data //var//run/app\nVOLUME $HOME/cache relative /a/../etc\nVOLUME [not json\n';
            expect(builtStage(text)).to.deep.equal({ volumes: ["/tmp", "/app/cache", "/data", "/var/run/app"] });
        });

        it("takes the last stage, or buildTarget's, with what it inherits FROM earlier stages of the file (not what a sibling stage declares)", () => {
            const text = [
                "FROM python:3.12-slim AS base",
                "VOLUME /tmp",
                "USER 10001",
                "FROM base AS production",
                "VOLUME /app/cache",
                "FROM python:3.12-slim AS dev",
                "VOLUME /dev-only",
            ].join("\n");
            expect(builtStage(text)).to.deep.equal({ volumes: ["/dev-only"] });
            expect(builtStage(text, "PRODUCTION")).to.deep.equal({ volumes: ["/tmp", "/app/cache"], user: "10001" });
            expect(builtStage(text, "nosuch")).to.equal(undefined);
        });

        it("takes a stage's own last USER over its parent's, and stops at a FROM that loops on itself", () => {
            expect(builtStage("FROM a AS one\nUSER app\nFROM one AS two\nUSER 0\n")).to.deep.equal({ volumes: [], user: "0" });
            expect(builtStage("FROM loop AS loop\nVOLUME /tmp\n")).to.deep.equal({ volumes: ["/tmp"] });
        });

        it("reads the templates and the portal as declaring /tmp and running as their unprivileged user", () => {
            for (const app of ["shiny", "dash", "flask", "streamlit", "portal"]) {
                const stage = builtStage(fs.readFileSync(path.join(APPS, app, "Dockerfile"), "utf8"));
                expect(stage?.volumes, app).to.deep.equal(["/tmp"]);
                expect(runsAsRoot(stage?.user), app).to.equal(false);
            }
        });

        it("tells root from other users, and says it cannot tell for no USER (the base image's) or a variable", () => {
            for (const u of ["root", "0", "0:0", "root:staff"]) expect(runsAsRoot(u), u).to.equal(true);
            for (const u of ["10001", "app", "1000:1000", "nobody"]) expect(runsAsRoot(u), u).to.equal(false);
            expect(runsAsRoot(undefined)).to.equal(undefined);
            expect(runsAsRoot("${UID}")).to.equal(undefined);
        });
    });
});
