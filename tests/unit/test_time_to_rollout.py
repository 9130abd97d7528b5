"""The Aalen-Johansen time to rollout (tracker/trend/incidence.py): against lifelines'
AalenJohansenFitter where no two events share a duration (it jitters such ties), and worked by
hand where they do, with censoring, and with horizons beyond the longest follow-up."""

import random

import pytest

from tracker.trend.incidence import CANCELLED, OPEN, ROLLED_OUT, time_to_rollout

R, C, OP = ROLLED_OUT, CANCELLED, OPEN


def _lifelines_incidence(outcomes):
    from lifelines import AalenJohansenFitter

    code = {OP: 0, R: 1, C: 2}
    fitter = AalenJohansenFitter(calculate_variance=False)
    fitter.fit([days for _, days in outcomes], [code[kind] for kind, _ in outcomes], event_of_interest=1)
    return fitter.cumulative_density_.iloc[:, 0]


@pytest.mark.parametrize("seed", range(8))
def test_without_event_ties_the_estimate_and_curve_agree_with_lifelines(seed):
    rng = random.Random(seed)
    event_days = rng.sample(range(1, 900), 60)  # distinct: no rollout shares a duration with another event
    outcomes = [(rng.choice((R, R, C)), days) for days in event_days]
    outcomes += [(OP, rng.randint(1, 900)) for _ in range(25)]  # censored, some on an event's day
    ours = time_to_rollout(outcomes)
    theirs = _lifelines_incidence(outcomes)

    def at(days):
        return float(theirs[theirs.index <= days].iloc[-1])

    assert ours.curve  # the seeds give rollouts
    for days, value in ours.curve:
        assert value == pytest.approx(round(at(days), 4), abs=1e-9), days
    longest = max(days for _, days in outcomes)
    for horizon, value in ours.cumulative_incidence.items():
        if int(horizon) > longest:
            assert value is None
        else:
            assert value == pytest.approx(round(at(int(horizon)), 4), abs=1e-9), horizon
    median = next((days for days, _ in ours.curve if at(days) >= 0.5), None)
    assert ours.median_days == median


def test_a_rollout_and_a_cancellation_on_the_same_day_share_the_step():
    # t=10: n=4, one rollout and one cancellation: F = 1/4, S = 1/2
    # t=20: n=2 (one censored at 20 still counts), one rollout: F = 1/4 + 1/2 * 1/2 = 1/2
    ttr = time_to_rollout([(R, 10), (C, 10), (R, 20), (OP, 20)])
    assert ttr.curve == [[10, 0.25], [20, 0.5]]
    assert ttr.median_days == 20
    assert (ttr.pilots, ttr.rolled_out, ttr.cancelled, ttr.open) == (4, 2, 1, 1)


def test_censoring_leaves_the_risk_set_after_its_day_and_ignoring_cancellations_would_overstate():
    # open ones at 5 and 40; rollouts at 30 and 60; a cancellation at 50
    # t=30: n=4 (5 is gone), F=1/4, S=3/4; t=50: n=2 (40 gone), cancellation: S=3/8
    # t=60: n=1, rollout: F = 1/4 + 3/8 = 5/8
    ttr = time_to_rollout([(OP, 5), (R, 30), (OP, 40), (C, 50), (R, 60)])
    assert ttr.curve == [[30, 0.25], [60, 0.625]]
    assert ttr.cumulative_incidence == {"90": None, "180": None, "365": None, "730": None}  # longest: 60
    assert ttr.median_days == 60
    # Kaplan-Meier treating the cancellation as censored would say 1 - (3/4 * 0) = 1 at 60


def test_horizons_up_to_the_longest_follow_up_are_estimated_and_none_beyond():
    ttr = time_to_rollout([(R, 40), (OP, 200), (C, 100)])
    # t=40: n=3, F=1/3; t=100: n=2, cancellation; the open pilot followed for 200 days
    assert ttr.cumulative_incidence == {"90": 0.3333, "180": 0.3333, "365": None, "730": None}
    assert ttr.median_days is None  # never reaches one half


def test_no_pilots_gives_no_estimate_at_all():
    ttr = time_to_rollout([])
    assert ttr.cumulative_incidence == {"90": None, "180": None, "365": None, "730": None}
    assert (ttr.curve, ttr.median_days, ttr.pilots) == ([], None, 0)


def test_a_median_of_exactly_one_half_is_reached_even_through_thirds():
    # t=1: n=4, rollout: F=1/4, S=3/4; t=2: n=3, cancellation: S=1/2; t=3: n=2, rollout: F=1/4+1/4=1/2
    ttr = time_to_rollout([(R, 1), (C, 2), (R, 3), (OP, 9)])
    assert ttr.curve == [[1, 0.25], [3, 0.5]] and ttr.median_days == 3
