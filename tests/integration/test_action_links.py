"""Acting on a stall alert from the email itself, end to end: a digest delivered through a real
SMTP server (aiosmtpd), its links taken out of the message and opened, one flag acknowledged and
another snoozed through the page's forms; then the API and the audit trail show both."""

import re
from datetime import date, timedelta

import pytest

from tests.factories import FlagFactory, ProjectFactory, UserFactory
from tests.integration import mail
from tracker.alerts.digest import queue_alerts
from tracker.alerts.outbox import deliver_due
from tracker.auth import issue_token
from tracker.db import utcnow
from tracker.flags.models import ScanRun

smtp, webhook_receiver = mail.smtp, mail.webhook_receiver  # the fixtures
SITE = "http://tracker.test"  # PUBLIC_BASE_URL in the tests' app
LINK = re.compile(r"Acknowledge or snooze it: (http://tracker\.test(/alerts/act/\S+))\n")


@pytest.fixture
def config(app, smtp):
    app.config.update(REMIND_DAYS=7, ESCALATE_DAYS=30, CAIO_EMAIL="", ALERT_WEBHOOK_URL="", MAIL_FROM="ai@city.example")
    return app.config


def scan_and_deliver(app, session, as_of: date) -> None:
    """The alerting step of a real scan, committed, then the outbox delivered (in an app context, as
    the scheduler and `flask deliver` run them)."""
    config = app.config
    with app.app_context():
        scan = ScanRun(as_of=as_of, trigger="cli")
        session.add(scan)
        session.flush()
        queue_alerts(session, scan=scan, as_of=as_of, config=config)
        session.commit()
        deliver_due(session, now=utcnow(), config=config)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_an_owner_acknowledges_one_flag_and_snoozes_another_from_the_email(app, session, config, smtp, client, caio):
    ana = UserFactory(name="Ana Ruiz", email="ana@city.example", role="manager")
    purgatory = FlagFactory(project=ProjectFactory(key="MOB-01", owner=ana), rule="pilot_purgatory")
    no_kpis = FlagFactory(project=ProjectFactory(key="MOB-02", owner=ana), rule="no_kpis")
    _, ana_token = issue_token(session, ana)
    session.commit()
    today = utcnow().date()

    scan_and_deliver(app, session, today)

    [message] = smtp.to("ana@city.example")
    text, html = text_of(message), message.get_body(preferencelist=("html",)).get_content()
    links = LINK.findall(text)
    assert len(links) == 2  # one per flag, in the digest's order (project key)
    for url, _ in links:
        assert f'<a href="{url}">' in html  # the same link in the HTML part

    (_, acknowledge_path), (_, snooze_path) = links
    page = client.get(acknowledge_path)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "MOB-01" in body and "Pilot purgatory" in body and 'name="action" value="acknowledge"' in body
    assert ana.name in body  # the page says whose it acts as

    done = client.post(acknowledge_path, data={"action": "acknowledge"}, headers={"Origin": SITE})
    assert done.status_code == 200
    assert "<h1>Flag acknowledged</h1>" in done.get_data(as_text=True)

    until = today + timedelta(days=30)
    reason = "The rollout decision is on the council's agenda for next month."
    snoozed = client.post(
        snooze_path,
        data={"action": "snooze", "until": until.isoformat(), "reason": reason},
        headers={"Origin": SITE},
    )
    assert snoozed.status_code == 200
    assert "Flag snoozed until" in snoozed.get_data(as_text=True)

    as_ana = {"Authorization": f"Bearer {ana_token}"}
    first = client.get(f"/api/v1/flags/{purgatory.id}", headers=as_ana).get_json()
    assert (first["status"], first["acknowledged_by_id"]) == ("acknowledged", ana.id)
    second = client.get(f"/api/v1/flags/{no_kpis.id}", headers=as_ana).get_json()
    assert (second["status"], second["snoozed_until"], second["snooze_reason"]) == (
        "snoozed",
        until.isoformat(),
        reason,
    )

    trail = caio.get("/api/v1/audit?entity=flag").get_json()
    by_flag = {event["entity_id"]: event for event in trail if event["action"] == "update"}
    for flag, changed in ((purgatory, "acknowledged_by_id"), (no_kpis, "snooze_reason")):
        event = by_flag[flag.id]
        assert (event["source"], event["actor_id"], event["actor_email"]) == ("email-link", ana.id, ana.email)
        assert changed in event["changes"]

    # acted on: the acknowledged flag's link now says so and offers nothing to do
    again = client.get(acknowledge_path).get_data(as_text=True)
    assert "This flag is already acknowledged" in again and "<form" not in again


def test_a_reminder_carries_a_link_a_resolution_none_and_the_caio_digest_none(app, session, config, smtp):
    config.update(CAIO_EMAIL="caio@city.example")
    ana = UserFactory(email="ana@city.example")
    start = utcnow().date() - timedelta(days=40)
    FlagFactory(project=ProjectFactory(key="OLD-01", owner=ana), opened_at=start, last_alerted_on=start)
    FlagFactory(
        project=ProjectFactory(key="FIX-01", owner=ana), status="resolved", resolved_at=utcnow().date(), opened_at=start
    )
    session.commit()

    scan_and_deliver(app, session, utcnow().date())

    [owner_digest] = smtp.to("ana@city.example")
    text = text_of(owner_digest)
    assert "Still open (reminder)" in text and "Resolved since the last digest" in text
    assert len(LINK.findall(text)) == 1  # the reminder's; the resolved flag needs none
    assert text.index("OLD-01") < text.index("/alerts/act/") < text.index("FIX-01")
    [caio_digest] = smtp.to("caio@city.example")
    assert "/alerts/act/" not in text_of(caio_digest)
    assert "/alerts/act/" not in caio_digest.get_body(preferencelist=("html",)).get_content()


def test_the_webhook_carries_no_action_link(app, session, config, smtp, webhook_receiver):
    # a capability for one person is not for a channel's machines
    config.update(ALERT_WEBHOOK_URL=webhook_receiver.url, ALERT_WEBHOOK_SECRET="s3cret")
    FlagFactory(project=ProjectFactory(key="MOB-01", owner=UserFactory(email="ana@city.example")))
    session.commit()

    scan_and_deliver(app, session, utcnow().date())

    [request] = webhook_receiver.requests
    assert b"MOB-01" in request["body"] and b"/alerts/act/" not in request["body"]
    assert LINK.findall(text_of(smtp.to("ana@city.example")[0]))
