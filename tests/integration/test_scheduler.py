"""The scheduler: one scan per slot however many scheduler processes run (real subprocesses
against one database, SQLite or PostgreSQL), the jobs it schedules, the process it runs as, and
the background scheduler of a web process."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from tests.factories import ProjectFactory, UserFactory
from tests.integration import mail
from tracker import create_app
from tracker.alerts.models import OutboxMessage
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.flags.models import Flag, ScanRun, SchedulerClaim
from tracker.flags.scheduled import scan_slot
from tracker.scheduler import _scheduled_delivery, _scheduled_scan, build_scheduler, crontab_trigger, latest_slot

smtp = mail.smtp  # the fixture


def today_at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(datetime.now(UTC).date(), clock(hour, minute), UTC)


def stalled_pilots(*owner_emails: str) -> None:
    """One pilot per owner, 200 days in pilot with no KPI and no rollout budget: three flags each."""
    for number, email in enumerate(owner_emails):
        owner = UserFactory(email=email, name=email.split("@")[0].title())
        ProjectFactory(
            key=f"PILOT-{number:02d}",
            owner=owner,
            stage="pilot",
            stage_entered_at=date.today() - timedelta(days=200),
        )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# Each racer imports the app, then waits for the others, so the claims meet within milliseconds.
RACER = """
import sys, time
from datetime import datetime
from pathlib import Path
from tracker import create_app
from tracker.alerts.scheduled import deliver_outbox
from tracker.flags.scheduled import scan_slot

