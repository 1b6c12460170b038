"""`benchmarks/overhead.py --log`: the harness share of a real-model log, resumed logs included."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log
from script_modules import ROOT, load_script

overhead = load_script("overhead", "benchmarks")
MASKED = ROOT / "logs" / "results" / "gap-0.5b-masked"


def _final_log() -> Path:
    logs = sorted(MASKED.glob("*.eval")) if MASKED.is_dir() else []
    for path in reversed(logs):
        if read_eval_log(str(path), header_only=True).status == "success":
            return path
    pytest.skip("the committed masked gap log is not here")


def test_a_resumed_log_counts_only_the_trials_its_own_run_generated() -> None:
    log = read_eval_log(str(_final_log()))
    result = overhead.split(log)
    assert result["carried"] > 0 and result["trials"] + result["carried"] == len(log.samples or [])
    assert result["model_s"] < result["wall_s"]  # carried trials' model time would exceed the wall
    assert 0.0 < result["harness_share"] < 0.2
    whole = sum(
        float(e.working_time or 0.0) for s in log.samples or [] for e in s.events if e.event == "model"
    )
    assert whole > result["wall_s"]  # what the share was computed from before: impossible
