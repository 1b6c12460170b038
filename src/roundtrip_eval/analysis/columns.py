"""The row model: which columns a trial row and a cycle row have, and their types.

Why a module of its own: the extraction (rows.py), the export (export.py) and any later
re-analysis must agree on one set of columns, and the export needs their types to round-trip
CSV and Parquet. Every value in a row is a scalar (str, int, float, bool or None); nested data
(check failures, the full settings) is a JSON string (`dumps`) in a column whose name says so.
That keeps the rows identical across JSON Lines, CSV and Parquet.
"""

from __future__ import annotations

import json
from typing import Any

Row = dict[str, Any]

CYCLES_KEY = "cycles"

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
    "suite_sha": "str",
    "sample_id": "str",
    "epoch": "int",
    "config_key": "str",
    "config": "str",
    **{c: "json" for c in CONFIG_COLUMNS},
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
    "seed_g": "int",
    "seed_f": "int",
    "g_prompt": "str",
    "f_prompt": "str",
    "g_attempts": "int",
    "f_attempts": "int",
    "spec_reply": "str",
    "spec": "str",
    "spec_rule": "str",
    "spec_leak": "bool",
    "code_reply": "str",
    "code": "str",
    "extraction_rule": "str",
    "passed": "bool",
    "category": "str",
    "detail": "str",
    "check_n_inputs": "int",
    "check_n_failed": "int",
    "check_failures_json": "str",
    "check_failed_classes_json": "str",
    "check_behaviour": "str",
    "check_output_head": "str",
    "check_seconds": "float",
    "g_input_tokens": "int",
    "g_output_tokens": "int",
    "f_input_tokens": "int",
    "f_output_tokens": "int",
    "seconds": "float",
    "extra_json": "str",
}
"""Cycle columns; any cycle key not listed lands in `extra_json` (e.g. later drift evidence)."""

KNOWN_CYCLE_KEYS = frozenset(
    {
        "cycle",
        "spec",
        "spec_rule",
        "spec_leak",
        "code",
        "extraction_rule",
        "passed",
        "category",
        "detail",
        "seeds",
        "spec_reply",
        "code_reply",
        "usage",
        "seconds",
        "check",
    }
)
"""The cycle-history keys that have their own cycle columns; any other lands in `extra_json`."""


def dumps(value: Any) -> str:
    """Canonical JSON (sorted keys, no NaN surprises in keys): equal data, equal text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
