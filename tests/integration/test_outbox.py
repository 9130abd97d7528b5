"""The alert outbox: an SMTP outage delays alerts and never loses or doubles them; retries back
off; the last attempt marks a message failed; concurrent deliverers never send one message twice;
the CAIO office sees all of it through GET /api/v1/alerts."""

import json
import re
import threading
from datetime import date, datetime, timedelta

import pytest

from tests.factories import FlagFactory, ProjectFactory, UserFactory
from tests.integration import mail
from tracker.alerts import outbox
from tracker.alerts.digest import queue_alerts
from tracker.alerts.models import OutboxMessage
from tracker.alerts.outbox import LEASE, MAX_ATTEMPTS, DeliveryReport, deliver_due
from tracker.alerts.scheduled import deliver_outbox
from tracker.db import utcnow
from tracker.extensions import db
from tracker.flags import rules
from tracker.flags.models import ScanRun

smtp, smtp_down, webhook_receiver = mail.smtp, mail.smtp_down, mail.webhook_receiver  # the fixtures
AS_OF = date(2025, 3, 3)


def queue_digests(session, config, *owner_emails: str) -> list[OutboxMessage]:
    """One new flag per owner, and a scan's digests for them queued (not delivered)."""
    for number, email in enumerate(owner_emails):
        owner = UserFactory(email=email, name=email.split("@")[0].title())
        FlagFactory(project=ProjectFactory(key=f"P-{number:02d}", owner=owner), opened_at=AS_OF)
    scan = ScanRun(as_of=AS_OF, trigger="cli")
    session.add(scan)
    session.flush()
    queue_alerts(session, scan=scan, as_of=AS_OF, config=config)
    session.commit()
    return session.query(OutboxMessage).order_by(OutboxMessage.id).all()


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_an_smtp_outage_delays_alerts_and_each_arrives_exactly_once(app, session, smtp_down, caio, app_context):
    queue_digests(session, app.config, "ana@city.example", "ben@city.example")
    start = utcnow()

    assert deliver_due(session, now=start, config=app.config) == DeliveryReport(retrying=2)

    listed = caio.get("/api/v1/alerts?status=pending").get_json()
    assert [(a["recipient"], a["attempts"], a["status"]) for a in listed] == [
        ("ben@city.example", 1, "pending"),
        ("ana@city.example", 1, "pending"),
    ]
    assert all(a["last_error"].startswith("ConnectionRefusedError") for a in listed)
    assert all(when(a["next_attempt_at"]) == start + timedelta(minutes=1) for a in listed)
    assert all(a["sent_at"] is None for a in listed)
    # not due yet: nothing is tried
    assert deliver_due(session, now=start + timedelta(seconds=59), config=app.config) == DeliveryReport()

    smtp_down.start()
    assert deliver_due(session, now=start + timedelta(minutes=1), config=app.config) == DeliveryReport(sent=2)
    assert deliver_due(session, now=start + timedelta(hours=9), config=app.config) == DeliveryReport()

    assert sorted(r.rcpt_tos[0] for r in smtp_down.received) == ["ana@city.example", "ben@city.example"]
    [ana] = [a for a in caio.get("/api/v1/alerts").get_json() if a["recipient"] == "ana@city.example"]
    assert (ana["status"], ana["attempts"]) == ("sent", 2)
    assert when(ana["sent_at"]) == start + timedelta(minutes=1)
    assert ana["last_error"].startswith("ConnectionRefusedError")  # why it came late
    assert smtp_down.to("ana@city.example")[0]["Message-ID"] == ana["message_id"]


