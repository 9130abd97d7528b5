"""Delivery of the alert outbox: each due message is taken by one deliverer, sent, and its outcome
committed on its own, so an outage delays alerts without losing them and a sent one is never resent.

Taking a message: on PostgreSQL the row is locked (FOR UPDATE SKIP LOCKED) until its outcome
commits, so concurrent deliverers pass each other by. SQLite has no row locks: a conditional UPDATE
takes the message and commits at once, leasing it for LEASE (`leased_until`); a deliverer that dies
mid-send leaves it to be retried when the lease runs out. Either way the one case left, a crash
between the server's acceptance and the commit, resends a copy with the same Message-ID.

A failed attempt waits for its retry (`backoff`), which the scheduler's minutely delivery keeps. A
flush (`flask deliver`, as `postqueue -f` does) makes every pending message due at once, those
waiting for a retry included, but not one another deliverer holds: it is sent by that one.

A message is rendered here, from its payload alone (the digest the scan stored), on each attempt:
the same payload renders the same subject and bodies every time, so a retry says what the first
attempt said. That includes an owner's action links, signed at rendering with the row's queueing
time as their signing time (tracker/actions/links.py). A sent email's rendering is stored on its
row with the sent status, its action links withheld (a stored link would be a live capability in
every backup); until then the row holds only the subject (the scan computes it), and
GET /api/v1/alerts/{id} renders the body as it will be sent, links withheld too. A webhook's body, the explained digest as JSON, is built and signed at each attempt.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.actions import links
from tracker.alerts import digest, email, webhook
from tracker.alerts.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # with the backoff below, the last try is about 8 hours after the first
FIRST_RETRY = timedelta(minutes=1)  # doubled after each failure ...
LONGEST_WAIT = timedelta(hours=4)  # ... up to this
LEASE = timedelta(minutes=10)  # SQLite: longer than any send can take (SMTP and webhook time out sooner)
ERROR_MAX = 2000


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0  # failed this time, will be tried again
    failed: int = 0  # failed for the last time


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def deliver_due(session: so.Session, *, now: datetime, config: Mapping, flush: bool = False) -> DeliveryReport:
    """Send every message due at `now`, committing each outcome as it happens; with `flush`, every
    pending message is due now (one that fails again waits for its next retry, not for this loop)."""
    if flush:
        _make_due(session, now)
    report = DeliveryReport()
    while (message := _take_next(session, now)) is not None:
        try:
            _send(message, config)
        except Exception as exc:  # any failure, rendering included, is recorded on the row, never dropped
            _record_failure(message, exc, now, report)
        else:
            # last_error stays: it tells why a delivered message came late
            message.status = "sent"
            message.sent_at = now
            message.leased_until = None
            report.sent += 1
            log.info("sent %s %s to %s", message.channel, message.message_id, message.recipient)
        session.commit()
    return report


def _not_held(now: datetime):
    """Not leased by another deliverer (SQLite; on PostgreSQL a held message is row-locked instead)."""
    return sa.or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until <= now)


def _make_due(session: so.Session, now: datetime) -> None:
    """Every pending message waiting for a retry is due at `now`; committed at once."""
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at > now, _not_held(now))
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _take_next(session: so.Session, now: datetime) -> OutboxMessage | None:
    due = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now, _not_held(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        message = session.scalars(due.with_for_update(skip_locked=True)).first()
        if message is not None:
            message.attempts += 1
        return message
    while (message := session.scalars(due).first()) is not None:
        taken = session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id == message.id,
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= now,
                _not_held(now),
            )
            .values(leased_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.commit()
        if taken:
            session.refresh(message)
            return message
    return None


def render(message: OutboxMessage, config: Mapping) -> tuple[tuple[str, str, str], list[str]]:
    """An email message's subject, plain text and HTML, from its payload alone, and the tokens of
    the action links in them."""
    if message.body_text:  # rendered when queued: a row from before rendering moved to delivery
        return (message.subject, message.body_text, message.body_html), []
    explained, tokens = links.with_links(message.payload, queued_at=message.created_at, config=config)
    return email.render(explained), tokens


def rendering_withheld(message: OutboxMessage, config: Mapping) -> tuple[str, str, str]:
    """The rendering as stored and shown by the API: the action links' tokens withheld."""
    rendering, tokens = render(message, config)
    return tuple(links.withhold(part, tokens) for part in rendering)


def _send(message: OutboxMessage, config: Mapping) -> None:
    """Render and send one message; an email's rendering is kept on the row (the API shows what was sent)."""
    if message.channel == "email":
        (subject, text, html), tokens = render(message, config)
        email.send(
            email.build_message(
                recipient=message.recipient,
                recipient_name=message.payload.get("recipient", {}).get("name") or "",
                subject=subject,
                text=text,
                html=html,
                message_id=message.message_id,
                locale=email.language(message.payload),
                config=config,
            ),
            config,
        )
        message.subject, message.body_text, message.body_html = (
            links.withhold(p, tokens) for p in (subject, text, html)
        )
    elif message.channel == "webhook":
        body = webhook.body_of(digest.explained(message.payload))
        webhook.post(url=message.recipient, body=body, delivery_id=message.message_id, config=config)
    else:
        raise ValueError(f"unknown channel {message.channel!r}")


def _record_failure(message: OutboxMessage, exc: Exception, now: datetime, report: DeliveryReport) -> None:
    message.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    message.leased_until = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        report.failed += 1
        log.error("gave up on %s %s after %d attempts: %s", message.channel, message.message_id, message.attempts, exc)
    else:
        message.next_attempt_at = now + backoff(message.attempts)
        report.retrying += 1
        log.warning(
            "attempt %d of %s %s failed, next at %s: %s",
            message.attempts,
            message.channel,
            message.message_id,
            message.next_attempt_at.isoformat(),
            exc,
        )
