"""The signing audit hook's frame holds nothing worth taking (docs/threat_model.md, *Signed
replies*; red team round 10, red21: its lock, once a default, was readable from its frame).

A signal handler that fires while the hook runs reaches the hook's frame (`f_back`) and reads its
`f_locals`. The candidate here collects every name and value it finds there over many hook
events, then answers right only when (a) it did reach the hook's frame (else this test would
prove nothing) and (b) the frame held only the event, its arguments and what the hook derives
from them: no callable, mapping, lock, code object or key of the runner's. Any other answer is
a wrong value, so the check fails and says which.
"""

from __future__ import annotations

from typing import Any

import pytest

REF = "def twice(n):\n    return n * 2\n"
PROBE = r"""import signal, sys, time, types
_seen = {}
_busy = []
def _h(signum, frame):
    if _busy:  # a handler that fires inside this one: no nesting
        return
    _busy.append(1)
    f = frame
    while f is not None:
        loc = f.f_locals
        if "event" in loc and "args" in loc:  # the hook's frame
            for k, v in loc.items():
                if k != "args":  # the event's own arguments: the candidate's to begin with
                    _seen.setdefault(k, set()).add(type(v).__name__)
        f = f.f_back
    _busy.clear()
_old = signal.signal(signal.SIGALRM, _h)
signal.setitimer(signal.ITIMER_REAL, 0.00002, 0.00002)
_t = time.monotonic()
while time.monotonic() - _t < 0.5:
    sys._getframe()
    compile("1", "<x>", "eval")
signal.setitimer(signal.ITIMER_REAL, 0, 0)
signal.signal(signal.SIGALRM, _old)
_DERIVED = {"str", "bytes", "int", "bool", "NoneType", "frame", "tuple", "stat_result", "float"}
_bad = sorted(f"{k}:{t}" for k, ts in _seen.items() for t in ts if t not in _DERIVED)

def twice(n):
    if not _seen:
        return "the probe never reached the hook's frame"
    if _bad:
        return "the hook's frame holds " + ", ".join(_bad)
    return n * 2
"""
ROW = {
    "task_id": "Mbpp/996",
    "prompt": '"""\nTwice.\nassert twice(1) == 2\n"""\n',
    "entry_point": "twice",
    "canonical_solution": REF,
    "atol": 0,
    "base_input": [[1], [2]],
    "plus_input": [[3]],
}


@pytest.mark.docker
async def test_the_hooks_frame_holds_only_the_event_and_what_it_derives(docker_client: Any) -> None:
    from roundtrip_eval.check.host import run_check
    from roundtrip_eval.problems.evalplus import problem_from_row
    from roundtrip_eval.sandbox import RoundtripDockerSandbox

    problem = problem_from_row("mbpp_plus", ROW)
    envs = await RoundtripDockerSandbox.sample_init("hook-frame", None, {})
    try:
        probe = await run_check(envs["default"], PROBE, problem, screen=False)
    finally:
        await RoundtripDockerSandbox.sample_cleanup("hook-frame", None, envs, False)
    assert probe.passed, probe.detail
