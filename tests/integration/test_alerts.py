"""Alert digests as owners and the CAIO office receive them, through a real SMTP server (aiosmtpd)
and a real local webhook receiver. Flags come from the factories; each "scan" here is the alerting
step of a scan (a recorded ScanRun and queue_alerts), so these tests pin the digest semantics."""

import hashlib
import hmac
import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import (
    BudgetLineFactory,
    FlagFactory,
    KpiFactory,
    MeasurementFactory,
    OutcomeKpiFactory,
    ProjectFactory,
    UserFactory,
)
from tests.integration import mail
from tracker.alerts.digest import queue_alerts
from tracker.alerts.models import OutboxMessage
from tracker.alerts.outbox import deliver_due
from tracker.db import utcnow
from tracker.extensions import db
from tracker.flags import rules
from tracker.flags.models import Flag, ScanRun
from tracker.projects.models import Project

DAY0 = date(2025, 3, 3)
smtp, webhook_receiver, self_signed_cert = mail.smtp, mail.webhook_receiver, mail.self_signed_cert  # fixtures


@pytest.fixture
def config(app, smtp):
    app.config.update(REMIND_DAYS=7, ESCALATE_DAYS=30, CAIO_EMAIL="", ALERT_WEBHOOK_URL="", MAIL_FROM="ai@city.example")
    return app.config


def alert(session, config, as_of: date) -> int:
    """The alerting step of a real scan as of `as_of`, committed, then the outbox delivered."""
    scan = ScanRun(as_of=as_of, trigger="cli")
    session.add(scan)
    session.flush()
    queued = queue_alerts(session, scan=scan, as_of=as_of, config=config)
    session.commit()
    deliver_due(session, now=utcnow(), config=config)
    return queued


