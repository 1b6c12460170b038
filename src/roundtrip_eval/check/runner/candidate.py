# inspect-evals-lint: ignore-file[host_code_execution] -- a part of the runner, which runs inside the sandbox
"""The candidate side: the program the zygote runs after its `execve`, and each candidate
process it forks.

A fresh interpreter (`python3 -P -s -S`, see `confine.ISOLATED`) loads this program and waits
(`_zygote`); per check it forks a candidate process that reads its job, installs the audit hook,
then imports the candidate and calls its function on each input in the sealed `_loop`. Only the
interpreter's start-up modules and the few this part imports (`os`, `gc`, `_signal`, `_thread`,
`_blake2`, `_json`, `_socket`, `types`, `time`, `mmap` for the refusal flag, and `opcode`, read
once by the zygote to find the loop's send instructions) are loaded before the candidate's code: nothing the
runner used for its own set-up (ctypes in particular) is in this process.
"""

from __future__ import annotations

import _signal
import _thread
import gc
import os
import sys
import time
import types
from typing import Any

from .codec import (
    CHECK_BUDGET,
    _dec,
    _dumps,
    _enc_json,
    _encode_text,
    _encode_value,
    _message,
    _stdlib_mapping,
    exception_name,
)
from .protocol import (
    BIND_EVENT,
    BLOCKED_EVENTS,
    BLOCKED_IMPORTS,
    CHANNEL_FD,
    ERROR_ARITY,
    ERROR_MISSING,
    F_SETOWN,
    F_SETOWN_EX,
    FIOSETOWN,
    JOB_FD,
    K_DEFINED,
    K_ERROR,
    K_EXC,
    K_INDEX,
    K_KIND,
    K_MSG,
    K_OK,
    K_STAGE,
    K_TIMEOUT,
    K_VALUE,
    K_WHAT,
    MSG_BROKEN,
    MSG_REPLY,
    MSG_STAGE,
    MSG_TAMPER,
    MSG_UNENCODABLE,
    NO_PYCACHE,
    PRELOAD,
    PRELOAD_ARG,
    R_CHANNEL,
    R_CTYPES,
    R_CTYPES_IMPORT,
    R_HOOK_CODE,
    R_IMP,
    R_INTERNALS,
    R_OWN_SEND,
    R_PROC_MEM,
    R_RUNNER_CODE,
    R_SECOND_LOOP,
    R_SIGNAL_OWNER,
    R_THREAD_SEND,
    REFUSAL_FLAG_BYTES,
    REFUSAL_STATUS,
    RELIED_ON,
    SEND_EVENT,
    SIOCSPGRP,
    STAGE_DONE,
    STAGE_IMPORT,
    STAGE_READY,
    STAGE_SIGNATURE,
    STAGE_SYNTAX,
    ZYGOTE_FD,
)  # fmt: skip


class _CallTimeout(BaseException):
    """Raised by the alarm; a BaseException so `except Exception` in a candidate can't eat it."""


def _on_alarm(signum: int, frame: Any, _exc: Any = _CallTimeout) -> None:
    raise _exc()


ALARM_EARLY = 0.005
"""Seconds before its limit at which the alarm cannot be the loop's own: the timer is the
process's, and the candidate may set it itself (`signal.setitimer`), which the runner's handler
then answers early. Such a call is judged as raising, not as a timeout (red22); the loop's
clock, not the alarm, says when a limit has passed."""
ALARM_TEXT = ("the process's real-time timer went off before the time limit: the code set the "
              "runner's timer itself (signal.setitimer or signal.alarm)")  # fmt: skip


