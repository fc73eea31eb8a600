import { DASHBOARD_DIMENSION } from "../functions/preTokenGeneration/usage";
import { expect } from "chai";
import {
    cloudWatchDashboardNameProblem, operationsDashboardName, DASHBOARD_BODY_LIMITS, DASHBOARD_GRID_COLUMNS, MAX_CLOUDWATCH_DASHBOARD_NAME_LENGTH, MAX_DASHBOARD_BODY_BYTES,
    MAX_METRICS_PER_DASHBOARD, MAX_METRICS_PER_WIDGET, MAX_WIDGETS_PER_DASHBOARD, metricReferences, OperationsDashboardArgs, operationsDashboardBodies,
    OperationsDashboardEntry,
} from "../components/operationsDashboard";

const REGION = "eu-central-1";
const NAMESPACE = "Dashboards/dev";
const hex = (n: number, width = 16) => n.toString(16).padStart(width, "0");
const lbSuffix = (n: number) => `app/dashboards-alb-${n}/${hex(0xa1b2c3 + n)}`;

/** Dashboard `name` on load balancer `lb`, with ids that differ from every other dashboard's. */
function entry(name: string, lb: number, i: number, tasks: { minTasks: number; maxTasks: number } = { minTasks: 1, maxTasks: 2 }): OperationsDashboardEntry {
    return {
        name, loadBalancer: lb, loadBalancerArnSuffix: lbSuffix(lb), targetGroupArnSuffix: `targetgroup/${name}-tg/${hex(i + 1)}`,
        clusterName: "dashboards-dev", serviceName: `${name}-svc`, ...tasks,
    };
}

/** `count` dashboards filling load balancers `perLb` at a time, as the assignment does. */
function many(count: number, perLb: number): OperationsDashboardEntry[] {
    return Array.from({ length: count }, (_, i) => entry(`d${String(i).padStart(3, "0")}`, Math.floor(i / perLb), i));
}

interface ParsedWidget { type: string; x: number; y: number; width: number; height: number; properties: Record<string, any> }
const widgetsOf = (body: string): ParsedWidget[] => JSON.parse(body).widgets;
const rowOf = (body: string, name: string) => widgetsOf(body).filter((w) => String(w.properties.title ?? "").startsWith(`${name}:`));
const base = (dashboards: OperationsDashboardEntry[], extra: Partial<OperationsDashboardArgs> = {}): OperationsDashboardArgs =>
    ({ region: REGION, loginMetricsNamespace: NAMESPACE, dashboards, ...extra });

/** Checks the grid: every widget well-formed, inside the 24 columns, none overlapping another. */
function expectValidGrid(body: string) {
    const widgets = widgetsOf(body);
    for (const w of widgets) {
        expect(w.type, JSON.stringify(w)).to.be.oneOf(["metric", "text"]);
        for (const key of ["x", "y", "width", "height"] as const) expect(Number.isInteger(w[key]), `${key} of ${w.properties.title}`).to.equal(true);
        expect(w.x).to.be.within(0, DASHBOARD_GRID_COLUMNS - 1);
        expect(w.y).to.be.at.least(0);
        expect(w.width).to.be.within(1, DASHBOARD_GRID_COLUMNS);
        expect(w.height).to.be.within(1, 1000);
        expect(w.x + w.width, `${w.properties.title} passes the right edge`).to.be.at.most(DASHBOARD_GRID_COLUMNS);
        expect(w.properties).to.be.an("object");
    }
    // Sweep by row band: widgets only overlap when both their column and row ranges intersect.
    const sorted = widgets.slice().sort((a, b) => a.y - b.y);
    for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length && sorted[j].y < sorted[i].y + sorted[i].height; j++) {
            const [a, b] = [sorted[i], sorted[j]];
            const overlap = a.x < b.x + b.width && b.x < a.x + a.width;
            expect(overlap, `"${a.properties.title ?? "text"}" overlaps "${b.properties.title ?? "text"}"`).to.equal(false);
        }
    }
}

