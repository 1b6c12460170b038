"""The warm runner of a trial container: one long-lived trusted runner per trial.

Instead of a `docker exec` and a new interpreter per check, the container runs one runner
(`runner._serve`) for the whole trial. The first is started by the container's init
(`pid1`) on the container's own stdin and stdout, which the host attached to before starting the
container; its first input is the runner's code (`runner.BOOT`), so starting it costs no exec.
A runner started later (after one was killed) is `python3 -I -c <runner source> serve` in an
exec. Each check writes one job line to the runner's stdin and reads the records back from its
stdout on the same stream, up to the line `<nonce> END`; every candidate still runs in a fresh
process of its own, forked by the runner before the job is read (see `roundtrip_eval.check.runner`
for the trust boundary). While a check runs, the runner writes `<nonce> .` once a second.

If the runner dies (its exec's stream ends, or init says the runner it started has ended) or
stops answering (no byte for `STALL_SECONDS`), every process of the sandbox user is killed, a
new runner is started, this is logged, and the same job is sent to the new one: the check is
judged by a fresh runner. A second loss in the same check raises `RunnerLost`: the candidate
is what killed them (the OOM killer, say), so the provider scores the check a crash and the
trial goes on in a fresh container (`RoundtripDockerSandbox.run_warm`). A check past its own time limit kills
everything (the runner too) and raises `TimeoutError`, as `exec` does; the next check starts a
new runner. A plain `exec` kills the runner as well (its prelude kills every leftover process),
so the next check starts a new one, quietly.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import secrets
import selectors
import threading
import time

import anyio
from inspect_ai.util import ExecResult, OutputLimitExceededError

from roundtrip_eval.check import runner
from roundtrip_eval.sandbox.containers import TrialContainer
from roundtrip_eval.sandbox.exec import STRAY_PRELUDE, human_size, kill
from roundtrip_eval.sandbox.pid1 import RUNNER_EXITED
from roundtrip_eval.sandbox.stream import _WOULD_BLOCK, Attached, Demux, close_attached, hijack

log = logging.getLogger(__name__)

STALL_SECONDS = 10.0
"""No byte from the runner for this long, while a check runs, means it stopped answering (it
writes a heartbeat every second; the candidate process runs below it in priority)."""

START_SECONDS = 60.0
"""How long a new runner may take to say READY (a loaded machine)."""


@functools.cache
def runner_source() -> str:
    """The runner's source, read once."""
    return runner.source()


@functools.cache
def boot_payload() -> bytes:
    """What the runner a container's init started reads first (`runner.boot_payload`), built once."""
    return runner.boot_payload()


class RunnerLost(RuntimeError):
    """The warm runner died or stopped answering twice while it checked one job."""


class _Stream:
    """The attached stream of a runner (its exec's, or the container's): stdin written, stdout
    demultiplexed."""

    def __init__(self, attached: Attached, limit: int) -> None:
        self.sock, self.response, early = attached
        self.demux = Demux(limit)
        self.demux.feed(early)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.sock, selectors.EVENT_READ)
        self.closed = False

    def send(self, data: bytes, deadline: float, cancel: threading.Event) -> bool:
        view = memoryview(data)
        while view:
            if cancel.is_set() or time.monotonic() >= deadline:
                return False
            try:
                view = view[self.sock.send(view[:65536]) :]
            except _WOULD_BLOCK:
                time.sleep(0.001)
            except OSError:
                return False
        return True

    def read_until(
        self, marker: bytes, deadline: float, stall: float, cancel: threading.Event,
        first_line: bool = False,
    ) -> tuple[str, bytes]:  # fmt: skip
        """stdout up to and including the line `marker` (or the first line), or why not:
        "eof", "timeout", "stall", "overflow", "cancelled" (with what came)."""
        out = self.demux.streams[1]
        searched, last_byte = 0, time.monotonic()
        needle = b"\n" + marker + b"\n"
        exited = b"\n" + RUNNER_EXITED + b"\n"  # init says the runner it started has ended
        while True:
            if first_line:
                end = out.find(b"\n")
                stop = end + 1
            else:
                end = out.find(needle, max(0, searched - len(needle)))
                stop = end + len(needle)
                if end < 0 and out.startswith(needle[1:]):
                    end, stop = 0, len(needle) - 1
            if end >= 0:
                text = bytes(out[:stop])
                del out[:stop]
                return "ok", text
            if out.find(exited, max(0, searched - len(exited))) >= 0:
                return "eof", bytes(out)
            searched = len(out)
            if self.demux.overflow:
                return "overflow", bytes(out)
            if self.closed:
                return "eof", bytes(out)
            now = time.monotonic()
            if cancel.is_set():
                return "cancelled", bytes(out)
            if now >= deadline:
                return "timeout", bytes(out)
            if now - last_byte >= stall:
                return "stall", bytes(out)
            for _key, _mask in self.selector.select(min(0.1, deadline - now)):
                while True:
                    try:
                        chunk = self.sock.recv(65536)
                    except _WOULD_BLOCK:
                        break
                    except OSError:
                        chunk = b""
                    if not chunk:
                        self.closed = True
                        break
                    last_byte = time.monotonic()
                    self.demux.feed(chunk)

    def read_ready(self, deadline: float) -> tuple[str, bytes]:
        """The runner's first line, `READY <pid>`."""
        never = threading.Event()
        return self.read_until(b"", deadline, deadline - time.monotonic(), never, first_line=True)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.selector.close()
        close_attached((self.sock, self.response, b""))


