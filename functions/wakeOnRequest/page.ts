/**
 * What a waiting user sees: the starting page, the poll's JSON, and the tiny answers to requests
 * that never wake. The page has no external assets: its one style and one script block are
 * constants, allowed by the Content-Security-Policy through their sha256 hashes, and every value
 * that comes from the environment is HTML-escaped (text) or JSON-encoded (poll answers, which the
 * script writes with textContent).
 */
import { createHash } from "node:crypto";
import type { WakeConfig } from "./config";

/** Response header on every answer from this function: the dashboard is asleep or starting. */
export const ASLEEP_HEADER = "X-Dashboards-Asleep";

/** What the poll answers. */
export type PageState = "starting" | "ready" | "failed";

/** The poll's JSON body (and the starting page's first content). */
export interface PageStatus {
    state: PageState;
    /** Why starting failed: an AWS error, or no healthy task within START_TIMEOUT_SECONDS. */
    reason?: "error" | "timeout";
    title: string;
    message: string;
    /** The request id to give the platform team (failures only). */
    reference?: string;
}

/** Names shown on the page. */
export type Branding = Pick<WakeConfig, "displayName" | "platformName" | "portalUrl">;

/** Branding when the configuration itself is invalid (nothing from it is trusted). */
export const FALLBACK_BRANDING: Branding = { displayName: "the dashboard", platformName: "Dashboards" };

/** How often the page polls while the dashboard starts, and after a failure. */
export const POLL_MS = { starting: 2000, failed: 10_000 } as const;
/** The page stops polling after this long (a forgotten tab must not keep a dashboard awake). */
export const GIVE_UP_MS = 30 * 60_000;
/** At most this many self-reloads within RELOAD_WINDOW_MS while the rule change reaches every ALB node. */
export const MAX_RELOADS = 5;
export const RELOAD_WINDOW_MS = 3 * 60_000;

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The status shown for a state.
 *
 * @param brand Display and platform names.
 * @param state The page state.
 * @param detail For "failed": the reason, the request id, and the start timeout (for "timeout").
 */
export function pageStatus(brand: Branding, state: PageState, detail: { reason?: "error" | "timeout"; reference?: string; timeoutSeconds?: number } = {}): PageStatus {
    // The name is never first in a sentence: the fallback name is lower case, and display names keep their case.
    const name = brand.displayName;
    const tell = `If it keeps happening, tell the platform team and give them this reference: ${detail.reference ?? "none"}.`;
    if (state === "ready") return { state, title: `Opening ${name}…`, message: `Ready. Opening ${name}…` };
    if (state === "starting") {
        return {
            state,
            title: `Starting ${name}…`,
            message: "This dashboard was asleep to save costs and is starting now. This usually takes a minute or two; this page opens it by itself when it is ready.",
        };
    }
    if (detail.reason === "timeout") {
        const minutes = Math.max(1, Math.round((detail.timeoutSeconds ?? 0) / 60));
        return {
            state,
            reason: "timeout",
            title: `Starting ${name} is taking longer than usual`,
            message: `It has not started after ${minutes} minute${minutes === 1 ? "" : "s"}. You can keep this page open (it keeps checking) or try again later. ${tell}`,
            reference: detail.reference,
        };
    }
    return {
        state,
        reason: "error",
        title: `Could not start ${name}`,
        message: `Something went wrong while starting ${name}. Please try again in a minute. ${tell}`,
        reference: detail.reference,
    };
}

const STYLE = [
    ":root{color-scheme:light dark;--fg:#1b1f24;--bg:#f3f4f6;--card:#fff;--accent:#0b5cad;--muted:#57606a}",
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--card:#161b22;--accent:#6cb6ff;--muted:#9da7b3}}",
    "*{box-sizing:border-box}",
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:var(--fg);background:var(--bg)}",
    "header{padding:.75rem 1.25rem;font-weight:600}",
    "main{max-width:36rem;margin:8vh auto 2rem;padding:2rem;background:var(--card);border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.15)}",
    "h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem}",
    ".bar{height:4px;background:rgba(127,127,127,.25);border-radius:2px;overflow:hidden;margin:1.25rem 0}",
    ".bar span{display:block;width:40%;height:100%;background:var(--accent);animation:slide 1.6s ease-in-out infinite}",
    "@keyframes slide{from{transform:translateX(-100%)}to{transform:translateX(250%)}}",
    "html[data-state=failed] .bar,html[data-state=stuck] .bar,html[data-state=stopped] .bar{visibility:hidden}",
    "a{color:var(--accent)}",
    "a:focus-visible{outline:3px solid var(--accent);outline-offset:3px;border-radius:2px}",
    "nav a{margin-right:1.25rem}",
    "@media (prefers-reduced-motion:reduce){.bar span{animation:none;width:100%;opacity:.5}}",
].join("");

