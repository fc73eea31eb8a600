import { expect } from "chai";
import { InvalidAccessMapError, parseAccessMap } from "../../functions/preTokenGeneration/accessMap";
import { decideAccess, denialMessage } from "../../functions/preTokenGeneration/decision";
import { parseGroupsAttribute } from "../../functions/preTokenGeneration/event";
import { accessMap as map, SALES_CLIENT as SALES, UNKNOWN_CLIENT, WIKI_CLIENT as WIKI } from "./preTokenGeneration.fixtures";

describe("preTokenGeneration decideAccess", () => {
    it("allows a member of one of the dashboard's access groups", () => {
        expect(decideAccess(map, SALES, ["hr", "finance"])).to.deep.equal({
            allowed: true,
            reason: "access-group",
            dashboard: "sales",
            matchedGroup: "finance",
        });
    });

    it("denies a user in none of the access groups", () => {
        expect(decideAccess(map, SALES, ["marketing"])).to.deep.equal({
            allowed: false,
            reason: "not-in-access-groups",
            dashboard: "sales",
        });
    });

    it("denies a user with no groups on a restricted dashboard", () => {
        expect(decideAccess(map, SALES, []).allowed).to.equal(false);
    });

    it("allows an admin on a restricted dashboard they are not otherwise in", () => {
        const decision = decideAccess(map, SALES, ["marketing", "dashboard-admins"]);
        expect(decision).to.deep.include({ allowed: true, reason: "admin-group", matchedGroup: "dashboard-admins" });
    });

    it("allows every signed-in user on a dashboard with no access groups", () => {
        expect(decideAccess(map, WIKI, [])).to.deep.equal({ allowed: true, reason: "open-dashboard", dashboard: "wiki" });
    });

    it("denies an unknown client id, even for an admin (fail closed)", () => {
        expect(decideAccess(map, UNKNOWN_CLIENT, ["dashboard-admins"])).to.deep.equal({
            allowed: false,
            reason: "unknown-client",
        });
    });

    for (const clientId of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
        it(`treats the client id ${JSON.stringify(clientId)} as unknown, not as an object member`, () => {
            expect(decideAccess(map, clientId, ["dashboard-admins", "sales"]).allowed).to.equal(false);
        });
    }

    it("compares group names exactly (case-sensitive, no trimming of map entries)", () => {
        expect(decideAccess(map, SALES, ["Sales", "DASHBOARD-ADMINS"]).allowed).to.equal(false);
    });
});

describe("preTokenGeneration denialMessage", () => {
    it("names the dashboard and nothing internal", () => {
        const message = denialMessage({ allowed: false, reason: "not-in-access-groups", dashboard: "sales" });
        expect(message).to.equal('Access denied: you are not in a group allowed to open "sales".');
    });

    it("gives a generic message for an unknown client", () => {
        const message = denialMessage({ allowed: false, reason: "unknown-client" });
        expect(message).to.match(/^Access denied: /);
        expect(message).not.to.include(SALES);
    });
});

describe("preTokenGeneration parseAccessMap", () => {
    it("accepts a valid map and returns the same content", () => {
        expect(parseAccessMap(JSON.stringify(map))).to.deep.equal(map);
    });

    it("ignores unknown top-level keys", () => {
        const parsed = parseAccessMap(JSON.stringify({ ...map, generatedBy: "pulumi" }));
        expect(parsed.clients[SALES].dashboard).to.equal("sales");
    });

    it("keeps a client keyed __proto__ as data, not as the prototype", () => {
        const json = `{"version":1,"adminGroups":[],"clients":{"__proto__":{"dashboard":"x","accessGroups":[]}}}`;
        const parsed = parseAccessMap(json);
        expect(decideAccess(parsed, "__proto__", []).allowed).to.equal(true);
        expect(decideAccess(parsed, "dashboard", []).allowed).to.equal(false);
    });

    const invalid: Array<[string, string, RegExp]> = [
        ["invalid JSON", "{version: 1", /not valid JSON/],
        ["an array", "[]", /must be a JSON object/],
        ["another version", JSON.stringify({ ...map, version: 2 }), /unsupported version 2/],
        ["a missing version", JSON.stringify({ adminGroups: [], clients: {} }), /unsupported version/],
        ["adminGroups not an array", JSON.stringify({ ...map, adminGroups: "admins" }), /adminGroups must be an array/],
        ["an empty admin group name", JSON.stringify({ ...map, adminGroups: [""] }), /adminGroups\[0\]/],
        ["clients as an array", JSON.stringify({ ...map, clients: [] }), /clients must be an object/],
        [
            "a client without dashboard",
            JSON.stringify({ ...map, clients: { [SALES]: { accessGroups: [] } } }),
            /\.dashboard must be a non-empty string/,
        ],
        [
            "accessGroups with a number",
            JSON.stringify({ ...map, clients: { [SALES]: { dashboard: "sales", accessGroups: [42] } } }),
            /accessGroups\[0\]/,
        ],
        [
            "a missing accessGroups",
            JSON.stringify({ ...map, clients: { [SALES]: { dashboard: "sales" } } }),
            /accessGroups must be an array/,
        ],
    ];
    for (const [what, json, message] of invalid) {
        it(`rejects ${what}`, () => {
            expect(() => parseAccessMap(json)).to.throw(InvalidAccessMapError, message);
        });
    }
});

describe("preTokenGeneration parseGroupsAttribute", () => {
    const cases: Array<[string, string, string[]]> = [
        ["a JSON array (OIDC)", '["sales","finance"]', ["sales", "finance"]],
        ["a JSON array with spaces in names", '["Sales Team", "Finance"]', ["Sales Team", "Finance"]],
        ["a SAML multi-valued attribute", "[sales, finance]", ["sales", "finance"]],
        ["a SAML attribute with one value", "[sales]", ["sales"]],
        ["a SAML attribute with names containing spaces", "[Sales Team, Finance EU]", ["Sales Team", "Finance EU"]],
        ["a comma-separated list", "sales,finance", ["sales", "finance"]],
        ["a comma-separated list with spaces", " sales , finance ", ["sales", "finance"]],
        ["a single name", "sales", ["sales"]],
        ["an empty string", "", []],
        ["an empty JSON array", "[]", []],
        ["quoted items without JSON syntax", "['sales', 'finance']", ["sales", "finance"]],
        ["duplicates and empties", "sales,,sales, ,finance", ["sales", "finance"]],
        ["non-string JSON items (ignored)", '["sales", 7, null, {"a":1}]', ["sales"]],
        ["a truncated JSON array", '["sales","fin', ["sales", '"fin']],
    ];
    for (const [what, value, groups] of cases) {
        it(`parses ${what}`, () => {
            expect(parseGroupsAttribute(value)).to.deep.equal(groups);
        });
    }
});
