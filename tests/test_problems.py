"""Problem folders are validated on load: each malformed folder is one ProblemError line naming
the file and what is wrong, and a folder with too few inputs is refused, never scored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from roundtrip_eval.check.runner import encode
from roundtrip_eval.cli.problems import check_problems
from roundtrip_eval.problems import load as problems
from roundtrip_eval.problems.load import (
    MIN_INPUTS,
    ProblemError,
    list_problems,
    load_problem,
    load_problem_folder,
)

TOML = """\
name = "demo"
function = "double"
domain = "arithmetic"
familiarity = "novel"
description = "Twice n."

[inputs]
seed = 7
count = 60
"""
REFERENCE = "def double(n):\n    return n * 2\n"
INPUTS = """\
CASES = [(1,), (2,)]


def generate(rng, count):
    return [(rng.randrange(10**6),) for _ in range(count)]


def probe_classes(args):
    return ["edge"] if args[0] < 3 else ["plain"]
"""


def make(root: Path, name: str = "demo", files: dict[str, str] | None = None) -> Path:
    """A valid problem folder `root/name`, with the files in `files` replaced or added."""
    folder = root / name
    contents = {"task.toml": TOML, "reference.py": REFERENCE, "inputs.py": INPUTS, **(files or {})}
    for file, text in contents.items():
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        (folder / file).write_text(text, encoding="utf-8")
    return folder


def inputs_with(generate_body: str, cases: str = "[(1,), (2,)]", extra: str = "") -> str:
    return f"CASES = {cases}\n\n\ndef generate(rng, count):\n    {generate_body}\n{extra}"


# (case id, file to replace, its new content, the message after "<folder>/<file>: ")
CASES: list[tuple[str, str, str, str]] = [
    ("toml_syntax", "task.toml", 'name = "demo\n', "not valid TOML: "),
    ("count_not_int", "task.toml", TOML.replace("count = 60", 'count = "many"'),
     "[inputs] count must be an integer, got str 'many'"),
    ("seed_float", "task.toml", TOML.replace("seed = 7", "seed = 1.5"),
     "[inputs] seed must be an integer, got float 1.5"),
    ("count_negative", "task.toml", TOML.replace("count = 60", "count = -1"),
     "[inputs] count must be 0 or more, got -1"),
    ("inputs_key_typo", "task.toml", TOML.replace("count = 60", "cout = 60"),
     "[inputs] has no key 'cout' (keys: seed, count)"),
    ("inputs_not_table", "task.toml", TOML.split("[inputs]")[0] + "inputs = 3\n",
     "inputs must be a table ([inputs] with seed and count), got int 3"),
    ("missing_function", "task.toml", TOML.replace('function = "double"\n', ""),
     "missing required key 'function'"),
    ("description_not_str", "task.toml", TOML.replace('"Twice n."', "3"),
     "'description' must be a non-empty string, got int 3"),
    ("familiarity", "task.toml", TOML.replace('"novel"', '"famous"'),
     "familiarity must be known or novel, got 'famous'"),
    ("function_not_a_name", "task.toml", TOML.replace('"double"', '"dou ble"'),
     "function must be a Python function name, got 'dou ble'"),
    ("reference_raises", "reference.py", "1 / 0\n" + REFERENCE,
     "importing it raised ZeroDivisionError: division by zero"),
    ("reference_syntax", "reference.py", "def double(n)\n    return n\n", "line 1: expected ':'"),
    ("reference_no_function", "reference.py", "def triple(n):\n    return n * 3\n",
     "no top-level `def double(...)`, the function task.toml names (defined: triple)"),
    ("reference_rebound", "reference.py", REFERENCE + "double = 5\n",
     "double is rebound to int 5 after its def"),
    ("inputs_raise", "inputs.py", "raise RuntimeError('boom')\n",
     "importing it raised RuntimeError: boom"),
    ("no_cases", "inputs.py", "def generate(rng, count):\n    return []\n",
     "defines no CASES (a list of argument tuples; [] for none)"),
    ("cases_int", "inputs.py", inputs_with("return []", cases="5"),
     "CASES must be a list of argument tuples, got int 5"),
    ("cases_not_tuples", "inputs.py", inputs_with("return []", cases="[1, 2]"),
     "CASES[0] is int 1, not an argument tuple (one argument: (x,))"),
    ("no_generate", "inputs.py", "CASES = [(1,)]\n",
     "defines no generate(rng, count) (return [] to add no inputs)"),
    ("generate_raises", "inputs.py", inputs_with("raise ValueError('boom')"),
     "generate(rng, 60) raised ValueError: boom"),
    ("generator_raises", "inputs.py", inputs_with("yield (1,)\n    raise KeyError('k')"),
     "generate(rng, 60) raised KeyError: 'k' while yielding"),
    ("generate_returns_int", "inputs.py", inputs_with("return 5"),
     "generate(rng, 60) returned int 5, not a list of argument tuples"),
    ("generate_returns_ints", "inputs.py", inputs_with("return [1, 2, 3]"),
     "generate(rng, 60) item 0 is int 1, not an argument tuple (one argument: (x,))"),
    ("yields_nothing", "inputs.py", inputs_with("return []", cases="[]"),
     f"0 distinct inputs, fewer than the floor of {MIN_INPUTS}; add CASES or raise count under "
     "[inputs] in {folder}/task.toml"),
    ("below_floor", "inputs.py", inputs_with("return [(i,) for i in range(10, 20)]"),
     f"12 distinct inputs, fewer than the floor of {MIN_INPUTS}; add CASES or raise count under "
     "[inputs] in {folder}/task.toml"),
    ("duplicates_below_floor", "inputs.py", inputs_with("return [(1,)] * count"),
     f"2 distinct inputs, fewer than the floor of {MIN_INPUTS}; add CASES or raise count under "
     "[inputs] in {folder}/task.toml"),
    ("object_input", "inputs.py", inputs_with("return [(object(),)]"),
     "generate(rng, 60) item 0 (<object object at"),
    ("set_input", "inputs.py", inputs_with("return [({1, 2},)]"),
     "generate(rng, 60) item 0 ({1, 2},) holds a set; a set's order follows the hash seed, so C0 "
     "on the host and the code in the sandbox could disagree; pass a sorted list"),
    ("bytes_input", "inputs.py", inputs_with("return [([b'x'],)]"),
     "generate(rng, 60) item 0 ([b'x'],) holds a value of type bytes; inputs are built from None, "
     "bool, int, float, str, list, tuple and dict"),
    ("int_subclass_input", "inputs.py",
     "import enum\n\n\nclass Colour(enum.IntEnum):\n    RED = 1\n\n\n"
     + inputs_with("return [(Colour.RED,)]"),
     "generate(rng, 60) item 0 (<Colour.RED: 1>,) holds a value of type Colour; inputs are built"),
    ("too_deep_input", "inputs.py",
     inputs_with("v = 0\n    for _ in range(60):\n        v = [v]\n    return [(v,)]"),
     "[[[[... holds nesting deeper than 50 levels; inputs are built from None, bool"),
    ("arity", "inputs.py", inputs_with("return [(1, 2)]"),
     "generate(rng, 60) item 0 (1, 2) does not fit double(n): too many positional arguments"),
    ("probe_classes_raise", "inputs.py",
     INPUTS.replace('return ["edge"] if args[0] < 3 else ["plain"]', 'return [{"a": "x"}[args[0]]]'),
     "probe_classes((1,)) raised KeyError: 1"),
    ("probe_classes_str", "inputs.py", INPUTS.replace('["edge"] if', '"edge" if'),
     "probe_classes((1,)) returned str 'edge', not a non-empty list of class names"),
    ("probe_classes_not_callable", "inputs.py", INPUTS + "probe_classes = ['edge']\n",
     "probe_classes must be a function of one argument tuple"),
    ("output_object", "reference.py", "def double(n):\n    return object()\n",
     "double(1) returns a value of type object, which the checker cannot compare; return "
     "JSON-like values"),
    ("output_too_large", "reference.py", "def double(n):\n    return 'x' * 70000\n",
     f"double(1) returns a value of {len(json.dumps(encode('x' * 70000)))} encoded bytes, over the "
     "checker's 65536-byte limit for one value"),
]


@pytest.mark.parametrize(("case", "file", "content", "message"), CASES, ids=[c[0] for c in CASES])
def test_malformed_folder_is_one_line_naming_file(
    tmp_path: Path, case: str, file: str, content: str, message: str
) -> None:
    folder = make(tmp_path / "mine", files={file: content})
    with pytest.raises(ProblemError) as caught:
        load_problem_folder(folder)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(f"{folder / file}: "), text
    assert message.replace("{folder}", str(folder)) in text, text
    assert "tasks/" not in text  # the real folder, not a made-up shipped path


def test_valid_folder_loads(tmp_path: Path) -> None:
    problem = load_problem_folder(make(tmp_path))
    assert (problem.name, problem.function, problem.n_cases) == ("demo", "double", 2)
    assert len(problem.inputs) == 62 and problem.expected[0].value == 2
    assert problem.probe_classes[0] == ("edge",) and problem.class_sizes["plain"] == 60


def test_floor_is_one_input_for_a_function_without_parameters(tmp_path: Path) -> None:
    toml = TOML.replace('"double"', '"answer"').replace("count = 60", "count = 0")
    reference = "def answer():\n    return 42\n"
    files = {"task.toml": toml, "reference.py": reference}
    ok = make(tmp_path, "ok", {**files, "inputs.py": inputs_with("return []", cases="[()]")})
    assert load_problem_folder(ok).inputs == ((),)
    empty = make(tmp_path, "empty", {**files, "inputs.py": inputs_with("return []", cases="[]")})
    needs = r"no inputs; a function without parameters needs CASES = \[\(\)\]"
    with pytest.raises(ProblemError, match=needs):
        load_problem_folder(empty)


def test_floor_clears_every_shipped_problem_with_margin() -> None:
    sizes = {n: len(load_problem(n).inputs) for n in list_problems()}
    with_parameters = {n: k for n, k in sizes.items() if load_problem(n).inputs != ((),)}
    assert min(with_parameters.values()) >= 2 * MIN_INPUTS, with_parameters
    assert sizes["get_magic_number"] == 1


def test_variant_errors_name_the_variant_file(tmp_path: Path) -> None:
    folder = make(tmp_path, files={"variants/v/reference.py": "def double(n):\n    return n *\n"})
    with pytest.raises(ProblemError) as caught:
        load_problem_folder(folder, "v")
    assert str(caught.value).startswith(f"{folder}/variants/v/reference.py: line 2")
    (folder / "variants" / "v" / "reference.py").write_text(REFERENCE.replace("2", "3"))
    (folder / "variants" / "v" / "variant.toml").write_text("kind = [\n")
    with pytest.raises(ProblemError, match=r"variants/v/variant.toml: not valid TOML"):
        load_problem_folder(folder, "v")
    with pytest.raises(ProblemError, match=r"declares no variant 'w' \(declared: v;"):
        load_problem_folder(folder, "w")


def test_shipped_task_refuses_a_broken_folder_before_any_trial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is scored: the task itself cannot be built from a folder that yields no inputs."""
    from roundtrip_eval.eval.tasks import fizzbuzz

    make(tmp_path, "fizzbuzz", {
        "task.toml": TOML.replace('"double"', '"fizzbuzz"'),
        "reference.py": "def fizzbuzz(n):\n    return None\n",
        "inputs.py": inputs_with("return []", cases="[]"),
    })
    monkeypatch.setattr(problems, "problems_root", lambda: tmp_path)
    load_problem.cache_clear()
    try:
        with pytest.raises(ProblemError, match="0 distinct inputs, fewer than the floor"):
            fizzbuzz(sandbox="local", epochs=1)
    finally:
        load_problem.cache_clear()


