"""red2: correct, ordinary-enough programs scored as failures by the runner.

1. `multiprocessing` with the "spawn" start method (the default on macOS and Windows, and
   `mp.get_context("spawn")` is the documented portable way): the worker cannot import the
   candidate's module (it is `candidate`, a module with no file), so the pool never answers
   and the check is scored `timeout` after the 30 s check clock. Expected: pass.
2. `word_count` returning a `collections.Counter` (a dict subclass, equal to C0's dict):
   encoded as an opaque `Counter` and scored `return_type` on every input. Debatable under
   "type-exact", but `Counter` is the idiomatic word count and `isinstance(c, dict)` holds;
   at least it should not be 160/160 type changes of the same value.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

SPAWN = '''import multiprocessing as mp

def _fb(n):
    if n % 15 == 0: return "FizzBuzz"
    if n % 3 == 0: return "Fizz"
    if n % 5 == 0: return "Buzz"
    return n

def fizzbuzz(n):
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(_fb, (n,))
'''

COUNTER = '''from collections import Counter

def word_count(text):
    counts = Counter()
    for word in text.lower().split():
        word = word.strip(".,!?;:\\"'")
        if word:
            counts[word] += 1
    return counts
'''


@pytest.mark.xfail(
    strict=True,
    reason="a known limit (docs/threat_model.md): a spawn worker re-imports the candidate's "
    "module by name, and the candidate module has no file; the check times out",
)
async def test_spawn_pool_passes(docker_sandbox) -> None:
    verdict = await run_check(docker_sandbox, SPAWN, load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail


async def test_counter_word_count_passes(docker_sandbox) -> None:
    verdict = await run_check(docker_sandbox, COUNTER, load_problem("word_count"))
    assert verdict.passed, verdict.detail
