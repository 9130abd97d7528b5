"""The in-effect rule in SQL (reports) says what the pure rule says, day by day, on both databases."""

from datetime import date, timedelta

import sqlalchemy as sa

from tests import factories
from tracker.extensions import db
from tracker.trust.models import Practice
from tracker.trust.queries import in_effect
from tracker.trust.rules import PracticeState

DAY = date(2026, 3, 1)


def test_the_sql_in_effect_rule_agrees_with_the_pure_rule_around_every_edge(app_context):
    project = factories.ProjectFactory(risk_tier="high_impact")
    shapes = {
        "testing": ("done", DAY, None),
        "impact_assessment": ("waived", None, DAY),
        "independent_review": ("not_applicable", None, None),
        "monitoring": ("in_progress", None, None),
        "training": ("not_started", None, None),
        "human_oversight": ("done", DAY - timedelta(days=364), None),
    }
    for key, (status, completed_on, waived_on) in shapes.items():
        factories.PracticeFactory(
            project=project, key=key, status=status, completed_on=completed_on, waived_on=waived_on
        )
    for offset in (-1, 0, 1, 363, 364, 365, 366):
        on = DAY + timedelta(days=offset)
        in_sql = set(db.session.scalars(sa.select(Practice.key).where(in_effect(on, 365))))
        in_python = {
            key
            for key, (status, completed_on, waived_on) in shapes.items()
            if PracticeState(key, status, completed_on, waived_on).in_effect(on, 365)
        }
        assert in_sql == in_python, on
