# inspect-evals-lint: ignore-file[host_code_execution] -- this runner executes inside the sandbox
"""The trusted runner: executed *inside* the sandbox as ``python3 -I -c <this source>``.

It checks one candidate (model-written code) against every input of a problem and writes one
typed record per input to its stdout, framed with a nonce the host sends on stdin. Expected
values never enter the sandbox: the host compares. This module is also imported on the host for
the codec (`encode`, `decode`, `typed_equal`); it uses only the standard library and must stay
compatible with the sandbox image's python3 (CPython 3.11).

The trust boundary
------------------
Two processes, one of which never runs candidate code:

- The **runner** (this process, trusted) holds the job, the nonce and the result channel (its
  own stdout). Before it reads the job it forks the **candidate process**, so that process is
  born holding no job, no nonce and no result descriptor: in the fork the runner's stdin and
  stdout are replaced by /dev/null and a capture pipe before anything else happens, and every
  other descriptor is closed except a job pipe (read once, then closed) and a reply pipe.
- The runner then makes itself non-dumpable (`PR_SET_DUMPABLE` 0: nobody without
  `CAP_SYS_PTRACE` can ptrace it or open its `/proc/<pid>/mem` or `/fd`) and a child subreaper
  (every process the candidate starts stays below it, so it can kill them all at the end).
- The candidate process drops to a new session, offers itself to the OOM killer first
  (`oom_score_adj` 1000), makes itself non-dumpable (so processes it execs cannot read its
  memory either), and installs a seccomp filter that makes it and everything it starts unable to
  signal the runner (kill/tkill/tgkill/sigqueue to the runner's pid or group, or to -1, and
  every pidfd signal), to ptrace anything, to read or write another process's memory
  (process_vm_*), to change its dumpable flag or ptracer, to use io_uring, or to create a
  memfd (memory charged to the sandbox but to no process, so the OOM killer could not find it).
- It then installs an **audit hook** (`sys.addaudithook`; it cannot be removed) and imports the
  candidate. The hook holds a per-check key that exists nowhere else in the process: it is a
  constant of the hook's own code object, and the hook refuses every route to that code (the
  `f_code` of its frames, the `__code__` of its function; the function itself is referenced only
  by the interpreter's hook list). The hook signs a reply only when it is raised by the runner's
  own loop (`_loop`), called from the expected stack of runner frames down to the bottom, in the
  main thread. So a result reaches the runner only if the runner's own code computed it by
  calling the candidate's function on the input, and it reaches the host only if the runner
  accepts it: every line on the reply pipe must carry a valid signature (else the check stops:
  `tampering` for a well-formed line with a bad signature, `crash` for anything else), arrive
  in order, one per input, each within the per-call time limit, of a known shape and size.
- The runner's loop, codec and writer are *sealed*: they read no module globals, builtins or
  closure cells (everything they use is bound as a default argument, see `_seal`; a test checks
  the bytecode), so a candidate that rebinds `encode`, `json.dumps` or a builtin changes
  nothing the runner computes. Inputs are frozen into tuples, so a candidate cannot edit the
  next call's input either. Reading the runner's frames (`sys._getframe`, `f_back`, `f_locals`)
  is allowed: the standard library does it (namedtuple, enum, logging), and the frames hold
  nothing that can sign a reply.

A candidate can then at most lie about its own return values, which it can only do correctly by
computing them. What makes tampering visible, each scored as the drift category `tampering`
(never a pass; the check stops at once and the detail says what in one line):

- introspection that could reach the key or the runner's objects, refused by the hook:
  `gc.get_objects/get_referrers/get_referents`, `sys._current_frames`, `sys._current_exceptions`,
  ctypes (any use), hand-built code objects (`code.__new__`), subinterpreters, CPython's test
  modules (`_testcapi`, ...), opening `/proc/.../mem`, reading the hook's code;
- tracing and audit hooks (`sys.settrace`, `sys.setprofile`, `threading.settrace`,
  `sys.addaudithook`), refused by the hook;
- replacing the code or defaults of a runner function (refused by the hook), rebinding a
  runner global (`__main__.encode = ...`) or a standard-library function the runner relies on
  (`os.write`, `sys.audit`, ...), found by comparing them with snapshots taken before import;
- a signed-reply request that does not come from the runner's loop, and a line on the reply
  pipe whose signature is wrong (a relay that rewrites values).

Two kinds of interference stay `crash`, as before: replacing or deleting a builtin (it changes
every call in the process, so what the candidate returns is no longer its function's
behaviour), and deleting the runner's globals. Signal handlers need no check: they run in the
candidate's own process, cannot reach the runner (seccomp) and cannot sign a reply (the hook's
key is not in any frame they can see). The process tree is the runner's to clean up: whatever
the candidate started is killed at the end of the check. Known limits: crafted bytecode loaded
with `marshal` can read interpreter memory; on CPython >= 3.13 writes to `frame.f_locals` reach
a running frame (PEP 667), so the runner refuses to treat such an interpreter as sealed.

Limits and clean slate
----------------------
The per-import and per-call time limits are alarms in the candidate process, as they always
were (they stop Python code; a candidate that ignores them, or sits in one long C call, is
stopped by the runner at the check's own time limit, a little before the host's, so the runner
survives it). The candidate's stdout and stderr go to a pipe the runner reads: the first 400
bytes are kept as `output_head` (the candidate process flushes after import and after every
call, so short output is not lost) and more than `output_cap` bytes stops the check. Memory is
the sandbox's limit (the candidate process is the OOM killer's first choice). At the end of every
check the runner kills the candidate process and every process it started (whatever session or
group they moved to: the runner is their subreaper), reaps them, and empties the writable places
the host names in `scratch` (in the Docker sandbox: the work dir, /tmp, /dev/shm, /dev/mqueue)
plus the System V IPC objects of its user (`clean_ipc`), whatever their modes or depth
(`slate.py`); it does the same before a check starts, in case a previous runner was killed by
the host, and there it also *verifies* that they are empty: if they are not, the candidate does
not run and the final record is `{"stage": "slate", "left": [...]}`, on which the host checks
the job again in a fresh sandbox. Elsewhere (the `local` sandbox) it only removes its own
per-check directories.

Two ways to run
---------------
`python3 -I -c <source>` checks one job read from stdin (exec per check). With the extra
argument `serve` it is a *warm runner*: one per trial container, reading one job line per check
and answering each with its records and `<nonce> END` (`roundtrip_eval.sandbox.warm`). The next
candidate process is forked as soon as a check ends, before the next job is read, so it is
ready when the job comes and never holds it. A trial's first warm runner is started by the
container's init as `python3 -I -c BOOT serve` and reads this module from stdin first (`BOOT`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import sys
import time
import types
from typing import Any, NoReturn

if "slate_clean" not in globals():  # in the sandbox, slate.py's code is joined above (`source`)
    from roundtrip_eval.check.slate import slate_clean

MAX_DEPTH = 50
CHECK_DIR_PREFIX = ".rt-check-"
MAX_VALUE_BYTES = 4096
"""An encoded return value larger than this is sent as an opaque "too large" marker: it still
fails type-exactly against C0 (the largest expected value in tasks/ encodes to 650 bytes), but
150 huge values can no longer overflow the sandbox's output cap and hide the verdict."""
HEAD_BYTES = 400
MAX_LINE = 64 * 1024
"""Longest line the runner accepts on its reply pipe; a longer one is garbage (a crash)."""
SEND_EVENT = "roundtrip.send"
CHANNEL_FD = 3  # the candidate process's end of the reply pipe
JOB_FD = 4  # the candidate process's end of the job pipe (read once, then closed)
TOO_LARGE = f"<too large: more than {MAX_VALUE_BYTES} bytes>"

