"""The known/novel twin problems: pairing, matched difficulty, inputs, determinism, variants."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.problems import difficulty
from roundtrip_eval.problems.difficulty import (
    ast_node_count,
    cyclomatic_complexity,
    pair_members,
    pair_table,
    ratio,
    within_band,
)
from roundtrip_eval.problems.load import Problem, list_problems, load_problem, problems_root

JSON_SCALARS = (int, float, bool, str, type(None))


def _meta(name: str) -> dict[str, Any]:
    return tomllib.loads((problems_root() / name / "task.toml").read_text(encoding="utf-8"))


def _arity(reference: str, function: str) -> int:
    for node in ast.walk(ast.parse(reference)):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return len(node.args.posonlyargs) + len(node.args.args)
    raise AssertionError(f"{function} is not defined")


def _case_types(problem: Problem) -> set[str]:
    return {type(o.value).__name__ for o in problem.expected[: problem.n_cases] if o.ok}


def _json_like(value: Any) -> bool:
    if isinstance(value, JSON_SCALARS):
        return not isinstance(value, float) or value == value  # NaN is not JSON
    if isinstance(value, list):
        return all(_json_like(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_like(v) for k, v in value.items())
    return False


PAIRS = pair_members()
PAIRED = sorted(n for names in PAIRS.values() for n in names)
TABLE = {row["pair"]: row for row in pair_table()}


# --- the difficulty measures themselves, on hand-counted snippets -----------------------------

FIZZBUZZ = """\
def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    elif n % 3 == 0:
        return "Fizz"
    elif n % 5 == 0:
        return "Buzz"
    else:
        return n
"""

BRANCHY = """\
def g(xs):
    total = 0
    for x in xs:
        if x > 0 and x < 10 or x == 99:
            total += x
    while total > 100:
        total -= 1
    try:
        pass
    except ValueError:
        pass
    except KeyError:
        pass
    return [y for y in xs if y if y] + [total if total else 0]