def _changed(
    current: Any, snapshot: Any, _type: Any = type, _str: Any = str, _list: Any = list,
    _dict: Any = dict,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:  # fmt: skip
    """Names of `snapshot` ((name, object) pairs) rebound or missing in the dict `current`, and
    names `current` holds that `snapshot` does not (a key that is not exactly a str counts:
    a str subclass equal to a name shadows it). Tuples: what it found is never edited later."""
    now = _dict()
    added: tuple[str, ...] = ()
    for k, v in _list(current.items()):
        if _type(k) is _str:
            now[k] = v
        else:
            added += ("<a key that is not a str>",)
    replaced: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    for k, v in snapshot:
        if k not in now:
            missing += (k,)
            continue
        if now[k] is not v:
            replaced += (k,)
        del now[k]
    for k in now:
        added += (k,)
    return replaced, missing, added


def _integrity(
    builtins_dict: Any, builtins_snap: Any, globals_dict: Any, globals_snap: Any,
    relied_snap: Any, _changed: Any = _changed, _sorted: Any = sorted, _join: Any = ", ".join,
    _kind: str = K_KIND, _what: str = K_WHAT, _broken: str = MSG_BROKEN, _tamper: str = MSG_TAMPER,
) -> tuple[str, str, str, str] | None:  # fmt: skip
    """The message (`_message` pairs, a tuple) that stops the check if the candidate broke or
    rebound what the runner uses.

    Replaced or deleted builtins, or deleted runner globals, break every call in the process:
    `broken` (scored crash). A rebound runner global or relied-on standard-library function is
    `tamper` (scored tampering).
    """
    replaced, missing, _ = _changed(builtins_dict, builtins_snap)
    if replaced or missing:
        return (_kind, _broken, _what, "replaced builtins: " + _join(_sorted(replaced + missing)[:5]))
    replaced, missing, added = _changed(globals_dict, globals_snap)
    if missing:
        return (_kind, _broken, _what, "deleted the runner's globals: " + _join(_sorted(missing)[:5]))
    if replaced:
        return (_kind, _tamper, _what, "replaced the runner's " + _join(_sorted(replaced)[:5]))
    if added:  # a new name in the runner's namespace shadows a builtin for the runner's code
        return (_kind, _tamper, _what, "added to the runner's globals: " + _join(_sorted(added)[:5]))
    for label, module_dict, snap in relied_snap:
        replaced, missing, _ = _changed(module_dict, snap)
        if replaced or missing:
            return (_kind, _tamper, _what, "replaced " + label + "." + _join(_sorted(replaced + missing)[:5]))
    return None


def _describe_exc(
    exc: Any, limit: int, _type: Any = type, _str: Any = str, _base: Any = BaseException,
    _name: Any = exception_name,
) -> tuple[str, str]:  # fmt: skip
    """(type name, text) of an exception the candidate raised (its class and __str__ may be
    hostile); the name by `codec.exception_name`, the rule C0's expected outcomes use."""
    try:
        name = _name(exc, "candidate")
        msg = _str(exc)[:limit]
    except _base:
        name, msg = "?", "<unrepresentable>"
    if _type(name) is not _str or _type(msg) is not _str:
        name, msg = "?", "<unrepresentable>"
    return name[:limit], msg  # a class may name itself with megabytes: the reply must still fit


def _arity(
    func: Any, n: int, _type: Any = type, _function_type: Any = types.FunctionType,
    _repr: Any = repr, _len: Any = len, _range: Any = range,
) -> str | None:  # fmt: skip
    """Why a plain function cannot take `n` positional arguments (inspect's words), "" if it
    can, None if `inspect.signature` decides: it is not a plain function, or its own parameters
    take any count (`*args`) and it says it stands for another (`__wrapped__`, `__signature__`).

    A plain function is judged by its own code, the object the loop calls: `inspect.signature`
    would follow `__wrapped__` (set by `functools.wraps`) to the inner function, whose
    parameters a wrapper like `def wrapper(n): return func(n, TABLE)` does not share. Only a
    wrapper that passes its arguments on (`*args`) is judged by what it wraps, so that a
    genuine mismatch behind it is still a `signature` verdict."""
    if _type(func) is not _function_type:
        return None
    code = func.__code__
    pos, names = code.co_argcount, code.co_varnames
    defaults = func.__defaults__ or ()
    varargs = code.co_flags & 0x04
    if n > pos and not varargs:
        return "too many positional arguments"
    if n < pos - _len(defaults):
        return "missing a required argument: " + _repr(names[n])
    kwdefaults = func.__kwdefaults__ or {}
    kwonly = names[pos : pos + code.co_kwonlyargcount]
    for i in _range(_len(kwonly)):
        name = kwonly[i]
        if name not in kwdefaults:
            first = i == 0 and n == pos and not varargs  # inspect meets it in its positional pass
            return "missing a required" + (" keyword-only" if first else "") + " argument: " + _repr(name)
    attrs = func.__dict__
    if varargs and ("__wrapped__" in attrs or "__signature__" in attrs):
        return None  # it passes its arguments on: what it stands for decides
    return ""


def _loop(
    code: str, function: str, inputs: Any, state: Any, limits: Any,
    _setitimer: Any = _signal.setitimer, _real: int = _signal.ITIMER_REAL,
    _call_timeout: Any = _CallTimeout, _audit: Any = sys.audit, _compile: Any = compile, _exec: Any = exec,
    _module_type: Any = types.ModuleType, _modules: Any = sys.modules, _import: Any = __import__,
    _encode_value: Any = _encode_value, _dec: Any = _dec, _message: Any = _message,
    _integrity: Any = _integrity, _describe: Any = _describe_exc, _arity: Any = _arity,
    _flush_out: Any = sys.stdout.flush, _flush_err: Any = sys.stderr.flush, _type: Any = type,
    _str: Any = str, _len: Any = len, _range: Any = range, _callable: Any = callable,
    _sorted: Any = sorted, _tuple: Any = tuple, _base: Any = BaseException,
    _type_error: Any = TypeError, _send: str = SEND_EVENT, _getframe: Any = sys._getframe,
    _keys: Any = (K_KIND, K_STAGE, K_INDEX, K_OK, K_VALUE, K_EXC, K_MSG, K_TIMEOUT, K_ERROR, K_DEFINED),
    _words: Any = (MSG_STAGE, MSG_REPLY, STAGE_SYNTAX, STAGE_IMPORT, STAGE_SIGNATURE, STAGE_READY,
                   STAGE_DONE, ERROR_MISSING, ERROR_ARITY, MSG_UNENCODABLE),
    _last: Any = (K_WHAT, MSG_BROKEN), _bind: str = BIND_EVENT, _budget: Any = CHECK_BUDGET,
    _loader: Any = types.SimpleNamespace, _monotonic: Any = time.monotonic,
    _gc_disable: Any = gc.disable, _gc_enable: Any = gc.enable, _gc_isenabled: Any = gc.isenabled,
    _early: float = ALARM_EARLY, _alarm_name: str = "SIGALRM", _alarm_text: str = ALARM_TEXT,
) -> None:  # fmt: skip
    """The candidate process's work: import the code, check the function, call it on each input.

    Every message is JSON text (keys from `protocol`) written by the sealed `_message` from a
    tuple of pairs into the local `out` (a str), and leaves by the same two statements,
    `me.f_code` then `_audit(_send, out)`: reading its own frame's code *arms* the audit hook
    (an audited read, `object.__getattr__`), and the hook signs only the send that follows,
    made by this frame's own next call instruction (see `_HOOK_SOURCE`: what a C callable run
    by this frame sends is refused). From a call's return to its signed send no list or dict
    of the message exists, so the signature covers what the function returned (see
    docs/threat_model.md for what a thread can still do). Sealed (see
    `codec._seal`): it reads no global, builtin or cell, and `state` is the tuple of snapshots
    `_integrity` compares with. `limits` is (import timeout, call timeout): an alarm, as in a
    plain Python runner, stops Python code that runs too long; the loop also times the import
    and each call itself (a monotonic clock, a default: nothing the candidate can rebind),
    through the encoding of its outcome and the flush, so one that returned or raised past
    its limit (the alarm ignored, or its exception caught) is a timeout all the same. Neither
    is the guarantee: the runner times every message from its own side and kills a candidate
    process that is late (`supervisor._check`).
    """
    _audit(_bind)  # before any candidate code runs: the hook signs for this frame and no other
    me = _getframe()
    kind, what_k, broken = _keys[0], _last[0], _last[1]
    try:
        kind, stage, index, ok, value_k, exc_k, msg_k, timeout_k, error_k, defined_k = _keys
        stage_msg, reply_msg, syntax, import_, signature, ready, done, missing, arity, unencodable = _words
        import_timeout, call_timeout = limits
        try:
            compiled = _compile(code, "candidate.py", "exec")
        except _base as exc:
            name, text = _describe(exc, 300)
            out = _message((kind, stage_msg, stage, syntax, exc_k, name, msg_k, text))
            me.f_code  # noqa: B018 - arms the hook for the next line's send
            _audit(_send, out)
            return
        module = _module_type("candidate")
        namespace = module.__dict__
        namespace["__file__"] = "candidate.py"
        # its source, findable as a file-run program's is (`inspect.getsource`, tracebacks):
        # `linecache` asks the module's loader; this one holds only the candidate's own text
        namespace["__loader__"] = _loader(get_source={"candidate": code}.get)
        _modules["candidate"] = module
        failed = None
        started = _monotonic()
        try:
            _setitimer(_real, import_timeout)
            _exec(compiled, namespace)
            _setitimer(_real, 0)
            if _monotonic() - started > import_timeout:  # the alarm ignored, or caught
                raise _call_timeout()
        except _call_timeout:
            _setitimer(_real, 0)
            if _monotonic() - started < import_timeout - _early:  # not this limit: its own timer
                failed = (kind, stage_msg, stage, import_, exc_k, _alarm_name, msg_k, _alarm_text)
            else:
                out = _message((kind, stage_msg, stage, import_, timeout_k, True))
                me.f_code  # noqa: B018
                _audit(_send, out)
                return
        except _base as exc:
            _setitimer(_real, 0)
            name, text = _describe(exc, 300)
            failed = (kind, stage_msg, stage, import_, exc_k, name, msg_k, text)
        try:
            _flush_out()
            _flush_err()
        except _base:
            pass
        stop = _integrity(*state)
        if stop is not None or failed is not None:
            out = _message(failed if stop is None else stop)
            me.f_code  # noqa: B018
            _audit(_send, out)
            return
        func = namespace.get(function)
        if func is None or not _callable(func):
            names = []
            for k, v in _tuple(namespace.items()):
                if _type(k) is _str and k[:2] != "__" and _callable(v):
                    names.append(k[:100])  # a name of megabytes would not fit the reply
            out = _message((kind, stage_msg, stage, signature, error_k, missing,
                            defined_k, _tuple(_sorted(names)[:10])))  # fmt: skip
            me.f_code  # noqa: B018
            _audit(_send, out)
            return
        sig: Any = None
        arities = []
        for frozen in inputs:
            n = _len(frozen[1])
            if n in arities:  # binding depends only on how many arguments
                continue
            arities.append(n)
            why = _arity(func, n)
            if why is None and sig is None:
                try:
                    sig = _import("inspect").signature(func)
                except _base:
                    break
            if why is None:
                try:
                    sig.bind(*_dec(frozen))
                    why = ""
                except _type_error as exc:
                    why = _describe(exc, 200)[1]
                except _base:
                    break
            if why:
                out = _message((kind, stage_msg, stage, signature, error_k, arity, exc_k, "TypeError",
                                msg_k, why[:200]))  # fmt: skip
                me.f_code  # noqa: B018
                _audit(_send, out)
                return
        out = _message((kind, stage_msg, stage, ready))
        me.f_code  # noqa: B018
        _audit(_send, out)
        budget = _budget  # what encoding the values may still cost (`_encode_value`)
        for i in _range(_len(inputs)):
            args = _dec(inputs[i])
            value = out = None
            late = False
            started = _monotonic()
            try:
                _setitimer(_real, call_timeout)
                value = func(*args)
                _setitimer(_real, 0)
            except _call_timeout:
                _setitimer(_real, 0)
                if _monotonic() - started < call_timeout - _early:  # not the limit: the code's own timer
                    out = _message((kind, reply_msg, index, i, ok, False, exc_k, _alarm_name,
                                    msg_k, _alarm_text))  # fmt: skip
                else:
                    late = True
            except _base as exc:
                _setitimer(_real, 0)
                name, why = _describe(exc, 200)
                out = _message((kind, reply_msg, index, i, ok, False, exc_k, name, msg_k, why))
            # From the return to the signed send the collector is off (no finalizer of the
            # candidate's runs on the loop's path; the hook leaves it off, this loop restores
            # it after the send), and every message is a str from the moment it is built: code
            # of the candidate's that runs anyway (an opaque value's repr, the flush, a thread)
            # finds nothing mutable whose change would reach the signed text
            collecting = _gc_isenabled()
            _gc_disable()
            if not late and out is None:  # encoding is not the function: what it raises is no outcome of it
                try:
                    encoded, budget = _encode_value(value, budget)
                    out = _message((kind, reply_msg, index, i, ok, True), (value_k, encoded))
                except _call_timeout:
                    _setitimer(_real, 0)
                    if _monotonic() - started < call_timeout - _early:  # the code's own timer
                        out = _message((kind, unencodable, index, i, exc_k, _alarm_name, msg_k, _alarm_text))
                    else:
                        late = True
                except _base as exc:
                    name, why = _describe(exc, 200)
                    out = _message((kind, unencodable, index, i, exc_k, name, msg_k, why))
            value = None
            try:
                _flush_out()
                _flush_err()
            except _base:
                pass
            # the clock judges the call through its encoding and the flush: work slipped in
            # there (a repr, a replaced flush) is the call's time
            if late or _monotonic() - started > call_timeout:  # returned or raised past the limit
                out = _message((kind, reply_msg, index, i, timeout_k, True))
                me.f_code  # noqa: B018 - arms the hook for the next line's send
                _audit(_send, out)
                return
            me.f_code  # noqa: B018
            _audit(_send, out)
            if collecting:
                _gc_enable()
        stop = _integrity(*state)
        out = _message((kind, stage_msg, stage, done) if stop is None else stop)
        me.f_code  # noqa: B018
        _audit(_send, out)
    except _base:  # nothing escapes the loop: its caller must never run code of the candidate's
        try:
            _setitimer(_real, 0)
            stop = _integrity(*state)
            if stop is None:
                stop = (kind, broken, what_k, "the runner's loop stopped: the candidate's objects raised")
            out = _message(stop)
            me.f_code  # noqa: B018
            _audit(_send, out)
        except _base:
            pass




# The audit hook, compiled in the candidate process with the per-check key and every object it
# uses as constants of its code (`__KEY__`, and each `"__NAME__"` string, replaced with
# `code.replace` by `_install_hook`): it has no defaults, so its frame's `f_locals` (readable from
# a signal handler that fires inside it) hold only `event`, `args` and what it derives from them.
# `"__X__".__call__(...)` calls the constant that replaces "__X__" (`is` against a constant is
# `"__IS__"`, `operator.is_`: the compiler warns on `is` with a literal); its globals hold no
# builtins.
# A refusal ends the process at once (`_exit(REFUSAL_STATUS + index)`): it raises nothing, so
# no traceback, frame or object of the hook ever reaches the candidate. Before that it sets the
# check's refusal flag (`__FLAG__`, a shared mapping of the runner's memfd, a constant of this
# code): the runner reads it after the check, so a refusal in a process the candidate forked
# (whose exit status the candidate reaps itself) is scored too. It writes to no descriptor, so
# no redirected descriptor can hide it.
_HOOK_SOURCE = '''
def hook(event, args):
    if not "__IS__".__call__("__TYPE__".__call__(event), "__STR__"):
        return
    what = -1
    if event == "__SEND__" or event == "__BIND__":
        if "__IDENT__".__call__() != "__MAIN__":
            what = "__R_THREAD_SEND__"
        else:
            f = "__GETFRAME__".__call__(1)  # raised by the runner's loop, called by the runner's own frame
            if "__STATE__".__getitem__(0) is not f or event == "__BIND__":
                if (not "__IS__".__call__(f.f_back, "__CALLER__")
                        or not "__IS__".__call__(f.f_code, "__LOOP_CODE__")):
                    what = "__R_OWN_SEND__"
                elif event == "__BIND__":  # the loop's first act, before any candidate code has run
                    if "__STATE__".__getitem__(0) is not None:
                        what = "__R_SECOND_LOOP__"
                    else:
                        "__STATE__".__setitem__(0, f)
                        return
                else:  # one-shot: only the loop frame bound first
                    what = "__R_SECOND_LOOP__"
            elif ("__STATE__".__getitem__(1) < 0
                  or f.f_lasti not in "__SITES__".__getitem__("__STATE__".__getitem__(1))):
                what = "__R_OWN_SEND__"  # not the send the loop armed: a C callable it ran, a finalizer, ...
            elif "__LEN__".__call__(args) == 1 and "__IS__".__call__("__TYPE__".__call__(args[0]), "__STR__"):
                "__STATE__".__setitem__(1, -1)  # one send per arming
                data = args[0].encode("utf-8", "replace")
                line = ("__MAC__".__call__(data, key=__KEY__, digest_size=16).hexdigest().encode() + b" "
                        + data + b"\\n")
                # descriptor 3 must still be the runner's socket (its identity is a constant of
                # this code): one of the candidate's own, made to block this write, would hold
                # the loop between two clocks while the candidate works. No lock: only this
                # send writes here, only from the main thread, once per arming
                st = "__FSTAT__".__call__("__FD__")
                if ("__ITEM__".__call__(st, 2), "__ITEM__".__call__(st, 1)) == "__CHANNEL__":
                    while line:
                        line = line["__WRITE__".__call__("__FD__", line):]
                    st = "__FSTAT__".__call__("__FD__")
                if ("__ITEM__".__call__(st, 2), "__ITEM__".__call__(st, 1)) != "__CHANNEL__":
                    what = "__R_CHANNEL__"
                else:
                    if "__STATE__".__getitem__(2):
                        "__STATE__".__setitem__(2, False)
                        "__GC_ENABLE__".__call__()
                    return
            else:
                what = "__R_OWN_SEND__"
    elif "__BLOCKED__".__contains__(event):
        what = "__BLOCKED__".__getitem__(event)
        if event == "code.__new__" and "__LEN__".__call__(args) == 9:  # types.coroutine marks a generator
            try:
                f = "__GETFRAME__".__call__(1)
            except "__VALUE_ERROR__":  # no Python frame: a C callable a thread started (red26)
                f = None
            # only at its own `co.replace(...)`: not a C callable it runs elsewhere (a signal
            # handler at one of its calls); what is built must be that code with the flag added
            co = None
            if (f is not None and "__IS__".__call__(f.f_code, "__COROUTINE_CODE__")
                    and "__REPLACE__".__contains__(f.f_lasti)):
                co = f.f_locals.get("co")
            if ("__IS__".__call__("__TYPE__".__call__(co), "__CODE_TYPE__") and co.co_flags & 0x20
                    and args[8] == co.co_flags | 0x100 and args[0] == co.co_code):
                return
    elif event[:7] == "ctypes.":
        what = "__R_CTYPES__"
    elif event == "object.__getattr__":
        if "__LEN__".__call__(args) == 2:
            obj = args[0]
            if (obj is "__STATE__".__getitem__(0) and "__IDENT__".__call__() == "__MAIN__"
                    and "__GETFRAME__".__call__(1) is obj
                    and "__SITES__".__contains__(obj.f_lasti)):
                # the loop reads its own code right before a send: arm for that send. The
                # collector is off until the send is signed (its finalizers and weakref
                # callbacks run whatever code the candidate gave them, on any allocation,
                # with the loop's frame on top), and switched off by a FOR_ITER, after which
                # nothing checks for signals or another thread before the loop's send
                if "__STATE__".__getitem__(1) < 0:
                    "__STATE__".__setitem__(2, "__GC_ISENABLED__".__call__())
                "__STATE__".__setitem__(1, obj.f_lasti)
                for _ in "__ITER__".__call__("__GC_DISABLE__", None):
                    pass
                return
            kind = "__TYPE__".__call__(obj)
            if "__IS__".__call__(kind, "__FRAME_TYPE__"):
                if ("__IS__".__call__(obj.f_globals, "__HOOK_GLOBALS__")
                        or "__IS__".__call__(obj.f_globals, "__GUARD_GLOBALS__")):
                    what = "__R_HOOK_CODE__"
            elif "__IS__".__call__(kind, "__FUNCTION_TYPE__"):
                if ("__IS__".__call__(obj.__globals__, "__HOOK_GLOBALS__")
                        or "__IS__".__call__(obj.__globals__, "__GUARD_GLOBALS__")):
                    what = "__R_HOOK_CODE__"
    elif event == "object.__setattr__" or event == "object.__delattr__":
        if "__LEN__".__call__(args) >= 2:
            obj = args[0]
            if ("__IS__".__call__("__TYPE__".__call__(obj), "__FUNCTION_TYPE__")
                    and "__IS__".__call__("__TYPE__".__call__(args[1]), "__STR__")
                    and args[1] in "__FN_ATTRS__"
                    and ("__IS__".__call__(obj.__globals__, "__RUNNER_GLOBALS__")
                         or "__IS__".__call__(obj.__globals__, "__HOOK_GLOBALS__")
                         or "__IS__".__call__(obj.__globals__, "__GUARD_GLOBALS__"))):
                what = "__R_RUNNER_CODE__"
    elif event == "fcntl.fcntl":
        # (fd, cmd, arg): fd and cmd are C ints. An owner makes the kernel signal that process
        # or group (SIGIO, or any signal set with F_SETSIG); only "no owner" (0) is allowed
        if "__LEN__".__call__(args) == 3 and "__OWNER_CMDS__".__contains__(args[1]):
            if args[1] != "__SETOWN__" or not (
                    args[2] is None or ("__IS__".__call__("__TYPE__".__call__(args[2]), "__INT__")
                                        and args[2] == 0)):
                what = "__R_SIGNAL_OWNER__"
    elif event == "fcntl.ioctl":
        if "__LEN__".__call__(args) >= 2 and "__OWNER_IOCTLS__".__contains__(args[1]):
            what = "__R_SIGNAL_OWNER__"
    elif event == "import":
        # raised for every module not yet loaded, and for every extension module's load
        # whatever loader asked: ctypes is refused whoever imports it, under any package name
        name = args[0] if "__LEN__".__call__(args) >= 1 else None
        if "__IS__".__call__("__TYPE__".__call__(name), "__STR__"):
            last = name.rpartition(".")[2]
            if last == "_ctypes" or last == "ctypes" or name[:7] == "ctypes.":
                what = "__R_CTYPES_IMPORT__"
            elif name in "__BLOCKED_IMPORTS__":
                what = "__R_INTERNALS__"
            elif name == "_imp":  # a fresh _imp has the unguarded get_frozen_object
                what = "__R_IMP__"
    elif event == "open":
        # a process's memory file: /proc/.../mem or /dev/mem, a relative path joined with the
        # genuine work dir. A str or bytes subclass is read as an exact copy (str.__str__,
        # bytes.__bytes__: C, no code of the candidate's); a path-like object that reaches the
        # event unresolved (io.FileIO(obj)) cannot be read without calling it: the kernel
        # decides (the candidate process is not dumpable, so its memory file is root's)
        path = args[0] if "__LEN__".__call__(args) >= 1 else None
        kind = "__TYPE__".__call__(path)
        text = None
        if "__ISSUBCLASS__".__call__(kind, "__STR__"):
            text = "__STR_COPY__".__call__(path)
        elif "__ISSUBCLASS__".__call__(kind, "__BYTES__"):
            text = "__BYTES_COPY__".__call__(path).decode("utf-8", "surrogateescape")
        if text is not None and text[-3:] == "mem":
            if text[:1] != "/":
                text = "__CWD_SLASH__" + text  # the work dir and "/": one constant, never folded
            parts = []
            for part in text.split("/"):
                if part == "..":
                    if parts:
                        parts.pop()
                elif part and part != ".":
                    parts.append(part)
            if parts[-1:] == ["mem"] and (parts[0] == "proc" or parts == ["dev", "mem"]):
                what = "__R_PROC_MEM__"
    if what >= 0:
        "__FLAG__".__setitem__(0, 1 + what)  # the runner reads it after the check, whoever reaps
        "__EXIT__".__call__("__STATUS__" + what)
'''


SHAREDCTYPES_SOURCE = ""
"""The text of `runner/sharedctypes.py`; the joined candidate program defines it
(`runner.candidate_source`)."""


class _SharedValues:
    """A meta-path finder and loader that serves `multiprocessing.sharedctypes` from
    `SHAREDCTYPES_SOURCE`, a version without ctypes, so `multiprocessing.Value` works in a
    process that refuses ctypes. It is a convenience, not a guard: a candidate that removes it
    imports the real module, whose `import ctypes` is refused."""

    NAME = "multiprocessing.sharedctypes"

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: Any = None) -> Any:
        if name != cls.NAME:
            return None
        spec_type: Any = type(sys.__spec__)  # importlib's ModuleSpec, without importing importlib
        return spec_type(name, cls, origin="<roundtrip: multiprocessing.sharedctypes without ctypes>")

    @staticmethod
    def create_module(spec: Any) -> None:
        return None

    @staticmethod
    def exec_module(module: Any) -> None:
        exec(compile(SHAREDCTYPES_SOURCE, "<roundtrip-sharedctypes>", "exec"), module.__dict__)


