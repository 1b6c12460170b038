"""The rescored study's tables (rescore/tables.py, pure), worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.analysis import upstream as up
from roundtrip_eval.analysis.rescore.tables import (
    comparison_table,
    configuration_table,
    factor_table,
    headline_table,
    model_table,
    published_figures,
    published_vs_rescored_curves,
    totals,
)
from roundtrip_eval.stats.survival import wilson_interval


def row(batch: str, task: str, status: str, original: bool, cls: str | None = None) -> dict[str, Any]:
    return {
        "batch": batch,
        "model": "m:1b",
        "task": task,
        "language": "en",
        "n_cycles": 10,
        "status": status,
        "cycles_survived": 10 if status == "survived" else 1,
        "original_survived": original,
        "original_class": cls,
        "new_failure": False,
        "consistent": True,
    }


def study_rows() -> list[dict[str, Any]]:
    """4 fizzbuzz trials (3 published survivors) and 4 separate_vowels trials (none)."""
    return [
        row("k", "fizzbuzz", "survived", True),
        row("k", "fizzbuzz", "survived", True),
        {**row("k", "fizzbuzz", "failed", True), "new_failure": True},
        row("k", "fizzbuzz", "failed", False, up.GENUINE),
        row("n", "separate_vowels_and_consonants", "censored", False, up.EXTRACTION_ARTIFACT),
        row("n", "separate_vowels_and_consonants", "censored", False, up.CHECKER_ARTIFACT),
        row("n", "separate_vowels_and_consonants", "failed", False, up.GENUINE),
        row("n", "separate_vowels_and_consonants", "censored", False, up.INFRA),
    ]


def test_comparison_and_headline_tables_by_hand() -> None:
    # fizzbuzz: 3 published survivors, rescored 2 survive + 1 new failure... kept simple:
    # 3/4 published -> 2/4 rescored (one survivor fails our checker), 1 genuine failure.
    # separate_vowels: 0/4 published; rescored 0 survive, 2 censored artifacts, 1 genuine,
    # 1 infrastructure (censored)
    rows = study_rows()
    table = {r["task"]: r for r in comparison_table(rows)}
    fb, sv = table["fizzbuzz"], table["separate_vowels_and_consonants"]
    assert (fb["published_survived"], fb["rescored_survived"], fb["new_failures"]) == (3, 2, 1)
    assert (fb["n_genuine"], fb["published_failures"]) == (1, 1)
    assert (sv["rescored_survived"], sv["rescored_censored"], sv["rescored_upper"]) == (0, 3, 0.75)
    assert (sv["n_extraction_artifact"], sv["n_checker_artifact"], sv["n_infrastructure"]) == (1, 1, 1)
    [head] = headline_table(rows, n_boot=200)
    assert (head["known_published"], head["novel_published"]) == (3, 0)
    assert head["published_gap"] == 0.75 and head["rescored_gap"] == 0.5
    assert head["rescored_gap_min"] == 0.5 - 0.75  # every censored novel trial survives
    assert head["rescored_gap_max"] == 0.5  # no censored known trial to flip
    # Fisher [[2,2],[0,4]]: weights C(2,x)C(6,4-x) = 15, 40, 15 (x=0..2) over 70; observed 15
    # -> (15 + 15) / 70.
    assert head["rescored_fisher_p"] == pytest.approx(30 / 70)


def test_totals_count_outcomes_and_classes() -> None:
    rows = [
        *study_rows(),
        {**row("n", "separate_vowels_and_consonants", "error", False), "consistent": False},
    ]
    rows[2]["new_failure_class"] = "stricter_checker"
    t = totals(rows)
    counts = (t["trials"], t["published_survived"], t["survived"], t["failed"], t["censored"], t["errors"])
    assert counts == (9, 3, 2, 3, 3, 1)
    assert t["inconsistent"] == 0  # an errored trial is an error, not an inconsistency
    assert (t[up.GENUINE], t[up.EXTRACTION_ARTIFACT], t[up.CHECKER_ARTIFACT], t[up.INFRA]) == (2, 1, 1, 1)
    assert (t["new_failures"], t["stricter_checker"], t["extraction_regression"]) == (1, 1, 0)


def test_published_figures_are_read_beside_raw(tmp_path: Path) -> None:
    assert published_figures(tmp_path) == {}  # no published/ folder: no paper column
    (tmp_path / "published").mkdir()
    (tmp_path / "published" / "degradation_data.csv").write_text(
        "model,task,language,cycle,survival_rate\nm-1b,fizzbuzz,en,9,90.0\nm-1b,fizzbuzz,en,10,86.7\n",
        encoding="utf-8",
    )
    (tmp_path / "raw").mkdir()
    expected = {("m:1b", "fizzbuzz", "en"): 86.7}
    assert published_figures(tmp_path) == expected
    assert published_figures(tmp_path / "raw") == expected  # the raw/ folder itself
    [fb] = [r for r in comparison_table(study_rows(), expected) if r["task"] == "fizzbuzz"]
    assert fb["published_figure_pct"] == 86.7


# --- the whole study: per configuration, per model, per slice, per cycle -----------------------


def config_rows() -> list[dict[str, Any]]:
    """Two configurations of one model (strict and forgiving), by hand."""
    base = {"n_type": "n=30", "spec_format": "pseudocode", "prompt_style": "hyper_guided"}
    rows = []
    for mode, statuses in (
        ("strict", ["survived", "censored", "failed"]),
        ("forgiving", ["survived", "survived"]),
    ):
        for status in statuses:
            r = {**row("b-" + mode, "fizzbuzz", status, original=status == "survived"), **base, "mode": mode}
            r["original_cycles_completed"] = 10 if status == "survived" else 0
            r["cycles_survived"] = {"survived": 10, "censored": 4, "failed": 2}[status]
            r["original_class"] = {"censored": up.SPEC_GATE_ARTIFACT, "failed": up.GENUINE}.get(status)
            rows.append(r)
    return rows


def test_configuration_and_model_tables_by_hand() -> None:
    rows = config_rows()
    configs = {r["mode"]: r for r in configuration_table(rows)}
    strict = configs["strict"]
    assert (strict["trials"], strict["published_survived"], strict["rescored_survived"]) == (3, 1, 1)
    assert (strict["rescored_censored"], strict["rescored_failed"], strict["n_spec_gate_artifact"]) == (
        1,
        1,
        1,
    )
    assert strict["artifacts"] == 1 and strict["n_genuine"] == 1
    # Kaplan-Meier: the failure at cycle 3 removes 1 of 3 at risk; the censored trial leaves
    # after cycle 4; the survivor carries 2/3 to cycle 10
    assert strict["rescored_km"] == pytest.approx(2 / 3)
    assert (strict["published_low"], strict["published_high"]) == pytest.approx(wilson_interval(1, 3))
    assert configs["forgiving"]["rescored_survived"] == 2
    [model] = model_table(rows)
    assert (model["model"], model["tasks"], model["configurations"], model["trials"]) == (
        "m:1b",
        "fizzbuzz",
        2,
        5,
    )
    assert (model["published_survived"], model["rescored_survived"], model["published_failures"]) == (3, 3, 2)
    by_mode = {r["mode"]: r["trials"] for r in factor_table(rows, ("mode",))}
    assert by_mode == {"strict": 3, "forgiving": 2}


def test_curve_table_puts_the_published_curve_next_to_ours() -> None:
    rows = config_rows()[:3]  # strict: survived, censored after 4, failed at 3 (published: 1 of 3)
    points = {p["cycle"]: p for p in published_vs_rescored_curves(rows)}
    assert sorted(points) == list(range(11))
    assert points[0]["published"] == points[0]["rescored"] == 1.0
    assert points[1]["published"] == pytest.approx(1 / 3)  # the study failed two trials at cycle 1
    assert points[2]["rescored"] == 1.0 and points[3]["rescored"] == pytest.approx(2 / 3)
    assert points[5]["rescored"] == pytest.approx(1 / 3)  # the censored trial no longer counts
    assert points[5]["rescored_km"] == pytest.approx(2 / 3)  # ...but KM keeps its share
    assert points[4]["rescored_censored"] == 1 and points[10]["n"] == 3
