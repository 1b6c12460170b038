"""MBPP+ / HumanEval+ rows as problems, the two tasks, and the settings that serve the peers' chain."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from peer_data import evalplus_dir

from roundtrip_eval.check.host import compare
from roundtrip_eval.check.runner import decode, encode
from roundtrip_eval.eval.dataset import select_problems
from roundtrip_eval.eval.settings import SettingError, TrialSettings
from roundtrip_eval.eval.tasks import humaneval_plus, mbpp_plus, roundtrip
from roundtrip_eval.problems import reference
from roundtrip_eval.problems.evalplus import (
    SOURCES,
    assert_line,
    load_evalplus_problem,
    problem_from_row,
    read_rows,
)
from roundtrip_eval.problems.load import Outcome
from roundtrip_eval.problems.validate import ProblemError

PROMPT = '"""\nWrite a function to find the shared elements.\nassert f((1, 2), (2, 3)) == (2,)\n"""\n'


def row(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "task_id": "Mbpp/2",
        "prompt": PROMPT,
        "entry_point": "similar_elements",
        "canonical_solution": "\ndef similar_elements(a, b):\n  return tuple(sorted(set(a) & set(b)))\n",
        "base_input": [[[3, 4, 5], [5, 4, 10]], [[1, 2], [3]]],
        "plus_input": [[[], []], [[7], [7]]],
        "atol": 0,
    }
    base.update(changes)
    return base


def write(path: Path, rows: list[dict[str, Any]]) -> str:
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        for item in rows:
            stream.write(json.dumps(item) + "\n")
    return str(path)


def test_a_row_becomes_a_problem_with_base_then_plus_inputs() -> None:
    problem = problem_from_row("mbpp_plus", row())
    assert problem.name == "Mbpp/2" and problem.function == "similar_elements"
    # Mbpp/2 takes tuples: EvalPlus's JSON lists are turned back into tuples, as EvalPlus does
    assert problem.inputs[0] == ((3, 4, 5), (5, 4, 10)) and len(problem.inputs) == 4
    assert [o.value for o in problem.expected] == [(4, 5), (), (), (7,)]
    assert problem.probe_classes == (("base",), ("base",), ("plus",), ("plus",))
    assert problem.n_cases == 2 and problem.metadata["n_base"] == 2
    assert problem.metadata["assert_line"] == "assert f((1, 2), (2, 3)) == (2,)"
    assert problem.metadata["oracle"] == "set_eq" and problem.metadata["atol"] == 0.0  # Mbpp/2's
    assert problem_from_row("mbpp_plus", row(entry_point="f", canonical_solution="def f(a, b):\n  return a\n"
                                             )).metadata["oracle"] is None  # fmt: skip


def test_a_reference_counter_is_held_as_the_dict_the_runner_carries() -> None:
    # Mbpp/88 returns a Counter; a candidate's Counter arrives from the runner as a dict, so C0's
    # must be a dict too, or typed mode fails C0 against itself (return_type Counter vs dict)
    source = "import collections\ndef freq(xs):\n  return [collections.Counter(xs)]\n"
    problem = problem_from_row("mbpp_plus", row(task_id="Mbpp/88", entry_point="freq",
                                                canonical_solution=source, base_input=[[[1, 1, 2]]],
                                                plus_input=[]))  # fmt: skip
    (value,) = [o.value for o in problem.expected]
    assert type(value) is list and type(value[0]) is dict and value[0] == {1: 2, 2: 1}
    check = compare(problem, [Outcome(ok=True, value=decode(encode(value)))])
    assert check.passed, check.detail


def test_not_none_tasks_expect_whether_the_reference_matched() -> None:
    source = "import re\ndef check_str(s):\n  return re.search('^a', s)\n"
    problem = problem_from_row("mbpp_plus", row(task_id="Mbpp/737", entry_point="check_str",
                                                canonical_solution=source, base_input=[["ab"], ["b"]],
                                                plus_input=[]))  # fmt: skip
    assert [o.value for o in problem.expected] == [True, False]
    assert problem.metadata["oracle"] == "not_none"


def test_set_equal_tasks_carry_evalplus_s_set_oracle() -> None:
    # Mbpp/2: EvalPlus compares similar_elements' output as a set (EvaLooop's trace passes a set
    # where C0 returns a tuple); typed mode, ours, still sees a change of type
    source = "def similar_elements(a, b):\n  return tuple(set(a) & set(b))\n"
    problem = problem_from_row("mbpp_plus", row(task_id="Mbpp/2", entry_point="similar_elements",
                                                canonical_solution=source, base_input=[[[3, 4], [4, 5]]],
                                                plus_input=[]))  # fmt: skip
    assert problem.metadata["oracle"] == "set_eq"
    assert compare(problem, [Outcome(ok=True, value={4})], "evalplus").passed
    assert not compare(problem, [Outcome(ok=True, value={4})]).passed
    assert not compare(problem, [Outcome(ok=True, value={3})], "evalplus").passed


def test_humaneval_c0_is_prompt_plus_body() -> None:
    he = row(task_id="HumanEval/0", prompt="def add(a, b):\n    \"\"\"Add.\"\"\"\n",
             entry_point="add", canonical_solution="    return a + b\n", base_input=[[1, 2]],
             plus_input=[[0.5, 1]], atol=0)  # fmt: skip
    problem = problem_from_row("humaneval_plus", he)
    assert problem.reference.startswith("def add(a, b):") and "return a + b" in problem.reference
    assert [o.value for o in problem.expected] == [3, 1.5] and problem.metadata["assert_line"] == ""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"entry_point": None}, "'entry_point' must be a str"),
        ({"canonical_solution": "def x(:"}, "does not run"),
        ({"entry_point": "other"}, "defines no function other()"),
        ({"atol": -1}, "atol must be a number >= 0"),
        ({"base_input": [5]}, r"base_input\[0\] is int, not a list of arguments"),
        ({"base_input": [], "plus_input": []}, "no inputs"),
        ({"task_id": "HumanEval/3"}, "is not a Mbpp/<n> id"),
        ({"plus_input": [[[1]]]}, r"plus_input\[0\] \(\(1,\),\) does not fit"),
    ],
)
def test_a_malformed_row_is_one_line_naming_it(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ProblemError, match=message) as error:
        problem_from_row("mbpp_plus", row(**changes))
    assert "\n" not in str(error.value) and "Mbpp/" in str(error.value)


def test_a_missing_field_and_a_broken_file_are_named(tmp_path: Path) -> None:
    bad = row()
    del bad["prompt"]
    with pytest.raises(ProblemError, match="missing field 'prompt'"):
        problem_from_row("mbpp_plus", bad)
    path = tmp_path / "broken.jsonl"
    path.write_text('{"task_id": "Mbpp/2"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ProblemError, match="line 2 is not JSON"):
        read_rows("mbpp_plus", str(path))
    with pytest.raises(ProblemError, match="not found"):
        read_rows("mbpp_plus", str(tmp_path / "absent"))


def test_selection_by_id_number_or_seeded_count(tmp_path: Path) -> None:
    rows = [row(task_id=f"Mbpp/{n}") for n in (2, 3, 4, 6, 7)]
    data = write(tmp_path / "MbppPlus.jsonl.gz", rows)
    assert select_problems("mbpp_plus", str(tmp_path), "3,Mbpp/6", None, 0) == ["Mbpp/3", "Mbpp/6"]
    drawn = select_problems("mbpp_plus", data, None, 3, 7)
    assert len(drawn) == 3 and drawn == select_problems("mbpp_plus", data, None, 3, 7)
    assert drawn == sorted(drawn, key=lambda t: int(t.split("/")[1]))
    with pytest.raises(ValueError, match=r"unknown problem\(s\) \['Mbpp/9'\]"):
        select_problems("mbpp_plus", data, "9", None, 0)


def test_the_task_builds_samples_that_remember_their_source(tmp_path: Path) -> None:
    data = write(tmp_path / "MbppPlus.jsonl.gz", [row(), row(task_id="Mbpp/3")])
    task = mbpp_plus(problems="2", dataset=data, sandbox="local", compare="evalplus", start="prompt")
    [sample] = list(task.dataset)
    assert sample.id == "Mbpp/2" and sample.metadata["source"] == "mbpp_plus"
    assert sample.metadata["dataset"] == data and sample.metadata["n_inputs"] == 4
    assert task.metadata["compare"] == "evalplus" and task.metadata["start"] == "prompt"
    assert load_evalplus_problem("mbpp_plus", "Mbpp/2", data).metadata["n_base"] == 2
    with pytest.raises(SettingError, match="mask_names refused"):
        mbpp_plus(dataset=data, mask_names=True)


def test_start_prompt_needs_problems_with_a_prompt() -> None:
    with pytest.raises(SettingError, match="start=prompt refused"):
        roundtrip(problems="fizzbuzz", start="prompt", sandbox="local")


def test_the_evalooop_preset_sets_their_choices_and_asks_for_their_prompts(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match="preset=evalooop refused: it needs -T prompts=DIR"):
        TrialSettings.from_task_args({"preset": "evalooop"})
    settings = TrialSettings.from_task_args({"preset": "evalooop", "prompts": str(tmp_path), "cycles": 3})
    assert (settings.start, settings.compare, settings.extraction) == ("prompt", "evalplus", "first_fence")
    assert settings.temperature == 0.0 and settings.epochs == 1 and settings.attach_assert
    assert not settings.spec_gate
    assert settings.cycles == 3  # an explicit setting wins over the preset
    with pytest.raises(SettingError, match="-T preset=other refused"):
        TrialSettings.from_task_args({"preset": "other"})


def test_evalooops_assert_line_is_the_second_to_last_line() -> None:
    assert assert_line(PROMPT) == "assert f((1, 2), (2, 3)) == (2,)"
    assert assert_line("one line") == ""


def test_the_whole_of_both_releases_reads_and_every_row_validates() -> None:
    """Rows only (fast): every row of both files passes the row checks; C0 runs in the slow check."""
    folder = str(evalplus_dir())
    assert len(read_rows("mbpp_plus", folder)) == 378
    assert len(read_rows("humaneval_plus", folder)) == 164
    problem = load_evalplus_problem("mbpp_plus", "Mbpp/2", folder)
    assert len(problem.inputs) == 111 and problem.n_cases == 3
    assert type(problem.inputs[0][0]) is tuple  # Mbpp/2 takes tuples
    he = load_evalplus_problem("humaneval_plus", "HumanEval/32", folder)
    assert he.metadata["oracle"] == "find_zero" and he.metadata["atol"] > 0
    assert set(SOURCES) == {"mbpp_plus", "humaneval_plus"}
    with pytest.raises(SettingError, match="unknown problem"):
        humaneval_plus(problems="999", dataset=folder)


def test_a_reference_returning_an_int_longer_than_4300_digits_loads() -> None:
    sys.set_int_max_str_digits(4300)  # Python's default, whatever an earlier test did
    he = row(task_id="HumanEval/83", prompt="def big(n):\n", entry_point="big",
             canonical_solution="    return 10 ** n\n", base_input=[[5000]], plus_input=[])  # fmt: skip
    problem = problem_from_row("humaneval_plus", he)
    assert len(problem.suite_sha) == 16 and len(str(problem.expected[0].value)) == 5001


def test_c0_runs_in_a_child_whose_printing_and_death_are_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    # C0 runs in a child with the candidates' hash seed (`problems.reference`): what it prints
    # does not garble its outcomes, and a child that dies is one line naming the row
    printing = "def f(a, b):\n  print('noise', a)\n  return sorted(set(a) | set(b))\n"
    problem = problem_from_row("mbpp_plus", row(entry_point="f", canonical_solution=printing))
    assert [o.value for o in problem.expected] == [[3, 4, 5, 10], [1, 2, 3], [], [7]]
    dying = "import os\ndef f(a, b):\n  if not a:\n    os._exit(3)\n  return a\n"
    with pytest.raises(ProblemError, match=r"Mbpp/2: C0 did not run on every input \(2 of 4\)"):
        problem_from_row("mbpp_plus", row(entry_point="f", canonical_solution=dying))
    monkeypatch.setattr(reference, "HELD_LIMITS", (1000, 100))
    assert reference._held(list(range(50))) == encode(list(range(50)))
    assert reference._held(list(range(500))) == ["opaque", "list", reference.HELD_TOO_LARGE]
