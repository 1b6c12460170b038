"""Two checkouts' harness throughput, side by side in one run (a before/after of a change).

    python benchmarks/versions.py BEFORE [AFTER] [--rounds 3] [--trials 48] [--cycles 10]

BEFORE and AFTER are roots of two checkouts of this repository (AFTER defaults to this one), for
example a `git worktree add` of the commit before a change. Each round runs
`benchmarks/throughput.py` once in each checkout, in a fresh interpreter with that checkout's own
sources first on the path (the runner is sent into the sandbox from the host's sources, so each
side checks with its own runner), alternating which goes first. A noisy machine slows both sides
of a round alike; the ratio of each round, and their median, is what to read, not the absolute
cycles/s. Both sides share the Docker engine and the sandbox image already built.

Each round also prints the CPU a side's whole run used per cycle (both paths and the warm-up):
its processes' on the host, and its containers' from the Docker engine's parent cgroup, where
one is found. CPU time moves far less with the machine's load than cycles/s do, but the
containers' figure counts every container on the engine, so run it with no other evals.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]


CGROUP_USAGE = (  # the Docker engine's parent cgroup (cgroupfs driver): every container's CPU, in ns
    Path("/sys/fs/cgroup/cpuacct/docker/cpuacct.usage"),  # cgroup v1
    Path("/sys/fs/cgroup/docker/cpu.stat"),  # cgroup v2 ("usage_usec N")
)


def cpu_seconds() -> tuple[float | None, float]:
    """(CPU seconds used so far by every Docker container, or None where the engine's cgroup is
    not found; CPU seconds of this process's finished children). A removed container's usage
    stays counted in its parent cgroup, so a difference covers every container a run started."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    host = children.ru_utime + children.ru_stime
    for path in CGROUP_USAGE:
        try:
            text = path.read_text()
        except OSError:
            continue
        if path.name == "cpu.stat":
            usec = dict(line.split() for line in text.splitlines() if line.strip())
            return int(usec["usage_usec"]) / 1e6, host
        return int(text) / 1e9, host
    return None, host


def run_side(root: Path, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """One run of throughput.py in `root` with `root`'s sources; its raw results, with the CPU
    the whole run (both paths) used per cycle, in the containers and on the host (`cpu`)."""
    env = dict(os.environ, PYTHONPATH=f"{root / 'src'}{os.pathsep}{root}")
    command = [
        sys.executable, str(root / "benchmarks" / "throughput.py"), "--trials", str(args.trials),
        "--cycles", str(args.cycles), "--concurrency", str(args.concurrency), "--json", str(out),
    ]  # fmt: skip
    containers, host = cpu_seconds()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"throughput.py failed in {root}: {done.stderr.strip().splitlines()[-1:]}")
    containers_after, host_after = cpu_seconds()
    results: dict[str, Any] = json.loads(out.read_text())["results"]
    cycles = sum(int(r["cycles"]) for r in results.values()) + 2  # and the uncounted warm-up's
    results["cpu"] = {
        "host_ms": (host_after - host) / cycles * 1000,
        "container_ms": None if containers is None or containers_after is None
        else (containers_after - containers) / cycles * 1000,
    }  # fmt: skip
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path, help="root of the checkout before the change")
    parser.add_argument("after", type=Path, nargs="?", default=HERE, help="root after (default: this one)")
    parser.add_argument("--rounds", type=int, default=3, help="before/after pairs (default 3)")
    parser.add_argument("--trials", type=int, default=48, help="trials per path and run (default 48)")
    parser.add_argument("--cycles", type=int, default=10, help="cycles per trial (default 10)")
    parser.add_argument("--concurrency", type=int, default=8, help="trials at a time (default 8)")
    args = parser.parse_args(argv)
    sides = {"before": args.before.resolve(), "after": args.after.resolve()}
    for name, root in sides.items():
        if not (root / "benchmarks" / "throughput.py").is_file():
            raise SystemExit(f"{name}: {root} has no benchmarks/throughput.py (not a checkout of this repo)")
    print(f"load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} CPUs")
    print("| round | path | before cycles/s | after cycles/s | after / before |")
    print("|---|---|---|---|---|")
    ratios: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="versions-") as tmp:
        for round_no in range(1, args.rounds + 1):
            order = ["before", "after"] if round_no % 2 else ["after", "before"]
            got = {name: run_side(sides[name], args, Path(tmp) / f"{name}{round_no}.json") for name in order}
            cpu = {name: got[name].pop("cpu") for name in order}
            for path in got["before"]:
                old, new = got["before"][path]["cycles_per_s"], got["after"][path]["cycles_per_s"]
                ratios.setdefault(path, []).append(new / old)
                print(f"| {round_no} | {path} | {old:.1f} | {new:.1f} | {new / old:.2f} |")
            parts = []
            for name in ("before", "after"):
                used = cpu[name]
                inside = "" if used["container_ms"] is None else f" + containers {used['container_ms']:.1f}"
                parts.append(f"{name}: host {used['host_ms']:.1f}{inside} ms")
            line = "; ".join(parts)
            print(f"| {round_no} | CPU per cycle (both paths) | {line} |")
            if cpu["before"]["container_ms"] is not None and cpu["after"]["container_ms"] is not None:
                total = {n: cpu[n]["host_ms"] + cpu[n]["container_ms"] for n in ("before", "after")}
                ratios.setdefault("CPU per cycle (both paths)", []).append(total["before"] / total["after"])
    for path, values in ratios.items():
        what = "before/after (CPU: lower is faster)" if path.startswith("CPU") else "after/before"
        print(f"{path}: median {what} {statistics.median(values):.2f} over {len(values)} rounds")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
