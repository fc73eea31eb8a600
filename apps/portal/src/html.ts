import { createHash } from "node:crypto";
import { groupByCategory, type DashboardGroup } from "./catalogue.js";
import type { Dashboard } from "./config.js";
import { FINDER_JS, FINDER_PATH } from "./finder.js";
import { openingState } from "./hours.js";
import { SESSION_GUARD_PATH } from "./sessionGuard.js";

/** HTML that is already safe to emit; everything else interpolated into `html` is escaped. */
export class SafeHtml {
    constructor(readonly value: string) {}
    toString(): string {
        return this.value;
    }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

type Part = SafeHtml | string | number | readonly Part[] | null | undefined | false;

function render(part: Part): string {
    if (part === null || part === undefined || part === false) return "";
    if (part instanceof SafeHtml) return part.value;
    if (Array.isArray(part)) return part.map(render).join("");
    return escapeHtml(String(part));
}

/** Tagged template: escapes every interpolated value (text and attributes alike, always quoted). */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
    return new SafeHtml(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ""), ""));
}

export interface PageModel {
    title: string;
    /** Verified user, or undefined when the request carried no valid tokens. */
    user?: { displayName: string };
    dashboards: readonly Dashboard[];
    portalUrl?: string;
    /** When the page is rendered: decides which dashboards are outside their office hours. @default now */
    now?: Date;
}

/** A card; its heading is an h2, or an h3 under a category heading. */
function tile(d: Dashboard, now: Date, level: 2 | 3): SafeHtml {
    const headingId = `dash-${d.name}`;
    const state = openingState(d.schedule, now);
    const h = new SafeHtml(`h${level}`);
    return html`
        <li class="tile${state.asleep ? " asleep" : ""}">
          <article aria-labelledby="${headingId}">
            <${h} id="${headingId}"><a href="${d.url}">${d.displayName}</a></${h}>
            ${d.description ? html`<p class="description">${d.description}</p>` : html`<p class="description none">No description.</p>`}
            ${state.asleep ? html`<p class="status">Asleep outside its office hours: opens ${state.opens}.</p>` : ""}
            ${d.idleMinutes !== undefined ? html`<p class="status">Sleeps after ${String(d.idleMinutes)} minutes without use; if it is asleep, opening it starts it in about a minute.</p>` : ""}
            <p class="framework"><span class="visually-hidden">Framework: </span>${d.framework}</p>
          </article>
        </li>`;
}

function content(model: PageModel): SafeHtml {
    if (!model.user) {
        return html`
      <section class="notice" aria-labelledby="notice-heading">
        <h2 id="notice-heading">We could not confirm your sign-in</h2>
        <p>No dashboards are shown because your sign-in could not be verified or has expired.
           <a href="/logout">Sign out</a> and sign in again. If this keeps happening, contact your administrator.</p>
      </section>`;
    }
    if (model.dashboards.length === 0) {
        return html`
      <section class="notice" aria-labelledby="notice-heading">
        <h2 id="notice-heading">No dashboards yet</h2>
        <p>There are no dashboards you can open at the moment. Ask an administrator to add you to a group.</p>
      </section>`;
    }
    const count = model.dashboards.length;
    const now = model.now ?? new Date();
    const groups = groupByCategory(model.dashboards);
    return html`
      <p class="count">${count === 1 ? "1 dashboard is" : `${count} dashboards are`} available to you.</p>
      ${FINDER}
      ${groups.length === 1 && groups[0]!.title === undefined
          ? html`<ul class="tiles" aria-label="Your dashboards">${model.dashboards.map((d) => tile(d, now, 2))}</ul>`
          : groups.map((g, i) => group(g, i, now))}`;
}

/** A category: its heading, then its cards (the list is named by the heading). */
function group(g: DashboardGroup, index: number, now: Date): SafeHtml {
    const headingId = `group-${index + 1}`;
    return html`
      <section class="group">
        <h2 class="group-title" id="${headingId}">${g.title}</h2>
        <ul class="tiles" aria-labelledby="${headingId}">${g.dashboards.map((d) => tile(d, now, 3))}</ul>
      </section>`;
}

/**
 * The search box, its live region and the empty-state message, for src/finder.ts. Rendered hidden:
 * without the script they would do nothing, and the full list is there anyway.
 */
const FINDER = html`
      <div class="finder" id="finder" role="search" hidden>
        <label for="finder-input">Search dashboards</label>
        <input id="finder-input" type="search" autocomplete="off" spellcheck="false" aria-describedby="finder-keys">
        <p class="finder-keys" id="finder-keys">Press <kbd>/</kbd> to search, <kbd>↓</kbd> and <kbd>↑</kbd> to move between dashboards, <kbd>Esc</kbd> to clear.</p>
        <p class="finder-status" id="finder-status" role="status" aria-live="polite"></p>
      </div>
      <p class="finder-empty" id="finder-empty" hidden>No dashboard matches “<span id="finder-query"></span>”. Press <kbd>Esc</kbd> in the search box to see them all again.</p>`;

