"""red12: tolerant extraction takes the target from inside a string literal.

When no fenced block binds the target at top level the way `extract.binds` reads a binding (a
def, a class, `name = ...`), step 2 of `_find_code` salvages from the block's text: `_anchor`
matches `def <target>(` *at any depth*, including a line inside a string literal (a docstring,
a code template handed to `exec`), and `_salvage` dedents and returns that text as the
candidate. The program as written is thrown away. Three replies, default settings:

1. `exec_variant` (wrong passes): the module holds the correct fizzbuzz as a string and
   defines the function with `exec(REFERENCE.replace('"Buzz"', '"Fuzz"'))`; as written
   fizzbuzz(5) is 'Fuzz'. Extracted: the unmodified string, which scores `none` (a pass).
   Should be `semantic`.
2. `docstring_tuple_bind` (wrong passes): `fizzbuzz, = (_fizzbuzz,)` binds the target to a
   function that returns `str(n)`; its docstring shows the usual fizzbuzz. `binds` does not
   read a tuple target, so the docstring's example is extracted and passes. Should be
   `return_type` (fizzbuzz(1) is '1').
3. `exec_template` (right fails): code generation with
   `exec(_TEMPLATE.format(expr=...))`, correct as written (the control runs it unsanitized);
   the extractor takes the template, `return {expr}`: `crash` (NameError on every input).
   Should pass.

Reproduce end to end: replay lines as in docs/replay.md, `inspect eval roundtrip_eval/fizzbuzz
--model replay/FILE -T cycles=1 --epochs 1`; the cycle's extraction rule is `fence:salvaged`.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

EXEC_VARIANT = """Here is the implementation:

```python
REFERENCE = '''
def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''

exec(REFERENCE.replace('"Buzz"', '"Fuzz"'))
```"""

DOCSTRING_TUPLE_BIND = '''Here is the implementation:

```python
def _fizzbuzz(n):
    """FizzBuzz, as usually written:

    def fizzbuzz(n):
        if n % 15 == 0:
            return "FizzBuzz"
        if n % 3 == 0:
            return "Fizz"
        if n % 5 == 0:
            return "Buzz"
        return n
    """
    return str(n)


fizzbuzz, = (_fizzbuzz,)
```'''

EXEC_TEMPLATE = """Here is the implementation:

```python
_TEMPLATE = '''
def fizzbuzz(n):
    return {expr}
'''

_EXPR = '"FizzBuzz" if n % 15 == 0 else "Fizz" if n % 3 == 0 else "Buzz" if n % 5 == 0 else n'
exec(_TEMPLATE.format(expr=_EXPR))
```"""

WRONG = {
    "exec_variant": (EXEC_VARIANT, "semantic"),
    "docstring_tuple_bind": (DOCSTRING_TUPLE_BIND, "return_type"),
}


def _as_written(reply: str) -> str:
    return reply.split("```python\n", 1)[1].rsplit("```", 1)[0]


@pytest.mark.parametrize("case", list(WRONG))
async def test_control_wrong_program_as_written_fails(docker_sandbox, case: str) -> None:
    reply, category = WRONG[case]
    verdict = await run_check(docker_sandbox, _as_written(reply), load_problem("fizzbuzz"))
    assert verdict.category == category, verdict.detail


async def test_control_template_program_as_written_passes(docker_sandbox) -> None:
    verdict = await run_check(docker_sandbox, _as_written(EXEC_TEMPLATE), load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail


@pytest.mark.parametrize("case", [*WRONG, "exec_template"])
def test_extraction_keeps_the_program_as_written(case: str) -> None:
    reply = EXEC_TEMPLATE if case == "exec_template" else WRONG[case][0]
    code = extract_code(reply, "fizzbuzz").code
    assert code is not None
    assert code.strip() == _as_written(reply).strip(), f"extracted something else:\n{code}"


@pytest.mark.parametrize("case", list(WRONG))
async def test_wrong_program_is_not_scored_as_passing(docker_sandbox, case: str) -> None:
    reply, category = WRONG[case]
    problem = load_problem("fizzbuzz")
    code = extract_code(reply, problem.function).code
    assert code is not None
    verdict = await run_check(docker_sandbox, code, problem)
    assert not verdict.passed, f"{case}: a wrong program was scored as passing (extracted:\n{code})"
    assert verdict.category == category, verdict.detail


async def test_template_program_passes(docker_sandbox) -> None:
    problem = load_problem("fizzbuzz")
    code = extract_code(EXEC_TEMPLATE, problem.function).code
    assert code is not None
    verdict = await run_check(docker_sandbox, code, problem)
    assert verdict.passed, verdict.detail
