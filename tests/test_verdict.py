"""Each cycle's verdict is an info event inside the cycle's span (issue 31, part 2).

A replayed trial (local sandbox: the candidates are our own literals) passes cycle 1 and fails
cycle 2 with `str(n)` for n: the transcript must hold, inside span `cycle 2`, a Markdown event
saying failed, the category, the detail and the smallest failing inputs with expected vs actual.
"""

from __future__ import annotations

from pathlib import Path

from inspect_ai import eval as inspect_eval
from inspect_ai.event import InfoEvent, SpanBeginEvent
from inspect_ai.log import resolve_sample_attachments
from replay_scripts import trial, write

from roundtrip_eval.eval.record import CheckRecord, Cycle
from roundtrip_eval.eval.tasks import fizzbuzz
from roundtrip_eval.eval.verdict import verdict_markdown
from roundtrip_eval.problems.load import load_problem

REF = load_problem("fizzbuzz").reference
STR_N = REF.replace("return n", "return str(n)")


def test_each_cycle_span_holds_its_verdict(tmp_path: Path) -> None:
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", "*"): trial("fizzbuzz", [REF, STR_N])})
    [log] = inspect_eval(
        fizzbuzz(sandbox="local", cycles=2, epochs=1), model=f"replay/{script}",
        log_dir=str(tmp_path / "logs"), display="none",
    )  # fmt: skip
    [sample] = [resolve_sample_attachments(s) for s in log.samples or []]
    spans = {e.id: e.name for e in sample.events if isinstance(e, SpanBeginEvent) and e.type == "roundtrip"}
    assert sorted(spans.values()) == ["cycle 1", "cycle 2"]
    infos = [e for e in sample.events if isinstance(e, InfoEvent) and e.span_id in spans]
    verdicts = {spans[str(e.span_id)]: str(e.data) for e in infos}
    assert verdicts["cycle 1"].startswith("**cycle 1: passed**: all ")
    failed = verdicts["cycle 2"].splitlines()
    assert failed[0] == "**cycle 2: failed** (return_type)"
    assert "fizzbuzz(1) expected 1 (int), got '1' (str)" in failed[2]
    assert failed[4].startswith("Smallest failing inputs (3 of ")
    assert failed[6:8] == ["| input | expected | actual |", "|---|---|---|"]
    assert failed[8] == "| `(1,)` | `1 (int)` | `'1' (str)` |"


def test_a_cycle_without_code_says_why_and_cells_stay_one_line() -> None:
    no_code = Cycle(cycle=3, passed=False, category="extraction", detail="no code block in the reply")
    assert verdict_markdown(no_code) == "**cycle 3: failed** (extraction)\n\n`no code block in the reply`"
    odd = CheckRecord(
        passed=False, category="semantic", detail="x", n_failed=1,
        failures=[{"input": "('a|b',\n)", "expected": "'x' * 500", "actual": "`y`"}],
    )  # fmt: skip
    row = verdict_markdown(Cycle(cycle=1, passed=False, category="semantic", detail="x", check=odd))
    assert row.splitlines()[-1] == "| `('a\\|b', )` | `'x' * 500` | `'y'` |"
