import { expect } from "chai";
import { parsePath, planToJson, renderPlanJson, SECRET_MASK } from "../../plan/planJson";
import { Plan, planConfig, planStack, PROJECT_DIR } from "../../plan/runPlan";
import { SECRET_PLACEHOLDER } from "../../plan/stackFile";
import { devStackWith, one, sharedPlan } from "../helpers";

const IDP_SECRET = "okta-client-secret-7f3a9c2e";

/** `text` holds none of the secrets the mocks generated for `plan`: the app clients' secrets and the cookie secret. */
function expectNoGeneratedSecrets(plan: Plan, text: string): void {
    const clients = plan.resources.filter((r) => r.type === "aws:cognito/userPoolClient:UserPoolClient");
    expect(clients.length).to.equal(5);
    for (const c of clients) {
        expect(c.outputs.clientSecret).to.be.a("string").with.length.above(8);
        expect(text).not.to.contain(c.outputs.clientSecret);
    }
    // Streamlit's cookie secret and the salt of the hashed usage user key.
    const generated = plan.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(generated.map((r) => r.name).sort()).to.deep.equal(["auth-usage-salt", "explorer-cookie-secret"]);
    for (const password of generated) {
        expect(password.outputs.result).to.be.a("string").with.length.above(8);
        expect(text).not.to.contain(password.outputs.result);
    }
}

describe("plan.json", () => {
    let dev: Plan;
    let withIdp: Plan;
    before(async () => {
        dev = await sharedPlan("dev");
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

    it("masks every input path the SDK marked secret: a secret string whole, a secret object only where its secrets are", () => {
        const json = planToJson(dev);
        const text = renderPlanJson(dev);
        let checked = 0;
        for (const r of dev.resources) {
            const written = json.resources.find((x) => x.urn === r.urn)!;
            for (const p of r.secretInputs) {
                const raw = parsePath(p).reduce((v: any, k) => v?.[k], r.inputs);
                const value = parsePath(p).reduce((v: any, k) => v?.[k], written.inputs);
                if (typeof raw === "string") expect(value, `${r.name} ${p}`).to.equal(SECRET_MASK);
                else expect(JSON.stringify(value), `${r.name} ${p}`).to.contain(JSON.stringify(SECRET_MASK));
                checked++;
            }
        }
        expect(checked).to.be.at.least(10); // listener rule actions, registries, SSM values
        // The docker registries show where they push, not the ECR token.
        const image = json.resources.find((r) => r.name === "kpis-image")!;
        expect((image.inputs as any).registries).to.deep.equal([{ address: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", password: SECRET_MASK, username: "AWS" }]);
        expect(text).not.to.contain("offline-plan-token");
    });

    it("shows each host's listener actions: authenticate (order 1) with issuer, endpoints and client id, then forward (order 2); only the client secret is masked", () => {
        const json = planToJson(dev);
        const rules = json.resources.filter((r) => r.type === "aws:lb/listenerRule:ListenerRule"
            && (r.inputs as any).conditions.some((c: any) => c.hostHeader));
        // Each scale-to-zero dashboard (all four in dev) also has its waker's rule, behind the same login.
        expect(rules.map((r) => r.name).sort()).to.deep.equal(["explorer-rule", "explorer-wake-rule", "kpis-rule", "kpis-wake-rule", "portal-rule", "ridge-lasso-rule", "ridge-lasso-wake-rule", "sentiment-rule", "sentiment-wake-rule"]);
        const issuer = (dev.outputs.loginUrl as string).replace(/^https:\/\//, "");
        for (const rule of rules) {
            const dashboard = rule.name.replace(/(-wake)?-rule$/, "");
            const client = one(dev, "aws:cognito/userPoolClient:UserPoolClient", (c) => c.name === `auth-client-${dashboard}`);
            const actions = (rule.inputs as any).actions;
            expect(actions, rule.name).to.be.an("array");
            expect(actions.map((a: any) => [a.order, a.type]), rule.name).to.deep.equal([[1, "authenticate-oidc"], [2, "forward"]]);
            const oidc = actions[0].authenticateOidc;
            expect(oidc, rule.name).to.deep.include({
                issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${dev.outputs.userPoolId}`,
                authorizationEndpoint: `https://${issuer}/oauth2/authorize`,
                tokenEndpoint: `https://${issuer}/oauth2/token`,
                userInfoEndpoint: `https://${issuer}/oauth2/userInfo`,
                clientId: client.id,
                clientSecret: SECRET_MASK,
                onUnauthenticatedRequest: "authenticate",
            });
            expect(actions[1].targetGroupArn, rule.name).to.match(new RegExp(`^arn:aws:elasticloadbalancing:.*:targetgroup/.*${dashboard}`));
        }
    });

    it("has no client secret of the dev stack anywhere (the values the mock generated, read from the clients' outputs)", () => {
        expectNoGeneratedSecrets(dev, renderPlanJson(dev));
    });

    it("contains no secret value: IdP client secret, ECR password, app client secrets, generated cookie secret", () => {
        const text = renderPlanJson(withIdp);
        expect(text).not.to.contain(IDP_SECRET);
        expect(text).not.to.contain("offline-plan-token"); // the mock's ECR authorization password
        expectNoGeneratedSecrets(withIdp, text);
        // The IdP itself is still there, with its details; only the client secret in them is masked.
        const idp = planToJson(withIdp).resources.find((r) => r.type === "aws:cognito/identityProvider:IdentityProvider")!;
        expect((idp.inputs as any).providerDetails).to.deep.include({ client_id: "0oa1b2c3d4", client_secret: SECRET_MASK, oidc_issuer: "https://acme.okta.com" });
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

    it("masks a secret object whole when none of its values is a known secret (the SDK does not say which one is)", () => {
        const resource = (name: string, inputs: Record<string, unknown>, secretInputs: string[]) => ({
            urn: `urn:${name}`, type: "t:x", name, custom: true, inputs, secretInputs, outputs: {},
            protect: false, retainOnDelete: false, dependsOn: [], deleteBeforeReplace: false, additionalSecretOutputs: [],
        });
        const plan: Plan = {
            project: "p", stack: "s", outputs: {},
            resources: [
                resource("a", { conf: { region: "eu-west-1", token: "unknown-secret-value-1" }, list: ["unknown-secret-value-2"], open: "visible" }, ["conf", "list"]),
                resource("b", { conf: { server: "registry.example.com", password: "known-by-field-name" } }, ["conf"]),
            ],
        };
        const json = JSON.parse(renderPlanJson(plan));
        expect(json.resources[0].inputs).to.deep.equal({ conf: SECRET_MASK, list: SECRET_MASK, open: "visible" });
        expect(json.resources[1].inputs.conf).to.deep.equal({ password: SECRET_MASK, server: "registry.example.com" });
    });
});
