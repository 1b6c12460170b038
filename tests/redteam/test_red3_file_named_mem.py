"""red3 finding 2: a correct function that keeps a file named `mem` is scored `tampering`.

The audit hook refuses every `open` whose path is `"mem"` or ends in `"/mem"` (meant for
`/proc/<pid>/mem`), whatever directory it is in. A correct fizzbuzz that memoizes its answers
in `cache/mem` under its work dir (an ordinary file in a writable place) ends as "opened a
process's memory (/proc/.../mem)": a right function scored failing. The static screen does not
flag it (no `/proc` in the text); the runtime hook decides, with the screen on or off.

(The same check is also too weak the other way: a `str` subclass path, `open(S("/proc/self/mem"))`,
is not refused, because the hook compares `type(path) is str`; the kernel still denies it
because the candidate process is not dumpable, so that alone changes no verdict.)
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

MEMO_IN_A_FILE_NAMED_MEM = r"""
import json
import os

_CACHE = os.path.join("cache", "mem")


def fizzbuzz(n):
    os.makedirs("cache", exist_ok=True)
    try:
        with open(_CACHE) as fh:
            memo = json.load(fh)
    except (OSError, ValueError):
        memo = {}
    if str(n) not in memo:
        if n % 15 == 0:
            memo[str(n)] = "FizzBuzz"
        elif n % 3 == 0:
            memo[str(n)] = "Fizz"
        elif n % 5 == 0:
            memo[str(n)] = "Buzz"
        else:
            memo[str(n)] = n
        with open(_CACHE, "w") as fh:
            json.dump(memo, fh)
    return memo[str(n)]
"""


@pytest.mark.parametrize("screen", [True, False], ids=["screen", "unscreened"])
async def test_file_named_mem_is_not_tampering(docker_sandbox, screen: bool) -> None:
    result = await run_check(
        docker_sandbox, MEMO_IN_A_FILE_NAMED_MEM, load_problem("fizzbuzz"), screen=screen
    )
    assert result.passed, result.detail
    assert result.category == "none", result.detail
