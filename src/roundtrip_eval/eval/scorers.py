"""Scorers: read the trial's record the solver stored (`record.Trial`) and turn it into survival and drift.

The verdicts were made cycle by cycle in the solver (each one needs the sandbox at that
moment); scorers only summarise, so rescoring a log never re-runs model code.

What a reader sees: `survival` comes first, so its one-line `answer` (`survived 10/10`,
`failed at cycle 3: return_type: ...`) fills the viewer's ANSWER column and the samples list
reads as a results table. Each scorer's metrics are few and short-named (see metrics.py), the
headline (`survival` / `mean`, survival@N) first; the per-cycle curves are the `curves` scorer's,
so the viewer's header (the headline scorer's first few metrics) stays uncluttered. `peers`
reports EvaLoop's and IdentityChain's numbers from the same trials (roundtrip_eval.eval.peers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, frequency, scorer
from inspect_ai.solver import TaskState
from inspect_ai.util import store

from roundtrip_eval.eval import peers
from roundtrip_eval.eval.blame import describe, shown_verdict
from roundtrip_eval.eval.drift import CATEGORIES
from roundtrip_eval.eval.metrics import (
    consistency_curve,
    generalization_gap,
    peer_metrics,
    similarity_curve,
    survival_curve,
    trial_mean,
    trial_stderr,
)
from roundtrip_eval.eval.record import Cycle, Trial, leading_run

DRIFT_CATEGORIES = CATEGORIES
BLAME_VERDICTS = ("none", "f", "g", "both", "unclear", "unattributed")

History = Sequence[Cycle]


def trial() -> Trial:
    """The current trial's record, read from its store."""
    return Trial.read(store())


def cycles_survived(history: History) -> int:
    """The largest k such that cycles 1..k all passed."""
    return peers.sustained_loops(history)


def _curve(prefix: str, k: int, cycles: int) -> dict[str, int]:
    """`<prefix>@1..N` as 0/1: whether the leading run reached each cycle."""
    return {f"{prefix}@{i}": int(k >= i) for i in range(1, cycles + 1)}


def first_failure(history: History) -> Cycle | None:
    return next((r for r in history if not r.passed), None)


def survival_value(history: History, cycles: int) -> dict[str, int]:
    """`survived`, `cycles_survived` and `survival@1..N` (0/1 each) for one trial."""
    k = cycles_survived(history)
    return {"survived": int(k >= cycles), "cycles_survived": k, **_curve("survival", k, cycles)}


def _explain(history: History, cycles: int) -> str:
    failure = first_failure(history)
    if failure is None:
        return f"survived all {cycles} cycles"
    detail = failure.detail if "detail" in failure.model_fields_set else failure.category
    return f"cycle {failure.cycle}: {detail}"


def outcome_line(history: History, cycles: int) -> str:
    """One line a reader can scan in a list of trials: how far it got, and why it stopped.

    `survived 10/10`; `failed at cycle 3: return_type: fizzbuzz(1) expected 1 (int), got '1'
    (str)` (the first difference; the explanation keeps the count of differing inputs); or
    `stopped after 4/10 cycles, all passed` for a trial cut short without failing (a limit).
    """
    failure = first_failure(history)
    if failure is None:
        k = cycles_survived(history)
        if k >= cycles:
            return f"survived {cycles}/{cycles}"
        return f"stopped after {k}/{cycles} cycles, all passed"
    detail = str(failure.detail or failure.category)
    first = " ".join(detail.split("; ", 1)[0].split())
    return f"failed at cycle {failure.cycle}: {first}"


@scorer(
    metrics=[
        trial_mean("survived"),
        trial_stderr("survived"),
        trial_mean("cycles_survived", name="cycles_survived"),
    ]
)
def survival(cycles: int = 10) -> Scorer:
    """survival@N (`mean`, `stderr`) and mean cycles survived (`cycles_survived`); each trial's
    value is `survived` and `cycles_survived` (its survival@1..N are the `curves` scorer's: every
    number once in the viewer's samples grid), its answer the outcome."""

    async def score(state: TaskState, target: Target) -> Score:
        history = trial().cycles
        return Score(
            value=own(survival_value(history, cycles)),
            answer=outcome_line(history, cycles),
            explanation=_explain(history, cycles),
            metadata={
                "categories": [r.category for r in history],
                "extraction_rules": [r.extraction_rule for r in history],
            },
        )

    return score


@scorer(metrics=[frequency(categories=list(DRIFT_CATEGORIES))])
def drift() -> Scorer:
    """The category of the first failing cycle (`none` when every cycle passed)."""

    async def score(state: TaskState, target: Target) -> Score:
        failure = trial().first_failure()
        if failure is None:
            return Score(value="none", explanation="no failing cycle")
        evidence = failure.evidence.stored() if failure.evidence is not None else {}
        changed = failure.evidence.changed_classes if failure.evidence is not None else []
        removed = (failure.evidence.spec_diff if failure.evidence is not None else {}).get("removed") or []
        detail = failure.detail if "detail" in failure.model_fields_set else ""
        explanation = f"cycle {failure.cycle}: {detail}"
        if changed:
            explanation += f" | classes: {', '.join(changed)}"
        if removed:
            explanation += f" | spec lost: {removed[0][:120]!r}"
        return Score(
            value=str(failure.category),
            explanation=explanation,
            metadata={"cycle": failure.cycle, "evidence": evidence},
        )

    return score


