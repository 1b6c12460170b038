"""Inspect logs -> flat rows: one per trial and one per cycle (the extraction).

Why rows: the report, the export and any later re-analysis must agree on what a log says. So
there is exactly one place that turns log objects into rows (this module; read.py finds and
reads the log files), and everything downstream (aggregate.py, the report, the exported files)
works on these rows only. The report computed from a log directory and the report computed
from the exported files are then the same computation on the same data, which the tests check.
The columns and their types are in columns.py.

Trial status:
- `error`: the sample errored (infrastructure: the model API, the sandbox). Never counted in
  survival; reported apart.
- `failed`: a cycle failed; `cycles_survived` = the cycles before it.
- `survived`: every one of the N cycles passed.
- `censored`: fewer than N cycles were recorded and none failed: the trial stopped for a
  reason that says nothing about the model (a sample limit, the end of a replayed record).
"""

from __future__ import annotations

import hashlib
from typing import Any

from inspect_ai.event import StoreEvent
from inspect_ai.log import EvalLog, EvalSample, resolve_sample_attachments

from roundtrip_eval.analysis.columns import (
    CHECK_COLUMNS,
    CONFIG_COLUMNS,
    GENERATION_FIELDS,
    NOT_CONFIG,
    RECORD_SCALARS,
    STEPS,
    Row,
    dumps,
)
from roundtrip_eval.eval.record import CYCLES_KEY, Cycle, TokenUsage, Trial


def settings_of(log: EvalLog) -> dict[str, Any]:
    """Every setting of a run: the task's metadata, plus task arguments it did not record."""
    settings: dict[str, Any] = dict(log.eval.metadata or {})
    for key, value in (log.eval.task_args or {}).items():
        settings.setdefault(key, value)
    return settings


def config_of(settings: dict[str, Any], generation: dict[str, Any]) -> dict[str, Any]:
    """What defines a configuration: every setting except replicate-only ones, plus the
    generation options actually sent (a CLI `--temperature` overrides the task's own)."""
    config = {k: v for k, v in settings.items() if k not in NOT_CONFIG}
    config.update({f"gen_{k}": v for k, v in generation.items()})
    return config


def config_key(config: dict[str, Any]) -> str:
    return hashlib.sha256(dumps(config).encode()).hexdigest()[:10]


def config_label(settings: dict[str, Any], generation: dict[str, Any]) -> str:
    """A short human label, e.g. `en/pseudocode/tolerant N=10 T=0.7 prompts=1.0+ab12`."""
    temperature = generation.get("temperature", settings.get("temperature"))
    parts = [
        "/".join(str(settings.get(k, "?")) for k in ("language", "spec_format", "extraction")),
        f"N={settings.get('cycles', '?')}",
    ]
    upstream = settings.get("upstream")
    if settings.get("replayed") and isinstance(upstream, dict):
        # replies recorded elsewhere: our temperature and prompts were never used
        parts.append(f"replay of {upstream.get('batch', '?')}")
    else:
        parts += [f"T={temperature}", f"prompts={settings.get('prompt_set_version', '?')}"]
    for key in ("mask_names", "variant"):
        if settings.get(key) not in (None, False, ""):
            parts.append(f"{key}={settings[key]}")
    return " ".join(parts)


def _model_events(sample: EvalSample) -> list[Any]:
    return [e for e in sample.events if getattr(e, "event", None) == "model"]


def _generation(events: list[Any]) -> dict[str, Any]:
    """The generation options actually sent, from the first model call."""
    if not events:
        return {}
    config = events[0].config
    return {k: getattr(config, k) for k in GENERATION_FIELDS if getattr(config, k) is not None}


def _prompt(event: Any) -> str | None:
    texts = [m.text for m in event.input]
    return "\n\n".join(texts) if texts else None


