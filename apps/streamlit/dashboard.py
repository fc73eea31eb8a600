"""Streamlit data-exploration template: a generated sales data set or your own CSV,
filters in the sidebar, a chart and the filtered table."""

from __future__ import annotations

import html
import io
import os

import numpy as np
import pandas as pd
import streamlit as st

from dashboard_auth import LOGOUT_PATH, current_user, portal_url

TITLE = os.environ.get("DASHBOARD_NAME", "Data explorer")
st.set_page_config(page_title=TITLE, layout="wide")


def identity_bar() -> None:
    # st.context.headers are the headers the ALB forwarded with this session's connection.
    # The ALB adds x-amzn-oidc-* headers to each authenticated request it forwards: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
    user = current_user(st.context.headers)
    parts = []
    if user:
        parts.append(f'<span id="user">Signed in as {html.escape(user.display_name)}</span>')
    if portal := portal_url():
        parts.append(f'<a id="portal" href="{html.escape(portal)}" target="_self">All dashboards</a>')
    parts.append(f'<a id="logout" href="{LOGOUT_PATH}" target="_self">Sign out</a>')
    st.markdown(
        '<div style="display:flex;gap:1rem;justify-content:flex-end">' + " ".join(parts) + "</div>",
        unsafe_allow_html=True,
    )


@st.cache_data
def sample_sales(rows: int = 500, seed: int = 7) -> pd.DataFrame:
    """A reproducible example data set; replace with your own loader."""
    rng = np.random.default_rng(seed)
    regions = np.array(["North", "South", "East", "West"])
    products = np.array(["Widget", "Gadget", "Doohickey"])
    units = rng.integers(1, 60, rows)
    price = rng.choice([9.5, 14.0, 22.0], rows)
    return pd.DataFrame(
        {
            "date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D"),
            "region": rng.choice(regions, rows),
            "product": rng.choice(products, rows),
            "units": units,
            "revenue": (units * price).round(2),
        }
    )


@st.cache_data
def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data))


def session_guard() -> None:
    """The shared session guard (served by server.py): reloads the page through the ALB's sign-in
    once the session has ended, since Streamlit's reconnects cannot follow the ALB's redirect, and
    while the user is active sends the periodic request (to /_stcore/health) that keeps a
    dashboard that scales to zero awake: user input travels on the websocket, which the ALB's
    request count does not see. SESSION_GUARD_INTERVAL_SECONDS and SESSION_GUARD_ACTIVE_SECONDS
    override its defaults."""
    attributes = {
        "data-probe": "/_stcore/health",
        "data-name": TITLE,
        "data-interval": os.environ.get("SESSION_GUARD_INTERVAL_SECONDS", ""),
        "data-active-seconds": os.environ.get("SESSION_GUARD_ACTIVE_SECONDS", ""),
    }
    tag = "".join(f' {k}="{html.escape(v)}"' for k, v in attributes.items())
    # Scripts in st.markdown never run. st.html runs them when allowed, in the page itself (not
    # an iframe), so the guard sees the page's own websocket reconnects and fetches. Once loaded
    # it stays for the life of the page, even through a run that stops early.
    with st.container(key="session-guard"):
        st.html(f'<script src="/session-guard/session-guard.js"{tag}></script>', unsafe_allow_javascript=True)
    # Cosmetic: the script shows nothing, so hide its container's layout wrapper, which would add
    # a gap below the identity bar (style-only HTML takes no space itself).
    st.html("<style>div:has(> .st-key-session-guard) { display: none; }</style>")


identity_bar()
session_guard()
st.title(TITLE)

with st.sidebar:
    st.header("Data")
    upload = st.file_uploader("Upload a CSV file", type=["csv"])
    df = read_csv(upload.getvalue()) if upload is not None else sample_sales()
    source = upload.name if upload is not None else "generated sales data"

    # Text-like columns with few distinct values can group the data (pandas 3 has a str dtype).
    categorical = [
        c for c in df.columns
        if not pd.api.types.is_numeric_dtype(df[c])
        and not pd.api.types.is_datetime64_any_dtype(df[c])
        and df[c].nunique() <= 50
    ]
    numeric = list(df.select_dtypes("number").columns)

    st.header("Filters")
    filtered = df
    if categorical:
        group_col = st.selectbox("Group by", categorical)
        chosen = st.multiselect(f"{group_col} values", sorted(df[group_col].dropna().unique()))
        if chosen:
            filtered = filtered[filtered[group_col].isin(chosen)]
    else:
        group_col = None
    if numeric:
        value_col = st.selectbox("Measure", numeric, index=len(numeric) - 1)
        low = st.number_input(f"Minimum {value_col}", value=float(df[value_col].min()))
        filtered = filtered[filtered[value_col] >= low]
    else:
        value_col = None

st.caption(f"Source: {source}")
st.metric("Rows shown", f"{len(filtered)} of {len(df)}")

if value_col and group_col and not filtered.empty:
    st.subheader(f"Total {value_col} by {group_col}")
    st.bar_chart(filtered.groupby(group_col)[value_col].sum())
elif value_col and not filtered.empty:
    st.line_chart(filtered[value_col])

st.dataframe(filtered, width="stretch", hide_index=True)
