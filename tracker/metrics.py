"""GET /metrics: the Prometheus text exposition (prometheus_client), for anyone. No personal data:
routes by their template, counts and times; no emails, tokens, project titles or raw paths.

Requests are counted by the process that served them. Under gunicorn each worker counts its own,
so prometheus_client's multiprocess mode writes them to files in PROMETHEUS_MULTIPROC_DIR
(gunicorn.conf.py sets it up) and the worker that answers a scrape adds up every worker's files.
Without that setting (one process: `flask run`, tests) they are kept in memory. What the database
holds (the outbox, the last scan, the unresolved flags) is read at each scrape by
`DatabaseCollector`, so it is right whichever worker answers.
"""

import logging
import os
import time

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from tracker.alerts.models import CHANNELS, DELIVERY_STATUSES, OutboxMessage
from tracker.extensions import db
from tracker.flags.models import Flag, ScanRun
from tracker.vocab import RULES

log = logging.getLogger(__name__)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own setting
UNMATCHED = "unmatched"  # every request no route matched (404, 405): one label, never the raw path
# any other method (a client may send anything) is counted as "other": labels stay few
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

blp = Blueprint("metrics", __name__)


class RequestMetrics:
    """The request counter and latency histogram of one app (in memory, or multiprocess files)."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tracker_http_requests",
            "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tracker_http_request_duration_seconds",
            "Time from the request's arrival in the app to its response (a streamed body's first byte)",
            ["route", "method"],
            registry=self.registry,
        )
        self.registry.register(DatabaseCollector())


class DatabaseCollector:
    """Gauges read from the database at each scrape."""

    def describe(self):
        return _families()

    def collect(self):
        outbox, last_scan, flags, reachable = _families()
        try:
            session = db.session
            counts = dict.fromkeys(((c, s) for c in CHANNELS for s in DELIVERY_STATUSES), 0)
            rows = session.execute(
                sa.select(OutboxMessage.channel, OutboxMessage.status, sa.func.count()).group_by(
                    OutboxMessage.channel, OutboxMessage.status
                )
            )
            counts.update({(channel, status): n for channel, status, n in rows})
            latest = session.execute(
                sa.select(ScanRun.started_at, ScanRun.duration_ms)
                .where(ScanRun.dry_run.is_(False))
                .order_by(ScanRun.started_at.desc())
                .limit(1)
            ).first()
            by_rule = dict.fromkeys(RULES, 0)
            by_rule.update(
                session.execute(
                    sa.select(Flag.rule, sa.func.count()).where(Flag.status != "resolved").group_by(Flag.rule)
                ).all()
            )
        except sa.exc.SQLAlchemyError as exc:  # the request counts still answer during an outage
            log.warning("metrics: the database is unreachable: %s", exc)
            db.session.rollback()
            reachable.add_metric([], 0)
            yield reachable
            return
        for (channel, status), n in counts.items():
            outbox.add_metric([channel, status], n)
        if latest is not None:  # no sample before the first scan
            last_scan.add_metric([], latest.started_at.timestamp() + latest.duration_ms / 1000)
        for rule, n in by_rule.items():
            flags.add_metric([rule], n)
        reachable.add_metric([], 1)
        yield from (outbox, last_scan, flags, reachable)


def _families() -> tuple[GaugeMetricFamily, ...]:
    return (
        GaugeMetricFamily(
            "tracker_outbox_messages",
            "Alert outbox messages by channel and delivery status",
            labels=["channel", "status"],
        ),
        GaugeMetricFamily(
            "tracker_last_scan_timestamp_seconds", "When the latest recorded stall scan finished (Unix time)"
        ),
        GaugeMetricFamily("tracker_flags_unresolved", "Unresolved stall flags by rule", labels=["rule"]),
        GaugeMetricFamily("tracker_database_up", "1 when this scrape could read the database, else 0"),
    )


def install(app: Flask) -> None:
    """Count every request (registered first, so the clock starts before any other hook) and serve /metrics."""
    if os.environ.get(MULTIPROCESS_DIR):
        os.makedirs(os.environ[MULTIPROCESS_DIR], exist_ok=True)
    app.extensions["metrics"] = RequestMetrics()
    app.before_request(_start_clock)
    app.after_request(_count)
    app.register_blueprint(blp)


def _start_clock() -> None:
    g.metrics_started = time.perf_counter()


def _count(response: Response) -> Response:
    metrics: RequestMetrics = current_app.extensions["metrics"]
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
    method = request.method if request.method in METHODS else "other"
    metrics.requests.labels(route, method, str(response.status_code)).inc()
    if "metrics_started" in g:
        metrics.latency.labels(route, method).observe(time.perf_counter() - g.metrics_started)
    return response


@blp.get("/metrics")
def exposition():
    """Every worker's request counts and the database's gauges, in Prometheus' text format."""
    registry = current_app.extensions["metrics"].registry
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        registry.register(DatabaseCollector())
    # the text format 0.0.4 unless the scraper asks for OpenMetrics or a later text version
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encode(registry), content_type=content_type)
