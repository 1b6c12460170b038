"""The rescore's unit of checking: one program per syntax tree (`checks.program_key`), each
function's verdict its program's; and C0's outcomes kept for every output folder
(`problems.load_problems` with a shared cache). No Docker."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from peer_data import evalplus_dir

from roundtrip_eval.analysis.evalooop import problems as evalooop_problems
from roundtrip_eval.analysis.evalooop.checks import (
    VERDICTS,
    CheckProgress,
    Item,
    check_items,
    item_key,
    program_key,
    run_key,
)

PLAIN = "def f(x):\n    return x + 1\n"
COMMENTED = "# adds one\ndef f(x):  # the function\n\n    return (x + 1)\n"


def test_one_program_whatever_the_comments_and_layout() -> None:
    assert program_key("Mbpp/1", PLAIN) == program_key("Mbpp/1", COMMENTED)
    assert program_key("Mbpp/1", PLAIN) != program_key("Mbpp/1", PLAIN.replace("1", "2"))
    assert program_key("Mbpp/1", PLAIN) != program_key("Mbpp/2", PLAIN)  # a task of its own
    # a docstring is code (it is __doc__), and so is an assert line after the function
    assert program_key("Mbpp/1", PLAIN) != program_key("Mbpp/1", 'def f(x):\n    "doc"\n    return x + 1\n')
    assert program_key("Mbpp/1", PLAIN) != program_key("Mbpp/1", PLAIN + "assert f(1) == 2\n")
    broken = "def f(x)\n    return x"
    assert program_key("Mbpp/1", broken) == item_key("Mbpp/1", broken)  # no tree: its text
    assert program_key("Mbpp/1", None) == item_key("Mbpp/1", None)


RENAMED = "def f(y):\n    z = y + 1\n    return z\n"
RENAMED_TOO = "def f(y):\n    total = y + 1\n    return total\n"


def test_one_sandbox_run_for_programs_equal_but_for_their_local_names() -> None:
    assert program_key("Mbpp/1", RENAMED) != program_key("Mbpp/1", RENAMED_TOO)
    assert run_key("Mbpp/1", RENAMED) == run_key("Mbpp/1", RENAMED_TOO)
    assert run_key("Mbpp/1", RENAMED) != run_key("Mbpp/2", RENAMED_TOO)  # a task of its own
    # a parameter's name is kept (a caller or a signature can see it), and so is what the code does
    assert run_key("Mbpp/1", RENAMED) != run_key("Mbpp/1", RENAMED.replace("y", "x"))
    assert run_key("Mbpp/1", RENAMED) != run_key("Mbpp/1", RENAMED.replace("+ 1", "+ 2"))
    # global names are the program's interface: never merged
    globals_a = "N = 1\ndef f(y):\n    return y + N\n"
    assert run_key("Mbpp/1", globals_a) != run_key("Mbpp/1", globals_a.replace("N", "M"))
    # code that can read its local names (locals(), a frame, ...) keeps its program key
    frame = "import sys\n    return sys._getframe().f_locals"
    for reader in ("return locals()", "return sorted(vars())", frame):
        a = f"def f(y):\n    z = y\n    {reader}\n"
        b = a.replace("z = y", "w = y")
        assert run_key("Mbpp/1", a) == program_key("Mbpp/1", a) != run_key("Mbpp/1", b)
    # a local of a comprehension or a closure, renamed, is the same run too
    comp = "def f(y):\n    a = [i * 2 for i in y]\n    def g():\n        return a\n    return g()\n"
    renamed = "def f(y):\n    b = [k * 2 for k in y]\n    def g():\n        return b\n    return g()\n"
    assert run_key("Mbpp/1", comp) == run_key("Mbpp/1", renamed)
    broken = "def f(x)\n    return x"
    assert run_key("Mbpp/1", broken) == item_key("Mbpp/1", broken)  # no code: its text


def test_a_run_key_is_the_same_in_every_process() -> None:
    # `c in {'a', 'e', ...}` compiles to a frozenset constant, whose repr follows the hash seed
    code = "def f(s):\n    return [c for c in s if c in {'a', 'e', 'i', 'o', 'u', 'x', 'y'}]\n"
    module = "roundtrip_eval.analysis.evalooop.checks"
    program = f"from {module} import run_key; print(run_key('Mbpp/1', {code!r}))"
    keys = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        argv = [sys.executable, "-c", program]
        keys.add(subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout.strip())
    assert keys == {run_key("Mbpp/1", code)}


def test_every_function_gets_its_runs_verdict_and_a_run_is_made_once(tmp_path: Path) -> None:
    verdict = {"passed": True, "category": "none", "detail": "all inputs match"}
    record = {"key": run_key("Mbpp/1", PLAIN), "task": "Mbpp/1", "seconds": 0.1,
              "typed": verdict, "evalplus": verdict}  # fmt: skip
    (tmp_path / VERDICTS).write_text(json.dumps(record) + "\n", encoding="utf-8")
    items = [Item("Mbpp/1", PLAIN), Item("Mbpp/1", COMMENTED), Item("Mbpp/1", PLAIN)]
    # the one program already has its verdict: nothing goes to a sandbox (none is given)
    found = check_items(items, {}, tmp_path, progress=False)
    assert set(found) == {item_key("Mbpp/1", PLAIN), item_key("Mbpp/1", COMMENTED)}
    assert all(r["typed"]["passed"] and r["key"] == record["key"] for r in found.values())
    lines = (tmp_path / VERDICTS).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1  # nothing was checked again


def test_c0_outcomes_are_kept_for_the_next_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = evalplus_dir()
    shared = tmp_path / "shared"
    said: list[str] = []
    first, seconds = evalooop_problems.load_problems(
        dataset, ["Mbpp/3"], tmp_path / "a", shared=shared, echo=said.append
    )
    assert len(said) == 1 and (shared / "Mbpp_3.json").is_file() and seconds["Mbpp/3"] >= 0
    again, _ = evalooop_problems.load_problems(
        dataset, ["Mbpp/3"], tmp_path / "b", shared=shared, echo=said.append
    )
    assert len(said) == 1, "C0 ran again although its outcomes were kept"
    assert (tmp_path / "b" / "Mbpp_3.json").is_file()  # the new folder holds them too
    assert again["Mbpp/3"].expected == first["Mbpp/3"].expected
    # outcomes made another way (another recipe) are not handed back
    monkeypatch.setattr(evalooop_problems, "RECIPE", "another")
    evalooop_problems.load_problems(dataset, ["Mbpp/3"], tmp_path / "c", shared=shared, echo=said.append)
    assert len(said) == 2


def _row(task_id: str, body: str) -> dict[str, object]:
    prompt = '"""\nWrite a function.\nassert f(1) == 1\n"""\n'
    return {"task_id": task_id, "prompt": prompt, "entry_point": "f",
            "canonical_solution": f"\ndef f(x):\n{body}", "base_input": [[1], [2]],
            "plus_input": [[3]], "atol": 0}  # fmt: skip


def test_a_c0_that_dies_on_one_input_is_built_input_by_input_and_the_rest_goes_on(tmp_path: Path) -> None:
    # C0 of Mbpp/9 ends its own process on input 2, as Mbpp/255's C0 did past the memory cap: the
    # child running C0 (`problems.reference`) dies, so that problem is run input by input
    dying = "    if x == 2:\n        import os\n        os._exit(3)\n    return x\n"
    rows = [_row("Mbpp/8", "    return x * 2\n"), _row("Mbpp/9", dying), _row("Mbpp/10", "    return -x\n")]
    with gzip.open(tmp_path / "MbppPlus.jsonl.gz", "wt", encoding="utf-8") as stream:
        stream.writelines(json.dumps(r) + "\n" for r in rows)
    built, seconds = evalooop_problems.load_problems(
        tmp_path, ["Mbpp/8", "Mbpp/9", "Mbpp/10"], tmp_path / "out", workers=2
    )
    assert [o.value for o in built["Mbpp/8"].expected] == [2, 4, 6]
    assert [o.value for o in built["Mbpp/10"].expected] == [-1, -2, -3]
    dead = built["Mbpp/9"].expected
    assert [o.ok for o in dead] == [True, False, True] and dead[1].error == "MemoryError"
    assert set(seconds) == {"Mbpp/8", "Mbpp/9", "Mbpp/10"}


def test_the_time_left_is_projected_from_the_weight_of_the_checks_done() -> None:
    line = CheckProgress(3, weight=10.0, enabled=False)
    line.started = time.monotonic() - 10.0  # 10 s for the first check, weighted 1 of 10
    line.advance_by(1, 1.0)
    assert "1/3 checks" in line.text() and "1 failed" in line.text()
    assert "about 1m30s left" in line.text()  # 9 of the weight is left: 90 s, not 20 s
