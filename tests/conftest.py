"""Shared fixtures.

Docker: tests marked `docker` take `docker_client` (or `docker_sandbox`), which skips them with
the reason when no engine is reachable or the sandbox image is absent.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest


def skip_or_fail(requirement: str, reason: str) -> None:
    """Skip with the reason, unless CI requires it (`ROUNDTRIP_REQUIRE_<REQUIREMENT>=1`).

    CI sets ROUNDTRIP_REQUIRE_DOCKER, ROUNDTRIP_REQUIRE_MODEL and ROUNDTRIP_REQUIRE_BROWSER (a
    headless Chromium), so a Docker, real-model or browser test that would silently skip there
    fails instead.
    """
    if os.environ.get(f"ROUNDTRIP_REQUIRE_{requirement.upper()}") == "1":
        pytest.fail(f"{reason} (required: ROUNDTRIP_REQUIRE_{requirement.upper()}=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_client() -> Any:
    """A docker SDK client whose engine answered and that has the sandbox image, else skip."""
    from roundtrip_eval.sandbox import IMAGE, SandboxEngineError, connect, image_exists

    try:
        client = connect(timeout=30)
    except SandboxEngineError as exc:
        skip_or_fail("docker", f"no usable Docker engine: {exc}")
    if not image_exists(client):
        skip_or_fail(
            "docker",
            f"sandbox image {IMAGE} is absent: run `roundtrip-eval sandbox build` "
            "(or `sudo roundtrip-eval sandbox build --offline` without a registry)",
        )
    return client


@pytest.fixture
async def docker_sandbox(docker_client: Any) -> AsyncIterator[Any]:
    """A fresh `roundtrip-docker` sandbox (one trial's container), removed afterwards."""
    from roundtrip_eval.sandbox import RoundtripDockerSandbox

    envs = await RoundtripDockerSandbox.sample_init("pytest", None, {})
    try:
        yield envs["default"]
    finally:
        await RoundtripDockerSandbox.sample_cleanup("pytest", None, envs, False)
