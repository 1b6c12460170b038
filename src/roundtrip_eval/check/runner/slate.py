# inspect-evals-lint: ignore-file[host_code_execution] -- a part of the runner, which runs inside the sandbox
"""The clean slate: empty the sandbox's writable places after a check, and prove they are empty.

A part of the runner (runner side): standard library only and free of imports from the other
parts; its names start with `slate_`/`SLATE_`/`Slate`, since every part's names share the joined
program's one namespace. What a candidate leaves behind is hostile: directories of mode 000
(they must be opened, so their own mode is restored, never their parent's, a root-owned /tmp),
chains of directories deeper than any recursion or `PATH_MAX` allows, and System V IPC objects.
So removal uses an explicit stack of names and one directory descriptor at a time (`*at` calls
relative to it, `..` to climb back: every process of the check is dead by then, so nothing can
move a directory under it), and the result is not hoped for but checked: `slate_clean` returns
what is still there, and an empty list is the proof.

Removal costs more than creation (a mode-000 directory takes one `mkdir` to make, an EACCES, a
chmod and several more calls to remove), so a candidate can leave more than can be removed in
any fixed time. The runner bounds the removal by a deadline and calls a heartbeat while it works
(a runner busy emptying is not a dead one); what stays past the deadline is reported like
anything else that stays, and the host goes on in a fresh container.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Callable

SLATE_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
SLATE_MAX_NAMES = 5
"""Leftovers named in a report (the count is always given)."""


def _slate_open_dir(name: str, parent: int) -> int:
    """Open the directory `name` in `parent` for reading, and make it ours to empty (rwx)."""
    try:
        fd = os.open(name, SLATE_DIR_FLAGS, dir_fd=parent)
    except PermissionError:
        os.chmod(name, stat.S_IRWXU, dir_fd=parent)  # the directory itself, never its parent
        fd = os.open(name, SLATE_DIR_FLAGS, dir_fd=parent)
    mode = os.fstat(fd).st_mode
    if mode & stat.S_IRWXU != stat.S_IRWXU:
        with contextlib.suppress(OSError):
            os.fchmod(fd, stat.S_IMODE(mode) | stat.S_IRWXU)
    return fd


def _slate_scan(fd: int) -> list[str]:
    """Remove every non-directory in the open directory `fd`; the names of its subdirectories."""
    subdirs: list[str] = []
    with os.scandir(fd) as entries:
        names = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
    for name, is_dir in names:
        if is_dir:
            subdirs.append(name)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=fd)
    return subdirs


class SlateClock:
    """A deadline for emptying the places, and a heartbeat called about once a second meanwhile."""

    def __init__(self, seconds: float | None = None, beat: Callable[[], object] | None = None) -> None:
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.beat, self.last_beat = beat, time.monotonic()

    def out_of_time(self) -> bool:
        now = time.monotonic()
        if self.beat is not None and now - self.last_beat >= 1.0:
            self.beat()
            self.last_beat = now
        return self.deadline is not None and now >= self.deadline


def slate_empty(place: str, clock: SlateClock | None = None) -> bool:
    """Remove everything inside the directory `place`, whatever its modes or depth; True when it
    was empty already (its listing is the proof).

    Never recurses; raises `OSError` only if `place` itself cannot be opened. Stops when `clock`
    runs out. What cannot be removed (or was not reached in time) stays (see `slate_left`)."""
    clock = clock or SlateClock()
    top = os.open(place, SLATE_DIR_FLAGS)
    cur = top
    try:
        with os.scandir(top) as entries:
            if next(entries, None) is None:
                return True
        try:
            first = _slate_scan(top)
        except OSError:
            return False
        stack: list[tuple[str, list[str]]] = [("", first)]  # (name in parent, subdirs to do)
        while stack:
            if clock.out_of_time():
                break
            name, todo = stack[-1]
            if todo:
                child_name = todo.pop()
                try:
                    child = _slate_open_dir(child_name, cur)
                except OSError:
                    continue  # left; the check below reports it
                try:
                    subdirs = _slate_scan(child)
                except OSError:
                    subdirs = []
                if cur != top:
                    os.close(cur)
                cur = child
                stack.append((child_name, subdirs))
                continue
            stack.pop()
            if not stack:
                break
            parent = os.open("..", SLATE_DIR_FLAGS, dir_fd=cur)  # nothing runs that could move it
            if cur != top:
                os.close(cur)
            cur = parent
            with contextlib.suppress(OSError):
                os.rmdir(name, dir_fd=cur)
    finally:
        if cur != top:
            os.close(cur)
        os.close(top)
    return False


def slate_left(place: str) -> list[str]:
    """What is still inside `place` (paths), or `place` itself if it cannot be listed; [] is the
    proof that it is empty. A missing place is empty."""
    try:
        names = sorted(os.listdir(place))
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [f"{place} (cannot be listed: {exc.strerror})"]
    return [os.path.join(place, n) for n in names]


def slate_ipc_left(uid: int) -> list[str]:
    """The System V IPC objects (shm, msg, sem) of `uid` that exist now, as `kind id` strings."""
    found: list[str] = []
    for kind, uid_column in (("shm", 7), ("msg", 7), ("sem", 4)):
        try:
            with open(f"/proc/sysvipc/{kind}") as fh:
                rows = [line.split() for line in fh.read().splitlines()[1:]]
        except OSError:
            continue
        found += [f"{kind} {row[1]}" for row in rows if len(row) > uid_column and row[uid_column] == str(uid)]
    return found


def slate_remove_ipc(libc: object, found: list[str]) -> None:
    """Remove the System V shared memory, queues and semaphores `found` (IPC_RMID)."""
    if libc is None:
        return
    for item in found:
        kind, ident = item.split()
        with contextlib.suppress(Exception):
            if kind == "sem":
                libc.semctl(int(ident), 0, 0)  # type: ignore[attr-defined]
            else:
                getattr(libc, kind + "ctl")(int(ident), 0, None)


def slate_clean(
    places: list[str], libc: object = None, ipc: bool = False, clock: SlateClock | None = None
) -> list[str]:
    """Empty each of `places` (and this user's System V IPC objects with `ipc`) until `clock`
    runs out, then verify: the leftovers, at most `SLATE_MAX_NAMES` named plus a count; []
    means proven empty."""
    left: list[str] = []
    for place in places:
        try:
            if slate_empty(place, clock):
                continue
        except FileNotFoundError:
            continue
        except (OSError, ValueError, RecursionError, MemoryError):
            pass  # the check below says what stayed
        left += slate_left(place)
    if ipc:
        found = slate_ipc_left(os.getuid())
        if found:
            slate_remove_ipc(libc, found)
            left += slate_ipc_left(os.getuid())
    if len(left) > SLATE_MAX_NAMES:
        left = left[:SLATE_MAX_NAMES] + [f"... {len(left) - SLATE_MAX_NAMES} more"]
    return left
