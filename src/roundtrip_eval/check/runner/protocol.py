# inspect-evals-lint: ignore-file[host_code_execution] -- a part of the runner, which runs inside the sandbox
"""What the runner's parts and the host agree on: limits, descriptors, event names, message
and record keys, and the refusals of the candidate process's audit hook.

Stdlib-only and free of imports, like every part of the runner (see `runner/__init__.py`); the
host reads the records into typed values with these names (`check/host.py`).
"""

from __future__ import annotations

MAX_DEPTH = 50
CHECK_DIR_PREFIX = ".rt-check-"
MAX_VALUE_BYTES = 64 * 1024
"""A return value whose JSON text is at most this long travels as itself (the host compares it
and shows it in a verdict's detail): the largest expected value in tasks/ encodes to 650 bytes,
and all but a few of MBPP+'s and HumanEval+'s fit (docs/peers_mbpp.md). A longer one travels as
a digest of its encoding (`DIGEST_TAG`), which the host compares with C0's."""
CHECK_INLINE_BYTES = 512 * 1024
"""Bytes of values one check sends as themselves, all inputs together; past it every value goes
as a digest, so 1,000 inputs of 64 KiB cannot overflow the sandbox's output cap (1 MiB a
stream) and hide the verdict."""
DIGEST_TAG = "digest"
"""`["digest", type name, blake2b-256 of the value's JSON text, its length]`: a value too long
to send; equal digests mean equal encodings, so the host's comparison stays exact and typed."""
VALUE_LIMITS = (16 << 20, 256 * 1024)
"""(JSON bytes, counted as the encoder goes; items) one value may encode to at all: past either,
the opaque `TOO_LARGE` marker, which matches nothing. They bound the candidate process's memory
for one encoding."""
CHECK_LIMITS = (256 << 20, 1 << 20)
"""(JSON bytes, items) the encoder may spend on one check, all values together: past them every
value is `TOO_LARGE`, so a candidate returning huge values gets its verdict in seconds. (The
largest total of C0's own values is 147 MB of text in few items, HumanEval+ 15.)"""
HEX_INT_BITS = 14000
"""An int longer than this (about 4,200 digits) is encoded in hex (`-0x1f`): linear in its size,
and free of Python's 4,300-digit limit on decimal conversion, which the sandbox keeps."""
HASH_SEED = "0"
"""PYTHONHASHSEED of every candidate process and of C0's run on the host (`problems.reference`):
the iteration order of a set of strings follows the hash seed, so C0 and the candidate must
share one for the same code to give the same tuple (EvalPlus forks both from one process)."""
HEAD_BYTES = 400
SLATE_SECONDS = 5.0
"""How long the runner may spend emptying the writable places before a check, and again after
it (heartbeating meanwhile); what stays after that is reported (`K_LEFT`) and the host goes on
in a fresh container. The host's limit for one check adds both to the check's own."""
MAX_LINE = MAX_VALUE_BYTES + 64 * 1024
"""Longest line the runner accepts on its reply pipe (a value of `MAX_VALUE_BYTES` and its
message); a longer one is garbage (a crash)."""
SEND_EVENT = "roundtrip.send"
BIND_EVENT = "roundtrip.bind"  # the loop's first act: the hook signs for that loop frame only
CHANNEL_FD = 3  # the candidate process's end of the reply pipe
JOB_FD = 4  # the candidate process's end of the job pipe (its program, then its job)
EXE_FD = 5  # the exec-only interpreter the zygote execs (closed by the exec)
ZYGOTE_FD = 3  # the zygote's control socket (the candidate process's CHANNEL_FD is a pipe)
NO_PYCACHE = "/dev/null/roundtrip-no-pycache"
"""The candidate processes' `sys.pycache_prefix`: a directory that cannot exist (its parent is
not a directory), so their import system never finds a .pyc and compiles every module from its
source; it never calls `marshal.loads`, which the audit hook therefore refuses."""
CANDIDATE_FILENAME = "<roundtrip-candidate>"
"""The file name the candidate side's program is compiled under (host or runner, the same code)."""
PRELOAD_ARG = "preload"
"""The zygote's first argument when it is to import `PRELOAD` before its first fork."""
PRELOAD = (
    "re", "typing", "collections", "functools", "itertools", "math", "cmath", "string", "random",
    "heapq", "bisect", "operator", "numbers",
)  # fmt: skip
"""Pure standard-library modules a warm runner's zygote imports, from the image's own .pyc files,
before any candidate exists: a candidate process (which reads no .pyc) finds them loaded instead
of compiling them from source per check. Nothing of the runner's and no ctypes: every one is a
module any candidate may import itself. The list is what model-written functions import (of
58,352 distinct functions in EvaLooop's traces: math 2,951, re 1,388, collections 913, heapq 340,
itertools 306, cmath 300, functools 243, bisect 107, numbers 62, operator 44, typing 39, string
32; the study's own replies add random): importing them costs each warm container about 15 ms
of CPU, where the earlier list (with json, inspect, dataclasses, decimal, statistics, ...,
modules these functions almost never import) cost about 39 ms, paid by every trial."""
TOO_LARGE = "<too large: over the runner's limits for one value or one check>"

