"""Two-sample statistics (`roundtrip_eval.stats.difference`) checked against numbers worked out by hand
(the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pytest

from roundtrip_eval.stats.difference import bootstrap_difference, bootstrap_difference_of_gaps, fisher_exact


def test_fisher_lady_tasting_tea() -> None:
    # Margins 4/4/4/4: P(x) = C(4,x) C(4,4-x) / C(8,4) = 1,16,36,16,1 over 70.
    # Observed x=3 (16/70); tables at most as likely: x=0,1,3,4 -> 34/70.
    assert fisher_exact([[3, 1], [1, 3]]) == pytest.approx(34 / 70, abs=1e-15)
    assert round(fisher_exact([[3, 1], [1, 3]]), 4) == 0.4857


def test_fisher_known_values() -> None:
    # scipy.stats.fisher_exact([[8, 2], [1, 5]]) -> 0.03496503496503495 (= 0.0350).
    assert fisher_exact([[8, 2], [1, 5]]) == pytest.approx(0.03496503496503495, rel=1e-12)
    # 30/30 vs 0/30: only the two extreme tables are as unlikely: p = 2 / C(60, 30).
    assert fisher_exact([[30, 0], [0, 30]]) == pytest.approx(2 / math.comb(60, 30), rel=1e-12)
    # No information at all: p = 1.
    assert fisher_exact([[0, 0], [0, 0]]) == 1.0
    assert fisher_exact([[5, 0], [0, 0]]) == 1.0
    # Identical groups: the observed table is the most likely one, p = 1.
    assert fisher_exact([[2, 2], [2, 2]]) == 1.0
    # Symmetric in rows and columns.
    assert fisher_exact([[1, 9], [11, 3]]) == pytest.approx(fisher_exact([[9, 1], [3, 11]]))
    assert fisher_exact([[1, 9], [11, 3]]) == pytest.approx(fisher_exact([[1, 11], [9, 3]]))


def test_bootstrap_is_seeded_and_sane() -> None:
    a = [1] * 15 + [0] * 15
    b = [0] * 30
    first = bootstrap_difference(a, b, seed=7, n_boot=4000)
    again = bootstrap_difference(a, b, seed=7, n_boot=4000)
    assert first == again
    assert first.difference == 0.5
    # b never varies, so the spread is that of a: 0.5 +- 1.96 * sqrt(.25 / 30) = 0.5 +- 0.179.
    assert first.low == pytest.approx(0.5 - 0.179, abs=0.03)
    assert first.high == pytest.approx(0.5 + 0.179, abs=0.03)
    certain = bootstrap_difference([1] * 30, [0] * 30, n_boot=200)
    assert (certain.difference, certain.low, certain.high) == (1.0, 1.0, 1.0)
    empty = bootstrap_difference([], [1, 0])
    assert math.isnan(empty.difference) and math.isnan(empty.low)


def test_difference_of_gaps() -> None:
    # Arm 1: 3.0 - 1.0 = +2; arm 2: 2.0 - 2.0 = 0; so the gap moved by +2 (point estimate).
    a1, b1, a2, b2 = [3] * 20, [1] * 20, [2] * 20, [2] * 20
    fixed = bootstrap_difference_of_gaps(a1, b1, a2, b2, n_boot=500)
    assert (fixed.difference, fixed.low, fixed.high) == (2.0, 2.0, 2.0)
    assert (fixed.n_a, fixed.n_b) == (40, 40)
    # Only a1 varies (half 0, half 1 over 40): spread 1.96 * sqrt(.25 / 40) = 0.155 around 0.5.
    varied = bootstrap_difference_of_gaps([0, 1] * 20, [0] * 7, [1] * 9, [1] * 3, n_boot=4000, seed=3)
    assert varied.difference == pytest.approx(0.5)
    assert varied.low == pytest.approx(0.5 - 0.155, abs=0.03)
    assert varied.high == pytest.approx(0.5 + 0.155, abs=0.03)
    assert varied == bootstrap_difference_of_gaps([0, 1] * 20, [0] * 7, [1] * 9, [1] * 3, n_boot=4000, seed=3)
    # Swapping the arms flips the sign; a missing group gives NaN, not a number.
    flipped = bootstrap_difference_of_gaps(a2, b2, a1, b1, n_boot=500)
    assert flipped.difference == -2.0
    assert math.isnan(bootstrap_difference_of_gaps(a1, [], a2, b2).difference)
