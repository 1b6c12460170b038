"""Red team round 12 (red25): a helper in another block whose name is a builtin's is never joined.

`extract._needed_blocks` joins the blocks that bind a name the winning block needs, and reads
"needs" from `_free_names`, which drops every name in `dir(builtins)`. A reply that gives its
helper in one block (`def format(n): ...`) and the function in a later one
(`def fizzbuzz(n): return format(n)`) is extracted as the last block alone (rule
`fence:target_of_2`): the call then reaches the builtin `format`, which exists, so nothing
fails loudly; the correct program is scored `return_type` on all 150 inputs (`'1'` for `1`).
The same holds for any helper named `sum`, `max`, `filter`, `hash`, `round`, `input`, ...
A builtin name the reply itself defines is the reply's, as a name defined at top level is.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

FENCE = "```"
HELPER = """def format(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
"""
TARGET = "def fizzbuzz(n):\n    return format(n)\n"
REPLY = (
    f"First a helper:\n\n{FENCE}python\n{HELPER}{FENCE}\n\n"
    f"Then the function:\n\n{FENCE}python\n{TARGET}{FENCE}\n"
)


def test_the_helper_block_is_joined() -> None:
    """Extraction keeps the block that defines the helper the function calls."""
    found = extract_code(REPLY, "fizzbuzz")
    assert found.code is not None and "def format" in found.code, (found.rule, found.code)


@pytest.mark.docker
async def test_the_program_as_written_passes(docker_sandbox: Any) -> None:
    """The control: the two blocks as one program pass (the program is correct)."""
    result = await run_check(docker_sandbox, HELPER + "\n\n" + TARGET, load_problem("fizzbuzz"))
    assert result.passed, result.detail


@pytest.mark.docker
async def test_the_reply_passes(docker_sandbox: Any) -> None:
    """The reply scored as the eval's f step scores it: extraction, then the check."""
    found = extract_code(REPLY, "fizzbuzz")
    assert found.code is not None
    result = await run_check(docker_sandbox, found.code, load_problem("fizzbuzz"))
    assert result.passed, f"{found.rule}: {result.detail}"
