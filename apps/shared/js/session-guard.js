/*
 * Session guard for dashboards behind an AWS Application Load Balancer that signs users in
 * (authenticate-oidc / authenticate-cognito).
 *
 * When the ALB session ends (its cookie reaches auth.sessionTimeoutSeconds, or the user signed
 * out in another tab), the ALB answers every request with a 302 to the sign-in page. A page can
 * follow that; a websocket reconnect (Shiny, Streamlit) or a fetch/XHR to the app (Dash, Flask)
 * cannot, so the page would sit there disconnected. This script notices and reloads the page:
 * the reload is a normal navigation, so the ALB sends the browser through sign-in and back to
 * the same URL.
 *
 * It checks with a cheap same-origin GET (the page's own URL, or data-probe) sent with
 * redirect: "manual": an answer of type "opaqueredirect" (or a 401) means the session is gone;
 * anything else (200, 5xx, no network) means the session is not the problem and nothing happens.
 * Checks are made when a websocket closes, when a fetch or XHR fails or answers 401, when the
 * tab becomes visible again, when the browser comes back online, and every data-interval
 * seconds (60 by default, 0 turns it off) while the tab is visible. At most one check runs at a
 * time, at most one every few seconds.
 *
 * A reload is made at most once a minute per tab (sessionStorage); if the session still looks
 * gone right after one, a notice with a sign-in link is shown instead, so a misconfigured probe
 * cannot make the page reload in a loop.
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
    var intervalSeconds = data.interval !== undefined && data.interval !== "" ? Number(data.interval) : 60;
    var MIN_GAP_MS = 3000;
    var RELOAD_WINDOW_MS = 60000;
    var STORE_KEY = "dashboard-session-guard:reloaded-at";
    var nativeFetch = w.fetch;

    var inFlight = false;
    var again = false;
    var lastCheck = 0;
    var timer = null;
    var leaving = false;
    var finished = false;

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
        nativeFetch
            .call(w, probeUrl(), { method: "GET", redirect: "manual", cache: "no-store", credentials: "same-origin" })
            .then(
                function (res) {
                    if (res.body && res.body.cancel) res.body.cancel().catch(function () {});
                    if (res.type === "opaqueredirect" || res.status === 401) {
                        sessionEnded();
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
            showNotice();
            return;
        }
        store.setItem(STORE_KEY, String(Date.now()));
        finished = true;
        // A navigation the ALB can redirect: through sign-in, then back to this URL.
        w.location.reload();
    }

    function showNotice() {
        if (document.getElementById("session-guard-notice") || !document.body) return;
        var box = document.createElement("div");
        box.id = "session-guard-notice";
        box.setAttribute("role", "alert");
        var s = box.style; // CSSOM, not a style attribute: allowed under a strict style-src
        s.position = "fixed";
        s.top = "0";
        s.left = "0";
        s.right = "0";
        s.zIndex = "2147483647";
        s.padding = "0.75rem 1rem";
        s.background = "#7a2e0e";
        s.color = "#fff";
        s.font = "1rem/1.4 system-ui, sans-serif";
        s.textAlign = "center";
        box.appendChild(document.createTextNode("Your sign-in has ended. "));
        var link = document.createElement("a");
        link.href = w.location.href;
        link.textContent = "Sign in again";
        link.style.color = "#fff";
        box.appendChild(link);
        document.body.appendChild(box);
    }

    // fetch: a 401, or a failure (the ALB's 302 to another origin fails CORS), asks for a check.
    w.fetch = function () {
        var result = nativeFetch.apply(w, arguments);
        result.then(
            function (res) {
                if (res.status === 401) check();
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
            if (this.status === 401) check();
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
            if (document.visibilityState !== "hidden") check();
        }, intervalSeconds * 1000);
    }

    w.dashboardSessionGuard = { check: check };
})();
