"""What is on a port: a health probe, and whether the server there is one we started.

`stop` signals what `_is_our_server` says yes to, so ownership is decided by two independent
checks (an environment marker and the server module in the command line), never by a pid alone.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from roundtrip_eval.eval.server_watch import accepts

from .specs import logfile_path, pidfile_path

DEFAULT_PORT = 8765
DEFAULT_HOST = "127.0.0.1"

# The OpenAI-compatible server of llama-cpp-python, run in a child process.
SERVER_MODULE = "llama_cpp.server"
# Set in the server's environment: marks the process as ours, for that port. Unlike the
# pidfile, it cannot point at an unrelated process that reused the pid.
_OWNER_ENV = "ROUNDTRIP_EVAL_SERVER_PORT"
# How long a health probe waits for GET /v1/models before calling the server busy.
_PROBE_TIMEOUT = 2.0


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
        reachable=models is not None or accepts(_client_host(host), port, timeout=0.5),
        models=models or [],
        openai_compatible=models is not None,
        busy=busy,
        pid=_pidfile_pid(port),
        log=log if log.exists() else None,
    )
