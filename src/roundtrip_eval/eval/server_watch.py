"""Notice a local model server that has gone away, in seconds rather than hours.

Inspect retries a refused connection with exponential backoff and, by default, no limit: when
the local llama.cpp server died (a crash on its first generation, an OOM kill), CI once waited
90 minutes on `retry 12 (retrying in 1,800 seconds)`. A server on this machine that refuses
connections for several seconds in a row is not rate-limiting us, it is gone; the generation is
abandoned with one line that says so. The trial errors (never scored) and the log keeps every
cycle completed before it, so a rerun with `inspect eval-retry` resumes.

Only loopback servers are watched: a remote endpoint may drop connections briefly and recover,
and Inspect's own retry policy (`--max-retries`, `--timeout`) is the right tool there.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

import anyio

from roundtrip_eval._inspect_private import OneLineError, eval_model

T = TypeVar("T")

# A refused connection this many polls in a row, this far apart, means the server is gone.
POLL_SECONDS = 2.0
MISSES = 3
_LOOPBACK_NAMES = ("localhost", "::1")


class ModelServerGone(RuntimeError):
    """The loopback model server refuses connections: it exited or was never started."""


def loopback_address(base_url: str | None) -> tuple[str, int] | None:
    """(host, port) of a base URL on this machine, None for a remote one or no URL."""
    if not base_url:
        return None
    try:
        parts = urlsplit(base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    host = parts.hostname or ""
    if host in _LOOPBACK_NAMES or host.startswith("127."):
        return host, port
    return None


def accepts(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections on host:port (a busy server still does)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def gone_message(model: str, base_url: str) -> str:
    return (
        f"the model server for {model} at {base_url} refuses connections (it exited or was never "
        "started); start it again (`roundtrip-eval model serve`, and see its log), then "
        "`inspect eval-retry` the log to resume: completed cycles are kept"
    )


class ModelServerDown(OneLineError):
    """The loopback model server refuses connections before the first trial: one line."""


def down_message(model: str, base_url: str) -> str:
    return (
        f"the model server for {model} at {base_url} refuses connections: start it "
        "(`roundtrip-eval model serve` for the embedded model, `ollama serve` for Ollama) or point "
        "the provider's base URL (e.g. OLLAMA_BASE_URL) at a running one"
    )


def require_server() -> None:
    """Before any trial, as the sandbox checks its engine: a local server that is not running
    stops the run in one line, instead of every trial's traceback after the sandbox started.

    Checks the model the eval builds the task for; nothing outside an eval or for a remote URL.
    """
    model = eval_model()
    base_url = getattr(getattr(model, "api", None), "base_url", None)
    address = loopback_address(base_url)
    if address is not None and not accepts(*address):
        raise ModelServerDown(down_message(str(model), str(base_url)))


async def watched(call: Callable[[], Awaitable[T]], model: str, base_url: str | None,
                  poll: float = POLL_SECONDS, misses: int = MISSES) -> T:
    """Await `call()`, abandoning it with ModelServerGone if its loopback server goes away."""
    address = loopback_address(base_url)
    if address is None:
        return await call()
    assert base_url is not None
    if not await anyio.to_thread.run_sync(accepts, *address):
        raise ModelServerGone(gone_message(model, base_url))
    gone = False

    async def watch(scope: anyio.CancelScope) -> None:
        nonlocal gone
        refused = 0
        while True:
            await anyio.sleep(poll)
            refused = 0 if await anyio.to_thread.run_sync(accepts, *address) else refused + 1
            if refused >= misses:
                gone = True
                scope.cancel()
                return

    error: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(watch, group.cancel_scope)
        try:
            result = await call()  # unbound only when the watch cancelled it: `gone` is then set
        except Exception as raised:  # re-raised below as itself, not in an ExceptionGroup
            error = raised
        group.cancel_scope.cancel()
    if error is not None:
        raise error
    if gone:
        raise ModelServerGone(gone_message(model, base_url))
    return result
