"""roundtrip_eval.local_model.server: the health probe, and which processes count as ours."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval import local_model as lm
from roundtrip_eval.local_model import server

from .fakes import free_port


def test_health_of_a_free_port(home: Path) -> None:
    status = lm.health(free_port())
    assert (status.reachable, status.ok, status.models, status.pid) == (False, False, [], None)


def test_health_of_a_server_lists_its_models(http_models: Any, home: Path) -> None:
    port = http_models(["a", "b"])
    status = lm.health(port)
    assert (status.reachable, status.ok, status.models, status.busy) == (True, True, ["a", "b"], False)
    assert status.serves("b") and not status.serves("c")
    assert status.base_url == f"http://127.0.0.1:{port}/v1"


def test_no_process_on_this_machine_passes_for_a_server_of_an_unused_port() -> None:
    # `stop` signals whatever this finds; for a port nobody served it must find nothing.
    assert server._find_our_servers(free_port()) == []
    assert not server._is_our_server(1, 8765) and not server._is_our_server(os.getpid(), 8765)


def test_stop_removes_a_stale_pidfile(home: Path) -> None:
    port = free_port()
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    lm.pidfile_path(port).parent.mkdir(parents=True)
    lm.pidfile_path(port).write_text(f"{done.pid}\n")
    assert lm.stop(port) is False
    assert not lm.pidfile_path(port).exists()


@pytest.mark.parametrize("marked", [False, True])
def test_stop_never_signals_a_process_that_reused_the_pid(home: Path, marked: bool) -> None:
    port = free_port()
    # Marked: it even carries our environment marker, but it is not a server process.
    env = {**os.environ, "ROUNDTRIP_EVAL_SERVER_PORT": str(port)} if marked else None
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env)
    try:
        lm.pidfile_path(port).parent.mkdir(parents=True)
        lm.pidfile_path(port).write_text(f"{bystander.pid}\n")
        assert lm.stop(port) is False
        time.sleep(0.1)
        assert bystander.poll() is None  # still running
        assert not lm.pidfile_path(port).exists()
    finally:
        bystander.kill()
        bystander.wait()
