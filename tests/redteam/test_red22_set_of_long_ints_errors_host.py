"""red22: a set holding an int past Python's 4,300-digit limit makes the host's compare raise.

`codec.typed_equal` compares two sets through `_typed_key`, which sorts the members' keys by
`repr`; `repr((int, 10**5000))` raises `ValueError` (Python's limit on decimal text, which the
host process keeps at its default unless an EvalPlus problem was loaded, `_allow_long_ints`).
The runner carries such an int in hex, so nothing stops it on the way: a candidate that returns
a set of the expected size holding one long int reaches `mismatch_kind`, and `run_check`
raises instead of giving a verdict (in an eval: a sample error, "the eval never errors because
of candidate code"). Any problem whose C0 returns a set (allowed: `validate.OUTPUT_TYPES`)
reaches it. The candidate is plain code: the static screen is on. Asserts the correct verdict
(fails today).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem_folder

pytestmark = pytest.mark.docker

REFERENCE = '''def digit_set(n):
    return {int(c) for c in str(abs(n))}
'''

INPUTS = '''"""Inputs for digit_set: a few cases, then random draws."""

import random

CASES = [(0,), (7,), (10,), (121,), (9876543210,)]


def generate(rng: random.Random, count: int) -> list[tuple]:
    return [(rng.randrange(-10**9, 10**9),) for _ in range(count)]


def probe_classes(args: tuple) -> list[str]:
    (n,) = args
    return ["edge"] if n <= 0 else ["plain"]
'''

TOML = '''name = "digit_set"
function = "digit_set"
domain = "arithmetic"
familiarity = "novel"
description = "Return the set of decimal digits of n."
source = "red22"
known_because = "A red-team probe problem."

[inputs]
seed = 7
count = 60
'''

# wrong on every input: each digit shifted by 10**5000 (the set keeps its size)
LONG_INT_SET = '''
def digit_set(n):
    return {10 ** 5000 + int(c) for c in str(abs(n))}
'''


# C0 itself returns long ints in its sets: the problem loads (the codec carries them in hex)
BIG_REFERENCE = LONG_INT_SET.lstrip("\n").replace("digit_set", "big_set")


def _problem(tmp_path: Path, name: str, reference: str) -> Any:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "reference.py").write_text(reference)
    (folder / "inputs.py").write_text(INPUTS)
    (folder / "task.toml").write_text(TOML.replace("digit_set", name))
    return load_problem_folder(folder)


@pytest.fixture
def digit_set(tmp_path: Path) -> Any:
    return _problem(tmp_path, "digit_set", REFERENCE)


@pytest.fixture(autouse=True)
def _default_digit_limit() -> Any:
    """Python's default limit on decimal text, as in a process that loaded no EvalPlus problem."""
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(4300)
    yield
    sys.set_int_max_str_digits(before)


async def test_a_set_of_long_ints_gets_a_verdict(docker_sandbox: Any, digit_set: Any) -> None:
    result = await run_check(docker_sandbox, LONG_INT_SET, digit_set)
    assert not result.passed
    assert result.category == "semantic", result.detail


async def test_c0s_own_code_passes_when_it_returns_long_ints_in_a_set(
    docker_sandbox: Any, tmp_path: Path
) -> None:
    # the same sort, on C0's own value: no candidate, C0 included, can pass such a problem
    problem = _problem(tmp_path, "big_set", BIG_REFERENCE)
    result = await run_check(docker_sandbox, BIG_REFERENCE, problem)
    assert result.passed, result.detail
