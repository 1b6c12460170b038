"""The drift classifier against hand labels on real failing steps of the original study.

`tests/data/upstream_drift_labels.csv` names failing steps of the published upstream trials
(`trial` relative to `raw/`, the failing `cycle`) and the category a person gave each after
reading the code (`label`, with the reasoning in `note`). This test replays every labelled
trial's logged replies (g and f of cycles 1..K) through the real task with the `replay` model
and the Docker sandbox (the code is old model output: it never runs on the host), reads the
category our pipeline gave cycle K, and checks the agreement and the confusion table that
`docs/drift_validation.md` publishes.

Run it alone to see the table: `pytest tests/test_upstream_labels.py -m upstream -s`.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.scorers import DRIFT_CATEGORIES

pytestmark = [pytest.mark.upstream, pytest.mark.docker, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM_RAW = ROOT.parent / "shared" / "upstream-data" / "raw"
LABELS = Path(__file__).parent / "data" / "upstream_drift_labels.csv"
DOC = ROOT / "docs" / "drift_validation.md"
README = ROOT / "README.md"
TARGET_AGREEMENT = 0.85
MAX_SAMPLES = 6
BEGIN, END = "<!-- drift-confusion:begin -->", "<!-- drift-confusion:end -->"
STOP = {"stop": "the recorded trial ends at its failing cycle"}


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["cycle"] = int(row["cycle"])
        if row["label"] not in DRIFT_CATEGORIES:
            raise ValueError(f"{path}: unknown label {row['label']!r} for {row['trial']}")
    return rows


def problem_of(trial: str) -> str:
    return "fizzbuzz" if re.search(r"_fizzbuzz_run\d+$", trial) else "separate_vowels_and_consonants"


def replies_of(trial: str, cycle: int, raw: Path = UPSTREAM_RAW) -> list[Any]:
    """The logged g and f replies of cycles 1..cycle, then a clean stop."""
    record = json.loads((raw / trial / "result.json").read_text(encoding="utf-8"))
    logs = {int(entry["cycle"]): entry for entry in record["logs"]}
    replies: list[Any] = []
    for k in range(1, cycle + 1):
        replies += [logs[k]["step1_raw_spec"], logs[k]["step2_generated_code_raw"]]
    return [*replies, STOP]


def replay_plan(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows grouped by problem; each row's position in its group is its epoch (1-based)."""
    plan: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        plan.setdefault(problem_of(row["trial"]), []).append(row)
    return plan


def classify(rows: list[dict[str, Any]], workdir: Path, sandbox: str = "roundtrip-docker") -> list[str]:
    """Our category of each row's failing cycle K: `store["cycles"][K-1]["category"]`.

    One eval() call: one task per problem, each labelled trial one epoch of it.
    """
    from inspect_ai import eval as inspect_eval

    from roundtrip_eval.tasks import roundtrip

    plan = replay_plan(rows)
    script = workdir / "upstream_replay.jsonl"
    with script.open("w", encoding="utf-8") as fh:
        for problem, group in plan.items():
            for epoch, row in enumerate(group, start=1):
                replies = replies_of(row["trial"], row["cycle"])
                fh.write(json.dumps({"sample": problem, "epoch": epoch, "replies": replies}) + "\n")
    tasks = [
        roundtrip(
            problems=problem,
            cycles=max(row["cycle"] for row in group),
            epochs=len(group),
            stop_on_failure=False,
            sandbox=sandbox,
        )
        for problem, group in plan.items()
    ]
    logs = inspect_eval(
        tasks,
        model=f"replay/{script}",
        log_dir=str(workdir / "logs"),
        display="none",
        max_samples=MAX_SAMPLES,
        max_tasks=len(tasks),
    )
    histories: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for log in logs:
        assert log.status == "success", log.error
        for sample in log.samples or []:
            assert sample.error is None, f"{sample.id} epoch {sample.epoch}: {sample.error}"
            histories[(str(sample.id), int(sample.epoch))] = list(sample.store.get("cycles", []))
    predicted: dict[int, str] = {}
    for problem, group in plan.items():
        for epoch, row in enumerate(group, start=1):
            history = histories[(problem, epoch)]
            k = row["cycle"]
            predicted[id(row)] = (
                str(history[k - 1]["category"]) if len(history) >= k else f"stopped@{len(history)}"
            )
    return [predicted[id(row)] for row in rows]


def confusion(labels: list[str], predicted: list[str]) -> Counter[tuple[str, str]]:
    return Counter(zip(labels, predicted, strict=True))


def agreement(labels: list[str], predicted: list[str]) -> float:
    return sum(a == b for a, b in zip(labels, predicted, strict=True)) / len(labels)


def render(labels: list[str], predicted: list[str]) -> str:
    """The confusion table (rows: hand label, columns: classifier) and the agreement line."""
    table = confusion(labels, predicted)
    used = [c for c in DRIFT_CATEGORIES if c in set(labels) | set(predicted)]
    lines = [
        "| hand label \\ classifier | " + " | ".join(used) + " | total |",
        "|---|" + "---:|" * (len(used) + 1),
    ]
    for row in used:
        if row not in labels:
            continue
        counts = [table.get((row, col), 0) for col in used]
        cells = [str(n) if n else "." for n in counts]
        lines.append(f"| {row} | " + " | ".join(cells) + f" | {sum(counts)} |")
    totals = [sum(table.get((r, c), 0) for r in used) for c in used]
    lines.append("| **total** | " + " | ".join(map(str, totals)) + f" | {len(labels)} |")
    agree = sum(a == b for a, b in zip(labels, predicted, strict=True))
    lines += ["", f"Agreement: {agree}/{len(labels)} = {agree / len(labels):.1%}"]
    return "\n".join(lines)


def published(path: Path) -> str | None:
    """The table between the drift-confusion markers of a markdown file, if it has them."""
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text:
        return None
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    return "\n".join(line.rstrip() for line in block.strip().splitlines())


def disagreements(rows: list[dict[str, Any]], predicted: list[str]) -> list[str]:
    return [
        f"{row['trial']} cycle {row['cycle']}: hand {row['label']}, classifier {got}"
        for row, got in zip(rows, predicted, strict=True)
        if row["label"] != got
    ]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    if not UPSTREAM_RAW.is_dir():
        pytest.skip(f"upstream data absent: {UPSTREAM_RAW.relative_to(ROOT.parent)} not found")
    rows = load_labels()
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
    assert set(Counter(problem_of(r["trial"]) for r in rows)) == {
        "fizzbuzz",
        "separate_vowels_and_consonants",
    }
    assert len({(r["trial"], r["cycle"]) for r in rows}) == len(rows), "a step is labelled twice"


def test_classifier_agrees_with_hand_labels(
    rows: list[dict[str, Any]], docker_client: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    predicted = classify(rows, tmp_path_factory.mktemp("upstream"))
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

    all_rows = load_labels()
    with tempfile.TemporaryDirectory() as tmp:
        got = classify(all_rows, Path(tmp))
    print(render([r["label"] for r in all_rows], got))
    print("\n".join(disagreements(all_rows, got)))
