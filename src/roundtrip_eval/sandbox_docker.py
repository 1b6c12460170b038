"""`roundtrip-docker`: a Docker sandbox provider on the docker SDK, one container per trial.

Why not Inspect's `docker` provider: it drives `docker compose`, and needs Engine >= 24.0.6 and
Compose >= 2.21; Debian's `docker.io` (20.10) is refused. This provider only needs the engine
API (1.41). A check costs one exec: about 110 ms median for a fizzbuzz check on a busy 2-core
machine, of which ~55-75 ms is the exec floor (benchmarks/sandbox_latency.py).

Each trial gets a container with no network, a read-only root, tmpfs at the work dir and /tmp
(noexec), user nobody, every capability dropped, no-new-privileges, memory = memory+swap, a
pids limit and a CPU quota. PID 1 is a tiny Python init (`_INIT`) that ignores every signal a
process in the container may send it, is not ptrace-able (not dumpable), reaps orphans, and on
SIGUSR1 *from the host* kills every process of the sandbox user: that is how a timed-out check
is stopped, fork bombs included, without starting a process in a container whose pids limit
may be exhausted.

Each `exec` is one docker exec on a hijacked socket: stdin is fed and stdout/stderr are
demultiplexed in a worker thread, the wall-clock `timeout` is enforced here, output is capped,
and a timed-out, over-long or cancelled command is killed with everything it started. By
default every exec first kills processes left over by earlier execs and runs the command at
nice 10 (`kill_strays`), so a candidate's background process cannot outlive its check and PID 1
wins the CPU over a fork bomb; this assumes one exec at a time per container, which is how the
checker uses it.

Containers carry the label `roundtrip-eval.sandbox=1` plus a per-run label. `sample_cleanup`
force-removes the trial's container (also when the trial was cancelled), `task_cleanup`
removes every container of this run, and `inspect sandbox cleanup roundtrip-docker` (or
`roundtrip-eval sandbox cleanup`) removes every container carrying our label.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import selectors
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

import anyio
from inspect_ai.util import (
    ExecResult,
    OutputLimitExceededError,
    SandboxConnection,
    SandboxEnvironment,
    SandboxEnvironmentConfigType,
    SandboxEnvironmentLimits,
    SandboxUnavailableError,
    sandboxenv,
)
from pydantic import BaseModel, Field

from roundtrip_eval.sandbox_image import (
    IMAGE,
    SandboxEngineError,
    SandboxImageError,
    connect,
    ensure_image,
    image_exists,
)

if TYPE_CHECKING:
    from docker import DockerClient

try:  # Inspect prints a PrerequisiteError as one line, without a traceback
    from inspect_ai._util.error import PrerequisiteError as _SetupErrorBase
except ImportError:  # pragma: no cover - private API moved
    _SetupErrorBase = RuntimeError  # type: ignore[misc,assignment]

LABEL = "roundtrip-eval.sandbox"
LABEL_RUN = "roundtrip-eval.run"
LABEL_TASK = "roundtrip-eval.task"
LABEL_SAMPLE = "roundtrip-eval.sample"
LABEL_PID = "roundtrip-eval.pid"  # the process that created the container (host pid)
KILL_SIGNAL = "SIGUSR1"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# PID 1 of every sandbox container (run as `python3 -I -c _INIT`, as the sandbox user).
_INIT = """\
import os, signal
try:
    import ctypes
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no ptrace, no /proc/1/mem
except Exception:
    pass
for s in signal.valid_signals():
    try:
        signal.signal(s, signal.SIG_IGN)  # SIGCHLD ignored too: orphans are reaped at exit
    except (OSError, ValueError):
        pass
