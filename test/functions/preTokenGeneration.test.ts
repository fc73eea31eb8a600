import type { GetParametersCommand } from "@aws-sdk/client-ssm";
import type { PreTokenGenerationTriggerEvent, PreTokenGenerationV2TriggerEvent } from "aws-lambda";
import { expect } from "chai";
import {
    createHandler,
    type DecisionLogEntry,
    type HandlerDependencies,
    handler as defaultHandler,
    UNAVAILABLE_MESSAGE,
} from "../../functions/preTokenGeneration/handler";
import { type AccessMap, type AccessMapDocuments, adminGroupsDocument, clientAccessDocument } from "../../functions/preTokenGeneration/accessMap";
import { createAccessMapCache } from "../../functions/preTokenGeneration/accessMapCache";
import { ssmAccessMapLoader } from "../../functions/preTokenGeneration/ssm";
import { accessMap, SALES_CLIENT, UNKNOWN_CLIENT, WIKI_CLIENT } from "./preTokenGeneration.fixtures";

const SALES_DENIED = 'Access denied: you are not in a group allowed to open "sales".';
 
/** What SSM holds for `clientId` when the stack's map is `map`: the admin groups, and the client's entry if it has one. */
function documentsOf(map: AccessMap, clientId: string): AccessMapDocuments {
    const entry = Object.hasOwn(map.clients, clientId) ? map.clients[clientId] : undefined;
    return entry ? { adminGroups: adminGroupsDocument(map.adminGroups), client: clientAccessDocument(entry) } : { adminGroups: adminGroupsDocument(map.adminGroups) };
}

type TriggerSource = PreTokenGenerationTriggerEvent["triggerSource"];

/** A V1_0 event shaped like the example in the Cognito developer guide. */
function v1Event(options: {
    clientId?: string;
    groups?: string[];
    triggerSource?: TriggerSource;
    attributes?: Record<string, string>;
}): PreTokenGenerationTriggerEvent {
    return {
        version: "1",
        triggerSource: options.triggerSource ?? "TokenGeneration_HostedAuth",
        region: "eu-west-1",
        userPoolId: "eu-west-1_EXAMPLE1",
        userName: "jdoe",
        callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: options.clientId ?? SALES_CLIENT },
        request: {
            userAttributes: {
                sub: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
                "cognito:user_status": "CONFIRMED",
                email_verified: "true",
                email: "jdoe@example.com",
                ...options.attributes,
            },
            groupConfiguration: {
                groupsToOverride: options.groups ?? [],
                iamRolesToOverride: [],
                preferredRole: null as unknown as undefined, // Cognito sends null when no role is set
            },
        },
        response: { claimsOverrideDetails: null as unknown as PreTokenGenerationTriggerEvent["response"]["claimsOverrideDetails"] },
    } as PreTokenGenerationTriggerEvent;
}

/** A federated (SAML/OIDC) user as Cognito presents it: provider-prefixed name, `identities`, mapped `custom:groups`. */
function federatedEvent(customGroups: string, clientId = SALES_CLIENT): PreTokenGenerationTriggerEvent {
    const event = v1Event({
        clientId,
        groups: ["eu-west-1_EXAMPLE1_CorpIdP"],
        attributes: {
            "cognito:user_status": "EXTERNAL_PROVIDER",
            identities: JSON.stringify([
                { userId: "jdoe@corp.example", providerName: "CorpIdP", providerType: "SAML", primary: "true" },
            ]),
            "custom:groups": customGroups,
        },
    });
    event.userName = "CorpIdP_jdoe@corp.example";
    return event;
}

/** A handler over an in-memory "SSM" whose answers the test controls, with a settable clock and captured logs. */
function setup(options: { answers?: Array<AccessMap | AccessMapDocuments | Error>; env?: Record<string, string> } = {}) {
    const answers = options.answers ?? [accessMap];
    const state = { nowMs: Date.parse("2026-01-01T00:00:00Z"), ssmCalls: 0, clientIds: [] as string[], logs: [] as DecisionLogEntry[] };
    const deps: HandlerDependencies = {
        loadAccessMap: async (clientId) => {
            const answer = answers[Math.min(state.ssmCalls, answers.length - 1)];
            state.ssmCalls++;
            state.clientIds.push(clientId);
            if (answer instanceof Error) throw answer;
            return "clients" in answer ? documentsOf(answer, clientId) : answer;
        },
        now: () => state.nowMs,
        log: (entry) => state.logs.push(entry),
        env: options.env ?? {},
    };
    return {
        handler: createHandler(deps),
        state,
        advance: (seconds: number) => (state.nowMs += seconds * 1000),
        lastLog: () => state.logs[state.logs.length - 1],
    };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (err) {
        expect(err).to.be.instanceOf(Error);
        return err as Error;
    }
    expect.fail("expected the handler to deny (throw), but it allowed");
}