_KEY_PLACEHOLDER = b"roundtrip-key-placeholder-3f9c1a7e5d2b4c6a8e0f"

_FLAG: list[Any] = []
"""The check's refusal flag between the fork and the hook: `_become_candidate` maps it (no
frame holds it as a local), `_install_hook` takes it out into the hook's code, before any
candidate code runs. (mapping, whether it is the runner's shared memfd)."""


# Guards for the two functions of `_imp` that build code from bytes without an audit event:
# `get_frozen_object(name, data)` unmarshals any `data`, and `create_builtin` of a spec named
# `_imp` makes a fresh `_imp` module with an unguarded `get_frozen_object`. Compiled in the
# zygote; every object they use (the original functions above all) is a constant of their code,
# put there with `code.replace`, so no caller can pass another one and no frame of theirs holds
# one as a local (a signal handler or a `spec.name` property that looks at the frame finds only
# the arguments). Their code is refused like the hook's (`_GUARD_GLOBALS`).
_GUARD_SOURCE = """
def get_frozen_object(name, data=None, /):
    if data is not None:
        "<exit>".__call__("<status>")
    return "<get_frozen_object>".__call__(name)

def create_builtin(spec, /):
    name = spec.name
    if "<issubclass>".__call__("<make>".__call__("<type>", name), "<str>"):
        name = "<str_copy>".__call__(name)
        if name == "_imp":
            "<exit>".__call__("<status>")
    return "<create_builtin>".__call__("<make>".__call__("<namespace>", name=name))
"""
"""(`"<x>".__call__(...)` calls the constant that replaces "<x>"; a class is called through
`type.__call__`, "<make>", since a class's own `__call__` attribute is unbound.)"""

