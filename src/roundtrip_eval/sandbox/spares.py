"""Spare trial containers: the next trials' containers, started while the current trials run.

Creating a container and starting its warm runner costs ~0.1-0.2 s idle and far more under
load; tearing one down ~0.1 s. Within an Inspect eval run the provider keeps `spare_containers`
of them ready beyond the trials that are starting: each `sample_init` takes one if there is one
and has the next ones started in worker threads (so the pool grows to the run's concurrency),
and a finished trial's container is removed in a worker thread too, so neither sits on a
trial's path. `task_init` (once per sandbox configuration of a run) starts the first spare as
its smoke test: its runner saying READY shows python3 runs in the image. Isolation per trial is
unchanged: a spare has run nothing but its own warm runner, and each is given to exactly one
trial. `task_cleanup` waits for the workers, then removes the spares and every other container
of the run. Outside an eval run (a test or script calling `sample_init` directly) there are no
spares, and removal is done before `sample_cleanup` returns.

Spares carry the run's and task's labels but no sample label (no sample exists yet).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from roundtrip_eval.sandbox.config import RoundtripDockerConfig
from roundtrip_eval.sandbox.containers import (
    RunState,
    TrialContainer,
    create_container,
    remove_quietly,
    trial_labels,
)
from roundtrip_eval.sandbox.warm import WarmRunner

if TYPE_CHECKING:
    from docker import DockerClient

log = logging.getLogger(__name__)


@dataclass
class Spares:
    """One eval run's spare containers (each with its warm runner started) and its workers."""

    keep: int = 2  # spares to keep ready beyond the trials that are starting
    ready: dict[RoundtripDockerConfig, list[tuple[TrialContainer, WarmRunner]]] = field(default_factory=dict)
    making: dict[RoundtripDockerConfig, int] = field(default_factory=dict)
    workers: set[threading.Thread] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False

    def take(self, cfg: RoundtripDockerConfig) -> tuple[TrialContainer, WarmRunner] | None:
        with self.lock:
            ready = self.ready.get(cfg)
            return ready.pop() if ready else None

    def top_up(
        self, state: RunState, client: DockerClient, task_name: str, cfg: RoundtripDockerConfig
    ) -> None:
        """Start one more spare, and more while fewer than `keep` are ready or being made."""
        with self.lock:
            have = len(self.ready.get(cfg, [])) + self.making.get(cfg, 0)
            count = max(1, self.keep - have)
            self.making[cfg] = self.making.get(cfg, 0) + count
        for _ in range(count):
            self._work(self._make, state, client, task_name, cfg)

    def prepare(
        self, state: RunState, client: DockerClient, task_name: str, cfg: RoundtripDockerConfig
    ) -> None:
        """Make one spare now, in this thread (blocking), and raise what went wrong."""
        with self.lock:
            self.making[cfg] = self.making.get(cfg, 0) + 1
        self._make(state, client, task_name, cfg)

    def remove(self, state: RunState, box: TrialContainer) -> None:
        """Remove a finished trial's container in a worker thread."""

        def remove() -> None:
            remove_quietly(box.client, box.name)
            state.containers.discard(box.name)

        self._work(remove)

    def close(self, timeout: float = 120.0) -> list[TrialContainer]:
        """Stop making spares, wait for the workers; the spares left (to be removed)."""
        with self.lock:
            self.closed = True
            workers = list(self.workers)
        for worker in workers:
            worker.join(timeout)
        with self.lock:
            left = [pair for ready in self.ready.values() for pair in ready]
            self.ready.clear()
        for _box, warm in left:
            warm.forget()
        return [box for box, _warm in left]

    def _work(self, target: object, *args: object) -> None:
        with self.lock:
            if self.closed:
                return
            worker = threading.Thread(target=self._run, args=(target, *args), daemon=True)
            self.workers.add(worker)
        worker.start()

    def _run(self, target: object, *args: object) -> None:
        try:
            target(*args)  # type: ignore[operator]
        except Exception as exc:  # noqa: BLE001 - a spare that failed is simply not there
            log.warning("roundtrip-docker: a spare container could not be prepared: %s", exc)
        finally:
            with self.lock:
                self.workers.discard(threading.current_thread())

    def _make(
        self, state: RunState, client: DockerClient, task_name: str, cfg: RoundtripDockerConfig
    ) -> None:
        import secrets

        name = f"roundtrip-{state.run_id}-{secrets.token_hex(4)}"
        state.containers.add(name)
        box = TrialContainer(client, name, cfg)
        try:
            warm = WarmRunner(box, create_container(client, name, cfg, trial_labels(state, task_name, {})))
            if cfg.warm_runner and not self.closed:  # the run is ending: do not wait for it
                warm.start()
        except BaseException:
            remove_quietly(client, name)
            state.containers.discard(name)
            raise
        finally:
            with self.lock:
                self.making[cfg] = self.making.get(cfg, 1) - 1
        with self.lock:
            if not self.closed:
                self.ready.setdefault(cfg, []).append((box, warm))
                return
        warm.forget()
        remove_quietly(client, name)
        state.containers.discard(name)
