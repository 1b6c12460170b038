"""The tasks: each builds; the per-problem tasks and generalization_gap forward their settings
to the same parser as `roundtrip`; the log metadata is the settings' dump."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import Task
from inspect_ai.log import read_eval_log
from replay_scripts import surviving, write

from roundtrip_eval import __version__
from roundtrip_eval.analysis.rows import config_label
from roundtrip_eval.eval import tasks
from roundtrip_eval.eval.prompts import prompt_set_version
from roundtrip_eval.eval.settings import SettingError, TrialSettings
from roundtrip_eval.eval.tasks import fizzbuzz, generalization_gap, roundtrip

SINGLE = {
    name: getattr(tasks, name)
    for name in ("fizzbuzz", "get_magic_number", "separate_vowels_and_consonants", "process_user_list")
}
ARGS: dict[str, Any] = {
    "cycles": 3, "language": "ja", "spec_format": "prose", "extraction": "strict", "seed": 7,
    "temperature": 1, "max_tokens": 256, "epochs": 4, "stop_on_failure": False, "blame": 2,
    "mask_names": True, "call_timeout": 1.5, "check_timeout": 12,
}
# what the readers of `eval.metadata` look up (analysis.rows, analysis.summary, rescore)
READ_KEYS = ("cycles", "language", "spec_format", "extraction", "sandbox", "seed", "temperature",
             "max_tokens", "mask_names", "variant", "prompt_set_version", "roundtrip_eval_version",
             "problems")


def solver_settings(task: Task) -> TrialSettings:
    """The settings the task's solver was built with (as Inspect's registry params hold them)."""
    from inspect_ai.solver._plan import Plan

    solver = task.solver.steps[0] if isinstance(task.solver, Plan) else task.solver
    params = getattr(solver, "__registry_params__", None)
    assert params is not None, "the solver carries no registry params"
    return TrialSettings(**params["settings"])


def scorer_name(scorer: Any) -> str:
    return str(scorer.__registry_info__.name)


def dump_plus(settings: TrialSettings, problems: list[str]) -> dict[str, Any]:
    return {
        **settings.model_dump(),
        "prompt_set_version": prompt_set_version(),
        "roundtrip_eval_version": __version__,
        "problems": problems,
    }


def test_roundtrip_builds_with_defaults_and_metadata_is_the_dump() -> None:
    task = roundtrip(problems="fizzbuzz,get_magic_number")
    assert task.metadata == dump_plus(TrialSettings(), ["fizzbuzz", "get_magic_number"])
    assert task.epochs == 30 and task.config.temperature == 0.7 and task.config.max_tokens == 1024
    assert solver_settings(task) == TrialSettings()


@pytest.mark.parametrize("problem", sorted(SINGLE))
def test_per_problem_task_forwards_like_roundtrip(problem: str) -> None:
    single, general = SINGLE[problem](**ARGS), roundtrip(problems=problem, **ARGS)
    settings = TrialSettings(**ARGS)
    assert single.metadata == general.metadata == dump_plus(settings, [problem])
    assert solver_settings(single) == solver_settings(general) == settings
    assert single.dataset.name == problem and general.dataset.name == "roundtrip"
    assert len(single.dataset) == 1 and single.dataset[0].id == problem


def test_settings_reach_the_task() -> None:
    task = fizzbuzz(**ARGS, spec_model="mockllm/model", code_model="mockllm/model")
    assert task.epochs == 4
    assert task.config.temperature == 1.0 and task.config.max_tokens == 256
    assert task.model_roles is not None and set(task.model_roles) == {"spec", "code"}
    scorers = [scorer_name(s) for s in task.scorer or []]
    assert "roundtrip_eval/blame" in scorers
    assert fizzbuzz().model_roles is None
    assert "roundtrip_eval/blame" not in [scorer_name(s) for s in fizzbuzz().scorer or []]


def test_generalization_gap_forwards_and_adds_its_scorer() -> None:
    task = generalization_gap(pairs="fizzbuzz", **ARGS)
    problems = ["chime_label", "fizzbuzz"]
    assert task.metadata == dump_plus(TrialSettings(**ARGS), problems)
    assert task.dataset.name == "generalization_gap"
    scorers = [scorer_name(s) for s in task.scorer or []]
    assert scorers[-1] == "roundtrip_eval/generalization"
    # every setting, not the subset the task used to spell out again
    assert generalization_gap(pairs="fizzbuzz", variant="constants").metadata["variant"] == "constants"


@pytest.mark.parametrize("make", [roundtrip, generalization_gap, *SINGLE.values()])
def test_signature_and_docstring_list_every_setting(make: Any) -> None:
    parameters = inspect.signature(make).parameters
    fields = TrialSettings.model_fields
    own = [n for n in parameters if n not in fields and n != "kwargs"]
    assert own == {roundtrip: ["problems"], generalization_gap: ["pairs"]}.get(make, [])
    for name, field in fields.items():
        assert parameters[name].default == field.default, name
        assert f"    {name}: {field.description} (default " in (make.__doc__ or ""), name
    for name in own:
        assert f"    {name}: " in (make.__doc__ or ""), name


@pytest.mark.parametrize("make", [roundtrip, generalization_gap, fizzbuzz])
def test_unknown_parameter_is_refused(make: Any) -> None:
    with pytest.raises(SettingError, match=r"^-T colour=red refused: \w+ has no such parameter"):
        make(colour="red")
    with pytest.raises(SettingError, match="^-T name=x refused"):
        make(name="x")  # not a way into the builder's own keyword


def test_bad_selectors_are_refused_in_one_line() -> None:
    with pytest.raises(SettingError, match=r"^-T problems=nope refused: unknown problem 'nope'; \d+ kno"):
        roundtrip(problems="nope")
    with pytest.raises(SettingError, match=r"^-T pairs=nope refused: unknown pair 'nope'; \d+ known: "):
        generalization_gap(pairs="nope")


def test_a_mistyped_name_gets_the_closest_one_instead_of_the_whole_list() -> None:
    with pytest.raises(SettingError) as refused:
        roundtrip(problems="fizbuzz,is_leap_yr")
    assert str(refused.value) == (
        "-T problems=fizbuzz,is_leap_yr refused: unknown problems 'fizbuzz' (did you mean "
        "'fizzbuzz'?), 'is_leap_yr' (did you mean 'is_leap_year'?)"
    )
    with pytest.raises(SettingError, match=r"^-T cycels=3 refused: fizzbuzz has no such parameter "
                       r"\(did you mean cycles\? it takes cycles, "):
        fizzbuzz(cycels=3)
    with pytest.raises(SettingError, match=r"^-T variant=nope refused: none of fizzbuzz declares it"):
        fizzbuzz(variant="nope")


def test_metadata_keeps_every_key_its_readers_use() -> None:
    meta = fizzbuzz(variant="constants").metadata or {}
    for key in READ_KEYS:
        assert key in meta, key
    assert config_label(meta, {}).startswith("en/pseudocode/tolerant N=10 T=0.7 prompts=")
    assert "variant=constants" in config_label(meta, {})


@pytest.mark.slow
def test_inspect_eval_passes_task_arguments_to_a_per_problem_task(tmp_path: Path) -> None:
    """`inspect eval roundtrip_eval/fizzbuzz -T cycles=3` (our own replayed code, local sandbox)."""
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", "*"): surviving("fizzbuzz", 3)})
    inspect_cli = Path(sys.executable).parent / "inspect"
    run = subprocess.run(
        [str(inspect_cli), "eval", "roundtrip_eval/fizzbuzz", "--model", f"replay/{script}",
         "-T", "cycles=3", "-T", "sandbox=local", "-T", "stop_on_failure=false", "--epochs", "1",
         "--log-dir", str(tmp_path / "logs"), "--display", "none"],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "400"}, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    [path] = (tmp_path / "logs").iterdir()
    log = read_eval_log(str(path))
    assert log.status == "success"
    assert log.eval.task == "roundtrip_eval/fizzbuzz"
    meta = log.eval.metadata or {}
    assert (meta["cycles"], meta["sandbox"], meta["stop_on_failure"]) == (3, "local", False)
    assert log.eval.task_args["cycles"] == 3
    [sample] = log.samples or []
    assert [c["cycle"] for c in sample.store["cycles"]] == [1, 2, 3]
    assert sample.scores is not None and sample.scores["survival"].value["survived"] == 1
