"""Stage moves and stage gates as pure rules: no Flask, no session, plain values in and out."""

from dataclasses import dataclass
from datetime import date

from tracker.errors import Conflict, Forbidden, GateNotMet, Invalid
from tracker.vocab import REGISTRY_FIELDS

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    "poc": frozenset({"pilot", "cancelled"}),
    "pilot": frozenset({"rollout", "poc", "cancelled"}),
    "rollout": frozenset({"retired"}),
    "cancelled": frozenset(),
    "retired": frozenset(),
}

# Stages a history starting in a later stage implies were passed (SPEC "Stage transition").
IMPLIED_EARLIER_STAGES: dict[str, tuple[str, ...]] = {
    "poc": (),
    "pilot": ("poc",),
    "rollout": ("poc", "pilot"),
    "retired": ("poc", "pilot", "rollout"),
    "cancelled": ("poc",),
}

KPI_REQUIRED = "kpi_required"
OUTCOME_KPI_REQUIRED = "outcome_kpi_required"
OUTCOME_MEASUREMENT_REQUIRED = "outcome_measurement_required"
ROLLOUT_BUDGET_APPROVED_REQUIRED = "rollout_budget_approved_required"


@dataclass(frozen=True)
class GateEvidence:
    """What the gates look at, counted for one project."""

    kpis: int = 0
    outcome_kpis: int = 0  # kind outcome with a baseline and a target
    outcome_measurements: int = 0  # measurements on such KPIs
    approved_rollout_budget_lines: int = 0


@dataclass(frozen=True)
class Decision:
    from_stage: str
    to_stage: str
    effective_date: date
    gate: dict
    override_reason: str | None


def gate_checks(to_stage: str, evidence: GateEvidence) -> list[tuple[str, bool]]:
    """(criterion code, met) for every criterion guarding `to_stage`, in SPEC order."""
    if to_stage == "pilot":
        return [(KPI_REQUIRED, evidence.kpis > 0)]
    if to_stage == "rollout":
        return [
            (OUTCOME_KPI_REQUIRED, evidence.outcome_kpis > 0),
            (OUTCOME_MEASUREMENT_REQUIRED, evidence.outcome_measurements > 0),
            (ROLLOUT_BUDGET_APPROVED_REQUIRED, evidence.approved_rollout_budget_lines > 0),
        ]
    return []


def decide_transition(
    *,
    from_stage: str,
    to_stage: str,
    effective_date: date,
    previous_effective_date: date,
    today: date,
    evidence: GateEvidence,
    override_reason: str | None,
    may_override: bool,
) -> Decision:
    """Decide a stage move, or raise the domain error that refuses it."""
    if to_stage not in ALLOWED_MOVES[from_stage]:
        allowed = ", ".join(sorted(ALLOWED_MOVES[from_stage])) or "none (it is a terminal stage)"
        raise Conflict(f"cannot move from {from_stage} to {to_stage}; allowed from {from_stage}: {allowed}")
    if effective_date > today:
        raise Invalid({"effective_date": "Must not be in the future."})
    if effective_date < previous_effective_date:
        raise Invalid(
            {"effective_date": f"Must not be before the previous stage decision ({previous_effective_date})."}
        )
    if override_reason is not None and not may_override:
        raise Forbidden("only the CAIO office (caio, admin) may override a stage gate")
    checks = gate_checks(to_stage, evidence)
    unmet = [code for code, met in checks if not met]
    if unmet and not override_reason:
        raise GateNotMet(to_stage, unmet)
    gate = {
        "checks": [{"code": code, "met": met} for code, met in checks],
        "unmet": unmet,
        "overridden": bool(unmet),
    }
    return Decision(from_stage, to_stage, effective_date, gate, override_reason)


def stages_reached(first_stage: str) -> tuple[str, ...]:
    """Every stage a history starting in `first_stage` counts as having entered."""
    return (*IMPLIED_EARLIER_STAGES[first_stage], first_stage)


def missing_registry_fields(values: dict) -> list[str]:
    """Registry fields left blank; a public project must fill in every one (SPEC)."""
    return [name for name in REGISTRY_FIELDS if not str(values.get(name) or "").strip()]