# -- messages on the reply pipe (candidate process -> runner), each a signed JSON object
K_KIND = "k"  # one of the MSG_* below
MSG_STAGE, MSG_REPLY, MSG_TAMPER, MSG_BROKEN = "stage", "reply", "tamper", "broken"
MSG_UNENCODABLE = "unencodable"
"""The function returned, but encoding its value raised (a hostile `__name__`; an int past the
interpreter's digit limit no longer does, see `HEX_INT_BITS`): a crash of its own, never the
function raising (`K_INDEX`, `K_EXC`, `K_MSG` say which input and what encoding raised)."""
K_WHAT = "what"  # of a tamper or broken message: one line

# -- keys shared by messages and the records the runner writes to the host
K_STAGE = "stage"
STAGE_SYNTAX, STAGE_IMPORT, STAGE_SIGNATURE = "syntax", "import", "signature"
STAGE_READY, STAGE_DONE, STAGE_RUNNER = "ready", "done", "runner"
STAGE_SLATE = "slate"  # a final record only: the places were not empty, the candidate did not run
K_INDEX, K_OK, K_VALUE, K_TIMEOUT = "i", "ok", "v", "timeout"
K_EXC, K_MSG = "exc", "msg"  # an exception: its type name and text
K_ERROR, K_DEFINED = "error", "defined"  # a signature stage: "missing" or "arity"; names defined
ERROR_MISSING, ERROR_ARITY = "missing", "arity"

# -- keys of the final record only
K_DONE = "done"  # inputs answered before the check ended
K_STOPPED = "stopped"  # why the check ended early: one of the STOP_* below
STOP_CHANNEL, STOP_TAMPERING, STOP_BROKEN = "channel", "tampering", "broken"
STOP_OUTPUT_LIMIT, STOP_TIMEOUT, STOP_DIED = "output_limit", "timeout", "died"
STOP_UNENCODABLE = "unencodable"  # with K_INDEX, K_EXC, K_MSG: see MSG_UNENCODABLE
K_AT = "at"  # where a stop happened: "import", "call" or "end"
K_DIED = "died"  # how the process ended while importing the code
K_HOW = "how"  # how the process ended during the calls
K_TAMPERING = "tampering"  # [one line]: what the code did
K_BROKEN = "broken"  # one line: what the code broke
K_UNPROTECTED = "unprotected"  # why part of the confinement could not be set up
K_LEFT = "left"  # what could not be removed (a few paths and a count): of a slate record, before
# the check (the candidate did not run); of any other final record, after it (the verdict stands)
K_OUTPUT_BYTES, K_OUTPUT_HEAD = "output_bytes", "output_head"

