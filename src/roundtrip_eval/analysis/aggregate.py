"""Report tables computed from trial rows (and cycle rows), never from log objects.

Why over rows: `report(logs)` and `report(exported files)` must be the same numbers, so both
go through these functions on the same rows (see columns.py for the row model).

A *group* is one model (g and f) on one problem under one configuration (`config_key`: every
setting except the base seed and the suite composition, plus the generation options actually
sent). Runs that differ in configuration are never pooled. Errored trials (infrastructure)
are counted apart and never enter survival; censored trials enter survival only for the cycles
they were observed in (see stats/survival.py).

Missing values are None (never NaN), so tables compare equal and print as empty cells.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from roundtrip_eval.analysis.columns import CONFIG_COLUMNS, Row
from roundtrip_eval.eval.drift import CATEGORIES
from roundtrip_eval.stats.difference import DEFAULT_BOOTSTRAP
from roundtrip_eval.stats.gap import Gap, pair_gaps
from roundtrip_eval.stats.survival import TrialSurvival, life_table, mean_cycles_survived, wilson_interval

GROUP_COLUMNS = ("model", "g_model", "f_model", "problem", "config_key")
CONFIG_GROUP_COLUMNS = ("model", "g_model", "f_model", "config_key")
DRIFT_ORDER = CATEGORIES


def clean(value: Any) -> Any:
    """NaN -> None, floats rounded to 12 significant digits so equal data prints equal."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return float(f"{value:.12g}")
    return value


def _cleaned(row: Row) -> Row:
    return {k: clean(v) for k, v in row.items()}


def group_by(rows: Iterable[Row], columns: Sequence[str]) -> dict[tuple[Any, ...], list[Row]]:
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row.get(c) for c in columns), []).append(row)
    return dict(sorted(groups.items(), key=lambda kv: tuple(str(x) for x in kv[0])))


def scored(trials: Iterable[Row]) -> list[Row]:
    """Trials that count in survival: not errored."""
    return [t for t in trials if t["status"] != "error"]


def as_survival(trials: Iterable[Row]) -> list[TrialSurvival]:
    return [TrialSurvival(int(t["cycles_survived"]), bool(t["failed"])) for t in scored(trials)]


def _describe(first: Row) -> Row:
    """The columns that describe a group (taken from its first trial)."""
    return {
        "model": first["model"],
        "g_model": first["g_model"],
        "f_model": first["f_model"],
        "problem": first["problem"],
        "familiarity": first.get("familiarity"),
        **{c: first.get(c) for c in CONFIG_COLUMNS},
        "config_key": first["config_key"],
        "config": first["config"],
    }


def _n_cycles(trials: Sequence[Row]) -> int:
    values = {int(t["n_cycles"]) for t in trials}
    if len(values) != 1:  # cycles is part of the configuration, so this is a bug upstream
        raise ValueError(f"one group mixes N = {sorted(values)}")
    return values.pop()


def _rate(prefix: str, k: int, n: int) -> Row:
    low, high = wilson_interval(k, n)
    return {
        f"{prefix}_k": k,
        f"{prefix}_rate": k / n if n else None,
        f"{prefix}_low": low if n else None,
        f"{prefix}_high": high if n else None,
    }


def survival_table(trials: Iterable[Row]) -> list[Row]:
    """One row per group: survival@1, survival@N, mean cycles survived, hazard per cycle."""
    out = []
    for members in group_by(trials, GROUP_COLUMNS).values():
        n_cycles = _n_cycles(members)
        data = as_survival(members)
        curve = life_table(data, n_cycles)
        n = len(data)
        out.append(
            _cleaned(
                {
                    **_describe(members[0]),
                    "trials": len(members),
                    "scored": n,
                    "infra_errors": len(members) - n,
                    "censored": sum(1 for t in data if t.censored(n_cycles)),
                    **_rate("survival_at_1", curve[0].survivors, n),
                    **_rate("survival_at_n", curve[-1].survivors, n),
                    "mean_cycles_survived": mean_cycles_survived(data),
                    "km_survival_at_n": curve[-1].km_survival,
                    "hazard": " ".join("-" if math.isnan(p.hazard) else f"{p.hazard:.3f}" for p in curve),
                }
            )
        )
    return out


