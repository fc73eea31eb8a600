/**
 * The first `pulumi up` a new user runs, on the real Pulumi engine: dev and prod, unmodified, through
 * stack init, preview with both policy packs, up, a second preview that must change nothing, stack
 * export without plaintext secrets, and destroy (prod's protected user pool must stop it; then the
 * teardown documented in docs/operations.md finishes it). The providers are test doubles
 * (engine/providers): they reject what AWS would, but create nothing real.
 */
import { expect } from "chai";
import * as path from "path";
import { planStack } from "../../../plan/runPlan";
import { CliResult, EngineWorkspace, REPO, tail } from "./workspace";

const POLICY_PACKS = [path.join(REPO, "policy"), path.join(REPO, "policy", "awsguard")];
/** Marker of a secret in Pulumi's state (sig key -> secret sig). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Keys whose secret values must never be readable: credentials, not identifiers. */
const SENSITIVE_KEY = /secret|password|token|result/i;

/**
 * Plaintext of every sensitive secret in a `stack export --show-secrets` document: the string
 * leaves of each secret value that sit under a sensitive key (`clientSecret`, a random `result`,
 * an ECR `password`), including keys inside a secret object (a dashboard's `login`). Identifiers
 * that travel inside a secret object (a client id) are public elsewhere by design, so they are left out.
 */
export function sensitiveSecrets(doc: unknown): string[] {
    const found: string[] = [];
    const leaves = (v: unknown, key: string): void => {
        if (typeof v === "string") {
            if (SENSITIVE_KEY.test(key)) found.push(v);
        } else if (Array.isArray(v)) v.forEach((x) => leaves(x, key));
        else if (v && typeof v === "object") Object.entries(v).forEach(([k, x]) => leaves(x, k));
    };
    const walk = (v: unknown, key: string): void => {
        if (Array.isArray(v)) v.forEach((x) => walk(x, key));
        else if (v && typeof v === "object") {
            const o = v as Record<string, unknown>;
            if (SECRET_SIG in o && typeof o.plaintext === "string") {
                leaves(JSON.parse(o.plaintext), key);
                return;
            }
            Object.entries(o).forEach(([k, x]) => walk(x, k));
        }
    };
    walk(doc, "");
    return [...new Set(found.filter((s) => s.length >= 12))];
}

/** `N created` etc. from the CLI's summary. */
function count(result: CliResult, verb: string): number {
    const m = new RegExp(`^\\s+[-+~]?\\s*(\\d+) ${verb}$`, "m").exec(result.stdout);
    return m ? Number(m[1]) : 0;
}

