"""Red team round 11 (red23): tolerant extraction removes a top-level statement with an exit or
an `input()` in it when it binds no name kept code reads (demos.py rule 3), but such a
statement can change what the function computes by mutating a table it reads. As written,
both programs below add `7: "Bazz"` to fizzbuzz's table at import (the sandbox's stdin is
/dev/null, so `input()` raises EOFError and the handler runs; the `else` branch runs because
the table is not empty), so fizzbuzz(7) returns "Bazz": a wrong function. After the removal the
table is the right one and the check passes. Both must fail (`semantic` on fizzbuzz(7))."""

from __future__ import annotations

from typing import Any

import pytest

from tests.redteam._red23_common import fenced, verdict

FUNCTION = """
def fizzbuzz(n):
    out = "".join(w for d, w in sorted(WORDS.items()) if n % d == 0)
    return out or n
"""

BRANCH_EXIT = fenced(
    """
import sys

WORDS = {3: "Fizz", 5: "Buzz"}
if not WORDS:
    sys.exit("no words configured")
else:
    WORDS[7] = "Bazz"
"""
    + FUNCTION
)

INPUT_AT_EOF = fenced(
    """
WORDS = {3: "Fizz", 5: "Buzz"}
"""
    + FUNCTION
    + """
try:
    input()
except EOFError:
    WORDS[7] = "Bazz"
"""
)


@pytest.mark.docker
@pytest.mark.parametrize("reply", [BRANCH_EXIT, INPUT_AT_EOF], ids=["branch_exit", "input_at_eof"])
async def test_import_time_mutation_is_not_removed(docker_sandbox: Any, reply: str) -> None:
    rule, result = await verdict(docker_sandbox, "fizzbuzz", reply)
    assert result is not None, rule
    assert not result.passed, (rule, result.detail)
    assert result.category == "semantic", (rule, result.category, result.detail)
