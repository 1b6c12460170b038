"""Issue 28, routes 2-4: a clean slate that is proven, and resource exhaustion as a verdict.

Through the full task (replayed model, default `roundtrip-docker` sandbox, warm runner):
- a correct cycle that locks its answers in a mode-000 directory under /tmp cannot hand them to
  the next, wrong, cycle (route 2);
- a chain of 3,000 nested directories left under /tmp neither kills the runner nor fails the
  next, correct, cycles (route 3);
- a memfd, System V shared memory and full tmpfs places (memory no process holds) are a
  scored verdict, never a sample error, and the next cycle checks normally (route 4).
When the container dies under a check anyway (its init killed, or the kernel's OOM killer), the
cycle is scored `crash` naming why, and the trial goes on in a fresh container.
"""

from __future__ import annotations

import asyncio
import functools
import os
from typing import Any

import hostile_code as hc
import pytest

from roundtrip_eval.check import host
from roundtrip_eval.problems.load import load_problem
from roundtrip_eval.sandbox import LABEL, RoundtripDockerConfig, RoundtripDockerSandbox
from roundtrip_eval.sandbox.containers import LABEL_PID

pytestmark = pytest.mark.docker

run_check = functools.partial(host.run_check, screen=False)
"""These routes test the runner and the sandbox: the host's static screen, which would stop some
of them (and the probe, which lists /proc/self/fd) before they run, is off here."""

FIZZ = load_problem("fizzbuzz")
CORRECT = FIZZ.reference


def ours(client: Any) -> list[str]:
    """Every container of ours this test process created that still exists (`docker ps -a`)."""
    filters = {"label": [f"{LABEL}=1", f"{LABEL_PID}={os.getpid()}"]}
    return [c["Names"][0] for c in client.api.containers(all=True, filters=filters)]


