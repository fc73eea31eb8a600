import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { ComponentArgsError } from "../components/dashboardCluster";
import { CognitoAuth, CognitoAuthArgs, DashboardLogin, externalOidcLogin, preTokenRolePolicy } from "../components/cognitoAuth";
import { derivedDomainPrefix, derivedPrefixBase, domainPrefixProblems, ssmTierFor } from "../components/cognitoNames";
import { declaredBeforeFailure, Plan, PlannedResource, runUnderMocks } from "../plan/runPlan";
import { devStackWith, ofType, one } from "./helpers";

const DOMAIN = "dev.dashboards.example.com";
const PREFIX_RULE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const T = {
    pool: "aws:cognito/userPool:UserPool",
    domain: "aws:cognito/userPoolDomain:UserPoolDomain",
    client: "aws:cognito/userPoolClient:UserPoolClient",
    group: "aws:cognito/userGroup:UserGroup",
    user: "aws:cognito/user:User",
    member: "aws:cognito/userInGroup:UserInGroup",
    idp: "aws:cognito/identityProvider:IdentityProvider",
    fn: "aws:lambda/function:Function",
    permission: "aws:lambda/permission:Permission",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    parameter: "aws:ssm/parameter:Parameter",
    random: "random:index/randomString:RandomString",
    record: "aws:route53/record:Record",
};

/** Dev-like arguments: three dashboards (one with two hosts, one open to everyone), groups and users. */
const BASE: CognitoAuthArgs = {
    dashboards: [
        { name: "ridge-lasso", hosts: [`ridge-lasso.${DOMAIN}`], accessGroups: ["shiny_users"] },
        { name: "kpis", hosts: [`kpis.${DOMAIN}`, "kpi.example.org"], accessGroups: ["analysts"] },
        { name: "portal", hosts: [`portal.${DOMAIN}`] },
    ],
    groups: [
        { name: "admins", description: "Platform team", precedence: 0 },
        { name: "shiny_users", description: "Ridge & Lasso" },
        { name: "analysts" },
    ],
    adminGroups: ["admins"],
    users: [
        { email: "Ada@Example.com", groups: ["admins", "analysts"] },
        { email: "bob@example.com" },
    ],
};

interface Run {
    plan: Plan;
    logins: Record<string, DashboardLogin>;
    auth: CognitoAuth;
    /** The Lambda's code archive as sent to the engine (the recorded inputs lose archive contents). */
    lambdaCode?: string;
}

async function planAuth(args: Partial<CognitoAuthArgs> = {}, name = "auth"): Promise<Run> {
    let auth!: CognitoAuth;
    const logins: Record<string, DashboardLogin> = {};
    let lambdaCode: string | undefined;
    const plan = await runUnderMocks(devStackWith(), () => {
        const monitor = getMonitor() as any;
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: any, cb: any) => {
            if (req.getType() === T.fn) lambdaCode = req.getObject().toJavaScript().code?.assets?.["index.js"]?.text;
            return register(req, cb);
        };
        auth = new CognitoAuth(name, { ...BASE, ...args });
        for (const d of auth.dashboardNames) logins[d] = auth.loginFor(d);
        return { hostedUiDomain: auth.hostedUiDomain, issuer: auth.issuer, loginUrl: auth.loginUrl, userPoolId: auth.userPoolId, userPoolArn: auth.userPoolArn };
    });
    return { plan, logins, auth, lambdaCode };
}

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
const clientFor = (plan: Plan, dashboard: string) => one(plan, T.client, (c) => c.inputs.name === dashboard);
/** The planned access-map parameters (not the usage salt): name -> parsed document. */
const mapParameters = (plan: Plan) => ofType(plan, T.parameter).filter((p) => String(p.inputs.name).includes("/access/"));
const accessParameters = (plan: Plan) => Object.fromEntries(mapParameters(plan).map((p) => [p.inputs.name, JSON.parse(p.inputs.value)]));

