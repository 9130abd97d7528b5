"""The portfolio over time, over a small portfolio whose every figure is worked out by hand below
(PILOT_MAX_DAYS = 30 here, so a pilot is in purgatory from its 31st day after entering, its
*purgatory day*). Quarters of calendar years; from 2025-01-01 to TO = 2025-08-15, so three periods:
2025-Q1 (to Mar 31), 2025-Q2 (to Jun 30), 2025-Q3 (Jul 1 to Aug 15, partial).

    A  poc 2024-11-01 -> pilot 2025-01-10 -> rollout 2025-03-01   (purgatory day Feb 10: in, rolled out)
    B  created in pilot 2024-12-01 -> poc 2025-02-15 -> pilot 2025-04-01 -> cancelled 2025-05-20
       (purgatory days Jan 1, the first day of Q1, so not at Q1's start; and May 2: in, cancelled)
    C  poc 2025-02-01 -> pilot 2025-03-03 -> rollout 2025-04-03  (moves on its purgatory day: never in)
    D  created in rollout 2025-01-20 (no pilot day) -> retired 2025-07-10
    E  poc 2025-05-01 -> pilot 2025-05-05, still there     (purgatory day Jun 5: in, and stays)
    F  created in cancelled 2025-06-01
    G  poc 2025-03-10 -> pilot 2025-09-01, after TO: a PoC in every period
    H  created in pilot 2025-02-20 -> poc 2025-06-10 -> cancelled 2025-06-10, the same day, in that order
       (purgatory day Mar 23: in at Q1's end, sent back in Q2)

Money: C a rollout line planned Feb 15, approved Mar 20; H a rollout line planned Mar 31 (an end's
own day), never approved; E a rollout line planned Jul 1 and approved Aug 16 (after TO), and a
pilot line (not rollout money). Outcomes: A two outcome KPIs, C one; D only KPIs that are not
outcome KPIs (one of kind outcome without a target).
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import html5lib
import pytest

from tests import factories
from tests.api.test_portfolio_report import with_history
from tracker.db import utcnow
from tracker.vocab import STAGES

URL = "/api/v1/reports/trend"
TO = date(2025, 8, 15)
RANGE = {"from": "2025-01-01", "to": TO.isoformat()}


@pytest.fixture
def portfolio(app, session):
    return hand_worked_portfolio(app)


def hand_worked_portfolio(app) -> dict:
    """The portfolio of this module's docstring (PILOT_MAX_DAYS set to 30 on `app`)."""
    app.config["PILOT_MAX_DAYS"] = 30
    d = date
    p = {
        "A": with_history([("poc", d(2024, 11, 1)), ("pilot", d(2025, 1, 10)), ("rollout", d(2025, 3, 1))]),
        "B": with_history(
            [
                ("pilot", d(2024, 12, 1)),
                ("poc", d(2025, 2, 15)),
                ("pilot", d(2025, 4, 1)),
                ("cancelled", d(2025, 5, 20)),
            ]
        ),
        "C": with_history([("poc", d(2025, 2, 1)), ("pilot", d(2025, 3, 3)), ("rollout", d(2025, 4, 3))]),
        "D": with_history([("rollout", d(2025, 1, 20)), ("retired", d(2025, 7, 10))]),
        "E": with_history([("poc", d(2025, 5, 1)), ("pilot", d(2025, 5, 5))], domain="environment"),
        "F": with_history([("cancelled", d(2025, 6, 1))], domain="environment"),
        "G": with_history([("poc", d(2025, 3, 10)), ("pilot", d(2025, 9, 1))]),
        "H": with_history([("pilot", d(2025, 2, 20)), ("poc", d(2025, 6, 10)), ("cancelled", d(2025, 6, 10))]),
    }
    line = factories.BudgetLineFactory
    line(project=p["C"], stage="rollout", status="approved", planned_on=d(2025, 2, 15), approved_on=d(2025, 3, 20))
    line(project=p["H"], stage="rollout", planned_on=d(2025, 3, 31))
    line(project=p["E"], stage="rollout", status="approved", planned_on=d(2025, 7, 1), approved_on=d(2025, 8, 16))
    line(project=p["E"], stage="pilot", status="approved", planned_on=d(2025, 5, 5), approved_on=d(2025, 5, 5))

    def measure(kpi, day, value):
        factories.MeasurementFactory(kpi=kpi, measured_on=day, value=Decimal(value))

    # A: a falling KPI, target 50 (at or below): 70 on Mar 15 (short), 50 on May 10 (at target),
    # 90 on Aug 20 (after TO: not read)
    falling = factories.OutcomeKpiFactory(project=p["A"], baseline=Decimal(100), target=Decimal(50))
    measure(falling, d(2025, 3, 15), "70")
    measure(falling, d(2025, 5, 10), "50")
    measure(falling, d(2025, 8, 20), "90")
    # A: a rising KPI, target 20: 25 on Jun 30; on Aug 1 first 21, then 15 recorded later (the latest)
    rising = factories.OutcomeKpiFactory(project=p["A"], direction="increase", baseline=Decimal(10), target=Decimal(20))
    measure(rising, d(2025, 6, 30), "25")
    measure(rising, d(2025, 8, 1), "21")
    measure(rising, d(2025, 8, 1), "15")
    # C: rising, target 5: exactly 5 on Apr 10
    measure(
        factories.OutcomeKpiFactory(project=p["C"], direction="increase", baseline=Decimal(1), target=Decimal(5)),
        d(2025, 4, 10),
        "5",
    )
    # D: no outcome KPI by the gates' definition: an outcome kind without a target, and an input KPI
    measure(factories.KpiFactory(project=p["D"], kind="outcome", baseline=Decimal(1)), d(2025, 2, 1), "3")
    measure(factories.KpiFactory(project=p["D"], kind="input"), d(2025, 2, 1), "3")
    return p


