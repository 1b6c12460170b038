"""red12: demo removal treats a call as pure when it is handed a *method* as a value.

`eval/demos.py` removes a top-level statement that shows the code (calls `print`, an `assert`,
names the target) when it is made only of pure parts, "so removing it cannot change what the
target computes". `_Purity.is_pure` checks what is *called* (`RULES.remove(x)` is a method call:
kept), but an attribute that is only *read* is never looked at, so a bound method passed to a
pure builtin (`map`, `filter`, `sorted(key=...)`, `iter(callable, sentinel)`, `max(key=...)`)
counts as pure, and `map` then calls it. Two replies, default settings (static screen on):

1. `wrong_passes`: `print(list(map(RULES.remove, [(5, "Buzz")])))` after the function. As
   written the module drops Buzz from its table at import (fizzbuzz(5) is 5, fizzbuzz(15) is
   "Fizz"); the extractor removes the print, and the wrong program scores `none` (a pass).
   It should score what the program as written does: `semantic`.
2. `right_fails`: `print("rules:", *map(RULES.setdefault, [3, 5], ["Fizz", "Buzz"]))` fills the
   table and shows it. Correct as written (the control below runs it unsanitized in the
   sandbox); the extractor removes it and the function sees an empty table: `semantic`
   (fizzbuzz(3) expected 'Fizz', got 3). It should pass.

Reproduce end to end: a replay line `{"sample": "fizzbuzz", "epoch": 1, "replies": ["<any
spec>", "<one reply below>"]}`, then `inspect eval roundtrip_eval/fizzbuzz --model replay/FILE
-T cycles=1 --epochs 1` (the cycle's extraction rule is `fence+sanitized`).
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

WRONG_PASSES = """Here is the implementation:

```python
RULES = [(3, "Fizz"), (5, "Buzz")]


def fizzbuzz(n):
    out = "".join(w for d, w in RULES if n % d == 0)
    return out or n


print(list(map(RULES.remove, [(5, "Buzz")])))
```"""

RIGHT_FAILS = """Here is the implementation:

```python
RULES = {}


def fizzbuzz(n):
    out = "".join(w for d, w in sorted(RULES.items()) if n % d == 0)
    return out or n


print("rules:", *map(RULES.setdefault, [3, 5], ["Fizz", "Buzz"]))
```"""


def _as_written(reply: str) -> str:
    return reply.split("```python\n", 1)[1].rsplit("```", 1)[0]


async def test_control_wrong_program_as_written_fails(docker_sandbox) -> None:
    verdict = await run_check(docker_sandbox, _as_written(WRONG_PASSES), load_problem("fizzbuzz"))
    assert verdict.category == "semantic", verdict.detail


async def test_control_right_program_as_written_passes(docker_sandbox) -> None:
    verdict = await run_check(docker_sandbox, _as_written(RIGHT_FAILS), load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail


def test_extraction_keeps_a_statement_that_changes_the_table() -> None:
    for reply, line in ((WRONG_PASSES, "map(RULES.remove"), (RIGHT_FAILS, "map(RULES.setdefault")):
        code = extract_code(reply, "fizzbuzz").code
        assert code is not None
        assert line in code, f"the statement that changes RULES was removed:\n{code}"


async def test_wrong_program_is_not_scored_as_passing(docker_sandbox) -> None:
    problem = load_problem("fizzbuzz")
    code = extract_code(WRONG_PASSES, problem.function).code
    assert code is not None
    verdict = await run_check(docker_sandbox, code, problem)
    assert not verdict.passed, "a fizzbuzz that returns 5 for 5 as written was scored as passing"
    assert verdict.category == "semantic", verdict.detail


async def test_right_program_passes(docker_sandbox) -> None:
    problem = load_problem("fizzbuzz")
    code = extract_code(RIGHT_FAILS, problem.function).code
    assert code is not None
    verdict = await run_check(docker_sandbox, code, problem)
    assert verdict.passed, verdict.detail
