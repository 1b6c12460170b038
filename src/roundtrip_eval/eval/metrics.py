"""Trial-level metrics, each reporting under a short name of its own.

A trial is one sample x one epoch, and every trial is an independent observation. Inspect's
built-in `mean()`/`stderr()` see epoch-reduced scores (one per sample), which would give a
single-problem task a stderr over one value. These metrics declare `scores="unreduced"`.

Why every metric returns a mapping: Inspect logs a metric that returns a number under its
registry name, which for a package's metric carries the package prefix (`roundtrip_eval/mean`,
cut to `roundtrip…` in the viewer, the CLI and `evals_df` columns). A metric that returns a
mapping is logged under the mapping's keys, so `{"mean": ...}` reads `mean` everywhere. Each
metric also reads one key of a scorer's dict value, so one scorer's metrics can summarise
several of its keys under names chosen here (`mean`, `stderr`, `cycles`, `survival@3`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from inspect_ai.scorer import Metric, SampleScore, Value, metric

from roundtrip_eval.eval import peers
from roundtrip_eval.stats.gap import pair_gaps


def _value(score: SampleScore, key: str | None) -> Value | None:
    """`key` of a dict score's value, else of its metadata (numbers kept out of the samples grid)."""
    value = score.score.value
    if key is None:
        return value
    if not isinstance(value, dict):
        raise TypeError(f"metric reads key {key!r} of a dict score; got {type(value).__name__}")
    if key in value:
        return value[key]
    meta = score.score.metadata or {}
    found = meta.get(key)
    return found if isinstance(found, int | float | str | bool) else None


def _floats(scores: Sequence[SampleScore], key: str | None) -> list[float]:
    values = [_value(s, key) for s in scores]
    return [float(v) for v in values if isinstance(v, int | float) and not math.isnan(float(v))]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _stderr(values: Sequence[float]) -> float:
    """Standard error of the mean: sample standard deviation / sqrt(n); 0 below two values."""
    n = len(values)
    if n < 2:
        return 0.0
    mu = sum(values) / n
    return math.sqrt(sum((v - mu) ** 2 for v in values) / (n - 1) / n)


@metric(name="mean", scores="unreduced")
def trial_mean(key: str | None = None, name: str = "mean") -> Metric:
    """Mean of `key` over trials (sample x epoch) that have a number there, as `name`.

    A trial without a value (a cycle it never reached: None) does not count, so a per-cycle
    similarity averages the trials that got that far.
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        return {name: _mean(_floats(scores, key))}

    return compute


@metric(name="stderr", scores="unreduced")
def trial_stderr(key: str | None = None, name: str = "stderr") -> Metric:
    """Standard error of the mean of `key` over trials, as `name`."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        return {name: _stderr(_floats(scores, key))}

    return compute


def curve_keys(scores: Sequence[SampleScore], prefix: str) -> list[str]:
    """The `<prefix>@<cycle>` keys of the scores' dict values, in cycle order."""
    found: set[str] = set()
    for s in scores:
        if isinstance(s.score.value, dict):
            found.update(k for k in s.score.value if k.startswith(prefix + "@"))
    return sorted(found, key=lambda k: int(k.rsplit("@", 1)[1]) if k.rsplit("@", 1)[1].isdigit() else 0)


