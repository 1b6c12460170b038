"""The rescored study as files (rescore/markdown.py): every file, and the summary's numbers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from roundtrip_eval.analysis.rescore.markdown import write_outputs
from roundtrip_eval.analysis.rescore.tables import totals

from .test_tables import study_rows


def test_write_outputs_writes_every_file_from_the_same_rows(tmp_path: Path) -> None:
    rows = study_rows()
    files = write_outputs(tmp_path, rows, {("m:1b", "fizzbuzz", "en"): 86.7}, "roundtrip-docker")
    assert sorted(files) == [
        "comparison.csv",
        "comparison.md",
        "headline.csv",
        "headline.md",
        "summary.md",
        "totals.json",
        "trials.csv",
    ]
    assert all(path.is_file() and path.parent == tmp_path for path in files.values())
    assert json.loads(files["totals.json"].read_text()) == totals(rows)
    with files["trials.csv"].open() as fh:
        assert len(list(csv.DictReader(fh))) == len(rows)
    comparison = files["comparison.md"].read_text()
    assert "| k | m:1b | fizzbuzz | en | 3/4 | 86.7% | 2/4 [" in comparison
    headline = files["headline.md"].read_text()
    assert "| m:1b | en | k | 3/4 | 2/4 (0) | 0/4 | 0/4 (3) | +75% (" in headline
    summary = files["summary.md"].read_text()
    assert summary.startswith("# The original study's trials, rescored under roundtrip-eval's rules")
    assert "8 trials (5 published failures) replayed" in summary and "`roundtrip-docker` sandbox" in summary
    assert "- Rescored: 2 survived, 3 failed, 3 censored, 0 errored" in summary
    assert comparison in summary and headline in summary
