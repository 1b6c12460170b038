"""Red team round 12 (red25): `sanitize` drops a top-level `print(..., file=buffer)` the
function's data is built from.

`demos` counts every top-level `print` call (and a `for` loop of them) as a demo, whatever its
`file=`. A program that writes its words into an `io.StringIO` with `print` and reads them back
(`FIZZ, BUZZ = _words.getvalue().split()`) loses the loop that fills the buffer: the import
raises `ValueError: not enough values to unpack` and the correct program is scored `crash`.
A print into a stream the module holds is set-up, not output shown to a reader.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

FENCE = "```"
CODE = """import io

_words = io.StringIO()
for word in ("Fizz", "Buzz"):
    print(word, file=_words)
FIZZ, BUZZ = _words.getvalue().split()


def fizzbuzz(n):
    if n % 15 == 0:
        return FIZZ + BUZZ
    if n % 3 == 0:
        return FIZZ
    if n % 5 == 0:
        return BUZZ
    return n
"""
REPLY = f"{FENCE}python\n{CODE}{FENCE}\n"


def test_the_print_into_the_buffer_stays() -> None:
    found = extract_code(REPLY, "fizzbuzz")
    assert found.code is not None and "print(word, file=_words)" in found.code, (found.rule, found.code)


@pytest.mark.docker
async def test_the_program_as_written_passes(docker_sandbox: Any) -> None:
    """The control: the code unsanitized passes."""
    result = await run_check(docker_sandbox, CODE, load_problem("fizzbuzz"))
    assert result.passed, result.detail


@pytest.mark.docker
async def test_the_reply_passes(docker_sandbox: Any) -> None:
    found = extract_code(REPLY, "fizzbuzz")
    assert found.code is not None
    result = await run_check(docker_sandbox, found.code, load_problem("fizzbuzz"))
    assert result.passed, f"{found.rule}: {result.detail}"