# prctl options and seccomp constants (linux/prctl.h, linux/seccomp.h, linux/filter.h)
PR_SET_DUMPABLE, PR_SET_SECCOMP, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 4, 22, 36, 38
PR_SET_PTRACER = 0x59616D61
SECCOMP_MODE_FILTER = 2
SECCOMP_ALLOW, SECCOMP_KILL, SECCOMP_EPERM = 0x7FFF0000, 0x80000000, 0x00050000 | 1
# syscall numbers: x86_64 and aarch64 (asm-generic)
SYSCALLS = {
    "x86_64": (0xC000003E, {
        "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129,
        "rt_tgsigqueueinfo": 297, "prlimit64": 302, "pidfd_open": 434, "ptrace": 101,
        "process_vm_readv": 310, "process_vm_writev": 311, "pidfd_send_signal": 424,
        "pidfd_getfd": 438, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "prctl": 157, "memfd_create": 319,
    }),
    "aarch64": (0xC00000B7, {
        "kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138,
        "rt_tgsigqueueinfo": 240, "prlimit64": 261, "pidfd_open": 434, "ptrace": 117,
        "process_vm_readv": 270, "process_vm_writev": 271, "pidfd_send_signal": 424,
        "pidfd_getfd": 438, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "prctl": 167, "memfd_create": 279,
    }),
}  # fmt: skip
DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_send_signal", "pidfd_getfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "memfd_create",
)  # fmt: skip
PID_SYSCALLS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "prlimit64",
                "pidfd_open")  # fmt: skip

BLOCKED_EVENTS = {
    "gc.get_objects": "called gc.get_objects() (introspection of the garbage collector)",
    "gc.get_referrers": "called gc.get_referrers() (introspection of the garbage collector)",
    "gc.get_referents": "called gc.get_referents() (introspection of the garbage collector)",
    "sys._current_frames": "called sys._current_frames() (introspection of the runner's frames)",
    "sys._current_exceptions": "called sys._current_exceptions() (introspection of frames)",
    "sys.settrace": "set a tracing hook (sys.settrace)",
    "sys.setprofile": "set a profiling hook (sys.setprofile)",
    "sys.addaudithook": "added an audit hook (sys.addaudithook)",
    "code.__new__": "built a code object by hand (code.__new__ / code.replace)",
    "cpython.PyInterpreterState_New": "started a subinterpreter",
}
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


# ---------------------------------------------------------------------------- sealing


def _seal(fn: Any) -> Any:
    """Bind `fn` to itself as its `_self` default, so that it can recurse without a global.

    A sealed function reads no module global, builtin or closure cell: everything it uses is a
    positional default (an immutable tuple that only `object.__setattr__` can replace, which the
    candidate process's audit hook refuses for runner functions).
    """
    names = fn.__code__.co_varnames[: fn.__code__.co_argcount]
    defaults = list(fn.__defaults__)
    offset = len(names) - len(defaults)
    defaults[names.index("_self") - offset] = fn
    fn.__defaults__ = tuple(defaults)
    return fn


class _TooLarge(Exception):
    """The encoded value grew past the size limit."""


class _CallTimeout(BaseException):
    """Raised by the alarm; a BaseException so `except Exception` in a candidate can't eat it."""


def _on_alarm(signum: int, frame: Any, _exc: Any = _CallTimeout) -> None:
    raise _exc()


try:  # the C escaper json.dumps uses; the pure-Python one gives the same text
    from _json import encode_basestring_ascii as _ESCAPE
except ImportError:  # pragma: no cover - CPython always has _json
    from json.encoder import py_encode_basestring_ascii as _ESCAPE


def _enc(
    value: Any, depth: int = 0, budget: list[int] | None = None, _self: Any = None,
    _type: Any = type, _str: Any = str, _repr: Any = repr, _sorted: Any = sorted,
    _len: Any = len, _bool: Any = bool, _int: Any = int, _float: Any = float, _list: Any = list,
    _tuple: Any = tuple, _dict: Any = dict, _set: Any = set, _frozenset: Any = frozenset,
    _bytes: Any = bytes, _base: Any = BaseException, _too_large: Any = _TooLarge,
    _max_depth: int = MAX_DEPTH, _complex: Any = complex,
) -> Any:  # fmt: skip
    """`encode`, sealed; with `budget` ([bytes left]) it raises `_TooLarge` early."""
    if budget is not None:
        budget[0] -= 8
        if budget[0] < 0:
            raise _too_large()
    if depth > _max_depth:
        return ["opaque", _type(value).__name__, "<too deep>"]
    t = _type(value)
    if value is None:
        return ["none"]
    if t is _bool:
        return ["bool", value]
    if t is _int:
        text = _str(value)
    elif t is _float:
        text = _repr(value)
    elif t is _str:
        text = value
    elif t is _bytes:
        text = value.hex()
    elif t is _complex:
        text = _repr(value)
    else:
        text = None
    if text is not None:
        if budget is not None:
            budget[0] -= _len(text)
            if budget[0] < 0:
                raise _too_large()
        return [t.__name__, text]
    if t is _list or t is _tuple:
        items = []
        for v in value:
            items.append(_self(v, depth + 1, budget))
        return [t.__name__, items]
    if t is _dict:
        pairs = []
        for k, v in value.items():
            pairs.append([_self(k, depth + 1, budget), _self(v, depth + 1, budget)])
        return ["dict", pairs]
    if t is _set or t is _frozenset:
        items = []
        for v in value:
            items.append(_self(v, depth + 1, budget))
        return [t.__name__, _sorted(items, key=_repr)]
    try:
        text = _repr(value)[:200]
    except _base:  # a hostile __repr__ must not break the runner
        text = "<unrepresentable>"
    if _type(text) is not _str:
        text = "<unrepresentable>"
    name = t.__name__
    return ["opaque", name if _type(name) is _str else "?", text]


_seal(_enc)


