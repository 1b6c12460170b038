"""The whole-study files and summary sections (rescore/study.py) and the one progress line
(rescore/progress.py), on made-up rows and trials."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from roundtrip_eval.analysis import upstream as up
from roundtrip_eval.analysis.rescore.progress import Capture, ProgressLine, capturing
from roundtrip_eval.analysis.rescore.study import write_study
from roundtrip_eval.stats.survival import wilson_interval

from ..upstream_trials import make_trial, passing
from .test_tables import config_rows


def _published(root: Path, successes: int, trials: int) -> None:
    (root / "published").mkdir(parents=True)
    low, high = wilson_interval(successes, trials)
    header = "model,test_case,n_type,test_type,lang,spec,prompt_style,trials,successes,ci_lower,ci_upper"
    row = f"m-1b,fizzbuzz,n=30,standard,en,pseudocode,guided,{trials},{successes},{low},{high}"
    (root / "published" / "analysis_with_ci.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")


def test_write_study_writes_every_table_and_names_the_exceptions(tmp_path: Path) -> None:
    trials = [make_trial(passing(10), survived=True, run=1), make_trial(passing(3), run=2)]
    _published(tmp_path / "data", successes=2, trials=2)  # raw/ gives 1 of 2: a difference
    skipped = [up.Skipped("b/junk", "no result.json")]
    files, sections = write_study(tmp_path / "out", config_rows(), tmp_path / "data", trials, skipped)
    for name in ("models.csv", "models.md", "configurations.csv", "configurations.md", "factors.md"):
        assert files[name].is_file()
    check = files["published_check.md"].read_text()
    assert "Of the 1 rows" in check and "0 are reproduced exactly" in check and "1 differ" in check
    assert "raw/ gives 1/2, the table 2/2" in check
    with files["configurations.csv"].open() as fh:
        assert sorted(r["mode"] for r in csv.DictReader(fh)) == ["forgiving", "strict"]
    with files["skipped.csv"].open() as fh:
        assert list(csv.DictReader(fh)) == [{"folder": "b/junk", "reason": "no result.json"}]
    spec = json.loads(files["curves/all.vl.json"].read_text())
    series = {v["series"] for v in spec["data"]["values"]}
    assert len(series) == 3 and any("published" in s for s in series)
    assert files["survival_curves.png"].stat().st_size > 0 and files["curves/m_1b__fizzbuzz.png"].is_file()
    # the summary gets the check, the per-model table, and where the rest lives
    assert (
        sections[0] == check
        and "## Per model" in sections[1]
        and "| m:1b | fizzbuzz | 2 | 5 |" in sections[1]
    )
    assert "skipped folders: 1" in sections[-1]
    factors = files["factors.md"].read_text()
    assert "## Extraction mode (strict vs forgiving), per model and task" in factors


def test_progress_is_one_line_per_step_off_a_terminal() -> None:
    stream = io.StringIO()
    line = ProgressLine(40, stream=stream)
    for _ in range(40):
        line.advance(checks=2)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 21 and lines[-1].startswith("rescore-upstream: 40/40 replays (100%), 80 checks")
    quiet = io.StringIO()
    silent = ProgressLine(3, stream=quiet, enabled=False)
    silent.advance(1)
    assert quiet.getvalue() == "" and silent.done == 1


def test_capture_keeps_each_finished_sample_by_eval_group() -> None:
    meta = {
        "language": "en",
        "upstream": {"batch": "b", "model": "m:1b", "spec_format": "pseudocode", "prompt_style": "guided"},
        "upstream_trials": {"task": "fizzbuzz"},
    }
    with capturing(ProgressLine(2, stream=io.StringIO())) as capture:
        assert isinstance(capture, Capture)
        capture.task_start("e1", meta)
        history: list[dict[str, Any]] = [
            {
                "cycle": 1,
                "code": "x",
                "passed": True,
                "category": "none",
                "detail": "ok",
                "spec_reply": "long",
            },
            {"cycle": 2, "code": None, "passed": False, "category": "extraction", "detail": "no code"},
        ]
        capture.sample_end("e1", SimpleNamespace(epoch=2, store={"cycles": history}, error=None))
        capture.task_end("e1", "logs/e1.eval")
    group = up.EvalGroup("b", "m:1b", "en", "pseudocode", "guided", "fizzbuzz")
    result = capture.result(group)
    assert result is not None and result.location == "logs/e1.eval"
    # what the rows read of each cycle is kept; the rest (replies, evidence) stays in the logs
    kept = [{k: c.get(k) for k in ("cycle", "passed", "category", "detail", "code")} for c in history]
    assert [(s.epoch, s.store["cycles"]) for s in result.samples] == [(2, kept)]
    assert capture.progress.checks == 1  # cycles with code
