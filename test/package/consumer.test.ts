/**
 * The components as a library: pack this package the way npm publishes it, install the tarball
 * into a fresh consumer project (offline: its dependencies are linked from this checkout), then
 * type-check and plan a small consumer program that imports only from the package name.
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../plan/runPlan";

const PACKAGE_NAME = "@dashboards-on-aws/dashboards";
const BIN = path.join(PROJECT_DIR, "node_modules", ".bin");

const CONSUMER_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { CognitoAuth, DashboardCluster, DashboardPlatform, DashboardService, rulePriorities, validateDashboardPlatformArgs } from "${PACKAGE_NAME}";

export function program() {
    const cluster = new DashboardCluster("shared", {
        domain: "analytics.example.org",
        hostedZoneId: "Z0123456789CONSUMER1",
        vpc: { natStrategy: "none" },
    });
    const auth = new CognitoAuth("login", {
        dashboards: [{ name: "finance", hosts: ["finance.analytics.example.org"], accessGroups: ["finance"] }],
        groups: [{ name: "finance" }],
    });
    const priorities = rulePriorities(["finance"]);
    const finance = new DashboardService("finance", {
        cluster: cluster.forServices,
        login: auth.loginFor("finance"),
        build: { dockerfile: "apps/dash/Dockerfile" },
        framework: "dash",
        rulePriority: priorities.get("finance")!,
    });
    return { url: finance.url, albDnsName: cluster.albDnsName, userPoolId: auth.userPoolId };
}

/** The whole platform from an object literal with the stack file's keys. */
export function platform() {
    const analytics = new DashboardPlatform("analytics", {
        domain: "analytics.example.org",
        dns: { hostedZoneId: "Z0123456789CONSUMER1" },
        network: { nat: "none" },
        auth: { mfa: "required", groups: [{ name: "finance" }] },
        dashboards: [
            { name: "finance", framework: "dash", app: "finance", accessGroups: ["finance"] },
            { name: "ops", framework: "shiny", image: "public.ecr.aws/example/ops@sha256:${"a".repeat(64)}" },
        ],
        portal: { enabled: false },
        appsDir: "dashboards",
        region: "eu-central-1",
    });
    return { urls: analytics.dashboardUrls, albDnsName: analytics.albDnsName, userPoolId: analytics.userPoolId };
}

/** The validator alone: every problem of a wrong literal, keyed by argument, nothing declared. */
export function invalidPlatform() {
    return {
        problems: validateDashboardPlatformArgs({
            domain: "analytics.example.org",
            dns: {},
            dashboards: [{ name: "sales", framework: "django", cpu: 256, memory: 4096 }],
            appsDir: "dashboards",
            region: "eu-central-1",
        }),
    };
}
`;

/** Plans each named export of the consumer's index.ts in turn, in one process, and prints what each declared. */
const RUNNER = `
import * as pulumi from "@pulumi/pulumi";
import { createMocks } from ${JSON.stringify(path.join(PROJECT_DIR, "plan", "mocks.ts"))};

async function plan(name: string) {
    const types: string[] = [];
    const mocks = createMocks({ region: "eu-central-1" });
    await pulumi.runtime.setMocks({
        call: (a) => mocks.call(a),
        newResource: (a) => { types.push(a.type); return mocks.newResource(a); },
    }, "consumer", name, false);
    pulumi.runtime.setAllConfig({ "aws:region": "eu-central-1" });
    const program = require("./index")[name];
    const outputs = await pulumi.runtime.runInPulumiStack(async () => program());
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    return { types, outputs };
}

