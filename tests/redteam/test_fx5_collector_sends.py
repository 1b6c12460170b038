"""A C callable the garbage collector runs cannot sign either (a guard after red9 finding 1).

red9's routes had the loop call the C callable at a known place. The collector runs weak
reference callbacks on *any* allocation, with whatever frame is on top: with the threshold at 1
and fresh cycles per call, the forger of `test_red9_c_callable_signs` may fire anywhere in the
loop, including the allocations of `sys.audit` itself between the hook's arming and the send
(where the hook switches the collector off). Whichever frame is on top when it fires, the send is
refused: the check is `tampering`, never a pass. (A guard, not a reproduction: where the
collector first fires is not controlled, and before the fix it was usually a frame of the
candidate's, refused then too.)
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem
from tests.redteam.test_red9_c_callable_signs import CORRECT, MESSAGES

pytestmark = pytest.mark.docker

COLLECTED = MESSAGES + '''
import gc

gc.set_threshold(1, 1, 1)


class _Node:
    pass


_refs = []


def _plant():
    node = _Node()
    node.me = node  # a cycle: only the collector frees it, whenever it next runs
    _refs.append(weakref.ref(node, _forger(_msgs)))


def fizzbuzz(n):
    for _ in range(20):
        _plant()
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''


@pytest.mark.parametrize("screen", [True, False], ids=["screen_on", "screen_off"])
async def test_a_send_from_a_collector_callback_is_tampering(docker_sandbox: Any, screen: bool) -> None:
    problem = load_problem("fizzbuzz")
    verdict = await run_check(docker_sandbox, COLLECTED, problem, screen=screen)
    assert not verdict.passed, f"scored as passing ({verdict.detail})"
    assert verdict.category == "tampering", verdict.detail
    after = await run_check(docker_sandbox, CORRECT, problem, screen=screen)
    assert after.passed, after.detail
