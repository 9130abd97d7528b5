"""A crash in the middle of a scan leaves nothing half-written, and the next run completes."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.alerts.models import OutboxMessage
from tracker.extensions import db
from tracker.flags import scan as scan_module
from tracker.flags.models import Flag, ScanRun


def table_contents() -> dict:
    return {
        model.__tablename__: sorted(tuple(row) for row in db.session.execute(sa.select(model.__table__)))
        for model in (Flag, ScanRun, OutboxMessage)
    }


class Crash(RuntimeError):
    pass


def test_a_scan_that_dies_after_writing_its_flags_leaves_nothing_and_the_next_one_completes(
    app, app_context, monkeypatch
):
    owner = factories.UserFactory(email="owner@city.example")
    factories.ProjectFactory(owner=owner, stage="pilot", stage_entered_at=date(2025, 1, 1))
    factories.ProjectFactory(owner=owner, stage="poc", stage_entered_at=date(2025, 1, 1))
    before = table_contents()

    def dies_while_queueing_alerts(*args, **kwargs):
        raise Crash("the process died here")

    # the flags are written and the scan run inserted by the time alerts are queued
    monkeypatch.setattr(scan_module, "queue_alerts", dies_while_queueing_alerts)
    with pytest.raises(Crash):
        scan_module.run_scan(
            db.session, as_of=date(2025, 9, 1), dry_run=False, trigger="cli", actor=None, config=app.config
        )
    db.session.rollback()
    db.session.remove()
    assert table_contents() == before

    monkeypatch.undo()
    report = scan_module.run_scan(
        db.session, as_of=date(2025, 9, 1), dry_run=False, trigger="cli", actor=None, config=app.config
    )
    assert report.run is not None and report.opened > 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == report.opened
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == report.alerts_queued > 0
