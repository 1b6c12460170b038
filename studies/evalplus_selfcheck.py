"""Check every MBPP+ and HumanEval+ canonical solution against its own inputs, in both modes.

Why: before a peer's problems score any model, C0 must pass its own suite in the sandbox, under
each comparison rule (`typed`, `evalplus`); a task where it does not would fail every model for a
reason of the harness. Each row is loaded and validated as the tasks load it (expected outputs
from C0 on the host), then C0 itself is checked in one `roundtrip-docker` sandbox with the
default time limits. Every task that does not pass is listed with the reason.

    python -m studies.evalplus_selfcheck ../shared/peer-data/evalplus -o selfcheck.md
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from roundtrip_eval.check.compare import MODES
from roundtrip_eval.check.host import CALL_TIMEOUT, CHECK_TIMEOUT, run_check
from roundtrip_eval.problems.evalplus import SOURCES, problem_from_row, read_rows
from roundtrip_eval.problems.validate import ProblemError

TASK = "evalplus-selfcheck"


@dataclass
class Result:
    source: str
    tasks: int = 0
    inputs: int = 0
    passed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MODES, 0))
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (task, mode, reason)
    seconds: float = 0.0


async def check_source(
    source: str, data: str, env: object, only: set[str] | None, limits: dict[str, float]
) -> Result:
    result = Result(source)
    started = time.monotonic()
    for row in read_rows(source, data):
        task_id = str(row.get("task_id"))
        if only and task_id not in only:
            continue
        result.tasks += 1
        try:
            problem = problem_from_row(source, row)
        except ProblemError as error:
            result.failures.append((task_id, "load", str(error)))
            continue
        result.inputs += len(problem.inputs)
        raised = [o.error for o in problem.expected if not o.ok]
        for mode in MODES:
            verdict = await run_check(env, problem.reference, problem, compare_mode=mode, **limits)  # type: ignore[arg-type]
            if verdict.passed:
                result.passed[mode] += 1
            else:
                why = verdict.detail
                if raised:
                    why += f" [C0 raised on {len(raised)} input(s) on the host: {sorted(set(raised))}]"
                result.failures.append((task_id, mode, why))
        print(f"{source} {result.tasks} {task_id}", file=sys.stderr, flush=True)
    result.seconds = time.monotonic() - started
    return result


def markdown(results: Sequence[Result]) -> str:
    lines = ["| source | tasks | inputs | C0 passes (typed) | C0 passes (evalplus) | seconds |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for r in results:
        lines.append(f"| {r.source} | {r.tasks} | {r.inputs} | {r.passed['typed']} | "
                     f"{r.passed['evalplus']} | {r.seconds:.0f} |")  # fmt: skip
    lines += ["", "| task | mode | why C0 does not pass its own inputs |", "|---|---|---|"]
    for r in results:
        for task_id, mode, why in r.failures:
            cell = why.replace("|", "\\|")[:300]
            lines.append(f"| {task_id} | {mode} | {cell} |")
    return "\n".join(lines) + "\n"


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="a folder holding MbppPlus.jsonl.gz and HumanEvalPlus.jsonl.gz")
    parser.add_argument("-o", "--output", type=Path, help="write the markdown table here")
    parser.add_argument("--sources", default=",".join(SOURCES))
    parser.add_argument("--tasks", default="", help="comma-separated task ids (all by default)")
    parser.add_argument("--call-timeout", type=float, default=CALL_TIMEOUT, help="seconds per call")
    parser.add_argument("--check-timeout", type=float, default=CHECK_TIMEOUT, help="seconds per check")
    args = parser.parse_args(argv)
    from roundtrip_eval.sandbox import RoundtripDockerSandbox

    only = {t.strip() for t in args.tasks.split(",") if t.strip()} or None
    await RoundtripDockerSandbox.task_init(TASK, None)
    envs = await RoundtripDockerSandbox.sample_init(TASK, None, {})
    try:
        limits = {"call_timeout": args.call_timeout, "check_timeout": args.check_timeout}
        results = [
            await check_source(s, args.data, envs["default"], only, limits) for s in args.sources.split(",")
        ]
    finally:
        await RoundtripDockerSandbox.sample_cleanup(TASK, None, envs, False)
        await RoundtripDockerSandbox.task_cleanup(TASK, None, True)
    text = markdown(results)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
