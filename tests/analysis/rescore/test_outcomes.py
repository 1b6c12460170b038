"""Eval logs -> per-trial rows (rescore/outcomes.py, pure): the record of one trial and the
classification of artifacts and new failures."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from roundtrip_eval.analysis import upstream as up
from roundtrip_eval.analysis.rescore.outcomes import (
    classify,
    original_checks_needed,
    trial_record,
    trial_rows,
)
from roundtrip_eval.analysis.rescore.plan import Repeat, plan_evals

from ..upstream_trials import SYNTAX_STATUS, cycle, make_trial, passing


def sample(*passed: bool, category: str = "semantic", error: str | None = None, epoch: int = 1) -> Any:
    """A stand-in for an EvalSample: our cycle history (one record per verdict)."""
    history = [
        {"cycle": i, "passed": ok, "category": "none" if ok else category, "code": f"ours {i}"}
        for i, ok in enumerate(passed, start=1)
    ]
    return SimpleNamespace(
        store={"cycles": history}, error=SimpleNamespace(message=error) if error else None, epoch=epoch
    )


def test_an_artifact_is_censored_consistent_and_keeps_both_codes() -> None:
    original = make_trial([*passing(1), cycle(2, code=SYNTAX_STATUS)])  # fails at K = 2
    [plan] = plan_evals([original])
    row = trial_record(plan, 1, original, sample(True, True), "logs/a.eval")
    assert (row["status"], row["cycles_survived"], row["censor_reason"]) == (
        "censored",
        2,
        "original_failure_passes",
    )
    assert (row["original_class"], row["original_stop_cycle"], row["original_stop_kind"]) == (
        up.ARTIFACT,
        2,
        "code",
    )
    assert (row["log_status"], row["log_cycles_survived"], row["consistent"]) == ("censored", 2, True)
    assert (row["_ours"], row["_original"]) == ("ours 2", original.cycles[1].code_clean)
    assert (row["n_cycles"], row["log"], row["error"]) == (up.UPSTREAM_CYCLES, "logs/a.eval", None)


def test_a_new_failure_keeps_the_codes_of_its_failing_cycle() -> None:
    survivor = make_trial(passing(3), survived=True)
    [plan] = plan_evals([survivor])
    row = trial_record(plan, 1, survivor, sample(True, False, category="return_type"), "x")
    assert (row["status"], row["fail_cycle"], row["category"], row["new_failure"]) == (
        "failed",
        2,
        "return_type",
        True,
    )
    assert row["original_class"] is None and row["new_failure_class"] is None
    assert (row["_ours"], row["_original"]) == ("ours 2", survivor.cycles[1].code_clean)
    # our code differs from the original's, which compiles: our checker must judge the original
    assert original_checks_needed([row]) == {0: ("fizzbuzz", "code")}


def test_errored_or_missing_samples_are_errors_not_outcomes(tmp_path: Path) -> None:
    trials = [make_trial(passing(3), survived=True, run=r) for r in (1, 2)]
    [plan] = plan_evals(trials)
    errored = trial_record(plan, 1, trials[0], sample(True, error="sandbox died"), "x")
    assert (errored["status"], errored["consistent"], errored["error"]) == ("error", False, "sandbox died")
    assert "cycles_survived" not in errored and "_ours" not in errored
    log = SimpleNamespace(
        samples=[sample(True, True, True, epoch=2)], location=str(tmp_path / "logs" / "a.eval")
    )
    rows = trial_rows([plan], [log], tmp_path)
    assert [(r["run"], r["status"], r["log"]) for r in rows] == [
        (1, "error", "logs/a.eval"),
        (2, "survived", "logs/a.eval"),
    ]
    assert rows[0]["error"] is None  # epoch 1 left no sample at all
    assert [r["status"] for r in trial_rows([plan], [None], tmp_path)] == ["error", "error"]


def test_classify_fills_in_artifacts_and_new_failures() -> None:
    ours = "def f(n):\n    return n\n"
    rows: list[dict[str, Any]] = [
        {"original_class": up.ARTIFACT, "_ours": ours, "_original": ours + "```"},
        {"original_class": up.ARTIFACT, "_ours": ours, "_original": "def f(n):\n    return 2\n"},
        {"original_class": None, "new_failure": True, "_ours": ours, "_original": ours},
        {"original_class": None, "new_failure": True, "_ours": ours, "_original": "def f(n): return 3"},
    ]
    classify(rows, {1: False, 3: True})
    assert [r.get("original_class") for r in rows] == [up.EXTRACTION_ARTIFACT] * 2 + [None, None]
    assert [r.get("new_failure_class") for r in rows[2:]] == ["stricter_checker", "extraction_regression"]
    assert all("_ours" not in r for r in rows)


def test_a_repeat_gets_the_replayed_trials_verdicts_under_its_own_identity(tmp_path: Path) -> None:
    original = make_trial([*passing(1), cycle(2, code=SYNTAX_STATUS)], run=1)
    repeat = replace(original, batch="other", run=7, name="m-1b_en_pseudocode_guided_fizzbuzz_run7")
    [plan] = plan_evals([original])
    log = SimpleNamespace(samples=[sample(True, False)], location=str(tmp_path / "logs" / "a.eval"))
    rows = trial_rows([plan], [log], tmp_path, [Repeat(repeat, original)])
    assert [(r["batch"], r["run"], r["replayed_as"]) for r in rows] == [
        ("b", 1, None),
        ("other", 7, "b/m-1b_en_pseudocode_guided_fizzbuzz_run1"),
    ]
    assert rows[0]["status"] == rows[1]["status"] == "failed" and rows[1]["consistent"]
    assert rows[1]["log"] == "logs/a.eval" and rows[1]["original_class"] == up.GENUINE
