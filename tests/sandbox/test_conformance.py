"""Inspect's portable conformance suite for sandbox providers, run against `roundtrip-docker`.

`inspect_ai.util._sandbox.self_check` holds plain pytest checks of the `SandboxEnvironment`
contract. They are collected here through a `sandbox_env` fixture, the way Inspect's own runner
(`tests/tools/test_sandbox_docker_and_local.py` in inspect_ai) does: one trial container for the
whole module, each check cleaning up after itself. A check that conflicts with our isolation by
design is a strict expected failure with its reason, so that one that starts passing shows.
It needs the real engine: without one the `docker_client` fixture skips it, or fails it in CI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from inspect_ai.util import SandboxEnvironment

# the checks, as tests of this module (the suite is built to be pulled in with `*`)
from inspect_ai.util._sandbox.self_check import *  # noqa: F403

from roundtrip_eval.sandbox import RoundtripDockerSandbox

pytestmark = [pytest.mark.docker, pytest.mark.slow]

TASK = "conformance"

EXPECTED_FAILURES = {
    "test_exec_as_user": (
        "by design no user can be added: the root filesystem is read-only (adduser cannot even "
        "take its lock in /run) and an exec as root has no capabilities; trials run as nobody"
    ),
}


@pytest.fixture(scope="module")
async def _trial_sandbox(docker_client: Any) -> AsyncIterator[SandboxEnvironment]:
    """One trial's sandbox through the provider's whole lifecycle, shared by the checks."""
    await RoundtripDockerSandbox.task_init(TASK, None)
    envs = await RoundtripDockerSandbox.sample_init(TASK, None, {})
    try:
        yield envs["default"]
    finally:
        await RoundtripDockerSandbox.sample_cleanup(TASK, None, envs, False)
        await RoundtripDockerSandbox.task_cleanup(TASK, None, True)


@pytest.fixture
def sandbox_env(request: pytest.FixtureRequest, _trial_sandbox: SandboxEnvironment) -> SandboxEnvironment:
    """The sandbox each check gets; marks the checks our design rules out (function scope)."""
    reason = EXPECTED_FAILURES.get(request.node.originalname)
    if reason is not None:
        request.node.add_marker(pytest.mark.xfail(reason=reason, strict=True))
    return _trial_sandbox
