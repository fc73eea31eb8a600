"""Starlette adapter, for Streamlit's ``st.App`` (recent Streamlit serves through Starlette)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .logout import LOGOUT_PATH, logout_headers


async def _logout(request: Request) -> Response:
    response = Response(status_code=302)
    for name, value in logout_headers(request.headers.get("cookie")):
        response.headers.append(name, value)  # append: one Set-Cookie header per cookie
    return response


def logout_routes() -> list[Route]:
    return [Route(LOGOUT_PATH, _logout, methods=["GET"])]
