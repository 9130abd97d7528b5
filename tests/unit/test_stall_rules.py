"""Every stall rule on plain facts: exactly at its threshold versus one day past, and the cases it
leaves alone."""

from datetime import date, timedelta

import pytest

from tracker.flags import rules
from tracker.flags.rules import ProjectFacts, Thresholds
from tracker.trust.rules import PracticeState
from tracker.vocab import PRACTICES, RULES

AS_OF = date(2026, 6, 30)
THRESHOLDS = Thresholds(
    poc_max_days=90, pilot_max_days=180, reporting_window_days=90, stale_days=60, practice_valid_days=365
)


def facts(stage="pilot", days_in_stage=10, risk_tier="minimal", **counts) -> ProjectFacts:
    """A project's facts; classified `minimal` unless told, so the trust rules stay quiet."""
    entered = AS_OF - timedelta(days=days_in_stage)
    return ProjectFacts(as_of=AS_OF, stage=stage, stage_entered_on=entered, risk_tier=risk_tier, **counts)


def done(key: str, days_ago: int) -> PracticeState:
    return PracticeState(key, "done", completed_on=AS_OF - timedelta(days=days_ago))


# every practice completed a month ago: all eight in effect
ALL_DONE = {key: done(key, 30) for key in PRACTICES}


# a project that breaks no rule in any active stage: an outcome KPI measured recently, rollout money
HEALTHY = dict(
    input_kpis=1,
    outcome_kpis=1,
    measurements_in_window=4,
    outcome_measurements_in_window=2,
    last_measured_on=AS_OF - timedelta(days=3),
    rollout_budget_lines=1,
)


@pytest.mark.parametrize("stage", ["poc", "pilot", "rollout"])
def test_a_healthy_project_young_in_its_stage_breaks_no_rule(stage):
    assert rules.evaluate(facts(stage, days_in_stage=10, **HEALTHY), THRESHOLDS) == {}


def test_a_poc_exactly_at_its_limit_is_not_stalled_and_one_day_more_is():
    assert rules.poc_stalled(facts("poc", days_in_stage=90), max_days=90) is None
    assert rules.poc_stalled(facts("poc", days_in_stage=91), max_days=90) == {
        "stage": "poc",
        "stage_entered_on": "2026-03-31",
        "max_days": 90,
    }


@pytest.mark.parametrize("stage", ["pilot", "rollout"])
def test_only_a_poc_can_be_a_stalled_poc(stage):
    assert rules.poc_stalled(facts(stage, days_in_stage=500), max_days=90) is None


def test_a_pilot_exactly_at_its_limit_is_not_in_purgatory_and_one_day_more_is():
    assert rules.pilot_purgatory(facts("pilot", days_in_stage=180), max_days=180) is None
    assert rules.pilot_purgatory(facts("pilot", days_in_stage=181), max_days=180) == {
        "stage": "pilot",
        "stage_entered_on": "2025-12-31",
        "max_days": 180,
    }


@pytest.mark.parametrize("stage", ["poc", "rollout"])
def test_only_a_pilot_can_be_in_pilot_purgatory(stage):
    assert rules.pilot_purgatory(facts(stage, days_in_stage=500), max_days=180) is None


def test_a_pilot_without_any_rollout_budget_line_has_no_scale_budget():
    assert rules.no_scale_budget(facts("pilot", days_in_stage=1)) == {
        "stage": "pilot",
        "stage_entered_on": "2026-06-29",
        "missing_budget_stage": "rollout",
        "rollout_budget_lines": 0,
    }


def test_a_pilot_with_a_rollout_budget_line_even_only_planned_has_a_scale_budget():
    assert rules.no_scale_budget(facts("pilot", rollout_budget_lines=1)) is None


@pytest.mark.parametrize("stage", ["poc", "rollout"])
def test_no_scale_budget_is_asked_of_pilots_only(stage):
    assert rules.no_scale_budget(facts(stage)) is None


