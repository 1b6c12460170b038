"""The rescored study's tables (rescore/tables.py, pure), worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.analysis import upstream as up
from roundtrip_eval.analysis.rescore.tables import comparison_table, headline_table, published_figures, totals


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
