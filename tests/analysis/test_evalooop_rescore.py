"""`rescore-evalooop` end to end on a few tasks of two models, in the real Docker sandbox, with an
interrupted run resumed; and its two time rules on a function written here that is slow on one
input. Skips without ../shared/peer-data or a Docker engine."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from peer_data import evalooop_dir, evalplus_dir

from roundtrip_eval.analysis.evalooop import checks, run
from roundtrip_eval.analysis.evalooop.checks import Limits, run_key
from roundtrip_eval.analysis.evalooop.problems import load_problems
from roundtrip_eval.analysis.evalooop.read import ModelTrace, TaskTrace, extract
from roundtrip_eval.analysis.evalooop.run import EvalooopRescoreError, run_rescore_evalooop

pytestmark = [pytest.mark.docker, pytest.mark.slow]

MODELS = ["qwen2.5-coder-0.5b-instruct", "gemma-3-4b-it"]
TASKS = ["Mbpp/3", "Mbpp/12", "Mbpp/17"]


class Interrupted(Exception):
    pass


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_rescore_a_few_tasks_interrupted_and_resumed(
    tmp_path: Path, docker_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = evalooop_dir().parent
    out = tmp_path / "out"
    real = checks.CheckProgress.advance
    calls = {"n": 0}

    def stop_after_three(self: checks.CheckProgress, failed: int) -> None:
        real(self, failed)
        calls["n"] += 1
        if calls["n"] == 3:
            raise Interrupted

    monkeypatch.setattr(checks.CheckProgress, "advance", stop_after_three)
    with pytest.raises(BaseException) as raised:  # noqa: PT011 - anyio wraps it in a group
        run_rescore_evalooop(data, out, models=MODELS, tasks=TASKS, sandboxes=1, progress=False)
    assert "Interrupted" in repr(raised.value)
    first = _lines(out / "verdicts.jsonl")
    assert 3 <= len(first) < 20, len(first)
    with (out / "verdicts.jsonl").open("a", encoding="utf-8") as stream:
        stream.write('{"key": "cut off mid-wri')  # a line the interruption cut short
    monkeypatch.setattr(checks.CheckProgress, "advance", real)
    closing = run_rescore_evalooop(data, out, models=MODELS, tasks=TASKS, sandboxes=2, progress=False)
    assert "rescored 2 models" in closing
    verdicts = _lines_tolerant(out / "verdicts.jsonl")
    keys = [r["key"] for r in verdicts]
    assert len(keys) == len(set(keys)), "a verdict was made twice"
    assert {r["key"] for r in first} <= set(keys)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    # every distinct program of the models, and C0 of each task (unless a model wrote C0 itself)
    assert run["distinct_programs"] <= run["distinct_checks"]
    assert run["distinct_programs"] <= len(keys) <= run["distinct_programs"] + len(TASKS)
    for r in verdicts:
        for mode in ("typed", "evalplus"):
            assert isinstance(r[mode]["passed"], bool) and r[mode]["category"]
    rows = list(csv.DictReader((out / "models.csv").open(encoding="utf-8")))
    assert [r["model_id"] for r in rows] == sorted(MODELS)
    for r in rows:
        assert r["tasks"] == str(len(TASKS))
        assert 0.0 <= float(r["agreement"]) <= 1.0
        assert float(r["rescored_loop1_pass"]) >= float(r["strict_loop1_pass"])  # typed is stricter
    disagreements = list(csv.DictReader((out / "disagreements.csv").open(encoding="utf-8")))
    functions = sum(int(r["functions"]) for r in rows)
    agree = sum(round(float(r["agreement"]) * int(r["functions"])) for r in rows)
    assert len(disagreements) == functions - agree
    assert all(d["class"] and d["class"] != "unknown" for d in disagreements)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in page and "qwen2.5-coder-0.5b-instruct" in page
    # C0 of every task passes our check (these three are not among the harness's exceptions)
    c0 = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert c0["c0_fails"] == {}


def _lines_tolerant(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


SLEEPER = """```python
import time


def square_perimeter(a):
    if a == 10:  # one of Mbpp/17's inputs: this call takes 1.5 s, the others none
        time.sleep(1.5)
    return 4 * a
```"""


def test_the_evalplus_time_rule_times_out_a_call_the_fixed_rule_lets_finish(
    tmp_path: Path, docker_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, tasks = evalooop_dir().parent, ["Mbpp/12", "Mbpp/17"]
    real = run.read_models

    def with_sleeper(folder: Path, only: Any = None) -> list[ModelTrace]:
        """The real traces and one model whose loop 1 of Mbpp/17 is SLEEPER (they passed it)."""
        sleeper = TaskTrace("Mbpp/17", 1, (SLEEPER,), ("",), "")
        return [*real(folder, only), ModelTrace("sleeper", (sleeper,))]

    monkeypatch.setattr(run, "read_models", with_sleeper)
    key = run_key("Mbpp/17", extract(SLEEPER))
    cache = tmp_path / "c0"

    def rescore(out: Path, limits: Limits) -> dict[str, Any]:
        run_rescore_evalooop(
            data,
            out,
            models=MODELS[:1],
            tasks=tasks,
            sandboxes=2,
            limits=limits,
            progress=False,
            c0_cache=cache,
        )
        return {r["key"]: r for r in _lines_tolerant(out / "verdicts.jsonl")}

    peer = tmp_path / "evalplus-rule"
    verdicts = rescore(peer, Limits(time_rule="evalplus"))
    _, c0_seconds = load_problems(evalplus_dir(), ["Mbpp/17"], peer / "expected")
    limit = max(1.0, 2 * c0_seconds["Mbpp/17"])
    assert limit < 1.5, f"C0 of Mbpp/17 measured {c0_seconds['Mbpp/17']} s: too slow a host for this test"
    assert verdicts[key]["evalplus"]["category"] == "timeout", verdicts[key]["evalplus"]
    assert verdicts[key]["typed"]["category"] == "timeout"
    assert json.loads((peer / "run.json").read_text(encoding="utf-8"))["limits"]["time_rule"] == "evalplus"
    rows = [
        r
        for r in csv.DictReader((peer / "disagreements.csv").open(encoding="utf-8"))
        if r["model"] == "sleeper"
    ]
    assert [(r["theirs"], r["ours"], r["class"]) for r in rows] == [("pass", "timeout", "timeout")]
    assert f"our limit was max(1 s, 2 x C0's time) = {limit:.2f} s per call" in rows[0]["detail"]

    # the same folder under the fixed rule: refused in one line, nothing appended
    before = (peer / "verdicts.jsonl").read_text(encoding="utf-8")
    with pytest.raises(EvalooopRescoreError, match="holds verdicts made under other limits") as raised:
        rescore(peer, Limits())
    assert "\n" not in str(raised.value)
    assert (peer / "verdicts.jsonl").read_text(encoding="utf-8") == before

    fixed = rescore(tmp_path / "fixed-rule", Limits())
    assert fixed[key]["evalplus"]["passed"] and fixed[key]["typed"]["passed"], fixed[key]
    assert fixed[key]["seconds"] >= 1.5
    rows = list(csv.DictReader((tmp_path / "fixed-rule" / "disagreements.csv").open(encoding="utf-8")))
    assert not [r for r in rows if r["model"] == "sleeper"]
