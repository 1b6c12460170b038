"""Survival statistics (`roundtrip_eval.stats.survival`) checked against numbers worked out by
hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pytest

from roundtrip_eval.stats.survival import (
    TrialSurvival,
    life_table,
    mean_cycles_survived,
    proportion,
    survival_at,
    wilson_interval,
)

Z2 = 1.959963984540054**2  # 3.841459


def test_wilson_at_the_edges_has_a_closed_form() -> None:
    # 0/n: upper = z^2 / (n + z^2); n/n: lower = n / (n + z^2).
    low, high = wilson_interval(0, 30)
    assert low == 0.0
    assert high == pytest.approx(Z2 / (30 + Z2), abs=1e-12)
    assert round(high, 4) == 0.1135
    low, high = wilson_interval(30, 30)
    assert high == 1.0
    assert round(low, 4) == 0.8865


def test_wilson_interior_values() -> None:
    # 15/30: centre 0.5, half = 1.96 * sqrt(.25/30 + z2/3600) / (1 + z2/30) = 0.16846.
    low, high = wilson_interval(15, 30)
    assert (round(low, 4), round(high, 4)) == (0.3315, 0.6685)
    # 1/4: centre (0.25 + z2/8) / (1 + z2/4) = 0.730182 / 1.960365 = 0.372472;
    # half = 1.96 * sqrt(0.046875 + z2/64) / 1.960365 = 0.326886.
    low, high = wilson_interval(1, 4)
    assert (round(low, 4), round(high, 4)) == (0.0456, 0.6994)
    # 3/4 mirrors 1/4.
    low, high = wilson_interval(3, 4)
    assert (round(low, 4), round(high, 4)) == (0.3006, 0.9544)


def test_wilson_rejects_impossible_counts_and_handles_no_data() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)
    assert math.isnan(proportion(0, 0))


def test_life_table_without_censoring() -> None:
    # Four trials, N = 3: survived all 3, failed at 2, failed at 1, survived all 3.
    trials = [
        TrialSurvival(3, False),
        TrialSurvival(1, True),
        TrialSurvival(0, True),
        TrialSurvival(3, False),
    ]
    curve = life_table(trials, 3)
    assert [p.survival for p in curve] == [0.75, 0.5, 0.5]
    assert [p.km_survival for p in curve] == pytest.approx([0.75, 0.5, 0.5])
    # hazard(1) = 1/4; hazard(2) = 1/3 (3 survived cycle 1, one of them failed); hazard(3) = 0/2.
    assert [p.hazard for p in curve] == pytest.approx([1 / 4, 1 / 3, 0.0])
    assert [p.at_risk for p in curve] == [4, 3, 2]
    assert survival_at(trials, 3) == (2, 4)
    assert mean_cycles_survived(trials) == (3 + 1 + 0 + 3) / 4


def test_censored_trials_are_neither_failures_nor_survivors() -> None:
    # N = 3: survived all; failed at 2; censored after 1 (cycle 2 unknown); failed at 1.
    trials = [
        TrialSurvival(3, False),
        TrialSurvival(1, True),
        TrialSurvival(1, False),
        TrialSurvival(0, True),
    ]
    assert [t.censored(3) for t in trials] == [False, False, True, False]
    curve = life_table(trials, 3)
    # cycle 1: all 4 at risk, 1 failure. cycle 2: the censored trial left after cycle 1, so
    # 2 at risk (the survivor and the one failing at 2), 1 failure. cycle 3: 1 at risk, 0.
    assert [p.at_risk for p in curve] == [4, 2, 1]
    assert [p.failures for p in curve] == [1, 1, 0]
    assert [p.censored for p in curve] == [1, 0, 0]
    assert [p.hazard for p in curve] == pytest.approx([0.25, 0.5, 0.0])
    # survival@i counts only trials known to survive: 3/4, 1/4, 1/4.
    assert [p.survival for p in curve] == [0.75, 0.25, 0.25]
    # Kaplan-Meier: 0.75, 0.75 * 0.5, unchanged.
    assert [p.km_survival for p in curve] == pytest.approx([0.75, 0.375, 0.375])


def test_life_table_rejects_inconsistent_trials() -> None:
    with pytest.raises(ValueError):
        life_table([TrialSurvival(4, False)], 3)
    with pytest.raises(ValueError):
        life_table([TrialSurvival(3, True)], 3)
    empty = life_table([], 2)
    assert all(math.isnan(p.survival) and math.isnan(p.hazard) for p in empty)