def encode(value: Any, depth: int = 0) -> Any:
    """Encode a Python value as JSON with type tags that keep int/float/bool/str/... apart."""
    return _enc(value, depth)


def _dumps(
    obj: Any, _self: Any = None, _type: Any = type, _str: Any = str, _list: Any = list,
    _tuple: Any = tuple, _bool: Any = bool, _int: Any = int, _esc: Any = _ESCAPE,
    _join: Any = ", ".join, _error: Any = TypeError,
) -> str:  # fmt: skip
    """`json.dumps` of what `_enc` returns (same text), sealed."""
    t = _type(obj)
    if t is _str:
        return _esc(obj)
    if t is _list or t is _tuple:
        parts = []
        for item in obj:
            parts.append(_self(item))
        return "[" + _join(parts) + "]"
    if t is _bool:
        return "true" if obj else "false"
    if t is _int:
        return _str(obj)
    if obj is None:
        return "null"
    raise _error("not an encoded value")


_seal(_dumps)


def _encode_text(
    value: Any, _enc: Any = _enc, _dumps: Any = _dumps, _len: Any = len, _type: Any = type,
    _str: Any = str, _too_large: Any = _TooLarge, _limit: int = MAX_VALUE_BYTES,
    _marker: str = TOO_LARGE,
) -> str:  # fmt: skip
    """The JSON text of `encode(value)`, or of an opaque marker when it is over the limit."""
    try:
        text = _dumps(_enc(value, 0, [_limit]))
    except _too_large:
        text = None
    if text is None or _len(text) > _limit:
        name = _type(value).__name__
        return _dumps(["opaque", name if _type(name) is _str else "?", _marker])
    return text


def _dec(
    obj: Any, _self: Any = None, _bool: Any = bool, _int: Any = int, _float: Any = float,
    _str: Any = str, _list: Any = list, _tuple: Any = tuple, _dict: Any = dict, _set: Any = set,
    _frozenset: Any = frozenset, _bytes: Any = bytes, _complex: Any = complex, _opaque: Any = None,
) -> Any:  # fmt: skip
    """`decode`, sealed (the candidate process decodes each input right before the call)."""
    tag = obj[0]
    if tag == "none":
        return None
    if tag == "bool":
        return _bool(obj[1])
    if tag == "int":
        return _int(obj[1])
    if tag == "float":
        return _float(obj[1])
    if tag == "str":
        return _str(obj[1])
    if tag == "list" or tag == "tuple" or tag == "set" or tag == "frozenset":
        items = []
        for v in obj[1]:
            items.append(_self(v))
        if tag == "list":
            return items
        return _tuple(items) if tag == "tuple" else (_set(items) if tag == "set" else _frozenset(items))
    if tag == "dict":
        out = _dict()
        for k, v in obj[1]:
            out[_self(k)] = _self(v)
        return out
    if tag == "bytes":
        return _bytes.fromhex(obj[1])
    if tag == "complex":
        return _complex(obj[1])
    return _opaque(_str(obj[1]), _str(obj[2]))


class Opaque:
    """A value of a type the codec does not know; equal only to the same type and repr."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Opaque)
            and other.type_name == self.type_name
            and other.text == self.text
        )

    def __hash__(self) -> int:
        return hash((self.type_name, self.text))

    def __repr__(self) -> str:
        return f"<{self.type_name} {self.text}>"


_dec.__defaults__ = (*_dec.__defaults__[:-1], Opaque)  # type: ignore[index]
_seal(_dec)


def decode(obj: Any) -> Any:
    """Inverse of `encode`."""
    return _dec(obj)


def typed_equal(a: Any, b: Any) -> bool:
    """Equality that also requires identical types, recursively (1 != 1.0 != True != '1')."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(typed_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        if len(a) != len(b) or list(map(type, a)) != list(map(type, b)):
            return False
        return all(k in b and typed_equal(v, b[k]) for k, v in a.items())
    return bool(a == b)


def valid_encoding(obj: Any, depth: int = 0) -> bool:
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
        return len(rest) == 2 and all(isinstance(x, str) for x in rest)
    return False


# ---------------------------------------------------------------------------- the candidate side


def _changed(
    current: Any, snapshot: Any, _type: Any = type, _str: Any = str, _list: Any = list,
    _dict: Any = dict,
) -> tuple[list[str], list[str]]:  # fmt: skip
    """Names of `snapshot` ((name, object) pairs) rebound or missing in the dict `current`."""
    now = _dict()
    for k, v in _list(current.items()):
        if _type(k) is _str:
            now[k] = v
    replaced: list[str] = []
    missing: list[str] = []
    for k, v in snapshot:
        if k not in now:
            missing.append(k)
        elif now[k] is not v:
            replaced.append(k)
    return replaced, missing


def _integrity(
    builtins_dict: Any, builtins_snap: Any, globals_dict: Any, globals_snap: Any,
    relied_snap: Any, _changed: Any = _changed, _esc: Any = _ESCAPE, _sorted: Any = sorted,
    _join: Any = ", ".join,
) -> str | None:  # fmt: skip
    """The message that stops the check if the candidate broke or rebound what the runner uses.

    Replaced or deleted builtins, or deleted runner globals, break every call in the process:
    `broken` (scored crash). A rebound runner global or relied-on standard-library function is
    `tamper` (scored tampering).
    """
    replaced, missing = _changed(builtins_dict, builtins_snap)
    if replaced or missing:
        what = "replaced builtins: " + _join(_sorted(replaced + missing)[:5])
        return '{"k": "broken", "what": ' + _esc(what) + "}"
    replaced, missing = _changed(globals_dict, globals_snap)
    if missing:
        what = "deleted the runner's globals: " + _join(_sorted(missing)[:5])
        return '{"k": "broken", "what": ' + _esc(what) + "}"
    if replaced:
        what = "replaced the runner's " + _join(_sorted(replaced)[:5])
        return '{"k": "tamper", "what": ' + _esc(what) + "}"
    for label, module_dict, snap in relied_snap:
        replaced, missing = _changed(module_dict, snap)
        if replaced or missing:
            what = "replaced " + label + "." + _join(_sorted(replaced + missing)[:5])
            return '{"k": "tamper", "what": ' + _esc(what) + "}"
    return None


def _describe_exc(
    exc: Any, limit: int, _type: Any = type, _str: Any = str, _base: Any = BaseException,
    _esc: Any = _ESCAPE,
) -> str:  # fmt: skip
    """`"exc": <name>, "msg": <text>` for an exception the candidate raised (its __str__ may be hostile)."""
    try:
        name = _type(exc).__name__
        msg = _str(exc)[:limit]
    except _base:
        name, msg = "?", "<unrepresentable>"
    if _type(name) is not _str or _type(msg) is not _str:
        name, msg = "?", "<unrepresentable>"
    return '"exc": ' + _esc(name) + ', "msg": ' + _esc(msg)


