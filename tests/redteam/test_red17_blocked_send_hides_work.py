"""red17 finding: work done while the loop is blocked in its own signed send is on no clock.

The loop times each call from `started` (read right before the call) to its clock check
(after the encoding and the flush), and then sends the signed reply (`candidate._loop`). The
threat model says a call that *returns* late is judged exactly by that clock, and that the
runner's margin (`LIMIT_MARGIN`, 1 s) only matters for a call that never returns. But the
candidate can make the send itself block, after the clock check and before the next call's
`started`: it moves the reply descriptor (fd 3) onto a socket pair of its own, fills that
socket before each return so that the hook's `os.write` of the signed line blocks, and lets a
thread (which gets the GIL while the main thread is blocked in that write) do the next input's
work first, and only then pass the filler-free signed bytes on to the runner's socket,
unchanged (the signatures stay valid). Work of up to the margin per input is then counted by
no clock: a function that needs 2.4 s on fizzbuzz(45) (1.0 s of it done in that window) passes
a 2 s per-call limit, while the same function doing the 2.4 s inside the call is a `timeout`.

It passes the static screen: the descriptor is computed (`len("ch.")`) and `os.dup2` is reached
through `getattr`; nothing the audit hook refuses is used.

Correct behaviour: a call whose work took longer than `call_timeout` is a `timeout` (or the
check is `tampering`, the candidate having moved the runner's reply descriptor).
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

RELAYED = r"""
import os
import queue
import socket
import threading
import time

BEFORE_SLOW = 44  # the input the checker sends just before SLOW
_CH = len("ch.")  # the descriptor the checker reads replies from
LAST = 150  # the checker sends fizzbuzz 150 inputs
SLOW = 45  # the one input whose answer costs 2.4 s of work; the call limit is 2 s
_state = {"calls": 0, "last": None, "real": None, "ahead": False}
_forwarded = queue.SimpleQueue()  # one per line the relay passed on
_filled = queue.SimpleQueue()  # bytes of filler written before each send


def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def _relay(theirs):
    while True:
        skip = _filled.get()
        # the loop is now blocked in its signed send (the socket is full): its clock for this
        # call has been read, the next call's has not started; work here is on no one's clock
        last = _state["last"]
        if last == BEFORE_SLOW:  # the checker's inputs come in a fixed order
            _spin(1.0)
            _state["ahead"] = True
        while skip:
            skip -= len(theirs.recv(min(skip, 65536)))
        _forward_line(theirs)
        _forwarded.put(True)


def _forward_line(theirs):
    line = b""
    while not line.endswith(b"\n"):
        peek = theirs.recv(65536, socket.MSG_PEEK)
        cut = peek.find(b"\n")
        line += theirs.recv(len(peek) if cut < 0 else cut + 1)
    while line:
        line = line[os.write(_state["real"], line):]


def _fill():
    written = 0
    os.set_blocking(_CH, False)
    try:
        while True:
            written += os.write(_CH, b"\0" * 65536)
    except BlockingIOError:
        pass
    os.set_blocking(_CH, True)
    _filled.put(written)


def fizzbuzz(n):
    _state["calls"] += 1
    _state["last"] = n
    if _state["real"] is not None:
        _forwarded.get()  # the previous reply has reached the checker
    if _state["calls"] == LAST:  # the last call: hand the real channel back, relay nothing
        getattr(os, "dup" + str(_CH - 1))(_state["real"], _CH)
    elif _state["real"] is None:
        _state["real"] = os.dup(_CH)
        ours, theirs = socket.socketpair()
        getattr(os, "dup" + str(_CH - 1))(ours.fileno(), _CH)
        threading.Thread(target=_relay, args=(theirs,), daemon=True).start()
    if n == SLOW:
        _spin(1.4 if _state["ahead"] else 2.4)
    if _state["calls"] != LAST:
        _fill()
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
"""

CONTROL = r"""
import time

SLOW = 45  # the one input whose answer costs 2.4 s of work (the call limit is 2 s)


def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def fizzbuzz(n):
    if n == SLOW:
        _spin(2.4)
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
"""


@pytest.mark.parametrize("screen", [True, False], ids=["screen_on", "screen_off"])
async def test_work_hidden_in_a_blocked_send_is_still_a_timeout(docker_sandbox: Any, screen: bool) -> None:
    problem = load_problem("fizzbuzz")
    assert (44,) in problem.inputs and problem.inputs.index((44,)) + 1 == problem.inputs.index((45,))
    assert len(problem.inputs) == 150  # the candidate hands the channel back on the last call
    control = await run_check(docker_sandbox, CONTROL, problem, screen=screen)
    assert control.category == "timeout", control.detail  # 2.4 s inside the call: past the limit
    relayed = await run_check(docker_sandbox, RELAYED, problem, screen=screen)
    assert not relayed.passed, "2.4 s of work on one input passed a 2 s per-call limit"
    assert relayed.category in ("timeout", "tampering"), relayed.detail
