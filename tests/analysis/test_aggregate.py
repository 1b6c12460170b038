"""Report tables from rows (aggregate.py, pure), on hand-made rows whose numbers are worked out
by hand: grouping, censoring and errors, the gap pairs, counts and the degradation shape."""

from __future__ import annotations

import math
from typing import Any

import pytest

from roundtrip_eval.analysis.aggregate import (
    build_report,
    clean,
    curve_table,
    degradation_rows,
    drift_table,
    extraction_table,
    gap_table,
    newest_copies,
    survival_table,
)


def trial(problem: str, epoch: int, status: str, survived: int, **extra: Any) -> dict[str, Any]:
    """A trial row with only the columns aggregate.py reads; N = 3."""
    return {
        "eval_id": extra.pop("eval_id", "e1"),
        "sample_id": problem,
        "epoch": epoch,
        "model": "m",
        "g_model": "m",
        "f_model": "m",
        "problem": problem,
        "familiarity": extra.pop("familiarity", "known" if problem.startswith("k") else "novel"),
        "config_key": extra.pop("config_key", "c1"),
        "config": "cfg",
        "language": "en",
        "n_cycles": 3,
        "status": status,
        "cycles_survived": survived,
        "failed": status == "failed",
        "drift": {"failed": "semantic", "survived": "none", "censored": "none"}.get(status),
        "blame": None,
        **extra,
    }


def test_survival_counts_censored_trials_and_leaves_out_errors() -> None:
    rows = [
        trial("k1", 1, "survived", 3),
        trial("k1", 2, "failed", 1),
        trial("k1", 3, "censored", 1),
        trial("k1", 4, "error", 0),
    ]
    [row] = survival_table(rows)
    assert (row["trials"], row["scored"], row["infra_errors"], row["censored"]) == (4, 3, 1, 1)
    assert (row["survival_at_1_k"], row["survival_at_n_k"]) == (3, 1)
    assert row["mean_cycles_survived"] == pytest.approx(5 / 3)
    # hazard: cycle 1 0/3; cycle 2 1/2 (the censored trial left after cycle 1); cycle 3 0/1
    assert row["hazard"] == "0.000 0.500 0.000"
    assert row["km_survival_at_n"] == 0.5
    curve = curve_table(rows)
    assert [(p["cycle"], p["at_risk"], p["survivors"]) for p in curve] == [(1, 3, 3), (2, 2, 1), (3, 1, 1)]


def test_configurations_are_separate_groups_and_one_group_has_one_n() -> None:
    rows = [trial("k1", 1, "survived", 3), trial("k1", 1, "failed", 0, config_key="c2", eval_id="e2")]
    assert [(r["config_key"], r["survival_at_n_k"]) for r in survival_table(rows)] == [("c1", 1), ("c2", 0)]
    with pytest.raises(ValueError, match="mixes N"):
        survival_table([trial("k1", 1, "survived", 3), {**trial("k1", 2, "survived", 3), "n_cycles": 4}])


def test_gap_pools_the_twin_pairs_and_gives_each_pair_its_own() -> None:
    """The plan's pairing: known vs novel within each `pair`, pooled over the pairs; never a
    known problem against the novel twin of another pair."""
    rows = [
        *(trial("k1", e, "survived", 3, pair="p1") for e in (1, 2)),
        *(trial("n1", e, s, n, pair="p1") for e, s, n in ((1, "failed", 1), (2, "failed", 2), (3, "error", 0))),  # noqa: E501
        *(trial("k2", e, s, n, pair="p2") for e, s, n in ((1, "survived", 3), (2, "failed", 0))),
        *(trial("n2", e, "failed", 0, pair="p2") for e in (1, 2)),
        trial("k3", 1, "survived", 3),  # no pair: not a twin, left out
    ]
    gaps = {g["pair"]: g for g in gap_table(rows, n_boot=200)}
    assert sorted(gaps) == ["p1", "p2", "pooled"]
    pooled = gaps["pooled"]
    assert (pooled["known_n"], pooled["novel_n"]) == (4, 4)
    # mean cycles survived: known (3+3+3+0)/4, novel (1+2+0+0)/4
    assert pooled["gap"] == pytest.approx(9 / 4 - 3 / 4)
    assert (pooled["known_at"], pooled["novel_at"]) == (3, 0)  # survival@3
    # Fisher [[3,1],[0,4]]: C(3,x)C(5,4-x) for x=0..3 = 5, 30, 30, 5 (of 70); observed 5 -> 10/70
    assert pooled["fisher_p"] == pytest.approx(10 / 70)
    assert (gaps["p1"]["gap"], gaps["p2"]["gap"]) == (1.5, 1.5)
    assert gap_table([r for r in rows if r["familiarity"] == "known"]) == []  # no novel side


def test_a_retried_trial_counts_once_the_newest_copy() -> None:
    first = trial("k1", 1, "failed", 0, eval_id="e1", task_id="t", created="2026-01-01")
    again = trial("k1", 1, "survived", 3, eval_id="e2", task_id="t", created="2026-01-02")
    other = trial("k1", 1, "failed", 0, eval_id="e3", task_id="u", created="2026-01-01")
    assert newest_copies([first, again, other]) == [again, other]


def test_drift_counts_in_category_order_and_extraction_counts_cycles() -> None:
    rows = [
        trial("k1", 1, "failed", 0, drift="return_type"),
        trial("k1", 2, "failed", 0, drift="semantic"),
        trial("k1", 3, "censored", 1),
        trial("k1", 4, "error", 0),
        trial("k1", 5, "survived", 3),
    ]
    drift = [(r["value"], r["count"], r["of"]) for r in drift_table(rows)]
    # drift.CATEGORIES order (return_type before semantic), then censored and infra_error
    assert drift == [
        ("none", 1, 5),
        ("return_type", 1, 5),
        ("semantic", 1, 5),
        ("censored", 1, 5),
        ("infra_error", 1, 5),
    ]
    cycles = [
        {"eval_id": "e1", "sample_id": "k1", "epoch": e, "cycle": c, "extraction_rule": rule}
        for e, c, rule in ((1, 1, "fence"), (5, 1, "fence"), (5, 2, "bare"), (9, 1, "orphan"))
    ]
    extraction = [(r["value"], r["count"]) for r in extraction_table(rows, cycles)]
    assert extraction == [("bare", 1), ("fence", 2)]  # the orphan cycle has no trial


def test_degradation_names_the_configuration_only_when_there_are_several() -> None:
    one = degradation_rows([trial("k1", 1, "survived", 3), trial("k1", 2, "failed", 1)])
    assert [(r["model"], r["cycle"], r["survival_rate"]) for r in one] == [
        ("m", 1, 1.0),
        ("m", 2, 0.5),
        ("m", 3, 0.5),
    ]
    two = degradation_rows([trial("k1", 1, "survived", 3), trial("k1", 1, "failed", 0, config_key="c2")])
    assert sorted({r["model"] for r in two}) == ["m [cfg #c1]", "m [cfg #c2]"]


def test_clean_and_report_totals() -> None:
    assert clean(math.nan) is None and clean(0.1 + 0.2) == 0.3 and clean("x") == "x"
    rows = [trial("k1", 1, "survived", 3), trial("n1", 1, "error", 0, eval_id="e2")]
    report = build_report(rows, [], n_boot=100)
    assert report.totals == {
        "logs": 2,
        "trials": 2,
        "scored": 1,
        "infra_errors": 1,
        "censored": 0,
        "groups": 2,
        "configurations": 1,
        "models": 1,
        "cycles": 0,
    }
    assert report.gap == []  # the novel side has no scored trial
