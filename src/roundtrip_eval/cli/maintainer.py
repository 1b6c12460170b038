"""`roundtrip-eval-dev` (or `python -m roundtrip_eval.cli.maintainer`): maintainer commands.

Why apart from `roundtrip-eval`: these regenerate or check what the repository itself shows
(the README's `-T` table, its results table, the twin pairs' difficulty table in
docs/problems.md); a user running the benchmark never needs them, and they would crowd the
user's `--help`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from roundtrip_eval.cli import shell
from roundtrip_eval.cli.shell import Subcommand

SUBCOMMANDS = (
    Subcommand("roundtrip_eval.cli.docs", ("docs",)),
    Subcommand("roundtrip_eval.analysis.results_table", ("results-table",)),
    Subcommand("roundtrip_eval.problems.difficulty", ("difficulty",)),
)
"""The maintainer commands, by the module that registers them."""


def build_parser() -> argparse.ArgumentParser:
    """The `roundtrip-eval-dev` parser, every maintainer subcommand registered."""
    return shell.build_parser(
        "roundtrip-eval-dev", "Maintainer commands of the roundtrip-eval repository.", SUBCOMMANDS
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`roundtrip-eval-dev ARGS`: the exit status of the chosen subcommand."""
    return shell.run(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