def trend(caller, **query):
    response = caller.get(URL, query_string={**RANGE, **query})
    assert response.status_code == 200, response.json
    return response.json


def counts(**given) -> dict:
    return {stage: given.get(stage, 0) for stage in STAGES}


def test_the_periods_are_the_quarters_from_the_one_holding_from_the_last_cut_short_at_to(viewer, portfolio):
    body = trend(viewer)
    assert (body["period"], body["from"], body["to"], body["purgatory_days"]) == (
        "quarter",
        "2025-01-01",
        "2025-08-15",
        30,
    )
    assert (body["domain"], body["department"]) == (None, None)
    assert [(p["label"], p["start"], p["end"], p["partial"]) for p in body["periods"]] == [
        ("2025-Q1", "2025-01-01", "2025-03-31", False),
        ("2025-Q2", "2025-04-01", "2025-06-30", False),
        ("2025-Q3", "2025-07-01", "2025-08-15", True),
    ]


def test_stage_counts_entries_moves_and_graduation_share_are_the_hand_worked_ones(viewer, portfolio):
    q1, q2, q3 = trend(viewer)["periods"]
    assert q1["stages"] == counts(poc=2, pilot=2, rollout=2)
    assert q2["stages"] == counts(poc=1, pilot=1, rollout=3, cancelled=3)
    assert q3["stages"] == counts(poc=1, pilot=1, rollout=2, cancelled=3, retired=1)
    # first entries count; implied stages (B's and H's poc, D's poc and pilot) never do
    assert q1["entered"] == counts(poc=3, pilot=3, rollout=2)
    assert q2["entered"] == counts(poc=2, pilot=2, rollout=1, cancelled=3)
    assert q3["entered"] == counts(retired=1)  # G's pilot is after TO
    moves = (
        "poc_to_pilot",
        "poc_to_cancelled",
        "pilot_to_rollout",
        "pilot_to_poc",
        "pilot_to_cancelled",
        "rollout_to_retired",
    )
    assert [[p["moves"][m] for m in moves] for p in (q1, q2, q3)] == [
        [2, 0, 1, 1, 0, 0],
        [2, 1, 1, 1, 1, 0],
        [0, 0, 0, 0, 0, 1],
    ]
    assert [p["graduation_share"] for p in (q1, q2, q3)] == [0.5, 0.3333, None]


def test_purgatory_flows_add_up_and_a_move_on_the_day_the_stay_would_cross_is_never_in(viewer, portfolio):
    flows = [p["purgatory"] for p in trend(viewer)["periods"]]
    assert flows == [
        {"at_start": 0, "entered": 3, "rolled_out": 1, "cancelled": 0, "sent_back": 1, "at_end": 1},
        {"at_start": 1, "entered": 2, "rolled_out": 0, "cancelled": 1, "sent_back": 1, "at_end": 1},
        {"at_start": 1, "entered": 0, "rolled_out": 0, "cancelled": 0, "sent_back": 0, "at_end": 1},
    ]
    for f in flows:
        assert f["at_end"] == f["at_start"] + f["entered"] - f["rolled_out"] - f["cancelled"] - f["sent_back"]


