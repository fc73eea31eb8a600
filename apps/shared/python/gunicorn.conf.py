"""Gunicorn settings shared by the Flask and Dash templates (``gunicorn -c gunicorn.conf.py``)."""

import os

# The infrastructure sets PORT in every task; the Dockerfiles set each template's default.
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# One thread per worker (sync workers) by default: Dash's once-per-process server setup is not
# thread-safe (a second thread can see it as done before the assets are registered: 500s on
# /_dash-component-suites). Scale with WEB_CONCURRENCY; raise threads only for Flask apps.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Keep-alive above the ALB idle timeout (60 s default) so the ALB closes idle connections first.
# AWS: keep the target's idle timeout above the ALB's, else the ALB can answer 502: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html
keepalive = 75
timeout = 60
graceful_timeout = 20
# Heartbeat files in memory: container root filesystems can be slow or read-only.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"
