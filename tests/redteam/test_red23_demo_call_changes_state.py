"""Red team round 11 (red23): tolerant extraction removes `print(target(...))` as a demo made of
pure parts (demos.py rule 2), taking a call of the target itself to be pure. But the target
may change module state through its arguments: a demo `print(fizzbuzz(7, {7: "Bazz"}))` makes
the program as written answer "Bazz" for 7 (a wrong function, scored as passing once the demo
is gone), and a demo `print(fizzbuzz(15, {3: "Fizz", 5: "Buzz"}))` is what fills the table of a
correct program (scored `semantic` once the demo is gone)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.redteam._red23_common import fenced, verdict

WRONG_AS_WRITTEN = fenced("""
WORDS = {3: "Fizz", 5: "Buzz"}


def fizzbuzz(n, extra=None):
    if extra:
        WORDS.update(extra)
    out = "".join(w for d, w in sorted(WORDS.items()) if n % d == 0)
    return out or n


print(fizzbuzz(7, {7: "Bazz"}))
""")

RIGHT_AS_WRITTEN = fenced("""
WORDS = {}


def fizzbuzz(n, words=None):
    if words:
        WORDS.update(words)
    out = "".join(w for d, w in sorted(WORDS.items()) if n % d == 0)
    return out or n


print(fizzbuzz(15, {3: "Fizz", 5: "Buzz"}))
""")


@pytest.mark.docker
async def test_demo_that_changes_the_table_is_kept_wrong(docker_sandbox: Any) -> None:
    rule, result = await verdict(docker_sandbox, "fizzbuzz", WRONG_AS_WRITTEN)
    assert result is not None, rule
    assert not result.passed, (rule, result.detail)
    assert result.category == "semantic", (rule, result.category, result.detail)


@pytest.mark.docker
async def test_demo_that_fills_the_table_is_kept_right(docker_sandbox: Any) -> None:
    rule, result = await verdict(docker_sandbox, "fizzbuzz", RIGHT_AS_WRITTEN)
    assert result is not None, rule
    assert result.passed, (rule, result.category, result.detail)
