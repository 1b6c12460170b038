"""Red team round 12 (red25): a language name on the line after a bare fence is kept as code.

Some replies put the language on its own line inside an untagged fence ("```" then "python",
the shape a chat UI's copy of a code box gives). The line parses as an expression statement
(the name `python`), so the block binds the target and is taken whole (rule `fence`), and
`sanitize` keeps a bare name: the import raises `NameError: name 'python' is not defined` and
the correct program is scored `crash`. The same reply outside a fence ("python" / "Copy code"
above the code) is extracted without the word (rule `bare`), and passes.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

FENCE = "```"
CODE = """def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
"""
REPLY = f"{FENCE}\npython\n{CODE}{FENCE}\n"


def test_the_language_line_is_not_code() -> None:
    found = extract_code(REPLY, "fizzbuzz")
    assert found.code is not None and not found.code.startswith("python"), (found.rule, found.code)


@pytest.mark.docker
async def test_the_reply_passes(docker_sandbox: Any) -> None:
    found = extract_code(REPLY, "fizzbuzz")
    assert found.code is not None
    result = await run_check(docker_sandbox, found.code, load_problem("fizzbuzz"))
    assert result.passed, f"{found.rule}: {result.detail}"
