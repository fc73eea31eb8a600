/**
 * The operations dashboards: CloudWatch dashboard bodies that show, for every analyst dashboard,
 * one row of graphs (requests and 5xx, p95 latency, tasks against min and max, CPU and memory,
 * logins and denials), one CloudWatch dashboard per load balancer, split further when a body would
 * pass a CloudWatch limit.
 *
 * Pure: it takes plain, resolved values (the caller resolves the outputs with `pulumi.all(...).apply`)
 * and returns JSON strings, so the layout and every metric's dimensions are unit-tested on their own.
 */
import { DASHBOARD_DIMENSION } from "../functions/preTokenGeneration/usage";
import { consoleOrigin } from "./partitions";

// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
/** Widgets in one dashboard body: "an array of between 0 and 500 widget objects". */
export const MAX_WIDGETS_PER_DASHBOARD = 500;
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
/** Metrics in one widget ("Up to 500 metrics per dashboard widget"; not adjustable). */
export const MAX_METRICS_PER_WIDGET = 500;
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
/** Metrics in one dashboard across all its widgets ("Up to 2500 metrics per dashboard"; not adjustable). */
export const MAX_METRICS_PER_DASHBOARD = 2500;
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html (DashboardBody: a String, no length documented)
/** Bytes of one body (UTF-8). AWS documents no size limit, so this is our own bound, far above a full load balancer's ~0.4 MB. */
export const MAX_DASHBOARD_BODY_BYTES = 1_000_000;
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html
/** Characters of a CloudWatch dashboard's name ("The maximum length is 255"). */
export const MAX_CLOUDWATCH_DASHBOARD_NAME_LENGTH = 255;

/**
 * The CloudWatch dashboard name of a load balancer's operations dashboard:
 * `<project>-<stack>-<region>-operations-lb<n>`. The region is in it because dashboards are global
 * to the account while stacks are regional: the same project and stack in two regions (a second
 * region, two developers' `dev` on their own backends) would otherwise write one dashboard, each
 * `pulumi up` silently replacing the other's, and a destroy deleting both. A long project and stack
 * are cut, the `-<region>-operations-lb<n>` end never, so neither two regions nor two load balancers
 * share a name.
 */
// "All dashboards in your account are global, not region-specific"; PutDashboard replaces one of the same name: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html
export function operationsDashboardName(project: string, stack: string, region: string, loadBalancer: number): string {
    const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "-");
    const suffix = `-${clean(region)}-operations-lb${loadBalancer}`;
    return clean(`${project}-${stack}`).slice(0, MAX_CLOUDWATCH_DASHBOARD_NAME_LENGTH - suffix.length) + suffix;
}

/** The console address of a CloudWatch dashboard, on its region's partition's console (China and GovCloud have their own). */
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Dashboards.html (console address of a dashboard)
export function operationsDashboardUrl(region: string, name: string): string {
    return `${consoleOrigin(region)}/cloudwatch/home?region=${encodeURIComponent(region)}#dashboards:name=${encodeURIComponent(name)}`;
}
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html
/** What a CloudWatch dashboard's name may contain: "A-Z, a-z, 0-9, "-", and "_"". */
export const CLOUDWATCH_DASHBOARD_NAME = /^[A-Za-z0-9_-]+$/;
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
/** Columns of the dashboard grid (x 0-23, width 1-24). */
export const DASHBOARD_GRID_COLUMNS = 24;
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
/** Seconds per data point: the ALB and ECS publish every 60 s, so a minute is the finest the graphs can show (a wake-up or a 5xx burst is not averaged away). */
export const METRIC_PERIOD_SECONDS = 60;

/** The limits one body is kept within; `DASHBOARD_BODY_LIMITS` are CloudWatch's. */
export interface DashboardBodyLimits {
    /** Widgets per body. */
    widgets: number;
    /** Metrics per widget. */
    metricsPerWidget: number;
    /** Metrics per body, across all widgets. */
    metrics: number;
    /** UTF-8 bytes per body. */
    bodyBytes: number;
}

