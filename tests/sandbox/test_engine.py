"""Without a usable engine: one line that says what happened and what to do."""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.sandbox import RoundtripDockerSandbox, SandboxSetupError, engine

S = RoundtripDockerSandbox


async def test_unreachable_engine_fails_before_any_trial_with_what_to_do(monkeypatch: Any) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/roundtrip-eval/docker.sock")
    monkeypatch.setattr(engine, "_CLIENTS", {})
    with pytest.raises(SandboxSetupError) as info:
        await S.task_init("startup", None)
    message = str(info.value)
    assert "\n" not in message
    assert "Docker engine not reachable at unix:///nonexistent/roundtrip-eval/docker.sock" in message
    assert "start dockerd" in message and "-T sandbox=local" in message
    assert "UNSANDBOXED" in message


def test_permission_denied_on_the_socket_says_so() -> None:
    cause = ConnectionError(PermissionError(13, "Permission denied"))
    message = str(engine.engine_error(cause))
    assert message.startswith("Permission denied on the Docker socket")
    assert "'docker' group" in message and "-T sandbox=local" in message
