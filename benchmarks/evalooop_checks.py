"""The EvaLooop rescore's checks on a fixed sample, two versions of the code side by side.

    python benchmarks/evalooop_checks.py --data ../shared/peer-data --expected OUT/expected \
        [--sample 3000] [--seed 30] [--sandboxes 4] [--before REV] [--repeat 1] [--json out.json]
    python benchmarks/evalooop_checks.py --data ../shared/peer-data --expected OUT --c0 Mbpp/630 ...

Why: the issue-30 target is the whole rescore (46,655 distinct checks, both modes) in 15 minutes
on the 2-core machine. This measures where a sample's time goes, and a change against the code
it replaces, on the same functions in one command (the machine is shared: runs of the two
versions alternate, so both see the same load).

The sample: `--sample` distinct (task, extracted code) pairs of EvaLooop's records drawn at
random with `--seed` (functions with no code are left out: they need no sandbox), so its time
projects to the whole rescore. Each version runs in a child process with its own
sources first on the path: `--before REV` is a git revision of this repository (exported to a
temporary folder), the other is this working tree; each keeps C0's outcomes in its own folder
under `--expected` (`before`, `after`: built on first use, then read back). The child holds all
91 models' traces in memory while it checks, as the rescore does. Per run it prints the wall time, checks per
second, the host process's CPU, the CPU of its sandbox containers (cgroup v1 `cpuacct`, polled
twice a second; absent elsewhere), the sum of the checks' own seconds, and the projection of the
wall time to 46,655 checks; and whether the two versions' verdicts agree (they must, except
where a fix between them changed one on purpose: those are listed).

With `--c0 TASK ...` it measures C0's outcomes instead: each version builds those problems from
a cold start (a fresh folder, no shared cache, one lane per CPU, as the rescore's first phase
does) and the table shows the wall time, the CPU of the command's own process (C0's workers
are the forkserver's children, not its own: their CPU is not counted), and whether the two
versions' outcomes are the same.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOTAL = 46_655


class ContainerCPU:
    """CPU seconds used by this process's sandbox containers (by their `roundtrip-eval.pid`
    label), read from cgroup v1 `cpuacct` every half second; 0 where that is not available."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        label = f"label=roundtrip-eval.pid={os.getpid()}"
        while not self.stopped.is_set():
            try:
                ids = subprocess.run(
                    ["docker", "ps", "-q", "--no-trunc", "--filter", label],
                    capture_output=True, text=True, timeout=10, check=False,
                ).stdout.split()  # fmt: skip
            except (OSError, subprocess.SubprocessError):
                ids = []
            for cid in ids:
                try:
                    usage = Path(f"/sys/fs/cgroup/cpuacct/docker/{cid}/cpuacct.usage").read_text()
                    self.seen[cid] = max(self.seen.get(cid, 0), int(usage))
                except (OSError, ValueError):
                    continue
            self.stopped.wait(0.5)

    def seconds(self) -> float:
        self.stopped.set()
        self.thread.join()
        return sum(self.seen.values()) / 1e9


def child(args: argparse.Namespace) -> None:
    """One run of one version (its sources first on sys.path): check the sample, print JSON."""
    from roundtrip_eval.analysis.evalooop.checks import Item, check_items
    from roundtrip_eval.analysis.evalooop.problems import load_problems
    from roundtrip_eval.analysis.evalooop.read import read_models

    spec = json.loads(Path(args.items).read_text(encoding="utf-8"))
    items = [Item(task, code) for task, code in spec]
    tasks = sorted({item.task_id for item in items})
    problems, c0_seconds = load_problems(Path(args.data) / "evalplus", tasks, Path(args.expected))
    traces = read_models(Path(args.data) / "evalooop")  # held, as the rescore holds them
    out = Path(tempfile.mkdtemp(prefix="evalooop-bench-"))
    meter = ContainerCPU()
    cpu, wall = time.process_time(), time.monotonic()
    found = check_items(items, problems, out, sandboxes=args.sandboxes, c0_seconds=c0_seconds, progress=False)
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    records = [json.loads(line) for line in (out / "verdicts.jsonl").open(encoding="utf-8")]
    verdicts = {  # by item key: each function's verdict (its program's, where programs are checked)
        key: [r[m]["passed"] for m in ("typed", "evalplus")] + [r["evalplus"]["category"]]
        for key, r in found.items()
    }
    result = {
        "wall": wall,
        "host_cpu": cpu,
        "container_cpu": meter.seconds(),
        "check_seconds": sum(float(r.get("seconds") or 0) for r in records),
        "checks": len(items),
        "programs": len(records),
        "verdicts": verdicts,
        "src": sys.modules["roundtrip_eval"].__file__,
    }
    print(json.dumps(result))
    del traces


def child_c0(args: argparse.Namespace) -> None:
    """One cold build of C0's outcomes for `--c0`'s problems by one version: print JSON."""
    import hashlib

    from roundtrip_eval.analysis.evalooop.problems import load_problems
    from roundtrip_eval.check.runner import encode

    folder = Path(tempfile.mkdtemp(prefix="evalooop-bench-c0-"))
    cpu, wall = time.process_time(), time.monotonic()
    problems, seconds = load_problems(Path(args.data) / "evalplus", args.c0, folder)
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    outcomes = {
        t: hashlib.sha256(
            json.dumps([[o.ok, encode(o.value) if o.ok else o.error] for o in p.expected]).encode()
        ).hexdigest()
        for t, p in problems.items()
    }
    result = {"wall": wall, "host_cpu": cpu, "seconds": seconds, "outcomes": outcomes}
    print(json.dumps(result))


