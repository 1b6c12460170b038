"""The peers' headline numbers, computed from our trials: EvaLoop's ASL, IdentityChain's SC_n, SSC_n.

Why here: a researcher puts our numbers next to the peers' leaderboards, and the viewer (the
`peers` scorer) and the report must give the same value for the same trials. So the definitions
live once, as pure functions of a trial's cycle records (`record.Cycle`, the list the solver
stores), with no Inspect import. docs/peer_metrics.md states each definition as its
paper gives it, our mapping, and where the protocols differ.

- A trial's **sustained loops** is its cycles survived: the largest k such that cycles 1..k all
  passed (EvaLoop's loop = one of our cycles).
- Its **consistent run** is the largest k such that cycles 1..k each behaved exactly like the
  code before it (C0 for cycle 1) on every input: IdentityChain's test-output match, step by step.
- Its **strong run** is the largest k such that cycles 1..k each passed and behaved like the code
  before it (C0, our reference, passes by construction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from roundtrip_eval.eval.record import Cycle, leading_run

IDENTITYCHAIN_LENGTH = 5
"""IdentityChain's chain length (its SC_5 / SSC_5); shorter runs use their own length."""

History = Sequence[Cycle]


def sustained_loops(history: History) -> int:
    """EvaLoop's sustainable loops of one trial: the cycles before its first failure."""
    return leading_run(history, "passed")


def consistent_run(history: History) -> int:
    """How many leading cycles behaved exactly like their predecessor (IdentityChain's SC)."""
    return leading_run(history, "consistent")


def strong_run(history: History) -> int:
    """How many leading cycles passed and behaved like their predecessor (IdentityChain's SSC)."""
    return leading_run(history, "passed", "consistent")


def average_sustainable_loops(loops: Sequence[int], max_loops: int) -> float:
    """EvaLoop's ASL over trials: sum of (sustained loops)^2 / (trials x max loops), in [0, max_loops].

    This is EvaLooop's `ASL_pow` (`evalooop_asl` without judge scores): their code groups the
    same sum by loop, sum_i n_i * i^2 / (T * M).

    The formula and its worked example (3 loops of 10 -> 3^2 / 10 = 0.9) are from EvaLoop's own
    method page; docs/peer_metrics.md says why this one of its formulas, and what the paper's
    equation could not be read.
    """
    if max_loops < 1:
        raise ValueError(f"max_loops must be at least 1, got {max_loops}")
    if not loops:
        return float("nan")
    return sum(min(k, max_loops) ** 2 for k in loops) / (len(loops) * max_loops)


def loop_histogram(loops: Sequence[int], max_loops: int) -> list[int]:
    """EvaLooop's n_i: how many trials sustained exactly i loops, i = 0..max_loops."""
    if max_loops < 1:
        raise ValueError(f"max_loops must be at least 1, got {max_loops}")
    counts = [0] * (max_loops + 1)
    for k in loops:
        if not 0 <= k <= max_loops:
            raise ValueError(f"a trial sustained {k} loops, outside 0..{max_loops}")
        counts[k] += 1
    return counts


def bucket_weights(scores: Mapping[int, Sequence[float]] | None, max_loops: int) -> list[float]:
    """EvaLooop's s_i from a judge's similarity scores of the failure boundary, by bucket i.

    A trial that sustained i loops made i transitions; the i - 1 that passed count as similar
    (1.0), the judged boundary as the mean judge score m_i: s_i = (m_i + i - 1) / i. Buckets
    without scores (always i = 0 and i = max_loops) weigh 1.
    """
    weights = [1.0] * (max_loops + 1)
    for bucket, values in (scores or {}).items():
        if not 1 <= bucket < max_loops:
            raise ValueError(f"similarity scores belong to buckets 1..{max_loops - 1}, got {bucket}")
        if any(not 0.0 <= v <= 1.0 for v in values):
            raise ValueError(f"similarity scores lie in [0, 1], got {list(values)}")
        if values:
            weights[bucket] = (sum(values) / len(values) + bucket - 1) / bucket
    return weights


def evalooop_asl(
    loops: Sequence[int], max_loops: int, scores: Mapping[int, Sequence[float]] | None = None
) -> float:
    """EvaLooop's ASL = sum_i n_i * i^2 * s_i / (T * M) over T trials and M = `max_loops`.

    Without judge `scores` every s_i is 1 and this is `ASL_pow` (the same number as
    `average_sustainable_loops`); with them, the similarity-weighted ASL of their leaderboard.
    """
    if not loops:
        return float("nan")
    counts = loop_histogram(loops, max_loops)
    weights = bucket_weights(scores, max_loops)
    return sum(n * i * i * w for i, (n, w) in enumerate(zip(counts, weights, strict=True))) / (
        len(loops) * max_loops
    )


def pass_at_loop(loops: Sequence[int], k: int) -> float:
    """EvaLooop's pass@1 at loop k: the share of trials whose code passed loops 1..k. A chain
    stops at its first failure, so this is survival@k (`fraction_reaching`) under another name."""
    return fraction_reaching(loops, k)


def fraction_reaching(runs: Sequence[int], n: int) -> float:
    """The fraction of trials whose run reached n (NaN with no trials)."""
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    return sum(run >= n for run in runs) / len(runs) if runs else float("nan")


def self_consistency(consistent_runs: Sequence[int], n: int) -> float:
    """IdentityChain's SC_n: the fraction of trials consistent at every step 1..n."""
    return fraction_reaching(consistent_runs, n)


def strong_self_consistency(strong_runs: Sequence[int], n: int) -> float:
    """IdentityChain's SSC_n: the fraction of trials correct and consistent at every step 1..n."""
    return fraction_reaching(strong_runs, n)


def chain_length(cycles: int) -> int:
    """The n of SC_n / SSC_n: IdentityChain's 5, or the run's own length when it is shorter."""
    return min(IDENTITYCHAIN_LENGTH, cycles)


def peer_metrics(histories: Sequence[History], cycles: int, n: int | None = None) -> dict[str, float]:
    """ASL (max loops = `cycles`), SC_n and SSC_n (n = `chain_length(cycles)` unless given)."""
    n = chain_length(cycles) if n is None else n
    return {
        "asl": average_sustainable_loops([sustained_loops(h) for h in histories], cycles),
        f"sc_{n}": self_consistency([consistent_run(h) for h in histories], n),
        f"ssc_{n}": strong_self_consistency([strong_run(h) for h in histories], n),
    }
