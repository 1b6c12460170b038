"""The warm runner (`warm.py`) and spare containers (`spares.py`), against the real engine."""

from __future__ import annotations

import asyncio
import logging
import platform
import time
from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem
from roundtrip_eval.sandbox import RoundtripDockerConfig, RoundtripDockerSandbox, containers, warm
from roundtrip_eval.sandbox.engine import SandboxSetupError

from .probes import run_containers

S = RoundtripDockerSandbox
docker = pytest.mark.docker
FIZZ = load_problem("fizzbuzz")
SLOW_IMPORT = "import time\ntime.sleep(1.5)\n" + FIZZ.reference


def _kill_from_outside(env: Any, signal: str) -> None:
    """Signal the warm runner the way nothing of ours does: a raw exec as the sandbox user."""
    box, pid = env._box, env._warm.pid
    assert pid is not None
    argv = ["/bin/sh", "-c", f"kill -{signal} {pid}"]
    killer = box.client.api.exec_create(box.name, argv, user="65534:65534")
    assert box.client.api.exec_start(killer["Id"]) == b""


@docker
async def test_checks_share_one_runner_and_each_candidate_a_fresh_process(docker_sandbox: Any) -> None:
    code = "import os\nprint(os.getpid(), os.getppid())\n" + FIZZ.reference
    seen = []
    for _ in range(3):
        verdict = await run_check(docker_sandbox, code, FIZZ)
        assert verdict.passed, verdict.detail
        seen.append(tuple(int(x) for x in verdict.output_head.split()))
    runners = {parent for _child, parent in seen}
    assert runners == {docker_sandbox._warm.pid}  # one runner for every check
    assert len({child for child, _parent in seen}) == 3  # a new candidate process each time
    assert docker_sandbox._warm.starts == 1 and docker_sandbox._warm.restarts == 0


SIGNALS_THE_ZYGOTE = """
import os, signal
_me, _runner = os.getpid(), os.getppid()
_zygotes, _refused = [], []
for _entry in os.listdir("/proc"):
    if _entry.isdigit() and int(_entry) != _me:
        try:
            _fields = open(f"/proc/{_entry}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(_fields[1]) == _runner and int(_fields[3]) == int(_entry):  # a session leader
            _zygotes.append(int(_entry))  # the runner's other child: the zygote
for _pid in _zygotes:
    for _target in (_pid, -_pid):
        try:
            os.kill(_target, signal.SIGKILL)
        except PermissionError:
            _refused.append(_target)
print(len(_zygotes), len(_refused))
""" + FIZZ.reference


@docker
async def test_the_candidate_cannot_signal_the_zygote(docker_sandbox: Any) -> None:
    # one zygote per warm runner forks every candidate process; seccomp keeps them off it
    first = await run_check(docker_sandbox, SIGNALS_THE_ZYGOTE, FIZZ)
    assert first.passed, first.detail
    assert first.output_head.split() == ["1", "2"], first.output_head  # found it; both kills refused
    second = await run_check(docker_sandbox, SIGNALS_THE_ZYGOTE, FIZZ)
    assert second.passed and second.output_head.split() == ["1", "2"], second.output_head
    assert docker_sandbox._warm.restarts == 0


PRINTS_THE_ZYGOTE = "import sys\nprint(*sys.modules['__main__'].ZYGOTE)\n" + FIZZ.reference


@docker
async def test_a_dead_zygote_is_started_again_by_the_same_runner(docker_sandbox: Any) -> None:
    first = await run_check(docker_sandbox, PRINTS_THE_ZYGOTE, FIZZ, screen=False)  # a runner probe
    assert first.passed, first.detail
    zygote = int(first.output_head)
    box = docker_sandbox._box
    argv = ["/bin/sh", "-c", f"kill -KILL {zygote}"]
    killer = box.client.api.exec_create(box.name, argv, user="65534:65534")
    assert box.client.api.exec_start(killer["Id"]) == b""
    # the next candidate process was forked already; the one after it needs a new zygote
    for _ in range(2):
        verdict = await run_check(docker_sandbox, PRINTS_THE_ZYGOTE, FIZZ, screen=False)
        assert verdict.passed, verdict.detail
    assert int(verdict.output_head) != zygote
    assert docker_sandbox._warm.restarts == 0  # the runner itself lived on


RUNNER_PARENT = (
    "import os\n"
    "print(open(f'/proc/{os.getppid()}/stat').read().rsplit(')', 1)[1].split()[1])\n"
) + FIZZ.reference  # prints the parent of the runner that forked this candidate


@docker
async def test_the_first_runner_comes_from_init_and_a_replacement_from_an_exec(docker_sandbox: Any) -> None:
    verdict = await run_check(docker_sandbox, RUNNER_PARENT, FIZZ)
    assert verdict.passed, verdict.detail
    assert verdict.output_head.split() == ["1"]  # started by the container's init: no exec
    _kill_from_outside(docker_sandbox, "KILL")
    started = time.monotonic()
    verdict = await run_check(docker_sandbox, RUNNER_PARENT, FIZZ)
    assert verdict.passed, verdict.detail
    assert verdict.output_head.split() != ["1"]  # a new runner, in an exec
    assert time.monotonic() - started < warm.STALL_SECONDS  # init said the first one ended
    assert docker_sandbox._warm.restarts == 1


