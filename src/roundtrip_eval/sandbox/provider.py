"""`roundtrip-docker`: a Docker sandbox provider on the docker SDK, one container per trial.

Why not Inspect's `docker` provider: it drives `docker compose`, and needs Engine >= 24.0.6 and
Compose >= 2.21; Debian's `docker.io` (20.10) is refused. This provider only needs the engine
API (1.41). A check is one job for the trial's warm runner (`warm.py`: no exec, no new
interpreter per check), or one exec with `warm_runner=False`; in an eval run the next trials'
containers are started while the current ones run (`spares.py`). See docs/performance.md.

The class is the `SandboxEnvironment` contract and nothing more; the work is done beside it:
`config.py` (settings), `engine.py` (connection, errors), `image.py` (the image),
`containers.py` (create, label, remove), `exec.py` and `stream.py` (exec, kill) and `files.py`.

`sample_cleanup` force-removes the trial's container (also when the trial was cancelled),
`task_cleanup` removes every container of this run, and `inspect sandbox cleanup
roundtrip-docker` (or `roundtrip-eval sandbox cleanup`) removes every container carrying our
label.
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import TYPE_CHECKING, Any, Literal, overload

import anyio
from inspect_ai.util import (
    ExecResult,
    SandboxConnection,
    SandboxEnvironment,
    SandboxEnvironmentConfigType,
    SandboxUnavailableError,
    sandboxenv,
)
from pydantic import BaseModel

from roundtrip_eval._inspect_private import RootAccess
from roundtrip_eval.check.host import SandboxExhausted
from roundtrip_eval.sandbox import containers, engine, files, image
from roundtrip_eval.sandbox.config import RoundtripDockerConfig, resolve_config
from roundtrip_eval.sandbox.containers import TrialContainer
from roundtrip_eval.sandbox.engine import SandboxEngineError, SandboxSetupError
from roundtrip_eval.sandbox.exec import default_user, exec_command
from roundtrip_eval.sandbox.image import SandboxImageError
from roundtrip_eval.sandbox.spares import Spares
from roundtrip_eval.sandbox.warm import RunnerLost, WarmRunner

if TYPE_CHECKING:
    from docker import DockerClient

log = logging.getLogger(__name__)


@sandboxenv(name="roundtrip-docker")
class RoundtripDockerSandbox(SandboxEnvironment):
    """One hardened Docker container per trial, driven through the docker SDK."""

    def __init__(self, box: TrialContainer, warm: WarmRunner | None = None) -> None:
        super().__init__()
        self._box = box
        self._warm = warm or WarmRunner(box)
        # what Inspect's per-sample root probe would find (one exec less per trial): every
        # capability is dropped, so root cannot switch users
        self._root_access = RootAccess("unusable", "roundtrip-docker: root has no capabilities")
        self._task_name = "renewed"  # for a fresh container (`renew`)
        self._metadata: dict[str, str] = {}
        self.renewals: list[str] = []  # why this trial's container was replaced, in order

    @property
    def container(self) -> str:
        """The container's name (also its label-free handle for `docker exec`)."""
        return self._box.name

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def config_deserialize(cls, config: dict[str, Any]) -> BaseModel:
        return RoundtripDockerConfig(**config)

    @classmethod
    def default_concurrency(cls) -> int | None:
        # a trial's container idles while the model generates, so allow more than cores
        return max(8, 4 * (os.cpu_count() or 1))

    @classmethod
    async def task_init(cls, task_name: str, config: SandboxEnvironmentConfigType | None) -> None:
        cfg = resolve_config(config)
        try:
            client = await anyio.to_thread.run_sync(engine.client)
            await anyio.to_thread.run_sync(image.require_image, client, cfg.image, cfg.build_image)
        except (SandboxEngineError, SandboxImageError) as exc:
            raise SandboxSetupError(str(exc)) from exc
        state = containers.run_state()  # bind this run's state where the samples will find it
        if cfg.spare_containers and containers.in_eval(state):
            state.spares = state.spares or Spares(cfg.spare_containers)  # filled by sample_init
            if cfg.warm_runner:
                await cls._smoke_test_spare(state, client, task_name, cfg)
                return
        await cls._smoke_test(client, cfg)

    @classmethod
    async def _smoke_test_spare(
        cls, state: containers.RunState, client: DockerClient, task_name: str, cfg: RoundtripDockerConfig
    ) -> None:
        """In an eval run: start the first spare container, whose warm runner saying READY shows
        that python3 runs in the image; it then waits for the first trial (the run's end removes
        it if no trial takes it)."""
        from docker.errors import APIError

        spares: Spares = state.spares
        try:
            await anyio.to_thread.run_sync(spares.prepare, state, client, task_name, cfg)
        except (RunnerLost, APIError) as exc:
            raise SandboxSetupError(
                f"python3 does not run in a {cfg.image} sandbox container ({exc}); "
                "rebuild it with `roundtrip-eval sandbox build --force`"
            ) from exc

    @classmethod
    async def _smoke_test(cls, client: DockerClient, cfg: RoundtripDockerConfig) -> None:
        """Start one locked-down container and run python3 in it, before any trial."""
        envs = await cls._start(client, "startup-check", cfg, {}, spare=False)
        try:
            result = await envs["default"].exec(["python3", "-I", "-c", "print(6 * 7)"], timeout=60)
        finally:
            await cls.sample_cleanup("startup-check", cfg, envs, False)
        if result.stdout.strip() != "42":
            raise SandboxSetupError(
                f"python3 does not run in a {cfg.image} sandbox container "
                f"(exit {result.returncode}: {(result.stderr or result.stdout).strip()[:200]}); "
                "rebuild it with `roundtrip-eval sandbox build --force`"
            )

    @classmethod
    async def sample_init(
        cls, task_name: str, config: SandboxEnvironmentConfigType | None, metadata: dict[str, str]
    ) -> dict[str, SandboxEnvironment]:
        cfg = resolve_config(config)
        try:
            client = await anyio.to_thread.run_sync(engine.client)
        except SandboxEngineError as exc:
            raise SandboxSetupError(str(exc)) from exc
        return await cls._start(client, task_name, cfg, metadata)

    @classmethod
    async def _start(
        cls, client: DockerClient, task_name: str, cfg: RoundtripDockerConfig,
        metadata: dict[str, str], spare: bool = True,
    ) -> dict[str, SandboxEnvironment]:  # fmt: skip
        state = containers.run_state()
        spares: Spares | None = state.spares
        if spare and spares is not None and not spares.closed:
            taken = spares.take(cfg)
            spares.top_up(state, client, task_name, cfg)  # the next trials' containers
            if taken is not None:
                return {"default": cls(*taken)._for(task_name, metadata)}
        box, attached = await containers.start_container(client, task_name, cfg, metadata)
        return {"default": cls(box, WarmRunner(box, attached))._for(task_name, metadata)}

    def _for(self, task_name: str, metadata: dict[str, str]) -> RoundtripDockerSandbox:
        self._task_name, self._metadata = task_name, dict(metadata)
        return self

    @staticmethod
    async def _release(box: TrialContainer) -> None:
        """Remove a trial's container: in a worker thread during an eval run, else now."""
        spares: Spares | None = containers.run_state().spares
        with anyio.CancelScope(shield=True):
            if spares is not None and not spares.closed:
                spares.remove(containers.run_state(), box)
            else:
                await containers.remove_container(box)

    @classmethod
    async def sample_cleanup(
        cls,
        task_name: str,
        config: SandboxEnvironmentConfigType | None,
        environments: dict[str, SandboxEnvironment],
        interrupted: bool,
    ) -> None:
        with anyio.CancelScope(shield=True):
            for env in environments.values():
                if isinstance(env, RoundtripDockerSandbox):
                    env._warm.forget()
                    await cls._release(env._box)

    @classmethod
    async def task_cleanup(
        cls, task_name: str, config: SandboxEnvironmentConfigType | None, cleanup: bool
    ) -> None:
        state = containers.run_state()
        spares: Spares | None = state.spares
        if spares is not None:
            with anyio.CancelScope(shield=True):
                left = await anyio.to_thread.run_sync(spares.close)
                async with anyio.create_task_group() as group:  # never used: removed even without cleanup
                    for box in left:
                        group.start_soon(containers.remove_container, box)
            state.spares = None
        await containers.cleanup_run(cleanup)

    @classmethod
    async def cli_cleanup(cls, id: str | None) -> None:
        try:
            client = await anyio.to_thread.run_sync(engine.client)
        except SandboxEngineError as exc:
            raise SandboxSetupError(str(exc)) from exc
        removed = await anyio.to_thread.run_sync(containers.remove_containers, client, None, id)
        print(f"removed {len(removed)} roundtrip-docker sandbox container(s)")

    async def connection(self, *, user: str | None = None) -> SandboxConnection:
        as_user = ["--user", user] if user else []
        return SandboxConnection(
            type="roundtrip-docker",
            command=" ".join(["docker", "exec", "-it", *as_user, self._box.name, "sh"]),
            container=self._box.name,
        )

    def default_polling_interval(self) -> float:
        return 0.2

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
        """Run `cmd` in the container (see `SandboxEnvironment.exec`).

        `timeout` is enforced here, on the wall clock: on expiry every process of the exec's
        user is killed and `TimeoutError` raised; the container stays usable. There is no
        retry on timeout (`timeout_retry` is accepted for compatibility; Inspect's docker
        provider does not retry a command that hit its own timeout either). Output beyond
        `max_output_bytes` (or Inspect's exec output limit, if lower) on either stream stops
        the command and raises `OutputLimitExceededError`. A command path that cannot be
        executed raises `PermissionError`.
        """
        if self._box.config.kill_strays and default_user(self._box, user):
            self._warm.forget()  # the exec's prelude kills every leftover process, the runner too
        return await exec_command(self._box, cmd, input, cwd, env, user, timeout)

    # -- checks ---------------------------------------------------------------------------

    @property
    def warm_runner(self) -> bool:
        """Whether checks go to this trial's warm runner (`run_warm`) rather than one exec each."""
        return self._box.config.warm_runner

    @property
    def scratch_dirs(self) -> tuple[str, ...]:
        """Every place in the container the sandbox user can write: the checker's runner
        empties them around each check (the rest of the root is read-only)."""
        return (self._box.config.workdir, "/tmp", "/dev/shm", "/dev/mqueue")

    async def run_warm(self, job: str, *, until: str, timeout: int) -> ExecResult[str]:
        """Send one job line to the trial's warm runner; its output up to the line `until`.

        A runner that died or stopped answering is replaced and the job sent again (see
        `warm.py`). If that runner is lost too, or the container itself died under the check
        (the kernel's OOM killer took its init, say), the candidate is what killed them: the
        trial goes on in a fresh container (`renew`), and `SandboxExhausted` says why (naming
        the memory limit when the OOM killer acted), so the checker scores the cycle a crash.
        """
        try:
            return await self._warm.request(job, until, timeout)
        except (RunnerLost, SandboxUnavailableError) as exc:
            lost = str(exc)
        why = await anyio.to_thread.run_sync(self._death)
        if why is None:
            why = await self._runner_loss(lost)
        await self.renew(f"the sandbox failed during a check ({why})")
        raise SandboxExhausted(why)

    async def _runner_loss(self, lost: str) -> str:
        """Why the runner was lost while the container lives: the OOM killer, if it acted."""
        files = ["/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"]
        kills = 0
        with contextlib.suppress(Exception):
            out = await self.exec(["cat", *files], timeout=10)
            for line in out.stdout.splitlines():
                name, _, value = line.partition(" ")
                if name == "oom_kill" and value.strip().isdigit():
                    kills += int(value)
        if kills:
            limit = self._box.config.memory
            return f"exceeded the sandbox's memory limit ({limit}): the OOM killer took the checker's runner"
        return f"the checker's runner was lost twice in one check: {lost}"

    def _death(self) -> str | None:
        """Why the trial's container is no longer running, or None while it runs (blocking)."""
        from docker.errors import APIError, NotFound

        if self._box.running():
            return None
        try:
            state = self._box.client.api.inspect_container(self._box.name)["State"]
        except NotFound:
            return "the sandbox container was removed during the check"
        except APIError as exc:
            return f"the sandbox container could not be inspected ({exc.explanation})"
        if state.get("OOMKilled"):
            limit = self._box.config.memory
            return f"exceeded the sandbox's memory limit ({limit}): the container was killed"
        return f"the sandbox container stopped during the check (exit {state.get('ExitCode')})"

    async def renew(self, why: str) -> None:
        """Go on in a fresh container (and warm runner) for this trial, and remove the old one.

        For a container that died under a check, or whose writable places could not be shown
        empty after one (`check.host`); `why` is logged and kept in `renewals`."""
        old = self._box
        self._warm.forget()
        client = await anyio.to_thread.run_sync(engine.client)
        fresh = (await self._start(client, self._task_name, old.config, self._metadata))["default"]
        assert isinstance(fresh, RoundtripDockerSandbox)
        self._box, self._warm = fresh._box, fresh._warm
        self.renewals.append(why)
        log.warning("roundtrip-docker: %s; %s goes on in a fresh container %s", why, old.name, self._box.name)
        await self._release(old)

    async def write_file(self, file: str, contents: str | bytes) -> None:
        await files.write_file(self._box, file, contents)

    @overload
    async def read_file(self, file: str, text: Literal[True] = True) -> str: ...

    @overload
    async def read_file(self, file: str, text: Literal[False]) -> bytes: ...

    async def read_file(self, file: str, text: bool = True) -> str | bytes:
        return await files.read_file(self._box, file, text)
