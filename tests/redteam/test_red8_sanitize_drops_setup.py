"""red8: tolerant extraction's demo removal still drops set-up a correct function needs.

red2 and red4 closed five routes (`globals()`, a local alias, a list comprehension, `map`, a
static method called on its class). The rule in `eval/demos.py` is unchanged: a top-level
statement that uses the module's own names is a demo unless a syntactic analysis proves it binds
or changes a needed global. Every effect the analysis does not follow drops the statement. Six
more routes, each a correct fizzbuzz as written (the control test runs it unsanitized):

1. `closure`: a factory returns the function and a registration closure (`fizzbuzz, _add =
   _make()`); `_add(3, "Fizz")` calls a name bound by assignment, whose effects nobody looks up;
2. `method_alias`: `add = Rules.add` (a classmethod that appends to `cls.table`), then
   `add(3, "Fizz")`: a call through a name bound to an own class's attribute;
3. `accessor`: `_register(d, w)` writes `_rules()[d] = w`, where `_rules()` returns the global:
   a store through a call's result has no root name;
4. `print_wrapped`: `print(f"loaded {len(_load())} rules")`, where `_load()` fills the table: a
   bare `print(...)` statement is taken to change nothing (`_is_output` returns before the
   effects of what its arguments call are counted);
5. `default_alias`: `def _fill(table=_TABLE): table[3] = ...` then `_fill()`: the parameter is
   the global through its default, which `_aliases` does not see;
6. `setattr`: `setattr(fizzbuzz, "rules", (...))`: passing the own function to a call is taken as
   "does not change it".

Each is dropped, and the correct function is scored `semantic` (1-5) or `crash` (6). Expected:
the set-up stays and the check passes. The mirror image (`test_a_wrong_program_is_not_fixed_by_
sanitizing`): a program whose own `print(set_word(7, "Bazz"))` makes it wrong as written passes
once the print is dropped.

Reproduce end to end: a replay line `{"sample": "fizzbuzz", "epoch": 1, "replies": ["spec",
"<one of the replies below>"]}`, then `inspect eval roundtrip_eval/fizzbuzz --model replay/FILE
-T cycles=1 --epochs 1` (default settings, static screen on): the cycle's verdict is
`semantic: fizzbuzz(3) expected 'Fizz' (str), got 3 (int); 71/150 inputs differ`.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

CLOSURE = '''```python
def _make():
    table = []

    def fb(n):
        s = "".join(w for d, w in table if n % d == 0)
        return s or n

    def add(d, w):
        table.append((d, w))

    return fb, add


fizzbuzz, _add = _make()
_add(3, "Fizz")
_add(5, "Buzz")
```'''

METHOD_ALIAS = '''```python
class Rules:
    table = []

    @classmethod
    def add(cls, d, w):
        cls.table.append((d, w))


add = Rules.add
add(3, "Fizz")
add(5, "Buzz")


def fizzbuzz(n):
    s = "".join(w for d, w in Rules.table if n % d == 0)
    return s or n
```'''

ACCESSOR = '''```python
_RULES = {}


def _rules():
    return _RULES


def _register(d, w):
    _rules()[d] = w


_register(3, "Fizz")
_register(5, "Buzz")


def fizzbuzz(n):
    s = "".join(w for d, w in sorted(_RULES.items()) if n % d == 0)
    return s or n
```'''

PRINT_WRAPPED = '''```python
_TABLE = {}


def _load():
    for d, w in ((3, "Fizz"), (5, "Buzz")):
        _TABLE[d] = w
    return _TABLE


print(f"loaded {len(_load())} rules")


def fizzbuzz(n):
    s = "".join(w for d, w in _TABLE.items() if n % d == 0)
    return s or n
```'''

DEFAULT_ALIAS = '''```python
_TABLE = {}


def _fill(table=_TABLE):
    table[3] = "Fizz"
    table[5] = "Buzz"


_fill()


def fizzbuzz(n):
    s = "".join(w for d, w in _TABLE.items() if n % d == 0)
    return s or n
```'''

SETATTR = '''```python
def fizzbuzz(n):
    s = "".join(w for d, w in fizzbuzz.rules if n % d == 0)
    return s or n


setattr(fizzbuzz, "rules", ((3, "Fizz"), (5, "Buzz")))
```'''

REPLIES = {
    "closure": CLOSURE,
    "method_alias": METHOD_ALIAS,
    "accessor": ACCESSOR,
    "print_wrapped": PRINT_WRAPPED,
    "default_alias": DEFAULT_ALIAS,
    "setattr": SETATTR,
}
SETUP_LINE = {
    "closure": '_add(3, "Fizz")',
    "method_alias": 'add(3, "Fizz")',
    "accessor": '_register(3, "Fizz")',
    "print_wrapped": "len(_load())",
    "default_alias": "_fill()\n",
    "setattr": "setattr(fizzbuzz",
}

WRONG_AS_WRITTEN = '''```python
_WORDS = {3: "Fizz", 5: "Buzz"}


def set_word(divisor, word):
    _WORDS[divisor] = word
    return _WORDS


def fizzbuzz(n):
    s = "".join(w for d, w in sorted(_WORDS.items()) if n % d == 0)
    return s or n


print(set_word(7, "Bazz"))
```'''


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


async def test_a_wrong_program_is_not_fixed_by_sanitizing(docker_sandbox) -> None:
    """As written, fizzbuzz(7) is "Bazz": the module's own statement changed its table."""
    problem = load_problem("fizzbuzz")
    control = await run_check(docker_sandbox, _as_written(WRONG_AS_WRITTEN), problem)
    assert not control.passed and control.category == "semantic", control.detail
    code = extract_code(WRONG_AS_WRITTEN, problem.function).code
    assert code is not None
    verdict = await run_check(docker_sandbox, code, problem)
    assert not verdict.passed, f"a program wrong as written passed once sanitized:\n{code}"
