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
from tracker.i18n import PEOPLE
from tracker.projects.models import Project

DAY0 = date(2025, 3, 3)
smtp, webhook_receiver, self_signed_cert = mail.smtp, mail.webhook_receiver, mail.self_signed_cert  # fixtures


@pytest.fixture
def config(app, app_context, smtp):
    """The settings, in an app context as a scan and the deliverer run (emails are rendered with the app's catalogues)."""
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
    assert ana["From"] == "AI register <ai@city.example>"  # ORGANISATION_NAME: whose alerts these are
    assert subject(ana) == "AI portfolio stall flags: 2 new - 2 projects"
    assert sections(ana) == {"Newly flagged": ["MOB-01", "MOB-02"]}
    [ben] = smtp.to("ben@city.example")
    assert subject(ben).startswith("AI portfolio stall flags: 1 new - SAF-01 ")
    assert sections(ben) == {"Newly flagged": ["SAF-01"]}
    stored = session.query(OutboxMessage).filter_by(recipient="ben@city.example").one()
    assert ben["Message-ID"] == stored.message_id
    assert stored.status == "sent"


def test_the_email_explains_the_rule_gives_the_numbers_and_links_the_action_page_not_the_api(
    app, session, config, smtp
):
    entered = (DAY0 - timedelta(days=1184)).isoformat()  # 2021-12-05
    details = {"stage": "pilot", "stage_entered_on": entered, "days_in_stage": 1184, "max_days": 180}
    _, [flag] = owner_with_flags(
        "Ana Ruiz", "ana@city.example", "MOB-01", rule="pilot_purgatory", opened_at=DAY0, details=details
    )

    alert(session, config, DAY0)

    [message] = smtp.received
    text = message.message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.message.get_body(preferencelist=("html",)).get_content()
    # for people: the API's sentence (ISO dates, plain digits) with dates and numbers written by Babel
    assert rules.explain("pilot_purgatory", details).startswith("In pilot for 1184 days (since 2021-12-05)")
    explanation = (
        "In pilot for 1,184 days (since December 5, 2021), longer than the 180 days allowed: pilot purgatory. "
        "Decide to scale it up or stop it."
    )
    assert (
        f"* MOB-01 - {flag_title(session, flag)}\n  {explanation}\n  rule: Pilot purgatory (pilot_purgatory)\n"
        "  flagged since: March 3, 2025\n"
    ) in text
    assert "The AI portfolio scan of March 3, 2025 has news about projects you own." in text
    assert text.endswith("\n--\nAI register\nSent by the Pilot-to-Scale Tracker.\n" + FOOTER + "\n")
    [link] = re.findall(r"Acknowledge or snooze it: (http://tracker\.test/alerts/act/\S+)\n", text)
    assert f'<p><a href="{link}">Acknowledge or snooze it</a></p>' in html
    assert '<html lang="en">' in html
    assert f"<p>{explanation}</p>" in html
    assert '<tr><th style="text-align: left">flagged since</th><td>March 3, 2025</td></tr>' in html
    # no link a person cannot open: the API answers 401 in a browser; no "POST to its URL" either
    assert "/api/v1/" not in text and "/api/v1/" not in html
    assert "POST" not in text and "POST" not in html


