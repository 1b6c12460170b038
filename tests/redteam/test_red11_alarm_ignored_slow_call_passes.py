"""red11 finding 1: a call past the per-call limit scores a pass once the candidate ignores SIGALRM.

The per-call limit (`call_timeout`, 2 s by default) exists only as an alarm inside the candidate
process (`candidate._loop`: `setitimer(ITIMER_REAL, call_timeout)` and a SIGALRM handler that
raises `_CallTimeout`). The runner does not time a call from its side: `supervisor._check`
waits for each reply against the whole check's deadline only, although the threat model says
every line arrives "each within the per-call limit". A candidate that sets SIGALRM to
`SIG_IGN` at import (a single ordinary stdlib call, which the static screen does not read)
takes as long as it likes on any input, and as long as the whole check stays under
`check_timeout` it scores `none` (a pass): the same function without that line scores
`timeout`.

Correct behaviour: a call that took longer than `call_timeout` is a `timeout` on that input,
whatever the candidate did to the signal that was meant to stop it (or the check is
`tampering`, the handler of the runner's alarm having been replaced).
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

SLOW = '''
import signal
import time

{disarm}


def fizzbuzz(n):
    if n == 10**12:
        time.sleep(3)  # past the 2 s per-call limit, on one input
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''

IGNORED = SLOW.format(disarm="signal.signal(signal.SIGALRM, signal.SIG_IGN)")
CONTROL = SLOW.format(disarm="")


@pytest.mark.parametrize("screen", [True, False], ids=["screen_on", "screen_off"])
async def test_a_call_past_the_limit_is_a_timeout_even_with_sigalrm_ignored(
    docker_sandbox: Any, screen: bool
) -> None:
    problem = load_problem("fizzbuzz")
    control = await run_check(docker_sandbox, CONTROL, problem, screen=screen)
    assert control.category == "timeout", control.detail  # the limit works while the alarm is armed
    ignored = await run_check(docker_sandbox, IGNORED, problem, screen=screen)
    assert not ignored.passed, "a 3 s call passed a 2 s per-call limit (SIGALRM ignored)"
    assert ignored.category in ("timeout", "tampering"), ignored.detail
