# inspect-evals-lint: ignore-file[host_code_execution] -- a part of the runner, which runs inside the sandbox
"""The runner side: fork the candidate process, read its signed messages, emit records, clean up."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from typing import Any

from .confine import (
    PR_SET_CHILD_SUBREAPER,
    PR_SET_DUMPABLE,
    _confine_and_exec,
    _exec_only_interpreter,
    _libc,
    _prctl,
)
from .protocol import (
    CANDIDATE_FILENAME,
    CHECK_DIR_PREFIX,
    ERROR_ARITY,
    ERROR_MISSING,
    HEAD_BYTES,
    K_AT,
    K_BROKEN,
    K_DEFINED,
    K_DIED,
    K_DONE,
    K_ERROR,
    K_EXC,
    K_HOW,
    K_INDEX,
    K_KIND,
    K_LEFT,
    K_MSG,
    K_OK,
    K_OUTPUT_BYTES,
    K_OUTPUT_HEAD,
    K_STAGE,
    K_STOPPED,
    K_TAMPERING,
    K_TIMEOUT,
    K_UNPROTECTED,
    K_VALUE,
    K_WHAT,
    LIMIT_MARGIN,
    MAX_LINE,
    MSG_BROKEN,
    MSG_REPLY,
    MSG_STAGE,
    MSG_TAMPER,
    MSG_UNENCODABLE,
    REFUSAL_FLAG_BYTES,
    REFUSAL_STATUS,
    SLATE_SECONDS,
    STAGE_DONE,
    STAGE_IMPORT,
    STAGE_READY,
    STAGE_RUNNER,
    STAGE_SIGNATURE,
    STAGE_SLATE,
    STAGE_SYNTAX,
    STOP_BROKEN,
    STOP_CHANNEL,
    STOP_DIED,
    STOP_TAMPERING,
    STOP_TIMEOUT,
    STOP_UNENCODABLE,
    refusal,
    valid_encoding,
)  # fmt: skip
from .reap import reap_all, reap_ancestors, reap_oom_kills, reap_rescheduled, reap_scheduling, reap_unknown
from .slate import SlateClock, slate_clean

CANDIDATE_PROGRAM = ""
"""The candidate side's program text; the joined runner defines it (see `runner.source`)."""


def _unpack(packed: str) -> str:
    """The candidate side's program from the base64 of its zlib-compressed text (`runner.source`)."""
    import binascii
    import zlib

    return zlib.decompress(binascii.a2b_base64(packed)).decode("utf-8")