def curve_table(trials: Iterable[Row]) -> list[Row]:
    """Long format: one row per group and cycle (survival with Wilson bounds, hazard)."""
    out = []
    for members in group_by(trials, GROUP_COLUMNS).values():
        n_cycles = _n_cycles(members)
        for point in life_table(as_survival(members), n_cycles):
            low, high = point.interval()
            out.append(
                _cleaned(
                    {
                        **_describe(members[0]),
                        "cycle": point.cycle,
                        "n": point.n,
                        "at_risk": point.at_risk,
                        "failures": point.failures,
                        "censored": point.censored,
                        "survivors": point.survivors,
                        "survival": point.survival,
                        "survival_low": low if point.n else None,
                        "survival_high": high if point.n else None,
                        "hazard": point.hazard,
                        "km_survival": point.km_survival,
                    }
                )
            )
    return out


def newest_copies(trials: Sequence[Row]) -> list[Row]:
    """One row per trial: when an eval-set retried an eval (same `task_id`), the newest log's copy.

    Why: a retried eval's new log carries the trials its first attempt finished, so reading both
    logs would count those trials twice. Errored copies lose to scored ones.
    """
    best: dict[tuple[str, str, int], Row] = {}
    for row in trials:
        key = (str(row.get("task_id") or row["eval_id"]), str(row["sample_id"]), int(row["epoch"]))
        rank = (row["status"] != "error", str(row.get("created") or ""))
        if key not in best or rank > (best[key]["status"] != "error", str(best[key].get("created") or "")):
            best[key] = row
    return [row for row in trials if best[(str(row.get("task_id") or row["eval_id"]),
                                           str(row["sample_id"]), int(row["epoch"]))] is row]  # fmt: skip


def gap_row(first: Row, pair: str, g: Gap) -> Row:
    """One line of the gap table: both headline gaps of the plan and the secondary counts."""
    return _cleaned(
        {
            **{k: v for k, v in _describe(first).items() if k not in ("problem", "familiarity")},
            "pair": pair,
            "known_n": g.known_n,
            "novel_n": g.novel_n,
            "known_mean": g.known_mean,
            "novel_mean": g.novel_mean,
            "gap": g.mean_gap.difference,
            "gap_low": g.mean_gap.low,
            "gap_high": g.mean_gap.high,
            "at": g.at,
            "known_at": g.known_at,
            "novel_at": g.novel_at,
            "gap_at": g.at_gap.difference,
            "gap_at_low": g.at_gap.low,
            "gap_at_high": g.at_gap.high,
            "fisher_p": g.at_p,
            "known_s1": g.known_s1,
            "novel_s1": g.novel_s1,
            "known_sn": g.known_sn,
            "novel_sn": g.novel_sn,
            "n_boot": g.mean_gap.n_boot,
            "boot_seed": g.mean_gap.seed,
        }
    )


