"""The console's reads. Each page makes a fixed number of statements whatever the portfolio's size,
and reads through the services and queries the API uses (the projects list's filters, the flags'
list and their wording, the gates' evidence and checks, the KPIs' derived status, the practices,
the audit trail): the console shows what the API would answer, never a second copy of a rule.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from time import monotonic

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, g

from tracker.audit.models import AuditEvent
from tracker.audit.queries import events_query
from tracker.budgets.models import BudgetLine
from tracker.budgets.service import list_budget_lines_query
from tracker.flags import rules as stall_rules
from tracker.flags import service as flags
from tracker.flags.models import Flag
from tracker.i18n import PEOPLE
from tracker.kpis.models import Kpi, Measurement
from tracker.kpis.service import list_kpis_query, with_status
from tracker.projects import rules as gates
from tracker.projects import service as projects
from tracker.projects.models import Project, StageTransition
from tracker.trust.service import list_practices
from tracker.users.models import User
from tracker.vocab import BUDGET_STAGES, OWNER_ROLES, STAGES

PAGE_SIZE = 50
AUDIT_SHOWN = 50
OWN_FLAGS_SHOWN = 20


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    page: int
    pages: int


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


# --- the projects list ---------------------------------------------------------------------


def _unresolved_flags() -> sa.ScalarSelect:
    return (
        sa.select(sa.func.count())
        .where(Flag.project_id == Project.id, Flag.status != "resolved")
        .correlate(Project)
        .scalar_subquery()
    )


def projects_page(session: so.Session, *, filters: dict, page: int) -> Page:
    """The projects matching the API's list filters (and `q`), 50 to a page by key: what the list shows.

    Counted and paged on the projects' own columns, as the API's list is: the owner's name and the
    unresolved flags are read for the page's 50 projects only, not for every project that matches
    (at 100k projects, 3,000 pilots of an area cost 20 ms more on SQLite, counted and sorted with them)."""
    matching = projects.list_projects_query(**filters).with_only_columns(Project.id).order_by(None)
    connection = session.connection()
    total = connection.scalar(sa.select(sa.func.count()).select_from(matching.subquery()))
    page = min(max(page, 1), _pages(total))
    if not total:
        return Page([], total, page, _pages(total))
    shown = matching.order_by(Project.key).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE).subquery()
    stmt = (
        sa.select(
            Project.id,
            Project.key,
            Project.title,
            Project.content_locale,
            Project.stage,
            Project.stage_entered_at,
            User.name.label("owner_name"),
            Project.department,
            Project.risk_tier,
            _unresolved_flags().label("unresolved_flags"),
        )
        .join_from(shown, Project, Project.id == shown.c.id)
        .join(User, User.id == Project.owner_id)
        .order_by(Project.key)
    )
    return Page(connection.execute(stmt).all(), total, page, _pages(total))


# how long a list read for the filters is kept at most, whatever the audit trail says (below)
FILTER_LISTS_FRESH_SECONDS = 60


@dataclass(frozen=True)
class _Kept:
    trail_end: int | None
    read_at: float
    value: object


def _kept_while_unchanged(session: so.Session, name: str, read: Callable[[], object]):
    """`read()`, or what it gave last time while nothing has changed since: every change to a project
    or a user is in the audit trail, in the change's own transaction, so a trail that has not grown
    means the same answer. Read again at least every FILTER_LISTS_FRESH_SECONDS all the same: on
    PostgreSQL, a change may commit after one with a later event id. Kept by each app (process)."""
    if "console_trail_end" not in g:  # once a request
        g.console_trail_end = session.connection().scalar(sa.select(sa.func.max(AuditEvent.id)))
    trail_end = g.console_trail_end
    kept = current_app.extensions.setdefault("tracker.console.filter_lists", {})
    found = kept.get(name)
    if found and found.trail_end == trail_end and monotonic() - found.read_at < FILTER_LISTS_FRESH_SECONDS:
        return found.value
    value = read()
    kept[name] = _Kept(trail_end, monotonic(), value)
    return value


def departments(session: so.Session) -> list[str]:
    """Every department named by a project, for the filters (kept while the trail says nothing changed).

    Read by skipping from one department to the next on the index of departments (a recursive
    CTE, one index probe per department) instead of `SELECT DISTINCT` over every project: at 100k
    projects of 365 departments, 11 ms to 5 on PostgreSQL, whose DISTINCT reads the whole index;
    kept, 0.3 ms."""

    def read() -> list[str]:
        first = sa.select(sa.func.min(Project.department).label("name")).where(Project.department > "")
        found = first.cte("departments", recursive=True)
        following = (
            sa.select(sa.func.min(Project.department)).where(Project.department > found.c.name).scalar_subquery()
        )
        found = found.union_all(sa.select(following).where(found.c.name.is_not(None)))
        names = session.connection().scalars(sa.select(found.c.name).where(found.c.name.is_not(None)))
        return sorted(names, key=str.casefold)

    return _kept_while_unchanged(session, "departments", read)


def _possible_owner() -> sa.ColumnElement[bool]:
    """A user who may own a project (the roles) or owns one: whom the owner filter offers."""
    return sa.or_(User.role.in_(OWNER_ROLES), sa.exists().where(Project.owner_id == User.id))


def owners(session: so.Session, *, at_most: int) -> list[sa.Row] | None:
    """Whoever may own a project or owns one, for the owner filter (kept while the trail says nothing
    changed); None when there are more than `at_most` (a list nobody could read: the filter then
    takes an email address)."""

    def read() -> list[sa.Row] | None:
        statement = sa.select(User.id, User.name, User.email).where(_possible_owner()).limit(at_most + 1)
        rows = session.connection().execute(statement).all()
        if len(rows) > at_most:
            return None
        return sorted(rows, key=lambda owner: (owner.name or owner.email).casefold())

    return _kept_while_unchanged(session, f"owners, at most {at_most}", read)


def owner_email(session: so.Session, user_id: int) -> str | None:
    """The email address of an owner the filter offers; None for anyone else (no other user's address shows)."""
    return session.connection().scalar(sa.select(User.email).where(User.id == user_id, _possible_owner()))


def owner_by_email(session: so.Session, email: str) -> int | None:
    """The id of the owner the filter offers with this address; None for anyone else."""
    return session.connection().scalar(sa.select(User.id).where(User.email == email, _possible_owner()))


def project_key(session: so.Session, project_id: int) -> sa.Row | None:
    """A project's key and title, or None."""
    return session.connection().execute(sa.select(Project.key, Project.title).where(Project.id == project_id)).first()


def owns_projects(session: so.Session, user_id: int) -> bool:
    return session.connection().scalar(sa.select(sa.exists().where(Project.owner_id == user_id)))


# --- flags ---------------------------------------------------------------------------------


def shown_flags(session: so.Session, found: list[Flag]) -> list[dict]:
    """The flags as the flags API shows them (project, derived status and day counts), with the
    finding in the reader's words."""
    shown = flags.with_project(session, found)
    for flag in shown:
        flag["finding"] = stall_rules.explain(flag["rule"], flag["details"], words=PEOPLE)
    return shown


def flags_page(session: so.Session, *, filters: dict, page: int) -> tuple[Page, list[dict]]:
    stmt = flags.list_flags_query(**filters).order_by(None).order_by(Flag.opened_at.desc(), Flag.id.desc())
    connection = session.connection()
    total = connection.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    page = min(max(page, 1), _pages(total))
    found = list(session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))) if total else []
    return Page(found, total, page, _pages(total)), shown_flags(session, found)


