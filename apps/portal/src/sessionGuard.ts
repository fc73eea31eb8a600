import { readFileSync } from "node:fs";

/**
 * The dashboards' session guard (apps/shared/js/session-guard.js; the image keeps that layout,
 * /shared/js beside /app): it reloads the page through the ALB's sign-in once the session has
 * ended, so a portal left open in a tab does not go on showing dashboards after a sign-out.
 * Served as a file (script-src 'self'), read once at start.
 */
export const SESSION_GUARD_PATH = "/static/session-guard.js";
export const SESSION_GUARD_JS = readFileSync(new URL("../../shared/js/session-guard.js", import.meta.url), "utf8");
