#!/bin/sh
# Starts the dashboard on $PORT (the infrastructure's contract), default 8501.
set -eu
cd "$(dirname "$0")"
exec streamlit run server.py --server.port "${PORT:-8501}" --server.address "${HOST:-0.0.0.0}"
