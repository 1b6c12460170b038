"""The study's own tables (`published/`), and our reading of raw/ under the original's rules.

Why: before any rescoring says the study was wrong, our reading of its data must give its own
numbers. Its analysis script was not published; its tables are the record of what it did, and
these rules reproduce them (pure, no sandbox):

- A row of `analysis_with_ci.csv` is one *study configuration*: the model folder name, task,
  `n_type`, mode (`test_type`), language, spec and prompt style. A trial is a success when its
  `status` starts with `SUCCESS` (the original's "Check for 'SUCCESS' status").
- The trial folder name was split on `_`: `<format>_hyper_guided` became spec `<format>_hyper`
  and style `guided` (`s_expression_fewshot` stayed `s_expression` / `fewshot`).
- `n_type` and mode come from the batch folder name: `strict_n_03_...` is `n=03` / `strict`,
  `adaptive_composite_n30_...` is `n=30` / `composite`; a name without an n is the study's
  default `n=30` (`run_fizzbuzz_strict_...`), and one without a mode is `standard`
  (`llm_test_llama3-8b_...`). The two llama3:8b batches therefore share a row: 34 trials, the
  30 of the main batch and the 4 of its re-run (the re-run's runs are numbered 1-4).
- `degradation_data.csv` (the paper's Figure 2): survival@c = the share of trials whose
  `cycles_completed` is at least c, per model, task and language, for one batch's
  pseudocode + hyper_guided trials; `figure_sources` finds which batch reproduces each curve.

`check_published` compares every published row with the tally from raw/ and says, for each row
that cannot match, why (the test `tests/analysis/rescore/test_published.py` lists them).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from roundtrip_eval.analysis.upstream import UpstreamTrial
from roundtrip_eval.stats.survival import wilson_interval

MODES = ("strict", "forgiving", "composite")
DEFAULT_MODE = "standard"
DEFAULT_N = "n=30"
"""A batch name without an n: the study's 30 runs per configuration (what its table says)."""
FIGURE_CONFIG = ("pseudocode", "hyper_guided")
"""The configuration of the paper's Figure 2 curves (and of its headline table)."""

MATCH = "match"
NO_RAW = "no_raw_data"
NOT_PUBLISHED = "not_published"
DIFFERS = "differs"


class StudyKey(NamedTuple):
    """One configuration as the study's tables name it (its own spellings)."""

    model: str  # the folder's model name, e.g. `llama3.2-3b`
    task: str
    n_type: str  # e.g. `n=03`
    mode: str  # strict | forgiving | composite | standard
    language: str
    spec: str  # e.g. `pseudocode_hyper`
    style: str  # e.g. `guided`

    def label(self) -> str:
        return " ".join(self)


def batch_mode(batch: str) -> str:
    """strict | forgiving | composite from the batch folder name, else `standard`."""
    words = set(batch.split("_"))
    return next((m for m in MODES if m in words), DEFAULT_MODE)


def batch_n(batch: str) -> str:
    """`n=03` from `..._n_03_...`, `n=30` from `..._n30_...`; a name without one: DEFAULT_N."""
    found = re.search(r"(?:^|_)n_?(\d+)(?:_|$)", batch)
    return f"n={found.group(1)}" if found else DEFAULT_N


def study_spec_style(spec_format: str, prompt_style: str) -> tuple[str, str]:
    """The original's split of `<format>_<style>`: every word of the style but the last joins
    the spec (`pseudocode` + `hyper_guided` -> `pseudocode_hyper`, `guided`)."""
    *head, last = prompt_style.split("_")
    return "_".join([spec_format, *head]), last


def study_key(trial: UpstreamTrial) -> StudyKey:
    """The study configuration of one trial, spelled as the study's tables spell it."""
    spec, style = study_spec_style(trial.spec_format, trial.prompt_style)
    return StudyKey(
        trial.model_dir,
        trial.task,
        batch_n(trial.batch),
        batch_mode(trial.batch),
        trial.language,
        spec,
        style,
    )


@dataclass(frozen=True)
class Tally:
    trials: int
    successes: int


def original_tally(trials: Sequence[UpstreamTrial]) -> dict[StudyKey, Tally]:
    """Trials and successes per study configuration, under the original's rule (`status`)."""
    counts: dict[StudyKey, list[int]] = {}
    for t in trials:
        c = counts.setdefault(study_key(t), [0, 0])
        c[0] += 1
        c[1] += int(t.original_survived)
    return {k: Tally(n, s) for k, (n, s) in counts.items()}


@dataclass(frozen=True)
class PublishedRow:
    """One row of `analysis_with_ci.csv`."""

    key: StudyKey
    trials: int
    successes: int
    ci_lower: float
    ci_upper: float


def published_dir(root: Path) -> Path:
    """`published/` of the data folder (given the folder, raw/, or a batch folder)."""
    for base in (root, root.parent, root.parent.parent):
        if (base / "published").is_dir():
            return base / "published"
    return root / "published"


