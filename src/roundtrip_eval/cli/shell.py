"""The shell both command lines share: subcommand modules wired lazily into one parser.

Why a shell: each subcommand lives in the module that owns its feature and exposes
`register_cli(subparsers)`; the command line only lists those modules. Why this care with
imports: a subcommand whose module needs an optional extra that is not installed must still be
listed, and must say in one line which extra to install when it is used; any other import error
is a bug and must surface as one, never make a subcommand silently disappear.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "analysis": ("matplotlib", "pandas", "pyarrow"),
    "local": ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings"),
    "browser": ("playwright",),
    "k8s": ("k8s_sandbox",),
}
"""Optional extra (pyproject.toml's `optional-dependencies`) -> the top-level modules it installs."""


@dataclass(frozen=True)
class Subcommand:
    """A module exposing `register_cli(subparsers)`, and the commands it registers.

    `commands` are listed even when the module cannot be imported for want of an extra, so the
    user sees them in `--help` and gets the install line when running one (a test checks that
    they are exactly what `register_cli` adds).
    """

    module: str
    commands: tuple[str, ...]


def extra_of(error: ModuleNotFoundError) -> str | None:
    """The optional extra that would install the module `error` misses, or None."""
    top = (error.name or "").split(".")[0]
    return next((extra for extra, names in EXTRA_MODULES.items() if top in names), None)


def _missing_extra(prog: str, command: str, module: str, extra: str) -> Callable[[argparse.Namespace], int]:
    def fail(_args: argparse.Namespace) -> int:
        print(
            f"{prog} {command}: needs {module}, part of the `{extra}` extra: "
            f"pip install 'roundtrip-eval[{extra}]'",
            file=sys.stderr,
        )
        return 2

    return fail


class DefaultsFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default, unless the help already names one."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or any(default is skipped for skipped in (None, False, argparse.SUPPRESS))
            or not (action.option_strings or action.nargs in ("?", "*"))
        ):
            return action.help
        return f"{text} (default: %(default)s)".strip()


class _Subcommands(argparse._SubParsersAction):
    """Subcommands whose `--help` opens with their one-line help when they give no description."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if kwargs.get("help") and not kwargs.get("description"):
            text = str(kwargs["help"]).replace("%%", "%")
            kwargs["description"] = text[:1].upper() + text[1:] + "."
        return super().add_parser(name, **kwargs)


class HelpParser(argparse.ArgumentParser):
    """An ArgumentParser whose subcommands (nested ones included) show a description and their
    defaults the same way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsFormatter)
        super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("action", _Subcommands)
        return super().add_subparsers(**kwargs)


def build_parser(
    prog: str, description: str, subcommands: Sequence[Subcommand], version: str | None = None
) -> argparse.ArgumentParser:
    """The parser with every subcommand; an import error other than a missing extra propagates."""
    parser = HelpParser(prog=prog, description=description)
    if version is not None:
        parser.add_argument("--version", action="version", version=f"%(prog)s {version}")
    sub = parser.add_subparsers(dest="command", required=True)
    for entry in subcommands:
        try:
            module = importlib.import_module(entry.module)
        except ModuleNotFoundError as error:
            extra = extra_of(error)
            if extra is None:
                raise
            for command in entry.commands:
                stub = sub.add_parser(command, help=f"(needs the `{extra}` extra)", add_help=False)
                stub.add_argument("rest", nargs=argparse.REMAINDER)
                stub.set_defaults(func=_missing_extra(prog, command, str(error.name), extra))
            continue
        module.register_cli(sub)
    return parser


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse `argv` and run the chosen subcommand's handler; Ctrl-C exits 130 in one line."""
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130
