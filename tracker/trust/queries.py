"""Practices in SQL: the columns the public may see, and the in-effect rule of
tracker/trust/rules.py for aggregate queries (reports, counts)."""

from datetime import date, timedelta

import sqlalchemy as sa

from tracker.trust.models import Practice
from tracker.vocab import PRACTICES

# What the registry and the register publish of a written practice: never its note, nor who changed it.
PUBLIC_COLUMNS = (
    Practice.key,
    Practice.status,
    Practice.completed_on,
    Practice.waived_on,
    Practice.evidence_url,
    Practice.waiver_reason,
)


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


def practices_in_effect(on: date, valid_days: int) -> sa.Subquery:
    """Per project with any: `in_effect`, how many of its practices are in effect on `on`.

    An aggregate to join, not a correlated count: PostgreSQL prices a correlated subquery as if
    it ran for every row of the outer query, and that estimate alone switches JIT compilation on
    (150 ms of compiling for a 450 ms report at 10,000 projects).
    """
    return (
        sa.select(Practice.project_id, sa.func.count().label("in_effect"))
        .where(in_effect(on, valid_days))
        .group_by(Practice.project_id)
        .subquery("practices_in_effect")
    )


def lacks_a_practice(in_effect_count: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """Fewer than all eight practices in effect (`in_effect_count` from an outer join: null is none)."""
    return sa.func.coalesce(in_effect_count, 0) < len(PRACTICES)
