"""Every (from, to) stage pair and every gate criterion, on plain values."""

from datetime import date, timedelta

import pytest

from tracker.errors import Conflict, Forbidden, GateNotMet, Invalid
from tracker.i18n.vocab import STAGE_NAMES, api_name
from tracker.projects import rules
from tracker.projects.rules import GateEvidence
from tracker.vocab import STAGES

TODAY = date(2026, 6, 30)
VALID_DAYS = 365


def scale_evidence(**counts) -> GateEvidence:
    """The scale gates' counts of a classified minimal-risk project, which meets every trust gate."""
    return GateEvidence(risk_tier="minimal", **counts)


ALLOWED = {
    ("poc", "pilot"),
    ("poc", "cancelled"),
    ("pilot", "rollout"),
    ("pilot", "poc"),
    ("pilot", "cancelled"),
    ("rollout", "retired"),
}
ALL_MET = scale_evidence(kpis=2, outcome_kpis=1, outcome_measurements=3, approved_rollout_budget_lines=1)


def decide(from_stage, to_stage, evidence=ALL_MET, **overrides):
    kwargs = dict(
        from_stage=from_stage,
        to_stage=to_stage,
        effective_date=TODAY,
        previous_effective_date=TODAY,
        today=TODAY,
        evidence=evidence,
        override_reason=None,
        may_override=False,
        practice_valid_days=VALID_DAYS,
    )
    kwargs.update(overrides)
    return rules.decide_transition(**kwargs)


@pytest.mark.parametrize("from_stage,to_stage", sorted(ALLOWED))
def test_allowed_move_is_decided_when_its_gate_is_met(from_stage, to_stage):
    decision = decide(from_stage, to_stage)
    assert (decision.from_stage, decision.to_stage) == (from_stage, to_stage)
    assert decision.gate["unmet"] == [] and decision.gate["overridden"] is False


@pytest.mark.parametrize("from_stage,to_stage", [(a, b) for a in STAGES for b in STAGES if (a, b) not in ALLOWED])
def test_every_other_move_including_to_the_same_stage_is_a_conflict(from_stage, to_stage):
    with pytest.raises(Conflict) as refused:
        decide(from_stage, to_stage)
    assert not isinstance(refused.value, GateNotMet)
    # the stages in the vocabulary's English words, as the register names them
    assert f"from {api_name(STAGE_NAMES, from_stage)} to {api_name(STAGE_NAMES, to_stage)}" in refused.value.message


def test_a_refused_move_names_the_stages_in_the_registers_words_and_the_codes_a_client_may_send():
    with pytest.raises(Conflict) as refused:
        decide("poc", "rollout")
    assert refused.value.message == (
        "cannot move from proof of concept (PoC) to full rollout; allowed from poc: cancelled, pilot"
    )


def test_entering_pilot_without_any_kpi_is_refused_with_kpi_required():
    with pytest.raises(GateNotMet) as refused:
        decide("poc", "pilot", scale_evidence())
    assert refused.value.extra["unmet"] == ["kpi_required"]


def test_entering_pilot_with_one_input_kpi_passes():
    assert decide("poc", "pilot", scale_evidence(kpis=1)).gate["checks"] == [
        {"code": "kpi_required", "met": True},
        {"code": "risk_tier_required", "met": True},
        {"code": "prohibited_use", "met": True},
    ]


def test_entering_rollout_with_nothing_lists_every_unmet_criterion():
    with pytest.raises(GateNotMet) as refused:
        decide("pilot", "rollout", scale_evidence(kpis=3))
    assert refused.value.extra["unmet"] == [
        "outcome_kpi_required",
        "outcome_measurement_required",
        "rollout_budget_approved_required",
    ]


@pytest.mark.parametrize(
    "evidence,unmet",
    [
        (scale_evidence(kpis=1, outcome_kpis=1, outcome_measurements=1), ["rollout_budget_approved_required"]),
        (scale_evidence(kpis=1, outcome_kpis=1, approved_rollout_budget_lines=1), ["outcome_measurement_required"]),
        (
            scale_evidence(kpis=1, approved_rollout_budget_lines=1),
            ["outcome_kpi_required", "outcome_measurement_required"],
        ),
    ],
)
def test_each_rollout_criterion_is_checked_on_its_own(evidence, unmet):
    with pytest.raises(GateNotMet) as refused:
        decide("pilot", "rollout", evidence)
    assert refused.value.extra["unmet"] == unmet


@pytest.mark.parametrize("to_stage", ["cancelled", "poc"])
def test_leaving_pilot_backwards_or_by_a_kill_decision_has_no_gate(to_stage):
    assert decide("pilot", to_stage, scale_evidence()).gate["checks"] == []


def test_caio_office_passes_an_unmet_gate_with_a_reason_and_it_is_recorded():
    decision = decide(
        "pilot", "rollout", scale_evidence(), override_reason="council decision 2026/114", may_override=True
    )
    assert decision.override_reason == "council decision 2026/114"
    assert decision.gate["overridden"] is True
    assert decision.gate["unmet"] == [
        "outcome_kpi_required",
        "outcome_measurement_required",
        "rollout_budget_approved_required",
    ]


def test_an_override_reason_from_anyone_else_is_forbidden():
    with pytest.raises(Forbidden):
        decide("poc", "pilot", scale_evidence(), override_reason="please", may_override=False)


def test_an_override_reason_is_forbidden_to_a_manager_even_when_the_gate_is_met():
    with pytest.raises(Forbidden):
        decide("poc", "pilot", ALL_MET, override_reason="just in case", may_override=False)


def test_an_effective_date_in_the_future_is_invalid():
    with pytest.raises(Invalid) as refused:
        decide("poc", "pilot", effective_date=TODAY + timedelta(days=1))
    assert "effective_date" in refused.value.extra["errors"]["json"]


def test_an_effective_date_before_the_previous_decision_is_invalid():
    with pytest.raises(Invalid) as refused:
        decide(
            "poc", "pilot", effective_date=TODAY - timedelta(days=2), previous_effective_date=TODAY - timedelta(days=1)
        )
    assert "effective_date" in refused.value.extra["errors"]["json"]


def test_an_effective_date_on_the_day_of_the_previous_decision_is_fine():
    assert decide("poc", "pilot", effective_date=TODAY, previous_effective_date=TODAY).effective_date == TODAY


@pytest.mark.parametrize(
    "first,reached",
    [
        ("poc", ("poc",)),
        ("pilot", ("poc", "pilot")),
        ("rollout", ("poc", "pilot", "rollout")),
        ("retired", ("poc", "pilot", "rollout", "retired")),
        ("cancelled", ("poc", "cancelled")),
    ],
)
def test_a_history_starting_in_a_later_stage_implies_the_earlier_ones(first, reached):
    assert rules.stages_reached(first) == reached


def test_a_public_project_must_fill_in_every_registry_field():
    assert rules.missing_registry_fields({"purpose": "x", "risks": " "}) == [
        "data_sources",
        "logic",
        "risks",
        "human_oversight",
        "contact_email",
    ]
