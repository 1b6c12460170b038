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

from collections.abc import Sequence

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

    The formula and its worked example (3 loops of 10 -> 3^2 / 10 = 0.9) are from EvaLoop's own
    method page; docs/peer_metrics.md says why this one of its formulas, and what the paper's
    equation could not be read.
    """
    if max_loops < 1:
        raise ValueError(f"max_loops must be at least 1, got {max_loops}")
    if not loops:
        return float("nan")
    return sum(min(k, max_loops) ** 2 for k in loops) / (len(loops) * max_loops)


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
