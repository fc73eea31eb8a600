import type { PortalConfig, Settings } from "../../src/config.js";
import { ALB_ARN, CLIENT_ID, REGION, USER_POOL_ID, type KeyServer } from "./keys.js";

export const PORTAL_CONFIG: PortalConfig = {
    title: "Analytics dashboards",
    adminGroups: ["admins"],
    dashboards: [
        { name: "sales", displayName: "Sales overview", description: "Monthly revenue by region and product line.", framework: "Shiny", url: "https://sales.dash.example.com/", accessGroups: ["sales"] },
        { name: "ops", displayName: "Operations", description: "Warehouse throughput and delivery times.", framework: "Dash", url: "https://ops.dash.example.com/", accessGroups: ["ops"] },
        { name: "forecast", displayName: "Demand forecast", description: "Weekly forecast with confidence bands.", framework: "Streamlit", url: "https://forecast.dash.example.com/", accessGroups: ["sales", "ops"] },
        { name: "handbook", displayName: "Data handbook", description: "Definitions of every metric we report.", framework: "Flask", url: "https://handbook.dash.example.com/", accessGroups: [] },
    ],
};

/** Environment as the infrastructure would set it, pointing the key endpoints at the local key server. */
export function testEnv(keys: KeyServer, logoutUrl = "https://auth.example.com/logout?client_id=x&logout_uri=y"): Record<string, string> {
    return {
        PORTAL_CONFIG: JSON.stringify(PORTAL_CONFIG),
        COGNITO_USER_POOL_ID: USER_POOL_ID,
        COGNITO_CLIENT_ID: CLIENT_ID,
        AWS_REGION: REGION,
        ALB_ARN,
        ALB_PUBLIC_KEYS_URL: keys.albKeysUrl,
        COGNITO_JWKS_URL: keys.jwksUrl,
        DASHBOARD_URL: "https://portal.dash.example.com",
        DASHBOARD_LOGOUT_URL: logoutUrl,
        PORT: "8080",
    };
}

export type { Settings };
