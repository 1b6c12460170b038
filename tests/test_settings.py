"""The settings model: defaults, one-line refusals (in Python and on the real `inspect eval`
command line), and the README's parameter table rendered from it."""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from replay_scripts import surviving, write

from roundtrip_eval._inspect_private import PrerequisiteError
from roundtrip_eval.cli.docs import END, START, between_markers
from roundtrip_eval.cli.docs import run as docs_run
from roundtrip_eval.eval.extract import MODES
from roundtrip_eval.eval.prompts import LANGUAGES, SPEC_FORMATS
from roundtrip_eval.eval.settings import (
    Extraction,
    Language,
    SettingError,
    SpecFormat,
    TrialSettings,
    markdown_table,
)

ROOT = Path(__file__).resolve().parents[1]

DEFAULTS = {
    "cycles": 10,
    "language": "en",
    "spec_format": "pseudocode",
    "prompts": None,
    "prompt_style": "zero_shot",
    "extraction": "tolerant",
    "sandbox": "roundtrip-docker",
    "seed": 0,
    "temperature": 0.7,
    "max_tokens": 1024,
    "epochs": 30,
    "stop_on_failure": True,
    "blame": 0,
    "judge_model": None,
    "spec_model": None,
    "code_model": None,
    "variant": None,
    "mask_names": False,
    "call_timeout": 2.0,
    "check_timeout": 30.0,
    "static_screen": True,
}

# -T argument -> the one line `inspect eval roundtrip_eval/fizzbuzz` prints for it
REFUSED = {
    "cycles=0": "-T cycles=0 refused: must be an integer >= 1",
    "cycles=abc": "-T cycles=abc refused: must be an integer >= 1",
    "cycles=2.5": "-T cycles=2.5 refused: must be an integer >= 1",
    "cycles=true": "-T cycles=true refused: must be an integer >= 1",
    "epochs=0": "-T epochs=0 refused: must be an integer >= 1",
    "language=fr": "-T language=fr refused: must be one of en, ja",
    "spec_format=xyz": "-T spec_format=xyz refused: must be one of pseudocode, prose, s_expression, minilang",
    "prompt_style=hyper_guided": "-T prompt_style=hyper_guided refused: must be one of zero_shot, fewshot, "
    "guided (other styles come with -T prompts=DIR)",
    "prompts=no/such/dir": "-T prompts=no/such/dir refused: no such directory (a relative path is read "
    "from the current directory)",
    "extraction=loose": "-T extraction=loose refused: must be one of tolerant, strict",
    "seed=abc": "-T seed=abc refused: must be an integer",
    "temperature=hot": "-T temperature=hot refused: must be a number from 0 to 2",
    "temperature=-5": "-T temperature=-5 refused: must be a number from 0 to 2",
    "temperature=2.5": "-T temperature=2.5 refused: must be a number from 0 to 2",
    "blame=-1": "-T blame=-1 refused: must be an integer >= 0",
    "max_tokens=0": "-T max_tokens=0 refused: must be an integer >= 1",
    "call_timeout=0": "-T call_timeout=0 refused: must be a number > 0",
    "check_timeout=-1": "-T check_timeout=-1 refused: must be a number > 0",
    "stop_on_failure=maybe": "-T stop_on_failure=maybe refused: must be true or false",
    "static_screen=maybe": "-T static_screen=maybe refused: must be true or false",
    "variant=nope": "-T variant=nope refused: none of fizzbuzz declares it (declared: constants; "
    "a variant lives in tasks/<problem>/variants/<variant>/)",
    "colour=red": "-T colour=red refused: fizzbuzz has no such parameter (it takes "
    + ", ".join(DEFAULTS)
    + ")",
}
SANDBOX_LINE = "-T sandbox=nonexistent refused: must be a registered sandbox provider: "
# through the real command line (each run costs an `inspect` start-up): the cases of issue 16
CLI_CASES = [
    "cycles=0", "language=fr", "spec_format=xyz", "extraction=loose", "variant=nope",
    "sandbox=nonexistent", "cycles=abc", "seed=abc", "temperature=hot", "blame=-1",
    "max_tokens=0", "temperature=-5", "colour=red",
]


def parsed(argument: str) -> dict[str, Any]:
    """A `-T name=value` argument as Inspect's CLI hands it on (values YAML-parsed)."""
    import yaml

    name, value = argument.split("=", 1)
    return {name: yaml.safe_load(value)}


def test_defaults() -> None:
    assert TrialSettings().model_dump() == DEFAULTS
    assert list(TrialSettings.model_fields) == list(DEFAULTS)


def test_every_setting_has_a_one_line_description() -> None:
    for name, field in TrialSettings.model_fields.items():
        assert field.description and "\n" not in field.description, name


def test_choices_match_the_prompts_and_extraction_modes() -> None:
    assert typing.get_args(Language) == LANGUAGES
    assert typing.get_args(SpecFormat) == SPEC_FORMATS
    assert typing.get_args(Extraction) == MODES


