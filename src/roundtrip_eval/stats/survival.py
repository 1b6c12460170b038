"""Survival over cycles, one sample of trials: Wilson intervals, and the life table with
censoring (why these: the package docstring, `roundtrip_eval.stats`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959963984540054
"""The two-sided 95% normal quantile (scipy.stats.norm.ppf(0.975))."""


def proportion(successes: int, n: int) -> float:
    """successes / n, or NaN when there are no trials (so "no data" never reads as 0%)."""
    return successes / n if n else math.nan


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    With no trials the interval is the whole of [0, 1]: nothing is known. At 0 or n successes
    the open end is exactly 0 or 1 (the closed form gives 1e-17-size rounding residue there,
    as in the original study's published table).
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n; got {successes}/{n}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


@dataclass(frozen=True)
class TrialSurvival:
    """What one trial tells about survival.

    `cycles_survived` = k: cycles 1..k all passed. `failed` = True when cycle k+1 was observed
    to fail. A trial with `failed` False and k < N was censored after cycle k: it stopped for
    a reason that says nothing about the model (a limit, an infrastructure error, the end of a
    replayed record), so cycle k+1 is unknown.
    """

    cycles_survived: int
    failed: bool

    def censored(self, cycles: int) -> bool:
        return not self.failed and self.cycles_survived < cycles


@dataclass(frozen=True)
class CyclePoint:
    """One cycle of a survival curve."""

    cycle: int
    at_risk: int  # trials observed at this cycle (entered it and were not censored before)
    failures: int  # trials whose first failure is this cycle
    censored: int  # trials censored right after this cycle (known to survive it, no more)
    survivors: int  # trials known to have passed cycles 1..cycle
    n: int  # all trials
    survival: float  # survivors / n: survival@cycle, censored trials count as not surviving
    hazard: float  # failures / at_risk: P(fail at cycle | survived cycle-1)
    km_survival: float  # Kaplan-Meier estimate, product of (1 - hazard)

    def interval(self) -> tuple[float, float]:
        """Wilson 95% interval of `survival` (survivors of all n trials; [0, 1] with none)."""
        return wilson_interval(self.survivors, self.n)


def life_table(trials: Iterable[TrialSurvival], cycles: int) -> list[CyclePoint]:
    """The life table: survival and hazard per cycle 1..`cycles`, with censoring handled.

    (Not the eval's `survival_curve` metric, which averages the 0/1 survival@k the scorer set
    per trial and so has no notion of censoring.)

    `survival` is the headline survival@i: the share of all trials *known* to have survived
    cycles 1..i (a censored trial is never counted as surviving past its last observed cycle).
    `hazard(i)` conditions on the trials actually observed at cycle i. `km_survival` is the
    Kaplan-Meier product of (1 - hazard), the estimate that assumes censoring is unrelated to
    the outcome. Without censoring the two survival columns are equal.
    """
    data = list(trials)
    for t in data:
        if t.cycles_survived < 0 or t.cycles_survived > cycles:
            raise ValueError(f"cycles_survived {t.cycles_survived} outside 0..{cycles}")
        if t.failed and t.cycles_survived >= cycles:
            raise ValueError("a trial that survived every cycle cannot have failed")
    n = len(data)
    points = []
    km = 1.0
    for i in range(1, cycles + 1):
        failures = sum(1 for t in data if t.failed and t.cycles_survived == i - 1)
        # observed at cycle i: failed at i or later, or known to have passed cycle i
        at_risk = sum(1 for t in data if t.cycles_survived >= (i - 1 if t.failed else i))
        censored = sum(1 for t in data if t.censored(cycles) and t.cycles_survived == i)
        survivors = sum(1 for t in data if t.cycles_survived >= i)
        hazard = failures / at_risk if at_risk else math.nan
        if at_risk:
            km *= 1 - hazard
        points.append(
            CyclePoint(
                cycle=i,
                at_risk=at_risk,
                failures=failures,
                censored=censored,
                survivors=survivors,
                n=n,
                survival=proportion(survivors, n),
                hazard=hazard,
                km_survival=km if n else math.nan,
            )
        )
    return points


def survival_at(trials: Iterable[TrialSurvival], k: int) -> tuple[int, int]:
    """(trials known to have survived cycles 1..k, all trials)."""
    data = list(trials)
    return sum(1 for t in data if t.cycles_survived >= k), len(data)


def mean_cycles_survived(trials: Iterable[TrialSurvival]) -> float:
    """Mean of cycles_survived over trials (censored trials count their observed cycles)."""
    data = [t.cycles_survived for t in trials]
    return sum(data) / len(data) if data else math.nan