"""


@pytest.mark.parametrize(
    ("source", "nodes"),
    [
        ("x = 1", 4),  # Module, Assign, Name, Constant (the Store context is not counted)
        ("f(x)", 5),  # Module, Expr, Call, Name, Name
        ("def f(a):\n    return a + 1\n", 9),  # Module, def, arguments, arg, Return, BinOp,
        # Name, Add, Constant
        (FIZZBUZZ, 36),  # 4 (Module, def, arguments, arg) + 3 x 10 per if/elif + 2 (else return)
    ],
)
def test_ast_node_count_on_hand_counted_snippets(source: str, nodes: int) -> None:
    assert ast_node_count(source) == nodes


@pytest.mark.parametrize(
    ("source", "complexity"),
    [
        ("x = 1", 1),
        ("def f(a):\n    return a + 1\n", 1),
        (FIZZBUZZ, 4),  # if + 2 elif
        # for 1, if 1, `a and b or c` 2, while 1, 2 excepts, comprehension 1 + 2 ifs, ternary 1
        (BRANCHY, 12),
        ("match v:\n    case 1:\n        pass\n    case _:\n        pass\n", 3),
        ("assert x\n", 2),
        ("with open(p) as f:\n    pass\n", 1),
        ("def f():\n    def g():\n        return 1\n    return g\n", 1),
    ],
)
def test_cyclomatic_complexity_on_hand_counted_snippets(source: str, complexity: int) -> None:
    assert cyclomatic_complexity(source) == complexity


def test_band_is_a_relative_gap_of_at_most_a_quarter() -> None:
    assert ratio(100, 75) == 0.25 and within_band(100, 75) and within_band(75, 100)
    assert not within_band(100, 74) and not within_band(3, 2)
    assert within_band(4, 3) and within_band(0, 0) and ratio(0, 0) == 0.0


def test_pair_table_flags_a_mismatched_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """The band check can fail: a fake pair whose novel twin is twice as big is not matched."""

    def fake(name: str, source: str, familiarity: str, twin: str) -> Problem:
        return Problem(
            name=name, function=name, reference=source, domain="string",
            familiarity=familiarity, description="", inputs=((1,),), expected=(),
            probe_classes=(("edge",),), n_cases=1,
            metadata={"pair": "p", "twin": twin, "familiarity": familiarity},
        )

    small = "def a(x):\n    return x\n"
    big = "def b(x):\n    if x:\n        return x + 1\n    return [x, x, x * 2]\n"
    problems = {"a": fake("a", small, "known", "b"), "b": fake("b", big, "novel", "a")}
    monkeypatch.setattr(difficulty, "list_problems", lambda: sorted(problems))
    monkeypatch.setattr(difficulty, "load_problem", problems.__getitem__)
    (row,) = difficulty.pair_table()
    assert row["known"] == "a" and row["novel"] == "b"
    assert row["matched"] is False and row["node_ratio"] > 0.25
    assert "| p | string | a | b |" in difficulty.format_table()


# --- the pairs -----------------------------------------------------------------------------------


def test_enough_pairs_across_enough_domains() -> None:
    assert len(PAIRS) >= 12, sorted(PAIRS)
    domains = {row["domain"] for row in TABLE.values()}
    assert len(domains) >= 4, domains


def test_original_problems_joined_pairs() -> None:
    assert load_problem("fizzbuzz").metadata.get("pair")
    assert load_problem("separate_vowels_and_consonants").metadata.get("pair")


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_pair_has_one_known_and_one_novel_twin_of_each_other(pair: str) -> None:
    names = PAIRS[pair]
    assert len(names) == 2, f"pair {pair}: {names}"
    a, b = (load_problem(n) for n in names)
    assert {a.familiarity, b.familiarity} == {"known", "novel"}, pair
    assert a.metadata.get("twin") == b.name and b.metadata.get("twin") == a.name, pair
    assert a.domain == b.domain, pair
    assert a.function != b.function, pair
    known, novel = (a, b) if a.familiarity == "known" else (b, a)
    assert str(known.metadata.get("known_because", "")).strip(), known.name
    assert str(novel.metadata.get("twin_construction", "")).strip(), novel.name


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_pair_difficulty_is_matched(pair: str) -> None:
    row = TABLE[pair]
    assert row["node_ratio"] is not None and row["node_ratio"] <= 0.25, row
    assert row["complexity_ratio"] is not None and row["complexity_ratio"] <= 0.25, row
    assert row["matched"], row


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_pair_has_same_arity_and_output_types(pair: str) -> None:
    a, b = (load_problem(n) for n in PAIRS[pair])
    assert _arity(a.reference, a.function) == _arity(b.reference, b.function), pair
    assert _case_types(a) == _case_types(b), (pair, _case_types(a), _case_types(b))


@pytest.mark.parametrize("name", PAIRED)
def test_paired_reference_is_plain_and_never_raises(name: str) -> None:
    problem = load_problem(name)
    tree = ast.parse(problem.reference)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert [f.name for f in functions] == [problem.function]
    assert ast.get_docstring(functions[0]) is None, f"{name}: no docstrings in C0"
    assert not any(isinstance(n, ast.Import | ast.ImportFrom) for n in ast.walk(tree))
    raised = [(a, o.error) for a, o in zip(problem.inputs, problem.expected, strict=True)
              if not o.ok]
    assert not raised, f"{name}: C0 raises on {raised[:3]}"


# --- inputs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list_problems())
def test_inputs_are_classified_json_like_and_of_the_right_arity(name: str) -> None:
    problem = load_problem(name)
    arity = _arity(problem.reference, problem.function)
    for args, classes in zip(problem.inputs, problem.probe_classes, strict=True):
        assert isinstance(args, tuple) and len(args) == arity, (name, args)
        assert all(_json_like(a) for a in args), (name, args)
        assert len(classes) >= 1 and all(isinstance(c, str) and c for c in classes), (name, args)


@pytest.mark.parametrize("name", list_problems())
def test_at_least_100_inputs_where_asked(name: str) -> None:
    count = int(_meta(name).get("inputs", {}).get("count", 100))
    if count >= 100:
        assert len(load_problem(name).inputs) >= 100, name


@pytest.mark.parametrize("name", PAIRED)
def test_paired_inputs_cover_edge_and_large(name: str) -> None:
    classes = {c for cls in load_problem(name).probe_classes for c in cls}
    assert {"edge", "large"} <= classes, (name, classes)


def test_loading_is_deterministic_in_process() -> None:
    before = {n: load_problem(n).suite_sha for n in list_problems()}
    load_problem.cache_clear()
    after = {n: load_problem(n).suite_sha for n in list_problems()}
    assert before == after


_SHAS = (
    "import json; from roundtrip_eval.problems.load import list_problems, load_problem; "
    "print(json.dumps({n: load_problem(n).suite_sha for n in list_problems()}))"
)


def test_loading_is_deterministic_across_fresh_processes() -> None:
    """Two interpreters with different hash seeds (set/dict-order bugs show) agree."""
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _SHAS], env=env, capture_output=True,
                             text=True, check=True, timeout=120)
        runs.append(json.loads(out.stdout))
    assert runs[0] == runs[1]
    assert runs[0] == {n: load_problem(n).suite_sha for n in list_problems()}


# --- constants variants -----------------------------------------------------------------------


def _variants() -> list[tuple[str, Path]]:
    found = []
    for name in list_problems():
        root = problems_root() / name / "variants"
        if root.is_dir():
            found += [(name, v) for v in sorted(root.iterdir()) if v.is_dir()]
    return found


def test_fizzbuzz_and_others_declare_constants_variants() -> None:
    constants = [name for name, v in _variants() if v.name == "constants"]
    assert "fizzbuzz" in constants and len(constants) >= 2, constants


@pytest.mark.parametrize(("name", "folder"), _variants(), ids=lambda x: str(getattr(x, "name", x)))
def test_variant_keeps_the_signature_and_changes_behaviour(name: str, folder: Path) -> None:
    parent = load_problem(name)
    meta = tomllib.loads((folder / "variant.toml").read_text(encoding="utf-8"))
    assert str(meta.get("description", "")).strip()
    source = (folder / "reference.py").read_text(encoding="utf-8")
    assert _arity(source, parent.function) == _arity(parent.reference, parent.function)
    namespace: dict[str, Any] = {}
    exec(compile(source, str(folder / "reference.py"), "exec"), namespace)
    func = namespace[parent.function]
    outcomes = [func(*args) for args in parent.inputs]  # a variant must not raise either
    changed = sum(o != e.value for o, e in zip(outcomes, parent.expected, strict=True))
    assert changed >= 5, f"{folder}: differs from C0 on only {changed} parent inputs"
    assert {type(o).__name__ for o in outcomes} <= {
        type(e.value).__name__ for e in parent.expected
    }
