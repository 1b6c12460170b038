"""Red team round 10 (red21): a function too slow for its call limit is scored as passing.

The audit hook's frame can be reached from a signal handler that fires inside it (documented),
and its `f_locals` hold its defaults, among them `_lock`, the real lock the hook takes around its
signed write to descriptor 3 (docs/threat_model.md says those locals "hold nothing worth
taking"). The candidate takes that lock in its function just before returning, so the loop's
next signed send blocks, and a thread of its computes the NEXT input's answer (the inputs and
`_dec` are read from the loop's frame, which is allowed) while the loop's clock is not running;
it releases the lock when done. Each call then returns at once from a cache: a function whose
every call takes 0.6 s passes a 0.3 s call limit (the same slow function written plainly is
`timeout`). The runner's deadline per reply (limit plus `LIMIT_MARGIN`) still bounds the hidden
work, so up to about 1 s per input is hidden: this is the window the threat model names as "not
shown to work and not excluded", shown here through the hook's own lock rather than a swap of
descriptor 3. With the static screen on, the plain source is refused (`f_locals`), but the same
source run through `exec(codecs.decode(..., "rot13"))` passes the screen and the check: both
`screen=False` and the hidden form with the screen on fail today.
"""

from __future__ import annotations

import codecs
from typing import Any

import pytest

REF = "def twice(n):\n    return n * 2\n"
SLOW = "import time\n\n\ndef twice(n):\n    time.sleep(0.6)\n    return n * 2\n"
ATTACK = r"""import sys, signal, threading, time
_g = {}
def _h(signum, frame):
    if "busy" in _g:  # a handler of its own fired inside it: no nesting
        return
    _g["busy"] = True
    f = frame
    while f is not None and "lock" not in _g:
        loc = f.f_locals
        if "event" in loc and "args" in loc:  # the hook's frame: any lock in it will do
            for v in loc.values():
                if hasattr(v, "acquire") and hasattr(v, "release"):
                    _g["lock"] = v
        f = f.f_back
    del _g["busy"]
_old = signal.signal(signal.SIGALRM, _h)
signal.setitimer(signal.ITIMER_REAL, 0.00002, 0.00002)
_t = time.monotonic()
while "lock" not in _g and time.monotonic() - _t < 1.0:
    sys._getframe()
signal.setitimer(signal.ITIMER_REAL, 0, 0)
signal.signal(signal.SIGALRM, _old)  # the runner's alarm back
_f = sys._getframe()
while _f is not None and "inputs" not in _f.f_locals:
    _f = _f.f_back
_inputs = [_f.f_locals["_dec"](x) for x in _f.f_locals["inputs"]]
del _f

def _slow(n):
    time.sleep(0.6)
    return n * 2

_cache = {0: _slow(_inputs[0][0])} if "lock" in _g else {}
_i = [0]

def _work(j):
    _cache[j] = _slow(_inputs[j][0])
    _g["lock"].release()

def twice(n):
    if "lock" not in _g:  # nothing to hold: the plain slow function
        return _slow(n)
    j = _i[0]
    _i[0] += 1
    ans = _cache.pop(j)
    if j + 1 < len(_inputs):
        _g["lock"].acquire()
        threading.Thread(target=_work, args=(j + 1,)).start()
    return ans
"""
ROW = {
    "task_id": "Mbpp/997",
    "prompt": '"""\nTwice.\nassert twice(1) == 2\n"""\n',
    "entry_point": "twice",
    "canonical_solution": REF,
    "atol": 0,
    "base_input": [[1], [2], [3], [4]],
    "plus_input": [[5]],
}


HIDDEN = f"import codecs\n\nexec(codecs.decode({codecs.encode(ATTACK, 'rot13')!r}, 'rot13'))\n"


@pytest.mark.docker
@pytest.mark.parametrize(
    ("screen", "hidden"),
    [(False, False), (True, False), (True, True)],
)
async def test_work_hidden_behind_the_hooks_lock_is_not_a_pass(
    docker_client: Any, screen: bool, hidden: bool
) -> None:
    from roundtrip_eval.check.host import run_check
    from roundtrip_eval.problems.evalplus import problem_from_row
    from roundtrip_eval.sandbox import RoundtripDockerSandbox

    problem = problem_from_row("mbpp_plus", ROW)
    envs = await RoundtripDockerSandbox.sample_init("red21", None, {})
    try:
        env = envs["default"]
        ref = await run_check(env, REF, problem, screen=screen, call_timeout=0.3)
        slow = await run_check(env, SLOW, problem, screen=screen, call_timeout=0.3)
        attack = await run_check(env, HIDDEN if hidden else ATTACK, problem, screen=screen, call_timeout=0.3)
    finally:
        await RoundtripDockerSandbox.sample_cleanup("red21", None, envs, False)
    assert ref.passed, ref.detail
    assert slow.category == "timeout", slow.detail  # the control: the plain slow function
    # correct verdict: too slow (timeout) or caught (tampering); never a pass
    assert not attack.passed, f"a 0.6 s/call function passed a 0.3 s limit: {attack.detail}"
    assert attack.category in ("timeout", "tampering"), attack.detail
