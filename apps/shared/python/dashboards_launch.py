"""Start the app of a generated image on $PORT (default per framework), on $HOST (default 0.0.0.0).

    python -m dashboards_launch streamlit <script.py>   # streamlit run <script.py>
    python -m dashboards_launch wsgi                     # gunicorn serving dashboards_wsgi:application

The same command runs the app outside a container (the tests do), from the app's folder with
apps/shared/python on PYTHONPATH. Replaces itself with the server (exec), so the server is PID 1
in the container and gets ECS's SIGTERM directly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

USAGE = "usage: python -m dashboards_launch streamlit <script.py> | wsgi"
HERE = Path(__file__).resolve().parent


def streamlit_argv(script: str, env=os.environ) -> list[str]:
    return [
        "streamlit", "run", script,
        "--server.port", env.get("PORT", "8501"),
        "--server.address", env.get("HOST", "0.0.0.0"),
        # Behind the ALB: no browser to open, no usage statistics sent from the task.
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]


def wsgi_argv() -> list[str]:
    return ["gunicorn", "-c", str(HERE / "gunicorn.conf.py"), "dashboards_wsgi:application"]


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "streamlit" and argv[1].endswith(".py"):
        command = streamlit_argv(argv[1])
    elif argv == ["wsgi"]:
        command = wsgi_argv()
    else:
        print(USAGE, file=sys.stderr)
        return 2
    os.execvp(command[0], command)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