class WarmRunner:
    """The warm runner of one trial container, and the one request at a time it serves."""

    def __init__(self, box: TrialContainer, attached: Attached | None = None) -> None:
        self.box = box
        self.attached = attached  # the container's own stream: its init started a runner on it
        self.stream: _Stream | None = None
        self.pid: int | None = None  # the runner's pid inside the container
        self.starts = 0
        self.restarts = 0  # starts after a runner died or stopped answering (logged)
        self.lock = anyio.Lock()

    # -- blocking parts (worker threads) ------------------------------------------------

    def start(self) -> None:
        """Start a runner and wait for it to say READY (blocking): the one the container's init
        started, the first time (it is sent the runner's code), else a new one in an exec."""
        attached, self.attached = self.attached, None
        self.forget()
        limit = self.box.config.max_output_bytes
        if attached is not None:
            stream = _Stream(attached, limit)
            if not stream.send(boot_payload(), time.monotonic() + START_SECONDS, threading.Event()):
                stream.close()
                raise RunnerLost("the container's warm runner did not take its code")
        else:
            argv = ["python3", "-I", "-c", runner_source(), "serve"]
            if self.box.config.kill_strays:  # what an earlier runner's candidates left dies first
                argv = ["/bin/sh", "-c", STRAY_PRELUDE, "sh", secrets.token_hex(8), *argv]
            stream = _Stream(hijack(self.box.client, _create_exec_blocking(self.box, argv)), limit)
        status, text = stream.read_ready(time.monotonic() + START_SECONDS)
        if status != "ok" or not text.startswith(b"READY "):
            stream.close()
            raise RunnerLost(f"the warm runner did not start ({status}): {text[-200:]!r}")
        self.stream, self.pid = stream, int(text.split()[1])
        self.starts += 1

    def forget(self) -> None:
        """Drop the stream to the current runner (it is dead, or about to be killed)."""
        if self.attached is not None:
            close_attached(self.attached)
            self.attached = None
        if self.stream is not None:
            self.stream.close()
        self.stream, self.pid = None, None

    def _exchange(
        self, payload: bytes, marker: bytes, timeout: float, cancel: threading.Event
    ) -> tuple[str, bytes]:
        if self.stream is None:
            self.start()  # not on the check's clock: the check's limit starts when the runner is up
        assert self.stream is not None
        deadline = time.monotonic() + timeout
        if not self.stream.send(payload, deadline, cancel):
            return ("cancelled" if cancel.is_set() else "eof"), b""
        return self.stream.read_until(marker, deadline, STALL_SECONDS, cancel)

    # -- the request ----------------------------------------------------------------------

    async def request(self, payload: str, until: str, timeout: float) -> ExecResult[str]:
        """Send one job line; the runner's output up to the line `until` (see module doc)."""
        data = payload.encode("utf-8")
        data += b"" if data.endswith(b"\n") else b"\n"
        marker = until.encode("utf-8")
        async with self.lock:
            for attempt in range(2):
                cancel = threading.Event()
                try:
                    status, text = await anyio.to_thread.run_sync(
                        self._exchange, data, marker, timeout, cancel, abandon_on_cancel=True
                    )
                except BaseException:
                    cancel.set()
                    with anyio.CancelScope(shield=True):
                        await self._kill_all()
                    raise
                if status == "ok":
                    return ExecResult(True, 0, text.decode("utf-8", errors="replace"), "")
                await self._kill_all()
                if status == "timeout":
                    raise TimeoutError(f"Command timed out after {timeout:g} seconds")
                if status == "overflow":
                    limit = human_size(self.box.config.max_output_bytes)
                    raise OutputLimitExceededError(limit, truncated_output=text.decode(errors="replace"))
                what = "stopped answering" if status == "stall" else "died"
                if attempt == 1:
                    raise RunnerLost(f"the warm runner of {self.box.name} {what} twice in one check")
                self.restarts += 1
                log.warning(
                    "roundtrip-docker: the warm runner of %s %s; starting a new one to check the "
                    "job again", self.box.name, what,
                )  # fmt: skip
        raise AssertionError("unreachable")

    async def _kill_all(self) -> None:
        """Kill every process of the sandbox user (the runner included) and drop the stream."""
        self.forget()
        await kill(self.box, None, None)


def _create_exec_blocking(box: TrialContainer, argv: list[str]) -> str:
    from docker.errors import APIError

    try:
        created = box.client.api.exec_create(
            box.name, argv, stdin=True, stdout=True, stderr=True, user="", workdir=box.config.workdir
        )
    except APIError as exc:
        raise RunnerLost(f"could not start the warm runner: {exc.explanation}") from exc
    return str(created["Id"])

