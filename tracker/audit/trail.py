"""The audit trail: every insert, update and delete of a tracked entity, written by the flush
that makes the change, so it commits or rolls back with it.

Who acted comes from `session.info`: `actor` (a User) and `source` (api, cli, scheduler, email-link).
"""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit.models import AuditEvent
from tracker.budgets.models import BudgetLine
from tracker.db import utcnow
from tracker.entry_translations.models import ProjectTranslation
from tracker.flags.models import Flag, ScanRun
from tracker.kpis.models import Kpi, Measurement
from tracker.projects.models import Project, StageTransition
from tracker.snapshots.models import Snapshot
from tracker.trust.models import Practice
from tracker.users.models import ApiToken, User

ENTITY_NAMES = {
    Project: "project",
    StageTransition: "stage_transition",
    BudgetLine: "budget_line",
    Kpi: "kpi",
    Measurement: "measurement",
    Practice: "practice",
    ProjectTranslation: "translation",
    Flag: "flag",
    ScanRun: "scan",
    User: "user",
    ApiToken: "api_token",
    Snapshot: "snapshot",
}
# never written to the trail: secrets, and bookkeeping that changes with every write
UNRECORDED = {
    "token_hash",
    "version",
    "updated_at",
    "created_at",
    "recorded_at",
    "search_text",
    "changed_at",
    "originals",  # a translation's fingerprints of the text it translated
    # a frozen pack's figures: its title, parameters and maker are recorded, not the whole report twice
    "portfolio",
    "trend",
}
# the console's sign-ins, refusals and sign-outs (tracker/signin): events named by their action
SESSION_ENTITY = "session"


def install(session_factory: so.sessionmaker) -> None:
    # once: the session factory is shared by every app built in this process
    if not sa.event.contains(session_factory, "after_flush", _record_flush):
        sa.event.listen(session_factory, "after_flush", _record_flush)


def _record_flush(session: so.Session, _context) -> None:
    rows = []
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            entity = ENTITY_NAMES.get(type(obj))
            if entity is None:
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(_event(session, obj, entity, action, changes))
    if rows:
        session.connection().execute(sa.insert(AuditEvent), rows)


def _changes(obj, action: str) -> dict:
    state = sa.inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        if attr.key in UNRECORDED:
            continue
        history = state.attrs[attr.key].history
        if action == "create":
            value = getattr(obj, attr.key)
            if value is not None:
                changes[attr.key] = {"before": None, "after": _plain(value)}
        elif action == "delete":
            value = history.unchanged[0] if history.unchanged else (history.deleted[0] if history.deleted else None)
            changes[attr.key] = {"before": _plain(value), "after": None}
        elif history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                changes[attr.key] = {"before": _plain(before), "after": _plain(after)}
    return changes


def _event(session: so.Session, obj, entity: str, action: str, changes: dict) -> dict:
    actor = session.info.get("actor")
    return {
        "at": utcnow(),
        "actor_id": actor.id if actor is not None else None,
        "actor_email": actor.email if actor is not None else session.info.get("actor_email", ""),
        "source": session.info.get("source", "api"),
        "action": action,
        "entity": entity,
        "entity_id": obj.id,
        "project_id": _project_of(session, obj),
        "changes": changes,
    }


def _project_of(session: so.Session, obj) -> int | None:
    if isinstance(obj, Project):
        return obj.id
    if isinstance(obj, Measurement):
        return session.connection().scalar(sa.select(Kpi.project_id).where(Kpi.id == obj.kpi_id))
    return getattr(obj, "project_id", None)


def _plain(value):
    """A JSON-safe copy of a column value."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def record(
    session: so.Session,
    *,
    entity: str,
    action: str,
    facts: dict,
    actor=None,
    actor_email: str = "",
    entity_id: int | None = None,
) -> None:
    """An event that is no row's insert, update or delete (a sign-in, a refusal): its `facts`
    recorded as values after, in the session's transaction, with the session's source."""
    session.execute(
        sa.insert(AuditEvent).values(
            at=utcnow(),
            actor_id=actor.id if actor is not None else None,
            actor_email=actor.email
            if actor is not None
            else (actor_email or session.info.get("actor_email", ""))[:254],
            source=session.info.get("source", "api"),
            action=action,
            entity=entity,
            entity_id=entity_id,
            project_id=None,
            changes={name: {"before": None, "after": _plain(value)} for name, value in facts.items()},
        )
    )
