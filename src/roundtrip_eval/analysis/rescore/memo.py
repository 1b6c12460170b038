"""`rescore-memo`: a sandbox for rescoring that runs each distinct check once per run.

Why: the published dataset holds 31,847 cycles with code but only about 1,600 distinct code
replies (the same `return 42` thousands of times), and a check costs a container exec (150 ms
idle, over a second under load on 2 cores) on top of one container per trial. A replayed
trial's code is fixed, and a check's verdict is a function of the job the checker sends (code,
function, inputs, limits): this provider runs each distinct job once, in the real sandbox, and
answers every repeat with that run's output, re-framed with the repeat's own nonce.

How:
- The real sandbox (`roundtrip-docker`, or `local`) is set for the run by `configure`, not by
  the task's sandbox config (Inspect reads a string config as a file path, and a config
  object would need this module imported wherever a log is read).
- Only the checker's job is memoised: an exec whose stdin is a JSON object with a `nonce` and a
  `code` string, and that returned with exit status 0. Anything else (another command, a
  timeout or other exception, a runner that was killed) is never memoised.
- A job that misses runs in a *pool* of at most `max_sandboxes` real sandboxes shared by the
  run's trials, one job at a time each, so the run starts that many containers, not one per
  trial. Sharing is what the checker already does within a trial: the runner empties every
  writable place and kills every process around each check (a clean slate per check), and the
  memo already treats a verdict as the job's, not the trial's. A sandbox whose exec raised,
  whose runner did not exit 0, or that the runner could not prove empty after the check (what
  the direct path answers with a fresh container: `check.host`) is retired, never handed to
  the next job; a job whose runner found its sandbox not empty before the candidate ran is run
  again in a fresh one (that finding is no verdict on the candidate).
- On a miss the job's `scratch` / `clean_ipc` fields are set from the real sandbox
  (`check.host.scratch_places`), so its clean slate is exactly what a direct check would get.
- Samples that send a job already running wait for that run; a sample only ever waits on a run
  that holds a sandbox (never on one still waiting for a slot), and one waiting for a slot
  stops waiting when its job is answered meanwhile, so waits cannot deadlock.
- Anything that is not a check (another command, files) gets a real sandbox of the sample's
  own, started on first use (the rescoring's trials send none).

What it gives up: a candidate whose behaviour varies between runs (randomness, the clock) gets
one verdict for all its copies, as a deterministic checker would give it. `STATS` counts checks
run, served from the memo, and sandboxes started, for the command's closing line.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import anyio
from inspect_ai.util import ExecResult, SandboxEnvironment, SandboxEnvironmentConfigType, sandboxenv

from roundtrip_eval._inspect_private import RootAccess
from roundtrip_eval._inspect_private import find_sandboxenv as registry_find_sandboxenv

log = logging.getLogger(__name__)

NAME = "rescore-memo"
POOL_TASK = "rescore-memo-pool"
SLOT_POLL = 0.05
"""Seconds between looks at a full cap (and at the memo) while waiting for a real sandbox."""
UNKEYED = ("nonce", "scratch", "clean_ipc")
"""Job fields that do not change the verdict: the per-check nonce and the clean-slate places
(set from the real sandbox on a miss)."""


@dataclass
class MemoStats:
    """What one rescoring run's checks cost."""

    checks_run: int = 0  # jobs run in a real sandbox
    checks_served: int = 0  # repeats answered from the memo
    sandboxes_started: int = 0
    sandboxes_retired: int = 0  # pool sandboxes dropped after an exec that raised or was killed
    uncached_execs: int = 0  # execs that are not a checker job, passed through

    @property
    def checks(self) -> int:
        return self.checks_run + self.checks_served


@dataclass
class _State:
    inner: str = "roundtrip-docker"
    max_sandboxes: int = 8
    results: dict[str, tuple[str, ExecResult[str]]] = field(default_factory=dict)  # key: (nonce, result)
    running: dict[str, anyio.Event] = field(default_factory=dict)
    slots: anyio.Semaphore | None = None  # pool sandboxes lent out or being started
    idle: list[dict[str, SandboxEnvironment]] = field(default_factory=list)


STATS = MemoStats()
_STATE = _State()


def configure(inner: str, max_sandboxes: int) -> MemoStats:
    """Start a fresh memo for one rescoring run, in front of the sandbox `inner`; returns its
    (live) stats."""
    global STATS, _STATE
    STATS = MemoStats()
    _STATE = _State(inner=inner, max_sandboxes=max(1, max_sandboxes))
    return STATS


