"""red31: a code line that merely ends with the fence string (a comment such as
`# e.g. ```fizzbuzz(30)````) is read as "code glued to the closing fence", so tolerant extraction
cuts the function there, although the block's real closing fence follows a few lines later.

`extract.fenced_blocks` closes a fenced block at any line whose right end is the fence
(`_glued_close`), a rule meant for replies that glue the last code line to the closing fence.
The cut block still parses and binds the target (its body ends at the comment), the rest of the
function and the real closing fence become a second, unterminated "block" that does not parse,
and rule 1 (`fence:target_of_2`) keeps the cut function. A correct reply is scored as a wrong
function: `return_type` (None on every input that is not a multiple of 15). Expected: pass (the
reply holds one complete, correct fenced program, as any Markdown reader renders it).

Reproduce end to end: a replay line `{"sample": "fizzbuzz", "epoch": 1, "replies": ["spec",
COMMENT_REPLY]}` and `inspect eval roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=1
--epochs 1`: rule `fence:target_of_2`, verdict `return_type: fizzbuzz(1) expected 1 (int), got
None (NoneType); 137/150 inputs differ`. Static screen on (default); no setting needed.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

FENCE = "```"
BODY_TAIL = (
    "    if n % 3 == 0:\n        return 'Fizz'\n    if n % 5 == 0:\n        return 'Buzz'\n    return n\n"
)

COMMENT_REPLY = (
    "Here is the solution.\n\n"
    f"{FENCE}python\ndef fizzbuzz(n):\n    if n % 15 == 0:\n"
    f"        return 'FizzBuzz'  # e.g. {FENCE}fizzbuzz(30){FENCE}\n"
    f"{BODY_TAIL}{FENCE}\n\nThis returns the right label for every n.\n"
)
"""A comment quoting a call in Markdown's triple backticks, on the line of an early return."""

LABEL_REPLY = (
    "Here is the solution.\n\n"
    f"{FENCE}python\ndef fizzbuzz(n):\n    label = ''\n"
    f"    # build the label: {FENCE}Fizz{FENCE} then {FENCE}Buzz{FENCE}\n"
    "    if n % 3 == 0:\n        label += 'Fizz'\n    if n % 5 == 0:\n        label += 'Buzz'\n"
    f"    return label or n\n{FENCE}\n\nThis returns the right label for every n.\n"
)

TILDE_REPLY = (
    "Here is the solution.\n\n"
    "~~~python\ndef fizzbuzz(n):\n    if n % 15 == 0:\n        return 'FizzBuzz'  # ~~~\n"
    f"{BODY_TAIL}~~~\n\nThis returns the right label for every n.\n"
)

REPLIES = {"comment": COMMENT_REPLY, "label": LABEL_REPLY, "tilde": TILDE_REPLY}


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_extraction_keeps_the_whole_function(name: str) -> None:
    found = extract_code(REPLIES[name], "fizzbuzz")
    assert found.code is not None
    assert "return n" in found.code or "return label or n" in found.code, (found.rule, found.code)


@pytest.mark.parametrize("name", sorted(REPLIES))
async def test_correct_reply_passes(docker_sandbox: Any, name: str) -> None:
    found = extract_code(REPLIES[name], "fizzbuzz")
    assert found.code is not None
    result = await run_check(docker_sandbox, found.code, load_problem("fizzbuzz"))
    assert result.passed, (found.rule, result.category, result.detail)
