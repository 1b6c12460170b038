"""Running a rescoring: the sandbox check, the evals, and our checker on the original code.

`run_rescore` is the whole command: load the trials, plan (plan.py), run every eval, turn the
logs into rows (outcomes.py), check the original code where classifying needs it, and write
the tables (markdown.py). Each step is a function of its own, so a later run can, e.g., plan
the whole published dataset, run it, and compare the tables with the published ones.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.rescore.markdown import write_outputs
from roundtrip_eval.analysis.rescore.outcomes import classify, original_checks_needed, trial_rows
from roundtrip_eval.analysis.rescore.plan import EvalPlan, Repeat, build_task, plan_replays, write_replay
from roundtrip_eval.analysis.rescore.tables import published_figures, totals
from roundtrip_eval.analysis.upstream import scan_trials

DEFAULT_SANDBOX = "roundtrip-docker"
MAX_TASKS = 16
"""Evals in flight at once with the memo: most samples never wait on a sandbox, so the host's
event loop, not the sandbox, is what bounds a rescoring."""
SHOWN_SKIPPED = 20
"""Skipped folders named on stderr; skipped.csv lists every one."""
MAX_CONNECTIONS = 64
"""Concurrent calls to the replay model (instant, local)."""
LOCAL_WARNING = (
    "WARNING: --sandbox local runs the original study's model-written code directly on this "
    "machine, UNSANDBOXED (no container, no limits, full access to your files and network). "
    "Use the default roundtrip-docker sandbox unless this machine is disposable."
)


class RescoreError(RuntimeError):
    """Rescoring cannot start or finish; the message says what to do."""


def ensure_sandbox(name: str) -> None:
    """Fail early, in one line, when the sandbox cannot run checks; warn loudly for local."""
    import roundtrip_eval._registry  # noqa: F401 - registers roundtrip-docker
    from roundtrip_eval._inspect_private import find_sandboxenv as registry_find_sandboxenv

    try:
        registry_find_sandboxenv(name)
    except ValueError as exc:
        raise RescoreError(f"sandbox {name!r} is not a registered provider ({exc})") from exc
    if name == "local":
        print(LOCAL_WARNING, file=sys.stderr)
        return
    if name == "roundtrip-docker":
        from roundtrip_eval.sandbox import (
            IMAGE,
            SandboxEngineError,
            connect,
            image_exists,
        )

        try:
            client = connect(timeout=20)
        except SandboxEngineError as exc:
            raise RescoreError(
                f"the Docker engine is not reachable ({exc}); start it (dockerd), or pass "
                "--sandbox local to run the old model code UNSANDBOXED on this machine"
            ) from exc
        if not image_exists(client):
            raise RescoreError(
                f"the sandbox image {IMAGE} is missing: run `roundtrip-eval sandbox build` "
                "(or `sudo roundtrip-eval sandbox build --offline`)"
            )


def run_evals(
    plans: Sequence[EvalPlan],
    out: Path,
    sandbox: str,
    max_sandboxes: int,
    progress: bool,
    *,
    memo: bool = True,
    sink: Any = None,
) -> list[Any]:
    """Write the replay scripts, run every eval, return what each left (in plan order).

    One progress line for the whole run (progress.py), no per-eval display: Inspect's "log"
    display, which only logs (at INFO, below the default level); its "none" display still
    renders the rich table of every eval once a second, which for hundreds of evals costs more
    than the checks. Each result has
    the log's `location` and its finished `samples`; a plan whose eval left nothing gets None
    (its trials read as errors). With `memo`, each distinct check is made once (memo.py) and at
    most `max_sandboxes` real sandboxes run at a time; the samples themselves run as
    concurrently as the host allows, since most of them never start a sandbox. `sink` replaces
    the progress line (a worker process reports to its parent through a file, workers.py).
    """
    from inspect_ai import eval as inspect_eval

    from roundtrip_eval.analysis.rescore import memo as memo_sandbox
    from roundtrip_eval.analysis.rescore.progress import ProgressLine, capturing

    tasks = [
        build_task(p, write_replay(p, out / "replay" / f"{p.slug}.jsonl"), sandbox, memo=memo) for p in plans
    ]
    memo_sandbox.configure(sandbox, max_sandboxes)
    line = sink if sink is not None else ProgressLine(sum(len(p.trials) for p in plans), enabled=progress)
    samples_per_task = max((len(p.trials) for p in plans), default=1)
    with capturing(line) as capture:
        inspect_eval(
            tasks,
            log_dir=str(out / "logs"),
            display="log",  # "none" still renders a rich table of every eval, each second
            log_header_only=True,
            log_realtime=False,  # no live sample buffer: nobody watches a rescoring sample by sample
            fail_on_error=False,
            max_tasks=max(1, min(len(tasks), MAX_TASKS if memo else max_sandboxes)),
            max_samples=samples_per_task if memo else max_sandboxes,
            max_sandboxes=None if memo else max_sandboxes,
            max_connections=MAX_CONNECTIONS,
            score_display=False,
        )
    return [capture.result(p.group) for p in plans]


async def _check_codes(sandbox: str, items: Sequence[tuple[str, str]], workers: int) -> list[bool]:
    """Our checker's verdict on each (problem, code), in up to `workers` sandboxes at once."""
    import anyio

    from roundtrip_eval._inspect_private import find_sandboxenv as registry_find_sandboxenv
    from roundtrip_eval.check.host import run_check
    from roundtrip_eval.problems.load import load_problem

    provider: Any = registry_find_sandboxenv(sandbox)
    name = "rescore-original-code"
    await provider.task_init(name, None)
    results: list[bool | None] = [None] * len(items)
    todo = iter(range(len(items)))

    async def worker() -> None:
        envs = await provider.sample_init(name, None, {})
        try:
            for i in todo:
                problem, code = items[i]
                check = await run_check(envs["default"], code, load_problem(problem))
                results[i] = check.passed
        finally:
            await provider.sample_cleanup(name, None, envs, False)

    try:
        async with anyio.create_task_group() as group:
            for _ in range(max(1, min(workers, len(items)))):
                group.start_soon(worker)
    finally:
        await provider.task_cleanup(name, None, True)
    return [bool(r) for r in results]


