"""A budget line's dates as pure rules (tracker/budgets/rules.py), for the API and any form alike."""

from datetime import date

import pytest

from tracker.budgets.rules import BudgetDates, budget_dates
from tracker.errors import Invalid

TODAY = date(2026, 3, 10)


def dates(status, sent=None, current=None):
    return budget_dates(status=status, sent=sent or {}, current=current, today=TODAY)


def refused_field(status, sent=None, current=None) -> str:
    with pytest.raises(Invalid) as refused:
        dates(status, sent, current)
    (field,) = refused.value.extra["errors"]["json"]
    return field


def test_a_new_line_is_planned_today_or_on_its_approval_day():
    assert dates("planned") == BudgetDates(TODAY, None)
    assert dates("approved") == BudgetDates(TODAY, TODAY)
    assert dates("approved", {"approved_on": date(2026, 1, 5)}) == BudgetDates(date(2026, 1, 5), date(2026, 1, 5))


def test_approving_keeps_the_planning_day_and_dates_the_approval_today_unless_told():
    planned = BudgetDates(date(2025, 6, 1), None)
    assert dates("approved", current=planned) == BudgetDates(date(2025, 6, 1), TODAY)
    approved = BudgetDates(date(2025, 6, 1), date(2025, 9, 1))
    assert dates("approved", current=approved) == approved  # a change of something else
    assert dates("planned", current=approved) == planned  # set back: the approval day is gone


def test_what_is_refused_names_the_field_the_request_moved():
    assert refused_field("planned", {"approved_on": date(2026, 1, 1)}) == "approved_on"
    assert refused_field("planned", {"planned_on": date(2026, 3, 11)}) == "planned_on"
    assert refused_field("approved", {"approved_on": date(2026, 3, 11)}) == "approved_on"
    approved = BudgetDates(date(2025, 6, 1), date(2025, 9, 1))
    assert refused_field("approved", {"planned_on": date(2025, 9, 2)}, approved) == "planned_on"
    assert refused_field("approved", {"approved_on": date(2025, 5, 31)}, approved) == "approved_on"
    both = {"planned_on": date(2025, 9, 2), "approved_on": date(2025, 9, 1)}
    assert refused_field("approved", both) == "approved_on"
