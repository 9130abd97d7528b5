"""The portfolio report's queries: aggregate SELECTs in the database, rows and sums out, no ORM objects.

A fixed number of statements whatever the portfolio's size.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.compiler import compiles

from tracker.budgets.models import BudgetLine
from tracker.flags.models import Flag
from tracker.kpis.models import Kpi
from tracker.money import from_minor
from tracker.projects.models import Project, StageTransition
from tracker.projects.rules import stages_reached
from tracker.shares import share
from tracker.trust.queries import lacks_a_practice, practices_in_effect
from tracker.users.models import User
from tracker.vocab import ACTIVE_STAGES, BUDGET_STAGES, BUDGET_STATUSES, RISK_TIERS, RULES, STAGES

# the stages whose stays the report times; the terminal ones have no end to time
TIMED_STAGES = ACTIVE_STAGES


class days_between(sa.sql.functions.FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """Whole days from `earlier` to `later` (two dates), in SQL on either database."""

    type = sa.Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({later} - {earlier})"  # PostgreSQL: date - date is an integer


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _reached(stage: str) -> sa.ColumnElement[bool]:
    """This history row shows `stage` was reached: entered, or implied by where the history starts."""
    implying = [first for first in STAGES if stage in stages_reached(first)]
    return sa.or_(
        StageTransition.to_stage == stage,
        sa.and_(StageTransition.from_stage.is_(None), StageTransition.to_stage.in_(implying)),
    )


def project_filters(domain: str | None, department: str | None) -> list[sa.ColumnElement[bool]]:
    conditions = []
    if domain is not None:
        conditions.append(Project.domain == domain)
    if department is not None:
        conditions.append(Project.department == department)
    return conditions


def of_filtered_projects(project_id: sa.ColumnElement, filters: list) -> list[sa.ColumnElement[bool]]:
    """The filters as a condition on a child table's project_id (nothing when unfiltered)."""
    if not filters:
        return []
    return [project_id.in_(sa.select(Project.id).where(*filters))]


def _days(median) -> int | float:
    """A median of whole days: whole, or halfway between two."""
    days = float(median)
    return int(days) if days.is_integer() else days


@dataclass(frozen=True)
class BudgetRow:
    currency: str
    planned: Decimal
    approved: Decimal
    spent: Decimal
    stage: str | None = None
    fiscal_year: int | None = None


@dataclass(frozen=True)
class PilotStay:
    key: str
    title: str
    owner_name: str
    days: int


@dataclass
class Portfolio:
    """The portfolio report's figures; the attribute names are SPEC's keys."""

    as_of: date
    stages: dict[str, int]
    funnel: dict[str, float | None]
    median_days_in_stage: dict[str, int | float | None]
    budget: dict[str, list[BudgetRow]]
    kpis: dict[str, int]
    flags: dict[str, int]
    by_domain: dict[str, dict[str, int]]
    by_department: dict[str, dict[str, int]]
    risk: dict = field(default_factory=dict)
    # of the projects in pilot at as_of, those with a rollout budget line (any, approved) as the lines are now
    funding: dict = field(default_factory=dict)
    # how many projects entered poc, reached pilot, reached rollout (the funnel's bars)
    reached: dict[str, int] = field(default_factory=dict)


def _totals(groups: dict[str, list[int]], name: str) -> list[int]:
    """The running stage counts of one domain or department."""
    if name not in groups:
        groups[name] = [0] * len(STAGES)
    return groups[name]


def _by_stage(counts: list[int]) -> dict[str, int]:
    return dict(zip(STAGES, counts, strict=True))