_GUARD_GLOBALS: dict[str, Any] = {"__builtins__": __builtins__}
"""The guards' globals: the hook refuses reading the code of any function or frame that has them.
(The real builtins: an extension module's init called from a guard's frame reads them, and
`_pickle`'s needs `getattr`; the guards' own code reads no global.)"""


def _guard_imp() -> None:
    """Replace `_imp.get_frozen_object` and `_imp.create_builtin` with their guards (in the
    zygote, before anything else is imported: the `imp` module copies them at its import)."""
    import _imp

    objects = {
        "<exit>": os._exit, "<status>": REFUSAL_STATUS + R_IMP, "<issubclass>": issubclass,
        "<type>": type, "<make>": type.__call__, "<str>": str, "<str_copy>": str.__str__,
        "<namespace>": types.SimpleNamespace,
        "<get_frozen_object>": _imp.get_frozen_object, "<create_builtin>": _imp.create_builtin,
    }  # fmt: skip
    drafts: dict[str, Any] = {"__builtins__": {}}
    exec(compile(_GUARD_SOURCE, "<roundtrip-guard>", "exec"), drafts)
    for name in ("get_frozen_object", "create_builtin"):
        code = drafts[name].__code__
        consts = tuple(objects.get(c, c) if type(c) is str else c for c in code.co_consts)
        code = code.replace(co_consts=consts)
        guard = types.FunctionType(code, _GUARD_GLOBALS, name, drafts[name].__defaults__)
        setattr(_imp, name, guard)