/** CloudWatch's limits (see each constant's source). */
export const DASHBOARD_BODY_LIMITS: Readonly<DashboardBodyLimits> = Object.freeze({
    widgets: MAX_WIDGETS_PER_DASHBOARD,
    metricsPerWidget: MAX_METRICS_PER_WIDGET,
    metrics: MAX_METRICS_PER_DASHBOARD,
    bodyBytes: MAX_DASHBOARD_BODY_BYTES,
});

/** One analyst dashboard as the operations dashboard shows it: where its traffic, tasks and logins are measured. */
export interface OperationsDashboardEntry {
    /** The dashboard's name; every widget title of its row starts with it. @example "sales" */
    name: string;
    /** Number of the load balancer that serves it, 0 for the first. @example 0 */
    loadBalancer: number;
    /** That load balancer's ARN suffix, the `LoadBalancer` dimension. @example "app/dashboards-alb-1a2b/50dc6c495c0c9188" */
    loadBalancerArnSuffix: string;
    /** Its own target group's ARN suffix, the `TargetGroup` dimension. @example "targetgroup/sales-tg/73e2d6bc24d8a067" */
    targetGroupArnSuffix: string;
    /** The ECS cluster's name, the `ClusterName` dimension. @example "dashboards-dev" */
    clusterName: string;
    /** Its ECS service's name, the `ServiceName` dimension. @example "sales" */
    serviceName: string;
    /** Fewest tasks autoscaling keeps; 0 for a scale-to-zero dashboard. Drawn as a line on the tasks graph. */
    minTasks: number;
    /** Most tasks autoscaling may run. Drawn as a line on the tasks graph. */
    maxTasks: number;
}

/** What the operations dashboards show. */
export interface OperationsDashboardArgs {
    /** The region of every metric (dashboards are global, metrics are not). @example "eu-central-1" */
    region: string;
    /**
     * Namespace of the login function's `Logins` and `Denied` metrics (embedded metric format, one
     * dimension `DashboardName` = the dashboard's name, unit Count). Unset: the login metrics are off
     * (`usage.enabled: false`) and rows have no logins graph.
     * @example "Dashboards/dashboards/prod"
     */
    loginMetricsNamespace?: string;
    /**
     * Whether the cluster has Container Insights (`enabled` or `enhanced`), which publishes
     * `ECS/ContainerInsights` `RunningTaskCount` and `DesiredTaskCount`. Without it, the tasks graph
     * shows the healthy targets of the dashboard's target group only.
     * @default true (the cluster's default)
     */
    containerInsights?: boolean;
    /** The dashboards, in any order (each body sorts its rows by name). */
    dashboards: readonly OperationsDashboardEntry[];
    /** Tighter limits than CloudWatch's, to try the splitting. @default DASHBOARD_BODY_LIMITS */
    limits?: Partial<DashboardBodyLimits>;
}

/** One CloudWatch dashboard to create: name it `<prefix>-<suffix>`. */
export interface OperationsDashboardBody {
    /** `lb<n>` for a load balancer's first body, `lb<n>-<part>` for its further ones (part 2, 3, ...). @example "lb0" */
    suffix: string;
    /** The load balancer whose dashboards it shows. */
    loadBalancer: number;
    /** 1 for the first body of the load balancer, 2 for the second, ... */
    part: number;
    /** The dashboards it shows, in row order (by name). */
    dashboards: string[];
    /** The DashboardBody: JSON with `start`, `periodOverride` and `widgets`. */
    body: string;
}

/** A metric as a widget of a body uses it. */
export interface MetricReference {
    /** Title of the widget that draws it. */
    widgetTitle: string;
    /** The widget's region. */
    region?: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    /** The metric's statistic (its own, else the widget's). */
    stat?: string;
}

