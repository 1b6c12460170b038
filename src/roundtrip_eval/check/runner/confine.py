# inspect-evals-lint: ignore-file[host_code_execution] -- a part of the runner, which runs inside the sandbox
"""The candidate process's confinement: prctl, the seccomp filter, its descriptors (runner side)."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, NoReturn

from .protocol import (
    EXE_FD,
    F_SETOWN,
    F_SETOWN_EX,
    FIOSETOWN,
    HASH_SEED,
    JOB_FD,
    PRELOAD_ARG,
    SIOCSPGRP,
    ZYGOTE_FD,
)

# prctl options and seccomp constants (linux/prctl.h, linux/seccomp.h, linux/filter.h)
PR_SET_DUMPABLE, PR_SET_SECCOMP, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 4, 22, 36, 38
PR_SET_PTRACER = 0x59616D61
SECCOMP_MODE_FILTER = 2
SECCOMP_ALLOW, SECCOMP_KILL, SECCOMP_EPERM = 0x7FFF0000, 0x80000000, 0x00050000 | 1
# syscall numbers: x86_64 and aarch64 (asm-generic)
SYSCALLS = {
    "x86_64": (0xC000003E, {
        "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129,
        "rt_tgsigqueueinfo": 297, "prlimit64": 302, "pidfd_open": 434, "ptrace": 101,
        "process_vm_readv": 310, "process_vm_writev": 311, "pidfd_send_signal": 424,
        "pidfd_getfd": 438, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "prctl": 157, "memfd_create": 319,
        "setpriority": 141, "sched_setparam": 142, "sched_setscheduler": 144,
        "sched_setaffinity": 203, "sched_setattr": 314, "ioprio_set": 251, "fcntl": 72,
        "ioctl": 16,
    }),
    "aarch64": (0xC00000B7, {
        "kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138,
        "rt_tgsigqueueinfo": 240, "prlimit64": 261, "pidfd_open": 434, "ptrace": 117,
        "process_vm_readv": 270, "process_vm_writev": 271, "pidfd_send_signal": 424,
        "pidfd_getfd": 438, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "prctl": 167, "memfd_create": 279,
        "setpriority": 140, "sched_setparam": 118, "sched_setscheduler": 119,
        "sched_setaffinity": 122, "sched_setattr": 274, "ioprio_set": 30, "fcntl": 25,
        "ioctl": 29,
    }),
}  # fmt: skip
DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_send_signal", "pidfd_getfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "memfd_create",
)  # fmt: skip
"""Refused with EPERM. memfd_create: a memfd is memory charged to the sandbox but to no process,
so the OOM killer could not find it (the runner makes its own memfd, the exec-only interpreter,
before any candidate process exists; the filter binds the candidate process only)."""
PID_SYSCALLS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "prlimit64",
                "pidfd_open")  # fmt: skip
"""Refused when the first argument is the runner, its group, the zygote or its group, or -1
(prlimit64: init too; a signal to init from inside its namespace is ignored by the kernel)."""
PRIO_PROCESS, IOPRIO_WHO_PROCESS = 0, 1
SELF_SYSCALLS = {
    "setpriority": ((0, PRIO_PROCESS), (1, 0)), "ioprio_set": ((0, IOPRIO_WHO_PROCESS), (1, 0)),
    "sched_setparam": ((0, 0),), "sched_setscheduler": ((0, 0),), "sched_setattr": ((0, 0),),
    "sched_setaffinity": ((0, 0),),
}  # fmt: skip
"""Scheduling calls, allowed only on the calling process itself: {name: ((argument, value), ...)}
that must all hold (who/pid 0; `PRIO_PROCESS`, never `PRIO_PGRP` or `PRIO_USER`), else EPERM.
Every process in the sandbox runs as one user, so without this a candidate could lower the
priority of init, the runner and the zygote for the rest of the trial (raising nice needs no
privilege, lowering it back does; red team round 4), or pin them to one CPU. `os.nice`,
`os.setpriority(PRIO_PROCESS, 0, n)` and `os.sched_setaffinity(0, ...)` work as usual; the same
calls naming the process by its own pid are refused (the filter, shared by every process the
zygote forks, cannot know that pid)."""
OWNER_IOCTLS = (FIOSETOWN, SIOCSPGRP)
"""ioctls that set the process or group a socket signals (SIGIO, SIGURG): refused with EPERM,
as are `fcntl(F_SETOWN_EX)` and `fcntl(F_SETOWN)` with any owner but 0 (none). An owner makes
the *kernel* send a signal (SIGIO, or any signal chosen with F_SETSIG) to that process, or to
every process of a group when it is negative, with only the same-user check that any process
of the sandbox passes: red team round 5 killed the runner with SIGKILL this way, without a
kill() call (`tests/redteam/test_red11_sigio_signals_runner.py`). The other ways the kernel
signals on a process's behalf reach only the caller (F_NOTIFY, leases, POSIX timers, mq_notify
and PR_SET_PDEATHSIG target the process that set them up) or its parent with SIGCHLD
(`CLONE_PARENT` takes the caller's own exit signal, and an orphan's becomes SIGCHLD when it is
re-parented): see docs/threat_model.md."""


def _seccomp_program(
    parent: int, parent_group: int, machine: str | None = None, zygote: int | None = None
) -> list[tuple[int, int, int, int]] | None:
    """A BPF filter that keeps the candidate process (and all it starts) off the runner, and
    off the zygote (`zygote`: its pid, which is also its process group)."""
    table = SYSCALLS.get(machine or os.uname().machine)
    if table is None:
        return None
    arch, nr = table
    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, JMP|JEQ|K, JMP|JGE|K, RET|K
    prog = [(ld_abs, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, SECCOMP_KILL), (ld_abs, 0, 0, 0)]
    if arch == 0xC000003E:  # x32 syscalls share the arch value: refuse them all
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, SECCOMP_KILL)]
    for name in DENIED_SYSCALLS:
        prog += [(jeq, 0, 1, nr[name]), (ret, 0, 0, SECCOMP_EPERM)]
    targets = {parent & 0xFFFFFFFF, 0xFFFFFFFF, (-parent_group) & 0xFFFFFFFF}
    if zygote is not None:
        targets |= {zygote & 0xFFFFFFFF, (-zygote) & 0xFFFFFFFF}
    for name in PID_SYSCALLS:
        block = [(ld_abs, 0, 0, 16)]  # the low word of the first argument (a pid)
        for target in sorted(targets | ({1} if name == "prlimit64" else set())):  # init's limits
            block += [(jeq, 0, 1, target), (ret, 0, 0, SECCOMP_EPERM)]
        block.append((ret, 0, 0, SECCOMP_ALLOW))
        prog += [(jeq, 0, len(block), nr[name]), *block]
    for name, conditions in SELF_SYSCALLS.items():
        block = []
        for arg, value in conditions:  # the low word of each argument (an int or pid_t)
            block += [(ld_abs, 0, 0, 16 + 8 * arg), (jeq, 1, 0, value), (ret, 0, 0, SECCOMP_EPERM)]
        block.append((ret, 0, 0, SECCOMP_ALLOW))
        prog += [(jeq, 0, len(block), nr[name]), *block]
    # fcntl(fd, cmd, arg): the low words of cmd and arg (the kernel reads both as 32-bit ints)
    block = [(ld_abs, 0, 0, 24), (jeq, 0, 1, F_SETOWN_EX), (ret, 0, 0, SECCOMP_EPERM),
             (jeq, 0, 3, F_SETOWN), (ld_abs, 0, 0, 32), (jeq, 1, 0, 0), (ret, 0, 0, SECCOMP_EPERM),
             (ret, 0, 0, SECCOMP_ALLOW)]  # fmt: skip
    prog += [(jeq, 0, len(block), nr["fcntl"]), *block]
    block = [(ld_abs, 0, 0, 24)]  # ioctl(fd, request, arg): the request's low word
    for request in OWNER_IOCTLS:
        block += [(jeq, 0, 1, request), (ret, 0, 0, SECCOMP_EPERM)]
    block.append((ret, 0, 0, SECCOMP_ALLOW))
    prog += [(jeq, 0, len(block), nr["ioctl"]), *block]
    block = [(ld_abs, 0, 0, 16), (jeq, 0, 1, PR_SET_DUMPABLE), (ret, 0, 0, SECCOMP_EPERM),
             (jeq, 0, 1, PR_SET_PTRACER), (ret, 0, 0, SECCOMP_EPERM), (ret, 0, 0, SECCOMP_ALLOW)]  # fmt: skip
    prog += [(jeq, 0, len(block), nr["prctl"]), *block, (ret, 0, 0, SECCOMP_ALLOW)]
    return [(code, jt, jf, k) for code, jt, jf, k in prog]


def _libc() -> Any:
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):  # pragma: no cover - not Linux/glibc
        return None


def _prctl(libc: Any, option: int, value: int) -> bool:
    return libc is not None and libc.prctl(option, value, 0, 0, 0) == 0


def _seccomp_filter(parent: int, parent_group: int, zygote: int | None = None) -> bytes | None:
    """The filter as the kernel reads it (`struct sock_filter[]`); built once per zygote."""
    import struct

    prog = _seccomp_program(parent, parent_group, zygote=zygote)
    return None if prog is None else b"".join(struct.pack("HBBI", *ins) for ins in prog)


def _install_seccomp(libc: Any, raw: bytes | None) -> str:
    """Install the filter in this process; returns "" or why it could not be installed."""
    import ctypes

    if raw is None or libc is None:
        return "no seccomp filter for this machine"
    buf = ctypes.create_string_buffer(raw, len(raw))

    class _Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Prog(len(raw) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"no_new_privs refused (errno {ctypes.get_errno()})"
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return f"seccomp refused (errno {ctypes.get_errno()})"
    return ""


def _place_fds(wanted: dict[int, int], inherit: frozenset[int]) -> None:
    """Make the descriptors `wanted` (target -> current) exactly the open ones; those in
    `inherit` survive an exec, the others close on it."""
    import fcntl

    high = {target: fcntl.fcntl(fd, fcntl.F_DUPFD, 256) for target, fd in wanted.items()}
    for target, fd in high.items():
        os.dup2(fd, target, inheritable=target in inherit)
    os.closerange(max(wanted) + 1, 1 << 20)
    for target in range(3, max(wanted)):
        if target not in wanted:
            with contextlib.suppress(OSError):
                os.close(target)


def _exec_only_interpreter() -> int | None:
    """A sealed, execute-only copy of this interpreter in a memfd, made once per runner.

    A process that execs a file it may not read is made non-dumpable by the kernel, and stays
    so: nothing it starts can open its /proc/<pid>/mem, and it cannot undo it (`execve` of a
    readable file would make it dumpable again, which is why the flag is not simply set before
    the exec). None where memfds are missing: the candidate process then execs the interpreter
    itself and says it is unprotected."""
    import fcntl

    try:
        fd = os.memfd_create("python3-candidate", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    except (AttributeError, OSError):
        return None
    try:
        with open(os.path.realpath(sys.executable), "rb") as src:
            size, done = os.fstat(src.fileno()).st_size, 0
            while done < size:  # copied by the kernel: no 7 MB read into this process per runner
                sent = os.sendfile(fd, src.fileno(), done, size - done)
                if not sent:
                    raise OSError("the interpreter file ended early")
                done += sent
        os.fchmod(fd, 0o111)
        seals = fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
    except (AttributeError, OSError):
        os.close(fd)
        return None
    return fd


CANDIDATE_BOOT = """\
import marshal, posix
def _take():
    head = b""
    while not head.endswith(b"\\n"):
        byte = posix.read(4, 1)
        if not byte:
            posix._exit(3)
        head += byte
    size, got = int(head), b""
    while len(got) < size:
        chunk = posix.read(4, size - len(got))
        if not chunk:
            posix._exit(3)
        got += chunk
    return marshal.loads(got)