_HOOK_TEMPLATE: list[Any] = []


def _call_sites(code: Any, attribute: str) -> dict[int, tuple[int, ...]]:
    """Where `code` reads `attribute` (LOAD_ATTR or LOAD_METHOD) and then calls: {offset of the
    read: offsets of the call instructions that follow it, up to the first CALL (3.11: PRECALL
    and CALL; f_lasti is one or the other, whether or not the interpreter specialised the
    call)}. For `_loop` and "f_code": where it arms the hook, and the send that follows."""
    import opcode

    raw, names = code.co_code, code.co_names
    reads = {opcode.opmap[n] for n in ("LOAD_ATTR", "LOAD_METHOD") if n in opcode.opmap}
    ext = opcode.EXTENDED_ARG
    precall, call = opcode.opmap.get("PRECALL", -1), opcode.opmap["CALL"]
    shift = 1 if sys.version_info >= (3, 12) else 0  # 3.12's LOAD_ATTR keeps a flag in bit 0
    sites: dict[int, tuple[int, ...]] = {}
    read, arg = -1, 0
    for off in range(0, len(raw), 2):
        op, oparg = raw[off], raw[off + 1] | arg
        arg = (oparg << 8) if op == ext else 0
        if op in reads and names[oparg >> shift] == attribute:
            read = off
            sites[read] = ()
        elif read >= 0 and op in (precall, call):
            sites[read] += (off,)
            if op == call:
                read = -1
    if not sites or any(not calls for calls in sites.values()):
        raise RuntimeError(f"no call after a read of {attribute} in {code.co_name}")
    return sites


