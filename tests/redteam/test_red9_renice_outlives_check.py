"""red9 finding 2: a check lowers the priority of the runner, its zygote and init for the trial.

Every process in a `roundtrip-docker` container runs as the same user, and `setpriority` is
not among the seccomp filter's pid-checked calls (`prlimit64` is). `os.setpriority(PRIO_USER,
uid, 19)` from a candidate sets nice 19 on every process of that user: init, the warm runner
(nice 10) and its zygote, which forks every later candidate process. Nothing puts it back
(raising nice needs no privilege, lowering it does), and the clean slate's proof looks at
files, IPC and processes, not at priorities: every later check of the trial runs with a runner
at nice 19, no longer above its candidate process (the runner's `nice` step, "it must win the
CPU over a fork bomb", is undone), and every later candidate process at 19.

Correct behaviour: what a check does to the runner's or zygote's scheduling does not outlive
it (the candidate cannot change it, or the runner restores or renews before the next check).
The probe below is a correct fizzbuzz that fails at import when its runner no longer runs at
a better priority than it does; it passes in a fresh container and fails after the renice.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

RENICE = '''
import os

os.setpriority(os.PRIO_USER, os.getuid(), 19)


def fizzbuzz(n):
    return n
'''

PROBE = '''
import os

mine = os.getpriority(os.PRIO_PROCESS, 0)
runner = os.getpriority(os.PRIO_PROCESS, os.getppid())
if runner >= mine:
    raise RuntimeError(f"the runner runs at nice {runner}, this candidate at {mine}")


def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''


@pytest.mark.parametrize("screen", [True, False], ids=["screen_on", "screen_off"])
async def test_a_renice_does_not_reach_the_next_check(docker_sandbox: Any, screen: bool) -> None:
    problem = load_problem("fizzbuzz")
    before = await run_check(docker_sandbox, PROBE, problem, screen=screen)
    assert before.passed, before.detail  # a fresh trial: the runner is above its candidate
    renice = await run_check(docker_sandbox, RENICE, problem, screen=screen)
    assert not renice.passed  # wrong on purpose (returns n): the verdict itself is right
    after = await run_check(docker_sandbox, PROBE, problem, screen=screen)
    assert after.passed, f"the next cycle inherits the renice: {after.detail}"
