"""The solver takes the settings object and reads every trial setting from it.

Replayed candidates are our own literals, so these run in the `local` sandbox.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalSample, resolve_sample_attachments
from replay_scripts import trial, write

from roundtrip_eval.eval.prompts import render
from roundtrip_eval.eval.seeds import derive_seed
from roundtrip_eval.eval.settings import TrialSettings
from roundtrip_eval.eval.solver import roundtrip_solver
from roundtrip_eval.eval.tasks import trial_task
from roundtrip_eval.problems.load import load_problem

REF = load_problem("fizzbuzz").reference
STR_N = REF.replace("return n", "return str(n)")


def run_trial(tmp_path: Path, settings: TrialSettings, codes: list[Any]) -> EvalSample:
    tmp_path.mkdir(parents=True, exist_ok=True)
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", "*"): trial("fizzbuzz", codes)})
    task = trial_task(["fizzbuzz"], settings)
    [log] = inspect_eval(task, model=f"replay/{script}", log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    [sample] = log.samples or []
    return resolve_sample_attachments(sample)


def test_solver_is_built_from_one_settings_object() -> None:
    settings = TrialSettings(cycles=4, seed=9)
    solver = roundtrip_solver(settings)
    params = getattr(solver, "__registry_params__")  # noqa: B009 - Inspect's registry attribute
    assert TrialSettings(**params["settings"]) == settings


def test_stop_on_failure_comes_from_the_settings(tmp_path: Path) -> None:
    base = {"cycles": 2, "epochs": 1, "sandbox": "local"}
    stopped = run_trial(tmp_path / "a", TrialSettings(**base), [STR_N, REF])
    assert [c["passed"] for c in stopped.store["cycles"]] == [False]
    going = run_trial(tmp_path / "b", TrialSettings(**base, stop_on_failure=False), [STR_N, REF])
    assert [c["passed"] for c in going.store["cycles"]] == [False, True]


def test_seed_language_and_spec_format_come_from_the_settings(tmp_path: Path) -> None:
    settings = TrialSettings(cycles=2, epochs=1, sandbox="local", seed=7, language="ja", spec_format="prose")
    sample = run_trial(tmp_path, settings, [REF, REF])
    seeds = [c["seeds"] for c in sample.store["cycles"]]
    assert seeds == [{s: derive_seed(7, 1, cycle, s) for s in ("g", "f")} for cycle in (1, 2)]
    first_g = next(e for e in sample.events if e.event == "model")
    assert first_g.input[0].text == render("g", "ja", "prose", REF)
    assert first_g.config.seed == seeds[0]["g"]
