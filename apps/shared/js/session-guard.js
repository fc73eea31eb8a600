/*
 * Session guard for dashboards behind an AWS Application Load Balancer that signs users in
 * (authenticate-oidc / authenticate-cognito), and keep-alive for dashboards that scale to zero.
 *
 * Session end. When the ALB session ends (its cookie reaches auth.sessionTimeoutSeconds, or the
 * user signed out in another tab), the ALB answers every request with a 302 to the sign-in page.
 * A page can follow that; a websocket reconnect (Shiny, Streamlit) or a fetch/XHR to the app
 * (Dash, Flask) cannot, so the page would sit there disconnected. This script notices and reloads
 * the page: the reload is a normal navigation, so the ALB sends the browser through sign-in and
 * back to the same URL.
 *
 * Checks. A check is one cheap same-origin GET (data-probe, else the page's own URL) sent with
 * redirect: "manual", cache: "no-store" and the header X-Dashboards-Probe: 1. Its answer:
 * - type "opaqueredirect" or status 401: the session is gone (see below);
 * - header X-Dashboards-Asleep: true (the platform's waker answers so while a dashboard with
 *   minTasks 0 is stopped): the dashboard is asleep. The page is NOT reloaded (a reload is a page
 *   load, which wakes the dashboard: an unattended tab would wake it forever); instead a notice
 *   "<data-name, or This dashboard> went to sleep after a while without use." with a "Wake it"
 *   button that reloads the page is shown (kept usable under a framework's own modal), and the
 *   guard makes no further checks;
 * - anything else (200, another 5xx, no network): nothing happens; the framework retries.
 * The X-Dashboards-Probe header tells the waker never to wake the dashboard for a check.
 *
 * When checks are made:
 * - a websocket closes; a fetch or XHR fails, answers 401 or answers X-Dashboards-Asleep: true;
 *   the tab becomes visible again; the browser comes back online; the page returns from the
 *   back/forward cache; the user becomes active again after data-active-seconds without activity;
 * - periodically, every data-interval seconds (60 by default; 0 turns the periodic check off),
 *   but only while the tab is visible AND the user was active within the last
 *   data-active-seconds seconds (300 by default). Activity is a trusted pointerdown, pointermove,
 *   keydown, wheel, touchstart or input (typing, pasting, dictation) anywhere in the page, or the
 *   window gaining focus; loading the page counts as activity. (Scroll and element focus are
 *   left out: scripts cause them too; events a script dispatches never count.)
 * At most one check runs at a time, at most one every 3 seconds.
 *
 * Keep-alive. Every periodic check is an HTTP request through the ALB to the dashboard's target
 * group, so it counts in the target group's RequestCount, the measure of idleness for dashboards
 * that scale to zero. A user busy in a websocket app (Shiny, Streamlit: clicks travel as websocket
 * messages, which RequestCount does not see) thereby keeps the dashboard awake. Exactly:
 * - a visible tab whose user is active sends a check every data-interval seconds;
 * - an open but untouched tab sends its last periodic check less than data-active-seconds after
 *   the last activity, then none until the user is active again; the platform stops the
 *   dashboard at its first idle check (every 5 minutes, components/wake.ts) that sees idleMinutes
 *   without requests: with the defaults (300 s, idleMinutes 30) 35 to 40 minutes after the
 *   user's last input, if no other tab or user sends requests;
 * - a hidden tab (another tab in front, minimised window) never sends a periodic check; when it
 *   is shown again it makes one check at once, and the periodic ones resume if the user is active.
 * For a user who is active, data-interval must stay well below idleMinutes (60 s against at
 * least 10 minutes).
 *
 * Reload loops. A reload for an ended session is made at most once a minute per tab
 * (sessionStorage); if the session still looks gone right after one, a notice with a sign-in link
 * is shown instead, so a misconfigured probe cannot make the page reload in a loop.
 *
 * Attributes of the script element, all optional: data-probe (a cheap same-origin path: the
 * health route), data-interval (seconds), data-active-seconds (seconds), data-name (the
 * dashboard's name for the sleep notice). An empty or invalid number means the default.
 *
 * No dependencies, no inline code or styles in markup, no requests to other origins: it runs
 * under a CSP of script-src 'self'; connect-src 'self'. Load it with a plain script element
 * (classic, not a module), before the framework opens its websocket when possible. Your own code
 * can ask for a check after a failed request with window.dashboardSessionGuard.check().
 */
