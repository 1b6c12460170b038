"""red10: a value the runner cannot encode is reported as the function's own exception.

The candidate side's loop calls the function and then encodes what it returned *inside the same
`try`* (`candidate._loop`: `value = func(*args)` ... `_encode_value(value)`), and `codec._enc`
turns an int into text with `str()`, which raises `ValueError` past CPython's 4,300-digit
limit. So a function that *returns* `10 ** 5000` is recorded as having *raised* `ValueError`.

Where C0 raises `ValueError` on an input (an invalid argument: a problem folder is free to
expect that, "an exception is a legitimate expected outcome", `problems/load._call`), a wrong
function that returns a huge int there instead of raising is scored as passing. The problem
here is a minimal folder (`tmp_path`): `halve(n)` is `n // 2` and raises `ValueError` for a
negative `n`; the candidate is right on every non-negative input and on negative inputs returns
`10 ** 5000` (no exception): verdict `none` (pass). Expected: a failure (`semantic`, or a
failure naming the unencodable value), never a pass. The control: the same candidate with a
small wrong value (`-1`) on negative inputs fails as `semantic`.

Host API route, default settings (static screen on).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem_folder

pytestmark = pytest.mark.docker

TOML = """name = "halve"
function = "halve"
domain = "control"
familiarity = "novel"
description = "n // 2; ValueError for a negative n."
source = "red10 test."

[inputs]
seed = 1
count = 60
"""

INPUTS = '''import random

CASES = [(0,), (1,), (-1,), (7,)]


def generate(rng: random.Random, count: int) -> list[tuple]:
    return [(n,) for n in range(-30, 30)]


def probe_classes(args: tuple) -> list[str]:
    return ["negative"] if args[0] < 0 else ["plain"]
'''

REFERENCE = '''def halve(n):
    if n < 0:
        raise ValueError("n must not be negative")
    return n // 2
'''

HUGE_INSTEAD_OF_RAISE = '''def halve(n):
    if n < 0:
        return 10 ** 5000
    return n // 2
'''

SMALL_INSTEAD_OF_RAISE = '''def halve(n):
    if n < 0:
        return -1
    return n // 2
'''


def _problem(tmp_path: Path):
    folder = tmp_path / "halve"
    folder.mkdir()
    (folder / "task.toml").write_text(TOML, encoding="utf-8")
    (folder / "inputs.py").write_text(INPUTS, encoding="utf-8")
    (folder / "reference.py").write_text(REFERENCE, encoding="utf-8")
    problem = load_problem_folder(folder)
    assert any(not o.ok and o.error == "ValueError" for o in problem.expected)
    return problem


async def test_control_a_small_wrong_value_fails(docker_sandbox, tmp_path: Path) -> None:
    verdict = await run_check(docker_sandbox, SMALL_INSTEAD_OF_RAISE, _problem(tmp_path))
    assert not verdict.passed and verdict.category == "semantic", verdict.detail


async def test_returning_a_huge_int_is_not_raising(docker_sandbox, tmp_path: Path) -> None:
    verdict = await run_check(docker_sandbox, HUGE_INSTEAD_OF_RAISE, _problem(tmp_path))
    assert not verdict.passed, f"a function that returns where C0 raises passed: {verdict.detail}"
