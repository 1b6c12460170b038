"""Scorers: read the per-cycle history the solver stored and turn it into survival and drift.

The verdicts were made cycle by cycle in the solver (each one needs the sandbox at that
moment); scorers only summarise, so rescoring a log never re-runs model code.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, frequency, scorer
from inspect_ai.solver import TaskState
from inspect_ai.util import store

from roundtrip_eval.drift import CATEGORIES
from roundtrip_eval.metrics import generalization_gap, present_mean, trial_mean, trial_stderr
from roundtrip_eval.solver import BLAME_KEY, CYCLES_KEY

DRIFT_CATEGORIES = CATEGORIES
BLAME_VERDICTS = ("none", "f", "g", "both", "unclear")


def leading_run(history: list[dict[str, Any]], key: str) -> int:
    """The largest k such that cycles 1..k all have `key` true."""
    k = 0
    for record in history:
        if not record.get(key):
            break
        k += 1
    return k


def cycles_survived(history: list[dict[str, Any]]) -> int:
    """The largest k such that cycles 1..k all passed."""
    return leading_run(history, "passed")


def _curve(prefix: str, k: int, cycles: int) -> dict[str, int]:
    """`<prefix>@1..N` as 0/1: whether the leading run reached each cycle."""
    return {f"{prefix}@{i}": int(k >= i) for i in range(1, cycles + 1)}


def first_failure(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((r for r in history if not r.get("passed")), None)


def survival_value(history: list[dict[str, Any]], cycles: int) -> dict[str, int]:
    """`survived`, `cycles_survived` and `survival@1..N` (0/1 each) for one trial."""
    k = cycles_survived(history)
    return {"survived": int(k >= cycles), "cycles_survived": k, **_curve("survival", k, cycles)}


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
        evidence = failure.get("evidence", {})
        changed = evidence.get("changed_classes") or []
        removed = evidence.get("spec_diff", {}).get("removed") or []
        explanation = f"cycle {failure['cycle']}: {failure.get('detail', '')}"
        if changed:
            explanation += f" | classes: {', '.join(changed)}"
        if removed:
            explanation += f" | spec lost: {removed[0][:120]!r}"
        return Score(
            value=str(failure["category"]),
            explanation=explanation,
            metadata={"cycle": failure["cycle"], "evidence": evidence},
        )

    return score


def stability_value(history: list[dict[str, Any]], cycles: int) -> dict[str, float | None]:
    """Per trial: fixed-point rate, spec-leak rate, and similarity to C0 at each cycle."""
    with_code = [r for r in history if r.get("code") is not None]
    value: dict[str, float | None] = {
        "fixed_point_rate": (
            sum(bool(r.get("fixed_point")) for r in with_code) / len(with_code)
            if with_code
            else None
        ),
        "spec_leak_rate": (
            sum(bool(r.get("spec_leak")) for r in history) / len(history) if history else None
        ),
    }
    by_cycle = {r["cycle"]: r.get("similarity_to_c0") for r in history}
    for i in range(1, cycles + 1):
        value[f"similarity@{i}"] = by_cycle.get(i)
    return value


@scorer(
    metrics=[
        {
            "fixed_point_rate": [present_mean()],
            "spec_leak_rate": [present_mean()],
            "similarity@*": [present_mean()],
        }
    ]
)
def stability(cycles: int = 10) -> Scorer:
    """Attraction to the canonical solution: fixed points, similarity to C0, spec leaks."""

    async def score(state: TaskState, target: Target) -> Score:
        history: list[dict[str, Any]] = store().get(CYCLES_KEY, [])
        return Score(value=stability_value(history, cycles))

    return score


def consistency_value(history: list[dict[str, Any]], cycles: int) -> dict[str, int]:
    """consistent@k: cycles 1..k each behaved exactly like the cycle before (C0 for cycle 1)
    on every input, right or wrong. Recoveries: a failing cycle followed by a passing one."""
    k = leading_run(history, "consistent")
    value = {"consistent": int(k >= cycles), "cycles_consistent": k}
    value.update(_curve("consistent", k, cycles))
    passes = [bool(r.get("passed")) for r in history]
    value["recoveries"] = sum(1 for a, b in zip(passes, passes[1:], strict=False) if not a and b)
    value["failures_followed"] = sum(1 for a in passes[:-1] if not a)
    return value


@scorer(
    metrics=[
        {
            "consistent": [trial_mean(), trial_stderr()],
            "consistent@*": [trial_mean()],
            "recoveries": [trial_mean()],
            "failures_followed": [trial_mean()],
        }
    ]
)
def consistency(cycles: int = 10) -> Scorer:
    """Self-consistency beside correctness (IdentityChain's SC vs SSC): consistent@N, and
    recoveries (fail -> pass); the recovery rate is recoveries / failures_followed."""

    async def score(state: TaskState, target: Target) -> Score:
        history: list[dict[str, Any]] = store().get(CYCLES_KEY, [])
        return Score(value=consistency_value(history, cycles))

    return score


@scorer(metrics=[frequency(categories=list(BLAME_VERDICTS))])
def blame() -> Scorer:
    """Who broke the chain at its first failing cycle: f, g, both, unclear (none: no blame run)."""

    async def score(state: TaskState, target: Target) -> Score:
        result: dict[str, Any] | None = store().get(BLAME_KEY)
        if not result:
            return Score(value="none", explanation="no failing cycle, or blame not requested")
        return Score(
            value=str(result["verdict"]),
            explanation=(
                f"cycle {result['cycle']}: {result['from_spec_pass_rate']:.0%} of {result['k']} "
                f"regenerations from the failing spec passed; {result['fresh_pass_rate']:.0%} "
                "of fresh g->f from the last passing code passed"
            ),
            metadata=result,
        )

    return score


@scorer(metrics=[generalization_gap()])
def generalization(cycles: int = 10) -> Scorer:
    """Per trial 1 if it survived all N cycles; the metric splits known from novel problems."""

    async def score(state: TaskState, target: Target) -> Score:
        history: list[dict[str, Any]] = store().get(CYCLES_KEY, [])
        survived = survival_value(history, cycles)["survived"]
        meta = state.metadata
        return Score(
            value=survived,
            explanation=f"{meta.get('familiarity')} member of pair {meta.get('pair')}",
        )

    return score
