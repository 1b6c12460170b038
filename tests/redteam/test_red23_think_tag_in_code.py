"""Red team round 11 (red23): `strip_think` runs over the whole reply, fenced code included, so
a correct program that merely mentions `</think>` in a comment (or a string literal) loses
everything before it: the reply below is scored `extraction` (rule `think+none`), no code
found. The function should be extracted as written and pass."""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.eval.extract import extract_code
from tests.redteam._red23_common import fenced, verdict

REPLY = fenced("""
def remove_vowels(text):
    # keep every character that is not a vowel (no </think> tags to worry about here)
    vowels = "aeiou"
    result = ""
    for char in text:
        if char.lower() not in vowels:
            result += char
    return result
""")


def test_think_tag_in_a_comment_keeps_the_code() -> None:
    found = extract_code(REPLY, "remove_vowels")
    assert found.code is not None, found.rule
    assert "def remove_vowels" in found.code


@pytest.mark.docker
async def test_think_tag_in_a_comment_passes(docker_sandbox: Any) -> None:
    rule, result = await verdict(docker_sandbox, "remove_vowels", REPLY)
    assert result is not None, rule
    assert result.passed, (rule, result.category, result.detail)
