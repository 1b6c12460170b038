"""The server's life cycle: start it detached (or reuse a running one), wait for it, stop it.

`llama_cpp` is never imported here: the server runs in a child process, and whether it could
start is checked with `find_spec` so that a missing extra gives one line, not a traceback.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .assembly import assemble
from .server import (
    _OWNER_ENV,
    DEFAULT_HOST,
    DEFAULT_PORT,
    SERVER_MODULE,
    ServerStatus,
    _find_our_servers,
    _our_server,
    _pid_alive,
    _pidfile_pid,
    _server_alias,
    _write_pidfile,
    health,
)
from .specs import DEFAULT_ALIAS, LocalModelError, get_spec, logfile_path, pidfile_path

DEFAULT_CTX = 4096
# Loading the 1.5B model from a cold page cache takes a few seconds; 120 s leaves room for a slow
# disk without letting a hung start go unnoticed.
DEFAULT_START_TIMEOUT = 120.0

# This package, run as `python -m`: its `__main__` wraps SERVER_MODULE.
_LAUNCHER_MODULE = "roundtrip_eval.local_model"
# What `llama_cpp.server` imports besides llama_cpp itself (the `[server]` extra). Checked up
# front so that a missing extra gives our one-line hint instead of a traceback in the log.
_SERVER_IMPORTS = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context",
                   "pydantic_settings")


def _missing_server_imports() -> list[str]:
    import importlib.util

    return [name for name in _SERVER_IMPORTS if importlib.util.find_spec(name) is None]


def _server_command(model: Path, alias: str, host: str, port: int, n_ctx: int,
                    threads: int | None, prompt_cache: bool = False) -> list[str]:
    # By default the child runs this package's `__main__`, which starts llama_cpp.server
    # with its KV-cache prefix reuse turned off, so that a seeded request is reproducible.
    launcher = [SERVER_MODULE] if prompt_cache else [_LAUNCHER_MODULE, SERVER_MODULE]
    return [
        sys.executable, "-m", *launcher,
        "--model", str(model),
        "--model_alias", alias,
        "--host", host,
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        # None keeps llama.cpp's default: half the cores for generation, all for the prompt.
        # Its threads work in lockstep, so one that is descheduled stalls them all: on a 2-core
        # machine also running sandboxes and Inspect, 2 generation threads measured between 1.4
        # and 75 tok/s (0.5B), 1 thread a steady ~32 under the same kind of load.
        *(["--n_threads", str(threads), "--n_threads_batch", str(threads)] if threads else []),
    ]


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text[-lines:])


@dataclass
class ServeResult:
    alias: str
    status: ServerStatus
    reused: bool  # True when a healthy server with this alias was already on the port
    seconds: float

    @property
    def base_url(self) -> str:
        return self.status.base_url


def serve(
    alias: str = DEFAULT_ALIAS,
    port: int = DEFAULT_PORT,
    host: str = DEFAULT_HOST,
    n_ctx: int = DEFAULT_CTX,
    threads: int | None = None,
    timeout: float = DEFAULT_START_TIMEOUT,
    prompt_cache: bool = False,
) -> ServeResult:
    """Make sure a `llama_cpp.server` serving `alias` answers on `port`, and return its status.

    Safe to call twice: a healthy server that already lists the alias is reused, and one that is
    still starting (our pidfile, our process) is waited for. The server is detached (its own
    session, output to a log file beside the pidfile) so that it outlives this command; stop it
    with `stop(port)`. Raises LocalModelError when the port is taken by something else, when
    llama-cpp-python is missing, or when the server dies or hangs during start-up (with the log
    tail).

    `prompt_cache=False` (the default) makes replies reproducible: llama-cpp-python reuses the
    KV cache of the previous request's matching prompt prefix, and a prompt evaluated in a
    different batch shape gives slightly different logits. Measured with the 0.5B model at
    temperature 0 and a fixed seed, the same prompt gave a different reply depending on whether
    the request before it was the same prompt or another one. The benchmark sends a fresh
    message list per step, so the prefix it could reuse is only the chat template's system
    part; turning reuse off costs little. `True` runs the plain `llama_cpp.server`.
    """
    started = time.monotonic()
    spec = get_spec(alias)

    status = health(port, host)
    pid = _our_server(status)
    serving = status.models if status.openai_compatible else []
    if status.busy and pid is not None:  # ours, in the middle of a request
        serving = [name] if (name := _server_alias(pid)) else []
        if alias in serving:
            status.pid = pid
            return ServeResult(alias, status, reused=True, seconds=time.monotonic() - started)
    if status.serves(alias):
        return ServeResult(alias, status, reused=True, seconds=time.monotonic() - started)
    if serving or status.openai_compatible:
        raise LocalModelError(
            f"port {port} already serves {', '.join(serving) or 'no models'}, not {alias}; "
            f"run `roundtrip-eval model stop --port {port}` or choose another --port"
        )
    if status.reachable and pid is None:
        what = (
            "accepts connections but did not answer GET /v1/models in time (a busy server "
            "not started by roundtrip-eval?)" if status.busy
            else "is taken by something that is not an OpenAI-compatible server"
        )
        raise LocalModelError(f"port {port} {what}; retry, or choose another --port")

    log = logfile_path(port)
    if pid is None:
        missing = _missing_server_imports()
        if missing:
            raise LocalModelError(
                f"llama-cpp-python server is not installed (missing {', '.join(missing)}); "
                f"run: {spec.install_hint}"
            )
        model = assemble(alias)
        command = _server_command(model, alias, host, port, n_ctx, threads, prompt_cache)
        pid = _spawn(command, port)

    status = _wait_healthy(alias, pid, host, port, timeout, log)
    _first_generation(alias, pid, status.base_url, port, timeout, log)
    return ServeResult(alias, status, reused=False, seconds=time.monotonic() - started)


def _spawn(command: Sequence[str], port: int) -> int:
    import subprocess

    log = logfile_path(port)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives the CLI's exit and a Ctrl-C in its terminal
            close_fds=True,
            env={**os.environ, _OWNER_ENV: str(port)},
        )
    _write_pidfile(port, process.pid)
    # Popen's handle is dropped on purpose: the server is detached. Python would otherwise warn
    # that the child is "still running" when the handle is collected.
    process.returncode = 0
    return process.pid


def _wait_healthy(alias: str, pid: int, host: str, port: int, timeout: float,
                  log: Path) -> ServerStatus:
    deadline = time.monotonic() + timeout
    while True:
        status = health(port, host)
        if status.serves(alias):
            return status
        if not _pid_alive(pid):
            _reap(pid)
            pidfile_path(port).unlink(missing_ok=True)
            raise LocalModelError(
                f"llama.cpp server for {alias} exited during start-up; log {log}:\n"
                + _log_tail(log)
            )
        if time.monotonic() > deadline:
            _terminate(pid)
            pidfile_path(port).unlink(missing_ok=True)
            raise LocalModelError(
                f"llama.cpp server for {alias} did not answer on port {port} within "
                f"{timeout:.0f} s (stopped it); log {log}:\n" + _log_tail(log)
            )
        time.sleep(0.25)


# What rebuilds llama-cpp-python for the portable CPU baseline that scripts/quickstart.sh uses.
REBUILD_HINT = (
    "CMAKE_ARGS='-DGGML_NATIVE=OFF -DGGML_AVX2=ON' pip install --force-reinstall --no-deps "
    "--no-cache-dir 'llama-cpp-python[server]'"
)


def _first_generation(alias: str, pid: int, base_url: str, port: int, timeout: float,
                      log: Path) -> None:
    """Ask the new server for one token, so a build that crashes on its first generation is
    reported here, in one line, and not as an eval that retries a dead server for hours.

    A llama-cpp-python wheel built with `-march=native` elsewhere (or reused from pip's wheel
    cache) can load a model and answer `/v1/models`, then die with SIGILL or SIGSEGV on the first
    matrix multiply (seen: AMX kernels in a VM that does not grant AMX state)."""
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{base_url}/completions",
        data=json.dumps({"model": alias, "prompt": "def", "max_tokens": 1}).encode(),
        headers={"Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            json.loads(response.read())["choices"][0]
        return
    except (OSError, ValueError, KeyError, IndexError) as error:
        reason = f"{type(error).__name__}: {error}"
    time.sleep(0.5)  # let a crashed server's exit be seen
    if _pid_alive(pid):
        _terminate(pid)
        pidfile_path(port).unlink(missing_ok=True)
        raise LocalModelError(
            f"llama.cpp server for {alias} started but its first generation failed ({reason}); "
            f"stopped it; log {log}:\n" + _log_tail(log)
        )
    _reap(pid)
    pidfile_path(port).unlink(missing_ok=True)
    raise LocalModelError(
        f"llama.cpp server for {alias} crashed on its first generation ({reason}): "
        f"llama-cpp-python was most likely built for another CPU; rebuild it with "
        f"{REBUILD_HINT}; log {log}:\n" + _log_tail(log)
    )


def _reap(pid: int) -> None:
    """Collect our own exited child so it does not linger as a zombie; no-op otherwise."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _terminate(pid: int, grace: float = 10.0) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        _reap(pid)
        if not _pid_alive(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    for _ in range(50):
        _reap(pid)
        if not _pid_alive(pid):
            return
        time.sleep(0.1)


def stop(port: int = DEFAULT_PORT) -> bool:
    """Stop the server we started on `port` (found via its pidfile or its environment marker).

    Returns True if a server was stopped, False if none of ours was running (a stale pidfile is
    removed). A server on the port that we did not start is left alone.
    """
    pids = set(_find_our_servers(port))
    if (pid := _pidfile_pid(port)) is not None:
        pids.add(pid)
    for pid in sorted(pids):
        _terminate(pid)
    pidfile_path(port).unlink(missing_ok=True)
    return bool(pids)
