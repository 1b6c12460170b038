"""The row model: which columns a trial row and a cycle row have, and their types.

The cycle columns that hold the record derive from the record's model (`eval.record.Cycle`):
each scalar field is a column of its own name and type; the nested ones are flattened
(`seeds` -> `seed_<step>`, `usage` -> `<step>_<tokens>`, `check` -> `check_<field>`, with
`_json` for a list or a mapping), `evidence` is `evidence_json`, and keys the model does not
name land in `extra_json`. A field added to the model is a column without an edit here.

Why a module of its own: the extraction (rows.py), the export (export.py) and any later
re-analysis must agree on one set of columns, and the export needs their types to round-trip
CSV and Parquet. Every value in a row is a scalar (str, int, float, bool or None); nested data
(check failures, the full settings) is a JSON string (`dumps`) in a column whose name says so.
That keeps the rows identical across JSON Lines, CSV and Parquet.
"""

from __future__ import annotations

import json
import types
from typing import Any, Union, get_args, get_origin

from roundtrip_eval.eval.record import CheckRecord, Cycle, TokenUsage

Row = dict[str, Any]

CONFIG_COLUMNS = (
    "language",
    "spec_format",
    "extraction",
    "cycles",
    "temperature",
    "max_tokens",
    "prompt_set_version",
    "sandbox",
    "stop_on_failure",
    "mask_names",
    "variant",
    "compare",
    "start",
    "attach_assert",
)
"""Settings shown as their own columns (all settings are also in `settings_json`)."""

CONFIG_TYPES: dict[str, str] = {
    "language": "str",
    "spec_format": "str",
    "extraction": "str",
    "cycles": "int",
    "temperature": "float",
    "max_tokens": "int",
    "prompt_set_version": "str",
    "sandbox": "str",
    "stop_on_failure": "bool",
    "mask_names": "bool",
    "variant": "str",
    "compare": "str",
    "start": "str",
    "attach_assert": "bool",
}
"""Each setting column's type: plain values in every format (`en`, not the JSON text `"en"`)."""

NOT_CONFIG = frozenset({"seed", "problems", "epochs", "upstream_trials"})
"""Settings that do not define a configuration: runs differing only in these are replicates
(another base seed, another set of problems in the same suite, more epochs, other replayed
records of the same upstream batch) and may pool."""

GENERATION_FIELDS = ("temperature", "max_tokens", "top_p", "top_k")
"""Generation options that define a configuration (the per-step seed is in the cycle rows)."""

TRIAL_TYPES: dict[str, str] = {
    "source": "str",
    "eval_id": "str",
    "run_id": "str",
    "task_id": "str",
    "task": "str",
    "task_version": "str",
    "created": "str",
    "model": "str",
    "provider": "str",
    "g_model": "str",
    "f_model": "str",
    "problem": "str",
    "function": "str",
    "domain": "str",
    "familiarity": "str",
    "twin": "str",
    "pair": "str",
    "suite_sha": "str",
    "sample_id": "str",
    "epoch": "int",
    "config_key": "str",
    "config": "str",
    **{c: CONFIG_TYPES[c] for c in CONFIG_COLUMNS},
    "base_seed": "int",
    "settings_json": "str",
    "generation_json": "str",
    "status": "str",
    "n_cycles": "int",
    "cycles_recorded": "int",
    "cycles_survived": "int",
    "failed": "bool",
    "censored": "bool",
    "survived": "bool",
    "first_failure_cycle": "int",
    "drift": "str",
    "drift_detail": "str",
    "blame": "str",
    "error": "str",
    "limit": "str",
    "scores_json": "str",
    "total_time": "float",
    "working_time": "float",
    "input_tokens": "int",
    "output_tokens": "int",
}
"""Trial columns and their types (for typed CSV round trips); `json` = any JSON value."""

STEPS = ("g", "f")
"""The two generation steps of a cycle: g writes the spec, f the code."""

CHECK_FIELDS_OF_CYCLE = frozenset({"passed", "category", "detail"})
"""Check fields the cycle itself states (its verdict, after drift refines the category)."""

NESTED_FIELDS = frozenset({"seeds", "usage", "check", "evidence"})
"""Cycle fields that are not scalars: flattened into the columns below."""


def column_type(annotation: Any) -> str:
    """The column type of a model field: its scalar type, or `json` for anything else."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    for kind in (bool, int, float, str):
        if annotation is kind:
            return kind.__name__
    return "json"


def _check_column(name: str, kind: str) -> tuple[str, str]:
    return (f"check_{name}_json", "str") if kind == "json" else (f"check_{name}", kind)


RECORD_SCALARS: dict[str, str] = {
    name: column_type(info.annotation)
    for name, info in Cycle.model_fields.items()
    if name not in NESTED_FIELDS
}
"""Cycle fields that are columns as they are."""

CHECK_COLUMNS: dict[str, tuple[str, str]] = {
    name: _check_column(name, column_type(info.annotation))
    for name, info in CheckRecord.model_fields.items()
    if name not in CHECK_FIELDS_OF_CYCLE
}
"""CheckRecord field -> (its column, the column's type)."""

CYCLE_TYPES: dict[str, str] = {
    "source": "str",
    "eval_id": "str",
    "sample_id": "str",
    "epoch": "int",
    "model": "str",
    "problem": "str",
    "config_key": "str",
    "cycle": "int",
    "g_model": "str",
    "f_model": "str",
    **{f"seed_{step}": "int" for step in STEPS},
    "g_prompt": "str",
    "f_prompt": "str",
    "g_attempts": "int",
    "f_attempts": "int",
    **RECORD_SCALARS,
    **dict(CHECK_COLUMNS.values()),
    **{f"{step}_{field}": "int" for step in STEPS for field in TokenUsage.model_fields},
    "evidence_json": "str",
    "extra_json": "str",
}
"""Cycle columns: the trial's keys, the prompts and attempts the log's events hold, and the
record's fields (derived from `Cycle`); any key the model does not name lands in `extra_json`."""


def dumps(value: Any) -> str:
    """Canonical JSON (sorted keys, no NaN surprises in keys): equal data, equal text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
