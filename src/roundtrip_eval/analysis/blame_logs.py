"""`roundtrip-eval blame LOGDIR [--judge MODEL] [-k K]`: blame for logs that were run without it.

Every log already holds what the probes need (the last passing code, the failing spec, the spec
before it, the failing check, the seeds). For each log under LOGDIR this runs one Inspect eval
whose samples are that log's failed trials: the run's own solver probes each first failure by
the rule of `eval/blame.py` (docs/blame_rule.md), with the run's settings and prompts, on the
model the log names or on `--judge` (tries that a `-T blame=k` record in the log already made
with the same model and seeds are reused, not redone). Each verdict is appended, as it completes, to
`<log>.blame.jsonl` beside the log (one JSON object per trial), so an interrupted run resumes
where it stopped, and `report`/`export` read the verdicts from there (`attach_verdicts`).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Task, task_with
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import DisplayType, store
from pydantic import BaseModel, ConfigDict, ValidationError

from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.rows import cycle_history, is_roundtrip_log, settings_of
from roundtrip_eval.eval.blame import LOGGED_KEY, Logged, known_tries, probe_target, shown_verdict
from roundtrip_eval.eval.record import Attempt, Blame, Cycle, Trial

SUFFIX = ".blame.jsonl"
KEPT = {"cycle", "passed", "spec", "spec_leak", "code", "category", "detail", "check"}
"""What a probe reads of each logged cycle (the replies and change measures stay in the log)."""


class BlameError(RuntimeError):
    """The command cannot go on: the message is one line saying why and what to do."""


def verdicts_path(log_path: Path) -> Path:
    """`<log>.blame.jsonl` beside the log (`run.eval` -> `run.blame.jsonl`)."""
    return log_path.with_name(log_path.stem + SUFFIX)


class Written(BaseModel):
    """One line of `<log>.blame.jsonl`: a trial's `record.Blame` (its fields kept as extras) with
    the trial it is for, or, for a trial not probed (`verdict` none), only the `reason` why."""

    model_config = ConfigDict(extra="allow")

    sample_id: str
    epoch: int
    verdict: str
    model: str | None = None
    k: int | None = None
    reason: str | None = None

    def record(self) -> Blame | None:
        """The probes' record (`record.Blame`); None for a trial that was not probed."""
        if self.verdict == "none":
            return None
        return Blame.model_validate({**(self.model_extra or {}), "verdict": self.verdict,
                                     "model": self.model, "k": self.k, "reason": self.reason})  # fmt: skip


def read_verdicts(log_path: Path) -> dict[tuple[str, int], Written]:
    """The verdicts written for a log, by (sample id, epoch); a torn last line is ignored."""
    path = verdicts_path(log_path)
    found: dict[tuple[str, int], Written] = {}
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = Written.model_validate_json(line)
        except ValidationError:
            continue  # a line cut by an interruption: that trial is probed again
        found[(record.sample_id, record.epoch)] = record
    return found


def attach_verdicts(trials: list[Row], log_path: Path) -> None:
    """Fill the `blame` column of one log's trial rows from its `.blame.jsonl`, where written."""
    verdicts = read_verdicts(log_path)
    for row in trials:
        record = verdicts.get((str(row["sample_id"]), int(row["epoch"])))
        if record is not None:
            row["blame"] = shown_verdict(record.verdict)


def append_verdict(sink: Path, record: dict[str, Any]) -> None:
    """One line per trial, flushed at once; a line torn by an interruption is closed first."""
    torn = sink.exists() and sink.stat().st_size > 0 and not sink.read_bytes().endswith(b"\n")
    with sink.open("a", encoding="utf-8") as fh:
        fh.write(("\n" if torn else "") + json.dumps(record) + "\n")


@dataclass
class Target:
    """One failed trial of a log and what its probe needs."""

    sample: EvalSample
    cycles: list[Cycle]
    skip: str  # why it is not probed ("" when it is)


def targets(log: EvalLog) -> Iterator[Target]:
    """Every failed trial of a log (an errored sample is not a failure)."""
    for sample in log.samples or []:
        if sample.error is not None:
            continue
        history = cycle_history(sample)
        cycle, why = probe_target(history)
        if cycle is None and why == "no failing cycle":
            continue
        end = cycle or next(r.cycle for r in history if not r.passed)
        kept = [Cycle.model_validate(r.model_dump(include=KEPT, exclude_unset=True)) for r in history[:end]]
        yield Target(sample, kept, why)


@solver
def _append_to(sink: Path, model: str, k: int) -> Solver:
    """After the probes: append the sample's verdict to the log's `.blame.jsonl` at once."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        result = Trial.read(store()).blame
        if result is not None:
            original = Logged.model_validate(state.metadata[LOGGED_KEY])
            append_verdict(sink, {"sample_id": original.sample_id, "epoch": original.epoch,
                                  **result.stored(), "model": model, "k": k})  # fmt: skip
        return state

    return solve


def reusable(log: EvalLog, sample: EvalSample, model: str, k: int) -> dict[str, Attempt]:
    """Tries of the sample's in-log blame record (`-T blame=k`) made by `model`: reused, not redone."""
    record = Trial.read(sample.store).blame
    if record is None:
        return {}
    made_by = log.eval.model if record.model == "same as the run" else record.model
    return known_tries(record, k) if made_by == model else {}


