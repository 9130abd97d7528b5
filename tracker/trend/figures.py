"""The trend's figures from the dated stage history, in one pass (SPEC "The portfolio over time").

Pure: no Flask, no session. The history comes in as rows (project id, from stage, to stage, day)
ordered by project, day and recording order, days as proleptic ordinals (`date.toordinal()`);
every row is dated on or before `to`. Each stay in a stage adds itself to the period ends it
covers through difference arrays (+1 at the first end it covers, -1 past the last), so the work
is one step per history row whatever the number of periods, and nothing is read per period.

- A stay runs from its entry's day to the next decision's day: a project is in a stage at the end
  of day d when that stage's entry is the last one dated on or before d (decisions of one day in
  the order they were recorded), so a stay that ends on the day it began covers no day end.
- Purgatory: a pilot stay entered on day p is in purgatory at the end of every day d of the stay
  with d - p > `pilot_max_days`, i.e. from day p + pilot_max_days + 1 (its *purgatory day*) until
  the day before the stay ends. It enters purgatory once, on that day; it leaves by the move that
  ends the stay, when that move comes after its purgatory day.
- Implied stages (a history that starts later) have no date: they are never entered, never a
  pilot day or a rollout day.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from tracker.shares import share
from tracker.trend.incidence import CANCELLED, OPEN, ROLLED_OUT, TimeToRollout, time_to_rollout
from tracker.trend.periods import Period
from tracker.vocab import STAGES

MOVES = {
    ("poc", "pilot"): "poc_to_pilot",
    ("poc", "cancelled"): "poc_to_cancelled",
    ("pilot", "rollout"): "pilot_to_rollout",
    ("pilot", "poc"): "pilot_to_poc",
    ("pilot", "cancelled"): "pilot_to_cancelled",
    ("rollout", "retired"): "rollout_to_retired",
}
# how a pilot stay in purgatory leaves it, by the stage it moves to
PURGATORY_EXITS = {"rollout": "rolled_out", "cancelled": "cancelled", "poc": "sent_back"}
COHORT_HORIZONS = (90, 180, 365)
NEVER = date.max.toordinal() + 1  # the end of a stay still running


@dataclass(frozen=True)
class Outcomes:
    """One project's outcome KPIs as the period ends see them: `first` is the index of the first
    period end by which one was measured; `off_target` the indexes of the ends at which one of
    them had its latest measurement short of its target."""

    first: int
    off_target: frozenset[int]


@dataclass
class TrendFigures:
    periods: list[dict]
    cohorts: list[dict]
    time_to_rollout: TimeToRollout


class _Tally:
    """Per-period counters: difference arrays for what holds at period ends, plain counts for
    what happens within periods."""

    def __init__(self, n: int):
        self.n = n
        self.stages = {stage: [0] * (n + 1) for stage in STAGES}
        self.entered = {stage: [0] * n for stage in STAGES}
        self.moves = {name: [0] * n for name in MOVES.values()}
        self.purgatory_at_start = [0] * (n + 1)
        self.purgatory_at_end = [0] * (n + 1)
        self.purgatory_entered = [0] * n
        self.purgatory_left = {name: [0] * n for name in PURGATORY_EXITS.values()}
        self.funded = [0] * (n + 1)
        self.funded_approved = [0] * (n + 1)
        self.measured = [0] * (n + 1)
        self.on_target = [0] * n
        self.cohort_size = [0] * n
        self.cohort_within = {horizon: [0] * n for horizon in COHORT_HORIZONS}


def _running(diff: list[int], n: int) -> list[int]:
    totals, running = [], 0
    for index in range(n):
        running += diff[index]
        totals.append(running)
    return totals


def trend_figures(
    periods: list[Period],
    history: Iterable[tuple[int, str | None, str, int]],
    *,
    pilot_max_days: int,
    rollout_funding: Mapping[int, tuple[int | None, int | None]],
    outcomes: Mapping[int, Outcomes],
) -> TrendFigures:
    """Every per-period figure, the cohorts and the time to rollout.

    `rollout_funding`: project id → the first day (ordinal) one of its rollout budget lines was
    planned, and the first day one was approved (None: never).
    """
    n = len(periods)
    ends = [p.end.toordinal() for p in periods]
    starts = [p.start.toordinal() for p in periods]
    days_before = [start - 1 for start in starts]
    first_day, to = starts[0], ends[-1]
    tally = _Tally(n)
    durations: list[tuple[str, int]] = []
    cohort_pilots: list[tuple[int, int, int | None]] = []  # (period, pilot day, rollout day)

    def period_of(day: int) -> int | None:
        return bisect_right(starts, day) - 1 if first_day <= day <= to else None

    def cover(diff: list[int], since: int, until: int, points: list[int]) -> tuple[int, int]:
        """Count [since, until) at each of `points` it covers; the index range covered."""
        low, high = bisect_left(points, since), bisect_left(points, until)
        if low < high:
            diff[low] += 1
            diff[high] -= 1
        return low, high

    def project(project_id: int, rows: list[tuple]) -> None:
        pilot_day = rollout_day = cancelled_day = None
        last = len(rows) - 1
        for index, (_, from_stage, stage, day) in enumerate(rows):
            left = rows[index + 1][3] if index < last else NEVER
            low, high = cover(tally.stages[stage], day, left, ends)
            period = period_of(day)
            if period is not None:
                tally.entered[stage][period] += 1
                move = MOVES.get((from_stage, stage))
                if move is not None:
                    tally.moves[move][period] += 1
            if stage == "pilot":
                if pilot_day is None:
                    pilot_day = day
                _pilot_stay(project_id, day, left, low, high, rows[index + 1][2] if index < last else None)
            elif stage == "rollout":
                if rollout_day is None:
                    rollout_day = day
                _rollout_stay(project_id, low, high)
            elif stage == "cancelled":
                cancelled_day = day
        if pilot_day is None:
            return
        cohort = period_of(pilot_day)
        if cohort is not None:
            cohort_pilots.append((cohort, pilot_day, rollout_day))
            if rollout_day is not None:
                durations.append((ROLLED_OUT, rollout_day - pilot_day))
            elif cancelled_day is not None:
                durations.append((CANCELLED, cancelled_day - pilot_day))
            else:
                durations.append((OPEN, to - pilot_day))

    def _pilot_stay(project_id: int, day: int, left: int, low: int, high: int, next_stage: str | None) -> None:
        purgatory_day = day + pilot_max_days + 1
        if purgatory_day < left:
            cover(tally.purgatory_at_end, purgatory_day, left, ends)
            cover(tally.purgatory_at_start, purgatory_day, left, days_before)
            entered = period_of(purgatory_day)
            if entered is not None:
                tally.purgatory_entered[entered] += 1
            if next_stage is not None and (left_in := period_of(left)) is not None:
                tally.purgatory_left[PURGATORY_EXITS[next_stage]][left_in] += 1
        funding = rollout_funding.get(project_id)
        if funding is not None and low < high:
            for first, diff in zip(funding, (tally.funded, tally.funded_approved), strict=True):
                if first is not None:
                    since = max(low, bisect_left(ends, first))
                    if since < high:
                        diff[since] += 1
                        diff[high] -= 1

    def _rollout_stay(project_id: int, low: int, high: int) -> None:
        measured = outcomes.get(project_id)
        if measured is None:
            return
        since = max(low, measured.first)
        if since < high:
            tally.measured[since] += 1
            tally.measured[high] -= 1
            for index in range(since, high):
                if index not in measured.off_target:
                    tally.on_target[index] += 1

    rows: list[tuple] = []
    for row in history:
        if rows and row[0] != rows[0][0]:
            project(rows[0][0], rows)
            rows = []
        rows.append(row)
    if rows:
        project(rows[0][0], rows)

    for cohort, pilot_day, rollout_day in cohort_pilots:
        tally.cohort_size[cohort] += 1
        if rollout_day is not None:
            for horizon in COHORT_HORIZONS:
                if rollout_day - pilot_day <= horizon:
                    tally.cohort_within[horizon][cohort] += 1
    return TrendFigures(_periods(periods, tally), _cohorts(periods, tally, to), time_to_rollout(durations))


def _periods(periods: list[Period], tally: _Tally) -> list[dict]:
    n = tally.n
    stages = {stage: _running(diff, n) for stage, diff in tally.stages.items()}
    at_start = _running(tally.purgatory_at_start, n)
    at_end = _running(tally.purgatory_at_end, n)
    funded, funded_approved = _running(tally.funded, n), _running(tally.funded_approved, n)
    measured = _running(tally.measured, n)
    result = []
    for k, period in enumerate(periods):
        moves = {name: counts[k] for name, counts in tally.moves.items()}
        left_pilot = moves["pilot_to_rollout"] + moves["pilot_to_cancelled"] + moves["pilot_to_poc"]
        result.append(
            {
                "label": period.label,
                "start": period.start,
                "end": period.end,
                "partial": period.partial,
                "stages": {stage: counts[k] for stage, counts in stages.items()},
                "entered": {stage: counts[k] for stage, counts in tally.entered.items()},
                "moves": moves,
                "graduation_share": share(moves["pilot_to_rollout"], left_pilot),
                "purgatory": {
                    "at_start": at_start[k],
                    "entered": tally.purgatory_entered[k],
                    **{name: counts[k] for name, counts in tally.purgatory_left.items()},
                    "at_end": at_end[k],
                },
                "funding": {
                    "pilots": stages["pilot"][k],
                    "with_rollout_budget": funded[k],
                    "with_approved_rollout_budget": funded_approved[k],
                },
                "outcomes": {
                    "rollouts": stages["rollout"][k],
                    "measured": measured[k],
                    "on_target": tally.on_target[k],
                },
            }
        )
    return result


def _cohorts(periods: list[Period], tally: _Tally, to: int) -> list[dict]:
    return [
        {
            "label": period.label,
            "size": tally.cohort_size[k],
            "rolled_out_within": {
                str(horizon): None if period.full_end.toordinal() + horizon > to else tally.cohort_within[horizon][k]
                for horizon in COHORT_HORIZONS
            },
        }
        for k, period in enumerate(periods)
    ]