def test_settings_are_frozen() -> None:
    settings = TrialSettings(cycles=3)
    with pytest.raises(ValidationError):
        settings.cycles = 4  # type: ignore[misc]
    assert settings.cycles == 3


def test_yaml_and_python_values_are_accepted() -> None:
    settings = TrialSettings.from_task_args(
        {"cycles": 3, "temperature": 1, "stop_on_failure": "false", "judge_model": "replay/x.jsonl"}
    )
    assert (settings.cycles, settings.temperature, settings.stop_on_failure) == (3, 1.0, False)
    assert isinstance(settings.temperature, float)
    assert TrialSettings(temperature=0).temperature == 0.0
    assert TrialSettings(temperature=2).temperature == 2.0


@pytest.mark.parametrize("argument", [a for a in REFUSED if a != "variant=nope"])
def test_bad_value_is_refused_in_one_line(argument: str) -> None:
    with pytest.raises(SettingError) as refused:
        TrialSettings.from_task_args(parsed(argument), task="fizzbuzz")
    assert str(refused.value) == REFUSED[argument]


def test_nan_temperature_is_refused() -> None:
    with pytest.raises(SettingError, match=r"^-T temperature=NaN refused: must be a number from 0 to 2$"):
        TrialSettings.from_task_args({"temperature": float("nan")})


def test_unknown_sandbox_lists_the_registered_ones() -> None:
    with pytest.raises(SettingError) as refused:
        TrialSettings.from_task_args({"sandbox": "nonexistent"})
    line = str(refused.value)
    assert line.startswith(SANDBOX_LINE)
    assert {"docker", "local", "roundtrip-docker"} <= set(line.removeprefix(SANDBOX_LINE).split(", "))


def test_refusal_is_a_prerequisite_error_printed_as_typed() -> None:
    from rich.text import Text

    with pytest.raises(SettingError) as refused:
        TrialSettings.from_task_args({"language": "[red]"})
    error = refused.value
    assert isinstance(error, PrerequisiteError) and isinstance(error, ValueError)
    assert str(error) == "-T language=[red] refused: must be one of en, ja"
    # Inspect prints `.message` as rich markup: it must come out as the plain line
    assert Text.from_markup(str(error.message)).plain == str(error)


def test_readme_table_is_the_rendered_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert between_markers(readme) == markdown_table(), (
        "README.md's parameter table differs from roundtrip_eval.eval.settings: "
        "run `roundtrip-eval-dev docs parameters --write README.md`"
    )
    for name in TrialSettings.model_fields:
        assert f"| `{name}` |" in markdown_table()


def test_docs_command_checks_and_writes_only_between_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    before, after = "# Title\n\nintro\n\n", "\n\nafter the table\n"
    readme.write_text(f"{before}{START}\n| stale |\n{END}{after}", encoding="utf-8")
    args = type("Args", (), {"readme": str(readme), "write": False, "check": True})
    assert docs_run(args) == 1  # type: ignore[arg-type]
    args.check, args.write = False, True
    assert docs_run(args) == 0  # type: ignore[arg-type]
    assert readme.read_text(encoding="utf-8") == f"{before}{START}\n{markdown_table()}{END}{after}"
    args.check, args.write = True, False
    assert docs_run(args) == 0  # type: ignore[arg-type]


# --- the real command line ---------------------------------------------------------------


CliRun = tuple[subprocess.CompletedProcess[str], Path]


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CliRun]:
    """Every bad `-T` case through `inspect eval roundtrip_eval/fizzbuzz`, run side by side."""
    tmp = tmp_path_factory.mktemp("cli")
    script = write(tmp / "replay.jsonl", {("fizzbuzz", "*"): surviving("fizzbuzz", 10)})
    inspect_cli = Path(sys.executable).parent / "inspect"
    # rich wraps a printed line at the console width (80 columns when piped): widen it, so
    # that what is counted below is lines as printed, not as wrapped
    env = {**os.environ, "COLUMNS": "400"}

    def run(argument: str) -> CliRun:
        logs = tmp / f"logs-{argument.replace('=', '-')}"
        command = [str(inspect_cli), "eval", "roundtrip_eval/fizzbuzz", "--model", f"replay/{script}",
                   "-T", argument, "--log-dir", str(logs), "--display", "plain"]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300), logs

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(CLI_CASES, pool.map(run, CLI_CASES), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("argument", CLI_CASES)
def test_inspect_eval_refuses_bad_value_in_one_line(
    argument: str, cli_runs: dict[str, CliRun]
) -> None:
    """The output is Inspect's blank line, the one line, a blank line; no log is written."""
    run, logs = cli_runs[argument]
    output = run.stdout + run.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    assert run.returncode != 0
    assert len(lines) == 1, output
    assert len(output.splitlines()) <= 3, output
    if argument == "sandbox=nonexistent":
        assert lines[0].startswith(SANDBOX_LINE) and "roundtrip-docker" in lines[0]
    else:
        assert lines[0] == REFUSED[argument]
    assert not logs.exists() or not any(logs.iterdir())
