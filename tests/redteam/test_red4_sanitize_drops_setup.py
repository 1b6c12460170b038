"""red4: tolerant extraction's demo removal drops module set-up that a correct function needs.

Four correct fizzbuzz programs fill their table at import through a module helper, by routes
`eval/demos.py` does not follow (red2's `globals()` and alias routes are fixed; these are not):

1. the helper called inside a list comprehension's element (`[_register(d, w) for ...]`): the
   element is not in the module scope `_module_scope` walks, so the call is not seen;
2. the helper passed to `map` and the map consumed (`list(map(_register, ...))`): passing an
   own function to a call is taken as "does not change it", and nothing follows into `map`;
3. a static method that appends to the global, called as `Rules.add(3, "Fizz")`: an attribute
   call marks only `Rules` as changed, never the globals the method changes;
4. `try: from math import gcd / except ImportError: sys.exit(...)`: a statement that binds a
   needed name but could exit is dropped as a demo, so `gcd` is never imported.

Each is dropped, and the correct function is scored `semantic` (1-3) or `crash` (4). As written
(no sanitizing) each passes. Expected: the set-up stays and the check passes.
Reproduce end to end: replay file with one of these as the f reply, `inspect eval
roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=2` (static screen on; default settings).
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

LISTCOMP = '''```python
WORDS = {}

def _register(divisor, word):
    WORDS[divisor] = word

[_register(d, w) for d, w in ((3, "Fizz"), (5, "Buzz"))]

def fizzbuzz(n):
    out = "".join(w for d, w in sorted(WORDS.items()) if n % d == 0)
    return out or n
```'''

MAP = '''```python
WORDS = {}

def _register(divisor, word):
    WORDS[divisor] = word

list(map(_register, (3, 5), ("Fizz", "Buzz")))

def fizzbuzz(n):
    out = "".join(w for d, w in sorted(WORDS.items()) if n % d == 0)
    return out or n
```'''

STATIC_METHOD = '''```python
RULES = []

class Rules:
    @staticmethod
    def add(divisor, word):
        RULES.append((divisor, word))

Rules.add(3, "Fizz")
Rules.add(5, "Buzz")

def fizzbuzz(n):
    out = "".join(w for d, w in RULES if n % d == 0)
    return out or n
```'''

TRY_EXIT = '''```python
import sys
try:
    from math import gcd
except ImportError:
    sys.exit("needs math.gcd")

def fizzbuzz(n):
    if gcd(n, 15) == 15:
        return "FizzBuzz"
    if gcd(n, 3) == 3:
        return "Fizz"
    if gcd(n, 5) == 5:
        return "Buzz"
    return n
```'''

REPLIES = {"listcomp": LISTCOMP, "map": MAP, "static_method": STATIC_METHOD, "try_exit": TRY_EXIT}
SETUP_LINE = {
    "listcomp": "[_register(d, w)",
    "map": "list(map(_register",
    "static_method": 'Rules.add(3, "Fizz")',
    "try_exit": "from math import gcd",
}


def _as_written(reply: str) -> str:
    return reply.split("```python\n", 1)[1].rsplit("```", 1)[0]


@pytest.mark.parametrize("case", list(REPLIES))
def test_extraction_keeps_the_setup(case: str) -> None:
    code = extract_code(REPLIES[case], "fizzbuzz").code
    assert code is not None
    assert SETUP_LINE[case] in code, f"the set-up was removed:\n{code}"


@pytest.mark.parametrize("case", list(REPLIES))
async def test_the_program_as_written_passes(docker_sandbox, case: str) -> None:
    """Control: the program is correct (so a failure below is the extractor's)."""
    verdict = await run_check(docker_sandbox, _as_written(REPLIES[case]), load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail


@pytest.mark.parametrize("case", list(REPLIES))
async def test_the_extracted_program_passes(docker_sandbox, case: str) -> None:
    problem = load_problem("fizzbuzz")
    code = extract_code(REPLIES[case], problem.function).code
    assert code is not None
    verdict = await run_check(docker_sandbox, code, problem)
    assert verdict.passed, verdict.detail