def probe_task(log: EvalLog, todo: Sequence[Target], sink: Path, k: int, judge: str | None) -> Task:
    """The log's own task (settings, prompts, sandbox, roles) whose samples are its failures."""
    from roundtrip_eval.eval.scorers import blame as blame_scorer
    from roundtrip_eval.eval.settings import TrialSettings
    from roundtrip_eval.eval.tasks import trial_task

    settings = settings_of(log)
    fields = {name: settings[name] for name in TrialSettings.model_fields if name in settings}
    fields.update(blame=k, judge_model=judge, epochs=1)
    trial = TrialSettings(**fields)
    model = judge or log.eval.model
    samples = [
        Sample(
            input="probe the first failure",
            id=f"{t.sample.id}/{t.sample.epoch}",
            metadata={**(t.sample.metadata or {}), LOGGED_KEY: Logged(
                sample_id=str(t.sample.id), epoch=int(t.sample.epoch), cycles=t.cycles,
                known=reusable(log, t.sample, model, k)).metadata()},
        )  # fmt: skip
        for t in todo
    ]
    problems = sorted({str((t.sample.metadata or {})["problem"]) for t in todo})
    base = trial_task(problems, trial, name="blame_probes")
    return task_with(
        base,
        dataset=samples,
        solver=[base.solver, _append_to(sink, model, k)],
        scorer=[blame_scorer()],
        name="blame_probes",
        headline_metric=None,
        metadata={**(base.metadata or {}), "blamed_log": log.eval.eval_id},
    )


def _check_resumable(done: dict[tuple[str, int], Written], model: str, k: int, sink: Path) -> None:
    other = {(r.model, r.k) for r in done.values() if r.verdict != "none"}
    other.discard((model, k))
    if other:
        was_model, was_k = sorted(other, key=str)[0]
        raise BlameError(
            f"{sink} holds verdicts by {was_model} with k={was_k}, not {model} with k={k}; "
            "move it away to start over, or rerun with those settings to resume"
        )


def blame_logs(
    log_dir: Path,
    *,
    k: int = 3,
    judge: str | None = None,
    max_connections: int = 1,
    display: DisplayType | None = None,
    probe_log_dir: Path | None = None,
    limit: int | None = None,
) -> dict[str, int]:
    """Probe every failed trial under `log_dir` not yet in its log's `.blame.jsonl`.

    At most `limit` failures are probed in this run (the rest in a later one, which resumes).
    Returns counts (`probed`, `already`, `skipped`, `errors`, `logs`). Probe logs (Inspect's own record of
    every regeneration) go to `probe_log_dir`, or to a temporary folder that is removed."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.log import read_eval_log

    from roundtrip_eval.analysis.read import find_logs
    from roundtrip_eval.eval.prompts import prompt_set_version

    if k < 1:
        raise BlameError(f"-k {k} refused: each probe needs at least one try (k >= 1; 3 or more advised)")
    counts = {"probed": 0, "already": 0, "skipped": 0, "errors": 0, "logs": 0}
    paths = [p for p in find_logs(log_dir) if p.suffix == ".eval"]
    if not paths:
        raise BlameError(f"{log_dir}: no .eval logs found")
    with tempfile.TemporaryDirectory(prefix="blame-probes-") as scratch:
        out = probe_log_dir or Path(scratch)
        for number, path in enumerate(paths, start=1):
            log = read_eval_log(str(path), resolve_attachments=True)
            if not is_roundtrip_log(log) or log.eval.task == "blame_probes":
                continue
            counts["logs"] += 1
            model = judge or log.eval.model
            sink = verdicts_path(path)
            done = read_verdicts(path)
            _check_resumable(done, model, k, sink)
            found = list(targets(log))
            todo = [t for t in found if (str(t.sample.id), int(t.sample.epoch)) not in done]
            counts["already"] += len(found) - len(todo)
            for t in [t for t in todo if t.skip]:  # a spec_failure: written at once, never probed
                skipped = {"sample_id": str(t.sample.id), "epoch": int(t.sample.epoch),
                           "verdict": "none", "reason": t.skip, "model": model, "k": k}  # fmt: skip
                append_verdict(sink, skipped)
                counts["skipped"] += 1
            todo = [t for t in todo if not t.skip]
            waiting = len(todo)
            if limit is not None:
                todo = todo[: max(0, limit - counts["probed"])]
            print(f"[{number}/{len(paths)}] {path.name}: {len(found)} failed trials, "
                  f"{len(found) - waiting} already written or not probed, {len(todo)} of {waiting} "
                  f"to probe now with {model} (k={k})",
                  file=sys.stderr)  # fmt: skip
            if not todo:
                continue
            if settings_of(log).get("prompt_set_version") not in (None, prompt_set_version()):
                print(f"roundtrip-eval: warning: {path.name} was run with prompt set "
                      f"{settings_of(log).get('prompt_set_version')}; the probes use {prompt_set_version()}",
                      file=sys.stderr)  # fmt: skip
            task = probe_task(log, todo, sink, k, judge)
            results = inspect_eval(
                task, model=model, log_dir=str(out), display=display, max_connections=max_connections,
                max_samples=max_connections, fail_on_error=False,
            )  # fmt: skip
            if not results:  # Ctrl-C: Inspect returns no log
                written = len(read_verdicts(path)) - len(done)
                raise BlameError(f"interrupted: {written} verdicts for {path.name} written this run "
                                 "and kept; rerun to resume")  # fmt: skip
            [result] = results
            counts["probed"] += sum(1 for s in result.samples or [] if Trial.read(s.store).blame)
            errors = [s for s in result.samples or [] if s.error is not None]
            counts["errors"] += len(errors)
            if errors:  # infrastructure (the model server, the sandbox): no verdict written
                first = str(errors[0].error.message if errors[0].error else "").splitlines()[:1]
                print(f"roundtrip-eval: {len(errors)} probes of {path.name} errored (first: "
                      f"{''.join(first)[:200]}); rerun to retry them", file=sys.stderr)  # fmt: skip
            if result.status != "success":
                raise BlameError(f"the probes of {path.name} stopped ({result.status}); rerun to resume")
    return counts

