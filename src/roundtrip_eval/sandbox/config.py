"""Settings of the `roundtrip-docker` sandbox, and how a task's sandbox config becomes them."""

from __future__ import annotations

from inspect_ai.util import SandboxEnvironmentConfigType
from pydantic import BaseModel, Field, model_validator

from roundtrip_eval.sandbox.image import IMAGE

SYSV_SHM_BYTES = 16 << 20
"""System V shared memory a container's IPC namespace allows in all (`containers.IPC_SYSCTLS`)."""

RUNNER_ROOM = 128 << 20
"""Memory left, beyond every tmpfs place full, for init, the warm runner and a candidate process."""

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def size_bytes(text: str) -> int:
    """A Docker size ("512m", "1g", "65536") in bytes; ValueError names a bad one."""
    value = str(text).strip().lower()
    unit = value[-1:] if value[-1:] in _UNITS and not value[-1:].isdigit() else ""
    number = value[: len(value) - len(unit)]
    if not number.isdigit():
        raise ValueError(f"roundtrip-docker: {text!r} is not a size (e.g. 512m, 1g)")
    return int(number) * _UNITS[unit]


class RoundtripDockerConfig(BaseModel, frozen=True):
    """Settings of the `roundtrip-docker` sandbox (all optional).

    Pass it as `SandboxEnvironmentSpec("roundtrip-docker", RoundtripDockerConfig(...))`. The
    defaults are generous for honest code and tight for hostile code.
    """

    image: str = IMAGE
    """Image to run; must provide /bin/sh and python3. Ours is built when missing."""

    memory: str = "512m"
    """Memory limit, also the memory+swap limit (no swap). Counts the tmpfs contents."""

    pids_limit: int = Field(default=128, ge=8)
    """Most processes and threads the container may hold at once."""

    cpus: float = Field(default=1.0, gt=0)
    """CPU quota in cores."""

    tmpfs_size: str = "64m"
    """Size of the writable work dir (tmpfs); /tmp gets a tmpfs of the same size."""

    workdir: str = "/work"
    """Working directory of every exec; a tmpfs (noexec, nosuid, nodev)."""

    user: str = "65534:65534"
    """User of PID 1 and of every exec that names none (nobody:nogroup)."""

    max_output_bytes: int = Field(default=1 << 20, gt=0)
    """Per-stream cap on captured exec output; more raises OutputLimitExceededError."""

    kill_strays: bool = True
    """Each exec first kills leftover processes of its user and runs at nice 10 (so PID 1
    gets the CPU to kill a fork bomb). Turn off to run several execs concurrently, or
    background processes, in one sandbox."""

    build_image: bool = True
    """task_init builds the default image when it is missing (docker build, else offline)."""

    warm_runner: bool = True
    """Checks go to one long-lived trusted runner per trial container (`warm.py`) instead of a
    docker exec and a new interpreter each; False is the exec-per-check path (for comparison)."""

    spare_containers: int = Field(default=2, ge=0)
    """Containers an eval run keeps started ahead of the trials that will take them
    (`spares.py`); 0 starts each trial's container when the trial starts."""

    @model_validator(mode="after")
    def _room_for_the_runner(self) -> RoundtripDockerConfig:
        """What a candidate can hold without a process (three tmpfs places and the System V
        shared memory) must leave `RUNNER_ROOM` of the memory limit, so that filling it all
        cannot make the OOM killer take the runner or init instead of a candidate's process."""
        held = 3 * size_bytes(self.tmpfs_size) + SYSV_SHM_BYTES
        if held + RUNNER_ROOM > size_bytes(self.memory):
            raise ValueError(
                f"roundtrip-docker: memory={self.memory} is too small for tmpfs_size={self.tmpfs_size}: "
                f"the work dir, /tmp and /dev/shm ({3} x {self.tmpfs_size}) plus 16 MiB of shared "
                f"memory must leave {RUNNER_ROOM >> 20} MiB for the runner"
            )
        return self


def resolve_config(config: SandboxEnvironmentConfigType | None) -> RoundtripDockerConfig:
    """The settings for a task's `sandbox=` config: none, ours, an image name, or a model."""
    if config is None:
        return RoundtripDockerConfig()
    if isinstance(config, RoundtripDockerConfig):
        return config
    if isinstance(config, str):  # `--sandbox roundtrip-docker:<image>`
        return RoundtripDockerConfig(image=config)
    if isinstance(config, BaseModel):
        return RoundtripDockerConfig(**config.model_dump())
    raise TypeError(f"roundtrip-docker: unsupported sandbox config {config!r}")