/** Why `name` is not a valid CloudWatch dashboard name, or undefined when it is. */
export function cloudWatchDashboardNameProblem(name: string): string | undefined {
    if (typeof name !== "string" || name.length === 0) return "is empty";
    if (name.length > MAX_CLOUDWATCH_DASHBOARD_NAME_LENGTH) return `is ${name.length} characters long; a CloudWatch dashboard name has at most ${MAX_CLOUDWATCH_DASHBOARD_NAME_LENGTH}`;
    if (!CLOUDWATCH_DASHBOARD_NAME.test(name)) return "may contain only A-Z, a-z, 0-9, - and _";
    return undefined;
}

/** Grid rows of the header and of each dashboard's row. */
const HEADER_HEIGHT = 4;
const ROW_HEIGHT = 6;
/** Header: the text on the left, the load balancer's own traffic graph on the right. */
const HEADER_TEXT_WIDTH = 16;
/** The dashboard opens on the last 3 hours; `auto` lets the console widen the period for longer ranges. */
const BODY_SETTINGS = { start: "-PT3H", periodOverride: "auto" } as const;
const ALB = "AWS/ApplicationELB";
const ECS = "AWS/ECS";
const CONTAINER_INSIGHTS = "ECS/ContainerInsights";
const LOAD_BALANCER_SUFFIX = /^app\/[^/\s]+\/[^/\s]+$/;
const TARGET_GROUP_SUFFIX = /^targetgroup\/[^/\s]+\/[^/\s]+$/;

/** A metric in CloudWatch's compact array form, always written out in full (no "." shorthand). */
type MetricRow = (string | { stat: string; label: string; yAxis?: "left" | "right" })[];
interface Widget {
    type: "metric" | "text";
    x: number;
    y: number;
    width: number;
    height: number;
    properties: Record<string, unknown>;
}

function metric(namespace: string, name: string, dimensions: [string, string][], stat: string, label: string, yAxis?: "right"): MetricRow {
    return [namespace, name, ...dimensions.flat(), { stat, label, ...(yAxis ? { yAxis } : {}) }];
}

function metricWidget(region: string, title: string, metrics: MetricRow[], extra: Record<string, unknown> = {}): Omit<Widget, "x" | "y" | "width" | "height"> {
    return {
        type: "metric",
        properties: { title, region, view: "timeSeries", stacked: false, period: METRIC_PERIOD_SECONDS, metrics, yAxis: { left: { min: 0 } }, ...extra },
    };
}

/** The graphs of one dashboard's row, left to right, without positions. */
function rowGraphs(d: OperationsDashboardEntry, args: OperationsDashboardArgs): Omit<Widget, "x" | "y" | "width" | "height">[] {
    const { region } = args;
    const target: [string, string][] = [["TargetGroup", d.targetGroupArnSuffix], ["LoadBalancer", d.loadBalancerArnSuffix]];
    const service: [string, string][] = [["ClusterName", d.clusterName], ["ServiceName", d.serviceName]];
    // AWS/ECS has no task count (its SampleCount counts samples, not tasks), so without Container Insights
    // the ALB's healthy targets (one per Fargate task) stand in.
    const tasks = [
        ...(args.containerInsights ?? true
            ? [metric(CONTAINER_INSIGHTS, "RunningTaskCount", service, "Maximum", "running"), metric(CONTAINER_INSIGHTS, "DesiredTaskCount", service, "Maximum", "desired")]
            : []),
        metric(ALB, "HealthyHostCount", target, "Minimum", "healthy targets"),
    ];
    const graphs = [
        metricWidget(region, `${d.name}: requests and 5xx`, [
            metric(ALB, "RequestCount", target, "Sum", "requests"),
            metric(ALB, "HTTPCode_Target_5XX_Count", target, "Sum", "5xx from the app", "right"),
        ], { yAxis: { left: { min: 0 }, right: { min: 0 } } }),
        metricWidget(region, `${d.name}: p95 latency (s)`, [metric(ALB, "TargetResponseTime", target, "p95", "p95")]),
        metricWidget(region, `${d.name}: tasks (min ${d.minTasks}, max ${d.maxTasks})`, tasks, {
            annotations: { horizontal: [{ label: "min tasks", value: d.minTasks }, { label: "max tasks", value: d.maxTasks }] },
            // Room above max, so its line is not drawn on the frame.
            yAxis: { left: { min: 0, max: d.maxTasks + 1 } },
        }),
        metricWidget(region, `${d.name}: CPU and memory (%)`, [
            metric(ECS, "CPUUtilization", service, "Average", "CPU average"),
            metric(ECS, "CPUUtilization", service, "Maximum", "CPU busiest task"),
            metric(ECS, "MemoryUtilization", service, "Average", "memory average"),
            metric(ECS, "MemoryUtilization", service, "Maximum", "memory fullest task"),
        ]),
    ];
    if (args.loginMetricsNamespace !== undefined) {
        const login: [string, string][] = [[DASHBOARD_DIMENSION, d.name]];
        graphs.push(metricWidget(region, `${d.name}: logins and denials`, [
            metric(args.loginMetricsNamespace, "Logins", login, "Sum", "logins"),
            metric(args.loginMetricsNamespace, "Denied", login, "Sum", "denied"),
        ]));
    }
    return graphs;
}

