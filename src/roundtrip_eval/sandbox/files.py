"""`write_file` and `read_file` in a trial container, through exec.

The engine's archive API does not serve our containers: `put_archive` is refused for a
read-only rootfs (even into a tmpfs), and `get_archive` does not see tmpfs mounts (seen on
Debian's Engine 20.10). So a file is written by piping it into `cat` and read by `cat`, and a
small script turns what went wrong into the exit code of the matching Python error.
"""

from __future__ import annotations

from inspect_ai.util import OutputLimitExceededError, SandboxEnvironmentLimits

from roundtrip_eval.sandbox.containers import TrialContainer
from roundtrip_eval.sandbox.exec import run

_WRITE_SCRIPT = """\
set -e
case "$1" in */*) mkdir -p -- "${1%/*}" ;; esac
if [ -d "$1" ]; then echo "Is a directory: $1" >&2; exit 21; fi
cat > "$1"
"""

_READ_SCRIPT = """\
if [ -d "$1" ]; then exit 21; fi
if [ ! -e "$1" ]; then exit 2; fi
if [ ! -r "$1" ]; then exit 13; fi
exec cat -- "$1"
"""


async def write_file(box: TrialContainer, file: str, contents: str | bytes) -> None:
    """Write `contents` to `file` (relative to the work dir), making its parent folders."""
    path = box.path(file)
    data = contents.encode("utf-8") if isinstance(contents, str) else bytes(contents)
    out = await run(
        box, ["/bin/sh", "-c", _WRITE_SCRIPT, "sh", path], data, box.config.workdir, None,
        None, 600, 64 * 1024,
    )  # fmt: skip
    if out.status == "timeout":
        raise TimeoutError(f"write_file({file}) timed out")
    if out.returncode == 0:
        return
    message = out.stderr.decode(errors="replace").strip()
    if out.returncode == 21 or "is a directory" in message.lower():
        raise IsADirectoryError(f"Failed to write file: {file} because it is a directory")
    if "permission denied" in message.lower() or "read-only" in message.lower():
        raise PermissionError(f"Permission denied writing {file}: {message}")
    raise RuntimeError(f"write_file({file}) failed: {message}")


async def read_file(box: TrialContainer, file: str, text: bool) -> str | bytes:
    """The contents of `file` (relative to the work dir), as text or bytes."""
    path = box.path(file)
    limit = SandboxEnvironmentLimits.MAX_READ_FILE_SIZE
    out = await run(
        box, ["/bin/sh", "-c", _READ_SCRIPT, "sh", path], b"", box.config.workdir, None,
        None, 600, limit,
    )  # fmt: skip
    if out.status == "timeout":
        raise TimeoutError(f"read_file({file}) timed out")
    if out.status == "overflow":
        raise OutputLimitExceededError(SandboxEnvironmentLimits.MAX_READ_FILE_SIZE_STR, None)
    if out.returncode == 2:
        raise FileNotFoundError(2, "No such file or directory.", file)
    if out.returncode == 21:
        raise IsADirectoryError(21, "Is a directory.", file)
    if out.returncode == 13:
        raise PermissionError(13, "Permission denied.", file)
    if out.returncode != 0:
        raise RuntimeError(f"read_file({file}) failed: {out.stderr.decode(errors='replace')}")
    return out.stdout.decode("utf-8") if text else out.stdout