def _slots() -> anyio.Semaphore:
    if _STATE.slots is None:  # created inside the eval's event loop
        _STATE.slots = anyio.Semaphore(_STATE.max_sandboxes)
    return _STATE.slots


async def _borrow(key: str) -> dict[str, SandboxEnvironment] | None:
    """A pool sandbox for the job `key`, or None once that job is answered or running."""
    while True:
        if key in _STATE.results or key in _STATE.running:
            return None
        try:
            _slots().acquire_nowait()
            break
        except anyio.WouldBlock:
            await anyio.sleep(SLOT_POLL)
    return await _lend(fresh=False)


async def _lend(fresh: bool) -> dict[str, SandboxEnvironment]:
    """A pool sandbox for a job that holds a slot: an idle one, or (`fresh`, or none idle) a
    newly started one."""
    if _STATE.idle and not fresh:
        return _STATE.idle.pop()
    try:
        envs = await registry_find_sandboxenv(_STATE.inner).sample_init(POOL_TASK, None, {})
    except BaseException:
        _slots().release()
        raise
    STATS.sandboxes_started += 1
    return dict(envs)


async def _give_back(envs: dict[str, SandboxEnvironment], healthy: bool, keep_slot: bool = False) -> None:
    """Return a pool sandbox, or retire it: its exec raised, its runner did not exit 0, or the
    runner could not prove it empty after the check (a process or file it left): the next job
    must not start in it. `keep_slot`: the caller goes on at once in a fresh one."""
    try:
        if healthy:
            _STATE.idle.append(envs)
        else:
            STATS.sandboxes_retired += 1
            with anyio.CancelScope(shield=True):
                await registry_find_sandboxenv(_STATE.inner).sample_cleanup(POOL_TASK, None, envs, True)
    finally:
        if not keep_slot:
            _slots().release()


