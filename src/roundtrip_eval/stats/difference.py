"""The difference of two proportions or means: seeded percentile bootstrap and Fisher's exact
test (why these: the package docstring, `roundtrip_eval.stats`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

DEFAULT_BOOTSTRAP = 10_000


@dataclass(frozen=True)
class DifferenceCI:
    """A difference of two proportions (a - b) and its bootstrap interval."""

    difference: float
    low: float
    high: float
    n_a: int
    n_b: int
    n_boot: int
    seed: int


def bootstrap_difference(
    a: Sequence[bool | int | float],
    b: Sequence[bool | int | float],
    *,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    level: float = 0.95,
) -> DifferenceCI:
    """Seeded percentile bootstrap CI for mean(a) - mean(b), resampling trials within each group.

    `a` and `b` are per-trial outcomes (1 = survived). Each bootstrap replicate draws len(a)
    trials from a and len(b) from b with replacement; the interval is the (1-level)/2 and
    (1+level)/2 percentiles of the replicate differences. The same seed gives the same
    interval, so reports are reproducible. An empty group gives NaN everywhere.
    """
    import numpy as np

    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level}")
    if not a or not b:
        return DifferenceCI(math.nan, math.nan, math.nan, len(a), len(b), n_boot, seed)
    xa = np.asarray(a, dtype=float)
    xb = np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    ia = rng.integers(0, len(xa), size=(n_boot, len(xa)))
    ib = rng.integers(0, len(xb), size=(n_boot, len(xb)))
    diffs = xa[ia].mean(axis=1) - xb[ib].mean(axis=1)
    alpha = (1 - level) / 2
    low, high = np.quantile(diffs, [alpha, 1 - alpha])
    return DifferenceCI(float(xa.mean() - xb.mean()), float(low), float(high), len(xa), len(xb), n_boot, seed)


def bootstrap_difference_of_gaps(
    a1: Sequence[bool | int | float],
    b1: Sequence[bool | int | float],
    a2: Sequence[bool | int | float],
    b2: Sequence[bool | int | float],
    *,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    level: float = 0.95,
) -> DifferenceCI:
    """Seeded percentile bootstrap CI for (mean(a1) - mean(b1)) - (mean(a2) - mean(b2)).

    Why: an ablation changes one setting and asks whether a gap moved (the known - novel gap
    with names masked minus the same gap with names shown). Each of the four groups is resampled
    within itself, as `bootstrap_difference` does for two. `n_a` counts arm 1's trials
    (a1 + b1), `n_b` arm 2's. An empty group gives NaN everywhere.
    """
    import numpy as np

    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level}")
    n_a, n_b = len(a1) + len(b1), len(a2) + len(b2)
    if not (a1 and b1 and a2 and b2):
        return DifferenceCI(math.nan, math.nan, math.nan, n_a, n_b, n_boot, seed)
    rng = np.random.default_rng(seed)
    total = np.zeros(n_boot)
    point = 0.0
    for sign, group in ((1, a1), (-1, b1), (-1, a2), (1, b2)):
        x = np.asarray(group, dtype=float)
        total += sign * x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
        point += sign * float(x.mean())
    alpha = (1 - level) / 2
    low, high = np.quantile(total, [alpha, 1 - alpha])
    return DifferenceCI(point, float(low), float(high), n_a, n_b, n_boot, seed)


def fisher_exact(table: Sequence[Sequence[int]]) -> float:
    """Two-sided p-value of Fisher's exact test for a 2x2 table [[a, b], [c, d]].

    With the margins fixed, the top-left cell follows a hypergeometric distribution. The
    two-sided p-value sums the probabilities of every table that is at most as likely as the
    observed one (the convention of R's fisher.test and scipy.stats.fisher_exact). All
    probabilities share the denominator C(n, row1), so the comparison and the sum are done on
    exact integers: ties are ties, with no tolerance to tune.
    """
    (a, b), (c, d) = table
    if min(a, b, c, d) < 0:
        raise ValueError(f"counts must be non-negative; got {table}")
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0:
        return 1.0

    def weight(x: int) -> int:  # C(n, row1) * P(top-left == x)
        return math.comb(col1, x) * math.comb(n - col1, row1 - x)

    observed = weight(a)
    lo, hi = max(0, row1 + col1 - n), min(row1, col1)
    tail = sum(w for w in (weight(x) for x in range(lo, hi + 1)) if w <= observed)
    return float(min(Fraction(1), Fraction(tail, math.comb(n, row1))))
