/**
 * The login check against moto's SSM: the access-map parameters exactly as CognitoAuth plans them
 * for 500 dashboards (3 groups of 40 characters each) are written to moto, and the trigger reads
 * them through the real SDK's GetParameters. What moto does not check: IAM and KMS (the role's
 * ssm:GetParameters on the map's path, the salt's own key and the role's kms:Decrypt of it through
 * SSM are asserted in test/cognitoAuth.test.ts; the salt is written here without the key), and SSM's
 * throughput quota (the per-client cache keeps calls to one per client per TTL).
 */
import { PutParameterCommand, type ParameterTier, SSMClient } from "@aws-sdk/client-ssm";
import type { PreTokenGenerationTriggerEvent } from "aws-lambda";
import { expect } from "chai";
import { CognitoAuth } from "../../components/cognitoAuth";
import { createHandler, type DecisionLogEntry } from "../../functions/preTokenGeneration/handler";
import { ssmAccessMapLoader, ssmSecureValueLoader } from "../../functions/preTokenGeneration/ssm";
import { userKeyOf } from "../../functions/preTokenGeneration/usage";
import { type Plan, runUnderMocks } from "../../plan/runPlan";
import { devStackWith, ofType } from "../helpers";
import { needs, PREREQUISITES } from "../prerequisites";
import { type MotoServer, startMoto } from "./motoServer";

const DOMAIN = "dev.dashboards.example.com";
const GROUPS = Array.from({ length: 60 }, (_, i) => `${String(i).padStart(2, "0")}-analysts-of-the-north-western-regions`);
const groupsOf = (i: number) => [GROUPS[i % 60], GROUPS[(i + 1) % 60], GROUPS[(i + 2) % 60]];

function event(clientId: string, groups: string[]): PreTokenGenerationTriggerEvent {
    return {
        version: "1",
        triggerSource: "TokenGeneration_HostedAuth",
        region: "eu-west-1",
        userPoolId: "eu-west-1_EXAMPLE1",
        userName: "jdoe@example.com",
        callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId },
        request: { userAttributes: { sub: "0c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b", email: "jdoe@example.com" }, groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: undefined } },
        response: { claimsOverrideDetails: {} },
    } as unknown as PreTokenGenerationTriggerEvent;
}

describe("pre-token trigger against moto's SSM, with 500 dashboards", function () {
    needs(PREREQUISITES.moto);
    this.timeout(120_000);

    let moto: MotoServer;
    let plan: Plan;
    let clientIds: Map<string, string>;
    let path: string;
    let saltName: string;

    before(async () => {
        expect(GROUPS.every((g) => g.length === 40)).to.equal(true);
        let auth!: CognitoAuth;
        plan = await runUnderMocks(devStackWith(), () => {
            auth = new CognitoAuth("auth", {
                dashboards: Array.from({ length: 500 }, (_, i) => ({ name: `d${i}`, hosts: [`d${i}.${DOMAIN}`], accessGroups: groupsOf(i) })),
                groups: [...GROUPS, "platform-admins"].map((name) => ({ name })),
                adminGroups: ["platform-admins"],
            });
            return {};
        });
        path = auth.accessMapPath;
        saltName = ofType(plan, "aws:lambda/function:Function").find((f) => f.name === "auth-pre-token")!.inputs.environment.variables.USAGE_SALT_PARAMETER;
        clientIds = new Map(ofType(plan, "aws:cognito/userPoolClient:UserPoolClient").map((c) => [c.inputs.name, c.id!]));
        moto = await startMoto();
        const ssm = new SSMClient(moto.clientConfig);
        for (const p of ofType(plan, "aws:ssm/parameter:Parameter")) {
            await ssm.send(new PutParameterCommand({ Name: p.inputs.name, Value: p.inputs.value, Type: p.inputs.type, Tier: p.inputs.tier as ParameterTier }));
        }
    });
    after(async () => {
        await moto?.stop();
    });

    function handlerOnMoto(logs: DecisionLogEntry[]) {
        let calls = 0;
        const ssm = new SSMClient(moto.clientConfig);
        const load = ssmAccessMapLoader(path, ssm);
        return {
            handler: createHandler({ loadAccessMap: (id) => (calls++, load(id)), loadUsageSalt: ssmSecureValueLoader(saltName, ssm), log: (e) => logs.push(e), env: {} }),
            calls: () => calls,
        };
    }

    it("decides each dashboard by its own groups: a member in, a member of a neighbour's group out", async () => {
        const logs: DecisionLogEntry[] = [];
        const { handler } = handlerOnMoto(logs);
        for (const i of [0, 1, 59, 60, 250, 499]) {
            const client = clientIds.get(`d${i}`)!;
            await handler(event(client, [groupsOf(i)[2]]));
            expect(logs.at(-1)).to.deep.include({ decision: "allow", reason: "access-group", dashboard: `d${i}`, matchedGroup: groupsOf(i)[2] });
            const outsider = GROUPS[(i + 3) % 60];
            await handler(event(client, [outsider])).then(() => expect.fail(`d${i} let ${outsider} in`), () => undefined);
            expect(logs.at(-1)).to.deep.include({ decision: "deny", reason: "not-in-access-groups", dashboard: `d${i}` });
        }
    });

    it("lets an admin into any dashboard, but no one into a client that is not a dashboard's", async () => {
        const logs: DecisionLogEntry[] = [];
        const { handler } = handlerOnMoto(logs);
        await handler(event(clientIds.get("d321")!, ["platform-admins"]));
        expect(logs.at(-1)).to.deep.include({ decision: "allow", reason: "admin-group", dashboard: "d321" });
        for (const stranger of ["4example23456789strangerid", "../admin-groups", "a+b"]) {
            await handler(event(stranger, ["platform-admins"])).then(() => expect.fail(`${stranger} let in`), () => undefined);
            expect(logs.at(-1)).to.deep.include({ decision: "deny", reason: "unknown-client" });
        }
    });

    it("keys users by the stack's salt, read with decryption from the SecureString the plan writes (the name its environment gives)", async () => {
        const planned = ofType(plan, "aws:ssm/parameter:Parameter").find((p) => p.inputs.name === saltName)!;
        expect(planned.inputs.type).to.equal("SecureString");
        const logs: DecisionLogEntry[] = [];
        await handlerOnMoto(logs).handler(event(clientIds.get("d5")!, [groupsOf(5)[0]]));
        expect(logs.at(-1)).to.deep.include({ decision: "allow", user: userKeyOf({ sub: "0c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b" }, { userKey: "hashed", salt: planned.inputs.value }) });
        expect(logs.at(-1)!.usageProblem).to.equal(undefined);
    });

    it("asks SSM once per client within the TTL, however many sign-ins", async () => {
        const { handler, calls } = handlerOnMoto([]);
        for (let n = 0; n < 5; n++) for (const i of [3, 4]) await handler(event(clientIds.get(`d${i}`)!, [groupsOf(i)[0]]));
        expect(calls()).to.equal(2);
    });
});
