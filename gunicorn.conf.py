"""Gunicorn settings for Tập Huấn: `gunicorn -c gunicorn.conf.py app:app`.

Every value can be changed from the environment: LMS_BIND, LMS_WORKERS, LMS_TIMEOUT,
LMS_ACCESS_LOG (a path, or "-" for standard output). Several workers need a shared rate-limit
store (LMS_RATELIMIT_STORAGE_URI=redis://…); with the per-process default one worker starts,
and asking for more refuses to start. Behind a reverse proxy, also set
LMS_PROXY_FIX=1 so the app sees the client's address and https (docs/deployment.md).
"""

import multiprocessing
import os

MAX_WORKERS = 12  # beyond this a province outgrows one machine; add app servers instead

bind = os.environ.get("LMS_BIND", "127.0.0.1:8000").split(",")


# Flask-Limiter's stores that count in each process: with them, N workers let a client N
# times the limit through. The `limits` package has no file or SQL store, so such a store
# means one worker; several need Redis (or memcached), which every worker shares.
PER_PROCESS_STORES = ("memory",)


def _rate_limit_store() -> str:
    """The scheme of the rate-limit store the app will use (as lms/config.py reads it)."""
    uri = os.environ.get("LMS_RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    return uri.split("://", 1)[0].lower()


def _workers() -> int:
    """LMS_WORKERS, else 2 × cores + 1 (capped) with a shared rate-limit store and 1 without.

    :raises SystemExit: several workers asked for with a per-process store (the limits would
        not hold), saying what to set
    """
    value = os.environ.get("LMS_WORKERS", "").strip()
    shared = _rate_limit_store() not in PER_PROCESS_STORES
    if not value:
        return min(2 * multiprocessing.cpu_count() + 1, MAX_WORKERS) if shared else 1
    count = max(1, int(value))
    if count > 1 and not shared:
        raise SystemExit(
            f"tap-huan: LMS_WORKERS={count} with LMS_RATELIMIT_STORAGE_URI "
            f"{_rate_limit_store()}:// (counted in each worker): every worker would count the "
            f"rate limits separately, letting a client {count} times through. Set "
            "LMS_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (a redis-server on this "
            "machine is enough; pip install 'redis>=5,<9'), or LMS_WORKERS=1. "
            "See docs/deployment.md, section 7.")
    return count


workers = _workers()
worker_class = "sync"
# Load the app once in the master: faster worker start, a broken config fails at start-up
# instead of in every worker, and shared pages of memory between workers.
preload_app = True
timeout = int(os.environ.get("LMS_TIMEOUT", "60"))  # a 100,000-row import is well under this
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak in a library never grows without bound.
max_requests = 2000
max_requests_jitter = 200
limit_request_line = 8190
# Requests come from the reverse proxy on the same host (or LAN); it sets X-Forwarded-*.
forwarded_allow_ips = os.environ.get("LMS_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("LMS_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LMS_LOG_LEVEL", "info")
# Client address, user-visible request line, status, size, duration in microseconds. The
# query string is logged as part of the request line; no cookies, no form bodies.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'
proc_name = "tap-huan"


def post_fork(server, worker):  # noqa: ARG001 — gunicorn's hook signature
    """Give each worker its own database connections (never share a socket across forks)."""
    from lms.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
