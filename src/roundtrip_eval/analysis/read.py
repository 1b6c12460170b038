"""Finding and reading logs: every Inspect log under a folder, or an export folder, as rows.

Why apart from the extraction (rows.py): reading is where files go wrong (unreadable, not
ours, empty folder), and every such case must end in one clear line, not a traceback. So the
failures are decided here, once, for `report` and `export` alike. `load_rows` is the one
entry point: a log folder and an export folder give the same rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.blame_logs import attach_verdicts
from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.export import find_export, load_export
from roundtrip_eval.analysis.rows import is_roundtrip_log, log_rows


class LogReadError(RuntimeError):
    """No readable Inspect log: the message says where and what to do."""


INSPECT_INDEX_FILES = frozenset({"logs.json", "eval-set.json"})
"""Inspect's own listings beside the logs (an eval-set writes both): not logs, not warnings."""


def find_logs(root: Path) -> list[Path]:
    """Every `.eval` and `.json` log file under `root` (recursive), in a stable order."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise LogReadError(f"{root}: no such directory")
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in (".eval", ".json") and p.name not in INSPECT_INDEX_FILES and p.is_file()
    )


def read_rows(root: Path, progress: bool = True) -> tuple[list[Row], list[Row], list[tuple[Path, str]]]:
    """Rows of every readable log under `root`; unreadable files are returned, not fatal.

    `.json` files that are not Inspect logs (e.g. Inspect's own `logs.json` listing) count as
    unreadable. A progress counter goes to stderr when `progress` is true.
    """
    from inspect_ai.log import read_eval_log

    paths = find_logs(root)
    trials: list[Row] = []
    cycles: list[Row] = []
    skipped: list[tuple[Path, str]] = []
    with _Progress(len(paths), "reading logs", enabled=progress) as bar:
        for path in paths:
            source = path.relative_to(root).as_posix() if root.is_dir() else path.name
            try:
                log = read_eval_log(str(path), resolve_attachments=True)
            except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not fatal
                skipped.append((path, f"{type(exc).__name__}: {str(exc)[:200]}"))
            else:
                if not is_roundtrip_log(log):
                    skipped.append((path, "not a roundtrip-eval log (no per-cycle history)"))
                else:
                    t, c = log_rows(log, source)
                    attach_verdicts(t, path)  # `roundtrip-eval blame` wrote them beside the log
                    trials.extend(t)
                    cycles.extend(c)
            bar.advance()
    return trials, cycles, skipped


class _Progress:
    """A minimal stderr progress display (rich when available, else a counter)."""

    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.total, self.label, self.enabled = total, label, enabled and total > 1
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress

            self._progress = Progress(console=Console(stderr=True), transient=True)
            self._progress.__enter__()
            self._task = self._progress.add_task(self.label, total=self.total)
        return self

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)


def load_rows(source: Path, progress: bool = True) -> tuple[list[Row], list[Row], list[str]]:
    """Rows from a log folder or an export folder; raises LogReadError when there are none.

    Returns (trials, cycles, warnings) where warnings name unreadable files.
    """
    if source.is_dir() and find_export(source) is not None:
        trials, cycles = load_export(source)
        return trials, cycles, []
    trials, cycles, skipped = read_rows(source, progress=progress)
    warnings = [f"skipped {path}: {why}" for path, why in skipped]
    if not trials:
        if skipped:
            raise LogReadError(
                f"{source}: none of its {len(skipped)} log file(s) could be read "
                f"(first: {skipped[0][0].name}: {skipped[0][1]})"
            )
        raise LogReadError(
            f"{source}: no Inspect logs (.eval/.json) with roundtrip-eval trials found; "
            "point it at a log directory or at a folder written by `roundtrip-eval export`"
        )
    return trials, cycles, warnings
