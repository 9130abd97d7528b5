"""Frozen council packs: freeze (compute the trend and the portfolio report now and store them as
the API answers them), list, read, delete. The figures are never recomputed."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.auth import Actor
from tracker.db import get_or_404
from tracker.reports import queries as report_queries
from tracker.reports.schemas import PortfolioSchema
from tracker.snapshots.models import Snapshot
from tracker.trend.schemas import TrendSchema
from tracker.trend.service import TrendRange, compute_trend


def freeze(
    session: so.Session,
    *,
    actor: Actor,
    actor_name: str,
    title: str,
    trend_range: TrendRange,
    pilot_max_days: int,
    domains: tuple[str, ...],
    practice_valid_days: int,
) -> Snapshot:
    """Store the trend of `trend_range` and the portfolio report as of its `to`, as they read now."""
    trend = compute_trend(session, trend_range, pilot_max_days=pilot_max_days)
    portfolio = report_queries.portfolio(
        session,
        as_of=trend_range.to,
        domain=trend_range.domain,
        department=trend_range.department,
        domains=domains,
        practice_valid_days=practice_valid_days,
    )
    snapshot = Snapshot(
        title=title,
        created_by_id=actor.id,
        created_by_name=actor_name,
        parameters=trend_range.parameters,
        portfolio=PortfolioSchema().dump(portfolio),
        trend=TrendSchema().dump(trend),
    )
    session.add(snapshot)
    session.commit()
    return snapshot


def get_snapshot(session: so.Session, snapshot_id: int) -> Snapshot:
    return get_or_404(session, Snapshot, snapshot_id, name="snapshot")


def list_snapshots_query() -> sa.Select:
    """Newest first; the list shows no figures, so they are not read."""
    return (
        sa.select(Snapshot)
        .options(so.defer(Snapshot.portfolio), so.defer(Snapshot.trend))
        .order_by(Snapshot.created_at.desc(), Snapshot.id.desc())
    )


def delete_snapshot(session: so.Session, snapshot: Snapshot) -> None:
    session.delete(snapshot)
    session.commit()
