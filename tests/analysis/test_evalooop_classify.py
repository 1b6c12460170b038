"""The disagreement classifier on constructed verdicts: every class from its evidence."""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.analysis.evalooop.classify import CLASSES, classify
from roundtrip_eval.check.runner import TOO_LARGE


def _verdict(passed: bool, category: str = "none", detail: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "passed": passed,
        "category": category,
        "detail": detail,
        "failures": [],
        "n_inputs": 100,
        "decided_by": "runner",
        **extra,
    }


def _record(ours: dict[str, Any], seconds: float = 0.1) -> dict[str, Any]:
    return {"evalplus": ours, "typed": ours, "seconds": seconds}


PASSED_C0 = _verdict(True)


@pytest.mark.parametrize(
    ("ours", "code", "c0", "expected"),
    [
        (_verdict(False, "extraction"), None, PASSED_C0, "extraction"),
        (_verdict(False, "timeout", "timeout: f(10**9) timed out"), "def f(): pass", PASSED_C0, "timeout"),
        (
            _verdict(
                False,
                "semantic",
                "semantic: ...",
                failures=[{"kind": "timeout", "expected": "1 (int)", "actual": "timed out"}],
            ),
            "x",
            PASSED_C0,
            "timeout",
        ),
        (_verdict(False, "semantic"), "x", _verdict(False, "timeout"), "timeout"),
        (
            _verdict(False, "semantic"),
            "x",
            _verdict(False, "semantic", "semantic: a set in another order"),
            "harness",
        ),
        (
            _verdict(False, "semantic", f"semantic: f(1) expected '{TOO_LARGE}' (Opaque)"),
            "x",
            PASSED_C0,
            "harness",
        ),
        (
            _verdict(False, "tampering", "tampering: static screen: ...", decided_by="screen"),
            "x",
            PASSED_C0,
            "ours",
        ),
        (_verdict(False, "crash", "crash: the sandbox ran out of memory"), "x", PASSED_C0, "harness"),
        (
            _verdict(
                False, "return_type", "return_type: f(1) expected 1.0 (float), got <float64 1.0> (Opaque)"
            ),
            "x",
            PASSED_C0,
            "type",
        ),
        (
            _verdict(False, "semantic", "semantic: f(1) expected 0.1 (float), got 0.10001 (float)"),
            "x",
            PASSED_C0,
            "tolerance",
        ),
    ],
)
def test_they_pass_we_fail(ours: dict[str, Any], code: str | None, c0: dict[str, Any], expected: str) -> None:
    found = classify("m", "Mbpp/1", 1, True, _record(ours), code, c0, 3.0)
    assert found.cls == expected, found
    assert found.cls in CLASSES and found.detail
    assert found.row()["theirs"] == "pass" and found.row()["ours"] == ours["category"]


def test_a_module_the_sandbox_does_not_hold_is_a_difference_of_harness() -> None:
    raised = "crash: importing the code raised ModuleNotFoundError: No module named"
    numpy = _verdict(False, "crash", f"{raised} 'numpy'")
    found = classify("m", "Mbpp/763", 2, True, _record(numpy), "import numpy as np", PASSED_C0, 0.1)
    assert found.cls == "harness" and "numpy" in found.detail and "standard library" in found.detail
    sub = {**numpy, "detail": "crash: ... ModuleNotFoundError: No module named 'scipy.special'"}
    assert "scipy" in classify("m", "Mbpp/1", 1, True, _record(sub), "x", PASSED_C0, 0.1).detail
    # a standard-library module missing is no difference of environment: not explained
    own = {**numpy, "detail": f"{raised} 'json.x'"}
    assert classify("m", "Mbpp/1", 1, True, _record(own), "x", PASSED_C0, 0.1).cls == "ours"


def test_a_plain_wrong_value_is_not_explained_away() -> None:
    ours = _verdict(
        False, "semantic", "semantic: f(30, 2) expected 1 (int), got 5 (int)", failed_classes={"plus": 70}
    )
    assert classify("m", "Mbpp/1", 1, True, _record(ours), "x", PASSED_C0, 0.1).cls == "ours"


def test_they_fail_we_pass() -> None:
    slow = classify("m", "Mbpp/1", 2, False, _record(_verdict(True), seconds=1.5), "x", PASSED_C0, 0.1)
    assert slow.ours == "pass" and slow.row()["theirs"] == "fail"
    assert slow.cls == "timeout" and "1.50 s" in slow.detail
    fast = classify("m", "Mbpp/1", 2, False, _record(_verdict(True), seconds=0.2), "x", PASSED_C0, 0.1)
    assert fast.cls == "harness"


def test_their_own_records_judging_one_program_both_ways_is_a_difference_of_harness() -> None:
    wrong = _verdict(False, "semantic", "semantic: f(2) expected 4 (int), got 5 (int)")
    alone = classify("m", "Mbpp/1", 1, True, _record(wrong), "x", PASSED_C0, 0.1, (1, 0))
    assert alone.cls == "ours"  # they passed it the one time they saw it: not explained
    varies = classify("m", "Mbpp/1", 1, True, _record(wrong), "x", PASSED_C0, 0.1, (3, 2))
    assert varies.cls == "harness" and "fail this same program in 2 of 5" in varies.detail
    passing = _record(_verdict(True), seconds=0.2)
    seen = classify("m", "Mbpp/1", 4, False, passing, "x", PASSED_C0, 0.1, (6, 1))
    assert seen.cls == "harness" and "pass this same program in 6 of 7" in seen.detail
    unseen = classify("m", "Mbpp/1", 4, False, passing, "x", PASSED_C0, 0.1, (0, 1))
    assert unseen.cls == "harness" and "do not say what failed" in unseen.detail


SET_ORDER = (
    "def max_aggregate(stdata):\n"
    "    return max(((name, sum(s for n, s in stdata if n == name)) for name in set(n for n, _ in stdata)),"
    " key=lambda x: x[1])\n"
)


def test_an_answer_that_follows_a_sets_order_is_a_difference_of_harness() -> None:
    # Mbpp/299 (deepseek-r1-0528, loop 8): on a tie, max takes the first name in the set's
    # order, which follows the hash seed: their run picked C0's answer, ours (seed 0) does not
    tie = "semantic: max_aggregate([('Alice', -50), ('AlDavidice', -50)]) expected ('Alice', -50) (tuple)"
    ours = _verdict(False, "semantic", f"{tie}, got ('AlDavidice', -50) (tuple)", n_failed=1, n_inputs=108)
    found = classify("m", "Mbpp/299", 8, True, _record(ours), SET_ORDER, PASSED_C0, 0.1)
    assert found.cls == "harness" and "hash seed" in found.detail
    named = SET_ORDER.replace("for name in set(n for n, _ in stdata)", "for name in names")
    named = named.replace("    return", "    names = {n for n, _ in stdata}\n    return")
    assert classify("m", "Mbpp/299", 8, True, _record(ours), named, PASSED_C0, 0.1).cls == "harness"
    # the same code failing many inputs is wrong, not unlucky; a list's order is no hash seed's
    many = {**ours, "n_failed": 40}
    assert classify("m", "Mbpp/299", 8, True, _record(many), SET_ORDER, PASSED_C0, 0.1).cls == "ours"
    listed = SET_ORDER.replace("set(n for n, _ in stdata)", "[n for n, _ in stdata]")
    assert classify("m", "Mbpp/299", 8, True, _record(ours), listed, PASSED_C0, 0.1).cls == "ours"