export function renderPortalPage(model: PageModel): string {
    const greeting = model.user ? `Hello, ${model.user.displayName}` : "Hello";
    // The search script only where there is a list to search.
    const listed = model.user !== undefined && model.dashboards.length > 0;
    return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${model.title}</title>
  ${model.portalUrl ? html`<link rel="canonical" href="${model.portalUrl}">` : ""}
  <link rel="stylesheet" href="${STYLESHEET_HREF}">
  <script src="${SESSION_GUARD_PATH}" defer></script>
  ${listed ? html`<script src="${FINDER_SRC}" defer></script>` : ""}
</head>
<body>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="site-header">
    <div class="bar">
      <p class="brand">${model.title}</p>
      <nav aria-label="Account">
        <span class="who">${model.user ? `Signed in as ${model.user.displayName}` : "Not verified"}</span>
        <a class="signout" href="/logout">Sign out</a>
      </nav>
    </div>
  </header>
  <main id="main" tabindex="-1">
    <h1>${greeting}</h1>
    ${content(model)}
  </main>
  <footer class="site-footer">
    <p>Access to each dashboard is managed through your sign-in groups.</p>
  </footer>
</body>
</html>
`.value;
}

/** Served as /static/portal.css (a file, not inline, so the CSP can forbid inline styles). */
export const PORTAL_CSS = `
:root { --bg: #f6f7f9; --card: #ffffff; --text: #1b1f24; --muted: #4a5360; --accent: #0b5cad;
  --accent-ink: #ffffff; --border: #d0d5dc; --focus: #b3540a; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #12161b; --card: #1c2229; --text: #e8ebef; --muted: #b4bcc6; --accent: #7cb8f5;
    --accent-ink: #0c1116; --border: #3a434e; --focus: #ffb36b; }
}
* { box-sizing: border-box; }
body { margin: 0; overflow-wrap: anywhere; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
/* <main> takes focus only as the skip link's target; an outline round the whole page would just be noise. */
main:focus { outline: none; }
.skip-link { position: absolute; left: 1rem; top: -3rem; background: var(--card); padding: .5rem 1rem; z-index: 2; }
.skip-link:focus { top: 1rem; }
/* Also for elements whose own rule sets a display (the search box before its script runs). */
[hidden] { display: none !important; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.site-header { background: var(--card); border-bottom: 1px solid var(--border); }
.bar, main, .site-footer { max-width: 72rem; margin: 0 auto; padding: 0 1.25rem; }
.bar { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; justify-content: space-between; min-height: 4rem; padding-block: .75rem; }
.brand { margin: 0; font-weight: 700; font-size: 1.125rem; }
nav { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
.who { color: var(--muted); }
.signout { background: var(--accent); color: var(--accent-ink); padding: .5rem 1rem; border-radius: .375rem; text-decoration: none; font-weight: 600; }
.signout:hover { text-decoration: underline; }
main { padding-top: 2rem; padding-bottom: 2rem; }
h1 { font-size: 1.75rem; margin: 0 0 .25rem; }
.count { color: var(--muted); margin-top: 0; }
.finder { margin-top: 1.5rem; max-width: 40rem; }
.finder label { display: block; font-weight: 600; margin-bottom: .25rem; }
/* Border in the muted text colour: a field's outline needs 3:1 contrast, which --border lacks. */
.finder input { width: 100%; font: inherit; color: var(--text); background: var(--card); border: 1px solid var(--muted); border-radius: .375rem; padding: .5rem .75rem; }
.finder input:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.finder-keys, .finder-status { margin: .375rem 0 0; color: var(--muted); font-size: .875rem; }
kbd { font: .8125rem/1.4 ui-monospace, monospace; background: var(--card); border: 1px solid var(--border); border-bottom-width: 2px; border-radius: .25rem; padding: 0 .3rem; }
.finder-empty { margin: 1.5rem 0 0; font-weight: 600; }
.group { margin-top: 2rem; }
.group-title { font-size: 1.375rem; margin: 0; }
.group .tiles { margin-top: .75rem; }
.tiles { list-style: none; padding: 0; margin: 1.5rem 0 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); }
.tile article { position: relative; height: 100%; background: var(--card); border: 1px solid var(--border); border-radius: .5rem; padding: 1.25rem; display: flex; flex-direction: column; }
.tile article:hover { border-color: var(--accent); }
/* h2 on a page without categories, h3 under a category heading: the same look. */
.tile :is(h2, h3) { font-size: 1.25rem; margin: 0 0 .5rem; }
.tile :is(h2, h3) a { text-decoration: none; }
.tile :is(h2, h3) a:hover { text-decoration: underline; }
/* The heading link covers the whole card, so the card is one big click target and one tab stop. */
.tile :is(h2, h3) a::after { content: ""; position: absolute; inset: 0; border-radius: .5rem; }
.tile :is(h2, h3) a:focus-visible { outline: none; }
.tile :is(h2, h3) a:focus-visible::after { outline: 3px solid var(--focus); outline-offset: 2px; }
.description { margin: 0 0 1rem; flex: 1; }
.status { margin: 0; font-weight: 600; color: var(--muted); }
.framework { margin: 0; align-self: flex-start; font-size: .875rem; font-weight: 600; color: var(--muted); border: 1px solid var(--border); border-radius: 999px; padding: .125rem .75rem; }
.notice { background: var(--card); border: 1px solid var(--border); border-left: .375rem solid var(--focus); border-radius: .5rem; padding: 1rem 1.25rem; margin-top: 1.5rem; max-width: 48rem; }
.notice h2 { font-size: 1.25rem; margin: 0 0 .5rem; }
.site-footer { color: var(--muted); font-size: .875rem; padding-bottom: 2rem; }
`;

/** `path?v=<hash of the body>`: a new release changes the URL, so no browser pairs a new page with a cached old file. */
function versioned(path: string, body: string): string {
    return `${path}?v=${createHash("sha256").update(body).digest("hex").slice(0, 12)}`;
}

const STYLESHEET_HREF = versioned("/static/portal.css", PORTAL_CSS);
const FINDER_SRC = versioned(FINDER_PATH, FINDER_JS);