def _loop(
    code: str, function: str, inputs: Any, state: Any, limits: Any,
    _setitimer: Any = signal.setitimer, _real: int = signal.ITIMER_REAL,
    _call_timeout: Any = _CallTimeout, _audit: Any = sys.audit, _compile: Any = compile, _exec: Any = exec,
    _module_type: Any = types.ModuleType, _modules: Any = sys.modules, _import: Any = __import__,
    _encode_text: Any = _encode_text, _dec: Any = _dec, _esc: Any = _ESCAPE,
    _integrity: Any = _integrity, _describe: Any = _describe_exc,
    _flush_out: Any = sys.stdout.flush, _flush_err: Any = sys.stderr.flush, _type: Any = type,
    _str: Any = str, _len: Any = len, _range: Any = range, _callable: Any = callable,
    _sorted: Any = sorted, _tuple: Any = tuple, _base: Any = BaseException,
    _type_error: Any = TypeError, _send: str = SEND_EVENT, _join: Any = ", ".join,
) -> None:  # fmt: skip
    """The candidate process's work: import the code, check the function, call it on each input.

    Every message leaves through `_audit(SEND_EVENT, payload)`; the audit hook signs it only
    when it was raised here. Sealed (see `_seal`): it reads no global, builtin or cell, and
    `state` is the tuple of snapshots `_integrity` compares with. `limits` is (import timeout,
    call timeout): an alarm, as in a plain Python runner (it stops Python code, not a long C
    call; the runner's check deadline is the hard limit).
    """
    import_timeout, call_timeout = limits
    try:
        compiled = _compile(code, "candidate.py", "exec")
    except _base as exc:
        _audit(_send, '{"k": "stage", "stage": "syntax", ' + _describe(exc, 300) + "}")
        return
    module = _module_type("candidate")
    namespace = module.__dict__
    namespace["__file__"] = "candidate.py"
    _modules["candidate"] = module
    failed = None
    try:
        _setitimer(_real, import_timeout)
        _exec(compiled, namespace)
        _setitimer(_real, 0)
    except _call_timeout:
        _audit(_send, '{"k": "stage", "stage": "import", "timeout": true}')
        return
    except _base as exc:
        _setitimer(_real, 0)
        failed = '{"k": "stage", "stage": "import", ' + _describe(exc, 300) + "}"
    try:
        _flush_out()
        _flush_err()
    except _base:
        pass
    stop = _integrity(*state)
    if stop is not None:
        _audit(_send, stop)
        return
    if failed is not None:
        _audit(_send, failed)
        return
    func = namespace.get(function)
    if func is None or not _callable(func):
        names = []
        for k, v in _tuple(namespace.items()):
            if _type(k) is _str and k[:2] != "__" and _callable(v):
                names.append(k)
        defined = []
        for k in _sorted(names)[:10]:
            defined.append(_esc(k))
        _audit(_send, '{"k": "stage", "stage": "signature", "error": "missing", "defined": ['
               + _join(defined) + "]}")  # fmt: skip
        return
    try:
        sig = _import("inspect").signature(func)
    except _base:
        sig = None
    if sig is not None:
        arities = []
        for frozen in inputs:
            if _len(frozen[1]) in arities:  # binding depends only on how many arguments
                continue
            arities.append(_len(frozen[1]))
            try:
                sig.bind(*_dec(frozen))
            except _type_error as exc:
                _audit(_send, '{"k": "stage", "stage": "signature", "error": "arity", '
                       + _describe(exc, 200) + "}")  # fmt: skip
                return
            except _base:
                break
    _audit(_send, '{"k": "stage", "stage": "ready"}')
    for i in _range(_len(inputs)):
        args = _dec(inputs[i])
        try:
            _setitimer(_real, call_timeout)
            value = func(*args)
            _setitimer(_real, 0)
            text = '"ok": true, "v": ' + _encode_text(value)
        except _call_timeout:
            _audit(_send, '{"k": "reply", "i": ' + _str(i) + ', "timeout": true}')
            return
        except _base as exc:
            _setitimer(_real, 0)
            text = '"ok": false, ' + _describe(exc, 200)
        try:
            _flush_out()
            _flush_err()
        except _base:
            pass
        _audit(_send, '{"k": "reply", "i": ' + _str(i) + ", " + text + "}")
    stop = _integrity(*state)
    _audit(_send, '{"k": "stage", "stage": "done"}' if stop is None else stop)


SEALED = (_enc, _dumps, _dec, _encode_text, _changed, _integrity, _describe_exc, _on_alarm, _loop)
"""The functions the candidate process runs after the candidate's code is loaded."""


# The audit hook, compiled in the candidate process with the per-check key as a constant of its
# code (`__KEY__`) and every object it uses bound as a default; its globals hold no builtins.
_HOOK_SOURCE = '''
def hook(event, args, _type=None, _str=None, _bytes=None, _len=None, _send=None, _blocked=None,
         _blocked_imports=None, _frame_type=None, _function_type=None, _hook_globals=None,
         _runner_globals=None, _fn_attrs=None, _getframe=None, _ident=None, _main=None,
         _loop_code=None, _caller=None, _write=None, _fd=None, _lock=None, _mac=None,
         _error=None):
    if _type(event) is not _str:
        return
    what = None
    if event == _send:
        if _ident() != _main:
            what = "sent a result from a thread of its own"
        else:
            f = _getframe(1)  # raised by the runner's loop, called by the runner's own frame
            if f.f_back is _caller and f.f_code is _loop_code and _len(args) == 1 and _type(args[0]) is _str:
                data = args[0].encode("utf-8", "replace")
                line = _mac(data, key=__KEY__, digest_size=16).hexdigest().encode() + b" " + data + b"\\n"
                _lock.acquire()
                try:
                    while line:
                        line = line[_write(_fd, line):]
                finally:
                    _lock.release()
                return
            what = "sent a result through the runner's channel from its own code"
    elif event in _blocked:
        what = _blocked[event]
    elif event[:7] == "ctypes.":
        what = "used ctypes (" + event + ") to reach the interpreter's memory"
    elif event == "object.__getattr__":
        if _len(args) == 2:
            obj = args[0]
            if _type(obj) is _frame_type and obj.f_globals is _hook_globals:
                what = "read the code of the checker's audit hook"
            elif _type(obj) is _function_type and obj.__globals__ is _hook_globals:
                what = "read the code of the checker's audit hook"
    elif event == "object.__setattr__" or event == "object.__delattr__":
        if _len(args) >= 2:
            obj = args[0]
            if (_type(obj) is _function_type and _type(args[1]) is _str and args[1] in _fn_attrs
                    and (obj.__globals__ is _runner_globals or obj.__globals__ is _hook_globals)):
                what = "replaced " + args[1] + " of the runner's " + obj.__name__
    elif event == "import":
        if _len(args) >= 1 and _type(args[0]) is _str and args[0] in _blocked_imports:
            what = "imported " + args[0] + " (CPython internals the checker refuses)"
    elif event == "open":
        path = args[0] if _len(args) >= 1 else None
        if _type(path) is _str and (path == "mem" or path[-4:] == "/mem"):
            what = "opened a process's memory (/proc/.../mem)"
        elif _type(path) is _bytes and (path == b"mem" or path[-4:] == b"/mem"):
            what = "opened a process's memory"
    if what is None:
        return
    data = ('{"k": "tamper", "what": "' + what.replace("\\\\", "/").replace('"', "'") + '"}').encode()
    line = _mac(data, key=__KEY__, digest_size=16).hexdigest().encode() + b" " + data + b"\\n"
    _lock.acquire()
    try:
        while line:
            line = line[_write(_fd, line):]
    finally:
        _lock.release()
    raise _error("the checker does not allow this: " + what)
'''