@pytest.mark.parametrize("stage", ["pilot", "rollout"])
def test_a_pilot_or_rollout_without_kpis_is_flagged(stage):
    assert rules.no_kpis(facts(stage, days_in_stage=5)) == {
        "stage": stage,
        "stage_entered_on": "2026-06-25",
        "kpis": {"input": 0, "output": 0, "outcome": 0},
    }


def test_a_poc_without_kpis_is_not_flagged_for_it():
    assert rules.no_kpis(facts("poc")) is None


@pytest.mark.parametrize("kind", ["input_kpis", "output_kpis", "outcome_kpis"])
def test_any_kpi_of_any_kind_answers_no_kpis(kind):
    assert rules.no_kpis(facts("rollout", **{kind: 1})) is None


@pytest.mark.parametrize("stage", ["poc", "pilot", "rollout"])
def test_kpis_none_of_them_outcome_is_input_metrics_only(stage):
    details = rules.input_metrics_only(
        facts(stage, input_kpis=2, output_kpis=1, measurements_in_window=3), window_days=90
    )
    assert details == {
        "stage": stage,
        "stage_entered_on": "2026-06-20",
        "reason": "no_outcome_kpi",
        "kpis": {"input": 2, "output": 1, "outcome": 0},
        "last_measured_on": None,
    }


def test_recent_measurements_none_on_the_outcome_kpi_is_input_metrics_only():
    last = AS_OF - timedelta(days=2)
    details = rules.input_metrics_only(
        facts("pilot", input_kpis=1, outcome_kpis=1, measurements_in_window=5, last_measured_on=last),
        window_days=90,
    )
    assert details["reason"] == "no_outcome_measurement_in_window"
    assert (details["measurements_in_window"], details["outcome_measurements_in_window"]) == (5, 0)
    assert details["window_days"] == 90
    assert details["last_measured_on"] == "2026-06-28"


def test_an_outcome_kpi_with_no_recent_measurement_at_all_is_not_input_metrics_only():
    # nothing reported in the window: that is stale reporting, not input-only reporting
    assert rules.input_metrics_only(facts("pilot", input_kpis=1, outcome_kpis=1), window_days=90) is None


def test_one_recent_outcome_measurement_is_enough():
    quiet = facts("pilot", input_kpis=3, outcome_kpis=1, measurements_in_window=9, outcome_measurements_in_window=1)
    assert rules.input_metrics_only(quiet, window_days=90) is None


def test_a_project_without_kpis_is_not_input_metrics_only():
    assert rules.input_metrics_only(facts("pilot"), window_days=90) is None


def test_stale_reporting_counts_from_the_latest_measurement_exactly_at_its_limit_and_one_day_past():
    at_limit = facts("rollout", days_in_stage=400, output_kpis=1, last_measured_on=AS_OF - timedelta(days=60))
    assert rules.stale_reporting(at_limit, max_days=60) is None
    past = facts("rollout", days_in_stage=400, output_kpis=1, last_measured_on=AS_OF - timedelta(days=61))
    assert rules.stale_reporting(past, max_days=60) == {
        "stage": "rollout",
        "stage_entered_on": "2025-05-26",
        "kpis": {"input": 0, "output": 1, "outcome": 0},
        "last_measured_on": "2026-04-30",
        "counted_from": "last_measurement",
        "max_days": 60,
    }


def test_stale_reporting_without_any_measurement_counts_from_the_stage_entry():
    assert rules.stale_reporting(facts("pilot", days_in_stage=60, input_kpis=1), max_days=60) is None
    details = rules.stale_reporting(facts("pilot", days_in_stage=61, input_kpis=1), max_days=60)
    assert (details["counted_from"], details["last_measured_on"]) == ("stage_entry", None)
    assert rules.numbers("stale_reporting", details, AS_OF)["days_without_measurement"] == 61


def test_a_measurement_older_than_the_stage_entry_still_counts_as_the_latest():
    entered_yesterday = facts("pilot", days_in_stage=1, input_kpis=1, last_measured_on=AS_OF - timedelta(days=100))
    details = rules.stale_reporting(entered_yesterday, max_days=60)
    assert rules.numbers("stale_reporting", details, AS_OF) == {"days_in_stage": 1, "days_without_measurement": 100}