@docker
async def test_a_runner_that_cannot_use_the_hosts_bytecode_compiles_the_source(
    docker_sandbox: Any, monkeypatch: Any
) -> None:
    payload = warm.boot_payload()
    head, rest = payload.split(b"\n", 1)
    _magic, code_len, source_len, candidate_len = head.split()
    garbage = b"\x00" * int(code_len)  # bytecode it must not load: another CPython's magic
    source = rest[int(code_len) : int(code_len) + int(source_len)]
    candidate = b"\x00" * int(candidate_len)  # nor the candidate side's: its zygote compiles it
    header = b"00000000 " + b" ".join([code_len, source_len, candidate_len]) + b"\n"
    other = header + garbage + source + candidate
    monkeypatch.setattr(warm, "boot_payload", lambda: other)
    verdict = await run_check(docker_sandbox, RUNNER_PARENT, FIZZ)
    assert verdict.passed, verdict.detail
    assert verdict.output_head.split() == ["1"] and docker_sandbox._warm.restarts == 0


@docker
async def test_a_dead_runner_is_replaced_and_logged(docker_sandbox: Any, caplog: Any) -> None:
    assert (await run_check(docker_sandbox, FIZZ.reference, FIZZ)).passed
    first = docker_sandbox._warm.pid
    _kill_from_outside(docker_sandbox, "KILL")
    await asyncio.sleep(0.3)
    with caplog.at_level(logging.WARNING, logger="roundtrip_eval.sandbox.warm"):
        verdict = await run_check(docker_sandbox, FIZZ.reference, FIZZ)
    assert verdict.passed, verdict.detail  # judged by a fresh runner
    assert docker_sandbox._warm.pid != first and docker_sandbox._warm.restarts == 1
    assert "died" in caplog.text


@docker
async def test_a_runner_killed_during_a_check_is_replaced_and_it_judged_again(docker_sandbox: Any) -> None:
    assert (await run_check(docker_sandbox, FIZZ.reference, FIZZ)).passed
    task = asyncio.create_task(run_check(docker_sandbox, SLOW_IMPORT, FIZZ))
    await asyncio.sleep(0.7)
    _kill_from_outside(docker_sandbox, "KILL")
    verdict = await task
    assert verdict.passed, verdict.detail
    assert docker_sandbox._warm.restarts == 1


