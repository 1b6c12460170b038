"""Print the README's results table from a `roundtrip-eval report` output folder.

    python scripts/results_table.py REPORT_DIR

One row per model x language x problem: survival@1 and survival@N with Wilson 95% intervals,
mean cycles survived, and the drift categories of the failing trials.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path


def _cell(r: dict[str, str], k: str) -> str:
    low, high = float(r[f"survival_at_{k}_low"]), float(r[f"survival_at_{k}_high"])
    return f"{r[f'survival_at_{k}_k']}/{r['scored']} [{low:.0%}, {high:.0%}]"


def main(report: Path) -> None:
    drift: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for row in csv.DictReader((report / "drift.csv").open(encoding="utf-8")):
        if row["value"] != "none" and int(row["count"]):
            drift[(row["model"], row["config_key"], row["problem"])].append(
                f"{row['value']} {row['count']}"
            )
    print("| model | lang | problem | trials | survival@1 [95% CI] | survival@10 [95% CI] "
          "| mean cycles | first-failure drift |")
    print("|---|---|---|---|---|---|---|---|")
    rows = list(csv.DictReader((report / "survival.csv").open(encoding="utf-8")))
    rows.sort(key=lambda r: (r["model"], r["language"], r["problem"]))
    for r in rows:
        cats = ", ".join(sorted(drift.get((r["model"], r["config_key"], r["problem"]), [])))
        print(f"| {r['model'].removeprefix('ollama/')} | {r['language']} | {r['problem']} "
              f"| {r['scored']} | {_cell(r, '1')} | {_cell(r, 'n')} "
              f"| {float(r['mean_cycles_survived']):.1f} | {cats or '-'} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
