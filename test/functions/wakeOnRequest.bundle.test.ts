/**
 * The controller as Lambda runs it: the very bundle the component deploys (components/lambdaBundle.ts:
 * esbuild, bundle, platform node, target node22, CommonJS, `@aws-sdk/*` external), loaded in a
 * fresh Node process that has nothing but the bundle, node_modules for the SDK (the runtime's
 * copy in Lambda) and the environment.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ALBResult } from "aws-lambda";
import { expect } from "chai";
import { bundleHandler } from "../../components/lambdaBundle";
import { needs, PREREQUISITES } from "../prerequisites";
import { type MotoServer, startMoto } from "./motoServer";
import { albEvent, createMotoDashboard, NAVIGATION_HEADERS, PROBE_HEADERS, scheduledEvent } from "./wakeOnRequest.fixtures";

const ROOT = path.resolve(__dirname, "..", "..");

/** Loads the bundle in a new Node process, invokes `handler` with each event, returns the results. */
function invokeBundled(file: string, env: Record<string, string>, events: unknown[]): { results: unknown[]; stdout: string } {
    const runner = `
        const { handler } = require(process.argv[1]);
        (async () => {
            const results = [];
            for (const event of JSON.parse(process.argv[2])) results.push(await handler(event, { awsRequestId: "bundle-req" }));
            process.stdout.write("\\nRESULTS " + JSON.stringify(results) + "\\n");
        })().catch((err) => { console.error(err); process.exit(1); });`;
    const out = spawnSync(process.execPath, ["-e", runner, file, JSON.stringify(events)], {
        env: { PATH: process.env.PATH ?? "", NODE_PATH: path.join(ROOT, "node_modules"), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
        encoding: "utf8",
        timeout: 30_000,
    });
    expect(out.status, out.stderr).to.equal(0);
    const line = out.stdout.split("\n").find((l) => l.startsWith("RESULTS "));
    return { results: JSON.parse(line!.slice("RESULTS ".length)), stdout: out.stdout };
}

describe("wakeOnRequest: the Lambda bundle", function () {
    this.timeout(60_000);
    let dir: string;
    let file: string;
    let code: string;

    before(() => {
        code = bundleHandler("wakeOnRequest");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "wake-bundle-"));
        file = path.join(dir, "handler.js");
        fs.writeFileSync(file, code);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is one small CommonJS file that takes the AWS SDK from the runtime", () => {
        for (const sdk of ["client-ecs", "client-elastic-load-balancing-v2", "client-application-auto-scaling", "client-cloudwatch"]) {
            expect(code).to.include(`require("@aws-sdk/${sdk}")`);
        }
        expect(code).not.to.include("smithy");
        expect(Buffer.byteLength(code)).to.be.below(40_000);
    });

    it("loads in a fresh process and answers without AWS when nothing needs it", () => {
        const waker = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/sales-waker/943f017f100becff";
        const env = {
            CLUSTER_ARN: "arn:aws:ecs:eu-west-1:123456789012:cluster/dashboards",
            SERVICE_NAME: "sales",
            SCALABLE_RESOURCE_ID: "service/dashboards/sales",
            APP_RULE_ARN: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/dashboards/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee",
            WAKE_RULE_ARN: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/dashboards/50dc6c495c0c9188/f2f7dc8efc522ab2/1d4c7a30e5b2f981",
            WAKE_RULE_ASLEEP_PRIORITY: "4999",
            WAKE_RULE_AWAKE_PRIORITY: "5001",
            APP_TARGET_GROUP_ARN: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/sales-app/73e2d6bc24d8a067",
            WAKER_TARGET_GROUP_ARN: waker,
            LOAD_BALANCER_ARN_SUFFIX: "app/dashboards/50dc6c495c0c9188",
            AWAKE_MIN_TASKS: "1",
            AWAKE_MAX_TASKS: "2",
            IDLE_MINUTES: "30",
            DISPLAY_NAME: "Sales",
            PLATFORM_NAME: "Dashboards",
            START_TIMEOUT_SECONDS: "300",
            // Nothing listens on port 9: a call would fail, and the probe must not make one.
            AWS_ENDPOINT_URL: "http://127.0.0.1:9",
        };
        const { results, stdout } = invokeBundled(file, env, [albEvent({ targetGroupArn: waker, headers: PROBE_HEADERS }), { unexpected: true }]);
        expect((results[0] as ALBResult).statusCode).to.equal(503);
        expect((results[0] as ALBResult).headers).to.include({ "X-Dashboards-Asleep": "true" });
        expect(results[1]).to.equal(null); // undefined, through JSON
        const logged = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
        expect(logged.map((l) => l.message)).to.deep.equal(["wake decision", "ignored event"]);
        expect(logged[0], "the environment is valid: not a config-error").to.include({ decision: "asleep", level: "INFO" });
    });

    describe("with moto", () => {
        needs(PREREQUISITES.moto);
        let moto: MotoServer;
        before(async () => {
            moto = await startMoto();
        });
        after(async () => {
            await moto?.stop();
        });

        it("wakes a dashboard in moto from its environment alone (AWS_ENDPOINT_URL points the default clients at moto)", async () => {
            const dashboard = await createMotoDashboard(moto);
            const aws = { AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: "eu-west-1" };
            const { results } = invokeBundled(file, { ...dashboard.env, ...aws }, [scheduledEvent(), albEvent({ targetGroupArn: dashboard.wakerTargetGroupArn, headers: NAVIGATION_HEADERS })]);
            expect(results[0]).to.deep.equal({ decision: "none", reason: "asleep", steps: [] });
            expect((results[1] as ALBResult).body).to.include("Starting Sales…");
            expect((await dashboard.service()).desired).to.equal(1);
            expect(await dashboard.scalableTarget()).to.deep.equal({ min: 1, max: 3 });
        });
    });
});