@docker
async def test_a_runner_that_stops_answering_is_replaced(docker_sandbox: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(warm, "STALL_SECONDS", 4.0)  # the runner writes every second
    assert (await run_check(docker_sandbox, FIZZ.reference, FIZZ)).passed
    task = asyncio.create_task(run_check(docker_sandbox, SLOW_IMPORT, FIZZ))
    await asyncio.sleep(0.7)
    _kill_from_outside(docker_sandbox, "STOP")
    started = time.monotonic()
    verdict = await task
    assert verdict.passed, verdict.detail
    assert docker_sandbox._warm.restarts == 1
    assert time.monotonic() - started < 25


@docker
async def test_a_plain_exec_ends_the_runner_quietly(docker_sandbox: Any, caplog: Any) -> None:
    assert (await run_check(docker_sandbox, FIZZ.reference, FIZZ)).passed
    assert (await docker_sandbox.exec(["true"])).success  # its prelude kills every process
    with caplog.at_level(logging.WARNING, logger="roundtrip_eval.sandbox.warm"):
        assert (await run_check(docker_sandbox, FIZZ.reference, FIZZ)).passed
    assert docker_sandbox._warm.restarts == 0 and docker_sandbox._warm.starts == 2
    assert "warm runner" not in caplog.text


@docker
async def test_the_exec_per_check_path_stays_selectable(docker_client: Any) -> None:
    cfg = RoundtripDockerConfig(warm_runner=False)
    envs = await S.sample_init("pytest", cfg, {})
    try:
        env = envs["default"]
        assert env.warm_runner is False
        verdict = await run_check(env, FIZZ.reference, FIZZ)
        assert verdict.passed, verdict.detail
        assert env._warm.starts == 0
    finally:
        await S.sample_cleanup("pytest", cfg, envs, False)


@docker
async def test_spares_make_set_up_cheap_and_leave_nothing(docker_client: Any, monkeypatch: Any) -> None:
    state = containers.RunState()  # an eval run's state (Inspect's lifecycle gives one per run)
    monkeypatch.setattr(containers, "run_state", lambda: state)
    before = run_containers(docker_client)
    cfg = RoundtripDockerConfig(spare_containers=2)
    await S.task_init("pytest", cfg)
    assert state.spares is not None and len(state.containers) == 1  # its smoke test, kept as a spare
    smoke = next(iter(state.containers))
    first = await S.sample_init("pytest", cfg, {})  # takes it: 2 more are started behind it
    assert first["default"]._box.name == smoke and first["default"]._warm.pid is not None
    try:
        deadline = time.monotonic() + 60
        while len(state.spares.ready.get(cfg, [])) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        started = time.monotonic()
        second = await S.sample_init("pytest", cfg, {})
        took = time.monotonic() - started
        env = second["default"]
        assert took < 0.1, f"sample_init took {took:.3f}s with a spare ready"
        assert env._warm.pid is not None  # its runner was started with the container
        verdict = await run_check(env, FIZZ.reference, FIZZ)
        assert verdict.passed, verdict.detail
        await S.sample_cleanup("pytest", cfg, second, False)  # removed in a worker thread
    finally:
        await S.sample_cleanup("pytest", cfg, first, False)
        await S.task_cleanup("pytest", cfg, True)
    assert state.spares is None and not state.containers
    assert run_containers(docker_client) == before


@docker
async def test_an_image_whose_python_fails_stops_task_init_with_one_line_and_leaves_nothing(
    docker_client: Any, monkeypatch: Any
) -> None:
    state = containers.RunState()  # in an eval run the smoke test is the first spare's runner
    monkeypatch.setattr(containers, "run_state", lambda: state)
    monkeypatch.setattr(containers, "ENTRYPOINT", ["/bin/sh", "-c", "echo no python here >&2; exit 3"])
    before = run_containers(docker_client)
    cfg = RoundtripDockerConfig(spare_containers=2)
    try:
        with pytest.raises(SandboxSetupError) as info:
            await S.task_init("pytest", cfg)
    finally:
        await S.task_cleanup("pytest", cfg, True)
    message = str(info.value)
    assert "\n" not in message and "python3 does not run in a" in message and "sandbox build" in message
    assert run_containers(docker_client) == before and not state.containers


@docker
async def test_a_candidate_printing_inits_exit_line_cannot_fake_a_dead_runner(docker_sandbox: Any) -> None:
    from roundtrip_eval.sandbox.pid1 import RUNNER_EXITED

    marker = RUNNER_EXITED.decode()
    code = (
        f"import os\nprint('\\n{marker}\\n', flush=True)\nos.write(2, b'\\n{marker}\\n')\n"
        + FIZZ.reference
    )
    for _ in range(2):
        verdict = await run_check(docker_sandbox, code, FIZZ)
        assert verdict.passed, verdict.detail
    assert marker in verdict.output_head  # its output is evidence, inside a framed record
    assert docker_sandbox._warm.starts == 1 and docker_sandbox._warm.restarts == 0


# rt_sigqueueinfo(2) from a python3 the candidate starts (ctypes is refused in the candidate
# process itself): SIGUSR1 to init with si_code SI_QUEUE and a chosen si_pid. The kernel keeps
# a chosen si_pid for a sender in the same pid namespace, so si_pid 0 alone would pass for the
# host's kill signal (found by a red team). x86_64 syscall number.
SIGQUEUE = (
    "import ctypes, struct, sys\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "info = struct.pack('iii4xII', 10, 0, -1, int(sys.argv[1]), 0).ljust(128, b'\\0')\n"
    "r = libc.syscall(129, 1, 10, ctypes.create_string_buffer(info, 128))\n"
    "print('sigqueue', r, flush=True)\n"
)


def _spoofing(si_pid: int, reference: str) -> str:
    return (
        "import subprocess, sys, time\n"
        f"_r = subprocess.run([sys.executable, '-I', '-c', {SIGQUEUE!r}, '{si_pid}'],"
        " capture_output=True, text=True)\n"
        "print(_r.stdout.strip(), flush=True)\n"
        "time.sleep(0.5)\n"
    ) + reference


@docker
@pytest.mark.skipif(platform.machine() != "x86_64", reason="the raw syscall number is x86_64's")
@pytest.mark.parametrize("si_pid", [0, 4242])
async def test_a_queued_kill_signal_claiming_the_host_kills_nothing(docker_sandbox: Any, si_pid: int) -> None:
    verdict = await run_check(docker_sandbox, _spoofing(si_pid, FIZZ.reference), FIZZ)
    assert verdict.passed, verdict.detail
    assert "sigqueue 0" in verdict.output_head  # the signal was delivered to init
    assert docker_sandbox._warm.starts == 1 and docker_sandbox._warm.restarts == 0
    wrong = FIZZ.reference.replace('"Fizz"', '"Fuzz"')
    assert wrong != FIZZ.reference
    verdict = await run_check(docker_sandbox, _spoofing(si_pid, wrong), FIZZ)
    assert not verdict.passed and verdict.category == "semantic", verdict.detail
    assert (await run_check(docker_sandbox, FIZZ.reference, FIZZ)).passed
    assert docker_sandbox._warm.restarts == 0
