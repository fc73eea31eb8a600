"""Gunicorn settings shared by the Flask and Dash templates (``gunicorn -c gunicorn.conf.py``)."""

import os

# The infrastructure sets PORT in every task; the Dockerfiles set each template's default.
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# One thread per worker (sync workers) by default: Dash's once-per-process server setup is not
# thread-safe (a second thread can see it as done before the assets are registered: 500s on
# /_dash-component-suites). Scale with WEB_CONCURRENCY; raise threads only for Flask apps.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))


def _keepalive(env=os.environ):
    """Seconds to keep an idle connection: above the ALB idle timeout, so the ALB closes idle
    connections first. ALB_IDLE_TIMEOUT_SECONDS carries the load balancer's setting (1..4000);
    without a valid one, stay above the ALB's maximum of 4000 s."""
    try:
        idle = int(env.get("ALB_IDLE_TIMEOUT_SECONDS", "").strip())
    except ValueError:
        idle = None
    if idle is None or not 1 <= idle <= 4000:
        idle = 4000
    return idle + 5


# AWS: keep the target's keep-alive above the ALB's idle timeout, else the ALB can answer 502: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html
# (Sync workers, the default above, close each connection after its response anyway; this matters
# once GUNICORN_THREADS > 1 switches gunicorn to the gthread worker, which keeps connections.)
keepalive = _keepalive()
timeout = 60
graceful_timeout = 20
# Heartbeat files in memory: container root filesystems can be slow or read-only.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"
# No control socket (gunicorn 25.1+): nothing manages a task's gunicorn from inside, and the image's
# user has no home for the socket (gunicorn would log "Control server error" at every start).
# Older gunicorn ignores the name, as it ignores every name it does not know in this file.
control_socket_disable = True