def test_funding_counts_rollout_lines_by_their_planning_and_approval_dates(viewer, portfolio):
    assert [p["funding"] for p in trend(viewer)["periods"]] == [
        {"pilots": 2, "with_rollout_budget": 2, "with_approved_rollout_budget": 1},  # C and H; C approved
        {"pilots": 1, "with_rollout_budget": 0, "with_approved_rollout_budget": 0},  # E, planned Jul 1
        {"pilots": 1, "with_rollout_budget": 1, "with_approved_rollout_budget": 0},  # approved after TO
    ]


def test_outcomes_read_each_kpis_latest_measurement_by_each_end(viewer, portfolio):
    assert [p["outcomes"] for p in trend(viewer)["periods"]] == [
        {"rollouts": 2, "measured": 1, "on_target": 0},  # A measured (70, short); D has no outcome KPI
        {"rollouts": 3, "measured": 2, "on_target": 2},  # A (50 and 25) and C (5) at target
        {"rollouts": 2, "measured": 2, "on_target": 1},  # A's rising KPI latest is 15, recorded last
    ]


def test_cohorts_count_pilot_days_and_stay_null_until_old_enough(viewer, portfolio):
    assert trend(viewer)["cohorts"] == [
        # A (rollout after 50 days), C (31), H (never): 90 days past Mar 31 is before TO
        {"label": "2025-Q1", "size": 3, "rolled_out_within": {"90": 2, "180": None, "365": None}},
        {"label": "2025-Q2", "size": 1, "rolled_out_within": {"90": None, "180": None, "365": None}},
        {"label": "2025-Q3", "size": 0, "rolled_out_within": {"90": None, "180": None, "365": None}},
    ]


def test_time_to_rollout_is_the_aalen_johansen_estimate_worked_by_hand(viewer, portfolio):
    # A rolled out after 50 days, C after 31, H cancelled after 110, E open for 102 (censored)
    # t=31: n=4, F=1/4, S=3/4; t=50: n=3, F=1/4+3/4*1/3=1/2, S=1/2; t=110: n=1 (E left at 102), S=0
    assert trend(viewer)["time_to_rollout"] == {
        "pilots": 4,
        "rolled_out": 2,
        "cancelled": 1,
        "open": 1,
        "cumulative_incidence": {"90": 0.5, "180": None, "365": None, "730": None},  # longest: 110 days
        "curve": [[31, 0.25], [50, 0.5]],
        "median_days": 50,
    }


def test_the_stage_counts_equal_the_portfolio_report_as_of_each_periods_end(viewer, portfolio):
    for period in trend(viewer, period="month")["periods"]:
        report = viewer.get("/api/v1/reports/portfolio", query_string={"as_of": period["end"]}).json
        assert period["stages"] == report["stages"], period["label"]


def test_fiscal_years_starting_in_october_name_quarters_and_years_after_the_year_they_end_in(app, viewer, portfolio):
    app.config["FISCAL_YEAR_START_MONTH"] = 10
    quarters = trend(viewer)
    assert [(p["label"], p["start"], p["end"]) for p in quarters["periods"]] == [
        ("2025-Q2", "2025-01-01", "2025-03-31"),
        ("2025-Q3", "2025-04-01", "2025-06-30"),
        ("2025-Q4", "2025-07-01", "2025-08-15"),
    ]
    years = trend(viewer, period="year", **{"from": "2024-11-01"})
    assert [(p["label"], p["start"], p["end"], p["partial"]) for p in years["periods"]] == [
        ("2025", "2024-10-01", "2025-08-15", True)
    ]
    assert years["from"] == "2024-10-01"
    assert years["periods"][0]["stages"] == quarters["periods"][-1]["stages"]
    assert years["periods"][0]["purgatory"] == {
        "at_start": 0, "entered": 5, "rolled_out": 1, "cancelled": 1, "sent_back": 2, "at_end": 1,
    }  # fmt: skip


def test_months_split_the_same_events(viewer, portfolio):
    months = trend(viewer, period="month")["periods"]
    assert [p["label"] for p in months] == [f"2025-{m:02d}" for m in range(1, 9)]
    assert months[-1]["partial"] and months[-1]["end"] == "2025-08-15"
    entered = [p["purgatory"]["entered"] for p in months]
    assert entered == [1, 1, 1, 0, 1, 1, 0, 0]  # B Jan 1, A Feb 10, H Mar 23, B May 2, E Jun 5
    assert sum(p["moves"]["pilot_to_rollout"] for p in months) == 2


def test_filters_keep_the_projects_of_the_domain_or_department(viewer, portfolio):
    body = trend(viewer, domain="environment")
    assert body["domain"] == "environment"
    assert [p["stages"] for p in body["periods"]] == [
        counts(),
        counts(pilot=1, cancelled=1),
        counts(pilot=1, cancelled=1),
    ]
    assert body["time_to_rollout"]["pilots"] == 1
    assert all(p["stages"] == counts() for p in trend(viewer, department="nobody's")["periods"])


