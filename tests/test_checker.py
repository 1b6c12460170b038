"""The checker: verdicts from runner records, and real checks of scripted candidates.

Candidates here are our own literals (not model output), so the non-hostile ones run in
Inspect's `local` sandbox; the hostile suite runs against Docker in test_hostile.py.
"""

import time

import pytest
from inspect_ai.util._sandbox.local import LocalSandboxEnvironment

from roundtrip_eval.checker import compare, judge, mismatch_kind, parse_records, run_check
from roundtrip_eval.problems import Outcome, load_problem

FIZZ = load_problem("fizzbuzz")


def outcomes(values: list) -> list:
    return [Outcome(ok=True, value=v) for v in values]


def test_mismatch_kinds() -> None:
    ok = Outcome(ok=True, value="Fizz")
    assert mismatch_kind(ok, Outcome(ok=True, value="Fizz")) is None
    assert mismatch_kind(ok, Outcome(ok=True, value="fizz")) == "semantic"
    assert mismatch_kind(ok, Outcome(ok=True, value=("Fizz",))) == "return_type"
    assert mismatch_kind(ok, Outcome(ok=False, error="ValueError")) == "crash"
    raised = Outcome(ok=False, error="KeyError")
    assert mismatch_kind(raised, Outcome(ok=False, error="KeyError")) is None
    assert mismatch_kind(raised, Outcome(ok=False, error="TypeError")) == "semantic"
    assert mismatch_kind(raised, Outcome(ok=True, value=None)) == "semantic"


def test_type_differences_in_the_light_of_c0s_types() -> None:
    types = frozenset({int, str})  # fizzbuzz returns both
    fizz, seven = Outcome(ok=True, value="Fizz"), Outcome(ok=True, value=7)
    assert mismatch_kind(fizz, Outcome(ok=True, value=3), types) == "semantic"  # dropped branch
    assert mismatch_kind(seven, Outcome(ok=True, value="7"), types) == "return_type"  # str(n)
    assert mismatch_kind(seven, Outcome(ok=True, value="Buzz"), types) == "semantic"
    assert mismatch_kind(seven, Outcome(ok=True, value=7.0), types) == "return_type"
    assert mismatch_kind(seven, Outcome(ok=True, value=True), types) == "return_type"
    sep = Outcome(ok=True, value="eoHll")
    assert mismatch_kind(sep, Outcome(ok=True, value=("eo", "Hll")), frozenset({str})) == (
        "return_type")


def test_compare_reports_the_smallest_failing_input_and_counts() -> None:
    actual = [o.value for o in FIZZ.expected]
    wrong = [i for i, a in enumerate(FIZZ.inputs) if a[0] in (0, 3, 7)]
    values = list(actual)
    for i in wrong:
        values[i] = None  # fizzbuzz never returns None: a type change
    verdict = compare(FIZZ, outcomes(values))
    assert not verdict.passed
    assert verdict.category == "return_type"
    assert verdict.n_failed == len(wrong)
    assert verdict.failures[0]["input"] in ("(0,)", "(3,)")
    assert verdict.detail.startswith("return_type: fizzbuzz(")
    assert f"{len(wrong)}/{len(FIZZ.inputs)} inputs differ" in verdict.detail


def test_behaviour_hash_tracks_outcomes() -> None:
    same = compare(FIZZ, list(FIZZ.expected))
    assert same.passed and same.category == "none"
    values = [o.value for o in FIZZ.expected]
    values[5] = "Fizz" if values[5] != "Fizz" else "Buzz"
    other = compare(FIZZ, outcomes(values))
    assert other.behaviour != same.behaviour
    assert compare(FIZZ, outcomes(values)).behaviour == other.behaviour


def test_judge_rejects_tampered_or_missing_channels() -> None:
    started = time.monotonic()
    assert judge(FIZZ, [], started).category == "crash"
    dup = [{"i": 0, "ok": True, "v": ["int", "1"]}] * 2 + [{"done": 2}]
    assert "tampered" in judge(FIZZ, dup, started).detail
    short = [{"i": 0, "ok": True, "v": ["int", "1"]}, {"done": 1}]
    assert "missing" in judge(FIZZ, short, started).detail


def test_records_need_the_nonce() -> None:
    out = 'abc {"i": 0}\nSUCCESS\nxyz {"i": 1}\nabc not-json\n'
    assert parse_records(out, "abc") == [{"i": 0}]


CANDIDATES = {
    "reference": (FIZZ.reference, True, "none"),
    "str_for_int": (FIZZ.reference.replace("return n", "return str(n)"), False, "return_type"),
    "true_for_1": (FIZZ.reference.replace("return n", "return True if n == 1 else n"), False,
                   "return_type"),
    "float_result": (FIZZ.reference.replace("return n", "return n * 1.0"), False, "return_type"),
    "zero_differs": (FIZZ.reference.replace("if n % 15 == 0:", "if n % 15 == 0 and n != 0:"),
                     False, "semantic"),
    "prints_fake_success": ("print('SUCCESS: All tests passed')\n" + FIZZ.reference
                            + "\nprint('abc {\"done\": 150}')\n", True, "none"),
    "fake_success_then_exit": ("print('SUCCESS')\nimport os\nos._exit(0)\n", False, "crash"),
    "sys_exit_at_import": ("import sys\nsys.exit(0)\n", False, "crash"),
    "raises": ("def fizzbuzz(n):\n    raise ValueError('no')\n", False, "crash"),
    "renamed": ("def fizz_buzz(n):\n    return n\n", False, "signature"),
    "arity": ("def fizzbuzz(n, m):\n    return n\n", False, "signature"),
    "syntax": ("def fizzbuzz(n)\n    return n\n", False, "syntax"),
    "slow_call": ("import time\ndef fizzbuzz(n):\n    time.sleep(5)\n", False, "timeout"),
}


@pytest.mark.parametrize("name", sorted(CANDIDATES))
async def test_real_checks_in_the_local_sandbox(name: str) -> None:
    code, passed, category = CANDIDATES[name]
    verdict = await run_check(LocalSandboxEnvironment(), code, FIZZ, call_timeout=0.5)
    assert (verdict.passed, verdict.category) == (passed, category), verdict.detail


async def test_huge_return_values_are_a_type_change_not_an_output_overflow() -> None:
    # Real shape (qwen2.5-coder-0.5b, ja): fizzbuzz(n) returning the whole list 1..n; on the
    # large inputs the encoded values alone would overflow the output cap and read as a crash.
    code = (
        "def fizzbuzz(n):\n    out = []\n    for i in range(1, min(n, 300000) + 1):\n"
        "        out.append('Fizz' if i % 3 == 0 else str(i))\n    return out\n"
    )
    verdict = await run_check(LocalSandboxEnvironment(), code, FIZZ, call_timeout=2.0)
    assert verdict.category == "return_type", verdict.detail
    assert "(list)" in verdict.detail
