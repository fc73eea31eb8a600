/**
 * The usage salt leaving the login trigger's environment, on the real Pulumi engine: dev deployed
 * by the last release that gave the trigger the salt as `USAGE_USER_KEY_SALT` upgrades to the
 * SecureString `/<project>/<stack>/<component>/usage-salt`. The release note says every user keeps their key:
 * the parameter holds the very value the environment held (the same RandomPassword, not made
 * anew), encrypted with a KMS key of its own, the function no longer has the variable, and nothing
 * else changes but the operations dashboard, renamed with its region in the same release (docs/operations.md).
 */
import { expect } from "chai";
import * as path from "path";
import { reveal } from "../../../engine/providers/shared";
import { EngineWorkspace, LINKED, REPO, sourcesAt, tail, TLS_POLICY_UPDATE } from "./workspace";

/** The last release of main with the salt in the trigger's environment. */
const RELEASED_WITH_SALT_IN_ENVIRONMENT = "525154aec9d54eb14472b402fa58407549fb8db0";
const SALT_PARAMETER = "/dashboards/dev/auth/usage-salt";

interface PreviewJson {
    steps?: { op: string; urn: string }[];
}
type CloudRecord = { type: string; id: string; name?: string; props?: Record<string, any> };

describe("dev: the usage salt moving from the trigger's environment to SSM (real engine)", function () {
    this.timeout(1_800_000);
    let ws: EngineWorkspace;
    let releasedSalt: string;
    const run = (args: string[]) => ws.pulumi(["--stack", "dev", ...args]);
    const records = () => ws.cloudResources() as CloudRecord[];
    const trigger = () => records().find((r) => r.type === "aws:lambda/function:Function" && String(r.id).includes("pre-token"))!;
    const saltRecords = () => records().filter((r) => r.type === "random:index/randomPassword:RandomPassword");

    before(() => {
        ws = new EngineWorkspace("usage-salt");
        ws.linkSources(sourcesAt(RELEASED_WITH_SALT_IN_ENVIRONMENT, path.join(ws.dir, "released")));
        ws.addStack("dev");
    });
    after(() => ws?.dispose());

    it("deploys dev with the release that put the salt in the function's environment", () => {
        expect(ws.pulumi(["stack", "init", "dev", "--secrets-provider", "passphrase"]).code).to.equal(0);
        const r = run(["up", "--yes", "--skip-preview"]);
        expect(r.code, tail(r)).to.equal(0);
        releasedSalt = reveal(trigger().props!.environment).variables.USAGE_USER_KEY_SALT;
        expect(releasedSalt).to.be.a("string").with.length(32);
    });

    it("previews the upgrade as the salt's parameter and key, the trigger's and its role policy's updates and the renamed operations dashboard, nothing else", () => {
        // The program's sources of this checkout; the dashboards' folders stay the release's (a changed
        // platform helper rebuilds the Python images, by design, which is not this test's subject).
        ws.linkSources(REPO, LINKED.filter((name) => name !== "apps"));
        const r = run(["preview", "--json"]);
        expect(r.code, tail(r)).to.equal(0);
        const steps = (JSON.parse(r.stdout) as PreviewJson).steps ?? [];
        const changed = steps.filter((s) => s.op !== "same" && s.op !== "read").map((s) => `${s.op} ${s.urn.split("::")[2].split("$").pop()} ${s.urn.split("::").pop()}`).sort();
        expect(changed).to.deep.equal([
            "create aws:kms/key:Key auth-usage-salt-key",
            "create aws:ssm/parameter:Parameter auth-usage-salt-parameter",
            "replace aws:cloudwatch/dashboard:Dashboard operations-lb0",
            "update aws:iam/rolePolicy:RolePolicy auth-pre-token-policy",
            "update aws:lambda/function:Function auth-pre-token",
            // The waker's code changed since (no wake from a frame, no routing on a cached view): each waker is updated in place.
            "update aws:lambda/function:Function explorer-waker",
            "update aws:lambda/function:Function kpis-waker",
            "update aws:lambda/function:Function ridge-lasso-waker",
            "update aws:lambda/function:Function sentiment-waker",
            // And sign-out's (only a page load signs out).
            "update aws:lambda/function:Function sign-out-fn",
            // The post-quantum TLS policy, in place (dev has no alarm emails, so no throttle alarms).
            TLS_POLICY_UPDATE,
        ]);
    });

    it("pulumi up keeps every user's key: the parameter holds the environment's salt, which the function no longer has", () => {
        const saltsBefore = saltRecords().map((r) => r.id);
        const r = run(["up", "--yes", "--skip-preview"]);
        expect(r.code, tail(r)).to.equal(0);
        const parameter = records().find((x) => x.type === "aws:ssm/parameter:Parameter" && x.id === SALT_PARAMETER);
        expect(parameter, "the salt's parameter in the fake cloud").to.not.equal(undefined);
        expect(reveal(parameter!.props!.type)).to.equal("SecureString");
        expect(reveal(parameter!.props!.value)).to.equal(releasedSalt);
        // Under the salt's own key, which the trigger's role may use for that parameter only.
        const saltKeys = records().filter((x) => x.type === "aws:kms/key:Key" && String(reveal(x.props!.description)).includes(SALT_PARAMETER));
        expect(saltKeys).to.have.length(1);
        expect(reveal(parameter!.props!.keyId)).to.equal(reveal(saltKeys[0].props!.arn));
        const rolePolicy = records().find((x) => x.type === "aws:iam/rolePolicy:RolePolicy" && String(reveal(x.props!.policy)).includes("DecryptUsageSalt"));
        const decrypt = JSON.parse(reveal(rolePolicy!.props!.policy)).Statement.find((st: { Sid: string }) => st.Sid === "DecryptUsageSalt");
        expect(decrypt.Resource).to.equal(reveal(saltKeys[0].props!.arn));
        expect(saltRecords().map((x) => x.id)).to.deep.equal(saltsBefore);
        const variables = reveal(trigger().props!.environment).variables as Record<string, string>;
        expect(variables).to.not.have.property("USAGE_USER_KEY_SALT");
        expect(variables).to.include({ ACCESS_MAP_PATH: "/dashboards/dev/auth/access", USAGE_USER_KEY: "hashed", USAGE_SALT_PARAMETER: SALT_PARAMETER });
        const again = run(["preview", "--expect-no-changes"]);
        expect(again.code, tail(again)).to.equal(0);
    });
});
