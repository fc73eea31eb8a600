/**
 * Usage statistics of the login trigger, on events shaped like Cognito's: what a decision line says
 * about the user (by the stack's `usage.userKey`), the embedded-metric-format block CloudWatch turns
 * into `Logins` and `Denied` per dashboard, and that statistics never change or slow a decision.
 */
import { expect } from "chai";
import type { PreTokenGenerationTriggerEvent } from "aws-lambda";
import { adminGroupsDocument, clientAccessDocument } from "../../functions/preTokenGeneration/accessMap";
import { createHandler, type DecisionLogLine } from "../../functions/preTokenGeneration/handler";
import { DASHBOARD_DIMENSION, HASHED_KEY_LENGTH, NO_DASHBOARD, readUsageSettings, userKeyOf } from "../../functions/preTokenGeneration/usage";
import { createUsageSaltSource, MIN_SALT_LENGTH, SALT_RETRY_MS, SALT_WAIT_MS } from "../../functions/preTokenGeneration/usageSalt";
import { accessMap, SALES_CLIENT, UNKNOWN_CLIENT, WIKI_CLIENT } from "./preTokenGeneration.fixtures";

const SUB = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";
const EMAIL = "jdoe@example.com";
const SALT = "per-stack-salt-3f9a1c0d7e";
const NAMESPACE = "Dashboards/dashboards-prod";

function event(options: { clientId?: string; groups?: string[]; triggerSource?: string; federated?: boolean; sub?: string } = {}): PreTokenGenerationTriggerEvent {
    const federated = options.federated ?? false;
    return {
        version: "1",
        triggerSource: options.triggerSource ?? "TokenGeneration_HostedAuth",
        region: "eu-west-1",
        userPoolId: "eu-west-1_EXAMPLE1",
        userName: federated ? "CorpIdP_jdoe@corp.example" : "jdoe",
        callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: options.clientId ?? SALES_CLIENT },
        request: {
            userAttributes: {
                sub: options.sub ?? SUB,
                email: EMAIL,
                email_verified: "true",
                "cognito:user_status": federated ? "EXTERNAL_PROVIDER" : "CONFIRMED",
                ...(federated ? { identities: JSON.stringify([{ userId: "jdoe@corp.example", providerName: "CorpIdP", providerType: "SAML", primary: "true" }]) } : {}),
            },
            groupConfiguration: { groupsToOverride: options.groups ?? [], iamRolesToOverride: [], preferredRole: undefined },
        },
        response: { claimsOverrideDetails: {} },
    } as unknown as PreTokenGenerationTriggerEvent;
}

/** A handler on the fixture map; the salt is what `loadUsageSalt` gives (SALT by default), the clock `clock.ms`. */
function setup(env: Record<string, string> = { USAGE_METRICS_NAMESPACE: NAMESPACE }, log?: (line: DecisionLogLine) => void, loadUsageSalt: () => Promise<string> = async () => SALT) {
    const lines: DecisionLogLine[] = [];
    const clock = { ms: Date.parse("2026-12-01T09:00:00Z") };
    const handler = createHandler({
        env,
        now: () => clock.ms,
        loadUsageSalt,
        loadAccessMap: async (clientId) => {
            const entry = Object.hasOwn(accessMap.clients, clientId) ? accessMap.clients[clientId] : undefined;
            return { adminGroups: adminGroupsDocument(accessMap.adminGroups), ...(entry ? { client: clientAccessDocument(entry) } : {}) };
        },
        log: log ?? ((line) => lines.push(line)),
    });
    /** The line written for `e`, whether it was allowed or denied. */
    const decide = async (e: PreTokenGenerationTriggerEvent) => {
        await handler(e).catch(() => undefined);
        return lines[lines.length - 1];
    };
    return { handler, lines, decide, clock };
}

