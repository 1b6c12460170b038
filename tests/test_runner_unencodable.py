"""A value the function returned but the runner could not encode is a crash of its own.

red9 noted: encoding ran in the same `try` as `func(*args)`, so what encoding raised (a metaclass
whose `__name__` raises) was reported as the function raising it, and could match an exception C0
expects. Now it ends the check as `crash` naming the input and the encoding error; the trial's
next check still passes. An int past the interpreter's 4,300-digit limit was red9's other case:
the codec now writes such an int in hex (`HEX_INT_BITS`, for MBPP+'s huge outputs), so it is a
value like any other and fails on its own terms.
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
async def test_an_unencodable_value_is_a_crash_not_a_raise(docker_sandbox: Any, name: str) -> None:
    problem = load_problem("fizzbuzz")
    verdict = await run_check(docker_sandbox, UNENCODABLE[name], problem)
    assert not verdict.passed
    assert verdict.category == "crash", verdict.detail
    assert "could not be encoded" in verdict.detail and "ValueError" in verdict.detail, verdict.detail
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
