"""The scheduled outbox delivery (run by tracker/scheduler.py every minute)."""

from collections.abc import Mapping

import sqlalchemy.orm as so

from tracker.alerts.outbox import DeliveryReport, deliver_due
from tracker.db import utcnow
from tracker.scheduler import scheduled


@scheduled("deliver")
def deliver_outbox(session: so.Session, config: Mapping) -> DeliveryReport:
    """Send what the outbox holds now; safe beside other deliverers (each message is taken once)."""
    return deliver_due(session, now=utcnow(), config=config)
