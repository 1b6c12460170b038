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
