"""`roundtrip-eval problems check [DIR]`: the load-time rules over every problem folder.

Why: someone adding a problem wants every mistake in their folder reported before a trial
runs, one line per problem, by exactly the rules the tasks apply when they load it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from roundtrip_eval.problems.load import ProblemError, load_problem_folder, problems_root, variants_of


def problem_folders(root: Path) -> list[Path]:
    """`root` itself if it is a problem folder, else its subfolders that look like problems
    (a task.toml, reference.py or inputs.py), so a folder that lost its task.toml is reported."""
    if (root / "task.toml").is_file():
        return [root]
    markers = ("task.toml", "reference.py", "inputs.py")
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and any((p / m).is_file() for m in markers)
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def check_folder(folder: Path) -> str:
    """One line on the problem in `folder` and each of its variants; raises ProblemError."""
    problem = load_problem_folder(folder)
    summary = f"{_count(len(problem.inputs), 'input')} ({_count(problem.n_cases, 'case')})"
    variants_dir = folder / "variants"
    if variants_dir.is_dir():
        for stray in sorted(p for p in variants_dir.iterdir() if p.is_dir()):
            if not (stray / "reference.py").is_file() and not stray.name.startswith((".", "_")):
                raise ProblemError(f"{stray / 'reference.py'}: missing (a variant needs its own reference)")
    variants = variants_of(folder.name, folder.parent)
    for variant in variants:
        try:
            load_problem_folder(folder, variant)
        except ProblemError as exc:
            raise ProblemError(f"variant {variant}: {exc}") from None
    if variants:
        summary += f"; variants: {', '.join(variants)}"
    return summary


def check_problems(root: Path) -> tuple[list[str], int]:
    """The report lines and the number of problems that failed."""
    lines, failed = [], 0
    folders = problem_folders(root)
    width = max((len(f.name) for f in folders), default=0)
    for folder in folders:
        try:
            lines.append(f"ok    {folder.name:<{width}}  {check_folder(folder)}")
        except ProblemError as exc:
            failed += 1
            lines.append(f"FAIL  {folder.name:<{width}}  {exc}")
    return lines, failed


def _cli_check(args: argparse.Namespace) -> int:
    root = Path(args.dir).expanduser() if args.dir else problems_root()
    if not root.is_dir():
        print(f"roundtrip-eval problems check: {root} is not a folder", file=sys.stderr)
        return 1
    lines, failed = check_problems(root)
    if not lines:
        print(
            f"roundtrip-eval problems check: no problem folders in {root} "
            "(a problem folder holds task.toml, reference.py and inputs.py)",
            file=sys.stderr,
        )
        return 1
    for line in lines:
        print(line)
    print(f"{len(lines)} problems, {failed} failed")
    return 1 if failed else 0


def register_cli(subparsers: Any) -> None:
    """Add `problems check` to the `roundtrip-eval` command line."""
    parser = subparsers.add_parser("problems", help="validate benchmark problem folders")
    sub = parser.add_subparsers(dest="problems_command", required=True)
    check = sub.add_parser(
        "check",
        help="apply the load-time rules to every problem folder; one line each, exit 1 if any fails",
        description="Load every problem folder (and each of its variants) as the tasks do, "
        "and print one line per problem: ok with its input count, or the error.",
    )
    check.add_argument(
        "dir", nargs="?", help="a problem folder or a folder of them (default: the shipped tasks)"
    )
    check.set_defaults(func=_cli_check)
