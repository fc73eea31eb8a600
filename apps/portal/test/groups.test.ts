import { expect } from "chai";
// The login trigger's own rule, read-only: the portal cannot import it at run time (its image is
// built from apps/ alone), so this test holds the two implementations to the same answers.
import { readTriggerEvent } from "../../../functions/preTokenGeneration/event.js";
import { idpGroups } from "../src/groups.js";
import { CORP_IDENTITIES, federatedClaims, nativeClaims } from "./support/federation.js";

type Outcome = { groups: string[] } | { rejected: true };

function outcome(read: () => string[]): Outcome {
    try {
        return { groups: read() };
    } catch {
        return { rejected: true };
    }
}

/** What the trigger counts as the user's groups, for a user with no Cognito groups. */
function triggerOutcome(attributes: Record<string, unknown>): Outcome {
    return outcome(() => readTriggerEvent({
        triggerSource: "TokenGeneration_HostedAuth",
        callerContext: { clientId: "portalclient" },
        request: { userAttributes: attributes, groupConfiguration: { groupsToOverride: [] } },
    }).groups);
}

const portalOutcome = (claims: Record<string, unknown>) => outcome(() => idpGroups(claims));

/** [what, claims, expected outcome]: every case is fed to both implementations. */
const CASES: Array<[string, Record<string, unknown>, Outcome]> = [
    // Federated users: every format an IdP produces.
    ["federated, SAML multi-valued rendering", federatedClaims("[sales, ops]"), { groups: ["sales", "ops"] }],
    ["federated, OIDC JSON array", federatedClaims('["sales","ops"]'), { groups: ["sales", "ops"] }],
    ["federated, comma-separated", federatedClaims("sales,ops"), { groups: ["sales", "ops"] }],
    ["federated, one group", federatedClaims("sales"), { groups: ["sales"] }],
    ["federated, quoted items and blanks", federatedClaims(` 'sales' , , "ops" `), { groups: ["sales", "ops"] }],
    ["federated, duplicates", federatedClaims('["sales","sales"," sales "]'), { groups: ["sales"] }],
    ["federated, a truncated JSON array", federatedClaims('["sales","op'), { groups: ["sales", '"op'] }],
    ["federated, group names with commas kept in JSON", federatedClaims('["Sales, EMEA"]'), { groups: ["Sales, EMEA"] }],
    ["federated by user status only", { "cognito:user_status": "EXTERNAL_PROVIDER", "custom:groups": "sales" }, { groups: ["sales"] }],
    ["federated, no custom:groups", { identities: CORP_IDENTITIES }, { groups: [] }],
    ["federated, custom:groups null", federatedClaims(null), { groups: [] }],
    // Separators only: nothing, never a group named "," or "[]".
    ["federated, empty string", federatedClaims(""), { groups: [] }],
    ["federated, blanks", federatedClaims("   "), { groups: [] }],
    ["federated, commas only", federatedClaims(",,,"), { groups: [] }],
    ["federated, empty JSON array", federatedClaims("[]"), { groups: [] }],
    ["federated, brackets and commas", federatedClaims("[ , ,]"), { groups: [] }],
    ["federated, quotes only", federatedClaims(`"", ''`), { groups: [] }],
    ["federated, a lone bracket", federatedClaims("["), { groups: [] }],
    // Non-string JSON items are dropped (dropping can only reduce access).
    ["federated, non-string JSON items", federatedClaims('[1, null, true, {"name":"admins"}, ["admins"], "sales"]'), { groups: ["sales"] }],
    // Prototype names are plain strings, never lookups.
    ["federated, prototype names", federatedClaims("constructor,__proto__"), { groups: ["constructor", "__proto__"] }],
    // Non-federated users could write custom:groups themselves: ignored.
    ["native user with custom:groups", nativeClaims('["admins","sales"]'), { groups: [] }],
    ["native, confirmed status", { "cognito:user_status": "CONFIRMED", "custom:groups": "admins" }, { groups: [] }],
    ["identities empty JSON array", { identities: "[]", "custom:groups": "admins" }, { groups: [] }],
    ["identities blank", { identities: "  ", "custom:groups": "admins" }, { groups: [] }],
    ["identities not a string", { identities: [{ providerName: "CorpIdP" }], "custom:groups": "admins" }, { groups: [] }],
    ["user status in another case", { "cognito:user_status": "external_provider", "custom:groups": "admins" }, { groups: [] }],
    // A custom:groups that is not a string fails closed, federated or not.
    ["federated, custom:groups as an array", federatedClaims(["admins"]), { rejected: true }],
    ["federated, custom:groups as a number", federatedClaims(42), { rejected: true }],
    ["federated, custom:groups as a boolean", federatedClaims(true), { rejected: true }],
    ["federated, custom:groups as an object", federatedClaims({ admins: true }), { rejected: true }],
    ["native, custom:groups as an array", nativeClaims(["admins"]), { rejected: true }],
];

describe("IdP groups from verified claims (custom:groups)", () => {
    for (const [what, claims, expected] of CASES) {
        it(`${what}: the portal answers as the login trigger does`, () => {
            expect(portalOutcome(claims)).to.deep.equal(expected);
            expect(triggerOutcome(claims)).to.deep.equal(expected);
        });
    }

    describe("huge values neither crash nor take long", () => {
        const huge: Array<[string, string]> = [
            ["a 1 MB name", "a".repeat(1 << 20)],
            ["half a million separators", ",".repeat(500_000)],
            ["a 100k-item JSON array", JSON.stringify(Array.from({ length: 100_000 }, (_, i) => `g${i % 100}`))],
            ["deeply nested brackets", "[".repeat(100_000) + "]".repeat(100_000)],
        ];
        for (const [what, value] of huge) {
            it(`${what}: the same answer from both, quickly`, () => {
                const started = Date.now();
                const portal = portalOutcome(federatedClaims(value));
                expect(Date.now() - started).to.be.below(2000);
                expect(portal).to.deep.equal(triggerOutcome(federatedClaims(value)));
                expect(portalOutcome(nativeClaims(value))).to.deep.equal({ groups: [] });
            });
        }
    });
});
