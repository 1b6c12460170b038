"""`RoundtripDockerConfig`: its defaults agree with `sandbox/compose.yaml`; it survives a spec."""

from __future__ import annotations

import pytest
import yaml
from inspect_ai.util import ComposeConfig, SandboxEnvironmentSpec

from roundtrip_eval.resources import data_dir
from roundtrip_eval.sandbox import IMAGE, RoundtripDockerConfig
from roundtrip_eval.sandbox.config import resolve_config


def test_compose_file_runs_the_same_image_with_the_same_limits() -> None:
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
    assert service["shm_size"] == cfg.tmpfs_size


def test_a_memory_limit_that_tmpfs_could_fill_is_refused() -> None:
    # three full tmpfs places and the shared memory are held by no process: the OOM killer
    # would take the runner or init; such a configuration is refused in one line
    RoundtripDockerConfig(memory="384m", tmpfs_size="64m")
    with pytest.raises(ValueError, match="too small for tmpfs_size=64m"):
        RoundtripDockerConfig(memory="256m", tmpfs_size="64m")
    with pytest.raises(ValueError, match="is not a size"):
        RoundtripDockerConfig(memory="lots")


def test_config_round_trips_through_a_sandbox_spec() -> None:
    spec = SandboxEnvironmentSpec("roundtrip-docker", RoundtripDockerConfig(memory="1g"))
    again = SandboxEnvironmentSpec.model_validate(spec.model_dump())
    assert again.config == RoundtripDockerConfig(memory="1g")
    assert hash(again) == hash(spec)  # Inspect keeps specs in sets
    assert resolve_config(None) == RoundtripDockerConfig()
    assert resolve_config("other:tag").image == "other:tag"
