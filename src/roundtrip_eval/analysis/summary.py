"""`roundtrip-eval summary [LOG|DIR]`: print survival@k and drift of a log in the terminal.

The quick start ends with this, so a newcomer sees the numbers without opening the viewer. It
reads the metrics Inspect already computed into the log (no rows, no report), so it needs
nothing beyond a plain install.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log


def latest_log(path: Path) -> Path:
    """`path` itself when it is a file, else the newest Inspect log under it."""
    if path.is_file():
        return path
    logs = list_eval_logs(str(path))
    if not logs:
        raise FileNotFoundError(f"no Inspect logs in {path}: run an eval first")
    newest = max(logs, key=lambda info: info.mtime or 0)
    return Path(newest.name.removeprefix("file://"))


def summary_rows(log: EvalLog) -> list[tuple[str, str]]:
    """(label, value) rows: survival@k with the survivor count, then drift frequencies."""
    if log.results is None:
        return [("status", log.status)]
    survival: list[tuple[str, str]] = []
    drift: list[tuple[str, str]] = []
    for score in log.results.scores:
        n = score.scored_samples or 0
        # survival@N is the `survival` score's `mean`; the curve is in `curves` (scorers.py)
        picked = {"survival@N": score.metrics.get("mean")} if score.name == "survival" else {}
        if score.name == "curves":
            picked = {k: m for k, m in score.metrics.items() if k.startswith("survival@")}
        for label, metric in picked.items():
            if metric is not None:
                survival.append((label, f"{metric.value:.3f}  ({round(metric.value * n)}/{n} trials)"))
        if score.name == "drift":
            drift.extend((f"drift: {name}", f"{m.value:.3f}") for name, m in score.metrics.items() if m.value)
    return survival + drift


def run(args: argparse.Namespace) -> int:
    """Print the summary of one log; exit status 1 unless the eval succeeded."""
    try:
        path = latest_log(Path(args.log))
    except FileNotFoundError as exc:
        print(f"roundtrip-eval: {exc}", file=sys.stderr)
        return 2
    log = read_eval_log(str(path))
    meta: dict[str, Any] = log.eval.metadata or {}
    print(f"{log.eval.task} on {log.eval.model}: status {log.status}")
    print(
        f"cycles={meta.get('cycles')} language={meta.get('language')} "
        f"spec_format={meta.get('spec_format')} sandbox={meta.get('sandbox')}"
    )
    for label, value in summary_rows(log):
        print(f"  {label:<24} {value}")
    errored = sum(1 for s in log.samples or [] if s.error)
    if errored:
        print(f"  {errored} trial(s) hit an infrastructure error and were not scored")
    if log.error:
        print(f"error: {log.error.message}")
    print(f"log: {path}")
    return 0 if log.status == "success" else 1


def register_cli(subparsers: Any) -> None:
    """Add `summary` to the `roundtrip-eval` command (called by analysis/cli.py)."""
    parser = subparsers.add_parser(
        "summary",
        help="print survival@k and drift of a log",
        description="Print a log's settings, survival@k, mean cycles survived and drift "
        "categories; given a directory, its newest log.",
    )
    parser.add_argument("log", nargs="?", default="logs", help="a log file, or a directory")
    parser.set_defaults(func=run)
