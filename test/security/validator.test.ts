/**
 * The stack validator under hostile input (issue 12, points 5 to 8). Each attack is a stack file
 * an attacker, or a careless copy-paste, could hand the program; each must end as a clear problem
 * naming its key, never as an accepted config, a crash, a hang or wider permissions.
 *
 * Values are given as the Pulumi CLI hands them to the program: strings, objects as JSON text
 * (written out by hand here where JSON.stringify could not produce the attack).
 */
import { expect } from "chai";
import { formatConfigProblems } from "../../components/configError";
import { parseConfigJson } from "../../components/configJson";
import { ConfigProblem, validateStackConfig } from "../../components/stackConfig";
import { devStackWith, devValue } from "../helpers";

const PROJECT = "dashboards";

function validate(changes: Record<string, unknown>, remove: string[] = []) {
    return validateStackConfig(devStackWith(changes, remove).config, PROJECT);
}

function problems(changes: Record<string, unknown>, remove: string[] = []): string[] {
    const result = validate(changes, remove);
    return result.ok ? [] : result.problems.map((p: ConfigProblem) => `${p.key}: ${p.message}`);
}

/** The dev stack's dashboards as JSON text with `extra` (raw JSON members) spliced into dashboard 0. */
function dashboardsJsonWith(extra: string): string {
    const list = devValue<Record<string, unknown>[]>("dashboards");
    const first = JSON.stringify(list[0]);
    return JSON.stringify(list).replace(first, `${first.slice(0, -1)},${extra}}`);
}

const RESERVED = "is a reserved JavaScript name, never a stack-file key (__proto__, constructor and prototype are refused at every level)";

