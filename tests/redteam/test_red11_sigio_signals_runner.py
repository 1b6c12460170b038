"""red11 finding 2: a candidate signals the runner through F_SETOWN/F_SETSIG, past the seccomp filter.

The zygote's seccomp filter keeps the candidate from signalling the runner or the zygote by
checking the pid argument of kill/tkill/tgkill/rt_(tg)sigqueueinfo/pidfd_send_signal. It does
not look at `fcntl`: `fcntl(fd, F_SETOWN, pid)` + `fcntl(fd, F_SETSIG, sig)` + `O_ASYNC` on a
pipe the candidate owns makes the *kernel* send `sig` to `pid` as soon as the pipe becomes
readable (SIGIO, permission: same uid). Pure standard library (`fcntl`, `os`), no ctypes, and
the static screen does not read it. With the runner as `pid` (the candidate process's parent,
`os.getppid()`) and SIGKILL as the signal, the warm runner dies; the host starts another and
checks the job again, the candidate kills that one too, and the cycle is scored
`crash: the checker's runner was lost twice in one check`. Any signal works the same way
(SIGSTOP stalls the runner, to the zygote it is just as deliverable), so "cannot signal the
runner or the zygote (seccomp)" in docs/threat_model.md does not hold.

Correct behaviour: the candidate cannot signal the runner (or the zygote); or, where it does,
the verdict says the code tampered (`tampering`), not that it crashed.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

KILL_RUNNER = '''
import fcntl
import os
import signal


def _signal(pid, sig):
    """Have the kernel send `sig` to `pid` (SIGIO replaced by F_SETSIG): no kill() call at all."""
    r, w = os.pipe()
    fcntl.fcntl(r, fcntl.F_SETOWN, pid)
    fcntl.fcntl(r, fcntl.F_SETSIG, sig)
    fcntl.fcntl(r, fcntl.F_SETFL, os.O_ASYNC | os.O_NONBLOCK)
    os.write(w, b"x")


_signal(os.getppid(), signal.SIGKILL)  # the candidate process's parent is the runner


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
async def test_signalling_the_runner_through_sigio_is_tampering(docker_sandbox: Any, screen: bool) -> None:
    problem = load_problem("fizzbuzz")
    verdict = await run_check(docker_sandbox, KILL_RUNNER, problem, screen=screen)
    assert not verdict.passed
    assert verdict.category == "tampering", (
        f"the candidate killed the runner with SIGIO/F_SETSIG and scored {verdict.category}: "
        f"{verdict.detail}"
    )
