"""Scorers as a reader meets them: a one-line answer per trial, short metric names in the log,
the CLI and `evals_df`, the headline first and the per-cycle curves in a scorer of their own.

Pure values first, then one scripted run (replay model, `local` sandbox: the candidates are our
own literals) read the ways people read logs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from replay_scripts import surviving, trial, write

from roundtrip_eval.eval.record import Cycle
from roundtrip_eval.eval.scorers import (
    consistency_value,
    curves,
    curves_value,
    outcome_line,
    peer_comparison,
    peers_value,
    survival_value,
)
from roundtrip_eval.eval.tasks import fizzbuzz
from roundtrip_eval.problems.load import load_problem

REF = load_problem("fizzbuzz").reference
STR_N = REF.replace("return n", "return str(n)")
RETURN_TYPE = "return_type: fizzbuzz(1) expected 1 (int), got '1' (str); 11/151 inputs differ"


def passed(n: int) -> list[Cycle]:
    return [Cycle(cycle=i, passed=True, consistent=True) for i in range(1, n + 1)]


def cycles(*records: dict[str, Any]) -> list[Cycle]:
    return [Cycle.model_validate(r) for r in records]


def test_outcome_line_reads_as_a_results_table_row() -> None:
    assert outcome_line(passed(10), 10) == "survived 10/10"
    failing = [
        *passed(2),
        *cycles({"cycle": 3, "passed": False, "category": "return_type", "detail": RETURN_TYPE}),
    ]
    assert (
        outcome_line(failing, 10)
        == "failed at cycle 3: return_type: fizzbuzz(1) expected 1 (int), got '1' (str)"
    )
    assert outcome_line(passed(4), 10) == "stopped after 4/10 cycles, all passed"
    no_detail = cycles({"cycle": 1, "passed": False, "category": "spec_failure"})
    assert outcome_line(no_detail, 3) == "failed at cycle 1: spec_failure"
    multi_line = cycles({"cycle": 2, "passed": False, "detail": "crash:\n  ZeroDivisionError"})
    assert "\n" not in outcome_line(multi_line, 3)


def test_curves_hold_every_per_cycle_value_and_nothing_else() -> None:
    history = [
        *passed(1),
        *cycles({"cycle": 2, "passed": False, "consistent": False, "code": "x", "similarity_to_c0": 0.5}),
    ]
    value = curves_value(history, 3)
    assert set(value) == {f"{p}@{i}" for p in ("survival", "consistent", "similarity") for i in (1, 2, 3)}
    assert [value[f"survival@{i}"] for i in (1, 2, 3)] == [1, 0, 0]
    assert value["similarity@2"] == 0.5 and value["similarity@3"] is None
    # the same numbers as the summary scorers' own values
    assert all(
        value[k] == v
        for k, v in {**survival_value(history, 3), **consistency_value(history, 3)}.items()
        if k in value
    )


def test_peers_value_counts_the_runs_of_roundtrip_eval_peers() -> None:
    history = [*passed(2), *cycles({"cycle": 3, "passed": False, "consistent": False})]
    assert peers_value(history, 10) == {"loops": 2, "consistent_run": 2, "strong_run": 2, "max_loops": 10}


def test_scorer_factories_take_the_cycles() -> None:
    assert callable(peer_comparison(5)) and callable(curves(5))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[EvalLog, Path]:
    tmp = tmp_path_factory.mktemp("scorers")
    script = write(
        tmp / "replay.jsonl",
        {
            ("fizzbuzz", 1): surviving("fizzbuzz", 3),
            ("fizzbuzz", 2): trial("fizzbuzz", [REF, STR_N]),
        },
    )
    task = fizzbuzz(sandbox="local", cycles=3, epochs=2, temperature=0.0)
    [log] = inspect_eval(
        task, model=f"replay/{script}", log_dir=str(tmp / "logs"), display="none", max_samples=1
    )
    assert log.status == "success", log.error
    return log, script


def test_the_log_names_metrics_without_the_package_prefix(run: tuple[EvalLog, Path]) -> None:
    log, _ = run
    assert log.results is not None
    scores = {s.name: s.metrics for s in log.results.scores}
    assert list(scores)[:1] == ["survival"]  # the headline scorer first
    assert list(scores["survival"]) == ["mean", "stderr", "cycles_survived"]
    assert scores["survival"]["mean"].value == 0.5 and scores["survival"]["cycles_survived"].value == 2.0
    assert list(scores["consistency"])[:3] == ["mean", "stderr", "cycles_consistent"]
    assert list(scores["peers"]) == ["asl", "sc_3", "ssc_3"]
    assert list(scores["curves"]) == [
        f"{p}@{i}" for p in ("survival", "consistent", "similarity") for i in (1, 2, 3)
    ]
    names = [m.name for ms in scores.values() for m in ms.values()] + [
        k for ms in scores.values() for k in ms
    ]
    assert not [n for n in names if "/" in n]
    assert log.results.headline is not None
    assert (log.results.headline.scorer, log.results.headline.metric) == ("survival", "mean")


def test_each_trial_answers_with_its_outcome(run: tuple[EvalLog, Path]) -> None:
    log, _ = run
    answers = {s.epoch: s.scores["survival"].answer for s in log.samples or []}
    assert answers[1] == "survived 3/3"
    assert answers[2] == "failed at cycle 2: return_type: fizzbuzz(1) expected 1 (int), got '1' (str)"


def test_c0_is_a_python_code_block(run: tuple[EvalLog, Path]) -> None:
    log, _ = run
    sample = (log.samples or [])[0]
    assert sample.input == f"```python\n{REF.rstrip()}\n```"


def test_evals_df_columns_are_short(run: tuple[EvalLog, Path]) -> None:
    pytest.importorskip("pandas")
    from inspect_ai.analysis import evals_df

    df = evals_df(log.location if (log := run[0]).location else "")
    columns = [c for c in df.columns if c.startswith("score_")]
    assert {
        "score_survival_mean",
        "score_survival_stderr",
        "score_peers_asl",
        "score_curves_survival@1",
    } <= set(columns)
    assert not [c for c in columns if "roundtrip_eval" in c]
    assert df["score_headline_value"].iloc[0] == 0.5 and df["score_headline_stderr"].iloc[0] == 0.5


def test_the_cli_result_table_shows_short_names(run: tuple[EvalLog, Path], tmp_path: Path) -> None:
    _, script = run
    inspect = Path(sys.executable).with_name("inspect")
    result = subprocess.run(
        [
            str(inspect),
            "eval",
            "roundtrip_eval/fizzbuzz",
            "--model",
            f"replay/{script}",
            "-T",
            "sandbox=local",
            "-T",
            "cycles=3",
            "-T",
            "epochs=2",
            "--max-samples",
            "1",
            "--log-dir",
            str(tmp_path),
            "--display",
            "plain",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "mean" in out and "stderr" in out and "asl" in out
    assert "roundtrip_eval/mean" not in out and "roundtrip_eva…" not in out
