"""EvaLooop's published trace of one model (their site's `details/<model_id>.json`), read once.

Why a module of its own, and small: the live comparison needs one model's trace; the 91-model
rescore (issue 30, part 1) reads all of them, and the two readers are meant to merge. Their file:
keys "0".."10" are the loops a task sustained; each holds tasks with `task_id`, `initial_prompt`,
`cycles` (per loop run: `code_output`, `summary_output`) and `successful_cycles`. A task that
sustained k < 10 loops has k + 1 entries (loop k + 1 failed); one that sustained 10 has 10.
Malformed input stops with one line naming the file and the task.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_LOOPS = 10


class TraceError(ValueError):
    """The trace file is missing or not shaped as EvaLooop writes it."""


@dataclass(frozen=True)
class TracedTask:
    """One task of their trace: loops sustained, and every loop's code and summary."""

    task_id: str
    sustained: int
    codes: tuple[str, ...]
    summaries: tuple[str, ...]

    @property
    def loop1_passed(self) -> bool:
        return self.sustained >= 1


def details_file(peer_data: Path, model_id: str) -> Path:
    """Where the trace of `model_id` lies under a peer-data folder (their site's layout)."""
    return peer_data / "evalooop" / "details" / f"{model_id}.json"


def read_trace(path: Path, max_loops: int = MAX_LOOPS) -> dict[str, TracedTask]:
    """Task id -> its traced chain, checked against the file's own bucket keys."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TraceError(f"{path}: no such file (EvaLooop's details/<model_id>.json)") from None
    except json.JSONDecodeError as error:
        raise TraceError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(data, dict):
        raise TraceError(f"{path}: expected an object keyed by loops sustained, got {type(data).__name__}")
    tasks: dict[str, TracedTask] = {}
    for key, bucket in data.items():
        if not (key.isdigit() and 0 <= int(key) <= max_loops) or not isinstance(bucket, list):
            raise TraceError(f"{path}: key {key!r} is not a loop count 0..{max_loops} holding a list")
        for item in bucket:
            task = _task(path, int(key), item, max_loops)
            if task.task_id in tasks:
                raise TraceError(f"{path}: {task.task_id} is listed twice")
            tasks[task.task_id] = task
    return tasks


def _task(path: Path, sustained: int, item: Any, max_loops: int) -> TracedTask:
    task_id = item.get("task_id") if isinstance(item, dict) else None
    if not isinstance(task_id, str):
        raise TraceError(f"{path}: an entry under {sustained!r} has no task_id")
    cycles = item.get("cycles")
    expected = min(sustained + 1, max_loops)
    if not isinstance(cycles, list) or len(cycles) != expected:
        got = len(cycles) if isinstance(cycles, list) else type(cycles).__name__
        raise TraceError(
            f"{path}: {task_id} sustained {sustained} loops but has {got} cycles, not {expected}"
        )
    if item.get("successful_cycles", sustained) != sustained:
        raise TraceError(
            f"{path}: {task_id} is under {sustained} with successful_cycles {item['successful_cycles']}"
        )
    codes = tuple(str(c.get("code_output") or "") for c in cycles)
    summaries = tuple(str(c.get("summary_output") or "") for c in cycles)
    return TracedTask(task_id, sustained, codes, summaries)


def unwrap_summary(summary: str) -> str:
    """Their next loop's input less its wrapping (`\"\"\"\\n{summary}\\n{assert line}\\n\"\"\"`): the
    model's summary alone, as our `spec` holds it."""
    lines = summary.strip().splitlines()
    if len(lines) >= 2 and lines[0].strip() == '"""' and lines[-1].strip() == '"""':
        lines = lines[1:-1]
        if lines and lines[-1].lstrip().startswith("assert "):
            lines = lines[:-1]
    return "\n".join(lines).strip()
