"""C0's expected outcomes, computed in a child interpreter that shares the candidates' hash seed.

Why: the order in which Python iterates a set of strings follows the interpreter's hash seed,
which is random per process unless PYTHONHASHSEED is set before it starts. A canonical solution
that builds a tuple from a set (MBPP+ 2, 579, 769) gives one order on the host and another in
the sandbox, and C0 fails its own inputs. EvalPlus forks its reference and the candidate from
one process, so they share a seed; here C0 runs in a child started with the seed every candidate
process has (`runner.protocol.HASH_SEED`, set by `runner.confine.candidate_env`), and reads its
inputs through the same codec, so the same code builds the same sets in the same order on both
sides. C0 is our trusted reference code (as in `problems.load`); model code never runs here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from roundtrip_eval.check.runner.codec import _enc, _TooLarge, decode, encode, exception_name
from roundtrip_eval.check.runner.confine import candidate_env

CALL_LIMIT = 60
"""Seconds one call of C0 may take before its outcome is `Timeout`."""

HELD_LIMITS = (64 << 20, 2 << 20)
"""(JSON bytes, items) of one C0 value the host holds: more than the runner carries for a
candidate (`runner.protocol.VALUE_LIMITS`), so a detail still shows the value; past them (MBPP+
255's 1.3 GB of combinations) C0's value is held as an opaque marker that nothing matches."""

HELD_TOO_LARGE = (
    f"<C0's value is too large to hold: over {HELD_LIMITS[0]:,} bytes or {HELD_LIMITS[1]:,} items>"
)


class ReferenceTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """An alarm around a call of the reference, where signals can be used (main thread)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise ReferenceTimeout

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


class ReferenceRunError(RuntimeError):
    """The child did not report one outcome per input (it died, or C0 does not run)."""


def reference_outcomes(
    code: str, function: str, inputs: Sequence[tuple[Any, ...]], *, not_none: bool = False,
    where: str = "C0", call_limit: int = CALL_LIMIT,
) -> list[tuple[bool, Any]]:  # fmt: skip
    """C0's outcome on each input, run in a child with the fixed hash seed: `(True, value)`, with
    the value as the codec carries it (a Counter as a dict; `is not None` when `not_none`), or
    `(False, exception name)`. Raises `ReferenceRunError` with the child's last words."""
    job = {
        "code": code, "function": function, "where": where, "not_none": not_none,
        "limit": call_limit, "inputs": [encode(list(args)) for args in inputs],
    }  # fmt: skip
    package = str(Path(__file__).resolve().parents[2])
    program = (
        f"import sys; sys.path.insert(0, {package!r}); "
        "from roundtrip_eval.problems.reference import _child; _child()"
    )
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(  # our own program running C0, our trusted reference code
            [sys.executable, "-P", "-c", program], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=errors, env=candidate_env(os.environ),
        )  # fmt: skip
        assert child.stdin is not None and child.stdout is not None
        writer = threading.Thread(target=_feed, args=(child.stdin, json.dumps(job).encode()), daemon=True)
        writer.start()
        outcomes = []
        for line in child.stdout:
            ok, value = json.loads(line)
            outcomes.append((True, decode(value)) if ok else (False, str(value)))
        status = child.wait()
        writer.join()
        errors.seek(0)
        said = errors.read().decode("utf-8", "replace").strip().splitlines()
    if status != 0 or len(outcomes) != len(inputs):
        last = said[-1][:300] if said else f"exit status {status}"
        done = f"{len(outcomes)} of {len(inputs)}"
        raise ReferenceRunError(f"{where}: C0 did not run on every input ({done}): {last}")
    return outcomes


def _feed(stream: Any, data: bytes) -> None:
    try:
        stream.write(data)
    finally:
        stream.close()


def _held(value: Any) -> Any:
    """C0's value encoded, or an opaque marker past `HELD_LIMITS`."""
    try:
        return _enc(value, 0, list(HELD_LIMITS))
    except _TooLarge:
        return ["opaque", type(value).__name__, HELD_TOO_LARGE]


def _child() -> None:
    """In the child: read the job, run C0 on each input, one JSON line per outcome on the stdout
    it started with (C0's own printing goes to /dev/null)."""
    job = json.loads(sys.stdin.buffer.read())
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)  # C0's long ints (HumanEval+ 83, 139), as the host allows
    results = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the life of the child
    namespace: dict[str, Any] = {}
    exec(compile(job["code"], job["where"], "exec"), namespace)  # inspect-evals-lint: ignore[IESC002] -- C0
    func = namespace[job["function"]]
    own = str(getattr(func, "__module__", ""))
    for encoded in job["inputs"]:
        args = decode(encoded)  # as the candidate process reads it: a set built in the same order
        try:
            with time_limit(int(job["limit"])):
                value = func(*args)
        except ReferenceTimeout:
            line: list[Any] = [False, "Timeout"]
        except Exception as exc:  # noqa: BLE001 - an exception is an outcome like any other
            line = [False, exception_name(exc, own)]
        else:
            line = [True, _held((value is not None) if job["not_none"] else value)]
        results.write(json.dumps(line) + "\n")
        results.flush()
    results.close()