def test_the_trust_rules_are_explained_in_the_digest_with_their_practices(session, config, smtp):
    details = {
        "stage": "rollout",
        "stage_entered_on": "2024-05-01",
        "risk_tier": "high_impact",
        "not_in_effect": ["impact_assessment", "appeal"],
        "expired_on": {"impact_assessment": "2025-02-01"},
        "valid_days": 365,
    }
    owner_with_flags("Ana Ruiz", "ana@city.example", "SAF-07", rule="practices_lapsed", opened_at=DAY0, details=details)
    owner_with_flags(
        "Ben Cole",
        "ben@city.example",
        "SAF-08",
        rule="prohibited_in_use",
        opened_at=DAY0,
        details={"stage": "poc", "stage_entered_on": "2025-02-01", "risk_tier": "prohibited"},
    )

    alert(session, config, DAY0)

    [ana] = smtp.to("ana@city.example")
    text = ana.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert (
        "  A high-impact system in full rollout with 2 of its 8 risk-management practices not in effect: "
        "impact assessment (expired on February 1, 2025), remedy or appeal process. Complete or renew them, with evidence.\n"
        "  rule: Risk-management practices lapsed (practices_lapsed)\n"
    ) in text
    [ben] = smtp.to("ben@city.example")
    assert (
        "yet in proof of concept (PoC) for 30 days: a use the law forbids must stop. Switch it off and cancel it."
        in (ben.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n"))
    )


FOOTER = (
    "Acknowledging a flag stops its reminders; snoozing it pauses them until a date.\n"
    "Each link works for you alone: do not forward it."
)


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


def test_a_title_and_a_name_with_line_breaks_still_make_a_deliverable_email(session, config, smtp):
    # the 2025 federal inventory has such a title ("Comment Actionability\nLikelihood Score")
    owner = UserFactory(name="Ana\nRuiz", email="ana@city.example")
    FlagFactory(
        project=ProjectFactory(key="FED-01", title="Comment Actionability\r\nLikelihood Score", owner=owner),
        opened_at=DAY0,
    )

    alert(session, config, DAY0)

    [received] = smtp.received
    assert (
        subject(received.message) == "AI portfolio stall flags: 1 new - FED-01 Comment Actionability Likelihood Score"
    )
    assert received.message["To"].addresses[0].display_name == "Ana Ruiz"
    assert db.session.scalars(sa.select(OutboxMessage.status)).all() == ["sent"]
    assert db.session.scalars(sa.select(OutboxMessage.subject)).one() == subject(received.message)


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
    with app.app_context():  # the same sentence, its date written for people
        assert rules.explain("stale_reporting", stored, on=today, words=PEOPLE) in text.replace("\r\n", "\n")
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
    # three claims, the escalation claim, the notes, their projects' translated titles, one insert
    assert many <= 7


def test_an_inactive_owner_receives_nothing_and_the_caio_digest_carries_their_news_marked_no_active_owner(
    app, session, smtp, webhook_receiver, admin, caio
):
    """End to end: the owner deactivated through the API, a real scan through the API, `flask deliver`."""
    app.config.update(
        CAIO_EMAIL="caio@city.example",
        MAIL_FROM="ai@city.example",
        ALERT_WEBHOOK_URL=webhook_receiver.url,
        ALERT_WEBHOOK_SECRET="hook-secret",
    )
    today = date.today()
    ana = UserFactory(name="Ana Ruiz", email="ana@city.example")
    ben = UserFactory(name="Ben Cole", email="ben@city.example")
    ProjectFactory(key="ANA-POC", owner=ana, stage="poc", stage_entered_at=today - timedelta(days=100))
    ProjectFactory(key="BEN-POC", owner=ben, stage="poc", stage_entered_at=today - timedelta(days=100))
    session.commit()
    assert admin.patch(f"/api/v1/users/{ben.id}", json={"active": False}).get_json()["active"] is False

    scanned = caio.post("/api/v1/scans", json={"as_of": today.isoformat()})
    assert scanned.status_code == 201, scanned.get_json()
    assert scanned.get_json()["alerts_queued"] == 4  # Ana's email and webhook, the CAIO office's email and webhook
    delivered = app.test_cli_runner().invoke(args=["deliver"])
    assert delivered.exit_code == 0, delivered.output

    assert smtp.to("ben@city.example") == []  # the inactive owner's mailbox stays empty
    assert sections(smtp.to("ana@city.example")[0]) == {"Newly flagged": ["ANA-POC"]}
    [to_caio] = smtp.to("caio@city.example")
    assert subject(to_caio) == "AI portfolio stall flags: 1 new, 1 with no active owner - BEN-POC " + (
        session.query(Project).filter_by(key="BEN-POC").one().title
    )
    assert sections(to_caio) == {"No active owner - newly flagged": ["BEN-POC"]}
    text = to_caio.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert "1 flag of projects with no active owner" in text
    assert "\n  owner: Ben Cole <ben@city.example> - no active owner (account inactive)\n" in text
    html = to_caio.get_body(preferencelist=("html",)).get_content()
    assert "<strong>no active owner (account inactive)</strong>" in html
    # the webhook: Ana's digest and the CAIO office's, none addressed to Ben
    posts = [json.loads(r["body"]) for r in webhook_receiver.requests]
    assert sorted((p["audience"], p["recipient"]["email"]) for p in posts) == [
        ("caio", "caio@city.example"),
        ("owner", "ana@city.example"),
    ]
    [caio_post] = [p for p in posts if p["audience"] == "caio"]
    assert caio_post["counts"]["no_active_owner"] == 1
    assert [(f["project"]["key"], f["kind"], f["no_active_owner"]) for f in caio_post["flags"]] == [
        ("BEN-POC", "new", True)
    ]
    # nothing is dropped: the CAIO office's alerts list holds it
    listed = caio.get("/api/v1/alerts?channel=email").get_json()
    assert sorted(a["recipient"] for a in listed) == ["ana@city.example", "caio@city.example"]
    assert {a["status"] for a in listed} == {"sent"}


def test_reminders_and_resolutions_of_an_inactive_owner_go_to_the_caio_office_until_the_owner_is_back(
    session, config, smtp
):
    config["CAIO_EMAIL"] = "caio@city.example"
    ben, [_, resolving] = owner_with_flags("Ben Cole", "ben@city.example", "BEN-01", "BEN-02", opened_at=DAY0)
    alert(session, config, DAY0)  # Ben is active: he hears of both
    ben = session.get(type(ben), ben.id)
    ben.active = False
    flag = session.get(Flag, resolving.id)
    flag.status, flag.resolved_at = "resolved", DAY0 + timedelta(days=7)
    session.commit()

    alert(session, config, DAY0 + timedelta(days=7))  # a reminder and a resolution, both for the CAIO office
    ben.active = True  # back: his next reminder is his again
    session.commit()
    alert(session, config, DAY0 + timedelta(days=10))  # nothing due
    alert(session, config, DAY0 + timedelta(days=14))

    first, back = smtp.to("ben@city.example")
    assert sections(first) == {"Newly flagged": ["BEN-01", "BEN-02"]}
    [to_caio] = smtp.to("caio@city.example")
    assert subject(to_caio) == "AI portfolio stall flags: 1 still open, 1 resolved, 2 with no active owner - 2 projects"
    assert sections(to_caio) == {
        "No active owner - still open (reminder)": ["BEN-01"],
        "No active owner - resolved since the last digest": ["BEN-02"],
    }
    assert sections(back) == {"Still open (reminder)": ["BEN-01"]}
    assert len(smtp.received) == 3


def test_an_escalated_flag_of_an_inactive_owner_is_listed_once_marked_no_active_owner(session, config, smtp):
    config["CAIO_EMAIL"] = "caio@city.example"
    owner_with_flags("Ana Ruiz", "ana@city.example", "ANA-01", opened_at=DAY0 - timedelta(days=40))
    ben, _ = owner_with_flags("Ben Cole", "ben@city.example", "BEN-01", opened_at=DAY0 - timedelta(days=40))
    ben.active = False
    session.commit()

    alert(session, config, DAY0)  # both flags new to their owners and past ESCALATE_DAYS

    [to_caio] = smtp.to("caio@city.example")
    assert sections(to_caio) == {"Escalated: unresolved too long": ["ANA-01", "BEN-01"]}
    text = to_caio.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert "\n  owner: Ana Ruiz <ana@city.example>\n" in text
    assert "\n  owner: Ben Cole <ben@city.example> - no active owner (account inactive)\n" in text
    assert sections(smtp.to("ana@city.example")[0]) == {"Newly flagged": ["ANA-01"]}
    assert smtp.to("ben@city.example") == []
    payload = session.query(OutboxMessage).filter_by(recipient="caio@city.example").one().payload
    assert payload["counts"] == {"new": 0, "reminder": 0, "resolved": 0, "escalated": 2, "no_active_owner": 1}


def test_without_caio_email_an_inactive_owners_news_waits_until_someone_can_be_told(session, config, smtp):
    ben, [flag] = owner_with_flags("Ben Cole", "ben@city.example", "BEN-01", opened_at=DAY0)
    ben.active = False
    session.commit()

    assert alert(session, config, DAY0) == 0  # no one to tell: nothing claimed, nothing lost
    assert session.get(Flag, flag.id).last_alerted_on is None
    config["CAIO_EMAIL"] = "caio@city.example"
    alert(session, config, DAY0 + timedelta(days=1))

    assert smtp.to("ben@city.example") == []
    [to_caio] = smtp.to("caio@city.example")
    assert sections(to_caio) == {"No active owner - newly flagged": ["BEN-01"]}
