import { expect } from "chai";
import { parsePath, planToJson, renderPlanJson, SECRET_MASK } from "../../plan/planJson";
import { Plan, planConfig, planStack, PROJECT_DIR } from "../../plan/runPlan";
import { SECRET_PLACEHOLDER } from "../../plan/stackFile";
import { devStackWith, one } from "../helpers";

const IDP_SECRET = "okta-client-secret-7f3a9c2e";

describe("plan.json", () => {
    let dev: Plan;
    let withIdp: Plan;
    before(async () => {
        dev = await planStack("dev");
        // A company IdP whose client secret is written in clear in the (test) stack file.
        withIdp = await planConfig(devStackWith({
            "dashboards:auth": {
                ...JSON.parse(devStackWith().config["dashboards:auth"]),
                identityProviders: [{ type: "oidc", name: "Okta", issuer: "https://acme.okta.com", clientId: "0oa1b2c3d4", clientSecret: IDP_SECRET, attributeMapping: { email: "email" } }],
            },
        }));
    });

    it("is byte-identical for two plans of the same stack (diffable between commits)", async () => {
        const again = await planStack("dev");
        expect(renderPlanJson(again)).to.equal(renderPlanJson(dev));
    });

    it("sorts resources by URN and every object's keys, and has no absolute paths or timestamps", () => {
        const text = renderPlanJson(dev);
        const json = JSON.parse(text);
        const urns = json.resources.map((r: { urn: string }) => r.urn);
        expect(urns).to.deep.equal([...urns].sort());
        expect(json.resourceCount).to.equal(dev.resources.length);
        const checkSorted = (v: unknown, at: string): void => {
            if (Array.isArray(v)) v.forEach((x, i) => checkSorted(x, `${at}[${i}]`));
            else if (v && typeof v === "object") {
                const keys = Object.keys(v);
                expect(keys, at).to.deep.equal([...keys].sort());
                for (const k of keys) checkSorted((v as Record<string, unknown>)[k], `${at}.${k}`);
            }
        };
        checkSorted(json, "$");
        expect(text).not.to.contain(PROJECT_DIR);
        expect(text).not.to.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    });

    it("keeps what a reviewer diffs: inputs, parents, protect/retainOnDelete, dependsOn and the stack outputs", () => {
        const json = planToJson(dev);
        const pool = json.resources.find((r) => r.type === "aws:cognito/userPool:UserPool")!;
        expect(pool.inputs).to.deep.include({ mfaConfiguration: "OPTIONAL", userPoolTier: "LITE" });
        expect(pool).to.include({ protect: false, retainOnDelete: false });
        expect(pool.parent).to.match(/CognitoAuth::auth$/);
        const service = json.resources.find((r) => r.name === "sentiment-service")!;
        expect(service.dependsOn.length).to.be.above(0);
        expect((json.outputs as Record<string, unknown>).dashboardUrls).to.deep.include({ sentiment: "https://sentiment.dev.dashboards.example.com" });
    });

    it("masks every input path the SDK marked secret", () => {
        const json = planToJson(dev);
        let checked = 0;
        for (const r of dev.resources) {
            const written = json.resources.find((x) => x.urn === r.urn)!;
            for (const p of r.secretInputs) {
                const value = parsePath(p).reduce((v: any, k) => v?.[k], written.inputs);
                expect(value, `${r.name} ${p}`).to.equal(SECRET_MASK);
                checked++;
            }
        }
        expect(checked).to.be.at.least(10); // listener rule actions, registries, SSM values
    });

    it("contains no secret value: IdP client secret, ECR password, app client secrets, generated cookie secret", () => {
        const text = renderPlanJson(withIdp);
        expect(text).not.to.contain(IDP_SECRET);
        expect(text).not.to.contain("offline-plan-token"); // the mock's ECR authorization password
        const clients = withIdp.resources.filter((r) => r.type === "aws:cognito/userPoolClient:UserPoolClient");
        expect(clients.length).to.equal(5);
        for (const c of clients) {
            expect(c.outputs.clientSecret).to.be.a("string").with.length.above(8);
            expect(text).not.to.contain(c.outputs.clientSecret);
        }
        const cookie = one(withIdp, "random:index/randomPassword:RandomPassword");
        expect(cookie.outputs.result).to.be.a("string").with.length.above(8);
        expect(text).not.to.contain(cookie.outputs.result);
        // The IdP itself is still there; its details are secret as a whole (the SDK marks them so).
        const idp = planToJson(withIdp).resources.find((r) => r.type === "aws:cognito/identityProvider:IdentityProvider")!;
        expect((idp.inputs as any).providerDetails).to.equal(SECRET_MASK);
        expect((idp.inputs as any).providerName).to.equal("Okta");
    });

    it("masks the offline placeholder of an encrypted stack-file value, and secrets copied into other strings", () => {
        // Plan with the placeholder where `secure:` was, as the loader does, and a secret that leaks into a plain string.
        const plan: Plan = {
            project: "p", stack: "s", outputs: { note: `token=${IDP_SECRET}` },
            resources: [
                { urn: "urn:a", type: "t:a", name: "a", custom: true, inputs: { clientSecret: IDP_SECRET, other: SECRET_PLACEHOLDER }, secretInputs: [], outputs: {}, protect: false, retainOnDelete: false, dependsOn: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
                { urn: "urn:b", type: "t:b", name: "b", custom: true, inputs: { env: JSON.stringify({ X: IDP_SECRET }) }, secretInputs: [], outputs: {}, protect: false, retainOnDelete: false, dependsOn: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
            ],
        };
        const text = renderPlanJson(plan);
        expect(text).not.to.contain(IDP_SECRET);
        expect(text).not.to.contain(SECRET_PLACEHOLDER);
        expect(JSON.parse(text).resources[1].inputs.env).to.equal(JSON.stringify({ X: SECRET_MASK }));
        expect(JSON.parse(text).outputs.note).to.equal(`token=${SECRET_MASK}`);
    });
});
