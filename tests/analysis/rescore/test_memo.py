"""The rescoring memo sandbox (rescore/memo.py): each distinct check runs once, in a pool of
real sandboxes shared by the run; everything else passes through. A counting stand-in plays
the real sandbox here (no code runs); the end-to-end run is in test_run.py."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from inspect_ai.util import ExecResult, SandboxEnvironment, sandboxenv

from roundtrip_eval.analysis.rescore import memo

CALLS: list[dict[str, Any]] = []
STARTED: list[str] = []


@sandboxenv(name="memo-test-inner")
class CountingSandbox(SandboxEnvironment):
    """Answers a checker job with one record framed by the job's nonce, and counts."""

    scratch_dirs = ("/scratch",)

    def __init__(self) -> None:
        super().__init__()
        self.dirty = False  # what a check left: every later job finds it before its candidate runs

    @classmethod
    async def sample_init(cls, task_name: str, config: Any, metadata: dict[str, str]) -> dict[str, Any]:
        STARTED.append(task_name)
        return {"default": cls()}

    @classmethod
    async def sample_cleanup(cls, task_name: str, config: Any, environments: Any, interrupted: bool) -> None:
        STARTED.remove(task_name)

    async def exec(self, cmd: list[str], input: Any = None, *args: Any, **kwargs: Any) -> ExecResult[str]:
        await anyio.sleep(0.01)
        job = json.loads(input) if input and input.startswith("{") else {}
        CALLS.append(job)
        if "nonce" not in job:
            return ExecResult(True, 0, "plain", "")
        if self.dirty:  # the runner's clean slate failed: the candidate never ran
            return ExecResult(True, 0, f'{job["nonce"]} {{"stage": "slate", "left": ["1 process"]}}\n', "")
        code = 0 if job["code"] != "crash" else 137
        left = ', "left": ["1 process"]' if job["code"] == "leave" else ""
        self.dirty = job["code"] in ("leave", "spoil")  # "spoil": left something nobody saw
        return ExecResult(
            code == 0, code, f'{job["nonce"]} {{"done": 1, "code": "{job["code"]}"{left}}}\n', ""
        )

    async def write_file(self, file: str, contents: str | bytes) -> None:
        raise NotImplementedError

    async def read_file(self, file: str, text: bool = True) -> Any:
        raise NotImplementedError


def job(code: str, nonce: str) -> str:
    return json.dumps({"nonce": nonce, "code": code, "function": "f", "inputs": [[1]], "scratch": []})


@pytest.fixture(autouse=True)
def fresh() -> None:
    CALLS.clear()
    STARTED.clear()
    memo.configure("memo-test-inner", max_sandboxes=2)


async def _sample(name: str) -> Any:
    return (await memo.MemoSandbox.sample_init(name, None, {}))["default"]


def test_repeats_are_served_with_their_own_nonce_and_misses_share_the_pool() -> None:
    async def main() -> tuple[list[ExecResult[str]], list[str]]:
        first, second, idle = await _sample("a"), await _sample("b"), await _sample("c")
        results = [
            await first.exec(["python3"], job("def f(): 1", "n1"), timeout=30),
            await second.exec(["python3"], job("def f(): 1", "n2"), timeout=30),
            await second.exec(["python3"], job("def f(): 2", "n3"), timeout=30),
        ]
        started = list(STARTED)
        for name, env in (("a", first), ("b", second), ("c", idle)):
            await memo.MemoSandbox.sample_cleanup(name, None, {"default": env}, False)
        await memo.MemoSandbox.task_cleanup("startup", None, True)
        return results, started

    results, started = anyio.run(main)
    assert [r.stdout.split()[0] for r in results] == ["n1", "n2", "n3"]
    assert '"code": "def f(): 1"' in results[1].stdout
    assert [c["code"] for c in CALLS] == ["def f(): 1", "def f(): 2"]  # the repeat never ran
    # both misses ran in the one pool sandbox (no sample started its own); task cleanup ends it
    assert started == [memo.POOL_TASK] and STARTED == []
    # on a miss the job got the real sandbox's clean-slate places
    assert all(c["scratch"] == ["/scratch"] and c["clean_ipc"] is True for c in CALLS)
    stats = memo.STATS
    assert (stats.checks_run, stats.checks_served, stats.sandboxes_started) == (2, 1, 1)