_KEY_PLACEHOLDER = b"roundtrip-key-placeholder-3f9c1a7e5d2b4c6a8e0f"
_HOOK_TEMPLATE: list[Any] = []


def _hook_template() -> Any:
    """The hook's code with a placeholder key, compiled once (a warm runner forks many children)."""
    if not _HOOK_TEMPLATE:
        module = compile(_HOOK_SOURCE.replace("__KEY__", repr(_KEY_PLACEHOLDER)), "<roundtrip-hook>", "exec")
        _HOOK_TEMPLATE.append(next(c for c in module.co_consts if isinstance(c, types.CodeType)))
    return _HOOK_TEMPLATE[0]


def _install_hook(caller: Any, unprotected: str) -> None:
    """Create the per-check key, tell the runner, and install the signing audit hook.

    The key is a constant of the hook's code only; this function's own references to it are
    gone when it returns, before any candidate code runs.
    """
    import _thread
    from _blake2 import blake2b

    key = os.urandom(32)
    template = _hook_template()
    code = template.replace(co_consts=tuple(key if c == _KEY_PLACEHOLDER else c for c in template.co_consts))
    hook_globals: dict[str, Any] = {"__builtins__": {}}
    defaults = (
        type, str, bytes, len, SEND_EVENT, dict(BLOCKED_EVENTS), BLOCKED_IMPORTS,
        types.FrameType, types.FunctionType, hook_globals, globals(),
        frozenset({"__code__", "__defaults__", "__kwdefaults__"}), sys._getframe,
        _thread.get_ident, _thread.get_ident(), _loop.__code__, caller, os.write, CHANNEL_FD,
        _thread.allocate_lock(), blake2b, RuntimeError,
    )  # fmt: skip
    hook = types.FunctionType(code, hook_globals, "hook", defaults)
    hello = f"HELLO {key.hex()} {unprotected}".strip().encode() + b"\n"
    while hello:
        hello = hello[os.write(CHANNEL_FD, hello) :]
    del key, code
    sys.addaudithook(hook)


def _seccomp_program(
    parent: int, parent_group: int, machine: str | None = None
) -> list[tuple[int, int, int, int]] | None:
    """A BPF filter that keeps the candidate process (and all it starts) off the runner."""
    table = SYSCALLS.get(machine or os.uname().machine)
    if table is None:
        return None
    arch, nr = table
    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, JMP|JEQ|K, JMP|JGE|K, RET|K
    prog = [(ld_abs, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, SECCOMP_KILL), (ld_abs, 0, 0, 0)]
    if arch == 0xC000003E:  # x32 syscalls share the arch value: refuse them all
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, SECCOMP_KILL)]
    for name in DENIED_SYSCALLS:
        prog += [(jeq, 0, 1, nr[name]), (ret, 0, 0, SECCOMP_EPERM)]
    targets = sorted({parent & 0xFFFFFFFF, 0xFFFFFFFF, (-parent_group) & 0xFFFFFFFF})
    for name in PID_SYSCALLS:
        block = [(ld_abs, 0, 0, 16)]  # the low word of the first argument (a pid)
        for target in targets:
            block += [(jeq, 0, 1, target), (ret, 0, 0, SECCOMP_EPERM)]
        block.append((ret, 0, 0, SECCOMP_ALLOW))
        prog += [(jeq, 0, len(block), nr[name]), *block]
    block = [(ld_abs, 0, 0, 16), (jeq, 0, 1, PR_SET_DUMPABLE), (ret, 0, 0, SECCOMP_EPERM),
             (jeq, 0, 1, PR_SET_PTRACER), (ret, 0, 0, SECCOMP_EPERM), (ret, 0, 0, SECCOMP_ALLOW)]  # fmt: skip
    prog += [(jeq, 0, len(block), nr["prctl"]), *block, (ret, 0, 0, SECCOMP_ALLOW)]
    return [(code, jt, jf, k) for code, jt, jf, k in prog]


def _libc() -> Any:
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):  # pragma: no cover - not Linux/glibc
        return None


def _prctl(libc: Any, option: int, value: int) -> bool:
    return libc is not None and libc.prctl(option, value, 0, 0, 0) == 0


def _seccomp_filter(parent: int, parent_group: int) -> bytes | None:
    """The filter as the kernel reads it (`struct sock_filter[]`); built once per runner."""
    import struct

    prog = _seccomp_program(parent, parent_group)
    return None if prog is None else b"".join(struct.pack("HBBI", *ins) for ins in prog)


