"""Flags as people handle them (read, acknowledge, snooze) and the scan history.

A flag is shown with its derived last sighting and day counts: a scan does not rewrite a
still-true flag whose facts did not change (tracker/flags/scan.py), so an unresolved flag's
`last_seen_at` is the latest real scan's as_of, and its `details` carry `days_in_stage` (and
`days_without_measurement`) counted to that date (tracker/flags/rules.py `numbers`).
"""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.auth import Actor, can_edit_project
from tracker.db import get_or_404, utcnow
from tracker.errors import Conflict, Forbidden
from tracker.flags import rules
from tracker.flags.models import Flag, ScanRun
from tracker.projects.models import Project

FLAG_COLUMNS = [column.key for column in Flag.__table__.columns]


def list_flags_query(
    *,
    rule: str | None = None,
    status: str | None = None,
    project: int | None = None,
    owner: int | None = None,
    unresolved: bool = False,
) -> sa.Select:
    """Flags by id, filtered; `unresolved` (the console's default): every status but resolved."""
    stmt = sa.select(Flag).order_by(Flag.id)
    if unresolved:
        stmt = stmt.where(Flag.status != "resolved")
    if owner is not None:
        stmt = stmt.join(Project, Project.id == Flag.project_id).where(Project.owner_id == owner)
    for column, value in ((Flag.rule, rule), (Flag.project_id, project)):
        if value is not None:
            stmt = stmt.where(column == value)
    if status is not None:
        stmt = stmt.where(Flag.reads(status, utcnow().date()))
    return stmt


def with_project(session: so.Session, flags: list[Flag]) -> list[dict]:
    """The flags as the API shows them: with their project's key, title and owner, their last
    sighting and day counts derived (one query for the latest real scan), and in words."""
    if not flags:
        return []
    latest_scan = session.scalar(sa.select(sa.func.max(ScanRun.as_of)).where(ScanRun.dry_run.is_(False)))
    ids = {flag.project_id for flag in flags}
    projects = {
        row.id: row
        for row in session.execute(
            sa.select(Project.id, Project.key, Project.title, Project.content_locale, Project.owner_id).where(
                Project.id.in_(ids)
            )
        )
    }
    shown, today = [], utcnow().date()
    for flag in flags:
        seen = rules.last_seen_on(flag.status, flag.last_seen_at, latest_scan)
        project = projects[flag.project_id]
        shown.append(
            {
                **{name: getattr(flag, name) for name in FLAG_COLUMNS},
                "status": flag.status_on(today),
                "last_seen_at": seen,
                "details": rules.shown(flag.rule, flag.details, seen),
                "project_key": project.key,
                "project_title": project.title,
                "project_content_locale": project.content_locale,  # pages mark the title's language
                "owner_id": project.owner_id,
                "explanation": rules.explain(flag.rule, flag.details, on=seen),
            }
        )
    return shown


def get_flag(session: so.Session, flag_id: int, *, for_update: bool = False) -> Flag:
    return get_or_404(session, Flag, flag_id, name="flag", for_update=for_update)


def _editable_flag(session: so.Session, *, actor: Actor, flag_id: int) -> Flag:
    """The flag, locked, once the actor may handle it and it is not resolved."""
    flag = get_flag(session, flag_id, for_update=True)
    owner_id = session.scalar(sa.select(Project.owner_id).where(Project.id == flag.project_id))
    if not can_edit_project(actor, owner_id):
        raise Forbidden("only the project's owner or the CAIO office may acknowledge or snooze its flags")
    if flag.status == "resolved":
        raise Conflict(f"flag {flag.id} was resolved on {flag.resolved_at}: there is nothing left to handle")
    return flag


def acknowledge(session: so.Session, *, actor: Actor, flag_id: int) -> Flag:
    """Acknowledged flags stay unresolved but get no reminders; acknowledging twice changes nothing."""
    flag = _editable_flag(session, actor=actor, flag_id=flag_id)
    if flag.status != "acknowledged":
        flag.status = "acknowledged"
        flag.acknowledged_at = utcnow()
        flag.acknowledged_by_id = actor.id
    session.commit()
    return flag


def snooze(session: so.Session, *, actor: Actor, flag_id: int, until: date, reason: str) -> Flag:
    """No reminders until `until`; from that date it reads `open` (Flag.snooze_ran_out)."""
    flag = _editable_flag(session, actor=actor, flag_id=flag_id)
    flag.status = "snoozed"
    flag.snoozed_until = until
    flag.snooze_reason = reason
    session.commit()
    return flag


def list_scans_query() -> sa.Select:
    return sa.select(ScanRun).order_by(ScanRun.as_of.desc(), ScanRun.id.desc())


def get_scan(session: so.Session, scan_id: int) -> ScanRun:
    return get_or_404(session, ScanRun, scan_id, name="scan")