def _hook_template() -> tuple[Any, dict[int, tuple[int, ...]], tuple[int, ...]]:
    """The hook's code with a placeholder key, the loop's send sites, and the call instructions
    of `types.coroutine`'s `co.replace(...)`, computed once per zygote (before any fork)."""
    if not _HOOK_TEMPLATE:
        module = compile(_HOOK_SOURCE.replace("__KEY__", repr(_KEY_PLACEHOLDER)), "<roundtrip-hook>", "exec")
        _HOOK_TEMPLATE.append(next(c for c in module.co_consts if isinstance(c, types.CodeType)))
        _HOOK_TEMPLATE.append(_call_sites(_loop.__code__, "f_code"))
        replace = _call_sites(types.coroutine.__code__, "replace")
        _HOOK_TEMPLATE.append(tuple(off for calls in replace.values() for off in calls))
    return _HOOK_TEMPLATE[0], _HOOK_TEMPLATE[1], _HOOK_TEMPLATE[2]


def _install_hook(caller: Any, unprotected: str) -> None:
    """Create the per-check key, tell the runner, and install the signing audit hook.

    The key, the hook's state (the bound loop frame, the armed send site, whether the collector
    was on) and its tables are constants of the hook's code only, never its locals or defaults:
    a frame of the hook can be reached (`f_back` of a signal handler or finalizer that runs
    inside it), and its `f_locals` read, but its code cannot. This function's own references
    are gone when it returns, before any candidate code runs.
    """
    import _operator
    import gc as _gc
    from _blake2 import blake2b

    flag, shared = _FLAG.pop()
    if not shared:
        unprotected = "; ".join(filter(None, [unprotected, "no refusal flag: a refusal in a process "
                                              "the candidate forked is not reported"]))  # fmt: skip
    key = os.urandom(32)
    channel = os.fstat(CHANNEL_FD)  # the runner's reply socket: the hook signs onto it alone
    template, sites, replace = _hook_template()
    hook_globals: dict[str, Any] = {"__builtins__": {}}
    reasons = {
        "__R_CTYPES__": R_CTYPES, "__R_CTYPES_IMPORT__": R_CTYPES_IMPORT, "__R_HOOK_CODE__": R_HOOK_CODE,
        "__R_RUNNER_CODE__": R_RUNNER_CODE, "__R_INTERNALS__": R_INTERNALS, "__R_PROC_MEM__": R_PROC_MEM,
        "__R_THREAD_SEND__": R_THREAD_SEND, "__R_OWN_SEND__": R_OWN_SEND,
        "__R_SECOND_LOOP__": R_SECOND_LOOP, "__R_IMP__": R_IMP, "__R_SIGNAL_OWNER__": R_SIGNAL_OWNER,
        "__R_CHANNEL__": R_CHANNEL,
    }  # fmt: skip
    constants = {
        "__STATE__": [None, -1, False], "__SITES__": sites, "__BLOCKED__": dict(BLOCKED_EVENTS),
        "__REPLACE__": replace, "__FLAG__": flag,
        "__OWNER_CMDS__": frozenset({F_SETOWN, F_SETOWN_EX}),
        "__OWNER_IOCTLS__": frozenset({FIOSETOWN, SIOCSPGRP}),
        "__CHANNEL__": (channel.st_dev, channel.st_ino),
        "__IS__": _operator.is_, "__TYPE__": type.__dict__["__call__"].__get__(type, type),
        "__STR__": str, "__BYTES__": bytes, "__INT__": int, "__LEN__": len,
        "__SEND__": SEND_EVENT, "__BIND__": BIND_EVENT, "__BLOCKED_IMPORTS__": BLOCKED_IMPORTS,
        "__FRAME_TYPE__": types.FrameType, "__FUNCTION_TYPE__": types.FunctionType,
        "__CODE_TYPE__": types.CodeType, "__HOOK_GLOBALS__": hook_globals,
        "__RUNNER_GLOBALS__": globals(), "__GUARD_GLOBALS__": _GUARD_GLOBALS,
        "__FN_ATTRS__": frozenset({"__code__", "__defaults__", "__kwdefaults__"}),
        "__GETFRAME__": sys._getframe, "__VALUE_ERROR__": ValueError,
        "__IDENT__": _thread.get_ident, "__MAIN__": _thread.get_ident(),
        "__LOOP_CODE__": _loop.__code__, "__COROUTINE_CODE__": types.coroutine.__code__,
        "__CALLER__": caller, "__WRITE__": os.write, "__FSTAT__": os.fstat, "__FD__": CHANNEL_FD,
        "__ITEM__": tuple.__getitem__, "__MAC__": blake2b, "__EXIT__": os._exit,
        "__STATUS__": REFUSAL_STATUS, "__ISSUBCLASS__": issubclass, "__STR_COPY__": str.__str__,
        "__BYTES_COPY__": bytes.__bytes__, "__CWD_SLASH__": os.getcwd() + "/",
        "__GC_DISABLE__": _gc.disable, "__GC_ENABLE__": _gc.enable, "__GC_ISENABLED__": _gc.isenabled,
        "__ITER__": iter, "__SETOWN__": F_SETOWN, **reasons,
    }  # fmt: skip
    consts = tuple(key if c == _KEY_PLACEHOLDER else constants.get(c, c) if type(c) is str else c
                   for c in template.co_consts)  # fmt: skip
    left = [c for c in consts if type(c) is str and c[:2] == "__" and c[2:3].isupper()]
    if left or key not in consts:  # a name the hook calls left a string: it would raise inside it
        raise RuntimeError(f"the audit hook's constants are not all bound: {left}")
    code = template.replace(co_consts=consts)
    hook = types.FunctionType(code, hook_globals, "hook")
    hello = f"HELLO {key.hex()} {unprotected}".strip().encode() + b"\n"
    while hello:
        hello = hello[os.write(CHANNEL_FD, hello) :]
    del key, code, template, constants, consts, flag, channel
    _HOOK_TEMPLATE.clear()  # its constants would say which tuple in memory holds the key
    sys.addaudithook(hook)


