"""One docker exec on a hijacked socket: stdin fed and stdout/stderr demultiplexed in a worker
thread, until the command ends, its deadline passes, its output overflows or it is cancelled.

This is the transport only; what a timeout, an overflow or an exit code *means* is decided by
`exec.py`, which also kills what a stopped command left running.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from inspect_ai.util import SandboxUnavailableError

if TYPE_CHECKING:
    from docker import DockerClient


class Demux:
    """Incremental parser of Docker's multiplexed stream (8-byte header per frame)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending = bytearray()
        self.streams = {1: bytearray(), 2: bytearray()}
        self.overflow = False

    def feed(self, data: bytes) -> None:
        self.pending += data
        while len(self.pending) >= 8:
            kind, size = self.pending[0], struct.unpack(">I", self.pending[4:8])[0]
            if len(self.pending) < 8 + size:
                return
            payload = self.pending[8 : 8 + size]
            del self.pending[: 8 + size]
            out = self.streams[2 if kind != 1 else 1]
            room = self.limit - len(out)
            if len(payload) > room:
                out += payload[: max(room, 0)]
                self.overflow = True
            else:
                out += payload


@dataclass
class ExecCapture:
    """How one exec ended, with the output captured up to the cap."""

    status: Literal["exited", "timeout", "overflow", "cancelled"]
    stdout: bytes = b""
    stderr: bytes = b""
    returncode: int = -1


_WOULD_BLOCK = (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


Attached = tuple[socket.socket, Any, bytes]
"""An attached stream: its raw non-blocking socket, the HTTP response to close with it, and the
first stream bytes the HTTP layer may already have read past the 101 reply."""


def close_attached(attached: Attached) -> None:
    """Close an attached stream's socket and response."""
    sock, response, _early = attached
    with contextlib.suppress(Exception):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        sock.close()
    with contextlib.suppress(Exception):
        response.close()


def hijack(client: DockerClient, exec_id: str) -> Attached:
    """Start `exec_id` attached: its raw non-blocking socket, the HTTP response to close with
    it, and the first stream bytes the HTTP layer may already have read past the 101 reply."""
    api = client.api
    return _upgrade(client, api._url("/exec/{0}/start", exec_id), {}, {"Tty": False, "Detach": False})


def attach(client: DockerClient, container: str) -> Attached:
    """Attach to the stdin, stdout and stderr of `container` (created with stdin open, not yet
    started: what its first process writes is not lost). Returned as `hijack` does."""
    api = client.api
    params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
    return _upgrade(client, api._url("/containers/{0}/attach", container), params, None)


def _upgrade(
    client: DockerClient, url: str, params: dict[str, int], data: dict[str, bool] | None
) -> Attached:
    from docker.errors import APIError

    api = client.api
    headers = {"Connection": "Upgrade", "Upgrade": "tcp"}
    if data is None:
        response = api._post(url, headers=headers, params=params, stream=True)
    else:
        response = api._post_json(url, headers=headers, params=params, data=data, stream=True)
    try:
        raw = api._get_raw_response_socket(response)
    except APIError as exc:
        response.close()
        if unavailable(exc):
            raise SandboxUnavailableError(f"the sandbox container is not running: {exc}") from exc
        raise
    sock: socket.socket = getattr(raw, "_sock", raw)
    sock.setblocking(False)
    early = b""
    with contextlib.suppress(Exception):
        early = response.raw._fp.fp.read1(65536) or b""
    return sock, response, early


def pump(
    client: DockerClient,
    exec_id: str,
    data: bytes,
    timeout: float | None,
    limit: int,
    cancel: threading.Event,
) -> ExecCapture:
    """Start `exec_id`, feed stdin, collect output until EOF, deadline, overflow or cancel."""
    sock, response, early = hijack(client, exec_id)
    deadline = None if timeout is None else time.monotonic() + timeout
    demux = Demux(limit)
    status: Literal["exited", "timeout", "overflow", "cancelled"] = "exited"
    try:
        demux.feed(early)
        view, sent = memoryview(data), 0
        if not data:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)
        selector = selectors.DefaultSelector()
        selector.register(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if data else 0))
        eof = demux.overflow
        while not eof:
            if cancel.is_set():
                status = "cancelled"
                break
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                status = "timeout"
                break
            wait = 0.1 if deadline is None else min(0.1, deadline - now)
            for _key, mask in selector.select(wait):
                if mask & selectors.EVENT_WRITE and sent < len(view):
                    try:
                        sent += sock.send(view[sent : sent + 65536])
                    except _WOULD_BLOCK:
                        pass
                    except OSError:  # the command closed stdin or exited: drop the rest
                        sent = len(view)
                    if sent >= len(view):
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_WR)
                        selector.modify(sock, selectors.EVENT_READ)
                if mask & selectors.EVENT_READ:
                    while True:
                        try:
                            chunk = sock.recv(65536)
                        except _WOULD_BLOCK:
                            break
                        except OSError:
                            chunk = b""
                        if not chunk:
                            eof = True
                            break
                        demux.feed(chunk)
                        if demux.overflow:
                            break
                if demux.overflow:
                    status = "overflow"
                    eof = True
        selector.close()
        if demux.overflow and status == "exited":
            status = "overflow"
    finally:
        with contextlib.suppress(Exception):
            sock.close()
        with contextlib.suppress(Exception):
            response.close()
    out = ExecCapture(status, bytes(demux.streams[1]), bytes(demux.streams[2]))
    if status == "exited":
        out.returncode = exit_code(client, exec_id)
    return out


def exit_code(client: DockerClient, exec_id: str) -> int:
    """The exit code of an exec whose stream ended (the engine may lag behind a moment)."""
    from docker.errors import NotFound

    info: dict[str, Any] = {}
    for _ in range(200):
        try:
            info = client.api.exec_inspect(exec_id)
        except NotFound as exc:  # the container went away while the command ran
            raise SandboxUnavailableError(f"the sandbox container is gone: {exc}") from exc
        if not info.get("Running") and info.get("ExitCode") is not None:
            return int(info["ExitCode"])
        time.sleep(0.005)
    return int(info.get("ExitCode") or -1)


def exec_running(client: DockerClient, exec_id: str) -> bool:
    """Whether the exec's process still runs (False once it, or its container, is gone)."""
    from docker.errors import NotFound

    try:
        return bool(client.api.exec_inspect(exec_id).get("Running"))
    except NotFound:
        return False


def unavailable(exc: Exception) -> bool:
    """Whether an engine error means the container is gone, stopped or paused."""
    from docker.errors import APIError, NotFound

    if isinstance(exc, NotFound):
        return True
    text = str(exc).lower()
    return isinstance(exc, APIError) and ("is not running" in text or "is paused" in text)
