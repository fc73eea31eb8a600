/**
 * The docker-build test double over gRPC, started as the engine starts it (engine/bin/pulumi-resource-docker-build,
 * the program's directory as working directory), next to the aws double that owns the fake ECR.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { Props, UNKNOWN } from "../../engine/providers/shared";
import { isSecret, ProviderProcess, rejection, secret, tempDir } from "./providerClient";

const IMAGE = "docker-build:index:Image";
const REPO = "aws:ecr/repository:Repository";
const NOT_FOUND = /failed to compute cache key: failed to calculate checksum of ref [0-9a-f-]+::[0-9a-z]{25}: /;

/** The sales dashboard's Dockerfile: every COPY/ADD form the double reads, all satisfiable. */
const SALES_DOCKERFILE = `# syntax=docker/dockerfile:1
ARG PY=3.12
FROM python:\${PY}-slim AS base
WORKDIR /app
COPY --chown=app:app requirements.txt ./
RUN pip install -r requirements.txt

# the image that runs
FROM base AS production
COPY --from=dashboards-platform healthcheck.py /usr/local/bin/
COPY ["app.py", "pages/", "/app/"]
COPY --link --chmod=644 *.py \\
     # a comment inside a continuation
     pages \\
     /app/
COPY . /src/
COPY --from=base /app/requirements.txt /tmp/
COPY --from=0 /etc/os-release /tmp/
COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/
ADD https://example.com/robots.txt /tmp/
COPY <<EOF /app/config.toml
[server]
port = 8080
EOF
COPY $CONFIG /app/
CMD ["python", "app.py"]
`;

function write(root: string, files: Record<string, string>): void {
    for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
    }
}

