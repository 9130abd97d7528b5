"""The trust rules on plain values: tiers, practices in effect, and the gate matrix of
tier x stage move x practice status, with and without the CAIO office's override."""

from datetime import date, timedelta

import pytest

from tracker.errors import Forbidden, GateNotMet, Invalid
from tracker.projects import rules
from tracker.projects.rules import GateEvidence
from tracker.trust.rules import (
    PracticeState,
    check_practice,
    check_reclassification,
    practices_not_in_effect,
    rationale_missing,
)
from tracker.vocab import PRACTICE_STATUSES, PRACTICES, RISK_TIERS, STAGES

TODAY = date(2026, 6, 30)
VALID = 365
SCALE_MET = {"kpis": 2, "outcome_kpis": 1, "outcome_measurements": 3, "approved_rollout_budget_lines": 1}
ALLOWED = [(a, b) for a in STAGES for b in sorted(rules.ALLOWED_MOVES[a])]
PRACTICE_CODES = [f"{key}_required" for key in PRACTICES]


def done(key: str, days_ago: int = 10) -> PracticeState:
    return PracticeState(key, "done", completed_on=TODAY - timedelta(days=days_ago))


def all_done(days_ago: int = 10) -> dict[str, PracticeState]:
    return {key: done(key, days_ago) for key in PRACTICES}


def evidence(tier: str, *, public: bool = True, practices: dict | None = None) -> GateEvidence:
    return GateEvidence(**SCALE_MET, risk_tier=tier, public=public, practices=practices or {})


def decide(from_stage, to_stage, ev, *, override_reason=None, may_override=False, on=TODAY):
    return rules.decide_transition(
        from_stage=from_stage,
        to_stage=to_stage,
        effective_date=on,
        previous_effective_date=on - timedelta(days=400),
        today=TODAY,
        evidence=ev,
        override_reason=override_reason,
        may_override=may_override,
        practice_valid_days=VALID,
    )


def unmet(from_stage, to_stage, ev, **kwargs) -> list[str]:
    """The criteria a move leaves unmet: [] when it is decided, the 409's list when refused."""
    try:
        return decide(from_stage, to_stage, ev, **kwargs).gate["unmet"]
    except GateNotMet as refused:
        return refused.extra["unmet"]


# --- in effect ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state,in_effect,expires_on",
    [
        (PracticeState("testing"), False, None),
        (PracticeState("testing", "in_progress"), False, None),
        (PracticeState("appeal", "not_applicable"), True, None),
        (PracticeState("testing", "done", completed_on=TODAY), True, TODAY + timedelta(days=VALID)),
        (PracticeState("testing", "done", completed_on=TODAY - timedelta(days=364)), True, TODAY + timedelta(days=1)),
        (PracticeState("testing", "done", completed_on=TODAY - timedelta(days=365)), False, TODAY),
        (PracticeState("testing", "done", completed_on=TODAY + timedelta(days=1)), False, None),
        (PracticeState("training", "waived", waived_on=TODAY - timedelta(days=100)), True, None),
        (PracticeState("training", "waived", waived_on=TODAY - timedelta(days=400)), False, None),
    ],
)
def test_a_practice_is_in_effect_from_its_date_for_the_valid_days_or_always_when_not_applicable(
    state, in_effect, expires_on
):
    assert state.in_effect(TODAY, VALID) is in_effect
    if expires_on is not None:
        assert state.expires_on(VALID) == expires_on


def test_a_waiver_expires_a_year_after_the_write_that_set_it():
    state = PracticeState("training", "waived", waived_on=date(2026, 1, 15))
    assert state.expires_on(VALID) == date(2027, 1, 15)
    assert state.in_effect(date(2027, 1, 14), VALID) and not state.in_effect(date(2027, 1, 15), VALID)
    assert not state.in_effect(date(2026, 1, 14), VALID)  # not before it was granted


def test_practices_not_in_effect_lists_the_unwritten_and_the_lapsed_in_spec_order():
    written = {**all_done(), "impact_assessment": done("impact_assessment", 400), "appeal": PracticeState("appeal")}
    assert practices_not_in_effect(written, TODAY, VALID) == ["impact_assessment", "appeal"]
    assert practices_not_in_effect({}, TODAY, VALID) == list(PRACTICES)


# --- classification -------------------------------------------------------------------------


