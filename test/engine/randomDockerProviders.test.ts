/**
 * The random and docker test doubles over gRPC, started as the engine starts them.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { UNKNOWN } from "../../engine/providers/shared";
import { isSecret, ProviderProcess, rejection, secret, tempDir } from "./providerClient";

const PASSWORD = "random:index/randomPassword:RandomPassword";
const STRING = "random:index/randomString:RandomString";
const IMAGE = "docker:index/image:Image";
const REPO = "aws:ecr/repository:Repository";


describe("random test double (engine/bin/pulumi-resource-random)", function () {
    this.timeout(60_000);
    let random: ProviderProcess;
    before(async () => {
        random = await ProviderProcess.start("random");
        await random.configure();
    });
    after(() => random?.close());

    it("reports the version @pulumi/random requests", async () => {
        expect(await random.pluginVersion()).to.equal(require("@pulumi/random/package.json").version);
    });

    it("generates a password of the asked length and minimums, as a secret", async () => {
        const { id, outs } = await random.checkAndCreate(PASSWORD, "pw", { length: 32, special: false, minUpper: 4, minNumeric: 4 });
        expect(id).to.equal("none");
        expect(isSecret(outs.result)).to.equal(true);
        expect(isSecret(outs.bcryptHash)).to.equal(true);
        const pw: string = outs.result.value;
        expect(pw).to.have.length(32);
        expect(pw).to.match(/^[A-Za-z0-9]+$/);
        expect(pw.replace(/[^A-Z]/g, "").length).to.be.at.least(4);
        expect(pw.replace(/[^0-9]/g, "").length).to.be.at.least(4);
    });

    it("generates a string in the clear (the id is the result), unknown during a preview", async () => {
        const { id, outs } = await random.checkAndCreate(STRING, "s", { length: 7, upper: false, special: false });
        expect(outs.result).to.match(/^[a-z0-9]{7}$/);
        expect(id).to.equal(outs.result);
        expect((await random.create(STRING, "s", { length: 7 }, true)).outs.result).to.equal(UNKNOWN);
    });

    it("rejects a length shorter than the minimums add up to", async () => {
        const { failures } = await random.check(PASSWORD, "pw", { length: 4, minUpper: 3, minNumeric: 3 });
        expect(failures.map((f) => f.property)).to.deep.equal(["length"]);
        expect(failures[0].reason).to.contain("at least sum of min_upper + min_lower + min_numeric + min_special (6), got: 4");
    });

    it("replaces on any input change and reports no changes for identical inputs", async () => {
        const olds = { length: 16, special: false };
        expect((await random.diff(PASSWORD, "pw", { id: "none", olds, oldInputs: olds, news: { length: 20, special: false } })).replaces).to.deep.equal(["length"]);
        expect((await random.diff(PASSWORD, "pw", { id: "none", olds, oldInputs: olds, news: { ...olds } })).changes).to.equal("none");
    });
});

describe("docker test double (engine/bin/pulumi-resource-docker)", function () {
    this.timeout(60_000);
    let program: string;
    let cloudDir: string;
    let docker: ProviderProcess;
    let aws: ProviderProcess;
    let repo: { id: string; outs: Record<string, any>; inputs: Record<string, any> };
    const imageInputs = (more: object = {}) => ({
        imageName: `${repo.outs.repositoryUrl}:dev`,
        build: { context: "apps", dockerfile: "apps/shiny/Dockerfile", platform: "linux/amd64" },
        registry: { server: repo.outs.repositoryUrl, username: "AWS", password: secret("token-1") },
        ...more,
    });

    before(async () => {
        // A program directory: the engine starts providers there, and build paths are relative to it.
        program = tempDir("docker-program-");
        fs.mkdirSync(path.join(program, "apps", "shiny"), { recursive: true });
        fs.mkdirSync(path.join(program, "apps", "other"), { recursive: true });
        fs.writeFileSync(path.join(program, "apps", "shiny", "Dockerfile"), "FROM rocker/shiny\nCOPY shiny/ /srv/\n");
        fs.writeFileSync(path.join(program, "apps", "shiny", "Dockerfile.dockerignore"), "*\n!shiny/\n");
        fs.writeFileSync(path.join(program, "apps", "shiny", "app.R"), "shinyApp()\n");
        fs.writeFileSync(path.join(program, "apps", "other", "big.bin"), "ignored by the Dockerfile's ignore file");
        cloudDir = tempDir("fake-cloud-docker-");
        aws = await ProviderProcess.start("aws", { cloudDir, cwd: program });
        await aws.configure({ region: "eu-west-1" });
        docker = await ProviderProcess.start("docker", { cloudDir, cwd: program });
        await docker.configure();
        repo = await aws.checkAndCreate(REPO, "repo", { name: "dev-shiny", forceDelete: false });
    });
    after(() => {
        docker?.close();
        aws?.close();
    });

    it("reports the version @pulumi/docker requests", async () => {
        expect(await docker.pluginVersion()).to.equal(require("@pulumi/docker/package.json").version);
    });

    it("'builds' by hashing Dockerfile and context into a deterministic repoDigest, unknown during a preview", async () => {
        const a = await docker.checkAndCreate(IMAGE, "image", imageInputs());
        const b = await docker.checkAndCreate(IMAGE, "image-again", imageInputs());
        expect(a.outs.repoDigest).to.match(/^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/dev-shiny@sha256:[0-9a-f]{64}$/);
        expect(b.outs.repoDigest).to.equal(a.outs.repoDigest);
        expect(a.outs.imageName).to.equal(`${repo.outs.repositoryUrl}:dev`);
        expect(isSecret(a.outs.registry.password)).to.equal(true);
        expect((await docker.create(IMAGE, "image", imageInputs(), true)).outs.repoDigest).to.equal(UNKNOWN);
    });

    it("follows the context: a changed app file is a new digest and a diff on build; an ignored file and a new ECR token are not", async () => {
        const before = await docker.checkAndCreate(IMAGE, "image", imageInputs());
        const diffNow = () => docker.diff(IMAGE, "image", { id: before.id, olds: before.outs, oldInputs: before.inputs, news: imageInputs({ registry: { ...before.inputs.registry, password: secret("token-2") } }) });
        fs.writeFileSync(path.join(program, "apps", "other", "big.bin"), "changed, still ignored");
        expect((await diffNow()).changes).to.equal("none");
        fs.writeFileSync(path.join(program, "apps", "shiny", "app.R"), "shinyApp(ui, server)\n");
        const d = await diffNow();
        expect(d.diffs).to.deep.equal(["build"]);
        expect(d.replaces).to.deep.equal([]);
        const after = await docker.update(IMAGE, "image", { id: before.id, olds: before.outs, oldInputs: before.inputs, news: imageInputs() });
        expect(after.repoDigest).to.not.equal(before.outs.repoDigest);
    });

    it("fails clearly when the Dockerfile is missing (there is no Docker daemon)", async () => {
        const msg = await rejection(docker.checkAndCreate(IMAGE, "broken", imageInputs({ build: { context: "apps", dockerfile: "apps/dash/Dockerfile" } })));
        expect(msg).to.contain("failed to read dockerfile: open apps/dash/Dockerfile: no such file or directory");
    });

    it("cannot push to an ECR repository that does not exist, nor without credentials", async () => {
        const missing = `${repo.outs.repositoryUrl.replace("dev-shiny", "nope")}:dev`;
        expect(await rejection(docker.checkAndCreate(IMAGE, "nope", imageInputs({ imageName: missing })))).to.contain("name unknown: The repository with name 'nope' does not exist");
        expect(await rejection(docker.checkAndCreate(IMAGE, "anon", imageInputs({ registry: { server: repo.outs.repositoryUrl } })))).to.contain("no basic auth credentials");
    });

    it("leaves pushed images behind: the repository cannot be deleted without forceDelete (RepositoryNotEmptyException)", async () => {
        expect(await rejection(aws.delete(REPO, "repo", repo.id, repo.outs, repo.inputs))).to.contain("RepositoryNotEmptyException");
        const forced = await aws.update(REPO, "repo", { id: repo.id, olds: repo.outs, oldInputs: repo.inputs, news: { ...repo.inputs, forceDelete: true } });
        await aws.delete(REPO, "repo", repo.id, forced, { ...repo.inputs, forceDelete: true });
    });
});