def test_concurrent_repeats_wait_for_the_one_run() -> None:
    async def main() -> list[str]:
        envs = [await _sample(f"s{i}") for i in range(5)]
        out: list[str] = [""] * 5

        async def check(i: int) -> None:
            out[i] = (await envs[i].exec(["python3"], job("same", f"n{i}"))).stdout

        async with anyio.create_task_group() as group:
            for i in range(5):
                group.start_soon(check, i)
        for i, env in enumerate(envs):
            await memo.MemoSandbox.sample_cleanup(f"s{i}", None, {"default": env}, False)
        return out

    out = anyio.run(main)
    assert len(CALLS) == 1 and [o.split()[0] for o in out] == [f"n{i}" for i in range(5)]
    assert memo.STATS.sandboxes_started == 1  # one pool sandbox ran it; the others waited


def test_other_commands_and_failed_runs_are_never_memoised_and_retire_their_sandbox() -> None:
    async def main() -> None:
        env = await _sample("x")
        assert (await env.exec(["true"])).stdout == "plain"
        assert (await env.exec(["true"])).stdout == "plain"
        assert (await env.exec(["python3"], job("crash", "n1"))).returncode == 137
        assert (await env.exec(["python3"], job("crash", "n2"))).returncode == 137
        await memo.MemoSandbox.sample_cleanup("x", None, {"default": env}, False)

    anyio.run(main)
    assert len(CALLS) == 4 and memo.STATS.checks_served == 0 and memo.STATS.uncached_execs == 2
    # the sample's own sandbox for the plain commands, and a fresh pool sandbox per killed run
    assert (memo.STATS.sandboxes_started, memo.STATS.sandboxes_retired) == (3, 2) and STARTED == []


def test_job_key_ignores_the_nonce_and_clean_slate_only() -> None:
    a = memo.job_key(["python3"], job("c", "n1"), {"timeout": 30})
    b = memo.job_key(["python3"], job("c", "n2"), {"timeout": 30})
    assert a is not None and b is not None and a[0] == b[0]
    assert memo.job_key(["python3"], job("c", "n1"), {"timeout": 10})[0] != a[0]  # type: ignore[index]
    assert memo.job_key(["python3"], job("d", "n1"), {"timeout": 30})[0] != a[0]  # type: ignore[index]
    assert memo.job_key(["python3"], "not json", {}) is None
    assert memo.job_key(["python3"], json.dumps({"code": "c"}), {}) is None  # no nonce: not a check
    result = memo.reframe(ExecResult(True, 0, "n1 {}\nn1 {}\n", ""), "n1", "n9")
    assert result.stdout == "n9 {}\nn9 {}\n"


def test_a_sandbox_a_check_left_unclean_is_retired_and_its_verdict_kept() -> None:
    """The runner could not prove the sandbox empty after a check: the direct path goes on in a
    fresh container (`check.host`); the pool must not hand that sandbox to the next job."""

    async def main() -> list[str]:
        env = await _sample("x")
        out = [
            (await env.exec(["python3"], job(code, f"n{i}"))).stdout
            for i, code in enumerate(["leave", "ok", "leave"])
        ]
        await memo.MemoSandbox.sample_cleanup("x", None, {"default": env}, False)
        await memo.MemoSandbox.task_cleanup("x", None, True)
        return out

    out = anyio.run(main)
    assert '"done": 1' in out[1] and "slate" not in out[1]  # the next job ran in a clean sandbox
    assert '"left"' in out[2] and [c["code"] for c in CALLS] == ["leave", "ok"]  # the verdict memoised
    assert (memo.STATS.sandboxes_started, memo.STATS.sandboxes_retired) == (2, 1) and STARTED == []


def test_a_job_that_finds_its_sandbox_not_empty_runs_again_in_a_fresh_one() -> None:
    """A leftover the runner did not see after one check is found before the next candidate
    runs (a `slate` record): no verdict on that candidate; it is run again, and never memoised."""

    async def main() -> list[str]:
        env = await _sample("x")
        out = [
            (await env.exec(["python3"], job(code, f"n{i}"))).stdout
            for i, code in enumerate(["spoil", "ok", "ok"])
        ]
        await memo.MemoSandbox.sample_cleanup("x", None, {"default": env}, False)
        await memo.MemoSandbox.task_cleanup("x", None, True)
        return out

    out = anyio.run(main)
    assert out[1].startswith("n1 ") and '"done": 1' in out[1] and "slate" not in out[1]
    assert out[2].startswith("n2 ") and '"done": 1' in out[2]  # served: the clean run was memoised
    assert [c["code"] for c in CALLS] == ["spoil", "ok", "ok"]  # the slate run, then the fresh one
    assert (memo.STATS.checks_run, memo.STATS.checks_served) == (3, 1)
    assert (memo.STATS.sandboxes_started, memo.STATS.sandboxes_retired) == (2, 1) and STARTED == []
