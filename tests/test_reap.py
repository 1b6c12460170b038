"""After a check no process the candidate started survives, and that is proven (`runner/reap.py`).

The local tests run the runner's own `reap` part in a child process of the test that is a child
subreaper, as the runner is, over a chain of harmless processes (no model code runs here); the
docker tests run candidates in the `roundtrip-docker` sandbox.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.check import host
from roundtrip_eval.check.runner import reap
from roundtrip_eval.problems.load import load_problem

FIZZ = load_problem("fizzbuzz")
REAP_SOURCE = Path(reap.__file__).read_text(encoding="utf-8")

# A stand-in for the runner: a child subreaper that starts a chain in which each new link takes
# its own session and the old leaf execs `sleep`, growing at the bottom while it is killed at
# the top (red7's shape, without its killing), then reaps with `reap_all` and reports.
CHAIN_RUNNER = """
import ctypes, json, os, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
exec(compile(sys.argv[1], "reap.py", "exec"))
def leaf(links):
    while True:
        if links >= 40:
            time.sleep(0.002)
            continue
        child = os.fork()
        if child:
            os.execv("/bin/sleep", ["sleep", "600"])
        os.setsid()
        links += 1
if os.fork() == 0:
    os.setsid()
    leaf(0)
time.sleep(0.5)
before = reap_tree(os.getpid())
shallow = [int(p) for t in os.listdir("/proc/self/task")
           for p in open(f"/proc/self/task/{t}/children").read().split()]
left = reap_all(set(), False)
print(json.dumps({"before": before, "shallow": shallow, "left": left, "after": reap_tree(os.getpid())}))
"""


def _alive_sleepers(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if fh.read().startswith(b"sleep\0600"):
                    alive.append(pid)
        except OSError:
            continue
    return alive


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and subreapers are Linux's")
def test_reap_all_kills_a_chain_that_grows_at_the_bottom() -> None:
    done = subprocess.run(
        [sys.executable, "-I", "-c", CHAIN_RUNNER, REAP_SOURCE], capture_output=True, text=True, timeout=60
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert len(report["before"]) >= 10, report  # a chain, most of it out of the runner's reach...
    assert len(report["shallow"]) < len(report["before"]), report  # ...for a walk of its children
    assert report["left"] == "" and report["after"] == [], report
    assert _alive_sleepers(report["before"]) == []  # gone from the machine, not only from the tree


def test_the_count_decides_in_the_runners_own_container(tmp_path: Path, monkeypatch: Any) -> None:
    count = tmp_path / "pids.current"
    monkeypatch.setattr(reap, "REAP_PIDS_CURRENT", (str(count),))
    monkeypatch.setattr(reap, "reap_tree", lambda root: [])  # no stray a walk could find
    known = reap.reap_known_tasks(set())
    count.write_text(f"{known}\n")
    assert reap.reap_unknown(set(), own_container=True) == ""
    count.write_text(f"{known + 1}\n")  # a task no walk of the runner's tree finds
    found = reap.reap_unknown(set(), own_container=True)
    assert found == f"the sandbox holds {known + 1} tasks where the checker knows {known}"
    assert reap.reap_unknown(set(), own_container=False) == ""  # elsewhere the walk is all there is
    monkeypatch.setattr(reap, "REAP_PIDS_CURRENT", (str(tmp_path / "missing"),))
    assert reap.reap_unknown(set(), own_container=True) == ""


def test_a_stray_in_the_runners_tree_is_named() -> None:
    # the test process may already have children of its own (a forkserver, a model server
    # another test started): those are the "keep" set here, as the zygote is in the runner
    before = set(reap.reap_tree(os.getpid()))
    child = subprocess.Popen(["sleep", "30"])
    try:
        found = reap.reap_unknown(before, own_container=False)
        assert found == f"1 processes still running (pids {child.pid})"
        assert reap.reap_unknown(before | {child.pid}, own_container=False) == ""
    finally:
        child.kill()
        child.wait()


# ------------------------------------------------------------------ in the sandbox


def _ours(client: Any) -> list[str]:
    """Every container of ours this test process created that still exists (`docker ps -a`)."""
    from roundtrip_eval.sandbox import LABEL
    from roundtrip_eval.sandbox.containers import LABEL_PID

    filters = {"label": [f"{LABEL}=1", f"{LABEL_PID}={os.getpid()}"]}
    return [c["Names"][0] for c in client.api.containers(all=True, filters=filters)]


run_check = functools.partial(host.run_check, screen=False)

KILLED = """import os, signal

def fizzbuzz(n):
    os.kill(os.getpid(), signal.SIGKILL)