describe("preTokenGeneration handler", () => {
    describe("rules", () => {
        it("allows a member of an access group and returns the event unchanged", async () => {
            const { handler, lastLog } = setup();
            const event = v1Event({ groups: ["finance"] });
            const before = structuredClone(event);
            const result = await handler(event);
            expect(result).to.equal(event);
            expect(result).to.deep.equal(before);
            expect(lastLog()).to.deep.include({
                decision: "allow",
                reason: "access-group",
                dashboard: "sales",
                clientId: SALES_CLIENT,
                triggerSource: "TokenGeneration_HostedAuth",
                trigger: "sign-in",
                matchedGroup: "finance",
            });
        });

        it("denies a user outside the access groups with a message naming the dashboard", async () => {
            const { handler, lastLog } = setup();
            const err = await rejection(handler(v1Event({ groups: ["marketing"] })));
            expect(err.message).to.equal(SALES_DENIED);
            expect(err.message).not.to.include(SALES_CLIENT);
            expect(err.message).not.to.include("finance");
            expect(lastLog()).to.deep.include({
                level: "WARN",
                decision: "deny",
                reason: "not-in-access-groups",
                dashboard: "sales",
                userGroups: "marketing",
            });
        });

        it("allows an admin on a dashboard whose groups they are not in", async () => {
            const { handler, lastLog } = setup();
            const event = v1Event({ groups: ["marketing", "dashboard-admins"] });
            expect(await handler(event)).to.equal(event);
            expect(lastLog()).to.deep.include({ decision: "allow", reason: "admin-group" });
        });

        it("allows any signed-in user, even without groups, on an open dashboard", async () => {
            const { handler, lastLog } = setup();
            const event = v1Event({ clientId: WIKI_CLIENT, groups: [] });
            expect(await handler(event)).to.equal(event);
            expect(lastLog()).to.deep.include({ decision: "allow", reason: "open-dashboard", dashboard: "wiki" });
        });

        it("denies an unknown app client, even for an admin (fail closed)", async () => {
            const { handler, lastLog } = setup();
            const err = await rejection(handler(v1Event({ clientId: UNKNOWN_CLIENT, groups: ["dashboard-admins"] })));
            expect(err.message).to.match(/^Access denied: /);
            expect(err.message).not.to.include(UNKNOWN_CLIENT);
            expect(lastLog()).to.deep.include({ decision: "deny", reason: "unknown-client", clientId: UNKNOWN_CLIENT });
        });

        const triggers: TriggerSource[] = [
            "TokenGeneration_HostedAuth",
            "TokenGeneration_Authentication",
            "TokenGeneration_NewPasswordChallenge",
            "TokenGeneration_AuthenticateDevice",
            "TokenGeneration_RefreshTokens",
        ];
        for (const triggerSource of triggers) {
            it(`applies the same rules on ${triggerSource}`, async () => {
                const { handler, lastLog } = setup();
                const member = v1Event({ triggerSource, groups: ["sales"] });
                expect(await handler(member)).to.equal(member);
                const err = await rejection(handler(v1Event({ triggerSource, groups: ["marketing"] })));
                expect(err.message).to.equal(SALES_DENIED);
                expect(lastLog()).to.deep.include({ triggerSource, decision: "deny" });
            });
        }

        it("removes access on refresh once the user has left the group", async () => {
            const { handler } = setup();
            await handler(v1Event({ triggerSource: "TokenGeneration_HostedAuth", groups: ["sales"] }));
            const refresh = v1Event({ triggerSource: "TokenGeneration_RefreshTokens", groups: [] });
            expect((await rejection(handler(refresh))).message).to.equal(SALES_DENIED);
        });

        it("accepts a V2_0 event with the same rules", async () => {
            const { handler } = setup();
            const v2 = (groups: string[]): PreTokenGenerationV2TriggerEvent => {
                const event = v1Event({ groups }) as unknown as PreTokenGenerationV2TriggerEvent;
                event.version = "2";
                event.request.scopes = ["openid", "email"];
                event.response = { claimsAndScopeOverrideDetails: null as never };
                return event;
            };
            const allowed = v2(["sales"]);
            expect(await handler(allowed)).to.equal(allowed);
            expect((await rejection(handler(v2(["marketing"])))).message).to.equal(SALES_DENIED);
        });
    });

    describe("federated users (custom:groups)", () => {
        const formats: Array<[string, string]> = [
            ["a SAML multi-valued attribute", "[marketing, finance]"],
            ["an OIDC JSON array", '["marketing","finance"]'],
            ["a comma-separated list", "marketing,finance"],
            ["a single group", "finance"],
        ];
        for (const [format, value] of formats) {
            it(`allows a federated user whose IdP groups arrive as ${format}`, async () => {
                const { handler, lastLog } = setup();
                const event = federatedEvent(value);
                expect(await handler(event)).to.equal(event);
                expect(lastLog()).to.deep.include({ decision: "allow", federated: true, matchedGroup: "finance" });
            });
        }

        it("grants admin through an IdP group", async () => {
            const { handler, lastLog } = setup();
            await handler(federatedEvent("[Domain Users, dashboard-admins]"));
            expect(lastLog()).to.deep.include({ decision: "allow", reason: "admin-group" });
        });

        it("denies a federated user whose IdP groups do not match", async () => {
            const { handler, lastLog } = setup();
            const err = await rejection(handler(federatedEvent("[marketing, Domain Users]")));
            expect(err.message).to.equal(SALES_DENIED);
            expect(lastLog().userGroups).to.equal("Domain Users,eu-west-1_EXAMPLE1_CorpIdP,marketing");
        });

        it("ignores custom:groups on a native (non-federated) user, who could write it themselves", async () => {
            const { handler } = setup();
            const event = v1Event({ groups: [], attributes: { "custom:groups": '["dashboard-admins","sales"]' } });
            expect((await rejection(handler(event))).message).to.equal(SALES_DENIED);
        });

        it("combines Cognito groups with IdP groups", async () => {
            const { handler } = setup();
            const event = federatedEvent("[marketing]");
            event.request.groupConfiguration.groupsToOverride = ["sales"];
            expect(await handler(event)).to.equal(event);
        });
    });

    describe("malformed events (fail closed)", () => {
        const cases: Array<[string, (e: Record<string, any>) => unknown, RegExp]> = [
            ["no callerContext", (e) => (delete e.callerContext, e), /callerContext\.clientId/],
            ["an empty clientId", (e) => ((e.callerContext.clientId = ""), e), /callerContext\.clientId/],
            ["a numeric clientId", (e) => ((e.callerContext.clientId = 42), e), /callerContext\.clientId/],
            ["groupsToOverride as a string", (e) => ((e.request.groupConfiguration.groupsToOverride = "sales"), e), /groupsToOverride/],
            ["a non-string group", (e) => ((e.request.groupConfiguration.groupsToOverride = [{ name: "sales" }]), e), /groupsToOverride/],
            ["no request", (e) => (delete e.request, e), /request must be an object/],
            ["custom:groups as an array", (e) => ((e.request.userAttributes["custom:groups"] = ["sales"]), e), /custom:groups/],
            ["another trigger's source", (e) => ((e.triggerSource = "PreSignUp_SignUp"), e), /triggerSource/],
            ["a null event", () => null, /not an object/],
        ];
        for (const [what, mutate, message] of cases) {
            it(`denies an event with ${what}`, async () => {
                const { handler, lastLog } = setup();
                const event = mutate(v1Event({ groups: ["dashboard-admins", "sales"] }) as unknown as Record<string, any>);
                const err = await rejection(handler(event as PreTokenGenerationTriggerEvent));
                expect(err.message).to.match(/^Invalid Pre Token Generation event: /);
                expect(err.message).to.match(message);
                expect(lastLog()).to.deep.include({ level: "ERROR", decision: "deny", reason: "invalid-event" });
            });
        }

        it("logs what it can of a malformed event", async () => {
            const { handler, lastLog } = setup({ env: { USAGE_USER_KEY: "sub" } });
            const event = v1Event({ groups: ["sales"] }) as unknown as Record<string, any>;
            event.request.groupConfiguration.groupsToOverride = "sales";
            await rejection(handler(event as PreTokenGenerationTriggerEvent));
            expect(lastLog()).to.deep.include({ clientId: SALES_CLIENT, triggerSource: "TokenGeneration_HostedAuth", userKey: "sub", user: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" });
        });

        it("treats a missing groupConfiguration as no groups (open dashboards only)", async () => {
            const { handler } = setup();
            const open = v1Event({ clientId: WIKI_CLIENT }) as unknown as Record<string, any>;
            delete open.request.groupConfiguration;
            expect(await handler(open as PreTokenGenerationTriggerEvent)).to.equal(open);
            const restricted = v1Event({}) as unknown as Record<string, any>;
            delete restricted.request.groupConfiguration;
            expect((await rejection(handler(restricted as PreTokenGenerationTriggerEvent))).message).to.equal(SALES_DENIED);
        });
    });

    describe("access map from SSM", () => {
        const onlyWiki: AccessMap = { ...accessMap, clients: { [WIKI_CLIENT]: accessMap.clients[WIKI_CLIENT] } };

        it("uses the cached map within the TTL and reloads it after", async () => {
            // First load: the sales dashboard does not exist yet; the second load adds it.
            const { handler, state, advance } = setup({ answers: [onlyWiki, accessMap] });
            const event = () => v1Event({ groups: ["sales"] });
            await rejection(handler(event()));
            advance(59);
            await rejection(handler(event()));
            expect(state.ssmCalls).to.equal(1);
            advance(2);
            expect(await handler(event())).to.be.an("object");
            expect(state.ssmCalls).to.equal(2);
        });

        it("caches each client on its own: one lookup per client per TTL, for that client's id only", async () => {
            const { handler, state, advance } = setup();
            await handler(v1Event({ groups: ["sales"] }));
            await handler(v1Event({ clientId: WIKI_CLIENT }));
            advance(30);
            await handler(v1Event({ groups: ["sales"] }));
            await handler(v1Event({ clientId: WIKI_CLIENT }));
            expect(state.clientIds).to.deep.equal([SALES_CLIENT, WIKI_CLIENT]);
        });

        it("keeps at most maxEntries clients, forgetting the least recently loaded", async () => {
            const loads: string[] = [];
            const get = createAccessMapCache({ load: async (id) => (loads.push(id), documentsOf(accessMap, id)), now: () => 0, ttlMs: 60_000, maxStaleMs: 0, maxEntries: 2 });
            for (const id of ["a", "b", "c", "b", "a"]) await get(id);
            // a, b, c loaded; c evicts a; b still cached; a loaded again (evicting b).
            expect(loads).to.deep.equal(["a", "b", "c", "a"]);
        });

        it("honours ACCESS_MAP_TTL_SECONDS", async () => {
            const { handler, state, advance, lastLog } = setup({
                answers: [onlyWiki, accessMap],
                env: { ACCESS_MAP_TTL_SECONDS: "5" },
            });
            await rejection(handler(v1Event({ groups: ["sales"] })));
            advance(6);
            await handler(v1Event({ groups: ["sales"] }));
            expect(state.ssmCalls).to.equal(2);
            expect(lastLog()).to.deep.include({ accessMapSource: "fresh" });
        });

        it("serves the last good map when a refresh fails, within the stale window, then denies", async () => {
            const { handler, advance, lastLog } = setup({
                answers: [accessMap, new Error("ThrottlingException: Rate exceeded")],
                env: { ACCESS_MAP_TTL_SECONDS: "60", ACCESS_MAP_MAX_STALE_SECONDS: "300" },
            });
            const member = () => v1Event({ groups: ["sales"] });
            await handler(member());
            advance(61);
            expect(await handler(member())).to.be.an("object");
            expect(lastLog()).to.deep.include({ level: "WARN", decision: "allow", accessMapSource: "stale" });
            expect(lastLog().error).to.include("Rate exceeded");
            // The stale map still denies non-members.
            expect((await rejection(handler(v1Event({ groups: ["marketing"] })))).message).to.equal(SALES_DENIED);
            advance(300); // 361 s after the last good load: past TTL + stale window
            const err = await rejection(handler(member()));
            expect(err.message).to.equal(UNAVAILABLE_MESSAGE);
            expect(lastLog()).to.deep.include({ level: "ERROR", decision: "deny", reason: "access-map-unavailable" });
            expect(lastLog().error).to.include("Rate exceeded");
        });

        it("serves the last good map when the refreshed document is invalid", async () => {
            const { handler, advance, lastLog } = setup({ answers: [accessMap, { adminGroups: adminGroupsDocument(accessMap.adminGroups), client: "{not json" }] });
            await handler(v1Event({ groups: ["sales"] }));
            advance(120);
            await handler(v1Event({ groups: ["sales"] }));
            expect(lastLog()).to.deep.include({ accessMapSource: "stale", decision: "allow" });
            expect(lastLog().error).to.include("not valid JSON");
        });

        it("recovers once SSM answers again", async () => {
            const { handler, advance, lastLog } = setup({ answers: [accessMap, new Error("timeout"), onlyWiki] });
            await handler(v1Event({ groups: ["sales"] }));
            advance(61);
            await handler(v1Event({ groups: ["sales"] }));
            advance(1);
            // The new map no longer has the sales client: the fresh map is used, not the stale one.
            await rejection(handler(v1Event({ groups: ["sales"] })));
            expect(lastLog()).to.deep.include({ accessMapSource: "fresh", reason: "unknown-client" });
        });

        const admins = adminGroupsDocument(accessMap.adminGroups);
        const invalidMaps: Array<[string, AccessMapDocuments, RegExp]> = [
            ["invalid JSON", { adminGroups: '{"version": 2, "adminGroups": [' }, /not valid JSON/],
            ["still in the former single-map format", { adminGroups: JSON.stringify({ version: 1, adminGroups: [], clients: {} }) }, /unsupported version 1/],
            ["a wrong shape", { adminGroups: JSON.stringify({ version: 2, adminGroups: "admins" }) }, /adminGroups must be an array/],
            ["a client entry of the wrong shape", { adminGroups: admins, client: JSON.stringify({ version: 2, dashboard: "sales", accessGroups: "sales" }) }, /accessGroups must be an array/],
        ];
        for (const [what, document, detail] of invalidMaps) {
            it(`denies everyone, admins included, with a clear log when the map is ${what}`, async () => {
                const { handler, lastLog } = setup({ answers: [document] });
                const err = await rejection(handler(v1Event({ groups: ["dashboard-admins"] })));
                expect(err.message).to.equal(UNAVAILABLE_MESSAGE);
                expect(lastLog()).to.deep.include({
                    level: "ERROR",
                    decision: "deny",
                    reason: "access-map-unavailable",
                    clientId: SALES_CLIENT,
                });
                expect(lastLog().error).to.match(/InvalidAccessMapError/).and.to.match(detail);
            });
        }

        it("denies with reason access-map-unavailable when SSM fails on a cold start", async () => {
            const notFound = Object.assign(new Error("Parameter not found"), { name: "ParameterNotFound" });
            const { handler, lastLog } = setup({ answers: [notFound] });
            expect((await rejection(handler(v1Event({ clientId: WIKI_CLIENT })))).message).to.equal(UNAVAILABLE_MESSAGE);
            expect(lastLog().error).to.include("ParameterNotFound: Parameter not found");
        });
    });

    describe("configuration", () => {
        it("denies with reason config-error when ACCESS_MAP_PATH is not set", async () => {
            const logs: DecisionLogEntry[] = [];
            const handler = createHandler({ env: {}, log: (e) => logs.push(e) });
            expect((await rejection(handler(v1Event({ clientId: WIKI_CLIENT })))).message).to.equal(UNAVAILABLE_MESSAGE);
            expect(logs[0]).to.deep.include({ reason: "config-error" });
            expect(logs[0].error).to.include("ACCESS_MAP_PATH");
        });

        for (const ttl of ["abc", "-1"]) {
            it(`denies with reason config-error for ACCESS_MAP_TTL_SECONDS=${ttl}`, async () => {
                const { handler, lastLog } = setup({ env: { ACCESS_MAP_TTL_SECONDS: ttl } });
                expect((await rejection(handler(v1Event({ clientId: WIKI_CLIENT })))).message).to.equal(UNAVAILABLE_MESSAGE);
                expect(lastLog()).to.deep.include({ reason: "config-error" });
                expect(lastLog().error).to.include("ACCESS_MAP_TTL_SECONDS");
            });
        }

        it("the exported Lambda handler denies (config-error) when ACCESS_MAP_PATH is missing", async () => {
            const saved = process.env.ACCESS_MAP_PATH;
            delete process.env.ACCESS_MAP_PATH;
            const lines: string[] = [];
            const write = process.stdout.write;
            process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
            let err: Error;
            try {
                err = await rejection(defaultHandler(v1Event({ clientId: WIKI_CLIENT })));
            } finally {
                process.stdout.write = write;
                if (saved !== undefined) process.env.ACCESS_MAP_PATH = saved;
            }
            expect(err.message).to.equal(UNAVAILABLE_MESSAGE);
            expect(JSON.parse(lines[0])).to.deep.include({ decision: "deny", reason: "config-error" });
        });
    });

    describe("logging", () => {
        it("writes one JSON line per decision to stdout by default, with the request id", async () => {
            const handler = createHandler({ loadAccessMap: async (id) => documentsOf(accessMap, id), env: {} });
            const lines: string[] = [];
            const write = process.stdout.write;
            process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
            try {
                await handler(v1Event({ groups: ["sales"] }), { awsRequestId: "req-1" });
                await handler(v1Event({ groups: [] })).catch(() => undefined);
            } finally {
                process.stdout.write = write;
            }
            expect(lines).to.have.length(2);
            for (const line of lines) expect(line.endsWith("\n") && !line.slice(0, -1).includes("\n")).to.equal(true);
            const [allow, deny] = lines.map((l) => JSON.parse(l));
            expect(allow).to.deep.include({ decision: "allow", dashboard: "sales", requestId: "req-1" });
            expect(deny).to.deep.include({ decision: "deny", reason: "not-in-access-groups" });
        });

        it("still denies when the logger throws", async () => {
            const handler = createHandler({
                loadAccessMap: async (id) => documentsOf(accessMap, id),
                env: {},
                log: () => {
                    throw new Error("log sink down");
                },
            });
            expect((await rejection(handler(v1Event({ groups: [] })))).message).to.equal(SALES_DENIED);
        });
    });
});

describe("preTokenGeneration ssmAccessMapLoader", () => {
    const path = "/dashboards/prod/auth/access";
    /** A fake SSM answering GetParameters like the real service: names it lacks come back in InvalidParameters. */
    function fakeSsm(parameters: Record<string, string | undefined>, calls: string[][] = []) {
        return {
            send: async (command: GetParametersCommand) => {
                const names = command.input.Names ?? [];
                calls.push(names);
                return {
                    Parameters: names.filter((n) => n in parameters).map((n) => ({ Name: n, Type: "String", Value: parameters[n] })),
                    InvalidParameters: names.filter((n) => !(n in parameters)),
                };
            },
        } as never;
    }
    const stored = {
        [`${path}/admin-groups`]: adminGroupsDocument(accessMap.adminGroups),
        [`${path}/clients/${SALES_CLIENT}`]: clientAccessDocument(accessMap.clients[SALES_CLIENT]),
    };

    it("reads the admin groups and the client's entry in one call", async () => {
        const calls: string[][] = [];
        const load = ssmAccessMapLoader(path, fakeSsm(stored, calls));
        expect(await load(SALES_CLIENT)).to.deep.equal(documentsOf(accessMap, SALES_CLIENT));
        expect(calls).to.deep.equal([[`${path}/admin-groups`, `${path}/clients/${SALES_CLIENT}`]]);
    });

    it("returns no entry for a client without a parameter", async () => {
        expect(await ssmAccessMapLoader(path, fakeSsm(stored))(UNKNOWN_CLIENT)).to.deep.equal({ adminGroups: stored[`${path}/admin-groups`] });
    });

    it("never asks SSM for a name built from an id that cannot be a client of ours", async () => {
        const calls: string[][] = [];
        expect(await ssmAccessMapLoader(path, fakeSsm(stored, calls))("../admin-groups")).to.deep.equal({ adminGroups: stored[`${path}/admin-groups`] });
        expect(calls).to.deep.equal([[`${path}/admin-groups`]]);
    });

    it("fails when the admin groups are missing (no map: fail closed)", async () => {
        const load = ssmAccessMapLoader(path, fakeSsm({ [`${path}/clients/${SALES_CLIENT}`]: stored[`${path}/clients/${SALES_CLIENT}`] }));
        expect((await rejection(load(SALES_CLIENT))).message).to.equal(`SSM parameter ${path}/admin-groups is missing or has no value`);
    });

    it("propagates SSM errors such as throttling", async () => {
        const load = ssmAccessMapLoader(path, { send: async () => { throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }); } } as never);
        expect((await rejection(load(SALES_CLIENT))).name).to.equal("ThrottlingException");
    });
});
