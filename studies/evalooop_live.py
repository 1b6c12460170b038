"""EvaLooop's protocol run live on our model, held against their published trace (issue 30, part 2).

Why a study: the comparison is one pre-registered experiment (docs/evalooop_live_plan.md), not a
feature of the package. `subset` prints the pre-registered draw of MBPP+ task ids;
`compare` (below) reads the run's logs and their trace and writes the tables.

    python -m studies.evalooop_live subset ../shared/peer-data/evalplus
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

SUBSET_SIZE = 100
SUBSET_SEED = 30
SUBSET_FILE = Path(__file__).resolve().parent / "data" / "evalooop_live_subset.txt"
HARNESS_LIMITED = ("Mbpp/84", "Mbpp/123", "Mbpp/271", "Mbpp/599", "Mbpp/589", "Mbpp/603")
"""Subset tasks whose C0 fails its own inputs in our harness under the default limits
(docs/peers_mbpp.md): set apart from the primary population before the run."""


def draw_subset(dataset: str) -> list[str]:
    """The pre-registered draw: the mbpp_plus task's own sampler, count 100, seed 30."""
    from roundtrip_eval.eval.dataset import select_problems

    return select_problems("mbpp_plus", dataset, None, SUBSET_SIZE, SUBSET_SEED)


def read_subset(path: Path = SUBSET_FILE) -> list[str]:
    """The committed list of task ids, one a line."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studies.evalooop_live", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    subset = commands.add_parser("subset", help="print the pre-registered draw of MBPP+ task ids")
    subset.add_argument("dataset", help="EvalPlus's MbppPlus.jsonl.gz or a folder holding it")
    args = parser.parse_args(argv)
    if args.command == "subset":
        print("\n".join(draw_subset(args.dataset)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
