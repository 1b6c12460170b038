"""One progress line for a whole rescoring run, and what each finished trial left behind.

Why a hook: a rescoring is hundreds of evals in one `eval()` call, and Inspect's own display
prints a full results table per eval (hundreds of them for the published dataset). The run is
made with `display="none"`, and an Inspect hook (`on_task_start`, `on_sample_end`,
`on_task_end`) advances one counter for the run. The same hook keeps each finished sample's
cycle history and error (`Finished`), so the per-trial rows need not read every log back; the
logs are still written, and `outcomes.trial_rows` reads them just as well.

The hook is registered on import and does nothing unless a `Capture` is active (only inside
`run_rescore`), so other evals in the same process are untouched.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from inspect_ai.hooks import Hooks, SampleEnd, TaskEnd, TaskStart, hooks

from roundtrip_eval.analysis.rescore.plan import group_of_log
from roundtrip_eval.analysis.upstream import EvalGroup
from roundtrip_eval.eval.record import CYCLES_KEY

CYCLE_KEYS = ("cycle", "passed", "category", "detail", "code")
"""What the rows read of each cycle record (outcomes.py, rows.trial_outcome); the rest (replies,
check evidence) stays in the logs."""


@dataclass
class Finished:
    """What `outcomes.trial_record` reads of one finished sample (a stand-in for EvalSample)."""

    epoch: int
    store: dict[str, Any]
    error: Any


@dataclass
class EvalResult:
    """What `outcomes.trial_rows` reads of one eval (a stand-in for its EvalLog)."""

    location: str = ""
    samples: list[Finished] = field(default_factory=list)


class ProgressLine:
    """`rescore-upstream: 1,234/5,291 replays (23%), 4,321 checks, 1m05s` on stderr.

    On a terminal the line is redrawn in place (at most 4 times a second); elsewhere (a log
    file, CI) a new line is written every 5% or every 30 s, so the output stays short."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.checks = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self._drawn = 0.0
        self._step = -1

    def advance(self, checks: int) -> None:
        self.set(self.done + 1, self.checks + checks)

    def set(self, done: int, checks: int) -> None:
        """Jump to `done` replays and `checks` checks (the sum over worker processes)."""
        if (done, checks) == (self.done, self.checks):
            return
        self.done, self.checks = done, checks
        now = time.monotonic()
        step = 20 * self.done // self.total
        if self.tty and (now - self._drawn >= 0.25 or self.done == self.total):
            self._write("\r" + self.text() + "\x1b[K")
            self._drawn = now
        elif not self.tty and (step > self._step or now - self._drawn >= 30):
            self._write(self.text() + "\n")
            self._drawn, self._step = now, step

    def text(self) -> str:
        minutes, seconds = divmod(int(time.monotonic() - self.started), 60)
        share = 100 * self.done // self.total
        return (
            f"rescore-upstream: {self.done:,}/{self.total:,} replays ({share}%), "
            f"{self.checks:,} checks, {minutes}m{seconds:02d}s"
        )

    def close(self) -> None:
        if self.tty and self.enabled:
            self._write("\n")

    def _write(self, text: str) -> None:
        if self.enabled:
            self.stream.write(text)
            self.stream.flush()


class ProgressFile:
    """A worker process's progress, for its parent (workers.py): `<replays> <checks>` in a
    file, rewritten at most twice a second and when the worker ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done = 0
        self.checks = 0
        self._written = 0.0

    def advance(self, checks: int) -> None:
        self.done += 1
        self.checks += checks
        if time.monotonic() - self._written >= 0.5:
            self._write()

    def close(self) -> None:
        self._write()

    def _write(self) -> None:
        self.path.write_text(f"{self.done} {self.checks}\n", encoding="utf-8")
        self._written = time.monotonic()


class Capture:
    """The finished samples of one rescoring run, by eval group, and its progress line."""

    def __init__(self, progress: ProgressLine | ProgressFile) -> None:
        self.progress = progress
        self.groups: dict[str, EvalGroup] = {}  # eval id -> group
        self.results: dict[EvalGroup, EvalResult] = {}

    def result(self, group: EvalGroup) -> EvalResult | None:
        return self.results.get(group)

    def task_start(self, eval_id: str, metadata: dict[str, Any]) -> None:
        group = group_of_log(metadata)
        self.groups[eval_id] = group
        self.results.setdefault(group, EvalResult())

    def sample_end(self, eval_id: str, sample: Any) -> None:
        cycles = [{k: c.get(k) for k in CYCLE_KEYS} for c in (sample.store or {}).get(CYCLES_KEY, [])]
        store = {CYCLES_KEY: cycles}
        group = self.groups.get(eval_id)
        if group is not None:
            self.results[group].samples.append(Finished(sample.epoch, store, sample.error))
        self.progress.advance(sum(1 for c in cycles if c.get("code") is not None))

    def task_end(self, eval_id: str, location: str) -> None:
        group = self.groups.get(eval_id)
        if group is not None:
            self.results[group].location = location


_ACTIVE: Capture | None = None


@contextmanager
def capturing(progress: ProgressLine | ProgressFile) -> Iterator[Capture]:
    """Make the hook record into a fresh Capture for the duration of the block."""
    global _ACTIVE
    capture = Capture(progress)
    _ACTIVE = capture
    try:
        yield capture
    finally:
        _ACTIVE = None
        progress.close()


@hooks(name="roundtrip_eval_rescore", description="roundtrip-eval rescore-upstream: one progress line")
class RescoreHook(Hooks):
    """Forwards task and sample ends to the active Capture (inactive outside a rescoring)."""

    def enabled(self) -> bool:
        return _ACTIVE is not None

    async def on_task_start(self, data: TaskStart) -> None:
        if _ACTIVE is not None:
            _ACTIVE.task_start(data.eval_id, dict(data.spec.metadata or {}))

    async def on_sample_end(self, data: SampleEnd) -> None:
        if _ACTIVE is not None:
            _ACTIVE.sample_end(data.eval_id, data.sample)

    async def on_task_end(self, data: TaskEnd) -> None:
        if _ACTIVE is not None:
            _ACTIVE.task_end(data.eval_id, data.log.location)
