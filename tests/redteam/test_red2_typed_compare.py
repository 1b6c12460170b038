"""red2: the host's type-exact comparison is not type-exact inside sets and dict keys, and
fails equal NaN values there.

`codec.typed_equal` recurses into lists, tuples and dict values, but compares a set, a
frozenset and a dict's keys with plain `==`: {True, 2} == {1, 2} == {1.0, 2.0}, and a dict
key (1.0,) finds (1,). So a function returning the wrong element types scores as passing
(brief (a)); the harness promises `True` is not `1`. Conversely a set (or dict key) holding NaN
never equals C0's, because each decoded NaN is a new object: a correct function fails (b).

The end-to-end tests run a tiny custom problem (any user may add a task whose C0 returns a set)
through `run_check` in the real sandbox.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.check.runner import decode, encode, typed_equal
from roundtrip_eval.problems.load import Outcome, Problem


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ({1, 2}, {True, 2}),
        ({1, 2}, {1.0, 2.0}),
        (frozenset({0}), frozenset({False})),
        ({(1, 2): "x"}, {(1.0, 2.0): "x"}),
        ([{1}], [{1.0}]),
    ],
)
def test_typed_equal_tells_element_types_apart(expected, actual) -> None:
    assert not typed_equal(expected, decode(encode(actual)))


@pytest.mark.parametrize("value", [{float("nan")}, {float("nan"): 1}, frozenset({float("nan")})])
def test_typed_equal_nan_in_sets_and_keys(value) -> None:
    assert typed_equal(value, decode(encode(value)))


def _problem(function: str, reference, inputs) -> Problem:
    expected = tuple(Outcome(ok=True, value=reference(*args)) for args in inputs)
    return Problem(
        name=function, function=function, reference="", domain="test", familiarity="novel",
        description="", inputs=tuple(inputs), expected=expected,
        probe_classes=tuple(("typical",) for _ in inputs), n_cases=len(inputs),
    )


def _digits(n):
    return {int(c) for c in str(abs(n))}


DIGITS = _problem("digits", _digits, [(n,) for n in (0, 1, 10, 12, 123, 9876, 1001)])


@pytest.mark.docker
async def test_set_of_floats_is_not_a_pass(docker_sandbox) -> None:
    code = "def digits(n):\n    return {float(c) for c in str(abs(n))}\n"
    verdict = await run_check(docker_sandbox, code, DIGITS)
    assert not verdict.passed
    assert verdict.category == "return_type"


@pytest.mark.docker
async def test_set_of_bools_is_not_a_pass(docker_sandbox) -> None:
    code = "def digits(n):\n    return {bool(int(c)) if c in '01' else int(c) for c in str(abs(n))}\n"
    verdict = await run_check(docker_sandbox, code, DIGITS)
    assert not verdict.passed


def _roots(a):
    return {float("nan")} if a < 0 else {a ** 0.5}


ROOTS = _problem("roots", _roots, [(4.0,), (-1.0,), (9.0,)])


@pytest.mark.docker
async def test_correct_set_with_nan_passes(docker_sandbox) -> None:
    code = "import math\ndef roots(a):\n    return {math.nan} if a < 0 else {math.sqrt(a)}\n"
    verdict = await run_check(docker_sandbox, code, ROOTS)
    assert verdict.passed, verdict.detail