def _curve(prefix: str) -> Metric:
    """Each `<prefix>@k` over the trials with a number there; a k no trial has (similarity at a
    cycle no trial reached) is left out rather than shown as `nan`."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        found = {key: _floats(scores, key) for key in curve_keys(scores, prefix)}
        return {key: _mean(values) for key, values in found.items() if values}

    return compute


# Three metrics rather than one with a parameter: the viewer titles a metric's columns with its
# registered name, so each curve gets a header of its own. The scorer writes every key
# `<prefix>@1..N` into every trial's value (None for a cycle the trial never reached), so the
# keys are read from the scores; with no scored trial at all there are none.


@metric(name="survival_curve", scores="unreduced")
def survival_curve() -> Metric:
    """survival@1..N: the fraction of trials whose cycles 1..k all passed, for each k."""
    return _curve("survival")


@metric(name="consistency_curve", scores="unreduced")
def consistency_curve() -> Metric:
    """consistent@1..N: the fraction of trials whose cycles 1..k each behaved like the one before."""
    return _curve("consistent")


@metric(name="similarity_curve", scores="unreduced")
def similarity_curve() -> Metric:
    """similarity@1..N: the mean AST similarity to C0 at cycle k, over the trials that reached it."""
    return _curve("similarity")


@metric(name="peer_metrics", scores="unreduced")
def peer_metrics() -> Metric:
    """EvaLoop's ASL and IdentityChain's SC_n / SSC_n (definitions in roundtrip_eval.eval.peers).

    Reads the `peers` scorer's per-trial values: `loops`, `consistent_run`, `strong_run`, and
    `max_loops` (the run's cycles N: ASL's maximum, and n = min(5, N) for SC_n / SSC_n).
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        def runs(key: str) -> list[int]:
            return [int(v) for v in _floats(scores, key)]

        max_loops = max(runs("max_loops"), default=peers.IDENTITYCHAIN_LENGTH)
        n = peers.chain_length(max_loops)
        return {
            "asl": peers.average_sustainable_loops(runs("loops"), max_loops),
            f"sc_{n}": peers.self_consistency(runs("consistent_run"), n),
            f"ssc_{n}": peers.strong_self_consistency(runs("strong_run"), n),
        }

    return compute


GAP_BOOTSTRAP_SEED = 0
"""The bootstrap is seeded so the interval in the log can be recomputed exactly from it."""


def _gap_trials(scores: list[SampleScore]) -> tuple[list[tuple[str, str, int]], int]:
    """(pair, familiarity, cycles survived) per trial, and N, from the `generalization` scores.

    A score written before the scorer stored `cycles_survived` and `n_cycles` in its metadata (an
    older log carried into a retry) tells only whether the trial survived all N cycles: it
    counts N cycles survived or none, and with no N in any score the run reads as one cycle,
    so the gap is the survival@N gap, as the metric computed before.
    """
    infos = [s.score.metadata or {} for s in scores]
    n_cycles = max((int(info["n_cycles"]) for info in infos if "n_cycles" in info), default=1)
    trials = []
    for s, info in zip(scores, infos, strict=True):
        meta = s.sample_metadata or {}
        if "cycles_survived" in info:
            survived = int(info["cycles_survived"])
        else:
            survived = n_cycles if s.score.as_float() >= 1 else 0
        trials.append((str(meta.get("pair")), str(meta.get("familiarity")), survived))
    return trials, n_cycles


@metric(name="gap", scores="unreduced")
def generalization_gap() -> Metric:
    """The plan's known-vs-novel gap (`stats.gap.pair_gaps`, the report's and the study's too):
    mean cycles survived known / novel and their gap (`gap`, with a seeded 95% bootstrap
    interval), survival@3 and its gap with Fisher's exact p, survival@N known / novel, and each
    pair's mean-cycles gap (`<pair>.gap`, `.low`, `.high`)."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        trials, n_cycles = _gap_trials(scores)
        gaps = pair_gaps(trials, n_cycles, seed=GAP_BOOTSTRAP_SEED)
        if gaps is None:
            return {}
        g = gaps.pooled
        at = g.at
        out = {
            "known_cycles": g.known_mean,
            "novel_cycles": g.novel_mean,
            "gap": g.mean_gap.difference,
            "gap_low": g.mean_gap.low,
            "gap_high": g.mean_gap.high,
            f"known_survival@{at}": g.known_at / g.known_n,
            f"novel_survival@{at}": g.novel_at / g.novel_n,
            f"gap@{at}": g.at_gap.difference,
            f"gap@{at}_low": g.at_gap.low,
            f"gap@{at}_high": g.at_gap.high,
            "fisher_p": g.at_p,
            "known_survival": g.known_sn / g.known_n,
            "novel_survival": g.novel_sn / g.novel_n,
        }
        for pair, p in gaps.pairs.items():
            out.update({f"{pair}.gap": p.mean_gap.difference, f"{pair}.low": p.mean_gap.low,
                        f"{pair}.high": p.mean_gap.high})  # fmt: skip
        return out

    return compute
