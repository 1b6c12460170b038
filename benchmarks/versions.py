"""Two checkouts' harness throughput, side by side in one run (a before/after of a change).

    python benchmarks/versions.py BEFORE [AFTER] [--rounds 3] [--trials 48] [--cycles 10]

BEFORE and AFTER are roots of two checkouts of this repository (AFTER defaults to this one), for
example a `git worktree add` of the commit before a change. Each round runs
`benchmarks/throughput.py` once in each checkout, in a fresh interpreter with that checkout's own
sources first on the path (the runner is sent into the sandbox from the host's sources, so each
side checks with its own runner), alternating which goes first. A noisy machine slows both sides
of a round alike; the ratio of each round, and their median, is what to read, not the absolute
cycles/s. Both sides share the Docker engine and the sandbox image already built.
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


def run_side(root: Path, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """One run of throughput.py in `root` with `root`'s sources; its raw results."""
    env = dict(os.environ, PYTHONPATH=f"{root / 'src'}{os.pathsep}{root}")
    command = [
        sys.executable, str(root / "benchmarks" / "throughput.py"), "--trials", str(args.trials),
        "--cycles", str(args.cycles), "--concurrency", str(args.concurrency), "--json", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"throughput.py failed in {root}: {done.stderr.strip().splitlines()[-1:]}")
    results: dict[str, Any] = json.loads(out.read_text())["results"]
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
            for path in got["before"]:
                old, new = got["before"][path]["cycles_per_s"], got["after"][path]["cycles_per_s"]
                ratios.setdefault(path, []).append(new / old)
                print(f"| {round_no} | {path} | {old:.1f} | {new:.1f} | {new / old:.2f} |")
    for path, values in ratios.items():
        print(f"{path}: median after/before {statistics.median(values):.2f} over {len(values)} rounds")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