describe("operations dashboard", () => {
    describe("its name", () => {
        it("holds the region, since dashboard names are global to the account: the same stack in two regions writes two dashboards", () => {
            expect(operationsDashboardName("dashboards", "prod", "eu-west-1", 0)).to.equal("dashboards-prod-eu-west-1-operations-lb0");
            expect(operationsDashboardName("dashboards", "prod", "us-east-1", 0)).to.not.equal(operationsDashboardName("dashboards", "prod", "eu-west-1", 0));
        });

        it("stays a valid name whatever the project and stack are called, and never loses the region or the load balancer's number to the length cap", () => {
            const long = "p".repeat(300);
            const names = [0, 1, 10, 11].map((n) => operationsDashboardName(long, "org/stack.v2", "eu-west-1", n));
            for (const name of names) expect(cloudWatchDashboardNameProblem(name), name).to.equal(undefined);
            expect(names.every((n) => n.length === MAX_CLOUDWATCH_DASHBOARD_NAME_LENGTH)).to.equal(true);
            expect(new Set(names).size).to.equal(4);
            expect(names[2].endsWith("-eu-west-1-operations-lb10")).to.equal(true);
            // Nor two regions.
            expect(operationsDashboardName(long, "prod", "us-east-1", 0)).to.not.equal(operationsDashboardName(long, "prod", "eu-west-1", 0));
            expect(operationsDashboardName("my project", "dev:2", "eu-west-1", 3)).to.equal("my-project-dev-2-eu-west-1-operations-lb3");
        });
    });

    const three = [entry("sales", 0, 0), entry("ridge-lasso", 0, 1, { minTasks: 2, maxTasks: 6 }), entry("churn", 1, 2, { minTasks: 0, maxTasks: 3 })];

    it("gives each dashboard one row whose every metric has its own target group, load balancer, service and login dimension", () => {
        const bodies = operationsDashboardBodies(base(three));
        for (const d of three) {
            const body = bodies.find((b) => b.dashboards.includes(d.name))!.body;
            const refs = metricReferences(body).filter((m) => m.widgetTitle.startsWith(`${d.name}:`));
            expect(refs.map((m) => `${m.namespace} ${m.metricName} ${m.stat}`).sort(), d.name).to.deep.equal([
                "AWS/ApplicationELB HTTPCode_Target_5XX_Count Sum", "AWS/ApplicationELB HealthyHostCount Minimum", "AWS/ApplicationELB RequestCount Sum",
                "AWS/ApplicationELB TargetResponseTime p95", "AWS/ECS CPUUtilization Average", "AWS/ECS CPUUtilization Maximum",
                "AWS/ECS MemoryUtilization Average", "AWS/ECS MemoryUtilization Maximum", "Dashboards/dev Denied Sum", "Dashboards/dev Logins Sum",
                "ECS/ContainerInsights DesiredTaskCount Maximum", "ECS/ContainerInsights RunningTaskCount Maximum",
            ]);
            for (const m of refs) {
                const expected = m.namespace === "AWS/ApplicationELB" ? { TargetGroup: d.targetGroupArnSuffix, LoadBalancer: d.loadBalancerArnSuffix }
                    : m.namespace === NAMESPACE ? { [DASHBOARD_DIMENSION]: d.name }
                        : { ClusterName: d.clusterName, ServiceName: d.serviceName };
                expect(m.dimensions, `${m.widgetTitle} ${m.metricName}`).to.deep.equal(expected);
            }
        }
    });

    it("puts the load balancer's own 5xx in its header only, with the LoadBalancer dimension alone", () => {
        const [lb0, lb1] = operationsDashboardBodies(base(three));
        for (const [body, n] of [[lb0.body, 0], [lb1.body, 1]] as const) {
            const elb5xx = metricReferences(body).filter((m) => m.metricName === "HTTPCode_ELB_5XX_Count");
            expect(elb5xx).to.have.length(1);
            expect(elb5xx[0].dimensions).to.deep.equal({ LoadBalancer: lbSuffix(n) });
            expect(elb5xx[0].widgetTitle).to.match(new RegExp(`^Load balancer ${n}:`));
            const text = widgetsOf(body).find((w) => w.type === "text")!;
            expect(text.y).to.equal(0);
            expect(text.properties.markdown).to.contain(`load balancer ${n}`).and.contain(lbSuffix(n));
        }
    });

    it("draws min and max tasks as horizontal lines on the tasks graph, and keeps max inside the axis", () => {
        const body = operationsDashboardBodies(base(three))[0].body;
        for (const d of three.filter((x) => x.loadBalancer === 0)) {
            const tasks = rowOf(body, d.name).find((w) => w.properties.title.includes("tasks"))!;
            expect(tasks.properties.annotations.horizontal.map((a: { value: number }) => a.value), d.name).to.deep.equal([d.minTasks, d.maxTasks]);
            expect(tasks.properties.yAxis.left.max).to.be.greaterThan(d.maxTasks);
        }
    });

    it("renders a scale-to-zero dashboard (minTasks 0) with a min line at 0", () => {
        const [, lb1] = operationsDashboardBodies(base(three));
        expect(lb1.dashboards).to.deep.equal(["churn"]);
        expectValidGrid(lb1.body);
        const row = rowOf(lb1.body, "churn");
        expect(row).to.have.length(5);
        const tasks = row.find((w) => w.properties.title.includes("tasks"))!;
        expect(tasks.properties.title).to.equal("churn: tasks (min 0, max 3)");
        expect(tasks.properties.annotations.horizontal).to.deep.equal([{ label: "min tasks", value: 0 }, { label: "max tasks", value: 3 }]);
    });

    it("starts every widget title of a row with its dashboard's name, and sets the region on every metric widget", () => {
        for (const { body, dashboards } of operationsDashboardBodies(base(many(40, 15)))) {
            const metricWidgets = widgetsOf(body).filter((w) => w.type === "metric");
            for (const w of metricWidgets) expect(w.properties.region, w.properties.title).to.equal(REGION);
            const rowWidgets = metricWidgets.filter((w) => !w.properties.title.startsWith("Load balancer "));
            expect(rowWidgets).to.have.length(dashboards.length * 5);
            for (const w of rowWidgets) expect(dashboards.some((n) => w.properties.title.startsWith(`${n}: `)), w.properties.title).to.equal(true);
        }
    });

    it("lays out a valid grid: a full-width header, then rows of widgets side by side filling the 24 columns", () => {
        const [body] = operationsDashboardBodies(base(many(12, 98)));
        expectValidGrid(body.body);
        const widgets = widgetsOf(body.body);
        expect(widgets.filter((w) => w.y === 0).reduce((s, w) => s + w.width, 0)).to.equal(DASHBOARD_GRID_COLUMNS);
        const rowYs = [...new Set(widgets.filter((w) => w.y > 0).map((w) => w.y))];
        expect(rowYs).to.have.length(12);
        for (const y of rowYs) expect(widgets.filter((w) => w.y === y).reduce((s, w) => s + w.width, 0), `row at y ${y}`).to.equal(DASHBOARD_GRID_COLUMNS);
    });

    it("sorts rows by name within a body, whatever the input order", () => {
        const dashboards = many(30, 98);
        const shuffled = dashboards.slice().sort((a, b) => (a.targetGroupArnSuffix.split("/")[2] > b.targetGroupArnSuffix.split("/")[2] ? -1 : 1));
        const [sorted] = operationsDashboardBodies(base(shuffled));
        expect(sorted.dashboards).to.deep.equal(dashboards.map((d) => d.name));
        const rowNames = widgetsOf(sorted.body).filter((w) => w.x === 0 && w.y > 0).sort((a, b) => a.y - b.y).map((w) => w.properties.title.split(":")[0]);
        expect(rowNames).to.deep.equal(sorted.dashboards);
        expect(operationsDashboardBodies(base(dashboards))[0].body).to.equal(sorted.body);
    });

    it("keeps 500 dashboards on 6 load balancers within every CloudWatch limit, each dashboard exactly once, one body per load balancer", () => {
        const dashboards = many(500, 98);
        const bodies = operationsDashboardBodies(base(dashboards));
        expect(bodies.map((b) => b.suffix)).to.deep.equal(["lb0", "lb1", "lb2", "lb3", "lb4", "lb5"]);
        for (const b of bodies) {
            const widgets = widgetsOf(b.body);
            expect(widgets.length, b.suffix).to.be.at.most(MAX_WIDGETS_PER_DASHBOARD);
            expect(metricReferences(b.body).length, b.suffix).to.be.at.most(MAX_METRICS_PER_DASHBOARD);
            for (const w of widgets) expect((w.properties.metrics ?? []).length).to.be.at.most(MAX_METRICS_PER_WIDGET);
            expect(Buffer.byteLength(b.body, "utf8"), b.suffix).to.be.at.most(MAX_DASHBOARD_BODY_BYTES);
            expect(new Set(b.dashboards.map((n) => dashboards.find((d) => d.name === n)!.loadBalancer)), b.suffix).to.deep.equal(new Set([b.loadBalancer]));
            expectValidGrid(b.body);
            expect(cloudWatchDashboardNameProblem(`dashboards-prod-ops-${b.suffix}`)).to.equal(undefined);
        }
        const shown = bodies.flatMap((b) => b.dashboards);
        expect(shown.slice().sort()).to.deep.equal(dashboards.map((d) => d.name).sort());
        expect(new Set(shown).size).to.equal(500);
    });

    it("splits a load balancer past 500 widgets into lb<n> and lb<n>-2, each within the limits, each dashboard once", () => {
        // Pinned and kept places can overfill a load balancer: 150 rows of 5 widgets need two bodies.
        const dashboards = many(150, 150);
        const bodies = operationsDashboardBodies(base(dashboards));
        expect(bodies.map((b) => b.suffix)).to.deep.equal(["lb0", "lb0-2"]);
        expect(bodies.map((b) => b.part)).to.deep.equal([1, 2]);
        for (const b of bodies) {
            expect(widgetsOf(b.body).length).to.be.at.most(MAX_WIDGETS_PER_DASHBOARD);
            expectValidGrid(b.body);
        }
        // The first body is as full as the widget limit allows: 2 header widgets + 99 rows of 5.
        expect(bodies[0].dashboards).to.have.length(99);
        expect(bodies.flatMap((b) => b.dashboards)).to.deep.equal(dashboards.map((d) => d.name));
        expect(widgetsOf(bodies[1].body).find((w) => w.type === "text")!.properties.markdown).to.contain("part 2");
    });

    it("splits further by size and metric count when those limits are tighter, each body within them", () => {
        const dashboards = many(60, 98);
        const bodyBytes = 20_000;
        const bySize = operationsDashboardBodies(base(dashboards, { limits: { bodyBytes } }));
        expect(bySize.length).to.be.greaterThan(2);
        for (const b of bySize) expect(Buffer.byteLength(b.body, "utf8"), b.suffix).to.be.at.most(bodyBytes);
        // Greedy: a body is only closed when its next row would not fit.
        const sizes = bySize.map((b) => Buffer.byteLength(b.body, "utf8"));
        expect(Math.max(...sizes.slice(0, -1))).to.be.greaterThan(bodyBytes * 0.8);
        expect(bySize.flatMap((b) => b.dashboards)).to.deep.equal(dashboards.map((d) => d.name));

        const byMetrics = operationsDashboardBodies(base(dashboards, { limits: { metrics: 2 + 12 * 10 } }));
        expect(byMetrics.map((b) => b.dashboards.length)).to.deep.equal([10, 10, 10, 10, 10, 10]);
        for (const b of byMetrics) expect(metricReferences(b.body).length).to.be.at.most(2 + 12 * 10);
    });

    it("fills each row with 4 widgets of width 6 without login metrics, and shows healthy targets only without Container Insights", () => {
        const [body] = operationsDashboardBodies({ region: REGION, dashboards: [three[0]], containerInsights: false });
        const row = rowOf(body.body, "sales");
        expect(row.map((w) => w.width)).to.deep.equal([6, 6, 6, 6]);
        expect(metricReferences(body.body).some((m) => m.metricName === "Logins" || m.metricName === "Denied")).to.equal(false);
        const tasks = metricReferences(body.body).filter((m) => m.widgetTitle.startsWith("sales: tasks"));
        expect(tasks.map((m) => `${m.namespace} ${m.metricName}`)).to.deep.equal(["AWS/ApplicationELB HealthyHostCount"]);
        expectValidGrid(body.body);
    });

    it("refuses a neighbour's target group or service, swapped or mismatched ARN suffixes, and min above max", () => {
        const bad = (dashboards: OperationsDashboardEntry[]) => () => operationsDashboardBodies(base(dashboards));
        expect(bad([three[0], { ...three[1], targetGroupArnSuffix: three[0].targetGroupArnSuffix }])).to.throw(/also dashboard "sales"'s/);
        expect(bad([three[0], { ...three[1], serviceName: three[0].serviceName }])).to.throw(/service dashboards-dev\/sales-svc is also/);
        expect(bad([{ ...three[0], loadBalancerArnSuffix: three[0].targetGroupArnSuffix, targetGroupArnSuffix: three[0].loadBalancerArnSuffix }]))
            .to.throw(/loadBalancerArnSuffix .* is not app\/<name>\/<id>[\s\S]*targetGroupArnSuffix .* is not targetgroup/);
        expect(bad([three[0], { ...three[1], loadBalancerArnSuffix: lbSuffix(7) }])).to.throw(/load balancer 0 is .* for another dashboard/);
        expect(bad([{ ...three[0], minTasks: 3, maxTasks: 2 }])).to.throw(/maxTasks 2/);
        expect(bad([three[0], three[0]])).to.throw(/listed twice/);
        expect(() => operationsDashboardBodies({ ...base(three), region: "" })).to.throw(/region is empty/);
    });

    it("reads metrics back in full and refuses the shorthand it would misread", () => {
        const body = (metrics: unknown[]) => JSON.stringify({ widgets: [{ type: "metric", x: 0, y: 0, width: 6, height: 6, properties: { title: "t", region: REGION, stat: "Average", metrics } }] });
        expect(metricReferences(body([["AWS/ECS", "CPUUtilization", "ClusterName", "c", "ServiceName", "s"], [{ expression: "m1*2", id: "e1" }]]))).to.deep.equal([
            { widgetTitle: "t", region: REGION, namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: { ClusterName: "c", ServiceName: "s" }, stat: "Average" },
        ]);
        expect(() => metricReferences(body([["AWS/ECS", "CPUUtilization", "ClusterName", "c"], [".", "MemoryUtilization", ".", "."]]))).to.throw(/shorthand/);
        expect(() => metricReferences(body([["AWS/ECS", "CPUUtilization", "ClusterName"]]))).to.throw(/not \[namespace/);
        expect(() => metricReferences("{}")).to.throw(/no widgets/);
    });

    it("knows CloudWatch's dashboard name rules and limits", () => {
        expect(cloudWatchDashboardNameProblem("dashboards-dev-ops-lb0-2")).to.equal(undefined);
        expect(cloudWatchDashboardNameProblem("a".repeat(MAX_CLOUDWATCH_DASHBOARD_NAME_LENGTH))).to.equal(undefined);
        expect(cloudWatchDashboardNameProblem("a".repeat(MAX_CLOUDWATCH_DASHBOARD_NAME_LENGTH + 1))).to.match(/at most 255/);
        expect(cloudWatchDashboardNameProblem("ops.lb0")).to.match(/only A-Z/);
        expect(cloudWatchDashboardNameProblem("")).to.equal("is empty");
        expect(DASHBOARD_BODY_LIMITS).to.deep.equal({ widgets: 500, metricsPerWidget: 500, metrics: 2500, bodyBytes: 1_000_000 });
    });

    it("returns no bodies for no dashboards", () => {
        expect(operationsDashboardBodies(base([]))).to.deep.equal([]);
    });
});
