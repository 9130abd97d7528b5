"""The trend's periods (SPEC "The portfolio over time", *Periods*): calendar months, and the
quarters and years of a fiscal year that starts on the first day of month
`FISCAL_YEAR_START_MONTH` and is named after the calendar year in which it ends. Pure: no Flask."""

from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_KINDS = ("month", "quarter", "year")
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
DEFAULT_PERIODS = 8  # `from` defaults to 7 periods before the one holding `to`
MAX_PERIODS = 120


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # its last day, or `to` for the last period
    partial: bool  # the last period, cut short at `to`
    full_end: date  # its last day whatever `to` is (a cohort's age is counted from it)


def _add_months(day: date, months: int) -> date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def fiscal_year(day: date, start_month: int) -> int:
    """The fiscal year holding `day`, named after the calendar year in which it ends."""
    return day.year + 1 if start_month > 1 and day.month >= start_month else day.year


def period_start(kind: str, day: date, start_month: int) -> date:
    """The first day of the period of `kind` holding `day`."""
    if kind == "month":
        return day.replace(day=1)
    months_since_year_start = (day.month - start_month) % 12
    size = MONTHS_IN[kind]
    return _add_months(day.replace(day=1), -(months_since_year_start % size))


def _label(kind: str, start: date, start_month: int) -> str:
    if kind == "month":
        return f"{start.year}-{start.month:02d}"
    year = fiscal_year(start, start_month)
    if kind == "year":
        return str(year)
    return f"{year}-Q{(start.month - start_month) % 12 // 3 + 1}"


def default_from(kind: str, to: date, start_month: int) -> date:
    """The start of the period DEFAULT_PERIODS - 1 periods before the one holding `to`."""
    return _add_months(period_start(kind, to, start_month), -(DEFAULT_PERIODS - 1) * MONTHS_IN[kind])


def count_periods(kind: str, first: date, to: date, start_month: int) -> int:
    """How many periods run from the one holding `first` to the one holding `to`."""
    start, last = period_start(kind, first, start_month), period_start(kind, to, start_month)
    months = (last.year - start.year) * 12 + last.month - start.month
    return months // MONTHS_IN[kind] + 1


def periods(kind: str, first: date, to: date, start_month: int) -> list[Period]:
    """The periods from the one holding `first` to the one holding `to`, oldest first."""
    result = []
    start = period_start(kind, first, start_month)
    while start <= to:
        following = _add_months(start, MONTHS_IN[kind])
        full_end = following - timedelta(days=1)
        result.append(Period(_label(kind, start, start_month), start, min(full_end, to), full_end > to, full_end))
        start = following
    return result
