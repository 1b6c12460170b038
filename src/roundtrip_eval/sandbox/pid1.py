"""PID 1 of every sandbox container: a tiny Python init, and the signal that makes it kill.

It runs as `python3 -I -c INIT`, as the sandbox user. It ignores every signal a process in the
container may send it, is not ptrace-able (not dumpable), reaps orphans (and says when the warm
runner it started has ended), and on `KILL_SIGNAL` *from the host* kills every process of the
sandbox user. That is how a timed-out check is stopped, fork bombs included, without starting a
process in a container whose pids limit may be exhausted.

Started with the argument `warm` (`WARM_COMMAND`), it first forks the trial's warm runner
(`runner.BOOT`, at nice 10) on the container's stdin and stdout, which the host attached to
before the container started, and then points its own stdin, stdout and stderr at /dev/null.
The fork comes before anything else, so the runner inherits none of init's signal settings.
"""

from __future__ import annotations

from roundtrip_eval.check.runner import BOOT

KILL_SIGNAL = "SIGUSR1"
"""Sent by the host (`docker kill --signal`): PID 1 kills every process it may signal."""

WARM_COMMAND = ["warm"]

RUNNER_EXITED = b"roundtrip-runner-exited"
"""The line init writes on the container's stdout when the runner it started has ended: the
engine keeps an attached stream open while the container runs, so its end says nothing. No
line of the runner's starts with it (each starts with the check's nonce, or READY)."""

INIT = (
    """\
import os, signal, sys
runner = None
if sys.argv[1:] == ["warm"]:
    runner = os.fork()
    if runner == 0:
        try:
            os.nice(10)
            os.execvp("python3", ["python3", "-I", "-c", """
    + repr(BOOT)
    + """, "serve"])
        finally:
            os._exit(127)
    out = os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
try:
    import ctypes
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no ptrace, no /proc/1/mem
except Exception:
    pass
waited = {signal.SIGUSR1, signal.SIGCHLD}
signal.pthread_sigmask(signal.SIG_BLOCK, waited)
for s in signal.valid_signals() - waited:
    try:
        signal.signal(s, signal.SIG_IGN)
    except (OSError, ValueError):
        pass
while True:
    while True:  # reap every ended child (orphans come to PID 1)
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if not pid:
            break
        if pid == runner:
            try:
                os.write(out, """
    + repr(b"\n" + RUNNER_EXITED + b"\n")
    + """)
                os.close(out)
            except OSError:
                pass
            runner = None
    info = signal.sigwaitinfo(waited)
    # from outside the container: a plain kill (SI_USER) whose sender the kernel shows as pid 0.
    # A queued signal from inside may claim si_pid 0, but never si_code SI_USER.
    if info.si_signo == signal.SIGUSR1 and info.si_code == 0 and info.si_pid == 0:
        try:
            os.kill(-1, signal.SIGKILL)  # every process we may signal, except PID 1
        except OSError:
            pass
"""
)
# One kill(-1) is enough, fork bombs included: the kernel walks the task list under a lock
# that fork needs, and a fork whose parent has a fatal signal pending is aborted. It is done
# once, not in a loop, so that it can never hit the next exec. SIGUSR1 from inside the
# container is ignored: a plain kill carries the sender's pid, and rt_sigqueueinfo(2) to another
# process is refused unless si_code is negative (SI_QUEUE), whatever si_pid it claims.

ENTRYPOINT = ["python3", "-I", "-c", INIT]