class _Link:
    """The runner's view of the candidate process: its reply pipe, its output and its exit."""

    def __init__(self, pid: int, chan: int, out: int, beat: Any = None) -> None:
        self.pid, self.chan, self.out = pid, chan, out
        self.beat, self.last_beat = beat, time.monotonic()
        self.buffer = bytearray()
        self.head = bytearray()
        self.output_bytes = 0
        self.status: int | None = None  # wait status once the candidate process has exited
        self.chan_open = self.out_open = True
        self.oom_kills = reap_oom_kills()  # `died` tells the OOM killer's SIGKILL from another's
        os.set_blocking(chan, False)
        os.set_blocking(out, False)
        try:
            self.pidfd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):  # pragma: no cover - kernel < 5.3
            self.pidfd = None

    def _read_output(self) -> None:
        for _ in range(16):  # at most 1 MiB a call: a flood of output cannot starve the channel
            if not self.out_open:
                return
            try:
                data = os.read(self.out, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.out_open = False
                return
            self.output_bytes += len(data)  # counted, never kept beyond the head
            if len(self.head) < HEAD_BYTES:
                self.head += data[: HEAD_BYTES - len(self.head)]

    def _read_channel(self) -> None:
        while self.chan_open and len(self.buffer) <= MAX_LINE:
            try:
                data = os.read(self.chan, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.chan_open = False
                return
            self.buffer += data

    def _poll_exit(self) -> None:
        if self.status is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid:
                self.status = status

    def next(self, deadline: float) -> tuple[str, bytes]:
        """The next line on the reply channel, or why there is none:
        "timeout", "garbage" (an over-long line), "exit".

        What the candidate prints is drained as it comes and only its head is kept (memory is
        bounded, the candidate never blocks on a full pipe): printing is not the function's
        result, so whatever its size it is counted and discarded (the host notes what passed
        its `output_cap`), never a reason to stop.

        The candidate process's exit alone is not the end: a process it started may still hold
        the pipe with lines on their way (a relay), so "exit" waits for the pipe to close, or
        for the deadline once the candidate process is gone."""
        import select

        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 1]
                return "line", line
            if len(self.buffer) > MAX_LINE:
                return "garbage", b""
            if not self.chan_open:
                self._poll_exit()
                self._read_output()
                return "exit", b""
            left = deadline - time.monotonic()
            if left <= 0:
                if self.status is not None:
                    self._read_output()
                    return "exit", b""
                return "timeout", b""
            watch = [fd for fd, live in ((self.chan, self.chan_open), (self.out, self.out_open)) if live]
            if self.pidfd is not None and self.status is None:
                watch.append(self.pidfd)
            polling = self.pidfd is None and self.status is None
            wait = min(left, 0.05 if polling else left, 1.0 if self.beat else left)
            ready, _, _ = select.select(watch, [], [], wait)
            if self.beat is not None and time.monotonic() - self.last_beat >= 1.0:
                self.beat()  # a warm runner tells the host it is alive
                self.last_beat = time.monotonic()
            if self.out in ready:
                self._read_output()
            if self.chan in ready:
                self._read_channel()
            if self.status is None and (polling or self.pidfd in ready):
                self._poll_exit()
                if self.status is not None and self.chan_open:
                    # gone: what it wrote is in the pipe; the rest may only come from another
                    # process holding the pipe, so give that until a short grace at most
                    self._read_channel()
                    deadline = min(deadline, time.monotonic() + 0.5)

    def wait_exit(self, deadline: float) -> None:
        """Wait (reading its output) until the candidate process has exited, or the deadline."""
        import select

        while self.status is None and time.monotonic() < deadline:
            watch = [self.out] if self.out_open else []
            if self.pidfd is not None:
                watch.append(self.pidfd)
            ready, _, _ = select.select(watch, [], [], min(0.05, max(0.0, deadline - time.monotonic())))
            if self.out in ready:
                self._read_output()
            self._poll_exit()

    def refused(self) -> str | None:
        """What the audit hook refused, if it ended the candidate process (its exit status)."""
        self._poll_exit()
        if self.status is None or not os.WIFEXITED(self.status):
            return None
        return refusal(os.WEXITSTATUS(self.status))

    def died(self) -> str:
        """How the candidate process ended, in a few words."""
        self._poll_exit()
        if self.status is None:
            return "closed its result channel"
        if os.WIFSIGNALED(self.status):
            number = os.WTERMSIG(self.status)
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = f"signal {number}"
            hint = ""
            if number == signal.SIGKILL and self.oom_kills is not None:
                now = reap_oom_kills()
                if now is not None and now > self.oom_kills:
                    hint = " (the sandbox's memory limit: the kernel's OOM killer acted during the check)"
            return f"killed by {name}{hint}"
        return f"exited with status {os.waitstatus_to_exitcode(self.status)}"


def _kill_all(pid: int, own_container: bool) -> str:
    """Kill the candidate process and every process it started, reap them, and prove none is
    left (`reap.reap_all`); "" when proven, else what shows one alive. `own_container`: the
    sandbox is the runner's alone (`roundtrip-docker`), so its pids cgroup is the proof."""
    for target in (-pid, pid):
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)
    return reap_all(_KEEP, own_container)


def _clean_slate(
    job: dict[str, Any], workdir: str, check_dir: str | None, libc: Any, beat: Any = None
) -> list[str]:
    """Leave nothing for the next check: empty the host's scratch places (and this user's System V
    IPC objects), or our own check dirs, within `SLATE_SECONDS` (the job's `slate_seconds`),
    heartbeating; what is still there (`slate`), [] when proven empty."""
    clock = SlateClock(float(job.get("slate_seconds", SLATE_SECONDS)), beat)
    scratch = [str(d) for d in job.get("scratch") or []]
    if scratch:
        return slate_clean(scratch, libc, bool(job.get("clean_ipc")), clock)
    try:
        dirs = [os.path.join(workdir, e) for e in os.listdir(workdir) if e.startswith(CHECK_DIR_PREFIX)]
    except OSError:
        dirs = []
    if check_dir is not None and check_dir not in dirs and os.path.isdir(check_dir):
        dirs.append(check_dir)
    left = slate_clean(dirs, clock=clock)
    for directory in dirs:
        with contextlib.suppress(OSError):
            os.rmdir(directory)
    return left


