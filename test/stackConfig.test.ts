import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigProblem, validatePlatformModel, validateStackConfig } from "../components/stackConfig";
import { devStackWith, devValue } from "./helpers";

const PROJECT = "dashboards";

function problemsOf(changes: Record<string, unknown>, remove: string[] = []): ConfigProblem[] {
    const result = validateStackConfig(devStackWith(changes, remove).config, PROJECT);
    return result.ok ? [] : result.problems;
}

function lines(problems: ConfigProblem[]): string[] {
    return problems.map((p) => `${p.key}: ${p.message}`);
}

/** The dev dashboards with `patch` merged into dashboard `index`. */
function dashboardsWith(index: number, patch: Record<string, unknown>): unknown[] {
    const list = devValue<Record<string, unknown>[]>("dashboards");
    list[index] = { ...list[index], ...patch };
    return list;
}

const DIGEST = `sha256:${"ab12".repeat(16)}`;
const ECR_IMAGE = `210987654321.dkr.ecr.us-east-1.amazonaws.com/team/sales@${DIGEST}`;

/** Prebuilt images and pinned digests: each broken value and the exact message it must produce. */
function imageCases(): { title: string; changes: Record<string, unknown>; expected: string }[] {
    const withImage = (patch: Record<string, unknown>) => ({ "dashboards:dashboards": [{ name: "pre", framework: "dash", ...patch }] });
    const bad = (title: string, image: unknown, message: string) => ({ title, changes: withImage({ image }), expected: `dashboards:dashboards[0].image: ${message}` });
    const hex = "ab12".repeat(16);
    const MUTABLE = "is pinned by tag, not by digest: tags are mutable, so the same stack file could deploy different code and a redeploy would not be repeatable; " +
        "pin it by digest (<registry>/<repository>@sha256:<64 hex>, e.g. from docker buildx imagetools inspect) or set allowMutableTag: true";
    return [
        bad("image: a tag without a digest", "ghcr.io/acme/sales:1.2.3", `"ghcr.io/acme/sales:1.2.3" ${MUTABLE}`),
        bad("image: no tag and no digest (implicitly latest)", "ghcr.io/acme/sales", `"ghcr.io/acme/sales" ${MUTABLE}`),
        bad("image: no registry host", `nginx@${DIGEST}`, `"nginx@${DIGEST}" has no registry host; write the full reference, e.g. docker.io/library/nginx@sha256:<64 hex>`),
        bad("image: whitespace", ` ${ECR_IMAGE}`, `" ${ECR_IMAGE}" contains whitespace, control or non-ASCII characters`),
        bad("image: trailing newline", `${ECR_IMAGE}\n`, `"${ECR_IMAGE}\\n" contains whitespace, control or non-ASCII characters`),
        bad("image: digest too short", "ghcr.io/acme/sales@sha256:abc", `"ghcr.io/acme/sales@sha256:abc" has a malformed digest; expected @sha256: followed by 64 lowercase hex digits`),
        bad("image: digest in uppercase", `ghcr.io/acme/sales@sha256:${hex.toUpperCase()}`, `"ghcr.io/acme/sales@sha256:${hex.toUpperCase()}" has a malformed digest; expected @sha256: followed by 64 lowercase hex digits`),
        bad("image: digest too long", `ghcr.io/acme/sales@sha256:${hex}0`, `"ghcr.io/acme/sales@sha256:${hex}0" has a malformed digest; expected @sha256: followed by 64 lowercase hex digits`),
        bad("image: wildcard repository", `210987654321.dkr.ecr.us-east-1.amazonaws.com/team/*@${DIGEST}`, `"210987654321.dkr.ecr.us-east-1.amazonaws.com/team/*@${DIGEST}" contains a wildcard (* or ?); an image names exactly one repository`),
        bad("image: uppercase repository", `ghcr.io/Acme/sales@${DIGEST}`, `"ghcr.io/Acme/sales@${DIGEST}" has an invalid repository path "Acme/sales"; allowed: lowercase letters and digits, separated by ".", "_", "__" or "-", parts joined by "/"`),
        bad("image: ECR host with a port", `210987654321.dkr.ecr.us-east-1.amazonaws.com:443/team/sales@${DIGEST}`, `"210987654321.dkr.ecr.us-east-1.amazonaws.com:443/team/sales@${DIGEST}" gives an ECR registry a port; ECR registries take none`),
        bad("image: AWS host that is not an ECR registry", `210987654321.dkr.ecr.us-east-1.amazonaws.com.evil.example/team/sales@${DIGEST}`, `"210987654321.dkr.ecr.us-east-1.amazonaws.com.evil.example/team/sales@${DIGEST}" looks like an ECR registry but its host is not <12-digit account>.dkr.ecr.<region>.amazonaws.com`),
        bad("image: malformed ECR account", `21098765432.dkr.ecr.us-east-1.amazonaws.com/team/sales@${DIGEST}`, `"21098765432.dkr.ecr.us-east-1.amazonaws.com/team/sales@${DIGEST}" looks like an ECR registry but its host is not <12-digit account>.dkr.ecr.<region>.amazonaws.com`),
        bad("image: bad port", `registry.example.com:99999/team/sales@${DIGEST}`, `"registry.example.com:99999/team/sales@${DIGEST}" has an invalid registry host "registry.example.com:99999"; expected a lowercase DNS name with an optional port 1-65535`),
        {
            title: "image with imageDigest",
            changes: withImage({ image: ECR_IMAGE, imageDigest: DIGEST }),
            expected: "dashboards:dashboards[0].imageDigest: cannot be set with image; imageDigest pins an earlier build of the dashboard's own repository, image runs a prebuilt one: keep one",
        },
        {
            title: "image with app",
            changes: withImage({ image: ECR_IMAGE, app: "dash" }),
            expected: "dashboards:dashboards[0].app: is not used with image (a prebuilt image is not built from apps/); remove app or image",
        },
        {
            title: "allowMutableTag without image",
            changes: withImage({ allowMutableTag: true }),
            expected: "dashboards:dashboards[0].allowMutableTag: only applies with image; a built dashboard is always pinned by digest",
        },
        {
            title: "imageDigest malformed",
            changes: withImage({ imageDigest: "sha256:ABC" }),
            expected: 'dashboards:dashboards[0].imageDigest: "sha256:ABC" is not sha256: followed by 64 lowercase hex digits',
        },
        {
            title: "buildTarget with image",
            changes: withImage({ image: ECR_IMAGE, buildTarget: "production" }),
            expected: "dashboards:dashboards[0].buildTarget: is not used with image (a prebuilt image is not built); remove buildTarget or image",
        },
        {
            title: "buildTarget while pinned by imageDigest",
            changes: withImage({ imageDigest: DIGEST, buildTarget: "production" }),
            expected: "dashboards:dashboards[0].buildTarget: is not used with imageDigest (a pinned earlier image is not built); remove buildTarget while pinned",
        },
        {
            title: "packageSnapshot that is not a day",
            changes: withImage({ packageSnapshot: "2026-13-01" }),
            expected: 'dashboards:dashboards[0].packageSnapshot: "2026-13-01" is not a day as YYYY-MM-DD (from 2000), or latest',
        },
        // latest is one exact word: no case, padding, line break or day glued to it slips past the pattern.
        ...["LATEST", "latest ", " latest", "latest\n", "latest\n2026-11-02", "2026-11-02latest", "latest2026-11-02", "2026-11-02|latest"].map((value) => ({
            title: `packageSnapshot ${JSON.stringify(value)}`,
            changes: withImage({ packageSnapshot: value }),
            // Past 10 characters the length cap answers first (the pattern never runs on long input).
            expected: `dashboards:dashboards[0].packageSnapshot: ${JSON.stringify(value)} ${value.length > 10 ? "is longer than 10 characters" : "is not a day as YYYY-MM-DD (from 2000), or latest"}`,
        })),
        {
            title: "packageSnapshot in the future",
            changes: withImage({ packageSnapshot: "2099-01-01" }),
            expected: 'dashboards:dashboards[0].packageSnapshot: "2099-01-01" is in the future; a snapshot is a day that has passed (packages as published up to then)',
        },
        {
            title: "packageSnapshot with image",
            changes: withImage({ image: ECR_IMAGE, packageSnapshot: "2026-11-02" }),
            expected: "dashboards:dashboards[0].packageSnapshot: is not used with image (a prebuilt image is not built); remove packageSnapshot or image",
        },
        {
            title: "buildTarget that is no stage name",
            changes: withImage({ buildTarget: "prod stage" }),
            expected: 'dashboards:dashboards[0].buildTarget: "prod stage" is not a Dockerfile stage name (a letter, then letters, digits, _ . -)',
        },
    ];
}

