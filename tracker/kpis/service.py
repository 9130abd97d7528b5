"""KPIs and their measurements, and what is derived from them: latest value, progress, overdue."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.auth import Actor
from tracker.db import get_or_404, utcnow
from tracker.errors import Invalid
from tracker.kpis.models import Kpi, Measurement
from tracker.projects.models import Project

PROGRESS_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class KpiStatus:
    """Derived, read-only: where a KPI stands today."""

    latest_value: Decimal | None
    latest_measured_on: date | None
    progress: Decimal | None
    overdue: bool


def progress(baseline: Decimal | None, target: Decimal | None, value: Decimal | None) -> Decimal | None:
    """Share of the way from baseline to target that `value` has come, rounded to 4 places.

    Negative when it moved away from the target, above 1 past it; None when it cannot be said.
    """
    if baseline is None or target is None or value is None or target == baseline:
        return None
    # inputs have at most 18 digits, so 40 keep the quotient exact to the 4th place
    with localcontext(prec=40):
        return ((value - baseline) / (target - baseline)).quantize(PROGRESS_PLACES, rounding=ROUND_HALF_UP)


def is_overdue(last_reported: date, cadence_days: int, today: date) -> bool:
    return (today - last_reported).days > cadence_days


def latest_measurements(session: so.Session, kpi_ids: list[int]) -> dict[int, tuple[Decimal, date]]:
    """kpi id -> (value, measured_on) of its latest measurement, for many KPIs in one query.

    Latest means the latest `measured_on`; of two on the same day, the one recorded last.
    """
    if not kpi_ids:
        return {}
    ranked = (
        sa.select(
            Measurement.kpi_id,
            Measurement.value,
            Measurement.measured_on,
            sa.func.row_number()
            .over(partition_by=Measurement.kpi_id, order_by=(Measurement.measured_on.desc(), Measurement.id.desc()))
            .label("rank"),
        )
        .where(Measurement.kpi_id.in_(kpi_ids))
        .subquery()
    )
    rows = session.execute(sa.select(ranked.c.kpi_id, ranked.c.value, ranked.c.measured_on).where(ranked.c.rank == 1))
    return {kpi_id: (value, measured_on) for kpi_id, value, measured_on in rows}


def with_status(session: so.Session, kpis: list[Kpi]) -> list[Kpi]:
    """Attach each KPI's KpiStatus as `kpi.status`: one query for the whole list."""
    today = utcnow().date()
    latest = latest_measurements(session, [kpi.id for kpi in kpis])
    for kpi in kpis:
        value, measured_on = latest.get(kpi.id, (None, None))
        kpi.status = KpiStatus(
            latest_value=value,
            latest_measured_on=measured_on,
            progress=progress(kpi.baseline, kpi.target, value),
            overdue=is_overdue(measured_on or kpi.created_at.date(), kpi.cadence_days, today),
        )
    return kpis


def get_kpi(session: so.Session, kpi_id: int, *, for_update: bool = False) -> Kpi:
    return get_or_404(session, Kpi, kpi_id, name="KPI", for_update=for_update)


def list_kpis_query(project_id: int, *, kind: str | None = None) -> sa.Select:
    stmt = sa.select(Kpi).where(Kpi.project_id == project_id).order_by(Kpi.id)
    if kind is not None:
        stmt = stmt.where(Kpi.kind == kind)
    return stmt


def _check_dates(baseline_date: date | None, target_date: date | None) -> None:
    if baseline_date is not None and target_date is not None and target_date < baseline_date:
        raise Invalid({"target_date": f"Must not be before baseline_date ({baseline_date})."})


def create_kpi(session: so.Session, *, project: Project, data: dict) -> Kpi:
    _check_dates(data.get("baseline_date"), data.get("target_date"))
    kpi = Kpi(project_id=project.id, **data)
    session.add(kpi)
    session.commit()
    return kpi


def update_kpi(session: so.Session, *, kpi: Kpi, changes: dict) -> Kpi:
    _check_dates(changes.get("baseline_date", kpi.baseline_date), changes.get("target_date", kpi.target_date))
    for name, value in changes.items():
        setattr(kpi, name, value)
    session.commit()
    return kpi


def delete_kpi(session: so.Session, kpi: Kpi) -> None:
    """Delete a KPI; the database deletes its measurements with it."""
    session.delete(kpi)
    session.commit()


def get_measurement(session: so.Session, measurement_id: int) -> Measurement:
    return get_or_404(session, Measurement, measurement_id, name="measurement")


def list_measurements_query(kpi_id: int) -> sa.Select:
    """Newest first: by measured_on, then the one recorded last."""
    return (
        sa.select(Measurement)
        .where(Measurement.kpi_id == kpi_id)
        .order_by(Measurement.measured_on.desc(), Measurement.id.desc())
    )


def record_measurement(session: so.Session, *, actor: Actor, kpi: Kpi, data: dict) -> Measurement:
    measurement = Measurement(kpi_id=kpi.id, recorded_by_id=actor.id, **data)
    session.add(measurement)
    session.commit()
    return measurement
