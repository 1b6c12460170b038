# inspect-evals-lint: ignore-file[host_code_execution] -- a part of the runner, which runs inside the sandbox
"""What the runner's parts and the host agree on: limits, descriptors, event names, message
and record keys, and the refusals of the candidate process's audit hook.

Stdlib-only and free of imports, like every part of the runner (see `runner/__init__.py`); the
host reads the records into typed values with these names (`check/host.py`).
"""

from __future__ import annotations

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
JOB_FD = 4  # the candidate process's end of the job pipe (its program, then its job)
EXE_FD = 5  # the exec-only interpreter the candidate process execs (closed by the exec)
TOO_LARGE = f"<too large: more than {MAX_VALUE_BYTES} bytes>"

# -- messages on the reply pipe (candidate process -> runner), each a signed JSON object
K_KIND = "k"  # one of the MSG_* below
MSG_STAGE, MSG_REPLY, MSG_TAMPER, MSG_BROKEN = "stage", "reply", "tamper", "broken"
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
K_AT = "at"  # where a stop happened: "import", "call" or "end"
K_DIED = "died"  # how the process ended while importing the code
K_HOW = "how"  # how the process ended during the calls
K_TAMPERING = "tampering"  # [one line]: what the code did
K_BROKEN = "broken"  # one line: what the code broke
K_UNPROTECTED = "unprotected"  # why part of the confinement could not be set up
K_LEFT = "left"  # of a slate record: what could not be removed (a few paths and a count)
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
    "used ctypes to reach the interpreter's memory",
    "imported ctypes itself (only the standard library may load it)",
    "read the code of the checker's audit hook",
    "replaced the code or defaults of a runner function",
    "imported CPython internals the checker refuses (_testcapi, ...)",
    "opened a process's memory (/proc/.../mem)",
    "sent a result from a thread of its own",
    "sent a result through the runner's channel from its own code",
)
REFUSAL_STATUS = 200
BLOCKED_EVENTS = {
    "gc.get_objects": 0, "gc.get_referrers": 1, "gc.get_referents": 2,
    "sys._current_frames": 3, "sys._current_exceptions": 4, "sys.settrace": 5,
    "sys.setprofile": 6, "sys.addaudithook": 7, "code.__new__": 8,
    "cpython.PyInterpreterState_New": 9,
}  # fmt: skip
"""Events the hook refuses whoever raises them (code.__new__: except types.coroutine's flag)."""
R_CTYPES, R_CTYPES_IMPORT, R_HOOK_CODE, R_RUNNER_CODE, R_INTERNALS = 10, 11, 12, 13, 14
R_PROC_MEM, R_THREAD_SEND, R_OWN_SEND = 15, 16, 17
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
