"""A value whose class's metaclass `__name__` raises is encoded all the same, by its own name.

red9 noted: encoding ran in the same `try` as `func(*args)`, so what encoding raised (a metaclass
whose `__name__` raises) was reported as the function raising it, and could match an exception C0
expects; that became a `crash` of its own ("could not be encoded"). Since red15 the encoder reads
a class's name through `type`'s own C descriptor and never calls a metaclass property (one that
rewrote the encoding passed a wrong fizzbuzz): the value is an opaque `Thing`, a `return_type`
like any object of the candidate's own class; the trial's next check still passes. What encoding
can still raise (a signal handler of the candidate's, say) stays a `crash` (`candidate._loop`).
An int past the interpreter's 4,300-digit limit was red9's other case: the codec now writes
such an int in hex (`HEX_INT_BITS`, for MBPP+'s huge outputs), so it is a value like any other
and fails on its own terms.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem
from tests.hostile_code import CORRECT

pytestmark = pytest.mark.docker

NAME_RAISES = '''
class Meta(type):
    @property
    def __name__(cls):
        raise ValueError("no name")


class Thing(metaclass=Meta):
    pass


def fizzbuzz(n):
    return Thing()
'''
UNENCODABLE = {
    "name_raises": NAME_RAISES,
    "nested_name_raises": NAME_RAISES.replace("return Thing()", "return [1, {2: (Thing(),)}]"),
}


@pytest.mark.parametrize("name", sorted(UNENCODABLE))
async def test_a_raising_metaclass_name_is_not_called(docker_sandbox: Any, name: str) -> None:
    problem = load_problem("fizzbuzz")
    verdict = await run_check(docker_sandbox, UNENCODABLE[name], problem)
    assert not verdict.passed
    assert verdict.category == "return_type", verdict.detail
    assert "<Thing " in verdict.detail and "no name" not in verdict.detail, verdict.detail
    after = await run_check(docker_sandbox, CORRECT, problem)
    assert after.passed, after.detail


async def test_a_huge_int_is_a_value_not_a_crash(docker_sandbox: Any) -> None:
    # 10 ** 5000 is past str()'s digit limit: hex-encoded, it is a wrong int (fizzbuzz(1) is 1);
    # the detail shows it in decimal, or in hex where this process keeps the limit
    code = "def fizzbuzz(n):\n    return 10 ** 5000\n"
    verdict = await run_check(docker_sandbox, code, load_problem("fizzbuzz"))
    assert not verdict.passed
    assert verdict.category == "semantic", verdict.detail
    assert '["int", "0x' in verdict.detail or "got 1000000000" in verdict.detail, verdict.detail
