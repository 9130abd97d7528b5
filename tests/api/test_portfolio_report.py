"""The portfolio report over a portfolio whose every figure is worked out by hand below.

Seven projects (titles from the real federal inventory), each with its stage history:

    P1 mobility     교통정책과          poc 2024-11-01
    P2 mobility     Transport          poc 2024-10-01 -> pilot 2025-01-15 -> rollout 2025-05-01
    P3 safety       Sécurité publique  created in pilot 2024-12-01 (poc implied)
    P4 operations   Transport          poc 2024-12-10 -> cancelled 2025-02-20
    P5 environment  Environment        poc 2025-03-01 -> pilot 2025-04-01
    P6 safety       Sécurité publique  created in rollout 2025-02-01 (poc, pilot implied)
    P7 mobility     Transport          created in pilot 2024-09-01 -> sent back to poc 2025-01-10

NOW = 2025-06-30 and PAST = 2025-01-31 are the two as_of dates; P5 and P6 do not exist at PAST.
"""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import StageTransition
from tracker.vocab import PRACTICES, RISK_TIERS, RULES, STAGES

URL = "/api/v1/reports/portfolio"
NOW = date(2025, 6, 30)
PAST = date(2025, 1, 31)
SPEC_KEYS = {
    "as_of",
    "stages",
    "funnel",
    "median_days_in_stage",
    "budget",
    "kpis",
    "flags",
    "by_domain",
    "by_department",
    "risk",
}
# the keys SPEC names, and the pilots' rollout money the console's dashboard shows
REPORT_KEYS = {*SPEC_KEYS, "funding"}


def with_history(steps: list[tuple[str, date]], **fields):
    """A project whose history starts in steps[0] and then moves through the rest."""
    (first_stage, first_day), *moves = steps
    project = factories.ProjectFactory(stage=first_stage, stage_entered_at=first_day, **fields)
    session = db.session
    previous, day = first_stage, first_day
    for stage, day in moves:
        session.add(
            StageTransition(
                project_id=project.id,
                from_stage=previous,
                to_stage=stage,
                effective_date=day,
                decided_by_id=project.owner_id,
                rationale=f"moved to {stage}",
                gate={},
            )
        )
        previous = stage
    project.stage, project.stage_entered_at = previous, day
    session.commit()
    return project


def eur(amount: str, **fields):
    return factories.BudgetLineFactory(currency="EUR", amount=Decimal(amount), **fields)


