/**
 * Which load balancer serves each dashboard, when one ALB is not enough: an ALB holds at most 100
 * target groups (not adjustable) and 100 listener rules, so a stack of hundreds of dashboards is
 * spread over several, each filled up to `maxDashboards`.
 *
 * The assignment is stable: a dashboard stays on the load balancer the last deployment gave it
 * (the stack's `routing` output, which the program reads back), so adding or removing one never
 * moves another. Only new dashboards are placed, in stack-file order, on the lowest-numbered load
 * balancer with room. A dashboard's `loadBalancer` key pins it explicitly (to move one on purpose,
 * or to rebuild the assignment after the state was lost).
 *
 * Pure: no Pulumi here, so the rules are unit-tested on their own.
 */
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
/** Listener rules per ALB (all listeners, defaults excluded); an adjustable AWS quota. */
export const ALB_RULE_LIMIT = 100;
/** Target groups per ALB; NOT adjustable. */
export const ALB_TARGET_GROUP_LIMIT = 100;
/** Application Load Balancers per Region; an adjustable AWS quota. Load balancer numbers are 0..49. */
export const MAX_LOAD_BALANCERS = 50;
/** Dashboards per load balancer unless `loadBalancer.maxDashboards` says otherwise: room is left for more rules. */
export const DEFAULT_DASHBOARDS_PER_LOAD_BALANCER = 90;
/** Rules every load balancer carries for the platform: the signed-out page and the sign-out path. */
export const PLATFORM_RULES_PER_LOAD_BALANCER = 2;
/** Target groups every load balancer carries for the platform: the sign-out function's. */
export const PLATFORM_TARGET_GROUPS_PER_LOAD_BALANCER = 1;
/** The most dashboards one load balancer can take: its rules less the platform's. */
export const MAX_DASHBOARDS_PER_LOAD_BALANCER = ALB_RULE_LIMIT - PLATFORM_RULES_PER_LOAD_BALANCER;

/** What one dashboard puts on its load balancer. */
export interface RoutedDashboard {
    name: string;
    /** Listener rules: 1, or 2 with a scale-to-zero waker. */
    rules: number;
    /** Target groups: 1, or 2 with a scale-to-zero waker's Lambda target group. */
    targetGroups: number;
    /** An explicit load balancer (`dashboards[].loadBalancer`, or 0 for the portal). */
    pinned?: number;
    /** The platform's own service (the portal): its rule and target group count, but not against `maxDashboards`. */
    platform?: boolean;
}

/** What a dashboard puts on its load balancer: a rule and a target group, and as many again for a scale-to-zero waker. */
export function routedDashboard(name: string, scalesToZero: boolean, pinned?: number): RoutedDashboard {
    const parts = scalesToZero ? 2 : 1;
    return { name, rules: parts, targetGroups: parts, ...(pinned !== undefined ? { pinned } : {}) };
}

/** The portal: always on load balancer 0, one rule and one target group, not one of the dashboards `maxDashboards` counts. */
export function routedPortal(name: string): RoutedDashboard {
    return { name, rules: 1, targetGroups: 1, pinned: 0, platform: true };
}

/** Where a dashboard was routed by the last deployment (the stack's `routing` output). */
export interface Routing {
    /** Number of its load balancer, 0 for the first. */
    loadBalancer: number;
    /** Priority of its listener rule on that load balancer's HTTPS listener. */
    priority: number;
}

/** What a load balancer carries, the platform's rules and target group included. */
export interface LoadBalancerLoad {
    /** The dashboards on it (the portal included, on 0). */
    dashboards: string[];
    /** How many of them count against `maxDashboards` (the portal does not). */
    counted: number;
    rules: number;
    targetGroups: number;
}

/** A load balancer with the platform's rules and target group only. */
function emptyLoad(): LoadBalancerLoad {
    return { dashboards: [], counted: 0, rules: PLATFORM_RULES_PER_LOAD_BALANCER, targetGroups: PLATFORM_TARGET_GROUPS_PER_LOAD_BALANCER };
}

/** A load balancer number a region can have: 0 to MAX_LOAD_BALANCERS - 1. */
export const isLoadBalancerNumber = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) < MAX_LOAD_BALANCERS;

/**
 * Assigns each dashboard a load balancer: its pin, else where the last deployment put it, else the
 * lowest-numbered load balancer that has fewer than `maxDashboards` dashboards and room for its
 * rules and target groups (new dashboards in list order, so the result does not depend on chance).
 * Pins and previous places are kept even when they overfill a load balancer; `loadBalancerLoads`
 * shows it and the validator reports it.
 */
export function assignLoadBalancers(dashboards: readonly RoutedDashboard[], previous: Readonly<Record<string, Routing>>, maxDashboards: number): Map<string, number> {
    const loads = new Map<number, LoadBalancerLoad>();
    const loadOf = (n: number) => {
        let load = loads.get(n);
        if (!load) loads.set(n, (load = emptyLoad()));
        return load;
    };
    const result = new Map<string, number>();
    const place = (d: RoutedDashboard, n: number) => {
        const load = loadOf(n);
        load.dashboards.push(d.name);
        if (!d.platform) load.counted++;
        load.rules += d.rules;
        load.targetGroups += d.targetGroups;
        result.set(d.name, n);
    };
    const before = (name: string) => (Object.hasOwn(previous, name) ? previous[name].loadBalancer : undefined);
    for (const d of dashboards) if (isLoadBalancerNumber(d.pinned)) place(d, d.pinned);
    for (const d of dashboards) {
        const n = before(d.name);
        if (!result.has(d.name) && isLoadBalancerNumber(n)) place(d, n);
    }
    for (const d of dashboards) {
        if (result.has(d.name)) continue;
        let n = 0;
        for (;; n++) {
            const load = loadOf(n);
            const fits = load.counted < maxDashboards && load.rules + d.rules <= ALB_RULE_LIMIT && load.targetGroups + d.targetGroups <= ALB_TARGET_GROUP_LIMIT;
            // Past the last load balancer a region may have, the validator reports it.
            if (fits || n === MAX_LOAD_BALANCERS - 1) break;
        }
        place(d, n);
    }
    return result;
}

/** What each load balancer of `assignment` carries, by number, in increasing order. */
export function loadBalancerLoads(dashboards: readonly RoutedDashboard[], assignment: ReadonlyMap<string, number>): Map<number, LoadBalancerLoad> {
    const loads = new Map<number, LoadBalancerLoad>();
    for (const d of dashboards) {
        const n = assignment.get(d.name);
        if (n === undefined) continue;
        const load = loads.get(n) ?? emptyLoad();
        load.dashboards.push(d.name);
        if (!d.platform) load.counted++;
        load.rules += d.rules;
        load.targetGroups += d.targetGroups;
        loads.set(n, load);
    }
    return new Map([...loads].sort(([a], [b]) => a - b));
}

/**
 * The `routing` output as the program reads it back: only well-formed entries (a name, a load
 * balancer number in range, an integer priority), anything else ignored, so a damaged or foreign
 * output can only make dashboards be placed anew, never fail the deployment.
 */
export function readRouting(value: unknown): Record<string, Routing> {
    const result: Record<string, Routing> = Object.create(null);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return result;
    for (const [name, entry] of Object.entries(value)) {
        if (typeof entry !== "object" || entry === null) continue;
        const { loadBalancer, priority } = entry as Record<string, unknown>;
        if (isLoadBalancerNumber(loadBalancer) && Number.isInteger(priority)) result[name] = { loadBalancer, priority: priority as number };
    }
    return result;
}
