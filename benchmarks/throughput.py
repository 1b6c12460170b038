"""Harness throughput: a scripted, always-correct model through the real task and sandbox.

    python benchmarks/throughput.py [--trials 48] [--cycles 10] [--concurrency 8] [--json out.json]

Runs `roundtrip_eval/fizzbuzz` with the `replay` model answering every g step with a fixed
spec and every f step with C0 itself, so every cycle passes and nothing waits on a model: what
is measured is the harness (prompting, extraction, the check, drift measures, store and log)
and the sandbox. It runs the same eval twice in one process, in the default `roundtrip-docker`
sandbox: first with the exec-per-check path (`warm_runner=False, spare_containers=0`, one
`docker exec` and a new interpreter per check, each container started by its trial), then with
the warm runner and spare containers (the defaults). For each it prints cycles/s over the whole
eval, the median and p90 check time (`run_check`, from the per-cycle records), and the median
and p90 trial set-up (`sample_init`) and tear-down (`sample_cleanup`), with the ratio of the
two paths. A small eval runs first and is not counted (Inspect's imports load once). Targets
(issue 11, 2-core machine): >= 40 cycles/s with 8 trials at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai.util import SandboxEnvironmentSpec

from roundtrip_eval.eval.tasks import fizzbuzz
from roundtrip_eval.problems.load import load_problem
from roundtrip_eval.sandbox import RoundtripDockerConfig, RoundtripDockerSandbox, connect

PATHS = {
    "exec per check": RoundtripDockerConfig(warm_runner=False, spare_containers=0),
    "warm runner": RoundtripDockerConfig(),
}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


def replay_file(folder: Path, cycles: int, name: str) -> Path:
    """One line for every trial: g gets a fixed spec, f answers with C0 (fenced). One file per
    eval: a replay model keeps its place in a file for the life of the process."""
    reference = load_problem("fizzbuzz").reference.rstrip()
    replies: list[str] = []
    for cycle in range(1, cycles + 1):
        replies.append(f"FUNCTION fizzbuzz(n), cycle {cycle}: the same behaviour as before.")
        replies.append(f"Here is the implementation:\n\n```python\n{reference}\n```\n")
    path = folder / f"always_correct_{name.replace(' ', '_')}.jsonl"
    path.write_text(json.dumps({"sample": "*", "epoch": "*", "replies": replies}) + "\n", encoding="utf-8")
    return path


class Timed:
    """Times `sample_init` and `sample_cleanup` of the provider while installed."""

    def __init__(self) -> None:
        self.setup: list[float] = []
        self.teardown: list[float] = []
        self._init = RoundtripDockerSandbox.sample_init
        self._cleanup = RoundtripDockerSandbox.sample_cleanup

    def __enter__(self) -> Timed:
        init, cleanup, timed = self._init, self._cleanup, self

        async def sample_init(cls: Any, *args: Any) -> Any:  # noqa: ARG001 - classmethod shape
            started = time.perf_counter()
            try:
                return await init(*args)
            finally:
                timed.setup.append(time.perf_counter() - started)

        async def sample_cleanup(cls: Any, *args: Any) -> Any:  # noqa: ARG001
            started = time.perf_counter()
            try:
                return await cleanup(*args)
            finally:
                timed.teardown.append(time.perf_counter() - started)

        RoundtripDockerSandbox.sample_init = classmethod(sample_init)  # type: ignore[method-assign,assignment]
        RoundtripDockerSandbox.sample_cleanup = classmethod(sample_cleanup)  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        RoundtripDockerSandbox.sample_init = self._init  # type: ignore[method-assign]
        RoundtripDockerSandbox.sample_cleanup = self._cleanup  # type: ignore[method-assign]


def measure(name: str, cfg: RoundtripDockerConfig, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    script = replay_file(folder, args.cycles, name)
    with Timed() as timed:
        started = time.perf_counter()
        [log] = inspect_eval(
            fizzbuzz(epochs=args.trials, cycles=args.cycles),
            model=f"replay/{script}",
            sandbox=SandboxEnvironmentSpec("roundtrip-docker", cfg),
            max_samples=args.concurrency,
            log_dir=str(folder / name.replace(" ", "_")),
            display="none",
        )
        wall = time.perf_counter() - started
    if log.status != "success":
        raise SystemExit(f"the {name} eval did not succeed: {log.error}")
    checks: list[float] = []
    passed = 0
    for sample in log.samples or []:
        for cycle in sample.store.get("cycles", []):
            checks.append(float((cycle.get("check") or {}).get("seconds") or 0.0))
            passed += bool(cycle.get("passed"))
    return {
        "cycles": len(checks),
        "passed": passed,
        "wall_s": wall,
        "cycles_per_s": len(checks) / wall,
        "check": checks,
        "setup": timed.setup,
        "teardown": timed.teardown,
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(results: dict[str, dict[str, Any]]) -> list[str]:
    old, new = results["exec per check"], results["warm runner"]
    rows = [
        ("cycles/s (whole eval)", f"{old['cycles_per_s']:.1f}", f"{new['cycles_per_s']:.1f}",
         f"{new['cycles_per_s'] / old['cycles_per_s']:.1f}x"),
    ]  # fmt: skip
    for key, label in (("check", "check"), ("setup", "trial set-up"), ("teardown", "trial tear-down")):
        for q, qname in ((0.5, "median"), (0.9, "p90")):
            a, b = quantile(old[key], q), quantile(new[key], q)
            ratio = f"{a / b:.1f}x faster" if b > 0 else "-"
            rows.append((f"{label} {qname} (ms)", ms(a), ms(b), ratio))
    lines = ["| | exec per check | warm runner | warm vs exec |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--trials", type=int, default=48,
        help="trials per path (default 48: long enough for a steady state at 8 at a time)",
    )  # fmt: skip
    parser.add_argument("--cycles", type=int, default=10, help="cycles per trial (default 10)")
    parser.add_argument("--concurrency", type=int, default=8, help="trials at a time (default 8)")
    parser.add_argument("--json", help="also write the raw timings (seconds) to this file")
    args = parser.parse_args(argv)
    engine = connect().version()
    load = os.getloadavg()[0]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        # a small eval first, not counted: Inspect's imports and entry points load once
        warmup = argparse.Namespace(trials=2, cycles=1, concurrency=2)
        measure("warm-up", RoundtripDockerConfig(), warmup, Path(tmp))
        for name, cfg in PATHS.items():
            results[name] = measure(name, cfg, args, Path(tmp))
            done = results[name]
            if done["passed"] != done["cycles"]:
                print(f"warning: {name}: only {done['passed']}/{done['cycles']} cycles passed")
    print(
        f"throughput: {args.trials} trials x {args.cycles} cycles, {args.concurrency} at a time, per path; "
        f"{os.cpu_count()} CPUs, Docker Engine {engine.get('Version')}; "
        f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}"
    )
    print("\n".join(table(results)))
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
