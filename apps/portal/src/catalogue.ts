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
