/**
 * The operations dashboards and saved usage queries as the program plans them (index.ts, offline):
 * every metric of every widget names resources the plan creates (load balancer and target group
 * arn suffixes, the cluster and service names, the login trigger's namespace and dashboards), each
 * dashboard is shown exactly once, on its own load balancer's dashboard, at 120 dashboards as at 5.
 */
import { expect } from "chai";
import { metricReferences } from "../components/operationsDashboard";
import { DASHBOARD_DIMENSION } from "../functions/preTokenGeneration/usage";
import { USAGE_QUERY_LIST } from "../components/usageQueries";
import { estimateCost } from "../plan/cost";
import { Plan, PlannedResource, planConfig } from "../plan/runPlan";
import { devStackWith, ofType } from "./helpers";

const FRAMEWORKS = ["shiny", "dash", "streamlit", "flask"] as const;
const many = (n: number) => Array.from({ length: n }, (_, i) => ({
    name: `d${String(i + 1).padStart(3, "0")}`, framework: FRAMEWORKS[i % 4], app: FRAMEWORKS[i % 4],
    accessGroups: [["shiny_users"], ["dash_users"], ["analysts"], []][i % 4],
    ...(i % 5 === 1 ? { minTasks: 0 } : {}),
}));

/** For each planned service (dashboards and the portal): what its widgets' dimensions must be. */
function expectedRows(p: Plan): Map<string, { loadBalancer: string; targetGroup: string; cluster: string; service: string }> {
    const byArn = (type: string) => new Map(ofType(p, type).map((r) => [r.outputs.arn as string, r]));
    const targetGroups = byArn("aws:lb/targetGroup:TargetGroup");
    const listeners = byArn("aws:lb/listener:Listener");
    const albs = byArn("aws:lb/loadBalancer:LoadBalancer");
    const cluster = ofType(p, "aws:ecs/cluster:Cluster")[0];
    const rows = new Map<string, { loadBalancer: string; targetGroup: string; cluster: string; service: string }>();
    for (const service of ofType(p, "aws:ecs/service:Service")) {
        const name = p.resources.find((r) => r.urn === service.parent)!.name; // its DashboardService
        const tg = targetGroups.get(service.inputs.loadBalancers[0].targetGroupArn)!;
        // The target group's load balancer: the one whose listener the dashboard's forwarding rule is on.
        const rule = ofType(p, "aws:lb/listenerRule:ListenerRule").find((r) => (r.inputs.actions as { type: string; targetGroupArn?: string }[]).some((a) => a.type === "forward" && a.targetGroupArn === tg.outputs.arn))!;
        const alb = albs.get(listeners.get(rule.inputs.listenerArn)!.inputs.loadBalancerArn)!;
        rows.set(name, { loadBalancer: alb.outputs.arnSuffix, targetGroup: tg.outputs.arnSuffix, cluster: cluster.outputs.name, service: service.outputs.name });
    }
    return rows;
}

function checkOperations(p: Plan): { dashboardsPerBody: number[] } {
    const rows = expectedRows(p);
    const namespace = ofType(p, "aws:lambda/function:Function").map((f) => f.inputs.environment?.variables?.USAGE_METRICS_NAMESPACE).find(Boolean);
    expect(namespace, "the login trigger's metrics namespace").to.be.a("string");
    const withClient = new Set(ofType(p, "aws:cognito/userPoolClient:UserPoolClient").map((c) => c.name.replace(/^auth-client-/, "")));
    const bodies = ofType(p, "aws:cloudwatch/dashboard:Dashboard");
    expect(bodies.length).to.equal(ofType(p, "aws:lb/loadBalancer:LoadBalancer").length);
    const shown = new Map<string, string>();
    const dashboardsPerBody: number[] = [];
    for (const board of bodies) {
        const here = new Set<string>();
        for (const m of metricReferences(board.inputs.dashboardBody)) {
            const name = m.widgetTitle.split(":")[0];
            if (!rows.has(name)) continue; // the load balancer's header
            here.add(name);
            const row = rows.get(name)!;
            const where = `${board.inputs.dashboardName} ${m.widgetTitle} ${m.metricName}`;
            if (m.namespace === "AWS/ApplicationELB") {
                expect(m.dimensions.LoadBalancer, where).to.equal(row.loadBalancer);
                if ("TargetGroup" in m.dimensions) expect(m.dimensions.TargetGroup, where).to.equal(row.targetGroup);
                else expect.fail(`${where}: a dashboard's row must show its own target group, not the whole load balancer`);
            } else if (m.namespace === "AWS/ECS" || m.namespace === "ECS/ContainerInsights") {
                expect(m.dimensions, where).to.deep.equal({ ClusterName: row.cluster, ServiceName: row.service });
            } else if (m.namespace === namespace) {
                expect(m.dimensions, where).to.deep.equal({ [DASHBOARD_DIMENSION]: name });
                expect(withClient.has(name), `${where}: a dashboard with an app client`).to.equal(true);
            } else {
                expect.fail(`${where}: unexpected namespace ${m.namespace}`);
            }
            expect(m.region, where).to.equal("eu-west-1"); // the dev stack's aws:region
        }
        for (const name of here) {
            expect(shown.has(name), `${name} on ${board.inputs.dashboardName} and ${shown.get(name)}`).to.equal(false);
            shown.set(name, board.inputs.dashboardName);
        }
        dashboardsPerBody.push(here.size);
    }
    expect([...shown.keys()].sort()).to.deep.equal([...rows.keys()].sort());
    return { dashboardsPerBody };
}

