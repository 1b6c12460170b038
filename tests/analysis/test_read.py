"""Finding and reading logs (read.py): which files count as logs, and what is skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from roundtrip_eval.analysis.read import LogReadError, find_logs, read_rows


def test_find_logs_skips_inspect_listings_and_other_files(tmp_path: Path) -> None:
    for name in ("a/1.eval", "a/b/2.json", "logs.json", "eval-set.json", "notes.txt", "c/3.eval"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert [p.relative_to(tmp_path).as_posix() for p in find_logs(tmp_path)] == [
        "a/1.eval",
        "a/b/2.json",
        "c/3.eval",
    ]
    assert find_logs(tmp_path / "a" / "1.eval") == [tmp_path / "a" / "1.eval"]
    with pytest.raises(LogReadError, match="no such directory"):
        find_logs(tmp_path / "missing")


def test_read_rows_returns_unreadable_files_instead_of_failing(logdir: Path, tmp_path: Path) -> None:
    [log] = sorted(logdir.glob("*.eval"))
    shutil.copy(log, tmp_path / "good.eval")
    (tmp_path / "bad.eval").write_bytes(b"not a zip")
    trials, cycles, skipped = read_rows(tmp_path, progress=False)
    assert len(trials) == 10 and cycles
    assert {t["source"] for t in trials} == {"good.eval"}
    [(path, why)] = skipped
    assert path.name == "bad.eval" and why
