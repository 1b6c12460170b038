"""The `roundtrip-docker` provider against a real engine, and its errors without one.

Tests marked `docker` skip (with the reason) when no engine is reachable or the image is absent.
Every container check filters on labels so that runs of other people on the same engine are
never counted or touched.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from inspect_ai.util import OutputLimitExceededError, SandboxEnvironmentSpec, SandboxUnavailableError

from roundtrip_eval import sandbox_docker, sandbox_image
from roundtrip_eval.resources import data_dir
from roundtrip_eval.sandbox_docker import (
    LABEL,
    LABEL_PID,
    LABEL_RUN,
    RoundtripDockerConfig,
    RoundtripDockerSandbox,
    SandboxSetupError,
)
from roundtrip_eval.sandbox_image import IMAGE

S = RoundtripDockerSandbox
docker = pytest.mark.docker


def run_containers(client: Any) -> set[str]:
    """Containers of this test process's run (outside Inspect, the run is the process)."""
    run_id = sandbox_docker._run_state().run_id
    return {c["Id"] for c in client.api.containers(all=True, filters={"label": [f"{LABEL_RUN}={run_id}"]})}


async def py(env: Any, source: str, **kwargs: Any) -> Any:
    return await env.exec(["python3", "-I", "-c", source], **kwargs)


async def process_count(env: Any, settle: float = 3.0) -> int:
    """Processes in the container besides PID 1 and this probe's own python.

    Killed processes may take a moment to finish exiting on a loaded machine: poll up to
    `settle` seconds for the count to reach 0.
    """
    deadline = time.monotonic() + settle
    while True:
        result = await py(env, "import os; print(sum(p.isdigit() for p in os.listdir('/proc')))")
        count = int(result.stdout) - 2
        if count == 0 or time.monotonic() >= deadline:
            return count
        await asyncio.sleep(0.1)


def by_pid(client: Any, pid: int) -> set[str]:
    """Our containers created by the process `pid` (other people may share the engine)."""
    filters = {"label": [f"{LABEL}=1", f"{LABEL_PID}={pid}"]}
    return {c["Id"] for c in client.api.containers(all=True, filters=filters)}


# ---------------------------------------------------------------------------- no engine needed


def test_compose_file_runs_the_same_image_with_the_same_limits() -> None:
    from inspect_ai.util._sandbox.compose import ComposeConfig

    compose = yaml.safe_load((data_dir("sandbox") / "compose.yaml").read_text())
    ComposeConfig.model_validate(compose)  # what Inspect's own providers parse
    service = compose["services"]["default"]
    cfg = RoundtripDockerConfig()
    assert service["image"] == IMAGE == cfg.image
    assert service["x-default"] is True and service["network_mode"] == "none"
    assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
    assert service["user"] == cfg.user and service["working_dir"] == cfg.workdir
    assert service["mem_limit"] == service["memswap_limit"] == cfg.memory
    assert service["pids_limit"] == cfg.pids_limit and float(service["cpus"]) == cfg.cpus


def test_dockerfile_and_import_agree() -> None:
    dockerfile = (data_dir("sandbox") / "Dockerfile").read_text()
    assert "USER 65534:65534" in dockerfile and "USER 65534:65534" in sandbox_image.IMAGE_CHANGES
    for change in sandbox_image.IMAGE_CHANGES:
        if change.startswith("ENV "):
            assert change[4:].split("=")[0] in dockerfile


def test_config_round_trips_through_a_sandbox_spec() -> None:
    spec = SandboxEnvironmentSpec("roundtrip-docker", RoundtripDockerConfig(memory="256m"))
    again = SandboxEnvironmentSpec.model_validate(spec.model_dump())
    assert again.config == RoundtripDockerConfig(memory="256m")
    assert hash(again) == hash(spec)  # Inspect keeps specs in sets
    assert sandbox_docker._resolve_config(None) == RoundtripDockerConfig()
    assert sandbox_docker._resolve_config("other:tag").image == "other:tag"