/** Widths that fill the 24 columns: equal, the first ones one wider when 24 does not divide. */
function widths(count: number): number[] {
    const base = Math.floor(DASHBOARD_GRID_COLUMNS / count);
    return Array.from({ length: count }, (_, i) => base + (i < DASHBOARD_GRID_COLUMNS % count ? 1 : 0));
}

function rowWidgets(d: OperationsDashboardEntry, args: OperationsDashboardArgs, y: number): Widget[] {
    const graphs = rowGraphs(d, args);
    const w = widths(graphs.length);
    let x = 0;
    return graphs.map((g, i) => {
        const widget = { type: g.type, x, y, width: w[i], height: ROW_HEIGHT, properties: g.properties };
        x += w[i];
        return widget;
    });
}

interface LoadBalancerGroup {
    loadBalancer: number;
    arnSuffix: string;
}

function headerWidgets(lb: LoadBalancerGroup, args: OperationsDashboardArgs, part: number, names: string[]): Widget[] {
    const graphs = ["requests and 5xx", "p95 latency", args.containerInsights ?? true ? "running and desired tasks and healthy targets" : "healthy targets (no Container Insights)", "CPU and memory (average and busiest task)"];
    if (args.loginMetricsNamespace !== undefined) graphs.push("logins and denials");
    const markdown = [
        `# Dashboards on load balancer ${lb.loadBalancer}${part > 1 ? `, part ${part}` : ""}`,
        `\`${lb.arnSuffix}\` in ${args.region}: ${names.length === 1 ? `1 dashboard, \`${names[0]}\`` : `${names.length} dashboards, \`${names[0]}\` to \`${names[names.length - 1]}\`, by name`}.`,
        `Each row: ${graphs.join(" · ")}. One point a minute (coarser over long time ranges); the lines on the tasks graph are min and max. Made by Pulumi: changes made here are lost on the next \`pulumi up\`.`,
    ].join("\n\n");
    const lbDimension: [string, string][] = [["LoadBalancer", lb.arnSuffix]];
    return [
        { type: "text", x: 0, y: 0, width: HEADER_TEXT_WIDTH, height: HEADER_HEIGHT, properties: { markdown } },
        {
            type: "metric", x: HEADER_TEXT_WIDTH, y: 0, width: DASHBOARD_GRID_COLUMNS - HEADER_TEXT_WIDTH, height: HEADER_HEIGHT,
            // ELB 5xx have only the LoadBalancer dimension: they belong to the load balancer, not to one dashboard's row.
            properties: metricWidget(args.region, `Load balancer ${lb.loadBalancer}: all requests and its own 5xx`, [
                metric(ALB, "RequestCount", lbDimension, "Sum", "requests"),
                metric(ALB, "HTTPCode_ELB_5XX_Count", lbDimension, "Sum", "5xx from the load balancer", "right"),
            ], { yAxis: { left: { min: 0 }, right: { min: 0 } } }).properties,
        },
    ];
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");
const metricCount = (widgets: readonly Widget[]) => widgets.reduce((n, w) => n + (Array.isArray(w.properties.metrics) ? w.properties.metrics.length : 0), 0);