class _Unclean(Exception):
    """The writable places could not be shown empty before a check; `left` says what stayed."""

    def __init__(self, left: list[str]) -> None:
        super().__init__()
        self.left = left


class _Stopped(Exception):
    """The check ended early; `record` is the final record."""

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__()
        self.record = record


def _tampering(what: str) -> _Stopped:
    return _Stopped({K_STOPPED: STOP_TAMPERING, K_TAMPERING: [what[:300]]})


def _verify(line: bytes, key: bytes) -> tuple[dict[str, Any], bytes]:
    """The message in one signed line, and its text; `_Stopped` if the line is garbage or forged.

    (A plain comparison of the signature is enough: the first wrong one ends the check, so
    there is no second guess to time.)"""
    from _blake2 import blake2b

    mac, _, payload = line.partition(b" ")
    if len(mac) != 32 or mac.strip(b"0123456789abcdef"):
        raise _Stopped({K_STOPPED: STOP_CHANNEL})
    if mac != blake2b(payload, key=key, digest_size=16).hexdigest().encode():
        raise _tampering("rewrote or forged a message on the runner's channel (its signature is wrong)")
    try:
        message = json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _Stopped({K_STOPPED: STOP_CHANNEL}) from None
    if not isinstance(message, dict) or not isinstance(message.get(K_KIND), str):
        raise _Stopped({K_STOPPED: STOP_CHANNEL})
    if message[K_KIND] == MSG_TAMPER:
        raise _tampering(str(message.get(K_WHAT)))
    if message[K_KIND] == MSG_BROKEN:
        raise _Stopped({K_STOPPED: STOP_BROKEN, K_BROKEN: str(message.get(K_WHAT))[:300]})
    return message, payload


def _stage_record(message: dict[str, Any]) -> dict[str, Any]:
    """The final record for a stage message that ends the check (syntax, import, signature)."""
    record: dict[str, Any] = {K_STAGE: str(message.get(K_STAGE))}
    if message.get(K_TIMEOUT) is True:  # the import ran past its limit (the loop's alarm or clock)
        record[K_TIMEOUT] = True
    for key in (K_EXC, K_MSG, K_ERROR):
        if isinstance(message.get(key), str):
            record[key] = message[key][:300]
    defined = message.get(K_DEFINED)
    if isinstance(defined, list):
        record[K_DEFINED] = [str(d)[:100] for d in defined[:10]]
    return record


