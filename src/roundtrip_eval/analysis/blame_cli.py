"""`roundtrip-eval blame`: the command line of analysis/blame_logs.py, apart so that building
the parser imports nothing heavy (`roundtrip-eval --help` stays fast)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def _run(args: Any) -> int:
    from roundtrip_eval.analysis.blame_logs import SUFFIX, BlameError, blame_logs

    try:
        counts = blame_logs(
            Path(args.logdir), k=args.k, judge=args.judge, max_connections=args.max_connections,
            display="none" if args.quiet else args.display,
            probe_log_dir=Path(args.probe_log_dir) if args.probe_log_dir else None, limit=args.limit,
        )  # fmt: skip
    except (BlameError, ValueError) as exc:
        print(f"roundtrip-eval: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    print(f"{counts['probed']} failures probed, {counts['already']} already written, "
          f"{counts['skipped']} spec_failures not probed, {counts['errors']} errored, "
          f"in {counts['logs']} logs; "
          f"verdicts in <log>{SUFFIX}")  # fmt: skip
    return 0


def register_cli(subparsers: Any) -> None:
    """Add `roundtrip-eval blame` to the command."""
    parser = subparsers.add_parser(
        "blame",
        help="who broke each failed trial's chain (g, f, both, unclear), for logs run without -T blame",
        description="Probe the first failure of every failed trial of the Inspect logs under LOGDIR "
        "(docs/blame_rule.md) and write the verdicts to <log>.blame.jsonl beside each log, which "
        "`report` and `export` read. Resumes where an interrupted run stopped.",
    )
    parser.add_argument("logdir", help="folder of Inspect .eval logs (recursive), or one log")
    parser.add_argument("-k", type=int, default=3, help="tries per probe (default 3)")
    parser.add_argument("--judge", default=None,
                        help="a model for the probes (default: the model each log names)")  # fmt: skip
    parser.add_argument("--max-connections", type=int, default=1,
                        help="probed trials in parallel (default 1)")  # fmt: skip
    parser.add_argument("--probe-log-dir", default=None,
                        help="keep the probes' own Inspect logs here (outside LOGDIR); "
                        "default: not kept")  # fmt: skip
    parser.add_argument("--limit", type=int, default=None,
                        help="probe at most N failures now (a later run resumes with the rest)")  # fmt: skip
    parser.add_argument("--display", choices=("full", "rich", "plain", "log"), default=None,
                        help="Inspect's progress display (default: Inspect's; "
                        "`plain` suits a log file)")  # fmt: skip
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    parser.set_defaults(func=_run)
