import { expect } from "chai";
import { adminGroupsDocument, clientAccessDocument, clientParameterName, InvalidAccessMapError, parseAccessMap } from "../../functions/preTokenGeneration/accessMap";
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

describe("preTokenGeneration access-map documents", () => {
    const admins = adminGroupsDocument(map.adminGroups);
    const sales = clientAccessDocument(map.clients[SALES]);

    it("reads back what the infrastructure writes: the admin groups and the client's entry", () => {
        expect(parseAccessMap(SALES, { adminGroups: admins, client: sales })).to.deep.equal({ adminGroups: map.adminGroups, clients: { [SALES]: map.clients[SALES] } });
    });

    it("maps no client when the client has no document (unknown: denied even for admins)", () => {
        const parsed = parseAccessMap(SALES, { adminGroups: admins });
        expect(decideAccess(parsed, SALES, map.adminGroups)).to.deep.equal({ allowed: false, reason: "unknown-client" });
    });

    it("ignores unknown keys", () => {
        const parsed = parseAccessMap(SALES, { adminGroups: admins, client: JSON.stringify({ ...JSON.parse(sales), generatedBy: "pulumi" }) });
        expect(parsed.clients[SALES].dashboard).to.equal("sales");
    });

    it("keeps a client id __proto__ as data, not as the prototype", () => {
        const parsed = parseAccessMap("__proto__", { adminGroups: admins, client: clientAccessDocument({ dashboard: "x", accessGroups: [] }) });
        expect(decideAccess(parsed, "__proto__", []).allowed).to.equal(true);
        expect(decideAccess(parsed, "dashboard", []).allowed).to.equal(false);
    });

    it("names a client's parameter only for an id that Cognito could issue and SSM could name", () => {
        expect(clientParameterName("/d/prod/auth/access", SALES)).to.equal(`/d/prod/auth/access/clients/${SALES}`);
        expect(clientParameterName("/d/prod/auth/access", "a_B9")).to.equal("/d/prod/auth/access/clients/a_B9");
        // A "+" is allowed in Cognito ids but not in SSM names; the others would climb or widen the path.
        for (const bad of ["", "a+b", "../admin-groups", "a/b", "a b", "a*", "x".repeat(129), "é"]) {
            expect(clientParameterName("/d/prod/auth/access", bad), bad).to.equal(undefined);
        }
    });

    const invalidAdmins: Array<[string, string, RegExp]> = [
        ["invalid JSON", "{version: 2", /admin groups: not valid JSON/],
        ["an array", "[]", /must be a JSON object/],
        ["the former single-map format", JSON.stringify({ version: 1, adminGroups: [], clients: {} }), /unsupported version 1/],
        ["a missing version", JSON.stringify({ adminGroups: [] }), /unsupported version/],
        ["adminGroups not an array", JSON.stringify({ version: 2, adminGroups: "admins" }), /adminGroups must be an array/],
        ["an empty admin group name", JSON.stringify({ version: 2, adminGroups: [""] }), /adminGroups\[0\]/],
    ];
    for (const [what, json, message] of invalidAdmins) {
        it(`rejects admin groups with ${what}`, () => {
            expect(() => parseAccessMap(SALES, { adminGroups: json, client: sales })).to.throw(InvalidAccessMapError, message);
        });
    }

    const invalidClients: Array<[string, string, RegExp]> = [
        ["invalid JSON", "{", /client entry: not valid JSON/],
        ["another version", JSON.stringify({ ...JSON.parse(sales), version: 3 }), /unsupported version 3/],
        ["no dashboard", JSON.stringify({ version: 2, accessGroups: [] }), /dashboard must be a non-empty string/],
        ["a number among accessGroups", JSON.stringify({ version: 2, dashboard: "sales", accessGroups: [42] }), /accessGroups\[0\]/],
        ["no accessGroups", JSON.stringify({ version: 2, dashboard: "sales" }), /accessGroups must be an array/],
    ];
    for (const [what, json, message] of invalidClients) {
        it(`rejects a client entry with ${what}`, () => {
            expect(() => parseAccessMap(SALES, { adminGroups: admins, client: json })).to.throw(InvalidAccessMapError, message);
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
