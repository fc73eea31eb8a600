"""ASGI entry point: the Streamlit script plus a /logout route and the session guard script.

Streamlit has no custom HTTP routes in scripts, but since it serves through Starlette it offers
``st.App`` (an ASGI app with extra Starlette routes). ``streamlit run server.py`` detects the
``app`` object and serves it with Streamlit's own server and settings.
"""

from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from dashboard_auth.starlette import logout_routes

# The session guard (apps/shared/js; the image keeps that layout, /shared/js beside /app), loaded
# by dashboard.py: it reloads the page through the ALB's sign-in once the session has ended.
SESSION_GUARD = Path(__file__).resolve().parent.parent / "shared" / "js" / "session-guard.js"


async def session_guard(_request: Request) -> FileResponse:
    return FileResponse(SESSION_GUARD, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


app = st.App("dashboard.py", routes=[*logout_routes(), Route("/session-guard/session-guard.js", session_guard)])