def check_codes(sandbox: str, items: Sequence[tuple[str, str]], workers: int = 1) -> list[bool]:
    """Our checker's verdict on each (problem, original code); none asked, no sandbox started.
    Each distinct (problem, code) is checked once."""
    import anyio

    if not items:
        return []
    distinct = list(dict.fromkeys(items))
    verdicts = dict(zip(distinct, anyio.run(_check_codes, sandbox, distinct, workers), strict=True))
    return [verdicts[item] for item in items]


def rescore_rows(
    plans: Sequence[EvalPlan],
    logs: Sequence[Any],
    out: Path,
    sandbox: str,
    workers: int = 1,
    repeats: Sequence[Repeat] = (),
) -> list[Row]:
    """Per-trial rows from the eval logs (repeats from the trial they repeat), with artifacts
    classified."""
    rows = trial_rows(plans, logs, out, repeats)
    needed = original_checks_needed(rows)
    verdicts = check_codes(sandbox, list(needed.values()), workers)
    classify(rows, dict(zip(needed, verdicts, strict=True)))
    return rows


def run_rescore(
    root: Path,
    out: Path,
    *,
    sandbox: str = DEFAULT_SANDBOX,
    limit: int | None = None,
    max_sandboxes: int = 8,
    progress: bool = True,
    memo: bool = True,
    workers: int | None = None,
) -> str:
    """Rescore every upstream trial under `root`; returns the closing totals line.

    Folders that are not readable trials of a known problem are named on stderr, one line
    each, and counted in the totals line: skipped, never silently dropped. `workers` processes
    run the evals (workers.py; default: one per core, each with enough replays to be worth it).
    """
    import time

    from roundtrip_eval.analysis.rescore import memo as memo_sandbox
    from roundtrip_eval.analysis.rescore.study import write_study
    from roundtrip_eval.analysis.rescore.workers import WorkerError, run_sharded, worker_count
    from roundtrip_eval.problems.load import list_problems

    started = time.monotonic()
    if not root.is_dir():
        raise RescoreError(f"{root}: no such directory (expected the upstream data folder)")
    scan = scan_trials(root, list_problems())
    trials = scan.trials
    if not trials:
        also = f" ({len(scan.skipped)} folders skipped, e.g. {scan.skipped[0]})" if scan.skipped else ""
        raise RescoreError(f"{root}: no raw/<batch>/<trial>/result.json files{also}")
    for skipped in scan.skipped[:SHOWN_SKIPPED]:
        print(f"roundtrip-eval: skipping {skipped}", file=sys.stderr)
    if len(scan.skipped) > SHOWN_SKIPPED:
        more = len(scan.skipped) - SHOWN_SKIPPED
        print(
            f"roundtrip-eval: skipping {more} more folders (all listed in {out / 'skipped.csv'})",
            file=sys.stderr,
        )
    ensure_sandbox(sandbox)
    out.mkdir(parents=True, exist_ok=True)
    phases: dict[str, float] = {"read": time.monotonic() - started}

    def lap(name: str) -> None:
        phases[name] = time.monotonic() - started - sum(phases.values())

    plans, repeats = plan_replays(trials, limit)
    if workers is None:
        workers = worker_count(plans, os.cpu_count() or 1) if memo else 1
    if workers > 1:
        try:
            logs, stats = run_sharded(plans, out, root, limit, sandbox, max_sandboxes, workers, progress)
        except WorkerError as exc:
            raise RescoreError(str(exc)) from exc
    else:
        logs = run_evals(plans, out, sandbox, max_sandboxes, progress, memo=memo)
        stats = memo_sandbox.STATS
    lap("evals")
    rows = rescore_rows(plans, logs, out, sandbox, max_sandboxes, repeats)
    lap("original_code_checks")
    study_files, sections = write_study(out, rows, root, scan.trials, scan.skipped)
    files = write_outputs(out, rows, published_figures(root), sandbox, sections)
    files.update(study_files)
    lap("tables_and_curves")
    t = totals(rows)
    checks = (
        f"{stats.checks:,} checks ({stats.checks_run:,} run in {stats.sandboxes_started:,} "
        f"{sandbox} sandboxes, {stats.checks_served:,} repeats from the memo)"
        if memo
        else f"checks in {sandbox}"
    )
    run_info = {
        "seconds": {k: round(v, 1) for k, v in phases.items()},
        "trials": t["trials"],
        "replayed": t["trials"] - len(repeats),
        "evals": len(plans),
        "workers": workers,
        "memo": asdict(stats) if memo else None,
        "sandbox": sandbox,
        "max_sandboxes": max_sandboxes,
    }
    (out / "run.json").write_text(json.dumps(run_info, indent=1), encoding="utf-8")
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    return (
        f"rescored {t['trials']} trials ({t['trials'] - len(repeats)} replayed in {len(plans)} evals, "
        f"{len(repeats)} repeats of a replayed script): {t['survived']} survived, "
        f"{t['failed']} failed, {t['censored']} censored, {t['errors']} errors, "
        f"{t['inconsistent']} inconsistent; {len(scan.skipped)} folders skipped; {checks}; "
        f"{minutes}m{seconds:02d}s; see {files['summary.md']}"
    )