@pytest.fixture(scope="module")
def routes_log(docker_client: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from inspect_ai import eval as inspect_eval
    from replay_scripts import trial, write

    from roundtrip_eval.eval.tasks import fizzbuzz

    tmp = tmp_path_factory.mktemp("slate")
    script = write(tmp / "replay.jsonl", {
        ("fizzbuzz", 1): trial("fizzbuzz", [hc.LOCKS_ITS_ANSWERS, hc.READS_THE_LOCKED_ANSWERS, CORRECT]),
        ("fizzbuzz", 2): trial("fizzbuzz", [hc.LEAVES_A_DEEP_TREE, CORRECT, hc.PROBE_IN_CALL]),
        ("fizzbuzz", 3): trial("fizzbuzz", [hc.EXHAUSTS_MEMORY, hc.PROBE_IN_CALL, hc.EXHAUSTS_MEMORY_SYSV]),
    })  # fmt: skip
    [log] = inspect_eval(
        fizzbuzz(sandbox="roundtrip-docker", epochs=3, cycles=3, stop_on_failure=False, static_screen=False),
        model=f"replay/{script}", log_dir=str(tmp / "logs"), display="none", max_samples=1,
    )  # fmt: skip
    return log


def cycles(log: Any, epoch: int) -> list[dict[str, Any]]:
    [sample] = [s for s in log.samples or [] if s.epoch == epoch]
    assert sample.error is None, sample.error
    return list(sample.store["cycles"])


def test_the_eval_ends_without_error_and_leaves_no_container(routes_log: Any, docker_client: Any) -> None:
    assert routes_log.status == "success", routes_log.error
    assert len(routes_log.samples or []) == 3
    assert ours(docker_client) == []


def test_a_locked_directory_cannot_hand_answers_to_the_next_cycle(routes_log: Any) -> None:
    locker, reader, after = cycles(routes_log, 1)
    assert locker["passed"], locker["detail"]
    assert (reader["passed"], reader["category"]) == (False, "crash"), reader["detail"]
    assert "FileNotFoundError" in reader["detail"]
    assert after["passed"], after["detail"]


def test_a_deep_tree_neither_kills_the_runner_nor_fails_the_next_cycles(routes_log: Any) -> None:
    records = cycles(routes_log, 2)  # the deep tree, a correct cycle, the probe for leftovers
    assert [(r["passed"], r["detail"]) for r in records] == [(True, "all inputs match")] * 3
    assert [r["check"]["sandbox_note"] for r in records] == [""] * 3  # emptied, not renewed


def test_memory_no_process_holds_is_a_verdict(routes_log: Any) -> None:
    memfd, probe, sysv = cycles(routes_log, 3)
    assert (memfd["passed"], memfd["category"]) == (False, "crash"), memfd["detail"]
    assert probe["passed"], probe["detail"]
    assert sysv["category"] in ("none", "crash", "timeout"), sysv["detail"]  # its function is right


# ------------------------------------------------------------------ the backstop: a dead container

SLOW_CORRECT = "import time\ntime.sleep(3)\n" + CORRECT


async def test_a_container_that_dies_under_a_check_is_a_crash_and_the_trial_goes_on(
    docker_client: Any,
) -> None:
    envs = await RoundtripDockerSandbox.sample_init("slate", None, {})
    env = envs["default"].as_type(RoundtripDockerSandbox)
    try:
        first = env.container

        async def kill_soon() -> None:
            await asyncio.sleep(1.0)
            await asyncio.to_thread(docker_client.api.kill, first, "SIGKILL")

        killer = asyncio.create_task(kill_soon())
        verdict = await run_check(env, SLOW_CORRECT, FIZZ, check_timeout=10.0)
        await killer
        assert (verdict.passed, verdict.category) == (False, "crash"), verdict.detail
        assert "stopped during the check" in verdict.detail, verdict.detail
        assert env.container != first and len(env.renewals) == 1
        after = await run_check(env, hc.PROBE, FIZZ)
        assert after.passed, after.detail
    finally:
        await RoundtripDockerSandbox.sample_cleanup("slate", None, envs, False)
    assert ours(docker_client) == []


async def test_an_oom_killed_container_names_the_memory_limit(docker_client: Any) -> None:
    # a configuration the validator refuses (tmpfs places that fill more than the memory limit),
    # built without it, so that filling them kills the container's init for real
    cfg = RoundtripDockerConfig.model_construct(**{**RoundtripDockerConfig().model_dump(), "memory": "160m"})
    envs = await RoundtripDockerSandbox.sample_init("slate", cfg, {})
    env = envs["default"].as_type(RoundtripDockerSandbox)
    try:
        verdict = await run_check(env, hc.EXHAUSTS_MEMORY, FIZZ, check_timeout=20.0)
        assert (verdict.passed, verdict.category) == (False, "crash"), verdict.detail
        # the OOM killer took the runner (twice) or init: either way the limit is named
        assert "exceeded the sandbox's memory limit (160m)" in verdict.detail, verdict.detail
        assert len(env.renewals) == 1, env.renewals
        after = await run_check(env, hc.PROBE, FIZZ)
        assert after.passed, after.detail
    finally:
        await RoundtripDockerSandbox.sample_cleanup("slate", None, envs, False)
    assert ours(docker_client) == []


# ------------------------------------------------------------------ a place that cannot be emptied


async def test_a_place_that_cannot_be_emptied_means_a_fresh_container(
    docker_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /etc is on the read-only root: the runner cannot show it empty, so it refuses to check,
    # and the host checks the job again in a fresh container (and notes it) instead of failing it
    envs = await RoundtripDockerSandbox.sample_init("slate", None, {})
    env = envs["default"].as_type(RoundtripDockerSandbox)
    normal = env.scratch_dirs
    try:
        first = env.container
        dirty = property(lambda self: (*normal, "/etc") if self.container == first else normal)
        monkeypatch.setattr(type(env), "scratch_dirs", dirty)
        verdict = await run_check(env, CORRECT, FIZZ)
        assert verdict.passed, verdict.detail
        assert env.container != first and len(env.renewals) == 1
        assert "/etc/" in verdict.sandbox_note and "fresh sandbox" in verdict.sandbox_note
    finally:
        await RoundtripDockerSandbox.sample_cleanup("slate", None, envs, False)
    assert ours(docker_client) == []
