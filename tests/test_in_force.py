"""The log records the settings that ran, whichever way they were given (issue 31, part 1).

Each route runs a real two-trial eval of fizzbuzz (replayed code, one cycle, local sandbox) and
reads back the log: its task args, its metadata, Inspect's own config, `evals_df` and our
export's settings must all name 2 epochs, temperature 0.3 and 200 tokens, and the log must hold
2 trials, and every model call in it must have been made with that temperature and limit. The
routes: `-T`, Inspect's `--epochs/--temperature/--max-tokens` (also against a different
`-T epochs`), Inspect's config files (`--task-config`, `--generate-config`), `inspect eval-set`
with Inspect's flags, `inspect eval-retry` of a run that failed part-way (the retried log keeps
the first run's settings), `eval_set()`, Python `eval()` on a task name and on a task object, and a
model given its own generation config (`get_model(config=)`, `--model-spec`), which the task's
config overrides in Inspect: the log says the task's values, as the calls were made.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from copy import copy
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai import eval_set
from inspect_ai.analysis import evals_df
from inspect_ai.log import EvalLog, read_eval_log
from inspect_ai.model import GenerateConfig, get_model
from replay_scripts import spec, surviving, write

from roundtrip_eval.analysis.read import read_rows
from roundtrip_eval.eval.tasks import fizzbuzz

RAN = {"epochs": 2, "temperature": 0.3, "max_tokens": 200}
LOCAL = {"cycles": 1, "sandbox": "local"}
QUIET: dict[str, Any] = {"display": "none"}


def replay_model(tmp_path: Path) -> str:
    return f"replay/{write(tmp_path / 'replay.jsonl', {('fizzbuzz', '*'): surviving('fizzbuzz', 1)})}"


def assert_log_records_what_ran(log_dir: Path) -> None:
    """Every place a reader finds a setting says what ran: 2 epochs, T=0.3, 200 tokens."""
    [path] = [p for p in log_dir.iterdir() if p.suffix == ".eval"]
    log = read_eval_log(str(path))
    assert log.status == "success"
    assert len(log.samples or []) == RAN["epochs"]  # what ran
    assert log.eval.config.epochs == RAN["epochs"]
    assert (log.plan.config.temperature, log.plan.config.max_tokens) == (0.3, 200)
    meta = log.eval.metadata or {}
    for name, value in RAN.items():
        assert log.eval.task_args[name] == value, ("task_args", name)
        assert meta[name] == value, ("metadata", name)
    frame = evals_df(str(path), quiet=True)
    for name, value in RAN.items():
        assert frame[f"task_arg_{name}"].iloc[0] == value, ("evals_df", name)
    trials, _cycles, _errors = read_rows(log_dir, progress=False)
    assert {(t["temperature"], t["max_tokens"]) for t in trials} == {(0.3, 200)}
    assert {json.loads(t["settings_json"])["epochs"] for t in trials} == {2}
    assert calls_made_with(log) == {(0.3, 200)}  # and the calls were made with them


def calls_made_with(log: EvalLog) -> set[tuple[float | None, int | None]]:
    """(temperature, max_tokens) of every model call in the log's samples, as made."""
    made = {
        (event.config.temperature, event.config.max_tokens)
        for sample in log.samples or []
        for event in sample.events
        if event.event == "model"
    }
    assert made, "no model call in the log"
    return made


def run_cli(
    tmp_path: Path, *args: str, command: str = "eval", local: bool = True, model: str | None = None
) -> None:
    inspect_cli = Path(sys.executable).parent / "inspect"
    task_args = ["-T", "cycles=1", "-T", "sandbox=local"] if local else []
    run = subprocess.run(
        [str(inspect_cli), command, "roundtrip_eval/fizzbuzz", "--model", model or replay_model(tmp_path),
         *task_args, *args, "--log-dir", str(tmp_path / "logs"), "--display", "none"],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "400"}, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.slow
def test_task_arguments_route(tmp_path: Path) -> None:
    run_cli(tmp_path, "-T", "epochs=2", "-T", "temperature=0.3", "-T", "max_tokens=200")
    assert_log_records_what_ran(tmp_path / "logs")


@pytest.mark.slow
def test_inspect_flags_route_wins_over_task_arguments(tmp_path: Path) -> None:
    """`--epochs 2` beside `-T epochs=5`: Inspect runs 2, so the log says 2 everywhere."""
    run_cli(tmp_path, "-T", "epochs=5", "--epochs", "2", "--temperature", "0.3", "--max-tokens", "200")
    assert_log_records_what_ran(tmp_path / "logs")
    [path] = (tmp_path / "logs").iterdir()
    assert read_eval_log(str(path), header_only=True).eval.task_args_passed["epochs"] == 5


@pytest.mark.slow
def test_config_files_route(tmp_path: Path) -> None:
    """`--task-config` and `--generate-config` files (JSON is YAML), as Inspect reads them."""
    task_config, generate_config = tmp_path / "task.yaml", tmp_path / "generate.yaml"
    task_config.write_text(json.dumps({**LOCAL, "epochs": 2}), encoding="utf-8")
    generate_config.write_text(json.dumps({"temperature": 0.3, "max_tokens": 200}), encoding="utf-8")
    files = ("--task-config", str(task_config), "--generate-config", str(generate_config))
    run_cli(tmp_path, *files, local=False)
    assert_log_records_what_ran(tmp_path / "logs")


