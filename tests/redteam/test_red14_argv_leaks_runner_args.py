"""red14: the candidate's `sys.argv` is the zygote's (`['-c', 'preload', '']`), so a correct
program that reads its command line at import fails.

The candidate process is forked from the zygote, which was exec'd as `python3 ... -c BOOT
preload <unprotected>` (`confine.py`), and nothing resets `sys.argv` before the candidate is
imported. A script that takes optional flags (`argparse` with only `--options`, or "an optional
first argument, else a default") and is run or imported with no arguments of its own works
everywhere else (`python solution.py`, `python -c "import solution"`: `sys.argv[1:]` is empty);
here `argparse` sees the runner's words `preload` and `''`, prints "unrecognized arguments" and
raises `SystemExit(2)`, and the check scores a correct function `crash` at import. Expected:
pass (the candidate is run with no arguments, as the program it is).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from replay_scripts import spec, write

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.tasks import fizzbuzz
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

ARGPARSE = '''import argparse


def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n


parser = argparse.ArgumentParser(description="Print FizzBuzz up to a limit.")
parser.add_argument("--upto", type=int, default=15)
args = parser.parse_args()
for i in range(1, args.upto + 1):
    print(fizzbuzz(i))
'''

OPTIONAL_ARG = '''import sys

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 100


def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n


if __name__ == "__main__":
    for i in range(1, LIMIT + 1):
        print(fizzbuzz(i))
'''


def test_argparse_script_passes_end_to_end(tmp_path: Path) -> None:
    reply = f"Here is a small script:\n\n```python\n{ARGPARSE}```\n"
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", 1): [spec(1), reply]})
    [log] = inspect_eval(
        fizzbuzz(cycles=1, epochs=1), model=f"replay/{script}", log_dir=str(tmp_path / "logs"),
        display="none",
    )  # fmt: skip
    assert log.status == "success", log.error
    [sample] = log.samples or []
    [cycle] = sample.store["cycles"]
    assert cycle["passed"], (cycle["category"], cycle["detail"])


@pytest.mark.parametrize("code", [ARGPARSE, OPTIONAL_ARG], ids=["argparse", "optional_arg"])
async def test_command_line_reading_program_passes(docker_sandbox, code: str) -> None:
    verdict = await run_check(docker_sandbox, code, load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail
