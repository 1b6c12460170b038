"""Trial containers: their labels, creation, removal, and what one eval run has created.

Each trial gets a container with no network, a read-only root, tmpfs at the work dir and /tmp
(noexec) and /dev/shm of the same size, 16 MiB of System V shared memory, user nobody,
every capability dropped, no-new-privileges, memory = memory+swap, a
pids limit and a CPU quota; PID 1 is `pid1.INIT`.

Containers carry the label `roundtrip-eval.sandbox=1` plus a per-run label, so that a run
removes its own containers and `roundtrip-eval sandbox cleanup` removes all of ours without
touching anyone else's on the same engine. Like Inspect's `docker/cleanup.py`, the run's
containers are tracked on the sandbox lifecycle state of the eval.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio

from roundtrip_eval._inspect_private import sandbox_lifecycle_state
from roundtrip_eval.sandbox import engine
from roundtrip_eval.sandbox.config import SYSV_SHM_BYTES, RoundtripDockerConfig
from roundtrip_eval.sandbox.engine import SandboxEngineError, SandboxSetupError
from roundtrip_eval.sandbox.pid1 import ENTRYPOINT, WARM_COMMAND
from roundtrip_eval.sandbox.stream import Attached, attach, close_attached

if TYPE_CHECKING:
    from docker import DockerClient

LABEL = "roundtrip-eval.sandbox"
LABEL_RUN = "roundtrip-eval.run"
LABEL_TASK = "roundtrip-eval.task"
LABEL_SAMPLE = "roundtrip-eval.sample"
LABEL_PID = "roundtrip-eval.pid"  # the process that created the container (host pid)
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
IPC_SYSCTLS = {
    "kernel.shmmax": str(SYSV_SHM_BYTES),
    "kernel.shmall": str(SYSV_SHM_BYTES // 4096),
    "kernel.shmmni": "64",
}
"""System V shared memory outlives every process and is in no process's memory, so the OOM
killer cannot find it: the container's (private) IPC namespace gets 16 MiB of it in all."""


@dataclass
class RunState:
    """Containers of one eval run (one Inspect sandbox lifecycle, or this process)."""

    run_id: str = field(default_factory=lambda: secrets.token_hex(6))
    containers: set[str] = field(default_factory=set)
    spares: Any = None  # `spares.Spares` once task_init ran (an eval run), else None


_PROCESS_STATE = RunState()


def run_state() -> RunState:
    """The current eval run's state; outside an eval (tests, scripts) the process's own."""
    state = sandbox_lifecycle_state(RunState)
    return _PROCESS_STATE if state is None else state


def in_eval(state: RunState) -> bool:
    """Whether `state` is an Inspect eval run's (whose end, `task_cleanup`, is guaranteed)."""
    return state is not _PROCESS_STATE


@dataclass(frozen=True)
class TrialContainer:
    """A running trial container: how to reach it and the settings it was made with."""

    client: DockerClient
    name: str
    config: RoundtripDockerConfig

    def path(self, path: str | None) -> str:
        """`path` inside the container; a relative one is relative to the work dir."""
        if path is None:
            return self.config.workdir
        if path.startswith("/"):
            return path
        return f"{self.config.workdir.rstrip('/')}/{path}"

    def running(self, settle: float = 0.3) -> bool:
        """Whether the container still runs, `settle` seconds from now at the latest: the
        engine may report a dying container as running for a moment after its processes died."""
        from docker.errors import NotFound

        end = time.monotonic() + settle
        while True:
            try:
                state = self.client.api.inspect_container(self.name)["State"]
            except NotFound:
                return False
            if not state.get("Running") or state.get("Paused"):
                return False
            if time.monotonic() >= end:
                return True
            time.sleep(0.05)


def remove_containers(
    client: DockerClient, labels: dict[str, str] | None = None, container: str | None = None
) -> list[str]:
    """Force-remove our containers (all, those with `labels` too, or the one named); ids."""
    from docker.errors import APIError, NotFound

    filters: dict[str, Any] = {"label": [f"{LABEL}=1"]}
    filters["label"] += [f"{k}={v}" for k, v in (labels or {}).items()]
    if container:
        filters["id" if all(c in "0123456789abcdef" for c in container) else "name"] = container
    removed = []
    for info in client.api.containers(all=True, filters=filters):
        with contextlib.suppress(NotFound):
            try:
                client.api.remove_container(info["Id"], force=True)
            except APIError as exc:
                if "already in progress" not in str(exc):
                    raise
            removed.append(info["Id"])
    return removed


def remove_quietly(client: DockerClient, name: str) -> None:
    """Force-remove the container `name`, if there is one."""
    from docker.errors import APIError

    with contextlib.suppress(APIError):
        client.api.remove_container(name, force=True)


