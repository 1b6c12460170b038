"""The sandbox image: the two builds agree, the offline build's needs, a missing image at task start."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.resources import data_dir
from roundtrip_eval.sandbox import RoundtripDockerConfig, RoundtripDockerSandbox, SandboxSetupError, image

from .probes import run_containers

S = RoundtripDockerSandbox
docker = pytest.mark.docker


def test_dockerfile_and_import_agree() -> None:
    dockerfile = (data_dir("sandbox") / "Dockerfile").read_text()
    assert "USER 65534:65534" in dockerfile and "USER 65534:65534" in image.IMAGE_CHANGES
    for change in image.IMAGE_CHANGES:
        if change.startswith("ENV "):
            assert change[4:].split("=")[0] in dockerfile


def test_apt_mirror_reads_deb822_and_one_line_sources(tmp_path: Path, monkeypatch: Any) -> None:
    entries = [("http://security.example/debian-security", ["bookworm-security"]),
               ("http://third.example/node", ["nodistro"]),
               ("http://mirror.example/debian/", ["bookworm", "bookworm-updates"])]  # fmt: skip
    monkeypatch.setattr(image, "_apt_source_entries", lambda: iter(entries))
    assert image.apt_mirror() == "http://mirror.example/debian"
    monkeypatch.setenv(image.MIRROR_ENV, "http://env.example/debian")
    assert image.resolve_mirror() == "http://env.example/debian"
    assert image.resolve_mirror("http://flag.example/debian") == "http://flag.example/debian"


def test_offline_build_explains_what_it_needs(monkeypatch: Any) -> None:
    monkeypatch.setattr(image, "_debootstrap", lambda: None)
    assert "apt-get install debootstrap" in (image.offline_build_problem() or "")
    monkeypatch.setattr(image, "_debootstrap", lambda: "/usr/sbin/debootstrap")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "needs root" in (image.offline_build_problem() or "")


@docker
async def test_missing_image_that_cannot_be_built_fails_with_one_line(
    docker_client: Any, monkeypatch: Any
) -> None:
    def fail(what: str) -> Any:
        def builder(*args: Any, **kwargs: Any) -> None:
            raise image.SandboxImageError(f"{what} failed: simulated")

        return builder

    monkeypatch.setattr(image, "image_exists", lambda client, image: False)
    monkeypatch.setattr(image, "build_with_dockerfile", fail("docker build"))
    monkeypatch.setattr(image, "build_offline", fail("debootstrap"))
    before = run_containers(docker_client)
    with pytest.raises(SandboxSetupError) as info:
        await S.task_init("startup", None)
    message = str(info.value)
    assert "\n" not in message
    assert "debootstrap failed: simulated" in message and "docker build failed" in message
    assert run_containers(docker_client) == before  # failed before starting anything


@docker
async def test_missing_custom_image_says_to_build_it(docker_client: Any) -> None:
    cfg = RoundtripDockerConfig(image="roundtrip-eval-sandbox:does-not-exist")
    with pytest.raises(SandboxSetupError, match="is missing: build or pull it first"):
        await S.task_init("startup", cfg)