def test_stale_reporting_is_asked_only_of_pilots_and_rollouts_with_kpis():
    assert rules.stale_reporting(facts("poc", days_in_stage=300, input_kpis=1), max_days=60) is None
    assert rules.stale_reporting(facts("pilot", days_in_stage=300), max_days=60) is None


def test_thresholds_come_from_the_settings():
    settings = {
        "POC_MAX_DAYS": 30,
        "PILOT_MAX_DAYS": 60,
        "REPORTING_WINDOW_DAYS": 45,
        "STALE_DAYS": 14,
        "PRACTICE_VALID_DAYS": 180,
    }
    assert Thresholds.from_settings(settings) == Thresholds(30, 60, 45, 14, 180)
    stalled = facts("poc", days_in_stage=31)
    assert "poc_stalled" in rules.evaluate(stalled, Thresholds.from_settings(settings))
    assert "poc_stalled" not in rules.evaluate(stalled, THRESHOLDS)


def test_a_long_neglected_pilot_breaks_four_rules_at_once():
    found = rules.evaluate(facts("pilot", days_in_stage=200, input_kpis=2, measurements_in_window=0), THRESHOLDS)
    assert list(found) == ["pilot_purgatory", "no_scale_budget", "input_metrics_only", "stale_reporting"]


def test_every_rule_is_explained_in_plain_words_with_its_numbers():
    found = rules.evaluate(facts("pilot", days_in_stage=200, input_kpis=2), THRESHOLDS)
    found["poc_stalled"] = rules.poc_stalled(facts("poc", days_in_stage=120), max_days=90)
    found["no_kpis"] = rules.no_kpis(facts("rollout", days_in_stage=7))
    found["risk_unassessed"] = rules.risk_unassessed(facts("pilot", days_in_stage=40, risk_tier="unassessed"))
    lapsed = {**ALL_DONE, "impact_assessment": done("impact_assessment", 400)}
    del lapsed["appeal"]
    found["practices_lapsed"] = rules.practices_lapsed(
        facts("rollout", days_in_stage=500, risk_tier="high_impact", practices=lapsed), valid_days=365
    )
    found["prohibited_in_use"] = rules.prohibited_in_use(facts("pilot", days_in_stage=12, risk_tier="prohibited"))
    assert set(found) == set(RULES)
    assert {rule: rules.explain(rule, details, on=AS_OF) for rule, details in found.items()} == {
        "poc_stalled": "In proof of concept for 120 days (since 2026-03-02), longer than the 90 days allowed: "
        "decide to pilot it or stop it.",
        "pilot_purgatory": "In pilot for 200 days (since 2025-12-12), longer than the 180 days allowed: "
        "pilot purgatory. Decide to scale it up or stop it.",
        "no_scale_budget": "In pilot for 200 days with no full rollout budget line at all: "
        "nobody has planned the money to scale it up.",
        "no_kpis": "In full rollout for 7 days with no KPI at all: nobody can tell whether it works.",
        "input_metrics_only": "Its KPIs (2 input) include no outcome KPI: it reports what was put in or "
        "produced, not what changed for residents.",
        "stale_reporting": "No measurement at all since it entered pilot on 2025-12-12, 200 days ago, "
        "longer than the 60 days allowed.",
        "risk_unassessed": "In pilot for 40 days with no risk tier: nobody has determined whether it is "
        "high-impact. Classify it, with the reason.",
        "practices_lapsed": "A high-impact system in full rollout with 2 of its 8 risk-management practices not in "
        "effect: impact assessment (expired on 2026-05-26), remedy or appeal process. Complete or renew them, with evidence.",
        "prohibited_in_use": "Classified as a prohibited use, yet in pilot for 12 days: a use the law forbids "
        "must stop. Switch it off and cancel it.",
    }


