/**
 * The doubles under the real Pulumi engine: a throwaway JavaScript program (a target group and a
 * random password) through `pulumi preview`, `up`, a second `preview --expect-no-changes`,
 * `stack export` and `destroy`, with a file backend, a passphrase and the doubles found on PATH
 * as ambient plugins; then a second stack taking the same target-group name in the same fake
 * cloud, which AWS refuses. Needs the CLI (scripts/build-pulumi-cli.sh) and the language host
 * stand-in (engine/bin/pulumi-language-nodejs); skipped, saying which is missing, without them.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../plan/runPlan";
import { BIN_DIR, tempDir } from "./providerClient";

const VERSION = process.env.PULUMI_VERSION ?? "v3.274.1";
const CACHE = process.env.ENGINE_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "dashboards-engine");
const CLI = process.env.PULUMI_CLI ?? path.join(CACHE, `pulumi-${VERSION}`, "bin", "pulumi");
const LANGUAGE_HOST = path.join(BIN_DIR, "pulumi-language-nodejs");

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const aws = require("@pulumi/aws");
const random = require("@pulumi/random");
const config = new pulumi.Config();
const tg = new aws.lb.TargetGroup("tiny-tg", {
    name: config.get("tgName"), port: 8080, protocol: "HTTP", targetType: "ip", vpcId: "vpc-0123456789abcdef0",
});
const password = new random.RandomPassword("tiny-password", { length: 24, special: false });
exports.tgName = tg.name;
exports.tgArn = tg.arn;
exports.password = password.result;
`;

describe("the doubles under the real Pulumi engine (tiny program)", function () {
    this.timeout(600_000);
    let dir: string;
    let env: NodeJS.ProcessEnv;

    before(function () {
        if (!fs.existsSync(CLI)) this.skip(); // no CLI: build it with scripts/build-pulumi-cli.sh
        if (!fs.existsSync(LANGUAGE_HOST)) this.skip(); // no language host stand-in at engine/bin/pulumi-language-nodejs
        dir = tempDir("engine-run-");
        const program = path.join(dir, "program");
        fs.mkdirSync(program);
        fs.writeFileSync(path.join(program, "Pulumi.yaml"), "name: tiny\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
        fs.writeFileSync(path.join(program, "index.js"), PROGRAM);
        // The program's packages: the repository's node_modules (one @pulumi/pulumi for program and runner).
        fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(program, "node_modules"));
        fs.mkdirSync(path.join(dir, "state"));
        env = {
            ...process.env,
            PATH: `${BIN_DIR}${path.delimiter}${path.dirname(CLI)}${path.delimiter}${process.env.PATH}`,
            PULUMI_HOME: path.join(dir, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "engine-check",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            DASHBOARDS_FAKE_CLOUD_DIR: path.join(dir, "cloud"),
        };
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const pulumi = (...args: string[]) => {
        const r = spawnSync(CLI, [...args, "--non-interactive"], { cwd: path.join(dir, "program"), env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
    };
    const ok = (...args: string[]) => {
        const r = pulumi(...args);
        expect(r.code, `pulumi ${args.join(" ")}:\n${r.out}`).to.equal(0);
        return r.out;
    };

    it("previews, deploys, previews again with no changes, keeps the password secret in state, and destroys", () => {
        ok("stack", "init", "dev");
        ok("config", "set", "aws:region", "eu-west-1");
        expect(ok("preview")).to.match(/\+ 3 to create|3 to create/);
        ok("up", "--yes");
        const outputs = JSON.parse(ok("stack", "output", "--json", "--show-secrets"));
        expect(outputs.tgName).to.match(/^tiny-tg-[0-9a-f]{7}$/);
        expect(outputs.tgArn).to.match(/^arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup\/tiny-tg-[0-9a-f]{7}\/[0-9a-f]{16}$/);
        expect(outputs.password).to.match(/^[A-Za-z0-9]{24}$/);
        ok("preview", "--expect-no-changes");
        const state = ok("stack", "export");
        expect(state).to.not.contain(outputs.password);
        expect(state).to.contain("ciphertext");
        ok("destroy", "--yes");
    });

    it("a second stack cannot take a target-group name the first one holds (DuplicateTargetGroupName)", () => {
        for (const stack of ["one", "two"]) {
            ok("stack", "init", stack);
            ok("config", "set", "aws:region", "eu-west-1");
            ok("config", "set", "tgName", "tiny-shared-tg");
        }
        ok("stack", "select", "one");
        ok("up", "--yes");
        ok("stack", "select", "two");
        const clash = pulumi("up", "--yes");
        expect(clash.code).to.not.equal(0);
        expect(clash.out).to.contain("DuplicateTargetGroupName: A target group with the same name 'tiny-shared-tg' exists");
        ok("stack", "select", "one");
        ok("destroy", "--yes");
        ok("stack", "select", "two");
        ok("up", "--yes");
        ok("destroy", "--yes");
    });
});