def test_apt_mirror_reads_deb822_and_one_line_sources(tmp_path: Path, monkeypatch: Any) -> None:
    entries = [("http://security.example/debian-security", ["bookworm-security"]),
               ("http://third.example/node", ["nodistro"]),
               ("http://mirror.example/debian/", ["bookworm", "bookworm-updates"])]  # fmt: skip
    monkeypatch.setattr(sandbox_image, "_apt_source_entries", lambda: iter(entries))
    assert sandbox_image.apt_mirror() == "http://mirror.example/debian"
    monkeypatch.setenv(sandbox_image.MIRROR_ENV, "http://env.example/debian")
    assert sandbox_image.resolve_mirror() == "http://env.example/debian"
    assert sandbox_image.resolve_mirror("http://flag.example/debian") == "http://flag.example/debian"


async def test_unreachable_engine_fails_before_any_trial_with_what_to_do(monkeypatch: Any) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/roundtrip-eval/docker.sock")
    monkeypatch.setattr(sandbox_docker, "_CLIENTS", {})
    with pytest.raises(SandboxSetupError) as info:
        await S.task_init("startup", None)
    message = str(info.value)
    assert "\n" not in message
    assert "Docker engine not reachable at unix:///nonexistent/roundtrip-eval/docker.sock" in message
    assert "start dockerd" in message and "-T sandbox=local" in message
    assert "UNSANDBOXED" in message


def test_permission_denied_on_the_socket_says_so() -> None:
    cause = ConnectionError(PermissionError(13, "Permission denied"))
    message = str(sandbox_image.engine_error(cause))
    assert message.startswith("Permission denied on the Docker socket")
    assert "'docker' group" in message and "-T sandbox=local" in message


def test_offline_build_explains_what_it_needs(monkeypatch: Any) -> None:
    monkeypatch.setattr(sandbox_image, "_debootstrap", lambda: None)
    assert "apt-get install debootstrap" in (sandbox_image.offline_build_problem() or "")
    monkeypatch.setattr(sandbox_image, "_debootstrap", lambda: "/usr/sbin/debootstrap")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "needs root" in (sandbox_image.offline_build_problem() or "")


# ---------------------------------------------------------------------------- image and setup


@docker
async def test_missing_image_that_cannot_be_built_fails_with_one_line(
    docker_client: Any, monkeypatch: Any
) -> None:
    def fail(what: str) -> Any:
        def builder(*args: Any, **kwargs: Any) -> None:
            raise sandbox_image.SandboxImageError(f"{what} failed: simulated")

        return builder

    monkeypatch.setattr(sandbox_docker, "image_exists", lambda client, image: False)
    monkeypatch.setattr(sandbox_image, "image_exists", lambda client, image: False)
    monkeypatch.setattr(sandbox_image, "build_with_dockerfile", fail("docker build"))
    monkeypatch.setattr(sandbox_image, "build_offline", fail("debootstrap"))
    before = run_containers(docker_client)
    with pytest.raises(SandboxSetupError) as info:
        await S.task_init("startup", None)
    message = str(info.value)
    assert "\n" not in message
    assert "debootstrap failed: simulated" in message and "docker build failed" in message
    assert run_containers(docker_client) == before  # failed before starting anything


@docker
async def test_missing_custom_image_says_to_build_it(docker_client: Any) -> None:
    cfg = RoundtripDockerConfig(image="roundtrip-eval-sandbox:does-not-exist")
    with pytest.raises(SandboxSetupError, match="is missing: build or pull it first"):
        await S.task_init("startup", cfg)


@docker
async def test_task_init_passes_and_leaves_nothing(docker_client: Any) -> None:
    before = run_containers(docker_client)
    await S.task_init("startup", None)
    assert run_containers(docker_client) == before