def job_key(
    cmd: list[str], input: str | bytes | None, extra: dict[str, Any]
) -> tuple[str, dict[str, Any]] | None:
    """(memo key, parsed job) when `input` is a checker job, else None."""
    if input is None:
        return None
    try:
        job = json.loads(input)
    except (ValueError, UnicodeDecodeError):
        return None
    if not (isinstance(job, dict) and isinstance(job.get("nonce"), str) and isinstance(job.get("code"), str)):
        return None
    keyed = {k: v for k, v in job.items() if k not in UNKEYED}
    text = json.dumps({"cmd": cmd, "job": keyed, **extra}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest(), job


def reframe(result: ExecResult[str], old: str, new: str) -> ExecResult[str]:
    """A memoised result as the answer to a repeat: its records carry the repeat's nonce."""
    return ExecResult(result.success, result.returncode, result.stdout.replace(old, new), result.stderr)


@sandboxenv(name=NAME)
class MemoSandbox(SandboxEnvironment):
    """A sample's view of the memo: checks go to the memo and the pool (see the module doc)."""

    def __init__(self, task_name: str, metadata: dict[str, str]) -> None:
        super().__init__()
        self._task_name = task_name
        self._inner_name = _STATE.inner
        self._metadata = metadata
        self._inner: dict[str, SandboxEnvironment] | None = None
        self._lock = anyio.Lock()
        # Inspect probes every sample's sandbox for root (for its sandbox tools) unless the
        # decision is already recorded; the checks need no tools, and a probe would start the
        # real sandbox of every trial.
        self._root_access = RootAccess("unusable", f"{NAME}: checks only, no sandbox tools")

    # -- lifecycle ------------------------------------------------------------------------

    @staticmethod
    def _inner_type() -> Any:
        return registry_find_sandboxenv(_STATE.inner)

    @classmethod
    def default_concurrency(cls) -> int | None:
        return None  # a sample costs nothing; the pool of real sandboxes is capped above

    @classmethod
    async def task_init(cls, task_name: str, config: SandboxEnvironmentConfigType | None) -> None:
        await cls._inner_type().task_init(task_name, None)

    @classmethod
    async def sample_init(
        cls, task_name: str, config: SandboxEnvironmentConfigType | None, metadata: dict[str, str]
    ) -> dict[str, SandboxEnvironment]:
        return {"default": cls(task_name, metadata)}

    @classmethod
    async def sample_cleanup(
        cls,
        task_name: str,
        config: SandboxEnvironmentConfigType | None,
        environments: dict[str, SandboxEnvironment],
        interrupted: bool,
    ) -> None:
        for env in environments.values():
            if isinstance(env, MemoSandbox) and env._inner is not None:
                with anyio.CancelScope(shield=True):
                    try:
                        await cls._inner_type().sample_cleanup(task_name, None, env._inner, interrupted)
                    finally:
                        env._inner = None

    @classmethod
    async def task_cleanup(
        cls, task_name: str, config: SandboxEnvironmentConfigType | None, cleanup: bool
    ) -> None:
        with anyio.CancelScope(shield=True):
            while _STATE.idle:
                await cls._inner_type().sample_cleanup(POOL_TASK, None, _STATE.idle.pop(), False)
        await cls._inner_type().task_cleanup(task_name, None, cleanup)

    async def _sandbox(self) -> SandboxEnvironment:
        """The sample's own real sandbox (for anything that is not a check), started on first use."""
        async with self._lock:
            if self._inner is None:
                self._inner = await self._inner_type().sample_init(self._task_name, None, self._metadata)
                STATS.sandboxes_started += 1
            return next(iter(self._inner.values()))

    # -- exec and files -------------------------------------------------------------------

    async def exec(
        self,
        cmd: list[str],
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        user: str | None = None,
        timeout: int | None = None,
        timeout_retry: bool = True,
        concurrency: bool = True,
    ) -> ExecResult[str]:
        args = {"cwd": cwd, "env": env, "user": user, "timeout": timeout, "timeout_retry": timeout_retry}
        keyed = job_key(cmd, input, {"inner": self._inner_name, **args})
        if keyed is None:
            STATS.uncached_execs += 1
            real = await self._sandbox()
            return await real.exec(cmd, input, cwd, env, user, timeout, timeout_retry, concurrency)
        key, job = keyed
        while True:
            if key in _STATE.running:
                await _STATE.running[key].wait()
            if (found := self._served(key, job["nonce"])) is not None:
                return found
            envs = await _borrow(key)
            if envs is None:
                continue
            if key not in _STATE.running and key not in _STATE.results:
                break
            await _give_back(envs, True)
        # Registered as running only now that it holds a sandbox: whoever waits on it waits on
        # a job that is running, never on one still waiting for a slot.
        done = _STATE.running[key] = anyio.Event()
        try:
            for attempt in range(2):
                result, left, slate = await self._run(
                    envs, cmd, job, (cwd, env, user, timeout, timeout_retry, concurrency)
                )
                healthy = result.returncode == 0 and not left
                if not slate:
                    if result.returncode == 0:
                        _STATE.results[key] = (job["nonce"], result)
                    await _give_back(envs, healthy)
                    return result
                # the sandbox was not empty before the candidate ran (what an earlier job left
                # was not proven gone): not the candidate's verdict; run it again in a fresh one
                log.warning("%s: a pool sandbox was not empty before a check (%s); checked in a fresh one",
                            NAME, ", ".join(x[:120] for x in left[:3]))  # fmt: skip
                await _give_back(envs, False, keep_slot=attempt == 0)
                if attempt == 0:
                    envs = await _lend(fresh=True)
            return result  # a fresh sandbox not empty either: the host says so (an error)
        finally:
            del _STATE.running[key]
            done.set()

    async def _run(
        self, envs: dict[str, SandboxEnvironment], cmd: list[str], job: dict[str, Any], args: tuple[Any, ...]
    ) -> tuple[ExecResult[str], tuple[str, ...], bool]:
        """One job in the pool sandbox `envs`: (the result, what the runner could not remove,
        whether that was found before the candidate ran). An exec that raises retires the sandbox."""
        from roundtrip_eval.check.host import last_record, scratch_places
        from roundtrip_eval.check.runner.protocol import STAGE_SLATE

        real = next(iter(envs.values()))
        scratch = scratch_places(real)
        sent = json.dumps({**job, "scratch": scratch, "clean_ipc": bool(scratch)})
        try:
            result = await real.exec(cmd, sent, *args)
        except BaseException:
            await _give_back(envs, False)
            raise
        STATS.checks_run += 1
        final = last_record(result.stdout, job["nonce"])
        if final is None:
            return result, (), False
        return result, final.left, final.stage == STAGE_SLATE

    def _served(self, key: str, nonce: str) -> ExecResult[str] | None:
        stored = _STATE.results.get(key)
        if stored is None:
            return None
        STATS.checks_served += 1
        return reframe(stored[1], stored[0], nonce)

    async def write_file(self, file: str, contents: str | bytes) -> None:
        await (await self._sandbox()).write_file(file, contents)

    @overload
    async def read_file(self, file: str, text: Literal[True] = True) -> str: ...

    @overload
    async def read_file(self, file: str, text: Literal[False]) -> bytes: ...

    async def read_file(self, file: str, text: bool = True) -> str | bytes:
        real = await self._sandbox()
        return await real.read_file(file, True) if text else await real.read_file(file, False)
