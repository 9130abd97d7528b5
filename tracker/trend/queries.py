"""What the trend reads: the dated stage history, the first dates of rollout money, and the outcome
KPIs' latest measurements by period end. Three statements whatever the number of periods; rows
out, no ORM objects (tracker/trend/figures.py does the counting)."""

from collections.abc import Iterator
from datetime import date
from itertools import groupby
from operator import itemgetter

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.budgets.models import BudgetLine
from tracker.db import plain_text
from tracker.kpis.models import Kpi, Measurement
from tracker.projects.models import StageTransition
from tracker.reports.queries import days_between, of_filtered_projects
from tracker.trend.figures import Outcomes

ORDINAL_ZERO = date(1, 1, 1)  # day 1 of date.toordinal()


def ordinal(day: sa.ColumnElement) -> sa.ColumnElement[int]:
    """A date column as `date.toordinal()` counts it: whole days, cheap to compare in Python."""
    return days_between(day, sa.literal(ORDINAL_ZERO, sa.Date)) + 1


def history(session: so.Session, *, to: date, filters: list) -> Iterator[tuple[int, str | None, str, int]]:
    """Every stage decision dated on or before `to` of the filtered projects: (project id, from
    stage, to stage, day ordinal), by project, day and recording order (the history's index)."""
    statement = (
        sa.select(
            StageTransition.project_id,
            plain_text(StageTransition.from_stage),
            plain_text(StageTransition.to_stage),
            ordinal(StageTransition.effective_date),
        )
        .where(StageTransition.effective_date <= to, *of_filtered_projects(StageTransition.project_id, filters))
        .order_by(StageTransition.project_id, StageTransition.effective_date, StageTransition.id)
    )
    yield from session.connection().execute(statement)


def rollout_funding(session: so.Session, *, to: date, filters: list) -> dict[int, tuple[int, int | None]]:
    """Project id → the first day one of its rollout lines entered the plan, and the first day one
    was approved (day ordinals; None: none approved), of lines planned on or before `to`."""
    rows = session.connection().execute(
        sa.select(
            BudgetLine.project_id,
            sa.func.min(ordinal(BudgetLine.planned_on)),
            sa.func.min(ordinal(BudgetLine.approved_on)),
        )
        .where(
            BudgetLine.stage == "rollout",
            BudgetLine.planned_on <= to,
            *of_filtered_projects(BudgetLine.project_id, filters),
        )
        .group_by(BudgetLine.project_id)
    )
    return {project_id: (planned, approved) for project_id, planned, approved in rows}


def outcomes(session: so.Session, *, ends: list[date], filters: list) -> dict[int, Outcomes]:
    """Project id → its outcome KPIs as each period end sees them, for the projects that entered
    rollout by the last end. A measurement belongs to the first end on or after its day (its
    bucket); per KPI and bucket the latest one (by day, then the one recorded last) says whether
    the KPI was at or beyond its target then, and stays what it says until a later bucket has one."""
    to = ends[-1]
    last = len(ends) - 1
    whens = [(Measurement.measured_on <= end, index) for index, end in enumerate(ends[:-1])]
    bucket = sa.case(*whens, else_=last) if whens else sa.literal(last)
    on_target = sa.case(
        (sa.and_(Kpi.direction == "increase", Measurement.value >= Kpi.target), 1),
        (sa.and_(Kpi.direction == "decrease", Measurement.value <= Kpi.target), 1),
        else_=0,
    )
    entered_rollout = sa.select(StageTransition.project_id).where(
        StageTransition.to_stage == "rollout", StageTransition.effective_date <= to
    )
    latest = (
        sa.select(
            Kpi.project_id,
            Measurement.kpi_id,
            bucket.label("bucket"),
            on_target.label("on_target"),
            sa.func.row_number()
            .over(
                partition_by=(Measurement.kpi_id, bucket),
                order_by=(Measurement.measured_on.desc(), Measurement.id.desc()),
            )
            .label("newest"),
        )
        .join(Kpi, Kpi.id == Measurement.kpi_id)
        .where(
            Kpi.is_outcome,
            Measurement.measured_on <= to,
            Kpi.project_id.in_(entered_rollout),
            *of_filtered_projects(Kpi.project_id, filters),
        )
        .subquery("latest")
    )
    rows = session.connection().execute(
        sa.select(latest.c.project_id, latest.c.kpi_id, latest.c.bucket, latest.c.on_target)
        .where(latest.c.newest == 1)
        .order_by(latest.c.project_id, latest.c.kpi_id, latest.c.bucket)
    )
    return _by_project(rows, len(ends))


def _by_project(rows, n: int) -> dict[int, Outcomes]:
    """(project, KPI, bucket, on target) rows, ordered so, as each project's Outcomes: a reading
    short of its target marks its bucket and the ones after it until the KPI's next reading."""
    first: dict[int, int] = {}
    off_target: dict[int, set[int]] = {}
    for (project_id, _), readings in groupby(rows, key=itemgetter(0, 1)):
        buckets = [(bucket, on_target) for _, _, bucket, on_target in readings]
        first[project_id] = min(first.get(project_id, n), buckets[0][0])
        off = off_target.setdefault(project_id, set())
        for (bucket, on_target), (until, _) in zip(buckets, [*buckets[1:], (n, 0)], strict=True):
            if not on_target:
                off.update(range(bucket, until))
    return {project_id: Outcomes(first[project_id], frozenset(off_target[project_id])) for project_id in first}