@pytest.mark.parametrize("current", RISK_TIERS)
@pytest.mark.parametrize("requested", RISK_TIERS)
def test_only_the_caio_office_moves_a_tier_down_from_high_impact_or_prohibited(current, requested):
    lowers_guarded = current in ("high_impact", "prohibited") and RISK_TIERS.index(requested) < RISK_TIERS.index(
        current
    )
    args = dict(current=current, requested=requested, rationale="reviewed by the AI board")
    assert check_reclassification(**args, may_lower_guarded=True) is (current != requested)
    if lowers_guarded:
        with pytest.raises(Forbidden):
            check_reclassification(**args, may_lower_guarded=False)
    else:
        assert check_reclassification(**args, may_lower_guarded=False) is (current != requested)


@pytest.mark.parametrize("rationale", [None, "", "   "])
def test_a_change_of_tier_carries_its_rationale_except_back_to_unassessed(rationale):
    with pytest.raises(Invalid) as refused:
        check_reclassification(current="minimal", requested="limited", rationale=rationale, may_lower_guarded=True)
    assert list(refused.value.extra["errors"]["json"]) == ["risk_rationale"]
    assert check_reclassification(
        current="limited", requested="unassessed", rationale=rationale, may_lower_guarded=True
    )
    # no change, no new rationale needed
    assert not check_reclassification(current="limited", requested="limited", rationale=None, may_lower_guarded=False)
    assert rationale_missing("high_impact", rationale) and not rationale_missing("unassessed", rationale)


# --- a practice as a PUT would set it -------------------------------------------------------


@pytest.mark.parametrize("key", PRACTICES)
@pytest.mark.parametrize("status", PRACTICE_STATUSES)
def test_each_status_takes_its_own_fields_and_not_applicable_only_where_it_can_be(key, status):
    fields = {
        "completed_on": TODAY if status == "done" else None,
        "waiver_reason": "covered by the national type approval" if status == "waived" else "",
    }
    if status == "not_applicable" and key not in ("human_oversight", "appeal"):
        with pytest.raises(Invalid) as refused:
            check_practice(key=key, status=status, may_waive=True, **fields)
        assert list(refused.value.extra["errors"]["json"]) == ["status"]
    else:
        check_practice(key=key, status=status, may_waive=True, **fields)


@pytest.mark.parametrize(
    "status,completed_on,waiver_reason,field",
    [
        ("done", None, "", "completed_on"),
        ("in_progress", TODAY, "", "completed_on"),
        ("waived", None, "  ", "waiver_reason"),
        ("waived", TODAY, "reason", "completed_on"),
        ("done", TODAY, "reason", "waiver_reason"),
        ("not_started", None, "reason", "waiver_reason"),
    ],
)
def test_a_date_goes_only_with_done_and_a_waiver_reason_only_with_waived(status, completed_on, waiver_reason, field):
    with pytest.raises(Invalid) as refused:
        check_practice(
            key="testing", status=status, completed_on=completed_on, waiver_reason=waiver_reason, may_waive=True
        )
    assert field in refused.value.extra["errors"]["json"]


def test_only_the_caio_office_may_set_or_keep_a_waiver():
    with pytest.raises(Forbidden):
        check_practice(key="testing", status="waived", completed_on=None, waiver_reason="x", may_waive=False)


# --- the gate matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("from_stage,to_stage", ALLOWED)
@pytest.mark.parametrize("tier", RISK_TIERS)
def test_every_allowed_move_for_every_tier_with_no_practice_written(from_stage, to_stage, tier):
    """Only entering pilot or rollout has trust criteria; leaving a stage never has."""
    expected = []
    if to_stage in ("pilot", "rollout"):
        expected += ["risk_tier_required"] if tier == "unassessed" else []
        expected += ["prohibited_use"] if tier == "prohibited" else []
    if tier == "high_impact" and to_stage == "pilot":
        expected += ["testing_required", "impact_assessment_required"]
    if tier == "high_impact" and to_stage == "rollout":
        expected += PRACTICE_CODES
    assert unmet(from_stage, to_stage, evidence(tier)) == expected


@pytest.mark.parametrize("tier", ["limited", "high_impact"])
def test_a_limited_or_high_impact_rollout_needs_a_registry_entry(tier):
    practices = all_done()
    assert unmet("pilot", "rollout", evidence(tier, public=False, practices=practices)) == ["registry_entry_required"]
    assert unmet("pilot", "rollout", evidence(tier, public=True, practices=practices)) == []