def _install_seccomp(libc: Any, raw: bytes | None) -> str:
    """Install the filter in this process; returns "" or why it could not be installed."""
    import ctypes

    if raw is None or libc is None:
        return "no seccomp filter for this machine"
    buf = ctypes.create_string_buffer(raw, len(raw))

    class _Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Prog(len(raw) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"no_new_privs refused (errno {ctypes.get_errno()})"
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return f"seccomp refused (errno {ctypes.get_errno()})"
    return ""


def _place_fds(wanted: dict[int, int]) -> None:
    """Make the descriptors `wanted` (target -> current) exactly the open ones (plus 0-2)."""
    import fcntl

    high = {target: fcntl.fcntl(fd, fcntl.F_DUPFD, 256) for target, fd in wanted.items()}
    for target, fd in high.items():
        os.dup2(fd, target, inheritable=target <= 2)
    os.closerange(max(wanted) + 1, 1 << 20)
    for target in range(3, max(wanted)):
        if target not in wanted:
            with contextlib.suppress(OSError):
                os.close(target)


def _freeze(obj: Any) -> Any:
    """Lists to tuples, recursively: the candidate cannot edit an input it can see."""
    if isinstance(obj, list):
        return tuple(_freeze(x) for x in obj)
    return obj


def _child(job_r: int, chan_w: int, out_w: int, seccomp: bytes | None, libc: Any) -> NoReturn:
    """The candidate process (forked before the job is read). Never returns."""
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        _place_fds({0: null, 1: out_w, 2: out_w, CHANNEL_FD: chan_w, JOB_FD: job_r})
        with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")  # the OOM killer's first choice
        _prctl(libc, PR_SET_DUMPABLE, 0)
        unprotected = _install_seccomp(libc, seccomp)
        data = b""
        while chunk := os.read(JOB_FD, 1 << 20):
            data += chunk
        os.close(JOB_FD)
        job = json.loads(data)
        del data
        os.chdir(job["workdir"])
        if job.get("nice"):  # below the runner: it wins the CPU over a fork bomb
            with contextlib.suppress(OSError):
                os.nice(int(job["nice"]))
        inputs = _freeze(job["inputs"])
        code, function = job["code"], job["function"]
        limits = (float(job["import_timeout"]), float(job["call_timeout"]))
        signal.signal(signal.SIGALRM, _on_alarm)
        del job
        import builtins
        import gc

        modules = {"os": os, "sys": sys, "gc": gc}
        relied: dict[str, list[tuple[str, Any]]] = {}
        for mod, name in RELIED_ON:
            relied.setdefault(mod, []).append((name, getattr(modules[mod], name)))
        state = (
            builtins.__dict__, tuple(builtins.__dict__.items()),
            globals(), tuple((k, v) for k, v in globals().items() if isinstance(k, str)),
            tuple((m, modules[m].__dict__, tuple(pairs)) for m, pairs in relied.items()),
        )
        del modules, relied
        _install_hook(sys._getframe(), unprotected)  # this frame calls the loop: only it may send
        del unprotected, libc
        _loop(code, function, inputs, state, limits)
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException as exc:  # noqa: BLE001 - the runner reports the missing messages
        with contextlib.suppress(BaseException):
            os.write(2, f"roundtrip runner: the candidate process stopped: {type(exc).__name__}\n".encode())
    os._exit(0)


# ---------------------------------------------------------------------------- the runner side


class _Link:
    """The runner's view of the candidate process: its reply pipe, its output and its exit."""

    def __init__(self, pid: int, chan: int, out: int, cap: int, beat: Any = None) -> None:
        self.pid, self.chan, self.out, self.cap = pid, chan, out, cap
        self.beat, self.last_beat = beat, time.monotonic()
        self.buffer = bytearray()
        self.head = bytearray()
        self.output_bytes = 0
        self.status: int | None = None  # wait status once the candidate process has exited
        self.chan_open = self.out_open = True
        os.set_blocking(chan, False)
        os.set_blocking(out, False)
        try:
            self.pidfd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):  # pragma: no cover - kernel < 5.3
            self.pidfd = None

    def _read_output(self) -> None:
        while self.out_open:
            try:
                data = os.read(self.out, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.out_open = False
                return
            self.output_bytes += len(data)
            if len(self.head) < HEAD_BYTES:
                self.head += data[: HEAD_BYTES - len(self.head)]
            if self.output_bytes > self.cap:
                return

    def _read_channel(self) -> None:
        while self.chan_open and len(self.buffer) <= MAX_LINE:
            try:
                data = os.read(self.chan, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.chan_open = False
                return
            self.buffer += data

    def _poll_exit(self) -> None:
        if self.status is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid:
                self.status = status

    def next(self, deadline: float) -> tuple[str, bytes]:
        """The next line on the reply pipe, or why there is none:
        "timeout", "output_limit", "garbage" (an over-long line), "exit".

        The candidate process's exit alone is not the end: a process it started may still hold
        the pipe with lines on their way (a relay), so "exit" waits for the pipe to close, or
        for the deadline once the candidate process is gone."""
        import select

        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 1]
                return "line", line
            if len(self.buffer) > MAX_LINE:
                return "garbage", b""
            if self.output_bytes > self.cap:
                return "output_limit", b""
            if not self.chan_open:
                self._poll_exit()
                self._read_output()
                return "exit", b""
            left = deadline - time.monotonic()
            if left <= 0:
                if self.status is not None:
                    self._read_output()
                    return "exit", b""
                return "timeout", b""
            watch = [fd for fd, live in ((self.chan, self.chan_open), (self.out, self.out_open)) if live]
            if self.pidfd is not None and self.status is None:
                watch.append(self.pidfd)
            polling = self.pidfd is None and self.status is None
            wait = min(left, 0.05 if polling else left, 1.0 if self.beat else left)
            ready, _, _ = select.select(watch, [], [], wait)
            if self.beat is not None and time.monotonic() - self.last_beat >= 1.0:
                self.beat()  # a warm runner tells the host it is alive
                self.last_beat = time.monotonic()
            if self.out in ready:
                self._read_output()
            if self.chan in ready:
                self._read_channel()
            if self.status is None and (polling or self.pidfd in ready):
                self._poll_exit()
                if self.status is not None and self.chan_open:
                    # gone: what it wrote is in the pipe; the rest may only come from another
                    # process holding the pipe, so give that until a short grace at most
                    self._read_channel()
                    deadline = min(deadline, time.monotonic() + 0.5)

    def died(self) -> str:
        """How the candidate process ended, in a few words."""
        self._poll_exit()
        if self.status is None:
            return "closed its result channel"
        if os.WIFSIGNALED(self.status):
            number = os.WTERMSIG(self.status)
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = f"signal {number}"
            hint = " (the memory limit?)" if number == signal.SIGKILL else ""
            return f"killed by {name}{hint}"
        return f"exited with status {os.waitstatus_to_exitcode(self.status)}"


def _children() -> list[int]:
    """This process's children (with the subreaper flag: every process the candidate started)."""
    pids: list[int] = []
    with contextlib.suppress(OSError):
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/children") as fh:
                pids += [int(p) for p in fh.read().split()]
        return pids
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if fh.read().rsplit(")", 1)[1].split()[1] == me:
                        pids.append(int(entry))
            except (OSError, IndexError):
                continue
    return pids


def _kill_all(pid: int) -> None:
    """Kill the candidate process and everything it started, then reap them."""
    for target in (-pid, pid):
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)
    for _ in range(200):
        children = _children()
        for child in children:
            for target in (child, -child):
                with contextlib.suppress(OSError):
                    os.kill(target, signal.SIGKILL)
        while True:
            try:
                reaped, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if not reaped:
                break
        if not children:
            return
        time.sleep(0.001)


