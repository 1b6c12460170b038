"""`check/runner/slate.py`: removal that does not recurse or trust modes, and a result that is checked.

Runs on the host, in a temporary directory (the sandbox's own routes are `test_clean_slate.py`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from roundtrip_eval.check import runner
from roundtrip_eval.check.runner.slate import SlateClock, slate_clean, slate_left


def test_a_deep_locked_tree_is_removed_without_recursion(tmp_path: Path) -> None:
    place = tmp_path / "place"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the candidate's")
    place.mkdir()
    os.chdir(place)
    try:
        for _ in range(3000):  # ~33,000 characters as one path: past PATH_MAX and the recursion limit
            os.mkdir("d" * 10)
            os.chdir("d" * 10)
        Path("answers").write_text("x")
        os.mkdir("locked")
        os.chmod("locked", 0)
    finally:
        os.chdir(tmp_path)
    (place / "a" / "b").mkdir(parents=True)
    (place / "a" / "b" / "f").write_text("1")
    os.chmod(place / "a", 0o500)
    (place / "link").symlink_to(outside)  # removed, never followed
    os.mkfifo(place / "fifo")
    assert slate_clean([str(place), str(tmp_path / "missing")]) == []
    assert os.listdir(place) == []
    assert (outside / "keep.txt").read_text() == "not the candidate's"


def test_what_cannot_be_shown_empty_is_reported(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    left = slate_clean([str(not_a_dir)])
    assert len(left) == 1 and "cannot be listed" in left[0]
    assert slate_left(str(tmp_path / "missing")) == []
    many = tmp_path / "many"
    many.mkdir()
    for i in range(8):
        (many / f"f{i}").write_text("x")
    assert len(slate_left(str(many))) == 8


def test_emptying_is_bounded_in_time_and_beats_meanwhile(tmp_path: Path) -> None:
    # red4: a tree that takes longer to remove than to make must not silence the runner (the
    # host takes a silent runner for a dead one): removal stops at the clock's deadline,
    # reports what stays, and calls the heartbeat while it works
    place = tmp_path / "place"
    for i in range(200):
        (place / f"d{i}" / "inner").mkdir(parents=True, mode=0o700)
        os.chmod(place / f"d{i}", 0)
    beats: list[int] = []
    clock = SlateClock(0.0, lambda: beats.append(1))
    clock.last_beat -= 2.0  # a second has passed since the last beat
    left = slate_clean([str(place)], clock=clock)
    assert beats == [1]
    assert left and left[-1].startswith("... ") and str(place) in left[0]  # not shown empty: reported
    assert slate_clean([str(place)], clock=SlateClock(30.0)) == []  # with time, it is emptied
    assert os.listdir(place) == []


def test_the_sandbox_receives_slate_with_the_runner() -> None:
    text = runner.source()
    assert text.count("\nfrom __future__ import annotations\n") == 1  # once, after the docstring
    assert "slate" in runner.PARTS
    assert "def slate_clean(" in text and "def _serve(" in text
    # run it as the sandbox does (`python3 -I -c`), only loading it: slate's names are its globals
    loaded = text.replace('if __name__ == "__main__":', "if False:")
    check = "\nprint(callable(slate_clean), 'roundtrip_eval' in sys.modules)\n"
    argv = [sys.executable, "-I", "-c", loaded + check]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "True False", out.stderr
