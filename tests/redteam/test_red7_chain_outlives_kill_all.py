"""red7: a passing cycle leaves a chain of processes that `_kill_all` cannot reach in its 200
rounds, and every later cycle's correct program scores `crash`.

Cycle 1's candidate is a correct fizzbuzz. On its first call it forks a process that becomes
the bottom ("leaf") of a chain: the leaf forks a child (which takes its own session) and then
execs `/bin/sleep`, so the chain grows one link at a time while each link stays the child of
the one above it. The calls wait (50 ms each, well inside `call_timeout`) until the container
holds about 95 processes (its pids limit is 128). The check passes.

After the check the runner's `supervisor._kill_all` kills the candidate process and its group,
then, for at most 200 rounds, every *direct* child of the runner (`/proc/self/task/*/children`)
and its group. A link becomes the runner's child only when the link above it has died, so each
round peels one link, while the leaf keeps adding links at the bottom; after 200 rounds the
runner gives up with most of the chain alive. The leaf then kills every process not in the
chain, at once: the candidate process the runner pre-spawns for the next check (`_serve` spawns
it as soon as a check ends) and the zygote the runner restarts (the old chain's seccomp filter
protects only the runner and the *first* zygote's pid). Cycles 2 and 3 are the reference itself
and score `crash: the runner failed: RuntimeError: the zygote could not start a candidate
process` (or `crash: the candidate process did not start (killed by SIGKILL (the memory
limit?))`): a right function scored as failing, because of what an earlier cycle left, and the
trial never runs in a working sandbox again.

Expected: every cycle passes (what a check leaves running must be gone before the next check,
or the next check must run in a fresh sandbox). Default settings (static screen on: nothing here
is a construct it refuses); the same with `-T static_screen=false`. Reproduced twice with
`inspect eval roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=3 -T stop_on_failure=false
--epochs 1`, and 3 of 3 runs through `run_check` on one `roundtrip-docker` sandbox.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from replay_scripts import trial, write

from roundtrip_eval.eval.tasks import fizzbuzz
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

CHAIN = '''import os
import time

_STARTED = []


def _count():
    return sum(1 for p in os.listdir("/proc") if p.isdigit())


def _leaf(ours):
    """The bottom of a chain of processes, each in its own session: kill every process that
    is not in the chain, and while the chain is short, add a link."""
    while True:
        live = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        for pid in live:
            if pid not in ours and pid != 1:
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
        if len(live) >= 100:
            time.sleep(0.001)
            continue
        try:
            child = os.fork()
        except OSError:
            continue
        if child:  # the old leaf becomes a link: a small process that waits
            os.execv("/bin/sleep", ["sleep", "600"])
        os.setsid()
        ours.add(os.getpid())


def fizzbuzz(n):
    if not _STARTED:
        _STARTED.append(os.getpid())
        if os.fork() == 0:
            os.setsid()
            _leaf({_STARTED[0], os.getpid()})
    end = time.monotonic() + 0.05
    while _count() < 95 and time.monotonic() < end:  # let the chain grow before the check ends
        time.sleep(0.005)
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''


@pytest.mark.parametrize("screen", [True, False], ids=["screen", "no_screen"])
def test_a_chain_left_running_does_not_fail_later_correct_cycles(tmp_path: Path, screen: bool) -> None:
    reference = load_problem("fizzbuzz").reference
    replies = trial("fizzbuzz", [CHAIN, reference, reference])
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", 1): replies})
    [log] = inspect_eval(
        fizzbuzz(epochs=1, cycles=3, stop_on_failure=False, static_screen=screen),
        model=f"replay/{script}", log_dir=str(tmp_path / "logs"), display="none",
    )  # fmt: skip
    assert log.status == "success", log.error
    assert log.samples
    cycles = log.samples[0].store["cycles"]
    assert cycles[0]["passed"], cycles[0]["detail"]  # the candidate itself is correct
    assert [c["passed"] for c in cycles] == [True, True, True], [c["detail"] for c in cycles]