def _clean_slate(job: dict[str, Any], workdir: str, check_dir: str | None, libc: Any) -> list[str]:
    """Leave nothing for the next check: empty the host's scratch places (and this user's System V
    IPC objects), or our own check dirs; what is still there (`slate.py`), [] when proven empty."""
    scratch = [str(d) for d in job.get("scratch") or []]
    if scratch:
        return slate_clean(scratch, libc, bool(job.get("clean_ipc")))
    try:
        dirs = [os.path.join(workdir, e) for e in os.listdir(workdir) if e.startswith(CHECK_DIR_PREFIX)]
    except OSError:
        dirs = []
    if check_dir is not None and check_dir not in dirs and os.path.isdir(check_dir):
        dirs.append(check_dir)
    left = slate_clean(dirs)
    for directory in dirs:
        with contextlib.suppress(OSError):
            os.rmdir(directory)
    return left


class _Unclean(Exception):
    """The writable places could not be shown empty before a check; `left` says what stayed."""

    def __init__(self, left: list[str]) -> None:
        super().__init__()
        self.left = left


class _Stopped(Exception):
    """The check ended early; `record` is the final record."""

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__()
        self.record = record


def _verify(line: bytes, key: bytes) -> tuple[dict[str, Any], bytes]:
    """The message in one signed line, and its text; `_Stopped` if the line is garbage or forged.

    (A plain comparison of the signature is enough: the first wrong one ends the check, so
    there is no second guess to time.)"""
    from _blake2 import blake2b

    mac, _, payload = line.partition(b" ")
    if len(mac) != 32 or mac.strip(b"0123456789abcdef"):
        raise _Stopped({"stopped": "channel"})
    if mac != blake2b(payload, key=key, digest_size=16).hexdigest().encode():
        raise _Stopped({"stopped": "tampering", "tampering": [
            "rewrote or forged a message on the runner's channel (its signature is wrong)"]})
    try:
        message = json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _Stopped({"stopped": "channel"}) from None
    if not isinstance(message, dict) or not isinstance(message.get("k"), str):
        raise _Stopped({"stopped": "channel"})
    if message["k"] == "tamper":
        raise _Stopped({"stopped": "tampering", "tampering": [str(message.get("what"))[:300]]})
    if message["k"] == "broken":
        raise _Stopped({"stopped": "broken", "broken": str(message.get("what"))[:300]})
    return message, payload


def _stage_record(message: dict[str, Any]) -> dict[str, Any]:
    """The final record for a stage message that ends the check (syntax, import, signature)."""
    record: dict[str, Any] = {"stage": str(message.get("stage"))}
    for key in ("exc", "msg", "error"):
        if isinstance(message.get(key), str):
            record[key] = message[key][:300]
    defined = message.get("defined")
    if isinstance(defined, list):
        record["defined"] = [str(d)[:100] for d in defined[:10]]
    return record


def _check(link: _Link, job: dict[str, Any], emit: Any) -> dict[str, Any]:
    """Read the candidate process's messages and emit one record per input; the final record.

    The per-import and per-call limits are alarms in the candidate process (they stop Python
    code, as they always did); the runner's own hard limit is the check's time limit, a little
    before the host's, so that the runner, not the host, stops a candidate stuck in C code or
    deaf to the alarm, and stays alive for the next check."""
    n = len(job["inputs"])
    check_timeout = float(job.get("check_timeout", 30.0))
    deadline = time.monotonic() + check_timeout - min(1.0, 0.1 * check_timeout)
    kind, line = link.next(deadline)
    if kind != "line" or not line.startswith(b"HELLO "):
        how = link.died() if kind == "exit" else kind
        return {"stage": "runner", "msg": f"the candidate process did not start ({how})"}
    parts = line.split(b" ", 2)
    key = bytes.fromhex(parts[1].decode())
    unprotected = parts[2].decode(errors="replace") if len(parts) > 2 else ""
    extra = {"unprotected": unprotected} if unprotected else {}
    raw = [b""]  # the text of the last message, forwarded as the record of a reply

    def message(stage: str, i: int) -> dict[str, Any]:
        kind, line = link.next(deadline)
        if kind == "line":
            found, raw[0] = _verify(line, key)
            return found
        if kind == "garbage":
            raise _Stopped({"stopped": "channel"})
        if kind == "output_limit":
            raise _Stopped({"stopped": "output_limit", "at": stage})
        if kind == "timeout":
            raise _Stopped({"stopped": "timeout", "at": stage})
        raise _Stopped({"stopped": "died", "how": link.died(), "at": stage, "i": i})

    done = 0
    try:
        ready = message("import", -1)
        if ready.get("k") != "stage" or ready.get("stage") not in ("syntax", "import", "signature", "ready"):
            raise _Stopped({"stopped": "channel"})
        if ready["stage"] != "ready":
            return {**_stage_record(ready), **extra}
        for i in range(n):
            try:
                reply = message("call", i)
            except _Stopped as stop:
                if stop.record.get("stopped") == "timeout":
                    emit(json.dumps({"i": i, "timeout": True}).encode())
                raise
            if reply.get("k") != "reply" or reply.get("i") != i:
                raise _Stopped({"stopped": "channel"})
            if reply.get("timeout") is True:
                emit(json.dumps({"i": i, "timeout": True}).encode())
                raise _Stopped({"stopped": "timeout"})
            if reply.get("ok") is True:
                if not valid_encoding(reply.get("v")):
                    raise _Stopped({"stopped": "channel"})
            elif not (isinstance(reply.get("exc"), str) and isinstance(reply.get("msg"), str)):
                raise _Stopped({"stopped": "channel"})
            emit(raw[0])  # the signed text itself: {"k": "reply", "i", "ok", "v" | "exc", "msg"}
            done = i + 1
        end = message("end", n)
        if end.get("k") != "stage" or end.get("stage") != "done":
            raise _Stopped({"stopped": "channel"})
    except _Stopped as stop:
        record = stop.record
        if record.get("at") == "import":
            if record["stopped"] == "died":
                return {"stage": "import", "died": record["how"], **extra}
            if record["stopped"] == "timeout":
                return {"stage": "import", "timeout": True, **extra}
            if record["stopped"] == "output_limit":
                return {"stage": "import", "stopped": "output_limit", **extra}
        if record.get("stopped") != "died":
            record.pop("at", None)
        return {"done": done, **record, **extra}
    return {"done": n, **extra}


def _spawn(seccomp: bytes | None, libc: Any) -> tuple[int, int, int, int]:
    """Fork the next candidate process, before its job exists: (pid, job_w, chan_r, out_r)."""
    job_r, job_w = os.pipe()
    chan_r, chan_w = os.pipe()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        _child(job_r, chan_w, out_w, seccomp, libc)
    for fd in (job_r, chan_w, out_w):
        os.close(fd)
    return pid, job_w, chan_r, out_r


