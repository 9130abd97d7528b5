"""factory_boy factories over the models, with titles and problems from the real 2025 US federal
AI use case inventory (tests/data, public data kept whole), so tests run on the text real agencies write."""

import csv
import functools
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import factory
from factory.alchemy import SQLAlchemyModelFactory

from tracker.budgets.models import BudgetLine
from tracker.entry_translations.models import ProjectTranslation
from tracker.entry_translations.rules import TRANSLATED_FIELDS, fingerprints
from tracker.extensions import db
from tracker.flags.models import Flag
from tracker.kpis.models import Kpi, Measurement
from tracker.money import to_minor
from tracker.projects.models import Project, StageTransition
from tracker.trust.models import Practice
from tracker.users.models import User

FEDERAL_INVENTORY = Path(__file__).resolve().parent / "data" / "us-federal-ai-inventory-2025" / "use_cases.csv"


@functools.cache
def federal_use_cases() -> list[dict]:
    """Rows of the real inventory that have a name and a problem statement."""
    with FEDERAL_INVENTORY.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["use_case_name"].strip() and row["problem_solved"].strip()]


def federal_inventory_rows(count: int) -> str:
    """The inventory's header and its first `count` use cases as CSV text (an omb-2025 import body)."""
    with FEDERAL_INVENTORY.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        rows = [next(reader) for _ in range(count + 1)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def federal_use_case(n: int) -> dict:
    rows = federal_use_cases()
    return rows[n % len(rows)]


class _Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(_Factory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@city.example")
    name = factory.Sequence(lambda n: f"User {n}")
    role = "manager"
    active = True


class ProjectFactory(_Factory):
    """A project with its first history entry, as the API would create it."""

    class Meta:
        model = Project

    key = factory.Sequence(lambda n: f"{federal_use_case(n)['agency'] or 'CITY'}-{n:05d}".upper())
    title = factory.Sequence(lambda n: federal_use_case(n)["use_case_name"][:300])
    problem = factory.Sequence(lambda n: federal_use_case(n)["problem_solved"])
    description = ""
    domain = "operations"
    ai_type = "traditional_ml"
    department = factory.Sequence(lambda n: federal_use_case(n)["agency_name"][:200])
    owner = factory.SubFactory(UserFactory)
    stage = "poc"
    stage_entered_at = factory.LazyFunction(date.today)
    # classified, so the trust rules stay quiet unless a test gives the tier it is about
    risk_tier = "minimal"
    risk_rationale = "Back-office analytics; no decision about residents."

    @factory.post_generation
    def history(project, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        if create:
            db.session.add(
                StageTransition(
                    project_id=project.id,
                    from_stage=None,
                    to_stage=project.stage,
                    effective_date=project.stage_entered_at,
                    decided_by_id=project.owner_id,
                    rationale="created by a test factory",
                    gate={"checks": [], "unmet": [], "overridden": False},
                )
            )
            db.session.commit()


class KpiFactory(_Factory):
    class Meta:
        model = Kpi

    class Params:
        project = factory.SubFactory(ProjectFactory)

    # the models hold ids, not relationships: pass project= (or project_id=)
    project_id = factory.SelfAttribute("project.id")
    name = factory.Sequence(lambda n: f"KPI {n}")
    kind = "output"
    unit = "count"
    direction = "increase"
    cadence_days = 30


class OutcomeKpiFactory(KpiFactory):
    kind = "outcome"
    name = "Average permit wait time"
    unit = "days"
    direction = "decrease"
    baseline = Decimal("42.5")
    baseline_date = date(2025, 1, 1)
    target = Decimal("25")
    target_date = date(2027, 12, 31)


class MeasurementFactory(_Factory):
    class Meta:
        model = Measurement

    class Params:
        kpi = factory.SubFactory(KpiFactory)

    kpi_id = factory.SelfAttribute("kpi.id")
    value = Decimal("10")
    measured_on = factory.LazyFunction(date.today)
    note = ""


class BudgetLineFactory(_Factory):
    class Meta:
        model = BudgetLine

    class Params:
        amount = Decimal("100000.00")
        spent = Decimal("0")
        project = factory.SubFactory(ProjectFactory)

    project_id = factory.SelfAttribute("project.id")
    stage = "pilot"
    fiscal_year = 2026
    category = "services"
    currency = "USD"
    status = "planned"
    source = "mid-term fiscal plan 2026-30"
    amount_minor = factory.LazyAttribute(lambda o: to_minor(o.amount, o.currency))
    spent_minor = factory.LazyAttribute(lambda o: to_minor(o.spent, o.currency))
    planned_on = factory.LazyFunction(date.today)
    approved_on = factory.LazyAttribute(lambda o: o.planned_on if o.status == "approved" else None)


class FlagFactory(_Factory):
    class Meta:
        model = Flag

    class Params:
        # Flag has no relationship, only project_id: pass project=... or project_id=...
        project = factory.SubFactory(ProjectFactory)

    project_id = factory.SelfAttribute("project.id")
    rule = "pilot_purgatory"
    status = "open"
    opened_at = factory.LazyFunction(date.today)
    last_seen_at = factory.LazyFunction(date.today)
    details = factory.LazyFunction(dict)


class PracticeFactory(_Factory):
    """A written practice: `done` a month ago unless told (pass project= or project_id=)."""

    class Meta:
        model = Practice

    class Params:
        project = factory.SubFactory(ProjectFactory, risk_tier="high_impact")

    project_id = factory.SelfAttribute("project.id")
    key = "testing"
    status = "done"
    completed_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))


class TranslationFactory(_Factory):
    """A project's text in another language, written against its current originals (pass project=,
    and the translated fields; `locale` defaults to Korean)."""

    class Meta:
        model = ProjectTranslation

    class Params:
        project = factory.SubFactory(ProjectFactory)

    project_id = factory.SelfAttribute("project.id")
    locale = "ko"
    originals = factory.LazyAttribute(
        lambda o: fingerprints({name: getattr(o.project, name) for name in TRANSLATED_FIELDS})
    )