def _match_steps(history: list[Cycle], events: list[Any]) -> list[dict[str, Any]]:
    """For each cycle: the model event that answered g and f (and how many attempts each took).

    Matched by seed (every step has its own derived seed, and a retried step reuses it), so a
    retried empty reply does not shift later cycles; falls back to order g, f, g, f, ...
    """
    by_seed: dict[int, list[Any]] = {}
    for event in events:
        if event.config.seed is not None:
            by_seed.setdefault(event.config.seed, []).append(event)
    matched = []
    for i, record in enumerate(history):
        seeds = record.seeds
        steps: dict[str, Any] = {}
        for j, step in enumerate(("g", "f")):
            seed = seeds.get(step)
            attempts = by_seed.get(seed, []) if isinstance(seed, int) else []
            if not attempts and 2 * i + j < len(events) and not seeds:
                attempts = [events[2 * i + j]]
            steps[step] = attempts[-1] if attempts else None
            steps[f"{step}_attempts"] = len(attempts) if attempts else None
        matched.append(steps)
    return matched


def _score_value(sample: EvalSample, name: str) -> Any:
    score = (sample.scores or {}).get(name)
    return None if score is None else score.value


def trial_outcome(history: list[Cycle], n_cycles: int, errored: bool) -> Row:
    """Status, cycles survived, failure and censoring of one trial, from its cycle records."""
    trial = Trial(cycles=history)
    survived_cycles = trial.cycles_survived()
    failure = trial.first_failure()
    failed = failure is not None
    if errored:
        status = "error"
    elif failed:
        status = "failed"
    elif survived_cycles >= n_cycles:
        status = "survived"
    else:
        status = "censored"
    return {
        "status": status,
        "cycles_recorded": len(history),
        "cycles_survived": survived_cycles,
        "failed": failed and not errored,
        "censored": status == "censored",
        "survived": status == "survived",
        "first_failure_cycle": failure.cycle if failure else None,
        "drift": (str(failure.category) if failure else "none") if not errored else None,
        "drift_detail": str(failure.detail) if failure else None,
    }


def cycle_history(sample: EvalSample) -> list[Cycle]:
    """The trial's cycle records: its final store, or where the log lost that, its last store event.

    Why: a log of ours was seen whose sample kept its scores and its store events but an empty
    final store; reading only the store turned a trial that failed at cycle 2 into one censored
    at cycle 0. The store events carry the whole cycle list each time it is written.
    """
    stored = (sample.store or {}).get(CYCLES_KEY)
    if stored is not None:
        return Trial.read(sample.store).cycles
    # Inspect's own resolver turns the events' attachment:// references back into specs and code
    for event in reversed(resolve_sample_attachments(sample).events or []):
        if not isinstance(event, StoreEvent):
            continue
        for change in reversed(event.changes):
            if change.path == f"/{CYCLES_KEY}" and change.op in ("add", "replace"):
                return Trial.read({CYCLES_KEY: change.value}).cycles
    return []


