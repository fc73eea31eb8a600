/**
 * A catalogue of 500 dashboards, `d001`..`d500`, for the scale tests. The group `analysts` opens
 * exactly 40 of them (every n with n % 25 of 3 or 17); the others belong to ten team groups.
 * Categories cycle with n % 6 (0: none), and three of the analysts' dashboards mention a café,
 * spelt differently each time, as do two they may not open.
 */
import type { Dashboard, PortalConfig } from "../../src/config.js";

export const ANALYSTS = "analysts";
export const CATEGORIES = ["Finance", "Sales", "Operations", "Équipes", "Logistics"] as const;
const TOPICS = ["Revenue", "Churn", "Stock levels", "Delivery times", "Headcount", "Forecast", "Margins"];
const REGIONS = ["north", "south", "east", "west"];
const FRAMEWORKS = ["Shiny", "Dash", "Streamlit", "Flask"];

/** The analysts' café dashboards (visible) and two others that mention one (not visible). */
export const CAFE_VISIBLE = ["d053", "d142", "d317"];
export const CAFE_HIDDEN = ["d010", "d011"];

export const nameOf = (n: number) => `d${String(n).padStart(3, "0")}`;
export const analystsMayOpen = (n: number) => n % 25 === 3 || n % 25 === 17;

function dashboard(n: number): Dashboard {
    const name = nameOf(n);
    const topic = TOPICS[n % TOPICS.length]!;
    const category = n % 6 === 0 ? undefined : CATEGORIES[(n % 6) - 1];
    const cafe: Record<string, Partial<Dashboard>> = {
        d053: { displayName: `Café terraces ${n}` },
        d142: { description: "Footfall at the CAFÉ counters, by hour." },
        d317: { description: "Crème brûlée sold per cafe, week by week." },
        d010: { displayName: `Café staff ${n}` },
        d011: { description: "Café opening hours." },
    };
    return {
        name,
        displayName: `${topic} ${n}`,
        description: `Weekly ${topic.toLowerCase()} for the ${REGIONS[n % REGIONS.length]} region, with the targets for the quarter.`,
        framework: FRAMEWORKS[n % FRAMEWORKS.length]!,
        url: `https://${name}.dash.example.com/`,
        accessGroups: analystsMayOpen(n) ? [ANALYSTS] : [`team-${n % 10}`],
        ...(category ? { category } : {}),
        ...(n % 9 === 0 ? { idleMinutes: 30 } : {}),
        ...cafe[name],
    };
}

export const MANY_DASHBOARDS: PortalConfig = {
    title: "Analytics dashboards",
    adminGroups: ["admins"],
    dashboards: Array.from({ length: 500 }, (_, i) => dashboard(i + 1)),
};

/** The dashboards the analysts may open, in configuration order. */
export const ANALYSTS_DASHBOARDS = MANY_DASHBOARDS.dashboards.filter((d) => d.accessGroups.includes(ANALYSTS));
