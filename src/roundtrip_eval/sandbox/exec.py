"""`exec` in a trial container: one docker exec per command, with Inspect's exec semantics.

The wall-clock `timeout` is enforced here, output is capped, and a timed-out, over-long or
cancelled command is killed with everything it started (`kill`). By default every exec first
kills processes left over by earlier execs and runs the command at nice 10 (`kill_strays`), so
a candidate's background process cannot outlive its check and PID 1 wins the CPU over a fork
bomb; this assumes one exec at a time per container, which is how the checker uses it.

Exit codes are read as Inspect's own docker provider reads them: a command path that cannot be
executed raises `PermissionError`; a runtime that could not start a process at all, or a
container that died under the command, raises `SandboxUnavailableError`.
"""

from __future__ import annotations

import errno
import secrets
import threading
import time

import anyio
from inspect_ai.util import (
    ExecResult,
    OutputLimitExceededError,
    SandboxEnvironmentLimits,
    SandboxUnavailableError,
)

from roundtrip_eval.sandbox.containers import TrialContainer
from roundtrip_eval.sandbox.pid1 import KILL_SIGNAL
from roundtrip_eval.sandbox.stream import ExecCapture, exec_running, pump, unavailable

# Prepended to each exec when `kill_strays` is on. `$1` is a nonce the command never sees.
# Kill what earlier execs left behind; refuse a command path that cannot be executed (a
# directory, or a file without x permission or on a noexec mount), saying so with the nonce
# on stderr so that no command can fake that refusal; run the command at a lower priority than
# PID 1 and our own kill execs.
STRAY_PRELUDE = (
    "n=$1; shift; kill -9 -1 2>/dev/null; case $1 in */*) "
    'if [ -d "$1" ] || { [ -e "$1" ] && [ ! -x "$1" ]; }; then echo "$n" >&2; exit 126; fi;; esac; '
    'exec /usr/bin/nice -n 10 "$@"'
)


async def exec_command(
    box: TrialContainer,
    cmd: list[str],
    input: str | bytes | None,
    cwd: str | None,
    env: dict[str, str] | None,
    user: str | None,
    timeout: int | None,
) -> ExecResult[str]:
    """Run `cmd` in the container (the work of `SandboxEnvironment.exec`, which see)."""
    if not cmd:
        raise ValueError("exec needs a command")
    argv = list(cmd)
    nonce = None
    if box.config.kill_strays:
        nonce = secrets.token_hex(8)
        argv = ["/bin/sh", "-c", STRAY_PRELUDE, "sh", nonce, *argv]
    data = input.encode("utf-8") if isinstance(input, str) else bytes(input or b"")
    limit = min(box.config.max_output_bytes, SandboxEnvironmentLimits.MAX_EXEC_OUTPUT_SIZE)
    out = await run(box, argv, data, box.path(cwd), env, user, timeout, limit)
    if _not_executable(out, nonce, argv[0]):
        raise PermissionError(errno.EACCES, "Permission denied executing command", cmd[0])
    stdout = out.stdout.decode("utf-8", errors="replace")
    stderr = out.stderr.decode("utf-8", errors="replace")
    if out.status == "timeout":
        error = TimeoutError(f"Command timed out after {timeout} seconds")
        if stdout or stderr:
            error.truncated_output = stdout + stderr  # type: ignore[attr-defined]
        raise error
    if out.status == "overflow":
        raise OutputLimitExceededError(human_size(limit), truncated_output=stdout or stderr)
    return ExecResult(out.returncode == 0, out.returncode, stdout, stderr)