/** The checks of CloudWatch's EMF specification that decide whether a line becomes metrics. */
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
function emfMetrics(entry: DecisionLogLine): Record<string, number> {
    const line = entry as unknown as Record<string, unknown>;
    const aws = line._aws as { Timestamp: unknown; CloudWatchMetrics: { Namespace: unknown; Dimensions: unknown; Metrics: { Name: unknown; Unit?: unknown }[] }[] };
    expect(aws, "an _aws root member").to.be.an("object");
    expect(Number.isInteger(aws.Timestamp), "Timestamp in milliseconds").to.equal(true);
    const values: Record<string, number> = {};
    for (const directive of aws.CloudWatchMetrics) {
        expect(directive.Namespace).to.be.a("string").with.length.within(1, 255);
        for (const set of directive.Dimensions as string[][]) {
            expect(set.length).to.be.within(1, 30);
            for (const key of set) expect(line[key], `dimension ${key} is a non-empty ASCII string member`).to.be.a("string").and.match(/^[\x20-\x7e]{1,1024}$/);
        }
        expect(directive.Metrics.length).to.be.within(1, 100);
        for (const m of directive.Metrics) {
            expect(line[m.Name as string], `metric ${m.Name} is a number member`).to.be.a("number");
            values[m.Name as string] = line[m.Name as string] as number;
        }
    }
    return values;
}