@pytest.fixture
def portfolio(session):
    pilot_owner = factories.UserFactory(name="김민지 (Kim Min-ji)")
    p = {
        1: with_history([("poc", date(2024, 11, 1))], domain="mobility", department="교통정책과"),
        2: with_history(
            [("poc", date(2024, 10, 1)), ("pilot", date(2025, 1, 15)), ("rollout", date(2025, 5, 1))],
            domain="mobility",
            department="Transport",
        ),
        3: with_history(
            [("pilot", date(2024, 12, 1))], domain="safety", department="Sécurité publique", owner=pilot_owner
        ),
        4: with_history(
            [("poc", date(2024, 12, 10)), ("cancelled", date(2025, 2, 20))],
            domain="operations",
            department="Transport",
        ),
        5: with_history([("poc", date(2025, 3, 1)), ("pilot", date(2025, 4, 1))], domain="environment"),
        6: with_history([("rollout", date(2025, 2, 1))], domain="safety", department="Sécurité publique"),
        7: with_history(
            [("pilot", date(2024, 9, 1)), ("poc", date(2025, 1, 10))], domain="mobility", department="Transport"
        ),
    }
    p[5].department = "Environment"
    session.commit()

    # Budget lines (current figures, whatever the as_of):
    # EUR: ten planned pilot lines of 0.10 on P2 (a float sum gives 0.9999999999999999), three of
    # them with 0.10 spent; an approved rollout line of 1234567.89 (0.01 spent) on P2; an approved
    # pilot line of 0.20 on P3.
    for n in range(10):
        eur("0.10", project=p[2], stage="pilot", fiscal_year=2025, spent=Decimal("0.10") if n < 3 else Decimal(0))
    eur("1234567.89", project=p[2], stage="rollout", fiscal_year=2026, status="approved", spent=Decimal("0.01"))
    eur("0.20", project=p[3], stage="pilot", fiscal_year=2025, status="approved")
    # KRW (no minor unit): P1 poc 50,000,000 planned and 15,000,000 approved (3,333,333 spent),
    # P1 pilot 7 planned in 2026.
    factories.BudgetLineFactory(project=p[1], stage="poc", fiscal_year=2025, currency="KRW", amount=Decimal(50_000_000))
    factories.BudgetLineFactory(
        project=p[1],
        stage="poc",
        fiscal_year=2025,
        currency="KRW",
        amount=Decimal(15_000_000),
        status="approved",
        spent=Decimal(3_333_333),
    )
    factories.BudgetLineFactory(project=p[1], stage="pilot", fiscal_year=2026, currency="KRW", amount=Decimal(7))
    # USD: three approved rollout lines of 0.07 on P6 (float: 0.21000000000000002), 0.03 spent each;
    # P5 poc 19.99 planned in 2024.
    for _ in range(3):
        factories.BudgetLineFactory(
            project=p[6],
            stage="rollout",
            fiscal_year=2025,
            amount=Decimal("0.07"),
            status="approved",
            spent=Decimal("0.03"),
        )
    factories.BudgetLineFactory(project=p[5], stage="poc", fiscal_year=2024, amount=Decimal("19.99"))

    # KPIs: outcome KPIs with baseline and target on P2 (two of them) and P6; an outcome KPI
    # without a baseline on P3 (does not count); an input KPI on P7.
    factories.OutcomeKpiFactory(project=p[2])
    factories.OutcomeKpiFactory(project=p[2], name="Accidents per month")
    factories.OutcomeKpiFactory(project=p[6])
    factories.KpiFactory(project=p[3], kind="outcome", baseline=None, target=Decimal(10))
    factories.KpiFactory(project=p[7], kind="input")

    # Flags, dated by scan as_of:
    # F1 P3 pilot_purgatory     opened 2025-06-01, open          -> NOW yes, PAST no (not opened yet)
    # F2 P1 poc_stalled         opened 2025-01-31, resolved 03-01 -> NOW no,  PAST yes (opened that day)
    # F3 P7 input_metrics_only  opened 2025-01-20, acknowledged  -> NOW yes, PAST yes
    # F4 P2 no_kpis             opened 2025-01-15, resolved 01-31 -> NOW no,  PAST no (resolved that day)
    # F5 P5 no_scale_budget     opened 2025-04-05, snoozed       -> NOW yes, PAST no
    flag = factories.FlagFactory
    flag(project=p[3], rule="pilot_purgatory", opened_at=date(2025, 6, 1), last_seen_at=NOW)
    flag(
        project=p[1],
        rule="poc_stalled",
        status="resolved",
        opened_at=PAST,
        last_seen_at=date(2025, 2, 28),
        resolved_at=date(2025, 3, 1),
    )
    flag(project=p[7], rule="input_metrics_only", status="acknowledged", opened_at=date(2025, 1, 20), last_seen_at=NOW)
    flag(
        project=p[2],
        rule="no_kpis",
        status="resolved",
        opened_at=date(2025, 1, 15),
        last_seen_at=date(2025, 1, 15),
        resolved_at=PAST,
    )
    flag(
        project=p[5],
        rule="no_scale_budget",
        status="snoozed",
        opened_at=date(2025, 4, 5),
        last_seen_at=NOW,
        snoozed_until=utcnow().date() + timedelta(days=10),
    )
    return p


