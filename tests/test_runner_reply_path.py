"""The reply path from a call's return to its signed send (red15's cause, closed by it).

Candidate code can still run there: an opaque value's `__repr__` (which may switch the
collector back on), a finalizer, the flush. What it must not be able to do is change what is
signed, because every message is a str from the moment it exists (`codec._enc_json`,
`codec._message`); and what it spends there is the call's time. Each candidate below passes
against a runner that kept the encoding, a reply or a stop message in a list or dict, or read
the clock before encoding. The static screen is off: these are about the runner's own defences.
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

_WALKER = '''
import gc
import sys


def _loop_frame():
    f = sys._getframe(2)
    while f is not None and not repr(f).endswith(" code _loop>"):
        f = getattr(f, "_".join(["f", "back"]))
    return f


def _frames():
    f = sys._getframe(2)
    while f is not None:
        yield f
        f = getattr(f, "_".join(["f", "back"]))
'''

# A repr switches the collector on (the loop switched it off at the return) and leaves a
# finalizer that, at the encoder's next allocation, rewrites every list encoding of a Box it
# finds in the runner's frames into the str or int the Box holds.
REPR_REARMS_THE_COLLECTOR = _WALKER + '''

def _fix():
    for f in _frames():
        if " code _" not in repr(f):
            continue
        for v in list(getattr(f, "_".join(["f", "locals"])).values()):
            if type(v) is list and v[:2] == ["opaque", "Box"]:
                right = RIGHT[0]
                v[:] = ["int", str(right)] if type(right) is int else ["str", right]


class Ring:
    def __init__(self):
        self.me = self

    def __del__(self):
        Ring()
        _fix()


RIGHT = [None]


class Box:
    def __init__(self, right):
        self.right = right

    def __repr__(self):
        RIGHT[0] = self.right
        gc.enable()
        gc.set_threshold(1)
        Ring()
        return "Box()"


def fizzbuzz(n):
    if n % 15 == 0:
        r = "FizzBuzz"
    elif n % 3 == 0:
        r = "Fizz"
    elif n % 5 == 0:
        r = "Buzz"
    else:
        r = n
    return Box(r)
'''

# A right fizzbuzz that rebinds a runner global (tampering), and a finalizer that turns the
# loop's stop message into the end of the check before it is written.
HIDES_THE_TAMPER = _WALKER + '''
import __main__


def _fix():
    f = _loop_frame()
    if f is None:
        return
    stop = getattr(f, "_".join(["f", "locals"])).get("stop")
    if type(stop) is dict:
        stop.clear()
        stop.update({"k": "stage", "stage": "done"})


class Ring:
    def __init__(self):
        self.me = self

    def __del__(self):
        Ring()
        _fix()


def fizzbuzz(n):
    setattr(__main__, "ZYGOTE", [0])
    gc.set_threshold(1)
    Ring()
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''

# The function returns at once; its value's repr then spends past the call's limit, once.
SLOW_REPR = '''
import time

SPENT = []


class Box:
    def __repr__(self):
        if not SPENT:
            SPENT.append(1)
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                pass
        return "Box()"


def fizzbuzz(n):
    return Box()
'''


async def test_a_repr_that_rearms_the_collector_changes_no_encoding(docker_sandbox: Any) -> None:
    problem = load_problem("fizzbuzz")
    verdict = await run_check(docker_sandbox, REPR_REARMS_THE_COLLECTOR, problem, screen=False)
    assert not verdict.passed, "fizzbuzz returned a Box and the check passed"
    assert verdict.category in ("return_type", "tampering"), verdict.detail


async def test_a_finalizer_cannot_turn_a_tamper_into_the_end(docker_sandbox: Any) -> None:
    problem = load_problem("fizzbuzz")
    verdict = await run_check(docker_sandbox, HIDES_THE_TAMPER, problem, screen=False)
    assert not verdict.passed, "a rebound runner global went unreported"
    assert verdict.category == "tampering", verdict.detail


async def test_time_spent_encoding_the_value_is_the_calls(docker_sandbox: Any) -> None:
    problem = load_problem("fizzbuzz")
    verdict = await run_check(docker_sandbox, SLOW_REPR, problem, screen=False, call_timeout=0.5)
    assert not verdict.passed and verdict.category == "timeout", verdict.detail
    after = await run_check(docker_sandbox, problem.reference, problem, call_timeout=0.5)
    assert after.passed, after.detail