# -- the audit hook's refusals. A refusal ends the candidate process at once with the exit
# status REFUSAL_STATUS + its index, which the runner observes from outside (a redirected
# descriptor cannot hide it) and scores as tampering naming it.
REFUSALS = (
    "called gc.get_objects() (introspection of the garbage collector)",
    "called gc.get_referrers() (introspection of the garbage collector)",
    "called gc.get_referents() (introspection of the garbage collector)",
    "called sys._current_frames() (introspection of the runner's frames)",
    "called sys._current_exceptions() (introspection of frames)",
    "set a tracing hook (sys.settrace)",
    "set a profiling hook (sys.setprofile)",
    "added an audit hook (sys.addaudithook)",
    "built a code object by hand (code.__new__ / code.replace)",
    "started a subinterpreter",
    "used ctypes (a raw-memory primitive)",
    "imported ctypes (no raw-memory primitive may enter the candidate process)",
    "read the code of the checker's audit hook or of its guards",
    "replaced the code or defaults of a runner function",
    "imported CPython internals the checker refuses (_testcapi, ...)",
    "opened a process's memory (/proc/.../mem)",
    "sent a result from a thread of its own",
    "sent a result through the runner's channel from its own code",
    "sent a result from a second run of the runner's loop (signing binds to the first)",
    "loaded code from bytes with marshal (marshal.loads, a .pyc or zip import): crafted bytecode "
    "is a raw-memory primitive",
    "built code from bytes through _imp (a frozen module's data, or a fresh _imp module)",
    "set a descriptor's signal owner (fcntl F_SETOWN / F_SETOWN_EX, ioctl FIOSETOWN / SIOCSPGRP): "
    "the kernel would signal another process on its behalf",
    "moved the runner's reply channel (descriptor 3 is no longer the runner's socket when the "
    "checker signs a reply on it)",
)
REFUSAL_STATUS = 200
BLOCKED_EVENTS = {
    "gc.get_objects": 0, "gc.get_referrers": 1, "gc.get_referents": 2,
    "sys._current_frames": 3, "sys._current_exceptions": 4, "sys.settrace": 5,
    "sys.setprofile": 6, "sys.addaudithook": 7, "code.__new__": 8,
    "cpython.PyInterpreterState_New": 9, "marshal.loads": 19, "marshal.load": 19,
}  # fmt: skip
"""Events the hook refuses whoever raises them (code.__new__: except types.coroutine's flag).
The candidate process's interpreter reads no .pyc (`confine.NO_PYCACHE`), so its import system
never calls `marshal.loads`: whoever does is loading bytecode it did not compile."""
R_CTYPES, R_CTYPES_IMPORT, R_HOOK_CODE, R_RUNNER_CODE, R_INTERNALS = 10, 11, 12, 13, 14
R_PROC_MEM, R_THREAD_SEND, R_OWN_SEND, R_SECOND_LOOP = 15, 16, 17, 18
R_MARSHAL, R_IMP, R_SIGNAL_OWNER, R_CHANNEL = 19, 20, 21, 22
F_SETOWN, F_SETOWN_EX, FIOSETOWN, SIOCSPGRP = 8, 15, 0x8901, 0x8902
"""fcntl commands and ioctls that make the kernel send a signal (SIGIO, SIGURG, or any signal
chosen with F_SETSIG) to a process or group other than the caller: refused by the audit hook
(scored tampering) and by the seccomp filter (for a program the candidate execs)."""
REFUSAL_FLAG_BYTES = 4096
"""Size of the per-check refusal flag (a memfd the runner makes, mapped shared by the candidate
process before its hook: the hook sets its first byte to 1 + the refusal's index in any process
of the candidate's tree, before ending that process)."""
LIMIT_MARGIN = 1.0
"""Seconds the runner waits past a call's limit (`call_timeout`), from its own side, before it
kills the candidate process and scores that input a timeout: the limit holds whatever the
candidate did to its own alarm. (The import gets its limit again as margin: its window also
holds the compile and the signature check.)"""
BLOCKED_IMPORTS = frozenset({
    "_testcapi", "_testinternalcapi", "_testbuffer", "_testmultiphase", "_testsinglephase",
    "_testimportmultiple", "_testclinic", "_ctypes_test", "_xxsubinterpreters",
    "_xxinterpchannels", "_xxtestfuzz",
})  # fmt: skip
RELIED_ON = (("os", "write"), ("os", "read"), ("os", "_exit"), ("sys", "audit"),
             ("sys", "_getframe"), ("sys", "addaudithook"), ("sys", "settrace"),
             ("sys", "setprofile"), ("gc", "get_objects"), ("gc", "get_referrers"),
             ("gc", "get_referents"))  # fmt: skip