def sample_rows(log: EvalLog, sample: EvalSample, source: str) -> tuple[Row, list[Row]]:
    """One trial row and its cycle rows."""
    settings = settings_of(log)
    events = _model_events(sample)
    generation = _generation(events)
    config = config_of(settings, generation)
    key = config_key(config)
    meta = sample.metadata or {}
    history = cycle_history(sample)
    n_cycles = int(settings.get("cycles", len(history)))
    steps = _match_steps(history, events)
    g_models = {s["g"].model for s in steps if s["g"] is not None}
    f_models = {s["f"].model for s in steps if s["f"] is not None}
    model = log.eval.model
    blame = _score_value(sample, "blame")
    usage = [r.usage.get(step) or TokenUsage() for r in history for step in STEPS]
    limit = sample.limit
    trial: Row = {
        "source": source,
        "eval_id": log.eval.eval_id,
        "run_id": log.eval.run_id,
        "task_id": log.eval.task_id,
        "task": log.eval.task,
        "task_version": str(log.eval.task_version),
        "created": log.eval.created,
        "model": model,
        "provider": model.split("/", 1)[0],
        "g_model": ",".join(sorted(g_models)) or model,
        "f_model": ",".join(sorted(f_models)) or model,
        "problem": str(meta.get("problem", sample.id)),
        "function": meta.get("function"),
        "domain": meta.get("domain"),
        "familiarity": meta.get("familiarity"),
        "twin": meta.get("twin"),
        "pair": meta.get("pair"),
        "suite_sha": meta.get("suite_sha"),
        "sample_id": str(sample.id),
        "epoch": int(sample.epoch),
        "config_key": key,
        "config": config_label(settings, generation),
        **{c: settings.get(c) for c in CONFIG_COLUMNS},
        "base_seed": settings.get("seed"),
        "settings_json": dumps(settings),
        "generation_json": dumps(generation),
        "n_cycles": n_cycles,
        **trial_outcome(history, n_cycles, errored=sample.error is not None),
        "blame": None if blame is None else (blame if isinstance(blame, str) else dumps(blame)),
        "error": sample.error.message if sample.error else None,
        "limit": f"{limit.type}: {limit.reason or limit.limit}" if limit else None,
        "scores_json": dumps({k: v.value for k, v in (sample.scores or {}).items()}),
        "total_time": sample.total_time,
        "working_time": sample.working_time,
        "input_tokens": sum(u.input_tokens or 0 for u in usage),
        "output_tokens": sum(u.output_tokens or 0 for u in usage),
    }
    cycles = [cycle_row(trial, record, step) for record, step in zip(history, steps, strict=True)]
    return trial, cycles


def cycle_row(trial: Row, record: Cycle, step: dict[str, Any]) -> Row:
    """One cycle: the rendered prompts, raw replies, extraction, check and its evidence.

    A field the record lacks (an older log's) is empty, never its model default.
    """
    given = record.model_fields_set
    check = record.check
    g_event, f_event = step["g"], step["f"]
    checked: Row = {}
    for name, (column, kind) in CHECK_COLUMNS.items():
        value = getattr(check, name) if check is not None and name in check.model_fields_set else None
        if column.endswith("_json"):
            value = None if value is None else dumps(value)
        elif kind == "str":
            value = value or None
        checked[column] = value
    return {
        **{k: trial[k] for k in ("source", "eval_id", "sample_id", "epoch", "model", "problem")},
        "config_key": trial["config_key"],
        "g_model": g_event.model if g_event is not None else None,
        "f_model": f_event.model if f_event is not None else None,
        **{f"seed_{s}": record.seeds.get(s) for s in STEPS},
        "g_prompt": _prompt(g_event) if g_event is not None else None,
        "f_prompt": _prompt(f_event) if f_event is not None else None,
        "g_attempts": step["g_attempts"],
        "f_attempts": step["f_attempts"],
        **{name: getattr(record, name) if name in given else None for name in RECORD_SCALARS},
        "cycle": record.cycle,
        "passed": record.passed,
        **checked,
        **{
            f"{s}_{field}": getattr(record.usage[s], field) if s in record.usage else None
            for s in STEPS
            for field in TokenUsage.model_fields
        },
        "evidence_json": dumps(record.evidence.stored()) if record.evidence is not None else None,
        "extra_json": dumps(record.extra()) if record.extra() else None,
    }


def log_rows(log: EvalLog, source: str) -> tuple[list[Row], list[Row]]:
    """Trial and cycle rows of one log read with its samples and resolved attachments."""
    trials: list[Row] = []
    cycles: list[Row] = []
    for sample in log.samples or []:
        trial, rows = sample_rows(log, sample, source)
        trials.append(trial)
        cycles.extend(rows)
    return trials, cycles


def is_roundtrip_log(log: EvalLog) -> bool:
    """A log of one of our tasks: it records N, or its samples carry a cycle history."""
    if "cycles" in settings_of(log) and "prompt_set_version" in settings_of(log):
        return True
    return any(CYCLES_KEY in (s.store or {}) for s in log.samples or [])
