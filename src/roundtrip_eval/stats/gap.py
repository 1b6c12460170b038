"""The known-vs-novel gap, as docs/generalization_plan.md fixes it.

The eval's `generalization` metric, `roundtrip-eval report` and `studies/generalization.py` all
call `pair_gaps`, so the gap in a log, in a report and in the study's tables is one number.

The plan's headline quantities, both known minus novel and pooled over the twin pairs run:
1. the gap in **mean cycles survived** (each trial's largest k such that cycles 1..k passed),
2. the gap in **survival@3** (the share of trials that passed cycles 1..3), with Fisher's exact
   two-sided p on its 2x2 counts.
Each interval is a seeded percentile bootstrap (`bootstrap_difference`, seed 0, trials resampled
within each side, each side sorted so the order trials are listed in cannot move it).
Pooling is over trials: every known trial of the pairs run against
every novel one; each pair's own gap is reported beside it (descriptive only). Secondary
counts: survival@1 and survival@N per side. A censored trial counts the cycles it was observed
to pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from roundtrip_eval.stats.difference import (
    DEFAULT_BOOTSTRAP,
    DifferenceCI,
    bootstrap_difference,
    fisher_exact,
)

HEADLINE_AT = 3
"""The k of the plan's survival@k headline: on small models survival@10 has no variance."""

KNOWN = "known"
"""The familiarity of a problem the model is likely to have seen; anything else is novel."""


@dataclass(frozen=True)
class Gap:
    """Known minus novel on one set of trials: both headline gaps and the secondary counts."""

    n_cycles: int
    at: int
    known_n: int
    novel_n: int
    known_mean: float  # mean cycles survived
    novel_mean: float
    mean_gap: DifferenceCI
    known_at: int  # trials that passed cycles 1..at
    novel_at: int
    at_gap: DifferenceCI
    at_p: float  # Fisher's exact two-sided p of survival@at
    known_s1: int
    novel_s1: int
    known_sn: int  # trials that passed cycles 1..n_cycles
    novel_sn: int


@dataclass(frozen=True)
class PairGaps:
    """The pooled gap and each twin pair's own (pairs missing a side are left out)."""

    pooled: Gap
    pairs: dict[str, Gap] = field(default_factory=dict)


def _mean(values: Sequence[int]) -> float:
    return sum(values) / len(values) if values else float("nan")


def gap(
    known: Sequence[int],
    novel: Sequence[int],
    n_cycles: int,
    *,
    at: int = HEADLINE_AT,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> Gap:
    """The gap between two sides given each trial's cycles survived (0..n_cycles).

    Each side is sorted first, so the interval depends on the trials, not on the order a log
    or a report happened to list them in (the bootstrap draws positions). A run of fewer than
    `at` cycles reports survival@N instead (`at` is capped at `n_cycles`): survival beyond the
    last cycle run is not observed.
    """
    at = min(at, n_cycles)
    known, novel = sorted(known), sorted(novel)
    k_at, v_at = [int(c >= at) for c in known], [int(c >= at) for c in novel]
    ks, vs = sum(k_at), sum(v_at)
    return Gap(
        n_cycles=n_cycles,
        at=at,
        known_n=len(known),
        novel_n=len(novel),
        known_mean=_mean(known),
        novel_mean=_mean(novel),
        mean_gap=bootstrap_difference(known, novel, n_boot=n_boot, seed=seed),
        known_at=ks,
        novel_at=vs,
        at_gap=bootstrap_difference(k_at, v_at, n_boot=n_boot, seed=seed),
        at_p=fisher_exact([[ks, len(known) - ks], [vs, len(novel) - vs]]),
        known_s1=sum(c >= 1 for c in known),
        novel_s1=sum(c >= 1 for c in novel),
        known_sn=sum(c >= n_cycles for c in known),
        novel_sn=sum(c >= n_cycles for c in novel),
    )


def pair_gaps(
    trials: Iterable[tuple[str, str, int]],
    n_cycles: int,
    *,
    at: int = HEADLINE_AT,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> PairGaps | None:
    """The plan's gap from trials given as (pair, familiarity, cycles survived): pooled over
    every pair, and per pair. None when one side has no trial at all."""
    sides: dict[str, tuple[list[int], list[int]]] = {}
    known: list[int] = []
    novel: list[int] = []
    for pair, familiarity, survived in trials:
        k, v = sides.setdefault(pair, ([], []))
        (k if familiarity == KNOWN else v).append(survived)
        (known if familiarity == KNOWN else novel).append(survived)
    if not known or not novel:
        return None
    return PairGaps(
        pooled=gap(known, novel, n_cycles, at=at, n_boot=n_boot, seed=seed),
        pairs={
            pair: gap(k, v, n_cycles, at=at, n_boot=n_boot, seed=seed)
            for pair, (k, v) in sorted(sides.items())
            if k and v
        },
    )
