"""red12 (minor): a correct program that reads its own source with `inspect` crashes.

The candidate module has a `__file__` (`candidate.py`) but `linecache` cannot find its text, so
`inspect.getsource`/`getsourcelines` of the candidate's own function raises
`OSError: source code not available`. Run from a file, the same program works. Default
settings; the reply below gets `crash: importing the code raised OSError: source code not
available`, and should pass.

Reproduce: replay line as in docs/replay.md with this code in a ```python fence,
`inspect eval roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=1 --epochs 1`.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

GETSOURCE = """import inspect


def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n


_LINES = len(inspect.getsourcelines(fizzbuzz)[0])
"""


async def test_reading_its_own_source_passes(docker_sandbox) -> None:
    verdict = await run_check(docker_sandbox, GETSOURCE, load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail
