# inspect-evals-lint: ignore-file[host_code_execution] -- the runner's parts execute inside the sandbox
"""The trusted runner, written as parts, sent into the sandbox as one source.

The runner checks one candidate against every input of a problem *inside* the sandbox and
writes one typed record per input (`protocol` names the keys; the host decodes them in
`check/host.py`). What it guarantees, against whom, and what it does not, is
`docs/threat_model.md`.

The parts (all stdlib-only; `tests/test_layers.py` proves it):

- `protocol`: limits, descriptors, event names and record keys, shared by host and sandbox;
- `codec`: the typed codec and the sealed writer;
- `slate`: the clean slate (empty the writable places after a check, and prove it);
- `reap`: every process a check started (kill them all after a check, and prove it);
- `confine`: the candidate process's confinement (prctl, seccomp, descriptors);
- `candidate`: the candidate side (the sealed loop and its audit hook), a program of its own
  that the candidate process's fresh interpreter runs;
- `supervisor`: the runner side (fork, read, emit records, clean up; `_serve` is the warm runner);
- `boot`: how a runner started by the container's init reads its code.

Why one source: the sandbox has no copy of this package (its image is python3 and nothing
else), so the runner travels as the text of a program, `python3 -I -c <source>` or `BOOT`.
`source()` joins the parts in dependency order into that one program: each part imports the
parts before it only with relative `from .part import ...` lines, which the join drops, since
every name then lives in the program's one namespace (`__main__`); a test checks that no two
parts define the same name.
"""

from __future__ import annotations

import ast
import base64
import functools
import os
import sys
import zlib

from .boot import BOOT
from .codec import Opaque, decode, encode, typed_equal
from .protocol import CANDIDATE_FILENAME, MAX_DEPTH, MAX_VALUE_BYTES, TOO_LARGE, valid_encoding

__all__ = [
    "BOOT", "CANDIDATE_PARTS", "MAX_DEPTH", "MAX_VALUE_BYTES", "PARTS", "TOO_LARGE", "Opaque",
    "boot_payload", "candidate_source", "decode", "encode", "part_source", "source",
    "typed_equal", "valid_encoding",
]  # fmt: skip

PARTS = ("protocol", "slate", "reap", "confine", "supervisor", "boot")
"""The runner's parts, in the order the joined runner defines them."""

CANDIDATE_PARTS = ("protocol", "codec", "candidate")
"""The candidate side's parts: a program of its own, run by a fresh interpreter (its text is
a constant of the joined runner, `CANDIDATE_PROGRAM`)."""

HEADER = (
    '"""The roundtrip-eval trusted runner, joined from its parts (see docs/threat_model.md)."""\n'
    "from __future__ import annotations\n"
)
HOST_ONLY = "\n# -- host only: the join stops here"
"""A part's text from this line on is the host's alone (`protocol`'s typed records)."""
MAIN = '\nif __name__ == "__main__":\n    _serve() if sys.argv[1:] == ["serve"] else _main()\n'


def part_source(name: str) -> str:
    """One part's text up to its `HOST_ONLY` line, without its `from __future__`, relative and
    `typing` import lines (the annotations they serve are never evaluated: every part starts
    with `from __future__ import annotations`)."""
    with open(os.path.join(os.path.dirname(__file__), name + ".py"), encoding="utf-8") as fh:
        text = fh.read().split(HOST_ONLY, 1)[0] + "\n"
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.ImportFrom) and (node.level or node.module in ("__future__", "typing")):
            drop.update(range(node.lineno - 1, (node.end_lineno or node.lineno)))
    return "".join(line for i, line in enumerate(lines) if i not in drop)


def _joined(parts: tuple[str, ...]) -> str:
    return "".join(f"\n# {'-' * 20} part: {name}\n" + part_source(name) for name in parts)


@functools.cache
def candidate_source() -> str:
    """The candidate side as one program (it calls `_zygote` last), with the text of
    `sharedctypes.py` as `SHAREDCTYPES_SOURCE` (the module it serves, not a part)."""
    with open(os.path.join(os.path.dirname(__file__), "sharedctypes.py"), encoding="utf-8") as fh:
        served = f"\nSHAREDCTYPES_SOURCE = {fh.read()!r}\n"
    return HEADER + _joined(CANDIDATE_PARTS) + served + "\n_zygote()\n"


@functools.cache
def source() -> str:
    """The runner as one program: what the sandbox runs as `python3 -I -c` (`serve`: a warm runner).

    The candidate side travels inside it compressed (`supervisor._unpack`): the whole program is
    one argument of an exec, and Linux takes no argument over 128 KiB (`MAX_ARG_STRLEN`)."""
    packed = base64.b64encode(zlib.compress(candidate_source().encode("utf-8"), 9)).decode("ascii")
    program = f'\nCANDIDATE_PROGRAM = _unpack("{packed}")\n'
    return HEADER + _joined(PARTS) + program + MAIN


def boot_payload() -> bytes:
    """What a `BOOT` runner reads first: a header line, the program's bytecode and the candidate
    side's (when this interpreter is CPython), and the program's source."""
    import importlib.util
    import marshal

    text = source()
    code = candidate = b""
    if sys.implementation.name == "cpython":
        code = marshal.dumps(compile(text, "<string>", "exec", dont_inherit=True))
        candidate = candidate_bytecode()
    data = text.encode("utf-8")
    head = f"{importlib.util.MAGIC_NUMBER.hex()} {len(code)} {len(data)} {len(candidate)}\n"
    return head.encode() + code + data + candidate


@functools.cache
def candidate_bytecode() -> bytes:
    """The candidate side's program as the zygote reads it (`supervisor._program_bytes`)."""
    import marshal

    return marshal.dumps(compile(candidate_source(), CANDIDATE_FILENAME, "exec", dont_inherit=True))
