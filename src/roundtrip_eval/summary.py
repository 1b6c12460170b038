"""`roundtrip-eval summary [LOG|DIR]`: print survival@k and drift of a log in the terminal.

The quick start ends with this, so a newcomer sees the numbers without opening the viewer.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log


def latest_log(path: Path) -> Path:
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
    rows: list[tuple[str, str]] = []
    for score in log.results.scores:
        if not score.metrics:
            continue
        metric = next(iter(score.metrics.values()))
        n = score.scored_samples or 0
        if score.scorer == "survival" and score.name.startswith("survival@"):
            rows.append((score.name, f"{metric.value:.3f}  ({round(metric.value * n)}/{n} trials)"))
        elif score.name == "survived":
            rows.append(("survival@N", f"{metric.value:.3f}  ({round(metric.value * n)}/{n} trials)"))
        elif score.name == "drift":
            for name, m in score.metrics.items():
                if m.value:
                    rows.append((f"drift: {name}", f"{m.value:.3f}"))
    return rows


def run(args: argparse.Namespace) -> int:
    path = latest_log(Path(args.log))
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
    parser = subparsers.add_parser("summary", help="print survival@k and drift of a log")
    parser.add_argument("log", nargs="?", default="logs", help="a log file, or a directory")
    parser.set_defaults(func=run)
