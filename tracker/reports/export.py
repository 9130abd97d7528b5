"""projects.csv: one row per project, read through a server-side cursor and never held whole."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from tracker.budgets.models import BudgetLine
from tracker.flags.models import Flag
from tracker.kpis.models import Kpi, Measurement
from tracker.kpis.service import progress
from tracker.money import from_minor
from tracker.projects.models import Project
from tracker.projects.service import list_projects_query
from tracker.reports.queries import days_between
from tracker.users.models import User
from tracker.vocab import BUDGET_STAGES, KPI_KINDS, RULES

# rows fetched per round trip
STREAM_CHUNK = 1000


@dataclass(frozen=True)
class ProjectsExport:
    """The header and a stream of rows of projects.csv; `close` ends the read early."""

    header: list[str]
    rows: Iterator[list]
    close: Callable[[], None]


def _money_columns(currencies: list[str]) -> list[tuple[str, str, str, str]]:
    """(column name, currency, stage, measure): a group of stage x measure per currency."""
    return [
        (f"{stage}_{measure}_{currency}", currency, stage, measure)
        for currency in currencies
        for stage in BUDGET_STAGES
        for measure in ("planned", "approved", "spent")
    ]


def _money_sum(currency: str, stage: str, measure: str) -> sa.ColumnElement:
    """The sum for one cell; null (an empty cell) when the project has no such line."""
    line = sa.and_(BudgetLine.currency == currency, BudgetLine.stage == stage)
    if measure == "spent":
        return sa.func.sum(sa.case((line, BudgetLine.spent_minor)))
    return sa.func.sum(sa.case((sa.and_(line, BudgetLine.status == measure), BudgetLine.amount_minor)))


def projects_export(engine: sa.Engine, *, today: date, default_currency: str, **filters) -> ProjectsExport:
    """projects.csv: one row per project matching the projects list's filters, ordered by id.

    The rows come from a server-side cursor on a connection of their own, so they can be read
    after the request's session is gone; it closes when the rows run out or `close` is called.
    The statements run here, so a database error is an error response, never a truncated file.
    """
    connection = engine.connect()
    try:
        money_columns, result = _projects_result(connection, today=today, default_currency=default_currency, **filters)
    except BaseException:
        connection.close()
        raise
    currencies = [currency for _, currency, _, _ in money_columns]

    def rows() -> Iterator[list]:
        try:
            for row in result:
                yield _project_row(row, currencies)
        finally:
            connection.close()

    return ProjectsExport(_projects_header(money_columns), rows(), connection.close)


def _projects_result(
    connection: sa.Connection, *, today: date, default_currency: str, **filters
) -> tuple[list[tuple[str, str, str, str]], sa.CursorResult]:
    selected = list_projects_query(**filters).with_only_columns(Project.id).order_by(None).scalar_subquery()

    def of_selected(project_id: sa.ColumnElement) -> list[sa.ColumnElement[bool]]:
        # a filtered export adds up the lines of its own projects only, not of the whole portfolio
        return [project_id.in_(selected)] if any(value is not None for value in filters.values()) else []

    present = connection.scalars(sa.select(BudgetLine.currency).distinct().where(*of_selected(BudgetLine.project_id)))
    currencies = sorted({*present, default_currency})
    money_columns = _money_columns(currencies)

    money = (
        sa.select(
            BudgetLine.project_id,
            *(_money_sum(currency, stage, measure).label(name) for name, currency, stage, measure in money_columns),
        )
        .where(*of_selected(BudgetLine.project_id))
        .group_by(BudgetLine.project_id)
        .subquery("money")
    )
    kpi_counts = (
        sa.select(
            Kpi.project_id, *(sa.func.count(sa.case((Kpi.kind == kind, 1))).label(f"kpis_{kind}") for kind in KPI_KINDS)
        )
        .where(*of_selected(Kpi.project_id))
        .group_by(Kpi.project_id)
        .subquery("kpi_counts")
    )
    ranked = (
        sa.select(
            Kpi.project_id,
            Kpi.baseline,
            Kpi.target,
            Measurement.value,
            sa.func.row_number()
            .over(partition_by=Kpi.project_id, order_by=(Measurement.measured_on.desc(), Measurement.id.desc()))
            .label("position"),
        )
        .join(Measurement, Measurement.kpi_id == Kpi.id)
        .where(Kpi.is_outcome, *of_selected(Kpi.project_id))
        .subquery("ranked")
    )
    latest_outcome = sa.select(ranked).where(ranked.c.position == 1).subquery("latest_outcome")
    open_flags = (
        sa.select(
            Flag.project_id, *(sa.func.max(sa.case((Flag.rule == rule, 1), else_=0)).label(rule) for rule in RULES)
        )
        .where(Flag.status != "resolved", *of_selected(Flag.project_id))
        .group_by(Flag.project_id)
        .subquery("open_flags")
    )
    stmt = (
        list_projects_query(**filters)
        # _project_row reads these by position: 11 of the project, money, KPI counts, the latest outcome, flags
        .with_only_columns(
            Project.key,
            Project.title,
            Project.domain,
            Project.department,
            User.email,
            Project.stage,
            Project.stage_entered_at,
            days_between(sa.literal(today, sa.Date), Project.stage_entered_at).label("days_in_stage"),
            Project.risk_tier,
            Project.risk_rationale,
            Project.risk_assessed_on,
            *(money.c[name] for name, *_ in money_columns),
            *(kpi_counts.c[f"kpis_{kind}"] for kind in KPI_KINDS),
            latest_outcome.c.baseline,
            latest_outcome.c.target,
            latest_outcome.c.value,
            *(open_flags.c[rule] for rule in RULES),
        )
        .join_from(Project, User, User.id == Project.owner_id)
        .outerjoin(money, money.c.project_id == Project.id)
        .outerjoin(kpi_counts, kpi_counts.c.project_id == Project.id)
        .outerjoin(latest_outcome, latest_outcome.c.project_id == Project.id)
        .outerjoin(open_flags, open_flags.c.project_id == Project.id)
        .execution_options(yield_per=STREAM_CHUNK)
    )
    return money_columns, connection.execute(stmt)


def _projects_header(money_columns: list[tuple[str, str, str, str]]) -> list[str]:
    return [
        "key",
        "title",
        "domain",
        "department",
        "owner_email",
        "stage",
        "stage_entered_at",
        "days_in_stage",
        "risk_tier",
        "risk_rationale",
        "risk_assessed_on",
        *(name for name, *_ in money_columns),
        *(f"kpis_{kind}" for kind in KPI_KINDS),
        "outcome_progress",
        "open_flags",
    ]


def _project_row(row: sa.Row, currencies: list[str]) -> list:
    """One line of projects.csv from a row of the statement, read by position (100k rows: it counts).

    `currencies` holds the currency of each money cell; a cell is empty when there is no such line.
    """
    *project, days, tier, rationale, assessed_on = row[:11]
    money = row[11 : 11 + len(currencies)]
    kpis_by_kind = row[11 + len(currencies) : 14 + len(currencies)]
    baseline, target, value, *flagged = row[14 + len(currencies) :]
    return [
        *project[:6],
        project[6].isoformat(),
        days,
        tier,
        rationale,
        "" if assessed_on is None else assessed_on.isoformat(),
        *[
            "" if minor is None else format(from_minor(int(minor), c), "f")
            for minor, c in zip(money, currencies, strict=True)
        ],
        *[count or 0 for count in kpis_by_kind],
        _format_progress(progress(baseline, target, value)),
        ";".join(rule for rule, unresolved in zip(RULES, flagged, strict=True) if unresolved),
    ]


def _format_progress(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")
