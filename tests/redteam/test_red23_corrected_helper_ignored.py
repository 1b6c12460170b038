"""Red team round 11 (red23): when a reply gives a helper twice (a draft, then "the corrected
helper"), tolerant extraction joins the *nearest* block that defines the helper, the draft,
although for the target itself the last restatement wins ("models restate a corrected version
after a draft", extract.py). The reply below ends with a correct program; it is scored
`feature_dropped`/`semantic` on fizzbuzz(15) because the draft helper was kept. The last helper
should be the one joined, and the check should pass."""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.eval.extract import extract_code
from tests.redteam._red23_common import FENCE, verdict

REPLY = f"""{FENCE}python
def fizzbuzz(n):
    return label(n)
{FENCE}
It uses this helper:
{FENCE}python
def label(n):
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
{FENCE}
Wait, that misses multiples of 15. Here is the corrected helper:
{FENCE}python
def label(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
{FENCE}
"""


def test_the_corrected_helper_is_joined() -> None:
    found = extract_code(REPLY, "fizzbuzz")
    assert found.code is not None, found.rule
    assert '"FizzBuzz"' in found.code, (found.rule, found.code)


@pytest.mark.docker
async def test_reply_ending_correct_passes(docker_sandbox: Any) -> None:
    rule, result = await verdict(docker_sandbox, "fizzbuzz", REPLY)
    assert result is not None, rule
    assert result.passed, (rule, result.category, result.detail)
