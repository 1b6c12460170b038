"""PID 1 of every sandbox container: a tiny Python init, and the signal that makes it kill.

It runs as `python3 -I -c INIT`, as the sandbox user. It ignores every signal a process in the
container may send it, is not ptrace-able (not dumpable), reaps orphans, and on `KILL_SIGNAL`
*from the host* kills every process of the sandbox user. That is how a timed-out check is
stopped, fork bombs included, without starting a process in a container whose pids limit may be
exhausted.
"""

from __future__ import annotations

KILL_SIGNAL = "SIGUSR1"
"""Sent by the host (`docker kill --signal`): PID 1 kills every process it may signal."""

INIT = """\
import os, signal
try:
    import ctypes
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no ptrace, no /proc/1/mem
except Exception:
    pass
for s in signal.valid_signals():
    try:
        signal.signal(s, signal.SIG_IGN)  # SIGCHLD ignored too: orphans are reaped at exit
    except (OSError, ValueError):
        pass
signal.signal(signal.SIGUSR1, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
while True:
    info = signal.sigwaitinfo({signal.SIGUSR1})
    if info.si_pid == 0:  # sent from outside the container: the host asks to kill all
        try:
            os.kill(-1, signal.SIGKILL)  # every process we may signal, except PID 1
        except OSError:
            pass
"""
# One kill(-1) is enough, fork bombs included: the kernel walks the task list under a lock
# that fork needs, and a fork whose parent has a fatal signal pending is aborted. It is done
# once, not in a loop, so that it can never hit the next exec. SIGUSR1 from inside the
# container (si_pid != 0) is ignored.

ENTRYPOINT = ["python3", "-I", "-c", INIT]