@pytest.mark.slow
def test_eval_set_command_route(tmp_path: Path) -> None:
    run_cli(tmp_path, "--epochs", "2", "--temperature", "0.3", "--max-tokens", "200", command="eval-set")
    assert_log_records_what_ran(tmp_path / "logs")


@pytest.mark.slow
def test_eval_retry_route(tmp_path: Path) -> None:
    """A run given Inspect's flags fails at its second trial; `inspect eval-retry` (no flags of
    its own) finishes it, and the new log records the first run's settings, as its calls ran."""
    script = write(
        tmp_path / "replay.jsonl",
        {("fizzbuzz", 1): surviving("fizzbuzz", 1), ("fizzbuzz", 2): [spec(1), {"error": "reset"}]},
    )
    flags = ("--epochs", "2", "--temperature", "0.3", "--max-tokens", "200")
    run_cli(tmp_path, *flags, model=f"replay/{script}")
    [failed] = (tmp_path / "logs").iterdir()
    assert read_eval_log(str(failed), header_only=True).status == "error"
    write(script, {("fizzbuzz", "*"): surviving("fizzbuzz", 1)})  # the server is back
    inspect_cli = Path(sys.executable).parent / "inspect"
    retried = tmp_path / "retried"
    retry = subprocess.run(
        [str(inspect_cli), "eval-retry", str(failed), "--log-dir", str(retried), "--display", "none"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert retry.returncode == 0, retry.stdout + retry.stderr
    assert_log_records_what_ran(retried)


def test_eval_set_route(tmp_path: Path) -> None:
    """And the same eval-set again finds its log complete: the recorded task args (in force, not
    as passed) still identify the task to Inspect, so nothing runs twice."""
    model = replay_model(tmp_path)
    for _ in range(2):
        ok, [log] = eval_set(
            "roundtrip_eval/fizzbuzz", log_dir=str(tmp_path / "logs"), model=model,
            task_args=LOCAL, epochs=2, temperature=0.3, max_tokens=200, retry_attempts=0, **QUIET,
        )  # fmt: skip
        assert ok and log.status == "success"
        assert_log_records_what_ran(tmp_path / "logs")  # one log, not two


def test_python_eval_on_a_task_name(tmp_path: Path) -> None:
    inspect_eval(
        "roundtrip_eval/fizzbuzz", model=replay_model(tmp_path), task_args=LOCAL,
        log_dir=str(tmp_path / "logs"), epochs=2, temperature=0.3, max_tokens=200, **QUIET,
    )  # fmt: skip
    assert_log_records_what_ran(tmp_path / "logs")


def test_python_eval_on_a_task_object_leaves_the_object_as_built(tmp_path: Path) -> None:
    task = fizzbuzz(**LOCAL)
    inspect_eval(
        task, model=replay_model(tmp_path), log_dir=str(tmp_path / "logs"),
        epochs=2, temperature=0.3, max_tokens=200, **QUIET,
    )  # fmt: skip
    assert_log_records_what_ran(tmp_path / "logs")
    # the overrides belong to that run: the object keeps its own settings for the next one
    assert (task.metadata or {})["epochs"] == 30 and task.epochs == 30
    assert task.settings.temperature == 0.7 and task.config.temperature == 0.7


def test_a_model_config_is_overridden_by_the_task_and_the_log_says_so(tmp_path: Path) -> None:
    """A model's own config (`get_model(config=)`, `--model-spec`) loses to the task's in Inspect:
    the calls are made at the task's 0.7 / 1024, and the log says 0.7 / 1024, not the model's."""
    model = get_model(replay_model(tmp_path), config=GenerateConfig(temperature=0.3, max_tokens=200))
    [log] = inspect_eval(
        "roundtrip_eval/fizzbuzz", model=model, task_args=LOCAL, log_dir=str(tmp_path / "logs"),
        epochs=1, **QUIET,
    )  # fmt: skip
    log = read_eval_log(log.location)
    made = calls_made_with(log)
    assert made == {(0.7, 1024)}, made
    meta = log.eval.metadata or {}
    assert {(meta["temperature"], meta["max_tokens"])} == made
    assert {(log.eval.task_args["temperature"], log.eval.task_args["max_tokens"])} == made
    assert (log.plan.config.temperature, log.plan.config.max_tokens) == (0.7, 1024)


def test_a_run_copy_records_an_epochs_override_without_touching_the_task() -> None:
    task = fizzbuzz(cycles=2)
    run = copy(task)
    run.epochs = 3
    assert run.settings.epochs == 3 and (run.metadata or {})["epochs"] == 3
    assert task.settings.epochs == 30 and (task.metadata or {})["epochs"] == 30
    assert run.settings.cycles == 2 and (run.metadata or {})["cycles"] == 2