# ---------------------------------------------------------------------------- isolation

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


# ---------------------------------------------------------------------------- exec


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


# ---------------------------------------------------------------------------- files


@docker
async def test_write_and_read_files(docker_sandbox: Any) -> None:
    await docker_sandbox.write_file("notes.txt", "line 1\r\nline 2 é\n")
    assert await docker_sandbox.read_file("notes.txt") == "line 1\r\nline 2 é\n"
    blob = bytes(range(256)) * 100
    await docker_sandbox.write_file("deep/er/blob.bin", blob)
    assert await docker_sandbox.read_file("/work/deep/er/blob.bin", text=False) == blob
    await docker_sandbox.write_file("notes.txt", "replaced")
    assert (await docker_sandbox.exec(["cat", "notes.txt"])).stdout == "replaced"
    with pytest.raises(FileNotFoundError):
        await docker_sandbox.read_file("nope.txt")
    with pytest.raises(IsADirectoryError):
        await docker_sandbox.read_file("deep")
    with pytest.raises(IsADirectoryError):
        await docker_sandbox.write_file("deep", "x")
    with pytest.raises(PermissionError):
        await docker_sandbox.write_file("/etc/passwd", "x")
    with pytest.raises(PermissionError):
        await docker_sandbox.read_file("/etc/shadow")


# ---------------------------------------------------------------------------- cleanup


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


# ---------------------------------------------------------------------------- through Inspect


def _replay_script(path: Path, codes: list[str]) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    from replay_scripts import trial, write

    return write(path, {("fizzbuzz", "*"): trial("fizzbuzz", codes)})


@docker
def test_inspect_eval_with_roundtrip_docker(docker_client: Any, tmp_path: Path) -> None:
    from inspect_ai import eval as inspect_eval

    from roundtrip_eval.problems import load_problem
    from roundtrip_eval.tasks import fizzbuzz

    ref = load_problem("fizzbuzz").reference
    script = _replay_script(tmp_path / "replay.jsonl", [ref, ref])
    before = by_pid(docker_client, os.getpid())
    [log] = inspect_eval(
        fizzbuzz(sandbox="roundtrip-docker", epochs=2, cycles=2),
        model=f"replay/{script}", log_dir=str(tmp_path / "logs"), display="none",
    )  # fmt: skip
    assert log.status == "success", log.error
    assert log.results is not None
    metrics = {
        f"{score.name}/{name.split('/')[-1]}": metric.value
        for score in log.results.scores
        for name, metric in score.metrics.items()
    }
    assert metrics["survived/mean"] == 1.0
    assert by_pid(docker_client, os.getpid()) == before


@docker
@pytest.mark.slow
def test_sigint_on_inspect_eval_leaves_no_container(docker_client: Any, tmp_path: Path) -> None:
    # the candidate ignores the runner's alarm and sleeps: its check holds a container ~30 s
    stuck = (
        "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\ntime.sleep(60)\n"
        "def fizzbuzz(n):\n    return n\n"
    )
    script = _replay_script(tmp_path / "replay.jsonl", [stuck])
    inspect = Path(sys.executable).parent / "inspect"
    proc = subprocess.Popen(
        [str(inspect), "eval", "roundtrip_eval/fizzbuzz", "--model", f"replay/{script}",
         "-T", "sandbox=roundtrip-docker", "-T", "cycles=1", "--epochs", "3",
         "--log-dir", str(tmp_path / "logs"), "--display", "plain"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(by_pid(docker_client, proc.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(by_pid(docker_client, proc.pid)) >= 3, "the trials never started"
        time.sleep(1.0)  # the checks are now running
        proc.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        output, _ = proc.communicate(timeout=60)
        stopped_after = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "interrupted" in output.lower(), output[-2000:]
    assert stopped_after < 15  # well before the 30 s check timeout: the checks were cancelled
    assert by_pid(docker_client, proc.pid) == set(), output[-2000:]