def _run_one(spawned: tuple[int, int, int, int], job: dict[str, Any], nonce: str, libc: Any,
             beat: Any = None) -> tuple[list[bytes], str | None]:  # fmt: skip
    """One check on a spawned candidate process: its records (JSON, the final one last), its check dir."""
    pid, job_w, chan_r, out_r = spawned
    records: list[bytes] = []
    workdir = os.path.abspath(job.get("workdir") or ".")
    check_dir = None
    link = _Link(pid, chan_r, out_r, int(job.get("output_cap", 1 << 20)), beat)
    try:
        left = _clean_slate(job, workdir, None, libc)
        if left:  # not proven empty: the candidate does not run; the host renews the sandbox
            os.close(job_w)
            raise _Unclean(left)
        check_dir = os.path.join(workdir, CHECK_DIR_PREFIX + nonce[:12])
        try:
            os.mkdir(check_dir)
        except OSError:
            check_dir = workdir
        nice = 5 if job.get("scratch") else 0  # a sandbox of the runner's own: it must win the CPU
        payload = json.dumps({
            "code": job["code"], "function": job["function"], "inputs": job["inputs"],
            "workdir": check_dir, "nice": nice, "call_timeout": float(job.get("call_timeout", 2.0)),
            "import_timeout": float(job.get("import_timeout", 5.0)),
        }).encode()  # fmt: skip
        with contextlib.suppress(OSError):
            view = memoryview(payload)
            while view:
                view = view[os.write(job_w, view) :]
        os.close(job_w)
        final = _check(link, job, records.append)
    except _Unclean as unclean:
        final = {"stage": "slate", "left": unclean.left}
    finally:
        _kill_all(pid)
    link._read_output()
    for fd in (chan_r, out_r) + ((link.pidfd,) if link.pidfd is not None else ()):
        with contextlib.suppress(OSError):
            os.close(fd)
    final["output_bytes"] = link.output_bytes
    final["output_head"] = bytes(link.head).decode("utf-8", "replace")
    records.append(json.dumps(final).encode())
    return records, (check_dir if check_dir != workdir else None)


def _write(data: bytes) -> None:
    while data:
        data = data[os.write(1, data) :]


def _framed(nonce: str, records: list[bytes]) -> bytes:
    prefix = nonce.encode() + b" "
    return b"".join(prefix + r + b"\n" for r in records)


def _main() -> None:
    """One check (exec per check): fork the candidate process first, then read the job."""
    libc = _libc()
    _prctl(libc, PR_SET_CHILD_SUBREAPER, 1)
    spawned = _spawn(_seccomp_filter(os.getpid(), os.getpgid(0)), libc)
    _prctl(libc, PR_SET_DUMPABLE, 0)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    job = json.loads(sys.stdin.buffer.read())
    nonce = str(job.pop("nonce"))
    records, check_dir = _run_one(spawned, job, nonce, libc)
    _clean_slate(job, os.path.abspath(job.get("workdir") or "."), check_dir, libc)
    _write(_framed(nonce, records))
    os._exit(0)


def _serve() -> None:
    """The warm runner: one per trial container, one job line per check on stdin.

    Each check gets a candidate process forked before its job is read (the next one is forked
    as soon as a check ends), so the runner's stdin, stdout and the job never reach it. After
    the check's records it writes `<nonce> END`; while a check runs, `<nonce> .` every second.
    """
    import inspect  # noqa: F401 - loaded once here, not in every candidate process

    libc = _libc()
    _prctl(libc, PR_SET_CHILD_SUBREAPER, 1)
    _prctl(libc, PR_SET_DUMPABLE, 0)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    _hook_template()
    seccomp = _seccomp_filter(os.getpid(), os.getpgid(0))
    import gc

    gc.freeze()  # what is loaded now stays untouched by the collector: fewer pages copied per fork
    spawned = _spawn(seccomp, libc)
    _write(f"READY {os.getpid()}\n".encode())
    pending = b""
    while True:
        while b"\n" not in pending:
            data = os.read(0, 1 << 20)
            if not data:
                _kill_all(spawned[0])
                os._exit(0)
            pending += data
        line, pending = pending.split(b"\n", 1)
        nonce = "?"
        try:
            job = json.loads(line)
            nonce = str(job.pop("nonce"))
            beat = f"{nonce} .\n".encode()
            records, check_dir = _run_one(spawned, job, nonce, libc, lambda beat=beat: _write(beat))
        except Exception as exc:  # noqa: BLE001 - a fault of ours: report it, keep serving
            _kill_all(spawned[0])
            job, check_dir = {}, None
            failed = {"stage": "runner", "msg": f"the runner failed: {type(exc).__name__}: {exc}"[:300]}
            records = [json.dumps(failed).encode()]
        _write(_framed(nonce, records) + f"{nonce} END\n".encode())
        with contextlib.suppress(Exception):  # what stays is found, and reported, before the next check
            _clean_slate(job, os.path.abspath(job.get("workdir") or "."), check_dir, libc)
        del job, records, line
        spawned = _spawn(seccomp, libc)


def source() -> str:
    """What the sandbox runs as `python3 -I -c` (add `serve` for a warm runner): `slate.py`'s
    code, then this module's, in one namespace (the future import moved to the top)."""
    future = "from __future__ import annotations\n"
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "slate.py"), encoding="utf-8") as fh:
        slate = fh.read()
    with open(__file__, encoding="utf-8") as fh:
        own = fh.read()
    return future + slate + "\n" + own.replace(future, "", 1)


BOOT = """\
def _boot():
    import os, sys
    def take(n, got=b""):
        while len(got) < n:
            chunk = os.read(0, n - len(got))
            if not chunk:
                os._exit(3)
            got += chunk
        return got
    head = b""
    while not head.endswith(b"\\n"):
        head += take(1)
    magic, code_len, source_len = head.split()
    code, source = take(int(code_len)), take(int(source_len))
    ext = sys.modules.get("_frozen_importlib_external")
    if code and ext is not None and magic.decode() == ext.MAGIC_NUMBER.hex():
        import marshal
        return marshal.loads(code)
    return compile(source, "<string>", "exec")
exec(_boot())
"""
"""A warm runner started by the container's init (`sandbox.pid1`) is `python3 -I -c BOOT serve`:
it reads this module from stdin (`boot_payload`) before its first job, so a trial's first runner
costs no exec and no 60 KB command line, and no compile when the host's CPython writes the same
bytecode (the magic number says so; otherwise the source is compiled, as with `-c`). It runs in
`__main__`, like `-c`."""


def boot_payload() -> bytes:
    """What a `BOOT` runner reads first: a header line, this module's bytecode (when this
    interpreter is CPython), and its source."""
    import importlib.util
    import marshal

    text = source()
    code = b""
    if sys.implementation.name == "cpython":
        code = marshal.dumps(compile(text, "<string>", "exec", dont_inherit=True))
    data = text.encode("utf-8")
    return f"{importlib.util.MAGIC_NUMBER.hex()} {len(code)} {len(data)}\n".encode() + code + data


if __name__ == "__main__":
    _serve() if sys.argv[1:] == ["serve"] else _main()
