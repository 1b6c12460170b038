"""`roundtrip-eval-dev docs parameters`: the README's `-T` table, rendered from the settings model.

The README holds the table between `<!-- parameters:start -->` and `<!-- parameters:end -->`;
`--write` replaces what is there, `--check` fails when it differs (a test runs the same check).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from roundtrip_eval.eval.settings import markdown_table

START = "<!-- parameters:start -->"
END = "<!-- parameters:end -->"


def between_markers(text: str) -> str:
    """What the README holds between the markers (ValueError when they are missing)."""
    _, start, rest = text.partition(START + "\n")
    body, end, _ = rest.partition(END)
    if not (start and end):
        raise ValueError(f"no {START} ... {END} block")
    return body


def with_table(text: str) -> str:
    """`text` with the block between the markers replaced by the rendered table."""
    return text.replace(START + "\n" + between_markers(text) + END, START + "\n" + markdown_table() + END, 1)


def run(args: argparse.Namespace) -> int:
    if not (args.write or args.check):
        print(markdown_table(), end="")
        return 0
    path = Path(args.readme)
    try:
        text = path.read_text(encoding="utf-8")
        current = between_markers(text)
    except (OSError, ValueError) as error:
        print(f"roundtrip-eval-dev docs parameters: {path}: {error}", file=sys.stderr)
        return 2
    if args.check:
        if current == markdown_table():
            return 0
        print(f"{path}: the parameter table is out of date; run `roundtrip-eval-dev docs parameters "
              f"--write {path}`", file=sys.stderr)
        return 1
    path.write_text(with_table(text), encoding="utf-8")
    print(f"wrote the parameter table into {path}")
    return 0


def register_cli(subparsers: Any) -> None:
    parser = subparsers.add_parser("docs", help="generated documentation")
    sub = parser.add_subparsers(dest="docs_command", required=True)
    table = sub.add_parser("parameters", help="the -T parameter table, from roundtrip_eval.eval.settings")
    table.add_argument("readme", nargs="?", default="README.md", help="the file with the markers")
    mode = table.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="replace the table between the markers")
    mode.add_argument("--check", action="store_true", help="exit 1 when the table differs")
    table.set_defaults(func=run)