describe("stack validator under hostile input", () => {
    describe("prototype keys: __proto__, constructor, prototype", () => {
        it("a top-level dashboards:__proto__ object cannot inject a domain", () => {
            const result = validate({ "dashboards:__proto__": '{"domain":"injected.example.com"}' }, ["dashboards:domain"]);
            expect(result.ok).to.equal(false);
            const found = result.ok ? [] : result.problems.map((p) => `${p.key}: ${p.message}`);
            expect(found).to.include(`dashboards:__proto__: ${RESERVED}; allowed keys: domain, dns, network, loadBalancer, auth, dashboards, defaults, alarms, usage, portal, pipeline`);
            expect(found).to.include("dashboards:domain: is required; the parent domain of every dashboard, e.g. dashboards.example.com");
        });

        it("a top-level dashboards:__proto__ is refused even next to a valid domain, and so are constructor and prototype", () => {
            for (const key of ["__proto__", "constructor", "prototype"]) {
                const found = problems({ [`dashboards:${key}`]: "hello" });
                expect(found, key).to.deep.equal([`dashboards:${key}: ${RESERVED}; allowed keys: domain, dns, network, loadBalancer, auth, dashboards, defaults, alarms, usage, portal, pipeline`]);
            }
        });

        it("a nested __proto__ is named where it is, and nothing it carries leaks into other keys", () => {
            const auth = JSON.stringify(devValue("auth"));
            expect(problems({ "dashboards:auth": `${auth.slice(0, -1)},"__proto__":{"provider":"oidc"}}` })).to.deep.equal([
                `dashboards:auth.__proto__: ${RESERVED}; allowed keys: provider, mfa, threatProtection, allowSelfSignUp, deletionProtection, passwordMinimumLength, domainPrefix, customDomain, sessionTimeoutSeconds, tokenValidity, groups, adminGroups, users, identityProviders, oidc, email`,
            ]);
            expect(problems({ "dashboards:dns": '{"hostedZoneId":"Z0123456789DEVZONE01","__proto__":{"certificateArn":"x"}}' })).to.deep.equal([
                `dashboards:dns.__proto__: ${RESERVED}; allowed keys: hostedZoneId, certificateArn`,
            ]);
        });

        it("inside maps (environment, secrets) and lists, where any name would otherwise do", () => {
            expect(problems({ "dashboards:dashboards": dashboardsJsonWith('"environment":{"__proto__":{"DASHBOARD_URL":"https://evil.example.com"}}') })).to.deep.equal([
                `dashboards:dashboards[0].environment.__proto__: ${RESERVED}`,
            ]);
            expect(problems({ "dashboards:dashboards": dashboardsJsonWith('"secrets":{"constructor":"arn:aws:ssm:eu-west-1:123456789012:parameter/x"}') })).to.deep.equal([
                `dashboards:dashboards[0].secrets.constructor: ${RESERVED}`,
            ]);
            expect(problems({ "dashboards:auth": JSON.stringify({ ...devValue("auth"), users: [{ email: "a@example.com", prototype: 1 }] }) })).to.deep.equal([
                `dashboards:auth.users[0].prototype: ${RESERVED}; allowed keys: email, groups`,
            ]);
        });

        it("objects read from JSON have no prototype, so nothing is inherited", () => {
            const parsed = parseConfigJson('{"a":{"b":[{"c":1}]}}');
            expect(parsed.ok).to.equal(true);
            if (!parsed.ok) return;
            const a = (parsed.value as any).a;
            expect(Object.getPrototypeOf(parsed.value)).to.equal(null);
            expect(Object.getPrototypeOf(a.b[0])).to.equal(null);
            expect((parsed.value as any).toString).to.equal(undefined);
        });

        it("deep inside a value, at any depth", () => {
            expect(problems({ "dashboards:dashboards": dashboardsJsonWith('"environment":{"A":[[{"__proto__":1}]]}') })).to.include(
                `dashboards:dashboards[0].environment.A[0][0].__proto__: ${RESERVED}`,
            );
        });
    });

    describe("malformed and deeply nested JSON", () => {
        it("JSON that does not parse is named as such, not echoed back as a string", () => {
            expect(problems({ "dashboards:loadBalancer": '{"idleTimeoutSeconds": 30,}' })).to.deep.equal([
                "dashboards:loadBalancer: is not valid JSON (expected a key in double quotes at position 26)",
            ]);
        });

        it("an extra host that is not a DNS name is reported once, not again as a host no certificate covers", () => {
            expect(problems({ "dashboards:dashboards": [{ name: "mini", framework: "dash", extraHosts: ["Bad_Host.example.org", { host: "x".repeat(300) }] }] })).to.deep.equal([
                'dashboards:dashboards[0].extraHosts[0]: "Bad_Host.example.org" is not a lowercase DNS name',
                `dashboards:dashboards[0].extraHosts[1].host: "${"x".repeat(40)}..." (300 characters) is longer than 253 characters`,
            ]);
        });

        it("a problem with an extra host names that host's index even when one before it is malformed", () => {
            expect(problems({ "dashboards:dashboards": [{ name: "mini", framework: "dash", extraHosts: [42, "kpis.example.org"] }] })).to.deep.equal([
                "dashboards:dashboards[0].extraHosts[0]: expected a host name, or {host, certificateArn}, got 42",
                "dashboards:dashboards[0].extraHosts[1]: kpis.example.org is outside dev.dashboards.example.com, so the stack cannot request a certificate for it and *.dev.dashboards.example.com does not cover it; write it as {host: kpis.example.org, certificateArn: <ACM certificate in eu-west-1 that covers it>}",
            ]);
        });

        it("so does a problem with an access group after a malformed one", () => {
            expect(problems({ "dashboards:dashboards": [{ name: "mini", framework: "dash", accessGroups: [42, "nobody"] }] })).to.deep.equal([
                "dashboards:dashboards[0].accessGroups[0]: expected string, got 42",
                'dashboards:dashboards[0].accessGroups[1]: group "nobody" is not declared in auth.groups; declared groups: admins, shiny_users, dash_users, analysts',
            ]);
        });

        it("nesting 200,000 levels deep is reported where it gets too deep, without a stack overflow", () => {
            const deep = "[".repeat(200_000) + "]".repeat(200_000);
            const found = problems({ "dashboards:dashboards": dashboardsJsonWith(`"environment":{"A":${deep}}`) });
            expect(found).to.have.length(2);
            expect(found[0]).to.equal("dashboards:dashboards[0].environment.A: expected a string value, got a list (quote numbers and booleans)");
            expect(found[1]).to.match(/^dashboards:dashboards\[0\]\.environment\.A(\[0\])+: is nested more than 32 levels deep; no stack-file value is$/);
        });
    });

    describe("numbers that are not numbers", () => {
        const minimal = (members: string) => `[{"name":"mini","framework":"dash",${members}}]`;

        it("NaN, Infinity and -Infinity (as Python's json.dumps writes them) are named for what they are, once", () => {
            expect(problems({ "dashboards:dashboards": minimal('"cpu":NaN') })).to.deep.equal(["dashboards:dashboards[0].cpu: is not a finite number (got NaN)"]);
            expect(problems({ "dashboards:dashboards": minimal('"minTasks":Infinity') })).to.deep.equal(["dashboards:dashboards[0].minTasks: is not a finite number (got Infinity)"]);
            expect(problems({ "dashboards:loadBalancer": '{"idleTimeoutSeconds":-Infinity}' })).to.deep.equal(["dashboards:loadBalancer.idleTimeoutSeconds: is not a finite number (got -Infinity)"]);
        });

        it("a number too large for a double (1e400) is shown as written, once, not as Infinity twice", () => {
            expect(problems({ "dashboards:dashboards": minimal('"cpu":1e400') })).to.deep.equal(["dashboards:dashboards[0].cpu: is not a finite number (got 1e400)"]);
            expect(problems({ "dashboards:dashboards": minimal('"memory":-1e400') })).to.deep.equal(["dashboards:dashboards[0].memory: is not a finite number (got -1e400)"]);
            const digits = "9".repeat(400);
            expect(problems({ "dashboards:loadBalancer": `{"idleTimeoutSeconds":${digits}}` })).to.deep.equal([
                `dashboards:loadBalancer.idleTimeoutSeconds: is not a finite number (got ${digits.slice(0, 20)}... (400 characters))`,
            ]);
        });

        it("a huge but finite whole number is reported once, as above the maximum", () => {
            expect(problems({ "dashboards:dashboards": minimal('"minTasks":1e300') })).to.deep.equal(["dashboards:dashboards[0].minTasks: 1e+300 is above the maximum; allowed: 0 to 100"]);
            expect(problems({ "dashboards:dashboards": minimal('"port":-123456789012345678901234567890') })).to.deep.equal([
                "dashboards:dashboards[0].port: -1.2345678901234568e+29 is below the minimum; allowed: 1 to 65535",
            ]);
            expect(problems({ "dashboards:dashboards": minimal('"cpu":1e300') })).to.deep.equal(["dashboards:dashboards[0].cpu: 1e+300 is not a Fargate CPU value; allowed: 256, 512, 1024, 2048, 4096, 8192, 16384"]);
        });
    });

    describe("namespace typos", () => {
        it("a namespace a typo away from the project's is refused with the key it was meant to be", () => {
            expect(problems({ "dashbords:loadBalancer": { idleTimeoutSeconds: 30 } })).to.deep.equal([
                'dashbords:loadBalancer: unknown namespace "dashbords" (did you mean "dashboards:loadBalancer"?); this project\'s keys are dashboards:<key>, other namespaces belong to providers (aws:, pulumi:, ...)',
            ]);
            for (const key of ["dashboard:portal", "Dashboards:portal", "dashboardss:portal", "dsahboards:portal"]) {
                expect(problems({ [key]: { enabled: false } }), key).to.deep.equal([
                    `${key}: unknown namespace "${key.split(":")[0]}" (did you mean "dashboards:portal"?); this project's keys are dashboards:<key>, other namespaces belong to providers (aws:, pulumi:, ...)`,
                ]);
            }
        });

        it("suggests the key too when it is also misspelt", () => {
            expect(problems({ "dashbords:loadBalancr": { idleTimeoutSeconds: 30 } })[0]).to.match(/^dashbords:loadBalancr: unknown namespace "dashbords" \(did you mean "dashboards:loadBalancer"\?\)/);
        });

        it("leaves other providers' and Pulumi's own namespaces alone", () => {
            const result = validate({
                "aws:profile": "dev", "aws:defaultTags": '{"tags":{"team":"analytics"}}', "pulumi:tags": '{"owner":"x"}',
                "random:x": "1", "docker:host": "unix:///var/run/docker.sock", "awsx:y": "1", "tls:z": "1", "dash:w": "1",
            });
            expect(result.ok, JSON.stringify(!result.ok && result.problems)).to.equal(true);
        });
    });

    describe("secret references cannot widen IAM", () => {
        const withSecret = (ref: string) => ({ "dashboards:dashboards": [{ name: "mini", framework: "dash", secrets: { API_KEY: ref } }] });
        const PARTIAL = "is a partial Secrets Manager ARN (no -<6 random characters> after the name), which IAM could only match with a wildcard; use the secret's full ARN (aws secretsmanager describe-secret --secret-id <name> --query ARN)";

        it("a Secrets Manager ARN without its 6-character suffix is refused (it would need secret:p* in IAM)", () => {
            for (const ref of ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:p", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db:password::"]) {
                expect(problems(withSecret(ref)), ref).to.deep.equal([`dashboards:dashboards[0].secrets.API_KEY: ${JSON.stringify(ref)} ${PARTIAL}`]);
            }
        });

        it("wildcards and empty names are refused in Secrets Manager and SSM references", () => {
            for (const ref of [
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:*", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:p*",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:p-??????", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:",
                "arn:aws:ssm:eu-west-1:123456789012:parameter/*", "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/?", "arn:aws:ssm:eu-west-1:123456789012:parameter/",
            ]) {
                expect(problems(withSecret(ref))[0], ref).to.match(/^dashboards:dashboards\[0\]\.secrets\.API_KEY: .* is not an SSM parameter ARN/);
            }
        });

        it("full ARNs are taken, with the json-key:version-stage:version-id ECS allows", () => {
            for (const ref of [
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC123", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC123:password::",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC123::AWSPREVIOUS:", "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/db",
            ]) {
                expect(problems(withSecret(ref)), ref).to.deep.equal([]);
            }
        });

        it("the pipeline's Pulumi token and passphrase secrets must be full ARNs too (the build role reads exactly them)", () => {
            const pipeline = (arn: string) => ({ "dashboards:pipeline": { repository: "acme/dashboards", deployPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"], pulumiAccessTokenSecretArn: arn, pulumiConfigPassphraseSecretArn: arn } });
            const partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pulumi";
            expect(problems(pipeline(partial))).to.deep.equal([
                `dashboards:pipeline.pulumiAccessTokenSecretArn: ${JSON.stringify(partial)} is not a full Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>)`,
                `dashboards:pipeline.pulumiConfigPassphraseSecretArn: ${JSON.stringify(partial)} is not a full Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>)`,
            ]);
            expect(problems(pipeline("arn:aws:secretsmanager:eu-west-1:123456789012:secret:pulumi/token-AbC123:token::"))).to.have.length(2);
            expect(problems(pipeline("arn:aws:secretsmanager:eu-west-1:123456789012:secret:pulumi/token-AbC123"))).to.deep.equal([]);
        });
    });

    describe("huge inputs: bounded time, bounded messages", () => {
        const timed = <T>(f: () => T): [T, number] => {
            const start = process.hrtime.bigint();
            const value = f();
            return [value, Number(process.hrtime.bigint() - start) / 1e6];
        };

        it("an email address built to make the pattern backtrack is refused quickly", () => {
            const [found, ms] = timed(() => problems({ "dashboards:alarms": { emails: [`a@${".".repeat(50_000)} `] } }));
            expect(found).to.have.length(1);
            expect(found[0]).to.match(/^dashboards:alarms\.emails\[0\]: "a@\.+\.\.\." \(50003 characters\) is longer than 254 characters$/);
            expect(ms).to.be.below(1000);
        });

        it("so is an SES from address (its pattern is also searched, unanchored, by the sender check)", () => {
            const auth = { ...devValue("auth"), email: { sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com", fromEmailAddress: `a@${".".repeat(50_000)} ` } };
            const [found, ms] = timed(() => problems({ "dashboards:auth": auth }));
            expect(found).to.have.length(1);
            expect(found[0]).to.match(/^dashboards:auth\.email\.fromEmailAddress: ".*" \(50003 characters\) is longer than 512 characters$/);
            expect(ms).to.be.below(1000);
        });

        it("a megabyte-long value or key is shown by its start and length, not echoed whole", () => {
            const domain = problems({ "dashboards:domain": "x".repeat(1_000_000) });
            expect(domain).to.deep.equal([`dashboards:domain: "${"x".repeat(40)}..." (1000000 characters) is longer than 253 characters`]);
            const [key, ms] = timed(() => problems({ "dashboards:loadBalancer": { ["k".repeat(1_000_000)]: 1 } }));
            expect(key).to.deep.equal([`dashboards:loadBalancer.${"k".repeat(40)}... (1000000 characters): unknown key; allowed keys: maxDashboards, idleTimeoutSeconds, deletionProtection, signOutConcurrency, accessLogs`]);
            expect(ms).to.be.below(1000);
        });

        it("thousands of undeclared groups do not repeat the list of declared groups in every problem", () => {
            const dev = devValue("auth");
            const auth = { ...dev, groups: [...dev.groups, ...Array.from({ length: 2000 }, (_, i) => ({ name: `g${i}` }))], adminGroups: Array.from({ length: 2000 }, (_, i) => `x${i}`) };
            const found = problems({ "dashboards:auth": auth });
            expect(found.filter((p) => p.startsWith("dashboards:auth.adminGroups["))).to.have.length(2000);
            // So many admin groups also outgrow their access-map parameter: said once, for the key as a whole.
            expect(found.filter((p) => p.startsWith("dashboards:auth.adminGroups: take "))).to.have.length(1);
            expect(found.find((p) => p.startsWith("dashboards:auth.adminGroups["))).to.equal('dashboards:auth.adminGroups[0]: group "x0" is not declared in auth.groups; declared groups: admins, shiny_users, dash_users, analysts, g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, g10, g11, g12, g13, g14, g15, ... and 1984 more');
            expect(found.join("\n").length).to.be.below(1_000_000);
        });

        it("tens of thousands of problems print as the first hundred and a count, quickly", () => {
            const broken = Array.from({ length: 20_000 }, (_, i) => ({ name: `D${i}` }));
            const [result, ms] = timed(() => validate({ "dashboards:dashboards": broken }));
            expect(ms).to.be.below(5000);
            expect(result.ok).to.equal(false);
            if (result.ok) return;
            const text = formatConfigProblems("dev", result.problems);
            const lines = text.split("\n");
            expect(lines[0]).to.equal(`Stack configuration (Pulumi.dev.yaml) has ${result.problems.length} problems:`);
            expect(lines).to.have.length(1 + 100 + 2);
            expect(lines[101]).to.equal(`  ... and ${result.problems.length - 100} more; fix the ones above and run again to see the rest`);
        });

        it("a value over a megabyte is refused by its size before anything reads it", () => {
            const huge = JSON.stringify(Array.from({ length: 60_000 }, (_, i) => ({ name: `dashboard-${i}`, framework: "dash" })));
            expect(huge.length).to.be.above(2 ** 20);
            const [found, ms] = timed(() => problems({ "dashboards:dashboards": huge }));
            expect(found).to.deep.equal([`dashboards:dashboards: is ${huge.length} characters long; a stack-file value may have at most ${2 ** 20}`]);
            expect(ms).to.be.below(1000);
        });

        it("an auth value that could not be read does not make every access group look undeclared", () => {
            const auth = JSON.stringify({ ...devValue("auth"), description: "x".repeat(2 ** 20) });
            expect(problems({ "dashboards:auth": auth })).to.deep.equal([`dashboards:auth: is ${auth.length} characters long; a stack-file value may have at most ${2 ** 20}`]);
        });

        it("30,000 references to undeclared groups stay fast (a set, not a list search per reference)", () => {
            const dev = devValue("auth");
            const auth = { ...dev, groups: Array.from({ length: 30_000 }, (_, i) => ({ name: `g${i}` })), adminGroups: Array.from({ length: 30_000 }, (_, i) => `x${i}`) };
            const [found, ms] = timed(() => problems({ "dashboards:auth": auth }));
            expect(found.length).to.be.above(30_000);
            expect(ms).to.be.below(1500);
        });
    });

    describe("odd shapes never crash the validator", () => {
        it("a config value that is not a string (a JavaScript caller's mistake) is named, not a TypeError", () => {
            const config: Record<string, any> = { ...devStackWith().config, "dashboards:loadBalancer": { idleTimeoutSeconds: 30 }, "dashboards:portal": null };
            const result = validateStackConfig(config, PROJECT);
            expect(result.ok ? [] : result.problems.map((p) => `${p.key}: ${p.message}`)).to.deep.equal([
                "dashboards:loadBalancer: is not text (got an object); Pulumi passes every config value as a string, objects as JSON",
                "dashboards:portal: is not text (got null); Pulumi passes every config value as a string, objects as JSON",
            ]);
        });

        /** A small deterministic generator (mulberry32), so a failure can be replayed. */
        const random = (seed: number) => () => {
            seed = (seed + 0x6d2b79f5) | 0;
            let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
            t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
            return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        };
        const KEYS = ["name", "framework", "cpu", "memory", "groups", "accessGroups", "extraHosts", "host", "certificateArn", "environment", "secrets",
            "type", "email", "enabled", "vpcId", "publicSubnetIds", "hostedZoneId", "provider", "oidc", "adminGroups", "users", "__proto__", "constructor", "x"];
        const odd = (next: () => number, depth: number): unknown => {
            const pick = Math.floor(next() * 12);
            if (depth > 3 && pick > 7) return null;
            switch (pick) {
                case 0: return null;
                case 1: return next() < 0.5;
                case 2: return Math.floor(next() * 5000) - 100;
                case 3: return next() * 1e300;
                case 4: return "";
                case 5: return ["dash", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:p", "a@b.c", "vpc-0123456789abcdef0", "Z0123456789DEVZONE01"][Math.floor(next() * 5)];
                case 6: return "x".repeat(Math.floor(next() * 300));
                case 7: case 8: return Array.from({ length: Math.floor(next() * 4) }, () => odd(next, depth + 1));
                default: return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [KEYS[Math.floor(next() * KEYS.length)], odd(next, depth + 1)]));
            }
        };
        const TOP = ["domain", "dns", "network", "loadBalancer", "auth", "dashboards", "defaults", "alarms", "portal", "pipeline"];

        it("500 random stack files: each gives problems (every one naming a key) or a config, never an exception", () => {
            const next = random(12);
            for (let i = 0; i < 500; i++) {
                const changes: Record<string, unknown> = {};
                for (const key of TOP) if (next() < 0.4) changes[`dashboards:${key}`] = JSON.stringify(odd(next, 0)).replace(/"x+"/g, (m) => (next() < 0.1 ? "NaN" : m));
                let result;
                try {
                    result = validate(changes);
                } catch (e) {
                    throw new Error(`stack file ${i} (${JSON.stringify(changes).slice(0, 500)}) threw ${(e as Error).stack}`);
                }
                if (!result.ok) for (const p of result.problems) expect(p.key, JSON.stringify(p)).to.match(/^(dashboards|aws):/);
            }
        });
    });
});
