"""Latency of the `roundtrip-docker` sandbox next to Inspect's `local` provider, in one run.

    python benchmarks/sandbox_latency.py [--n 30] [--checks-per-trial 3] [--json out.json]

For each provider it runs `--n` trials. A trial is set-up (`sample_init`), then
`--checks-per-trial` real checks, then tear-down (`sample_cleanup`). A check is
`roundtrip_eval.check.host.run_check` of the fizzbuzz reference on the whole fizzbuzz problem (one
exec of the trusted runner). The floor is one exec of `python3 -I -c pass`. The script prints
the median and p90 of each, and the Docker/local ratio of the medians. One warm-up trial per
provider is not counted. Targets on a 2-core machine: Docker check median <= 150 ms, Docker
set-up <= 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import sys
import time
from typing import Any

from inspect_ai.util import SandboxEnvironment
from inspect_ai.util._sandbox.local import LocalSandboxEnvironment

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem
from roundtrip_eval.sandbox import RoundtripDockerSandbox, connect

METRICS = ("check", "floor", "setup", "teardown")
LABELS = {
    "check": "one check (run_check, fizzbuzz)",
    "floor": "exec floor (python3 -I -c pass)",
    "setup": "trial set-up (sample_init)",
    "teardown": "trial tear-down (sample_cleanup)",
}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def measure(
    provider: type[SandboxEnvironment], n: int, checks: int
) -> tuple[dict[str, list[float]], float]:
    problem = load_problem("fizzbuzz")
    started = time.perf_counter()
    await provider.task_init("bench", None)
    task_init = time.perf_counter() - started
    times: dict[str, list[float]] = {m: [] for m in METRICS}
    try:
        for trial in range(n + 1):  # trial 0 warms up and is not counted
            sample: dict[str, list[float]] = {m: [] for m in METRICS}
            t = time.perf_counter()
            envs = await provider.sample_init("bench", None, {})
            sample["setup"].append(time.perf_counter() - t)
            env = envs["default"]
            try:
                for _ in range(checks):
                    t = time.perf_counter()
                    verdict = await run_check(env, problem.reference, problem)
                    sample["check"].append(time.perf_counter() - t)
                    if not verdict.passed:
                        raise RuntimeError(f"the reference failed its own check: {verdict.detail}")
                for _ in range(checks):  # after the checks: an exec ends a warm runner
                    t = time.perf_counter()
                    floor = await env.exec(["python3", "-I", "-c", "pass"], timeout=30)
                    sample["floor"].append(time.perf_counter() - t)
                    if not floor.success:
                        raise RuntimeError(f"python3 -c pass failed: {floor.stderr}")
            finally:
                t = time.perf_counter()
                await provider.sample_cleanup("bench", None, envs, False)
                sample["teardown"].append(time.perf_counter() - t)
            if trial > 0:
                for m in METRICS:
                    times[m] += sample[m]
    finally:
        await provider.task_cleanup("bench", None, True)
    return times, task_init


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=30, help="trials per provider (default 30)")
    parser.add_argument("--checks-per-trial", type=int, default=3)
    parser.add_argument("--json", help="also write the raw timings (seconds) to this file")
    args = parser.parse_args(argv)

    # The local provider runs `python3` from PATH; a version-manager shim (pyenv) there would add
    # ~100 ms per exec, so put this interpreter's own directory first.
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    local_python = shutil.which("python3")
    engine = connect().version()
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, list[float]]] = {}
    task_inits: dict[str, float] = {}
    for name, provider in (("docker", RoundtripDockerSandbox), ("local", LocalSandboxEnvironment)):
        results[name], task_inits[name] = await measure(provider, args.n, args.checks_per_trial)

    print(
        f"sandbox latency: {args.n} trials x {args.checks_per_trial} checks per provider; "
        f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
        f"Docker Engine {engine.get('Version')} (API {engine.get('ApiVersion')}); "
        f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}; local python3: {local_python}"
    )
    header = f"{'ms':36} {'docker p50':>10} {'docker p90':>10} {'local p50':>10} "
    print(header + f"{'local p90':>10} {'ratio p50':>10}")
    for m in METRICS:
        d, loc = results["docker"][m], results["local"][m]
        dm, lm = statistics.median(d), statistics.median(loc)
        ratio = f"{dm / lm:9.1f}x" if lm > 0 else "         -"
        print(
            f"{LABELS[m]:36} {ms(dm):>10} {ms(quantile(d, 0.9)):>10} {ms(lm):>10} "
            f"{ms(quantile(loc, 0.9)):>10} {ratio:>10}"
        )
    print(f"{'task_init (once)':36} {ms(task_inits['docker']):>10} {'':>10} {ms(task_inits['local']):>10}")
    check, setup = (
        statistics.median(results["docker"]["check"]),
        statistics.median(results["docker"]["setup"]),
    )
    verdict = "OK" if check <= 0.150 and setup <= 1.0 else "MISSED"
    print(
        f"targets (docker check p50 <= 150 ms, set-up p50 <= 1 s): {verdict} "
        f"({check * 1000:.0f} ms, {setup * 1000:.0f} ms)"
    )
    if args.json:
        payload: dict[str, Any] = {"results": results, "task_init": task_inits, "args": vars(args)}
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
