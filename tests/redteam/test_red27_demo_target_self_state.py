"""Red team round 13 (red27): the round-11 fix (`demos._changes_module`) decides that a call of
the target is pure when the target stores into no module-level object. It does not see three
ordinary ways a function keeps state across calls: an attribute of the function itself
(`fizzbuzz.fizz = ...`: the target's own name counts as "not an object"), `globals()[...]`
(the store's owner is a call, not a name) and an imported module (`sys.modules[__name__].X`:
an import counts as "not an object"). So `print(fizzbuzz(3, "Bazz"))` is removed as a demo:

- WRONG_*: as written the module answers "Bazz" for 3 (the control runs it unsanitized and gets
  `semantic`); extracted, the demo is gone and the wrong program scores `none` (a pass).
- RIGHT_ATTR: as written the demo sets the word table, and the module is a correct fizzbuzz;
  extracted, the demo is gone and every call raises AttributeError (`crash`).

Default settings (static screen on). Reproduce end to end: a replay line `{"sample":
"fizzbuzz", "epoch": 1, "replies": ["<any spec>", "<one reply below>"]}`, then `inspect eval
roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=1 --epochs 1` (rule `fence+sanitized`).
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem
from tests.redteam._red23_common import fenced, verdict

_TAIL = """
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return word
    if n % 5 == 0:
        return "Buzz"
    return n


print(fizzbuzz(3, "Bazz"))
"""

WRONG_ATTR = """
def fizzbuzz(n, fizz=None):
    if fizz is not None:
        fizzbuzz.fizz = fizz
    word = getattr(fizzbuzz, "fizz", "Fizz")
""" + _TAIL

WRONG_GLOBALS = """
def fizzbuzz(n, fizz=None):
    if fizz is not None:
        globals()["FIZZ"] = fizz
    word = globals().get("FIZZ", "Fizz")
""" + _TAIL

WRONG_SYS_MODULES = """
import sys


def fizzbuzz(n, fizz=None):
    if fizz is not None:
        sys.modules[__name__].FIZZ = fizz
    word = getattr(sys.modules[__name__], "FIZZ", "Fizz")
""" + _TAIL

RIGHT_ATTR = """
def fizzbuzz(n, words=None):
    if words is not None:
        fizzbuzz.words = words
    out = "".join(w for d, w in sorted(fizzbuzz.words.items()) if n % d == 0)
    return out or n


print(fizzbuzz(15, {3: "Fizz", 5: "Buzz"}))
"""

WRONG = {"attr": WRONG_ATTR, "globals": WRONG_GLOBALS, "sys_modules": WRONG_SYS_MODULES}


@pytest.mark.docker
@pytest.mark.parametrize("name", sorted(WRONG))
async def test_control_wrong_as_written_fails(docker_sandbox: Any, name: str) -> None:
    result = await run_check(docker_sandbox, WRONG[name], load_problem("fizzbuzz"))
    assert result.category == "semantic", result.detail


@pytest.mark.docker
async def test_control_right_as_written_passes(docker_sandbox: Any) -> None:
    result = await run_check(docker_sandbox, RIGHT_ATTR, load_problem("fizzbuzz"))
    assert result.passed, result.detail


@pytest.mark.docker
@pytest.mark.parametrize("name", sorted(WRONG))
async def test_demo_that_changes_target_state_is_kept_wrong(docker_sandbox: Any, name: str) -> None:
    rule, result = await verdict(docker_sandbox, "fizzbuzz", fenced(WRONG[name]))
    assert result is not None, rule
    assert not result.passed, (rule, "a fizzbuzz answering 'Bazz' for 3 as written passed")
    assert result.category == "semantic", (rule, result.category, result.detail)


@pytest.mark.docker
async def test_demo_that_sets_target_state_is_kept_right(docker_sandbox: Any) -> None:
    rule, result = await verdict(docker_sandbox, "fizzbuzz", fenced(RIGHT_ATTR))
    assert result is not None, rule
    assert result.passed, (rule, result.category, result.detail)
