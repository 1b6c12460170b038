"""studies/sample_drift_labels.py on our committed own logs: the rows it draws are the ones in the
label file (with their split), and what it shows a labeller holds the replies but nothing the
classifier said."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
OWN_LOGS = ROOT / "studies" / "data" / "own_logs" / "0.5b"


def _script() -> Any:
    import studies.sample_drift_labels as module

    return module


def test_own_rows_are_drawn_as_committed() -> None:
    script = _script()
    rows = csv.DictReader(script.OUT.open(encoding="utf-8"))
    committed = {r["id"]: r for r in rows if r["batch"] == "ours-0.5b"}
    drawn = script.ours_rows(OWN_LOGS, "ours-0.5b")
    assert {r["id"]: r["split"] for r in drawn} == {i: r["split"] for i, r in committed.items()}
    assert script.merge(drawn, check=True) == 0


def test_show_is_blind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_ai.log import list_eval_logs, read_eval_log

    script = _script()
    rows = [r for r in csv.DictReader(script.OUT.open(encoding="utf-8")) if r["batch"] == "ours-0.5b"]
    blank = tmp_path / "labels.csv"
    with blank.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=script.COLUMNS)
        writer.writeheader()
        writer.writerows({**r, "label": "", "reasoning": ""} for r in rows)
    monkeypatch.setattr(script, "OUT", blank)
    assert script.show(OWN_LOGS, "ours-0.5b") == 0
    shown = capsys.readouterr().out
    assert shown.count("\n## own-") + shown.startswith("## own-") == len(rows) > 0
    assert shown.count("### f's reply") == len(rows)
    details = [
        str(c["detail"])
        for info in list_eval_logs(str(OWN_LOGS))
        for s in read_eval_log(info).samples or []
        for c in s.store.get("cycles") or []
        if not c.get("passed", True) and c.get("detail")
    ]
    assert details and not [d for d in details if d in shown]  # the classifier's words never show
