/**
 * Search-as-you-type and arrow-key navigation over the dashboard cards, in plain JavaScript (no
 * framework, no build step). Served as a file, like the session guard, because the CSP allows
 * scripts from 'self' only. Progressive enhancement: the page lists every card without it, and the
 * search box (rendered `hidden`) only appears once this script runs.
 *
 * What it reads from the page (src/html.ts renders it): `#finder` with `#finder-input`,
 * `#finder-status` (the live region) and `#finder-empty` with `#finder-query`; each card an
 * `li.tile` whose heading (id `dash-<name>`) holds the card's only link, an optional
 * `.description` (`.none` for the placeholder) and, when the page has categories, an enclosing
 * `section.group` titled by its `.group-title`.
 *
 * A card matches when every word of the query occurs in its display name, name, description or
 * the heading of its group, ignoring case and accents.
 */
export const FINDER_PATH = "/static/finder.js";

// String.raw: the regular expressions keep their backslashes. No backticks or `${` inside.
export const FINDER_JS = String.raw`// Dashboards portal: search and keyboard navigation over the cards (apps/portal/src/finder.ts).
(() => {
  "use strict";
  const finder = document.getElementById("finder");
  const input = document.getElementById("finder-input");
  const status = document.getElementById("finder-status");
  const empty = document.getElementById("finder-empty");
  const emptyQuery = document.getElementById("finder-query");
  if (!finder || !input || !status || !empty || !emptyQuery) return;

  // Case- and accent-insensitive: NFKD splits "é" into "e" and a combining mark, which goes.
  const fold = (text) => text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

  // Searchable text of each card, folded once. Fields are joined by newlines, which a query word never spans.
  const cards = Array.from(document.querySelectorAll(".tile"), (tile) => {
    const link = tile.querySelector("article a");
    const description = tile.querySelector(".description:not(.none)");
    const title = tile.closest(".group")?.querySelector(".group-title");
    const name = link.parentElement.id.replace(/^dash-/, "");
    const text = [link.textContent, name, description?.textContent ?? "", title?.textContent ?? ""].join("\n");
    return { tile, link, text: fold(text) };
  });
  const groups = Array.from(document.querySelectorAll(".group"));

  function filter() {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const card of cards) {
      const match = words.every((word) => card.text.includes(word));
      card.tile.hidden = !match;
      if (match) shown++;
    }
    for (const group of groups) group.hidden = !group.querySelector(".tile:not([hidden])");
    emptyQuery.textContent = input.value.trim();
    empty.hidden = shown > 0;
    status.textContent = shown + " of " + cards.length + (cards.length === 1 ? " dashboard" : " dashboards");
  }

  const visibleLinks = () => cards.filter((card) => !card.tile.hidden).map((card) => card.link);
  const typing = (el) => el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

  input.addEventListener("input", filter);
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (event.key === "/" && !typing(target)) {
      event.preventDefault(); // neither a typed "/" nor the browser's quick find
      input.focus();
      input.select();
      return;
    }
    if (target === input) {
      if (event.key === "Escape" && input.value !== "") {
        event.preventDefault();
        input.value = "";
        filter();
      } else if (event.key === "ArrowDown") {
        const first = visibleLinks()[0];
        if (first) {
          event.preventDefault();
          first.focus();
        }
      }
      return;
    }
    const links = visibleLinks();
    const at = links.indexOf(target);
    if (at < 0) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault(); // move focus, do not scroll the page
      const next = event.key === "ArrowDown" ? links[at + 1] : at > 0 ? links[at - 1] : input;
      next?.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      input.focus();
    }
  });

  finder.hidden = false;
  // A query the browser restored (back, reload) must filter the list it sits above.
  if (input.value !== "") filter();
})();
`;
