"""The in-effect rule of tracker/trust/rules.py as SQL, for aggregate queries (reports, counts)."""

from datetime import date, timedelta

import sqlalchemy as sa

from tracker.trust.models import Practice
from tracker.vocab import PRACTICES


def in_effect(on: date, valid_days: int) -> sa.ColumnElement[bool]:
    """A practice row in effect on `on`: not applicable, or done / waived within `valid_days` of `on`
    (the same rule as `PracticeState.in_effect`)."""
    certified = sa.case(
        (Practice.status == "done", Practice.completed_on),
        (Practice.status == "waived", Practice.waived_on),
    )
    return sa.or_(
        Practice.status == "not_applicable",
        certified.between(on - timedelta(days=valid_days - 1), on),
    )


def lacks_a_practice(project_id: sa.ColumnElement, on: date, valid_days: int) -> sa.ColumnElement[bool]:
    """The project has fewer than all eight practices in effect on `on` (an unwritten one never is)."""
    in_effect_count = (
        sa.select(sa.func.count())
        .where(Practice.project_id == project_id, in_effect(on, valid_days))
        .correlate_except(Practice)
        .scalar_subquery()
    )
    return in_effect_count < len(PRACTICES)
