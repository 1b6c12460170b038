"""The runner takes one loop's messages: a second 'ready', or any line after 'done', is tampering.

The candidate side's hook signs for the loop frame bound first (`roundtrip.bind`, before any
candidate code runs); this is the runner's half of the same rule, checked on `_check` with a
scripted link, so it holds even if a second loop ever got a signature.
"""

from __future__ import annotations

import json
from _blake2 import blake2b
from typing import Any

from roundtrip_eval.check.runner import encode, supervisor
from roundtrip_eval.check.runner import protocol as p

KEY = bytes(range(32))
INPUTS = [[1], [2]]


def signed(message: dict[str, Any]) -> bytes:
    payload = json.dumps(message).encode()
    return blake2b(payload, key=KEY, digest_size=16).hexdigest().encode() + b" " + payload


def reply(i: int) -> bytes:
    return signed({p.K_KIND: p.MSG_REPLY, p.K_INDEX: i, p.K_OK: True, p.K_VALUE: encode(i)})


READY = signed({p.K_KIND: p.MSG_STAGE, p.K_STAGE: p.STAGE_READY})
DONE = signed({p.K_KIND: p.MSG_STAGE, p.K_STAGE: p.STAGE_DONE})


class ScriptedLink:
    """The part of `supervisor._Link` that `_check` uses, fed from a list of lines."""

    def __init__(self, lines: list[bytes]) -> None:
        self.lines = [b"HELLO " + KEY.hex().encode(), *lines]
        self.buffer = bytearray()

    def next(self, deadline: float) -> tuple[str, bytes]:
        return ("line", self.lines.pop(0)) if self.lines else ("exit", b"")

    def _read_channel(self) -> None:
        self.buffer += b"".join(line + b"\n" for line in self.lines)
        self.lines = []

    def wait_exit(self, deadline: float) -> None:
        return None

    def refused(self) -> str | None:
        return None

    def died(self) -> str:
        return "exited with status 0"


def run(lines: list[bytes]) -> dict[str, Any]:
    job = {"inputs": INPUTS, "check_timeout": 5.0}
    return supervisor._check(ScriptedLink(lines), job, lambda record: None)  # type: ignore[arg-type]


def test_one_loop_is_a_complete_check() -> None:
    assert run([READY, reply(0), reply(1), DONE]) == {p.K_DONE: 2}


def test_a_line_after_done_is_tampering() -> None:
    final = run([READY, reply(0), reply(1), DONE, READY])
    assert final[p.K_STOPPED] == p.STOP_TAMPERING, final
    assert "after 'done'" in final[p.K_TAMPERING][0]


def test_a_second_ready_is_tampering() -> None:
    final = run([READY, reply(0), READY, reply(0), reply(1), DONE])
    assert final[p.K_STOPPED] == p.STOP_TAMPERING, final
    assert "second 'ready'" in final[p.K_TAMPERING][0]