def test_the_window_branch_and_the_latest_measurement_are_explained_too():
    window = rules.input_metrics_only(
        facts("rollout", input_kpis=1, outcome_kpis=2, measurements_in_window=5), window_days=90
    )
    assert rules.explain("input_metrics_only", window, on=AS_OF) == (
        "Of the 5 measurements reported in the last 90 days, none was on one of its 2 outcome KPIs: "
        "progress is reported as inputs, not outcomes."
    )
    stale = rules.stale_reporting(
        facts("rollout", output_kpis=1, last_measured_on=AS_OF - timedelta(days=75)), max_days=60
    )
    assert rules.explain("stale_reporting", stale, on=AS_OF) == (
        "No measurement for 75 days (the last on 2026-04-16), longer than the 60 days allowed."
    )


@pytest.mark.parametrize("rule", RULES)
def test_a_flag_without_numbers_is_still_explained(rule):
    assert rules.explain(rule, {}) == rules.SUMMARIES[rule]
    assert rules.explain(rule, None, on=AS_OF) == rules.SUMMARIES[rule]


def test_the_day_counts_are_counted_to_the_date_asked_for_and_advance_with_it():
    details = rules.stale_reporting(
        facts("rollout", days_in_stage=400, output_kpis=1, last_measured_on=AS_OF - timedelta(days=61)), max_days=60
    )
    later = AS_OF + timedelta(days=9)
    assert rules.numbers("stale_reporting", details, later) == {"days_in_stage": 409, "days_without_measurement": 70}
    assert rules.shown("stale_reporting", details, later) == {
        **details,
        "days_in_stage": 409,
        "days_without_measurement": 70,
    }
    assert rules.explain("stale_reporting", details, on=later).startswith("No measurement for 70 days")
    # details that already hold their day counts (as the API shows them) read as they are
    assert rules.explain("stale_reporting", rules.shown("stale_reporting", details, later)).startswith(
        "No measurement for 70 days"
    )


def test_an_unresolved_flag_was_last_seen_by_the_latest_real_scan_and_a_resolved_one_when_stored():
    stored, latest = date(2026, 6, 1), date(2026, 6, 30)
    assert rules.last_seen_on("open", stored, latest) == latest
    assert rules.last_seen_on("snoozed", stored, latest) == latest
    assert rules.last_seen_on("resolved", stored, latest) == stored
    assert rules.last_seen_on("open", stored, None) == stored


def test_key_numbers_sum_up_a_finding_for_a_table():
    pilot = facts("pilot", days_in_stage=200, input_kpis=2)
    found = rules.evaluate(pilot, THRESHOLDS)
    assert {rule: rules.key_numbers(rule, details, on=AS_OF) for rule, details in found.items()} == {
        "pilot_purgatory": "200 days in pilot > 180",
        "no_scale_budget": "0 rollout budget lines, 200 days in pilot",
        "input_metrics_only": "KPIs 2 input/0 output/0 outcome",
        "stale_reporting": "200 days since pilot entry 2025-12-12 > 60",
    }


def test_the_scans_facts_query_gives_the_facts_fields_in_their_order():
    # the scan builds ProjectFacts positionally from the query's columns after (id, key, owner)
    from dataclasses import fields

    from tracker.flags.scan import facts_query

    columns = [column.name for column in facts_query(AS_OF, 90).selected_columns]
    assert columns[:3] == ["project_id", "key", "owner_id"]
    # all but `practices`, which the scan reads in a statement of its own
    assert columns[3:] == [field.name for field in fields(rules.ProjectFacts)][1:-1]


# ---- the trust rules ----


@pytest.mark.parametrize("stage", ["pilot", "rollout"])
def test_a_pilot_or_rollout_without_a_risk_tier_is_flagged(stage):
    assert rules.risk_unassessed(facts(stage, days_in_stage=3, risk_tier="unassessed")) == {
        "stage": stage,
        "stage_entered_on": "2026-06-27",
        "risk_tier": "unassessed",
    }


def test_a_poc_may_still_be_unassessed_and_any_tier_answers_the_rule():
    assert rules.risk_unassessed(facts("poc", risk_tier="unassessed")) is None
    for tier in ("minimal", "limited", "high_impact", "prohibited"):
        assert rules.risk_unassessed(facts("pilot", risk_tier=tier)) is None


