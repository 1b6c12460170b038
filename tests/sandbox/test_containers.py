"""Trial containers: isolation and limits seen from inside, and removal (also on cancel)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from typing import Any

import pytest

from roundtrip_eval.sandbox import RoundtripDockerConfig, RoundtripDockerSandbox

from .probes import process_count, py, run_containers

S = RoundtripDockerSandbox
docker = pytest.mark.docker


ISOLATION_PROBE = r"""
import json, os, socket
r = {}
s = socket.socket()
s.settimeout(3)
try:
    s.connect(("1.1.1.1", 80)); r["connect"] = "connected"
except OSError as e:
    r["connect"] = type(e).__name__
try:
    socket.getaddrinfo("example.com", 80); r["dns"] = "resolved"
except OSError:
    r["dns"] = "failed"
r["interfaces"] = sorted(os.listdir("/sys/class/net"))
for path in ("/etc/x", "/usr/bin/x", "/x"):
    try:
        open(path, "w"); r[path] = "written"
    except OSError as e:
        r[path] = e.errno
with open("/work/ok.txt", "w") as f:
    f.write("fine")
with open("/tmp/ok.txt", "w") as f:
    f.write("fine")
r["work"] = open("/work/ok.txt").read()
open("/work/run.sh", "w").write("#!/bin/sh\necho ran\n")
os.chmod("/work/run.sh", 0o755)
try:
    os.execv("/work/run.sh", ["run.sh"])
except OSError as e:
    r["exec_from_work"] = e.errno
r["uid"], r["euid"], r["gid"] = os.getuid(), os.geteuid(), os.getgid()
lines = open("/proc/self/status").read().splitlines()
status = dict(l.split(":\t", 1) for l in lines if ":\t" in l)
r["CapEff"], r["CapBnd"], r["NoNewPrivs"] = status["CapEff"], status["CapBnd"], status["NoNewPrivs"]
for path in ("/proc/1/environ", "/proc/1/mem", "/etc/shadow", "/var/run/docker.sock"):
    try:
        open(path, "rb").read(1); r[path] = "read"
    except OSError as e:
        r[path] = type(e).__name__
for sig in (9, 15, 2, 10, 11):
    try:
        os.kill(1, sig)
    except OSError as e:
        r["kill1"] = type(e).__name__
print(json.dumps(r))
"""


@docker
async def test_isolation_facts_seen_from_inside(docker_sandbox: Any) -> None:
    result = await py(docker_sandbox, ISOLATION_PROBE, timeout=30)
    assert result.success, result.stderr
    r = json.loads(result.stdout)
    assert r["connect"] != "connected" and r["dns"] == "failed"
    assert r["interfaces"] == ["lo"]
    assert r["/etc/x"] == r["/usr/bin/x"] == r["/x"] == 30  # EROFS: read-only root
    assert r["work"] == "fine"
    assert r["exec_from_work"] == 13  # EACCES: the work dir is noexec
    assert r["uid"] == r["euid"] == 65534 and r["gid"] == 65534
    assert int(r["CapEff"], 16) == 0 and int(r["CapBnd"], 16) == 0
    assert r["NoNewPrivs"].strip() == "1"
    assert r["/proc/1/environ"] == r["/proc/1/mem"] == "PermissionError"  # PID 1 not dumpable
    assert r["/etc/shadow"] == "PermissionError"
    assert r["/var/run/docker.sock"] == "FileNotFoundError"
    # signals to PID 1 from inside are dropped: the container is still up and usable
    again = await docker_sandbox.exec(["cat", "/proc/1/cmdline"])
    assert again.success and "python3" in again.stdout


@docker
async def test_memory_limit_kills_the_hog_and_the_container_survives(docker_sandbox: Any) -> None:
    hog = await py(
        docker_sandbox,
        "x = bytearray(900 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096]); print('alive')",
        timeout=30,
    )  # noqa: E501
    assert not hog.success and hog.returncode == 137 and "alive" not in hog.stdout
    assert (await py(docker_sandbox, "print(1)")).stdout == "1\n"


@docker
async def test_fork_bomb_is_contained_and_killed_by_the_timeout(docker_sandbox: Any) -> None:
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await py(docker_sandbox, bomb, timeout=3)
    assert time.monotonic() - started < 3 + 1.5
    assert subprocess.run(["true"], timeout=10).returncode == 0  # the host can still fork
    assert await process_count(docker_sandbox) == 0
    assert (await py(docker_sandbox, "print('after')")).stdout == "after\n"


@docker
async def test_pids_limit_caps_processes(docker_sandbox: Any) -> None:
    source = (
        "import os, time\nn = 0\ntry:\n    for _ in range(1000):\n        if os.fork() == 0:\n"
        "            time.sleep(30)\n            os._exit(0)\n        n += 1\nexcept OSError:\n"
        "    pass\nprint(n, flush=True)\nos.kill(-1, 9)\n"
    )
    result = await py(docker_sandbox, source, timeout=20)
    assert result.success  # kill(-1) spares the caller
    assert 100 < int(result.stdout) < RoundtripDockerConfig().pids_limit
    assert await process_count(docker_sandbox) == 0


@docker
async def test_trial_containers_are_removed_by_sample_and_task_cleanup(docker_client: Any) -> None:
    before = run_containers(docker_client)
    first = await S.sample_init("pytest", None, {"__sample_id__": "a"})
    second = await S.sample_init("pytest", None, {"__sample_id__": "b"})
    assert len(run_containers(docker_client) - before) == 2
    await S.sample_cleanup("pytest", None, first, False)
    assert len(run_containers(docker_client) - before) == 1
    await S.task_cleanup("shutdown", None, True)
    assert run_containers(docker_client) == set()
    assert second  # its container went with the run


@docker
async def test_cli_cleanup_removes_a_labelled_container(docker_client: Any) -> None:
    envs = await S.sample_init("pytest", None, {})
    name = envs["default"].as_type(RoundtripDockerSandbox).container
    await S.cli_cleanup(name)
    assert not docker_client.api.containers(all=True, filters={"name": name})


@docker
async def test_cancelled_trial_leaves_no_container(docker_client: Any) -> None:
    """What Inspect does on Ctrl-C: the sample task is cancelled, its cleanup runs shielded."""
    before = run_containers(docker_client)
    in_exec = asyncio.Event()

    async def trial() -> None:
        envs = await S.sample_init("pytest", None, {})
        try:
            in_exec.set()
            await py(envs["default"], "import time; time.sleep(100)")
        finally:
            await S.sample_cleanup("pytest", None, envs, True)

    task = asyncio.create_task(trial())
    await asyncio.wait_for(in_exec.wait(), 30)
    await asyncio.sleep(0.5)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 3
    assert run_containers(docker_client) == before


@docker
async def test_cancelled_sample_init_leaves_no_container(docker_client: Any) -> None:
    before = run_containers(docker_client)
    for delay in (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15):
        task = asyncio.create_task(S.sample_init("pytest", None, {}))
        await asyncio.sleep(delay)
        task.cancel()
        try:
            envs = await task
        except asyncio.CancelledError:
            continue
        await S.sample_cleanup("pytest", None, envs, False)  # it finished before the cancel
    assert run_containers(docker_client) == before