for (const stack of ["dev", "prod"]) {
    describe(`${stack} stack on the real Pulumi engine`, function () {
        this.timeout(1_800_000);
        let ws: EngineWorkspace;
        const timings: Record<string, number> = {};
        let created = 0;
        const run = (step: string, args: string[], env?: Record<string, string>) => {
            const r = ws.pulumi(["--stack", stack, ...args], { env });
            timings[step] = (timings[step] ?? 0) + r.seconds;
            return r;
        };

        before(() => {
            ws = new EngineWorkspace(stack);
            ws.addStack(stack);
        });
        after(() => {
            const figures = Object.entries(timings).map(([k, s]) => `${k} ${s.toFixed(1)}s`).join(", ");
            console.log(`      engine ${stack}: ${created} resources; ${figures}`);
            ws?.dispose();
        });

        it("stack init with a passphrase secrets provider and a file:// backend", () => {
            const r = ws.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
            expect(r.code, tail(r)).to.equal(0);
        });

        it("preview accepts the unmodified stack file and passes both policy packs (ours and AWSGuard)", () => {
            const r = run("preview", ["preview", ...POLICY_PACKS.flatMap((p) => ["--policy-pack", p])]);
            expect(r.code, tail(r)).to.equal(0);
            expect(r.stdout).to.match(/\d+ to create/);
            expect(r.output).not.to.match(/mandatory/i);
            // Both packs ran: the CLI names each pack it loaded.
            expect(r.output).to.contain("dashboards-aws");
            expect(r.output).to.match(/awsguard/i);
        });

        it("up creates every resource", () => {
            const r = run("up", ["up", "--yes", "--skip-preview"]);
            expect(r.code, tail(r)).to.equal(0);
            created = count(r, "created");
            expect(created).to.be.greaterThan(50);
            expect(ws.cloudResources().length).to.be.greaterThan(40);
        });

        it("the offline plan declares exactly the resources the engine deployed", async () => {
            const exported = ws.pulumi(["--stack", stack, "stack", "export"]);
            expect(exported.code, tail(exported)).to.equal(0);
            const deployed = (JSON.parse(exported.stdout).deployment.resources as { urn: string; type: string; parent?: string }[]);
            // awsx.ec2.Vpc is a remote component: its children come from the provider (here the awsx
            // double), never from the program, so the offline plan cannot list them.
            const insideAwsx = new Set<string>();
            for (const r of deployed) {
                if (r.type.startsWith("awsx:") || (r.parent && insideAwsx.has(r.parent))) insideAwsx.add(r.urn);
            }
            const ours = (urn: string, type: string) => !type.startsWith("pulumi:") && !(insideAwsx.has(urn) && !type.startsWith("awsx:"));
            const engineUrns = deployed.filter((r) => ours(r.urn, r.type)).map((r) => r.urn).sort();
            const planUrns = (await planStack(stack)).resources.filter((r) => ours(r.urn, r.type)).map((r) => r.urn).sort();
            const onlyInPlan = planUrns.filter((u) => !engineUrns.includes(u));
            const onlyDeployed = engineUrns.filter((u) => !planUrns.includes(u));
            expect({ onlyInPlan, onlyDeployed }).to.deep.equal({ onlyInPlan: [], onlyDeployed: [] });
        });

        it("a second preview changes nothing (preview --expect-no-changes)", () => {
            const r = run("preview again", ["preview", "--expect-no-changes", "--diff"]);
            expect(r.code, tail(r, 120)).to.equal(0);
        });

        it("stack export holds no secret in plaintext", () => {
            const withSecrets = run("export", ["stack", "export", "--show-secrets"]);
            expect(withSecrets.code, tail(withSecrets)).to.equal(0);
            const secrets = sensitiveSecrets(JSON.parse(withSecrets.stdout));
            // At least every Cognito app client secret (one per dashboard and the portal) is there.
            expect(secrets.length).to.be.at.least(5);
            const plain = run("export", ["stack", "export"]);
            expect(plain.code, tail(plain)).to.equal(0);
            const leaked = secrets.filter((s) => plain.stdout.includes(s));
            expect(leaked, "secrets in plaintext in the exported state").to.deep.equal([]);
        });

        it("a change of VPC replaces the target groups without a name clash, then settles", () => {
            // Target groups are created before the old ones are deleted; a name that ignored the VPC
            // would collide (DuplicateTargetGroupName) in the fake cloud as it does in AWS.
            const set = ws.pulumi(["--stack", stack, "config", "set", "--path", "network.cidrBlock", "10.77.0.0/16"]);
            expect(set.code, tail(set)).to.equal(0);
            const up = run("up (new VPC)", ["up", "--yes", "--skip-preview"]);
            expect(up.code, tail(up)).to.equal(0);
            expect(up.stdout).to.match(/aws:lb:TargetGroup\s+\S+\s+replaced/);
            const again = run("preview again", ["preview", "--expect-no-changes"]);
            expect(again.code, tail(again, 120)).to.equal(0);
        });

        if (stack === "prod") {
            const hasPool = () => ws.cloudResources().some((c) => c.type === "aws:cognito/userPool:UserPool");
            const setConfig = (key: string, value: string) => {
                const set = ws.pulumi(["--stack", stack, "config", "set", "--path", key, value]);
                expect(set.code, tail(set)).to.equal(0);
            };

            it("destroy stops at the load balancer's deletion protection (AWS refuses), with the user pool untouched", () => {
                const r = run("destroy", ["destroy", "--yes", "--skip-preview"]);
                expect(r.code).to.not.equal(0);
                expect(r.output).to.contain("cannot be deleted because deletion protection is enabled");
                expect(ws.cloudResources().some((c) => c.type === "aws:lb/loadBalancer:LoadBalancer")).to.equal(true);
                expect(hasPool()).to.equal(true);
            });

            it("with only the load balancer unprotected, destroy still stops at the protected user pool", () => {
                setConfig("loadBalancer.deletionProtection", "false");
                const up = run("up", ["up", "--yes", "--skip-preview"]);
                expect(up.code, tail(up)).to.equal(0);
                const r = run("destroy", ["destroy", "--yes", "--skip-preview"]);
                expect(r.code).to.not.equal(0);
                // The engine's own refusal: `resource "urn:...::auth-pool" cannot be deleted\n because it is protected`.
                expect(r.output).to.match(/UserPool::auth-pool" cannot be deleted\s+because it is protected/);
                expect(hasPool()).to.equal(true);
            });

            it("the documented teardown (protection off, force-delete repositories, up, destroy) removes everything", () => {
                // docs/operations.md "Tearing a stack down", the remaining steps.
                setConfig("auth.deletionProtection", "false");
                setConfig("defaults.forceDeleteRepositories", "true");
                const up = run("up", ["up", "--yes", "--skip-preview"]);
                expect(up.code, tail(up)).to.equal(0);
                const r = run("destroy", ["destroy", "--yes", "--skip-preview"]);
                expect(r.code, tail(r)).to.equal(0);
                expect(ws.cloudResources()).to.deep.equal([]);
            });
        } else {
            it("destroy removes everything", () => {
                const r = run("destroy", ["destroy", "--yes", "--skip-preview"]);
                expect(r.code, tail(r)).to.equal(0);
                expect(ws.cloudResources()).to.deep.equal([]);
            });
        }
    });
}
