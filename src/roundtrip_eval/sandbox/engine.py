"""The Docker engine: connecting to it, and the one-line errors when it cannot be used.

Like Inspect's `docker/prereqs.py`: a missing prerequisite is an error type of its own that
says what to do next. This module imports `docker` only inside functions (the CLI imports it on
every start), and works without a running engine.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from roundtrip_eval._inspect_private import PrerequisiteError

if TYPE_CHECKING:
    from docker import DockerClient

DEFAULT_DOCKER_SOCKET = "unix:///var/run/docker.sock"
UNSANDBOXED_HINT = "or pass -T sandbox=local to run model code UNSANDBOXED"


class SandboxEngineError(RuntimeError):
    """The Docker engine cannot be used; the message says what to do, in one line."""


class SandboxSetupError(PrerequisiteError):
    """The sandbox cannot be used at all; raised before any trial, one line, says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self._text = message

    def __str__(self) -> str:
        return self._text


def engine_address() -> str:
    """Where the docker SDK will look for the engine (for error messages)."""
    return os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_SOCKET


def _is_permission_error(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PermissionError) or "Permission denied" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def engine_error(exc: BaseException) -> SandboxEngineError:
    """Turn a failed connection into a one-line error that says what to do next."""
    address = engine_address()
    if _is_permission_error(exc):
        return SandboxEngineError(
            f"Permission denied on the Docker socket at {address}: add this user to the "
            f"'docker' group (then log in again) or run as root; {UNSANDBOXED_HINT}"
        )
    return SandboxEngineError(
        f"Docker engine not reachable at {address}: start dockerd (e.g. `sudo dockerd &`) "
        f"or set DOCKER_HOST; {UNSANDBOXED_HINT}"
    )


def connect(timeout: int = 120) -> DockerClient:
    """A docker SDK client whose engine answered a ping, or a `SandboxEngineError`."""
    try:
        import docker
    except ImportError as exc:  # pragma: no cover - docker is a hard dependency
        raise SandboxEngineError("the `docker` Python package is missing: pip install 'docker>=7'") from exc
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - every failure here means "no usable engine"
        raise engine_error(exc) from exc
    return client


_CLIENTS: dict[tuple[str | None, ...], DockerClient] = {}
_CLIENTS_LOCK = threading.Lock()


def client() -> DockerClient:
    """A cached client for the current DOCKER_HOST, shared by every trial of the process."""
    key = tuple(os.environ.get(k) for k in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"))
    with _CLIENTS_LOCK:
        cached = _CLIENTS.get(key)
        if cached is None:
            cached = connect()
            _CLIENTS[key] = cached
        return cached