// The script polls the same URL; the starting page is the only thing that sends X-Dashboards-Wake.
const SCRIPT = `(function () {
  "use strict";
  var root = document.documentElement, main = document.getElementById("main");
  var title = document.getElementById("title"), status = document.getElementById("status");
  var key = "dashboards-wake:" + location.pathname + location.search, started = Date.now();
  function show(s) {
    if (typeof s.title === "string") { title.textContent = s.title; document.title = s.title; }
    if (typeof s.message === "string") status.textContent = s.message;
    root.setAttribute("data-state", String(s.state));
  }
  function stop(state) {
    root.setAttribute("data-state", state);
    status.textContent = main.getAttribute("data-" + state) || "";
  }
  function reloads() {
    try {
      var r = JSON.parse(sessionStorage.getItem(key) || "null");
      if (r && typeof r.count === "number" && Date.now() - r.first < ${RELOAD_WINDOW_MS}) return r;
    } catch (e) {}
    return { first: Date.now(), count: 0 };
  }
  function open() {
    var r = reloads();
    if (r.count >= ${MAX_RELOADS}) return stop("stuck");
    r.count += 1;
    try { sessionStorage.setItem(key, JSON.stringify(r)); } catch (e) {}
    setTimeout(function () { location.reload(); }, 1000 * r.count);
  }
  function later(ms) {
    if (Date.now() - started > ${GIVE_UP_MS}) return stop("stopped");
    setTimeout(poll, ms);
  }
  function poll() {
    fetch(location.href, { headers: { "X-Dashboards-Wake": "poll", "Accept": "application/json" }, cache: "no-store", credentials: "same-origin", redirect: "manual" })
      .then(function (res) {
        if (res.type === "opaqueredirect") return location.reload();
        if (res.headers.get("${ASLEEP_HEADER}") !== "true") return res.status < 500 ? open() : later(${POLL_MS.starting});
        return res.json().then(function (s) {
          show(s);
          if (s.state === "ready") open(); else later(s.state === "starting" ? ${POLL_MS.starting} : ${POLL_MS.failed});
        });
      })
      .catch(function () { later(${POLL_MS.failed}); });
  }
  var first = root.getAttribute("data-state");
  if (first === "ready") open(); else later(first === "starting" ? ${POLL_MS.starting} : ${POLL_MS.failed});
})();`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The page's Content-Security-Policy: nothing but its own inline style and script, and fetches to itself. */
export const PAGE_CSP = [
    "default-src 'none'",
    `style-src ${sha256(STYLE)}`,
    `script-src ${sha256(SCRIPT)}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
].join("; ");

/** Seconds between reloads of the page without JavaScript (meta refresh). */
export const NOSCRIPT_REFRESH_SECONDS = 10;

/**
 * Renders the starting page in its first state (the script takes over from there).
 *
 * @param brand Display and platform names and the portal link (all escaped here).
 * @param status What to show first.
 */
export function renderPage(brand: Branding, status: PageStatus): string {
    const e = escapeHtml;
    const name = brand.displayName;
    const stuck = `Ready, but this browser keeps reaching this start page instead of ${name}. Use Reload; if that does not help, tell the platform team.`;
    const stopped = `This page stopped checking on ${name}. Use Reload to try again.`;
    const portal = brand.portalUrl ? ` <a href="${e(brand.portalUrl)}">Back to ${e(brand.platformName)}</a>` : "";
    return `<!doctype html>
<html lang="en" data-state="${e(status.state)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(status.title)}</title>
<noscript><meta http-equiv="refresh" content="${NOSCRIPT_REFRESH_SECONDS}"></noscript>
<style>${STYLE}</style>
</head>
<body>
<header>${e(brand.platformName)}</header>
<main id="main" data-stuck="${e(stuck)}" data-stopped="${e(stopped)}">
<h1 id="title">${e(status.title)}</h1>
<p id="status" role="status" aria-live="polite">${e(status.message)}</p>
<div class="bar" aria-hidden="true"><span></span></div>
<noscript><p>This page reloads itself every ${NOSCRIPT_REFRESH_SECONDS} seconds until ${e(name)} is ready.</p></noscript>
<nav><a href="">Reload</a>${portal}</nav>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
