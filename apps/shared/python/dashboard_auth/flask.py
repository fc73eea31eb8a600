"""Flask adapter (also used by Dash, whose server is a Flask app)."""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request

from .identity import User, current_user
from .logout import LOGOUT_PATH, logout_headers


def flask_user() -> User | None:
    """The verified user of the current Flask request (None outside a request, e.g. when Dash
    validates a layout function at start-up)."""
    if not has_request_context():
        return None
    return current_user(request.headers)


def install_routes(server: Flask) -> None:
    """Add ``/health`` (for the ALB and Docker health checks) and ``/logout``."""

    def health() -> Response:
        return Response("ok", mimetype="text/plain", headers={"Cache-Control": "no-store"})

    def logout() -> Response:
        return Response(status=302, headers=logout_headers(request.headers.get("Cookie")))

    server.add_url_rule("/health", "health", health)
    server.add_url_rule(LOGOUT_PATH, "logout", logout)
