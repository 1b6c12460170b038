"""`roundtrip-eval summary | report | export | rescore-upstream | rescore-evalooop`: the after-the-fact user
commands (the maintainer's `results-table` is registered by `roundtrip-eval-dev`).

Registered through `roundtrip_eval.cli.SUBCOMMANDS`; heavy imports happen inside the
handlers so that `roundtrip-eval --help` stays fast, and so that a command that needs the
`analysis` extra fails in one line naming it (extra.MissingExtraError) on a plain install.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _fail(message: str) -> int:
    print(f"roundtrip-eval: {message}", file=sys.stderr)
    return 2


def _report(args: argparse.Namespace) -> int:
    from roundtrip_eval.analysis.compare import CompareError
    from roundtrip_eval.analysis.extra import MissingExtraError
    from roundtrip_eval.analysis.read import LogReadError
    from roundtrip_eval.analysis.report import run_report

    try:
        other = Path(args.compare) if args.compare else None
        files = run_report(
            Path(args.logdir), Path(args.output), progress=not args.quiet, seed=args.seed, echo=print,
            compare_with=other,
        )  # fmt: skip
    except (LogReadError, FileNotFoundError, MissingExtraError, CompareError) as exc:
        return _fail(str(exc))
    print(f"wrote {len(files)} files to {args.output} (start with summary.md)")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from roundtrip_eval.analysis.compare import CompareError, compare_sources, markdown
    from roundtrip_eval.analysis.read import LogReadError

    try:
        comparison = compare_sources(Path(args.a), Path(args.b), seed=args.seed)
    except (LogReadError, FileNotFoundError, CompareError) as exc:
        return _fail(str(exc))
    print(markdown(comparison), end="")
    return 0


def _export(args: argparse.Namespace) -> int:
    from roundtrip_eval.analysis.export import export
    from roundtrip_eval.analysis.extra import MissingExtraError, require
    from roundtrip_eval.analysis.read import LogReadError, load_rows

    try:
        if args.format == "parquet":  # before reading any log: fail at once, in one line
            require("pyarrow", "writing Parquet (--format parquet)")
        trials, cycles, warnings = load_rows(Path(args.logdir), progress=not args.quiet)
    except (LogReadError, FileNotFoundError, MissingExtraError) as exc:
        return _fail(str(exc))
    for warning in warnings:
        print(f"roundtrip-eval: {warning}", file=sys.stderr)
    files = export(trials, cycles, Path(args.output), args.format)
    print(
        f"wrote {len(trials)} trials and {len(cycles)} cycles: " + ", ".join(str(p) for p in files.values())
    )
    return 0


def _rescore(args: argparse.Namespace) -> int:
    from roundtrip_eval.analysis.rescore.run import RescoreError, run_rescore

    try:
        result = run_rescore(
            Path(args.dir),
            Path(args.output),
            sandbox=args.sandbox,
            limit=args.limit,
            max_sandboxes=args.max_sandboxes,
            progress=not args.quiet,
        )
    except RescoreError as exc:
        return _fail(str(exc))
    print(result)
    return 0


def _rescore_evalooop(args: argparse.Namespace) -> int:
    from roundtrip_eval.analysis.evalooop.checks import Limits
    from roundtrip_eval.analysis.evalooop.problems import shared_cache
    from roundtrip_eval.analysis.evalooop.run import EvalooopRescoreError, run_rescore_evalooop

    if args.max_sandboxes < 1:
        return _fail(f"--max-sandboxes must be at least 1, got {args.max_sandboxes}")
    cache = None if args.no_c0_cache else Path(args.c0_cache) if args.c0_cache else shared_cache()
    try:
        result = run_rescore_evalooop(
            Path(args.data), Path(args.output), models=args.models or None, sandboxes=args.max_sandboxes,
            limits=Limits(args.call_timeout, args.check_timeout, args.time_rule), progress=not args.quiet,
            c0_cache=cache,
        )  # fmt: skip
    except EvalooopRescoreError as exc:
        return _fail(str(exc))
    print(result)
    return 0


def register_cli(subparsers: Any) -> None:
    """Add the after-the-fact commands to the `roundtrip-eval` command."""
    from roundtrip_eval.analysis import summary

    summary.register_cli(subparsers)
    report = subparsers.add_parser(
        "report",
        help="survival curves, tables and summary.md from Inspect logs (or an export folder)",
        description="Read every Inspect log under LOGDIR (.eval/.json, recursive) or the files "
        "written by `roundtrip-eval export`, and write figures, tables and summary.md.",
    )
    report.add_argument("logdir", help="folder of Inspect logs, or an export folder")
    report.add_argument("-o", "--output", required=True, help="folder to write the report into")
    report.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    report.add_argument(
        "--compare",
        metavar="OTHER",
        help="logs (or an export) to compare LOGDIR with: compare.md and, in index.html, both "
        "curves on one panel and the table of `roundtrip-eval compare LOGDIR OTHER`",
    )
    report.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    report.set_defaults(func=_report)

    cmp = subparsers.add_parser(
        "compare",
        help="two runs or groups of runs side by side: survival@N, mean cycles, A - B with a "
        "bootstrap interval and Fisher's p, paired by problem",
        description="Compare the trials under A with those under B (each a log, a folder of "
        "logs or an export folder): survival@N and mean cycles survived per side, A minus B with "
        "a seeded 95% bootstrap interval and Fisher's exact p; over the problems both ran "
        "(pooled, labelled, and per problem), else pooled over everything.",
    )
    cmp.add_argument("a", help="side A: a log, a folder of logs or an export folder")
    cmp.add_argument("b", help="side B: the same kinds")
    cmp.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    cmp.set_defaults(func=_compare)

    exp = subparsers.add_parser(
        "export",
        help="one row per cycle and per trial (jsonl, csv or parquet), plus degradation.csv",
        description="Flatten Inspect logs into cycles.<ext>, trials.<ext> and degradation.csv.",
    )
    exp.add_argument("logdir", help="folder of Inspect logs (.eval/.json, recursive)")
    exp.add_argument("-o", "--output", required=True, help="folder to write into")
    exp.add_argument("--format", choices=("jsonl", "csv", "parquet"), default="jsonl", help="file format")
    exp.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    exp.set_defaults(func=_export)

    rescore = subparsers.add_parser(
        "rescore-upstream",
        help="re-extract and re-check the original study's trials with our checker",
        description="Replay the logged replies of the original study's trials "
        "(raw/<batch>/<model>_<lang>_<format>_<style>_<task>_run<i>/result.json) through our "
        "extraction and sandboxed checker, write Inspect logs and a comparison table.",
    )
    rescore.add_argument("dir", help="the upstream data folder (holding raw/) or a batch folder")
    rescore.add_argument("-o", "--output", required=True, help="folder to write into")
    rescore.add_argument(
        "--sandbox",
        default="roundtrip-docker",
        help="sandbox for the checks: roundtrip-docker (default) or local (UNSANDBOXED: runs "
        "the old model code directly on this machine)",
    )
    rescore.add_argument("--limit", type=int, default=None, help="rescore only the first N trials")
    rescore.add_argument(
        "--max-sandboxes", type=int, default=8, help="containers checking in parallel"
    )
    rescore.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    rescore.set_defaults(func=_rescore)

    loops = subparsers.add_parser(
        "rescore-evalooop",
        help="EvaLooop's 91 published models on MBPP+: their numbers reproduced, every recorded "
        "function checked by this suite in both comparison modes, disagreements classified",
        description="Read EvaLooop's leaderboard and per-model loop records (DATA/evalooop) and "
        "MBPP+ (DATA/evalplus); reproduce their published pass@1 and ASL_pow from their verdicts; "
        "check each distinct (task, function) once in the roundtrip-docker sandbox, judged "
        "type-exact and by EvalPlus's rule; write models.csv, disagreements.csv and index.html. "
        "Resumes from OUT's verdicts.jsonl.",
    )
    add = loops.add_argument
    add("--data", default="../shared/peer-data", help="the peer-data folder (default: %(default)s)")
    add("-o", "--out", "--output", dest="output", required=True, help="folder to write into")
    add("--models", nargs="*", default=None, help="model ids (default: every model with details)")
    add("--max-sandboxes", type=int, default=4, help="containers checking in parallel")
    add("--call-timeout", type=float, default=2.0, help="seconds per call under --time-rule fixed, "
        "and under evalplus for a problem without C0's measured time (the suite's default)")
    add("--time-rule", choices=("fixed", "evalplus"), default="fixed", help="fixed: --call-timeout "
        "per call; evalplus: EvaLooop's harness's rule, per problem max(1 s, 2 x C0's measured "
        "seconds) per call (default: %(default)s)")
    add("--check-timeout", type=float, default=30.0, help="seconds per check (the suite's default)")
    add("--c0-cache", metavar="DIR", help="C0's outcomes kept for every output folder (default: "
        "evalplus-expected under $ROUNDTRIP_EVAL_HOME or ~/.cache/roundtrip-eval)")  # fmt: skip
    add("--no-c0-cache", action="store_true", help="keep C0's outcomes in OUT/expected only")
    loops.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    loops.set_defaults(func=_rescore_evalooop)