slot, gate, me, racers = datetime.fromisoformat(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
app = create_app()
(gate / me).touch()
while len(list(gate.iterdir())) < racers:
    time.sleep(0.005)
print(scan_slot(app, slot=slot))
print(deliver_outbox(app))
"""


def test_two_scheduler_processes_racing_on_one_slot_make_one_scan_and_one_email_per_owner(app, smtp, tmp_path):
    stalled_pilots("ana@city.example", "ben@city.example")
    env = {
        **{k: v for k, v in os.environ.items() if k != "SCHEDULER_ENABLED"},
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "MAIL_FROM": "ai@city.example",
        "CAIO_EMAIL": "",
        "ALERT_WEBHOOK_URL": "",
    }
    gate = tmp_path / "gate"
    gate.mkdir()
    slot = today_at(6)

    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, slot.isoformat(), str(gate), f"racer{n}", "2"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]

    assert [racer.returncode for racer in racers] == [0, 0], outputs
    said = sorted(out.splitlines()[0] for out, _ in outputs)
    assert said[0] == f"slot {slot.isoformat()} already claimed by another process"
    assert said[1].startswith(f"slot {slot.isoformat()}: scan ")
    assert "6 opened" in said[1]
    runs = db.session.scalars(sa.select(ScanRun)).all()
    assert [(run.as_of, run.trigger) for run in runs] == [(slot.date(), "scheduler")]
    assert count(SchedulerClaim) == 1
    assert count(Flag) == 6
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["ana@city.example", "ben@city.example"]
    assert all(len(r.message.get_body(preferencelist=("plain",)).get_content()) > 0 for r in smtp.received)
    assert db.session.scalars(sa.select(OutboxMessage.status)).all() == ["sent", "sent"]


def test_a_slot_already_run_is_not_run_again_in_the_same_process(app, app_context):
    stalled_pilots("ana@city.example")
    slot = today_at(6)

    first = scan_slot(app, slot=slot)
    second = scan_slot(app, slot=slot)

    assert first.startswith(f"slot {slot.isoformat()}: scan ")
    assert second == f"slot {slot.isoformat()} already claimed by another process"
    assert count(ScanRun) == 1
    claim = db.session.scalars(sa.select(SchedulerClaim)).one()
    assert (claim.job, claim.slot) == ("scan", slot)
    assert claim.claimed_by.endswith(f":{os.getpid()}")


def test_a_failed_scan_leaves_its_slot_unclaimed_and_is_logged(app, app_context, caplog):
    stalled_pilots("ana@city.example")
    assert scan_slot(app, slot=today_at(6)).startswith("slot ")
    yesterday = today_at(6) - timedelta(days=1)

    # a real scan may not go back before the last one's as_of: this run fails (409 Conflict)
    assert scan_slot(app, slot=yesterday) is None

    assert "scan failed" in caplog.text
    assert "would go back in time" in caplog.text
    assert db.session.scalars(sa.select(SchedulerClaim.slot)).all() == [today_at(6)]
    assert count(ScanRun) == 1


def test_the_scheduled_jobs_write_as_the_scheduler(app, app_context, smtp):
    stalled_pilots("ana@city.example")
    app.config["SCAN_CRON"] = "* * * * *"  # a slot every minute: the job always finds the current one

    _scheduled_scan(app)
    _scheduled_delivery(app)

    run = db.session.scalars(sa.select(ScanRun)).one()
    assert run.trigger == "scheduler"
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "scan")).all()
    assert {(e.source, e.actor_email.split(":")[0]) for e in events} == {("scheduler", "scheduler")}
    assert [r.rcpt_tos for r in smtp.received] == [["ana@city.example"]]


@pytest.mark.parametrize(
    ("cron", "now", "slot"),
    [
        ("0 6 * * *", "2025-03-03T06:00:00", "2025-03-03T06:00:00"),
        ("0 6 * * *", "2025-03-03T06:00:07.5", "2025-03-03T06:00:00"),
        ("0 6 * * *", "2025-03-03T06:29:59", "2025-03-03T06:00:00"),
        ("0 6 * * *", "2025-03-03T06:31:00", None),  # later than the grace: no slot
        ("0 6 * * *", "2025-03-03T05:59:59", None),
        ("*/5 * * * *", "2025-03-03T06:07:00", "2025-03-03T06:05:00"),
        ("30 5 * * 1-5", "2025-03-03T05:30:01", "2025-03-03T05:30:00"),  # a Monday
    ],
)
def test_a_job_runs_the_latest_slot_of_its_cron_within_the_grace(cron, now, slot):
    found = latest_slot(crontab_trigger(cron), datetime.fromisoformat(now).replace(tzinfo=UTC))
    assert found == (datetime.fromisoformat(slot).replace(tzinfo=UTC) if slot else None)


def test_the_scheduler_scans_on_scan_cron_in_utc_and_delivers_every_minute(app):
    app.config["SCAN_CRON"] = "30 5 * * 1-5"

    scheduler = build_scheduler(app, BackgroundScheduler())
    scheduler.start(paused=True)  # the job defaults apply from the start; paused, nothing runs
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)

    assert set(jobs) == {"scan", "deliver"}
    friday_evening = datetime(2025, 3, 7, 20, 0, tzinfo=UTC)
    assert jobs["scan"].trigger.get_next_fire_time(None, friday_evening) == datetime(2025, 3, 10, 5, 30, tzinfo=UTC)
    assert jobs["deliver"].trigger.interval == timedelta(minutes=1)
    assert jobs["scan"].max_instances == 1
    assert jobs["scan"].coalesce is True


def test_the_default_scan_cron_is_daily_at_six_utc(app):
    jobs = {job.id: job for job in build_scheduler(app, BackgroundScheduler()).get_jobs()}
    morning = datetime(2025, 3, 3, 6, 0, 1, tzinfo=UTC)
    assert jobs["scan"].trigger.get_next_fire_time(None, morning) == datetime(2025, 3, 4, 6, 0, tzinfo=UTC)


def test_a_web_process_runs_a_background_scheduler_only_when_enabled_and_never_in_tests_unasked(
    app, monkeypatch, tmp_path
):
    url = app.config["DATABASE_URL"]
    asked = create_app({"DATABASE_URL": url, "TESTING": True, "SCHEDULER_ENABLED": True})
    try:
        scheduler = asked.extensions["scheduler"]
        assert scheduler.running
        assert {job.id for job in scheduler.get_jobs()} == {"scan", "deliver"}
    finally:
        asked.extensions["scheduler"].shutdown(wait=False)

    monkeypatch.setenv("SCHEDULER_ENABLED", "true")
    unasked = create_app({"DATABASE_URL": url, "TESTING": True})
    assert unasked.config["SCHEDULER_ENABLED"] is True
    assert "scheduler" not in unasked.extensions
    assert "scheduler" not in app.extensions


def test_flask_scheduler_runs_as_its_own_process_until_sigterm(app, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "SCHEDULER_ENABLED"},
        "DATABASE_URL": app.config["DATABASE_URL"],
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "tracker", "scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("scheduler running") or not line:
            break
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=30)
    output = "".join(lines) + rest

    assert process.returncode == 0, output
    assert "scheduled: stall scan (0 6 * * * UTC)" in output
    assert "scheduled: outbox delivery (every minute)" in output
    assert "scheduler stopped" in output