# ---------------------------------------------------------------------------- command line


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "roundtrip-eval"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300)


def test_problems_check_passes_every_shipped_problem() -> None:
    run = _cli("problems", "check")
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(lines) == len(list_problems()) + 1 and all(line.startswith("ok ") for line in lines[:-1])
    assert lines[-1] == f"{len(list_problems())} problems, 0 failed"


def test_problems_check_reports_each_broken_folder_in_one_line(tmp_path: Path) -> None:
    for case, file, content, _ in CASES:
        make(tmp_path, case, {file: content})
    make(tmp_path, "good")
    lost = tmp_path / "lost_toml"
    lost.mkdir()
    (lost / "reference.py").write_text(REFERENCE)
    run = _cli("problems", "check", str(tmp_path))
    assert run.returncode == 1 and run.stderr == ""
    lines = run.stdout.splitlines()
    assert len(lines) == len(CASES) + 3  # + good, lost_toml, the summary
    by_name = {line.split()[1]: line for line in lines[:-1]}
    for case, file, _, message in CASES:
        line = by_name[case]
        assert line.startswith("FAIL ") and f"{tmp_path / case / file}: " in line, line
        assert message.replace("{folder}", str(tmp_path / case)) in line, line
    assert by_name["good"].startswith("ok ") and "62 inputs (2 cases)" in by_name["good"]
    assert f"{lost / 'task.toml'}: missing" in by_name["lost_toml"]
    assert lines[-1] == f"{len(CASES) + 2} problems, {len(CASES) + 1} failed"