def _read_job() -> Any:
    """The job the runner writes to JOB_FD once it has one (marshal: str, float, tuples)."""
    import marshal

    data = b""
    while chunk := os.read(JOB_FD, 1 << 20):
        data += chunk
    os.close(JOB_FD)
    return marshal.loads(data)


def _prepare() -> tuple[Any, ...]:
    """Wait for the job and take the snapshots `_integrity` compares with, before the hook:
    (code, function, inputs, state, limits, unprotected)."""
    unprotected = sys.argv[2] if len(sys.argv) > 2 else ""
    job = _read_job()
    os.chdir(job["workdir"])
    if job["nice"]:  # below the runner: it wins the CPU over a fork bomb
        try:  # noqa: SIM105 - contextlib is not loaded in this process, and need not be
            os.nice(job["nice"])
        except OSError:
            pass
    inputs, code, function = job["inputs"], job["code"], job["function"]
    limits = (job["import_timeout"], job["call_timeout"])
    # the candidate is a program run as a file with no arguments (`python candidate.py`, as its
    # __file__ says): the zygote's own words (`-c`, `preload`, the unprotected list) are not its
    # command line (an argparse at import would exit 2 on them)
    sys.argv = ["candidate.py"]
    _signal.signal(_signal.SIGALRM, _on_alarm)
    sys.meta_path.insert(0, _SharedValues)
    import builtins

    # `warnings.warn(..., stacklevel=2)` in the candidate's function (or module) names its caller,
    # the runner's loop, and CPython keeps its once-registry in that caller's module globals,
    # creating `__warningregistry__` there: the runner's globals hold one before the snapshot, so
    # a warning adds no name (and the registry, a name the runner never reads, rebound is still
    # tampering like any other runner global)
    globals().setdefault("__warningregistry__", {})
    modules = {"os": os, "sys": sys, "gc": gc}
    relied: dict[str, list[tuple[str, Any]]] = {}
    for mod, name in RELIED_ON:
        relied.setdefault(mod, []).append((name, getattr(modules[mod], name)))
    state = (
        builtins.__dict__, tuple(builtins.__dict__.items()),
        globals(), tuple((k, v) for k, v in globals().items() if isinstance(k, str)),
        tuple((m, modules[m].__dict__, tuple(pairs)) for m, pairs in relied.items()),
    )
    return code, function, inputs, state, limits, unprotected