"""Standard-library functions the runner relies on or guards; rebinding one is tampering."""


def refusal(status: int) -> str | None:
    """What a candidate process's exit status says it was refused, or None."""
    index = status - REFUSAL_STATUS
    return REFUSALS[index] if 0 <= index < len(REFUSALS) else None


OPAQUE_DIGEST_BYTES = 16
"""An opaque value's digest: blake2b of its whole `repr` (UTF-8, surrogates passed), this many
bytes, in hex (`codec._enc_json`). The value compares by it (`codec.Opaque`); the text it travels
with is that repr cut to 200 characters, for people reading a verdict."""
PLAIN_KINDS = ("base", "fraction", "decimal")
"""What an opaque value's plain form is (`codec._enc_json`): its builtin base type's value, a
Fraction's `[numerator, denominator]`, a Decimal's exact text."""


def _opaque_digest(text: str) -> bool:
    """Whether `text` is an opaque value's digest: `OPAQUE_DIGEST_BYTES` in lowercase hex, or ""."""
    return text == "" or (len(text) == 2 * OPAQUE_DIGEST_BYTES and all(c in "0123456789abcdef" for c in text))


def _surrogate_hex(text: str) -> bool:
    """Whether `text` is the hex of a UTF-8 (surrogates passed) string: what `strx` carries."""
    try:
        bytes.fromhex(text).decode("utf-8", "surrogatepass")
    except ValueError:  # UnicodeDecodeError is one
        return False
    return True


def valid_encoding(obj: object, depth: int = 0) -> bool:
    """Whether `obj` has the shape `encode` produces (checked before anything decodes it)."""
    if depth > MAX_DEPTH + 2 or not isinstance(obj, list) or not obj or not isinstance(obj[0], str):
        return False
    tag, rest = obj[0], obj[1:]
    if tag == "none":
        return not rest
    if tag == "bool":
        return len(rest) == 1 and isinstance(rest[0], bool)
    if tag in ("int", "float", "str", "bytes", "complex"):
        return len(rest) == 1 and isinstance(rest[0], str)
    if tag == "strx":  # a str with a lone surrogate, as UTF-8 hex (surrogates passed)
        return len(rest) == 1 and isinstance(rest[0], str) and _surrogate_hex(rest[0])
    if tag in ("list", "tuple", "set", "frozenset"):
        return (len(rest) == 1 and isinstance(rest[0], list)
                and all(valid_encoding(v, depth + 1) for v in rest[0]))  # fmt: skip
    if tag == "dict":
        return len(rest) == 1 and isinstance(rest[0], list) and all(
            isinstance(p, list) and len(p) == 2
            and valid_encoding(p[0], depth + 1) and valid_encoding(p[1], depth + 1)
            for p in rest[0]
        )
    if tag == "opaque":
        # [name, text]: a marker (`TOO_LARGE`, too deep); [name, text, digest] and, since red16,
        # [name, text, digest, [kind, plain encoding]]: a value (its digest "" when its repr raised)
        if len(rest) < 2 or len(rest) > 4 or not all(isinstance(x, str) for x in rest[:3]):
            return False
        if len(rest) >= 3 and not _opaque_digest(rest[2]):
            return False
        if len(rest) == 4:
            if not isinstance(rest[3], list) or len(rest[3]) != 2:
                return False
            kind, plain = rest[3]
            return kind in PLAIN_KINDS and valid_encoding(plain, depth + 1)
        return True
    if tag == DIGEST_TAG:  # a whole returned value only
        return (depth == 0 and len(rest) == 3 and all(isinstance(x, str) for x in rest)
                and rest[2].isascii() and rest[2].isdigit())  # fmt: skip
    return False


