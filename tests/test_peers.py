"""The peers' numbers (EvaLoop's ASL, IdentityChain's SC_n / SSC_n): by hand and by the code, equal.

The definitions and where they come from are in docs/peer_metrics.md.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from replay_scripts import surviving, trial, write

from roundtrip_eval.eval import peers
from roundtrip_eval.eval.record import Cycle, Trial, leading_run
from roundtrip_eval.eval.tasks import fizzbuzz
from roundtrip_eval.problems.load import load_problem

REF = load_problem("fizzbuzz").reference
STR_N = REF.replace("return n", "return str(n)")


def cycle(passed: bool, consistent: bool) -> Cycle:
    return Cycle(cycle=1, passed=passed, consistent=consistent)


def test_evaloops_worked_example() -> None:
    # EvaLoop's method page: a task that fails at loop 4 of 10 sustained 3 loops, 3^2 / 10 = 0.9
    assert peers.average_sustainable_loops([3], max_loops=10) == pytest.approx(0.9)
    # every task sustaining all 10 loops gives the maximum, 10^2 / 10 = 10
    assert peers.average_sustainable_loops([10, 10], max_loops=10) == pytest.approx(10.0)


def test_asl_by_hand() -> None:
    # (5^2 + 1^2 + 0^2 + 3^2) / (4 trials x 5 loops) = 35 / 20
    assert peers.average_sustainable_loops([5, 1, 0, 3], max_loops=5) == pytest.approx(1.75)
    assert peers.average_sustainable_loops([7], max_loops=5) == pytest.approx(5.0)  # capped at M
    assert math.isnan(peers.average_sustainable_loops([], max_loops=5))
    with pytest.raises(ValueError, match="max_loops"):
        peers.average_sustainable_loops([1], max_loops=0)


def test_runs_count_leading_cycles_only() -> None:
    # passes, then a consistent wrong cycle cannot follow a correct C0; a recovery does not count
    history = [
        cycle(True, True),
        cycle(True, True),
        cycle(False, False),
        cycle(True, False),
        cycle(True, True),
    ]
    assert peers.sustained_loops(history) == 2
    assert peers.consistent_run(history) == 2
    assert peers.strong_run(history) == 2
    # consistent without passing (possible only after a failure, or for a C0 that is wrong)
    odd = [cycle(False, True), cycle(False, True)]
    assert (peers.sustained_loops(odd), peers.consistent_run(odd), peers.strong_run(odd)) == (0, 2, 0)
    assert leading_run([Cycle(cycle=1, passed=True, consistent=False)], "passed", "consistent") == 0


def test_sc_and_ssc_by_hand() -> None:
    runs = [5, 5, 2, 0]
    assert peers.self_consistency(runs, 5) == 0.5
    assert peers.self_consistency(runs, 2) == 0.75
    assert peers.strong_self_consistency(runs, 0) == 1.0  # SSC_0: every chain starts correct (C0)
    assert math.isnan(peers.self_consistency([], 3))
    with pytest.raises(ValueError, match="non-negative"):
        peers.self_consistency(runs, -1)
    assert [peers.chain_length(c) for c in (3, 5, 10)] == [3, 5, 5]


@pytest.fixture(scope="module")
def scripted(tmp_path_factory: pytest.TempPathFactory) -> EvalLog:
    """Four trials of four cycles: survives; fails at 3 (str(n)); no code at 1; fails at 4."""
    tmp = tmp_path_factory.mktemp("peers")
    script = write(
        tmp / "replay.jsonl",
        {
            ("fizzbuzz", 1): surviving("fizzbuzz", 4),
            ("fizzbuzz", 2): trial("fizzbuzz", [REF, REF, STR_N]),
            ("fizzbuzz", 3): trial("fizzbuzz", ["Sorry, I cannot write that."]),
            ("fizzbuzz", 4): trial("fizzbuzz", [REF, REF, REF, STR_N]),
        },
    )
    task = fizzbuzz(sandbox="local", cycles=4, epochs=4, temperature=0.0)
    [log] = inspect_eval(
        task, model=f"replay/{script}", log_dir=str(tmp / "logs"), display="none", max_samples=1
    )
    assert log.status == "success", log.error
    return log


def test_a_scripted_run_by_hand_and_by_the_code(scripted: EvalLog) -> None:
    # By hand: sustained loops 4, 2, 0, 3 of M = 4 -> ASL = (16 + 4 + 0 + 9) / (4 x 4) = 1.8125.
    # n = min(5, 4) = 4; only trial 1 is consistent (and correct) through cycle 4: SC_4 = SSC_4 = 1/4.
    by_hand = {"asl": 29 / 16, "sc_4": 0.25, "ssc_4": 0.25}
    assert scripted.results is not None
    [score] = [s for s in scripted.results.scores if s.name == "peers"]
    in_the_log = {name: m.value for name, m in score.metrics.items()}
    histories = [Trial.read(s.store).cycles for s in sorted(scripted.samples or [], key=lambda s: s.epoch)]
    by_the_code = peers.peer_metrics(histories, cycles=4)
    assert in_the_log == pytest.approx(by_hand) and by_the_code == pytest.approx(by_hand)
    assert [peers.sustained_loops(h) for h in histories] == [4, 2, 0, 3]
    # the `peers` scorer's per-trial metadata carries the runs the metrics count; its value only
    # the number no other scorer shows (strong_run), so the samples grid shows each number once
    scores = [s.scores["peers"] for s in sorted(scripted.samples or [], key=lambda s: s.epoch)]
    values = [s.metadata or {} for s in scores]
    assert [v["loops"] for v in values] == [4, 2, 0, 3] and {v["max_loops"] for v in values} == {4}
    assert [set(s.value) for s in scores] == [{"strong_run"}] * 4  # type: ignore[arg-type]


def test_sc_n_at_other_lengths_by_hand(scripted: EvalLog) -> None:
    histories = [Trial.read(s.store).cycles for s in scripted.samples or []]
    # consistent through cycle 2: trials 1, 2 and 4 -> 3/4; through cycle 3: trials 1 and 4 -> 2/4
    assert peers.peer_metrics(histories, cycles=4, n=2)["sc_2"] == 0.75
    assert peers.peer_metrics(histories, cycles=4, n=3)["ssc_3"] == 0.5


def test_the_definitions_page_exists_and_names_its_sources() -> None:
    page = (Path(__file__).parents[1] / "docs" / "peer_metrics.md").read_text(encoding="utf-8")
    for needle in ("2505.12185", "2310.14053", "ASL", "SC_n", "SSC_n"):
        assert needle in page