signal.signal(signal.SIGUSR1, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
while True:
    info = signal.sigwaitinfo({signal.SIGUSR1})
    if info.si_pid == 0:  # sent from outside the container: the host asks to kill all
        try:
            os.kill(-1, signal.SIGKILL)  # every process we may signal, except PID 1
        except OSError:
            pass
"""
# One kill(-1) is enough, fork bombs included: the kernel walks the task list under a lock
# that fork needs, and a fork whose parent has a fatal signal pending is aborted. It is done
# once, not in a loop, so that it can never hit the next exec. SIGUSR1 from inside the
# container (si_pid != 0) is ignored.

# Prepended to each exec when `kill_strays` is on: kill what earlier execs left behind, and
# run the command at a lower priority than PID 1 and our own kill execs.
_STRAY_PRELUDE = 'kill -9 -1 2>/dev/null; exec /usr/bin/nice -n 10 "$@"'

_WRITE_SCRIPT = """\
set -e
case "$1" in */*) mkdir -p -- "${1%/*}" ;; esac
if [ -d "$1" ]; then echo "Is a directory: $1" >&2; exit 21; fi
cat > "$1"
"""

_READ_SCRIPT = """\
if [ -d "$1" ]; then exit 21; fi
if [ ! -e "$1" ]; then exit 2; fi
if [ ! -r "$1" ]; then exit 13; fi
exec cat -- "$1"
"""


class SandboxSetupError(_SetupErrorBase):
    """The sandbox cannot be used at all; raised before any trial, one line, says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self._text = message

    def __str__(self) -> str:
        return self._text


class RoundtripDockerConfig(BaseModel, frozen=True):
    """Settings of the `roundtrip-docker` sandbox (all optional).

    Pass it as `SandboxEnvironmentSpec("roundtrip-docker", RoundtripDockerConfig(...))`. The
    defaults are generous for honest code and tight for hostile code.
    """

    image: str = IMAGE
    """Image to run; must provide /bin/sh and python3. Ours is built when missing."""

    memory: str = "512m"
    """Memory limit, also the memory+swap limit (no swap). Counts the tmpfs contents."""

    pids_limit: int = Field(default=128, ge=8)
    """Most processes and threads the container may hold at once."""

    cpus: float = Field(default=1.0, gt=0)
    """CPU quota in cores."""

    tmpfs_size: str = "64m"
    """Size of the writable work dir (tmpfs); /tmp gets a tmpfs of the same size."""

    workdir: str = "/work"
    """Working directory of every exec; a tmpfs (noexec, nosuid, nodev)."""

    user: str = "65534:65534"
    """User of PID 1 and of every exec that names none (nobody:nogroup)."""

    max_output_bytes: int = Field(default=1 << 20, gt=0)
    """Per-stream cap on captured exec output; more raises OutputLimitExceededError."""

    kill_strays: bool = True
    """Each exec first kills leftover processes of its user and runs at nice 10 (so PID 1
    gets the CPU to kill a fork bomb). Turn off to run several execs concurrently, or
    background processes, in one sandbox."""

    build_image: bool = True
    """task_init builds the default image when it is missing (docker build, else offline)."""


def _resolve_config(config: SandboxEnvironmentConfigType | None) -> RoundtripDockerConfig:
    if config is None:
        return RoundtripDockerConfig()
    if isinstance(config, RoundtripDockerConfig):
        return config
    if isinstance(config, str):  # `--sandbox roundtrip-docker:<image>`
        return RoundtripDockerConfig(image=config)
    if isinstance(config, BaseModel):
        return RoundtripDockerConfig(**config.model_dump())
    raise TypeError(f"roundtrip-docker: unsupported sandbox config {config!r}")


# ---------------------------------------------------------------------------- run state


@dataclass
class _RunState:
    """Containers of one eval run (one Inspect sandbox lifecycle, or this process)."""

    run_id: str = field(default_factory=lambda: secrets.token_hex(6))
    containers: set[str] = field(default_factory=set)


_PROCESS_STATE = _RunState()


def _run_state() -> _RunState:
    try:
        from inspect_ai.util._sandbox.lifecycle import sandbox_lifecycle_state
    except ImportError:  # pragma: no cover - private API moved
        return _PROCESS_STATE
    scope = sandbox_lifecycle_state()
    return _PROCESS_STATE if scope is None else scope.get(_RunState)


_CLIENTS: dict[tuple[str | None, ...], DockerClient] = {}
_CLIENTS_LOCK = threading.Lock()


def _client() -> DockerClient:
    """A cached docker client for the current DOCKER_HOST (SandboxEngineError if none)."""
    key = tuple(os.environ.get(k) for k in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"))
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = connect()
            _CLIENTS[key] = client
        return client


def remove_containers(
    client: DockerClient, labels: dict[str, str] | None = None, container: str | None = None
) -> list[str]:
    """Force-remove our containers (all, those with `labels` too, or the one named); ids."""
    from docker.errors import APIError, NotFound

    filters: dict[str, Any] = {"label": [f"{LABEL}=1"]}
    filters["label"] += [f"{k}={v}" for k, v in (labels or {}).items()]
    if container:
        filters["id" if all(c in "0123456789abcdef" for c in container) else "name"] = container
    removed = []
    for info in client.api.containers(all=True, filters=filters):
        with contextlib.suppress(NotFound):
            try:
                client.api.remove_container(info["Id"], force=True)
            except APIError as exc:
                if "already in progress" not in str(exc):
                    raise
            removed.append(info["Id"])
    return removed


def _remove_quietly(client: DockerClient, name: str) -> None:
    from docker.errors import APIError

    with contextlib.suppress(APIError):
        client.api.remove_container(name, force=True)


def _create_container(
    client: DockerClient, name: str, cfg: RoundtripDockerConfig, labels: dict[str, str]
) -> None:
    from docker.types import LogConfig

    tmpfs_opts = f"rw,noexec,nosuid,nodev,size={cfg.tmpfs_size},mode=1777"
    container = client.containers.create(
        cfg.image,
        entrypoint=["python3", "-I", "-c", _INIT],
        name=name,
        hostname="sandbox",
        user=cfg.user,
        working_dir=cfg.workdir,
        environment={
            "PATH": SYSTEM_PATH,
            "HOME": cfg.workdir,
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        labels=labels,
        network_disabled=True,
        network_mode="none",
        read_only=True,
        tmpfs={cfg.workdir: tmpfs_opts, "/tmp": tmpfs_opts},
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        mem_limit=cfg.memory,
        memswap_limit=cfg.memory,
        pids_limit=cfg.pids_limit,
        nano_cpus=int(cfg.cpus * 1e9),
        ipc_mode="private",
        log_config=LogConfig(type=LogConfig.types.NONE),
        detach=True,
    )
    container.start()


def _human_size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


# ---------------------------------------------------------------------------- exec plumbing


class _Demux:
    """Incremental parser of Docker's multiplexed stream (8-byte header per frame)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending = bytearray()
        self.streams = {1: bytearray(), 2: bytearray()}
        self.overflow = False

    def feed(self, data: bytes) -> None:
        self.pending += data
        while len(self.pending) >= 8:
            kind, size = self.pending[0], struct.unpack(">I", self.pending[4:8])[0]
            if len(self.pending) < 8 + size:
                return
            payload = self.pending[8 : 8 + size]
            del self.pending[: 8 + size]
            out = self.streams[2 if kind != 1 else 1]
            room = self.limit - len(out)
            if len(payload) > room:
                out += payload[: max(room, 0)]
                self.overflow = True
            else:
                out += payload


@dataclass
class _Outcome:
    status: Literal["exited", "timeout", "overflow", "cancelled"]
    stdout: bytes = b""
    stderr: bytes = b""
    returncode: int = -1


_WOULD_BLOCK = (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


def _pump(
    client: DockerClient,
    exec_id: str,
    data: bytes,
    timeout: float | None,
    limit: int,
    cancel: threading.Event,
) -> _Outcome:
    """Start `exec_id`, feed stdin, collect output until EOF, deadline, overflow or cancel."""
    from docker.errors import APIError

    api = client.api
    response = api._post_json(
        api._url("/exec/{0}/start", exec_id),
        headers={"Connection": "Upgrade", "Upgrade": "tcp"},
        data={"Tty": False, "Detach": False},
        stream=True,
    )
    try:
        raw = api._get_raw_response_socket(response)
    except APIError as exc:
        response.close()
        if _unavailable(exc):
            raise SandboxUnavailableError(f"the sandbox container is not running: {exc}") from exc
        raise
    sock: socket.socket = getattr(raw, "_sock", raw)
    deadline = None if timeout is None else time.monotonic() + timeout
    demux = _Demux(limit)
    status: Literal["exited", "timeout", "overflow", "cancelled"] = "exited"
    try:
        sock.setblocking(False)
        # bytes the HTTP layer may have read past the 101 response belong to the stream
        with contextlib.suppress(Exception):
            demux.feed(response.raw._fp.fp.read1(65536) or b"")
        view, sent = memoryview(data), 0
        if not data:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)
        selector = selectors.DefaultSelector()
        selector.register(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if data else 0))
        eof = demux.overflow
        while not eof:
            if cancel.is_set():
                status = "cancelled"
                break
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                status = "timeout"
                break
            wait = 0.1 if deadline is None else min(0.1, deadline - now)
            for _key, mask in selector.select(wait):
                if mask & selectors.EVENT_WRITE and sent < len(view):
                    try:
                        sent += sock.send(view[sent : sent + 65536])
                    except _WOULD_BLOCK:
                        pass
                    except OSError:  # the command closed stdin or exited: drop the rest
                        sent = len(view)
                    if sent >= len(view):
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_WR)
                        selector.modify(sock, selectors.EVENT_READ)
                if mask & selectors.EVENT_READ:
                    while True:
                        try:
                            chunk = sock.recv(65536)
                        except _WOULD_BLOCK:
                            break
                        except OSError:
                            chunk = b""
                        if not chunk:
                            eof = True
                            break
                        demux.feed(chunk)
                        if demux.overflow:
                            break
                if demux.overflow:
                    status = "overflow"
                    eof = True
        selector.close()
        if demux.overflow and status == "exited":
            status = "overflow"
    finally:
        with contextlib.suppress(Exception):
            sock.close()
        with contextlib.suppress(Exception):
            response.close()
    out = _Outcome(status, bytes(demux.streams[1]), bytes(demux.streams[2]))
    if status == "exited":
        out.returncode = _exit_code(client, exec_id)
    return out


def _exit_code(client: DockerClient, exec_id: str) -> int:
    from docker.errors import NotFound

    info: dict[str, Any] = {}
    for _ in range(200):
        try:
            info = client.api.exec_inspect(exec_id)
        except NotFound as exc:  # the container went away while the command ran
            raise SandboxUnavailableError(f"the sandbox container is gone: {exc}") from exc
        if not info.get("Running") and info.get("ExitCode") is not None:
            return int(info["ExitCode"])
        time.sleep(0.005)
    return int(info.get("ExitCode") or -1)


def _exec_running(client: DockerClient, exec_id: str) -> bool:
    from docker.errors import NotFound

    try:
        return bool(client.api.exec_inspect(exec_id).get("Running"))
    except NotFound:
        return False


def _is_runtime_failure(out: _Outcome) -> bool:
    """The runtime could not start the process (e.g. the pids limit was exhausted)."""
    text = out.stdout.strip().lower()
    return (
        out.status == "exited"
        and out.returncode in (126, 127)
        and text.startswith(b"oci runtime exec failed")
        and not out.stderr
        and b"executable file not found" not in text
        and b"no such file or directory" not in text
    )


def _unavailable(exc: Exception) -> bool:
    from docker.errors import APIError, NotFound

    if isinstance(exc, NotFound):
        return True
    text = str(exc).lower()
    return isinstance(exc, APIError) and ("is not running" in text or "is paused" in text)


# ---------------------------------------------------------------------------- provider


@sandboxenv(name="roundtrip-docker")
class RoundtripDockerSandbox(SandboxEnvironment):
    """One hardened Docker container per trial, driven through the docker SDK."""

    def __init__(self, client: DockerClient, name: str, config: RoundtripDockerConfig) -> None:
        super().__init__()
        self._client = client
        self._name = name
        self._config = config

    @property
    def container(self) -> str:
        """The container's name (also its label-free handle for `docker exec`)."""
        return self._name

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def config_deserialize(cls, config: dict[str, Any]) -> BaseModel:
        return RoundtripDockerConfig(**config)

    @classmethod
    def default_concurrency(cls) -> int | None:
        # a trial's container idles while the model generates, so allow more than cores
        return max(8, 4 * (os.cpu_count() or 1))

    @classmethod
    async def task_init(cls, task_name: str, config: SandboxEnvironmentConfigType | None) -> None:
        cfg = _resolve_config(config)
        try:
            client = await anyio.to_thread.run_sync(_client)
            if not await anyio.to_thread.run_sync(image_exists, client, cfg.image):
                if cfg.image != IMAGE or not cfg.build_image:
                    raise SandboxImageError(
                        f"sandbox image {cfg.image} is missing: build or pull it first"
                        + (" (roundtrip-eval sandbox build)" if cfg.image == IMAGE else "")
                    )
                await anyio.to_thread.run_sync(ensure_image, client)
        except (SandboxEngineError, SandboxImageError) as exc:
            raise SandboxSetupError(str(exc)) from exc
        _run_state()  # bind this run's state where the samples will find it
        await cls._smoke_test(client, cfg)

    @classmethod
    async def _smoke_test(cls, client: DockerClient, cfg: RoundtripDockerConfig) -> None:
        """Start one locked-down container and run python3 in it, before any trial."""
        envs = await cls._start(client, "startup-check", cfg, {})
        try:
            result = await envs["default"].exec(["python3", "-I", "-c", "print(6 * 7)"], timeout=60)
        finally:
            await cls.sample_cleanup("startup-check", cfg, envs, False)
        if result.stdout.strip() != "42":
            raise SandboxSetupError(
                f"python3 does not run in a {cfg.image} sandbox container "
                f"(exit {result.returncode}: {(result.stderr or result.stdout).strip()[:200]}); "
                "rebuild it with `roundtrip-eval sandbox build --force`"
            )

    @classmethod
    async def sample_init(
        cls, task_name: str, config: SandboxEnvironmentConfigType | None, metadata: dict[str, str]
    ) -> dict[str, SandboxEnvironment]:
        cfg = _resolve_config(config)
        try:
            client = await anyio.to_thread.run_sync(_client)
        except SandboxEngineError as exc:
            raise SandboxSetupError(str(exc)) from exc
        return await cls._start(client, task_name, cfg, metadata)

    @classmethod
    async def _start(
        cls,
        client: DockerClient,
        task_name: str,
        cfg: RoundtripDockerConfig,
        metadata: dict[str, str],
    ) -> dict[str, SandboxEnvironment]:
        from docker.errors import APIError, ImageNotFound

        state = _run_state()
        name = f"roundtrip-{state.run_id}-{secrets.token_hex(4)}"
        labels = {
            LABEL: "1",
            LABEL_RUN: state.run_id,
            LABEL_TASK: task_name[:200],
            LABEL_PID: str(os.getpid()),
        }
        if metadata.get("__sample_id__") is not None:
            labels[LABEL_SAMPLE] = str(metadata["__sample_id__"])[:200]
        state.containers.add(name)
        created = threading.Event()

        def create() -> None:
            try:
                _create_container(client, name, cfg, labels)
            finally:
                created.set()

        try:
            await anyio.to_thread.run_sync(create)
        except BaseException as exc:
            # Cancelled or failed half-way: the container may exist or still be starting (a
            # native asyncio cancel is not held off by anyio's shield, so the thread may still
            # run). Wait for it to finish, then remove the container by name.
            def remove() -> None:
                created.wait(120)
                _remove_quietly(client, name)

            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(remove)
            state.containers.discard(name)
            if isinstance(exc, ImageNotFound):
                raise SandboxSetupError(
                    f"sandbox image {cfg.image} is missing: run `roundtrip-eval sandbox build`"
                ) from exc
            if isinstance(exc, APIError):
                raise RuntimeError(
                    f"could not start a sandbox container from {cfg.image}: {exc.explanation}"
                ) from exc
            raise
        return {"default": cls(client, name, cfg)}

    @classmethod
    async def sample_cleanup(
        cls,
        task_name: str,
        config: SandboxEnvironmentConfigType | None,
        environments: dict[str, SandboxEnvironment],
        interrupted: bool,
    ) -> None:
        state = _run_state()
        with anyio.CancelScope(shield=True):
            for env in environments.values():
                if isinstance(env, RoundtripDockerSandbox):
                    await anyio.to_thread.run_sync(_remove_quietly, env._client, env._name)
                    state.containers.discard(env._name)

    @classmethod
    async def task_cleanup(
        cls, task_name: str, config: SandboxEnvironmentConfigType | None, cleanup: bool
    ) -> None:
        state = _run_state()
        if not cleanup:
            if state.containers:
                print(
                    f"roundtrip-docker: kept {len(state.containers)} sandbox container(s) "
                    f"(label {LABEL_RUN}={state.run_id}); remove them with "
                    "`inspect sandbox cleanup roundtrip-docker`"
                )
            return
        with anyio.CancelScope(shield=True):
            try:
                client = await anyio.to_thread.run_sync(_client)
            except SandboxEngineError:
                return
            await anyio.to_thread.run_sync(remove_containers, client, {LABEL_RUN: state.run_id})
        state.containers.clear()

    @classmethod
    async def cli_cleanup(cls, id: str | None) -> None:
        try:
            client = await anyio.to_thread.run_sync(_client)
        except SandboxEngineError as exc:
            raise SandboxSetupError(str(exc)) from exc
        removed = await anyio.to_thread.run_sync(remove_containers, client, None, id)
        print(f"removed {len(removed)} roundtrip-docker sandbox container(s)")

    async def connection(self, *, user: str | None = None) -> SandboxConnection:
        as_user = ["--user", user] if user else []
        return SandboxConnection(
            type="roundtrip-docker",
            command=" ".join(["docker", "exec", "-it", *as_user, self._name, "sh"]),
            container=self._name,
        )

    def default_polling_interval(self) -> float:
        return 0.2

    # -- exec -----------------------------------------------------------------------------

    async def exec(
        self,
        cmd: list[str],
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        user: str | None = None,
        timeout: int | None = None,
        timeout_retry: bool = True,
        concurrency: bool = True,
    ) -> ExecResult[str]:
        """Run `cmd` in the container (see `SandboxEnvironment.exec`).

        `timeout` is enforced here, on the wall clock: on expiry every process of the exec's
        user is killed and `TimeoutError` raised; the container stays usable. There is no
        retry on timeout (`timeout_retry` is accepted for compatibility; Inspect's docker
        provider does not retry a command that hit its own timeout either). Output beyond
        `max_output_bytes` (or Inspect's exec output limit, if lower) on either stream stops
        the command and raises `OutputLimitExceededError`.
        """
        if not cmd:
            raise ValueError("exec needs a command")
        argv = list(cmd)
        if self._config.kill_strays:
            argv = ["/bin/sh", "-c", _STRAY_PRELUDE, "sh", *argv]
        data = input.encode("utf-8") if isinstance(input, str) else bytes(input or b"")
        limit = min(self._config.max_output_bytes, SandboxEnvironmentLimits.MAX_EXEC_OUTPUT_SIZE)
        out = await self._run(argv, data, self._path(cwd), env, user, timeout, limit)
        stdout = out.stdout.decode("utf-8", errors="replace")
        stderr = out.stderr.decode("utf-8", errors="replace")
        if out.status == "timeout":
            error = TimeoutError(f"Command timed out after {timeout} seconds")
            if stdout or stderr:
                error.truncated_output = stdout + stderr  # type: ignore[attr-defined]
            raise error
        if out.status == "overflow":
            raise OutputLimitExceededError(_human_size(limit), truncated_output=stdout or stderr)
        return ExecResult(out.returncode == 0, out.returncode, stdout, stderr)

    def _path(self, path: str | None) -> str:
        if path is None:
            return self._config.workdir
        if path.startswith("/"):
            return path
        return f"{self._config.workdir.rstrip('/')}/{path}"

    async def _run(
        self,
        argv: list[str],
        data: bytes,
        workdir: str,
        env: dict[str, str] | None,
        user: str | None,
        timeout: float | None,
        limit: int,
    ) -> _Outcome:
        """One docker exec, retried once if the runtime could not even start it."""
        for attempt in range(2):
            exec_id = await self._create_exec(argv, workdir, env, user)
            cancel = threading.Event()
            try:
                out = await anyio.to_thread.run_sync(
                    _pump, self._client, exec_id, data, timeout, limit, cancel,
                    abandon_on_cancel=True,
                )  # fmt: skip
            except BaseException:
                cancel.set()
                with anyio.CancelScope(shield=True):
                    await self._kill(exec_id, user)
                raise
            if out.status in ("timeout", "overflow"):
                await self._kill(exec_id, user)
            if (out.status == "exited" and (out.returncode > 128 or out.returncode < 0)
                    and not await anyio.to_thread.run_sync(self._running)):  # fmt: skip
                # a signal-death exit code because the container itself died or was removed
                raise SandboxUnavailableError(
                    f"the sandbox container {self._name} stopped while a command ran (exit {out.returncode})"
                )
            if not _is_runtime_failure(out):
                return out
            # e.g. a fork bomb left by a command that closed its output exhausted the pids
            # limit: kill every process of the sandbox user, then try once more
            await self._kill(None, None)
            if attempt == 1:
                raise SandboxUnavailableError(
                    f"the sandbox could not start a process: {out.stdout.decode(errors='replace')}"
                )
        raise AssertionError("unreachable")

    async def _create_exec(
        self, argv: list[str], workdir: str, env: dict[str, str] | None, user: str | None
    ) -> str:
        def create() -> str:
            from docker.errors import APIError

            try:
                created = self._client.api.exec_create(
                    self._name, argv, stdin=True, stdout=True, stderr=True,
                    user=user or "", environment=env or None, workdir=workdir,
                )  # fmt: skip
            except APIError as exc:
                if _unavailable(exc):
                    raise SandboxUnavailableError(
                        f"the sandbox container {self._name} is not running: {exc.explanation}"
                    ) from exc
                raise
            return str(created["Id"])

        return await anyio.to_thread.run_sync(create)

    def _running(self, settle: float = 0.3) -> bool:
        """Whether the container still runs, `settle` seconds from now at the latest: the
        engine may report a dying container as running for a moment after its processes died."""
        from docker.errors import NotFound

        end = time.monotonic() + settle
        while True:
            try:
                state = self._client.api.inspect_container(self._name)["State"]
            except NotFound:
                return False
            if not state.get("Running") or state.get("Paused"):
                return False
            if time.monotonic() >= end:
                return True
            time.sleep(0.05)

    def _default_user(self, user: str | None) -> bool:
        if not user:
            return True
        uid = self._config.user.split(":")[0]
        return user in (self._config.user, uid) or (user == "nobody" and uid == "65534")

    async def _kill(self, exec_id: str | None, user: str | None) -> None:
        """Kill every process of `user` in the container, and wait until `exec_id` has ended."""
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(self._kill_blocking, exec_id, user)

    def _kill_blocking(self, exec_id: str | None, user: str | None) -> None:
        from docker.errors import APIError

        api = self._client.api

        def ended(wait: float) -> bool:
            end = time.monotonic() + wait
            while exec_id is not None and _exec_running(self._client, exec_id):
                if time.monotonic() >= end:
                    return False
                time.sleep(0.01)
            return True

        try:
            if self._default_user(user):
                # PID 1 kills every process of the sandbox user; no new process is needed
                api.kill(self._name, KILL_SIGNAL)
                if exec_id is None:
                    time.sleep(0.2)
                    return
                if ended(3.0):
                    return
            for _ in range(3):
                # another user, or PID 1 was not ready: kill from inside, as that user
                killer = api.exec_create(self._name, ["/bin/sh", "-c", "kill -9 -1"], user=user or "")
                api.exec_start(killer["Id"])
                if ended(1.0):
                    return
            # last resort: restart the container (kills everything; /work and /tmp are emptied)
            api.restart(self._name, timeout=0)
        except APIError:
            pass  # the container is gone: nothing left to kill

    # -- files ----------------------------------------------------------------------------

    async def write_file(self, file: str, contents: str | bytes) -> None:
        # put_archive is refused for a read-only rootfs (even into a tmpfs), so write via exec
        path = self._path(file)
        data = contents.encode("utf-8") if isinstance(contents, str) else bytes(contents)
        out = await self._run(
            ["/bin/sh", "-c", _WRITE_SCRIPT, "sh", path], data, self._config.workdir, None,
            None, 600, 64 * 1024,
        )  # fmt: skip
        if out.status == "timeout":
            raise TimeoutError(f"write_file({file}) timed out")
        if out.returncode == 0:
            return
        message = out.stderr.decode(errors="replace").strip()
        if out.returncode == 21 or "is a directory" in message.lower():
            raise IsADirectoryError(f"Failed to write file: {file} because it is a directory")
        if "permission denied" in message.lower() or "read-only" in message.lower():
            raise PermissionError(f"Permission denied writing {file}: {message}")
        raise RuntimeError(f"write_file({file}) failed: {message}")

    @overload
    async def read_file(self, file: str, text: Literal[True] = True) -> str: ...

    @overload
    async def read_file(self, file: str, text: Literal[False]) -> bytes: ...

    async def read_file(self, file: str, text: bool = True) -> str | bytes:
        # get_archive does not see tmpfs mounts on this engine, so read via exec
        path = self._path(file)
        limit = SandboxEnvironmentLimits.MAX_READ_FILE_SIZE
        out = await self._run(
            ["/bin/sh", "-c", _READ_SCRIPT, "sh", path], b"", self._config.workdir, None,
            None, 600, limit,
        )  # fmt: skip
        if out.status == "timeout":
            raise TimeoutError(f"read_file({file}) timed out")
        if out.status == "overflow":
            raise OutputLimitExceededError(SandboxEnvironmentLimits.MAX_READ_FILE_SIZE_STR, None)
        if out.returncode == 2:
            raise FileNotFoundError(2, "No such file or directory.", file)
        if out.returncode == 21:
            raise IsADirectoryError(21, "Is a directory.", file)
        if out.returncode == 13:
            raise PermissionError(13, "Permission denied.", file)
        if out.returncode != 0:
            raise RuntimeError(f"read_file({file}) failed: {out.stderr.decode(errors='replace')}")
        return out.stdout.decode("utf-8") if text else out.stdout
