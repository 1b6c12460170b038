"""`exec`: output, stdin, timeouts, the output cap, kills, exit codes, a vanished container."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from inspect_ai.util import OutputLimitExceededError, SandboxUnavailableError

from roundtrip_eval.sandbox import RoundtripDockerConfig, RoundtripDockerSandbox

from .probes import process_count, py

S = RoundtripDockerSandbox
docker = pytest.mark.docker


@docker
async def test_exec_basics(docker_sandbox: Any) -> None:
    result = await docker_sandbox.exec(
        ["sh", "-c", 'echo "$FOO" "$(pwd)"; echo oops >&2; exit 3'], env={"FOO": "bar"}
    )
    assert (result.success, result.returncode) == (False, 3)
    assert result.stdout == "bar /work\n" and result.stderr == "oops\n"
    await docker_sandbox.exec(["mkdir", "sub"])
    assert (await docker_sandbox.exec(["pwd"], cwd="sub")).stdout == "/work/sub\n"
    assert (await docker_sandbox.exec(["pwd"], cwd="/tmp")).stdout == "/tmp\n"
    missing = await docker_sandbox.exec(["no-such-binary"])
    assert missing.returncode == 127 and not missing.success


@docker
async def test_stdin_is_fed_while_output_is_read(docker_sandbox: Any) -> None:
    big = "x" * (3 * 1024 * 1024)
    assert (await docker_sandbox.exec(["wc", "-c"], input=big)).stdout.strip() == str(len(big))
    echo = "0123456789abcdef\n" * 50_000  # 850 kB through cat: no deadlock, nothing lost
    assert (await docker_sandbox.exec(["cat"], input=echo)).stdout == echo
    binary = bytes(range(256)) * 10
    result = await py(docker_sandbox, "import sys; print(len(sys.stdin.buffer.read()))", input=binary)
    assert result.stdout == "2560\n"


@docker
async def test_timeout_kills_sleep_and_the_next_exec_works(docker_sandbox: Any) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="timed out after 2 seconds"):
        await docker_sandbox.exec(["sleep", "100"], timeout=2, timeout_retry=False)
    assert time.monotonic() - started < 2 + 1
    assert await process_count(docker_sandbox) == 0
    assert (await docker_sandbox.exec(["echo", "next"])).stdout == "next\n"


@docker
async def test_timeout_kills_a_forking_loop(docker_sandbox: Any) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await docker_sandbox.exec(["sh", "-c", "while :; do sleep 50 & done"], timeout=2)
    assert time.monotonic() - started < 2 + 1
    assert await process_count(docker_sandbox) == 0
    assert (await docker_sandbox.exec(["echo", "next"])).stdout == "next\n"


@docker
async def test_timeout_keeps_partial_output(docker_sandbox: Any) -> None:
    with pytest.raises(TimeoutError) as info:
        await docker_sandbox.exec(["sh", "-c", "echo started; sleep 100"], timeout=1)
    assert "started" in getattr(info.value, "truncated_output", "")


@docker
async def test_output_cap_stops_the_command_early(docker_sandbox: Any) -> None:
    for stream in ("stdout", "stderr"):
        started = time.monotonic()
        with pytest.raises(OutputLimitExceededError) as info:
            await py(docker_sandbox, f"import sys\nwhile True: sys.{stream}.write('y' * 65536)")
        assert time.monotonic() - started < 5  # stopped at the cap, not by a timeout
        assert info.value.limit_str == "1 MiB"
        assert await process_count(docker_sandbox) == 0
    under = await py(docker_sandbox, "print('z' * 1_000_000)")
    assert len(under.stdout) == 1_000_001


@docker
async def test_output_cap_is_configurable(docker_client: Any) -> None:
    cfg = RoundtripDockerConfig(max_output_bytes=1000)
    envs = await S.sample_init("pytest", cfg, {})
    try:
        with pytest.raises(OutputLimitExceededError) as info:
            await py(envs["default"], "print('a' * 2000)")
        assert info.value.truncated_output == "a" * 1000
        assert (await py(envs["default"], "print('a' * 900)")).success
    finally:
        await S.sample_cleanup("pytest", cfg, envs, False)


@docker
async def test_leftover_background_processes_are_killed_by_the_next_exec(
    docker_sandbox: Any,
) -> None:
    daemon = (
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        os.closerange(0, 1024)\n        time.sleep(300)\n    os._exit(0)\n"
        "time.sleep(0.2)\nprint('forked')\n"
    )
    assert (await py(docker_sandbox, daemon)).stdout == "forked\n"
    assert await process_count(docker_sandbox) == 0


@docker
async def test_exec_as_root_has_no_capabilities(docker_sandbox: Any) -> None:
    result = await docker_sandbox.exec(["sh", "-c", "id -u; grep CapEff /proc/self/status"], user="root")
    assert result.stdout.split()[0] == "0" and result.stdout.split()[-1] == "0000000000000000"
    with pytest.raises(TimeoutError):
        await docker_sandbox.exec(["sleep", "100"], user="root", timeout=1)
    assert await process_count(docker_sandbox) == 0


@docker
async def test_cancelled_exec_kills_its_processes(docker_sandbox: Any) -> None:
    task = asyncio.create_task(docker_sandbox.exec(["sh", "-c", "sleep 100 & sleep 100"]))
    await asyncio.sleep(1.0)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 2
    assert await process_count(docker_sandbox) == 0


@docker
async def test_a_path_that_cannot_be_executed_raises_permission_error(docker_sandbox: Any) -> None:
    with pytest.raises(PermissionError, match="/etc/passwd"):
        await docker_sandbox.exec(["/etc/passwd"])  # not executable
    with pytest.raises(PermissionError):
        await docker_sandbox.exec(["/tmp"])  # a directory
    await docker_sandbox.write_file("run.sh", "#!/bin/sh\necho ran\n")
    assert (await docker_sandbox.exec(["chmod", "755", "run.sh"])).success
    with pytest.raises(PermissionError):
        await docker_sandbox.exec(["./run.sh"])  # the work dir is noexec
    # a command that only prints such a refusal is an ordinary result, not an error
    fake = await docker_sandbox.exec(
        ["sh", "-c", "echo \"/usr/bin/nice: './x': Permission denied\" >&2; echo 0123abcd >&2; exit 126"]
    )
    assert (fake.success, fake.returncode) == (False, 126)
    assert (await docker_sandbox.exec(["echo", "next"])).stdout == "next\n"


@docker
async def test_permission_error_without_kill_strays(docker_client: Any) -> None:
    cfg = RoundtripDockerConfig(kill_strays=False)
    envs = await S.sample_init("pytest", cfg, {})
    try:
        with pytest.raises(PermissionError, match="/etc/passwd"):
            await envs["default"].exec(["/etc/passwd"])
        missing = await envs["default"].exec(["no-such-binary"])  # an ordinary result, as before
        assert not missing.success and "executable file not found" in missing.stdout
        assert (await envs["default"].exec(["echo", "next"])).stdout == "next\n"
    finally:
        await S.sample_cleanup("pytest", cfg, envs, False)


@docker
async def test_gone_container_raises_sandbox_unavailable(docker_client: Any) -> None:
    envs = await S.sample_init("pytest", None, {})
    await S.sample_cleanup("pytest", None, envs, False)
    with pytest.raises(SandboxUnavailableError):
        await envs["default"].exec(["true"])


@docker
async def test_container_removed_mid_exec_raises_sandbox_unavailable(docker_client: Any) -> None:
    envs = await S.sample_init("pytest", None, {})
    env = envs["default"].as_type(RoundtripDockerSandbox)
    try:
        task = asyncio.create_task(env.exec(["sleep", "30"]))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(docker_client.api.remove_container, env.container, force=True)
        with pytest.raises(SandboxUnavailableError):
            await asyncio.wait_for(task, 20)
    finally:
        await S.sample_cleanup("pytest", None, envs, False)
