"""gunicorn settings for the Pilot-to-Scale Tracker; every value can be set from the environment.

    gunicorn -c gunicorn.conf.py            # serves tracker:create_app()

Several instances can run behind a load balancer against one PostgreSQL database; the stall
scan and the alert delivery run in `flask --app tracker scheduler` processes, not here (leave
SCHEDULER_ENABLED off with more than one worker: each worker would run its own scheduler; the
slot claims keep it correct, but it is wasted work).
"""

import glob
import multiprocessing
import os
import shutil
import tempfile


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = os.environ.get("GUNICORN_APP", "tracker:create_app()")
# Loopback by default; behind a load balancer set GUNICORN_BIND=0.0.0.0:8000 (or a unix socket).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Threads in a few processes: requests mostly wait on PostgreSQL, and a thread is cheaper than a
# process. Each process holds its own connection pool (DB_POOL_SIZE + DB_MAX_OVERFLOW, 10 + 10 by
# default), so PostgreSQL sees at most instances x workers x threads busy connections.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = _int("GUNICORN_THREADS", 4)

# A worker silent this long is killed and replaced. gthread workers keep beating while a long
# download streams, so this bounds a hung worker, not a slow export.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep idle client connections open longer than the load balancer does (its idle timeout is
# often 60 s), or it may send a request on a connection gunicorn is closing.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (memory fragmentation), not all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1_000)

# The longest request line gunicorn lets through to the app (its own default is 4094, its
# maximum 8190). Every query the API documents fits, even with each text filter at its maximum
# length in percent-encoded 4-byte characters, and so do ones slightly over it: the app answers
# those with its JSON 422, not gunicorn with an HTML 414.
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 8190)

# Trust X-Forwarded-Proto/For only from the load balancer's address(es).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")  # "-": stdout; empty: none
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# the time taken in microseconds (%(D)s) and the process that served it (%(p)s)
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus pid=%(p)s "%(a)s"'
if not accesslog:
    accesslog = None

# The heartbeat file on a tmpfs: a slow container disk must not make workers look dead.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - gunicorn's documented advice for containers, not a temp file
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY

# /metrics adds up every worker's request counts: prometheus_client's multiprocess mode, each worker
# writing its own to files in PROMETHEUS_MULTIPROC_DIR (set here, before any worker imports the app).
# One folder per gunicorn master: unless set, a new one of this master's own (on the tmpfs when there
# is one), removed when it exits. A reload (HUP) keeps it; a binary upgrade (USR2), a new master
# that inherits the old one's, makes its own.
MADE_METRICS_DIR = "TRACKER_METRICS_DIR_MADE_BY"  # "pid:folder" of the master that made it
_made_by = os.environ.get(MADE_METRICS_DIR, "").partition(":")[0]
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR") or _made_by not in ("", str(os.getpid())):
    _made = tempfile.mkdtemp(prefix="tracker-metrics-", dir=SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _made
    os.environ[MADE_METRICS_DIR] = f"{os.getpid()}:{_made}"

# preload_app builds the app once in the master and forks it: faster start, shared memory. The
# engine built by create_app has no connection yet (the pool connects on first use), and
# post_fork below drops whatever the master may hold, so no connection is shared across fork.
preload_app = os.environ.get("GUNICORN_PRELOAD", "false").strip().lower() in {"1", "true", "yes", "on"}


def post_fork(server, worker):
    """A forked worker must not use the master's pooled connections (SQLAlchemy: "Using Connection
    Pools with Multiprocessing"); close=False leaves them to the master, a fresh pool starts here."""
    from tracker.extensions import db

    if db.engine is not None:
        db.engine.dispose(close=False)


def on_starting(server):
    """Clear the metrics folder of prometheus_client's files: an earlier run's would be added to this one's."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, exist_ok=True)
    for stale in glob.glob(os.path.join(folder, "*.db")):
        os.remove(stale)


def child_exit(server, worker):
    """A dead worker's counts stay in (a counter never goes down); its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    made_by, _, made = os.environ.get(MADE_METRICS_DIR, "").partition(":")
    if made_by == str(os.getpid()):
        shutil.rmtree(made, ignore_errors=True)