/** What one body holds so far, counted as `JSON.stringify` will write it. */
interface BodyTally {
    widgets: number;
    metrics: number;
    /** Bytes of the rows' widgets, commas between them included. */
    rowBytes: number;
}

function validate(args: OperationsDashboardArgs, limits: DashboardBodyLimits): string[] {
    const problems: string[] = [];
    if (typeof args.region !== "string" || args.region === "") problems.push("region is empty");
    if (args.loginMetricsNamespace !== undefined && (typeof args.loginMetricsNamespace !== "string" || args.loginMetricsNamespace === "")) problems.push("loginMetricsNamespace is empty");
    for (const [key, value] of Object.entries(limits)) if (!Number.isInteger(value) || value < 1) problems.push(`limits.${key} ${value} is not a whole number >= 1`);
    const seen = { name: new Set<string>(), targetGroup: new Map<string, string>(), service: new Map<string, string>() };
    const lbSuffix = new Map<number, string>();
    const lbNumber = new Map<string, number>();
    for (const d of args.dashboards) {
        const at = `dashboard ${JSON.stringify(d.name)}`;
        if (typeof d.name !== "string" || d.name === "") problems.push("a dashboard has no name");
        else if (seen.name.has(d.name)) problems.push(`${at} is listed twice`);
        seen.name.add(d.name);
        if (!Number.isInteger(d.loadBalancer) || d.loadBalancer < 0) problems.push(`${at}: loadBalancer ${d.loadBalancer} is not a whole number >= 0`);
        if (!LOAD_BALANCER_SUFFIX.test(d.loadBalancerArnSuffix ?? "")) problems.push(`${at}: loadBalancerArnSuffix ${JSON.stringify(d.loadBalancerArnSuffix)} is not app/<name>/<id>`);
        if (!TARGET_GROUP_SUFFIX.test(d.targetGroupArnSuffix ?? "")) problems.push(`${at}: targetGroupArnSuffix ${JSON.stringify(d.targetGroupArnSuffix)} is not targetgroup/<name>/<id>`);
        if (!d.clusterName) problems.push(`${at}: clusterName is empty`);
        if (!d.serviceName) problems.push(`${at}: serviceName is empty`);
        if (!Number.isInteger(d.minTasks) || d.minTasks < 0) problems.push(`${at}: minTasks ${d.minTasks} is not a whole number >= 0`);
        if (!Number.isInteger(d.maxTasks) || d.maxTasks < Math.max(1, d.minTasks)) problems.push(`${at}: maxTasks ${d.maxTasks} is not a whole number >= 1 and >= minTasks`);
        // One dashboard's row must never show a neighbour's target group or service.
        const tgOwner = seen.targetGroup.get(d.targetGroupArnSuffix);
        if (tgOwner !== undefined) problems.push(`${at}: target group ${d.targetGroupArnSuffix} is also dashboard "${tgOwner}"'s`);
        seen.targetGroup.set(d.targetGroupArnSuffix, d.name);
        const serviceKey = `${d.clusterName}/${d.serviceName}`;
        const serviceOwner = seen.service.get(serviceKey);
        if (serviceOwner !== undefined) problems.push(`${at}: service ${serviceKey} is also dashboard "${serviceOwner}"'s`);
        seen.service.set(serviceKey, d.name);
        const knownSuffix = lbSuffix.get(d.loadBalancer);
        if (knownSuffix !== undefined && knownSuffix !== d.loadBalancerArnSuffix) problems.push(`${at}: load balancer ${d.loadBalancer} is ${knownSuffix} for another dashboard, not ${d.loadBalancerArnSuffix}`);
        const knownNumber = lbNumber.get(d.loadBalancerArnSuffix);
        if (knownNumber !== undefined && knownNumber !== d.loadBalancer) problems.push(`${at}: ${d.loadBalancerArnSuffix} is load balancer ${knownNumber} for another dashboard, not ${d.loadBalancer}`);
        lbSuffix.set(d.loadBalancer, d.loadBalancerArnSuffix);
        lbNumber.set(d.loadBalancerArnSuffix, d.loadBalancer);
    }
    return problems;
}