async function main() {
    const results: Record<string, unknown> = {};
    for (const name of process.argv.slice(2)) results[name] = await plan(name);
    process.stdout.write(JSON.stringify({ results, resolved: require.resolve("${PACKAGE_NAME}") }));
}
main().catch((e) => { console.error(e); process.exit(1); });
`;

describe("the components as an npm package", function () {
    this.timeout(300_000);
    let consumer: string;
    let packageDir: string;

    before(() => {
        // Compile exactly what `npm publish` would ship (prepack runs the same build).
        execFileSync(path.join(BIN, "tsc"), ["-p", "tsconfig.build.json"], { cwd: PROJECT_DIR, stdio: "pipe" });
        consumer = fs.mkdtempSync(path.join(os.tmpdir(), "dashboards-consumer-"));
        const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", consumer], { cwd: PROJECT_DIR, encoding: "utf8" }));
        const tarball = path.join(consumer, packed[0].filename);
        packageDir = path.join(consumer, "node_modules", ...PACKAGE_NAME.split("/"));
        fs.mkdirSync(packageDir, { recursive: true });
        execFileSync("tar", ["-xzf", tarball, "-C", packageDir, "--strip-components=1"]);
        // The package's dependencies, as npm would install them beside it (linked: no network in tests).
        for (const entry of fs.readdirSync(path.join(PROJECT_DIR, "node_modules"))) {
            if (entry === ".bin" || entry === PACKAGE_NAME.split("/")[0]) continue;
            fs.symlinkSync(path.join(PROJECT_DIR, "node_modules", entry), path.join(consumer, "node_modules", entry));
        }
        fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies: { [PACKAGE_NAME]: "*" } }));
        fs.writeFileSync(path.join(consumer, "tsconfig.json"), JSON.stringify({
            compilerOptions: { strict: true, module: "node16", moduleResolution: "node16", target: "ES2022", noEmit: true, skipLibCheck: true, types: ["node"] },
            files: ["index.ts"],
        }));
        fs.writeFileSync(path.join(consumer, "index.ts"), CONSUMER_PROGRAM);
        fs.writeFileSync(path.join(consumer, "run.ts"), RUNNER);
        // The consumer's own app folder (appsDir "dashboards"), checked on disk by DashboardPlatform.
        fs.mkdirSync(path.join(consumer, "dashboards", "finance"), { recursive: true });
        fs.writeFileSync(path.join(consumer, "dashboards", "finance", "Dockerfile"), "FROM python:3.12-slim\n");
    });

    after(() => fs.rmSync(consumer, { recursive: true, force: true }));

    /** The three consumer programs, planned once (one process) for the tests that read them. */
    let planned: { results: Record<string, { types: string[]; outputs: any }>; resolved: string } | undefined;
    const plannedProgram = (name: string) => {
        if (!planned) {
            const result = spawnSync(path.join(BIN, "tsx"), ["run.ts", "program", "platform", "invalidPlatform"], { cwd: consumer, encoding: "utf8" });
            expect(result.status, result.stderr).to.equal(0);
            planned = JSON.parse(result.stdout);
        }
        return { ...planned!.results[name], resolved: planned!.resolved };
    };

    it("ships compiled JavaScript, type declarations and the Lambda source, not tests or apps", () => {
        const files = execFileSync("find", [".", "-type", "f"], { cwd: packageDir, encoding: "utf8" }).split("\n");
        expect(files).to.include.members(["./bin/components/index.js", "./bin/components/index.d.ts", "./bin/functions/preTokenGeneration/handler.js", "./PulumiPlugin.yaml", "./package.json"]);
        expect(files.some((f) => f.startsWith("./test/") || f.startsWith("./apps/") || f.startsWith("./plan/"))).to.equal(false);
    });

    it("type-checks a strict consumer program against the package's declarations (through package.json exports)", () => {
        const result = spawnSync(path.join(BIN, "tsc"), ["-p", "."], { cwd: consumer, encoding: "utf8" });
        expect(result.status, result.stdout + result.stderr).to.equal(0);
    });

    it("plans the consumer program under mocks with the components from the package entry", () => {
        const { types, outputs, resolved } = plannedProgram("program");
        expect(fs.realpathSync(resolved)).to.equal(fs.realpathSync(path.join(packageDir, "bin", "components", "index.js")));
        expect(types).to.include.members(["dashboards:index:DashboardCluster", "dashboards:index:CognitoAuth", "dashboards:index:DashboardService", "aws:lb/loadBalancer:LoadBalancer", "aws:lambda/function:Function", "aws:ecs/service:Service"]);
        expect(outputs.url).to.equal("https://finance.analytics.example.org");
        expect(outputs.userPoolId).to.match(/^eu-central-1_/);
    });

    it("plans a DashboardPlatform made from an object literal, importing only the package", () => {
        const { types, outputs } = plannedProgram("platform");
        expect(types).to.include.members(["dashboards:index:DashboardPlatform", "dashboards:index:DashboardCluster", "dashboards:index:CognitoAuth", "dashboards:index:DashboardService", "aws:ecs/service:Service"]);
        // One service per dashboard, none for the portal (turned off); the prebuilt image is not built.
        expect(types.filter((t: string) => t === "dashboards:index:DashboardService")).to.have.length(2);
        expect(types.filter((t: string) => t === "docker-build:index:Image")).to.have.length(1);
        expect(outputs.urls).to.deep.equal({ finance: "https://finance.analytics.example.org", ops: "https://ops.analytics.example.org" });
        expect(outputs.userPoolId).to.match(/^eu-central-1_/);
    });

    it("reports a wrong literal's problems by argument path, declaring nothing", () => {
        const { types, outputs } = plannedProgram("invalidPlatform");
        expect(types).to.deep.equal(["pulumi:pulumi:Stack"]);
        expect(outputs.problems).to.include.members([
            "dashboards[0].framework: \"django\" is not allowed; allowed: shiny, dash, streamlit, flask, custom",
            "dashboards[0].memory: 4096 is not valid with cpu 256 on Fargate; allowed: 512, 1024, 2048",
            "dns: needs hostedZoneId (Route 53 zone for the domain) or certificateArn (existing ACM certificate for *.<domain>), or both",
        ]);
        expect(outputs.problems.some((p: string) => p.startsWith("dashboards[0].app:") && p.includes("dashboards/sales does not exist"))).to.equal(true);
    });
});