def gap_table(trials: Iterable[Row], *, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> list[Row]:
    """Known vs novel under one model and configuration, as docs/generalization_plan.md fixes it
    (`stats.gap.pair_gaps`, the eval's metric and the study's function too): the pooled gap
    (`pair` = `pooled`) and each twin pair's. Trials without a `pair` are not twins: left out."""
    out = []
    for members in group_by(trials, CONFIG_GROUP_COLUMNS).values():
        twins = [t for t in scored(members) if t.get("pair") and t.get("familiarity")]
        if not twins:
            continue
        n_cycles = _n_cycles(members)
        gaps = pair_gaps(
            [(str(t["pair"]), str(t["familiarity"]), int(t["cycles_survived"])) for t in twins],
            n_cycles, n_boot=n_boot, seed=seed,
        )  # fmt: skip
        if gaps is None:
            continue
        out.append(gap_row(members[0], "pooled", gaps.pooled))
        out.extend(gap_row(members[0], pair, g) for pair, g in gaps.pairs.items())
    return out


def _counts(trials: Iterable[Row], value: Callable[[Row], str | None], order: Sequence[str]) -> list[Row]:
    out = []
    for members in group_by(trials, GROUP_COLUMNS).values():
        counts: dict[str, int] = {}
        for t in members:
            key = value(t)
            if key is not None:
                counts[key] = counts.get(key, 0) + 1
        if not counts:
            continue
        keys = [k for k in order if k in counts] + sorted(k for k in counts if k not in order)
        describe = _describe(members[0])
        for key in keys:
            out.append(_cleaned({**describe, "value": key, "count": counts[key], "of": len(members)}))
    return out


def _drift_of(trial: Row) -> str:
    if trial["status"] == "error":
        return "infra_error"
    if trial["status"] == "censored":
        return "censored"
    return str(trial["drift"])


def drift_table(trials: Iterable[Row]) -> list[Row]:
    """Category of the first failing cycle per group (`censored`, `infra_error` apart)."""
    return _counts(trials, _drift_of, (*DRIFT_ORDER, "censored", "infra_error"))


def blame_table(trials: Iterable[Row]) -> list[Row]:
    """Blame (g or f) of failing trials per group, when a `blame` score exists."""
    return _counts(trials, lambda t: t.get("blame"), ())


def extraction_table(trials: Iterable[Row], cycles: Iterable[Row]) -> list[Row]:
    """Which extraction rule fired on each cycle's code reply, per group (cycles joined to
    their trials; `of` counts cycles)."""
    by_key = {(t["eval_id"], t["sample_id"], t["epoch"]): t for t in trials}
    joined = []
    for c in cycles:
        trial = by_key.get((c["eval_id"], c["sample_id"], c["epoch"]))
        if trial is not None:
            joined.append({**trial, "extraction_rule": c.get("extraction_rule")})
    return _counts(joined, lambda c: c.get("extraction_rule"), ())


def degradation_rows(trials: Iterable[Row]) -> list[Row]:
    """The study's `degradation_data.csv` shape: model, task, language, cycle, survival_rate, the
    rate a fraction in [0, 1] like every other rate we write (the study's own file is in percent).

    When one (model, task, language) has several configurations, the model label gets the
    configuration appended, so no row stands for pooled configurations.
    """
    curves = curve_table(trials)
    configs: dict[tuple[Any, ...], set[str]] = {}
    for row in curves:
        configs.setdefault((row["model"], row["problem"], row["language"]), set()).add(row["config_key"])
    out = []
    for row in curves:
        model = str(row["model"])
        if len(configs[(row["model"], row["problem"], row["language"])]) > 1:
            model = f"{model} [{row['config']} #{row['config_key']}]"
        rate = row["survival"]
        out.append(
            _cleaned(
                {
                    "model": model,
                    "task": row["problem"],
                    "language": row["language"],
                    "cycle": row["cycle"],
                    "survival_rate": rate,
                }
            )
        )
    return out


@dataclass
class Report:
    """Every table of a report; equal reports have equal tables, row for row."""

    survival: list[Row]
    curves: list[Row]
    gap: list[Row]
    drift: list[Row]
    blame: list[Row]
    extraction: list[Row]
    degradation: list[Row]
    totals: Row = field(default_factory=dict)


def build_report(
    trials: Sequence[Row], cycles: Sequence[Row], *, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0
) -> Report:
    """All report tables from rows (pure; deterministic for a given bootstrap seed). A trial an
    eval-set retried counts once (`newest_copies`)."""
    trials = sorted(newest_copies(trials), key=lambda t: (t["eval_id"], t["sample_id"], t["epoch"]))
    kept = {(t["eval_id"], t["sample_id"], t["epoch"]) for t in trials}
    cycles = sorted(
        (c for c in cycles if (c["eval_id"], c["sample_id"], c["epoch"]) in kept),
        key=lambda c: (c["eval_id"], c["sample_id"], c["epoch"], c["cycle"]),
    )
    totals = {
        "logs": len({t["eval_id"] for t in trials}),
        "trials": len(trials),
        "scored": len(scored(trials)),
        "infra_errors": sum(1 for t in trials if t["status"] == "error"),
        "censored": sum(1 for t in trials if t["status"] == "censored"),
        "groups": len(group_by(trials, GROUP_COLUMNS)),
        "configurations": len({t["config_key"] for t in trials}),
        "models": len({t["model"] for t in trials}),
        "cycles": len(cycles),
    }
    return Report(
        survival=survival_table(trials),
        curves=curve_table(trials),
        gap=gap_table(trials, n_boot=n_boot, seed=seed),
        drift=drift_table(trials),
        blame=blame_table(trials),
        extraction=extraction_table(trials, cycles),
        degradation=degradation_rows(trials),
        totals=totals,
    )
