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
import tomllib
from pathlib import Path

USAGE = "usage: python -m dashboards_launch streamlit <script.py> | wsgi"
HERE = Path(__file__).resolve().parent


# What a generated Streamlit image sets unless the app says otherwise: (option, value, its variable).
# The app's own .streamlit/config.toml (in the working folder or beside the script) or the variable,
# set in the stack file's environment, wins: flags would override both. A global ~/.streamlit/config.toml
# is not consulted: the image has none.
# Precedence of flags, variables and config files: https://docs.streamlit.io/develop/concepts/configuration/options
STREAMLIT_DEFAULTS = (
    # The image's files never change: watching them costs CPU and memory on every task.
    ("server.fileWatcherType", "none", "STREAMLIT_SERVER_FILE_WATCHER_TYPE"),
    # No developer options (rerun, clear cache, deploy) for viewers, whichever host name they came by.
    ("client.toolbarMode", "viewer", "STREAMLIT_CLIENT_TOOLBAR_MODE"),
    # A generic message in the browser; the exception and its traceback go to the task's log only.
    ("client.showErrorDetails", "none", "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"),
)


def app_config_options(script: str, cwd: Path) -> set[str]:
    """The `section.option` names the app's own Streamlit config files set. A file that cannot be
    read or parsed sets none here: Streamlit reads it itself and reports what is wrong with it."""
    names: set[str] = set()
    # abspath, not resolve: Streamlit looks beside the script's path as given, links not followed.
    for folder in dict.fromkeys([cwd, Path(os.path.abspath(cwd / script)).parent]):
        try:
            with open(folder / ".streamlit" / "config.toml", "rb") as file:
                document = tomllib.load(file)
        except (OSError, ValueError):
            continue
        for section, options in document.items():
            if isinstance(options, dict):
                names.update(f"{section}.{option}" for option in options)
    return names


def streamlit_argv(script: str, env=os.environ, cwd: Path | None = None) -> list[str]:
    set_by_app = app_config_options(script, cwd or Path.cwd())
    defaults = [
        arg
        for option, value, variable in STREAMLIT_DEFAULTS
        # An empty variable is no setting: Streamlit ignores it too.
        if option not in set_by_app and not env.get(variable)
        for arg in (f"--{option}", value)
    ]
    return [
        "streamlit", "run", script,
        "--server.port", env.get("PORT", "8501"),
        "--server.address", env.get("HOST", "0.0.0.0"),
        # Behind the ALB: no browser to open, no usage statistics sent from the task.
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        *defaults,
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
