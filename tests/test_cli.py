"""The two command lines: `roundtrip-eval` (user) and `roundtrip-eval-dev` (maintainer).

Each lists its subcommand modules; a module that cannot be imported for want of an optional
extra still shows its commands and, when one is run, says in one line which extra to install;
any other import error propagates instead of making a subcommand silently disappear.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from roundtrip_eval import cli
from roundtrip_eval.cli import maintainer
from roundtrip_eval.cli.shell import EXTRA_MODULES, Subcommand, build_parser, run

ROOT = Path(__file__).resolve().parents[1]
MAINTAINER_COMMANDS = {"docs", "results-table", "difficulty"}


def commands(parser: argparse.ArgumentParser) -> set[str]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def test_user_and_maintainer_commands_are_apart() -> None:
    user, dev = commands(cli.build_parser()), commands(maintainer.build_parser())
    analysis = {"summary", "compare", "report", "export", "rescore-upstream", "rescore-evalooop", "blame"}
    assert user == {"sandbox", "model", "problems", *analysis}
    assert dev == MAINTAINER_COMMANDS


@pytest.mark.parametrize("entry", [*cli.SUBCOMMANDS, *maintainer.SUBCOMMANDS], ids=lambda e: e.module)
def test_each_entry_declares_exactly_what_it_registers(entry: Subcommand) -> None:
    """The names shown when the module's extra is missing are the ones it really adds."""
    assert commands(build_parser("x", "", [entry])) == set(entry.commands)


def test_pyproject_declares_both_entry_points() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {
        "roundtrip-eval": "roundtrip_eval.cli:main",
        "roundtrip-eval-dev": "roundtrip_eval.cli.maintainer:main",
    }
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert set(EXTRA_MODULES) <= set(extras["optional-dependencies"])


def test_maintainer_commands_run_as_a_module_and_left_the_user_cli() -> None:
    dev = subprocess.run(
        [sys.executable, "-m", "roundtrip_eval.cli.maintainer", "difficulty"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert dev.returncode == 0, dev.stderr
    assert dev.stdout.startswith("| pair | domain | known | novel |")
    user_cli = "import sys; from roundtrip_eval.cli import main; sys.exit(main())"
    user = subprocess.run(
        [sys.executable, "-c", user_cli, "difficulty"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert user.returncode == 2 and "invalid choice: 'difficulty'" in user.stderr


@pytest.fixture
def fake_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path for subcommand modules written by the test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def write_module(folder: Path, name: str, imports: str) -> str:
    (folder / f"{name}.py").write_text(
        f"{imports}\n\ndef register_cli(sub):\n    sub.add_parser('plot').set_defaults(func=lambda a: 0)\n",
        encoding="utf-8",
    )
    return name


def test_a_missing_extra_names_the_extra_in_one_line_when_used(
    fake_modules: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # how Python marks a module absent
    name = write_module(fake_modules, "rt_needs_pandas", "import pandas")
    parser = build_parser("roundtrip-eval", "", [Subcommand(name, ("plot",))])
    assert commands(parser) == {"plot"}  # still listed in --help
    assert run(parser, ["plot", "logs", "-o", "out"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        "roundtrip-eval plot: needs pandas, part of the `analysis` extra: "
        "pip install 'roundtrip-eval[analysis]'"
    ]


@pytest.mark.parametrize(
    "imports",
    [
        "import roundtrip_eval.no_such_module",  # a typo in our own code
        "from json import no_such_name",  # ImportError, not ModuleNotFoundError
        "import rt_definitely_not_installed_anywhere",  # a module no extra provides
    ],
)
def test_any_other_import_error_surfaces(fake_modules: Path, imports: str) -> None:
    name = write_module(fake_modules, f"rt_broken_{abs(hash(imports))}", imports)
    with pytest.raises(ImportError):
        build_parser("roundtrip-eval", "", [Subcommand(name, ("plot",))])


def test_a_working_module_is_registered_as_it_says(fake_modules: Path) -> None:
    name = write_module(fake_modules, "rt_works", "import json")
    parser = build_parser("roundtrip-eval", "", [Subcommand(name, ("plot",))])
    assert run(parser, ["plot"]) == 0
