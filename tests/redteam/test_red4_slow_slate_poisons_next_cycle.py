"""red4: a passing cycle that leaves many empty directories of mode 000 makes the NEXT cycle's
correct program score `crash`.

Cycle 1's candidate is a correct fizzbuzz that also makes empty directories (mode 000) in /tmp
and /dev/shm for about 18 s of its own check (well inside its limits: 4 s at import, 1.5 s in
each of the first calls; it stops before the container's memory is near its limit). It passes.
The warm runner writes its records and `END`, then empties the places (`slate.slate_empty`):
removing one directory costs ~8 syscalls and, for mode 000, an EACCES and a chmod, where making
it cost one `mkdir`, so the clean-up outlasts the creation several times over. Meanwhile cycle
2's job (an ordinary correct fizzbuzz) has been sent; the runner is still cleaning and writes no
byte (no heartbeat before a check starts), so after `warm.STALL_SECONDS` (10 s) the host kills it
as "stopped answering", starts another, which cleans again before the check, stalls again, and
the host gives up: `crash: the checker's runner was lost twice in one check ...`, the trial's
first failure (drift `crash` at cycle 2) is a correct program, and the sandbox is renewed.
Expected: every cycle passes (the time to empty the places is not the next candidate's).
Default settings (static screen on); reproduced twice with `inspect eval roundtrip_eval/fizzbuzz
--model replay/FILE -T cycles=3 --epochs 1`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from replay_scripts import trial, write

from roundtrip_eval.eval.tasks import fizzbuzz
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

DIRBOMB = '''import os, time
_T0 = time.monotonic()
_STATE = [0]  # batches of 1000 directories made

def _mem():
    try:
        with open("/sys/fs/cgroup/memory/memory.usage_in_bytes") as f:
            return int(f.read())
    except OSError:
        try:
            with open("/sys/fs/cgroup/memory.current") as f:
                return int(f.read())
        except OSError:
            return 0

def _grow(seconds):
    end = time.monotonic() + seconds
    if time.monotonic() - _T0 > 18.0:
        return
    mk = os.mkdir
    while time.monotonic() < end:
        if _mem() > 440401920:
            return
        base = ("/tmp", "/dev/shm")[_STATE[0] % 2] + "/d%d_" % _STATE[0]
        for i in range(1000):
            try:
                mk(base + str(i), 0)
            except OSError:
                return
        _STATE[0] += 1

_grow(4.0)

def fizzbuzz(n):
    _grow(1.5)
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''


def test_next_cycle_is_not_scored_for_the_clean_up(tmp_path: Path) -> None:
    reference = load_problem("fizzbuzz").reference
    replies = trial("fizzbuzz", [DIRBOMB, reference, reference])
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", 1): replies})
    [log] = inspect_eval(
        fizzbuzz(epochs=1, cycles=3), model=f"replay/{script}", log_dir=str(tmp_path / "logs"),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.samples
    cycles = log.samples[0].store["cycles"]
    assert cycles[0]["passed"], cycles[0]["detail"]  # the candidate itself is correct
    assert [c["passed"] for c in cycles] == [True, True, True], [c["detail"] for c in cycles]
    # fx2: the clean-up is cycle 1's (bounded, heartbeating; a fresh sandbox past the bound), so
    # the next cycles neither wait for it nor run in a renewed sandbox of their own
    notes = [c["check"]["sandbox_note"] for c in cycles]
    assert notes[1:] == ["", ""], notes
    assert notes[0] == "" or "the trial goes on in a fresh sandbox" in notes[0], notes
    print("cycle 1's sandbox note:", notes[0] or "(none: emptied in time)")
