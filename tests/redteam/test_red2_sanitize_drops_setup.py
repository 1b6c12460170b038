"""red2: tolerant extraction's demo removal drops module set-up that a correct function needs.

Both candidates are correct fizzbuzz programs that fill a lookup table at import through a
module helper. `sanitize` (eval/demos.py) sees the helper call `_init()` / `_fill()` as a demo
("uses the module's own functions while nothing needs its result") because the helper changes
the global through a route demos.py does not follow (`globals()[...] = ...`, or a local alias
`t = _T; t[i] = ...`). The call is removed, and the correct function is scored `crash` /
`semantic`. Expected: pass (or at least: the set-up statement is kept).
"""

from __future__ import annotations

import ast

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

GLOBALS_SETUP = '''Here is the solution:

```python
def fizzbuzz(n):
    return TABLE[n % 15] or n

def _init():
    globals()["TABLE"] = ["FizzBuzz" if i == 0 else "Fizz" if i % 3 == 0
                          else "Buzz" if i % 5 == 0 else None for i in range(15)]

_init()
```
'''

ALIAS_SETUP = '''Here is the solution:

```python
_T = [None] * 15

def _fill():
    t = _T
    for i in range(15):
        t[i] = "FizzBuzz" if i == 0 else "Fizz" if i % 3 == 0 else "Buzz" if i % 5 == 0 else None

_fill()

def fizzbuzz(n):
    return _T[n % 15] or n
```
'''


@pytest.mark.parametrize("reply", [GLOBALS_SETUP, ALIAS_SETUP], ids=["globals", "alias"])
def test_extraction_keeps_the_setup_call(reply: str) -> None:
    code = extract_code(reply, "fizzbuzz").code
    assert code is not None
    calls = [n for n in ast.parse(code).body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    assert calls, f"the set-up call was removed:\n{code}"


@pytest.mark.parametrize("reply", [GLOBALS_SETUP, ALIAS_SETUP], ids=["globals", "alias"])
async def test_correct_program_with_module_setup_passes(docker_sandbox, reply: str) -> None:
    problem = load_problem("fizzbuzz")
    code = extract_code(reply, problem.function).code
    assert code is not None
    verdict = await run_check(docker_sandbox, code, problem)
    assert verdict.passed, verdict.detail