describe("operations dashboards and saved usage queries (planned by the program)", () => {
    let dev: Plan;
    before(async () => {
        dev = await planConfig(devStackWith());
    });

    it("dev: one operations dashboard whose every metric dimension is a planned load balancer, target group, cluster, service or login dashboard", () => {
        expect(checkOperations(dev).dashboardsPerBody).to.deep.equal([5]);
        expect(Object.keys(dev.outputs.operationsDashboardUrls as object)).to.deep.equal(["0"]);
        expect((dev.outputs.operationsDashboardUrls as Record<string, string>)["0"]).to.match(/^https:\/\/console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#dashboards:name=dashboards-dev-eu-west-1-operations-lb0$/);
    });

    it("120 dashboards: one operations dashboard per load balancer, each dashboard on its own load balancer's, within CloudWatch's 500 widgets", async () => {
        const p = await planConfig(devStackWith({ "dashboards:dashboards": many(120) }));
        const { dashboardsPerBody } = checkOperations(p);
        expect(dashboardsPerBody.reduce((a, b) => a + b, 0)).to.equal(121); // and the portal
        expect(dashboardsPerBody.length).to.equal(2);
        for (const board of ofType(p, "aws:cloudwatch/dashboard:Dashboard")) expect(JSON.parse(board.inputs.dashboardBody).widgets.length).to.be.at.most(500);
    });

    it("saves the usage queries over the login trigger's log group, named by project and stack, and lists them in the outputs", () => {
        const logGroup = ofType(dev, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.name === "auth-pre-token-logs")!;
        const queries = ofType(dev, "aws:cloudwatch/queryDefinition:QueryDefinition");
        expect(queries.map((q) => q.inputs.name).sort()).to.deep.equal(USAGE_QUERY_LIST.map((q) => `dashboards/dev/${q.name}`).sort());
        for (const q of queries) {
            expect(q.inputs.logGroupNames).to.deep.equal([logGroup.inputs.name]);
            expect(USAGE_QUERY_LIST.map((u) => u.queryString)).to.include(q.inputs.queryString);
        }
        expect(dev.outputs.usageQueryNames).to.deep.equal(queries.map((q) => q.inputs.name));
    });

    it("keeps the salt of the hashed user key a secret outside the trigger's configuration, and gives the trigger the key kind and the namespace", () => {
        const trigger = ofType(dev, "aws:lambda/function:Function").find((f) => f.name === "auth-pre-token")!;
        const env = trigger.inputs.environment.variables as Record<string, string>;
        expect(env).to.deep.equal({ ACCESS_MAP_PATH: "/dashboards/dev/auth/access", ACCESS_MAP_TTL_SECONDS: "60", USAGE_USER_KEY: "hashed", USAGE_SALT_PARAMETER: "/dashboards/dev/auth/usage-salt", USAGE_METRICS_NAMESPACE: "Dashboards/dashboards/dev" });
        // Nothing in the environment is secret, so the SDK does not mark it (and plan.json shows it to reviewers).
        expect(trigger.secretInputs.filter((path: string) => path.startsWith("environment"))).to.deep.equal([]);
        const salt = ofType(dev, "random:index/randomPassword:RandomPassword").find((r) => r.name === "auth-usage-salt");
        expect(salt, "the salt is made once per stack and kept in its state").to.not.equal(undefined);
        const parameter = ofType(dev, "aws:ssm/parameter:Parameter").find((r) => r.name === "auth-usage-salt-parameter")!;
        expect(parameter.inputs).to.include({ name: env.USAGE_SALT_PARAMETER, type: "SecureString", value: salt!.outputs.result });
        expect(parameter.inputs.value).to.have.length(32);
    });

    it("usage.enabled false: no login metrics, no saved queries, no login graphs; the operations dashboard stays", async () => {
        const off = await planConfig(devStackWith({ "dashboards:usage": { enabled: false } }));
        expect(ofType(off, "aws:cloudwatch/queryDefinition:QueryDefinition")).to.have.length(0);
        const env = ofType(off, "aws:lambda/function:Function").find((f) => f.name === "auth-pre-token")!.inputs.environment.variables;
        expect(env).to.not.have.property("USAGE_METRICS_NAMESPACE");
        const [board] = ofType(off, "aws:cloudwatch/dashboard:Dashboard");
        expect(metricReferences(board.inputs.dashboardBody).filter((m) => m.metricName === "Logins")).to.have.length(0);
        expect(estimateCost(off).lines.map((l) => l.item)).to.not.include("Login metrics");
        expect(off.outputs.usageQueryNames).to.deep.equal([]);
    });

    it("usage.userKey email: the trigger keys users by email and is given no salt, which the stack keeps (coming back to hashed keeps every key)", async () => {
        const email = await planConfig(devStackWith({ "dashboards:usage": { userKey: "email" } }));
        const env = ofType(email, "aws:lambda/function:Function").find((f) => f.name === "auth-pre-token")!.inputs.environment.variables;
        expect(env).to.include({ USAGE_USER_KEY: "email" });
        expect(ofType(email, "aws:ssm/parameter:Parameter").map((r) => r.name)).to.not.include("auth-usage-salt-parameter");
        expect(env).to.not.have.property("USAGE_SALT_PARAMETER");
        const statements = JSON.parse(ofType(email, "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "auth-pre-token-policy")!.inputs.policy).Statement;
        expect(statements.map((s: { Sid: string }) => s.Sid)).to.deep.equal(["OwnLogs", "ReadAccessMap"]);
        // Nor the salt's key, and its $1 a month: there is nothing to encrypt.
        expect(ofType(email, "aws:kms/key:Key").map((r) => r.name)).to.not.include("auth-usage-salt-key");
        expect(ofType(dev, "aws:kms/key:Key").map((r) => r.name)).to.include("auth-usage-salt-key");
        const kmsUsd = (p: Plan) => estimateCost(p).lines.find((l) => l.item === "KMS keys")?.monthlyUsd ?? 0;
        expect(kmsUsd(dev) - kmsUsd(email)).to.equal(1);
        const salt = (p: Plan) => ofType(p, "random:index/randomPassword:RandomPassword").find((r: PlannedResource) => r.name === "auth-usage-salt");
        expect(salt(email)?.urn).to.equal(salt(dev)?.urn).and.not.equal(undefined);
    });

    it("prices the operations dashboards ($3 each: the free tier's three cover only dashboards of up to 50 metrics) and the login metrics in the hours with sign-ins", async () => {
        const lines = new Map(estimateCost(dev).lines.map((l) => [l.item, l.monthlyUsd]));
        expect(lines.get("Operations dashboards")).to.equal(3); // 5 rows of 12 metrics and the header's 2
        // A stack of one small dashboard and no portal: one row of 12 and the header's 2, within the free tier.
        const small = await planConfig(devStackWith({ "dashboards:dashboards": many(1), "dashboards:portal": { enabled: false } }));
        expect(estimateCost(small).lines.find((l) => l.item === "Operations dashboards")!.monthlyUsd).to.equal(0);
        // The portal signs users in 176 h (assumed), each of the four scale-to-zero dashboards in its 40 awake hours.
        expect(lines.get("Login metrics")).to.be.closeTo((2 * (176 + 4 * 40) / 730) * 0.3, 1e-9);
        // 400 dashboards: five load balancers, five operations dashboards, every one past 50 metrics.
        const big = estimateCost(await planConfig(devStackWith({ "dashboards:dashboards": many(400) })));
        expect(big.lines.find((l) => l.item === "Operations dashboards")!.monthlyUsd).to.equal(15);
    });
});