def stability_value(history: History, cycles: int) -> dict[str, float | None]:
    """Per trial: fixed-point rate, spec-leak rate, and similarity to C0 at each cycle."""
    with_code = [r for r in history if r.code is not None]
    value: dict[str, float | None] = {
        "fixed_point_rate": (
            sum(bool(r.fixed_point) for r in with_code) / len(with_code) if with_code else None
        ),
        "spec_leak_rate": (sum(r.spec_leak for r in history) / len(history) if history else None),
    }
    by_cycle = {r.cycle: r.similarity_to_c0 for r in history}
    for i in range(1, cycles + 1):
        value[f"similarity@{i}"] = by_cycle.get(i)
    return value


@scorer(
    metrics=[
        trial_mean("fixed_point_rate", name="fixed_point_rate"),
        trial_mean("spec_leak_rate", name="spec_leak_rate"),
    ]
)
def stability(cycles: int = 10) -> Scorer:
    """Attraction to the canonical solution: fixed points and spec leaks (similarity to C0 at
    each cycle is the `curves` scorer's)."""

    async def score(state: TaskState, target: Target) -> Score:
        return Score(value=own(stability_value(trial().cycles, cycles)))

    return score


def consistency_value(history: History, cycles: int) -> dict[str, int]:
    """consistent@k: cycles 1..k each behaved exactly like the cycle before (C0 for cycle 1)
    on every input, right or wrong. Recoveries: a failing cycle followed by a passing one."""
    k = leading_run(history, "consistent")
    value = {"consistent": int(k >= cycles), "cycles_consistent": k}
    value.update(_curve("consistent", k, cycles))
    passes = [r.passed for r in history]
    value["recoveries"] = sum(1 for a, b in zip(passes, passes[1:], strict=False) if not a and b)
    value["failures_followed"] = sum(1 for a in passes[:-1] if not a)
    return value


@scorer(
    metrics=[
        trial_mean("consistent"),
        trial_stderr("consistent"),
        trial_mean("cycles_consistent", name="cycles_consistent"),
        trial_mean("recoveries", name="recoveries"),
        trial_mean("failures_followed", name="failures_followed"),
    ]
)
def consistency(cycles: int = 10) -> Scorer:
    """Self-consistency beside correctness (IdentityChain's SC vs SSC): consistent@N, and
    recoveries (fail -> pass); the recovery rate is recoveries / failures_followed."""

    async def score(state: TaskState, target: Target) -> Score:
        return Score(value=own(consistency_value(trial().cycles, cycles)))

    return score


def peers_value(history: History, cycles: int) -> dict[str, int]:
    """Per trial, what the peers' metrics count (roundtrip_eval.eval.peers): sustained loops, the
    leading consistent and strong (passing and consistent) runs, and the run's cycles."""
    return {
        "loops": peers.sustained_loops(history),
        "consistent_run": peers.consistent_run(history),
        "strong_run": peers.strong_run(history),
        "max_loops": cycles,
    }


@scorer(metrics=[peer_metrics()], name="peers")
def peer_comparison(cycles: int = 10) -> Scorer:
    """The peers' headline numbers from our trials: EvaLoop's ASL (Average Sustainable Loops,
    over N loops) and IdentityChain's SC_n / SSC_n (n = min(5, N)); docs/peer_metrics.md."""

    async def score(state: TaskState, target: Target) -> Score:
        runs = peers_value(trial().cycles, cycles)
        # `loops` and `consistent_run` are survival's and consistency's numbers again, `max_loops`
        # is N: the metric reads them from the metadata, the samples grid shows strong_run once
        return Score(value={"strong_run": runs["strong_run"]}, metadata=runs)

    return score


CURVE_PREFIXES = ("survival", "consistent", "similarity")


def own(value: dict[str, Any]) -> dict[str, Any]:
    """A scorer's value without the per-cycle keys, which only the `curves` scorer shows."""
    return {k: v for k, v in value.items() if "@" not in k}


def curves_value(history: History, cycles: int) -> dict[str, float | None]:
    """Per trial, every per-cycle value of the other scorers: survival@k, consistent@k, similarity@k."""
    values: dict[str, Any] = {
        **survival_value(history, cycles),
        **consistency_value(history, cycles),
        **stability_value(history, cycles),
    }
    return {k: v for k, v in values.items() if k.split("@", 1)[0] in CURVE_PREFIXES and "@" in k}


@scorer(metrics=[survival_curve(), consistency_curve(), similarity_curve()])
def curves(cycles: int = 10) -> Scorer:
    """The per-cycle curves, apart from the summary scorers so the viewer's header stays short:
    survival@k, consistent@k (fractions of trials) and similarity@k (mean over trials there)."""

    async def score(state: TaskState, target: Target) -> Score:
        return Score(value=curves_value(trial().cycles, cycles))

    return score


@scorer(metrics=[frequency(categories=list(BLAME_VERDICTS))])
def blame() -> Scorer:
    """Who broke the chain at its first failing cycle (docs/blame_rule.md): f, g, both,
    unclear (none: no failure, a spec_failure, or no blame run)."""

    async def score(state: TaskState, target: Target) -> Score:
        result = trial().blame
        if result is None:
            why = "no failing cycle to probe (none, or a spec_failure), or blame not requested"
            return Score(value="none", explanation=why)
        return Score(
            value=shown_verdict(result.verdict), explanation=describe(result), metadata=result.stored()
        )

    return score


@scorer(metrics=[generalization_gap()])
def generalization(cycles: int = 10) -> Scorer:
    """Per trial 1 if it survived all N cycles, and its cycles survived (in the metadata: the
    metric's headline is the gap in mean cycles survived); the metric splits known from novel."""

    async def score(state: TaskState, target: Target) -> Score:
        history = trial().cycles
        value = survival_value(history, cycles)
        meta = state.metadata
        return Score(
            value=value["survived"],
            explanation=f"{meta.get('familiarity')} member of pair {meta.get('pair')}",
            metadata={"cycles_survived": value["cycles_survived"], "n_cycles": cycles},
        )

    return score