def _check(link: _Link, job: dict[str, Any], emit: Any) -> dict[str, Any]:
    """Read the candidate process's messages and emit one record per input; the final record.

    The per-import and per-call limits are enforced from here, outside the candidate process:
    each reply must arrive within its call's limit plus `LIMIT_MARGIN`, counted from the
    previous message (the import's, within twice its limit from the candidate's hello); a late
    one is a timeout on that input (the candidate process is then killed), scored as an
    honest timeout is, whatever the candidate did to its own alarm or signals. (The alarm in the
    candidate process stops ordinary Python code on time, with the same record.) Over all of
    it is the check's time limit, a little before the host's, so that the runner, not the
    host, stops the candidate and stays alive for the next check. Whenever the candidate
    process has ended, and once more after its last message, its exit status is read: a
    refusal of its audit hook ends the check as tampering, whatever the channel said or did
    not say."""
    n = len(job["inputs"])
    check_timeout = float(job.get("check_timeout", 30.0))
    call_limit = float(job.get("call_timeout", 2.0)) + LIMIT_MARGIN
    import_timeout = float(job.get("import_timeout", 5.0))
    import_limit = import_timeout + max(LIMIT_MARGIN, import_timeout)  # + compile and signature
    deadline = time.monotonic() + check_timeout - min(1.0, 0.1 * check_timeout)
    kind, line = link.next(deadline)
    if kind != "line" or not line.startswith(b"HELLO "):
        how = link.died() if kind == "exit" else kind
        return {K_STAGE: STAGE_RUNNER, K_MSG: f"the candidate process did not start ({how})"}
    parts = line.split(b" ", 2)
    key = bytes.fromhex(parts[1].decode())
    unprotected = parts[2].decode(errors="replace") if len(parts) > 2 else ""
    extra = {K_UNPROTECTED: unprotected} if unprotected else {}
    raw = [b""]  # the text of the last message, forwarded as the record of a reply

    def settle(wait: float) -> None:
        """Wait up to `wait` seconds for the candidate process's exit status; its audit hook's
        refusal, if it ended with one, makes the check tampering whatever else it sent."""
        if wait:
            link.wait_exit(min(deadline, time.monotonic() + wait))
        refused = link.refused()
        if refused is not None:
            raise _tampering(refused)

    def message(stage: str, i: int, limit: float | None = None) -> dict[str, Any]:
        until = deadline if limit is None else min(deadline, time.monotonic() + limit)
        kind, line = link.next(until)
        if kind == "line":
            found, raw[0] = _verify(line, key)
            return found
        # the pipe can close a moment before the exit status is there
        settle(1.0 if kind == "exit" else 0.0)
        if kind == "garbage":
            raise _Stopped({K_STOPPED: STOP_CHANNEL})
        if kind == "timeout":
            raise _Stopped({K_STOPPED: STOP_TIMEOUT, K_AT: stage})
        raise _Stopped({K_STOPPED: STOP_DIED, K_HOW: link.died(), K_AT: stage, K_INDEX: i})

    done = 0
    try:
        ready = message("import", -1, import_limit)
        stages = (STAGE_SYNTAX, STAGE_IMPORT, STAGE_SIGNATURE, STAGE_READY)
        if ready.get(K_KIND) != MSG_STAGE or ready.get(K_STAGE) not in stages:
            raise _Stopped({K_STOPPED: STOP_CHANNEL})
        if ready[K_STAGE] != STAGE_READY:
            if ready[K_STAGE] == STAGE_SIGNATURE and ready.get(K_ERROR) not in (ERROR_MISSING, ERROR_ARITY):
                raise _Stopped({K_STOPPED: STOP_CHANNEL})
            settle(2.0)
            return {**_stage_record(ready), **extra}
        for i in range(n):
            try:
                reply = message("call", i, call_limit)
            except _Stopped as stop:
                if stop.record.get(K_STOPPED) == STOP_TIMEOUT:
                    emit(json.dumps({K_INDEX: i, K_TIMEOUT: True}).encode())
                raise
            if reply.get(K_KIND) == MSG_STAGE and reply.get(K_STAGE) == STAGE_READY:
                raise _tampering("signed a second 'ready' (the runner's loop ran twice)")
            if reply.get(K_KIND) == MSG_UNENCODABLE and reply.get(K_INDEX) == i:
                if not (isinstance(reply.get(K_EXC), str) and isinstance(reply.get(K_MSG), str)):
                    raise _Stopped({K_STOPPED: STOP_CHANNEL})
                settle(2.0)
                raise _Stopped({K_STOPPED: STOP_UNENCODABLE, K_INDEX: i,
                                K_EXC: reply[K_EXC], K_MSG: reply[K_MSG]})  # fmt: skip
            if reply.get(K_KIND) != MSG_REPLY or reply.get(K_INDEX) != i:
                raise _Stopped({K_STOPPED: STOP_CHANNEL})
            if reply.get(K_TIMEOUT) is True:
                emit(json.dumps({K_INDEX: i, K_TIMEOUT: True}).encode())
                raise _Stopped({K_STOPPED: STOP_TIMEOUT})
            if reply.get(K_OK) is True:
                if not valid_encoding(reply.get(K_VALUE)):
                    raise _Stopped({K_STOPPED: STOP_CHANNEL})
            elif not (isinstance(reply.get(K_EXC), str) and isinstance(reply.get(K_MSG), str)):
                raise _Stopped({K_STOPPED: STOP_CHANNEL})
            emit(raw[0])  # the signed text itself: {"k": "reply", "i", "ok", "v" | "exc", "msg"}
            done = i + 1
        end = message("end", n)
        if end.get(K_KIND) != MSG_STAGE or end.get(K_STAGE) != STAGE_DONE:
            raise _Stopped({K_STOPPED: STOP_CHANNEL})
        settle(2.0)
        link._read_channel()
        if link.buffer:  # "done" is the last line a check has: more is a second sender
            raise _tampering("sent a line after 'done' (the runner's loop ran twice)")
    except _Stopped as stop:
        record = stop.record
        if record.get(K_AT) == "import":
            if record[K_STOPPED] == STOP_DIED:
                return {K_STAGE: STAGE_IMPORT, K_DIED: record[K_HOW], **extra}
            if record[K_STOPPED] == STOP_TIMEOUT:
                return {K_STAGE: STAGE_IMPORT, K_TIMEOUT: True, **extra}
        if record.get(K_STOPPED) != STOP_DIED:
            record.pop(K_AT, None)
        return {K_DONE: done, **record, **extra}
    return {K_DONE: n, **extra}