def report(caller, **query):
    response = caller.get(URL, query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def stage_counts(**counts) -> dict:
    return {stage: counts.get(stage, 0) for stage in STAGES}


def flag_counts(**counts) -> dict:
    return {rule: counts.get(rule, 0) for rule in RULES}


def test_the_report_has_exactly_the_spec_keys_and_counts_today_by_default(viewer, portfolio):
    body = report(viewer)
    assert set(body) == REPORT_KEYS
    assert body["as_of"] == utcnow().date().isoformat()
    # today every project exists and stands where its history ends
    assert body["stages"] == stage_counts(poc=2, pilot=2, rollout=2, cancelled=1)


def test_stages_funnel_medians_and_flags_at_a_date_match_the_hand_worked_figures(viewer, portfolio):
    body = report(viewer, as_of=NOW.isoformat())
    assert body["as_of"] == "2025-06-30"
    # poc: P1, P7 (sent back) · pilot: P3, P5 · rollout: P2, P6 · cancelled: P4
    assert body["stages"] == stage_counts(poc=2, pilot=2, rollout=2, cancelled=1)
    # Entered poc: all 7 (P3 and P7 started in pilot, P6 in rollout: poc implied).
    # Reached pilot: P2, P3, P5, P6 (implied), P7 = 5 -> 5/7 = 0.714285... -> 0.7143
    # Of those, reached rollout: P2, P6 = 2 -> 2/5 = 0.4
    assert body["funnel"] == {"poc_to_pilot": 0.7143, "pilot_to_rollout": 0.4}
    # Stays up to 2025-06-30 (implied stages have none):
    # poc:     P5 31 (03-01..04-01), P4 72 (12-10..02-20), P2 106 (10-01..01-15), P7 171 (01-10..), P1 241
    #          -> median of 5 = 106
    # pilot:   P5 90 (04-01..), P2 106 (01-15..05-01), P7 131 (09-01..01-10), P3 211 (12-01..)
    #          -> (106 + 131) / 2 = 118.5
    # rollout: P2 60 (05-01..), P6 149 (02-01..) -> (60 + 149) / 2 = 104.5
    assert body["median_days_in_stage"] == {"poc": 106, "pilot": 118.5, "rollout": 104.5}
    # unresolved at the end of 06-30: F1, F3, F5
    assert body["flags"] == flag_counts(pilot_purgatory=1, input_metrics_only=1, no_scale_budget=1)
    assert body["kpis"] == {"projects_with_outcome_kpi": 2, "input_metrics_only": 1}
    # every configured domain is listed, zeros included
    assert body["by_domain"] == {
        "environment": stage_counts(pilot=1),
        "infrastructure": stage_counts(),
        "living": stage_counts(),
        "mobility": stage_counts(poc=2, rollout=1),
        "operations": stage_counts(cancelled=1),
        "safety": stage_counts(pilot=1, rollout=1),
    }
    assert body["by_department"] == {
        "Environment": stage_counts(pilot=1),
        "Sécurité publique": stage_counts(pilot=1, rollout=1),
        "Transport": stage_counts(poc=1, rollout=1, cancelled=1),
        "교통정책과": stage_counts(poc=1),
    }


def test_a_past_as_of_rebuilds_the_portfolio_from_history_and_flag_dates(viewer, portfolio):
    body = report(viewer, as_of=PAST.isoformat())
    assert body["as_of"] == "2025-01-31"
    # P5 (from 03-01) and P6 (from 02-01) do not exist yet; P4 is not cancelled yet (02-20),
    # P2 is in pilot (rollout only on 05-01), P7 was sent back to poc on 01-10.
    # poc: P1, P4, P7 · pilot: P2, P3
    assert body["stages"] == stage_counts(poc=3, pilot=2)
    # entered poc: 5 · reached pilot: P2, P3, P7 = 3 -> 0.6 · reached rollout: none -> 0/3 = 0.0
    assert body["funnel"] == {"poc_to_pilot": 0.6, "pilot_to_rollout": 0.0}
    # poc:   P7 21 (01-10..01-31), P4 52 (12-10..), P1 91 (11-01..), P2 106 (10-01..01-15) -> (52 + 91) / 2 = 71.5
    # pilot: P2 16 (01-15..), P3 61 (12-01..), P7 131 (09-01..01-10) -> 61
    # rollout: no stay yet -> null
    assert body["median_days_in_stage"] == {"poc": 71.5, "pilot": 61, "rollout": None}
    # F2 opened that very day and was resolved later; F4 was resolved that day; F3 open since 01-20
    assert body["flags"] == flag_counts(poc_stalled=1, input_metrics_only=1)
    assert body["kpis"]["input_metrics_only"] == 1
    assert body["by_domain"]["safety"] == stage_counts(pilot=1)  # P6 does not exist yet
    assert body["by_department"] == {
        "Sécurité publique": stage_counts(pilot=1),
        "Transport": stage_counts(poc=2, pilot=1),
        "교통정책과": stage_counts(poc=1),
    }


def test_budget_sums_are_exact_per_currency_to_the_minor_unit_whatever_the_as_of(viewer, portfolio):
    # EUR pilot:   planned 10 x 0.10 = 1.00, approved 0.20 (P3), spent 3 x 0.10 = 0.30
    # EUR rollout: planned 0.00, approved 1234567.89, spent 0.01
    # KRW poc:     planned 50000000, approved 15000000, spent 3333333 · KRW pilot: planned 7
    # USD poc:     planned 19.99 · USD rollout: approved 3 x 0.07 = 0.21, spent 3 x 0.03 = 0.09
    by_stage = [
        {"currency": "EUR", "stage": "pilot", "planned": "1.00", "approved": "0.20", "spent": "0.30"},
        {"currency": "EUR", "stage": "rollout", "planned": "0.00", "approved": "1234567.89", "spent": "0.01"},
        {"currency": "KRW", "stage": "poc", "planned": "50000000", "approved": "15000000", "spent": "3333333"},
        {"currency": "KRW", "stage": "pilot", "planned": "7", "approved": "0", "spent": "0"},
        {"currency": "USD", "stage": "poc", "planned": "19.99", "approved": "0.00", "spent": "0.00"},
        {"currency": "USD", "stage": "rollout", "planned": "0.00", "approved": "0.21", "spent": "0.09"},
    ]
    # by fiscal year: EUR 2025 = the pilot lines, EUR 2026 = the rollout line; KRW 2025 = poc,
    # KRW 2026 = pilot; USD 2024 = poc, USD 2025 = rollout
    by_fiscal_year = [
        {"currency": "EUR", "fiscal_year": 2025, "planned": "1.00", "approved": "0.20", "spent": "0.30"},
        {"currency": "EUR", "fiscal_year": 2026, "planned": "0.00", "approved": "1234567.89", "spent": "0.01"},
        {"currency": "KRW", "fiscal_year": 2025, "planned": "50000000", "approved": "15000000", "spent": "3333333"},
        {"currency": "KRW", "fiscal_year": 2026, "planned": "7", "approved": "0", "spent": "0"},
        {"currency": "USD", "fiscal_year": 2024, "planned": "19.99", "approved": "0.00", "spent": "0.00"},
        {"currency": "USD", "fiscal_year": 2025, "planned": "0.00", "approved": "0.21", "spent": "0.09"},
    ]
    assert sum([0.10] * 10) != 1.0  # the drift the integer minor units avoid
    for as_of in (NOW, PAST):
        body = report(viewer, as_of=as_of.isoformat())
        assert body["budget"] == {"by_stage": by_stage, "by_fiscal_year": by_fiscal_year}
        assert body["kpis"]["projects_with_outcome_kpi"] == 2  # P2 (two KPIs, one project), P6


def test_domain_and_department_filters_apply_to_every_figure(viewer, portfolio):
    mobility = report(viewer, as_of=NOW.isoformat(), domain="mobility")
    # P1 (poc), P2 (rollout), P7 (poc)
    assert mobility["stages"] == stage_counts(poc=2, rollout=1)
    assert mobility["by_domain"] == {"mobility": stage_counts(poc=2, rollout=1)}
    # entered poc 3 · reached pilot P2, P7: 2/3 = 0.6667 · reached rollout P2: 1/2 = 0.5
    assert mobility["funnel"] == {"poc_to_pilot": 0.6667, "pilot_to_rollout": 0.5}
    # poc: P2 106, P7 171, P1 241 -> 171 · pilot: P2 106, P7 131 -> 118.5 · rollout: P2 60
    assert mobility["median_days_in_stage"] == {"poc": 171, "pilot": 118.5, "rollout": 60}
    assert [row["currency"] for row in mobility["budget"]["by_stage"]] == ["EUR", "EUR", "KRW", "KRW"]
    # P3's approved 0.20 is in safety, so it is not counted
    assert mobility["budget"]["by_stage"][0] == {
        "currency": "EUR",
        "stage": "pilot",
        "planned": "1.00",
        "approved": "0.00",
        "spent": "0.30",
    }
    assert mobility["kpis"] == {"projects_with_outcome_kpi": 1, "input_metrics_only": 1}
    assert mobility["flags"] == flag_counts(input_metrics_only=1)

    transport = report(viewer, as_of=NOW.isoformat(), department="Transport")
    # P2 (rollout), P4 (cancelled), P7 (poc)
    assert transport["stages"] == stage_counts(poc=1, rollout=1, cancelled=1)
    assert transport["by_department"] == {"Transport": stage_counts(poc=1, rollout=1, cancelled=1)}
    assert transport["by_domain"]["operations"] == stage_counts(cancelled=1)

    both = report(viewer, as_of=NOW.isoformat(), domain="safety", department="교통정책과")
    assert both["stages"] == stage_counts()
    assert both["funnel"] == {"poc_to_pilot": None, "pilot_to_rollout": None}
    assert both["median_days_in_stage"] == {"poc": None, "pilot": None, "rollout": None}
    assert both["budget"] == {"by_stage": [], "by_fiscal_year": []}


def test_an_empty_portfolio_has_zeros_and_nulls_not_errors(viewer):
    body = report(viewer)
    assert body["stages"] == stage_counts()
    assert body["funnel"] == {"poc_to_pilot": None, "pilot_to_rollout": None}
    assert body["median_days_in_stage"] == {"poc": None, "pilot": None, "rollout": None}
    assert body["flags"] == flag_counts()
    assert body["kpis"] == {"projects_with_outcome_kpi": 0, "input_metrics_only": 0}
    assert body["by_department"] == {}


def csv_figures(response) -> dict:
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    assert response.get_data().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["section", "name", "stage", "fiscal_year", "currency", "value"]
    return {(r["section"], r["name"], r["stage"], r["fiscal_year"], r["currency"]): r["value"] for r in rows}


def test_the_csv_holds_the_same_figures_one_row_per_figure(viewer, portfolio):
    as_json = report(viewer, as_of=PAST.isoformat())
    figures = csv_figures(viewer.get(URL, query_string={"as_of": PAST.isoformat()}, headers={"Accept": "text/csv"}))
    assert figures[("as_of", "", "", "", "")] == "2025-01-31"
    for stage, count in as_json["stages"].items():
        assert figures[("stages", "", stage, "", "")] == str(count)
    assert figures[("funnel", "poc_to_pilot", "", "", "")] == "0.6"
    assert figures[("funnel", "pilot_to_rollout", "", "", "")] == "0.0"
    assert figures[("median_days_in_stage", "", "poc", "", "")] == "71.5"
    assert figures[("median_days_in_stage", "", "rollout", "", "")] == ""  # null
    assert figures[("budget_by_stage", "approved", "rollout", "", "EUR")] == "1234567.89"
    assert figures[("budget_by_stage", "planned", "pilot", "", "EUR")] == "1.00"
    assert figures[("budget_by_stage", "spent", "poc", "", "KRW")] == "3333333"
    assert figures[("budget_by_fiscal_year", "approved", "", "2025", "USD")] == "0.21"
    assert figures[("kpis", "projects_with_outcome_kpi", "", "", "")] == "2"
    assert figures[("flags", "poc_stalled", "", "", "")] == "1"
    assert figures[("flags", "pilot_purgatory", "", "", "")] == "0"
    assert figures[("by_department", "교통정책과", "poc", "", "")] == "1"
    assert figures[("by_domain", "safety", "pilot", "", "")] == "1"
    # one row per figure: as_of, 5 stages, 2 shares, 3 medians, 6+6 budget rows x 3 measures,
    # 2 KPI figures, 9 rules, 5 tiers and 4 risk figures, 3 funding figures, 6 domains x 5 stages,
    # 3 departments x 5 stages
    assert figures[("risk_tiers", "minimal", "", "", "")] == "5"
    assert figures[("risk", "high_impact_practices_lapsed", "", "", "")] == "0"
    assert figures[("funding", "pilots", "", "", "")] == "2"
    assert len(figures) == 1 + 5 + 2 + 3 + 36 + 2 + 9 + 9 + 3 + 30 + 15


def test_the_csv_is_filtered_like_the_json(viewer, portfolio):
    figures = csv_figures(
        viewer.get(URL, query_string={"as_of": NOW.isoformat(), "domain": "mobility"}, headers={"Accept": "text/csv"})
    )
    assert figures[("funnel", "poc_to_pilot", "", "", "")] == "0.6667"
    assert ("budget_by_stage", "planned", "poc", "", "USD") not in figures


def test_the_printable_page_shows_the_figures_in_svg_charts_and_tables(viewer, portfolio):
    portfolio[3].title = "<script>alert('x')</script> " + portfolio[3].title
    db.session.commit()
    response = viewer.get(URL, query_string={"as_of": NOW.isoformat()}, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<svg" in html and "@page" in html and "size: A4" in html
    assert "<script" not in html.lower()  # not even the title's: escaped
    assert "&lt;script&gt;" in html
    assert not re.search(r"https?://", html)  # no outside asset of any kind
    assert not re.search(r"<link|@import|@font-face|url\(", html)
    assert "June 30, 2025" in html
    # funnel shares, medians, money, flags: written for people by Babel (in English without a language asked)
    for figure in ("71.4%", "40.0%", "118.5", "104.5", "€1,234,567.89", "₩50,000,000", "₩3,333,333", "$0.21", "$19.99"):
        assert figure in html, figure
    assert re.search(r"<td>Pilot purgatory</td><td class=\"num\">1</td>", html)
    # longest in pilot at 06-30: P3 211 days, then P5 90 days (P3's owner has a Korean name)
    longest = html[html.index("Longest in pilot") :]
    assert longest.index(portfolio[3].key) < longest.index(portfolio[5].key)
    assert '<td>김민지 (Kim Min-ji)</td><td class="num">211</td>' in longest
    assert "Sécurité publique" in html and "교통정책과" in html


def classify(project, tier: str) -> None:
    project.risk_tier, project.risk_rationale = tier, f"classified {tier} by a test"
    db.session.commit()


@pytest.fixture
def tiers(portfolio):
    """P1 unassessed, P3 prohibited, P5 limited, P2 P4 and P6 high-impact, P7 minimal. P2 (rollout
    from 2025-05-01) has its eight practices in effect from 2025-04-01 for a year: seven done,
    human oversight not applicable; P6 (rollout from 2025-02-01) has only its testing done."""
    p = portfolio
    for n, tier in ((1, "unassessed"), (3, "prohibited"), (5, "limited"), (2, "high_impact"), (4, "high_impact")):
        classify(p[n], tier)
    classify(p[6], "high_impact")
    for key in PRACTICES:
        if key == "human_oversight":
            factories.PracticeFactory(project=p[2], key=key, status="not_applicable", completed_on=None)
        else:
            factories.PracticeFactory(project=p[2], key=key, completed_on=date(2025, 4, 1))
    factories.PracticeFactory(project=p[6], key="testing", completed_on=date(2025, 1, 1))
    return p


def test_the_risk_figures_count_active_projects_by_current_tier_and_judge_practices_as_of(viewer, tiers):
    tier_counts = dict.fromkeys(RISK_TIERS, 0)
    # 2025-06-30: P1 poc, P7 poc, P3 and P5 pilot, P2 and P6 rollout; P2's practices are in effect
    assert report(viewer, as_of=NOW.isoformat())["risk"] == {
        "tiers": {**tier_counts, "unassessed": 1, "minimal": 1, "limited": 1, "high_impact": 2, "prohibited": 1},
        "high_impact_in_rollout": 2,
        "high_impact_practices_lapsed": 1,
        "high_impact_in_pilot_or_rollout": 2,
        "high_impact_practices_in_effect": 1,
    }
    # 2025-01-31: P5 and P6 do not exist yet, P2 is in pilot; P4 is still a PoC (counted by its tier now)
    assert report(viewer, as_of=PAST.isoformat())["risk"] == {
        "tiers": {**tier_counts, "unassessed": 1, "minimal": 1, "high_impact": 2, "prohibited": 1},
        "high_impact_in_rollout": 0,
        "high_impact_practices_lapsed": 0,
        "high_impact_in_pilot_or_rollout": 1,
        "high_impact_practices_in_effect": 0,
    }
    # the day P2's practices lapse (2026-04-01) both high-impact rollouts lack one
    lapsed = report(viewer, as_of="2026-04-01")["risk"]
    assert (lapsed["high_impact_in_rollout"], lapsed["high_impact_practices_lapsed"]) == (2, 2)
    assert (lapsed["high_impact_in_pilot_or_rollout"], lapsed["high_impact_practices_in_effect"]) == (2, 0)
    assert report(viewer, as_of="2026-03-31")["risk"]["high_impact_practices_lapsed"] == 1
    # the filters apply: P2 is the only high-impact rollout of mobility
    mobility = report(viewer, as_of=NOW.isoformat(), domain="mobility")["risk"]
    assert (mobility["high_impact_in_rollout"], mobility["high_impact_practices_lapsed"]) == (1, 0)


def test_the_pilots_rollout_money_counts_the_pilots_of_as_of_with_their_lines_as_they_are_now(viewer, portfolio):
    # 2025-06-30: P3 and P5 are pilots; P2's and P6's rollout lines belong to rollouts
    assert report(viewer, as_of=NOW.isoformat())["funding"] == {
        "pilots": 2,
        "with_rollout_budget": 0,
        "with_approved_rollout_budget": 0,
    }
    factories.BudgetLineFactory(project=portfolio[3], stage="rollout", fiscal_year=2026, amount=Decimal(10))
    factories.BudgetLineFactory(project=portfolio[5], stage="rollout", fiscal_year=2026, amount=Decimal(10))
    factories.BudgetLineFactory(
        project=portfolio[5], stage="rollout", fiscal_year=2027, amount=Decimal(10), status="approved"
    )
    assert report(viewer, as_of=NOW.isoformat())["funding"] == {
        "pilots": 2,
        "with_rollout_budget": 2,
        "with_approved_rollout_budget": 1,
    }
    # 2025-01-31: P2 and P3 were the pilots; P2 has its approved rollout line, P3 the planned one
    # added now (the lines count as they are now)
    assert report(viewer, as_of=PAST.isoformat())["funding"] == {
        "pilots": 2,
        "with_rollout_budget": 2,
        "with_approved_rollout_budget": 1,
    }
    # the filters apply
    assert report(viewer, as_of=NOW.isoformat(), domain="safety")["funding"]["pilots"] == 1
    figures = csv_figures(viewer.get(URL, query_string={"as_of": NOW.isoformat()}, headers={"Accept": "text/csv"}))
    assert figures[("funding", "with_approved_rollout_budget", "", "", "")] == "1"


def test_the_printable_page_and_the_csv_show_the_risk_figures(viewer, tiers):
    query = {"as_of": NOW.isoformat()}
    html = viewer.get(URL, query_string=query, headers={"Accept": "text/html"}).get_data(as_text=True)
    section = html[html.index("<h2>Risk tiers and practices</h2>") : html.index("Longest in pilot")]
    assert "<svg" in section
    assert re.search(r"<td>High-impact AI</td><td class=\"num\">2</td>", section)
    assert re.search(r"lacking a risk-management practice in effect</td><td class=\"num\">1</td>", section)
    figures = csv_figures(viewer.get(URL, query_string=query, headers={"Accept": "text/csv"}))
    assert figures[("risk_tiers", "prohibited", "", "", "")] == "1"
    assert figures[("risk", "high_impact_in_rollout", "", "", "")] == "2"
    assert figures[("risk", "high_impact_practices_lapsed", "", "", "")] == "1"
    assert figures[("risk", "high_impact_practices_in_effect", "", "", "")] == "1"


def test_an_unknown_or_missing_accept_gets_json(viewer, portfolio):
    for accept in ("application/xml", "*/*", "image/png, text/plain"):
        response = viewer.get(URL, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == "application/json", accept
        assert set(response.json) == REPORT_KEYS
    assert "Accept" in viewer.get(URL).headers["Vary"]


@pytest.mark.parametrize(
    "as_of",
    [(utcnow().date() + timedelta(days=1)).isoformat(), "yesterday", "99999-01-01", "2025-02-30", "1899-12-31"],
)
def test_a_bad_as_of_is_refused_with_422_naming_the_field(viewer, as_of):
    for accept in ("application/json", "text/html"):
        refused = viewer.get(URL, query_string={"as_of": as_of}, headers={"Accept": accept})
        assert refused.status_code == 422 and refused.mimetype == "application/json"
        assert refused.json["code"] == 422 and "as_of" in refused.json["errors"]["query"]


def test_the_report_needs_a_token(client):
    refused = client.get(URL)
    assert refused.status_code == 401 and refused.json["code"] == 401


def test_the_openapi_document_describes_json_csv_and_html(client):
    operation = client.get("/api/v1/openapi.json").json["paths"][URL]["get"]
    content = operation["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv", "text/html"}
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Portfolio"}
    assert {p["name"] for p in operation["parameters"]} == {"as_of", "domain", "department", "lang"}
    [lang] = [p for p in operation["parameters"] if p["name"] == "lang"]
    assert lang["schema"]["enum"] == ["en", "ko"] and "Accept-Language" in lang["description"]


def count_statements(caller, path, **kwargs) -> int:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = caller.get(path, **kwargs)
        assert response.status_code == 200
        response.get_data()  # a streamed body runs its queries while it is read
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def add_projects(n: int) -> None:
    for i in range(n):
        project = with_history(
            [("poc", date(2024, 1, 1) + timedelta(days=i)), ("pilot", date(2025, 1, 1))],
            domain="mobility" if i % 2 else "safety",
            department=f"Department {i % 7}",
        )
        db.session.add_all(
            [
                factories.BudgetLineFactory.build(
                    project=project, currency="EUR" if i % 3 else "KRW", amount=Decimal(i)
                ),
                factories.OutcomeKpiFactory.build(project=project),
                factories.FlagFactory.build(project=project, opened_at=date(2025, 3, 1), last_seen_at=date(2025, 3, 1)),
            ]
        )
    db.session.commit()


def test_the_report_takes_the_same_number_of_queries_for_5_and_for_50_projects(viewer):
    representations = ("application/json", "text/csv", "text/html")
    add_projects(5)
    few = {accept: count_statements(viewer, URL, headers={"Accept": accept}) for accept in representations}
    add_projects(45)
    many = {accept: count_statements(viewer, URL, headers={"Accept": accept}) for accept in representations}
    assert few == many
    # the token, then history, flags, budget and KPIs in one statement each (and the pilot list for HTML)
    assert many == {"application/json": 5, "text/csv": 5, "text/html": 6}
