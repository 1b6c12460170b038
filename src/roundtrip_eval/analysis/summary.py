"""`roundtrip-eval summary [LOG|DIR]`: every run under a folder, in the terminal.

The quick start ends with this, so a newcomer sees the numbers without opening the viewer. A
folder of logs usually holds several runs (model A and B, pseudocode and prose, retries), so
the summary shows each: one block per (model, configuration, problem set), every log of that
run read together (an eval-set's retry counted once), one row per problem and, when a run
covers several, a `pooled (k problems)` row labelled as such. The numbers are the report's
(`aggregate.survival_table`): survival@1 and survival@N as counts and fractions, mean cycles
survived, the first failures' drift categories. Needs nothing beyond a plain install.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.aggregate import group_by, newest_copies, survival_table
from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.read import LogReadError, find_logs, read_rows

RUN_COLUMNS = ("model", "g_model", "f_model", "config_key")
"""What makes two trials the same run, beside the problems it covers."""


def runs(trials: Sequence[Row]) -> list[list[Row]]:
    """Trials grouped into runs: one per (model, configuration, problem set), in a stable order."""
    def run_of(t: Row) -> str:
        return str(t.get("task_id") or t["eval_id"])

    problems_of: dict[str, set[str]] = {}
    for t in trials:
        problems_of.setdefault(run_of(t), set()).add(str(t["problem"]))
    keyed = [{**t, "_set": ",".join(sorted(problems_of[run_of(t)]))} for t in trials]
    return list(group_by(keyed, (*RUN_COLUMNS, "_set")).values())


def pooled_label(problems: Sequence[str]) -> str:
    return f"pooled ({len(problems)} problems)"


def run_rows(trials: Sequence[Row]) -> list[Row]:
    """One row per problem, then the pooled row when there are several (the report's numbers)."""
    rows = survival_table(trials)
    problems = sorted({str(t["problem"]) for t in trials})
    if len(problems) > 1:
        label = pooled_label(problems)
        [pooled] = survival_table([{**t, "problem": label} for t in trials])
        rows.append(pooled)
    for row in rows:
        members = [t for t in trials if row["problem"] in (t["problem"], pooled_label(problems))]
        firsts = Counter(str(t["drift"]) for t in members if t["status"] == "failed")
        row["drift"] = ", ".join(f"{name} {n}" for name, n in firsts.most_common()) or "-"
    return rows


def _rate(k: Any, n: Any) -> str:
    return f"{k}/{n} = {k / n:.2f}" if n else "-"


def _number(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}"


def run_block(trials: Sequence[Row]) -> list[str]:
    """The lines of one run: what ran, then its table."""
    first = trials[0]
    n_cycles = int(first["n_cycles"])
    logs = len({str(t["source"]) for t in trials})
    roles = "" if first["g_model"] == first["f_model"] == first["model"] else (
        f" (g: {first['g_model']}, f: {first['f_model']})"
    )
    lines = [f"{first['model']}{roles}  {first['config']}  [{logs} log(s), {len(trials)} trial(s)]"]
    rows = run_rows(trials)
    width = max(len("problem"), *(len(str(r["problem"])) for r in rows))
    head = f"  {'problem':<{width}}  trials  survival@1     survival@{n_cycles:<5} mean cycles  "
    head += "first failures"
    lines.append(head)
    for r in rows:
        errors = f" +{r['infra_errors']} err" if r["infra_errors"] else ""
        lines.append(
            f"  {str(r['problem']):<{width}}  {str(r['scored']) + errors:<6}  "
            f"{_rate(r['survival_at_1_k'], r['scored']):<13}  "
            f"{_rate(r['survival_at_n_k'], r['scored']):<13}  "
            f"{_number(r['mean_cycles_survived']):<11}  "
            f"{r['drift']}"
        )
    return lines


def summary_lines(root: Path) -> tuple[list[str], bool]:
    """The summary of every run under `root`, and whether every log finished with success."""
    from inspect_ai.log import read_eval_log

    paths = find_logs(root)
    trials, _cycles, skipped = read_rows(root, progress=False)
    if not trials:
        raise LogReadError(f"no Inspect logs with roundtrip-eval trials in {root}: run an eval first")
    statuses = {p: read_eval_log(str(p), header_only=True) for p in paths if p not in dict(skipped)}
    unfinished = [(p, log) for p, log in statuses.items() if log.status != "success"]
    groups = runs(newest_copies(trials))
    lines = [f"{root}: {len(statuses)} log(s), {len(groups)} run(s) (model x configuration x problem set)"]
    for members in groups:
        lines += ["", *run_block(members)]
    for path, log in unfinished:
        reason = f": {log.error.message.splitlines()[0]}" if log.error and log.error.message else ""
        lines.append(f"log {path.name} ended with status {log.status}{reason}")
    errored = sum(1 for t in trials if t["status"] == "error")
    if errored:
        lines.append(f"{errored} trial(s) hit an infrastructure error and were not scored (`+N err`)")
    return lines, not unfinished


def run(args: argparse.Namespace) -> int:
    """Print every run under the folder (or of the log); exit status 1 unless every log succeeded."""
    try:
        lines, ok = summary_lines(Path(args.log))
    except LogReadError as exc:
        print(f"roundtrip-eval: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0 if ok else 1


def register_cli(subparsers: Any) -> None:
    """Add `summary` to the `roundtrip-eval` command (called by analysis/cli.py)."""
    parser = subparsers.add_parser(
        "summary",
        help="print every run under a folder: survival@1, survival@N, mean cycles, drift",
        description="Print every run under LOG (a log file or a folder, recursive): one block per "
        "model x configuration x problem set, one row per problem and a pooled row, labelled.",
    )
    parser.add_argument("log", nargs="?", default="logs", help="a log file, or a directory")
    parser.set_defaults(func=run)
