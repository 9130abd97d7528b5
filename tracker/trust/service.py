"""Practices: load, ask the rules, write, commit once."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as so

from tracker.auth import Actor, can_edit_project
from tracker.db import get_or_404, utcnow
from tracker.errors import Forbidden, NotFound
from tracker.projects.models import Project
from tracker.trust import rules
from tracker.trust.models import Practice
from tracker.vocab import CAIO_OFFICE, PRACTICES

_STATE_COLUMNS = (Practice.key, Practice.status, Practice.completed_on, Practice.waived_on)


@dataclass(frozen=True)
class PracticeView:
    """One practice as the API shows it, with what is derived from it as of `today`."""

    key: str
    status: str
    completed_on: date | None
    evidence_url: str
    note: str
    waiver_reason: str
    in_effect: bool
    expires_on: date | None
    updated_at: datetime | None
    updated_by: int | None


def practice_states(session: so.Session, project_id: int) -> dict[str, rules.PracticeState]:
    """The project's written practices as the rules read them, in one query."""
    rows = session.execute(sa.select(*_STATE_COLUMNS).where(Practice.project_id == project_id))
    return {row.key: rules.PracticeState(*row) for row in rows}


def list_practices(session: so.Session, project_id: int, *, today: date, valid_days: int) -> list[PracticeView]:
    """All eight practices of a project in SPEC order, the unwritten ones as `not_started`."""
    _project_exists(session, project_id)
    written = {p.key: p for p in session.scalars(sa.select(Practice).where(Practice.project_id == project_id))}
    return [_view(key, written.get(key), today=today, valid_days=valid_days) for key in PRACTICES]


def read_practice(session: so.Session, project_id: int, key: str, *, today: date, valid_days: int) -> PracticeView:
    _check_key(key)
    _project_exists(session, project_id)
    return _view(key, _written(session, project_id, key), today=today, valid_days=valid_days)


def put_practice(
    session: so.Session, *, actor: Actor, project_id: int, key: str, data: dict, valid_days: int
) -> PracticeView:
    """Set a practice as sent: the fields left out become empty."""
    _check_key(key)
    # the lock serialises this write with stage decisions, whose gates read the practices
    project = get_or_404(session, Project, project_id, name="project", for_update=True)
    if not can_edit_project(actor, project.owner_id):
        raise Forbidden("only the project's owner or the CAIO office may change its practices")
    values = {
        "status": data["status"],
        "completed_on": data.get("completed_on"),
        "evidence_url": data.get("evidence_url") or "",
        "note": data.get("note") or "",
        "waiver_reason": data.get("waiver_reason") or "",
    }
    rules.check_practice(
        key=key,
        status=values["status"],
        completed_on=values["completed_on"],
        waiver_reason=values["waiver_reason"],
        may_waive=actor.role in CAIO_OFFICE,
    )
    today = utcnow().date()
    # each write that sets `waived` re-certifies the waiver from today
    values["waived_on"] = today if values["status"] == "waived" else None
    values["updated_by_id"] = actor.id
    try:
        practice = _write(session, project_id, key, values)
    except sa_exc.IntegrityError:
        # a racing first write made the row between our read and our insert (SQLite: PostgreSQL
        # queues on the project's lock instead); ours is then an update of it
        session.rollback()
        practice = _write(session, project_id, key, values)
    return _view(key, practice, today=today, valid_days=valid_days)


def _write(session: so.Session, project_id: int, key: str, values: dict) -> Practice:
    practice = _written(session, project_id, key)
    if practice is None:
        practice = Practice(project_id=project_id, key=key)
        session.add(practice)
    for name, value in values.items():
        setattr(practice, name, value)
    session.commit()
    return practice


def _check_key(key: str) -> None:
    if key not in PRACTICES:
        raise NotFound(f"no practice {key!r}; the practices are: {', '.join(PRACTICES)}")


def _project_exists(session: so.Session, project_id: int) -> None:
    if session.scalar(sa.select(Project.id).where(Project.id == project_id)) is None:
        raise NotFound(f"no project with id {project_id}")


def _written(session: so.Session, project_id: int, key: str) -> Practice | None:
    return session.scalar(sa.select(Practice).where(Practice.project_id == project_id, Practice.key == key))


def _view(key: str, practice: Practice | None, *, today: date, valid_days: int) -> PracticeView:
    if practice is None:  # never written: the default state, empty fields
        return PracticeView(key, "not_started", None, "", "", "", False, None, None, None)
    state = rules.PracticeState(key, practice.status, practice.completed_on, practice.waived_on)
    return PracticeView(
        key=key,
        status=practice.status,
        completed_on=practice.completed_on,
        evidence_url=practice.evidence_url,
        note=practice.note,
        waiver_reason=practice.waiver_reason,
        in_effect=state.in_effect(today, valid_days),
        expires_on=state.expires_on(valid_days),
        updated_at=practice.updated_at,
        updated_by=practice.updated_by_id,
    )