async def run(
    box: TrialContainer,
    argv: list[str],
    data: bytes,
    workdir: str,
    env: dict[str, str] | None,
    user: str | None,
    timeout: float | None,
    limit: int,
) -> ExecCapture:
    """One docker exec, retried once if the runtime could not even start it."""
    for attempt in range(2):
        exec_id = await create_exec(box, argv, workdir, env, user)
        cancel = threading.Event()
        try:
            out = await anyio.to_thread.run_sync(
                pump, box.client, exec_id, data, timeout, limit, cancel,
                abandon_on_cancel=True,
            )  # fmt: skip
        except BaseException:
            cancel.set()
            with anyio.CancelScope(shield=True):
                await kill(box, exec_id, user)
            raise
        if out.status in ("timeout", "overflow"):
            await kill(box, exec_id, user)
        if (out.status == "exited" and (out.returncode > 128 or out.returncode < 0)
                and not await anyio.to_thread.run_sync(box.running)):  # fmt: skip
            # a signal-death exit code because the container itself died or was removed
            raise SandboxUnavailableError(
                f"the sandbox container {box.name} stopped while a command ran (exit {out.returncode})"
            )
        if not _is_runtime_failure(out):
            return out
        # e.g. a fork bomb left by a command that closed its output exhausted the pids
        # limit: kill every process of the sandbox user, then try once more
        await kill(box, None, None)
        if attempt == 1:
            raise SandboxUnavailableError(
                f"the sandbox could not start a process: {out.stdout.decode(errors='replace')}"
            )
    raise AssertionError("unreachable")


async def create_exec(
    box: TrialContainer, argv: list[str], workdir: str, env: dict[str, str] | None, user: str | None
) -> str:
    """Create (not start) a docker exec of `argv`; its id."""

    def create() -> str:
        from docker.errors import APIError

        try:
            created = box.client.api.exec_create(
                box.name, argv, stdin=True, stdout=True, stderr=True,
                user=user or "", environment=env or None, workdir=workdir,
            )  # fmt: skip
        except APIError as exc:
            if unavailable(exc):
                raise SandboxUnavailableError(
                    f"the sandbox container {box.name} is not running: {exc.explanation}"
                ) from exc
            raise
        return str(created["Id"])

    return await anyio.to_thread.run_sync(create)


async def kill(box: TrialContainer, exec_id: str | None, user: str | None) -> None:
    """Kill every process of `user` in the container, and wait until `exec_id` has ended."""
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(_kill_blocking, box, exec_id, user)


def _kill_blocking(box: TrialContainer, exec_id: str | None, user: str | None) -> None:
    from docker.errors import APIError

    api = box.client.api

    def ended(wait: float) -> bool:
        end = time.monotonic() + wait
        while exec_id is not None and exec_running(box.client, exec_id):
            if time.monotonic() >= end:
                return False
            time.sleep(0.01)
        return True

    try:
        if default_user(box, user):
            # PID 1 kills every process of the sandbox user; no new process is needed
            api.kill(box.name, KILL_SIGNAL)
            if exec_id is None:
                time.sleep(0.2)
                return
            if ended(3.0):
                return
        for _ in range(3):
            # another user, or PID 1 was not ready: kill from inside, as that user
            killer = api.exec_create(box.name, ["/bin/sh", "-c", "kill -9 -1"], user=user or "")
            api.exec_start(killer["Id"])
            if ended(1.0):
                return
        # last resort: restart the container (kills everything; /work and /tmp are emptied)
        api.restart(box.name, timeout=0)
    except APIError:
        pass  # the container is gone: nothing left to kill


def default_user(box: TrialContainer, user: str | None) -> bool:
    """Whether `user` is the sandbox user, whose processes PID 1 kills."""
    if not user:
        return True
    uid = box.config.user.split(":")[0]
    return user in (box.config.user, uid) or (user == "nobody" and uid == "65534")


def _not_executable(out: ExecCapture, nonce: str | None, program: str) -> bool:
    """The command's path could not be executed: refused by our prelude, or by the runtime."""
    if out.status != "exited" or out.returncode != 126:
        return False
    if nonce is not None:
        return not out.stdout and out.stderr.strip() == nonce.encode()
    text = out.stdout.strip().lower()
    return (
        not out.stderr
        and text.startswith(b"oci runtime exec failed")
        and f'exec: "{program}": permission denied'.encode().lower() in text
    )


def _is_runtime_failure(out: ExecCapture) -> bool:
    """The runtime could not start the process (e.g. the pids limit was exhausted)."""
    text = out.stdout.strip().lower()
    return (
        out.status == "exited"
        and out.returncode in (126, 127)
        and text.startswith(b"oci runtime exec failed")
        and not out.stderr
        and b"executable file not found" not in text
        and b"no such file or directory" not in text
        and b"permission denied" not in text
    )


def human_size(n: int) -> str:
    """`n` bytes as Inspect words its output limits (e.g. "1 MiB")."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"