def _stays(as_of: date, filters: list) -> sa.CTE:
    """Every stay in a stage up to the end of `as_of`, one row per history entry, of the projects
    the filters select.

    `left_on` is the date of the next decision (null for the stay still running at `as_of`:
    `is_current`).
    reached_* say whether the history up to this row reached that stage; on a project's last row
    (left_on null) that is its whole history up to `as_of`. One window for all of them: one pass.
    """
    history = {
        "partition_by": StageTransition.project_id,
        "order_by": (StageTransition.effective_date, StageTransition.id),
    }
    reached = [
        sa.func.max(sa.case((_reached(stage), 1), else_=0)).over(**history).label(f"reached_{stage}")
        for stage in ACTIVE_STAGES
    ]
    return (
        sa.select(
            StageTransition.project_id,
            StageTransition.to_stage.label("stage"),
            StageTransition.effective_date.label("entered_on"),
            sa.func.lead(StageTransition.effective_date).over(**history).label("left_on"),
            # the same test as left_on IS NULL, as a column: PostgreSQL then guesses that half the
            # rows pass (not 0.5 %) and hash-joins the projects instead of 100k index lookups
            sa.func.lead(StageTransition.effective_date).over(**history).is_(None).label("is_current"),
            *reached,
        )
        .where(StageTransition.effective_date <= as_of, *of_filtered_projects(StageTransition.project_id, filters))
        .cte("stays")
    )


# the risk figures of `_history_figures`, after the stage counts and the funnel sums, then the funding
RISK_FIGURES = (
    *(f"tier_{tier}" for tier in RISK_TIERS),
    "high_impact_in_rollout",
    "high_impact_practices_lapsed",
    "high_impact_in_pilot_or_rollout",
    "high_impact_practices_in_effect",
)
FUNDING_FIGURES = ("pilots", "with_rollout_budget", "with_approved_rollout_budget")


