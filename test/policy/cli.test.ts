/**
 * The pack as `pulumi preview --policy-pack policy` runs it, minus the CLI: the CLI's
 * `pulumi-analyzer-policy` shim resolves `@pulumi/pulumi/cmd/run-policy-pack` from the pack's
 * directory and runs it with node there; the pack prints a port and serves the Analyzer gRPC
 * service the engine then calls. This test does the same and plays the engine.
 */
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "../../plan/runPlan";
import { describePlan } from "../../policy/offline";
import { PACK_NAME } from "../../policy/pack";
import { RULES } from "../../policy/rules";
import { mutate, plan, TYPES, UNKNOWN_STRING } from "./helpers";

/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require("@grpc/grpc-js");
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const POLICY_DIR = path.join(PROJECT_DIR, "policy");

/** Plain JSON (no undefined) for a protobuf Struct. */
const toStruct = (props: object) => Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));

function call<T>(client: any, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
}

interface Diagnostic { policy: string; message: string; urn: string; level: number }
const diagnostics = (res: any): Diagnostic[] => res.getDiagnosticsList().map((d: any) => ({
    policy: d.getPolicyname(), message: d.getMessage(), urn: d.getUrn(), level: d.getEnforcementlevel(),
}));

function analyzeRequest(r: { type: string; name: string; urn: string; props: object }): unknown {
    const req = new analyzerProto.AnalyzeRequest();
    req.setType(r.type);
    req.setName(r.name);
    req.setUrn(r.urn);
    req.setProperties(toStruct(r.props));
    req.setOptions(new analyzerProto.AnalyzerResourceOptions());
    return req;
}

describe("the policy pack served like `pulumi preview --policy-pack policy` does", function () {
    this.timeout(120_000); // ts-node type-checks the pack on start
    let child: ChildProcess;
    let client: any;
    let stderr = "";

    before(async () => {
        // What the pulumi-analyzer-policy shim does: resolve the runner from the pack's directory.
        const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [POLICY_DIR] });
        child = spawn(process.execPath, [runner, "127.0.0.1:1", POLICY_DIR], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
        child.stderr!.on("data", (d) => { stderr += d; });
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (d) => {
                out += d;
                const m = /^(\d+)\s/.exec(out);
                if (m) resolve(Number(m[1]));
            });
            child.on("exit", (code) => reject(new Error(`policy pack exited with ${code} before serving:\n${stderr}${out}`)));
        });
        client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        child?.kill();
    });

    it("loads (TypeScript, @pulumi/policy from the project's node_modules) and lists every rule as a policy", async () => {
        const info: any = await call(client, "getAnalyzerInfo", new Empty());
        expect(info.getName()).to.equal(PACK_NAME);
        expect(info.getVersion()).to.equal("0.1.0");
        expect(info.getPoliciesList().map((p: any) => p.getName())).to.deep.equal(RULES.map((r) => r.id));
    });

    it("Analyze reports a resource that breaks a rule, and accepts a compliant one", async () => {
        const prod = await plan("prod");
        const listener = prod.resources.find((r) => r.name === "dashboards-https")!;
        const ok = diagnostics(await call(client, "analyze", analyzeRequest({ ...listener, props: listener.inputs })));
        expect(ok).to.deep.equal([]);
        const weak = diagnostics(await call(client, "analyze", analyzeRequest({ ...listener, props: { ...listener.inputs, sslPolicy: "ELBSecurityPolicy-2016-08" } })));
        expect(weak.map((d) => d.policy)).to.deep.equal(["alb-https-listener-modern-tls"]);
        expect(weak[0].message).to.contain('uses TLS policy "ELBSecurityPolicy-2016-08"');
        expect(weak[0].message).to.contain("Remediation: ");
    });

    it("Analyze does not fail a preview on a value that is not known yet (advisory \"can't run\" instead)", async () => {
        const res = diagnostics(await call(client, "analyze", analyzeRequest({
            type: TYPES.listener, name: "https", urn: "urn:pulumi:prod::dashboards::aws:lb/listener:Listener::https",
            props: { protocol: "HTTPS", sslPolicy: UNKNOWN_STRING },
        })));
        expect(res).to.have.length(1);
        expect(res[0].message).to.match(/can't run policy 'alb-https-listener-modern-tls'.*during preview/);
        expect(res[0].level).to.equal(analyzerProto.EnforcementLevel.ADVISORY);
    });

    it("AnalyzeStack passes the prod plan and reports a cross-resource violation on the resource's URN", async () => {
        const stackRequest = (p: Awaited<ReturnType<typeof plan>>) => {
            const req = new analyzerProto.AnalyzeStackRequest();
            req.setResourcesList(describePlan(p).map((d) => {
                const r = new analyzerProto.AnalyzerResource();
                r.setType(d.type);
                r.setName(d.name);
                r.setUrn(d.urn);
                r.setProperties(toStruct(d.props));
                r.setOptions(new analyzerProto.AnalyzerResourceOptions());
                // References as the engine sends them: property dependencies.
                for (const [key, urns] of Object.entries(d.refs ?? {})) {
                    const deps = new analyzerProto.AnalyzerPropertyDependencies();
                    deps.setUrnsList(urns);
                    r.getPropertydependenciesMap().set(key, deps);
                }
                return r;
            }));
            return req;
        };
        const prod = await plan("prod");
        expect(diagnostics(await call(client, "analyzeStack", stackRequest(prod)))).to.deep.equal([]);
        const exposed = mutate(prod, TYPES.service, "kpis-service", (i) => { i.networkConfiguration.assignPublicIp = true; });
        const found = diagnostics(await call(client, "analyzeStack", stackRequest(exposed)));
        expect(found.map((d) => [d.policy, d.urn])).to.deep.equal([["ecs-no-public-ip-with-nat", prod.resources.find((r) => r.name === "kpis-service")!.urn]]);
        expect(found[0].level).to.equal(analyzerProto.EnforcementLevel.MANDATORY);
    });
});
