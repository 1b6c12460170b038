"""Red team round 11 (red23): `strip_think` runs over the whole reply, fenced code included, so
a correct program that merely mentions `</think>` in a comment (or a string literal) loses
everything before it: the reply below is scored `extraction` (rule `think+none`), no code
found. The function should be extracted as written and pass. The same strip, with both tags
in string literals of one function, cuts the lines between them out of the code: the second
reply's fizzbuzz returns "Bazz" for 7 as written, and scores a pass (rule `think+fence`) since
the line that does it is gone. It should be `semantic`."""

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


WRONG_AS_WRITTEN = fenced("""
def fizzbuzz(n):
    marker = "<think>"
    if n == 7:
        return "Bazz"
    marker = "</think>"
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
""")


def test_think_tags_in_strings_keep_every_line() -> None:
    found = extract_code(WRONG_AS_WRITTEN, "fizzbuzz")
    assert found.code is not None, found.rule
    assert 'return "Bazz"' in found.code, (found.rule, found.code)


@pytest.mark.docker
async def test_think_tags_in_strings_do_not_pass_a_wrong_function(docker_sandbox: Any) -> None:
    rule, result = await verdict(docker_sandbox, "fizzbuzz", WRONG_AS_WRITTEN)
    assert result is not None, rule
    assert not result.passed, (rule, result.detail)
    assert result.category == "semantic", (rule, result.category, result.detail)
