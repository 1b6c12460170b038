"""EvaLooop's published data, read: the leaderboard (`results.json`) and each model's recorded
loops (`details/<model_id>.json`), as typed records.

Why its own module: the rescore (`rescore-evalooop`) and the live comparison (issue 30, part 2)
both hold our verdicts against the same records, so both read them here. The layout is the
leaderboard site's (docs/evalooop_rescore.md restates it): keys "0".."10" of a details file are
the loops a task sustained; each task there has `task_id`, `initial_prompt`, `cycles` (one entry
per loop run, `code_output` and `summary_output`) and `successful_cycles`. A task that sustained
k < 10 loops has k + 1 entries and failed loop k + 1. Anything else is refused in one line
(`EvalooopDataError`) naming the file and the task. Pure (no sandbox, no Inspect).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roundtrip_eval.eval.extract import extract_code

MAX_LOOPS = 10
"""EvaLooop's loops per task (M)."""
TASKS = 378
"""MBPP+ v0.2.0's tasks (T): every published model has a trace of each."""


class EvalooopDataError(ValueError):
    """The data folder is not EvaLooop's published layout; the message says where."""


@dataclass(frozen=True)
class Published:
    """One leaderboard row as the site publishes it."""

    model_id: str
    name: str
    success_rate: float  # pass@1 at loop 1, a fraction, rounded to 3 places
    drop: float  # loop-1 minus loop-10 pass@1, in points, rounded to 2 places
    asl: float  # their ASL (judge-weighted), 3 places
    size: str

    @property
    def loop10(self) -> float:
        """Their loop-10 pass@1 as the row implies it: loop 1 minus the drop."""
        return self.success_rate - self.drop / 100


@dataclass(frozen=True)
class TaskTrace:
    """One task of one model: the functions of every loop run, and the loops it sustained."""

    task_id: str
    sustained: int  # loops passed before the first failure (MAX_LOOPS: every loop passed)
    codes: tuple[str, ...]  # the recorded `code_output` of loops 1..len(codes)
    summaries: tuple[str, ...]  # the recorded `summary_output` of the same loops
    prompt: str

    def their_passed(self, loop: int) -> bool:
        """Their verdict on loop `loop` (1-based): passed iff it is within the sustained run."""
        return loop <= self.sustained


@dataclass(frozen=True)
class ModelTrace:
    """Every task of one model."""

    model_id: str
    tasks: tuple[TaskTrace, ...]

    @property
    def loops(self) -> list[int]:
        """Loops sustained, task by task (what ASL and pass@k are computed from)."""
        return [t.sustained for t in self.tasks]


def extract(reply: str) -> str | None:
    """EvaLooop's extraction: the first fenced block, else the whole reply, stripped (None if empty).
    Restated from their code; the same rule as the suite's `-T extraction=first_fence`."""
    return extract_code(reply, "", "first_fence").code


def read_published(folder: Path) -> dict[str, Published]:
    """The leaderboard rows of `folder/results.json`, by model id."""
    path = folder / "results.json"
    data = _json(path)
    rows = data.get("models") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise EvalooopDataError(f"{path}: no 'models' list (EvaLooop's leaderboard results.json)")
    out: dict[str, Published] = {}
    for i, row in enumerate(rows):
        try:
            out[str(row["model_id"])] = Published(
                model_id=str(row["model_id"]),
                name=str(row.get("name") or row["model_id"]),
                success_rate=float(row["successRate"]),
                drop=float(row["drop"]),
                asl=float(row["aslScore"]),
                size=str(row.get("size") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EvalooopDataError(f"{path}: models[{i}] lacks a readable {exc}") from None
    return out


def model_ids(folder: Path) -> list[str]:
    """Models with a details file, sorted."""
    details = folder / "details"
    if not details.is_dir():
        raise EvalooopDataError(f"{folder}: no details/ folder (EvaLooop's per-model loop records)")
    return sorted(p.stem for p in details.glob("*.json"))


def read_model(folder: Path, model_id: str) -> ModelTrace:
    """One model's trace from `folder/details/<model_id>.json`, checked for shape."""
    path = folder / "details" / f"{model_id}.json"
    data = _json(path)
    if not isinstance(data, dict):
        raise EvalooopDataError(f"{path}: not an object keyed by loops sustained")
    tasks: list[TaskTrace] = []
    for key, entries in data.items():
        if not (key.isdigit() and 0 <= int(key) <= MAX_LOOPS) or not isinstance(entries, list):
            raise EvalooopDataError(f"{path}: key {key!r} is not a loop count 0..{MAX_LOOPS} with a list")
        for entry in entries:
            tasks.append(_task(path, int(key), entry))
    seen: set[str] = set()
    for task in tasks:
        if task.task_id in seen:
            raise EvalooopDataError(f"{path}: task {task.task_id} appears twice")
        seen.add(task.task_id)
    tasks.sort(key=lambda t: _task_order(t.task_id))
    return ModelTrace(model_id, tuple(tasks))


def read_models(folder: Path, only: Sequence[str] | None = None) -> list[ModelTrace]:
    """Every model with a details file (or those of `only`, refused if one has none)."""
    known = model_ids(folder)
    if only:
        missing = [m for m in only if m not in known]
        if missing:
            raise EvalooopDataError(
                f"{folder}: no details for {', '.join(missing)} ({len(known)} models have them)"
            )
        known = [m for m in known if m in set(only)]
    return [read_model(folder, m) for m in known]


def distinct_functions(models: Iterable[ModelTrace]) -> dict[tuple[str, str], int]:
    """Each distinct (task, raw recorded function) and how many loops recorded it."""
    counts: dict[tuple[str, str], int] = {}
    for model in models:
        for task in model.tasks:
            for code in task.codes:
                counts[(task.task_id, code)] = counts.get((task.task_id, code), 0) + 1
    return counts


def _task(path: Path, sustained: int, entry: Any) -> TaskTrace:
    where = f"{path}: a task under {sustained}"
    if not isinstance(entry, dict) or not isinstance(entry.get("task_id"), str):
        raise EvalooopDataError(f"{where} has no task_id")
    where = f"{path}: {entry['task_id']}"
    cycles = entry.get("cycles")
    if not isinstance(cycles, list) or not all(isinstance(c, dict) for c in cycles):
        raise EvalooopDataError(f"{where}: 'cycles' is not a list of loop records")
    wanted = sustained + 1 if sustained < MAX_LOOPS else MAX_LOOPS
    if len(cycles) != wanted:
        raise EvalooopDataError(
            f"{where}: sustained {sustained} loops but records {len(cycles)} (expected {wanted})"
        )
    if entry.get("successful_cycles", sustained) != sustained:
        raise EvalooopDataError(
            f"{where}: successful_cycles {entry.get('successful_cycles')!r} != {sustained}"
        )
    return TaskTrace(
        task_id=entry["task_id"],
        sustained=sustained,
        codes=tuple(str(c.get("code_output") or "") for c in cycles),
        summaries=tuple(str(c.get("summary_output") or "") for c in cycles),
        prompt=str(entry.get("initial_prompt") or ""),
    )


def _task_order(task_id: str) -> tuple[int, str]:
    tail = task_id.rsplit("/", 1)[-1]
    return (int(tail) if tail.isdigit() else -1, task_id)


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalooopDataError(f"{path}: not found (give EvaLooop's leaderboard data folder)") from None
    except (OSError, ValueError) as exc:
        raise EvalooopDataError(f"{path}: cannot be read as JSON ({exc})") from None
