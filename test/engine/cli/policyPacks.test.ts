/**
 * The two policy packs are live under the real CLI, not silently skipped: a small program that breaks
 * one rule of each (an ECR repository without scan on push for ours, a KMS key without rotation for
 * AWSGuard) must fail `pulumi preview` with both mandatory violations named. Without this, a green
 * preview of dev and prod could mean the packs never saw a resource.
 */
import { expect } from "chai";
import * as path from "path";
import { EngineWorkspace, REPO, tail } from "./workspace";

const PROGRAM = `
const aws = require("@pulumi/aws");
new aws.ecr.Repository("unscanned", { imageScanningConfiguration: { scanOnPush: false } });
new aws.kms.Key("unrotated", { enableKeyRotation: false });
`;

describe("policy packs under the real CLI", function () {
    this.timeout(300_000);
    let ws: EngineWorkspace;
    before(() => {
        ws = new EngineWorkspace("policy");
        ws.useProgram("policy-probe", PROGRAM);
        ws.addStack("probe", "config:\n  aws:region: eu-west-1\n");
    });
    after(() => ws?.dispose());

    it("both packs report their mandatory violation and fail the preview", () => {
        expect(ws.pulumi(["stack", "init", "probe", "--secrets-provider", "passphrase"]).code).to.equal(0);
        const r = ws.pulumi(["preview", "--stack", "probe", "--policy-pack", path.join(REPO, "policy"), "--policy-pack", path.join(REPO, "policy", "awsguard")]);
        expect(r.code, tail(r)).to.not.equal(0);
        expect(r.output).to.match(/\[mandatory\][^\n]*ecr-scan-on-push[^\n]*unscanned/);
        expect(r.output).to.match(/\[mandatory\][^\n]*cmk-backing-key-rotation-enabled[^\n]*unrotated/);
    });
});
