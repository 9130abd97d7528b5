"""Projects and their stage decisions: load, ask the rules, write, commit once."""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
import sqlalchemy.orm.exc as so_exc

from tracker.auth import Actor, can_edit_project
from tracker.budgets.models import BudgetLine
from tracker.db import get_or_404, utcnow
from tracker.entry_translations.service import check_content_locale
from tracker.errors import Forbidden, Invalid, NotFound, PreconditionFailed
from tracker.flags.models import Flag
from tracker.i18n.vocab import STAGE_NAMES, api_name
from tracker.kpis.models import Kpi, Measurement
from tracker.projects import rules, search
from tracker.projects.models import Project, StageTransition
from tracker.trust import rules as trust_rules
from tracker.trust.service import practice_states
from tracker.users.models import User
from tracker.vocab import CAIO_OFFICE, OWNER_ROLES, REGISTRY_FIELDS

# Reads select the columns, not ORM objects: ProjectSchema dumps rows as well, and a
# page of 50 loads in half the time. Built once: 21 columns cost more to build than to run.
_PROJECT_COLUMNS = sa.select(*(c for c in Project.__table__.c if c.name not in ("search_text", "changed_at")))
_PROJECT_ROWS = _PROJECT_COLUMNS.order_by(Project.id)
_ONE_PROJECT_ROW = _PROJECT_COLUMNS.where(Project.id == sa.bindparam("project_id"))


def get_project(session: so.Session, project_id: int, *, for_update: bool = False) -> Project:
    # for_update serialises concurrent stage decisions on PostgreSQL; SQLite serialises writers itself
    return get_or_404(session, Project, project_id, name="project", for_update=for_update)


def read_project(session: so.Session, project_id: int) -> sa.Row:
    """A project to answer a read with: a plain row, no ORM object (the API's hottest read)."""
    row = session.connection().execute(_ONE_PROJECT_ROW, {"project_id": project_id}).first()
    if row is None:
        raise NotFound(f"no project with id {project_id}")
    return row


