"""Tidy dataframes (issue 31, part 4): one column per number, names stable across N, one scale.

Two runs of different N (the scripted run, N=3, and a replayed fizzbuzz run, N=2) must give the
same columns, so they concatenate without sparse `@3` / `@2` columns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from replay_scripts import surviving, write

from roundtrip_eval.eval.tasks import fizzbuzz

pd = pytest.importorskip("pandas")
frames = pytest.importorskip("roundtrip_eval.analysis.frames")


@pytest.fixture(scope="module")
def two_n(logdir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("frames")
    script = write(tmp / "replay.jsonl", {("fizzbuzz", "*"): surviving("fizzbuzz", 2)})
    inspect_eval(
        fizzbuzz(sandbox="local", cycles=2, epochs=2), model=f"replay/{script}", log_dir=str(tmp / "logs"),
        display="none",
    )  # fmt: skip
    return logdir, tmp / "logs"


def test_runs_of_different_n_share_their_columns(two_n: tuple[Path, Path]) -> None:
    three, two = (frames.runs_df(p) for p in two_n)
    assert list(three.columns) == list(two.columns)
    assert not [c for c in three.columns if "@" in c or c.endswith(("_3", "_2"))]
    both = pd.concat([three, two], ignore_index=True)
    assert sorted(both["n_cycles"]) == [2, 3]
    row3 = both[both["n_cycles"] == 3].iloc[0]
    assert row3["survival_at_n"] == pytest.approx(4 / 9) and row3["trials"] == 9
    assert row3["language"] == "en" and row3["cycles"] == 3  # settings as plain values
    assert row3["drift_semantic"] == pytest.approx(2 / 9)
    assert both[both["n_cycles"] == 2].iloc[0]["survival_at_n"] == 1.0


def test_curves_are_long_with_n_as_a_value(two_n: tuple[Path, Path]) -> None:
    curves = pd.concat([frames.curves_df(p) for p in two_n], ignore_index=True)
    assert {"cycle", "survival", "survival_low", "survival_high", "n_cycles"} <= set(curves.columns)
    assert curves["survival"].between(0, 1).all()  # one scale: fractions
    fb = curves[(curves["problem"] == "fizzbuzz") & (curves["n_cycles"] == 3)].sort_values("cycle")
    assert list(fb["cycle"]) == [1, 2, 3] and list(fb["survival"]) == [0.8, 0.4, 0.4]


def test_trials_and_cycles_frames_are_typed_rows(two_n: tuple[Path, Path]) -> None:
    trials, cycles = frames.trials_df(two_n[0]), frames.cycles_df(two_n[0])
    assert len(trials) == 10 and trials["language"].eq("en").all()
    assert trials.columns[0] == "source" and "cycles_survived" in trials.columns
    assert len(cycles) > 0 and {"cycle", "passed", "category"} <= set(cycles.columns)
