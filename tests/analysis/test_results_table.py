"""The README's results table (`results.md` of a report folder, printed by `roundtrip-eval-dev
results-table`), by hand.

The scripted run (scripted_logs.py): fizzbuzz 5 scored, survival@1 4/5, survival@3 2/5, mean
cycles (3+1+3+0+1)/5 = 1.6; separate_vowels 4 scored (1 infrastructure error), 3/4, 2/4,
mean (0+3+2+3)/4 = 2.0. Wilson 95%: 4/5 [37.6%, 96.4%], 2/5 [11.8%, 76.9%], 3/4 [30.1%, 95.4%],
2/4 [15.0%, 85.0%].
"""

from __future__ import annotations

from pathlib import Path

import pytest

from roundtrip_eval.analysis.aggregate import build_report
from roundtrip_eval.analysis.read import load_rows
from roundtrip_eval.analysis.report import write_report
from roundtrip_eval.analysis.results_table import results_table
from roundtrip_eval.cli.maintainer import main

from .scripted_logs import FB, SV


@pytest.fixture(scope="module")
def report_dir(logdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    trials, cycles, _ = load_rows(logdir, progress=False)
    out = tmp_path_factory.mktemp("report")
    write_report(build_report(trials, cycles, n_boot=200), out, "logs", figures=False)
    return out


def test_results_table_by_hand(report_dir: Path) -> None:
    header, rule, *rows = results_table(report_dir)
    assert header.startswith("| model | lang | problem | trials | survival@1 [95% CI] |")
    assert rule == "|---|---|---|---|---|---|---|---|"
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    assert [c[2] for c in cells] == [FB, SV]
    fb, sv = cells
    assert fb[1:] == [
        "en",
        FB,
        "5",
        "4/5 [38%, 96%]",
        "2/5 [12%, 77%]",
        "1.6",
        "censored 1, extraction 1, return_type 1",
    ]
    assert sv[1:] == ["en", SV, "4", "3/4 [30%, 95%]", "2/4 [15%, 85%]", "2.0", "infra_error 1, semantic 2"]
    assert fb[0] == sv[0] and fb[0].startswith("replay/")


def test_the_command_prints_it_and_names_a_wrong_folder(
    report_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["results-table", str(report_dir)]) == 0
    assert capsys.readouterr().out.splitlines() == results_table(report_dir)
    assert main(["results-table", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "results.md" in err and "roundtrip-eval report" in err
