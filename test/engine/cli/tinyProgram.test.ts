/**
 * The doubles under the real Pulumi engine: a throwaway JavaScript program (a target group and a
 * random password) through `pulumi preview`, `up`, a second `preview --expect-no-changes`,
 * `stack export` and `destroy`, with a file backend, a passphrase and the doubles found on PATH
 * as ambient plugins; then a second stack taking the same target-group name in the same fake
 * cloud, which AWS refuses. Runs in scripts/engine-check.sh, which provides the CLI.
 */
import { expect } from "chai";
import { EngineWorkspace } from "./workspace";

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
    let ws: EngineWorkspace;

    before(() => {
        ws = new EngineWorkspace("tiny");
        ws.useProgram("tiny", PROGRAM);
    });
    after(() => ws?.dispose());

    const pulumi = (...args: string[]) => {
        const r = ws.pulumi(args);
        return { code: r.code, out: r.output, stdout: r.stdout };
    };
    const ok = (...args: string[]) => {
        const r = pulumi(...args);
        expect(r.code, `pulumi ${args.join(" ")}:\n${r.out}`).to.equal(0);
        return r.out;
    };

    it("previews, deploys, previews again with no changes, keeps the password secret in state, and destroys", () => {
        ok("stack", "init", "dev", "--secrets-provider", "passphrase");
        ok("config", "set", "aws:region", "eu-west-1");
        expect(ok("preview")).to.match(/\+ 3 to create|3 to create/);
        ok("up", "--yes");
        const shown = pulumi("stack", "output", "--json", "--show-secrets");
        expect(shown.code, shown.out).to.equal(0);
        const outputs = JSON.parse(shown.stdout);
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
            ok("stack", "init", stack, "--secrets-provider", "passphrase");
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