def test_retries_back_off_and_the_last_attempt_marks_the_message_failed(app, session, smtp_down, caio, app_context):
    [message] = queue_digests(session, app.config, "ana@city.example")
    now, waits, reports = utcnow(), [], []

    for _ in range(MAX_ATTEMPTS):
        reports.append(deliver_due(session, now=now, config=app.config))
        row = caio.get(f"/api/v1/alerts/{message.id}").get_json()
        if row["status"] == "pending":
            waits.append(when(row["next_attempt_at"]) - now)
            now = when(row["next_attempt_at"])

    assert [int(w.total_seconds() // 60) for w in waits] == [1, 2, 4, 8, 16, 32, 64, 128, 240]
    assert reports[:-1] == [DeliveryReport(retrying=1)] * (MAX_ATTEMPTS - 1)
    assert reports[-1] == DeliveryReport(failed=1)
    assert (row["status"], row["attempts"], row["sent_at"]) == ("failed", MAX_ATTEMPTS, None)
    assert row["last_error"].startswith("ConnectionRefusedError")
    assert caio.get("/api/v1/alerts?status=failed").headers["X-Total-Count"] == "1"
    # a failed message stays failed: no further attempts, even with the server back
    smtp_down.start()
    assert deliver_due(session, now=now + timedelta(days=1), config=app.config) == DeliveryReport()
    assert smtp_down.received == []


def test_a_retry_carries_the_same_message_id(app, session, smtp, app_context):
    [message] = queue_digests(session, app.config, "ana@city.example")
    smtp.refuse_next = 1  # 451 for the first DATA
    start = utcnow()

    assert deliver_due(session, now=start, config=app.config) == DeliveryReport(retrying=1)
    assert deliver_due(session, now=start + timedelta(minutes=1), config=app.config) == DeliveryReport(sent=1)

    [received] = smtp.received
    assert received.message["Message-ID"] == message.message_id
    session.refresh(message)
    assert message.last_error.startswith("SMTPDataError: (451")


def test_a_copy_resent_after_a_crash_between_acceptance_and_commit_is_recognisable(
    app, session, smtp, monkeypatch, app_context
):
    [message] = queue_digests(session, app.config, "ana@city.example")
    real_send = outbox.email.send

    def send_then_die(email_message, config):
        real_send(email_message, config)
        raise KeyboardInterrupt  # the process dies after the server accepted, before the commit

    monkeypatch.setattr(outbox.email, "send", send_then_die)
    start = utcnow()
    with pytest.raises(KeyboardInterrupt):
        deliver_due(session, now=start, config=app.config)
    session.rollback()
    monkeypatch.setattr(outbox.email, "send", real_send)

    # on SQLite the message waits out its lease; PostgreSQL's row lock died with the transaction
    assert deliver_due(session, now=start + LEASE, config=app.config) == DeliveryReport(sent=1)

    first, second = smtp.received
    assert first.message["Message-ID"] == second.message["Message-ID"] == message.message_id
    assert deliver_due(session, now=start + 2 * LEASE, config=app.config) == DeliveryReport()


def test_queueing_stores_the_digest_and_its_subject_and_renders_no_body(app, session, monkeypatch, app_context):
    app.config.update(ALERT_WEBHOOK_URL="http://127.0.0.1:9/hook", ALERT_WEBHOOK_SECRET="s")

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered while queueing")

    monkeypatch.setattr(outbox.email, "render", no_rendering)  # the module digest.py and outbox.py both use
    monkeypatch.setattr(outbox.webhook, "body_of", no_rendering)
    monkeypatch.setattr(outbox.digest.rules, "explain", no_rendering)

    messages = queue_digests(session, app.config, "ana@city.example")

    assert [(m.channel, m.body_text, m.body_html) for m in messages] == [("email", "", ""), ("webhook", "", "")]
    assert {m.subject for m in messages} == {
        f"AI portfolio stall flags: 1 new - P-00 {messages[0].payload['flags'][0]['project']['title']}"
    }
    [flag] = messages[0].payload["flags"]
    assert (flag["kind"], flag["project"]["key"], flag["rule"], messages[0].payload["scan"]["as_of"]) == (
        "new",
        "P-00",
        "pilot_purgatory",
        AS_OF.isoformat(),
    )
    assert "explanation" not in flag  # worded at delivery


def test_a_retry_renders_the_same_email_and_the_row_keeps_what_was_sent(
    app, session, smtp, caio, monkeypatch, app_context
):
    [message] = queue_digests(session, app.config, "ana@city.example")
    preview = caio.get(f"/api/v1/alerts/{message.id}").get_json()
    rendered, real_render = [], outbox.email.render
    monkeypatch.setattr(outbox.email, "render", lambda digest: rendered.append(real_render(digest)) or rendered[-1])
    smtp.refuse_next = 1
    start = utcnow()

    assert deliver_due(session, now=start, config=app.config) == DeliveryReport(retrying=1)
    assert caio.get(f"/api/v1/alerts/{message.id}").get_json()["body_text"] == preview["body_text"]
    assert deliver_due(session, now=start + timedelta(minutes=1), config=app.config) == DeliveryReport(sent=1)

    # the first attempt, the API's preview between the attempts, and the retry: byte for byte the
    # same, the action link included (signed as of the queueing, not of the attempt)
    assert len(rendered) == 3
    assert len({tuple(part.encode() for part in rendering) for rendering in rendered}) == 1
    subject, text, html = rendered[0]
    [token] = re.findall(r"/alerts/act/(\S+)\n", text)
    # what the row keeps and the API shows is what went out, the link's token withheld
    withheld_text, withheld_html = (part.replace(token, "withheld") for part in (text, html))
    assert token not in withheld_text and "/alerts/act/withheld\n" in withheld_text
    sent = caio.get(f"/api/v1/alerts/{message.id}").get_json()
    assert (sent["status"], sent["subject"], sent["body_text"]) == ("sent", subject, withheld_text)
    assert preview["body_text"] == withheld_text and preview["subject"] == subject
    assert session.get(OutboxMessage, message.id).body_html == withheld_html
    [received] = smtp.received
    assert received.message.get_body(preferencelist=("plain",)).get_content() == text.replace("\n", "\r\n")
    assert "P-00" in text and "Newly flagged" in text


def test_a_message_queued_already_rendered_is_sent_as_stored(app, session, smtp, app_context):
    """Rows queued before rendering moved to delivery hold their bodies: those are what is sent."""
    [message] = queue_digests(session, app.config, "ana@city.example")
    message.subject, message.body_text, message.body_html = "Stored subject", "Stored text\n", "<p>Stored</p>\n"
    session.commit()

    assert deliver_due(session, now=utcnow(), config=app.config) == DeliveryReport(sent=1)

    [received] = smtp.received
    assert received.message["Subject"] == "Stored subject"
    assert received.message.get_body(preferencelist=("plain",)).get_content() == "Stored text\r\n"
    assert received.message.get_body(preferencelist=("html",)).get_content() == "<p>Stored</p>\r\n"


def test_a_retried_webhook_posts_the_same_signed_body(app, session, smtp, webhook_receiver, app_context):
    app.config.update(ALERT_WEBHOOK_URL=webhook_receiver.url, ALERT_WEBHOOK_SECRET="hook-secret")
    queue_digests(session, app.config, "ana@city.example")
    webhook_receiver.status = 503
    start = utcnow()

    assert deliver_due(session, now=start, config=app.config) == DeliveryReport(sent=1, retrying=1)
    webhook_receiver.status = 204
    assert deliver_due(session, now=start + timedelta(minutes=1), config=app.config) == DeliveryReport(sent=1)

    first, retry = webhook_receiver.requests
    assert first["body"] == retry["body"]
    assert first["headers"]["X-Tracker-Signature"] == retry["headers"]["X-Tracker-Signature"]
    [flag] = json.loads(retry["body"])["flags"]
    assert list(flag)[:4] == ["id", "kind", "rule", "explanation"]
    assert flag["explanation"] == rules.explain("pilot_purgatory", flag["details"])


def test_two_deliverers_at_once_send_each_message_once(app, smtp, app_context):
    owners = [f"owner{n}@city.example" for n in range(8)]
    messages = queue_digests(db.session, app.config, *owners)
    smtp.slow_seconds = 0.05  # keeps each delivery in flight while the other deliverer looks
    start, barrier, reports, errors = utcnow(), threading.Barrier(2), [], []

    def deliverer():
        session = db.new_session()
        try:
            barrier.wait()
            with app.app_context():  # a thread of its own: a deliverer (scheduler, flask deliver) has one
                reports.append(deliver_due(session, now=start, config=app.config))
        except Exception as exc:
            errors.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=deliverer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(r.sent for r in reports) == len(messages)
    assert all(r.sent > 0 for r in reports)  # both took part
    ids = sorted(r.message["Message-ID"] for r in smtp.received)
    assert ids == sorted(m.message_id for m in messages)
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(owners)


def test_the_alerts_api_is_for_the_caio_office(app, session, make_caller, client):
    with app.app_context():  # as a scan queues them (the requests below have each their own)
        [message] = queue_digests(session, app.config, "ana@city.example")

    for role in ("manager", "viewer"):
        caller = make_caller(role)
        answer = caller.get("/api/v1/alerts")
        assert (answer.status_code, answer.get_json()["code"]) == (403, 403)
        assert caller.get(f"/api/v1/alerts/{message.id}").status_code == 403
    assert client.get("/api/v1/alerts").status_code == 401
    detail = make_caller("admin").get(f"/api/v1/alerts/{message.id}")
    assert detail.status_code == 200
    body = detail.get_json()
    assert {k: body[k] for k in ("recipient", "channel", "status", "attempts", "message_id", "sent_at")} == {
        "recipient": "ana@city.example",
        "channel": "email",
        "status": "pending",
        "attempts": 0,
        "message_id": message.message_id,
        "sent_at": None,
    }
    assert body["payload"]["flags"][0]["project"]["key"] == "P-00"
    assert "P-00" in body["body_text"]


def test_alerts_are_filtered_and_paginated(app, session, caio, app_context):
    app.config.update(ALERT_WEBHOOK_URL="http://127.0.0.1:9/hook", ALERT_WEBHOOK_SECRET="s")
    queue_digests(session, app.config, "ana@city.example", "ben@city.example", "cy@city.example")

    page = caio.get("/api/v1/alerts?channel=email&page_size=2")
    assert page.headers["X-Total-Count"] == "3"
    assert [a["recipient"] for a in page.get_json()] == ["cy@city.example", "ben@city.example"]
    hooks = caio.get("/api/v1/alerts?channel=webhook&status=pending").get_json()
    assert [a["recipient"] for a in hooks] == ["http://127.0.0.1:9/hook"] * 3
    scan_id = hooks[0]["scan_id"]
    assert caio.get(f"/api/v1/alerts?scan={scan_id}").headers["X-Total-Count"] == "6"
    assert caio.get("/api/v1/alerts?status=sent").get_json() == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=lost", "status"), ("channel=fax", "channel"), ("page_size=101", "page_size"), ("scan=0", "scan")],
)
def test_bad_alert_filters_answer_422_naming_the_field(caio, query, field):
    answer = caio.get(f"/api/v1/alerts?{query}")
    assert answer.status_code == 422
    assert field in str(answer.get_json()["errors"])


def test_an_unknown_alert_is_404(caio):
    answer = caio.get("/api/v1/alerts/999999999")
    assert (answer.status_code, answer.get_json()["code"]) == (404, 404)


def test_flask_deliver_sends_what_is_due_and_prints_the_counts(app, session, smtp, app_context):
    queue_digests(session, app.config, "ana@city.example", "ben@city.example")

    result = app.test_cli_runner().invoke(args=["deliver"])
    again = app.test_cli_runner().invoke(args=["deliver"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 2, failed and retrying later 0, failed for good 0"
    assert again.output.strip() == "sent 0, failed and retrying later 0, failed for good 0"
    assert len(smtp.received) == 2


def test_flask_deliver_flushes_a_message_waiting_for_its_retry_and_the_scheduler_keeps_the_backoff(
    app, session, smtp_down, caio, app_context
):
    [message] = queue_digests(session, app.config, "ana@city.example")
    cli = app.test_cli_runner()

    assert deliver_outbox(app) == DeliveryReport(retrying=1)  # the scheduler's minute job, during the outage
    waiting = caio.get(f"/api/v1/alerts/{message.id}").get_json()
    assert (waiting["status"], waiting["attempts"]) == ("pending", 1)
    assert when(waiting["next_attempt_at"]) > utcnow()

    smtp_down.start()  # the mail server is back
    assert deliver_outbox(app) == DeliveryReport()  # the scheduler waits out the back-off
    assert smtp_down.received == []
    flushed = cli.invoke(args=["deliver"])
    assert flushed.exit_code == 0, flushed.output
    assert flushed.output.strip() == "sent 1, failed and retrying later 0, failed for good 0"
    again = cli.invoke(args=["deliver"])
    assert again.output.strip() == "sent 0, failed and retrying later 0, failed for good 0"
    assert deliver_outbox(app) == DeliveryReport()

    [received] = smtp_down.received  # exactly once
    assert received.rcpt_tos == ["ana@city.example"]
    assert received.message["Message-ID"] == message.message_id
    sent = caio.get(f"/api/v1/alerts/{message.id}").get_json()
    assert (sent["status"], sent["attempts"]) == ("sent", 2)
    assert sent["last_error"].startswith("ConnectionRefusedError")  # why it came late


def test_a_flush_during_an_outage_tries_each_message_once_and_keeps_its_next_backoff(
    app, session, smtp_down, caio, app_context
):
    queue_digests(session, app.config, "ana@city.example", "ben@city.example")
    start = utcnow()
    assert deliver_due(session, now=start, config=app.config) == DeliveryReport(retrying=2)

    later = start + timedelta(seconds=10)  # both still wait for their retry
    assert deliver_due(session, now=later, config=app.config, flush=True) == DeliveryReport(retrying=2)

    listed = caio.get("/api/v1/alerts").get_json()
    assert [a["attempts"] for a in listed] == [2, 2]
    # the second failure's back-off, counted from the flush
    assert all(when(a["next_attempt_at"]) == later + timedelta(minutes=2) for a in listed)


def test_a_flush_leaves_a_message_another_deliverer_is_sending_to_that_deliverer(app, smtp, monkeypatch, app_context):
    """SQLite leases a message being sent (PostgreSQL locks its row): a flush meanwhile does not send it again."""
    [message] = queue_digests(db.session, app.config, "ana@city.example")
    smtp.slow_seconds = 1  # the scheduler's delivery is in flight while `flask deliver` runs
    sending, real_send = threading.Event(), outbox.email.send
    monkeypatch.setattr(outbox.email, "send", lambda *args: sending.set() or real_send(*args))
    reports = []

    def scheduler_delivery():
        with app.app_context():  # a thread of its own, as the scheduler's
            session = db.new_session()
            try:
                reports.append(deliver_due(session, now=utcnow(), config=app.config))
            finally:
                session.close()

    thread = threading.Thread(target=scheduler_delivery)
    thread.start()
    assert sending.wait(timeout=30)
    flushed = app.test_cli_runner().invoke(args=["deliver"])
    thread.join(timeout=30)

    assert flushed.output.strip() == "sent 0, failed and retrying later 0, failed for good 0"
    assert reports == [DeliveryReport(sent=1)]
    assert [r.message["Message-ID"] for r in smtp.received] == [message.message_id]
