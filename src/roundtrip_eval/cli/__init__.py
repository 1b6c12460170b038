"""The `roundtrip-eval` command line: sandbox image, local model, analysis.

Each subcommand lives in the module that owns the feature; this file only wires them up,
and imports them lazily so that `roundtrip-eval --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# module -> it exposes `register_cli(subparsers)`; each registered parser sets `func`.
_SUBCOMMAND_MODULES = [
    "roundtrip_eval.sandbox.cli",
    "roundtrip_eval.local_model.cli",
    "roundtrip_eval.cli.problems",
    "roundtrip_eval.problems.difficulty",
    "roundtrip_eval.analysis.cli",
    "roundtrip_eval.cli.docs",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roundtrip-eval", description="Tools around the roundtrip-eval Inspect tasks."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in _SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.register_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("roundtrip-eval: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
