"""Trial-level metrics.

A trial is one sample x one epoch, and every trial is an independent observation. Inspect's
built-in `mean()`/`stderr()` see epoch-reduced scores (one per sample), which would give a
single-problem task a stderr over one value. These metrics declare `scores="unreduced"`.
"""

from __future__ import annotations

import math

from inspect_ai.scorer import Metric, SampleScore, metric


def _values(scores: list[SampleScore]) -> list[float]:
    return [float(s.score.as_float()) for s in scores]


@metric(name="mean", scores="unreduced")
def trial_mean() -> Metric:
    """Mean over trials (sample x epoch)."""

    def compute(scores: list[SampleScore]) -> float:
        values = _values(scores)
        return sum(values) / len(values) if values else 0.0

    return compute


@metric(name="stderr", scores="unreduced")
def trial_stderr() -> Metric:
    """Standard error of the mean over trials (sample standard deviation / sqrt(n))."""

    def compute(scores: list[SampleScore]) -> float:
        values = _values(scores)
        n = len(values)
        if n < 2:
            return 0.0
        mu = sum(values) / n
        return math.sqrt(sum((v - mu) ** 2 for v in values) / (n - 1) / n)

    return compute


@metric(name="mean_present", scores="unreduced")
def present_mean() -> Metric:
    """Mean over the trials that have a value (a cycle a trial never reached has none)."""

    def compute(scores: list[SampleScore]) -> float:
        values = [float(s.score.value) for s in scores if isinstance(s.score.value, int | float)]
        values = [v for v in values if not math.isnan(v)]
        return sum(values) / len(values) if values else float("nan")

    return compute


GAP_BOOTSTRAP_SEED = 0
"""The bootstrap is seeded so the interval in the log can be recomputed exactly from it."""


def _by_familiarity(
    scores: list[SampleScore], pair: str | None = None
) -> tuple[list[float], list[float]]:
    known: list[float] = []
    novel: list[float] = []
    for s in scores:
        meta = s.sample_metadata or {}
        if pair is not None and meta.get("pair") != pair:
            continue
        group = known if meta.get("familiarity") == "known" else novel
        group.append(float(s.score.as_float()))
    return known, novel


@metric(name="gap", scores="unreduced")
def generalization_gap() -> Metric:
    """survival@N of known vs novel problems, the gap (known - novel) with a seeded 95%
    bootstrap interval over trials, pooled and per pair, and Fisher's exact p (pooled)."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        from roundtrip_eval.analysis.stats import bootstrap_difference, fisher_exact

        known, novel = _by_familiarity(scores)
        if not known or not novel:
            return {}
        pooled = bootstrap_difference(known, novel, seed=GAP_BOOTSTRAP_SEED)
        ks, ns = int(sum(known)), int(sum(novel))
        out = {
            "known_survival": sum(known) / len(known),
            "novel_survival": sum(novel) / len(novel),
            "gap": pooled.difference,
            "gap_low": pooled.low,
            "gap_high": pooled.high,
            "fisher_p": fisher_exact([[ks, len(known) - ks], [ns, len(novel) - ns]]),
        }
        pairs = sorted({str((s.sample_metadata or {}).get("pair")) for s in scores})
        for pair in pairs:
            k, n = _by_familiarity(scores, pair)
            if k and n:
                ci = bootstrap_difference(k, n, seed=GAP_BOOTSTRAP_SEED)
                out.update(
                    {f"{pair}.gap": ci.difference, f"{pair}.low": ci.low, f"{pair}.high": ci.high}
                )
        return out

    return compute