def create_container(
    client: DockerClient, name: str, cfg: RoundtripDockerConfig, labels: dict[str, str]
) -> Attached | None:
    """Create and start one locked-down container (blocking). With `cfg.warm_runner` its init
    starts the trial's warm runner on the container's stdin and stdout: the stream to it,
    attached before the start (for `warm.WarmRunner`), is returned."""
    from docker.types import LogConfig

    tmpfs_opts = f"rw,noexec,nosuid,nodev,size={cfg.tmpfs_size},mode=1777"
    container = client.containers.create(
        cfg.image,
        entrypoint=ENTRYPOINT,
        command=WARM_COMMAND if cfg.warm_runner else None,
        stdin_open=cfg.warm_runner,
        name=name,
        hostname="sandbox",
        user=cfg.user,
        working_dir=cfg.workdir,
        environment={
            "PATH": SYSTEM_PATH,
            "HOME": cfg.workdir,
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        labels=labels,
        network_disabled=True,
        network_mode="none",
        read_only=True,
        tmpfs={cfg.workdir: tmpfs_opts, "/tmp": tmpfs_opts},
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        mem_limit=cfg.memory,
        memswap_limit=cfg.memory,
        pids_limit=cfg.pids_limit,
        nano_cpus=int(cfg.cpus * 1e9),
        ipc_mode="private",
        shm_size=cfg.tmpfs_size,
        sysctls=IPC_SYSCTLS,
        log_config=LogConfig(type=LogConfig.types.NONE),
        detach=True,
    )
    attached = attach(client, name) if cfg.warm_runner else None
    try:
        container.start()
    except BaseException:
        if attached is not None:
            close_attached(attached)
        raise
    return attached


def trial_labels(state: RunState, task_name: str, metadata: dict[str, str]) -> dict[str, str]:
    """Our label, the run's, and the task, sample and host process that made the container."""
    labels = {
        LABEL: "1",
        LABEL_RUN: state.run_id,
        LABEL_TASK: task_name[:200],
        LABEL_PID: str(os.getpid()),
    }
    if metadata.get("__sample_id__") is not None:
        labels[LABEL_SAMPLE] = str(metadata["__sample_id__"])[:200]
    return labels


async def start_container(
    client: DockerClient, task_name: str, cfg: RoundtripDockerConfig, metadata: dict[str, str]
) -> tuple[TrialContainer, Attached | None]:
    """Start a trial's container, tracked by the run (with the stream to its warm runner, see
    `create_container`); leaves none behind if it fails or is cancelled."""
    from docker.errors import APIError, ImageNotFound

    state = run_state()
    name = f"roundtrip-{state.run_id}-{secrets.token_hex(4)}"
    labels = trial_labels(state, task_name, metadata)
    state.containers.add(name)
    created = threading.Event()

    def create() -> Attached | None:
        try:
            return create_container(client, name, cfg, labels)
        finally:
            created.set()

    try:
        attached = await anyio.to_thread.run_sync(create)
    except BaseException as exc:
        # Cancelled or failed half-way: the container may exist or still be starting (a
        # native asyncio cancel is not held off by anyio's shield, so the thread may still
        # run). Wait for it to finish, then remove the container by name.
        def remove() -> None:
            created.wait(120)
            remove_quietly(client, name)

        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(remove)
        state.containers.discard(name)
        if isinstance(exc, ImageNotFound):
            raise SandboxSetupError(
                f"sandbox image {cfg.image} is missing: run `roundtrip-eval sandbox build`"
            ) from exc
        if isinstance(exc, APIError):
            raise RuntimeError(
                f"could not start a sandbox container from {cfg.image}: {exc.explanation}"
            ) from exc
        raise
    return TrialContainer(client, name, cfg), attached


async def remove_container(box: TrialContainer) -> None:
    """Remove a trial's container and forget it (call shielded: it runs on cancel too)."""
    await anyio.to_thread.run_sync(remove_quietly, box.client, box.name)
    run_state().containers.discard(box.name)


async def cleanup_run(cleanup: bool) -> None:
    """At the end of a task: remove every container of this run, or say how to."""
    state = run_state()
    if not cleanup:
        if state.containers:
            print(
                f"roundtrip-docker: kept {len(state.containers)} sandbox container(s) "
                f"(label {LABEL_RUN}={state.run_id}); remove them with "
                "`inspect sandbox cleanup roundtrip-docker`"
            )
        return
    with anyio.CancelScope(shield=True):
        try:
            client = await anyio.to_thread.run_sync(engine.client)
        except SandboxEngineError:
            return
        await anyio.to_thread.run_sync(remove_containers, client, {LABEL_RUN: state.run_id})
    state.containers.clear()