/**
 * The operations dashboards' bodies: one per load balancer (rows sorted by name under a header
 * naming the load balancer), split into further bodies where one would pass a CloudWatch limit
 * (widgets, metrics, size). Create one `aws.cloudwatch.Dashboard` per body, named
 * `<prefix>-<suffix>`; a load balancer's first body keeps `lb<n>` when it grows a second one.
 *
 * @throws Error listing every problem of the input (a duplicate name, a target group or service
 *   used by two dashboards, two ARN suffixes for one load balancer number, min above max, ...).
 * @example
 * const bodies = operationsDashboardBodies({
 *     region: "eu-central-1",
 *     loginMetricsNamespace: "Dashboards/dashboards/prod",
 *     dashboards: [{
 *         name: "sales", loadBalancer: 0,
 *         loadBalancerArnSuffix: "app/dashboards-alb-1a2b/50dc6c495c0c9188",
 *         targetGroupArnSuffix: "targetgroup/sales-tg/73e2d6bc24d8a067",
 *         clusterName: "dashboards-dev", serviceName: "sales", minTasks: 0, maxTasks: 3,
 *     }],
 * });
 * // [{ suffix: "lb0", loadBalancer: 0, part: 1, dashboards: ["sales"], body: "{\"start\":\"-PT3H\",..." }]
 * for (const b of bodies) new aws.cloudwatch.Dashboard(`ops-${b.suffix}`, { dashboardName: `dashboards-dev-ops-${b.suffix}`, dashboardBody: b.body });
 */
export function operationsDashboardBodies(args: OperationsDashboardArgs): OperationsDashboardBody[] {
    const limits: DashboardBodyLimits = { ...DASHBOARD_BODY_LIMITS, ...args.limits };
    const problems = validate(args, limits);
    if (problems.length > 0) throw new Error(`Operations dashboard: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n  ${problems.join("\n  ")}`);

    const groups = new Map<number, OperationsDashboardEntry[]>();
    for (const d of args.dashboards) {
        const group = groups.get(d.loadBalancer);
        if (group) group.push(d);
        else groups.set(d.loadBalancer, [d]);
    }
    const emptyBodyBytes = bytes({ ...BODY_SETTINGS, widgets: [] });
    const result: OperationsDashboardBody[] = [];
    for (const n of [...groups.keys()].sort((a, b) => a - b)) {
        // Code-unit order, not locale order: the same on every machine.
        const rows = groups.get(n)!.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const lb: LoadBalancerGroup = { loadBalancer: n, arnSuffix: rows[0].loadBalancerArnSuffix };
        const parts: { names: string[]; widgets: Widget[] }[] = [];
        let current: { names: string[]; widgets: Widget[]; tally: BodyTally } | undefined;
        const fits = (header: Widget[], tally: BodyTally) => {
            const widgetCount = header.length + tally.widgets;
            // JSON.stringify writes an array as "[" + items joined by "," + "]": one comma fewer than items.
            const size = emptyBodyBytes + header.reduce((s, w) => s + bytes(w) + 1, 0) + tally.rowBytes - 1;
            return widgetCount <= limits.widgets && metricCount(header) + tally.metrics <= limits.metrics && size <= limits.bodyBytes;
        };
        for (const d of rows) {
            for (let attempt = 0; ; attempt++) {
                current ??= { names: [], widgets: [], tally: { widgets: 0, metrics: 0, rowBytes: 0 } };
                const row = rowWidgets(d, args, HEADER_HEIGHT + current.names.length * ROW_HEIGHT);
                const tooManyMetrics = row.find((w) => (w.properties.metrics as unknown[]).length > limits.metricsPerWidget);
                if (tooManyMetrics) throw new Error(`Operations dashboard: widget "${tooManyMetrics.properties.title}" has more than ${limits.metricsPerWidget} metrics`);
                const names = [...current.names, d.name];
                // The header names the first and last dashboard of its body, so its size is counted with this row in.
                const header = headerWidgets(lb, args, parts.length + 1, names);
                const tally = {
                    widgets: current.tally.widgets + row.length,
                    metrics: current.tally.metrics + metricCount(row),
                    rowBytes: current.tally.rowBytes + row.reduce((s, w) => s + bytes(w) + 1, 0),
                };
                if (fits(header, tally)) {
                    current = { names, widgets: [...current.widgets, ...row], tally };
                    break;
                }
                if (current.names.length === 0 || attempt > 0) throw new Error(`Operations dashboard: the row of dashboard "${d.name}" alone passes the limits of a body (${JSON.stringify(limits)})`);
                parts.push({ names: current.names, widgets: current.widgets });
                current = undefined;
            }
        }
        if (current) parts.push({ names: current.names, widgets: current.widgets });
        parts.forEach((p, i) => {
            const part = i + 1;
            const body = JSON.stringify({ ...BODY_SETTINGS, widgets: [...headerWidgets(lb, args, part, p.names), ...p.widgets] });
            result.push({ suffix: part === 1 ? `lb${n}` : `lb${n}-${part}`, loadBalancer: n, part, dashboards: p.names, body });
        });
    }
    return result;
}