def test_the_defaults_are_eight_quarters_up_to_today(viewer, portfolio):
    body = viewer.get(URL).json
    today = utcnow().date()
    assert body["to"] == today.isoformat() and len(body["periods"]) == 8
    assert body["periods"][-1]["end"] == today.isoformat()
    assert date.fromisoformat(body["periods"][-1]["start"]) <= today
    assert body["from"] == body["periods"][0]["start"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": (date.today() + timedelta(days=2)).isoformat()}, "to"),
        ({"from": "2025-09-01", "to": "2025-08-15"}, "from"),
        ({"period": "week"}, "period"),
        ({"period": "month", "from": "2010-01-01", "to": "2025-08-15"}, "from"),  # 188 months
        ({"from": "2025-02-30"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"lang": "fr"}, "lang"),
    ],
)
def test_bad_parameters_are_a_422_naming_the_field(viewer, query, field):
    refused = viewer.get(URL, query_string=query)
    assert refused.status_code == 422 and refused.mimetype == "application/json", refused.get_data(as_text=True)
    assert set(refused.json["errors"]["query"]) == {field}


def test_exactly_120_periods_is_allowed(viewer):
    body = viewer.get(URL, query_string={"period": "month", "from": "2015-09-01", "to": "2025-08-15"}).json
    assert len(body["periods"]) == 120


def test_the_csv_has_one_row_per_period_with_the_keys_flattened(viewer, portfolio):
    response = viewer.get(URL, query_string=RANGE, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    header = lines[0].split(",")
    assert header[:4] == ["label", "start", "end", "partial"]
    for column in (
        "stages_pilot",
        "moves_pilot_to_rollout",
        "purgatory_at_end",
        "funding_pilots",
        "outcomes_on_target",
    ):
        assert column in header
    rows = [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]
    assert [(r["label"], r["partial"], r["purgatory_at_end"], r["graduation_share"]) for r in rows] == [
        ("2025-Q1", "false", "1", "0.5"),
        ("2025-Q2", "false", "1", "0.3333"),
        ("2025-Q3", "true", "1", ""),
    ]


def pack(caller, **query):
    response = caller.get(URL, query_string={**RANGE, **query}, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html", response.get_data(as_text=True)[:500]
    return response, response.get_data(as_text=True)


def test_the_council_pack_in_english_has_every_chart_followed_by_its_table_and_babels_figures(app, viewer, portfolio):
    app.config["ORGANISATION_NAME"] = "City of Sejong"
    response, html = pack(viewer, lang="en")
    root = check_page_markup(html)
    assert response.headers["Content-Language"] == "en" and "Accept-Language" in response.headers["Vary"]
    assert "<title>City of Sejong: the AI portfolio over time, January 1, 2025 to August 15, 2025</title>" in html
    charts = list(root.iter(SVG))
    assert len(charts) == 4
    for svg in charts:  # each chart is followed by the table of its numbers
        siblings = list(svg_parent(root, svg))
        after = siblings[siblings.index(svg) + 1 :]
        assert any(node.tag == "div" and node.find(".//table") is not None for node in after)
    text = " ".join("".join(root.itertext()).split())
    assert "2025-Q3 at a glance" in text and "(to Aug 15, 2025)" in text
    assert "Pilot → Full rollout" in text and "33.3%" in text and "50 days" in text
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_the_council_pack_in_korean_is_korean_throughout(app, viewer, portfolio):
    response, html = pack(viewer, lang="ko")
    check_page_markup(html)
    assert response.headers["Content-Language"] == "ko" and '<html lang="ko">' in html
    for words in (
        "AI 사업 추이",
        "2025년 1월 1일 ~ 2025년 8월 15일",
        "한눈에 보기",
        "시범사업 장기 정체",
        "50일",
        "33.3%",
    ):
        assert words in html, words
    seen = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))
    for english in (
        "at a glance",
        "Projects by stage",
        "Moves out of",
        "Period",
        "days",
        "Cohort",
        "not reached",
        "n/a",
    ):
        assert english not in seen, english


SVG = "{http://www.w3.org/2000/svg}svg"


def svg_parent(root, child):
    return next(node for node in root.iter() if child in list(node))


def check_page_markup(html: str):
    """Valid HTML5, unique ids, no script, nothing loaded from elsewhere, one h1."""
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    ids = [element.get("id") for element in document.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    assert len(document.findall(".//h1")) == 1
    assert not [e for e in document.iter() if e.tag in ("script", "iframe", "img", "link")]
    return document