@pytest.mark.parametrize("stage", ["poc", "pilot", "rollout"])
def test_a_prohibited_use_in_any_active_stage_is_flagged(stage):
    assert rules.prohibited_in_use(facts(stage, days_in_stage=2, risk_tier="prohibited")) == {
        "stage": stage,
        "stage_entered_on": "2026-06-28",
        "risk_tier": "prohibited",
    }
    assert rules.prohibited_in_use(facts(stage, risk_tier="high_impact")) is None


def test_a_prohibited_rollout_is_told_to_retire_it():
    details = rules.prohibited_in_use(facts("rollout", days_in_stage=9, risk_tier="prohibited"))
    assert rules.explain("prohibited_in_use", details, on=AS_OF).endswith("Switch it off and retire it.")


def test_a_high_impact_rollout_with_all_eight_practices_in_effect_is_not_lapsed():
    assert rules.practices_lapsed(facts("rollout", risk_tier="high_impact", practices=ALL_DONE), valid_days=365) is None


def test_a_high_impact_rollout_with_no_practice_written_lacks_all_eight():
    details = rules.practices_lapsed(facts("rollout", days_in_stage=4, risk_tier="high_impact"), valid_days=365)
    assert details == {
        "stage": "rollout",
        "stage_entered_on": "2026-06-26",
        "risk_tier": "high_impact",
        "not_in_effect": list(PRACTICES),
        "expired_on": {},
        "valid_days": 365,
    }


def test_a_practice_done_exactly_valid_days_ago_has_lapsed_and_one_day_younger_has_not():
    young = {**ALL_DONE, "monitoring": done("monitoring", 364)}
    assert rules.practices_lapsed(facts("rollout", risk_tier="high_impact", practices=young), valid_days=365) is None
    old = {**ALL_DONE, "monitoring": done("monitoring", 365)}
    details = rules.practices_lapsed(facts("rollout", risk_tier="high_impact", practices=old), valid_days=365)
    assert (details["not_in_effect"], details["expired_on"]) == (["monitoring"], {"monitoring": "2026-06-30"})


def test_not_applicable_oversight_and_a_fresh_waiver_are_in_effect_in_progress_is_not():
    written = {
        **ALL_DONE,
        "human_oversight": PracticeState("human_oversight", "not_applicable"),
        "appeal": PracticeState("appeal", "waived", waived_on=AS_OF - timedelta(days=10)),
        "training": PracticeState("training", "in_progress"),
    }
    details = rules.practices_lapsed(facts("rollout", risk_tier="high_impact", practices=written), valid_days=365)
    assert details["not_in_effect"] == ["training"]
    assert rules.key_numbers("practices_lapsed", details, on=AS_OF) == "1 of 8 not in effect: training"


def test_a_practice_completed_after_as_of_is_not_in_effect_on_it():
    # a dry run as of a past day judges the practices' dates against that day
    later = {**ALL_DONE, "testing": PracticeState("testing", "done", completed_on=AS_OF + timedelta(days=1))}
    details = rules.practices_lapsed(facts("rollout", risk_tier="high_impact", practices=later), valid_days=365)
    assert (details["not_in_effect"], details["expired_on"]) == (["testing"], {})


@pytest.mark.parametrize("stage,tier", [("pilot", "high_impact"), ("rollout", "limited"), ("rollout", "prohibited")])
def test_practices_are_asked_only_of_high_impact_rollouts(stage, tier):
    assert rules.practices_lapsed(facts(stage, risk_tier=tier), valid_days=365) is None


def test_an_unassessed_prohibited_and_high_impact_project_each_break_their_rule_in_evaluate():
    assert "risk_unassessed" in rules.evaluate(facts("pilot", risk_tier="unassessed", **HEALTHY), THRESHOLDS)
    assert list(rules.evaluate(facts("pilot", risk_tier="prohibited", **HEALTHY), THRESHOLDS)) == ["prohibited_in_use"]
    hi = facts("rollout", risk_tier="high_impact", practices={**ALL_DONE, "appeal": done("appeal", 366)}, **HEALTHY)
    assert list(rules.evaluate(hi, THRESHOLDS)) == ["practices_lapsed"]