def own_flags(session: so.Session, owner_id: int) -> tuple[int, list[dict]]:
    """An owner's unresolved flags, newest first (the first few) and how many there are."""
    stmt = flags.list_flags_query(owner=owner_id, unresolved=True)
    total = session.connection().scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    newest = stmt.order_by(None).order_by(Flag.opened_at.desc(), Flag.id.desc()).limit(OWN_FLAGS_SHOWN)
    return total, shown_flags(session, list(session.scalars(newest)))


# --- one project ---------------------------------------------------------------------------


@dataclass
class Money:
    """A project's budget lines by stage and fiscal year, and the totals per currency."""

    lines: list[BudgetLine]
    # currency -> {"planned": amount, "approved": amount, "spent": amount}
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)


@dataclass(frozen=True)
class NextStep:
    """A move the project may make next, with every gate criterion as the API's gate judges it today."""

    to_stage: str
    checks: list[tuple[str, bool]]

    @property
    def ready(self) -> bool:
        return all(met for _, met in self.checks)


def project(session: so.Session, project_id: int) -> tuple[sa.Row, sa.Row]:
    """The project as the API reads it (NotFound when there is none), and its owner's name and email."""
    row = projects.read_project(session, project_id)
    owner = session.connection().execute(sa.select(User.name, User.email).where(User.id == row.owner_id)).one()
    return row, owner


