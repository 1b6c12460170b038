"""The drift classifier against hand labels on real failing steps of the original study.

`studies/data/upstream_drift_labels.csv` names failing steps of the published upstream trials
(`trial` relative to `raw/`, the failing `cycle`) and the category a person gave each after
reading the code (`label`, with the reasoning in `note`). This test replays every labelled
trial's logged replies (g and f of cycles 1..K) through the real task with the `replay` model
and the Docker sandbox (the code is old model output: it never runs on the host), reads the
category our pipeline gave cycle K, and checks the agreement and the confusion table that
`docs/drift_validation.md` publishes.

Run it alone to see the table: `pytest tests/test_upstream_labels.py -m upstream -s`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from studies.drift_labels import (
    ROOT,
    UPSTREAM_RAW,
    agreement,
    classify,
    disagreements,
    load_labels,
    problem_of,
    render,
    steps_of,
)
from studies.drift_labels import published as published_between

pytestmark = [pytest.mark.upstream, pytest.mark.docker, pytest.mark.slow]

LABELS = ROOT / "studies" / "data" / "upstream_drift_labels.csv"
DOC = ROOT / "docs" / "drift_validation.md"
README = ROOT / "README.md"
TARGET_AGREEMENT = 0.85
BEGIN, END = "<!-- drift-confusion:begin -->", "<!-- drift-confusion:end -->"


def published(path: Path) -> str | None:
    """The table between the drift-confusion markers of a markdown file, if it has them."""
    return published_between(path, BEGIN, END)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    if not UPSTREAM_RAW.is_dir():
        pytest.skip(f"upstream data absent: {UPSTREAM_RAW.relative_to(ROOT.parent)} not found")
    rows = load_labels(LABELS)
    missing = [r["trial"] for r in rows if not (UPSTREAM_RAW / r["trial"] / "result.json").is_file()]
    assert not missing, f"labelled trials missing from the upstream data: {missing}"
    return rows


def test_labels_name_failing_steps_across_models_and_tasks(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        record = json.loads((UPSTREAM_RAW / row["trial"] / "result.json").read_text(encoding="utf-8"))
        assert record["status"] == f"FAIL: Cycle {row['cycle']} failed.", row["trial"]
        assert record["logs"][row["cycle"] - 1]["step2_generated_code_raw"].strip(), row["trial"]
    assert len(rows) >= 40
    models = Counter(Path(r["trial"]).name.split("_")[0] for r in rows)
    assert set(models) == {"gemma3-4b", "falcon3-3b", "llama3.2-3b", "llama3-8b"}, models
    assert set(Counter(problem_of(r) for r in rows)) == {
        "fizzbuzz",
        "separate_vowels_and_consonants",
    }
    assert len({(r["trial"], r["cycle"]) for r in rows}) == len(rows), "a step is labelled twice"


def test_classifier_agrees_with_hand_labels(
    rows: list[dict[str, Any]], docker_client: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    predicted = classify(steps_of(rows), tmp_path_factory.mktemp("upstream"))
    labels = [r["label"] for r in rows]
    table = render(labels, predicted)
    print("\n" + table)
    print("\n".join(disagreements(rows, predicted)))
    assert agreement(labels, predicted) >= TARGET_AGREEMENT, table
    doc = published(DOC)
    assert doc is not None, f"{DOC.relative_to(ROOT)} has no {BEGIN} ... {END} section"
    assert doc == table, f"the published table is stale; the computed one is:\n{table}"
    in_readme = published(README)
    if in_readme is not None:
        assert in_readme == table, f"README's table is stale; the computed one is:\n{table}"


if __name__ == "__main__":  # print the table and the disagreements (needs Docker and the data)
    import tempfile

    all_rows = load_labels(LABELS)
    with tempfile.TemporaryDirectory() as tmp:
        got = classify(steps_of(all_rows), Path(tmp))
    print(render([r["label"] for r in all_rows], got))
    print("\n".join(disagreements(all_rows, got)))
