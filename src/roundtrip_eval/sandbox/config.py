"""Settings of the `roundtrip-docker` sandbox, and how a task's sandbox config becomes them."""

from __future__ import annotations

from inspect_ai.util import SandboxEnvironmentConfigType
from pydantic import BaseModel, Field

from roundtrip_eval.sandbox.image import IMAGE


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
