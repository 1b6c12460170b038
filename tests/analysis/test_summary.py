"""`roundtrip-eval summary`: every run under a folder, per problem and pooled (labelled).

On the scripted run (scripted_logs.py): 10 trials, 1 infrastructure error, so 9 scored.
survival@1 = fizzbuzz 4/5 (only e4 failed at 1) + separate_vowels 3/4 = 7/9; survival@3 =
2 + 2 = 4/9 (fizzbuzz e2 failed at 2, e5 was censored after 1).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from replay_scripts import surviving, write

from roundtrip_eval.cli import main
from roundtrip_eval.eval.tasks import fizzbuzz

SV = "separate_vowels_and_consonants"


def table(out: str) -> dict[str, list[str]]:
    """Rows of the printed tables by their first cell (the problem, or `pooled (...)`)."""
    rows = {}
    for line in out.splitlines():
        if line.startswith("  ") and not line.strip().startswith("problem"):
            label = line[2:].split("  ")[0].strip()
            rows[label] = line[2 + len(label) :].split()
    return rows


def test_each_problem_and_the_pooled_row(logdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(logdir)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{logdir}: 1 log(s), 1 run(s) (model x configuration x problem set)"
    assert "en/pseudocode/tolerant N=3" in out and "problem" in out and "survival@3" in out
    rows = table(out)
    assert rows["fizzbuzz"][:7] == ["5", "4/5", "=", "0.80", "2/5", "=", "0.40"]
    assert rows[SV][:9] == ["4", "+1", "err", "3/4", "=", "0.75", "2/4", "=", "0.50"]
    pooled = rows["pooled (2 problems)"]
    assert pooled[:9] == ["9", "+1", "err", "7/9", "=", "0.78", "4/9", "=", "0.44"]
    assert "semantic 2" in " ".join(pooled)  # the first failures, pooled
    assert "1 trial(s) hit an infrastructure error and were not scored" in out


def test_every_run_of_a_folder_gets_its_block(
    logdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for log in logdir.glob("*.eval"):
        shutil.copy(log, tmp_path / log.name)
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", "*"): surviving("fizzbuzz", 2)})
    inspect_eval(
        fizzbuzz(sandbox="local", cycles=2, epochs=2, spec_format="prose"), model=f"replay/{script}",
        log_dir=str(tmp_path / "prose"), display="none",
    )  # fmt: skip
    assert main(["summary", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{tmp_path}: 2 log(s), 2 run(s) (model x configuration x problem set)"
    blocks = out.split("\n\n")[1:]
    assert len(blocks) == 2 and any("en/prose/tolerant N=2" in b for b in blocks)
    [prose] = [b for b in blocks if "en/prose/tolerant N=2" in b]
    assert table(prose)["fizzbuzz"][:7] == ["2", "2/2", "=", "1.00", "2/2", "=", "1.00"]
    assert "pooled" not in prose  # one problem: nothing to pool


def test_a_folder_without_logs_fails_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no Inspect logs" in err and "run an eval first" in err
