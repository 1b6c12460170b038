"""Red team round 7 (red15): a garbage collector finalizer rewrites the loop's reply.

The same hole as `test_red15_flush_rewrites_reply.py` with no hook of the loop's own: the audit
hook switches the collector off only when it *arms* a send (`me.f_code`); between the function's
return and that, the loop encodes the value and builds `reply` and `out = _dumps(reply)`, and
every GC-tracked allocation there may run a collection. A self-referencing object whose
`__del__` makes the next one keeps a finalizer ready at each collection (`gc.set_threshold(1)`);
it walks `f_back` to the loop's frame (named through `repr(frame)`, which reads no `f_code`, so
no refusal of the hook's code when it passes the hook's own frame), reads `reply` through
`f_locals` and edits the encoded value in place. Fizzbuzz returns "wrong" for each multiple of 3
but not of 5 and passes, static screen on. A fix that only moves the flush or the metaclass read
leaves this route: nothing of the candidate's may run between the encoding and the signed text.
It must fail (`semantic`, or `tampering`).
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.check.screen import first_finding
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

FINALIZER_REWRITES = '''
import gc
import sys


def _fix():
    f = sys._getframe(2)
    while f is not None and not repr(f).endswith(" code _loop>"):
        f = getattr(f, "_".join(["f", "back"]))
    if f is None:
        return
    reply = getattr(f, "_".join(["f", "locals"])).get("reply")
    if type(reply) is dict:
        for v in reply.values():
            if type(v) is list and v[:1] == ["str"] and v[1] == "wrong":
                v[1] = "Fizz"


class Ring:
    def __init__(self):
        self.me = self

    def __del__(self):
        Ring()  # the next one, garbage at once
        _fix()


gc.set_threshold(1)


def fizzbuzz(n):
    Ring()
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 5 == 0:
        return "Buzz"
    if n % 3 == 0:
        return "wrong"
    return n
'''

WITHOUT_REWRITE = FINALIZER_REWRITES.replace('v[1] = "Fizz"', "pass")


def test_the_screen_does_not_see_it() -> None:
    assert first_finding(FINALIZER_REWRITES) is None


async def test_the_function_without_the_rewrite_fails(docker_sandbox: Any) -> None:
    verdict = await run_check(docker_sandbox, WITHOUT_REWRITE, load_problem("fizzbuzz"))
    assert not verdict.passed and verdict.category == "semantic", verdict.detail


async def test_a_finalizer_rewritten_reply_does_not_pass(docker_sandbox: Any) -> None:
    problem = load_problem("fizzbuzz")
    verdict = await run_check(docker_sandbox, FINALIZER_REWRITES, problem)
    assert not verdict.passed, "fizzbuzz(3) returned 'wrong' and the check passed"
    assert verdict.category in ("semantic", "tampering"), verdict.detail
    after = await run_check(docker_sandbox, problem.reference, problem)
    assert after.passed, after.detail
