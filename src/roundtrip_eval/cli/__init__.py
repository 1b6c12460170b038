"""The `roundtrip-eval` command line: what a user runs (sandbox image, local model, problems,
analysis). Maintainer commands (generated docs, the README's results table, twin difficulty)
are `roundtrip-eval-dev` (cli/maintainer.py).

Each subcommand lives in the module that owns the feature; this file only lists them, and they
are imported when the parser is built, not on import, so `import roundtrip_eval.cli` stays
light. How a missing optional extra and any other import error are told apart: cli/shell.py.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from roundtrip_eval import __version__
from roundtrip_eval.cli import shell
from roundtrip_eval.cli.shell import Subcommand

SUBCOMMANDS = (
    Subcommand("roundtrip_eval.sandbox.cli", ("sandbox",)),
    Subcommand("roundtrip_eval.local_model.cli", ("model",)),
    Subcommand("roundtrip_eval.cli.problems", ("problems",)),
    Subcommand(
        "roundtrip_eval.analysis.cli",
        ("summary", "compare", "report", "export", "rescore-upstream", "rescore-evalooop"),
    ),
    Subcommand("roundtrip_eval.analysis.blame_cli", ("blame",)),
)
"""The user commands, by the module that registers them."""


def build_parser() -> argparse.ArgumentParser:
    """The `roundtrip-eval` parser, every user subcommand registered."""
    return shell.build_parser(
        "roundtrip-eval", "Tools around the roundtrip-eval Inspect tasks.", SUBCOMMANDS, __version__
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`roundtrip-eval ARGS`: the exit status of the chosen subcommand."""
    return shell.run(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
