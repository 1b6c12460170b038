"""Scale-out on a remote Docker engine: `DOCKER_HOST` moves every trial to another engine.

The test starts a second `dockerd` of its own (own socket, data root, exec root and containerd,
no bridge, no iptables: nothing it does touches the host's engine or network), points
`DOCKER_HOST` at it and runs a small real eval through `roundtrip-docker` with the replay
model. It checks what a user of a remote engine relies on:

- the image is built *there*, on first use (the engine starts empty; the provider's own
  first-use build runs: `docker build` if a registry answers, else the offline debootstrap
  build, about 1-2 minutes, hence `slow`);
- the trials' containers run there (the remote engine's event stream records them) and none
  on the host's engine (its events show no container of this process);
- nothing is left behind: no container on either engine; the second engine stopped and its
  folders gone.

Needs root (dockerd) and the host's engine (the `docker_client` fixture, so CI requires it).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import skip_or_fail
from replay_scripts import surviving, trial, write

from roundtrip_eval import __version__
from roundtrip_eval.problems.load import load_problem
from roundtrip_eval.sandbox import IMAGE, LABEL, image_exists
from roundtrip_eval.sandbox.containers import LABEL_PID, LABEL_TASK

pytestmark = [pytest.mark.docker, pytest.mark.slow]

REF = load_problem("fizzbuzz").reference
STR_N = REF.replace("return n", "return str(n)")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0


@dataclass
class SecondEngine:
    folder: Path
    host: str
    process: subprocess.Popen[bytes]


def _mounts_under(folder: Path) -> list[str]:
    prefix = str(folder.resolve()) + "/"
    with open("/proc/mounts", encoding="utf-8") as fh:
        targets = [line.split()[1] for line in fh if len(line.split()) > 1]
    return [t for t in targets if t.startswith(prefix)]


@contextlib.contextmanager
def second_dockerd() -> Iterator[SecondEngine]:
    """A dockerd of our own, stopped and its folders removed on exit (whatever happened)."""
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        skip_or_fail("docker", "no dockerd binary to start a second engine: apt-get install docker.io")
        raise AssertionError("unreachable")
    if os.geteuid() != 0:
        skip_or_fail("docker", "starting a second dockerd needs root")
    # A short folder: the socket path must fit in a sockaddr_un (108 bytes).
    folder = Path(tempfile.mkdtemp(prefix="rt-dockerd-"))
    config = folder / "daemon.json"
    config.write_text("{}")  # not the host's /etc/docker/daemon.json (its hosts, data-root, ...)
    host = f"unix://{folder}/docker.sock"
    command = [
        dockerd,
        f"--config-file={config}",
        f"--host={host}",
        f"--data-root={folder}/data",
        f"--exec-root={folder}/exec",
        f"--pidfile={folder}/docker.pid",
        "--bridge=none",
        "--iptables=false",
        "--ip-masq=false",
        "--ip-forward=false",
    ]
    log = (folder / "dockerd.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_up(host, process, folder)
        yield SecondEngine(folder, host, process)
    finally:
        _stop(process, folder)
        log.close()
        for target in sorted(_mounts_under(folder), reverse=True):
            subprocess.run(["umount", "-l", target], check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_up(host: str, process: subprocess.Popen[bytes], folder: Path) -> None:
    import docker

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (folder / "dockerd.log").read_text(errors="replace")[-1500:]
            pytest.fail(f"the second dockerd exited with {process.returncode}: {tail}")
        with contextlib.suppress(Exception):
            docker.DockerClient(base_url=host, timeout=5).ping()
            return
        time.sleep(0.5)
    pytest.fail(f"the second dockerd did not answer on {host} within {START_TIMEOUT:.0f} s")


def _stop(process: subprocess.Popen[bytes], folder: Path) -> None:
    """SIGTERM (dockerd stops its containers and its containerd), then SIGKILL the group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _events(client: Any, since: float, until: float, **filters: Any) -> list[dict[str, Any]]:
    stream = client.events(
        since=int(since), until=int(until) + 1, filters={"type": "container", **filters}, decode=True
    )
    return list(stream)


def _processes_using(folder: Path) -> list[int]:
    """Processes whose command line names `folder` (the second dockerd, its containerd, shims)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if str(folder) in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                found.append(int(entry.name))
    return found


def test_eval_runs_on_a_remote_engine_and_leaves_nothing(
    docker_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docker
    from inspect_ai import eval as inspect_eval

    from roundtrip_eval.eval.tasks import fizzbuzz

    script = write(
        tmp_path / "replay.jsonl",
        {("fizzbuzz", 1): surviving("fizzbuzz", 2), ("fizzbuzz", 2): trial("fizzbuzz", [REF, STR_N])},
    )
    mine = f"{LABEL_PID}={os.getpid()}"
    started = time.time()
    with second_dockerd() as engine:
        folder = engine.folder
        remote = docker.DockerClient(base_url=engine.host, timeout=120)
        assert remote.info()["DockerRootDir"] == f"{folder}/data"
        assert not image_exists(remote), "a fresh engine cannot have the image yet"
        monkeypatch.setenv("DOCKER_HOST", engine.host)
        build_started = time.monotonic()
        [log] = inspect_eval(
            fizzbuzz(sandbox="roundtrip-docker", epochs=2, cycles=2, temperature=0.0, seed=3),
            model=f"replay/{script}",
            log_dir=str(tmp_path / "logs"),
            display="none",
            max_samples=2,
        )
        seconds = time.monotonic() - build_started
        monkeypatch.delenv("DOCKER_HOST")
        ended = time.time()
        assert log.status == "success", log.error
        by_epoch = {s.epoch: s for s in log.samples or []}
        assert by_epoch[1].scores["survival"].value["cycles_survived"] == 2
        assert by_epoch[2].scores["drift"].value == "return_type"  # a real check ran, and failed

        # The image was built there, on first use, by the provider (not copied in).
        image = remote.images.get(IMAGE)
        assert image.labels.get("roundtrip-eval.image") == __version__
        assert image.attrs["Created"] >= time.strftime("%Y-%m-%dT%H:%M", time.gmtime(started))

        # The trials ran there: at least one container per trial (the provider may also start
        # spares and its startup checks), every one of them removed again.
        created = _events(remote, started, ended, event="create", label=f"{LABEL}=1")
        destroyed = _events(remote, started, ended, event="destroy", label=f"{LABEL}=1")
        tasks = sorted(e["Actor"]["Attributes"].get(LABEL_TASK, "") for e in created)
        assert tasks.count("fizzbuzz") >= 2, tasks
        assert all(t == "fizzbuzz" or t.startswith("startup") for t in tasks), tasks
        assert {e["id"] for e in destroyed} == {e["id"] for e in created}
        assert remote.containers.list(all=True) == []
        # ... and none on the host's engine.
        assert _events(docker_client, started, ended, event="create", label=mine) == []
        assert docker_client.containers.list(all=True, filters={"label": mine}) == []
        remote.close()
        print(f"remote engine: eval incl. first-use image build took {seconds:.0f} s")
        print(json.dumps({"containers_created": len(created), "tasks": tasks}))

    assert engine.process.returncode is not None, "the second dockerd is still running"
    assert not folder.exists()
    assert _processes_using(folder) == []
