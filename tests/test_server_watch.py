"""roundtrip_eval.eval.server_watch: a dead loopback model server ends a trial in seconds.

The end-to-end test is the failure CI met: Inspect's ollama provider on a local server that
answers its first request by dying. Without the watch the eval retried the dead port for hours.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from inspect_ai import eval as inspect_eval

from roundtrip_eval import fizzbuzz
from roundtrip_eval.eval.server_watch import (
    ModelServerDown,
    ModelServerGone,
    down_message,
    loopback_address,
    require_server,
    watched,
)

# Accepts connections and reads one HTTP request, then the whole process dies mid-reply.
DYING_SERVER = """
import os, socket, sys
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen()
print(listener.getsockname()[1], flush=True)
while True:
    connection, _ = listener.accept()
    if b"POST" in connection.recv(65536):
        os._exit(139)
    connection.close()
"""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8765/v1", ("127.0.0.1", 8765)),
        ("http://localhost/v1", ("localhost", 80)),
        ("https://127.0.0.2/v1", ("127.0.0.2", 443)),
        ("http://[::1]:9000/v1", ("::1", 9000)),
        ("https://api.example.org/v1", None),
        ("http://10.0.0.5:8765/v1", None),
        ("http://127.0.0.1:notaport/v1", None),
        (None, None),
        ("", None),
    ],
)
def test_only_loopback_servers_are_watched(url: str | None, expected: tuple[str, int] | None) -> None:
    assert loopback_address(url) == expected


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_closed_port_is_refused_before_the_call() -> None:
    called = False

    async def call() -> str:
        nonlocal called
        called = True
        return "never"

    url = f"http://127.0.0.1:{_free_port()}/v1"
    with pytest.raises(ModelServerGone, match="refuses connections"):
        await watched(call, "ollama/x", url)
    assert not called


async def test_a_server_that_goes_away_mid_call_abandons_it() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"

    async def call() -> str:
        listener.close()  # the server dies while the call waits (Inspect retrying)
        await anyio.sleep(60)
        return "too late"

    started = time.monotonic()
    with pytest.raises(ModelServerGone, match=r"ollama/x at http://127\.0\.0\.1"):
        await watched(call, "ollama/x", url, poll=0.1, misses=3)
    assert time.monotonic() - started < 5


async def test_a_live_server_lets_the_call_finish_and_a_remote_one_is_not_probed() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"

        async def call() -> str:
            await anyio.sleep(0.5)
            return "reply"

        assert await watched(call, "ollama/x", url, poll=0.05, misses=2) == "reply"
    # nothing listens at this address: a probe would fail, so passing means no probe was made
    assert await watched(call, "openai/x", "https://192.0.2.1/v1") == "reply"


async def test_an_error_from_the_call_is_not_replaced() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        async def call() -> str:
            raise ValueError("the provider's own error")

        with pytest.raises(ValueError, match="provider's own error"):
            await watched(call, "ollama/x", f"http://127.0.0.1:{listener.getsockname()[1]}/v1")


@pytest.mark.slow
def test_an_eval_on_a_server_that_dies_errors_in_seconds_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = subprocess.Popen([sys.executable, "-c", DYING_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        monkeypatch.setenv("OLLAMA_BASE_URL", f"http://127.0.0.1:{port}/v1")
        started = time.monotonic()
        [log] = inspect_eval(
            fizzbuzz(sandbox="local", epochs=1, cycles=2), model="ollama/qwen2.5-coder-0.5b",
            log_dir=str(tmp_path / "logs"), display="none",
        )
        seconds = time.monotonic() - started
    finally:
        server.kill()
        server.wait()
    assert server.returncode == 139 or server.returncode == -9
    assert log.status == "error" or any(s.error for s in log.samples or [])
    errors = [log.error.message if log.error else ""] + [
        s.error.message for s in log.samples or [] if s.error
    ]
    assert any("refuses connections" in e and "eval-retry" in e for e in errors), errors
    assert seconds < 60, seconds


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_dead_server_stops_the_eval_before_any_trial_in_one_line(tmp_path: Path) -> None:
    """Like the engine check: no trial starts, no log is written, one line says where and what."""
    url = f"http://127.0.0.1:{closed_port()}/v1"
    with pytest.raises(ModelServerDown) as refused:
        inspect_eval(
            "roundtrip_eval/fizzbuzz", model="ollama/qwen2.5-coder-0.5b", model_base_url=url,
            task_args={"sandbox": "local"}, log_dir=str(tmp_path / "logs"), display="none",
        )  # fmt: skip
    assert str(refused.value) == down_message("ollama/qwen2.5-coder-0.5b", url)
    assert "\n" not in str(refused.value) and "roundtrip-eval model serve" in str(refused.value)
    assert not (tmp_path / "logs").exists() or not list((tmp_path / "logs").iterdir())


@pytest.mark.slow
def test_the_cli_prints_only_that_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    inspect_cli = Path(sys.executable).parent / "inspect"
    run = subprocess.run(
        [str(inspect_cli), "eval", "roundtrip_eval/fizzbuzz", "--model", "ollama/qwen2.5-coder-0.5b",
         "-T", "sandbox=local", "--log-dir", str(tmp_path / "logs")],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "OLLAMA_BASE_URL": url, "COLUMNS": "1000"},
    )  # fmt: skip
    assert run.returncode != 0
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    assert lines == [down_message("ollama/qwen2.5-coder-0.5b", url)], lines


def test_outside_an_eval_nothing_is_probed() -> None:
    require_server()  # no active model: building a task in Python checks nothing
