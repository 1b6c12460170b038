"""red29: tolerant extraction drops a demo call that changes what the target computes, when
the target advances an iterator held in a parameter's default (`next(_it)`).

`eval/demos.py` removes a top-level demo only when "removing it cannot change what the target
computes": a call of the target is pure only when the target changes nothing but what it owns
(`target_state.changes_state`). A parameter whose default is not a constant is *not* owned
(`_bindings` puts it in `shared`), and a method call or store on it is seen (`_seen.append(n)`
keeps the demo); but the builtin `next(shared)` is not read as a change. So the demo
`print(fizzbuzz(15))` (or `_ = fizzbuzz(15)`) is dropped though it advances the iterator every
later call reads, and the runner checks another program than the one written:

- RIGHT_AS_WRITTEN is correct as written (its demo takes the one special first call): scored
  today `return_type: fizzbuzz(1) expected 1 (int), got None (NoneType); 1/150 inputs differ`;
  should pass.
- WRONG_AS_WRITTEN, as written, answers "wrong" on its 150th call of the check (the demo took
  one of the 150 good calls): scored today as a pass; should fail (`semantic`/`return_type`).

Reproduce end to end (static screen on, default settings): a replay line
`{"sample": "fizzbuzz", "epoch": 1, "replies": ["spec", "```python\\n" + RIGHT_AS_WRITTEN + "```"]}`
and `inspect eval roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=1 --epochs 1`.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

_BODY = """    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n


print(fizzbuzz(15))
"""
RIGHT_AS_WRITTEN = (
    "def fizzbuzz(n, _first_call=iter([True])):\n"
    "    if next(_first_call, False):\n"
    "        return None\n" + _BODY
)
WRONG_AS_WRITTEN = (
    "def fizzbuzz(n, _budget=iter(range(150))):\n"
    "    if next(_budget, None) is None:\n"
    '        return "wrong"\n' + _BODY
)


def _reply(code: str) -> str:
    return f"Here it is:\n\n```python\n{code}```\n"


def test_the_demo_is_kept_when_the_target_advances_a_default_iterator() -> None:
    for code in (RIGHT_AS_WRITTEN, WRONG_AS_WRITTEN):
        assert "print(fizzbuzz(15))" in (extract_code(_reply(code), "fizzbuzz").code or "")


async def test_a_program_right_as_written_passes(docker_sandbox) -> None:
    code = extract_code(_reply(RIGHT_AS_WRITTEN), "fizzbuzz").code
    assert code is not None
    verdict = await run_check(docker_sandbox, code, load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail


async def test_a_program_wrong_as_written_fails(docker_sandbox) -> None:
    code = extract_code(_reply(WRONG_AS_WRITTEN), "fizzbuzz").code
    assert code is not None
    verdict = await run_check(docker_sandbox, code, load_problem("fizzbuzz"))
    assert not verdict.passed, "a program whose 150th call (its 150th input) answers 'wrong' passed"