def decisions(session: so.Session, project_id: int) -> list[sa.Row]:
    """The stage history as the API lists it, oldest first, with the name of who decided."""
    stmt = (
        projects.history_query(project_id)
        .add_columns(User.name.label("decided_by_name"))
        .outerjoin(User, User.id == StageTransition.decided_by_id)
    )
    return session.execute(stmt).all()


def next_steps(session: so.Session, stage: str, project_id: int, *, today: date, valid_days: int) -> list[NextStep]:
    """Every move allowed from `stage`, judged by the gate's own code on today's evidence, no override."""
    moves = [to_stage for to_stage in STAGES if to_stage in gates.ALLOWED_MOVES[stage]]
    if not moves:
        return []
    evidence = projects.gate_evidence(session, project_id)
    return [
        NextStep(to_stage, gates.gate_checks(to_stage, evidence, on=today, valid_days=valid_days)) for to_stage in moves
    ]


def money(session: so.Session, project_id: int) -> Money:
    lines = list(session.scalars(list_budget_lines_query(project_id)))
    order = {stage: n for n, stage in enumerate(BUDGET_STAGES)}
    lines.sort(key=lambda line: (order[line.stage], line.fiscal_year, line.id))
    totals: dict[str, dict[str, Decimal]] = {}
    for line in lines:
        sums = totals.setdefault(line.currency, dict.fromkeys(("planned", "approved", "spent"), Decimal(0)))
        sums[line.status] += line.amount
        sums["spent"] += line.spent
    return Money(lines, dict(sorted(totals.items())))


def kpis(session: so.Session, project_id: int) -> tuple[list[Kpi], dict[int, list[Measurement]]]:
    """The KPIs with their derived status (the API's), and each one's measurements, oldest first."""
    found = with_status(session, list(session.scalars(list_kpis_query(project_id))))
    measured: dict[int, list[Measurement]] = {kpi.id: [] for kpi in found}
    if found:
        rows = session.scalars(
            sa.select(Measurement)
            .join(Kpi, Kpi.id == Measurement.kpi_id)
            .where(Kpi.project_id == project_id)
            .order_by(Measurement.kpi_id, Measurement.measured_on, Measurement.id)
        )
        for measurement in rows:
            measured[measurement.kpi_id].append(measurement)
    return found, measured


def practices(session: so.Session, project_id: int, *, today: date, valid_days: int):
    return list_practices(session, project_id, today=today, valid_days=valid_days)


def project_flags(session: so.Session, project_id: int) -> list[dict]:
    """Every flag of the project, unresolved first, newest first within each."""
    found = list(session.scalars(flags.list_flags_query(project=project_id)))
    shown = shown_flags(session, found)
    shown.sort(key=lambda flag: (flag["status"] == "resolved", -flag["opened_at"].toordinal(), -flag["id"]))
    return shown


def audit(session: so.Session, project_id: int) -> list:
    return list(session.scalars(events_query(project=project_id).limit(AUDIT_SHOWN)))
