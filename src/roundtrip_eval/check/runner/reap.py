# inspect-evals-lint: ignore-file[host_code_execution] -- a part of the runner, which runs inside the sandbox
"""Every process a check started: kill them all, and prove that none is left (runner side).

A part of the runner: standard library only and free of imports from the other parts; its
names start with `reap_`/`REAP_`, since every part's names share the joined program's one
namespace.

Why a proof: a candidate can start processes that do not wait to be killed: a chain in which
each new link takes its own session and the link above it execs `/bin/sleep`, growing at the
bottom while the runner kills at the top, and killing whatever it does not know (the next
candidate process, a restarted zygote). Killing only the runner's direct children loses that
race (red team round 3, `tests/redteam/test_red7_chain_outlives_kill_all.py`).

How: the runner is a child subreaper, so every process the candidate started, whatever its
session, group or image, is a descendant of the runner (an orphan goes to the nearest living
subreaper above it, at worst the runner). Each round walks the runner's *whole* tree (the
children of every thread of every process, `/proc/<pid>/task/<tid>/children`), sends SIGKILL
to every process in it but the ones kept (the zygote), and reaps. A process with SIGKILL
pending cannot complete a fork, so a process found once starts nothing more; one started while
the walk ran (or moved to a new parent under it) is found by the next round. The rounds end
when a walk finds nothing.

The walk is not atomic, so an empty walk is not the proof. In the runner's own container (the
`roundtrip-docker` sandbox, where nothing else runs while a check does) the proof is the
kernel's own count: the container's pids cgroup (`pids.current`, every task of the container,
counted at fork and released at reaping) must equal the tasks of the processes the runner
knows (init, the runner and its parents, the zygote, the next candidate process). Elsewhere two
empty walks in a row are all there is (see docs/threat_model.md). What cannot be proven within
`REAP_SECONDS` is reported, and the host goes on in a fresh container.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable

REAP_SECONDS = 2.0
"""How long the runner tries to kill a check's processes and prove them gone."""
REAP_PIDS_CURRENT = ("/sys/fs/cgroup/pids.current", "/sys/fs/cgroup/pids/pids.current")
"""The container's task count: cgroup v2, then v1."""
REAP_OOM_FILES = ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control")
"""The container's memory cgroup events (the `oom_kill` count): cgroup v2, then v1."""


def reap_children(pid: int) -> list[int]:
    """The children of every thread of `pid` ([] when it is gone)."""
    found: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                found += [int(p) for p in fh.read().split()]
        except (OSError, ValueError):
            continue
    return found


def reap_tree(root: int) -> list[int]:
    """Every descendant of `root` this walk finds, parents before children (no recursion)."""
    seen: set[int] = {root}
    order: list[int] = []
    stack = [root]
    while stack:
        for child in reap_children(stack.pop()):
            if child not in seen:
                seen.add(child)
                order.append(child)
                stack.append(child)
    return order


def reap_tasks(pid: int) -> int:
    """How many tasks (threads) the process `pid` has; 0 when it is gone."""
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def reap_ancestors(pid: int) -> list[int]:
    """`pid`'s parents up to the pid namespace's edge (parent 0) or init, init included."""
    chain: list[int] = []
    while pid > 1 and len(chain) < 64:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                pid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
        if pid > 0:
            chain.append(pid)
    return chain


def reap_cgroup_tasks() -> int | None:
    """The container's task count, or None where the pids cgroup cannot be read."""
    for path in REAP_PIDS_CURRENT:
        with contextlib.suppress(OSError, ValueError), open(path) as fh:
            return int(fh.read().strip())
    return None


def reap_oom_kills() -> int | None:
    """How many processes the kernel's OOM killer has killed in this container, or None."""
    for path in REAP_OOM_FILES:
        with contextlib.suppress(OSError, ValueError), open(path) as fh:
            for line in fh:
                name, _, value = line.partition(" ")
                if name == "oom_kill":
                    return int(value)
    return None


def reap_known_tasks(known: Iterable[int]) -> int:
    """The tasks of the processes the runner knows: init, itself and its parents, and `known`."""
    me = os.getpid()
    pids = {1, me, *reap_ancestors(me), *known}
    return sum(reap_tasks(p) for p in pids)


def reap_unknown(keep: set[int], own_container: bool) -> str:
    """What shows that a process the runner does not know is alive, or "" (the proof).

    `keep`: the runner's own descendants that are not the check's (the zygote, the next
    candidate process). In the runner's own container the count of the pids cgroup decides;
    elsewhere a walk of the runner's tree."""
    strays = [p for p in reap_tree(os.getpid()) if p not in keep]
    if strays:
        return f"{len(strays)} processes still running (pids {', '.join(map(str, strays[:5]))})"
    if not own_container:
        return ""
    counted = reap_cgroup_tasks()
    if counted is None:
        return ""  # no count to read: the walk is all there is (docs/threat_model.md)
    known = reap_known_tasks(keep)
    if counted != known:
        return f"the sandbox holds {counted} tasks where the checker knows {known}"
    return ""


def _reap_zombies(keep: set[int]) -> None:
    """Reap every ended child; a kept one that ended leaves `keep` (its pid may be reused)."""
    while True:
        try:
            reaped, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not reaped:
            return
        keep.discard(reaped)


def reap_all(keep: set[int], own_container: bool, seconds: float = REAP_SECONDS) -> str:
    """Kill every descendant of the runner but `keep`, reap them, and prove none is left.

    Returns "" once proven, else what stays (after `seconds`): the caller reports it and the
    host goes on in a fresh container. `keep` loses any kept process that ended (reaped here)."""
    deadline = time.monotonic() + seconds
    me = os.getpid()
    quiet = 0
    while True:
        found = [p for p in reap_tree(me) if p not in keep]
        for pid in found:
            for target in (pid, -pid):  # its group too: a group is killed at once
                with contextlib.suppress(OSError):
                    os.kill(target, signal.SIGKILL)
        _reap_zombies(keep)
        quiet = 0 if found else quiet + 1
        if quiet >= 2 or (quiet and own_container):  # nothing found: now the proof
            left = reap_unknown(keep, own_container)
            if not left:
                return ""
            quiet = 0
        if time.monotonic() >= deadline:
            return reap_unknown(keep, own_container) or ""
        time.sleep(0.001)


def reap_scheduling(pids: Iterable[int]) -> dict[int, tuple[object, ...]]:
    """How each of `pids` is scheduled: (nice, policy, CPUs), or () where it cannot be read
    (gone, or not ours to read). The seccomp filter keeps a candidate off every process's
    scheduling but its own; this is the proof, compared before and after a check."""
    seen: dict[int, tuple[object, ...]] = {}
    for pid in sorted(set(pids)):
        try:
            seen[pid] = (os.getpriority(os.PRIO_PROCESS, pid), os.sched_getscheduler(pid),
                         tuple(sorted(os.sched_getaffinity(pid))))  # fmt: skip
        except (OSError, AttributeError):
            seen[pid] = ()
    return seen


def reap_rescheduled(before: dict[int, tuple[object, ...]]) -> str:
    """What a check changed in the scheduling of the processes `before` describes (nice,
    policy, CPUs), or "" (a process that ended is no change): a runner that no longer wins the
    CPU over a fork bomb is not a clean slate, and the host goes on in a fresh container."""
    after = reap_scheduling(before)
    changed = [f"pid {pid}: {before[pid]} -> {after[pid]}" for pid in before
               if after[pid] != before[pid] and after[pid]]  # fmt: skip
    return "" if not changed else "scheduling changed (nice, policy, CPUs): " + "; ".join(changed[:4])