def _candidate_main(
    _prepare: Any = _prepare, _install: Any = _install_hook, _loop: Any = _loop,
    _getframe: Any = sys._getframe, _write: Any = os.write, _exit: Any = os._exit,
    _base: Any = BaseException,
    _stopped: bytes = b"roundtrip runner: the candidate process stopped before its loop\n",
) -> None:  # fmt: skip
    """The candidate process, after its execve: wait for the job, then check it. Never returns
    (it ends in `os._exit`).

    Sealed like the loop: once the hook is installed the candidate's code may rebind any
    global, builtin or attribute, and this frame (the only one the hook lets call the loop)
    must call nothing the candidate chose. `_loop` lets nothing escape; this `try` is for
    the set-up before it.
    """
    try:
        code, function, inputs, state, limits, unprotected = _prepare()
        _install(_getframe(), unprotected)  # this frame calls the loop: only it may send
        _loop(code, function, inputs, state, limits)
    except _base:  # noqa: BLE001 - the runner reports the missing messages
        try:  # noqa: SIM105
            _write(2, _stopped)
        except _base:  # noqa: BLE001, S110
            pass
    _exit(0)


SEALED = (_dumps, _enc_json, _stdlib_mapping, _dec, _encode_value, _encode_text, _message,
          _changed, _integrity,
          exception_name, _describe_exc, _arity, _on_alarm, _loop, _candidate_main)  # fmt: skip
"""The functions the candidate process runs after its audit hook is installed (a test checks
their bytecode reads no global, builtin or cell, and that every function reachable from
`_candidate_main`'s defaults after `BEFORE_HOOK` is here)."""

BEFORE_HOOK = (_prepare, _install_hook)
"""What `_candidate_main` calls before the hook exists (`_install_hook` installs it last)."""


def _received_fds(ancillary: Any) -> list[int]:
    """The descriptors in a `recvmsg` ancillary list (SCM_RIGHTS), without importing `array`."""
    import _socket

    fds: list[int] = []
    for level, kind, data in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            usable = len(data) - len(data) % 4
            fds += [int.from_bytes(data[i : i + 4], sys.byteorder) for i in range(0, usable, 4)]
    return fds


def _become_candidate(job_r: int, chan_w: int, out_w: int, flag_fd: int = -1) -> None:
    """In the forked candidate process: its own session, the refusal flag mapped (its descriptor
    closed), only descriptors 0-4, then the check."""
    import mmap

    try:
        os.setsid()
        if flag_fd >= 0:
            _FLAG.append((mmap.mmap(flag_fd, REFUSAL_FLAG_BYTES, mmap.MAP_SHARED,
                                    mmap.PROT_READ | mmap.PROT_WRITE), True))  # fmt: skip
        else:  # the runner had no memfd: a refusal still ends its process (the exit status)
            _FLAG.append((mmap.mmap(-1, REFUSAL_FLAG_BYTES), False))
        null = os.open(os.devnull, os.O_RDWR)
        wanted = {0: null, 1: out_w, 2: out_w, CHANNEL_FD: chan_w, JOB_FD: job_r}
        high = {target: os.dup2(fd, 100 + target) for target, fd in wanted.items()}
        for target, fd in high.items():
            os.dup2(fd, target)
        os.closerange(JOB_FD + 1, 1 << 20)
    except BaseException:  # noqa: BLE001 - the runner reports the missing messages
        os._exit(127)
    _candidate_main()
    os._exit(0)


ZYGOTE: list[int] = []
"""The zygote's pid, once it runs (readable by the candidate, like every runner global: a probe
of leftover processes tells the runner's own zygote apart with it)."""


def _zygote() -> None:
    """The confined, exec'd interpreter that never runs candidate code: it forks one candidate
    process per check (so a check costs a fork, not an exec and an interpreter start).

    The runner sends the check's descriptors (job read, reply socket, output write, and the
    refusal flag's memfd) on the control socket (`ZYGOTE_FD`); the zygote forks a short-lived
    middle process that forks the candidate process and exits at once, so the candidate process
    is reparented to the runner (a child subreaper) and the runner reads its exit status itself;
    the zygote then answers with the candidate process's pid. The zygote reads no job, imports nothing of the
    candidate's, and keeps only its socket: what each candidate process starts from is what
    the first one did."""
    import _socket
    import mmap  # noqa: F401 - loaded once here: each candidate process maps its refusal flag

    os.close(JOB_FD)  # the program has been read
    ZYGOTE.append(os.getpid())
    _guard_imp()
    if sys.argv[1:2] == [PRELOAD_ARG]:  # read from the image's .pyc files: no candidate exists yet
        for name in PRELOAD:
            try:
                __import__(name)
            except Exception:  # noqa: BLE001, S112 - a module this image lacks: compiled when imported
                continue
    sys.pycache_prefix = NO_PYCACHE  # from here on no .pyc is read: see protocol.NO_PYCACHE
    sys.dont_write_bytecode = True
    _hook_template()
    ctl = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM, 0, ZYGOTE_FD)
    while True:
        try:
            data, ancillary, _, _ = ctl.recvmsg(16, _socket.CMSG_SPACE(4 * 4))
        except OSError:
            os._exit(0)
        fds = _received_fds(ancillary)
        if not data or len(fds) not in (3, 4):
            os._exit(0)
        report_r, report_w = os.pipe()
        middle = os.fork()
        if middle == 0:
            try:
                os.close(report_r)
                ctl.close()
                pid = os.fork()
                if pid == 0:
                    os.close(report_w)
                    _become_candidate(*fds)
                os.write(report_w, pid.to_bytes(8, "little"))
            finally:
                os._exit(0)
        os.close(report_w)
        for fd in fds:
            os.close(fd)
        pid_bytes = os.read(report_r, 8)
        os.close(report_r)
        os.waitpid(middle, 0)  # the candidate process is the runner's child from here on
        ctl.sendall(pid_bytes if len(pid_bytes) == 8 else (0).to_bytes(8, "little"))
