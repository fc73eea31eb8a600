"""Dash dashboard template: sentiment analysis of a text with TextBlob.

Run locally:  PYTHONPATH=../shared/python PORT=8050 gunicorn -c ../shared/python/gunicorn.conf.py app:server
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

from dash import Dash, Input, Output, State, dcc, html
from flask import Blueprint
from textblob import TextBlob
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard_auth import LOGOUT_PATH, portal_url
from dashboard_auth.flask import flask_user, install_routes

TITLE = os.environ.get("DASHBOARD_NAME", "Sentiment analysis")

# The session guard (apps/shared/js; the image keeps that layout, /shared/js beside /app) reloads
# the page through the ALB's sign-in once the session has ended, e.g. when a callback gets the
# ALB's redirect, and while the user is active sends the periodic request (to /health) that keeps
# a dashboard that scales to zero awake. Served by the blueprint below; assets/ stays free for the
# dashboard's own files. SESSION_GUARD_INTERVAL_SECONDS and SESSION_GUARD_ACTIVE_SECONDS override
# its defaults. Dash writes these attributes unescaped: escape them here.
SHARED_JS = Path(__file__).resolve().parent.parent / "shared" / "js"
SESSION_GUARD_URL = "/session-guard/session-guard.js"
SESSION_GUARD = {
    "src": SESSION_GUARD_URL,
    "data-probe": "/health",
    "data-name": escape(TITLE),
    "data-interval": escape(os.environ.get("SESSION_GUARD_INTERVAL_SECONDS", "")),
    "data-active-seconds": escape(os.environ.get("SESSION_GUARD_ACTIVE_SECONDS", "")),
}

app = Dash(__name__, title=TITLE, external_scripts=[SESSION_GUARD])
server = app.server  # the Flask app gunicorn serves (app:server)
# One proxy hop (the ALB): X-Forwarded-For and -Proto. Not X-Forwarded-Host: the ALB sets none
# (it keeps the Host header), so one that arrives is the client's.
# The ALB sets X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Port (no X-Forwarded-Host): https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1, x_host=0)  # type: ignore[method-assign]
install_routes(server)  # /health and /logout
server.register_blueprint(Blueprint("session_guard", __name__, static_folder=SHARED_JS, static_url_path="/session-guard"))


def identity_bar() -> html.Div:
    user = flask_user()  # verified x-amzn-oidc-data, or None
    link_style = {"color": "#fff"}
    links: list = []
    if user:
        links.append(html.Span(f"Signed in as {user.display_name}", id="user"))
    if portal := portal_url():
        links.append(html.A("All dashboards", href=portal, id="portal", style=link_style))
    links.append(html.A("Sign out", href=LOGOUT_PATH, id="logout", style=link_style))
    return html.Div(
        [html.Strong(TITLE), html.Span(style={"flex": 1}), *links],
        className="identity-bar",
        style={"display": "flex", "gap": "1rem", "padding": ".6rem 1.2rem",
               "background": "#243b53", "color": "#fff"},
    )


def layout() -> html.Div:
    # A function, so it runs per page load with that request's headers (the signed-in user).
    return html.Div(
        [
            identity_bar(),
            html.Div(
                [
                    html.H1("How does this text feel?"),
                    dcc.Textarea(id="text", placeholder="Type a sentence…",
                                 style={"width": "100%", "height": "6rem"}),
                    html.Button("Analyze", id="analyze", n_clicks=0),
                    html.Div(id="result", style={"marginTop": "1rem", "fontSize": "1.2rem"}),
                ],
                style={"padding": "1.2rem", "maxWidth": "48rem"},
            ),
        ],
        style={"fontFamily": "system-ui, sans-serif"},
    )


app.layout = layout


def sentiment(text: str) -> tuple[float, str]:
    """Polarity in [-1, 1] and a label. TextBlob's default PatternAnalyzer uses a lexicon
    shipped inside the package: no corpus download, no network."""
    polarity = TextBlob(text).sentiment.polarity
    label = "positive" if polarity > 0.05 else "negative" if polarity < -0.05 else "neutral"
    return polarity, label


@app.callback(
    Output("result", "children"),
    Input("analyze", "n_clicks"),
    State("text", "value"),
    prevent_initial_call=True,
)
def analyze(_clicks: int, text: str | None):
    if not text or not text.strip():
        return html.Span("Type some text first.", id="hint")
    polarity, label = sentiment(text)
    return [
        html.Div(["Text: ", html.Q(text.strip(), id="analyzed")]),
        html.Div(["Polarity: ", html.B(f"{polarity:+.2f}", id="polarity")]),
        html.Div(["Sentiment: ", html.B(label, id="label")]),
    ]
