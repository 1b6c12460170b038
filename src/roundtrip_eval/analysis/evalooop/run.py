"""`roundtrip-eval rescore-evalooop`: the whole command (read, reproduce, check, tables).

Steps, each resumable: read EvaLooop's traces (`read.py`) and reproduce their published numbers
from their verdicts (`published.py`); build the MBPP+ problems, C0's outcomes kept in
`<out>/expected/` (`problems.py`); check each distinct (task, code) once in the sandbox, both
modes, verdicts appended to `<out>/verdicts.jsonl` (`checks.py`); then the tables and the page
(`tables.py`), written afresh from the verdicts every time. An interrupted run started again with
the same `--out` checks only what is missing.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from roundtrip_eval.analysis.evalooop.checks import Item, Limits, LimitsError, check_items
from roundtrip_eval.analysis.evalooop.read import EvalooopDataError, extract, read_models, read_published


class EvalooopRescoreError(RuntimeError):
    """The rescore cannot start or finish; the message says what to do."""


def _host_cpu() -> dict[str, float]:
    """CPU seconds of this process and of its finished children (C0's workers) so far: with the
    containers' own, what the run would take on an idle machine of as many cores."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "process": round(own.ru_utime + own.ru_stime, 1),
        "children": round(children.ru_utime + children.ru_stime, 1),
    }


def data_folders(data: Path) -> tuple[Path, Path]:
    """(EvaLooop's folder, EvalPlus's folder) under a peer-data folder, or the EvaLooop folder
    itself with EvalPlus's beside it."""
    for evalooop, evalplus in ((data / "evalooop", data / "evalplus"), (data, data.parent / "evalplus")):
        if (evalooop / "results.json").is_file() and (evalplus / "MbppPlus.jsonl.gz").is_file():
            return evalooop, evalplus
    raise EvalooopRescoreError(
        f"{data}: expected evalooop/results.json, evalooop/details/ and evalplus/MbppPlus.jsonl.gz "
        "under it (the peer-data folder)"
    )


def run_rescore_evalooop(
    data: Path,
    out: Path,
    *,
    models: Sequence[str] | None = None,
    sandboxes: int = 4,
    limits: Limits | None = None,
    progress: bool = True,
    tasks: Sequence[str] | None = None,
    c0_cache: Path | None = None,
) -> str:
    """Rescore every model (or `models`; `tasks` narrows to some tasks, for tests); the closing
    line. `c0_cache`: a folder of C0's outcomes shared between output folders (`problems.py`);
    `limits`: the checks' time rule and limits (`Limits`; default fixed, 2 s per call)."""
    from roundtrip_eval.analysis.evalooop.problems import load_problems
    from roundtrip_eval.analysis.evalooop.tables import write_tables
    from roundtrip_eval.analysis.rescore.run import RescoreError, ensure_sandbox

    started = time.monotonic()
    load_before = os.getloadavg()
    evalooop, evalplus = data_folders(data)
    try:
        published = read_published(evalooop)
        traces = read_models(evalooop, models)
    except EvalooopDataError as exc:
        raise EvalooopRescoreError(str(exc)) from exc
    if tasks:
        wanted = set(tasks)
        traces = [type(m)(m.model_id, tuple(t for t in m.tasks if t.task_id in wanted)) for m in traces]
    try:
        ensure_sandbox("roundtrip-docker")
    except RescoreError as exc:
        raise EvalooopRescoreError(str(exc)) from exc
    out.mkdir(parents=True, exist_ok=True)
    phases: dict[str, float] = {"read": time.monotonic() - started}

    def lap(name: str) -> None:
        phases[name] = round(time.monotonic() - started - sum(phases.values()), 1)

    items = [Item(t.task_id, extract(code)) for m in traces for t in m.tasks for code in t.codes]
    task_ids = sorted({i.task_id for i in items}, key=lambda t: (len(t), t))
    echo = (lambda text: print(f"rescore-evalooop: {text}", file=sys.stderr)) if progress else None
    try:
        problems, c0_seconds = load_problems(evalplus, task_ids, out / "expected", shared=c0_cache, echo=echo)
    except ValueError as exc:
        raise EvalooopRescoreError(str(exc)) from exc
    lap("problems")
    distinct = len({i.key for i in items})
    programs = len({i.program for i in items})
    runs = len({i.run for i in items})
    # C0 itself, once per problem: where it fails our check, no candidate can pass (harness)
    references = [Item(t, extract(problems[t].reference)) for t in task_ids]
    limits = limits or Limits()
    try:
        verdicts = check_items(
            items + references,
            problems,
            out,
            sandboxes=sandboxes,
            limits=limits,
            c0_seconds=c0_seconds,
            progress=progress,
        )
    except LimitsError as exc:
        raise EvalooopRescoreError(str(exc)) from exc
    lap("checks")
    summary = write_tables(out, traces, published, verdicts, problems, c0_seconds, limits)
    lap("tables")
    run_info = {
        "seconds": phases,
        "wall_seconds": round(time.monotonic() - started, 1),
        "functions": len(items),
        "distinct_checks": distinct,
        "distinct_programs": programs,
        "sandbox_runs": runs,
        "models": len(traces),
        "sandboxes": sandboxes,
        "limits": limits.record(),
        "host_cpu_seconds": _host_cpu(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    (out / "run.json").write_text(json.dumps(run_info, indent=1), encoding="utf-8")
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    return (
        f"{summary} ({len(items):,} functions, {distinct:,} distinct checks as {programs:,} programs "
        f"in {runs:,} sandbox runs, "
        f"{minutes}m{seconds:02d}s)"
    )
