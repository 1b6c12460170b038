"""Red team round 11 (red23): tolerant extraction removes a top-level statement that holds a
conditional `sys.exit` (demos.py rule 3, "the stop sits in a branch that may not run") when it
binds no name the code reads, although it fills a table the function reads by mutation
(`VALUES[symbol] = value`). A correct roman_to_int whose table is built by such a loop loses its
table and is scored `crash` (KeyError on every input). It should pass."""

from __future__ import annotations

from typing import Any

import pytest

from tests.redteam._red23_common import fenced, verdict

REPLY = fenced("""
import sys

PAIRS = [("M", 1000), ("D", 500), ("C", 100), ("L", 50), ("X", 10), ("V", 5), ("I", 1)]
VALUES = {}
for symbol, value in PAIRS:
    if symbol in VALUES:
        sys.exit(f"duplicate symbol {symbol}")
    VALUES[symbol] = value


def roman_to_int(numeral):
    total = 0
    previous = 0
    for char in reversed(numeral):
        value = VALUES[char]
        if value < previous:
            total -= value
        else:
            total += value
            previous = value
    return total
""")


@pytest.mark.docker
async def test_table_filled_next_to_a_guarded_exit_passes(docker_sandbox: Any) -> None:
    rule, result = await verdict(docker_sandbox, "roman_to_int", REPLY)
    assert result is not None, rule
    assert result.passed, (rule, result.category, result.detail)
