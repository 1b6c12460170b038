"""Eval logs -> one row per upstream trial: the original outcome, ours, and what became of it.

Pure: reads log objects already in memory, runs nothing. `trial_rows` gives the rows with the
codes that still need a verdict (the private `_ours` / `_original` keys); `classify` then
fills in the artifact class and the class of new failures from our checker's verdicts on the
original's code (see run.py), and drops those keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.rescore.plan import EvalPlan, Repeat
from roundtrip_eval.analysis.rescore.published import batch_mode, batch_n
from roundtrip_eval.analysis.rows import trial_outcome
from roundtrip_eval.analysis.upstream import (
    ARTIFACT,
    UpstreamTrial,
    Verdict,
    classify_artifact,
    needs_original_check,
    rebuild,
    same_code,
)
from roundtrip_eval.eval.record import Cycle, Trial

SPEC_RULE = "spec_rule"
"""A new failure at our spec rule: the spec is empty, or is the code itself (a leak)."""


def verdicts_of(history: Sequence[Cycle]) -> list[Verdict]:
    return [Verdict(r.passed, str(r.category), r.code) for r in history]


def trial_record(plan: EvalPlan, epoch: int, trial: UpstreamTrial, sample: Any, log_file: str) -> Row:
    """One upstream trial, its original outcome, and its outcome under our rules."""
    history = Trial.read(sample.store).cycles if sample is not None else []
    errored = sample is None or sample.error is not None
    logged = trial_outcome(history, plan.n_cycles, errored)
    row: Row = {
        "batch": trial.batch,
        "n_type": batch_n(trial.batch),
        "mode": batch_mode(trial.batch),
        "model": trial.model,
        "model_dir": trial.model_dir,
        "language": trial.language,
        "spec_format": trial.spec_format,
        "prompt_style": trial.prompt_style,
        "task": trial.task,
        "run": trial.run,
        "epoch": epoch,
        "n_cycles": plan.n_cycles,
        "original_survived": trial.original_survived,
        "original_cycles_completed": trial.cycles_completed,
        "original_stop_cycle": trial.stop_cycle,
        "original_stop_kind": trial.stop_kind,
        "log": log_file,
        "log_status": logged["status"],
        "log_cycles_survived": logged["cycles_survived"],
        "error": None if sample is None else (sample.error.message if sample.error else None),
    }
    if errored:
        row.update(status="error", consistent=False)
        return row
    rescored = rebuild(trial, verdicts_of(history), plan.n_cycles)
    row.update(
        status=rescored.status,
        cycles_survived=rescored.cycles_survived,
        fail_cycle=rescored.fail_cycle,
        category=rescored.category,
        censor_reason=rescored.censor_reason,
        original_class=rescored.original_class,
        new_failure=rescored.new_failure,
        new_failure_class=None,
        consistent=(
            rescored.status == logged["status"] and rescored.cycles_survived == logged["cycles_survived"]
        ),
    )
    k = trial.stop_cycle
    if rescored.original_class == ARTIFACT and k is not None:
        row["_ours"] = history[k - 1].code
        row["_original"] = trial.cycles[k - 1].code_clean
    if rescored.new_failure and rescored.category == "spec_failure":
        # our spec rule (an empty spec, or one that is the code itself) fails a spec the
        # original accepted: no code to compare
        row["new_failure_class"] = SPEC_RULE
    elif rescored.new_failure and rescored.fail_cycle is not None:
        row["_ours"] = history[rescored.fail_cycle - 1].code
        row["_original"] = trial.cycles[rescored.fail_cycle - 1].code_clean
    return row


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def trial_rows(
    plans: Sequence[EvalPlan], logs: Sequence[Any], out: Path, repeats: Sequence[Repeat] = ()
) -> list[Row]:
    """One row per planned trial, from its eval's log (None: every trial of it errored), then
    one per repeat, from the sample of the trial it repeats (`replayed_as` names that trial).

    `logs[i]` is the log of `plans[i]`; log paths are written relative to `out`.
    """
    rows: list[Row] = []
    replayed: dict[tuple[str, str], tuple[EvalPlan, int, Any, str]] = {}
    for plan, log in zip(plans, logs, strict=True):
        samples = {} if log is None else {s.epoch: s for s in (log.samples or [])}
        location = "" if log is None else _relative(Path(log.location), out)
        for epoch, trial in enumerate(plan.trials, start=1):
            replayed[(trial.batch, trial.name)] = (plan, epoch, samples.get(epoch), location)
            rows.append(
                {**trial_record(plan, epoch, trial, samples.get(epoch), location), "replayed_as": None}
            )
    for repeat in repeats:
        plan, epoch, sample, location = replayed[(repeat.replayed_as.batch, repeat.replayed_as.name)]
        row = trial_record(plan, epoch, repeat.trial, sample, location)
        rows.append({**row, "replayed_as": f"{repeat.replayed_as.batch}/{repeat.replayed_as.name}"})
    return rows


def original_checks_needed(rows: Sequence[Row]) -> dict[int, tuple[str, str]]:
    """{row index: (problem, original code)} that our checker must judge to classify."""
    needed = {}
    for i, row in enumerate(rows):
        if "_ours" in row and needs_original_check(row["_ours"], row["_original"]):
            needed[i] = (str(row["task"]), str(row["_original"]))
    return needed


def classify(rows: list[Row], verdict_of_original: dict[int, bool]) -> None:
    """Fill in the artifact class (extraction vs checker) and the class of new failures.

    `verdict_of_original[i]` is our checker's verdict on row i's original executed code, for
    the rows where it is needed (see upstream.needs_original_check).
    """
    for i, row in enumerate(rows):
        if "_ours" not in row:
            continue
        ours, original = row.pop("_ours"), row.pop("_original")
        if row.get("original_class") == ARTIFACT:
            row["original_class"] = classify_artifact(ours, original, verdict_of_original.get(i))
        elif row.get("new_failure"):
            # our verdict fails a cycle the original passed
            if same_code(ours, original) or not verdict_of_original.get(i, False):
                row["new_failure_class"] = "stricter_checker"
            else:
                row["new_failure_class"] = "extraction_regression"