@pytest.mark.parametrize("tier", ["minimal", "unassessed", "prohibited"])
def test_other_tiers_roll_out_without_a_registry_entry(tier):
    assert "registry_entry_required" not in unmet("pilot", "rollout", evidence(tier, public=False))


@pytest.mark.parametrize("status", PRACTICE_STATUSES)
def test_a_high_impact_pilot_needs_testing_and_impact_assessment_started(status):
    started = {
        key: PracticeState(key, status, completed_on=TODAY if status == "done" else None, waived_on=TODAY)
        for key in ("testing", "impact_assessment")
    }
    expected = ["testing_required", "impact_assessment_required"] if status == "not_started" else []
    assert unmet("poc", "pilot", evidence("high_impact", practices=started)) == expected
    only_testing = {"testing": started["testing"]}
    assert unmet("poc", "pilot", evidence("high_impact", practices=only_testing)) == (
        ["testing_required", "impact_assessment_required"]
        if status == "not_started"
        else ["impact_assessment_required"]
    )


@pytest.mark.parametrize(
    "state,in_effect",
    [
        (PracticeState("appeal"), False),
        (PracticeState("appeal", "in_progress"), False),
        (PracticeState("appeal", "not_applicable"), True),
        (PracticeState("appeal", "done", completed_on=TODAY - timedelta(days=30)), True),
        (PracticeState("appeal", "done", completed_on=TODAY - timedelta(days=VALID)), False),
        (PracticeState("appeal", "waived", waived_on=TODAY - timedelta(days=30)), True),
        (PracticeState("appeal", "waived", waived_on=TODAY - timedelta(days=VALID + 1)), False),
    ],
)
def test_a_high_impact_rollout_needs_each_practice_in_effect(state, in_effect):
    practices = {**all_done(), "appeal": state}
    assert unmet("pilot", "rollout", evidence("high_impact", practices=practices)) == (
        [] if in_effect else ["appeal_required"]
    )


def test_practices_are_judged_on_the_decisions_effective_date_not_today():
    practices = {**all_done(days_ago=200)}
    # backdated to before the practices were done: none was in effect then
    assert unmet("pilot", "rollout", evidence("high_impact", practices=practices), on=TODAY - timedelta(days=300)) == (
        PRACTICE_CODES
    )
    assert unmet("pilot", "rollout", evidence("high_impact", practices=practices), on=TODAY - timedelta(days=100)) == []


def test_the_trust_criteria_follow_the_scale_criteria_in_one_list():
    ev = GateEvidence(risk_tier="high_impact", public=False)
    assert unmet("pilot", "rollout", ev) == [
        "outcome_kpi_required",
        "outcome_measurement_required",
        "rollout_budget_approved_required",
        *PRACTICE_CODES,
        "registry_entry_required",
    ]
    assert unmet("poc", "pilot", GateEvidence()) == ["kpi_required", "risk_tier_required"]


@pytest.mark.parametrize("to_stage", ["pilot", "rollout"])
@pytest.mark.parametrize("tier", ["unassessed", "high_impact"])
def test_the_caio_office_overrides_every_trust_criterion_but_prohibited_use(to_stage, tier):
    from_stage = "poc" if to_stage == "pilot" else "pilot"
    decision = decide(
        from_stage, to_stage, evidence(tier, public=False), override_reason="council decision", may_override=True
    )
    assert decision.gate["overridden"] is True and decision.gate["unmet"]
    assert decision.override_reason == "council decision"


@pytest.mark.parametrize("to_stage", ["pilot", "rollout"])
def test_no_override_passes_prohibited_use(to_stage):
    from_stage = "poc" if to_stage == "pilot" else "pilot"
    with pytest.raises(GateNotMet) as refused:
        decide(from_stage, to_stage, evidence("prohibited"), override_reason="council decision", may_override=True)
    assert refused.value.extra["unmet"] == ["prohibited_use"]
    assert "no override passes prohibited_use" in refused.value.message


@pytest.mark.parametrize("from_stage,to_stage", [("pilot", "poc"), ("pilot", "cancelled"), ("rollout", "retired")])
def test_a_prohibited_use_can_still_be_sent_back_cancelled_or_retired(from_stage, to_stage):
    assert decide(from_stage, to_stage, evidence("prohibited")).gate == {"checks": [], "unmet": [], "overridden": False}


def test_a_manager_override_is_forbidden_even_for_a_trust_criterion():
    with pytest.raises(Forbidden):
        decide("poc", "pilot", evidence("unassessed"), override_reason="please", may_override=False)