def main_c0(args: argparse.Namespace, versions: dict[str, Path]) -> None:
    """`--c0`: each version's cold build of the problems, side by side."""
    print(f"C0 of {', '.join(args.c0)} from a cold start, {os.cpu_count()} CPUs")
    print("| version | wall s | process CPU s | load before-after |")
    print("|---|---|---|---|")
    found = {}
    for _ in range(args.repeat):
        for name, src in versions.items():
            env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(src), str(ROOT)]))
            argv = [sys.executable, __file__, "--child", "--data", str(args.data),
                    "--expected", str(args.expected), "--c0", *args.c0]  # fmt: skip
            load = os.getloadavg()[0]
            done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            if done.returncode:
                raise SystemExit(f"the C0 build with {src} failed:\n{done.stderr[-3000:]}")
            r = json.loads(done.stdout.strip().splitlines()[-1])
            found[name] = r["outcomes"]
            print(f"| {name} | {r['wall']:.1f} | {r['host_cpu']:.1f} | "
                  f"{load:.1f}-{os.getloadavg()[0]:.1f} |", flush=True)  # fmt: skip
    if len(found) == 2:
        a, b = found.values()
        differ = sorted(t for t in a if a[t] != b.get(t))
        print(f"problems whose outcomes differ between the versions: {len(differ)} {differ[:10]}")


def sample(data: Path, n: int, seed: int) -> list[tuple[str, str]]:
    """`n` distinct (task, code) pairs with code, drawn at random with `seed`."""
    from roundtrip_eval.analysis.evalooop.read import extract, read_models

    pairs = {
        (task.task_id, code)
        for model in read_models(data / "evalooop")
        for task in model.tasks
        for code in (extract(c) for c in task.codes)
        if code is not None
    }
    ordered = sorted(pairs)
    random.Random(seed).shuffle(ordered)
    return ordered[:n]


def export(rev: str, folder: Path) -> Path:
    """The sources of git revision `rev` in `folder` (src/ and the package's data)."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src"


def run_version(src: Path, name: str, items: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One run of the version whose sources are `src`, C0's outcomes kept in its own folder
    under `--expected` (the versions may key them differently)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(src), str(ROOT)]))
    expected = args.expected / name.split()[0]
    argv = [sys.executable, __file__, "--child", "--items", str(items), "--data", str(args.data),
            "--expected", str(expected), "--sandboxes", str(args.sandboxes)]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"the run with {src} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def line(name: str, r: dict[str, Any]) -> str:
    n = r["checks"]
    return (
        f"| {name} | {n} | {r['programs']} | {r['wall']:.1f} | {n / r['wall']:.1f} | "
        f"{1000 * r['host_cpu'] / n:.1f} | "
        f"{1000 * r['container_cpu'] / n:.1f} | {r['check_seconds']:.1f} | "
        f"{r['wall'] * TOTAL / n / 60:.1f} | {r['load'][0]:.1f}-{r['load'][1]:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "peer-data")
    parser.add_argument("--expected", type=Path, required=True, help="C0's outcomes, kept per version")
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=30)
    parser.add_argument("--sandboxes", type=int, default=4)
    parser.add_argument("--before", help="git revision to run beside this working tree")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--c0", nargs="+", metavar="TASK", help="time C0's cold build instead")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--items", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_c0(args) if args.c0 else child(args)
        return
    work = Path(tempfile.mkdtemp(prefix="evalooop-bench-"))
    if args.c0:
        versions = {"after (this tree)": ROOT / "src"}
        if args.before:
            versions = {f"before ({args.before})": export(args.before, work / "before"), **versions}
        main_c0(args, versions)
        return
    items = work / "items.json"
    items.write_text(json.dumps(sample(args.data, args.sample, args.seed)), encoding="utf-8")
    versions = {"after (this tree)": ROOT / "src"}
    if args.before:
        versions = {f"before ({args.before})": export(args.before, work / "before"), **versions}
    print(f"{args.sample} checks, seed {args.seed}, {args.sandboxes} sandboxes, {os.cpu_count()} CPUs")
    print("| version | checks | sandbox runs | wall s | checks/s | host CPU ms/check | container CPU "
          "ms/check | sum of check s | projected min (46,655) | load before-after |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    runs: list[tuple[str, dict[str, Any]]] = []
    for _ in range(args.repeat):
        for name, src in versions.items():
            load = os.getloadavg()[0]
            result = run_version(src, name, items, args)
            result["load"] = [load, os.getloadavg()[0]]
            runs.append((name, result))
            print(line(name, result), flush=True)
    if len(versions) == 2:
        first = next(r for n, r in runs if n.startswith("before"))["verdicts"]
        last = next(r for n, r in reversed(runs) if n.startswith("after"))["verdicts"]
        keys = set(first) | set(last)
        changed = {k: (first.get(k), last.get(k)) for k in keys if first.get(k) != last.get(k)}
        print(f"verdicts that differ between the versions (typed, evalplus, category): {len(changed)}")
        by_task: dict[str, list[Any]] = {}
        spec = {Item_key: task for Item_key, task in _keys(json.loads(items.read_text()))}
        for key, pair in sorted(changed.items()):
            by_task.setdefault(spec.get(key, "?"), []).append(pair)
        for task, pairs in sorted(by_task.items()):
            print(f"  {task}: {len(pairs)}, e.g. {pairs[0][0]} -> {pairs[0][1]}")
    if args.json:
        args.json.write_text(json.dumps([{"version": n, **{k: v for k, v in r.items() if k != "verdicts"}}
                                         for n, r in runs], indent=1))  # fmt: skip


def _keys(spec: list[list[str]]) -> list[tuple[str, str]]:
    from roundtrip_eval.analysis.evalooop.checks import item_key

    return [(item_key(task, code), task) for task, code in spec]


if __name__ == "__main__":
    main()
