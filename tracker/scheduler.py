"""The scheduler: scans on SCAN_CRON (UTC) and outbox delivery every minute.

It runs as its own process (`flask --app tracker scheduler`), or, with SCHEDULER_ENABLED, as a
background thread of a web process. Any number of them may run against one database:
APScheduler's job store is per process, so a scan slot is claimed in the database instead
(see claim_slot), and delivery takes each outbox message under a lock (tracker/alerts/outbox.py).
"""

import functools
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import click
import sqlalchemy as sa
import sqlalchemy.orm as so
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext

from tracker.db import utcnow
from tracker.extensions import db
from tracker.flags.models import SchedulerClaim

log = logging.getLogger(__name__)

# A run that starts later than this after its slot is skipped (APScheduler's misfire grace).
# It is also how far back a job looks for the slot it is running, so both agree.
SCAN_GRACE = timedelta(minutes=30)
PROCESS = f"{socket.gethostname()}:{os.getpid()}"


def scheduled(job: str) -> Callable:
    """Run the decorated `job(session, config, **kwargs)` with a session of its own, attributed to
    the scheduler; log its outcome and any failure (a failed run must not stop the scheduler)."""

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(app: Flask, **kwargs):
            started = time.perf_counter()
            with app.app_context():
                session = db.new_session()
                session.info["source"] = "scheduler"
                session.info["actor_email"] = f"scheduler:{PROCESS}"
                try:
                    result = func(session, app.config, **kwargs)
                except Exception:
                    session.rollback()
                    log.exception("%s failed after %.0f ms", job, (time.perf_counter() - started) * 1000)
                    return None
                finally:
                    session.close()
            log.info("%s done in %.0f ms: %s", job, (time.perf_counter() - started) * 1000, result)
            return result

        return run

    return decorate


def claim_slot(session: so.Session, *, job: str, slot: datetime) -> bool:
    """Insert (job, slot) under its unique key: True for the one process whose insert wins.

    Not committed here: the claim commits with the job's own transaction, so a run that fails
    leaves the slot to a process still waiting on it (PostgreSQL holds the second insert until
    the first transaction ends; SQLite holds the second writer behind its write lock).
    """
    session.add(SchedulerClaim(job=job, slot=slot, claimed_by=PROCESS))
    try:
        session.flush()
    except sa.exc.IntegrityError:
        session.rollback()
        return False
    return True


def scan_trigger(config) -> CronTrigger:
    """SCAN_CRON, a crontab line (minute hour day month weekday), in UTC; ValueError when malformed."""
    return crontab_trigger(config["SCAN_CRON"])


def crontab_trigger(line: str) -> CronTrigger:
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"a crontab line has 5 fields (minute hour day month weekday), not {line!r}")
    minute, hour, day, month, weekday = fields
    # not CronTrigger.from_crontab: in APScheduler 3 it reads weekday numbers as 0 = Monday,
    # so the crontab "1-5" (Monday to Friday) would run Tuesday to Saturday
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=_crontab_weekdays(weekday), timezone=UTC
    )


CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbers them 0 (and 7) to 6


def _crontab_weekdays(field: str) -> str:
    """A crontab weekday field (numbers, names, ranges, steps) as the day names it matches."""
    if field == "*":
        return field
    days = set()
    for part in field.lower().split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first, last = (_crontab_day(end) for end in span.split("-", 1))
        else:
            first = last = _crontab_day(span)
            last = 6 if step else last  # "1/2": from Monday on, every second day
        if first > last or not (step or "1").isdigit() or int(step or 1) < 1:
            raise ValueError(f"bad weekday {part!r} in the crontab line")
        days.update(day % 7 for day in range(first, last + 1, int(step or 1)))
    return ",".join(CRONTAB_DAYS[day] for day in sorted(days))


def _crontab_day(token: str) -> int:
    if token[:3] in CRONTAB_DAYS:
        return CRONTAB_DAYS.index(token[:3])
    if token.isdigit() and int(token) <= 7:
        return int(token)
    raise ValueError(f"bad weekday {token!r} in the crontab line")


def latest_slot(trigger: CronTrigger, now: datetime, grace: timedelta = SCAN_GRACE) -> datetime | None:
    """The last fire time of `trigger` at or before `now`, looking back at most `grace`.

    Every process computes the same slot for the same run, whatever its own small delay."""
    slot = None
    fire_time = trigger.get_next_fire_time(None, now - grace)
    while fire_time is not None and fire_time <= now:
        slot = fire_time
        fire_time = trigger.get_next_fire_time(fire_time, fire_time)
    return slot


def _scheduled_scan(app: Flask) -> None:
    from tracker.flags.scheduled import scan_slot

    slot = latest_slot(scan_trigger(app.config), utcnow())
    if slot is None:
        log.warning("scan job ran more than %s after its slot: skipped", SCAN_GRACE)
        return
    scan_slot(app, slot=slot)


def _scheduled_delivery(app: Flask) -> None:
    from tracker.alerts.scheduled import deliver_outbox

    deliver_outbox(app)


def build_scheduler(app: Flask, scheduler: BaseScheduler) -> BaseScheduler:
    """Add the jobs to `scheduler` (blocking in its own process, background in a web process)."""
    scheduler.configure(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(
        _scheduled_scan,
        scan_trigger(app.config),
        args=[app],
        id="scan",
        name=f"stall scan ({app.config['SCAN_CRON']} UTC)",
        misfire_grace_time=int(SCAN_GRACE.total_seconds()),
    )
    scheduler.add_job(
        _scheduled_delivery,
        IntervalTrigger(minutes=1, timezone=UTC),
        args=[app],
        id="deliver",
        name="outbox delivery (every minute)",
        misfire_grace_time=50,
    )
    return scheduler


def start_in_web_process(app: Flask, asked: bool) -> BackgroundScheduler | None:
    """SCHEDULER_ENABLED: a background scheduler in the process that serves requests.

    Never in a flask command other than `run`, never in the reloader's watching parent, never in
    tests unless their settings ask for it.
    """
    if not app.config["SCHEDULER_ENABLED"] or (app.testing and not asked) or not _serves_requests():
        return None
    scheduler = build_scheduler(app, BackgroundScheduler(daemon=True))
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    log.info("background scheduler started in %s: %s", PROCESS, ", ".join(job.name for job in scheduler.get_jobs()))
    return scheduler


def _serves_requests() -> bool:
    from flask.helpers import get_debug_flag
    from werkzeug.serving import is_running_from_reloader

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True  # a WSGI server (gunicorn) importing the app
    if ctx.info_name != "run":
        return False  # db upgrade, scan, deliver, scheduler ...
    reload = ctx.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    return not reload or is_running_from_reloader()


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler in this process: scans on SCAN_CRON (UTC), outbox delivery every minute."""
    app = current_app._get_current_object()
    scheduler = build_scheduler(app, BlockingScheduler())
    # SIGTERM (docker stop, systemd) stops it like Ctrl-C
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        for job in scheduler.get_jobs():
            click.echo(f"scheduled: {job.name}")
        click.echo(f"scheduler running as {PROCESS}; Ctrl-C or SIGTERM stops it")
        scheduler.start()
    except KeyboardInterrupt:
        if scheduler.running:
            scheduler.shutdown(wait=True)  # a running scan or delivery finishes first
    click.echo("scheduler stopped")
