/**
 * Each rule against the planned stacks: the plan as is passes, and a copy with one resource made
 * non-compliant (or a hand-written resource) is caught with the rule's message.
 */
import { expect } from "chai";
import { FRAMEWORK_PRESETS } from "../../components/frameworks";
import { Plan, planConfig } from "../../plan/runPlan";
import { devStackWith, devValue } from "../helpers";
import { evaluatePlan, formatViolations } from "../../policy/offline";
import * as rules from "../../policy/rules";
import { messages, mutate, plan, TYPES, UNKNOWN_STRING, violationsOf, withOptions, withResources } from "./helpers";

describe("policy rules over the offline plan", () => {
    let dev: Plan;
    let prod: Plan;
    before(async () => {
        dev = await plan("dev");
        prod = await plan("prod");
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`Pulumi.${stack}.yaml violates no rule`, async () => {
            const violations = evaluatePlan(await plan(stack));
            expect(violations, formatViolations(violations)).to.deep.equal([]);
        });
    }

    it("every rule has an id, a description, a remediation and a level; ids are unique", () => {
        const ids = rules.RULES.map((r) => r.id);
        expect(new Set(ids).size).to.equal(ids.length);
        for (const rule of rules.RULES) {
            expect(rule.id).to.match(/^[a-z0-9-]+$/);
            expect(rule.description.length, rule.id).to.be.above(20);
            expect(rule.remediation.length, rule.id).to.be.above(20);
            expect(["mandatory", "advisory"]).to.include(rule.enforcementLevel);
        }
    });

    describe(rules.httpsListenerModernTls.id, () => {
        const rule = rules.httpsListenerModernTls;
        const https = (policy: string | undefined) => mutate(prod, TYPES.listener, "dashboards-https", (i) => { i.sslPolicy = policy; });

        it("catches a policy that still accepts TLS 1.0, and a missing one (AWS's default is ELBSecurityPolicy-2016-08)", () => {
            expect(messages(rule, https("ELBSecurityPolicy-TLS13-1-0-2021-06"))).to.deep.equal([
                'HTTPS listener "dashboards-https" uses TLS policy "ELBSecurityPolicy-TLS13-1-0-2021-06", which is not a TLS 1.2+/1.3 policy on the allow-list.',
            ]);
            expect(messages(rule, https("ELBSecurityPolicy-2016-08"))).to.have.length(1);
            expect(messages(rule, https(undefined))[0]).to.match(/sets no sslPolicy/);
        });

        it("accepts the planned policy, TLS 1.3 only, the FS-1-2 family, and names allowed by config", () => {
            expect(messages(rule, prod)).to.deep.equal([]);
            expect(messages(rule, https("ELBSecurityPolicy-TLS13-1-3-2021-06"))).to.deep.equal([]);
            expect(messages(rule, https("ELBSecurityPolicy-FS-1-2-Res-2020-10"))).to.deep.equal([]);
            const config = { [rule.id]: { allowedSslPolicies: ["ELBSecurityPolicy-Custom-Reviewed"] } };
            expect(messages(rule, https("ELBSecurityPolicy-Custom-Reviewed"), config)).to.deep.equal([]);
        });
    });

    describe(rules.httpListenerRedirects.id, () => {
        const rule = rules.httpListenerRedirects;
        it("catches an HTTP listener that serves a page or redirects to HTTP", () => {
            const serving = mutate(prod, TYPES.listener, "dashboards-http", (i) => {
                i.defaultActions = [{ type: "fixed-response", fixedResponse: { statusCode: "200", contentType: "text/plain" } }];
            });
            expect(messages(rule, serving)).to.deep.equal(['HTTP listener "dashboards-http" has a default action of type "fixed-response"; it may only redirect to HTTPS.']);
            const toHttp = mutate(prod, TYPES.listener, "dashboards-http", (i) => { i.defaultActions[0].redirect.protocol = "HTTP"; });
            expect(messages(rule, toHttp)[0]).to.match(/of type "redirect" to protocol "HTTP"; it may only redirect to HTTPS/);
        });
        it("accepts the planned redirect", () => {
            expect(messages(rule, dev)).to.deep.equal([]);
        });
    });

    describe(rules.listenerDefaultNeverForwards.id, () => {
        const rule = rules.listenerDefaultNeverForwards;
        it("catches an HTTPS listener that forwards unknown hosts to a dashboard", () => {
            const tg = prod.resources.find((r) => r.name === "kpis-tg")!;
            const forwarding = mutate(prod, TYPES.listener, "dashboards-https", (i) => { i.defaultActions = [{ type: "forward", targetGroupArn: tg.outputs.arn }]; });
            expect(messages(rule, forwarding)).to.deep.equal(['Listener "dashboards-https" forwards by default, bypassing login for any host without a rule.']);
        });
        it("accepts the planned 404 and redirect", () => {
            expect(messages(rule, prod)).to.deep.equal([]);
        });
    });

    describe(rules.ruleAuthenticatesBeforeForward.id, () => {
        const rule = rules.ruleAuthenticatesBeforeForward;
        it("catches a rule that forwards before authenticating, or without authenticating", () => {
            const late = mutate(prod, TYPES.listenerRule, "kpis-rule", (i) => { i.actions[0].order = 3; });
            expect(messages(rule, late)).to.deep.equal(['Listener rule "kpis-rule" forwards (order 2) without an authenticate action before it.']);
            const none = mutate(prod, TYPES.listenerRule, "kpis-rule", (i) => { i.actions = i.actions.filter((a: any) => a.type === "forward"); });
            expect(messages(rule, none)).to.have.length(1);
        });
        it("catches an authenticate action that lets unauthenticated users through", () => {
            const open = mutate(prod, TYPES.listenerRule, "sentiment-rule", (i) => { i.actions[0].authenticateOidc.onUnauthenticatedRequest = "allow"; });
            expect(messages(rule, open)).to.deep.equal(['Listener rule "sentiment-rule" authenticates with onUnauthenticatedRequest "allow", which forwards users who are not logged in.']);
        });
        it("lets only the platform's sign-out rule forward without a login: that path alone, declared by SignOut", () => {
            expect(messages(rule, prod)).to.deep.equal([]);
            // Another host or path on it, or a second action, and it is caught like any rule.
            const withHost = mutate(prod, TYPES.listenerRule, "sign-out-rule", (i) => { i.conditions.push({ hostHeader: { values: ["kpis.dashboards.example.com"] } }); });
            expect(messages(rule, withHost)).to.deep.equal(['Listener rule "sign-out-rule" forwards (order 1) without an authenticate action before it.']);
            const wider = mutate(prod, TYPES.listenerRule, "sign-out-rule", (i) => { i.conditions[0].pathPattern.values = ["/_dashboards/*"]; });
            expect(messages(rule, wider)).to.have.length(1);
            // The same rule declared anywhere else (here: as if the kpis service declared it).
            const elsewhere = prod.resources.find((r) => r.name === "sign-out-rule")!;
            const moved = withResources(prod, [{ ...elsewhere, name: "kpis-sign-out", urn: elsewhere.urn.replace("dashboards:index:SignOut$", "dashboards:index:DashboardService$").replace(/::sign-out-rule$/, "::kpis-sign-out") }]);
            expect(messages(rule, moved)).to.deep.equal(['Listener rule "kpis-sign-out" forwards (order 1) without an authenticate action before it.']);
        });
        it("accepts the planned rules, and positional order when no order is given", () => {
            expect(messages(rule, prod)).to.deep.equal([]);
            const positional = mutate(prod, TYPES.listenerRule, "kpis-rule", (i) => { for (const a of i.actions) delete a.order; });
            expect(messages(rule, positional)).to.deep.equal([]);
        });
    });

    describe(rules.albDropsInvalidHeaders.id, () => {
        const rule = rules.albDropsInvalidHeaders;
        it("catches an ALB that passes invalid header fields on", () => {
            const lax = mutate(prod, TYPES.loadBalancer, "dashboards-alb", (i) => { delete i.dropInvalidHeaderFields; });
            expect(messages(rule, lax)).to.deep.equal(['Load balancer "dashboards-alb" does not drop invalid header fields (dropInvalidHeaderFields is undefined).']);
        });
        it("accepts the planned ALB and ignores network load balancers", () => {
            expect(messages(rule, prod)).to.deep.equal([]);
            const nlb = mutate(prod, TYPES.loadBalancer, "dashboards-alb", (i) => { i.loadBalancerType = "network"; delete i.dropInvalidHeaderFields; });
            expect(messages(rule, nlb)).to.deep.equal([]);
        });
    });

    describe(rules.internetFacingAlbHasHttps.id, () => {
        const rule = rules.internetFacingAlbHasHttps;
        it("catches an internet-facing ALB without an HTTPS listener", () => {
            const noHttps = withResources(prod, [], (r) => r.name === "dashboards-https");
            expect(messages(rule, noHttps)).to.deep.equal(['Internet-facing load balancer "dashboards-alb" has no HTTPS listener.']);
        });
        it("accepts the planned ALB, and an internal ALB without HTTPS", () => {
            expect(messages(rule, prod)).to.deep.equal([]);
            const internal = mutate(withResources(prod, [], (r) => r.name === "dashboards-https"), TYPES.loadBalancer, "dashboards-alb", (i) => { i.internal = true; });
            expect(messages(rule, internal)).to.deep.equal([]);
        });
    });

    describe(rules.tasksOnlyFromAlb.id, () => {
        const rule = rules.tasksOnlyFromAlb;
        it("catches a task ingress rule that admits a CIDR", () => {
            const open = mutate(prod, TYPES.ingressRule, "kpis-tasks-in", (i) => { delete i.referencedSecurityGroupId; i.cidrIpv4 = "0.0.0.0/0"; });
            expect(messages(rule, open)).to.deep.equal([
                'Task ingress rule "kpis-tasks-in" of security group "kpis-tasks-sg" admits "0.0.0.0/0"; tasks may only admit the load balancer\'s security group.',
            ]);
        });
        it("catches a task ingress rule that admits another security group than the ALB's", () => {
            const other = prod.resources.find((r) => r.name === "sentiment-tasks-sg")!;
            const lateral = mutate(prod, TYPES.ingressRule, "kpis-tasks-in", (i) => { i.referencedSecurityGroupId = other.id; });
            expect(messages(rule, lateral)).to.deep.equal([
                `Task ingress rule "kpis-tasks-in" of security group "kpis-tasks-sg" admits a security group that is not the load balancer's ("${other.id}").`,
            ]);
        });
        it("catches an extra CIDR rule added to a task security group, and an inline ingress block", () => {
            const sg = prod.resources.find((r) => r.name === "explorer-tasks-sg")!;
            const extra = withResources(prod, [{
                type: TYPES.ingressRule, name: "explorer-office",
                inputs: { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 8501, toPort: 8501, cidrIpv4: "203.0.113.0/24" },
            }]);
            expect(messages(rule, extra)).to.deep.equal([
                'Task ingress rule "explorer-office" of security group "explorer-tasks-sg" admits "203.0.113.0/24"; tasks may only admit the load balancer\'s security group.',
            ]);
            const inline = mutate(prod, TYPES.securityGroup, "explorer-tasks-sg", (i) => { i.ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }]; });
            expect(messages(rule, inline)[0]).to.match(/inline ingress 0 of security group "explorer-tasks-sg" admits "10\.0\.0\.0\/8"/);
        });
        it("accepts the planned rules (and leaves the ALB's own 0.0.0.0/0 ingress alone)", () => {
            expect(messages(rule, prod)).to.deep.equal([]);
            expect(messages(rule, dev)).to.deep.equal([]);
        });
    });

    describe(rules.noPublicIpWithNat.id, () => {
        const rule = rules.noPublicIpWithNat;
        it("catches a public IP on tasks when the VPC has NAT gateways (explicit strategy, or awsx's OnePerAz default)", () => {
            const exposed = mutate(prod, TYPES.service, "kpis-service", (i) => { i.networkConfiguration.assignPublicIp = true; });
            expect(messages(rule, exposed)).to.deep.equal(['ECS service "kpis-service" gives its tasks public IPs although the stack has NAT gateways.']);
            const defaultNat = mutate(dev, TYPES.vpc, "dashboards-vpc", (i) => { delete i.natGateways; });
            expect(messages(rule, defaultNat)).to.have.length(5); // dev's 4 dashboards + portal have public IPs
        });
        it("accepts public IPs without NAT (dev) and private tasks with NAT (prod)", () => {
            expect(dev.resources.filter((r) => r.type === TYPES.service).every((r) => r.inputs.networkConfiguration.assignPublicIp === true)).to.equal(true);
            expect(messages(rule, dev)).to.deep.equal([]);
            expect(messages(rule, prod)).to.deep.equal([]);
        });
    });

    describe(rules.websocketSticky.id, () => {
        const rule = rules.websocketSticky;
        it("catches a Streamlit or Shiny target group without stickiness", () => {
            const streamlit = mutate(prod, TYPES.targetGroup, "explorer-tg", (i) => { i.stickiness.enabled = false; });
            expect(messages(rule, streamlit)).to.deep.equal([
                'Target group "explorer-tg" serves a websocket app (port 8501) but is not sticky; sessions break when requests reach another task.',
            ]);
            const shiny = mutate(prod, TYPES.targetGroup, "ridge-lasso-tg", (i) => { delete i.stickiness; });
            expect(messages(rule, shiny)).to.have.length(1);
        });
        it("identifies the app from the service's container port when the target group's port says nothing", () => {
            let p = mutate(prod, TYPES.targetGroup, "ridge-lasso-tg", (i) => { i.port = 80; i.stickiness.enabled = false; });
            expect(messages(rule, p)[0]).to.match(/serves a websocket app \(service "ridge-lasso-service" container port 3838\)/);
            p = mutate(prod, TYPES.targetGroup, "explorer-tg", (i) => { i.port = 80; i.stickiness.enabled = false; });
            // Streamlit is recognised by its health route too (the service's port also says so here).
            expect(messages(rule, p)[0]).to.match(/serves a websocket app \(health check \/_stcore\/health\)/);
        });
        it("accepts the planned target groups and non-sticky Dash/Flask ones", () => {
            expect(prod.resources.find((r) => r.name === "sentiment-tg")!.inputs.stickiness.enabled).to.equal(false);
            expect(messages(rule, prod)).to.deep.equal([]);
            expect(messages(rule, dev)).to.deep.equal([]);
        });
        it("knows every sticky framework preset's port (so a new websocket framework cannot slip past)", () => {
            const stickyPorts = Object.values(FRAMEWORK_PRESETS).filter((p) => p.sticky).map((p) => p.port);
            expect([...rules.WEBSOCKET_PORTS].sort()).to.deep.equal(stickyPorts.sort());
            expect(FRAMEWORK_PRESETS.streamlit.healthCheckPath).to.equal(rules.STREAMLIT_HEALTH_PATH);
        });
    });

    describe(rules.ecsCircuitBreaker.id, () => {
        const rule = rules.ecsCircuitBreaker;
        it("catches a service without rollback", () => {
            const p = mutate(prod, TYPES.service, "sentiment-service", (i) => { i.deploymentCircuitBreaker.rollback = false; });
            expect(messages(rule, p)).to.deep.equal(['ECS service "sentiment-service" has no deployment circuit breaker with rollback.']);
        });
        it("accepts the planned services", () => {
            expect(messages(rule, prod)).to.deep.equal([]);
        });
    });

    describe(rules.ecsReadOnlyRoot.id, () => {
        const rule = rules.ecsReadOnlyRoot;
        const TASK = "aws:ecs/taskDefinition:TaskDefinition";
        const containers = (change: (c: any[]) => void) => mutate(dev, TASK, "kpis-task", (i) => {
            const list = JSON.parse(i.containerDefinitions);
            change(list);
            i.containerDefinitions = JSON.stringify(list);
        });
        it("catches a container with a writable root file system, naming it and its task definition", () => {
            expect(messages(rule, containers((c) => { delete c[0].readonlyRootFilesystem; }))).to.deep.equal(['Container "app" of task definition "kpis-task" has a writable root file system.']);
            expect(messages(rule, containers((c) => { c[0].readonlyRootFilesystem = false; }))).to.have.length(1);
            expect(messages(rule, containers((c) => { c.push({ name: "sidecar", image: "x" }); }))).to.deep.equal(['Container "sidecar" of task definition "kpis-task" has a writable root file system.']);
        });
        it("says nothing of what it cannot read (a preview's unknown, not JSON, not a list of objects) rather than failing", () => {
            for (const value of [UNKNOWN_STRING, "not json", "{}", "[1]", "[null]", 42]) {
                expect(messages(rule, mutate(dev, TASK, "kpis-task", (i) => { i.containerDefinitions = value; })), String(value)).to.deep.equal([]);
            }
        });
        it("is advisory by default: it reports, and only a config that raises it stops an update", () => {
            expect(rule.enforcementLevel).to.equal("advisory");
        });
        it("accepts the planned task definitions (every container of dev and prod runs read-only)", () => {
            expect(dev.resources.filter((r) => r.type === TASK)).to.have.length(5);
            expect(messages(rule, dev)).to.deep.equal([]);
        });
    });

    describe(rules.ecrScanOnPush.id, () => {
        const rule = rules.ecrScanOnPush;
        it("catches a repository that does not scan on push", () => {
            const p = mutate(dev, TYPES.repository, "kpis-repo", (i) => { i.imageScanningConfiguration.scanOnPush = false; });
            expect(messages(rule, p)).to.deep.equal(['ECR repository "kpis-repo" does not scan images on push.']);
            expect(messages(rule, mutate(dev, TYPES.repository, "kpis-repo", (i) => { delete i.imageScanningConfiguration; }))).to.have.length(1);
        });
        it("accepts the planned repositories", () => {
            expect(messages(rule, dev)).to.deep.equal([]);
        });
    });

    describe(rules.logRetentionSet.id, () => {
        const rule = rules.logRetentionSet;
        it("catches a log group kept forever", () => {
            const p = mutate(dev, TYPES.logGroup, "explorer-logs", (i) => { delete i.retentionInDays; });
            expect(messages(rule, p)).to.deep.equal(['Log group "explorer-logs" keeps its logs forever (retentionInDays is undefined).']);
            expect(messages(rule, mutate(dev, TYPES.logGroup, "explorer-logs", (i) => { i.retentionInDays = 0; }))).to.have.length(1);
        });
        it("accepts the planned log groups (the dashboards', the pre-token Lambda's, the four wakers' and the sign-out function's)", () => {
            expect(dev.resources.filter((r) => r.type === TYPES.logGroup)).to.have.length(11);
            expect(messages(rule, dev)).to.deep.equal([]);
        });
    });

    describe(rules.cognitoPasswordPolicy.id, () => {
        const rule = rules.cognitoPasswordPolicy;
        it("catches short passwords and a missing character class", () => {
            const p = mutate(dev, TYPES.userPool, "auth-pool", (i) => { i.passwordPolicy.minimumLength = 8; i.passwordPolicy.requireSymbols = false; });
            expect(messages(rule, p)).to.deep.equal([
                'User pool "auth-pool" accepts passwords of 8 characters; at least 12 are required.',
                'User pool "auth-pool" does not set requireSymbols in its password policy.',
            ]);
        });
        it("takes the minimum length from the policy config", () => {
            expect(prod.resources.find((r) => r.type === TYPES.userPool)!.inputs.passwordPolicy.minimumLength).to.equal(14);
            expect(messages(rule, prod, { [rule.id]: { minimumLength: 16 } })).to.have.length(1);
            expect(messages(rule, prod, { [rule.id]: { minimumLength: 14 } })).to.deep.equal([]);
        });
        it("accepts the planned pools", () => {
            expect(messages(rule, dev)).to.deep.equal([]);
            expect(messages(rule, prod)).to.deep.equal([]);
        });
    });

    describe(rules.cognitoProdProtection.id, () => {
        const rule = rules.cognitoProdProtection;
        it("catches a prod pool without deletion protection, MFA or Pulumi protect", () => {
            const p = withOptions(mutate(prod, TYPES.userPool, "auth-pool", (i) => { i.deletionProtection = "INACTIVE"; i.mfaConfiguration = "OPTIONAL"; }), TYPES.userPool, "auth-pool", { protect: false });
            expect(messages(rule, p)).to.deep.equal([
                'User pool "auth-pool" has deletionProtection "INACTIVE" in prod-like stack "prod"; it must be "ACTIVE".',
                'User pool "auth-pool" has mfaConfiguration "OPTIONAL" in prod-like stack "prod"; it must be "ON".',
                'User pool "auth-pool" is not protected by Pulumi (protect: true) in prod-like stack "prod".',
            ]);
        });
        it("applies to dev only when the config says it is prod-like (by flag or by name pattern)", () => {
            expect(messages(rule, dev)).to.deep.equal([]);
            expect(messages(rule, dev, { [rule.id]: { prodLike: true } })).to.have.length(3);
            expect(messages(rule, dev, { [rule.id]: { prodStackPattern: "^(dev|prod)$" } })).to.have.length(3);
        });
        it("accepts the planned prod pool, and any pool when prodLike is false", () => {
            expect(messages(rule, prod)).to.deep.equal([]);
            const weak = mutate(prod, TYPES.userPool, "auth-pool", (i) => { i.mfaConfiguration = "OFF"; });
            expect(messages(rule, weak, { [rule.id]: { prodLike: false } })).to.deep.equal([]);
        });
    });

    describe(rules.iamNoWildcardResource.id, () => {
        const rule = rules.iamNoWildcardResource;
        const addStatement = (statement: object) => mutate(prod, TYPES.rolePolicy, "kpis-exec-policy", (i) => {
            const doc = JSON.parse(i.policy);
            doc.Statement.push(statement);
            i.policy = JSON.stringify(doc);
        });
        it("catches an action on Resource \"*\" and Action \"*\"", () => {
            expect(messages(rule, addStatement({ Sid: "Everything", Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" }))).to.deep.equal([
                'Policy "kpis-exec-policy" statement "Everything" allows s3:GetObject on Resource "*".',
            ]);
            expect(messages(rule, addStatement({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" }))).to.deep.equal([
                'Policy "kpis-exec-policy" statement 3 allows every action.',
            ]);
        });
        it("accepts ecs:ListTasks on Resource \"*\" only with its ecs:cluster condition, and the read-only calls without resource-level permissions", () => {
            const cluster = { ArnEquals: { "ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/c" } };
            expect(messages(rule, addStatement({ Sid: "Tasks", Effect: "Allow", Action: "ecs:ListTasks", Resource: "*" }))).to.deep.equal([
                'Policy "kpis-exec-policy" statement "Tasks" allows ecs:ListTasks on Resource "*".',
            ]);
            expect(messages(rule, addStatement({ Sid: "Tasks", Effect: "Allow", Action: "ecs:ListTasks", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } }))).to.have.length(1);
            expect(messages(rule, addStatement({ Sid: "Tasks", Effect: "Allow", Action: "ecs:ListTasks", Resource: "*", Condition: cluster }))).to.deep.equal([]);
            // The condition scopes ListTasks only: another action in the statement is still refused.
            expect(messages(rule, addStatement({ Sid: "Tasks", Effect: "Allow", Action: ["ecs:ListTasks", "ecs:StopTask"], Resource: "*", Condition: cluster }))).to.deep.equal([
                'Policy "kpis-exec-policy" statement "Tasks" allows ecs:StopTask on Resource "*".',
            ]);
            expect(messages(rule, addStatement({ Effect: "Allow", Action: ["elasticloadbalancing:DescribeRules", "cloudwatch:GetMetricData"], Resource: "*" }))).to.deep.equal([]);
            expect(messages(rule, addStatement({ Effect: "Allow", Action: "elasticloadbalancing:ModifyRule", Resource: "*" }))).to.have.length(1);
        });
        it("accepts the planned policies: Resource \"*\" only for ecr:GetAuthorizationToken, and Deny statements", () => {
            expect(prod.resources.find((r) => r.name === "kpis-exec-policy")!.inputs.policy).to.contain('"Resource":"*"');
            expect(messages(rule, prod)).to.deep.equal([]);
            expect(messages(rule, addStatement({ Effect: "Deny", Action: "*", Resource: "*" }))).to.deep.equal([]);
        });
    });

    describe(rules.iamNoWildcardSecretRead.id, () => {
        const rule = rules.iamNoWildcardSecretRead;
        const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sales-api-AbCdEf";
        const addStatement = (statement: object) => mutate(prod, TYPES.rolePolicy, "kpis-exec-policy", (i) => {
            const doc = JSON.parse(i.policy);
            doc.Statement.push(statement);
            i.policy = JSON.stringify(doc);
        });
        it("catches an execution role that reads secrets or parameters by wildcard (a partial ARN, a path, every one)", () => {
            expect(messages(rule, addStatement({ Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:p*"] }))).to.deep.equal([
                'Policy "kpis-exec-policy" statement "ReadOwnSecrets" lets secretsmanager:GetSecretValue read by wildcard: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:p*".',
            ]);
            expect(messages(rule, addStatement({ Sid: "Params", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/*" }))).to.deep.equal([
                'Policy "kpis-exec-policy" statement "Params" lets ssm:GetParameters read by wildcard: "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/*".',
            ]);
            expect(messages(rule, addStatement({ Effect: "Allow", Action: "secretsmanager:Get*", Resource: "*" }))).to.deep.equal([
                'Policy "kpis-exec-policy" statement 3 lets secretsmanager:GetSecretValue read by wildcard: "*".',
            ]);
            expect(messages(rule, addStatement({ Effect: "Allow", Action: "SSM:getparameter?", Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/db?" }))).to.deep.equal([
                'Policy "kpis-exec-policy" statement 3 lets ssm:GetParameters read by wildcard: "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/db?".',
            ]);
            expect(messages(rule, addStatement({ Effect: "Allow", NotAction: "s3:*", NotResource: SECRET }))).to.deep.equal([
                'Policy "kpis-exec-policy" statement 3 lets secretsmanager:GetSecretValue, ssm:GetParameters, ssm:GetParameter, ssm:GetParametersByPath, ssm:GetParameterHistory read everything but its NotResource.',
            ]);
            // Past values, decrypted on request: a read like the others.
            expect(messages(rule, addStatement({ Effect: "Allow", Action: "ssm:GetParameterHistory", Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/*" }))).to.deep.equal([
                'Policy "kpis-exec-policy" statement 3 lets ssm:GetParameterHistory read by wildcard: "arn:aws:ssm:eu-west-1:123456789012:parameter/*".',
            ]);
        });
        it("catches the same in a role's inline policies", () => {
            const role = prod.resources.find((r) => r.name === "kpis-exec")!;
            const inline = mutate(prod, role.type, "kpis-exec", (i) => {
                i.inlinePolicies = [{ name: "extra", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ssm:*", Resource: "arn:aws:ssm:*:*:parameter/*" }] }) }];
            });
            expect(messages(rule, inline)).to.deep.equal([
                'Role "kpis-exec" inline policy "extra" statement 0 lets ssm:GetParameters, ssm:GetParameter, ssm:GetParametersByPath, ssm:GetParameterHistory read by wildcard: "arn:aws:ssm:*:*:parameter/*".',
            ]);
        });
        it("passes a stack whose dashboard reads a Secrets Manager secret (with a json key) and an SSM parameter", async () => {
            const dashboards = devValue<Record<string, unknown>[]>("dashboards");
            dashboards[3] = { ...dashboards[3], secrets: { API_KEY: `${SECRET}:key::`, DB_PASSWORD: "arn:aws:ssm:eu-west-1:123456789012:parameter/kpis/db" } };
            const withSecrets = await planConfig(devStackWith({ "dashboards:dashboards": dashboards }));
            expect(withSecrets.resources.find((r) => r.name === "kpis-exec-policy")!.inputs.policy).to.contain("ReadOwnSecrets");
            expect(messages(rule, withSecrets)).to.deep.equal([]);
        });
        it("accepts the login check's read of its own access map path, and only that: not in another policy, not wider, not with more actions", () => {
            const own = "arn:aws:ssm:eu-west-1:123456789012:parameter/dashboards/prod/auth/access/*";
            const trigger = prod.resources.find((r) => r.name === "auth-pre-token-policy")!;
            expect(JSON.parse(trigger.inputs.policy).Statement).to.deep.include({ Sid: "ReadAccessMap", Effect: "Allow", Action: "ssm:GetParameters", Resource: own });
            expect(messages(rule, prod)).to.deep.equal([]);
            // The same statement in a dashboard's execution role is refused.
            expect(messages(rule, addStatement({ Sid: "ReadAccessMap", Effect: "Allow", Action: "ssm:GetParameters", Resource: own }))).to.deep.equal([
                `Policy "kpis-exec-policy" statement "ReadAccessMap" lets ssm:GetParameters read by wildcard: "${own}".`,
            ]);
            const editTrigger = (statement: object) => mutate(prod, TYPES.rolePolicy, "auth-pre-token-policy", (i) => {
                const doc = JSON.parse(i.policy);
                doc.Statement[1] = statement;
                i.policy = JSON.stringify(doc);
            });
            for (const [wider, why] of [
                [{ Sid: "ReadAccessMap", Effect: "Allow", Action: "ssm:GetParameters", Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/dashboards/prod/*" }, "a wider path"],
                [{ Sid: "ReadAccessMap", Effect: "Allow", Action: "ssm:GetParameters", Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/dashboards/prod/auth/access*" }, "a prefix, not the path"],
                [{ Sid: "ReadAccessMap", Effect: "Allow", Action: ["ssm:GetParameters", "ssm:GetParametersByPath"], Resource: own }, "another action"],
                [{ Sid: "ReadAccessMap", Effect: "Allow", Action: "ssm:*", Resource: own }, "an action wildcard"],
                [{ Sid: "ReadAccessMap", Effect: "Allow", Action: "ssm:GetParameters", Resource: [own, "arn:aws:ssm:*:*:parameter/*"] }, "a second resource"],
            ] as const) {
                expect(messages(rule, editTrigger(wider)), why).to.have.length(1);
            }
        });
        it("accepts the planned roles, exact ARNs, the -?????? suffix pattern, other actions on wildcards, and Deny", () => {
            expect(messages(rule, dev)).to.deep.equal([]);
            expect(messages(rule, prod)).to.deep.equal([]);
            expect(messages(rule, addStatement({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [SECRET, "arn:aws:ssm:eu-west-1:123456789012:parameter/sales/db"] }))).to.deep.equal([]);
            expect(messages(rule, addStatement({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sales-api-??????" }))).to.deep.equal([]);
            expect(messages(rule, addStatement({ Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:x:*" }))).to.deep.equal([]);
            expect(messages(rule, addStatement({ Effect: "Deny", Action: "secretsmanager:*", Resource: "*" }))).to.deep.equal([]);
        });
    });

    describe(rules.bucketsBlockPublicAccess.id, () => {
        const rule = rules.bucketsBlockPublicAccess;
        it("catches an access-log bucket whose public access block is partial or missing", () => {
            const partial = mutate(prod, TYPES.publicAccessBlock, "dashboards-alb-logs-private", (i) => { i.restrictPublicBuckets = false; });
            expect(messages(rule, partial)).to.deep.equal([
                'Public access block "dashboards-alb-logs-private" of bucket "dashboards-alb-logs" does not set restrictPublicBuckets to true.',
            ]);
            const missing = withResources(prod, [], (r) => r.type === TYPES.publicAccessBlock);
            expect(messages(rule, missing)).to.deep.equal(['S3 bucket "dashboards-alb-logs" has no public access block.']);
        });
        it("accepts the planned bucket", () => {
            expect(violationsOf(rule, prod)).to.deep.equal([]);
        });
    });

    it("names the resource at fault and the remediation in each violation", () => {
        const p = mutate(dev, TYPES.repository, "kpis-repo", (i) => { i.imageScanningConfiguration.scanOnPush = false; });
        const [v] = violationsOf(rules.ecrScanOnPush, p);
        expect(v).to.include({ ruleId: "ecr-scan-on-push", resourceName: "kpis-repo", remediation: rules.ecrScanOnPush.remediation });
        expect(v.urn).to.match(/::kpis-repo$/);
    });
});