def test_problems_check_of_one_folder_and_of_nothing(tmp_path: Path) -> None:
    assert check_problems(make(tmp_path)) == (["ok    demo  62 inputs (2 cases)"], 0)
    run = _cli("problems", "check", str(tmp_path / "absent"))
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.strip().endswith("is not a folder") and len(run.stderr.splitlines()) == 1


BROKEN_TASK = '''\
"""The real `roundtrip` task, reading its problems from ./tasks (no task parameter does that)."""
from pathlib import Path

from inspect_ai import task

import roundtrip_eval.problems.load as problems

problems.problems_root = lambda: Path(__file__).parent / "tasks"

from roundtrip_eval.eval.tasks import roundtrip  # noqa: E402


@task
def broken():
    return roundtrip(problems="fizzbuzz", sandbox="local", epochs=1)
'''
EVAL_CASES = ["yields_nothing", "toml_syntax", "count_not_int", "generate_returns_ints", "object_input"]


@pytest.mark.slow
@pytest.mark.parametrize("case", EVAL_CASES)
def test_inspect_eval_prints_one_line_and_scores_nothing(tmp_path: Path, case: str) -> None:
    _, file, content, message = next(c for c in CASES if c[0] == case)
    fizz = {
        "task.toml": TOML.replace('"double"', '"fizzbuzz"'),
        "reference.py": "def fizzbuzz(n):\n    return None\n",
    }
    fizz[file] = content.replace("double", "fizzbuzz")
    folder = make(tmp_path / "tasks", "fizzbuzz", fizz)
    (tmp_path / "broken.py").write_text(BROKEN_TASK, encoding="utf-8")
    (tmp_path / "r.jsonl").write_text(
        json.dumps({"replies": ["spec", "```python\ndef fizzbuzz(n):\n    return None\n```"]}) + "\n"
    )
    exe = Path(sys.executable).parent / "inspect"
    run = subprocess.run(
        [str(exe), "eval", "broken.py@broken", "--model", "replay/r.jsonl", "--log-dir", "logs"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={**os.environ, "COLUMNS": "1000"},  # a wide console: rich hard-wraps at its width
    )
    printed = [x for x in (run.stdout + run.stderr).splitlines() if x.strip()]
    assert run.returncode == 1
    assert len(printed) == 1 and printed[0].startswith(f"{folder / file}: "), printed
    assert message.replace("{folder}", str(folder)) in printed[0], printed
    assert not (tmp_path / "logs").exists()
