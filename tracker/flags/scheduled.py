"""The scheduled stall scan (run by tracker/scheduler.py)."""

import logging
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy.orm as so

from tracker.flags.scan import run_scan
from tracker.scheduler import claim_slot, scheduled

log = logging.getLogger(__name__)


@scheduled("scan")
def scan_slot(session: so.Session, config: Mapping, *, slot: datetime) -> str:
    """The scan of one scheduled slot, as of the slot's date (UTC), by whichever process claims it.

    `scan_slot(app, slot=...)` runs it once; the scheduler calls it on SCAN_CRON.
    """
    if not claim_slot(session, job="scan", slot=slot):
        return f"slot {slot.isoformat()} already claimed by another process"
    report = run_scan(session, as_of=slot.date(), dry_run=False, trigger="scheduler", actor=None, config=config)
    return (
        f"slot {slot.isoformat()}: scan {report.id} as of {report.as_of}, {report.projects_evaluated} projects, "
        f"{report.opened} opened, {report.refreshed} still open, {report.resolved} resolved, "
        f"{report.alerts_queued} alerts queued"
    )
