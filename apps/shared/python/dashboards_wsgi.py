"""WSGI entry of a generated Dash or Flask image: the app named by DASHBOARD_WSGI_APP, unchanged,
behind two things every dashboard needs and no app should have to write:

- ``/_dashboards/health``: answers 200 ``ok`` without touching the app (the target group's and the
  image's health check), so a health check never depends on the app's routes, data or login;
- ``ProxyFix`` for the one ALB in front: the app sees https and its public host name, so redirects
  and generated URLs point at ``https://<dashboard host>``.

DASHBOARD_WSGI_APP is ``module:attribute`` (the attribute may be dotted, e.g. ``app:app.server`` for
a Dash object) or ``module:factory()`` for a Flask application factory called without arguments.
A Dash object given directly is served through its Flask ``server``.
"""

from __future__ import annotations

import importlib
import os
import re
import sys

from werkzeug.middleware.proxy_fix import ProxyFix

HEALTH_PATH = "/_dashboards/health"
APP_SPEC = re.compile(r"^(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<attr>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?P<call>\(\))?$")


def load(spec: str):
    """The WSGI callable ``spec`` names; ValueError when it is malformed or names no callable."""
    match = APP_SPEC.match(spec)
    if not match:
        raise ValueError(f"DASHBOARD_WSGI_APP {spec!r} is not module:attribute or module:factory()")
    # The app's folder (the working directory) first, as gunicorn does for app:app.
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    target = importlib.import_module(match["module"])
    for part in match["attr"].split("."):
        target = getattr(target, part)
    if match["call"]:
        target = target()
    # A Dash app is not itself WSGI: its Flask server is.
    server = getattr(target, "server", None)
    if not hasattr(target, "wsgi_app") and hasattr(server, "wsgi_app"):
        target = server
    if not callable(target):
        raise ValueError(f"DASHBOARD_WSGI_APP {spec!r} is not a WSGI application")
    return target


class HealthRoute:
    """Answers HEALTH_PATH itself; everything else goes to the app."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain"), ("Cache-Control", "no-store"), ("Content-Length", "2")])
            return [b"ok"] if environ["REQUEST_METHOD"] == "GET" else [b""]
        return self.app(environ, start_response)


def wrap(app):
    # One proxy (the ALB) sets X-Forwarded-For/-Proto/-Host/-Port.
    return HealthRoute(ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1))


application = wrap(load(os.environ.get("DASHBOARD_WSGI_APP", "app:app")))
