"""The trend's periods (tracker/trend/periods.py): months, and fiscal quarters and years named
after the calendar year they end in."""

from datetime import date

import pytest

from tracker.trend.periods import count_periods, default_from, fiscal_year, periods


@pytest.mark.parametrize(
    ("day", "start_month", "year"),
    [
        (date(2026, 1, 1), 1, 2026),
        (date(2025, 10, 1), 10, 2026),
        (date(2026, 9, 30), 10, 2026),
        (date(2026, 3, 31), 4, 2026),
        (date(2026, 4, 1), 4, 2027),
    ],
)
def test_a_fiscal_year_is_named_after_the_calendar_year_in_which_it_ends(day, start_month, year):
    assert fiscal_year(day, start_month) == year


def test_october_quarters_and_years():
    found = periods("quarter", date(2025, 9, 30), date(2026, 1, 15), 10)
    assert [(p.label, p.start, p.end, p.partial) for p in found] == [
        ("2025-Q4", date(2025, 7, 1), date(2025, 9, 30), False),
        ("2026-Q1", date(2025, 10, 1), date(2025, 12, 31), False),
        ("2026-Q2", date(2026, 1, 1), date(2026, 1, 15), True),
    ]
    (year,) = periods("year", date(2025, 10, 1), date(2026, 9, 30), 10)
    assert (year.label, year.start, year.end, year.partial) == ("2026", date(2025, 10, 1), date(2026, 9, 30), False)


def test_the_default_range_is_eight_periods_ending_with_the_one_holding_to():
    to = date(2026, 3, 5)
    assert default_from("quarter", to, 1) == date(2024, 4, 1)
    assert count_periods("quarter", default_from("quarter", to, 1), to, 1) == 8
    assert default_from("month", to, 1) == date(2025, 8, 1)
    assert [p.label for p in periods("year", default_from("year", to, 7), to, 7)][-1] == "2026"
    assert len(periods("year", default_from("year", to, 7), to, 7)) == 8


def test_a_month_ending_on_to_is_not_partial():
    assert [p.partial for p in periods("month", date(2026, 1, 31), date(2026, 2, 28), 1)] == [False, False]