def sections(message) -> dict[str, list[str]]:
    """Heading -> project keys listed under it, read from the plain-text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    found, heading = {}, None
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if number + 1 < len(lines) and lines[number + 1].startswith("===") and line.strip():
            heading = line
            found[heading] = []
        elif line.startswith("* ") and heading:
            found[heading].append(line[2:].split(" - ")[0])
    return found


def subject(message) -> str:
    # Python's generator may fold a Subject that fits on no first line as "Subject:<CRLF> text";
    # RFC 5322 unfolding keeps that leading space, which mail clients (and we) drop.
    return message["Subject"].strip()


def owner_with_flags(name: str, email: str, *keys: str, **flag_fields) -> tuple:
    owner = UserFactory(name=name, email=email)
    flags = [FlagFactory(project=ProjectFactory(key=key, owner=owner), **flag_fields) for key in keys]
    return owner, flags


def test_each_owner_gets_one_digest_listing_their_new_flags(session, config, smtp):
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", "MOB-02", opened_at=DAY0)
    owner_with_flags("Ben Cole", "ben@city.example", "SAF-01", opened_at=DAY0)

    assert alert(session, config, DAY0) == 2

    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["ana@city.example", "ben@city.example"]
    [ana] = smtp.to("ana@city.example")
    assert ana["To"] == "Ana Ruiz <ana@city.example>"
    assert ana["From"] == "AI Portfolio Tracker <ai@city.example>"
    assert subject(ana) == "AI portfolio stall flags: 2 new - 2 projects"
    assert sections(ana) == {"Newly flagged": ["MOB-01", "MOB-02"]}
    [ben] = smtp.to("ben@city.example")
    assert subject(ben).startswith("AI portfolio stall flags: 1 new - SAF-01 ")
    assert sections(ben) == {"Newly flagged": ["SAF-01"]}
    stored = session.query(OutboxMessage).filter_by(recipient="ben@city.example").one()
    assert ben["Message-ID"] == stored.message_id
    assert stored.status == "sent"


def test_the_email_explains_the_rule_gives_the_numbers_and_links_the_action_page_not_the_api(session, config, smtp):
    details = {"stage": "pilot", "stage_entered_on": "2024-08-31", "days_in_stage": 184, "max_days": 180}
    _, [flag] = owner_with_flags(
        "Ana Ruiz", "ana@city.example", "MOB-01", rule="pilot_purgatory", opened_at=DAY0, details=details
    )

    alert(session, config, DAY0)

    [message] = smtp.received
    text = message.message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.message.get_body(preferencelist=("html",)).get_content()
    explanation = rules.explain("pilot_purgatory", details)
    assert explanation.startswith("In pilot for 184 days (since 2024-08-31), longer than the 180 days allowed")
    assert f"* MOB-01 - {flag_title(session, flag)}\n  {explanation}\n  rule: pilot_purgatory\n" in text
    for line in ("days in stage: 184", "max days: 180", "stage entered on: 2024-08-31", "flagged since 2025-03-03"):
        assert f"\n  {line}\n" in text
    [link] = re.findall(r"Acknowledge or snooze it: (http://tracker\.test/alerts/act/\S+)\n", text)
    assert f'<p><a href="{link}">Acknowledge or snooze it</a></p>' in html
    assert f"<p>{explanation}</p>" in html
    assert '<tr><th style="text-align: left">days in stage</th><td>184</td></tr>' in html
    # no link a person cannot open: the API answers 401 in a browser; no "POST to its URL" either
    assert "/api/v1/" not in text and "/api/v1/" not in html
    assert "POST" not in text and "POST" not in html


def flag_title(session, flag) -> str:
    return session.get(Project, session.get(Flag, flag.id).project_id).title


def test_open_flags_are_reminded_after_remind_days_and_not_before(session, config, smtp):
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0)
    alert(session, config, DAY0)

    assert alert(session, config, DAY0 + timedelta(days=6)) == 0
    assert alert(session, config, DAY0 + timedelta(days=7)) == 1
    assert alert(session, config, DAY0 + timedelta(days=13)) == 0
    assert alert(session, config, DAY0 + timedelta(days=14)) == 1

    subjects = [subject(m) for m in smtp.to("ana@city.example")]
    assert [s.split(" - ")[0] for s in subjects] == [
        "AI portfolio stall flags: 1 new",
        "AI portfolio stall flags: 1 still open",
        "AI portfolio stall flags: 1 still open",
    ]
    assert sections(smtp.received[1].message) == {"Still open (reminder)": ["MOB-01"]}


def test_acknowledged_flags_get_no_reminders(session, config, smtp):
    _, [acknowledged, _] = owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", "MOB-02", opened_at=DAY0)
    alert(session, config, DAY0)
    session.get(Flag, acknowledged.id).status = "acknowledged"
    session.commit()

    alert(session, config, DAY0 + timedelta(days=7))

    assert [sections(m) for m in smtp.to("ana@city.example")] == [
        {"Newly flagged": ["MOB-01", "MOB-02"]},
        {"Still open (reminder)": ["MOB-02"]},
    ]


def test_snoozed_flags_get_no_reminder_until_their_date(session, config, smtp):
    _, [flag] = owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0)
    alert(session, config, DAY0)
    snoozed = session.get(Flag, flag.id)
    snoozed.status, snoozed.snoozed_until = "snoozed", DAY0 + timedelta(days=20)
    session.commit()

    assert alert(session, config, DAY0 + timedelta(days=7)) == 0
    assert alert(session, config, DAY0 + timedelta(days=14)) == 0
    # the scan as of the snooze date opens it again (tracker/flags/scan.py); then it is due
    snoozed.status = "open"
    session.commit()
    assert alert(session, config, DAY0 + timedelta(days=20)) == 1

    assert [sections(m) for m in smtp.to("ana@city.example")] == [
        {"Newly flagged": ["MOB-01"]},
        {"Still open (reminder)": ["MOB-01"]},
    ]


def test_a_resolved_flag_is_reported_once(session, config, smtp):
    _, [flag, _] = owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", "MOB-02", opened_at=DAY0)
    alert(session, config, DAY0)
    resolved = session.get(Flag, flag.id)
    resolved.status, resolved.resolved_at = "resolved", DAY0 + timedelta(days=3)
    session.commit()

    alert(session, config, DAY0 + timedelta(days=3))
    alert(session, config, DAY0 + timedelta(days=4))
    alert(session, config, DAY0 + timedelta(days=7))

    assert [sections(m) for m in smtp.to("ana@city.example")] == [
        {"Newly flagged": ["MOB-01", "MOB-02"]},
        {"Resolved since the last digest": ["MOB-01"]},
        {"Still open (reminder)": ["MOB-02"]},
    ]
    assert session.get(Flag, flag.id).resolution_alerted is True


def test_one_digest_holds_new_reminded_and_resolved_flags_in_that_order(session, config, smtp):
    owner = UserFactory(name="Ana Ruiz", email="ana@city.example")
    FlagFactory(project=ProjectFactory(key="A-NEW", owner=owner), opened_at=DAY0)
    FlagFactory(
        project=ProjectFactory(key="B-OLD", owner=owner),
        opened_at=DAY0 - timedelta(days=7),
        last_alerted_on=DAY0 - timedelta(days=7),
    )
    FlagFactory(
        project=ProjectFactory(key="C-DONE", owner=owner),
        status="resolved",
        opened_at=DAY0 - timedelta(days=7),
        resolved_at=DAY0,
        last_alerted_on=DAY0 - timedelta(days=7),
    )

    assert alert(session, config, DAY0) == 1

    [message] = smtp.received
    assert subject(message.message) == "AI portfolio stall flags: 1 new, 1 still open, 1 resolved - 3 projects"
    assert sections(message.message) == {
        "Newly flagged": ["A-NEW"],
        "Still open (reminder)": ["B-OLD"],
        "Resolved since the last digest": ["C-DONE"],
    }


def test_flags_open_longer_than_escalate_days_reach_the_caio_once_in_one_digest(session, config, smtp):
    config["CAIO_EMAIL"] = "caio@city.example"
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0)
    _, [acknowledged] = owner_with_flags("Ben Cole", "ben@city.example", "SAF-01", opened_at=DAY0)
    owner_with_flags("Cy Dunn", "cy@city.example", "ENV-01", opened_at=DAY0 + timedelta(days=1))
    alert(session, config, DAY0)
    session.get(Flag, acknowledged.id).status = "acknowledged"  # acknowledging does not stop escalation
    session.commit()

    alert(session, config, DAY0 + timedelta(days=30))  # exactly 30 days: not yet
    assert smtp.to("caio@city.example") == []
    alert(session, config, DAY0 + timedelta(days=31))
    alert(session, config, DAY0 + timedelta(days=32))

    [first, second] = smtp.to("caio@city.example")
    assert subject(first) == "AI portfolio stall flags: 2 escalated - 2 projects"
    assert sections(first) == {"Escalated: unresolved too long": ["MOB-01", "SAF-01"]}
    text = first.get_body(preferencelist=("plain",)).get_content()
    assert "Ana Ruiz <ana@city.example>" in text
    assert "Ben Cole <ben@city.example>" in text
    assert sections(second) == {"Escalated: unresolved too long": ["ENV-01"]}
    escalated = session.query(Flag.escalated_on).order_by(Flag.id).all()
    assert [row.escalated_on for row in escalated] == [DAY0 + timedelta(days=31)] * 2 + [DAY0 + timedelta(days=32)]


def test_without_caio_email_nothing_is_escalated_or_marked(session, config, smtp):
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0 - timedelta(days=60))

    alert(session, config, DAY0)

    assert [m.rcpt_tos for m in smtp.received] == [["ana@city.example"]]
    assert session.query(Flag).one().escalated_on is None


def test_queueing_the_same_scan_twice_sends_nothing_new(session, config, smtp):
    config["CAIO_EMAIL"] = "caio@city.example"
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0 - timedelta(days=40))
    scan = ScanRun(as_of=DAY0, trigger="cli")
    session.add(scan)
    session.flush()

    assert queue_alerts(session, scan=scan, as_of=DAY0, config=config) == 2
    assert queue_alerts(session, scan=scan, as_of=DAY0, config=config) == 0
    session.commit()
    deliver_due(session, now=utcnow(), config=config)
    deliver_due(session, now=utcnow(), config=config)

    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["ana@city.example", "caio@city.example"]


def test_nothing_to_say_queues_no_message(session, config, smtp):
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0, last_alerted_on=DAY0)

    assert alert(session, config, DAY0 + timedelta(days=3)) == 0

    assert session.query(OutboxMessage).count() == 0
    assert smtp.received == []


def test_korean_and_accented_names_and_titles_arrive_intact(session, config, smtp):
    owner = UserFactory(name="김민준 (Zoë Müller)", email="minjun@city.example")
    FlagFactory(
        project=ProjectFactory(key="SEOUL-TRAFFIC-01", title="서울 교통 신호 최적화 — café", owner=owner),
        opened_at=DAY0,
    )

    alert(session, config, DAY0)

    [received] = smtp.received
    raw_headers = received.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers travel as ASCII
    assert "=?utf-8?" in raw_headers
    message = received.message
    assert subject(message) == "AI portfolio stall flags: 1 new - SEOUL-TRAFFIC-01 서울 교통 신호 최적화 — café"
    assert message["To"].addresses[0].display_name == "김민준 (Zoë Müller)"
    assert message["To"].addresses[0].addr_spec == "minjun@city.example"
    text = message.get_body(preferencelist=("plain",))
    assert text.get_content_charset() == "utf-8"
    assert "Hello 김민준 (Zoë Müller)," in text.get_content()
    assert "서울 교통 신호 최적화 — café" in message.get_body(preferencelist=("html",)).get_content()


def test_project_text_is_escaped_in_the_html_part(session, config, smtp):
    owner = UserFactory(name="Ana <b>Ruiz</b>", email="ana@city.example")
    FlagFactory(project=ProjectFactory(key="MOB-01", title='<script>alert("x")</script>', owner=owner), opened_at=DAY0)

    alert(session, config, DAY0)

    html = smtp.received[0].message.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in html


def test_starttls_and_login_are_used_when_configured(session, config, smtp, self_signed_cert, monkeypatch):
    cert, key = self_signed_cert
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # the client trusts the test certificate, and verifies it
    smtp.stop()
    smtp.credentials, smtp.tls_context = ("tracker", "s3cret"), mail.server_tls_context(cert, key)
    smtp.start()
    config.update(SMTP_STARTTLS=True, SMTP_USERNAME="tracker", SMTP_PASSWORD="s3cret")
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0)

    alert(session, config, DAY0)

    assert smtp.logins == ["tracker"]
    assert [r.rcpt_tos for r in smtp.received] == [["ana@city.example"]]


def test_a_wrong_smtp_password_is_a_visible_failed_attempt(session, config, smtp, self_signed_cert, monkeypatch):
    cert, key = self_signed_cert
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    smtp.stop()
    smtp.credentials, smtp.tls_context = ("tracker", "s3cret"), mail.server_tls_context(cert, key)
    smtp.start()
    config.update(SMTP_STARTTLS=True, SMTP_USERNAME="tracker", SMTP_PASSWORD="wrong")
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0)

    alert(session, config, DAY0)

    message = session.query(OutboxMessage).one()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error.startswith("SMTPAuthenticationError: (535")
    assert smtp.received == []


def test_a_server_that_requires_starttls_refuses_a_plain_login(session, config, smtp, self_signed_cert):
    smtp.stop()
    smtp.credentials, smtp.tls_context = ("tracker", "s3cret"), mail.server_tls_context(*self_signed_cert)
    smtp.start()
    config.update(SMTP_STARTTLS=False, SMTP_USERNAME="tracker", SMTP_PASSWORD="s3cret")
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0)

    alert(session, config, DAY0)

    assert session.query(OutboxMessage).one().last_error.startswith("SMTP")
    assert smtp.received == []


def test_each_digest_is_posted_to_the_webhook_signed_over_the_exact_body(session, config, smtp, webhook_receiver):
    config.update(
        ALERT_WEBHOOK_URL=webhook_receiver.url, ALERT_WEBHOOK_SECRET="hook-secret", CAIO_EMAIL="caio@city.example"
    )
    owner_with_flags(
        "김민준",
        "minjun@city.example",
        "SEOUL-01",
        opened_at=DAY0 - timedelta(days=31),
        last_alerted_on=DAY0 - timedelta(days=7),
    )

    alert(session, config, DAY0)

    assert len(webhook_receiver.requests) == 2
    for request in webhook_receiver.requests:
        headers, body = request["headers"], request["body"]
        expected = "sha256=" + hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
        assert headers["X-Tracker-Signature"] == expected
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        assert request["path"] == "/hooks/tracker"
        stored = session.query(OutboxMessage).filter_by(message_id=headers["X-Tracker-Delivery"]).one()
        assert (stored.channel, stored.status) == ("webhook", "sent")
    owner_post, caio_post = (json.loads(r["body"]) for r in webhook_receiver.requests)
    assert owner_post["event"] == "stall_digest"
    assert owner_post["recipient"]["name"] == "김민준"
    [flag] = owner_post["flags"]
    assert (flag["kind"], flag["project"]["key"], flag["rule"]) == ("reminder", "SEOUL-01", "pilot_purgatory")
    assert flag["explanation"]
    assert flag["project"]["url"].startswith("http://tracker.test/api/v1/projects/")
    assert caio_post["event"] == "stall_escalation"
    assert [(f["kind"], f["owner"]["email"]) for f in caio_post["flags"]] == [("escalated", "minjun@city.example")]
    assert len(smtp.received) == 2  # the emails go too


def test_a_webhook_refused_by_its_receiver_is_retried(session, config, smtp, webhook_receiver):
    config.update(ALERT_WEBHOOK_URL=webhook_receiver.url, ALERT_WEBHOOK_SECRET="hook-secret")
    webhook_receiver.status = 503
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0)

    alert(session, config, DAY0)

    hook = session.query(OutboxMessage).filter_by(channel="webhook").one()
    assert (hook.status, hook.attempts, hook.last_error) == (
        "pending",
        1,
        "WebhookRefused: HTTP 503 Service Unavailable",
    )


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://x"])
def test_only_http_and_https_webhook_urls_are_called(session, config, smtp, url):
    config.update(ALERT_WEBHOOK_URL=url, ALERT_WEBHOOK_SECRET="hook-secret")
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0)

    alert(session, config, DAY0)

    hook = session.query(OutboxMessage).filter_by(channel="webhook").one()
    assert hook.status == "pending"
    assert re.match(r"ValueError: ALERT_WEBHOOK_URL must be an http or https URL", hook.last_error)


def test_an_unsigned_webhook_is_never_sent(session, config, smtp, webhook_receiver):
    config.update(ALERT_WEBHOOK_URL=webhook_receiver.url, ALERT_WEBHOOK_SECRET="")
    owner_with_flags("Ana Ruiz", "ana@city.example", "MOB-01", opened_at=DAY0)

    alert(session, config, DAY0)

    assert webhook_receiver.requests == []
    hook = session.query(OutboxMessage).filter_by(channel="webhook").one()
    assert "ALERT_WEBHOOK_SECRET is not set" in hook.last_error


def test_a_portfolio_scanned_on_several_dates_through_the_api_tells_each_owner_exactly_what_changed(
    app, session, smtp, make_caller, caio
):
    """End to end: real scans through POST /api/v1/scans, owners acting through the API, `flask deliver`."""
    app.config.update(CAIO_EMAIL="caio@city.example", MAIL_FROM="ai@city.example", ALERT_WEBHOOK_URL="")
    today = date.today()
    d0 = today - timedelta(days=60)
    ana = make_caller("manager", email="ana@city.example", name="Ana Ruiz")
    ben = make_caller("manager", email="ben@city.example", name="Ben Cole")
    cy = make_caller("manager", email="cy@city.example", name="Cy Dunn")
    # a PoC one day past POC_MAX_DAYS
    ana_poc = ProjectFactory(key="ANA-POC", owner=ana.user, stage="poc", stage_entered_at=d0 - timedelta(days=91))
    # a healthy pilot whose last measurement goes stale (more than STALE_DAYS) by the last scan
    ana_pilot = ProjectFactory(key="ANA-PILOT", owner=ana.user, stage="pilot", stage_entered_at=d0 - timedelta(days=10))
    BudgetLineFactory(project=ana_pilot, stage="rollout")
    MeasurementFactory(kpi=OutcomeKpiFactory(project=ana_pilot), measured_on=d0 - timedelta(days=5))
    # a pilot that reports inputs only, until its owner adds a measured outcome KPI
    ben_pilot = ProjectFactory(key="BEN-PILOT", owner=ben.user, stage="pilot", stage_entered_at=d0 - timedelta(days=20))
    BudgetLineFactory(project=ben_pilot, stage="rollout")
    MeasurementFactory(kpi=KpiFactory(project=ben_pilot, kind="output"), measured_on=d0 - timedelta(days=1))
    cy_poc = ProjectFactory(key="CY-POC", owner=cy.user, stage="poc", stage_entered_at=d0 - timedelta(days=100))
    delivered = []

    def scan_and_deliver(as_of: date) -> int:
        answer = caio.post("/api/v1/scans", json={"as_of": as_of.isoformat()})
        assert answer.status_code == 201, answer.get_json()
        before = len(smtp.received)
        result = app.test_cli_runner().invoke(args=["deliver"])
        assert result.exit_code == 0, result.output
        delivered.append({r.rcpt_tos[0]: sections(r.message) for r in smtp.received[before:]})
        return answer.get_json()["alerts_queued"]

    def flag_of(caller, project) -> int:
        [flag] = caller.get(f"/api/v1/flags?project={project.id}&status=open").get_json()
        return flag["id"]

    queued = [scan_and_deliver(d0)]
    assert ana.post(f"/api/v1/flags/{flag_of(ana, ana_poc)}/acknowledge").status_code == 200
    snoozed = cy.post(
        f"/api/v1/flags/{flag_of(cy, cy_poc)}/snooze",
        json={"until": (today + timedelta(days=5)).isoformat(), "reason": "waiting for the budget committee"},
    )
    assert snoozed.status_code == 200, snoozed.get_json()
    queued.append(scan_and_deliver(d0 + timedelta(days=7)))
    MeasurementFactory(kpi=OutcomeKpiFactory(project=ben_pilot), measured_on=d0 + timedelta(days=7))
    queued.append(scan_and_deliver(d0 + timedelta(days=14)))
    queued.append(scan_and_deliver(d0 + timedelta(days=31)))
    queued.append(scan_and_deliver(today))

    new, reminder, resolved, escalated = (
        "Newly flagged",
        "Still open (reminder)",
        "Resolved since the last digest",
        "Escalated: unresolved too long",
    )
    assert delivered == [
        {
            "ana@city.example": {new: ["ANA-POC"]},
            "ben@city.example": {new: ["BEN-PILOT"]},
            "cy@city.example": {new: ["CY-POC"]},
        },
        {"ben@city.example": {reminder: ["BEN-PILOT"]}},  # Ana acknowledged, Cy snoozed
        {"ben@city.example": {resolved: ["BEN-PILOT"]}},
        {"caio@city.example": {escalated: ["ANA-POC", "CY-POC"]}},  # open more than ESCALATE_DAYS
        {"ana@city.example": {new: ["ANA-PILOT"]}},
    ]
    assert queued == [3, 1, 1, 1, 1]
    [last] = smtp.to("ana@city.example")[1:]
    text = last.get_body(preferencelist=("plain",)).get_content()
    # the email says what the flags API says, day counts to the scan's date included
    [stale] = ana.get("/api/v1/flags?rule=stale_reporting").get_json()
    stored = session.query(Flag).filter_by(rule="stale_reporting").one().details
    assert (
        stale["explanation"] == rules.explain("stale_reporting", stored, on=today) != rules.SUMMARIES["stale_reporting"]
    )
    assert stale["explanation"] in text
    assert len(smtp.received) == 7


def test_queueing_takes_the_same_number_of_queries_for_3_owners_as_for_40(app, session, config):
    config["CAIO_EMAIL"] = "caio@city.example"
    executed_sql = []

    def statements_to_queue(owners: int, as_of: date) -> int:
        for _ in range(owners):
            owner = UserFactory()
            FlagFactory(project=ProjectFactory(owner=owner), opened_at=as_of - timedelta(days=40))
            FlagFactory(project=ProjectFactory(owner=owner), opened_at=as_of)
            FlagFactory(project=ProjectFactory(owner=owner), status="resolved", opened_at=as_of, resolved_at=as_of)
        scan = ScanRun(as_of=as_of, trigger="cli")
        session.add(scan)
        session.flush()
        executed = []
        listener = lambda *args: executed.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert queue_alerts(session, scan=scan, as_of=as_of, config=config) == owners + 1
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        session.commit()
        executed_sql.append(executed)
        return len(executed)

    few = statements_to_queue(3, DAY0)
    many = statements_to_queue(40, DAY0 + timedelta(days=1))

    assert few == many, executed_sql
    assert many <= 6  # three claims, the escalation claim, one read, one insert of the messages