def read_published(root: Path) -> list[PublishedRow]:
    """The rows of `published/analysis_with_ci.csv` ([] when the file is absent)."""
    path = published_dir(root) / "analysis_with_ci.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [
            PublishedRow(
                StudyKey(
                    r["model"],
                    r["test_case"],
                    r["n_type"],
                    r["test_type"],
                    r["lang"],
                    r["spec"],
                    r["prompt_style"],
                ),
                int(r["trials"]),
                int(r["successes"]),
                float(r["ci_lower"]),
                float(r["ci_upper"]),
            )
            for r in csv.DictReader(fh)
        ]


@dataclass(frozen=True)
class Consistency:
    """One published row (or one raw configuration the table lacks) against our tally."""

    key: StudyKey
    status: str  # MATCH | NO_RAW | NOT_PUBLISHED | DIFFERS
    published: Tally | None
    ours: Tally | None
    reason: str = ""


def _no_raw_reason(key: StudyKey, tally: dict[StudyKey, Tally]) -> str:
    models = {k.model for k in tally}
    if key.model not in models:
        near = sorted(m for m in models if m.startswith(key.model + "-"))
        also = f" (raw/ has {', '.join(near)}, in other batches)" if near else ""
        return f"no trial of model {key.model!r} in raw/{also}: its batch is not in the published raw/ data"
    if not any(k.model == key.model and k.n_type == key.n_type and k.mode == key.mode for k in tally):
        return f"no {key.n_type} {key.mode} batch of {key.model} in raw/"
    return "no raw trial has this configuration"


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, abs_tol=1e-9)


def check_published(rows: Sequence[PublishedRow], trials: Sequence[UpstreamTrial]) -> list[Consistency]:
    """Every published row against the tally from raw/, then every raw configuration that no
    row has. A match needs equal trials and successes and the published Wilson interval."""
    tally = original_tally(trials)
    out = []
    for row in rows:
        published = Tally(row.trials, row.successes)
        ours = tally.get(row.key)
        if ours is None:
            out.append(Consistency(row.key, NO_RAW, published, None, _no_raw_reason(row.key, tally)))
            continue
        if ours != published:
            reason = f"raw/ gives {ours.successes}/{ours.trials}, the table {row.successes}/{row.trials}"
            out.append(Consistency(row.key, DIFFERS, published, ours, reason))
            continue
        low, high = wilson_interval(row.successes, row.trials)
        if not (_close(low, row.ci_lower) and _close(high, row.ci_upper)):
            reason = f"Wilson [{low:.4f}, {high:.4f}] vs published [{row.ci_lower:.4f}, {row.ci_upper:.4f}]"
            out.append(Consistency(row.key, DIFFERS, published, ours, reason))
            continue
        out.append(Consistency(row.key, MATCH, published, ours))
    seen = {row.key for row in rows}
    for key in sorted(set(tally) - seen):
        reason = "raw/ has these trials, the published table has no row for them"
        out.append(Consistency(key, NOT_PUBLISHED, None, tally[key], reason))
    return out


# --- the paper's Figure 2 -------------------------------------------------------------------


def read_figure(root: Path) -> dict[tuple[str, str, str], list[float]]:
    """`degradation_data.csv`: {(model folder name, task, language): survival % per cycle}."""
    path = published_dir(root) / "degradation_data.csv"
    if not path.is_file():
        return {}
    curves: dict[tuple[str, str, str], dict[int, float]] = {}
    with path.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            curves.setdefault((r["model"], r["task"], r["language"]), {})[int(r["cycle"])] = float(
                r["survival_rate"]
            )
    return {k: [v[c] for c in sorted(v)] for k, v in curves.items()}


def original_curve(trials: Iterable[UpstreamTrial], cycles: int) -> list[float]:
    """Survival@c in percent, c = 1..cycles, under the original's rule (`cycles_completed`)."""
    data = list(trials)
    return [100 * sum(1 for t in data if t.cycles_completed >= c) / len(data) for c in range(1, cycles + 1)]


def figure_sources(
    figure: dict[tuple[str, str, str], list[float]], trials: Sequence[UpstreamTrial]
) -> dict[tuple[str, str, str], list[str]]:
    """For each Figure 2 curve, the batches whose pseudocode + hyper_guided trials of that
    model, task and language reproduce it to 0.01 points ([] when none does)."""
    groups: dict[tuple[str, str, str, str], list[UpstreamTrial]] = {}
    for t in trials:
        if (t.spec_format, t.prompt_style) == FIGURE_CONFIG:
            groups.setdefault((t.model_dir, t.task, t.language, t.batch), []).append(t)
    out: dict[tuple[str, str, str], list[str]] = {}
    for key, curve in figure.items():
        out[key] = sorted(
            batch
            for (model, task, language, batch), members in groups.items()
            if (model, task, language) == key
            and all(
                math.isclose(a, b, abs_tol=0.01)
                for a, b in zip(original_curve(members, len(curve)), curve, strict=True)
            )
        )
    return out
