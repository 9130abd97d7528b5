"""The production shape on one PostgreSQL database: two gunicorn web instances (gunicorn.conf.py)
and two `flask scheduler` processes. Data written through one instance is read through the
other; both schedulers fire on the same SCAN_CRON slot, one scan runs, and each owner gets one
alert, delivered over real SMTP."""

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.factories import UserFactory
from tests.integration import mail
from tracker.alerts.models import OutboxMessage
from tracker.auth import issue_token
from tracker.extensions import db
from tracker.flags.models import Flag, ScanRun, SchedulerClaim

pytestmark = pytest.mark.postgres_only

REPO = Path(__file__).resolve().parents[2]
smtp = mail.smtp  # the fixture


class Web:
    """A gunicorn instance on a loopback port, configured by gunicorn.conf.py."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process, self.port, self.log = process, port, log

    def call(self, method: str, path: str, token: str | None = None, body: dict | None = None) -> tuple[int, object]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, json.loads(data) if data else None

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            with contextlib.suppress(OSError):
                if self.call("GET", "/health/ready")[0] == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"gunicorn on {self.port} not ready: {self.log.read_text()}")


class Processes:
    """Processes whose output goes to log files, all stopped together (SIGTERM, then SIGKILL) on exit."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []
        self.logs = []

    def start(self, command: list[str], env: dict, log: Path) -> subprocess.Popen:
        out = log.open("w")
        self.logs.append(out)
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.running.append(process)
        return process

    def __enter__(self) -> "Processes":
        return self

    def __exit__(self, *exc) -> None:
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for out in self.logs:
            out.close()


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def count(model, *where) -> int:
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_two_web_instances_and_two_schedulers_on_one_database_make_one_scan_per_slot_and_one_alert_per_owner(
    app, session, smtp, tmp_path
):
    tokens = {}
    for email, role in (
        ("admin@city.example", "admin"),
        ("ana@city.example", "manager"),
        ("ben@city.example", "manager"),
    ):
        user = UserFactory(email=email, name=email.split("@")[0].title(), role=role)
        tokens[email.split("@")[0]] = issue_token(session, user)[1]
    session.commit()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("SCHEDULER_ENABLED", "GUNICORN_BIND", "GUNICORN_APP")},
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SCAN_CRON": "* * * * *",  # every minute: the test meets a slot within a minute
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_STARTTLS": "false",
        "MAIL_FROM": "ai-portfolio@city.example",
        "CAIO_EMAIL": "caio@city.example",
        "ALERT_WEBHOOK_URL": "",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_PRELOAD": "true",  # one import per instance, forked: post_fork gives each worker its own pool
        "GUNICORN_THREADS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    flask = [sys.executable, "-m", "flask", "--app", "tracker"]

    with Processes() as processes:
        webs = []
        for name in ("a", "b"):
            port = mail.free_port()
            web_env = {
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_ACCESS_LOG": str(tmp_path / f"access-{name}.log"),
            }
            log = tmp_path / f"web-{name}.log"
            webs.append(
                Web(
                    processes.start([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], web_env, log),
                    port,
                    log,
                )
            )
        schedulers = [processes.start([*flask, "scheduler"], env, tmp_path / f"scheduler-{n}.log") for n in (1, 2)]
        for web in webs:
            web.wait_ready()
        a, b = webs

        # Stalled pilots written through one instance and read through the other. A slot that
        # comes before both exist scans a smaller portfolio; the next slot finds the rest.
        entered = (datetime.now(UTC).date() - timedelta(days=200)).isoformat()
        created = {}
        for owner, web in (("ana", a), ("ben", b)):
            status, body = web.call(
                "POST",
                "/api/v1/projects",
                tokens[owner],
                {"key": f"PILOT-{owner.upper()}", "title": f"{owner.title()}'s traffic pilot", "domain": "mobility",
                 "ai_type": "computer_vision", "stage": "pilot", "stage_entered_at": entered},
            )  # fmt: skip
            assert status == 201, body
            created[owner] = body
        for owner, other in (("ana", b), ("ben", a)):
            assert other.call("GET", f"/api/v1/projects/{created[owner]['id']}", tokens["admin"]) == (
                200,
                created[owner],
            )
        status, listed = a.call("GET", "/api/v1/projects?stage=pilot", tokens["admin"])
        assert status == 200
        assert sorted(p["key"] for p in listed) == ["PILOT-ANA", "PILOT-BEN"]

        wait_for(lambda: count(OutboxMessage) >= 2, 150, "a scheduled scan queueing both owners' alerts")
        outcomes = wait_for(lambda: slots_both_ran(tmp_path), 60, "a slot both schedulers ran")
        # `flask deliver` here, racing the schedulers' own minute job: each message goes once
        delivered = app.test_cli_runner().invoke(args=["deliver"])
        assert delivered.exit_code == 0, delivered.output
        wait_for(lambda: len(smtp.received) >= 2, 30, "the alerts")
        time.sleep(1)  # room for a wrong second copy to arrive
        assert all(process.poll() is None for process in schedulers), "a scheduler died"
        scan_status, scans = b.call("GET", "/api/v1/scans", tokens["admin"])
        flag_status, ana_flags = a.call("GET", f"/api/v1/flags?owner={created['ana']['owner_id']}", tokens["ana"])

    # every slot both schedulers fired for was scanned by exactly one of them
    assert all(sorted(pair) == ["already claimed", "scanned"] for pair in outcomes.values()), outcomes
    with db.engine.connect() as connection:
        runs = connection.execute(sa.select(ScanRun.as_of, ScanRun.trigger)).all()
    assert count(SchedulerClaim, SchedulerClaim.job == "scan") == len(runs) >= 1  # one scan per claimed slot
    assert {trigger for _, trigger in runs} == {"scheduler"}
    assert count(Flag) == 8  # each pilot: pilot_purgatory, no_scale_budget, no_kpis, risk_unassessed
    assert scan_status == 200
    assert len(scans) == len(runs)
    assert flag_status == 200
    assert sorted(f["rule"] for f in ana_flags) == ["no_kpis", "no_scale_budget", "pilot_purgatory", "risk_unassessed"]
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["ana@city.example", "ben@city.example"]
    assert all("PILOT-" in r.message.get_body(preferencelist=("plain",)).get_content() for r in smtp.received)
    assert count(OutboxMessage) == count(OutboxMessage, OutboxMessage.status == "sent") == 2


SLOT_OUTCOME = re.compile(r"scan done in \d+ ms: slot (\S+?)(: scan \d+ as of| already claimed by another process)")


def slots_both_ran(folder: Path) -> dict[str, list[str]] | None:
    """slot -> each scheduler's outcome ("scanned", "already claimed"), for the slots both logged."""
    per_process = []
    for log in sorted(folder.glob("scheduler-*.log")):
        per_process.append(
            {
                m.group(1): "scanned" if m.group(2).startswith(": scan") else "already claimed"
                for m in SLOT_OUTCOME.finditer(log.read_text())
            }
        )
    common = set(per_process[0]).intersection(*per_process[1:])
    return {slot: [outcomes[slot] for outcomes in per_process] for slot in sorted(common)} or None
