"""Time to rollout with cancellation as the competing event: the Aalen-Johansen cumulative
incidence (SPEC "The portfolio over time", *Time to rollout*). Pure: durations in, figures out.

With the distinct durations of rollouts and cancellations t1 < t2 < …, n_j the pilots whose
duration is at least t_j (a censored duration equal to t_j counts), r_j and c_j the rollouts and
cancellations at t_j: S(t_j) = Π_{i≤j} (1 - (r_i + c_i) / n_i), S = 1 before t1, and
F(t) = Σ_{t_j ≤ t} S(t_{j-1}) · r_j / n_j. Computed in decimal arithmetic of 40 significant
digits (binary floats would make a share of exactly 0.5 a coin toss for the median), then rounded
half up to 4 places.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

HORIZONS = (90, 180, 365, 730)
PLACES = Decimal("0.0001")
HALF = Decimal("0.5")
_EXACT = Context(prec=40)

ROLLED_OUT, CANCELLED, OPEN = "rolled_out", "cancelled", "open"


@dataclass(frozen=True)
class TimeToRollout:
    pilots: int
    rolled_out: int
    cancelled: int
    open: int
    cumulative_incidence: dict[str, float | None]
    curve: list[list]  # [t_j, F(t_j)] at each distinct rollout duration
    median_days: int | None


def rounded(value: Decimal) -> float:
    return float(value.quantize(PLACES, rounding=ROUND_HALF_UP))


def time_to_rollout(outcomes: list[tuple[str, int]], horizons: tuple[int, ...] = HORIZONS) -> TimeToRollout:
    """`outcomes`: one (ROLLED_OUT | CANCELLED | OPEN, days) per pilot; OPEN days are censored."""
    counts = Counter(kind for kind, _ in outcomes)
    rollouts = Counter(days for kind, days in outcomes if kind == ROLLED_OUT)
    cancellations = Counter(days for kind, days in outcomes if kind == CANCELLED)
    leaving = Counter(days for _, days in outcomes)  # everyone whose duration ends at t, censored too
    at_risk = len(outcomes)
    survival, incidence = Decimal(1), Decimal(0)
    steps: list[tuple[int, Decimal]] = []  # (t_j, F(t_j)) at every event duration
    for days in sorted(leaving):
        rolled, cancelled = rollouts[days], cancellations[days]
        if rolled or cancelled:
            incidence = _EXACT.add(incidence, _EXACT.multiply(survival, _EXACT.divide(Decimal(rolled), at_risk)))
            survival = _EXACT.multiply(
                survival, _EXACT.subtract(1, _EXACT.divide(Decimal(rolled + cancelled), at_risk))
            )
            steps.append((days, incidence))
        at_risk -= leaving[days]
    longest = max((days for _, days in outcomes), default=None)
    return TimeToRollout(
        pilots=len(outcomes),
        rolled_out=counts[ROLLED_OUT],
        cancelled=counts[CANCELLED],
        open=counts[OPEN],
        cumulative_incidence={
            str(horizon): None if longest is None or horizon > longest else rounded(_at(steps, horizon))
            for horizon in horizons
        },
        curve=[[days, rounded(value)] for days, value in steps if rollouts[days]],
        median_days=next((days for days, value in steps if value >= HALF), None),
    )


def _at(steps: list[tuple[int, Decimal]], horizon: int) -> Decimal:
    """F(horizon): the last step at or before it, 0 before the first."""
    value = Decimal(0)
    for days, incidence in steps:
        if days > horizon:
            break
        value = incidence
    return value
