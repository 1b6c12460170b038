"""The live EvaLooop comparison (studies/evalooop_live.py): the pre-registered subset and the tables."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from peer_data import evalplus_dir, peer_data

from roundtrip_eval.eval.tasks import mbpp_plus
from studies.evalooop_live import (
    HARNESS_LIMITED,
    MODEL_ID,
    SUBSET_SIZE,
    CompareError,
    Control,
    OurTrial,
    TaskRow,
    asl_pow,
    cohen_kappa,
    draw_subset,
    main,
    markdown,
    mcnemar_exact,
    our_trials,
    read_subset,
    same_code,
    summary,
    task_rows,
)
from studies.evalooop_trace import TracedTask, TraceError, read_trace, unwrap_summary


def test_the_committed_subset_is_the_seeded_draw() -> None:
    committed = read_subset()
    assert len(committed) == len(set(committed)) == SUBSET_SIZE
    assert set(HARNESS_LIMITED) <= set(committed)
    assert committed == draw_subset(str(evalplus_dir()))


def test_the_draw_depends_on_the_seed() -> None:
    from roundtrip_eval.eval.dataset import select_problems

    other = select_problems("mbpp_plus", str(evalplus_dir()), None, SUBSET_SIZE, 31)
    assert other != read_subset()
    with pytest.raises(ValueError, match="count"):
        select_problems("mbpp_plus", str(evalplus_dir()), None, 0, 30)


# ------------------------------------------------------------------ the comparison, on a scripted run

PROMPT = '"""\nWrite a function to add one.\nassert add_one(1) == 2\n"""\n'
GOOD = "def add_one(x):\n    return x + 1"
WRONG = "def add_one(x):\n    return x + 2"


def fenced(code: str) -> str:
    return f"```python\n{code}\n```"


def _data(tmp_path: Path, numbers: tuple[int, ...]) -> str:
    rows = [{"task_id": f"Mbpp/{n}", "prompt": PROMPT, "entry_point": "add_one",
             "canonical_solution": f"\n{GOOD}\n", "base_input": [[1], [2]],
             "plus_input": [[i] for i in range(-5, 5)], "atol": 0} for n in numbers]  # fmt: skip
    path = tmp_path / "MbppPlus.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def _script(tmp_path: Path) -> str:
    """Mbpp/8 sustains all 10 loops (its summaries from loop 3 on are the code itself), Mbpp/9
    sustains 1, Mbpp/10 fails loop 1."""
    ten = [fenced(GOOD)] + [
        r for i in range(9) for r in ("adds one" if i < 1 else fenced(GOOD), fenced(GOOD))
    ]
    script: dict[str, list[Any]] = {
        "Mbpp/8": ten,
        "Mbpp/9": [fenced(GOOD), "adds two", fenced(WRONG)],
        "Mbpp/10": [fenced(WRONG)],
    }
    path = tmp_path / "replies.jsonl"
    path.write_text(
        "".join(json.dumps({"sample": s, "epoch": 1, "replies": r}) + "\n" for s, r in script.items())
    )
    return str(path)


def _trace(tmp_path: Path, buckets: dict[str, list[str]]) -> Path:
    """A details file shaped as theirs: a task sustaining k < 10 has k + 1 cycles."""

    def entry(task: str, k: int) -> dict[str, Any]:
        cycle = {"code_output": GOOD, "summary_output": f'"""\nadds one\n{PROMPT.splitlines()[2]}\n"""\n'}
        return {"task_id": task, "initial_prompt": PROMPT, "successful_cycles": k,
                "cycles": [cycle] * min(k + 1, 10)}  # fmt: skip

    path = tmp_path / "evalooop" / "details" / "m.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({k: [entry(t, int(k)) for t in tasks] for k, tasks in buckets.items()}))
    return path


@pytest.fixture
def scripted_logs(tmp_path: Path) -> Path:
    folder = tmp_path / "prompts" / "en" / "pseudocode"
    folder.mkdir(parents=True)
    (folder / "spec_to_code_evalooop.prompt").write_text("Generate: \n{description}\nCode only.")
    (folder / "code_to_spec_evalooop.prompt").write_text("Summarise:\n\n```\n{code}\n```\n")
    task = mbpp_plus(dataset=_data(tmp_path, (8, 9, 10)), sandbox="local", preset="evalooop",
                     prompts=str(tmp_path / "prompts"))  # fmt: skip
    [log] = inspect_eval(
        task, model=f"replay/{_script(tmp_path)}", log_dir=str(tmp_path / "logs"), display="none"
    )
    assert log.status == "success"
    return tmp_path / "logs"


def test_the_comparison_of_a_scripted_run_gives_the_figures_known_in_advance(
    scripted_logs: Path, tmp_path: Path
) -> None:
    ours, notes = our_trials(scripted_logs)
    assert {t: o.sustained for t, o in ours.items()} == {"Mbpp/8": 10, "Mbpp/9": 1, "Mbpp/10": 0}
    assert ours["Mbpp/8"].leaks == 8 and ours["Mbpp/9"].leaks == 0 and not notes  # loops 3..10 leaked
    assert ours["Mbpp/10"].category is not None and ours["Mbpp/8"].loop1_code == GOOD
    theirs = read_trace(_trace(tmp_path, {"10": ["Mbpp/8"], "0": ["Mbpp/9", "Mbpp/10"]}))
    control = {"Mbpp/9": {1: (False, False)}, "Mbpp/8": {1: (True, True), 2: (True, False)}}
    rows = task_rows(ours, theirs, ["Mbpp/8", "Mbpp/9", "Mbpp/10"], control=control)
    assert [r.why() for r in rows] == ["", "weights/server: the harness agrees on their code", ""]
    assert rows[0].harness_differs() == [2] and rows[0].control_text() == "differs at loop(s) 2 of 2"
    assert rows[1].control_text() == "all 1 agree" and rows[2].control_text() == ""
    s = summary(rows)
    assert s["table"] == {(True, True): 1, (True, False): 1, (False, True): 0, (False, False): 1}
    assert s["agreement"].value == pytest.approx(2 / 3)
    assert s["boot"]["kappa"].value == pytest.approx(0.4)  # po 2/3, chance 4/9
    assert s["boot"]["asl_ours"].value == pytest.approx(101 / 30)  # (10^2 + 1^2) / (3 x 10)
    assert s["boot"]["asl_theirs"].value == pytest.approx(100 / 30)
    assert s["equal_loops"].value == pytest.approx(2 / 3) and s["same_code"] == 2
    assert s["pass10"][0].value == pytest.approx(1 / 3) and s["classes"]["1-9", "0"] == 1
    assert s["control"] == "1 of 2 tasks"
    assert [r.disagreement() for r in rows] == ["", "weights/server: the harness agrees on their code", ""]
    text = markdown(rows, subset_size=4)
    assert "**interim**: 3 of 4 tasks complete" in text and "| Mbpp/9 | 1 | 0 | loop 2: " in text
    assert "### Every disagreement in loops sustained (1 of 3 tasks)" in text
    assert "| Mbpp/9 | 1 | 0 | failed loop 1 | loop 2: " in text


def _row(ours: int, theirs: int, control: Control | None, limited: bool = False) -> TaskRow:
    """A task where ours sustain `ours` loops and theirs `theirs` (10: passed every loop)."""
    failed = ours < 10
    detail = "semantic: f(1) expected 2 (int), got 3 (int) | one"
    trial = OurTrial("Mbpp/1", "f", ours, ours + 1 if failed else None, "semantic" if failed else None,
                     detail if failed else None, GOOD, 0)  # fmt: skip
    traced = TracedTask("Mbpp/1", theirs, (GOOD,) * min(theirs + 1, 10), ("",) * min(theirs + 1, 10))
    return TaskRow("Mbpp/1", limited, trial, traced, True, control, 0)  # fmt: skip


def test_a_disagreement_after_loop_1_is_classed_by_the_control_of_their_every_loop() -> None:
    agree = {k: (k <= 3, k <= 3) for k in range(1, 5)}  # theirs sustain 3, fail loop 4, as here
    assert _row(3, 3, agree).disagreement() == ""
    later = _row(10, 3, agree)  # loop 1 agrees; the chains part later
    assert later.why() == "" and later.disagreement() == "weights/server: the harness agrees on their code"
    differs = {**agree, 4: (False, True)}  # our harness would pass their loop-4 code
    assert _row(10, 3, differs).disagreement() == "harness: their code gets another verdict here at loop(s) 4"
    assert _row(10, 3, differs, limited=True).disagreement() == "harness limit (pre-registered)"
    assert _row(10, 3, None).disagreement() == "unclassified: no harness control"
    text = markdown([_row(2, 3, agree), _row(3, 3, agree)], subset_size=2).split("### Every disagreement")[1]
    assert "(1 of 2 tasks)" in text and "| Mbpp/1 | 2 | 3 | failed loop 4 | loop 3: semantic: f(1)" in text
    assert "got 3 (int) \\| one |" in text  # a bar in the detail does not split the cell


def test_logs_outside_the_subset_or_protocol_are_refused(scripted_logs: Path, tmp_path: Path) -> None:
    ours, _ = our_trials(scripted_logs)
    theirs = read_trace(_trace(tmp_path, {"10": ["Mbpp/8"], "0": ["Mbpp/9", "Mbpp/10"]}))
    with pytest.raises(CompareError, match="outside the pre-registered subset"):
        task_rows(ours, theirs, ["Mbpp/8", "Mbpp/9"])
    with pytest.raises(CompareError, match="not run under EvaLooop's protocol"):
        our_trials(scripted_logs, max_loops=3)


def test_statistics() -> None:
    assert cohen_kappa([True, True, False, False], [True, True, False, False]) == 1.0
    assert cohen_kappa([True, False], [False, True]) == pytest.approx(-1.0)
    assert mcnemar_exact(0, 0) == 1.0 and mcnemar_exact(0, 6) == pytest.approx(2 / 64)
    assert mcnemar_exact(3, 3) == 1.0
    with pytest.raises(ValueError, match="equal"):
        cohen_kappa([True], [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "expected an object"),
        ('{"11": []}', "not a loop count"),
        ('{"2": [{"task_id": "Mbpp/2", "cycles": []}]}', "has 0 cycles, not 3"),
        ("{", "not JSON"),
    ],
)
def test_a_malformed_trace_is_refused_in_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(content)
    with pytest.raises(TraceError, match=message):
        read_trace(path)


def test_the_same_program_is_equal_asts_layout_and_comments_aside() -> None:
    assert same_code("def f(x):\n    # one\n    return x+1", "def f(x):\n    return x + 1\n")
    assert not same_code("def f(y):\n    return y + 1", "def f(x):\n    return x + 1")
    assert not same_code(None, "def f(): pass") and same_code("def f(:", " def f(:")


def test_their_summary_is_unwrapped_as_our_spec() -> None:
    assert unwrap_summary('"""\nadds one\nand more\nassert add_one(1) == 2\n"""\n') == "adds one\nand more"
    assert unwrap_summary("plain") == "plain"


def test_the_command_says_in_one_line_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", "--peer-data", str(tmp_path), "--log-dir", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_real_trace_reads_as_published() -> None:
    details = peer_data() / "evalooop" / "details" / f"{MODEL_ID}.json"
    if not details.is_file():
        pytest.skip("../shared/peer-data/evalooop is absent (or set ROUNDTRIP_PEER_DATA)")
    theirs = read_trace(details)
    loops = [t.sustained for t in theirs.values()]
    assert len(theirs) == 378 and asl_pow(loops) == pytest.approx(3.425, abs=5e-4)
    assert sum(t.loop1_passed for t in theirs.values()) == 150