describe("CognitoAuth", function () {
    let dev: Run;
    before(async () => {
        dev = await planAuth();
    });

    describe("user pool", () => {
        it("signs in by email, case-insensitively, with admin-created accounts and verified email", () => {
            const pool = one(dev.plan, T.pool).inputs;
            expect(pool.usernameAttributes).to.deep.equal(["email"]);
            expect(pool.usernameConfiguration).to.deep.equal({ caseSensitive: false });
            expect(pool.adminCreateUserConfig.allowAdminCreateUserOnly).to.equal(true);
            expect(pool.autoVerifiedAttributes).to.deep.equal(["email"]);
            expect(pool.userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdates).to.deep.equal(["email"]);
        });

        it("requires 12-character passwords with every character class and recovers by verified email only", () => {
            const pool = one(dev.plan, T.pool).inputs;
            expect(pool.passwordPolicy).to.deep.equal({
                minimumLength: 12, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 7,
            });
            expect(pool.accountRecoverySetting.recoveryMechanisms).to.deep.equal([{ name: "verified_email", priority: 1 }]);
        });

        it("offers TOTP MFA (optional by default) and has a mutable custom:groups attribute for federated groups", () => {
            const pool = one(dev.plan, T.pool).inputs;
            expect(pool.mfaConfiguration).to.equal("OPTIONAL");
            expect(pool.softwareTokenMfaConfiguration).to.deep.equal({ enabled: true });
            const groups = pool.schemas.find((s: any) => s.name === "groups");
            expect(groups).to.include({ attributeDataType: "String", mutable: true, required: false });
        });

        it("dev-like: no deletion protection, no protect, no retainOnDelete, Lite plan without threat protection", () => {
            const pool = one(dev.plan, T.pool);
            expect(pool.inputs.deletionProtection).to.equal("INACTIVE");
            expect(pool.protect).to.equal(false);
            expect(pool.retainOnDelete).to.equal(false);
            expect(pool.inputs.userPoolAddOns).to.deep.equal({ advancedSecurityMode: "OFF" });
            expect(pool.inputs.userPoolTier).to.equal("LITE");
        });

        it("prod-like: MFA required, deletion protection ACTIVE, protect and retainOnDelete, enforced threat protection on Plus", async () => {
            const prod = await planAuth({ mfa: "required", deletionProtection: true, passwordMinimumLength: 14, threatProtection: "enforced", allowSelfSignUp: true });
            const pool = one(prod.plan, T.pool);
            expect(pool.inputs.mfaConfiguration).to.equal("ON");
            expect(pool.inputs.softwareTokenMfaConfiguration).to.deep.equal({ enabled: true });
            expect(pool.inputs.deletionProtection).to.equal("ACTIVE");
            expect(pool.protect).to.equal(true);
            expect(pool.retainOnDelete).to.equal(true);
            expect(pool.inputs.passwordPolicy.minimumLength).to.equal(14);
            expect(pool.inputs.userPoolAddOns).to.deep.equal({ advancedSecurityMode: "ENFORCED" });
            expect(pool.inputs.userPoolTier).to.equal("PLUS");
            expect(pool.inputs.adminCreateUserConfig.allowAdminCreateUserOnly).to.equal(false);
        });

        it("sends invitations and codes through Cognito's own email (small daily quota) unless SES is configured", () => {
            expect(one(dev.plan, T.pool).inputs.emailConfiguration).to.equal(undefined);
        });

        it("sends email through the stack's SES identity when configured (DEVELOPER), with reply-to and configuration set", async () => {
            const email = {
                sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/dashboards.example.com",
                fromEmailAddress: "Dashboards <no-reply@dashboards.example.com>",
                replyToEmailAddress: "platform@example.com",
                configurationSet: "dashboards-auth",
            };
            const pool = one((await planAuth({ email })).plan, T.pool).inputs;
            expect(pool.emailConfiguration).to.deep.equal({ emailSendingAccount: "DEVELOPER", ...email });
        });

        it("turns MFA off without enabling TOTP", async () => {
            const pool = one((await planAuth({ mfa: "off" })).plan, T.pool).inputs;
            expect(pool.mfaConfiguration).to.equal("OFF");
            expect(pool.softwareTokenMfaConfiguration).to.equal(undefined);
        });
    });

    describe("hosted login domain", () => {
        it("derives a valid prefix from stack and component plus a stable random suffix", async () => {
            const random = one(dev.plan, T.random);
            expect(random.inputs).to.include({ length: 6, lower: true, upper: false, numeric: true, special: false });
            const prefix = one(dev.plan, T.domain).inputs.domain as string;
            expect(prefix).to.equal(`dev-auth-${random.outputs.result}`);
            expect(prefix).to.match(PREFIX_RULE);
            expect(dev.plan.outputs.hostedUiDomain).to.equal(`${prefix}.auth.eu-west-1.amazoncognito.com`);
            expect(dev.plan.outputs.loginUrl).to.equal(`https://${prefix}.auth.eu-west-1.amazoncognito.com`);
            expect(one(dev.plan, T.domain).inputs.userPoolId).to.equal(one(dev.plan, T.pool).id);
        });

        it("uses a given prefix as is, without a random suffix", async () => {
            const run = await planAuth({ domainPrefix: "acme-dashboards" });
            expect(one(run.plan, T.domain).inputs.domain).to.equal("acme-dashboards");
            expect(ofType(run.plan, T.random)).to.have.length(0);
            expect(run.plan.outputs.hostedUiDomain).to.equal("acme-dashboards.auth.eu-west-1.amazoncognito.com");
        });

        it("keeps derived prefixes valid for reserved words, long names and unlucky suffixes", () => {
            const base = derivedPrefixBase("aws-production", "cognito-auth-for-the-analytics-department-dashboards-platform");
            expect(base.length).to.be.at.most(56);
            expect(base).to.not.match(/aws|amazon|cognito/);
            expect(derivedPrefixBase("amazon", "cognito")).to.equal("login");
            for (const suffix of ["xawsb1", "amazon", "0aws00"]) {
                const prefix = derivedDomainPrefix(base, suffix);
                expect(prefix, suffix).to.match(PREFIX_RULE);
                expect(domainPrefixProblems(prefix), suffix).to.deep.equal([]);
            }
            expect(domainPrefixProblems("my-aws-login")).to.have.length(1);
            expect(domainPrefixProblems("-Bad")).to.have.length(1);
        });

        it("serves a custom domain with its us-east-1 certificate and an alias to Cognito's CloudFront distribution", async () => {
            const cert = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
            const run = await planAuth({ customDomain: { domain: "login.dashboards.example.com", certificateArn: cert, hostedZoneId: "Z0123456789TESTZONE1" } });
            const domain = one(run.plan, T.domain);
            expect(domain.inputs).to.include({ domain: "login.dashboards.example.com", certificateArn: cert });
            const alias = one(run.plan, T.record);
            expect(alias.inputs).to.include({ zoneId: "Z0123456789TESTZONE1", name: "login.dashboards.example.com", type: "A" });
            expect(alias.inputs.aliases).to.deep.equal([{ name: domain.outputs.cloudfrontDistribution, zoneId: domain.outputs.cloudfrontDistributionZoneId, evaluateTargetHealth: false }]);
            expect(ofType(run.plan, T.random)).to.have.length(0);
            const action = await value(run.logins.kpis.authenticateAction);
            expect(action.authenticateOidc).to.include({ authorizationEndpoint: "https://login.dashboards.example.com/oauth2/authorize" });
            expect(await value(run.logins.kpis.logoutUrl)).to.match(/^https:\/\/login\.dashboards\.example\.com\/logout\?/);
        });
    });

    describe("groups and users", () => {
        it("creates every group with its description and precedence", () => {
            const groups = ofType(dev.plan, T.group);
            expect(groups.map((g) => g.inputs.name).sort()).to.deep.equal(["admins", "analysts", "shiny_users"]);
            expect(one(dev.plan, T.group, (g) => g.inputs.name === "admins").inputs).to.include({ description: "Platform team", precedence: 0 });
            for (const g of groups) expect(g.inputs.userPoolId).to.equal(one(dev.plan, T.pool).id);
        });

        it("invites users by email with a verified address", () => {
            const users = ofType(dev.plan, T.user);
            expect(users).to.have.length(2);
            const ada = one(dev.plan, T.user, (u) => u.inputs.username === "ada@example.com");
            expect(ada.inputs.attributes).to.deep.equal({ email: "ada@example.com", email_verified: "true" });
            expect(ada.inputs.desiredDeliveryMediums).to.deep.equal(["EMAIL"]);
            expect(ada.inputs.messageAction).to.equal(undefined); // SUPPRESS would send no invitation
        });

        it("adds each membership, and only those", () => {
            const memberships = ofType(dev.plan, T.member).map((m) => `${m.inputs.username}:${m.inputs.groupName}`).sort();
            expect(memberships).to.deep.equal(["ada@example.com:admins", "ada@example.com:analysts"]);
        });
    });

    describe("federated identity providers", () => {
        let fed: Run;
        let metadataFile: string;
        const metadataXml = `<?xml version="1.0"?><EntityDescriptor entityID="https://idp.example.com"/>`;
        before(async () => {
            metadataFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "saml-")), "metadata.xml");
            fs.writeFileSync(metadataFile, metadataXml);
            fed = await planAuth({
                samlProviders: [
                    { name: "Entra", metadataUrl: "https://login.example.com/federationmetadata.xml", attributeMapping: { email: "emailaddress", groups: "groups" }, signOut: true },
                    { name: "Legacy", metadataFile, attributeMapping: { email: "mail" } },
                ],
                oidcProviders: [
                    { name: "Okta", issuer: "https://acme.okta.com", clientId: "okta-client", clientSecret: "okta-secret", attributeMapping: { email: "email", groups: "groups" } },
                ],
            });
        });

        it("configures SAML from a metadata URL, with email and groups mapping and IdP sign-out", () => {
            const entra = one(fed.plan, T.idp, (i) => i.inputs.providerName === "Entra");
            expect(entra.inputs.providerType).to.equal("SAML");
            expect(entra.inputs.providerDetails).to.deep.equal({ MetadataURL: "https://login.example.com/federationmetadata.xml", IDPSignout: "true" });
            expect(entra.inputs.attributeMapping).to.deep.equal({ email: "emailaddress", "custom:groups": "groups" });
        });

        it("configures SAML from a metadata file by its content, without a groups mapping when none is given", () => {
            const legacy = one(fed.plan, T.idp, (i) => i.inputs.providerName === "Legacy");
            expect(legacy.inputs.providerDetails).to.deep.equal({ MetadataFile: metadataXml });
            expect(legacy.inputs.attributeMapping).to.deep.equal({ email: "mail" });
        });

        it("configures OIDC with scopes, request method and a secret client secret", () => {
            const okta = one(fed.plan, T.idp, (i) => i.inputs.providerName === "Okta");
            expect(okta.inputs.providerType).to.equal("OIDC");
            expect(okta.inputs.providerDetails).to.deep.equal({
                oidc_issuer: "https://acme.okta.com", client_id: "okta-client", client_secret: "okta-secret",
                authorize_scopes: "openid email profile", attributes_request_method: "GET",
            });
            expect(okta.additionalSecretOutputs).to.include("providerDetails");
            expect(okta.inputs.attributeMapping).to.deep.equal({ email: "email", username: "sub", "custom:groups": "groups" });
        });

        it("offers every provider on every client, after the providers exist", () => {
            const idps = ofType(fed.plan, T.idp);
            for (const client of ofType(fed.plan, T.client)) {
                expect(client.inputs.supportedIdentityProviders).to.deep.equal(["COGNITO", "Entra", "Legacy", "Okta"]);
                for (const idp of idps) expect(client.dependsOn).to.include(idp.urn);
            }
        });

        it("lets Cognito write custom:groups only because an IdP maps it, while no client can get the user-admin scope", () => {
            for (const client of ofType(fed.plan, T.client)) {
                expect(client.inputs.writeAttributes).to.include("custom:groups");
                expect(client.inputs.allowedOauthScopes).to.not.include("aws.cognito.signin.user.admin");
            }
        });
    });

    describe("app clients", () => {
        it("creates one client per dashboard, named after it", () => {
            expect(ofType(dev.plan, T.client).map((c) => c.inputs.name).sort()).to.deep.equal(["kpis", "portal", "ridge-lasso"]);
        });

        it("allows only the code flow with a secret and openid/email/profile, from Cognito accounts", () => {
            for (const c of ofType(dev.plan, T.client)) {
                expect(c.inputs).to.include({ generateSecret: true, allowedOauthFlowsUserPoolClient: true, preventUserExistenceErrors: "ENABLED", enableTokenRevocation: true });
                expect(c.inputs.allowedOauthFlows).to.deep.equal(["code"]);
                expect(c.inputs.allowedOauthScopes).to.deep.equal(["openid", "email", "profile"]);
                expect(c.inputs.supportedIdentityProviders).to.deep.equal(["COGNITO"]);
                expect(c.inputs.userPoolId).to.equal(one(dev.plan, T.pool).id);
                expect(c.additionalSecretOutputs).to.include("clientSecret");
            }
        });

        it("registers the ALB callback and the signed-out page for every host", () => {
            const kpis = clientFor(dev.plan, "kpis").inputs;
            expect(kpis.callbackUrls).to.deep.equal([`https://kpis.${DOMAIN}/oauth2/idpresponse`, "https://kpi.example.org/oauth2/idpresponse"]);
            expect(kpis.logoutUrls).to.deep.equal([`https://kpis.${DOMAIN}/signed-out`, "https://kpi.example.org/signed-out"]);
        });

        it("does not let users write custom:groups when no IdP maps groups, and reads only a few attributes", () => {
            for (const c of ofType(dev.plan, T.client)) {
                expect(c.inputs.writeAttributes).to.be.an("array").that.does.not.include("custom:groups");
                expect(c.inputs.readAttributes).to.have.length.at.most(4);
            }
        });

        it("sets token lifetimes from the arguments with explicit units", async () => {
            const run = await planAuth({ tokenValidity: { accessTokenMinutes: 15, idTokenMinutes: 30, refreshTokenDays: 2 } });
            expect(clientFor(run.plan, "portal").inputs).to.deep.include({
                accessTokenValidity: 15, idTokenValidity: 30, refreshTokenValidity: 2,
                tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
            });
        });
    });

    describe("access enforcement at login", () => {
        it("points the pool's pre-token trigger (V1_0) at the Lambda, and lets only this pool invoke it", () => {
            const fn = one(dev.plan, T.fn);
            const pool = one(dev.plan, T.pool);
            expect(pool.inputs.lambdaConfig.preTokenGenerationConfig).to.deep.equal({ lambdaArn: fn.outputs.arn, lambdaVersion: "V1_0" });
            const permission = one(dev.plan, T.permission);
            expect(permission.inputs).to.include({ action: "lambda:InvokeFunction", principal: "cognito-idp.amazonaws.com", sourceArn: pool.outputs.arn, function: fn.outputs.name });
        });

        it("alarms when the login check is throttled (Cognito then refuses sign-ins), only with an alarm topic", async () => {
            expect(ofType(dev.plan, "aws:cloudwatch/metricAlarm:MetricAlarm")).to.deep.equal([]);
            const topic = "arn:aws:sns:eu-west-1:123456789012:dashboards-alarms";
            const withTopic = (await planAuth({ alarmTopicArn: topic })).plan;
            const fn = one(withTopic, T.fn);
            const alarm = one(withTopic, "aws:cloudwatch/metricAlarm:MetricAlarm");
            expect(alarm.name).to.equal("auth-pre-token-throttles");
            expect(alarm.inputs).to.deep.include({ namespace: "AWS/Lambda", metricName: "Throttles", dimensions: { FunctionName: fn.outputs.name }, threshold: 0, alarmActions: [topic], okActions: [topic] });
            expect(alarm.inputs.alarmDescription).to.match(/^Sign-ins are refused/);
        });

        it("runs the handler on nodejs22.x within Cognito's 5 s, told only the access map's path and the usage settings (never the clients)", () => {
            const fn = one(dev.plan, T.fn).inputs;
            expect(fn).to.include({ runtime: "nodejs22.x", handler: "index.handler", timeout: 5, memorySize: 256 });
            expect(fn.environment.variables).to.deep.equal({
                ACCESS_MAP_PATH: "/dashboards/dev/auth/access", ACCESS_MAP_TTL_SECONDS: "60",
                USAGE_USER_KEY: "hashed", USAGE_SALT_PARAMETER: "/dashboards/dev/auth/usage-salt", USAGE_METRICS_NAMESPACE: "Dashboards/dashboards/dev",
            });
            // Nothing secret in it: whoever may read the function's configuration reads it.
            expect(one(dev.plan, T.fn).secretInputs).to.not.include("environment");
            for (const p of mapParameters(dev.plan)) expect(p.inputs.name.startsWith(`${fn.environment.variables.ACCESS_MAP_PATH}/`), p.inputs.name).to.equal(true);
        });

        it("keeps the salt of the hashed user key out of the function: the stack's own, a secret SecureString beside the map's path, there before the function", () => {
            const salt = one(dev.plan, T.parameter, (p) => p.inputs.name === "/dashboards/dev/auth/usage-salt");
            expect(salt.inputs).to.include({ type: "SecureString", tier: "Standard", value: one(dev.plan, "random:index/randomPassword:RandomPassword").outputs.result });
            expect(salt.secretInputs).to.include("value");
            expect(one(dev.plan, T.fn).dependsOn).to.include(salt.urn);
        });

        it("encrypts the salt with a key of its own, not aws/ssm, so reading it takes kms:Decrypt on that key, not ssm:GetParameter alone", () => {
            const salt = one(dev.plan, T.parameter, (p) => p.inputs.name === "/dashboards/dev/auth/usage-salt");
            const keys = ofType(dev.plan, "aws:kms/key:Key").filter((k) => k.name === "auth-usage-salt-key");
            expect(keys).to.have.length(1);
            const key = keys[0];
            expect(salt.inputs.keyId).to.equal(key.outputs.arn);
            expect(key.inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
            // Only the account's administration: who else uses the key is IAM's to grant (the trigger, below).
            expect(JSON.parse(key.inputs.policy).Statement).to.deep.equal([
                { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
            ]);
        });

        it("logs to its own log group with retention", () => {
            const logGroup = one(dev.plan, T.logGroup);
            expect(logGroup.inputs.retentionInDays).to.equal(90);
            expect(one(dev.plan, T.fn).inputs.loggingConfig).to.deep.equal({ logFormat: "Text", logGroup: logGroup.outputs.name });
        });

        it("grants the role only log writes to that group, ssm:GetParameters under the access map's own path and on the salt's exact ARN, and the salt's decryption through SSM", () => {
            const policy = JSON.parse(one(dev.plan, T.rolePolicy).inputs.policy);
            const logGroup = one(dev.plan, T.logGroup);
            const saltArn = "arn:aws:ssm:eu-west-1:123456789012:parameter/dashboards/dev/auth/usage-salt";
            expect(policy.Statement).to.deep.equal([
                { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroup.outputs.arn}:*` },
                { Sid: "ReadAccessMap", Effect: "Allow", Action: "ssm:GetParameters", Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/dashboards/dev/auth/access/*" },
                { Sid: "ReadUsageSalt", Effect: "Allow", Action: "ssm:GetParameters", Resource: saltArn },
                {
                    Sid: "DecryptUsageSalt", Effect: "Allow", Action: "kms:Decrypt", Resource: one(dev.plan, "aws:kms/key:Key", (k) => k.name === "auth-usage-salt-key").outputs.arn,
                    Condition: { StringEquals: { "kms:ViaService": "ssm.eu-west-1.amazonaws.com", "kms:EncryptionContext:PARAMETER_ARN": saltArn } },
                },
            ]);
            // Under the wildcard's path are the map's plain documents only, never a SecureString: it covers no secret.
            for (const p of ofType(dev.plan, T.parameter)) expect(String(p.inputs.name).includes("/access/"), p.inputs.name).to.equal(p.inputs.type === "String");
            for (const p of mapParameters(dev.plan)) expect(p.outputs.arn ?? `arn:aws:ssm:eu-west-1:123456789012:parameter${p.inputs.name}`).to.match(/^arn:aws:ssm:eu-west-1:123456789012:parameter\/dashboards\/dev\/auth\/access\//);
            expect(one(dev.plan, T.rolePolicy).inputs.role).to.equal(one(dev.plan, "aws:iam/role:Role").id);
        });

        it("names SSM by its ViaService name, which ends in .amazonaws.com in China and GovCloud too, not by its host", () => {
            for (const [region, partition] of [["cn-north-1", "aws-cn"], ["us-gov-west-1", "aws-us-gov"]]) {
                const parameterArn = `arn:${partition}:ssm:${region}:123456789012:parameter/dashboards/dev/auth/usage-salt`;
                const policy = JSON.parse(preTokenRolePolicy({
                    logGroupArn: `arn:${partition}:logs:${region}:123456789012:log-group:x`, accessMapArn: `arn:${partition}:ssm:${region}:123456789012:parameter/x/*`,
                    salt: { parameterArn, keyArn: `arn:${partition}:kms:${region}:123456789012:key/k`, region },
                }));
                const decrypt = policy.Statement.find((s: { Sid: string }) => s.Sid === "DecryptUsageSalt");
                expect(decrypt.Condition.StringEquals, region).to.deep.equal({ "kms:ViaService": `ssm.${region}.amazonaws.com`, "kms:EncryptionContext:PARAMETER_ARN": parameterArn });
            }
            // Without a salt (user key sub or email): no SSM read of it and no KMS right at all.
            const plain = JSON.parse(preTokenRolePolicy({ logGroupArn: "l", accessMapArn: "m" }));
            expect(plain.Statement.map((s: { Sid: string }) => s.Sid)).to.deep.equal(["OwnLogs", "ReadAccessMap"]);
        });

        it("ships the bundled handler (SDK external) that exports a handler which fails closed", async () => {
            const code = dev.lambdaCode!;
            expect(code).to.be.a("string");
            expect(code).to.include("ACCESS_MAP_PATH");
            expect(code).to.include('require("@aws-sdk/client-ssm")');
            const mod = { exports: {} as any };
            const fakeRequire = (id: string) => {
                if (id === "@aws-sdk/client-ssm") return { SSMClient: class {}, GetParametersCommand: class {} };
                return require(id);
            };
            new Function("module", "exports", "require", code)(mod, mod.exports, fakeRequire);
            expect(mod.exports.handler).to.be.a("function");
            const write = process.stdout.write;
            process.stdout.write = (() => true) as typeof process.stdout.write; // the handler logs its decision
            try {
                const outcome = await mod.exports.handler({ not: "a trigger event" }).then(() => "allowed", (e: Error) => `denied: ${e.message}`);
                expect(outcome).to.match(/^denied: /);
            } finally {
                process.stdout.write = write;
            }
        });

        it("writes the access map after the clients, one parameter per client named by its real id, and the admin groups", () => {
            const path = "/dashboards/dev/auth/access";
            expect(accessParameters(dev.plan)).to.deep.equal({
                [`${path}/admin-groups`]: { version: 2, adminGroups: ["admins"] },
                [`${path}/clients/${clientFor(dev.plan, "ridge-lasso").id!}`]: { version: 2, dashboard: "ridge-lasso", accessGroups: ["shiny_users"] },
                [`${path}/clients/${clientFor(dev.plan, "kpis").id!}`]: { version: 2, dashboard: "kpis", accessGroups: ["analysts"] },
                [`${path}/clients/${clientFor(dev.plan, "portal").id!}`]: { version: 2, dashboard: "portal", accessGroups: [] },
            });
            for (const p of mapParameters(dev.plan)) {
                expect(p.inputs).to.include({ type: "String", tier: "Standard" });
                const dashboard = JSON.parse(p.inputs.value).dashboard;
                // A client's parameter waits for that client (its name is the client's id).
                if (dashboard !== undefined) expect(p.dependsOn).to.include(clientFor(dev.plan, dashboard).urn);
            }
        });

        it("takes 500 dashboards with 3 groups of 40 characters each: no parameter near its limit, all Standard (free)", async function () {
            this.timeout(60_000);
            const groups = Array.from({ length: 60 }, (_, i) => `${String(i).padStart(2, "0")}_${"analysts-of-the-north-western-region".padEnd(37, "x")}`);
            expect(groups.every((g) => g.length === 40)).to.equal(true);
            const many = await planAuth({
                groups: groups.map((name) => ({ name })),
                adminGroups: [groups[0]],
                users: [],
                dashboards: Array.from({ length: 500 }, (_, i) => ({ name: `d${i}`, hosts: [`d${i}.${DOMAIN}`], accessGroups: [groups[i % 60], groups[(i + 1) % 60], groups[(i + 2) % 60]] })),
            });
            const parameters = mapParameters(many.plan);
            expect(parameters).to.have.length(501);
            expect(Math.max(...parameters.map((p) => Buffer.byteLength(p.inputs.value)))).to.be.below(200);
            expect(parameters.every((p) => p.inputs.tier === "Standard")).to.equal(true);
            const d7 = accessParameters(many.plan)[`/dashboards/dev/auth/access/clients/${clientFor(many.plan, "d7").id!}`];
            expect(d7).to.deep.equal({ version: 2, dashboard: "d7", accessGroups: [groups[7], groups[8], groups[9]] });
        });

        it("moves only the parameter of a dashboard whose groups pass 4 KB to the Advanced tier, and refuses one past 8 KB", async () => {
            expect(ssmTierFor("x".repeat(4096))).to.equal("Standard");
            expect(ssmTierFor("x".repeat(4097))).to.equal("Advanced");
            const wide = Array.from({ length: 40 }, (_, i) => `g${i}-${"x".repeat(100)}`);
            const run = await planAuth({
                groups: wide.map((name) => ({ name })),
                adminGroups: [],
                users: [],
                dashboards: [{ name: "wide", hosts: [`wide.${DOMAIN}`], accessGroups: wide }, { name: "narrow", hosts: [`narrow.${DOMAIN}`], accessGroups: [wide[0]] }],
            });
            const tiers = Object.fromEntries(mapParameters(run.plan).map((p) => [JSON.parse(p.inputs.value).dashboard ?? "admins", p.inputs.tier]));
            expect(tiers).to.deep.equal({ admins: "Standard", wide: "Advanced", narrow: "Standard" });
            const tooWide = Array.from({ length: 70 }, (_, i) => `g${i}-${"x".repeat(120)}`);
            const failure = await planAuth({ groups: tooWide.map((name) => ({ name })), adminGroups: [], users: [], dashboards: [{ name: "wide", hosts: [`wide.${DOMAIN}`], accessGroups: tooWide }] }).then(() => undefined, (e: Error) => e);
            expect(failure).to.be.instanceOf(ComponentArgsError);
            expect(failure!.message).to.match(/dashboards "wide": its accessGroups take \d+ bytes in the access map; an SSM parameter holds at most 8192/);
        });
    });

    describe("loginFor", () => {
        it("gives an authenticate-oidc action (order 1) on the hosted domain with the dashboard's client", async () => {
            const prefixDomain = dev.plan.outputs.hostedUiDomain;
            const client = clientFor(dev.plan, "kpis");
            expect(await value(dev.logins.kpis.authenticateAction)).to.deep.equal({
                type: "authenticate-oidc",
                order: 1,
                authenticateOidc: {
                    issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${one(dev.plan, T.pool).id}`,
                    authorizationEndpoint: `https://${prefixDomain}/oauth2/authorize`,
                    tokenEndpoint: `https://${prefixDomain}/oauth2/token`,
                    userInfoEndpoint: `https://${prefixDomain}/oauth2/userInfo`,
                    clientId: client.id,
                    clientSecret: client.outputs.clientSecret,
                    scope: "openid email profile",
                    onUnauthenticatedRequest: "authenticate",
                    sessionTimeout: 28800,
                    sessionCookieName: "AWSELBAuthSessionCookie",
                },
            });
            expect(await value(dev.logins.kpis.clientId)).to.equal(client.id);
            expect(dev.plan.outputs.issuer).to.equal(`https://cognito-idp.eu-west-1.amazonaws.com/${one(dev.plan, T.pool).id}`);
        });

        it("keeps the client secret secret", async () => {
            expect(await pulumi.isSecret(dev.logins.kpis.authenticateAction)).to.equal(true);
        });

        it("builds the logout URL with the client id and the URL-encoded signed-out page of the primary host", async () => {
            const client = clientFor(dev.plan, "kpis");
            expect(await value(dev.logins.kpis.logoutUrl)).to.equal(
                `https://${dev.plan.outputs.hostedUiDomain}/logout?client_id=${client.id}&logout_uri=https%3A%2F%2Fkpis.dev.dashboards.example.com%2Fsigned-out`,
            );
        });

        it("gives an authenticate-cognito action when asked, with the pool ARN, client and domain prefix", async () => {
            const run = await planAuth({ action: "authenticate-cognito", sessionTimeoutSeconds: 3600 });
            const action = await value(run.logins.portal.authenticateAction);
            expect(action).to.deep.equal({
                type: "authenticate-cognito",
                order: 1,
                authenticateCognito: {
                    userPoolArn: one(run.plan, T.pool).outputs.arn,
                    userPoolClientId: clientFor(run.plan, "portal").id,
                    userPoolDomain: one(run.plan, T.domain).inputs.domain,
                    scope: "openid email profile",
                    onUnauthenticatedRequest: "authenticate",
                    sessionTimeout: 3600,
                    sessionCookieName: "AWSELBAuthSessionCookie",
                },
            });
        });

        it("refuses a dashboard it has no client for", () => {
            expect(() => dev.auth.loginFor("nope")).to.throw(/no dashboard "nope"/);
        });
    });

    describe("externalOidcLogin", () => {
        const args = {
            host: `sales.${DOMAIN}`,
            issuer: "https://idp.example.com",
            authorizationEndpoint: "https://idp.example.com/authorize",
            tokenEndpoint: "https://idp.example.com/token",
            userInfoEndpoint: "https://idp.example.com/userinfo",
            clientId: "alb",
            clientSecret: "shh",
        };

        it("gives an authenticate-oidc action with a secret client secret and the signed-out page as fallback logout", async () => {
            const login = externalOidcLogin("sales", args);
            expect(await value(login.authenticateAction)).to.deep.equal({
                type: "authenticate-oidc",
                order: 1,
                authenticateOidc: {
                    issuer: args.issuer, authorizationEndpoint: args.authorizationEndpoint, tokenEndpoint: args.tokenEndpoint, userInfoEndpoint: args.userInfoEndpoint,
                    clientId: "alb", clientSecret: "shh", scope: "openid email profile", onUnauthenticatedRequest: "authenticate",
                    sessionTimeout: 28800, sessionCookieName: "AWSELBAuthSessionCookie",
                },
            });
            expect(await pulumi.isSecret(login.authenticateAction)).to.equal(true);
            expect(await value(login.logoutUrl)).to.equal(`https://sales.${DOMAIN}/signed-out`);
            expect(await value(login.clientId)).to.equal("alb");
        });

        it("uses the provider's logout URL when given", async () => {
            const login = externalOidcLogin("sales", { ...args, logoutUrl: "https://idp.example.com/logout" });
            expect(await value(login.logoutUrl)).to.equal("https://idp.example.com/logout");
        });

        it("rejects non-https endpoints and a bad host, all at once", () => {
            expect(() => externalOidcLogin("sales", { ...args, tokenEndpoint: "http://idp/token", logoutUrl: "ftp://x", host: "Not A Host" }))
                .to.throw(ComponentArgsError, /tokenEndpoint[\s\S]*logoutUrl[\s\S]*host "Not A Host"/);
        });
    });

    describe("argument checks", () => {
        it("reports every problem at once and declares nothing", async () => {
            let error: Error | undefined;
            try {
                await planAuth({
                    mfa: "sometimes",
                    threatProtection: "enforced",
                    featurePlan: "essentials",
                    passwordMinimumLength: 8,
                    domainPrefix: "my-cognito-login",
                    adminGroups: ["root"],
                    users: [{ email: "not-an-email" }],
                    samlProviders: [{ name: "Entra", attributeMapping: { email: "mail" } }],
                    oidcProviders: [{ name: "Okta", issuer: "http://okta", clientId: "c", clientSecret: "s", attributesRequestMethod: "PUT", attributeMapping: { email: "email" } }],
                    dashboards: [
                        { name: "sales", hosts: [] },
                        { name: "sales", hosts: Array.from({ length: 101 }, (_, i) => `h${i}.${DOMAIN}`), accessGroups: ["ghosts"] },
                    ],
                    action: "authenticate-saml",
                    sessionTimeoutSeconds: 0,
                });
            } catch (e) {
                error = e as Error;
            }
            expect(error).to.be.instanceOf(ComponentArgsError);
            const message = error!.message;
            for (const expected of [
                /mfa "sometimes"/, /threatProtection "enforced" needs featurePlan "plus"/, /passwordMinimumLength 8/,
                /domainPrefix "my-cognito-login" contains cognito/, /adminGroups: group "root"/, /"not-an-email" is not an email/,
                /Entra.*exactly one of metadataUrl or metadataFile/, /Okta.*issuer must be an https/, /attributesRequestMethod "PUT"/,
                /"sales": needs at least one host/, /"sales": the name is used twice/, /101 hosts; Cognito allows 100 callback URLs/,
                /group "ghosts" is not declared/, /action "authenticate-saml"/, /sessionTimeoutSeconds 0/,
            ]) {
                expect(message).to.match(expected);
            }
            const declared = declaredBeforeFailure.get(error!) ?? [];
            expect(declared.filter((r: PlannedResource) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
        });

        it("rejects an SES sender that is not an SES identity ARN, a bad address, or an address the identity does not cover", () => {
            expect(() => new CognitoAuth("auth", {
                ...BASE,
                email: { sourceArn: "arn:aws:sns:eu-west-1:123456789012:topic", fromEmailAddress: "no-reply", replyToEmailAddress: "nobody", configurationSet: "has space" },
            })).to.throw(ComponentArgsError, /email.sourceArn[\s\S]*SES identity ARN[\s\S]*email.fromEmailAddress[\s\S]*email.replyToEmailAddress[\s\S]*email.configurationSet/);
            expect(() => new CognitoAuth("auth", {
                ...BASE,
                email: { sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/dashboards.example.com", fromEmailAddress: "no-reply@example.org" },
            })).to.throw(ComponentArgsError, /email.fromEmailAddress "no-reply@example.org" is not covered by the SES identity dashboards.example.com/);
        });

        it("rejects a custom domain certificate outside us-east-1 and a prefix together with a custom domain", () => {
            expect(() => new CognitoAuth("auth", {
                ...BASE,
                domainPrefix: "acme",
                customDomain: { domain: "login.example.com", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" },
            })).to.throw(ComponentArgsError, /mutually exclusive[\s\S]*eu-west-1; a Cognito custom domain needs a certificate in us-east-1/);
        });
    });

    it("parents every child to the component, named after it", () => {
        const component = one(dev.plan, "dashboards:index:CognitoAuth");
        const children = dev.plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && r !== component);
        expect(children.length).to.be.greaterThan(15);
        for (const child of children) {
            expect(child.parent, child.name).to.equal(component.urn);
            expect(child.name.startsWith("auth-"), child.name).to.equal(true);
        }
    });
});
