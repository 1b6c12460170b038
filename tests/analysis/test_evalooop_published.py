"""EvaLooop's published numbers reproduced from their own recorded verdicts (no Docker), and the
reader's refusals. The whole-data test skips without ../shared/peer-data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from peer_data import evalooop_dir

from roundtrip_eval.analysis.evalooop.published import reproduce
from roundtrip_eval.analysis.evalooop.read import (
    EvalooopDataError,
    ModelTrace,
    Published,
    TaskTrace,
    extract,
    read_model,
    read_models,
    read_published,
)


def test_every_published_row_is_reproduced_or_explained_from_the_numbers() -> None:
    folder = evalooop_dir()
    published = read_published(folder)
    models = read_models(folder)
    assert len(models) == 91
    assert sum(len(m.tasks) for m in models) == 91 * 378
    assert sum(len(t.codes) for m in models for t in m.tasks) == 220_516
    results = [reproduce(m, published.get(m.model_id)) for m in models]
    differing = {r.model_id: r for r in results if not r.reproduced}
    for r in results:
        assert r.published is not None, r.model_id
        assert r.reproduced or r.why, r.model_id
    # what this reproduction found: 87 rows exactly; the 4 others, each for a reason in the numbers
    assert len(differing) == 4, sorted(differing)
    averaged = {m for m, r in differing.items() if r.why.startswith("the row averages runs")}
    assert averaged == {"deepseek-coder-v2-lite-instruct", "qwen3-235b-a22b-instruct-2507"}
    qwen = next(r for r in results if r.model_id == "qwen2.5-coder-0.5b-instruct")
    assert qwen.histogram == (228, 12, 9, 0, 0, 0, 0, 0, 0, 0, 129)
    assert round(100 * qwen.loop1, 2) == 39.68 and round(100 * qwen.loop10, 2) == 34.13
    assert round(qwen.asl_pow, 3) == 3.425 and qwen.reproduced


def _trace(loops: list[int]) -> ModelTrace:
    tasks = tuple(
        TaskTrace(f"Mbpp/{i}", k, tuple("def f(): pass" for _ in range(min(k + 1, 10))), (), "")
        for i, k in enumerate(loops)
    )
    return ModelTrace("m", tasks)


def test_a_row_is_reproduced_only_within_its_rounding() -> None:
    trace = _trace([0, 1, 10, 10])  # loop 1: 3/4, loop 10: 2/4, ASL_pow (1 + 100 + 100) / 40
    exact = reproduce(trace, Published("m", "m", 0.75, 25.0, 5.025, ""))
    assert exact.reproduced and exact.why == ""
    assert exact.asl_pow == pytest.approx(5.025)
    off = reproduce(trace, Published("m", "m", 0.752, 25.0, 5.025, ""))  # 3.008 of 4 tasks
    assert not off.reproduced and off.why.startswith("the row averages runs")
    later = reproduce(trace, Published("m", "m", 0.75, 30.0, 5.025, ""))  # loop 1 agrees, the drop does not
    assert not later.reproduced and later.why.startswith("the details are another run")
    assert "drop 25.00 vs published 30" in later.differs


def _write(folder: Path, details: dict[str, object]) -> None:
    (folder / "details").mkdir(parents=True)
    (folder / "details" / "m.json").write_text(json.dumps(details), encoding="utf-8")


def test_the_reader_reads_the_layout_and_refuses_a_wrong_one(tmp_path: Path) -> None:
    good = {
        "1": [
            {
                "task_id": "Mbpp/2",
                "initial_prompt": "p",
                "successful_cycles": 1,
                "cycles": [
                    {"code_output": "a", "summary_output": "s"},
                    {"code_output": "b", "summary_output": "t"},
                ],
            }
        ]
    }
    _write(tmp_path / "ok", good)
    trace = read_model(tmp_path / "ok", "m")
    assert trace.loops == [1]
    assert trace.tasks[0].their_passed(1) and not trace.tasks[0].their_passed(2)
    bad = {"1": [{**good["1"][0], "cycles": good["1"][0]["cycles"][:1]}]}  # type: ignore[index]
    _write(tmp_path / "bad", bad)
    with pytest.raises(EvalooopDataError, match="sustained 1 loops but records 1"):
        read_model(tmp_path / "bad", "m")
    with pytest.raises(EvalooopDataError, match="no details for x"):
        read_models(tmp_path / "ok", ["x"])
    with pytest.raises(EvalooopDataError, match="results.json: not found"):
        read_published(tmp_path / "ok")


def test_their_extraction_takes_the_first_fence_else_the_whole_reply() -> None:
    assert extract("text\n```python\ndef f():\n    return 1\n```\n```x```") == "def f():\n    return 1"
    assert extract("  def f(): pass  ") == "def f(): pass"
    assert extract("```python\ndef f(): pass") == "```python\ndef f(): pass"  # unterminated: whole reply
    assert extract("   ") is None
