"""`roundtrip-eval-dev results-table REPORT_DIR`: the README's results table from a report folder.

One row per model x language x problem: survival@1 and survival@N with Wilson 95% intervals,
mean cycles survived, and the drift categories of the failing trials. It reads the report's
`survival.csv` and `drift.csv` (written by `roundtrip-eval report`), so the table and the report
are the same numbers.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def _cell(r: dict[str, str], k: str) -> str:
    low, high = float(r[f"survival_at_{k}_low"]), float(r[f"survival_at_{k}_high"])
    return f"{r[f'survival_at_{k}_k']}/{r['scored']} [{low:.0%}, {high:.0%}]"


def results_table(report: Path) -> list[str]:
    """The Markdown lines of the table, from the report folder `report`."""
    drift: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    with (report / "drift.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["value"] != "none" and int(row["count"]):
                drift[(row["model"], row["config_key"], row["problem"])].append(
                    f"{row['value']} {row['count']}"
                )
    lines = [
        "| model | lang | problem | trials | survival@1 [95% CI] | survival@10 [95% CI] "
        "| mean cycles | first-failure drift |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with (report / "survival.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows.sort(key=lambda r: (r["model"], r["language"], r["problem"]))
    for r in rows:
        cats = ", ".join(sorted(drift.get((r["model"], r["config_key"], r["problem"]), [])))
        lines.append(
            f"| {r['model'].removeprefix('ollama/')} | {r['language']} | {r['problem']} "
            f"| {r['scored']} | {_cell(r, '1')} | {_cell(r, 'n')} "
            f"| {float(r['mean_cycles_survived']):.1f} | {cats or '-'} |"
        )
    return lines


def _run(args: argparse.Namespace) -> int:
    report = Path(args.report)
    missing = [name for name in ("survival.csv", "drift.csv") if not (report / name).is_file()]
    if missing:
        print(
            f"roundtrip-eval: {report}: no {' or '.join(missing)}; point it at a folder written by "
            "`roundtrip-eval report LOGDIR -o REPORT_DIR`",
            file=sys.stderr,
        )
        return 2
    print("\n".join(results_table(report)))
    return 0


def register_cli(subparsers: Any) -> None:
    """Add `results-table` to the `roundtrip-eval-dev` command (listed in cli/maintainer.py)."""
    parser = subparsers.add_parser(
        "results-table",
        help="the README's results table (Markdown) from a `roundtrip-eval report` folder",
        description="Print one row per model x language x problem: survival@1 and survival@N "
        "with Wilson 95% intervals, mean cycles survived, and first-failure drift categories.",
    )
    parser.add_argument("report", help="a folder written by `roundtrip-eval report`")
    parser.set_defaults(func=_run)
