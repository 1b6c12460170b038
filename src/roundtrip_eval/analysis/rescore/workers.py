"""Rescoring on every core: the evals in shards, one worker process each, one progress line.

Why: Inspect runs a whole `eval()` on one event loop, so one process uses one core; with the
memo (memo.py) a rescoring is bound by that host work (Inspect's per-sample machinery and our
solver's per-cycle measures), not by the sandbox. The published dataset's 5,291 replays took
9.5 CPU minutes in one process.

How: the parent splits the plans into shards of about equal work (cycles recorded), writes one
shard file each (`<out>/shards/shard-<i>.json`: the data folder, `--limit`, and the slugs of
its plans), and starts `python -m roundtrip_eval.analysis.rescore.workers <shard file>` per
shard. A worker plans again from the same data (planning is deterministic), runs its plans with
`run.run_evals` into the same log folder, and writes what its samples left (`result-<i>.json`:
per eval the log location and each sample's trimmed cycles and error, plus its memo stats).
Its progress goes to `progress-<i>.txt`, which the parent reads into the one progress line;
its console output goes to `worker-<i>.log`. Each worker has its own memo and its share of
the sandboxes (`max_sandboxes // workers`, at least 1), so a check repeated across shards may
run once per shard.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from roundtrip_eval.analysis.rescore.memo import MemoStats
from roundtrip_eval.analysis.rescore.plan import EvalPlan
from roundtrip_eval.analysis.rescore.progress import EvalResult, Finished, ProgressFile, ProgressLine
from roundtrip_eval.analysis.upstream import EvalGroup

MIN_SHARD = 500
"""Replays a worker needs to be worth its start (about 15 s of imports, planning and task setup)."""


class WorkerError(RuntimeError):
    """A worker process failed; the message names its console log."""


def worker_count(plans: Sequence[EvalPlan], cpus: int) -> int:
    """One worker per core, each with at least MIN_SHARD replays."""
    replays = sum(len(p.trials) for p in plans)
    return max(1, min(cpus, replays // MIN_SHARD))


def shards(plans: Sequence[EvalPlan], n: int) -> list[list[int]]:
    """Plan indices in `n` shards of about equal work (recorded cycles), largest plans first."""
    work = [sum(len(t.cycles) for t in p.trials) for p in plans]
    out: list[list[int]] = [[] for _ in range(n)]
    load = [0] * n
    for i in sorted(range(len(plans)), key=lambda i: -work[i]):
        j = load.index(min(load))
        out[j].append(i)
        load[j] += work[i]
    return [sorted(s) for s in out]


def run_sharded(
    plans: Sequence[EvalPlan],
    out: Path,
    root: Path,
    limit: int | None,
    sandbox: str,
    max_sandboxes: int,
    workers: int,
    progress: bool,
) -> tuple[list[EvalResult | None], MemoStats]:
    """Run the plans in `workers` processes; what each eval left (in plan order), and the
    workers' memo stats summed."""
    folder = out / "shards"
    folder.mkdir(parents=True, exist_ok=True)
    parts = [part for part in shards(plans, workers) if part]
    workers = len(parts)
    procs = []
    for i, part in enumerate(parts):
        spec = {
            "root": str(root),
            "limit": limit,
            "out": str(out),
            "sandbox": sandbox,
            "max_sandboxes": max(1, max_sandboxes // workers),
            "slugs": [plans[j].slug for j in part],
            "index": i,
        }
        path = folder / f"shard-{i}.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        (folder / f"progress-{i}.txt").write_text("0 0\n", encoding="utf-8")
        log = (folder / f"worker-{i}.log").open("w", encoding="utf-8")
        cmd = [sys.executable, "-m", "roundtrip_eval.analysis.rescore.workers", str(path)]
        procs.append((subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), log))
    line = ProgressLine(sum(len(p.trials) for p in plans), enabled=progress)
    try:
        while True:
            running = [p.poll() is None for p, _ in procs]
            _follow(line, [folder / f"progress-{i}.txt" for i in range(len(parts))])
            if not any(running):
                break
            time.sleep(0.5)
    finally:  # interrupted (Ctrl-C, an error): no worker outlives the command
        for proc, _ in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
        line.close()
    for i, (proc, log) in enumerate(procs):
        log.close()
        if proc.returncode != 0:
            tail = (folder / f"worker-{i}.log").read_text(encoding="utf-8").strip().splitlines()[-1:]
            raise WorkerError(
                f"rescoring worker {i} exited with {proc.returncode} ({tail[0] if tail else 'no output'}); "
                f"see {folder / f'worker-{i}.log'}"
            )
    results: dict[EvalGroup, EvalResult] = {}
    stats = MemoStats()
    for i in range(len(parts)):
        data = json.loads((folder / f"result-{i}.json").read_text(encoding="utf-8"))
        for key, value in data["memo"].items():
            setattr(stats, key, getattr(stats, key) + value)
        for entry in data["evals"]:
            samples = [
                Finished(
                    s["epoch"],
                    s["store"],
                    None if s["error"] is None else SimpleNamespace(message=s["error"]),
                )
                for s in entry["samples"]
            ]
            results[EvalGroup(*entry["group"])] = EvalResult(entry["location"], samples)
    return [results.get(p.group) for p in plans], stats


def _follow(line: ProgressLine, files: Sequence[Path]) -> None:
    """Advance the parent's line to the workers' summed progress."""
    done = checks = 0
    for path in files:
        try:
            a, b = path.read_text(encoding="utf-8").split()
            done, checks = done + int(a), checks + int(b)
        except (OSError, ValueError):
            continue
    line.set(done, checks)


def _result_json(
    plans: Sequence[EvalPlan], results: Sequence[EvalResult | None], stats: MemoStats
) -> dict[str, Any]:
    evals = []
    for plan, result in zip(plans, results, strict=True):
        if result is None:
            continue
        samples = [
            {"epoch": s.epoch, "store": s.store, "error": None if s.error is None else str(s.error.message)}
            for s in result.samples
        ]
        evals.append({"group": list(plan.group), "location": result.location, "samples": samples})
    return {"evals": evals, "memo": asdict(stats)}


def main(spec_path: str) -> int:
    """One worker: plan again, run this shard's plans, write what they left."""
    from roundtrip_eval.analysis.rescore import memo
    from roundtrip_eval.analysis.rescore.plan import plan_replays
    from roundtrip_eval.analysis.rescore.run import run_evals
    from roundtrip_eval.analysis.upstream import scan_trials
    from roundtrip_eval.problems.load import list_problems

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    out, folder = Path(spec["out"]), Path(spec_path).parent
    plans, _ = plan_replays(scan_trials(Path(spec["root"]), list_problems()).trials, spec["limit"])
    wanted = set(spec["slugs"])
    mine = [p for p in plans if p.slug in wanted]
    if len(mine) != len(wanted):
        print(f"worker {spec['index']}: planned {len(mine)} of its {len(wanted)} evals", file=sys.stderr)
        return 2
    sink = ProgressFile(folder / f"progress-{spec['index']}.txt")
    results = run_evals(mine, out, spec["sandbox"], spec["max_sandboxes"], False, sink=sink)
    data = _result_json(mine, results, memo.STATS)
    (folder / f"result-{spec['index']}.json").write_text(json.dumps(data), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