/**
 * Every metric that the metric widgets of `body` draw, in order, read from their `properties.metrics`
 * in CloudWatch's compact form `[namespace, name, dimName, dimValue, ..., {options}]`. Math
 * expressions are skipped; the `"."`/`"..."` shorthand (which this module never writes) is refused.
 *
 * @throws Error when the body is not JSON with a `widgets` array, or a metric row is malformed.
 * @example
 * for (const m of metricReferences(bodies[0].body)) {
 *     if (m.dimensions.TargetGroup) expect(plannedTargetGroupSuffixes).to.include(m.dimensions.TargetGroup);
 * }
 */
export function metricReferences(body: string): MetricReference[] {
    const parsed = JSON.parse(body) as { widgets?: unknown };
    if (!Array.isArray(parsed.widgets)) throw new Error("dashboard body has no widgets array");
    const references: MetricReference[] = [];
    for (const widget of parsed.widgets as { type?: string; properties?: Record<string, unknown> }[]) {
        if (widget.type !== "metric") continue;
        const properties = widget.properties ?? {};
        const widgetTitle = String(properties.title ?? "");
        const rows = properties.metrics;
        if (!Array.isArray(rows)) continue;
        for (const row of rows as unknown[]) {
            if (!Array.isArray(row)) throw new Error(`widget "${widgetTitle}": metric ${JSON.stringify(row)} is not an array`);
            const last = row[row.length - 1];
            const options = typeof last === "object" && last !== null ? (last as Record<string, unknown>) : undefined;
            const parts = options ? row.slice(0, -1) : row;
            if (parts.length === 0 && options && "expression" in options) continue;
            if (parts.some((p) => p === "." || p === "...")) throw new Error(`widget "${widgetTitle}": metric ${JSON.stringify(row)} uses the "."/"..." shorthand`);
            if (parts.length < 2 || parts.length % 2 !== 0 || parts.some((p) => typeof p !== "string")) throw new Error(`widget "${widgetTitle}": metric ${JSON.stringify(row)} is not [namespace, name, dimName, dimValue, ...]`);
            const [namespace, metricName, ...dims] = parts as string[];
            const dimensions: Record<string, string> = {};
            for (let i = 0; i < dims.length; i += 2) dimensions[dims[i]] = dims[i + 1];
            const stat = typeof options?.stat === "string" ? options.stat : typeof properties.stat === "string" ? properties.stat : undefined;
            references.push({
                widgetTitle, namespace, metricName, dimensions,
                ...(typeof properties.region === "string" ? { region: properties.region } : {}),
                ...(stat !== undefined ? { stat } : {}),
            });
        }
    }
    return references;
}
