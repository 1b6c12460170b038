"""red18: silencing stdout around a noisy call with `os.dup2(devnull, 1)` and restoring it (the
usual way to quiet output written below `sys.stdout`, by C code or a child process) is scored
`tampering` by the static screen (rule `descriptors`, `os.dup2`), a correct fizzbuzz failing.

The descriptors the rule protects are 3 and 4 (the runner's reply and job pipes); this program
only ever duplicates onto 1, and the runner passes it (`static_screen=false`: all inputs match).

Scored today: `tampering: static screen: os.dup2 (line 7)` (default settings, twice end to end
through the replay model). Expected: pass.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

QUIET_STDOUT = """import os


def _quiet():
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(1)
    os.dup2(devnull, 1)
    return saved, devnull


def fizzbuzz(n):
    saved, devnull = _quiet()
    try:
        print("noise")
        if n % 15 == 0:
            return "FizzBuzz"
        if n % 3 == 0:
            return "Fizz"
        if n % 5 == 0:
            return "Buzz"
        return n
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
"""


async def test_the_runner_passes_it(docker_sandbox) -> None:
    """Control: with the screen off the runner finds nothing wrong."""
    verdict = await run_check(docker_sandbox, QUIET_STDOUT, load_problem("fizzbuzz"), screen=False)
    assert verdict.passed, verdict.detail


async def test_the_screen_passes_it(docker_sandbox) -> None:
    verdict = await run_check(docker_sandbox, QUIET_STDOUT, load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail
