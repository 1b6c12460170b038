"""The drift classifier against blind hand labels over the whole dataset, dev and holdout apart.

`studies/data/drift_labels_v2.csv` holds failing steps of the published upstream trials (every
batch, task, spec format, prompt style and language) and of our own real-model logs (batch
`ours-...`), each labelled by reading it before the classifier ran on it, and split with a fixed
seed into `dev` (what the classifier may be tuned against) and `holdout` (the validation). These
tests recompute the agreement and the confusion table of each split and check them against the
tables that `docs/drift_validation.md` publishes. The holdout test shows only its aggregate
table, never which of its rows disagree (`studies/drift_validation.py` prints the dev detail).

    pytest tests/test_drift_validation.py -m upstream -s
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from replay_scripts import trial, write

from roundtrip_eval.problems.load import load_problem
from studies.drift_labels import (
    OUR_LOGS,
    ROOT,
    UPSTREAM_RAW,
    classify,
    dev_rows,
    holdout_rows,
    is_ours,
    load_labels,
    our_step,
    published,
    render,
    steps_of,
    upstream_trial,
)

LABELS = ROOT / "studies" / "data" / "drift_labels_v2.csv"
DOC = ROOT / "docs" / "drift_validation.md"
DEV_TARGET = 0.90
MARKERS = {split: (f"<!-- drift-v2-{split}:begin -->", f"<!-- drift-v2-{split}:end -->")
           for split in ("dev", "holdout")}  # fmt: skip


def _missing_logs(rows: list[dict[str, Any]]) -> set[str]:
    """The logs our own rows name that are not under OUR_LOGS."""
    return {str(r["trial"]).split("::")[0] for r in rows} - {p.name for p in OUR_LOGS.rglob("*.eval")}


def _usable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows, once the data they name is known to be here (else skip, saying what is absent)."""
    if not UPSTREAM_RAW.is_dir():
        pytest.skip(f"upstream data absent: {UPSTREAM_RAW.relative_to(ROOT.parent)} not found")
    missing = _missing_logs([r for r in rows if is_ours(r)])
    if missing:
        pytest.skip(f"{len(missing)} of our labelled logs are absent from {OUR_LOGS} (ROUNDTRIP_LABEL_LOGS)")
    return rows


def _check_against_doc(split: str, rows: list[dict[str, Any]], workdir: Path) -> str:
    table = render([r["label"] for r in rows], classify(steps_of(rows), workdir))
    print(f"\n{split}:\n{table}")
    doc = published(DOC, *MARKERS[split])
    assert doc is not None, f"{DOC.relative_to(ROOT)} has no {MARKERS[split][0]} section"
    assert doc == table, f"the published {split} table is stale; the computed one is:\n{table}"
    return table


@pytest.mark.upstream
def test_label_set_spans_the_dataset_and_holds_out_enough() -> None:
    if not UPSTREAM_RAW.is_dir():
        pytest.skip(f"upstream data absent: {UPSTREAM_RAW.relative_to(ROOT.parent)} not found")
    rows = load_labels(LABELS)
    upstream = [r for r in rows if not is_ours(r)]
    assert len(upstream) >= 150
    assert len({r["model"] for r in upstream}) >= 15
    spans = {
        "task": {"get_magic_number", "fizzbuzz", "separate_vowels_and_consonants"},
        "spec_format": {"pseudocode", "s_expression", "minilang"},
        "prompt_style": {"fewshot", "hyper_guided"},
        "lang": {"en", "ja"},
    }
    for column, values in spans.items():
        assert {r[column] for r in upstream} == values, column
    assert {r["split"] for r in rows} == {"dev", "holdout"}
    assert sum(r["split"] == "holdout" for r in rows) >= 60
    ours = [r for r in rows if is_ours(r)]  # the embedded models with our prompts, both sizes
    assert len(ours) >= 30
    assert {r["model"] for r in ours} == {"qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
    assert len({(r["batch"], r["trial"], r["cycle"], r["step"]) for r in rows}) == len(rows)
    for row in upstream:
        record = json.loads((UPSTREAM_RAW / upstream_trial(row) / "result.json").read_text(encoding="utf-8"))
        assert record["status"] == f"FAIL: Cycle {row['cycle']} failed.", row["id"]
    tuned = {(r["trial"], int(r["cycle"])) for r in load_labels(LABELS.parent / "upstream_drift_labels.csv")}
    assert not {(upstream_trial(r), r["cycle"]) for r in upstream} & tuned, "a step of the tuned set"


@pytest.mark.slow
def test_our_logged_failures_are_rejudged_from_their_store(tmp_path: Path) -> None:
    """An `ours-...` row replays the replies kept in its log's store, under the log's settings."""
    from inspect_ai import eval as inspect_eval

    from roundtrip_eval.eval.tasks import roundtrip

    fizz = load_problem("fizzbuzz").reference
    no_zero = fizz.replace("if n % 15 == 0:", "if n % 15 == 0 and n != 0:")
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", 1): trial("x", [fizz, no_zero])})
    task = roundtrip(problems="fizzbuzz", cycles=2, epochs=1, stop_on_failure=False, sandbox="local",
                     language="ja", spec_format="minilang")  # fmt: skip
    [log] = inspect_eval(task, model=f"replay/{script}", log_dir=str(tmp_path / "ours"), display="none")
    assert log.status == "success", log.error
    [sample] = log.samples or []
    stored = sample.store["cycles"][1]["category"]
    row = {"id": "own-test", "batch": "ours-test", "trial": f"{Path(log.location).name}::fizzbuzz::e1",
           "cycle": 2, "step": "f", "label": stored}  # fmt: skip
    step = our_step(row, tmp_path / "ours")
    assert dict(step.settings)["language"] == "ja" and dict(step.settings)["spec_format"] == "minilang"
    assert len(step.replies) == 5 and step.replies[-1] == {"stop": step.replies[-1]["stop"]}
    assert classify([step], tmp_path / "work", sandbox="local") == [stored] == ["boundary"]


@pytest.mark.upstream
@pytest.mark.docker
@pytest.mark.slow
def test_dev_agreement_is_published(docker_client: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # these tables cover the upstream rows; our own runs' rows have tables of their own (below)
    rows = _usable([r for r in dev_rows(LABELS) if not is_ours(r)])
    table = _check_against_doc("dev", rows, tmp_path_factory.mktemp("dev"))
    agree, total = (int(x) for x in table.rsplit("Agreement: ", 1)[1].split(" = ")[0].split("/"))
    assert agree / total >= DEV_TARGET, table


@pytest.mark.upstream
@pytest.mark.docker
@pytest.mark.slow
def test_holdout_agreement_is_published(docker_client: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Aggregate only: the holdout's table is compared with the published one, rows never shown."""
    rows = _usable([r for r in holdout_rows(LABELS) if not is_ours(r)])
    _check_against_doc("holdout", rows, tmp_path_factory.mktemp("holdout"))
    assert Counter(r["split"] for r in rows) == {"holdout": len(rows)}


def _usable_ours(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    missing = _missing_logs(rows)
    assert not missing, f"{len(missing)} of our labelled logs are absent from {OUR_LOGS}"
    assert rows, "no rows of our own runs in the label set"
    return rows


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("split", ["dev", "holdout"])
def test_our_runs_agreement_is_published(
    split: str, docker_client: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Our own runs' rows, from the logs committed in studies/data/own_logs: the published tables."""
    pick = dev_rows if split == "dev" else holdout_rows
    rows = _usable_ours([r for r in pick(LABELS) if is_ours(r)])
    table = render([r["label"] for r in rows], classify(steps_of(rows), tmp_path_factory.mktemp(split)))
    begin, end = f"<!-- drift-v2-ours-{split}:begin -->", f"<!-- drift-v2-ours-{split}:end -->"
    doc = published(DOC, begin, end)
    assert doc is not None, f"{DOC.relative_to(ROOT)} has no {begin} section"
    assert doc == table, f"the published table of our {split} rows is stale; the computed one is:\n{table}"
