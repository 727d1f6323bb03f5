"""Gunicorn settings for the portal; every value can be overridden from the environment.

    gunicorn --config deploy/gunicorn.conf.py portal.wsgi

The sync worker suits a site whose requests are short and CPU-bound and that sits
behind nginx, which buffers slow clients so a worker is never held by one.
"""

import gc
import multiprocessing
import os

# One address, or several separated by commas (the benchmark adds a loopback port).
bind = os.environ.get("GUNICORN_BIND", "unix:/run/gateway-help/gunicorn.sock").split(",")
# Two per core plus one: a worker waiting on PostgreSQL or Redis leaves the core free.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Under nginx's proxy_read_timeout (60 s), so a stuck request ends here first, with a
# traceback in the journal, rather than as an anonymous 504 at the proxy.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# Recycle workers now and then, at different moments, so slow growth never adds up.
# Not too often: a new worker costs a fork, fresh connections and a cold page copy,
# and at 5,000 a busy server replaced one every two seconds (p99 of cached pages 42 ms
# instead of 13 ms in `make bench`). Workers stay near 65 MB under load.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10
# Load the application once in the master: workers share its memory pages.
preload_app = True
# X-Forwarded-Proto is trusted from the unix socket (Gunicorn always trusts one: only
# nginx can connect to it) and from loopback, never from another machine.
forwarded_allow_ips = "127.0.0.1"
# The socket is group-writable: the service runs with nginx's group (deploy/systemd).
umask = 0o007
# Django logs each request once (portal.request); Gunicorn logs its own events.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "gateway-help"
# systemd manages the service (reload with HUP); no control socket in a home directory.
control_socket_disable = True
# The heartbeat each worker writes every few seconds goes to memory, not to a disk
# that may stall it (Gunicorn's own advice where /tmp is on disk).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def pre_fork(server, worker):
    """Move everything the master loaded (Django, the flowchart, the patterns) out of
    the collector's sight before each fork, as Python's gc documentation advises: the
    workers' collections then neither scan those objects nor copy their pages."""
    gc.freeze()
