"""Fixtures of the local-model tests: they need neither llama-cpp-python nor the model.

Small fake chunk packages (with dist-info, so version checks are real) live in tmp_path, and a
tiny stdlib HTTP server stands in for llama_cpp.server where a process has to be started.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval import local_model as lm
from roundtrip_eval.local_model import lifecycle

from .fakes import FAKE_SERVER, FakeModel


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

    Set `["busy"] = True` on the returned dict before `serve` for a stand-in that never answers,
    `["crash"] = True` for one that dies on its first completion.
    """
    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)
    options = {"busy": False, "crash": False}

    def command(model: Path, alias: str, host: str, port: int, *args: Any) -> list[str]:
        assert model.is_file()  # serve assembled (or found) the model before starting
        # "llama_cpp.server" stands for the server module `stop` looks for in a cmdline.
        argv = [sys.executable, str(script), str(port), alias, "llama_cpp.server"]
        return [*argv, "--model_alias", alias, *(["--busy"] if options["busy"] else []),
                *(["--crash"] if options["crash"] else [])]

    spawned: list[int] = []
    real_spawn = lifecycle._spawn

    def spawn(*args: Any) -> int:
        spawned.append(real_spawn(*args))
        return spawned[-1]

    monkeypatch.setattr(lifecycle, "_server_command", command)
    monkeypatch.setattr(lifecycle, "_missing_server_imports", lambda: [])
    monkeypatch.setattr(lifecycle, "_spawn", spawn)
    yield options
    for pid in spawned:  # even if `stop` is broken, leave no stand-in running
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