(function () {
    "use strict";
    var w = window;
    if (w.dashboardSessionGuard || typeof w.fetch !== "function") return;

    var script = document.currentScript;
    var data = (script && script.dataset) || {};

    /** A non-negative number of seconds from an attribute, else the default. */
    function seconds(value, fallback) {
        var n = value === undefined || value === "" ? NaN : Number(value);
        return isFinite(n) && n >= 0 ? n : fallback;
    }

    var intervalSeconds = seconds(data.interval, 60);
    var activeMs = seconds(data.activeSeconds, 300) * 1000;
    var MIN_GAP_MS = 3000;
    var RELOAD_WINDOW_MS = 60000;
    var STORE_KEY = "dashboard-session-guard:reloaded-at";
    var NOTICE_ID = "session-guard-notice";
    var PROBE_HEADER = "X-Dashboards-Probe";
    var ASLEEP_HEADER = "X-Dashboards-Asleep";
    var nativeFetch = w.fetch;

    var inFlight = false;
    var again = false;
    var lastCheck = 0;
    var timer = null;
    var leaving = false;
    var finished = false; // reloading, or asleep: no more checks
    var lastActivity = Date.now(); // loading the page is the user's doing

    function probeUrl() {
        // Without data-probe: the page itself (what a reload would request), without its fragment.
        return new URL(data.probe || w.location.href.split("#")[0], w.location.href).href;
    }

    function storage() {
        try {
            return w.sessionStorage;
        } catch (e) {
            return null; // storage blocked: never reload without loop protection
        }
    }

    /** Whether an answer comes from the platform's waker: the dashboard is stopped. */
    function isAsleep(value) {
        return String(value).toLowerCase() === "true";
    }

    function recentlyActive() {
        return Date.now() - lastActivity < activeMs;
    }

    function check() {
        if (leaving || finished) return;
        if (inFlight) {
            again = true;
            return;
        }
        var wait = lastCheck + MIN_GAP_MS - Date.now();
        if (wait > 0) {
            if (timer === null) {
                timer = w.setTimeout(function () {
                    timer = null;
                    check();
                }, wait);
            }
            return;
        }
        inFlight = true;
        lastCheck = Date.now();
        var headers = {};
        headers[PROBE_HEADER] = "1"; // never wakes a sleeping dashboard
        nativeFetch
            .call(w, probeUrl(), { method: "GET", redirect: "manual", cache: "no-store", credentials: "same-origin", headers: headers })
            .then(
                function (res) {
                    if (res.body && res.body.cancel) res.body.cancel().catch(function () {});
                    if (res.type === "opaqueredirect" || res.status === 401) {
                        sessionEnded();
                    } else if (isAsleep(res.headers.get(ASLEEP_HEADER))) {
                        fellAsleep();
                    } else if (res.ok) {
                        var store = storage();
                        if (store) store.removeItem(STORE_KEY); // signed in again: a later expiry may reload
                    }
                },
                function () {
                    /* offline or the server is down: not a session problem; the framework retries */
                },
            )
            .then(function () {
                inFlight = false;
                if (again) {
                    again = false;
                    check();
                }
            });
    }

    function sessionEnded() {
        var store = storage();
        var last = store ? Number(store.getItem(STORE_KEY) || 0) : Date.now();
        if (Date.now() - last < RELOAD_WINDOW_MS) {
            showNotice("signed-out");
            return;
        }
        store.setItem(STORE_KEY, String(Date.now()));
        finished = true;
        // A navigation the ALB can redirect: through sign-in, then back to this URL.
        w.location.reload();
    }

    function fellAsleep() {
        // No reload: it would wake the dashboard. The user decides, with the notice's button.
        finished = true;
        showNotice("asleep");
    }

    function showNotice(kind) {
        if (!document.body) {
            document.addEventListener("DOMContentLoaded", function () {
                showNotice(kind);
            });
            return;
        }
        var old = document.getElementById(NOTICE_ID);
        if (old) {
            if (old.getAttribute("data-kind") === kind) return;
            old.parentNode.removeChild(old);
        }
        var box = document.createElement("div");
        box.id = NOTICE_ID;
        box.setAttribute("data-kind", kind);
        box.setAttribute("role", "alert");
        var s = box.style; // CSSOM, not a style attribute: allowed under a strict style-src
        s.position = "fixed";
        s.top = "0";
        s.left = "0";
        s.right = "0";
        s.zIndex = "2147483647";
        s.padding = "0.75rem 1rem";
        s.background = kind === "asleep" ? "#243b53" : "#7a2e0e";
        s.color = "#fff";
        s.font = "1rem/1.4 system-ui, sans-serif";
        s.textAlign = "center";
        if (kind === "asleep") {
            box.appendChild(document.createTextNode((data.name || "This dashboard") + " went to sleep after a while without use. "));
            var button = document.createElement("button");
            button.type = "button";
            button.textContent = "Wake it";
            button.style.font = "inherit";
            button.style.marginLeft = "0.5rem";
            button.style.padding = "0.2rem 0.9rem";
            button.style.cursor = "pointer";
            // Listened for on the window, before the page's own handlers: a framework's modal
            // (Streamlit's) stops clicks outside itself from reaching their target.
            w.addEventListener(
                "click",
                function (event) {
                    // A page load: the only request that wakes the dashboard.
                    if (event.target instanceof Node && button.contains(event.target)) w.location.reload();
                },
                true,
            );
            box.appendChild(button);
        } else {
            box.appendChild(document.createTextNode("Your sign-in has ended. "));
            var link = document.createElement("a");
            link.href = w.location.href;
            link.textContent = "Sign in again";
            link.style.color = "#fff";
            box.appendChild(link);
        }
        document.body.appendChild(box);
        // A framework's own modal (Streamlit's "Connection error") makes everything else in the
        // page inert or aria-hidden, this notice too: it must stay usable, it is the way out.
        if (typeof w.MutationObserver === "function") {
            var keepUsable = function () {
                if (box.hasAttribute("inert")) box.removeAttribute("inert");
                if (box.hasAttribute("aria-hidden")) box.removeAttribute("aria-hidden");
            };
            new w.MutationObserver(keepUsable).observe(box, { attributes: true, attributeFilter: ["inert", "aria-hidden"] });
            keepUsable();
        }
    }

    // fetch: a 401, an answer from the waker, or a failure (the ALB's 302 to another origin fails
    // CORS) asks for a check.
    w.fetch = function () {
        var result = nativeFetch.apply(w, arguments);
        result.then(
            function (res) {
                if (res.status === 401 || isAsleep(res.headers.get(ASLEEP_HEADER))) check();
            },
            function (err) {
                if (!err || err.name !== "AbortError") check();
            },
        );
        return result;
    };

    if (w.XMLHttpRequest) {
        var send = w.XMLHttpRequest.prototype.send;
        var watched = new WeakSet(); // an XHR object may be sent again: listen once
        var onLoad = function () {
            if (this.status === 401 || isAsleep(this.getResponseHeader(ASLEEP_HEADER))) check();
        };
        w.XMLHttpRequest.prototype.send = function () {
            if (!watched.has(this)) {
                watched.add(this);
                this.addEventListener("error", check);
                this.addEventListener("load", onLoad);
            }
            return send.apply(this, arguments);
        };
    }

    // Websockets opened from now on report their close (a refused reconnect closes at once).
    var NativeWebSocket = w.WebSocket;
    if (typeof NativeWebSocket === "function") {
        var GuardedWebSocket = class WebSocket extends NativeWebSocket {
            constructor(url, protocols) {
                super(url, protocols);
                this.addEventListener("close", function () {
                    check();
                });
            }
        };
        w.WebSocket = GuardedWebSocket;
    }

    // User activity: only trusted events (not ones a script dispatches), seen before the page's
    // own handlers (capture), without delaying scrolling (passive).
    function activity(event) {
        if (event.isTrusted === false) return;
        var wasIdle = !recentlyActive();
        lastActivity = Date.now();
        // Back after a pause: the dashboard may have gone to sleep meanwhile.
        if (wasIdle && document.visibilityState === "visible") check();
    }
    ["pointerdown", "pointermove", "keydown", "wheel", "touchstart", "input"].forEach(function (type) {
        w.addEventListener(type, activity, { capture: true, passive: true });
    });
    w.addEventListener("focus", activity); // the window's own focus (focus does not bubble)

    document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible") check();
    });
    w.addEventListener("online", check);
    w.addEventListener("pagehide", function () {
        leaving = true; // sockets closing because the page unloads are not a signal
    });
    w.addEventListener("pageshow", function (event) {
        leaving = false;
        if (event.persisted) check(); // back from the back/forward cache
    });
    if (intervalSeconds > 0) {
        w.setInterval(function () {
            // Keep-alive: only for a user who is there. A hidden or untouched tab lets it sleep.
            if (document.visibilityState === "visible" && recentlyActive()) check();
        }, intervalSeconds * 1000);
    }

    w.dashboardSessionGuard = { check: check };
})();