def _program_bytes(text: str) -> bytes:
    """The candidate side as its fresh interpreter reads it: `<size>\\n` and its bytecode
    (runner and candidate process run the same interpreter): the host's, when the boot brought
    it (`runner.BOOT`, same magic number), else compiled here once per runner."""
    import marshal

    code = globals().get("CANDIDATE_BYTECODE") or b""
    if not code:
        code = marshal.dumps(compile(text, CANDIDATE_FILENAME, "exec", dont_inherit=True))
    return f"{len(code)}\n".encode() + code


class _Zygote:
    """The runner's handle on its zygote: one confined, exec'd interpreter that forks a candidate
    process per check (`candidate._zygote`). Started again whenever it is gone."""

    def __init__(self, libc: Any, exe: int | None, program: bytes, preload: bool = False) -> None:
        self.libc, self.exe, self.program, self.preload = libc, exe, program, preload
        self.runner = (os.getpid(), os.getpgid(0))
        self.pid = 0
        self.sock: Any = None

    def _start(self) -> None:
        import socket

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        program_r, program_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            _confine_and_exec(program_r, theirs.fileno(), self.runner, self.libc, self.exe, self.preload)
        theirs.close()
        os.close(program_r)
        _send_all(program_w, self.program)
        os.close(program_w)
        self.pid, self.sock = pid, ours
        _KEEP.add(pid)

    def stop(self) -> None:
        """Kill the zygote (the candidate processes are the runner's children, not its)."""
        if self.pid:
            if self.pid in _KEEP:  # not reaped yet (else the pid may be someone else's by now)
                _KEEP.discard(self.pid)
                with contextlib.suppress(OSError):
                    os.kill(self.pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    os.waitpid(self.pid, 0)
            self.sock.close()
            self.pid = 0

    def _fork(self, fds: tuple[int, ...]) -> int:
        """Ask the zygote for a candidate process holding `fds`; its pid, or 0."""
        import array
        import select
        import socket

        try:
            self.sock.sendmsg([b"f"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
            got = b""
            while len(got) < 8:
                ready, _, _ = select.select([self.sock], [], [], 10.0)
                chunk = self.sock.recv(8 - len(got)) if ready else b""
                if not chunk:
                    return 0
                got += chunk
        except OSError:
            return 0
        return int.from_bytes(got, "little")

    def spawn(self) -> tuple[int, int, int, int, int]:
        """Start the next candidate process, before its job exists: (pid, job_w, chan_r, out_r,
        flag), `flag` the memfd of its refusal flag (`_refusal_flag`), or -1 without memfds."""
        import socket

        flag = _new_flag()
        job_r, job_w = os.pipe()
        # the reply channel is a socket, not a pipe: a pipe's end can be opened again through
        # /proc/self/fd/3 for *reading*, which would let the candidate read its own "HELLO
        # <key>" line before the runner does; a socket cannot be opened that way (ENXIO), and
        # what the candidate writes to it only the runner's end can read
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        chan_r, chan_w = ours.detach(), theirs.detach()
        out_r, out_w = os.pipe()
        try:
            pid = 0
            for _ in range(2):  # a zygote that died (or was killed by the OOM killer): a new one
                if not self.pid:
                    self._start()
                pid = self._fork((job_r, chan_w, out_w) + ((flag,) if flag >= 0 else ()))
                if pid:
                    break
                self.stop()
            if not pid:
                if flag >= 0:
                    os.close(flag)
                raise RuntimeError("the zygote could not start a candidate process")
        finally:
            for fd in (job_r, chan_w, out_w):
                os.close(fd)
        return pid, job_w, chan_r, out_r, flag


def _new_flag() -> int:
    """A fresh refusal flag for one candidate process: a zeroed memfd of `REFUSAL_FLAG_BYTES`
    (the runner is not under the seccomp filter that refuses memfds), or -1."""
    try:
        flag = os.memfd_create("roundtrip-refusal", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return -1
    try:
        os.ftruncate(flag, REFUSAL_FLAG_BYTES)
    except OSError:
        os.close(flag)
        return -1
    return flag


def _refusal_flag(flag: int) -> str | None:
    """What the audit hook refused in any process of the check (the first byte of the flag is
    1 + the refusal's index), read once every process of the check is dead; None if nothing."""
    if flag < 0:
        return None
    try:
        data = os.pread(flag, 1, 0)
    except OSError:
        return None
    return refusal(REFUSAL_STATUS + data[0] - 1) if data and data[0] else None


_KEEP: set[int] = set()
"""The runner's own children that `_kill_all` leaves alone: its zygote."""


def _send_all(fd: int, data: bytes) -> None:
    with contextlib.suppress(OSError):
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]


def _freeze(obj: Any) -> Any:
    """Lists to tuples, recursively: the candidate cannot edit an input it can see."""
    if isinstance(obj, list):
        return tuple(_freeze(x) for x in obj)
    return obj


def _run_one(spawned: tuple[int, int, int, int, int], job: dict[str, Any], nonce: str, libc: Any,
             beat: Any = None) -> list[bytes]:  # fmt: skip
    """One check on a spawned candidate process: its records (JSON, the final one last).

    The places are emptied before the check (the proof that nothing is inherited) and again
    after it, before the records go out: the time that takes is the check's own, never the next
    one's (see `slate`). What the second emptying could not remove is named in the final record
    (`K_LEFT`), and the host renews the sandbox."""
    import marshal

    pid, job_w, chan_r, out_r, flag = spawned
    records: list[bytes] = []
    workdir = os.path.abspath(job.get("workdir") or ".")
    check_dir = None
    link = _Link(pid, chan_r, out_r, beat)
    ran = False
    own = bool(job.get("scratch"))  # the sandbox is the runner's alone (`roundtrip-docker`)
    gone = ""
    scheduling: dict[int, tuple[object, ...]] = {}
    try:
        left = _clean_slate(job, workdir, None, libc, beat)
        stray = reap_unknown(_KEEP | {pid}, own)  # no process of an earlier check: proven
        if stray:
            left.append(f"processes: {stray}")
        if left:  # not proven empty: the candidate does not run; the host renews the sandbox
            os.close(job_w)
            raise _Unclean(left)
        check_dir = os.path.join(workdir, CHECK_DIR_PREFIX + nonce[:12])
        try:
            os.mkdir(check_dir)
        except OSError:
            check_dir = workdir
        nice = 5 if job.get("scratch") else 0  # a sandbox of the runner's own: it must win the CPU
        scheduling = reap_scheduling({1, os.getpid(), *reap_ancestors(os.getpid()), *_KEEP})
        _send_all(job_w, marshal.dumps({
            "code": str(job["code"]), "function": str(job["function"]),
            "inputs": _freeze(job["inputs"]), "workdir": check_dir, "nice": nice,
            "call_timeout": float(job.get("call_timeout", 2.0)),
            "import_timeout": float(job.get("import_timeout", 5.0)),
        }))  # fmt: skip
        os.close(job_w)
        ran = True
        final = _check(link, job, records.append)
    except _Unclean as unclean:
        final = {K_STAGE: STAGE_SLATE, K_LEFT: unclean.left}
    finally:
        killing = time.monotonic()
        gone = _kill_all(pid, own and ran)  # a check that did not run: the host renews anyway
        killing = time.monotonic() - killing  # the emptying after the check has what is left
    link._read_output()
    refused = _refusal_flag(flag) if ran else None  # every process of the check is dead, or killed
    if refused is not None and not final.get(K_TAMPERING):  # a refusal the exit status did not show
        final = {**final, **({K_STOPPED: STOP_TAMPERING} if K_DONE in final else {}), K_TAMPERING: [refused]}
    for fd in (chan_r, out_r, flag) + ((link.pidfd,) if link.pidfd is not None else ()):
        with contextlib.suppress(OSError):
            os.close(fd)
    final[K_OUTPUT_BYTES] = link.output_bytes
    final[K_OUTPUT_HEAD] = bytes(link.head).decode("utf-8", "replace")
    if gone and ran:  # a process of the check may still run: the host renews the sandbox
        final[K_LEFT] = [f"processes: {gone}"]
    elif ran:  # every process of the check is dead, proven (`_kill_all`): empty the places now
        budget = max(0.5, float(job.get("slate_seconds", SLATE_SECONDS)) - killing)
        try:
            left = _clean_slate({**job, "slate_seconds": budget}, workdir,
                                check_dir if check_dir != workdir else None, libc, beat)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - a fault of ours: the places are not shown empty
            left = [f"(the clean-up failed: {type(exc).__name__})"]
        if left:
            final[K_LEFT] = left
    if scheduling:  # the seccomp filter keeps a candidate off them: this is the proof
        rescheduled = reap_rescheduled(scheduling)
        if rescheduled:
            final[K_LEFT] = [*final.get(K_LEFT, []), rescheduled]
    records.append(json.dumps(final).encode())
    return records


def _write(data: bytes) -> None:
    while data:
        data = data[os.write(1, data) :]


def _framed(nonce: str, records: list[bytes]) -> bytes:
    prefix = nonce.encode() + b" "
    return b"".join(prefix + r + b"\n" for r in records)


def _main() -> None:
    """One check (exec per check): start the candidate process first, then read the job."""
    libc = _libc()
    _prctl(libc, PR_SET_CHILD_SUBREAPER, 1)
    _prctl(libc, PR_SET_DUMPABLE, 0)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    zygote = _Zygote(libc, _exec_only_interpreter(), _program_bytes(CANDIDATE_PROGRAM))
    spawned = zygote.spawn()
    job = json.loads(sys.stdin.buffer.read())
    nonce = str(job.pop("nonce"))
    records = _run_one(spawned, job, nonce, libc)
    zygote.stop()
    _write(_framed(nonce, records))
    os._exit(0)


def _serve() -> None:
    """The warm runner: one per trial container, one job line per check on stdin.

    Each check gets a candidate process started before its job is read (the next one is
    started as soon as a check ends), so the runner's stdin, stdout and the job never reach it.
    After the check's records it writes `<nonce> END`; while a check runs (and while the places
    are emptied before and after it, which is part of the check), `<nonce> .` every second.
    """
    libc = _libc()
    _prctl(libc, PR_SET_CHILD_SUBREAPER, 1)
    _prctl(libc, PR_SET_DUMPABLE, 0)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    # one zygote serves every check: it imports the common modules once (protocol.PRELOAD)
    zygote = _Zygote(libc, _exec_only_interpreter(), _program_bytes(CANDIDATE_PROGRAM), preload=True)
    spawned: tuple[int, int, int, int, int] | None = zygote.spawn()
    _write(f"READY {os.getpid()}\n".encode())
    pending = b""
    while True:
        while b"\n" not in pending:
            data = os.read(0, 1 << 20)
            if not data:
                if spawned is not None:
                    _kill_all(spawned[0], False)
                zygote.stop()
                os._exit(0)
            pending += data
        line, pending = pending.split(b"\n", 1)
        nonce = "?"
        try:
            job = json.loads(line)
            nonce = str(job.pop("nonce"))
            beat = f"{nonce} .\n".encode()
            if spawned is None:
                spawned = zygote.spawn()
            records = _run_one(spawned, job, nonce, libc, lambda beat=beat: _write(beat))
        except Exception as exc:  # noqa: BLE001 - a fault of ours: report it, keep serving
            if spawned is not None:  # what stays is found before the next check (`_run_one`)
                _kill_all(spawned[0], False)
            job = {}
            failed = {K_STAGE: STAGE_RUNNER, K_MSG: f"the runner failed: {type(exc).__name__}: {exc}"[:300]}
            records = [json.dumps(failed).encode()]  # what stays is found before the next check
        _write(_framed(nonce, records) + f"{nonce} END\n".encode())
        del job, records, line
        spawned = None
        with contextlib.suppress(Exception):  # else the next check starts one, or reports why not
            spawned = zygote.spawn()
