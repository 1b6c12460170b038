"""Two runs of one command, cycle by cycle: did they give the same chains? (issue 29)

Why a study: a temperature-0 run (EvaLooop's protocol, `-T preset=evalooop`) is claimed to be
reproducible, and the claim is only as good as the comparison behind it. This one reads both
runs' cycle records (the rows of `roundtrip-eval export`) and holds every trial's chain in one
against the other: per cycle its spec, its code and its verdict (passed, drift category), and
the number of cycles each trial ran. Trials are matched by problem and epoch.

    python -m studies.same_chains logs/preset-a logs/preset-b

Exit status 0 when every chain agrees, 1 when any differs (each difference printed), 2 when a
folder holds no log of ours.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.read import LogReadError, load_rows

FIELDS = ("spec", "code", "passed", "category")
"""What must agree in each cycle of two runs that claim to be the same."""

Chain = list[dict[str, Any]]


def chains(cycles: Iterable[dict[str, Any]]) -> dict[tuple[str, int], Chain]:
    """The cycle rows of one run, grouped by trial (problem, epoch) and ordered by cycle."""
    found: dict[tuple[str, int], Chain] = {}
    for row in cycles:
        found.setdefault((str(row["problem"]), int(row["epoch"])), []).append(row)
    return {key: sorted(rows, key=lambda r: int(r["cycle"])) for key, rows in found.items()}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def differences(a: dict[tuple[str, int], Chain], b: dict[tuple[str, int], Chain]) -> list[str]:
    """Every place where run `b` differs from run `a`, one line each (none: the same chains)."""
    out: list[str] = []
    for key in sorted(set(a) | set(b)):
        name = f"{key[0]} epoch {key[1]}"
        if key not in a or key not in b:
            out.append(f"{name}: only in run {'a' if key in a else 'b'}")
            continue
        left, right = a[key], b[key]
        if len(left) != len(right):
            out.append(f"{name}: {len(left)} cycles in run a, {len(right)} in run b")
        for x, y in zip(left, right, strict=False):
            for field in FIELDS:
                if x.get(field) != y.get(field):
                    was, now = _short(x.get(field)), _short(y.get(field))
                    out.append(f"{name} cycle {x['cycle']}: {field} {was} != {now}")
    return out


def verdicts(chain: Chain) -> str:
    """A chain's verdicts in one word per cycle (`pass` or its drift category)."""
    return " ".join("pass" if r.get("passed") else str(r.get("category") or "fail") for r in chain)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studies.same_chains", description=__doc__.split("\n")[0])
    parser.add_argument("run_a", type=Path, help="log folder (or export folder) of the first run")
    parser.add_argument("run_b", type=Path, help="log folder (or export folder) of the second run")
    args = parser.parse_args(argv)
    runs = []
    for folder in (args.run_a, args.run_b):
        try:
            runs.append(chains(load_rows(folder, progress=False)[1]))
        except LogReadError as exc:
            print(f"same_chains: {folder}: {exc}", file=sys.stderr)
            return 2
    a, b = runs
    for key in sorted(a):
        print(f"{key[0]} epoch {key[1]}: {verdicts(a[key])}")
    found = differences(a, b)
    for line in found:
        print(line)
    n_cycles = sum(len(c) for c in a.values())
    word = f"{len(found)} differences" if found else "the same chains"
    print(f"{len(a)} trials, {n_cycles} cycles compared ({', '.join(FIELDS)}): {word}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