describe("preTokenGeneration usage statistics", () => {
    describe("the user key", () => {
        it("is by default a salted hash of the user's sub: the same across dashboards and refreshes, and nobody's name, sub or email in the line", async () => {
            const { decide } = setup();
            const lines = [
                await decide(event({ groups: ["finance"] })),
                await decide(event({ clientId: WIKI_CLIENT })),
                await decide(event({ groups: ["finance"], triggerSource: "TokenGeneration_RefreshTokens" })),
                await decide(event({ groups: ["marketing"] })),
            ];
            const keys = new Set(lines.map((l) => l.user));
            expect(keys.size).to.equal(1);
            expect(lines[0].user).to.match(new RegExp(`^[0-9a-f]{${HASHED_KEY_LENGTH}}$`));
            expect(lines[0].userKey).to.equal("hashed");
            for (const line of lines) {
                const text = JSON.stringify(line);
                for (const personal of [SUB, EMAIL, "jdoe"]) expect(text).not.to.include(personal);
            }
            // Another user, another key; the same user under another stack's salt, another key (no joining across stacks).
            expect((await decide(event({ groups: ["finance"], sub: "b2c3d4e5-0000-1111-2222-EXAMPLE22222" }))).user).to.not.equal(lines[0].user);
            expect(userKeyOf({ sub: SUB }, { userKey: "hashed", salt: "another-stack" })).to.not.equal(lines[0].user);
        });

        it("is the sub or the email when the stack asks for it", async () => {
            expect((await setup({ USAGE_USER_KEY: "sub" }).decide(event({ groups: ["finance"] })))).to.deep.include({ user: SUB, userKey: "sub" });
            expect((await setup({ USAGE_USER_KEY: "email" }).decide(event({ groups: ["finance"] })))).to.deep.include({ user: EMAIL, userKey: "email" });
        });

        it("is left out, and the line says why, when the salt cannot be had; the sign-in goes on", async () => {
            const { handler, lines } = setup({}, undefined, async () => {
                throw new Error("ParameterNotFound: /dashboards/prod/auth/usage-salt");
            });
            const e = event({ groups: ["finance"] });
            expect(await handler(e)).to.equal(e);
            expect(lines[0]).to.deep.include({ decision: "allow", user: undefined });
            expect(lines[0].usageProblem).to.include("usage salt unavailable").and.include("ParameterNotFound");
            // The default loader without the map's path: the same, with the setting named.
            const noParameter: DecisionLogLine[] = [];
            await createHandler({ env: {}, loadAccessMap: async () => ({ adminGroups: adminGroupsDocument([]) }), log: (l) => noParameter.push(l) })(e).catch(() => undefined);
            expect(noParameter[0].usageProblem).to.include("USAGE_SALT_PARAMETER is not set");
        });

        it("falls back to the private choice (hashed) for a setting it does not know, and never denies for it", async () => {
            const { handler, lines } = setup({ USAGE_USER_KEY: "name" });
            const e = event({ groups: ["finance"] });
            expect(await handler(e)).to.equal(e);
            expect(lines[0]).to.deep.include({ decision: "allow", userKey: "hashed" });
            expect(lines[0].user).to.have.length(HASHED_KEY_LENGTH);
            expect(lines[0].usageProblem).to.include('USAGE_USER_KEY "name" is not one of hashed, sub, email');
            // A hostile or huge setting is cut in the message, not echoed whole.
            expect(readUsageSettings({ USAGE_USER_KEY: "x".repeat(10_000) }).problem!.length).to.be.below(200);
        });
    });

    describe("the salt: a SecureString read once per function instance, never in the way", () => {
        /** A loader of SALT that counts its calls and fails while `failing` is true. */
        const countingLoader = (failing = false) => {
            const state = { calls: 0, failing };
            const load = async () => {
                state.calls++;
                if (state.failing) throw new Error("ThrottlingException: Rate exceeded");
                return SALT;
            };
            return { state, load };
        };

        it("is fetched once, by the first sign-in, and keys every later line; concurrent first sign-ins share the fetch", async () => {
            const { state, load } = countingLoader();
            const { handler, lines, decide } = setup({}, undefined, load);
            await Promise.all(Array.from({ length: 5 }, () => handler(event({ groups: ["finance"] }))));
            for (let i = 0; i < 20; i++) await decide(event({ groups: ["finance"] }));
            expect(state.calls).to.equal(1);
            expect(new Set(lines.map((l) => l.user)).size).to.equal(1);
            expect(lines[0].user).to.equal(userKeyOf({ sub: SUB }, { userKey: "hashed", salt: SALT }));
        });

        it("after a failed fetch, tries again no sooner than a minute later, and keys the lines from the fetch that works", async () => {
            const { state, load } = countingLoader(true);
            const { decide, clock } = setup({}, undefined, load);
            expect((await decide(event({ groups: ["finance"] }))).usageProblem).to.include("ThrottlingException");
            state.failing = false;
            clock.ms += (SALT_RETRY_MS * 3) / 4;
            const meanwhile = await decide(event({ groups: ["finance"] }));
            expect([meanwhile.user, state.calls]).to.deep.equal([undefined, 1]);
            clock.ms += SALT_RETRY_MS / 2;
            const after = await decide(event({ groups: ["finance"] }));
            expect([after.user, state.calls]).to.deep.equal([userKeyOf({ sub: SUB }, { userKey: "hashed", salt: SALT }), 2]);
            expect(after.usageProblem).to.equal(undefined);
        });

        it("is refused when shorter than 16 characters (a broken parameter, not a secret), and never written into a line", async () => {
            const short = "shortsalt1";
            const line = await setup({}, undefined, async () => short).decide(event({ groups: ["finance"] }));
            expect(line).to.deep.include({ decision: "allow", user: undefined });
            expect(line.usageProblem).to.include(`fewer than ${MIN_SALT_LENGTH}`);
            expect(JSON.stringify(line)).to.not.include(short);
            const good = await setup({}).decide(event({ groups: ["finance"] }));
            expect(JSON.stringify(good)).to.not.include(SALT);
        });

        it("is never fetched for the sub or email key", async () => {
            const { state, load } = countingLoader();
            await setup({ USAGE_USER_KEY: "sub" }, undefined, load).decide(event({ groups: ["finance"] }));
            await setup({ USAGE_USER_KEY: "email" }, undefined, load).decide(event({ groups: ["finance"] }));
            expect(state.calls).to.equal(0);
        });

        it("holds one sign-in no longer than its wait when the loader hangs, the next ones not at all, and keeps a salt that comes late", async () => {
            let resolve!: (salt: string) => void;
            let calls = 0;
            const source = createUsageSaltSource(() => (calls++, new Promise<string>((r) => (resolve = r))), Date.now, SALT_RETRY_MS, 50);
            const start = Date.now();
            expect((await source()).problem).to.include("not fetched within 50 ms");
            expect(Date.now() - start).to.be.below(1000);
            const next = Date.now();
            for (let i = 0; i < 5; i++) expect((await source()).problem).to.include("not fetched within 50 ms");
            expect(Date.now() - next, "later sign-ins within the retry wait do not wait again").to.be.below(40);
            resolve(SALT);
            await new Promise((r) => setImmediate(r));
            expect(await source()).to.deep.equal({ salt: SALT });
            expect(calls).to.equal(1);
            expect(SALT_WAIT_MS, "the trigger's own bound, inside Cognito's 5 s").to.be.below(5000);
        });

        it("survives a loader that throws before returning a promise, and fetches anew after the retry wait", async () => {
            let calls = 0;
            let ms = 0;
            const source = createUsageSaltSource(() => {
                calls++;
                if (calls === 1) throw new TypeError("no client");
                return Promise.resolve(SALT);
            }, () => ms);
            expect((await source()).problem).to.include("TypeError: no client");
            ms += SALT_RETRY_MS;
            expect(await source()).to.deep.equal({ salt: SALT });
            expect(calls).to.equal(2);
        });
    });

    describe("the decision line", () => {
        it("names nobody in hashed mode on any path: unknown client, broken event, unavailable map", async () => {
            const { decide } = setup();
            const broken = event({ groups: ["finance"] }) as unknown as Record<string, any>;
            broken.request.groupConfiguration.groupsToOverride = "finance";
            const lines = [
                await decide(event({ clientId: UNKNOWN_CLIENT })),
                await decide(broken as unknown as PreTokenGenerationTriggerEvent),
            ];
            const unavailable = createHandler({ env: {}, loadUsageSalt: async () => SALT, loadAccessMap: async () => { throw new Error("SSM down"); }, log: (l) => lines.push(l) });
            await unavailable(event({ groups: ["finance"] })).catch(() => undefined);
            expect(lines.map((l) => l.reason)).to.deep.equal(["unknown-client", "invalid-event", "access-map-unavailable"]);
            for (const line of lines) {
                const text = JSON.stringify(line);
                for (const personal of [SUB, EMAIL, "jdoe"]) expect(text, line.reason).not.to.include(personal);
                expect(line.user, line.reason).to.match(new RegExp(`^[0-9a-f]{${HASHED_KEY_LENGTH}}$`));
            }
        });

        it("says sign-in or refresh, federated or not, and the user's groups as one string (what the saved queries group by)", async () => {
            const { decide } = setup();
            expect(await decide(event({ groups: ["finance", "analysts"] }))).to.deep.include({ decision: "allow", reason: "access-group", dashboard: "sales", trigger: "sign-in", federated: false, userGroups: "analysts,finance", matchedGroup: "finance" });
            expect(await decide(event({ groups: ["finance"], triggerSource: "TokenGeneration_RefreshTokens" }))).to.deep.include({ trigger: "refresh" });
            expect(await decide(event({ groups: ["finance"], federated: true }))).to.deep.include({ federated: true, trigger: "sign-in" });
            expect(await decide(event({ groups: ["dashboard-admins"] }))).to.deep.include({ decision: "allow", reason: "admin-group", matchedGroup: "dashboard-admins" });
            expect(await decide(event({ groups: [] }))).to.deep.include({ decision: "deny", reason: "not-in-access-groups", dashboard: "sales", userGroups: "" });
        });
    });

    describe("metrics (embedded metric format)", () => {
        it("counts an allowed sign-in as a login of its dashboard, a denial as denied, a refresh as neither", async () => {
            const { decide } = setup();
            const signIn = await decide(event({ groups: ["finance"] }));
            expect(emfMetrics(signIn)).to.deep.equal({ Logins: 1, Denied: 0 });
            expect(signIn[DASHBOARD_DIMENSION]).to.equal("sales");
            expect(signIn._aws!.CloudWatchMetrics[0]).to.deep.include({ Namespace: NAMESPACE, Dimensions: [[DASHBOARD_DIMENSION]] });
            expect(emfMetrics(await decide(event({ groups: ["finance"], triggerSource: "TokenGeneration_RefreshTokens" })))).to.deep.equal({ Logins: 0, Denied: 0 });
            expect(emfMetrics(await decide(event({ groups: ["marketing"] })))).to.deep.equal({ Logins: 0, Denied: 1 });
            expect(emfMetrics(await decide(event({ groups: ["finance"], federated: true })))).to.deep.equal({ Logins: 1, Denied: 0 });
            expect(emfMetrics(await decide(event({ groups: ["dashboard-admins"] })))).to.deep.equal({ Logins: 1, Denied: 0 });
        });

        it("never takes a dimension value from the request: a flood of unknown client ids is one '(none)' series, not a metric each", async () => {
            const { decide } = setup();
            const values = new Set<unknown>();
            for (let i = 0; i < 200; i++) {
                const line = await decide(event({ clientId: `${UNKNOWN_CLIENT}${i}` }));
                expect(emfMetrics(line)).to.deep.equal({ Logins: 0, Denied: 1 });
                values.add(line[DASHBOARD_DIMENSION]);
            }
            expect([...values]).to.deep.equal([NO_DASHBOARD]);
            // A malformed event likewise.
            const broken = event() as unknown as Record<string, unknown>;
            delete broken.request;
            const line = await decide(broken as unknown as PreTokenGenerationTriggerEvent);
            expect(line).to.deep.include({ reason: "invalid-event", [DASHBOARD_DIMENSION]: NO_DASHBOARD, Denied: 1 });
        });

        it("writes no metrics when the stack turns statistics off (no namespace)", async () => {
            const line = await setup({}).decide(event({ groups: ["finance"] }));
            expect(line).to.not.have.any.keys("_aws", "Logins", "Denied", DASHBOARD_DIMENSION);
        });
    });

    describe("never in the way of a sign-in", () => {
        it("allows and denies exactly as without statistics when the logger throws", async () => {
            const throwing = setup(undefined, () => {
                throw new Error("log sink down");
            });
            const allowed = event({ groups: ["finance"] });
            expect(await throwing.handler(allowed)).to.equal(allowed);
            let denied = false;
            await throwing.handler(event({ groups: ["marketing"] })).catch(() => (denied = true));
            expect(denied).to.equal(true);
        });

        it("the hashed key and the metrics add well under a millisecond per decision over the cheapest settings (the sub as key, no metrics)", async () => {
            const plain = setup({ USAGE_USER_KEY: "sub" }, () => undefined);
            const full = setup(undefined, (line) => void JSON.stringify(line));
            const e = event({ groups: ["finance", "analysts"] });
            const time = async (h: typeof plain.handler, n: number) => {
                const start = process.hrtime.bigint();
                for (let i = 0; i < n; i++) await h(e);
                return Number(process.hrtime.bigint() - start) / 1e6 / n;
            };
            await time(plain.handler, 200); // warm up both paths
            await time(full.handler, 200);
            const [withoutMs, withMs] = [await time(plain.handler, 2000), await time(full.handler, 2000)];
            expect(withMs - withoutMs, `with statistics ${withMs.toFixed(4)} ms, without ${withoutMs.toFixed(4)} ms per decision`).to.be.below(0.5);
        });
    });
});