"""

REOPEN = '''import os

try:
    _FD = os.open("/proc/self/fd/3", os.O_RDONLY | os.O_NONBLOCK)
except OSError:
    _FD = None


def fizzbuzz(n):
    if _FD is not None:  # a read end of the reply channel: it could read "HELLO <key>"
        return "reopened the reply channel for reading"
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''


@pytest.mark.docker
async def test_a_process_outside_the_runners_tree_means_a_fresh_sandbox(docker_client: Any) -> None:
    """The proof is the container's task count, not a walk: a process no walk of the runner's
    tree can find (started by `docker exec`, not by a candidate) is found, the check runs in a
    fresh sandbox and passes, and the cycle's note says why."""
    from roundtrip_eval.sandbox import RoundtripDockerSandbox

    envs = await RoundtripDockerSandbox.sample_init("reap", None, {})
    env = envs["default"].as_type(RoundtripDockerSandbox)
    try:
        first = await run_check(env, FIZZ.reference, FIZZ)
        assert first.passed and first.sandbox_note == "", (first.detail, first.sandbox_note)
        old = env.container
        docker_client.containers.get(old).exec_run(["sleep", "60"], user="65534:65534", detach=True)
        verdict = await run_check(env, FIZZ.reference, FIZZ)
        assert verdict.passed, verdict.detail
        assert "processes: the sandbox holds" in verdict.sandbox_note, verdict.sandbox_note
        assert env.container != old and len(env.renewals) == 1
        again = await run_check(env, FIZZ.reference, FIZZ)
        assert again.passed and again.sandbox_note == "", (again.detail, again.sandbox_note)
    finally:
        await RoundtripDockerSandbox.sample_cleanup("reap", None, envs, False)
    assert _ours(docker_client) == []


@pytest.mark.docker
async def test_a_process_not_proven_gone_after_a_check_means_a_fresh_sandbox(docker_client: Any) -> None:
    """After the check the count still shows a process no walk finds (a `docker exec` started
    while the check ran): the verdict stands, the trial goes on in a fresh sandbox, and the
    cycle's note says why."""
    import asyncio

    from roundtrip_eval.sandbox import RoundtripDockerSandbox

    envs = await RoundtripDockerSandbox.sample_init("reap", None, {})
    env = envs["default"].as_type(RoundtripDockerSandbox)
    try:
        assert (await run_check(env, FIZZ.reference, FIZZ)).passed  # the warm runner is up
        old = env.container

        async def exec_soon() -> None:
            await asyncio.sleep(0.5)
            container = docker_client.containers.get(old)
            await asyncio.to_thread(container.exec_run, ["sleep", "60"], user="65534:65534", detach=True)

        started = asyncio.create_task(exec_soon())
        verdict = await run_check(env, "import time\ntime.sleep(2)\n" + FIZZ.reference, FIZZ)
        await started
        assert verdict.passed, verdict.detail
        assert "the check left what could not be removed in time (processes: the sandbox holds" in (
            verdict.sandbox_note
        ), verdict.sandbox_note
        assert env.container != old and len(env.renewals) == 1
        again = await run_check(env, FIZZ.reference, FIZZ)
        assert again.passed and again.sandbox_note == "", (again.detail, again.sandbox_note)
    finally:
        await RoundtripDockerSandbox.sample_cleanup("reap", None, envs, False)
    assert _ours(docker_client) == []


@pytest.mark.docker
async def test_sigkill_is_not_called_the_memory_limit_and_the_reply_channel_is_not_reopenable(
    docker_sandbox: Any,
) -> None:
    killed = await run_check(docker_sandbox, KILLED, FIZZ)
    assert not killed.passed and killed.detail.endswith("(killed by SIGKILL)"), killed.detail
    reopened = await run_check(docker_sandbox, REOPEN, FIZZ)
    assert reopened.passed, reopened.detail


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sched_getaffinity is Linux's")
def test_a_changed_priority_is_found_and_named() -> None:
    # red9: a check that renices the runner, the zygote or init leaves no clean slate; the
    # runner compares their scheduling before and after each check
    child = subprocess.Popen(["sleep", "30"])
    try:
        before = reap.reap_scheduling({child.pid, os.getpid()})
        assert before[child.pid] and before[os.getpid()]
        assert reap.reap_rescheduled(before) == ""
        os.setpriority(os.PRIO_PROCESS, child.pid, min(19, before[child.pid][0] + 3))  # type: ignore[operator]
        changed = reap.reap_rescheduled(before)
        assert f"pid {child.pid}" in changed and f"pid {os.getpid()}" not in changed
    finally:
        child.kill()
        child.wait()
    assert reap.reap_scheduling({child.pid})[child.pid] == ()  # gone: nothing to read
    assert reap.reap_rescheduled(before) == ""  # and nothing it carries on to the next check
