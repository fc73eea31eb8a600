"""Flask dashboard template: an HTML page with a chart fed by a JSON endpoint.

Run locally:  PYTHONPATH=../shared/python gunicorn -c ../shared/python/gunicorn.conf.py app:app
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from flask import Blueprint, Flask, abort, jsonify, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard_auth import portal_url
from dashboard_auth.flask import flask_user, install_routes

REGIONS = ("North", "South", "East", "West")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

app = Flask(__name__)
# One proxy hop (the ALB): trust its X-Forwarded-For/-Proto so url_for builds https URLs. Not
# X-Forwarded-Host: the ALB sets none (it keeps the Host header), so one that arrives is the client's.
# The ALB sets X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Port (no X-Forwarded-Host): https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=0)  # type: ignore[method-assign]
install_routes(app)
# The session guard (apps/shared/js; the image keeps that layout, /shared/js beside /app) reloads
# the page through the ALB's sign-in once the session has ended, and while the user is active
# sends the periodic request (to /health) that keeps a dashboard that scales to zero awake:
# /session-guard/session-guard.js. SESSION_GUARD_INTERVAL_SECONDS and SESSION_GUARD_ACTIVE_SECONDS
# override its defaults (templates/index.html).
SHARED_JS = Path(__file__).resolve().parent.parent / "shared" / "js"
app.register_blueprint(Blueprint("session_guard", __name__, static_folder=SHARED_JS, static_url_path="/session-guard"))


def monthly_sales(region: str) -> list[dict[str, object]]:
    """Deterministic example data; replace with your own query."""
    offset = REGIONS.index(region)
    return [
        {"month": month, "sales": round(100 + 40 * math.sin((i + offset * 3) / 2) + 5 * i, 1)}
        for i, month in enumerate(MONTHS)
    ]


@app.get("/")
def index() -> str:
    return render_template(
        "index.html",
        title=os.environ.get("DASHBOARD_NAME", "Flask dashboard"),
        regions=REGIONS,
        user=flask_user(),
        portal_url=portal_url(),
        guard_interval=os.environ.get("SESSION_GUARD_INTERVAL_SECONDS", ""),
        guard_active=os.environ.get("SESSION_GUARD_ACTIVE_SECONDS", ""),
    )


@app.get("/api/sales")
def sales():
    region = request.args.get("region", REGIONS[0])
    if region not in REGIONS:
        abort(400, description=f"unknown region {region!r}")
    rows = monthly_sales(region)
    return jsonify(region=region, total=round(sum(r["sales"] for r in rows), 1), rows=rows)