# -- host only: the join stops here ------------------------------------------------------------
# (`runner.part_source` cuts a part at this line.) The sandbox's programs write records and never
# read them, so neither carries the types below, nor imports `dataclasses` for them.
from dataclasses import dataclass  # noqa: E402


def _text(value: object) -> str:
    """A record's text field as the host shows it: str, int or float as text; anything else ""."""
    return str(value) if isinstance(value, str | int | float) else ""


def _texts(value: object) -> tuple[str, ...]:
    return tuple(_text(v) for v in value) if isinstance(value, list | tuple) else ()


@dataclass(frozen=True)
class ReplyRecord:
    """One input's record: what the candidate's function returned or raised, or that it timed out."""

    index: int | None  # None when the record names no input (the host refuses it)
    ok: bool = False
    value: object = None  # the encoded value (`codec.encode`) when `ok`
    exc: str = ""  # the exception's type name when not `ok`
    timeout: bool = False

    @classmethod
    def read(cls, record: dict[str, object]) -> ReplyRecord:
        """Raises `KeyError` when an answered record carries no value (a record the host cannot read)."""
        i = record.get(K_INDEX)
        ok = bool(record.get(K_OK))
        return cls(
            index=i if isinstance(i, int) else None, ok=ok,
            value=record[K_VALUE] if ok and not record.get(K_TIMEOUT) else None,
            exc=str(record.get(K_EXC)), timeout=bool(record.get(K_TIMEOUT)),
        )  # fmt: skip


@dataclass(frozen=True)
class FinalRecord:
    """The check's last record: how it ended (`stage` before the calls, or `done` and `stopped`)."""

    stage: str | None = None  # STAGE_*; None once the calls were reached
    done: int | None = None  # inputs answered
    stopped: str | None = None  # STOP_*: why the check ended early
    at: str = ""  # where it stopped
    index: int | None = None  # the input it stopped on
    timeout: bool = False  # the import ran out of time
    died: str = ""  # how the process ended while importing
    how: str = ""  # how the process ended during the calls
    tampering: tuple[str, ...] = ()
    broken: str = ""
    exc: str = ""
    msg: str = ""
    error: str = ""  # of a signature stage: ERROR_MISSING or ERROR_ARITY
    defined: tuple[str, ...] = ()
    left: tuple[str, ...] = ()  # of a slate stage: what could not be removed
    unprotected: str = ""
    output_head: str = ""
    output_bytes: int = 0

    @classmethod
    def read(cls, record: dict[str, object]) -> FinalRecord | None:
        """None when the record is no final record (it names neither a stage nor `done`)."""
        if K_DONE not in record and K_STAGE not in record:
            return None
        stage, done, stopped = record.get(K_STAGE), record.get(K_DONE), record.get(K_STOPPED)
        i, size = record.get(K_INDEX), record.get(K_OUTPUT_BYTES)
        return cls(
            stage=None if stage is None else _text(stage), done=done if isinstance(done, int) else None,
            stopped=None if stopped is None else _text(stopped), at=_text(record.get(K_AT)),
            index=i if isinstance(i, int) else None, timeout=bool(record.get(K_TIMEOUT)),
            died=_text(record.get(K_DIED)), how=_text(record.get(K_HOW)),
            tampering=_texts(record.get(K_TAMPERING)), broken=_text(record.get(K_BROKEN)),
            exc=_text(record.get(K_EXC)), msg=_text(record.get(K_MSG)), error=_text(record.get(K_ERROR)),
            defined=_texts(record.get(K_DEFINED)), left=_texts(record.get(K_LEFT)),
            unprotected=_text(record.get(K_UNPROTECTED)), output_head=_text(record.get(K_OUTPUT_HEAD)),
            output_bytes=size if isinstance(size, int) else 0,
        )  # fmt: skip