describe("docker-build test double (engine/bin/pulumi-resource-docker-build)", function () {
    this.timeout(60_000);
    let program: string;
    let build: ProviderProcess;
    let aws: ProviderProcess;
    let repo: { id: string; outs: Props; inputs: Props };
    let host: string;
    /** The dashboard's build, as components/dashboardService.ts declares it. */
    const image = (more: Props = {}): Props => ({
        context: { location: "apps/sales", named: { "dashboards-platform": { location: "apps/shared" } } },
        dockerfile: { location: "apps/sales/Dockerfile" },
        platforms: ["linux/amd64"],
        push: true,
        tags: [`${repo.outs.repositoryUrl}:dev`],
        registries: [{ address: host, username: "AWS", password: secret("token-1") }],
        buildOnPreview: false,
        ...more,
    });
    /** The same build from an inline Dockerfile (which uses the context's .dockerignore). */
    const inline = (text: string, more: Props = {}) => image({ dockerfile: { inline: text }, ...more });
    const failureOf = async (news: Props) => (await build.check(IMAGE, "img", news)).failures;

    before(async () => {
        program = tempDir("docker-build-program-");
        write(program, {
            "apps/sales/Dockerfile": SALES_DOCKERFILE,
            "apps/sales/requirements.txt": "dash\n",
            "apps/sales/app.py": "app = 1\n",
            "apps/sales/pages/one.py": "page = 1\n",
            "apps/sales/secrets.env": "KEY=1\n",
            "apps/sales/notes/todo.md": "later\n",
            "apps/sales/.dockerignore": "secrets.env\nnotes/\n",
            "apps/sales/Dockerfile.dev": "FROM python:3.12\nCOPY secrets.env app.py /app/\n",
            "apps/sales/Dockerfile.dev.dockerignore": "app.py\n",
            "apps/streamlit/app.py": "import streamlit\n",
            "apps/shared/healthcheck.py": "ok = True\n",
            "apps/shared/private.key": "secret\n",
            "apps/shared/.dockerignore": "private.key\n",
        });
        const cloudDir = tempDir("fake-cloud-docker-build-");
        aws = await ProviderProcess.start("aws", { cloudDir, cwd: program });
        await aws.configure({ region: "eu-west-1" });
        build = await ProviderProcess.start("docker-build", { cloudDir, cwd: program });
        await build.configure();
        repo = await aws.checkAndCreate(REPO, "repo", { name: "dev-sales", forceDelete: false });
        host = repo.outs.repositoryUrl.split("/")[0];
    });
    after(() => {
        build?.close();
        aws?.close();
    });

    it("reports the version @pulumi/docker-build requests, and refuses other types", async () => {
        expect(await build.pluginVersion()).to.equal(require("@pulumi/docker-build/package.json").version);
        expect(await rejection(build.check("docker-build:index:Index", "idx", { tag: "x", sources: [] })))
            .to.contain("docker-build:index:Index is not implemented by the docker-build test double");
    });

    it("fails Check without push (required in the schema) and sets the provider's defaults", async () => {
        const { push: _push, ...rest } = image();
        expect(await failureOf(rest)).to.deep.equal([{ property: "push", reason: "Missing required field 'push' on 'internal.ImageArgs'" }]);
        const { inputs, failures } = await build.check(IMAGE, "img", { push: false, context: { location: "apps/sales" } });
        expect(failures).to.deep.equal([]);
        expect(inputs.dockerfile).to.deep.equal({ location: "apps/sales/Dockerfile" });
        expect(inputs.buildOnPreview).to.equal(true);
        expect((await build.check(IMAGE, "img", { push: false })).inputs.context).to.deep.equal({ location: "." });
    });

    it("fails Check on a missing context directory or Dockerfile, and on both a location and an inline Dockerfile", async () => {
        expect(await failureOf(image({ context: { location: "apps/nope" }, dockerfile: undefined }))).to.deep.equal([
            { property: "context.location", reason: `"apps/nope": not a valid directory or URL` },
            { property: "dockerfile.location", reason: `open ${path.join(fs.realpathSync(program), "apps/nope/Dockerfile")}: no such file or directory` },
        ]);
        expect(await failureOf(image({ context: { location: "apps/streamlit" }, dockerfile: undefined }))).to.deep.equal([
            { property: "dockerfile.location", reason: `open ${path.join(fs.realpathSync(program), "apps/streamlit/Dockerfile")}: no such file or directory` },
        ]);
        expect(await failureOf(image({ dockerfile: { location: "apps/sales/Dockerfile", inline: "FROM x\n" } })))
            .to.deep.equal([{ property: "dockerfile", reason: `only specify "file" or "inline", not both` }]);
    });

    it("fails Check on what BuildKit's Dockerfile parser refuses", async () => {
        const reasons = async (text: string) => (await failureOf(inline(text))).map((f) => `${f.property}: ${f.reason}`);
        expect(await reasons("FROM python\nCOPPY app.py /app/\n")).to.deep.equal(["dockerfile.inline: dockerfile parse error on line 2: unknown instruction: COPPY"]);
        expect(await reasons("FROM python\nCOPY app.py\n")).to.deep.equal([
            "dockerfile.inline: dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined",
        ]);
        expect(await reasons("WORKDIR /app\nFROM python\n")).to.deep.equal(["dockerfile.inline: no build stage in current context"]);
        expect(await reasons("FROM python AS 1st\n")).to.deep.equal([
            `dockerfile.inline: dockerfile parse error on line 1: invalid name for build stage: "1st", name can't start with a number or contain symbols`,
        ]);
        expect(await reasons("# only a comment\n")).to.deep.equal(["dockerfile.inline: file with no instructions"]);
    });

    it("fails Check when pushing without a tag", async () => {
        expect(await failureOf(image({ tags: [] }))).to.deep.equal([{ property: "exports[0]", reason: "at least one tag or export name is needed when pushing to a registry" }]);
    });

    it("'builds' and pushes: digest, ref <tag>@<digest>, id the digest, password secret, deterministic; ecr getImage finds it", async () => {
        const a = await build.checkAndCreate(IMAGE, "img", image());
        const b = await build.checkAndCreate(IMAGE, "img-again", image());
        expect(a.outs.digest).to.match(/^sha256:[0-9a-f]{64}$/);
        expect(a.outs.ref).to.equal(`${repo.outs.repositoryUrl}:dev@${a.outs.digest}`);
        expect(a.id).to.equal(a.outs.digest);
        expect(a.outs.contextHash).to.match(/^[0-9a-f]{64}$/);
        expect(b.outs.digest).to.equal(a.outs.digest);
        expect(isSecret(a.outs.registries[0].password)).to.equal(true);
        const found = await aws.invoke("aws:ecr/getImage:getImage", { repositoryName: "dev-sales", imageDigest: a.outs.digest });
        expect(found.imageDigest).to.equal(a.outs.digest);
        // The build depends on platforms and build args.
        expect((await build.checkAndCreate(IMAGE, "arm", image({ platforms: ["linux/arm64"] }))).outs.digest).to.not.equal(a.outs.digest);
    });

    it("does not export without push: digest empty, ref the first tag, id the resource name", async () => {
        const { id, outs } = await build.checkAndCreate(IMAGE, "local", image({ push: false }));
        expect(outs.digest).to.equal("");
        expect(outs.ref).to.equal(`${repo.outs.repositoryUrl}:dev`);
        expect(id).to.equal("local");
    });

    it("in a preview: digest, ref and contextHash unknown; builds (without pushing) unless buildOnPreview is false or an input is unknown", async () => {
        const broken = inline("FROM python\nCOPY requirements.txt /app/\n", { context: { location: "apps/streamlit" } });
        const { outs } = await build.create(IMAGE, "img", image(), true);
        expect([outs.digest, outs.ref, outs.contextHash]).to.deep.equal([UNKNOWN, UNKNOWN, UNKNOWN]);
        expect(await rejection(build.create(IMAGE, "img", { ...broken, buildOnPreview: true }, true))).to.match(NOT_FOUND);
        expect((await build.create(IMAGE, "img", { ...broken, buildOnPreview: false }, true)).outs.digest).to.equal(UNKNOWN);
        expect((await build.create(IMAGE, "img", { ...broken, buildOnPreview: true, tags: [UNKNOWN] }, true)).outs.digest).to.equal(UNKNOWN);
    });

    it("refuses a COPY source the context does not have: BuildKit's 'failed to calculate checksum ... not found'", async () => {
        const msg = await rejection(build.checkAndCreate(IMAGE, "st", inline("FROM python\nCOPY requirements.txt /app\n", { context: { location: "apps/streamlit" } })));
        expect(msg).to.match(NOT_FOUND);
        expect(msg).to.contain(`"/requirements.txt": not found`);
        expect(msg).to.contain("Dockerfile (inline):2: COPY requirements.txt /app");
        for (const source of ["./pages/two.py", "/missing/", "pages/one.py/x"]) {
            expect(await rejection(build.checkAndCreate(IMAGE, "img", inline(`FROM python\nCOPY ${source} /app/\n`)))).to.match(NOT_FOUND);
        }
        // JSON form and flags are read too.
        expect(await rejection(build.checkAndCreate(IMAGE, "img", inline(`FROM python\nCOPY --chown=1:1 ["app.py", "main.py", "/app/"]\n`)))).to.contain(`"/main.py": not found`);
    });

    it("refuses what the ignore file leaves out: <Dockerfile>.dockerignore first, else <context>/.dockerignore (also for an inline Dockerfile)", async () => {
        expect(await rejection(build.checkAndCreate(IMAGE, "img", inline("FROM python\nCOPY secrets.env /app/\n")))).to.contain(`"/secrets.env": not found`);
        expect(await rejection(build.checkAndCreate(IMAGE, "img", inline("FROM python\nCOPY notes/todo.md /app/\n")))).to.contain(`"/notes/todo.md": not found`);
        // Dockerfile.dev has its own ignore file: secrets.env is sent, app.py is not.
        const msg = await rejection(build.checkAndCreate(IMAGE, "img", image({ dockerfile: { location: "apps/sales/Dockerfile.dev" } })));
        expect(msg).to.contain(`"/app.py": not found`);
        expect(msg).to.contain("Dockerfile.dev.dockerignore");
    });

    it("accepts globs that match nothing (BuildKit allows an empty wildcard) but not one under a missing directory; skips $VARs", async () => {
        await build.checkAndCreate(IMAGE, "img", inline("FROM python\nCOPY *.txt *.csv pages/*.py /app/\nCOPY $APP_DIR/ /app/\n"));
        expect(await rejection(build.checkAndCreate(IMAGE, "img", inline("FROM python\nCOPY data/*.csv /app/\n")))).to.match(/lstat \S+\/data: no such file or directory/);
        expect(await rejection(build.checkAndCreate(IMAGE, "img", inline("FROM python\nCOPY notes/*.md /app/\n")))).to.match(/lstat \S+\/notes: no such file or directory/);
    });

    it("checks COPY --from=<named context> in that context after its own .dockerignore, and refuses a named context that does not exist", async () => {
        const from = (source: string) => inline(`FROM python\nCOPY --from=dashboards-platform ${source} /opt/\n`);
        await build.checkAndCreate(IMAGE, "img", from("healthcheck.py"));
        expect(await rejection(build.checkAndCreate(IMAGE, "img", from("wake.py")))).to.contain(`"/wake.py": not found`);
        const excluded = await rejection(build.checkAndCreate(IMAGE, "img", from("private.key")));
        expect(excluded).to.contain(`"/private.key": not found`);
        expect(excluded).to.contain("named context dashboards-platform (apps/shared)");
        // Without the named context, the same --from is an image: not checked.
        await build.checkAndCreate(IMAGE, "img", { ...from("wake.py"), context: { location: "apps/sales" } });
        expect(await rejection(build.checkAndCreate(IMAGE, "img", image({ context: { location: "apps/sales", named: { "dashboards-platform": { location: "apps/platform" } } } }))))
            .to.contain("failed to get build context dashboards-platform: stat apps/platform: no such file or directory");
    });

    it("builds only the stages the target needs, and refuses a target no stage has", async () => {
        const text = "FROM python AS dev\nCOPY dev-tools/ /opt/\n\nFROM python AS Production\nCOPY app.py /app/\n";
        expect((await build.checkAndCreate(IMAGE, "img", inline(text, { target: "production" }))).outs.digest).to.match(/^sha256:/);
        expect(await rejection(build.checkAndCreate(IMAGE, "img", inline(text, { target: "dev" })))).to.contain(`"/dev-tools": not found`);
        expect(await rejection(build.checkAndCreate(IMAGE, "img", inline(text, { target: "prod" })))).to.contain(`target stage "prod" could not be found`);
        // A stage another needs is built too.
        expect(await rejection(build.checkAndCreate(IMAGE, "img", inline(`${text}COPY --from=dev /opt /opt\n`, { target: "production" })))).to.contain(`"/dev-tools": not found`);
    });

    it("diffs like the provider: not on a new ECR token or an ignored file; on a changed file (contextHash), a username or tags", async () => {
        const before = await build.checkAndCreate(IMAGE, "img", image());
        const diff = (news: Props) => build.diff(IMAGE, "img", { id: before.id, olds: before.outs, oldInputs: before.inputs, news });
        const newToken = { registries: [{ address: host, username: "AWS", password: secret("token-2") }] };
        expect((await diff((await build.check(IMAGE, "img", image(newToken))).inputs)).changes).to.equal("none");
        fs.writeFileSync(path.join(program, "apps/sales/secrets.env"), "KEY=2\n");
        fs.writeFileSync(path.join(program, "apps/shared/private.key"), "other\n");
        expect((await diff(before.inputs)).changes).to.equal("none");
        expect((await diff({ ...before.inputs, registries: [{ address: host, username: "other", password: secret("t") }] })).diffs).to.deep.equal(["registries[0]"]);
        expect((await diff({ ...before.inputs, tags: [`${repo.outs.repositoryUrl}:prod`] })).diffs).to.deep.equal(["tags"]);
        fs.writeFileSync(path.join(program, "apps/shared/healthcheck.py"), "ok = False\n");
        const d = await diff(before.inputs);
        expect(d.diffs).to.deep.equal(["contextHash"]);
        expect(d.replaces).to.deep.equal([]);
        const after = await build.update(IMAGE, "img", { id: before.id, olds: before.outs, oldInputs: before.inputs, news: before.inputs });
        expect(after.digest).to.not.equal(before.outs.digest);
        expect((await build.diff(IMAGE, "img", { id: before.id, olds: after, oldInputs: before.inputs, news: before.inputs })).changes).to.equal("none");
    });

    it("cannot push to an ECR repository that does not exist, nor without credentials for its host", async () => {
        const missing = `${repo.outs.repositoryUrl.replace("dev-sales", "nope")}:dev`;
        expect(await rejection(build.checkAndCreate(IMAGE, "nope", image({ tags: [missing] })))).to.contain("name unknown: The repository with name 'nope' does not exist in the registry with id '123456789012'");
        expect(await rejection(build.checkAndCreate(IMAGE, "anon", image({ registries: [] })))).to.contain("no basic auth credentials");
        expect(await rejection(build.checkAndCreate(IMAGE, "other", image({ registries: [{ address: "docker.io", username: "u", password: secret("p") }] })))).to.contain("no basic auth credentials");
    });

    it("deletes the pushed manifest by digest, as the provider does: ecr getImage then fails, refresh finds it gone, the repository can go", async () => {
        const own = await aws.checkAndCreate(REPO, "own", { name: "dev-own", forceDelete: false });
        const img = await build.checkAndCreate(IMAGE, "own-img", image({ tags: [`${own.outs.repositoryUrl}:dev`] }));
        expect(await rejection(aws.delete(REPO, "own", own.id, own.outs, own.inputs))).to.contain("RepositoryNotEmptyException");
        await build.delete(IMAGE, "own-img", img.id, img.outs, img.inputs);
        expect(await rejection(aws.invoke("aws:ecr/getImage:getImage", { repositoryName: "dev-own", imageDigest: img.outs.digest }))).to.contain("ImageNotFoundException");
        expect((await build.read(IMAGE, "own-img", img.id, img.outs, img.inputs)).id).to.equal("");
        await aws.delete(REPO, "own", own.id, own.outs, own.inputs);
    });
});
