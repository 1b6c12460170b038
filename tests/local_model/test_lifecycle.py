"""roundtrip_eval.local_model.lifecycle: serve (start detached or reuse), wait, stop.

A stdlib stand-in (see `fake_server_command`) plays llama_cpp.server where a process is started.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval import local_model as lm
from roundtrip_eval.local_model import lifecycle, server

from .fakes import FakeModel, free_port, model_parser


@pytest.mark.usefixtures("fake_server_command")
def test_serve_starts_detached_server_reuses_it_and_stops_it(fake_model: FakeModel) -> None:
    port = free_port()
    alias = fake_model.spec.alias
    try:
        first = lm.serve(alias, port=port, timeout=30)
        assert not first.reused and first.base_url == f"http://127.0.0.1:{port}/v1"
        pid = int(lm.pidfile_path(port).read_text())
        assert first.status.pid == pid and server._pid_alive(pid)
        assert os.getpgid(pid) == pid  # its own session: survives the CLI's terminal
        assert lm.health(port).serves(alias)

        again = lm.serve(alias, port=port, timeout=30)
        assert again.reused and again.status.pid == pid

        assert lm.stop(port) is True
        assert not server._pid_alive(pid)
        assert not lm.pidfile_path(port).exists()
        assert not lm.health(port).reachable
        assert lm.stop(port) is False  # clean when nothing runs
    finally:
        lm.stop(port)


@pytest.mark.usefixtures("fake_server_command")
def test_stop_finds_our_server_even_without_its_pidfile(fake_model: FakeModel) -> None:
    port = free_port()
    try:
        lm.serve(fake_model.spec.alias, port=port, timeout=30)
        pid = int(lm.pidfile_path(port).read_text())
        lm.pidfile_path(port).unlink()
        assert lm.stop(port) is True
        assert not server._pid_alive(pid)
    finally:
        lm.stop(port)


def test_a_busy_server_of_ours_is_reused_and_reported_running(
    fake_model: FakeModel,
    fake_server_command: dict[str, bool],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # llama_cpp.server answers /v1/models only between completions; during an eval it is busy.
    monkeypatch.setattr(server, "_PROBE_TIMEOUT", 0.3)
    port = free_port()
    alias = fake_model.spec.alias
    monkeypatch.setitem(lm.MODELS, "other", replace(fake_model.spec, alias="other"))
    fake_server_command["busy"] = True
    try:
        model = lm.assemble(alias)
        pid = lifecycle._spawn(lifecycle._server_command(model, alias, "127.0.0.1", port, 0, 1), port)
        deadline = time.monotonic() + 10
        while not lm.health(port).busy and time.monotonic() < deadline:
            time.sleep(0.1)
        status = lm.health(port)
        assert status.busy and status.reachable and not status.ok and status.pid == pid

        result = lm.serve(alias, port=port)
        assert result.reused and result.status.pid == pid
        with pytest.raises(lm.LocalModelError, match=f"already serves {alias}, not other"):
            lm.serve("other", port=port)

        args = model_parser().parse_args(["model", "status", "--port", str(port)])
        assert args.func(args) == 0
        out = capsys.readouterr().out
        assert f"serving {alias}" in out and f"pid {pid}" in out and "busy" in out

        assert lm.stop(port) is True
        assert not server._pid_alive(pid)
    finally:
        lm.stop(port)


def test_a_silent_port_not_ours_is_refused(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "_PROBE_TIMEOUT", 0.3)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts (in the backlog) and never answers
    port = listener.getsockname()[1]
    try:
        assert lm.health(port).busy
        with pytest.raises(lm.LocalModelError, match="did not answer GET /v1/models in time"):
            lm.serve(fake_model.spec.alias, port=port)
    finally:
        listener.close()


def test_serve_reports_a_server_that_dies_with_its_log_tail(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash = [sys.executable, "-c", "print('gguf: invalid magic'); raise SystemExit(3)"]
    monkeypatch.setattr(lifecycle, "_server_command", lambda *args: crash)
    monkeypatch.setattr(lifecycle, "_missing_server_imports", lambda: [])
    port = free_port()
    with pytest.raises(lm.LocalModelError, match="exited during start-up") as excinfo:
        lm.serve(fake_model.spec.alias, port=port, timeout=30)
    assert "gguf: invalid magic" in str(excinfo.value)
    assert not lm.pidfile_path(port).exists()


def test_a_server_that_crashes_on_its_first_generation_is_reported_with_the_rebuild(
    fake_model: FakeModel, fake_server_command: dict[str, bool]
) -> None:
    # CI once served a native wheel from pip's cache: /v1/models answered, the first completion
    # died of SIGSEGV, and the eval retried the dead port for 90 minutes.
    fake_server_command["crash"] = True
    port = free_port()
    try:
        with pytest.raises(lm.LocalModelError, match="crashed on its first generation") as excinfo:
            lm.serve(fake_model.spec.alias, port=port, timeout=30)
        assert "--force-reinstall" in str(excinfo.value) and "GGML_NATIVE=OFF" in str(excinfo.value)
        assert not lm.pidfile_path(port).exists()
        assert not lm.health(port).reachable
    finally:
        lm.stop(port)


def test_serve_says_how_to_install_the_server(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lifecycle, "_missing_server_imports", lambda: ["llama_cpp"])
    with pytest.raises(lm.LocalModelError, match=r"pip install 'roundtrip-eval\[local\]'"):
        lm.serve(fake_model.spec.alias, port=free_port())


def test_serve_reuses_a_healthy_server_it_did_not_start(
    fake_model: FakeModel, http_models: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = http_models([fake_model.spec.alias])
    monkeypatch.setattr(lifecycle, "_spawn", lambda *a: pytest.fail("must not start a second server"))
    result = lm.serve(fake_model.spec.alias, port=port)
    assert result.reused and result.status.pid is None
    assert lm.stop(port) is False  # not ours: left alone
    assert lm.health(port).serves(fake_model.spec.alias)


def test_serve_refuses_a_port_serving_another_model(fake_model: FakeModel, http_models: Any) -> None:
    port = http_models(["some-other-model"])
    with pytest.raises(lm.LocalModelError, match="already serves some-other-model"):
        lm.serve(fake_model.spec.alias, port=port)


def test_serve_refuses_a_port_taken_by_something_else(fake_model: FakeModel) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def answer_garbage() -> None:
        with contextlib.suppress(OSError):  # the listener was closed
            while True:
                conn, _ = listener.accept()
                conn.sendall(b"SSH-2.0-not-http\r\n")
                conn.close()

    threading.Thread(target=answer_garbage, daemon=True).start()
    try:
        status = lm.health(port)
        assert status.reachable and not status.openai_compatible
        with pytest.raises(lm.LocalModelError, match="taken by something"):
            lm.serve(fake_model.spec.alias, port=port)
    finally:
        listener.close()


def test_server_command_turns_prefix_reuse_off_by_default(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    command = lifecycle._server_command(model, "qwen2.5-coder-0.5b", "127.0.0.1", 9000, 4096, 2)
    assert command[:4] == [sys.executable, "-m", "roundtrip_eval.local_model", "llama_cpp.server"]
    assert command[command.index("--model") + 1] == str(model)
    assert command[command.index("--model_alias") + 1] == "qwen2.5-coder-0.5b"
    assert command[command.index("--n_ctx") + 1] == "4096"
    assert command[command.index("--n_threads") + 1] == "2"
    assert command[command.index("--n_threads_batch") + 1] == "2"
    plain = lifecycle._server_command(model, "a", "127.0.0.1", 9000, 4096, None, prompt_cache=True)
    assert plain[:3] == [sys.executable, "-m", "llama_cpp.server"]
    assert "--n_threads" not in plain  # llama.cpp's own default


def test_the_launcher_command_runs_as_a_module(tmp_path: Path) -> None:
    # `python -m roundtrip_eval.local_model` is what every default server starts with: it must
    # resolve to the package's launcher (here its usage line, without llama_cpp being touched).
    out = subprocess.run([sys.executable, "-m", "roundtrip_eval.local_model"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.strip() == (
        "usage: python -m roundtrip_eval.local_model llama_cpp.server [llama_cpp.server options]"
    )