describe("stack configuration", () => {
    describe("valid stack files", () => {
        for (const stack of ["dev", "prod"]) {
            it(`accepts Pulumi.${stack}.yaml and applies defaults`, () => {
                const { loadStack } = require("../plan/stackFile");
                const { PROJECT_DIR } = require("../plan/runPlan");
                const result = validateStackConfig(loadStack(PROJECT_DIR, stack).config, PROJECT);
                expect(result.ok, JSON.stringify(!result.ok && result.problems)).to.equal(true);
                if (!result.ok) return;
                expect(result.config.dashboards.map((d) => d.framework)).to.have.members(["shiny", "dash", "streamlit", "flask"]);
                for (const d of result.config.dashboards) {
                    expect(d.host).to.equal(`${d.name}.${result.config.domain}`);
                    expect(d.minTasks).to.be.at.most(d.maxTasks);
                }
            });
        }

        it("fills defaults for a minimal dashboard", () => {
            const result = validateStackConfig(devStackWith({ "dashboards:dashboards": [{ name: "mini", framework: "dash" }] }).config, PROJECT);
            expect(result.ok).to.equal(true);
            if (!result.ok) return;
            expect(result.config.dashboards[0]).to.include({ cpu: 256, memory: 512, minTasks: 1, maxTasks: 2, app: "mini", displayName: "mini" });
            expect(result.config.loadBalancer.idleTimeoutSeconds).to.equal(600);
        });

        it("takes a prebuilt image pinned by digest (or a tag with allowMutableTag) and a rollback digest", () => {
            const result = validateStackConfig(devStackWith({ "dashboards:dashboards": [
                { name: "pre", framework: "dash", image: ECR_IMAGE },
                { name: "tagged", framework: "dash", image: "ghcr.io/acme/tagged:1.2.3", allowMutableTag: true },
                { name: "pinned", framework: "dash", app: "dash", imageDigest: DIGEST },
            ] }).config, PROJECT, { appsDir: path.join(__dirname, "..", "apps") });
            expect(result.ok, JSON.stringify(!result.ok && result.problems)).to.equal(true);
            if (!result.ok) return;
            expect(result.config.dashboards.map((d) => [d.image, d.allowMutableTag, d.imageDigest])).to.deep.equal([
                [ECR_IMAGE, false, undefined], ["ghcr.io/acme/tagged:1.2.3", true, undefined], [undefined, false, DIGEST],
            ]);
        });

        it("reads pipeline: {} (what the Pulumi CLI passes for Pulumi.yaml's `default: {}`) as no pipeline", () => {
            const result = validateStackConfig(devStackWith({ "dashboards:pipeline": {} }).config, PROJECT);
            expect(result.ok, JSON.stringify(!result.ok && result.problems)).to.equal(true);
            if (result.ok) expect(result.config.pipeline).to.equal(undefined);
        });

        it("waits for steady deployments unless defaults or a dashboard turn it off", () => {
            const on = validateStackConfig(devStackWith().config, PROJECT);
            expect(on.ok && on.config.dashboards.every((d) => d.waitForSteadyState)).to.equal(true);
            const off = validateStackConfig(devStackWith({
                "dashboards:defaults": { ...devValue<Record<string, unknown>>("defaults"), waitForSteadyState: false },
                "dashboards:dashboards": dashboardsWith(1, { waitForSteadyState: true }),
            }).config, PROJECT);
            expect(off.ok, JSON.stringify(!off.ok && off.problems)).to.equal(true);
            if (off.ok) {
                expect(off.config.defaults.waitForSteadyState).to.equal(false);
                expect(off.config.dashboards.map((d) => d.waitForSteadyState)).to.deep.equal([false, true, false, false]);
            }
        });

        it("passes an SES sender for Cognito's email on (Pulumi.prod.yaml has one)", () => {
            const { loadStack } = require("../plan/stackFile");
            const { PROJECT_DIR } = require("../plan/runPlan");
            const prod = validateStackConfig(loadStack(PROJECT_DIR, "prod").config, PROJECT);
            expect(prod.ok && prod.config.auth.email).to.deep.equal({
                sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/dashboards.example.com",
                fromEmailAddress: "no-reply@dashboards.example.com",
            });
        });

        it("takes extra hosts as plain names where the stack can serve them, or with a certificate ARN anywhere", () => {
            const arn = "arn:aws:acm:eu-west-1:123456789012:certificate/1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9";
            const result = validateStackConfig(devStackWith({
                "dashboards:dashboards": dashboardsWith(3, { extraHosts: ["kpi.dev.dashboards.example.com", "eu.kpis.dev.dashboards.example.com", { host: "kpis.example.org", certificateArn: arn }] }),
            }).config, PROJECT);
            expect(result.ok, JSON.stringify(!result.ok && result.problems)).to.equal(true);
            if (!result.ok) return;
            expect(result.config.dashboards[3].extraHosts).to.deep.equal(["kpi.dev.dashboards.example.com", "eu.kpis.dev.dashboards.example.com", "kpis.example.org"]);
            expect(result.config.dashboards[3].extraHostCertificateArns).to.deep.equal({ "kpis.example.org": arn });
        });

        it("accepts an existing VPC with private subnets", () => {
            const result = validateStackConfig(devStackWith({
                "dashboards:network": { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"], privateSubnetIds: ["subnet-0123456789abcdef2"] },
            }).config, PROJECT);
            expect(result.ok).to.equal(true);
            if (result.ok) expect(result.config.network).to.deep.include({ kind: "existing", vpcId: "vpc-0123456789abcdef0" });
        });
    });

    // Each case: a broken stack file and the exact message it must produce.
    const cases: { title: string; changes: Record<string, unknown>; remove?: string[]; expected: string }[] = [
        {
            title: "Fargate cpu/memory pair",
            changes: { "dashboards:dashboards": dashboardsWith(1, { cpu: 256, memory: 3072 }) },
            expected: "dashboards:dashboards[1].memory: 3072 is not valid with cpu 256 on Fargate; allowed: 512, 1024, 2048",
        },
        {
            title: "unknown Fargate cpu",
            changes: { "dashboards:dashboards": dashboardsWith(0, { cpu: 300 }) },
            expected: "dashboards:dashboards[0].cpu: 300 is not a Fargate CPU value; allowed: 256, 512, 1024, 2048, 4096, 8192, 16384",
        },
        {
            title: "memory default invalid with a large cpu",
            changes: { "dashboards:dashboards": [{ name: "big", framework: "dash", cpu: 4096 }] },
            expected: "dashboards:dashboards[0].memory: is required with cpu 4096: the default 512 is not valid with it on Fargate; allowed: 8192 to 30720 in steps of 1024",
        },
        {
            title: "dashboard name that is not a DNS label",
            changes: { "dashboards:dashboards": dashboardsWith(2, { name: "Data_Explorer" }) },
            expected: 'dashboards:dashboards[2].name: "Data_Explorer" is not a DNS label (lowercase letters, digits and inner hyphens, starting with a letter)',
        },
        {
            title: "dashboard name too long for derived resource names",
            changes: { "dashboards:dashboards": dashboardsWith(0, { name: "a".repeat(31) }) },
            expected: `dashboards:dashboards[0].name: "${"a".repeat(31)}" is longer than 30 characters`,
        },
        {
            title: "duplicate dashboard names",
            changes: { "dashboards:dashboards": dashboardsWith(3, { name: "sentiment" }) },
            expected: 'dashboards:dashboards[3].name: "sentiment" is already used by dashboards[1]; names must be unique',
        },
        {
            title: "an extra host that collides with another dashboard's host",
            changes: { "dashboards:dashboards": dashboardsWith(3, { extraHosts: ["sentiment.dev.dashboards.example.com"] }) },
            expected: "dashboards:dashboards[3].extraHosts[0]: host sentiment.dev.dashboards.example.com is already used by dashboards[1]; every host must be unique",
        },
        {
            title: "minTasks greater than maxTasks",
            changes: { "dashboards:dashboards": dashboardsWith(0, { minTasks: 3, maxTasks: 2 }) },
            expected: "dashboards:dashboards[0].maxTasks: 2 is less than minTasks 3; maxTasks must be >= minTasks",
        },
        {
            title: "unknown framework",
            changes: { "dashboards:dashboards": dashboardsWith(1, { framework: "django" }) },
            expected: 'dashboards:dashboards[1].framework: "django" is not allowed; allowed: shiny, dash, streamlit, flask, custom',
        },
        {
            title: "unknown key inside a dashboard (typo)",
            changes: { "dashboards:dashboards": dashboardsWith(0, { memroy: 1024 }) },
            expected: 'dashboards:dashboards[0].memroy: unknown key (did you mean "memory"?); allowed keys: name, displayName, description, category, app, image, allowMutableTag, imageDigest, buildTarget, entrypoint, packages, packageSnapshot, framework, cpu, memory, minTasks, loadBalancer, maxTasks, idleMinutes, accessGroups, extraHosts, environment, secrets, secretKeyArns, taskPolicyArns, allowPrivilegedTaskPolicies, readonlyRootFilesystem, writablePaths, port, healthCheckPath, sticky, deregistrationDelaySeconds, healthCheckGracePeriodSeconds, capacity, logRetentionDays, waitForSteadyState, schedule',
        },
        {
            title: "unknown top-level key (typo)",
            changes: { "dashboards:loadBalancr": { idleTimeoutSeconds: 30 } },
            expected: 'dashboards:loadBalancr: unknown key (did you mean "loadBalancer"?); allowed keys: domain, dns, network, loadBalancer, auth, dashboards, defaults, alarms, usage, portal, pipeline',
        },
        {
            title: "missing domain",
            changes: {},
            remove: ["dashboards:domain"],
            expected: "dashboards:domain: is required; the parent domain of every dashboard, e.g. dashboards.example.com",
        },
        {
            title: "domain that is not a DNS name",
            changes: { "dashboards:domain": "Dashboards.Example" },
            expected: 'dashboards:domain: "Dashboards.Example" is not a lowercase DNS name such as dashboards.example.com',
        },
        {
            title: "malformed certificate ARN",
            changes: { "dashboards:dns": { certificateArn: "arn:aws:acm:eu-west-1:1234:certificate/abc" } },
            expected: 'dashboards:dns.certificateArn: "arn:aws:acm:eu-west-1:1234:certificate/abc" is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)',
        },
        {
            title: "certificate in another region than the ALB",
            changes: { "dashboards:dns": { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" } },
            expected: "dashboards:dns.certificateArn: is in us-east-1 but the load balancer is in eu-west-1; an ALB certificate must be in the ALB's region",
        },
        {
            title: "malformed hosted zone id",
            changes: { "dashboards:dns": { hostedZoneId: "zone-1" } },
            expected: 'dashboards:dns.hostedZoneId: "zone-1" is not a Route 53 hosted zone id (Z followed by letters and digits)',
        },
        {
            title: "neither hosted zone nor certificate",
            changes: { "dashboards:dns": {} },
            expected: "dashboards:dns: needs hostedZoneId (Route 53 zone for the domain) or certificateArn (existing ACM certificate for *.<domain>), or both",
        },
        {
            title: "malformed VPC and subnet ids",
            changes: { "dashboards:network": { vpcId: "vpc-12", publicSubnetIds: ["subnet-0123456789abcdef0", "sn-1"] } },
            expected: 'dashboards:network.publicSubnetIds[1]: "sn-1" is not a subnet id (subnet- and 8 or 17 hex digits)',
        },
        {
            title: "new-VPC settings mixed with an existing VPC",
            changes: { "dashboards:network": { vpcId: "vpc-0123456789abcdef0", nat: "single", publicSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] } },
            expected: "dashboards:network.nat: only applies to a new VPC; remove it or remove network.vpcId",
        },
        {
            title: "unknown NAT strategy",
            changes: { "dashboards:network": { nat: "two" } },
            expected: 'dashboards:network.nat: "two" is not allowed; allowed: none, single, one-per-az',
        },
        {
            title: "access group not declared in auth",
            changes: { "dashboards:dashboards": dashboardsWith(1, { accessGroups: ["marketing"] }) },
            expected: 'dashboards:dashboards[1].accessGroups[0]: group "marketing" is not declared in auth.groups; declared groups: admins, shiny_users, dash_users, analysts',
        },
        {
            title: "admin group not declared in auth",
            changes: { "dashboards:auth": { ...devValue<Record<string, unknown>>("auth"), adminGroups: ["root"] } },
            expected: 'dashboards:auth.adminGroups[0]: group "root" is not declared in auth.groups; declared groups: admins, shiny_users, dash_users, analysts',
        },
        {
            title: "idle timeout out of range",
            changes: { "dashboards:loadBalancer": { idleTimeoutSeconds: 5000 } },
            expected: "dashboards:loadBalancer.idleTimeoutSeconds: 5000 is above the maximum; allowed: 1 to 4000",
        },
        {
            title: "an administrator policy after an entry that is not a string: named at its own index",
            changes: { "dashboards:dashboards": dashboardsWith(1, { taskPolicyArns: [42, "arn:aws:iam::aws:policy/IAMFullAccess"] }) },
            expected: 'dashboards:dashboards[1].taskPolicyArns[1]: "arn:aws:iam::aws:policy/IAMFullAccess" makes the dashboard\'s code an administrator of the account (or able to become one), and that code answers anyone signed in; attach a policy of your own with only the actions and resources the app needs, or set allowPrivilegedTaskPolicies: true to accept the risk',
        },
        {
            title: "a writable folder that is not an absolute folder path, after one that is not a string: named at its own index",
            changes: { "dashboards:dashboards": dashboardsWith(1, { writablePaths: [42, "/app/../etc"] }) },
            expected: 'dashboards:dashboards[1].writablePaths[1]: "/app/../etc" has a . or .. segment; write the folder\'s own path, e.g. /app/cache',
        },
        {
            title: "a writable folder that is not a string",
            changes: { "dashboards:dashboards": dashboardsWith(1, { writablePaths: [42] }) },
            expected: "dashboards:dashboards[1].writablePaths[0]: expected an absolute folder path, got 42",
        },
        {
            title: "more writable folders than a task definition gets",
            changes: { "dashboards:dashboards": dashboardsWith(1, { writablePaths: Array.from({ length: 12 }, (_, i) => `/app/f${i}`) }) },
            expected: "dashboards:dashboards[1].writablePaths: lists 12 folders; at most 10",
        },
        {
            title: "a sign-out reservation beyond what an account may reserve",
            changes: { "dashboards:loadBalancer": { signOutConcurrency: 1000 } },
            expected: "dashboards:loadBalancer.signOutConcurrency: 1000 is above the maximum; allowed: 1 to 900",
        },
        {
            title: "malformed secret reference",
            changes: { "dashboards:dashboards": dashboardsWith(1, { secrets: { API_KEY: "my-secret" } }) },
            expected: 'dashboards:dashboards[1].secrets.API_KEY: "my-secret" is not an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>) or a full Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>, optionally followed by :<json-key>:<version-stage>:<version-id>)',
        },
        {
            title: "a partial Secrets Manager ARN (without the 6 random characters)",
            changes: { "dashboards:dashboards": dashboardsWith(1, { secrets: { API_KEY: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api" } }) },
            expected: `dashboards:dashboards[1].secrets.API_KEY: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api" is a partial Secrets Manager ARN (no -<6 random characters> after the name), which IAM could only match with a wildcard; use the secret's full ARN (aws secretsmanager describe-secret --secret-id <name> --query ARN)`,
        },
        {
            title: "a KMS alias instead of the key of a dashboard's secrets",
            changes: { "dashboards:dashboards": dashboardsWith(1, { secrets: { DB: "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/db" }, secretKeyArns: ["arn:aws:kms:eu-west-1:123456789012:alias/dashboards"] }) },
            expected: 'dashboards:dashboards[1].secretKeyArns[0]: "arn:aws:kms:eu-west-1:123456789012:alias/dashboards" is an alias ARN, which an IAM policy cannot grant a key by; use the key\'s own ARN (aws kms describe-key --key-id <alias> --query KeyMetadata.Arn)',
        },
        {
            title: "a wildcard where the key of a dashboard's secrets belongs",
            changes: { "dashboards:dashboards": dashboardsWith(1, { secrets: { DB: "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/db" }, secretKeyArns: ["arn:aws:kms:eu-west-1:123456789012:key/*"] }) },
            expected: 'dashboards:dashboards[1].secretKeyArns[0]: "arn:aws:kms:eu-west-1:123456789012:key/*" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>)',
        },
        {
            title: "secret keys without secrets",
            changes: { "dashboards:dashboards": dashboardsWith(1, { secretKeyArns: ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"] }) },
            expected: "dashboards:dashboards[1].secretKeyArns: is set but the dashboard has no secrets; list the keys of its secrets (secrets under aws/ssm or aws/secretsmanager need none)",
        },
        {
            title: "an administrator policy for a dashboard's code",
            changes: { "dashboards:dashboards": dashboardsWith(1, { taskPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"] }) },
            expected: 'dashboards:dashboards[1].taskPolicyArns[1]: "arn:aws:iam::aws:policy/AdministratorAccess" makes the dashboard\'s code an administrator of the account (or able to become one), and that code answers anyone signed in; attach a policy of your own with only the actions and resources the app needs, or set allowPrivilegedTaskPolicies: true to accept the risk',
        },
        {
            title: "a service-linked role's policy for a dashboard's code",
            changes: { "dashboards:dashboards": dashboardsWith(1, { taskPolicyArns: ["arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"] }) },
            expected: 'dashboards:dashboards[1].taskPolicyArns[0]: "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy" is the policy of a service-linked role, which IAM attaches only to that service\'s own role; list the actions the app needs in a policy of your own',
        },
        {
            title: "a task policy listed twice",
            changes: { "dashboards:dashboards": dashboardsWith(1, { taskPolicyArns: ["arn:aws:iam::123456789012:policy/reports", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::123456789012:policy/reports"] }) },
            expected: 'dashboards:dashboards[1].taskPolicyArns[2]: "arn:aws:iam::123456789012:policy/reports" is listed twice (also taskPolicyArns[0])',
        },
        {
            title: "allowPrivilegedTaskPolicies without a policy that needs it",
            changes: { "dashboards:dashboards": dashboardsWith(1, { taskPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"], allowPrivilegedTaskPolicies: true }) },
            expected: "dashboards:dashboards[1].allowPrivilegedTaskPolicies: is set but no policy in taskPolicyArns needs it; remove it, so that such a policy is refused if one is added later",
        },
        {
            title: "a partial Secrets Manager ARN for the pipeline's Pulumi token",
            changes: { "dashboards:pipeline": { repository: "acme/dashboards", deployPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"], pulumiAccessTokenSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pulumi" } },
            expected: 'dashboards:pipeline.pulumiAccessTokenSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pulumi" is not a full Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>)',
        },
        {
            title: "environment variable the platform sets itself",
            changes: { "dashboards:dashboards": dashboardsWith(1, { environment: { DASHBOARD_URL: "x" } }) },
            expected: "dashboards:dashboards[1].environment.DASHBOARD_URL: is set by the platform; names PORT, ALB_ARN, ALB_PUBLIC_KEYS_URL, ALB_IDLE_TIMEOUT_SECONDS and prefixes AWS_, ECS_, DASHBOARD_ are reserved",
        },
        {
            title: "Cognito domain prefix with a reserved word",
            changes: { "dashboards:auth": { ...devValue<Record<string, unknown>>("auth"), domainPrefix: "acme-cognito" } },
            expected: 'dashboards:auth.domainPrefix: "acme-cognito" contains a reserved word; Cognito domain prefixes may not contain aws, amazon or cognito',
        },
        {
            title: "more dashboards pinned to one load balancer than it holds",
            changes: { "dashboards:dashboards": Array.from({ length: 99 }, (_, i) => ({ name: `d${i}`, framework: "dash", loadBalancer: 0 })) },
            expected: "dashboards:dashboards: put 99 dashboards and the portal on load balancer 0: 102 listener rules and 101 target groups (a scale-to-zero dashboard needs two of each, and the platform's sign-out and signed-out page are included), " +
                "but an ALB holds 100 rules and 100 target groups; 99 of them pinned there by dashboards[].loadBalancer (dashboards[0], dashboards[1], dashboards[2], dashboards[3], dashboards[4], ...): pin fewer there",
        },
        {
            title: "a load balancer number past the 50 a region holds",
            changes: { "dashboards:dashboards": dashboardsWith(0, { loadBalancer: 50 }) },
            expected: "dashboards:dashboards[0].loadBalancer: 50 is above the maximum; allowed: 0 to 49",
        },
        {
            title: "a load balancer size past what an ALB's rules hold",
            changes: { "dashboards:loadBalancer": { maxDashboards: 99 } },
            expected: "dashboards:loadBalancer.maxDashboards: 99 is above the maximum; allowed: 1 to 98",
        },
        {
            title: "Spot capacity with a drain longer than the 2-minute interruption warning",
            changes: { "dashboards:dashboards": dashboardsWith(0, { capacity: "spot", deregistrationDelaySeconds: 300 }) },
            expected: "dashboards:dashboards[0].deregistrationDelaySeconds: 300 is too long on Fargate Spot (capacity spot); tasks get a 2-minute warning, so allowed: 0 to 119",
        },
        {
            title: "a dashboard named like the portal",
            changes: { "dashboards:dashboards": dashboardsWith(3, { name: "portal" }) },
            expected: "dashboards:dashboards[3].name: host portal.dev.dashboards.example.com is already used by the portal (portal.name); every host must be unique",
        },
        {
            title: "log retention CloudWatch does not offer",
            changes: { "dashboards:defaults": { logRetentionDays: 10 } },
            expected: "dashboards:defaults.logRetentionDays: 10 is not a CloudWatch Logs retention; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        },
        {
            title: "a pipeline that could not log in to Pulumi",
            changes: { "dashboards:pipeline": { repository: "acme/dashboards", deployPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] } },
            expected: "dashboards:pipeline: needs pulumiAccessTokenSecretArn (Pulumi Cloud) or pulumiBackendUrl (self-managed state) so the build can run pulumi up",
        },
        {
            title: "more access groups on one dashboard than its access-map parameter can hold",
            changes: {
                "dashboards:auth": { groups: Array.from({ length: 70 }, (_, i) => ({ name: `g${String(i).padStart(2, "0")}_${"x".repeat(116)}` })) },
                "dashboards:dashboards": [{ name: "wide", framework: "dash", accessGroups: Array.from({ length: 70 }, (_, i) => `g${String(i).padStart(2, "0")}_${"x".repeat(116)}`) }],
            },
            expected: "dashboards:dashboards[0].accessGroups: take 8659 bytes in the login check's access map; it reads a dashboard's groups from one SSM parameter of at most 8192 bytes: use fewer or shorter group names",
        },
        {
            title: "waitForSteadyState that is not a boolean",
            changes: { "dashboards:dashboards": dashboardsWith(2, { waitForSteadyState: "no" }) },
            expected: 'dashboards:dashboards[2].waitForSteadyState: expected true or false, got "no"',
        },
        {
            title: "an SES sender that is not an SES identity ARN",
            changes: { "dashboards:auth": { ...devValue<Record<string, unknown>>("auth"), email: { sourceArn: "arn:aws:ses:eu-west-1:123456789012:configuration-set/auth", fromEmailAddress: "no-reply@example.com" } } },
            expected: 'dashboards:auth.email.sourceArn: "arn:aws:ses:eu-west-1:123456789012:configuration-set/auth" is not an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<domain or email address>)',
        },
        {
            title: "an SES from address that is not an email address",
            changes: { "dashboards:auth": { ...devValue<Record<string, unknown>>("auth"), email: { sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com", fromEmailAddress: "no-reply" } } },
            expected: 'dashboards:auth.email.fromEmailAddress: "no-reply" is not an email address, or a name and address such as Dashboards <no-reply@example.com>',
        },
        {
            title: "an SES from address the identity does not cover",
            changes: { "dashboards:auth": { ...devValue<Record<string, unknown>>("auth"), email: { sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/dashboards.example.com", fromEmailAddress: "no-reply@example.org" } } },
            expected: 'dashboards:auth.email.fromEmailAddress: "no-reply@example.org" is not covered by the SES identity dashboards.example.com; use an address at dashboards.example.com (or a subdomain of it)',
        },
        {
            title: "an SES sender with an external OIDC provider",
            changes: { "dashboards:auth": { provider: "oidc", oidc: { issuer: "https://idp.example.com", authorizationEndpoint: "https://idp.example.com/a", tokenEndpoint: "https://idp.example.com/t", userInfoEndpoint: "https://idp.example.com/u", clientId: "c", clientSecret: "s" }, email: { sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com", fromEmailAddress: "no-reply@example.com" } } },
            expected: "dashboards:auth.email: only applies to auth.provider cognito; the external OIDC provider manages it",
        },
        {
            title: "an extra host outside the stack's zone without a certificate",
            changes: { "dashboards:dashboards": dashboardsWith(3, { extraHosts: ["kpis.example.org"] }) },
            expected: "dashboards:dashboards[3].extraHosts[0]: kpis.example.org is outside dev.dashboards.example.com, so the stack cannot request a certificate for it and *.dev.dashboards.example.com does not cover it; write it as {host: kpis.example.org, certificateArn: <ACM certificate in eu-west-1 that covers it>}",
        },
        {
            title: "an extra host two levels below the domain when DNS is managed elsewhere",
            changes: {
                "dashboards:dns": { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" },
                "dashboards:dashboards": dashboardsWith(3, { extraHosts: ["eu.kpis.dev.dashboards.example.com"] }),
            },
            expected: "dashboards:dashboards[3].extraHosts[0]: eu.kpis.dev.dashboards.example.com is not covered by *.dev.dashboards.example.com (one level only) and, without dns.hostedZoneId, the stack cannot request a certificate for it; set dns.hostedZoneId or write it as {host: eu.kpis.dev.dashboards.example.com, certificateArn: <ACM certificate in eu-west-1 that covers it>}",
        },
        {
            title: "an extra host's certificate in another region than the ALB",
            changes: { "dashboards:dashboards": dashboardsWith(3, { extraHosts: [{ host: "kpis.example.org", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9" }] }) },
            expected: "dashboards:dashboards[3].extraHosts[0].certificateArn: is in us-east-1 but the load balancer is in eu-west-1; an ALB certificate must be in the ALB's region",
        },
        {
            title: "an extra host object with an unknown key",
            changes: { "dashboards:dashboards": dashboardsWith(3, { extraHosts: [{ host: "kpis.example.org", certificate: "x" }] }) },
            expected: 'dashboards:dashboards[3].extraHosts[0].certificate: unknown key (did you mean "certificateArn"?); allowed keys: host, certificateArn',
        },
        {
            title: "an extra host that is neither a name nor {host, certificateArn}",
            changes: { "dashboards:dashboards": dashboardsWith(3, { extraHosts: [42] }) },
            expected: "dashboards:dashboards[3].extraHosts[0]: expected a host name, or {host, certificateArn}, got 42",
        },
        {
            title: "more extra-host certificates than the HTTPS listener holds",
            changes: {
                "dashboards:dashboards": Array.from({ length: 7 }, (_, i) => ({
                    name: `d${i}`, framework: "dash", extraHosts: Array.from({ length: 4 }, (_, j) => `h${j}.d${i}.dev.dashboards.example.com`),
                })),
            },
            expected: "dashboards:dashboards: on load balancer 0 need 28 certificates on its HTTPS listener besides the default *.dev.dashboards.example.com (0 given as certificateArn, 28 requested for extra hosts in the zone); " +
                "a listener holds 25 (an adjustable AWS quota): serve several hosts with one certificateArn (it counts once), use hosts of the form <label>.dev.dashboards.example.com, or pin some of these dashboards to another load balancer (dashboards[].loadBalancer)",
        },
        {
            title: "a key JavaScript objects reserve (__proto__, constructor, prototype)",
            changes: { "dashboards:loadBalancer": '{"idleTimeoutSeconds":30,"constructor":{"idleTimeoutSeconds":5}}' },
            expected: "dashboards:loadBalancer.constructor: is a reserved JavaScript name, never a stack-file key (__proto__, constructor and prototype are refused at every level); allowed keys: maxDashboards, idleTimeoutSeconds, deletionProtection, signOutConcurrency, accessLogs",
        },
        {
            title: "a number that is not finite",
            changes: { "dashboards:loadBalancer": '{"idleTimeoutSeconds":1e400}' },
            expected: "dashboards:loadBalancer.idleTimeoutSeconds: is not a finite number (got 1e400)",
        },
        {
            title: "a whole number far above the range",
            changes: { "dashboards:loadBalancer": { idleTimeoutSeconds: 1e300 } },
            expected: "dashboards:loadBalancer.idleTimeoutSeconds: 1e+300 is above the maximum; allowed: 1 to 4000",
        },
        {
            title: "missing framework",
            changes: { "dashboards:dashboards": [{ name: "mini" }] },
            expected: "dashboards:dashboards[0].framework: is required; allowed: shiny, dash, streamlit, flask, custom",
        },
        {
            title: "an identity provider without a type",
            changes: { "dashboards:auth": { ...devValue<Record<string, unknown>>("auth"), identityProviders: [{ name: "Okta" }] } },
            expected: "dashboards:auth.identityProviders[0].type: is required; allowed: saml, oidc",
        },
        {
            title: "a typo in the namespace",
            changes: { "dashbords:loadBalancer": { idleTimeoutSeconds: 30 } },
            expected: 'dashbords:loadBalancer: unknown namespace "dashbords" (did you mean "dashboards:loadBalancer"?); this project\'s keys are dashboards:<key>, other namespaces belong to providers (aws:, pulumi:, ...)',
        },
        ...imageCases(),
        {
            title: "missing AWS region",
            changes: {},
            remove: ["aws:region"],
            expected: "aws:region: is not set; set the AWS region, e.g. `pulumi config set aws:region eu-west-1`",
        },
    ];

    describe("invalid stack files: each problem names its key, what is wrong and what is allowed", () => {
        for (const c of cases) {
            it(c.title, () => {
                const found = lines(problemsOf(c.changes, c.remove));
                expect(found, found.join("\n")).to.include(c.expected);
            });
        }
    });

    describe("every required key, when missing, says it is required", () => {
        const cert = "arn:aws:acm:eu-west-1:123456789012:certificate/1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9";
        const saml = { type: "saml", name: "AzureAD", metadataUrl: "https://idp.example.com/metadata", attributeMapping: { email: "email" } };
        const oidc = { type: "oidc", name: "Okta", issuer: "https://acme.okta.com", clientId: "c", clientSecret: "s", attributeMapping: { email: "email" } };
        const cognito: Record<string, unknown> = {
            "dashboards:dashboards": [{ name: "mini", framework: "dash", extraHosts: [{ host: "mini.example.org", certificateArn: cert }] }],
            "dashboards:loadBalancer": { accessLogs: { enabled: true } },
            "dashboards:auth": {
                customDomain: { domain: "login.example.com", certificateArn: cert.replace("eu-west-1", "us-east-1") },
                groups: [{ name: "analysts" }], users: [{ email: "a@example.com" }], identityProviders: [saml, oidc],
                email: { sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com", fromEmailAddress: "no-reply@example.com" },
            },
            "dashboards:pipeline": { repository: "acme/dashboards", deployPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"], pulumiBackendUrl: "s3://state" },
        };
        const external: Record<string, unknown> = {
            "dashboards:dashboards": [{ name: "mini", framework: "dash" }],
            "dashboards:portal": { enabled: false },
            "dashboards:auth": { provider: "oidc", oidc: { issuer: "https://idp.example.com", authorizationEndpoint: "https://idp.example.com/a", tokenEndpoint: "https://idp.example.com/t", userInfoEndpoint: "https://idp.example.com/u", clientId: "c", clientSecret: "s" } },
        };
        /** Required keys as `top:a.b[0].c`, in the fixture that holds them. */
        const required: [string, Record<string, unknown>][] = [
            ...["domain", "dns", "dashboards"].map((k): [string, Record<string, unknown>] => [k, cognito]),
            ...["dashboards[0].name", "dashboards[0].framework", "dashboards[0].extraHosts[0].host", "loadBalancer.accessLogs.enabled",
                "auth.customDomain.domain", "auth.customDomain.certificateArn", "auth.groups[0].name", "auth.users[0].email",
                "auth.identityProviders[0].type", "auth.identityProviders[0].name", "auth.identityProviders[0].attributeMapping",
                "auth.identityProviders[0].attributeMapping.email", "auth.identityProviders[1].name", "auth.identityProviders[1].issuer",
                "auth.identityProviders[1].clientId", "auth.identityProviders[1].clientSecret", "auth.identityProviders[1].attributeMapping",
                "auth.email.sourceArn", "auth.email.fromEmailAddress", "pipeline.repository", "pipeline.deployPolicyArns",
            ].map((k): [string, Record<string, unknown>] => [k, cognito]),
            ...["issuer", "authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint", "clientId", "clientSecret"].map((k): [string, Record<string, unknown>] => [`auth.oidc.${k}`, external]),
        ];

        it("covers every required key of the schema", () => {
            const { stackConfigSchema } = require("../components/stackConfig");
            const { z } = require("zod");
            const walk = (schema: any, at: string): string[] => {
                while (schema instanceof z.ZodOptional) schema = schema.unwrap();
                if (schema instanceof z.ZodArray) return walk(schema.element, `${at}[]`);
                if (schema instanceof z.ZodUnion) return schema.options.flatMap((o: any) => walk(o, at));
                if (!(schema instanceof z.ZodObject)) return [];
                return Object.entries(schema.shape).flatMap(([k, v]: [string, any]) => [
                    ...(v instanceof z.ZodOptional ? [] : [at ? `${at}.${k}` : k]),
                    ...walk(v, at ? `${at}.${k}` : k),
                ]);
            };
            const inSchema = new Set<string>(walk(stackConfigSchema, ""));
            const tested = new Set(required.map(([k]) => k.replace(/\[\d+\]/g, "[]")));
            // A discriminator's literal (identityProviders[].type) counts once for both providers.
            expect([...inSchema].filter((k) => !tested.has(k))).to.deep.equal([]);
        });

        for (const [key, fixture] of required) {
            it(key, () => {
                const [top, ...rest] = key.split(".");
                const [topName, ...topIndex] = top.split(/[[\]]+/).filter(Boolean);
                const changes = JSON.parse(JSON.stringify(fixture));
                const full = `dashboards:${topName}`;
                if (rest.length === 0 && topIndex.length === 0) {
                    delete changes[full];
                    const result = validateStackConfig(devStackWith(changes, [full]).config, PROJECT);
                    const found = result.ok ? [] : result.problems.filter((p) => p.key === full).map((p) => p.message);
                    expect(found, JSON.stringify(result)).to.have.length(1);
                    expect(found[0]).to.match(/^is required/);
                    return;
                }
                if (!(full in changes)) changes[full] = devValue(topName);
                let holder: any = changes[full];
                const parts = [...topIndex, ...rest.flatMap((p) => p.split(/[[\]]+/).filter(Boolean))];
                for (const p of parts.slice(0, -1)) holder = holder[/^\d+$/.test(p) ? Number(p) : p];
                delete holder[parts[parts.length - 1]];
                const found = problemsOf(changes).filter((p) => p.key === `dashboards:${key}`).map((p) => p.message);
                expect(found, lines(problemsOf(changes)).join("\n")).to.have.length(1);
                expect(found[0]).to.match(/^is required/);
            });
        }
    });

    describe("the app folder, when the apps directory is given (appsDir)", () => {
        // A throwaway apps/ beside a folder outside it: templates, a folder without a Dockerfile, a file,
        // and symlinks that point out of apps/ (an attacker's way out of the build context).
        let root: string;
        let appsDir: string;
        before(() => {
            root = fs.mkdtempSync(path.join(os.tmpdir(), "apps-check-"));
            appsDir = path.join(root, "apps");
            const dockerfile = (dir: string) => {
                fs.mkdirSync(dir, { recursive: true });
                fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
            };
            for (const template of ["dash", "shiny", "portal"]) dockerfile(path.join(appsDir, template));
            fs.mkdirSync(path.join(appsDir, "shared", "python"), { recursive: true });
            fs.mkdirSync(path.join(appsDir, "empty"));
            fs.writeFileSync(path.join(appsDir, "empty", "notes.md"), "no app here\n");
            fs.writeFileSync(path.join(appsDir, "notes.txt"), "not a folder\n");
            dockerfile(path.join(root, "elsewhere"));
            fs.symlinkSync(path.join(root, "elsewhere"), path.join(appsDir, "escape"));
            fs.symlinkSync("../elsewhere", path.join(appsDir, "escape-relative"));
            fs.symlinkSync("dash", path.join(appsDir, "churn")); // a symlink inside apps/ is fine
            fs.mkdirSync(path.join(appsDir, "leaky"));
            fs.symlinkSync(path.join(root, "elsewhere", "Dockerfile"), path.join(appsDir, "leaky", "Dockerfile"));
            fs.mkdirSync(path.join(appsDir, "odd", "Dockerfile"), { recursive: true });
            // A third-party app with its own Dockerfile, written for its own folder as the context
            // (a ShinyProxy-demo-like layout: a sub-folder named like the app).
            fs.mkdirSync(path.join(appsDir, "euler", "euler"), { recursive: true });
            fs.writeFileSync(path.join(appsDir, "euler", "Dockerfile"), "FROM python:3.12-slim\nCOPY requirements.txt /app/\nCOPY euler /app/euler\n");
            fs.writeFileSync(path.join(appsDir, "euler", "requirements.txt"), "dash==3.2.0\n");
            // One written for the former context, apps/.
            fs.mkdirSync(path.join(appsDir, "former"));
            fs.writeFileSync(path.join(appsDir, "former", "Dockerfile"), "FROM python:3.12-slim\nCOPY former/app.py shared/python/gunicorn.conf.py /app/\n");
            fs.writeFileSync(path.join(appsDir, "former", "app.py"), "");
        });
        after(() => fs.rmSync(root, { recursive: true, force: true }));

        const withApps = (dashboards: unknown[], more: Record<string, unknown> = {}, remove: string[] = []) => {
            const result = validateStackConfig(devStackWith({ "dashboards:dashboards": dashboards, ...more }, remove).config, PROJECT, { appsDir });
            return result.ok ? [] : lines(result.problems);
        };
        const problemFor = (app: unknown) => withApps([{ name: "mini", framework: "dash", app }]).filter((l) => l.startsWith("dashboards:dashboards[0].app:"));
        const FOLDERS = "the folders there: dash, empty, euler, former, shiny";
        const SET_APP = `set app to the folder in apps/ that holds the dashboard (its app.R, or app.py and requirements.txt, or a Dockerfile)`;

        it("accepts the project's own apps/ for Pulumi.dev.yaml and Pulumi.prod.yaml (and the portal's folder is there)", () => {
            const { loadStack } = require("../plan/stackFile");
            const { PROJECT_DIR } = require("../plan/runPlan");
            for (const stack of ["dev", "prod"]) {
                const result = validateStackConfig(loadStack(PROJECT_DIR, stack).config, PROJECT, { appsDir: path.join(PROJECT_DIR, "apps") });
                expect(result.ok, JSON.stringify(!result.ok && result.problems)).to.equal(true);
            }
            expect(fs.statSync(path.join(PROJECT_DIR, "apps", "portal", "Dockerfile")).isFile()).to.equal(true);
        });

        it("accepts a folder with a Dockerfile, and a symlink to one inside apps/", () => {
            expect(withApps([{ name: "mini", framework: "dash", app: "dash" }, { name: "churn", framework: "dash" }])).to.deep.equal([]);
        });

        it("skips the filesystem without appsDir (library users validate config alone)", () => {
            const result = validateStackConfig(devStackWith({ "dashboards:dashboards": [{ name: "mini", framework: "dash", app: "nosuchdir" }] }).config, PROJECT);
            expect(result.ok).to.equal(true);
        });

        it("takes writablePaths with a read-only root of the app's own Dockerfile or a prebuilt image; refuses them for a generated image (its VOLUMEs are fixed) and without a read-only root", () => {
            const generated = path.join(appsDir, "kpi-gen");
            fs.mkdirSync(generated);
            try {
                fs.writeFileSync(path.join(generated, "app.py"), "from flask import Flask\napp = Flask(__name__)\n");
                fs.writeFileSync(path.join(generated, "requirements.txt"), "flask==3.1.2\n");
                const image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/kpis@sha256:" + "a".repeat(64);
                expect(withApps([
                    { name: "own", framework: "dash", app: "dash", readonlyRootFilesystem: true, writablePaths: ["/app/cache"] },
                    { name: "prebuilt", framework: "dash", image, readonlyRootFilesystem: true, writablePaths: ["/var/cache/app"] },
                    { name: "gen", framework: "flask", app: "kpi-gen" },
                    { name: "genopen", framework: "flask", app: "kpi-gen", readonlyRootFilesystem: false },
                ])).to.deep.equal([]);
                expect(withApps([
                    { name: "gen", framework: "flask", app: "kpi-gen", writablePaths: ["/app/cache"] },
                    { name: "own", framework: "dash", app: "dash", writablePaths: ["/app/cache"] },
                    { name: "prebuilt", framework: "dash", image, readonlyRootFilesystem: false, writablePaths: ["/app/cache", "/app/cache/x"] },
                ])).to.deep.equal([
                    "dashboards:dashboards[0].writablePaths: is not used with a generated image, which may write /tmp and /app/instance only; to let the app write elsewhere, copy the generated Dockerfile into apps/kpi-gen as Dockerfile, declare each folder there with VOLUME (after giving it to the app's user), and list it here",
                    "dashboards:dashboards[1].writablePaths: only applies with readonlyRootFilesystem: true (without it every folder is writable); set it, or remove writablePaths",
                    "dashboards:dashboards[2].writablePaths: only applies with readonlyRootFilesystem: true (without it every folder is writable); set it, or remove writablePaths",
                    'dashboards:dashboards[2].writablePaths[1]: "/app/cache/x" is inside /app/cache (index 0), which is writable already; remove one',
                ]);
            } finally {
                fs.rmSync(generated, { recursive: true, force: true });
            }
        });

        it("reads the app's own Dockerfile for its read-only root: its VOLUMEs are mounted writable, and an image running as another user than root must declare /tmp and every further folder", () => {
            const made: string[] = [];
            const folder = (name: string, dockerfile: string) => {
                fs.mkdirSync(path.join(appsDir, name));
                fs.writeFileSync(path.join(appsDir, name, "Dockerfile"), dockerfile);
                made.push(path.join(appsDir, name));
            };
            try {
                folder("ready", 'FROM python:3.12-slim\nRUN install -d -o 10001 /app/cache\nVOLUME ["/tmp", "/app/cache"]\nUSER 10001\n');
                folder("unready", "FROM python:3.12-slim\nUSER 10001\n");
                folder("system", 'FROM python:3.12-slim\nVOLUME ["/tmp", "/etc"]\nUSER app\n');
                folder("rooted", "FROM python:3.12-slim\n");
                folder("nested", 'FROM python:3.12-slim\nVOLUME ["/tmp", "/app", "/app/cache"]\n');
                expect(withApps([
                    { name: "ready", framework: "dash", app: "ready" },
                    { name: "ready-open", framework: "dash", app: "ready", readonlyRootFilesystem: false },
                    { name: "rooted", framework: "dash", app: "rooted", readonlyRootFilesystem: true, writablePaths: ["/var/cache/app"] },
                    { name: "unready", framework: "dash", app: "unready" },
                ])).to.deep.equal([]);
                expect(withApps([
                    { name: "unready", framework: "dash", app: "unready", readonlyRootFilesystem: true, writablePaths: ["/app/cache"] },
                    { name: "system", framework: "dash", app: "system" },
                    { name: "ready", framework: "dash", app: "ready", writablePaths: ["/app/cache", "/app/cache/x", "/app/other"] },
                    { name: "ready-open", framework: "dash", app: "ready", readonlyRootFilesystem: false, writablePaths: ["/app/other"] },
                    { name: "nested", framework: "dash", app: "nested" },
                ])).to.deep.equal([
                    'dashboards:dashboards[0].readonlyRootFilesystem: needs apps/unready/Dockerfile to declare VOLUME ["/tmp"] (after its last RUN): the task\'s mount would be empty and writable by root only (ECS fills it from the image only for a VOLUME), and apps/unready/Dockerfile runs as USER 10001; add it, or remove readonlyRootFilesystem',
                    'dashboards:dashboards[0].writablePaths[0]: "/app/cache" is not a VOLUME of apps/unready/Dockerfile: the task\'s mount would be empty and writable by root only (ECS fills it from the image only for a VOLUME), and apps/unready/Dockerfile runs as USER 10001; give the folder to that user and declare it with VOLUME',
                    "dashboards:dashboards[1].app: apps/system/Dockerfile declares VOLUME /etc, which a read-only root file system mounts writable, and it holds the system's programs or settings, and writable it would undo the read-only root; name the folder under it that the app writes; remove that VOLUME, or set readonlyRootFilesystem: false",
                    'dashboards:dashboards[2].writablePaths[0]: "/app/cache" is a VOLUME of apps/ready/Dockerfile, which is writable already; remove it',
                    'dashboards:dashboards[2].writablePaths[1]: "/app/cache/x" is inside /app/cache (index 0), which is writable already; remove one',
                    'dashboards:dashboards[2].writablePaths[1]: "/app/cache/x" is inside /app/cache, a VOLUME of apps/ready/Dockerfile, which is writable already; remove it',
                    'dashboards:dashboards[2].writablePaths[2]: "/app/other" is not a VOLUME of apps/ready/Dockerfile: the task\'s mount would be empty and writable by root only (ECS fills it from the image only for a VOLUME), and apps/ready/Dockerfile runs as USER 10001; give the folder to that user and declare it with VOLUME',
                    "dashboards:dashboards[3].writablePaths: only applies with readonlyRootFilesystem: true (without it every folder is writable); set it, or remove writablePaths",
                    "dashboards:dashboards[4].app: apps/nested/Dockerfile declares VOLUME /app/cache inside its VOLUME /app, which a read-only root file system mounts writable already; remove one, or set readonlyRootFilesystem: false",
                ]);
            } finally {
                for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("answers a Dockerfile that declares 20,000 VOLUMEs with one problem, at once (no pairing of each with each)", () => {
            const dir = path.join(appsDir, "volumes");
            fs.mkdirSync(dir);
            try {
                const many = Array.from({ length: 20_000 }, (_, i) => `/v${i}`);
                fs.writeFileSync(path.join(dir, "Dockerfile"), `FROM python:3.12-slim\nVOLUME /tmp ${many.join(" ")}\n`);
                const started = Date.now();
                const found = withApps([{ name: "volumes", framework: "dash", app: "volumes", writablePaths: many.slice(0, 10).map((v) => `/w${v}`) }]);
                expect(Date.now() - started).to.be.below(2000);
                expect(found).to.deep.equal([
                    "dashboards:dashboards[0].app: apps/volumes/Dockerfile declares 20000 VOLUME folders besides /tmp, and a read-only root file system mounts each writable; at most 10: remove some, or set readonlyRootFilesystem: false",
                ]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("refuses a folder that does not exist", () => {
            expect(problemFor("nosuchdir")).to.deep.equal([`dashboards:dashboards[0].app: apps/nosuchdir does not exist; ${SET_APP}; ${FOLDERS}`]);
        });

        it("refuses a missing folder named after the dashboard when app is not set", () => {
            expect(withApps([{ name: "mini", framework: "dash" }])).to.deep.equal([
                `dashboards:dashboards[0].app: is not set, so it is the name "mini", and apps/mini does not exist; ${SET_APP}; ${FOLDERS}`,
            ]);
        });

        it("refuses a file instead of a folder", () => {
            expect(problemFor("notes.txt")).to.deep.equal([`dashboards:dashboards[0].app: apps/notes.txt is a file, not a folder; ${SET_APP}; ${FOLDERS}`]);
        });

        it("refuses a folder without a Dockerfile that holds no app, naming the file to add", () => {
            expect(problemFor("empty")).to.deep.equal([
                "dashboards:dashboards[0].app: apps/empty: has no requirements.txt: add requirements.txt listing the packages the app imports with exact versions, e.g. `dash==<version>` (`pip freeze` shows the versions you run)",
                "dashboards:dashboards[0].app: apps/empty: found no Dash app at a module's top level (there is none of app.py, main.py, index.py, wsgi.py, server.py nor a package): add app = Dash(__name__) and server = app.server to app.py, or set entrypoint (e.g. dashboard:server)",
            ]);
        });

        it("plans a third-party app with its own Dockerfile as it is: its folder is the build context", () => {
            expect(problemFor("euler")).to.deep.equal([]);
        });

        it("refuses packageSnapshot for a folder with a Dockerfile of its own (the Dockerfile says how packages install)", () => {
            expect(withApps([{ name: "mini", framework: "dash", app: "euler", packageSnapshot: "2026-11-02" }])).to.deep.equal([
                "dashboards:dashboards[0].packageSnapshot: is only used for a folder without a Dockerfile; apps/euler has its own Dockerfile, which says how to run the app: remove packageSnapshot (or the Dockerfile)",
            ]);
        });

        it("refuses a buildTarget that names no stage of the Dockerfile, listing its stages", () => {
            fs.writeFileSync(path.join(appsDir, "euler", "Dockerfile"), "FROM python:3.12-slim AS production\nCOPY requirements.txt /app/\nFROM production AS dev\n");
            try {
                expect(withApps([{ name: "mini", framework: "dash", app: "euler", buildTarget: "production" }])).to.deep.equal([]);
                expect(withApps([{ name: "mini", framework: "dash", app: "euler", buildTarget: "release" }])).to.deep.equal([
                    'dashboards:dashboards[0].buildTarget: "release" names no stage of apps/euler/Dockerfile; its stages: production, dev',
                ]);
            } finally {
                fs.writeFileSync(path.join(appsDir, "euler", "Dockerfile"), "FROM python:3.12-slim\nCOPY requirements.txt /app/\nCOPY euler /app/euler\n");
            }
        });

        it("refuses a Dockerfile written for the former apps/ context, naming the line and how to move it", () => {
            expect(problemFor("former")).to.deep.equal([
                "dashboards:dashboards[0].app: apps/former/Dockerfile line 2: COPY former/app.py: there is no former/app.py in apps/former, the build context (the app's own folder); this Dockerfile was written for the former context apps/: write COPY app.py, and take the platform's helpers with COPY --from=dashboards-platform <path in apps/shared>",
                "dashboards:dashboards[0].app: apps/former/Dockerfile line 2: COPY shared/python/gunicorn.conf.py: there is no shared/python/gunicorn.conf.py in apps/former, the build context (the app's own folder); this Dockerfile was written for the former context apps/: write the path inside the folder, and take the platform's helpers with COPY --from=dashboards-platform <path in apps/shared>",
            ]);
        });

        it("checks a hostile Dockerfile quickly: 60,000 continuation lines, a 200 kB line of spaces", () => {
            const hostile = path.join(appsDir, "hostile");
            fs.mkdirSync(hostile, { recursive: true });
            try {
                fs.writeFileSync(path.join(hostile, "Dockerfile"), `FROM a AS b\nCOPY \\\n${"x \\\n".repeat(60_000)}y /z\nCOPY ${" ".repeat(200_000)}w\n`);
                const started = process.hrtime.bigint();
                const problems = withApps([{ name: "mini", framework: "dash", app: "hostile", buildTarget: "b" }]);
                expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(1500);
                // At most ten findings, at the line the instruction starts on (identical ones are reported once).
                expect(problems.length).to.be.within(1, 10);
                expect(problems[0]).to.equal("dashboards:dashboards[0].app: apps/hostile/Dockerfile line 2: COPY x: there is no x in apps/hostile, the build context (the app's own folder)");
            } finally {
                fs.rmSync(hostile, { recursive: true, force: true });
            }
        });

        it("refuses a Dockerfile that is not a file", () => {
            expect(problemFor("odd")).to.deep.equal(["dashboards:dashboards[0].app: apps/odd/Dockerfile is not a file; make it a file, or remove it to have one generated from the app's files"]);
        });

        for (const app of ["../components", "..", "/etc", "apps/../../x", "dash/../../x"]) {
            it(`refuses ${JSON.stringify(app)}, which leaves apps/`, () => {
                expect(problemFor(app)).to.deep.equal([`dashboards:dashboards[0].app: ${JSON.stringify(app)} is not a folder name in apps/ (lowercase letters, digits, . _ -, starting with a letter or digit; no paths)`]);
            });
        }

        for (const app of ["escape", "escape-relative"]) {
            it(`refuses a symlink (${app}) to a folder outside apps/`, () => {
                expect(problemFor(app)).to.deep.equal([`dashboards:dashboards[0].app: apps/${app} is a symlink to a folder outside apps/; the app folder must be inside apps/ (images are built from there)`]);
            });
        }

        it("refuses a Dockerfile that is a symlink to a file outside apps/", () => {
            expect(problemFor("leaky")).to.deep.equal([`dashboards:dashboards[0].app: apps/leaky/Dockerfile is a symlink to a file outside apps/; the Dockerfile must be inside apps/ (images are built from there)`]);
        });

        it("refuses an apps directory that does not exist, for each dashboard and the portal", () => {
            const result = validateStackConfig(devStackWith({ "dashboards:dashboards": [{ name: "mini", framework: "dash", app: "dash" }] }).config, PROJECT, { appsDir: path.join(root, "nothing-here") });
            expect(result.ok ? [] : lines(result.problems)).to.deep.equal([
                "dashboards:dashboards[0].app: nothing-here/dash does not exist; set app to the folder in nothing-here/ that holds the dashboard (its app.R, or app.py and requirements.txt, or a Dockerfile); there are no app folders in nothing-here/ yet",
                "dashboards:portal.enabled: is on (the default with Cognito), but nothing-here/portal does not exist, and the portal is built from there; copy this project's apps/portal and apps/shared there, or set portal.enabled to false",
            ]);
        });

        it("needs the portal's folder only while the portal is on", () => {
            const noPortal = path.join(root, "no-portal");
            fs.mkdirSync(path.join(noPortal, "dash"), { recursive: true });
            fs.writeFileSync(path.join(noPortal, "dash", "Dockerfile"), "FROM scratch\n");
            const check = (portal: unknown) => {
                const result = validateStackConfig(devStackWith({ "dashboards:dashboards": [{ name: "mini", framework: "dash", app: "dash" }], "dashboards:portal": portal }).config, PROJECT, { appsDir: noPortal });
                return result.ok ? [] : lines(result.problems);
            };
            expect(check({ enabled: true })).to.deep.equal([
                "dashboards:portal.enabled: is on (the default with Cognito), but no-portal/portal does not exist, and the portal is built from there; copy this project's apps/portal and apps/shared there, or set portal.enabled to false",
            ]);
            expect(check({ enabled: false })).to.deep.equal([]);
        });

        it("reports every app-folder problem at once, with the other problems of the file", () => {
            const problems = withApps([
                { name: "one", framework: "dash", app: "nosuchdir" },
                { name: "two", framework: "shiny", app: "empty", cpu: 256, memory: 3072 },
                { name: "three", framework: "django", app: "escape" },
                { name: "four", framework: "dash", app: "../components" },
                { name: "five", framework: "dash", app: "dash" },
            ], { "dashboards:domian": "x.example.com" }, ["dashboards:domain"]);
            expect(problems).to.include.members([
                `dashboards:dashboards[0].app: apps/nosuchdir does not exist; ${SET_APP}; ${FOLDERS}`,
                "dashboards:dashboards[1].app: apps/empty: no Shiny app: the folder has no app.R, no ui.R and server.R, and no app/ folder holding them; add app.R (or ui.R and server.R), or set entrypoint",
                "dashboards:dashboards[1].memory: 3072 is not valid with cpu 256 on Fargate; allowed: 512, 1024, 2048",
                "dashboards:dashboards[2].app: apps/escape is a symlink to a folder outside apps/; the app folder must be inside apps/ (images are built from there)",
                'dashboards:dashboards[2].framework: "django" is not allowed; allowed: shiny, dash, streamlit, flask, custom',
                'dashboards:dashboards[3].app: "../components" is not a folder name in apps/ (lowercase letters, digits, . _ -, starting with a letter or digit; no paths)',
                "dashboards:domain: is required; the parent domain of every dashboard, e.g. dashboards.example.com",
            ]);
            expect(problems.filter((p) => p.startsWith("dashboards:dashboards[4]"))).to.deep.equal([]);
            expect(problems.filter((p) => p.includes(".app:"))).to.have.length(4);
        });
    });

    it("reports every problem at once, not just the first", () => {
        const problems = lines(problemsOf({
            "dashboards:domian": "x.example.com",
            "dashboards:dashboards": dashboardsWith(1, { cpu: 256, memory: 3072, framework: "django", accessGroups: ["nobody"] }),
        }, ["dashboards:domain"]));
        expect(problems).to.include.members([
            'dashboards:domian: unknown key (did you mean "domain"?); allowed keys: domain, dns, network, loadBalancer, auth, dashboards, defaults, alarms, usage, portal, pipeline',
            "dashboards:domain: is required; the parent domain of every dashboard, e.g. dashboards.example.com",
            "dashboards:dashboards[1].memory: 3072 is not valid with cpu 256 on Fargate; allowed: 512, 1024, 2048",
            'dashboards:dashboards[1].framework: "django" is not allowed; allowed: shiny, dash, streamlit, flask, custom',
        ]);
        // The group check still runs although the same dashboard has a schema error.
        expect(problems.some((p) => p.startsWith("dashboards:dashboards[1].accessGroups[0]: group \"nobody\""))).to.equal(true);
    });

    it("turns the portal off by default with an external OIDC provider, and rejects turning it on", () => {
        const oidcAuth = { provider: "oidc", oidc: { issuer: "https://idp.example.com", authorizationEndpoint: "https://idp.example.com/a", tokenEndpoint: "https://idp.example.com/t", userInfoEndpoint: "https://idp.example.com/u", clientId: "c", clientSecret: "s" } };
        const open = devValue<Record<string, unknown>[]>("dashboards").map((d) => ({ ...d, accessGroups: undefined }));
        const result = validateStackConfig(devStackWith({ "dashboards:auth": oidcAuth, "dashboards:dashboards": open }).config, PROJECT);
        expect(result.ok, JSON.stringify(!result.ok && result.problems)).to.equal(true);
        if (result.ok) expect(result.config.portal.enabled).to.equal(false);
        expect(lines(problemsOf({ "dashboards:auth": oidcAuth, "dashboards:dashboards": open, "dashboards:portal": { enabled: true } })))
            .to.include("dashboards:portal.enabled: needs auth.provider cognito; the portal reads each user's groups from Cognito access tokens");
    });

    it("rejects accessGroups when the ALB talks to an external OIDC provider (Cognito enforces groups)", () => {
        const problems = lines(problemsOf({
            "dashboards:auth": { provider: "oidc", oidc: { issuer: "https://idp.example.com", authorizationEndpoint: "https://idp.example.com/a", tokenEndpoint: "https://idp.example.com/t", userInfoEndpoint: "https://idp.example.com/u", clientId: "c", clientSecret: "s" } },
        }));
        expect(problems).to.include("dashboards:dashboards[0].accessGroups: needs auth.provider cognito; per-dashboard groups are enforced by the Cognito user pool");
    });
});

describe("stack configuration: office hours (schedule)", () => {
    const HOURS = { start: "07:00", stop: "20:00", timeZone: "Europe/Zurich" };
    const configOf = (changes: Record<string, unknown>) => {
        const result = validateStackConfig(devStackWith(changes).config, PROJECT);
        if (!result.ok) throw new Error(lines(result.problems).join("\n"));
        return result.config;
    };

    it("gives every dashboard defaults.schedule, and lets one override a key or turn it off", () => {
        const config = configOf({
            "dashboards:defaults": { schedule: HOURS },
            "dashboards:dashboards": [
                { name: "a", framework: "dash" },
                { name: "b", framework: "dash", schedule: { days: "MON-SAT", stop: "18:30" } },
                { name: "c", framework: "dash", schedule: { enabled: false } },
            ],
        });
        const byName = Object.fromEntries(config.dashboards.map((d) => [d.name, d.schedule]));
        expect(byName.a).to.deep.equal({ days: "MON-FRI", start: "07:00", stop: "20:00", timeZone: "Europe/Zurich", tasksOutside: 0 });
        expect(byName.b).to.deep.equal({ days: "MON-SAT", start: "07:00", stop: "18:30", timeZone: "Europe/Zurich", tasksOutside: 0 });
        expect(byName.c).to.equal(undefined);
    });

    it("runs around the clock without any schedule key", () => {
        // Dev sets defaults.schedule; without it (and a dashboard's own), nothing is scheduled.
        expect(configOf({ "dashboards:dashboards": [{ name: "a", framework: "dash" }], "dashboards:defaults": { capacity: "spot" }, "dashboards:portal": {} }).dashboards[0].schedule).to.equal(undefined);
    });

    it("reports every schedule problem at once, at the key that holds the value", () => {
        expect(lines(problemsOf({
            "dashboards:defaults": { schedule: { timeZone: "Mars/Olympus", days: "weekdays" } },
            "dashboards:dashboards": [
                { name: "a", framework: "dash", schedule: { start: "20:00", stop: "07:00" } },
                { name: "b", framework: "dash", minTasks: 1, schedule: { start: "7:00", stop: "18:00", tasksOutside: 2 } },
                { name: "c", framework: "dash", schedule: { stop: "18:00" } },
            ],
        }))).to.include.members([
            'dashboards:defaults.schedule.days: "weekdays" is not a list of days; use names SUN, MON, TUE, WED, THU, FRI, SAT, ranges such as MON-FRI, lists such as MON,WED,FRI, or * for every day',
            'dashboards:defaults.schedule.timeZone: "Mars/Olympus" is not an IANA time zone such as Europe/Zurich or America/New_York',
            "dashboards:dashboards[0].schedule.stop: 07:00 is not after start 20:00; office hours start and stop on the same day",
            'dashboards:dashboards[1].schedule.start: "7:00" is not a time of day as HH:MM (00:00 to 23:59)',
            "dashboards:dashboards[1].schedule.tasksOutside: 2 is more than minTasks 1; outside the hours a dashboard runs fewer tasks, not more",
            "dashboards:dashboards[2].schedule.start: is required for a schedule (HH:MM); set it here or in defaults.schedule, or set schedule.enabled: false",
        ]);
    });

    it("names defaults.schedule when the missing key belongs there", () => {
        expect(lines(problemsOf({ "dashboards:defaults": { schedule: { start: "07:00" } }, "dashboards:dashboards": [{ name: "a", framework: "dash" }] })))
            .to.include("dashboards:defaults.schedule.stop: is required for a schedule (HH:MM); set it here or in defaults.schedule, or set schedule.enabled: false");
    });

    it("refuses unknown schedule keys with the allowed ones", () => {
        expect(lines(problemsOf({ "dashboards:dashboards": [{ name: "a", framework: "dash", schedule: { start: "07:00", stop: "20:00", timezone: "UTC" } }] })).join("\n"))
            .to.contain('dashboards:dashboards[0].schedule.timezone: unknown key (did you mean "timeZone"?); allowed keys: days, start, stop, timeZone, tasksOutside, enabled');
    });
});

describe("stack configuration: scale to zero (minTasks 0) and the portal's office hours", () => {
    const HOURS = { start: "07:00", stop: "20:00", timeZone: "Europe/Zurich" };
    const configOf = (changes: Record<string, unknown>) => {
        const result = validateStackConfig(devStackWith(changes).config, PROJECT);
        if (!result.ok) throw new Error(lines(result.problems).join("\n"));
        return result.config;
    };

    it("counts each scale-to-zero dashboard's waker rule and target group, the portal's and the platform's against a load balancer's limits", () => {
        const many = (n: number, sleeping: number) => Array.from({ length: n }, (_, i) => ({ name: `d${i}`, framework: "dash", loadBalancer: 0, ...(i < sleeping ? { minTasks: 0 } : {}) }));
        // 48 x 2 + the portal's rule + the sign-out and signed-out rules = 99 rules; 48 x 2 + portal + sign-out = 98 target groups: fits.
        expect(lines(problemsOf({ "dashboards:dashboards": many(48, 48) })).filter((l) => l.startsWith("dashboards:dashboards:"))).to.deep.equal([]);
        expect(lines(problemsOf({ "dashboards:dashboards": many(49, 49) }))).to.include(
            "dashboards:dashboards: put 49 dashboards and the portal on load balancer 0: 101 listener rules and 100 target groups (a scale-to-zero dashboard needs two of each, and the platform's sign-out and signed-out page are included), " +
            "but an ALB holds 100 rules and 100 target groups; 49 of them pinned there by dashboards[].loadBalancer (dashboards[0], dashboards[1], dashboards[2], dashboards[3], dashboards[4], ...): pin fewer there");
        // Unpinned, the same dashboards are spread over two load balancers: nothing to report.
        const unpinned = many(49, 49).map(({ loadBalancer: _, ...d }) => d);
        expect(lines(problemsOf({ "dashboards:dashboards": unpinned })).filter((l) => l.startsWith("dashboards:dashboards:"))).to.deep.equal([]);
    });

    it("reads minTasks 0 with idleMinutes (30 by default), and leaves an always-on dashboard without it", () => {
        const config = configOf({
            "dashboards:dashboards": [
                { name: "a", framework: "dash", minTasks: 0 },
                { name: "b", framework: "dash", minTasks: 0, idleMinutes: 90, maxTasks: 4 },
                { name: "c", framework: "dash" },
            ],
        });
        expect(config.dashboards.map((d) => [d.name, d.minTasks, d.maxTasks, d.idleMinutes])).to.deep.equal([["a", 0, 2, 30], ["b", 0, 4, 90], ["c", 1, 2, undefined]]);
    });

    it("refuses idleMinutes out of range or without minTasks 0, and scale to zero with a schedule of its own, naming the key", () => {
        const problems = lines(problemsOf({
            "dashboards:defaults": { schedule: HOURS },
            "dashboards:dashboards": [
                { name: "a", framework: "dash", minTasks: 0, idleMinutes: 5 },
                { name: "b", framework: "dash", minTasks: 2, idleMinutes: 30 },
                { name: "c", framework: "dash", minTasks: 0, schedule: { enabled: false } },
                { name: "d", framework: "dash", minTasks: 0, schedule: { stop: "18:00" } },
                { name: "e", framework: "dash", minTasks: 0, idleMinutes: 15.5 },
            ],
        }));
        expect(problems).to.deep.equal([
            "dashboards:dashboards[0].idleMinutes: 5 is below the minimum; allowed: 10 to 1440",
            "dashboards:dashboards[1].idleMinutes: needs minTasks 0 (scale to zero); with minTasks 2 the dashboard never sleeps when idle",
            "dashboards:dashboards[3].schedule: office hours and minTasks 0 (scale to zero) both decide when the dashboard sleeps; use one: remove schedule, or set minTasks 1 or more",
            "dashboards:dashboards[4].idleMinutes: expected minutes from 10 to 1440, got 15.5",
        ]);
    });

    it("does not give a scale-to-zero dashboard defaults.schedule: it sleeps when idle instead", () => {
        const config = configOf({ "dashboards:defaults": { schedule: HOURS }, "dashboards:dashboards": [{ name: "a", framework: "dash", minTasks: 0 }, { name: "b", framework: "dash" }] });
        expect(config.dashboards.map((d) => [d.name, d.schedule?.start, d.idleMinutes])).to.deep.equal([["a", undefined, 30], ["b", "07:00", undefined]]);
    });

    it("puts the portal on office hours only when portal.schedule is set, over defaults.schedule", () => {
        expect(configOf({ "dashboards:defaults": { schedule: HOURS }, "dashboards:portal": { title: "Dashboards" } }).portal.schedule).to.equal(undefined);
        // Dev's portal takes the hours from defaults.schedule.
        expect(configOf({}).portal.schedule).to.deep.equal({ days: "MON-FRI", start: "07:00", stop: "20:00", timeZone: "Europe/Zurich", tasksOutside: 0 });
        expect(configOf({ "dashboards:defaults": { schedule: HOURS }, "dashboards:portal": { schedule: { stop: "18:00" } } }).portal.schedule)
            .to.deep.equal({ days: "MON-FRI", start: "07:00", stop: "18:00", timeZone: "Europe/Zurich", tasksOutside: 0 });
        expect(lines(problemsOf({ "dashboards:portal": { schedule: { start: "19:00", stop: "08:00", timeZone: "Nowhere/Land" } } }))).to.have.members([
            'dashboards:portal.schedule.timeZone: "Nowhere/Land" is not an IANA time zone such as Europe/Zurich or America/New_York',
            "dashboards:portal.schedule.stop: 08:00 is not after start 19:00; office hours start and stop on the same day",
        ]);
        expect(lines(problemsOf({ "dashboards:portal": { schedule: { start: "19:00", stop: "08:00" } } }))).to.deep.equal([
            "dashboards:portal.schedule.stop: 08:00 is not after start 19:00; office hours start and stop on the same day",
        ]);
    });

    it("usage: every wrong value at once, by key (a key kind it does not know, a stray secret, a string for a boolean or an object)", () => {
        expect(lines(problemsOf({ "dashboards:usage": { userKey: "name", salt: "chosen-by-me", enabled: "yes" } })).sort()).to.deep.equal([
            'dashboards:usage.enabled: expected true or false, got "yes"',
            "dashboards:usage.salt: unknown key; allowed keys: enabled, userKey",
            'dashboards:usage.userKey: "name" is not allowed; allowed: hashed, sub, email',
        ]);
        expect(lines(problemsOf({ "dashboards:usage": { userKey: { email: true } } }))).to.deep.equal(["dashboards:usage.userKey: an object is not allowed; allowed: hashed, sub, email"]);
        expect(lines(problemsOf({ "dashboards:usage": "hashed" }))).to.deep.equal(['dashboards:usage: expected object, got "hashed"']);
        // Left out: statistics on, users keyed by a salted hash.
        const ok = validateStackConfig(devStackWith().config, PROJECT);
        expect(ok.ok && ok.config.usage).to.deep.equal({ enabled: true, userKey: "hashed" });
    });
});

describe("stack configuration: regions and their partitions", () => {
    const OIDC_AUTH = { provider: "oidc", oidc: { issuer: "https://idp.example.com", authorizationEndpoint: "https://idp.example.com/a", tokenEndpoint: "https://idp.example.com/t", userInfoEndpoint: "https://idp.example.com/u", clientId: "c", clientSecret: "s" } };
    // Without accessGroups, which only Cognito enforces: the dashboards as an external-OIDC stack has them.
    const openDashboards = () => devValue<Record<string, unknown>[]>("dashboards").map((d) => ({ ...d, accessGroups: undefined }));
    const regionProblems = (region: string, changes: Record<string, unknown> = {}) =>
        lines(problemsOf({ "aws:region": region, ...changes })).filter((l) => l.startsWith("aws:region:"));

    it("refuses China with the platform's Cognito sign-in (no user pools there) and says what works instead", () => {
        expect(regionProblems("cn-north-1")).to.deep.equal([
            "aws:region: cn-north-1 is in AWS in China (aws-cn), where Amazon Cognito user pools are not offered, so the platform's sign-in cannot be created there; " +
            "set auth.provider to oidc with your own OpenID Connect provider, or choose a region of the aws or aws-us-gov partition",
        ]);
        expect(regionProblems("cn-northwest-1", { "dashboards:auth": OIDC_AUTH, "dashboards:dashboards": openDashboards() })).to.deep.equal([]);
    });

    it("refuses the isolated partitions and the European Sovereign Cloud as unsupported, whatever the sign-in, naming the region's partition", () => {
        for (const [region, partition, title] of [
            ["us-iso-east-1", "aws-iso", "an isolated (ISO) partition"], ["us-isob-east-1", "aws-iso-b", "an isolated (ISO) partition"],
            ["eu-isoe-west-1", "aws-iso-e", "an isolated (ISO) partition"], ["us-isof-south-1", "aws-iso-f", "an isolated (ISO) partition"],
            ["eusc-de-east-1", "aws-eusc", "the AWS European Sovereign Cloud"],
        ]) {
            const expected = `aws:region: ${region} is in ${title} (${partition}), which the platform does not support: its ARNs, service hosts and consoles differ and are not modelled; ` +
                "supported partitions: aws, aws-us-gov, aws-cn (with auth.provider oidc)";
            expect(regionProblems(region), region).to.deep.equal([expected]);
            expect(regionProblems(region, { "dashboards:auth": OIDC_AUTH, "dashboards:dashboards": openDashboards() }), `${region} with oidc`).to.deep.equal([expected]);
        }
    });

    it("takes commercial and GovCloud regions, a region newer than the table as commercial, and still refuses what is no region name", () => {
        for (const region of ["eu-west-1", "us-east-1", "ap-southeast-7", "mx-central-1", "us-gov-west-1", "us-gov-east-1", "xx-future-3"]) {
            expect(regionProblems(region), region).to.deep.equal([]);
        }
        // The form of a non-commercial region that no partition knows: refused, not taken for commercial.
        for (const region of ["eusc-fr-east-1", "us-isoz-east-1", "eu-gov-west-1"]) {
            expect(regionProblems(region), region).to.deep.equal([`aws:region: ${region} has the form of a GovCloud, isolated (ISO) or European Sovereign Cloud region but is none this platform knows, ` +
                "so its partition (ARNs, service hosts, console) cannot be told; supported partitions: aws, aws-us-gov, aws-cn (with auth.provider oidc)"]);
        }
        for (const region of ["eu-west", "EU-WEST-1", "eu-west-1 ", "us-gov-west-1-", "eusc-east-1", "eu--west-1"]) {
            expect(regionProblems(region), region).to.deep.equal([`aws:region: ${JSON.stringify(region)} is not an AWS region name such as eu-west-1`]);
        }
    });

    it("refuses a Cognito custom login domain in GovCloud, where Cognito has none", () => {
        const auth = { ...devValue<Record<string, unknown>>("auth"), customDomain: { domain: "login.example.com", certificateArn: "arn:aws-us-gov:acm:us-east-1:123456789012:certificate/1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9" } };
        expect(lines(problemsOf({ "aws:region": "us-gov-west-1", "dashboards:auth": auth }))).to.include(
            "dashboards:auth.customDomain: is not offered in AWS GovCloud (US) (us-gov-west-1): Cognito there has no custom login domains; leave it out to sign in at <prefix>.auth-fips.us-gov-west-1.amazoncognito.com");
        expect(lines(problemsOf({ "dashboards:auth": auth })).filter((l) => l.startsWith("dashboards:auth.customDomain:"))).to.deep.equal([]);
    });

    it("refuses a secret or a prebuilt image of another partition than the stack's (no IAM grant crosses partitions), and takes another region of its own", () => {
        const dashboards = dashboardsWith(0, { secrets: {
            GOV: "arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/team/db-password",
            OTHER_REGION: "arn:aws:secretsmanager:us-east-1:123456789012:secret:team/db-AbCdEf",
            MIXED: "arn:aws:ssm:cn-north-1:123456789012:parameter/team/db-password",
        } });
        dashboards.push({ name: "pre", framework: "dash", image: `210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/team/sales@${DIGEST}` });
        dashboards.push({ name: "pre2", framework: "dash", image: `210987654321.dkr.ecr.us-east-1.amazonaws.com/team/sales@${DIGEST}` });
        const found = lines(problemsOf({ "dashboards:dashboards": dashboards })).filter((l) => /partition/.test(l));
        expect(found).to.deep.equal([
            "dashboards:dashboards[0].secrets.GOV: is in the aws-us-gov partition but the stack runs in eu-west-1 (aws); no grant or reference crosses partitions: use an arn:aws: ARN",
            "dashboards:dashboards[0].secrets.MIXED: names region cn-north-1, of the aws-cn partition, under arn:aws; no resource has such an ARN: copy it from the resource itself",
            `dashboards:dashboards[${dashboards.length - 2}].image: is in the aws-cn partition but the stack runs in eu-west-1 (aws); its registry is in cn-north-1, and a task cannot pull from a registry of another partition`,
        ]);
    });

    it("refuses an ARN of another partition wherever the model has one (certificates, task policies), and leaves an app's environment alone", () => {
        const govCertificate = "arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9";
        const dashboards = dashboardsWith(0, {
            taskPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws-cn:iam::aws:policy/AmazonS3ReadOnlyAccess"],
            environment: { SOURCE_BUCKET: "arn:aws-cn:s3:::team-data" },
        });
        const found = lines(problemsOf({ "dashboards:dashboards": dashboards, "dashboards:dns": { ...devValue<Record<string, unknown>>("dns"), certificateArn: govCertificate } }))
            .filter((l) => /partition|certificateArn|SOURCE_BUCKET/.test(l));
        expect(found).to.deep.equal([
            "dashboards:dashboards[0].taskPolicyArns[1]: is in the aws-cn partition but the stack runs in eu-west-1 (aws); no grant or reference crosses partitions: use an arn:aws: ARN",
            // Told once, by the rule that already refuses an ALB certificate of another region.
            "dashboards:dns.certificateArn: is in us-gov-west-1 but the load balancer is in eu-west-1; an ALB certificate must be in the ALB's region",
        ]);
        // One problem per key: an ALB certificate of another region and partition is told once, by the region rule.
        const extra = dashboardsWith(0, { extraHosts: [{ host: "sales.example.org", certificateArn: govCertificate }] });
        expect(lines(problemsOf({ "dashboards:dashboards": extra })).filter((l) => l.includes("extraHosts[0].certificateArn"))).to.deep.equal([
            "dashboards:dashboards[0].extraHosts[0].certificateArn: is in us-gov-west-1 but the load balancer is in eu-west-1; an ALB certificate must be in the ALB's region",
        ]);
        // In a GovCloud stack the commercial managed policy is refused too: GovCloud's are arn:aws-us-gov:iam::aws:policy/...
        const inGov = lines(problemsOf({ "aws:region": "us-gov-west-1", "dashboards:dashboards": dashboards })).filter((l) => /taskPolicyArns/.test(l));
        expect(inGov).to.deep.equal([
            "dashboards:dashboards[0].taskPolicyArns[0]: is in the aws partition but the stack runs in us-gov-west-1 (aws-us-gov); no grant or reference crosses partitions: use an arn:aws-us-gov: ARN",
            "dashboards:dashboards[0].taskPolicyArns[1]: is in the aws-cn partition but the stack runs in us-gov-west-1 (aws-us-gov); no grant or reference crosses partitions: use an arn:aws-us-gov: ARN",
        ]);
    });

    it("looks only at values that refer to a resource: an ARN-like description or group name is data, not refused", () => {
        const auth = devValue<Record<string, unknown>>("auth");
        const groups = [...(auth.groups as Record<string, unknown>[]), { name: "arn:aws-cn:iam::123456789012:role/analysts", description: "arn:aws-cn:iam::123456789012:role/analysts, mapped" }];
        const dashboards = dashboardsWith(0, { description: "arn:aws-cn:s3:::team-data explorer", accessGroups: ["arn:aws-cn:iam::123456789012:role/analysts"] });
        expect(lines(problemsOf({ "dashboards:auth": { ...auth, groups }, "dashboards:dashboards": dashboards })).filter((l) => /partition/.test(l))).to.deep.equal([]);
    });

    it("reports many foreign ARNs in a model given in code (no size cap there) without overflowing the stack: the first hundred, and one line for the rest", () => {
        const secrets: Record<string, string> = {};
        for (let i = 0; i < 200_000; i++) secrets[`S${i}`] = `arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db${i}-AbCdEf`;
        const model = { domain: "dashboards.example.com", dns: { hostedZoneId: "Z0123456789ABCDEFGHIJ" }, dashboards: [{ name: "sales", framework: "dash", secrets }] };
        const started = Date.now();
        const result = validatePlatformModel(model, "eu-west-1");
        expect(Date.now() - started).to.be.lessThan(20_000);
        expect(result.ok).to.equal(false);
        const found = result.ok ? [] : lines(result.problems).filter((l) => /partition/.test(l));
        expect(found).to.have.length(101);
        expect(found.filter((l) => /: is one more ARN of another partition than the stack's; only the first 100 are reported$/.test(l))).to.have.length(1);
    });

    it("walks a model given directly without hanging on a cycle, and keys its ARN problems by argument path", () => {
        const dashboard: Record<string, unknown> = { name: "sales", framework: "dash", secrets: { DB: "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf" } };
        dashboard.self = dashboard;
        const model = { domain: "dashboards.example.com", dns: { hostedZoneId: "Z0123456789ABCDEFGHIJ" }, dashboards: [dashboard] };
        const result = validatePlatformModel(model, "eu-west-1");
        expect(result.ok).to.equal(false);
        if (!result.ok) expect(lines(result.problems).filter((l) => /partition/.test(l))).to.deep.equal([
            "dashboards[0].secrets.DB: is in the aws-cn partition but the stack runs in eu-west-1 (aws); no grant or reference crosses partitions: use an arn:aws: ARN",
        ]);
    });

    it("keys the region's problem as region when the platform is given its model directly", () => {
        const model = { domain: "dashboards.example.com", dns: { hostedZoneId: "Z0123456789ABCDEFGHIJ" }, dashboards: [{ name: "sales", framework: "dash" }] };
        const result = validatePlatformModel(model, "us-isof-east-1");
        expect(result.ok).to.equal(false);
        if (!result.ok) expect(lines(result.problems).filter((l) => l.startsWith("region:"))).to.deep.equal([
            "region: us-isof-east-1 is in an isolated (ISO) partition (aws-iso-f), which the platform does not support: its ARNs, service hosts and consoles differ and are not modelled; supported partitions: aws, aws-us-gov, aws-cn (with auth.provider oidc)",
        ]);
    });
});
