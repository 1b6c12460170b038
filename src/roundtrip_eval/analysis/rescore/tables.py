"""The rescored study's tables, from per-trial rows (pure).

- `comparison_table`: published vs rescored survival@N per batch, model, problem and language,
  with Wilson intervals, Kaplan-Meier survival and the class of every published failure.
- `headline_table`: the paper's headline gap, fizzbuzz (known) vs separate_vowels (novel),
  published and rescored, with bounds over every way the censored trials could have gone.
- `totals`: the counts over all trials (`totals.json`, the summary's first lines).
- `published_figures`: the paper's own Figure 2 numbers, when the data folder has them.
- `configuration_table`, `model_table`, `factor_table`: the whole study per configuration
  (model, task, n, mode, language, spec format, prompt style: a row of the study's own table),
  per model, and per any other grouping, all from `outcome_summary`.
- `published_vs_rescored_curves`: survival per cycle, published (the original's
  `cycles_completed`) next to rescored (known survivors, and Kaplan-Meier), per model and task.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.upstream import (
    CHECKER_ARTIFACT,
    EARLIER,
    EXTRACTION_ARTIFACT,
    GENUINE,
    INFRA,
    SPEC_GATE_ARTIFACT,
    ollama_tag,
)
from roundtrip_eval.stats.difference import DEFAULT_BOOTSTRAP, bootstrap_difference, fisher_exact
from roundtrip_eval.stats.survival import TrialSurvival, life_table, wilson_interval

KNOWN_TASK = "fizzbuzz"
NOVEL_TASK = "separate_vowels_and_consonants"


ARTIFACT_CLASSES = (EXTRACTION_ARTIFACT, CHECKER_ARTIFACT, SPEC_GATE_ARTIFACT, INFRA)
"""Published failures that were the harness's, not the model's (EARLIER and GENUINE are the
model's: we fail it too, at K or before)."""

COUNT_CLASSES = (
    GENUINE,
    EARLIER,
    EXTRACTION_ARTIFACT,
    CHECKER_ARTIFACT,
    SPEC_GATE_ARTIFACT,
    INFRA,
)


CONFIG_COLUMNS = ("model", "task", "n_type", "mode", "language", "spec_format", "prompt_style")
"""A study configuration: one row of the study's own table (both llama3:8b batches in one)."""


def _groups(rows: Sequence[Row], by: Sequence[str]) -> list[tuple[tuple[Any, ...], list[Row]]]:
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for r in rows:
        groups.setdefault(tuple(r.get(c) for c in by), []).append(r)
    return sorted(groups.items(), key=lambda item: tuple(str(v) for v in item[0]))


def outcome_summary(members: Sequence[Row]) -> Row:
    """Published vs rescored survival@N of a group of trials, with Wilson 95% intervals, the
    censored count, Kaplan-Meier survival@N, and the class of every published failure."""
    n = len(members)
    scored = [r for r in members if r["status"] != "error"]
    survived = sum(1 for r in scored if r["status"] == "survived")
    censored = sum(1 for r in scored if r["status"] == "censored")
    published = sum(1 for r in members if r["original_survived"])
    n_cycles = max(r["n_cycles"] for r in members)
    curve = life_table(
        [TrialSurvival(r["cycles_survived"], r["status"] == "failed") for r in scored], n_cycles
    )
    p_low, p_high = wilson_interval(published, n)
    low, high = wilson_interval(survived, len(scored))
    return {
        "trials": n,
        "published_survived": published,
        "published_rate": published / n,
        "published_low": p_low,
        "published_high": p_high,
        "rescored_scored": len(scored),
        "rescored_survived": survived,
        "rescored_rate": survived / len(scored) if scored else None,
        "rescored_low": low if scored else None,
        "rescored_high": high if scored else None,
        "rescored_censored": censored,
        "rescored_failed": sum(1 for r in scored if r["status"] == "failed"),
        "rescored_spec_rule": sum(
            1 for r in scored if r["status"] == "failed" and r.get("category") == "spec_failure"
        ),
        "rescored_upper": (survived + censored) / len(scored) if scored else None,
        "rescored_km": curve[-1].km_survival if scored else None,
        "published_failures": n - published,
        **{f"n_{c}": sum(1 for r in members if r.get("original_class") == c) for c in COUNT_CLASSES},
        "n_genuine_spec_rule": sum(
            1 for r in members if r.get("original_class") == GENUINE and r.get("category") == "spec_failure"
        ),
        "artifacts": sum(1 for r in members if r.get("original_class") in ARTIFACT_CLASSES),
        "new_failures": sum(1 for r in members if r.get("new_failure")),
        "errors": n - len(scored),
    }


def factor_table(rows: Sequence[Row], by: Sequence[str]) -> list[Row]:
    """`outcome_summary` per value of the columns `by` (e.g. model and mode)."""
    return [
        {**dict(zip(by, key, strict=True)), **outcome_summary(members)} for key, members in _groups(rows, by)
    ]


def configuration_table(rows: Sequence[Row]) -> list[Row]:
    """`outcome_summary` per study configuration (CONFIG_COLUMNS)."""
    return factor_table(rows, CONFIG_COLUMNS)


def model_table(rows: Sequence[Row]) -> list[Row]:
    """`outcome_summary` per model, with its tasks and how many configurations it ran."""
    out = []
    for (model,), members in _groups(rows, ("model",)):
        tasks = sorted({str(r["task"]) for r in members})
        configurations = len({tuple(r.get(c) for c in CONFIG_COLUMNS) for r in members})
        out.append(
            {
                "model": model,
                "tasks": ", ".join(tasks),
                "configurations": configurations,
                **outcome_summary(members),
            }
        )
    return out


def published_vs_rescored_curves(
    rows: Sequence[Row], by: Sequence[str] = ("model", "task")
) -> list[Row]:
    """Survival per cycle 0..N per group: `published` (the original's verdicts: cycles 1..c
    completed), `rescored` (known to survive cycles 1..c; censored trials do not count past
    their last observed cycle) and `rescored_km` (Kaplan-Meier), with Wilson intervals."""
    out = []
    for key, members in _groups(rows, by):
        scored = [r for r in members if r["status"] != "error"]
        n_cycles = max(r["n_cycles"] for r in members)
        published = life_table(
            [
                TrialSurvival(min(r["original_cycles_completed"], n_cycles), not r["original_survived"])
                for r in members
            ],
            n_cycles,
        )
        rescored = life_table(
            [TrialSurvival(r["cycles_survived"], r["status"] == "failed") for r in scored], n_cycles
        )
        base = {
            **dict(zip(by, key, strict=True)),
            "censored_total": sum(r["status"] == "censored" for r in scored),
        }
        out.append({**base, "cycle": 0, "n": len(members), "published": 1.0, "published_low": 1.0,
                    "published_high": 1.0, "rescored": 1.0, "rescored_low": 1.0, "rescored_high": 1.0,
                    "rescored_km": 1.0, "rescored_at_risk": len(scored), "rescored_censored": 0})  # fmt: skip
        for p, q in zip(published, rescored, strict=True):
            p_low, p_high = p.interval()
            low, high = q.interval()
            out.append(
                {
                    **base,
                    "cycle": p.cycle,
                    "n": len(members),
                    "published": p.survival,
                    "published_low": p_low,
                    "published_high": p_high,
                    "rescored": q.survival,
                    "rescored_low": low,
                    "rescored_high": high,
                    "rescored_km": q.km_survival,
                    "rescored_at_risk": q.at_risk,
                    "rescored_censored": q.censored,
                }
            )
    return out


def published_figures(root: Path) -> dict[tuple[str, str, str], float]:
    """survival@10 (percent) of the paper's Figure 2 data, by (model tag, task, language)."""
    base = root if (root / "published").is_dir() else root.parent
    path = base / "published" / "degradation_data.csv"
    if not path.is_file():
        return {}
    out = {}
    with path.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if int(r["cycle"]) == 10:
                out[(ollama_tag(r["model"]), r["task"], r["language"])] = float(r["survival_rate"])
    return out


def comparison_table(
    rows: Sequence[Row], figures: dict[tuple[str, str, str], float] | None = None
) -> list[Row]:
    """Published vs rescored survival@N per batch, model, problem and language."""
    figures = figures or {}
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for r in rows:
        groups.setdefault((r["batch"], r["model"], r["task"], r["language"]), []).append(r)
    out = []
    for (batch, model, task, language), members in sorted(groups.items()):
        n = len(members)
        scored = [r for r in members if r["status"] != "error"]
        survived = sum(1 for r in scored if r["status"] == "survived")
        censored = sum(1 for r in scored if r["status"] == "censored")
        published = sum(1 for r in members if r["original_survived"])
        n_cycles = members[0]["n_cycles"]
        curve = life_table(
            [TrialSurvival(r["cycles_survived"], r["status"] == "failed") for r in scored],
            n_cycles,
        )
        low, high = wilson_interval(survived, len(scored))
        figure = figures.get((model, task, language))
        counts = {c: sum(1 for r in members if r.get("original_class") == c) for c in COUNT_CLASSES}
        out.append(
            {
                "batch": batch,
                "model": model,
                "task": task,
                "language": language,
                "n_cycles": n_cycles,
                "trials": n,
                "published_survived": published,
                "published_rate": published / n,
                "published_figure_pct": figure,
                "rescored_scored": len(scored),
                "rescored_survived": survived,
                "rescored_rate": survived / len(scored) if scored else None,
                "rescored_low": low if scored else None,
                "rescored_high": high if scored else None,
                "rescored_censored": censored,
                "rescored_failed": sum(1 for r in scored if r["status"] == "failed"),
                "rescored_upper": (survived + censored) / len(scored) if scored else None,
                "rescored_km": curve[-1].km_survival if scored else None,
                "published_failures": n - published,
                **{f"n_{c}": counts[c] for c in COUNT_CLASSES},
                "new_failures": sum(1 for r in members if r.get("new_failure")),
                "errors": n - len(scored),
                "inconsistent": sum(1 for r in scored if not r.get("consistent")),
            }
        )
    return out


def _str_key(item: tuple[tuple[Any, ...], Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in item[0])


def _share(k: int, n: int) -> float:
    return k / n if n else 0.0


def headline_table(rows: Sequence[Row], *, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> list[Row]:
    """The paper's headline, fizzbuzz vs separate_vowels per model and language, published
    and rescored: every fizzbuzz batch against every separate_vowels batch of that model,
    language, spec format and prompt style (the paper compared across batches; so must we, and
    we say so)."""
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for r in rows:
        key = (r["model"], r["language"], r["task"], r["batch"], r.get("spec_format"), r.get("prompt_style"))
        groups.setdefault(key, []).append(r)
    out = []
    for (model, language, task, batch, fmt, style), known in sorted(groups.items(), key=_str_key):
        if task != KNOWN_TASK:
            continue
        for (m2, l2, t2, batch2, fmt2, style2), novel in sorted(groups.items(), key=_str_key):
            if (m2, l2, t2, fmt2, style2) != (model, language, NOVEL_TASK, fmt, style):
                continue
            row: Row = {"model": model, "language": language, "known_batch": batch, "novel_batch": batch2}
            for label, members in (("known", known), ("novel", novel)):
                scored = [r for r in members if r["status"] != "error"]
                row[f"{label}_n"] = len(members)
                row[f"{label}_published"] = sum(1 for r in members if r["original_survived"])
                row[f"{label}_rescored"] = sum(1 for r in scored if r["status"] == "survived")
                row[f"{label}_censored"] = sum(1 for r in scored if r["status"] == "censored")
                row[f"{label}_scored"] = len(scored)
            a = [int(r["status"] == "survived") for r in known if r["status"] != "error"]
            b = [int(r["status"] == "survived") for r in novel if r["status"] != "error"]
            pa = [int(r["original_survived"]) for r in known]
            pb = [int(r["original_survived"]) for r in novel]
            published = bootstrap_difference(pa, pb, n_boot=n_boot, seed=seed)
            rescored = bootstrap_difference(a, b, n_boot=n_boot, seed=seed)
            row.update(
                published_gap=published.difference,
                published_fisher_p=fisher_exact([[sum(pa), len(pa) - sum(pa)], [sum(pb), len(pb) - sum(pb)]]),
                rescored_gap=rescored.difference,
                rescored_gap_low=rescored.low,
                rescored_gap_high=rescored.high,
                rescored_fisher_p=fisher_exact([[sum(a), len(a) - sum(a)], [sum(b), len(b) - sum(b)]]),
                # bounds over every way the censored trials could have gone
                rescored_gap_min=_share(sum(a), len(a)) - _share(sum(b) + row["novel_censored"], len(b)),
                rescored_gap_max=_share(sum(a) + row["known_censored"], len(a)) - _share(sum(b), len(b)),
            )
            out.append(row)
    return out


def totals(rows: Sequence[Row]) -> Row:
    """Counts over every trial: outcomes, classes of published failures, new failures."""
    return {
        "trials": len(rows),
        "published_survived": sum(1 for r in rows if r["original_survived"]),
        "survived": sum(1 for r in rows if r.get("status") == "survived"),
        "failed": sum(1 for r in rows if r.get("status") == "failed"),
        "censored": sum(1 for r in rows if r.get("status") == "censored"),
        "errors": sum(1 for r in rows if r.get("status") == "error"),
        "inconsistent": sum(1 for r in rows if r.get("status") != "error" and not r.get("consistent")),
        "new_failures": sum(1 for r in rows if r.get("new_failure")),
        **{c: sum(1 for r in rows if r.get("original_class") == c) for c in COUNT_CLASSES},
        "stricter_checker": sum(1 for r in rows if r.get("new_failure_class") == "stricter_checker"),
        "extraction_regression": sum(
            1 for r in rows if r.get("new_failure_class") == "extraction_regression"
        ),
        "spec_rule": sum(1 for r in rows if r.get("new_failure_class") == "spec_rule"),
    }
