"""The trusted runner: executed *inside* the sandbox as ``python3 -I -c <this source>``.

Why it looks like this:

- The candidate is model-written code. The runner imports it and calls the target function
  on each input itself, so a pass never depends on anything the candidate prints.
- Results travel on a private duplicate of the original stdout, framed with a nonce that the
  host sends on stdin. The candidate's own stdout/stderr are redirected to a capped capture
  file, so a printed fake record has no nonce and is ignored by the host.
- Values are encoded with explicit type tags (int, float, bool, str, None, list, tuple, dict,
  ...), so the host can compare type-exactly. Expected values never enter the sandbox.
- Nothing is read from or written to a file the candidate could delete beforehand: the source
  arrives in argv, the job on stdin.

This module is also imported on the host for `encode` / `decode`. It uses only the standard
library and must stay compatible with the sandbox image's python3.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import types
from typing import Any

MAX_DEPTH = 50
CHECK_DIR_PREFIX = ".rt-check-"
MAX_VALUE_BYTES = 4096
"""An encoded return value larger than this is sent as an opaque "too large" marker: it still
fails type-exactly against C0 (the largest expected value in tasks/ encodes to 650 bytes), but
150 huge values can no longer overflow the sandbox's output cap and hide the verdict."""


def encode(value: Any, depth: int = 0) -> Any:
    """Encode a Python value as JSON with type tags that keep int/float/bool/str/... apart."""
    if depth > MAX_DEPTH:
        return ["opaque", type(value).__name__, "<too deep>"]
    t = type(value)
    if value is None:
        return ["none"]
    if t is bool:
        return ["bool", value]
    if t is int:
        return ["int", str(value)]
    if t is float:
        return ["float", repr(value)]
    if t is str:
        return ["str", value]
    if t is list:
        return ["list", [encode(v, depth + 1) for v in value]]
    if t is tuple:
        return ["tuple", [encode(v, depth + 1) for v in value]]
    if t is dict:
        return ["dict", [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]]
    if t is set or t is frozenset:
        items = sorted((encode(v, depth + 1) for v in value), key=repr)
        return [t.__name__, items]
    if t is bytes:
        return ["bytes", value.hex()]
    try:
        text = repr(value)[:200]
    except BaseException:  # noqa: BLE001 - a hostile __repr__ must not break the runner
        text = "<unrepresentable>"
    return ["opaque", t.__name__, text]


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


def decode(obj: Any) -> Any:
    """Inverse of `encode`."""
    tag = obj[0]
    if tag == "none":
        return None
    if tag == "bool":
        return bool(obj[1])
    if tag == "int":
        return int(obj[1])
    if tag == "float":
        return float(obj[1])
    if tag == "str":
        return str(obj[1])
    if tag == "list":
        return [decode(v) for v in obj[1]]
    if tag == "tuple":
        return tuple(decode(v) for v in obj[1])
    if tag == "dict":
        return {decode(k): decode(v) for k, v in obj[1]}
    if tag == "set":
        return {decode(v) for v in obj[1]}
    if tag == "frozenset":
        return frozenset(decode(v) for v in obj[1])
    if tag == "bytes":
        return bytes.fromhex(obj[1])
    return Opaque(str(obj[1]), str(obj[2]))


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


class _CallTimeout(BaseException):
    """Raised by the alarm; a BaseException so `except Exception` in a candidate can't eat it."""


