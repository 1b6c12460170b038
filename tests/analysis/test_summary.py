"""`roundtrip-eval summary`: the metrics Inspect computed into a log, in the terminal.

On the scripted run (scripted_logs.py): 10 trials, 1 infrastructure error, so 9 scored.
survival@1 = fizzbuzz 4/5 (only e4 failed at 1) + separate_vowels 3/4 = 7/9; survival@2 =
2 + 3 = 5/9 (fizzbuzz e2 failed at 2, e5 was censored after 1); survival@3 = 2 + 2 = 4/9.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from roundtrip_eval.analysis.summary import latest_log
from roundtrip_eval.cli import main


def test_summary_prints_survival_at_k_and_drift(logdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(logdir)]) == 0
    out = capsys.readouterr().out
    lines = [line.split() for line in out.splitlines()]
    assert lines[0][:1] == ["roundtrip_eval/roundtrip"] and lines[0][-2:] == ["status", "success"]
    assert "cycles=3 language=en spec_format=pseudocode sandbox=local" in out
    rows = {line[0]: line[1:] for line in lines[2:] if line and line[0].startswith("survival@")}
    assert rows["survival@1"] == ["0.778", "(7/9", "trials)"]
    assert rows["survival@2"] == ["0.556", "(5/9", "trials)"]
    assert rows["survival@3"] == rows["survival@N"] == ["0.444", "(4/9", "trials)"]
    # drift of the 9 scored trials: none 5 (the censored one included), semantic 2, 1 each else
    assert "drift: semantic          0.222" in out and "drift: return_type       0.111" in out
    assert "1 trial(s) hit an infrastructure error and were not scored" in out
    assert out.rstrip().splitlines()[-1].startswith(f"log: {logdir}")


def test_the_newest_log_of_a_folder_is_summarised(logdir: Path, tmp_path: Path) -> None:
    [log] = sorted(logdir.glob("*.eval"))
    old, new = tmp_path / "a_old.eval", tmp_path / "b_new.eval"
    shutil.copy(log, new)
    shutil.copy(log, old)  # copied last, but dated older
    os.utime(old, (1_000_000_000, 1_000_000_000))
    assert latest_log(tmp_path) == new
    assert latest_log(old) == old


def test_a_folder_without_logs_fails_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no Inspect logs" in err and "run an eval first" in err
