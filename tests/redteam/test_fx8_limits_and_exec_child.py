"""Guards after red11 (round 5): the time limits hold from outside, and a program the candidate
execs (no audit hook) is confined by the seccomp filter and non-dumpable key holders.

1. A call that catches the runner's timeout exception and returns the right value just after
   the limit (inside the runner's own margin) is a `timeout`: the loop times each call with its
   own clock, not only by its alarm. The same for an import that ignores SIGALRM.
2. A plain `python3 -I` the candidate execs has no audit hook, so it may import ctypes; it still
   cannot signal the runner or the zygote (kill, fcntl F_SETOWN, ioctl FIOSETOWN: EPERM from
   seccomp), nor read the key (the candidate process's and the runner's memory: both are
   non-dumpable; process_vm_readv: seccomp). The probe reports what it reached; the candidate
   fails its import if anything was reached, so the check passes only if nothing was.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

CORRECT = load_problem("fizzbuzz").reference

CAUGHT_LATE = CORRECT.replace("def fizzbuzz(", "def _reference(") + """
import time


def fizzbuzz(n):
    if n == 10**12:
        try:
            time.sleep(5)
        except BaseException:  # the runner's alarm: caught, and the right value returned late
            pass
    return _reference(n)
"""

SLOW_IMPORT = """
import signal
import time

signal.signal(signal.SIGALRM, signal.SIG_IGN)
time.sleep(6.5)  # past the 5 s import limit
""" + CORRECT

LOOPING_IMPORT = """
while True:  # an honest import timeout: the alarm stops it
    pass
""" + CORRECT

PROBE = r"""
import ctypes, fcntl, json, os, signal, socket, sys
runner, zygote, parent = int(sys.argv[1]), int(sys.argv[2]), os.getppid()
reached = []
def attempt(name, fn):
    try:
        fn()
        reached.append(name)
    except OSError:
        pass
attempt("kill runner", lambda: os.kill(runner, 0))
attempt("kill zygote", lambda: os.kill(zygote, 0))
attempt("kill runner group", lambda: os.killpg(os.getpgid(runner), 0))
r, w = os.pipe()
attempt("F_SETOWN runner", lambda: fcntl.fcntl(r, fcntl.F_SETOWN, runner))
attempt("F_SETOWN zygote group", lambda: fcntl.fcntl(r, fcntl.F_SETOWN, -zygote))
s = socket.socket()
attempt("FIOSETOWN runner", lambda: fcntl.ioctl(s, 0x8901, runner.to_bytes(4, sys.byteorder)))
attempt("SIOCSPGRP runner", lambda: fcntl.ioctl(s, 0x8902, runner.to_bytes(4, sys.byteorder)))
for pid in (parent, runner, zygote):
    for name in ("mem", "environ", "maps"):
        attempt(f"read /proc/{pid}/{name}", lambda: open(f"/proc/{pid}/{name}", "rb").read(1))
    attempt(f"list /proc/{pid}/fd", lambda: os.listdir(f"/proc/{pid}/fd"))
libc = ctypes.CDLL(None, use_errno=True)
class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
buf = ctypes.create_string_buffer(8)
local, remote = IoVec(ctypes.addressof(buf), 8), IoVec(0x400000, 8)
if libc.process_vm_readv(parent, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) >= 0:
    reached.append("process_vm_readv")
print(json.dumps(reached))
"""

EXEC_CHILD = f'''
import json
import os
import subprocess
import sys

_runner, _zygote = os.getppid(), sys.modules["__main__"].ZYGOTE[0]
_out = subprocess.run([sys.executable, "-I", "-c", {PROBE!r}, str(_runner), str(_zygote)],
                      capture_output=True, text=True, timeout=20)
if _out.returncode != 0 or json.loads(_out.stdout) != []:
    raise RuntimeError(f"the exec'd program reached: {{_out.stdout.strip()}} {{_out.stderr[-300:]}}")
''' + CORRECT


async def test_a_call_that_returns_late_after_catching_the_alarm_is_a_timeout(docker_sandbox: Any) -> None:
    verdict = await run_check(docker_sandbox, CAUGHT_LATE, load_problem("fizzbuzz"), screen=False)
    assert verdict.category == "timeout", verdict.detail


async def test_an_import_past_its_limit_with_sigalrm_ignored_is_a_timeout(docker_sandbox: Any) -> None:
    verdict = await run_check(docker_sandbox, SLOW_IMPORT, load_problem("fizzbuzz"), screen=False)
    assert verdict.category == "timeout", verdict.detail
    assert "import" in verdict.detail


async def test_an_import_stopped_by_the_alarm_is_a_timeout(docker_sandbox: Any) -> None:
    # before, the loop's signed "import timed out" lost its flag in the runner's stage record
    # and read as "crash: importing the code raised"
    verdict = await run_check(docker_sandbox, LOOPING_IMPORT, load_problem("fizzbuzz"), screen=False)
    assert verdict.category == "timeout", verdict.detail
    assert verdict.detail == "timeout: importing the code did not finish"


async def test_an_execd_program_cannot_signal_the_runner_or_read_the_key(docker_sandbox: Any) -> None:
    verdict = await run_check(docker_sandbox, EXEC_CHILD, load_problem("fizzbuzz"), screen=False)
    assert verdict.passed, verdict.detail