def _main() -> None:
    job = json.loads(sys.stdin.read())
    nonce = job.pop("nonce")
    dumps = json.dumps
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    write, flush = channel.write, channel.flush

    def emit(record: dict) -> None:
        write(nonce + " " + dumps(record) + "\n")
        flush()

    # The candidate's prints go to a capture file, never to the result channel.
    sys.stdout.flush()
    sys.stderr.flush()
    # Each check runs in its own directory; earlier checks' leftovers (a candidate that
    # filled the work dir, a capture file of a killed run) are removed first, so one check
    # can never make the next one fail. The capture file is unlinked once open.
    workdir = os.path.abspath(job.get("workdir") or ".")
    import shutil

    for entry in os.listdir(workdir):
        if entry.startswith(CHECK_DIR_PREFIX):
            shutil.rmtree(os.path.join(workdir, entry), ignore_errors=True)
    check_dir = os.path.join(workdir, CHECK_DIR_PREFIX + nonce[:12])
    try:
        os.mkdir(check_dir)
        os.chdir(check_dir)
        capture = open(os.path.join(check_dir, ".output"), "w+b")  # noqa: SIM115
        os.unlink(os.path.join(check_dir, ".output"))
    except OSError:
        capture = open(os.devnull, "w+b")  # noqa: SIM115
    os.dup2(capture.fileno(), 1)
    os.dup2(capture.fileno(), 2)
    output_cap = int(job.get("output_cap", 1 << 20))
    call_timeout = float(job.get("call_timeout", 2.0))

    def on_alarm(signum: int, frame: Any) -> None:
        raise _CallTimeout()

    def output_size() -> int:
        try:
            return os.fstat(capture.fileno()).st_size
        except OSError:
            return 0

    def finish(record: dict) -> None:
        record["output_bytes"] = output_size()
        try:
            capture.seek(0)
            record["output_head"] = capture.read(400).decode("utf-8", "replace")
        except OSError:
            pass
        emit(record)
        try:
            os.chdir(workdir)
            shutil.rmtree(check_dir, ignore_errors=True)
        except OSError:
            pass
        os._exit(0)  # skip atexit hooks and threads the candidate may have left behind

    signal.signal(signal.SIGALRM, on_alarm)
    code = job["code"]
    try:
        compiled = compile(code, "candidate.py", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        finish({"stage": "syntax", "exc": type(exc).__name__, "msg": str(exc)[:300]})
        return
    module = types.ModuleType("candidate")
    module.__dict__["__file__"] = "candidate.py"
    sys.modules["candidate"] = module
    try:
        signal.setitimer(signal.ITIMER_REAL, float(job.get("import_timeout", 5.0)))
        exec(compiled, module.__dict__)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except _CallTimeout:
        finish({"stage": "import", "timeout": True})
        return
    except BaseException as exc:  # noqa: BLE001 - SystemExit at import is a candidate crash
        signal.setitimer(signal.ITIMER_REAL, 0)
        finish({"stage": "import", "exc": type(exc).__name__, "msg": str(exc)[:300]})
        return

    func = module.__dict__.get(job["function"])
    if func is None or not callable(func):
        names = sorted(
            k for k, v in module.__dict__.items() if callable(v) and not k.startswith("__")
        )[:10]
        finish({"stage": "signature", "error": "missing", "defined": names})
        return

    import inspect

    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        sig = None
    inputs = [decode(a) for a in job["inputs"]]
    if sig is not None:
        for args in inputs:
            try:
                sig.bind(*args)
            except TypeError as exc:
                finish({"stage": "signature", "error": "arity", "msg": str(exc)[:200]})
                return

    for i, args in enumerate(inputs):
        try:
            signal.setitimer(signal.ITIMER_REAL, call_timeout)
            value = func(*args)
            signal.setitimer(signal.ITIMER_REAL, 0)
            encoded = encode(value)
            size = len(dumps(encoded))
            if size > MAX_VALUE_BYTES:
                encoded = ["opaque", type(value).__name__, f"<too large: {size} bytes>"]
            record = {"i": i, "ok": True, "v": encoded}
        except _CallTimeout:
            emit({"i": i, "timeout": True})
            finish({"done": i, "stopped": "timeout"})
            return
        except BaseException as exc:  # noqa: BLE001 - every candidate exception is data
            signal.setitimer(signal.ITIMER_REAL, 0)
            record = {"i": i, "ok": False, "exc": type(exc).__name__, "msg": str(exc)[:200]}
        emit(record)
        if output_size() > output_cap:
            finish({"done": i + 1, "stopped": "output_limit"})
            return
    finish({"done": len(inputs)})


if __name__ == "__main__":
    _main()
