"""Scorers: read the per-cycle history the solver stored and turn it into survival and drift.

The verdicts were made cycle by cycle in the solver (each one needs the sandbox at that
moment); scorers only summarise, so rescoring a log never re-runs model code.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, frequency, scorer
from inspect_ai.solver import TaskState
from inspect_ai.util import store

from roundtrip_eval.metrics import trial_mean, trial_stderr
from roundtrip_eval.solver import CYCLES_KEY

DRIFT_CATEGORIES = (
    "none",
    "extraction",
    "syntax",
    "signature",
    "crash",
    "timeout",
    "return_type",
    "semantic",
    "spec_failure",
)


def cycles_survived(history: list[dict[str, Any]]) -> int:
    """The largest k such that cycles 1..k all passed."""
    k = 0
    for record in history:
        if not record.get("passed"):
            break
        k += 1
    return k


def first_failure(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((r for r in history if not r.get("passed")), None)


def survival_value(history: list[dict[str, Any]], cycles: int) -> dict[str, int]:
    """`survived`, `cycles_survived` and `survival@1..N` (0/1 each) for one trial."""
    k = cycles_survived(history)
    value = {"survived": int(k >= cycles), "cycles_survived": k}
    value.update({f"survival@{i}": int(k >= i) for i in range(1, cycles + 1)})
    return value


def _explain(history: list[dict[str, Any]], cycles: int) -> str:
    failure = first_failure(history)
    if failure is None:
        return f"survived all {cycles} cycles"
    return f"cycle {failure['cycle']}: {failure.get('detail', failure.get('category'))}"


@scorer(
    metrics=[
        {
            "survived": [trial_mean(), trial_stderr()],
            "cycles_survived": [trial_mean()],
            "survival@*": [trial_mean()],
        }
    ]
)
def survival(cycles: int = 10) -> Scorer:
    """survival@N (`survived`), cycles survived, and the per-cycle survival curve."""

    async def score(state: TaskState, target: Target) -> Score:
        history: list[dict[str, Any]] = store().get(CYCLES_KEY, [])
        return Score(
            value=survival_value(history, cycles),
            explanation=_explain(history, cycles),
            metadata={
                "categories": [r.get("category") for r in history],
                "extraction_rules": [r.get("extraction_rule") for r in history],
            },
        )

    return score


@scorer(metrics=[frequency(categories=list(DRIFT_CATEGORIES))])
def drift() -> Scorer:
    """The category of the first failing cycle (`none` when every cycle passed)."""

    async def score(state: TaskState, target: Target) -> Score:
        history: list[dict[str, Any]] = store().get(CYCLES_KEY, [])
        failure = first_failure(history)
        if failure is None:
            return Score(value="none", explanation="no failing cycle")
        evidence = failure.get("check", {}).get("failures", [])[:1]
        return Score(
            value=str(failure["category"]),
            explanation=f"cycle {failure['cycle']}: {failure.get('detail', '')}",
            metadata={"cycle": failure["cycle"], "evidence": evidence},
        )

    return score