def list_projects_query(
    *,
    rows: bool = False,
    stage: str | None = None,
    domain: str | None = None,
    department: str | None = None,
    owner: int | None = None,
    flagged: bool | None = None,
    risk_tier: str | None = None,
    q: str | None = None,
) -> sa.Select:
    """Projects by id, filtered; `rows`: as plain rows (read-only lists), else as ORM objects.
    `q` (the console): every word in the key or the title."""
    stmt = _PROJECT_ROWS if rows else sa.select(Project).order_by(Project.id)
    if q:
        stmt = stmt.where(*search.key_or_title_matches(q, text=Project.search_text, key=Project.key))
    for column, value in (
        (Project.stage, stage),
        (Project.domain, domain),
        (Project.department, department),
        (Project.owner_id, owner),
        (Project.risk_tier, risk_tier),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if flagged is not None:
        unresolved = sa.exists().where(Flag.project_id == Project.id, Flag.status != "resolved")
        stmt = stmt.where(unresolved if flagged else ~unresolved)
    return stmt


def _check_owner(session: so.Session, actor: Actor, owner_id: int) -> None:
    if owner_id != actor.id and actor.role not in CAIO_OFFICE:
        raise Forbidden("only the CAIO office (caio, admin) may give a project another owner")
    owner = session.get(User, owner_id)
    if owner is None or not owner.active or owner.role not in OWNER_ROLES:
        raise Invalid({"owner_id": "Must be an active user with the role manager, caio or admin."})


def create_project(session: so.Session, *, actor: Actor, data: dict) -> Project:
    owner_id = data.pop("owner_id", actor.id)
    _check_owner(session, actor, owner_id)
    today = utcnow().date()
    # a new project starts unassessed: a tier given now is its first classification (nothing is lowered)
    if _reclassifies(actor, "unassessed", data):
        data["risk_assessed_on"] = today
    project = Project(owner_id=owner_id, stage_entered_at=data.pop("stage_entered_at", today), **data)
    session.add(project)
    session.flush()
    # the first history entry: no gate applies to it (SPEC)
    session.add(
        StageTransition(
            project_id=project.id,
            from_stage=None,
            to_stage=project.stage,
            effective_date=project.stage_entered_at,
            decided_by_id=actor.id,
            rationale="project created"
            if project.stage == "poc"
            else f"project recorded in {api_name(STAGE_NAMES, project.stage)}",
            gate={"checks": [], "unmet": [], "overridden": False},
        )
    )
    session.commit()
    return project


def update_project(session: so.Session, *, actor: Actor, project: Project, changes: dict) -> Project:
    if "owner_id" in changes and changes["owner_id"] != project.owner_id:
        _check_owner(session, actor, changes["owner_id"])
    if _reclassifies(actor, project.risk_tier, changes):
        changes["risk_assessed_on"] = utcnow().date()
    if "content_locale" in changes:
        check_content_locale(session, project, changes["content_locale"])
    for name, value in changes.items():
        setattr(project, name, value)
    missing = rules.missing_registry_fields(_registry_values(project)) if project.public else []
    if trust_rules.rationale_missing(project.risk_tier, project.risk_rationale):
        # the rationale of an assessed tier may be reworded, not blanked
        session.rollback()
        raise Invalid({"risk_rationale": trust_rules.RATIONALE_REQUIRED})
    if missing:
        session.rollback()
        raise Invalid({name: "Required when the project is public." for name in missing})
    try:
        session.commit()
    except so_exc.StaleDataError:
        # someone else's change committed between our read and our write (the version check)
        session.rollback()
        raise PreconditionFailed("changed since you read it: read it again and retry") from None
    return project


def _reclassifies(actor: Actor, current_tier: str, data: dict) -> bool:
    """Whether `data` moves the risk tier from `current_tier`; refused (403, 422) when it may not."""
    if "risk_tier" not in data:
        return False
    return trust_rules.check_reclassification(
        current=current_tier,
        requested=data["risk_tier"],
        rationale=data.get("risk_rationale"),
        may_lower_guarded=actor.role in CAIO_OFFICE,
    )


def _registry_values(project: Project) -> dict:
    return {name: getattr(project, name) for name in REGISTRY_FIELDS}


def delete_project(session: so.Session, project: Project) -> None:
    session.delete(project)
    session.commit()


def history_query(project_id: int) -> sa.Select:
    return (
        sa.select(StageTransition)
        .where(StageTransition.project_id == project_id)
        .order_by(StageTransition.effective_date, StageTransition.id)
    )


def gate_evidence(session: so.Session, project_id: int) -> rules.GateEvidence:
    """What the gates look at: the counts and the classification in one round trip, the practices in another."""
    kpis = sa.select(sa.func.count()).where(Kpi.project_id == project_id).scalar_subquery()
    outcome_kpis = sa.select(sa.func.count()).where(Kpi.project_id == project_id, Kpi.is_outcome).scalar_subquery()
    outcome_measurements = (
        sa.select(sa.func.count())
        .select_from(Measurement)
        .join(Kpi, Kpi.id == Measurement.kpi_id)
        .where(Kpi.project_id == project_id, Kpi.is_outcome)
        .scalar_subquery()
    )
    approved_rollout = (
        sa.select(sa.func.count())
        .where(BudgetLine.project_id == project_id, BudgetLine.stage == "rollout", BudgetLine.status == "approved")
        .scalar_subquery()
    )
    row = session.execute(
        sa.select(kpis, outcome_kpis, outcome_measurements, approved_rollout, Project.risk_tier, Project.public).where(
            Project.id == project_id
        )
    ).one()
    return rules.GateEvidence(*row, practices=practice_states(session, project_id))


def record_transition(
    session: so.Session,
    *,
    actor: Actor,
    project_id: int,
    to_stage: str,
    rationale: str,
    practice_valid_days: int,
    effective_date: date | None = None,
    override_reason: str | None = None,
) -> StageTransition:
    project = get_project(session, project_id, for_update=True)
    if not can_edit_project(actor, project.owner_id):
        raise Forbidden("only the project's owner or the CAIO office may record its stage decisions")
    previous = session.scalar(
        sa.select(sa.func.max(StageTransition.effective_date)).where(StageTransition.project_id == project.id)
    )
    today = utcnow().date()
    decision = rules.decide_transition(
        from_stage=project.stage,
        to_stage=to_stage,
        effective_date=effective_date or today,
        previous_effective_date=previous or project.stage_entered_at,
        today=today,
        evidence=gate_evidence(session, project.id),
        override_reason=override_reason,
        may_override=actor.role in CAIO_OFFICE,
        practice_valid_days=practice_valid_days,
    )
    transition = StageTransition(
        project_id=project.id,
        from_stage=decision.from_stage,
        to_stage=decision.to_stage,
        effective_date=decision.effective_date,
        decided_by_id=actor.id,
        rationale=rationale,
        gate=decision.gate,
        override_reason=decision.override_reason,
    )
    project.stage = decision.to_stage
    project.stage_entered_at = decision.effective_date
    session.add(transition)
    session.commit()
    return transition