def _history_figures(session: so.Session, as_of: date, filters: list, valid_days: int) -> tuple[list[sa.Row], dict]:
    """Per (domain, department): the projects in each stage, the funnel sums, the risk figures and
    the pilots' rollout money (its lines as they are now); and the median stay per timed stage.

    One statement: the stays are worked out once and read twice (UNION ALL), one column per stage
    in both halves (pivoted: grouping by stage too made PostgreSQL sort 100k rows on disk). The
    tier is the current one (tiers have no history) of the projects active on `as_of`; the
    practices in effect on `as_of` are counted per project once, and joined.
    """
    stays = _stays(as_of, filters)
    active = stays.c.stage.in_(ACTIVE_STAGES)
    high_impact_rollout = sa.and_(stays.c.stage == "rollout", Project.risk_tier == "high_impact")
    high_impact_in_use = sa.and_(stays.c.stage.in_(("pilot", "rollout")), Project.risk_tier == "high_impact")
    in_effect = practices_in_effect(as_of, valid_days)
    pilot = stays.c.stage == "pilot"
    rollout_money = _rollout_money()
    risk = [
        *(sa.func.count().filter(active, Project.risk_tier == tier).label(f"tier_{tier}") for tier in RISK_TIERS),
        sa.func.count().filter(high_impact_rollout).label("high_impact_in_rollout"),
        sa.func.count()
        .filter(high_impact_rollout, lacks_a_practice(in_effect.c.in_effect))
        .label("high_impact_practices_lapsed"),
        sa.func.count().filter(high_impact_in_use).label("high_impact_in_pilot_or_rollout"),
        sa.func.count()
        .filter(high_impact_in_use, sa.not_(lacks_a_practice(in_effect.c.in_effect)))
        .label("high_impact_practices_in_effect"),
        sa.func.count().filter(pilot).label("pilots"),
        sa.func.count().filter(pilot, rollout_money.c.project_id.is_not(None)).label("with_rollout_budget"),
        sa.func.count().filter(pilot, rollout_money.c.approved > 0).label("with_approved_rollout_budget"),
    ]
    current = (
        sa.select(
            sa.literal("current").label("figure"),
            Project.domain,
            Project.department,
            *(sa.func.count().filter(stays.c.stage == stage).label(stage) for stage in STAGES),
            sa.func.sum(stays.c.reached_poc).label("entered_poc"),
            sa.func.sum(stays.c.reached_poc * stays.c.reached_pilot).label("poc_to_pilot"),
            sa.func.sum(stays.c.reached_pilot * stays.c.reached_rollout).label("pilot_to_rollout"),
            *risk,
        )
        .select_from(stays)
        .join(Project, Project.id == stays.c.project_id)
        .outerjoin(in_effect, in_effect.c.project_id == Project.id)
        .outerjoin(rollout_money, rollout_money.c.project_id == Project.id)
        .where(stays.c.is_current)
        .group_by(Project.domain, Project.department)
    )
    days = days_between(sa.func.coalesce(stays.c.left_on, sa.literal(as_of, sa.Date)), stays.c.entered_on)
    timed = (
        sa.select(stays.c.stage, days.label("days"))
        .select_from(stays)
        .where(stays.c.stage.in_(TIMED_STAGES))
        .subquery("timed")
    )
    ranked = sa.select(
        timed.c.stage,
        timed.c.days,
        sa.func.row_number().over(partition_by=timed.c.stage, order_by=timed.c.days).label("position"),
        sa.func.count().over(partition_by=timed.c.stage).label("stays"),
    ).subquery("ranked")
    # the middle row, or the two middle rows when the count is even
    middle = ranked.c.position.in_([(ranked.c.stays + 1) // 2, (ranked.c.stays + 2) // 2])
    medians = sa.select(
        sa.literal("median"),
        sa.null(),
        sa.null(),
        *(
            sa.func.avg(ranked.c.days).filter(ranked.c.stage == stage) if stage in TIMED_STAGES else sa.null()
            for stage in STAGES
        ),
        *(sa.null() for _ in range(3 + len(risk))),
    ).where(middle)
    rows = session.execute(sa.union_all(current, medians)).all()
    median_row = next(row for row in rows if row.figure == "median")._mapping
    medians_by_stage = {
        stage: None if median_row[stage] is None else _days(median_row[stage]) for stage in TIMED_STAGES
    }
    return [row for row in rows if row.figure == "current"], medians_by_stage


def _rollout_money() -> sa.Subquery:
    """Per project with a `rollout` budget line: `approved`, how many of them are approved (an
    aggregate to join, as `practices_in_effect`)."""
    return (
        sa.select(
            BudgetLine.project_id,
            sa.func.count().filter(BudgetLine.status == "approved").label("approved"),
        )
        .where(BudgetLine.stage == "rollout")
        .group_by(BudgetLine.project_id)
        .subquery("rollout_money")
    )


def _budget_rows(session: so.Session, filters: list) -> dict[str, list[BudgetRow]]:
    """Sums of integer minor units per currency, by stage and by fiscal year, in one statement."""
    sums = [
        *(
            sa.func.sum(sa.case((BudgetLine.status == status, BudgetLine.amount_minor), else_=0)).label(status)
            for status in BUDGET_STATUSES
        ),
        sa.func.sum(BudgetLine.spent_minor).label("spent"),
    ]
    scope = of_filtered_projects(BudgetLine.project_id, filters)
    by_stage = (
        sa.select(BudgetLine.currency, BudgetLine.stage, sa.cast(sa.null(), sa.Integer).label("fiscal_year"), *sums)
        .where(*scope)
        .group_by(BudgetLine.currency, BudgetLine.stage)
    )
    by_year = (
        sa.select(BudgetLine.currency, sa.cast(sa.null(), sa.String), BudgetLine.fiscal_year, *sums)
        .where(*scope)
        .group_by(BudgetLine.currency, BudgetLine.fiscal_year)
    )
    budget: dict[str, list[BudgetRow]] = {"by_stage": [], "by_fiscal_year": []}
    stage_order = {stage: n for n, stage in enumerate(BUDGET_STAGES)}
    for row in session.execute(sa.union_all(by_stage, by_year)):
        money = {name: from_minor(int(getattr(row, name)), row.currency) for name in ("planned", "approved", "spent")}
        if row.stage is not None:
            budget["by_stage"].append(BudgetRow(row.currency, stage=row.stage, **money))
        else:
            budget["by_fiscal_year"].append(BudgetRow(row.currency, fiscal_year=row.fiscal_year, **money))
    budget["by_stage"].sort(key=lambda r: (r.currency, stage_order[r.stage]))
    budget["by_fiscal_year"].sort(key=lambda r: (r.currency, r.fiscal_year))
    return budget


def _flag_counts(session: so.Session, as_of: date, filters: list) -> tuple[dict[str, int], dict[str, int]]:
    """Flags unresolved at the end of `as_of` per rule, and the projects carrying them."""
    unresolved = sa.and_(Flag.opened_at <= as_of, sa.or_(Flag.resolved_at.is_(None), Flag.resolved_at > as_of))
    rows = session.execute(
        sa.select(Flag.rule, sa.func.count(), sa.func.count(sa.distinct(Flag.project_id)))
        .where(unresolved, *of_filtered_projects(Flag.project_id, filters))
        .group_by(Flag.rule)
    ).all()
    flags = dict.fromkeys(RULES, 0) | {rule: count for rule, count, _ in rows}
    projects = dict.fromkeys(RULES, 0) | {rule: projects for rule, _, projects in rows}
    return flags, projects


def _projects_with_outcome_kpi(session: so.Session, filters: list) -> int:
    return session.scalar(
        sa.select(sa.func.count(sa.distinct(Kpi.project_id))).where(
            Kpi.is_outcome, *of_filtered_projects(Kpi.project_id, filters)
        )
    )


def portfolio(
    session: so.Session,
    *,
    as_of: date,
    domain: str | None = None,
    department: str | None = None,
    domains: tuple[str, ...] = (),
    practice_valid_days: int = 365,
) -> Portfolio:
    """The portfolio as it stood at the end of `as_of`; budgets and KPIs as they are now.

    `domains` (the DOMAINS setting) are listed in by_domain even when they have no project.
    """
    filters = project_filters(domain, department)
    current_rows, medians = _history_figures(session, as_of, filters, practice_valid_days)
    flags, flagged_projects = _flag_counts(session, as_of, filters)

    # stage counts as lists in STAGES order while adding up the (domain, department) groups
    stages = [0] * len(STAGES)
    by_domain = {name: [0] * len(STAGES) for name in ((domain,) if domain is not None else domains)}
    by_department: dict[str, list[int]] = {}
    reached_counts = [0, 0, 0]  # entered poc, reached pilot, reached rollout
    extra = dict.fromkeys((*RISK_FIGURES, *FUNDING_FIGURES), 0)
    for _, domain_name, department_name, *figures in current_rows:
        # int(): numerics on PostgreSQL, where the UNION meets the medians' averages
        counts = [int(count) for count in figures[: len(STAGES)]]
        for totals in (stages, _totals(by_domain, domain_name), _totals(by_department, department_name)):
            for index, count in enumerate(counts):
                totals[index] += count
        for index, count in enumerate(figures[len(STAGES) : len(STAGES) + 3]):
            reached_counts[index] += int(count)
        for name, count in zip(extra, figures[len(STAGES) + 3 :], strict=True):
            extra[name] += int(count)
    reached = dict(zip(("poc", "pilot", "rollout"), reached_counts, strict=True))
    return Portfolio(
        as_of=as_of,
        stages=_by_stage(stages),
        funnel={
            "poc_to_pilot": share(reached["pilot"], reached["poc"]),
            "pilot_to_rollout": share(reached["rollout"], reached["pilot"]),
        },
        median_days_in_stage=medians,
        budget=_budget_rows(session, filters),
        kpis={
            "projects_with_outcome_kpi": _projects_with_outcome_kpi(session, filters),
            "input_metrics_only": flagged_projects["input_metrics_only"],
        },
        flags=flags,
        by_domain={name: _by_stage(counts) for name, counts in sorted(by_domain.items())},
        by_department={name: _by_stage(counts) for name, counts in sorted(by_department.items())},
        risk={
            "tiers": {tier: extra[f"tier_{tier}"] for tier in RISK_TIERS},
            **{name: extra[name] for name in RISK_FIGURES if not name.startswith("tier_")},
        },
        funding={name: extra[name] for name in FUNDING_FIGURES},
        reached=reached,
    )


def longest_in_pilot(
    session: so.Session, *, as_of: date, domain: str | None = None, department: str | None = None, limit: int = 10
) -> list[PilotStay]:
    """The projects in pilot at the end of `as_of` that have been there longest."""
    stays = _stays(as_of, project_filters(domain, department))
    days = days_between(sa.literal(as_of, sa.Date), stays.c.entered_on)
    rows = session.execute(
        sa.select(Project.key, Project.title, User.name, days.label("days"))
        .select_from(stays)
        .join(Project, Project.id == stays.c.project_id)
        .join(User, User.id == Project.owner_id)
        .where(stays.c.is_current, stays.c.stage == "pilot")
        .order_by(stays.c.entered_on, Project.key)
        .limit(limit)
    )
    return [PilotStay(*row) for row in rows]
