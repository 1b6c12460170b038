"""red22: a call that ends in 1 ms is scored `timeout`: the loop takes any `_CallTimeout` for its limit.

The loop arms `setitimer(ITIMER_REAL, call_timeout)` with a handler (`_on_alarm`) that raises
`_CallTimeout`, and reads `except _call_timeout: late = True` without looking at its own
clock. The candidate may re-arm that very timer: `signal.setitimer(ITIMER_REAL, 0.001)` then
any blocking call makes the runner's handler raise inside the candidate's function a moment
later, and the loop sends a signed `timeout` for that input and stops the check. So a wrong
function picks its own failure category (`timeout` after a millisecond instead of what it did)
and the inputs after it are never run (the detail says "95/150 inputs differ"). Plain code:
the static screen is on. (Raising the class itself, `vars(sys.modules["__main__"])
["_CallTimeout"]()`, does the same with the screen off; the screen names `sys.modules['__main__']`.)
Asserts the correct verdict (fails today): the call raised after 1 ms of its 2 s limit, which
is not a timeout.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

# wrong on 7 (and only there); there it fires the runner's own alarm at once
OWN_ALARM = '''
import signal
import time


def fizzbuzz(n):
    if n == 7:
        signal.setitimer(signal.ITIMER_REAL, 0.001)
        time.sleep(0.05)
        return "Fizz"
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''


async def test_a_call_stopped_by_its_own_alarm_at_once_is_not_a_timeout(docker_sandbox: Any) -> None:
    result = await run_check(docker_sandbox, OWN_ALARM, load_problem("fizzbuzz"))  # screen on
    assert not result.passed
    assert result.category != "timeout", result.detail
    assert result.n_failed == 1, result.detail  # only fizzbuzz(7) is wrong; every input was run
