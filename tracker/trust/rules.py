"""Risk tiers and practices as pure rules: no Flask, no session, plain values in and out."""

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.errors import Forbidden, Invalid
from tracker.vocab import PRACTICES, RISK_TIERS

# Tiers only the CAIO office may move a project down from.
GUARDED_TIERS = frozenset({"high_impact", "prohibited"})
# Practices that may be declared not applicable (a system with no human in the loop to add, or an
# appeal precluded by law); every other practice applies to every high-impact system.
MAY_BE_NOT_APPLICABLE = frozenset({"human_oversight", "appeal"})
RATIONALE_REQUIRED = "Required when the risk tier is set to anything but unassessed."


@dataclass(frozen=True, slots=True)
class PracticeState:
    """What the in-effect rule reads of one practice; a practice never written is the default."""

    key: str
    status: str = "not_started"
    completed_on: date | None = None
    waived_on: date | None = None

    @property
    def started(self) -> bool:
        return self.status != "not_started"

    def certified_on(self) -> date | None:
        """The day the practice's current evidence dates from: completion or the waiver's last write."""
        if self.status == "done":
            return self.completed_on
        if self.status == "waived":
            return self.waived_on
        return None

    def expires_on(self, valid_days: int) -> date | None:
        """The first day it is no longer in effect; None when it does not expire or never took effect."""
        certified = self.certified_on()
        return certified + timedelta(days=valid_days) if certified else None

    def in_effect(self, on: date, valid_days: int) -> bool:
        if self.status == "not_applicable":
            return True
        certified = self.certified_on()
        return certified is not None and certified <= on < certified + timedelta(days=valid_days)


def all_practices(written: dict[str, PracticeState]) -> list[PracticeState]:
    """The eight practices in SPEC order, the unwritten ones as defaults."""
    return [written.get(key) or PracticeState(key) for key in PRACTICES]


def practices_not_in_effect(written: dict[str, PracticeState], on: date, valid_days: int) -> list[str]:
    """Keys of the practices not in effect on `on`, in SPEC order."""
    return [state.key for state in all_practices(written) if not state.in_effect(on, valid_days)]


def tier_rank(tier: str) -> int:
    return RISK_TIERS.index(tier)


def lowers_guarded_tier(current: str, requested: str) -> bool:
    """True when the move takes a project down from high_impact or prohibited (CAIO office only)."""
    return current in GUARDED_TIERS and tier_rank(requested) < tier_rank(current)


def rationale_missing(tier: str, rationale: str | None) -> bool:
    """An assessed tier says why: every tier but `unassessed` carries a rationale."""
    return tier != "unassessed" and not (rationale or "").strip()


def check_reclassification(*, current: str, requested: str, rationale: str | None, may_lower_guarded: bool) -> bool:
    """Whether a request moves the tier, or the domain error that refuses the move.

    `rationale` is the one the request carries: a change of tier states its reason afresh.
    """
    if requested == current:
        return False
    if lowers_guarded_tier(current, requested) and not may_lower_guarded:
        raise Forbidden(f"only the CAIO office (caio, admin) may move a project's risk tier down from {current}")
    if rationale_missing(requested, rationale):
        raise Invalid({"risk_rationale": RATIONALE_REQUIRED})
    return True


def check_practice(*, key: str, status: str, completed_on: date | None, waiver_reason: str, may_waive: bool) -> None:
    """A practice as a PUT would set it, or the domain error that refuses it.

    The schema checks each field alone; these are the checks across fields and roles.
    """
    if status == "waived" and not may_waive:
        raise Forbidden("only the CAIO office (caio, admin) may waive a practice, or keep it waived")
    errors = {}
    if status == "not_applicable" and key not in MAY_BE_NOT_APPLICABLE:
        errors["status"] = f"not_applicable is allowed only for {' and '.join(sorted(MAY_BE_NOT_APPLICABLE))}."
    if status == "done" and completed_on is None:
        errors["completed_on"] = "Required when the status is done."
    elif status != "done" and completed_on is not None:
        errors["completed_on"] = "Only with the status done."
    if status == "waived" and not waiver_reason.strip():
        errors["waiver_reason"] = "Required when the status is waived."
    elif status != "waived" and waiver_reason:
        errors["waiver_reason"] = "Only with the status waived."
    if errors:
        raise Invalid(errors)
