"""Harness overhead of a real-model eval: how much of the wall time is not model generation.

Runs `roundtrip_eval/fizzbuzz` on a real model (default: the embedded local model through the
ollama provider), then splits the eval's wall time, from its own log, into model generation
(the model events' working time) and everything else (prompting, extraction, sandbox checks,
container set-up and tear-down, logging). Prints the harness share and generated tokens/s.

    python benchmarks/overhead.py [--model ollama/qwen2.5-coder-0.5b] [--base-url URL]
                                  [--epochs 2] [--cycles 5] [--log LOG.eval]

With `--log`, it only analyses an existing log (no new run). Target (issue 11): harness <= 3% of wall
time with the 0.5B model on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, read_eval_log


def log_wall(log: EvalLog) -> float:
    """The eval's wall time from its log; for a log still being written (or cut short), up to
    its last recorded event, so a long run can be measured while it goes on."""
    # a log still being written has no stats yet; the eval's creation time stands in
    started = log_started(log)
    if log.stats.completed_at:
        return (datetime.fromisoformat(log.stats.completed_at) - started).total_seconds()
    stamps = [event.timestamp for sample in log.samples or [] for event in sample.events]
    if not stamps:
        raise SystemExit("overhead: the log is unfinished and holds no completed trial yet")
    print("note: the log is unfinished; wall time runs to its last recorded event", file=sys.stderr)
    return (max(stamps) - started).total_seconds()


def log_started(log: EvalLog) -> datetime:
    """When this log's run started (a log still being written has no stats yet)."""
    return datetime.fromisoformat(log.stats.started_at or log.eval.created)


def ran_here(log: EvalLog) -> tuple[list[Any], int]:
    """The trials this log's run generated, and how many it carried over from an earlier run of
    the same eval-set or `eval-retry` (their model time lies outside this log's wall time)."""
    started = log_started(log)
    here = [s for s in log.samples or [] if not s.events or min(e.timestamp for e in s.events) >= started]
    return here, len(log.samples or []) - len(here)


def split(log: EvalLog, wall: float | None = None) -> dict[str, Any]:
    """Model time vs the rest, from the log's events and per-cycle timings (of the trials run
    in this log's own run: see `ran_here`)."""
    samples, carried = ran_here(log)
    model_time = 0.0
    output_tokens = 0
    check_time = 0.0
    generations = 0
    for sample in samples:
        for event in sample.events:
            if event.event == "model":
                model_time += float(event.working_time or 0.0)
                generations += 1
                if event.output.usage is not None:
                    output_tokens += event.output.usage.output_tokens
        for cycle in sample.store.get("cycles", []):
            check_time += float((cycle.get("check") or {}).get("seconds") or 0.0)
    if wall is None:
        wall = log_wall(log)
    harness = max(0.0, wall - model_time)
    return {
        "trials": len(samples),
        "carried": carried,
        "generations": generations,
        "wall_s": wall,
        "model_s": model_time,
        "harness_s": harness,
        "harness_share": harness / wall if wall else float("nan"),
        "checks_s": check_time,
        "output_tokens": output_tokens,
        "tokens_per_s": output_tokens / model_time if model_time else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="ollama/qwen2.5-coder-0.5b")
    parser.add_argument("--base-url", default=None, help="sets OLLAMA_BASE_URL (default :8765)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--log", default=None, help="analyse this log instead of running")
    args = parser.parse_args(argv)
    if args.log:
        result = split(read_eval_log(args.log))
    else:
        os.environ.setdefault("OLLAMA_BASE_URL", args.base_url or "http://127.0.0.1:8765/v1")
        from roundtrip_eval.eval.tasks import fizzbuzz

        started = time.monotonic()
        [log] = inspect_eval(
            fizzbuzz(epochs=args.epochs, cycles=args.cycles, temperature=0.7),
            model=args.model,
            max_connections=1,
            log_dir="logs/benchmarks",
            display="none",
        )
        wall = time.monotonic() - started
        if log.status != "success":
            print(f"eval failed: {log.error.message if log.error else log.status}", file=sys.stderr)
            return 1
        result = split(log, wall)
    print(f"{'trials':<22}{result['trials']}")
    if result["carried"]:
        print(f"{'  left out':<22}{result['carried']} carried over from an earlier run of this eval "
              "(resumed); their time is not in this log's wall time")
    print(f"{'generations':<22}{result['generations']}")
    print(f"{'wall time':<22}{result['wall_s']:.1f} s")
    print(f"{'model generation':<22}{result['model_s']:.1f} s")
    print(f"{'harness (the rest)':<22}{result['harness_s']:.1f} s  "
          f"({result['harness_share']:.1%} of wall time; target <= 3%)")
    print(f"{'  of which checks':<22}{result['checks_s']:.1f} s")
    print(f"{'generated tokens':<22}{result['output_tokens']}")
    print(f"{'tokens/s':<22}{result['tokens_per_s']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
