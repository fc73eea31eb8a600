"""ASGI entry point: the Streamlit script plus a /logout route.

Streamlit has no custom HTTP routes in scripts, but since it serves through Starlette it offers
``st.App`` (an ASGI app with extra Starlette routes). ``streamlit run server.py`` detects the
``app`` object and serves it with Streamlit's own server and settings.
"""

import streamlit as st

from dashboard_auth.starlette import logout_routes

app = st.App("dashboard.py", routes=logout_routes())
