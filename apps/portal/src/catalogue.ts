import type { Dashboard, PortalConfig } from "./config.js";

/**
 * The dashboards a user may open, in configuration order. Pure: the caller passes groups
 * from the verified tokens (see auth.ts), and shows nothing at all to a request without one.
 *
 * - members of any admin group see every dashboard;
 * - a dashboard with no access groups is open to every signed-in user;
 * - otherwise the user needs at least one of its access groups.
 */
export function visibleDashboards(config: Pick<PortalConfig, "adminGroups" | "dashboards">, userGroups: readonly string[]): Dashboard[] {
    const groups = new Set(userGroups);
    if (config.adminGroups.some((g) => groups.has(g))) {
        return [...config.dashboards];
    }
    return config.dashboards.filter((d) => d.accessGroups.length === 0 || d.accessGroups.some((g) => groups.has(g)));
}

/** Heading of the last group: dashboards without a category (and any whose category is literally "Other"). */
export const OTHER_CATEGORY = "Other";

export interface DashboardGroup {
    /** The group's heading; undefined for the single, untitled group of a page without categories. */
    title?: string;
    /** In the order they came in (configuration order). */
    dashboards: Dashboard[];
}

// Locale-aware so that "Équipes" sorts among the E's, not after "Z"; numeric so "Region 10" follows "Region 9".
const categoryOrder = new Intl.Collator("en", { numeric: true });

/**
 * The dashboards grouped for the page: one group per category, sorted by category name, then
 * the dashboards without one under "Other". When none has a category (or all are "Other"),
 * one untitled group: headings would only add noise.
 */
export function groupByCategory(dashboards: readonly Dashboard[]): DashboardGroup[] {
    const byCategory = new Map<string, Dashboard[]>();
    const other: Dashboard[] = [];
    for (const d of dashboards) {
        if (d.category === undefined || d.category === OTHER_CATEGORY) {
            other.push(d);
        } else {
            const group = byCategory.get(d.category);
            if (group) group.push(d);
            else byCategory.set(d.category, [d]);
        }
    }
    if (byCategory.size === 0) return [{ dashboards: other }];
    // Tie-break on code points: the collator calls some distinct strings equal, and the order must not depend on input order.
    const titles = [...byCategory.keys()].sort((a, b) => categoryOrder.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
    const groups: DashboardGroup[] = titles.map((title) => ({ title, dashboards: byCategory.get(title)! }));
    if (other.length > 0) groups.push({ title: OTHER_CATEGORY, dashboards: other });
    return groups;
}
