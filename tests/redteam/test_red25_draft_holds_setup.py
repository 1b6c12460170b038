"""Red team round 12 (red25): set-up given only in an earlier draft of the target is dropped.

A reply gives `RULES` and a first `fizzbuzz` in one block, then "Fixed:" a second `fizzbuzz`
that still reads `RULES`, which no other block defines. `extract._needed_blocks` never joins an
earlier block that binds the target unless the program reads the target before binding it
("a draft the last block replaces"), even when that block is the only place a name the program
needs is bound. The extracted code is the second block alone (`fence:target_of_2`) and the
correct program is scored `crash` (NameError) on every input. Joined in source order, the later
definition replaces the draft's, so taking the block would check exactly the program the
reply ends with.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

FENCE = "```"
DRAFT = """RULES = [(15, "FizzBuzz"), (3, "Fizz"), (5, "Buzz")]

def fizzbuzz(n):
    out = ""
    for d, w in RULES:
        if n % d == 0:
            out = w
    return out or n
"""
FIXED = """def fizzbuzz(n):
    for d, w in RULES:
        if n % d == 0:
            return w
    return n
"""
REPLY = (
    f"{FENCE}python\n{DRAFT}{FENCE}\n\nWait, that picks the last match. Fixed:\n\n"
    f"{FENCE}python\n{FIXED}{FENCE}\n"
)


def test_the_setup_is_kept() -> None:
    """Extraction keeps the only binding of `RULES`."""
    found = extract_code(REPLY, "fizzbuzz")
    assert found.code is not None and "RULES =" in found.code, (found.rule, found.code)


@pytest.mark.docker
async def test_the_program_as_written_passes(docker_sandbox: Any) -> None:
    """The control: both blocks in source order (the fixed function wins) pass."""
    result = await run_check(docker_sandbox, DRAFT + "\n\n" + FIXED, load_problem("fizzbuzz"))
    assert result.passed, result.detail


@pytest.mark.docker
async def test_the_reply_passes(docker_sandbox: Any) -> None:
    """The reply scored as the eval's f step scores it: extraction, then the check."""
    found = extract_code(REPLY, "fizzbuzz")
    assert found.code is not None
    result = await run_check(docker_sandbox, found.code, load_problem("fizzbuzz"))
    assert result.passed, f"{found.rule}: {result.detail}"
