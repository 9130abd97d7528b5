"""Stage moves and stage gates as pure rules: no Flask, no session, plain values in and out."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from tracker.errors import Conflict, Forbidden, GateNotMet, Invalid
from tracker.i18n.vocab import STAGE_NAMES, api_name
from tracker.trust.rules import PracticeState, all_practices
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
# the trust gates (SPEC "Trust"); a practice's own criterion is f"{key}_required"
RISK_TIER_REQUIRED = "risk_tier_required"
PROHIBITED_USE = "prohibited_use"
REGISTRY_ENTRY_REQUIRED = "registry_entry_required"
# no override passes these: a prohibited use can only be cancelled, retired or sent back
NOT_OVERRIDABLE = frozenset({PROHIBITED_USE})
# practices a high-impact system must have started before its pilot
STARTED_FOR_PILOT = ("testing", "impact_assessment")
# tiers whose rollout needs a public registry entry (residents meet the system or are affected by it)
REGISTERED_FOR_ROLLOUT = frozenset({"limited", "high_impact"})


@dataclass(frozen=True)
class GateEvidence:
    """What the gates look at, for one project."""

    kpis: int = 0
    outcome_kpis: int = 0  # kind outcome with a baseline and a target
    outcome_measurements: int = 0  # measurements on such KPIs
    approved_rollout_budget_lines: int = 0
    risk_tier: str = "unassessed"
    public: bool = False
    practices: Mapping[str, PracticeState] = field(default_factory=dict)  # the written ones, by key


@dataclass(frozen=True)
class Decision:
    from_stage: str
    to_stage: str
    effective_date: date
    gate: dict
    override_reason: str | None


def gate_checks(to_stage: str, evidence: GateEvidence, *, on: date, valid_days: int) -> list[tuple[str, bool]]:
    """(criterion code, met) for every criterion guarding `to_stage`, in SPEC order: the scale
    gates, then the trust gates. Practices are judged on `on`, the decision's effective date."""
    if to_stage == "pilot":
        return [(KPI_REQUIRED, evidence.kpis > 0), *_trust_checks(to_stage, evidence, on, valid_days)]
    if to_stage == "rollout":
        return [
            (OUTCOME_KPI_REQUIRED, evidence.outcome_kpis > 0),
            (OUTCOME_MEASUREMENT_REQUIRED, evidence.outcome_measurements > 0),
            (ROLLOUT_BUDGET_APPROVED_REQUIRED, evidence.approved_rollout_budget_lines > 0),
            *_trust_checks(to_stage, evidence, on, valid_days),
        ]
    return []


def _trust_checks(to_stage: str, evidence: GateEvidence, on: date, valid_days: int) -> list[tuple[str, bool]]:
    tier = evidence.risk_tier
    checks = [(RISK_TIER_REQUIRED, tier != "unassessed"), (PROHIBITED_USE, tier != "prohibited")]
    if tier == "high_impact":
        practices = all_practices(dict(evidence.practices))
        if to_stage == "pilot":
            checks += [(f"{p.key}_required", p.started) for p in practices if p.key in STARTED_FOR_PILOT]
        else:
            checks += [(f"{p.key}_required", p.in_effect(on, valid_days)) for p in practices]
    if to_stage == "rollout" and tier in REGISTERED_FOR_ROLLOUT:
        checks.append((REGISTRY_ENTRY_REQUIRED, evidence.public))
    return checks


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
    practice_valid_days: int,
) -> Decision:
    """Decide a stage move, or raise the domain error that refuses it."""
    if to_stage not in ALLOWED_MOVES[from_stage]:
        allowed = ", ".join(sorted(ALLOWED_MOVES[from_stage])) or "none (it is a terminal stage)"
        moving = f"{api_name(STAGE_NAMES, from_stage)} to {api_name(STAGE_NAMES, to_stage)}"
        raise Conflict(f"cannot move from {moving}; allowed from {from_stage}: {allowed}")
    if effective_date > today:
        raise Invalid({"effective_date": "Must not be in the future."})
    if effective_date < previous_effective_date:
        raise Invalid(
            {"effective_date": f"Must not be before the previous stage decision ({previous_effective_date})."}
        )
    if override_reason is not None and not may_override:
        raise Forbidden("only the CAIO office (caio, admin) may override a stage gate")
    checks = gate_checks(to_stage, evidence, on=effective_date, valid_days=practice_valid_days)
    unmet = [code for code, met in checks if not met]
    if unmet and not override_reason:
        raise GateNotMet(to_stage, unmet)
    if NOT_OVERRIDABLE.intersection(unmet):
        raise GateNotMet(
            to_stage,
            unmet,
            why="no override passes prohibited_use: a prohibited use can only be cancelled, retired or sent back",
        )
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
