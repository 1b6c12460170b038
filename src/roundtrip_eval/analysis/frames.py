"""Tidy dataframes: one column per number, names that do not change with N, one scale (0-1).

Why: Inspect's own `evals_df` names a metric column after the metric (`score_curves_survival@3`
in a 3-cycle run, `@10` in a 10-cycle one), so runs of different N combine into sparse columns,
and `samples_df` keeps our dict-valued scores as JSON strings. These helpers give the same runs
in a shape that concatenates, filters and plots without reshaping:

- `runs_df(logs)`: one row per eval log; `evals_df` with `RUN_COLUMNS` (usable on their own:
  `evals_df(logs, columns=EvalInfo + EvalModel + RUN_COLUMNS)`): every setting as a plain value
  (`cycles`, `language`, ...), `n_cycles`, `trials`, `survival_at_n`, `survival_at_n_stderr`,
  `cycles_survived_mean` and one `drift_<category>` share per drift category.
- `trials_df(source)` / `cycles_df(source)`: the export's rows (`roundtrip-eval export`), one
  per trial / per cycle, typed (columns.TRIAL_TYPES / CYCLE_TYPES).
- `curves_df(source)`: the survival curves in long format, one row per group (model, problem,
  configuration) and cycle k: `cycle`, `at_risk`, `failures`, `censored`, `survival` with its
  Wilson bounds; N is a value (`n_cycles`), never part of a column name.

Every rate is a fraction in [0, 1]. Needs pandas (the `analysis` extra).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from roundtrip_eval.analysis.aggregate import GROUP_COLUMNS, curve_table
from roundtrip_eval.analysis.columns import CYCLE_TYPES, TRIAL_TYPES, Row
from roundtrip_eval.analysis.extra import require
from roundtrip_eval.analysis.read import load_rows
from roundtrip_eval.eval.drift import CATEGORIES
from roundtrip_eval.eval.settings import TrialSettings

if TYPE_CHECKING:
    import pandas as pd
    from inspect_ai.analysis import Column
    from inspect_ai.log import EvalLog


def _metric(log: EvalLog, scorer: str, metric: str) -> float | None:
    for score in log.results.scores if log.results else []:
        if score.name == scorer and metric in score.metrics:
            return float(score.metrics[metric].value)
    return None


def _scored(log: EvalLog) -> int | None:
    for score in log.results.scores if log.results else []:
        if score.name == "survival":
            return score.scored_samples
    return None


def _setting(name: str) -> Callable[[EvalLog], Any]:
    return lambda log: (log.eval.metadata or {}).get(name)


def _reader(scorer: str, metric: str) -> Callable[[EvalLog], float | None]:
    return lambda log: _metric(log, scorer, metric)


def run_columns() -> list[Column]:
    """`evals_df` column specs with names stable across N (see the module docstring)."""
    from inspect_ai.analysis import EvalColumn

    settings = [EvalColumn(name, path=_setting(name)) for name in TrialSettings.model_fields]
    numbers = [
        EvalColumn("n_cycles", path=_setting("cycles")),
        EvalColumn("trials", path=_scored),
        EvalColumn("survival_at_n", path=_reader("survival", "mean")),
        EvalColumn("survival_at_n_stderr", path=_reader("survival", "stderr")),
        EvalColumn("cycles_survived_mean", path=_reader("survival", "cycles_survived")),
    ]
    drift = [EvalColumn(f"drift_{c}", path=_reader("drift", c)) for c in CATEGORIES]
    return [*settings, *numbers, *drift]


def runs_df(logs: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """One row per eval log: identity, model, every setting and the headline numbers."""
    require("pandas", "the dataframe helpers")
    from inspect_ai.analysis import EvalColumn, EvalInfo, EvalModel, evals_df

    paths = [str(p) for p in logs] if isinstance(logs, Sequence) and not isinstance(logs, str) else str(logs)
    ours = [EvalColumn("task", path="eval.task"), *run_columns()]
    frame = evals_df(paths, columns=EvalInfo + EvalModel + ours, quiet=True)
    # evals_df leaves out a column no log has a value for: every run keeps every column
    for column in (c.name for c in ours):
        if column not in frame.columns:
            frame[column] = None
    return frame[[c for c in frame.columns if c not in {o.name for o in ours}] + [o.name for o in ours]]


def _frame(rows: Sequence[Row], types: dict[str, str]) -> pd.DataFrame:
    require("pandas", "the dataframe helpers")
    import pandas as pd

    columns = [c for c in types if any(c in r for r in rows)]
    columns += sorted({k for r in rows for k in r} - set(columns))
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)


def trials_df(source: str | Path) -> pd.DataFrame:
    """One row per trial, from a log folder or an export folder."""
    trials, _cycles, _warnings = load_rows(Path(source), progress=False)
    return _frame(trials, TRIAL_TYPES)


def cycles_df(source: str | Path) -> pd.DataFrame:
    """One row per cycle, from a log folder or an export folder."""
    _trials, cycles, _warnings = load_rows(Path(source), progress=False)
    return _frame(cycles, CYCLE_TYPES)


def curves_df(source: str | Path) -> pd.DataFrame:
    """Survival curves in long format: one row per group and cycle (0..N), N a value."""
    trials, _cycles, _warnings = load_rows(Path(source), progress=False)
    rows = curve_table(trials)
    last: dict[tuple[Any, ...], int] = {}
    for row in rows:
        key = tuple(row.get(c) for c in GROUP_COLUMNS)
        last[key] = max(last.get(key, 0), int(row["cycle"]))
    for row in rows:
        row["n_cycles"] = last[tuple(row.get(c) for c in GROUP_COLUMNS)]
    return _frame(rows, {})
