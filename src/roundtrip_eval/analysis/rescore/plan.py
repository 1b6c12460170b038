# inspect-evals-lint: ignore-file[get_model_location] -- a rescoring task replays one fixed model
"""Planning a rescoring: which evals to run, their replay scripts and their Inspect tasks.

One eval per `upstream.EvalGroup` (batch, model, language, spec format, prompt style, task);
its epoch i replays the i-th run of that group. N comes from the whole batch (see
`upstream.batch_cycles`), so `--limit` never changes a trial's N.

`plan_replays` replays each distinct replay script once: a trial whose script (problem,
language, spec format, N and every recorded reply and stop, see `replay_key`) equals an
earlier trial's is a `Repeat` of it. Replaying it again would give the same cycles, since the
replay is deterministic and a check's verdict depends on the code alone (memo.py), so its row
is built from the earlier trial's sample and names it (`replayed_as`). In the published dataset
8,422 trials hold 5,291 distinct scripts (most repeats are trials stopped by the spec gate at
cycle 1 with the same spec).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.upstream import EvalGroup, UpstreamTrial, batch_cycles, replay_replies


@dataclass
class EvalPlan:
    """One eval: the upstream trials of one group, epoch i = trials[i - 1]."""

    group: EvalGroup
    trials: list[UpstreamTrial]
    n_cycles: int

    @property
    def slug(self) -> str:
        """A file name for this eval's replay script (unique per group)."""
        g = self.group
        model = g.model.replace(":", "-")
        return f"{g.batch}__{model}_{g.language}_{g.spec_format}_{g.prompt_style}_{g.task}"


def batch_ns(trials: Sequence[UpstreamTrial]) -> dict[str, int]:
    """N of every batch, from all of its trials."""
    by_batch: dict[str, list[UpstreamTrial]] = {}
    for t in trials:
        by_batch.setdefault(t.batch, []).append(t)
    return {batch: batch_cycles(members) for batch, members in by_batch.items()}


def plan_evals(
    trials: Sequence[UpstreamTrial], limit: int | None = None, n_of: dict[str, int] | None = None
) -> list[EvalPlan]:
    """Group trials into evals; N per batch comes from the whole batch, before `limit` (or
    from `n_of`, when the trials are a selection of their batches)."""
    n_of = n_of if n_of is not None else batch_ns(trials)
    chosen = list(trials)[:limit] if limit is not None else list(trials)
    groups: dict[EvalGroup, list[UpstreamTrial]] = {}
    for t in chosen:
        groups.setdefault(t.group, []).append(t)
    return [
        EvalPlan(group, sorted(members, key=lambda t: t.run), n_of[group.batch])
        for group, members in sorted(groups.items())
    ]


@dataclass(frozen=True)
class Repeat:
    """A trial whose replay script equals an earlier trial's: not replayed again."""

    trial: UpstreamTrial
    replayed_as: UpstreamTrial


def replay_key(trial: UpstreamTrial, n_cycles: int) -> str:
    """What decides a replay's outcome: the problem, language, spec format, N and script."""
    return json.dumps(
        [trial.task, trial.language, trial.spec_format, n_cycles, replay_replies(trial, n_cycles)],
        ensure_ascii=False,
    )


def plan_replays(
    trials: Sequence[UpstreamTrial], limit: int | None = None
) -> tuple[list[EvalPlan], list[Repeat]]:
    """`plan_evals` over the first trial of each distinct replay script, and the repeats."""
    n_of = batch_ns(trials)
    chosen = list(trials)[:limit] if limit is not None else list(trials)
    first: dict[str, UpstreamTrial] = {}
    replayed: list[UpstreamTrial] = []
    repeats: list[Repeat] = []
    for t in chosen:
        key = replay_key(t, n_of[t.batch])
        if key in first:
            repeats.append(Repeat(t, first[key]))
        else:
            first[key] = t
            replayed.append(t)
    return plan_evals(replayed, n_of=n_of), repeats


def write_replay(plan: EvalPlan, path: Path) -> Path:
    """The replay script of one eval: sample = problem, epoch i = the i-th run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f"# replayed from the original study: {plan.group.batch} ({len(plan.trials)} runs)\n")
        for epoch, trial in enumerate(plan.trials, start=1):
            line = {
                "sample": plan.group.task,
                "epoch": epoch,
                "upstream_run": trial.run,
                "replies": replay_replies(trial, plan.n_cycles),
            }
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def build_task(plan: EvalPlan, replay_file: Path, sandbox: str, memo: bool = False) -> Any:
    """The real roundtrip task for one plan, on the replay model of the upstream model.

    With `memo`, its checks go through the `rescore-memo` sandbox (memo.py; the caller
    configures it in front of `sandbox`): each distinct check of the run is made once.
    """
    from inspect_ai import task_with
    from inspect_ai.model import get_model
    from inspect_ai.util import SandboxEnvironmentSpec

    from roundtrip_eval.eval.prompts import SPEC_FORMATS
    from roundtrip_eval.eval.tasks import roundtrip_task

    g = plan.group
    spec_format = g.spec_format if g.spec_format in SPEC_FORMATS else "pseudocode"
    task = roundtrip_task(
        [g.task],
        cycles=plan.n_cycles,
        language=g.language,
        spec_format=spec_format,
        extraction="tolerant",
        sandbox=sandbox,
        epochs=len(plan.trials),
        name=g.task,
    )
    metadata = {
        **(task.metadata or {}),
        "replayed": True,
        # what the original runs had in common: part of the configuration
        "upstream": {
            "batch": g.batch,
            "model": g.model,
            "spec_format": g.spec_format,
            "prompt_style": g.prompt_style,
        },
        # which records this eval replays: not part of the configuration (columns.NOT_CONFIG)
        "upstream_trials": {
            "task": g.task,
            "runs": [t.run for t in plan.trials],  # epoch i = runs[i - 1]
            "note": "replies replayed from the original study's result.json; the prompts in "
            "this log are roundtrip-eval's (the original prompts were not logged), and the "
            "original generation options are unknown (none were sent)",
        },
    }
    if not memo:
        return task_with(
            task,
            model=get_model(f"replay/{g.model}", file=str(replay_file)),
            metadata=metadata,
            name=f"rescore_{g.task}",
        )
    from roundtrip_eval.analysis.rescore import memo as memo_sandbox

    metadata["check_memo"] = (
        f"checks through the {memo_sandbox.NAME} sandbox: each distinct check of the run is made "
        f"once in {sandbox}, repeats get that check's records"
    )
    return task_with(
        task,
        model=get_model(f"replay/{g.model}", file=str(replay_file)),
        metadata=metadata,
        name=f"rescore_{g.task}",
        sandbox=SandboxEnvironmentSpec(memo_sandbox.NAME),
    )


def group_of_log(metadata: dict[str, Any]) -> EvalGroup:
    """The group an eval log replays, from the metadata `build_task` wrote into it ("" where
    a log lacks a field: it then matches no plan, and its trials read as errors)."""
    upstream: dict[str, Any] = metadata.get("upstream") or {}
    trials: dict[str, Any] = metadata.get("upstream_trials") or {}
    return EvalGroup(
        batch=upstream.get("batch", ""),
        model=upstream.get("model", ""),
        language=metadata.get("language", ""),
        spec_format=upstream.get("spec_format", ""),
        prompt_style=upstream.get("prompt_style", ""),
        task=trials.get("task", ""),
    )
