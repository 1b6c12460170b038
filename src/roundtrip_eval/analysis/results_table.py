"""The README's results table: one row per model x language x problem.

survival@1 and survival@N with Wilson 95% intervals, mean cycles survived, and the drift
categories of the failing trials. `results_rows` builds it from the report's own tables in
memory (`Report.survival` joined with `Report.drift`), so the numbers are the report's, formatted
once by `tables.markdown_table`; `roundtrip-eval report` writes it as `results.md`, and
`roundtrip-eval-dev results-table REPORT_DIR` prints that file.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.aggregate import Report
from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.tables import markdown_table

RESULTS_FILE = "results.md"
"""The file of a report folder that holds the table."""


def _interval(prefix: str) -> str:
    return "{" + prefix + "_k}/{scored} [{" + prefix + "_low:.0%}, {" + prefix + "_high:.0%}]"


RESULTS_COLUMNS: list[tuple[str, str]] = [
    ("model", "model_name"),
    ("lang", "language"),
    ("problem", "problem"),
    ("trials", "scored"),
    ("survival@1 [95% CI]", _interval("survival_at_1")),
    ("survival@10 [95% CI]", _interval("survival_at_n")),
    ("mean cycles", "{mean_cycles_survived:.1f}"),
    ("first-failure drift", "first_failure_drift"),
]


def results_rows(report: Report) -> list[Row]:
    """The report's survival rows, each with its model's short name and its drift counts."""
    def group(row: Row) -> tuple[Any, Any, Any]:
        return (row["model"], row["config_key"], row["problem"])

    drift: dict[tuple[Any, Any, Any], list[str]] = defaultdict(list)
    for row in report.drift:
        if row["value"] != "none" and row["count"]:
            drift[group(row)].append(f"{row['value']} {row['count']}")
    rows = [
        {
            **r,
            "model_name": str(r["model"]).removeprefix("ollama/"),
            "first_failure_drift": ", ".join(sorted(drift.get(group(r), []))) or "-",
        }
        for r in report.survival
    ]
    return sorted(rows, key=lambda r: (str(r["model"]), str(r.get("language")), str(r["problem"])))


def results_markdown(report: Report) -> str:
    """The table as Markdown (`results.md`)."""
    return markdown_table(results_rows(report), RESULTS_COLUMNS)


def results_table(report: Path) -> list[str]:
    """The table's lines, as the report folder `report` holds them."""
    return (report / RESULTS_FILE).read_text(encoding="utf-8").splitlines()


def _run(args: argparse.Namespace) -> int:
    report = Path(args.report)
    if not (report / RESULTS_FILE).is_file():
        print(
            f"roundtrip-eval: {report}: no {RESULTS_FILE}; point it at a folder written by "
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
