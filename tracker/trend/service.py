"""The portfolio over time: one call resolves the parameters and computes the whole trend (the API,
the council pack, frozen packs and the console all call `compute_trend`)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy.orm as so

from tracker.errors import Invalid
from tracker.pauses import without_gc_pauses
from tracker.reports.queries import project_filters
from tracker.trend import queries
from tracker.trend.figures import trend_figures
from tracker.trend.periods import MAX_PERIODS, Period, count_periods, default_from, periods


@dataclass(frozen=True)
class TrendRange:
    """The parameters as resolved: `start` is the first period's start (the trend's `from`)."""

    period: str
    start: date
    to: date
    domain: str | None
    department: str | None
    periods: list[Period]

    @property
    def parameters(self) -> dict:
        """As SPEC names them (`from`, `to` as ISO dates): what a frozen pack records."""
        return {
            "period": self.period,
            "from": self.start.isoformat(),
            "to": self.to.isoformat(),
            "domain": self.domain,
            "department": self.department,
        }


def resolve_range(
    *,
    period: str = "quarter",
    start: date | None = None,
    to: date | None = None,
    domain: str | None = None,
    department: str | None = None,
    fiscal_year_start_month: int,
    today: date,
    location: str = "query",
) -> TrendRange:
    """The periods asked for, or Invalid naming the field (`location`: where it was sent)."""
    to = today if to is None else to
    if to > today:
        raise Invalid({"to": "Must not be in the future."}, location=location)
    start = default_from(period, to, fiscal_year_start_month) if start is None else start
    if start > to:
        raise Invalid({"from": f"Must not be after to ({to})."}, location=location)
    count = count_periods(period, start, to, fiscal_year_start_month)
    if count > MAX_PERIODS:
        raise Invalid(
            {"from": f"The range holds {count} periods of a {period}; at most {MAX_PERIODS}."}, location=location
        )
    found = periods(period, start, to, fiscal_year_start_month)
    return TrendRange(period, found[0].start, to, domain, department, found)


@without_gc_pauses()
def compute_trend(session: so.Session, trend_range: TrendRange, *, pilot_max_days: int) -> dict:
    """The trend of SPEC "The portfolio over time" for `trend_range`, with its top-level keys."""
    filters = project_filters(trend_range.domain, trend_range.department)
    to = trend_range.to
    figures = trend_figures(
        trend_range.periods,
        queries.history(session, to=to, filters=filters),
        pilot_max_days=pilot_max_days,
        rollout_funding=queries.rollout_funding(session, to=to, filters=filters),
        outcomes=queries.outcomes(session, ends=[p.end for p in trend_range.periods], filters=filters),
    )
    return {
        "period": trend_range.period,
        "from": trend_range.start,
        "to": to,
        "purgatory_days": pilot_max_days,
        "domain": trend_range.domain,
        "department": trend_range.department,
        "periods": figures.periods,
        "cohorts": figures.cohorts,
        "time_to_rollout": figures.time_to_rollout,
    }