exec(_take())
"""
"""The `-c` program of the candidate process's fresh interpreter: it reads the candidate side's
bytecode (`<size>\\n<marshal>`, written by the runner at the fork) from its job pipe and runs
it in `__main__`; the job itself follows on the same pipe when the runner has one."""


ISOLATED = ("-P", "-s", "-S")
"""How the zygote's interpreter starts: `-I -S` but for `-E`, which would also ignore
PYTHONHASHSEED; `candidate_env` removes every other PYTHON* variable instead."""


def candidate_env(environ: Any) -> dict[str, str]:
    """The zygote's environment: the runner's without PYTHON* variables, with the fixed hash seed
    (`HASH_SEED`), so every candidate process iterates a set of strings in the order C0 did."""
    env = {k: v for k, v in environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = HASH_SEED
    return env


def _confine_and_exec(
    program_r: int, control: int, runner: tuple[int, int], libc: Any, exe: int | None, preload: bool
) -> NoReturn:
    """The forked zygote: confine it, then exec a fresh interpreter. Never returns.

    The set-up uses ctypes (prctl, seccomp) in this copy of the runner; the exec replaces the
    whole address space, so the zygote's interpreter, and every candidate process it forks,
    starts with none of it. What the exec keeps: the seccomp filter (which also keeps them off
    the zygote, `runner` is the runner's (pid, group)) and no_new_privs, the session,
    oom_score_adj, the descriptors 0-4 (JOB_FD is read for the program; ZYGOTE_FD is the
    control socket). Its arguments: `preload` (import `protocol.PRELOAD` before the first fork,
    as a warm runner's zygote does) or "", then what is unprotected."""
    try:
        os.setsid()
        seccomp = _seccomp_filter(runner[0], runner[1], os.getpid())
        null = os.open(os.devnull, os.O_RDWR)
        wanted = {0: null, 1: null, 2: null, ZYGOTE_FD: control, JOB_FD: program_r}
        if exe is not None:
            wanted[EXE_FD] = exe
        _place_fds(wanted, frozenset({0, 1, 2, ZYGOTE_FD, JOB_FD}))
        with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")  # the OOM killer's first choice
        _prctl(libc, PR_SET_DUMPABLE, 0)  # until the exec
        unprotected = [_install_seccomp(libc, seccomp)]
        argv = [sys.executable or "python3", *ISOLATED, "-c", CANDIDATE_BOOT, PRELOAD_ARG if preload else ""]
        env = candidate_env(os.environ)
        if exe is not None:
            with contextlib.suppress(OSError):
                os.execve(EXE_FD, [*argv, " ".join(filter(None, unprotected))], env)
            unprotected.append("the candidate process is dumpable (the exec-only interpreter failed)")
        else:
            unprotected.append("the candidate process is dumpable (no memfd for an exec-only interpreter)")
        os.execve(argv[0] if os.path.isabs(argv[0]) else "/usr/bin/python3",
                  [*argv, "; ".join(filter(None, unprotected))], env)  # fmt: skip
    except BaseException as exc:  # noqa: BLE001 - the runner reports the missing messages
        with contextlib.suppress(BaseException):
            why = f"roundtrip runner: the zygote did not start: {type(exc).__name__}\n"
            os.write(2, why.encode())
    os._exit(127)
