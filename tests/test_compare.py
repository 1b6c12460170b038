"""EvalPlus's comparison rule (`check.compare`) and the `compare` mode of the host's verdict."""

from __future__ import annotations

import pytest

from roundtrip_eval.check.compare import (
    digit_distance,
    evalplus_output,
    evalplus_passes,
    is_floats,
    poly,
    surface_area,
)
from roundtrip_eval.check.host import compare
from roundtrip_eval.check.runner import Opaque
from roundtrip_eval.problems.load import Outcome, Problem


def ok(value: object) -> Outcome:
    return Outcome(ok=True, value=value)


def passes(out: object, exp: object, atol: float = 0.0, oracle: str | None = None) -> bool:
    return evalplus_output(out, exp, atol=atol, oracle=oracle)[0]


def test_equality_is_pythons_so_int_float_and_bool_meet() -> None:
    assert passes(2.0, 2) and passes(True, 1) and passes((1, 2), (1, 2))
    assert not passes([1, 2], (1, 2))  # a list is not equal to a tuple in Python either
    assert not passes("1", 1)


def test_a_float_expected_output_gets_the_default_tolerance() -> None:
    assert passes(0.1 + 0.2, 0.3)
    assert passes([0.1 + 0.2, 1.0], [0.3, 1.0])
    assert not passes(0.31, 0.3)
    assert not passes(3, 4)  # an int expected output gets no tolerance
    assert is_floats([0.5]) and not is_floats([1.0, 2])
    assert not is_floats([])  # an empty list is no list of floats (EvalPlus's `and x`)


def test_the_tasks_atol_and_numpy_refusals() -> None:
    assert passes(1.00009, 1.0, atol=1e-4)
    assert not passes(1.001, 1.0, atol=1e-4)
    assert not passes("abc", 1.0, atol=1e-4)  # numpy cannot compare: a fail, not an error
    assert not passes([1.0, 2.0], [1.0], atol=1e-4)  # shapes differ
    # within the tolerance, but not of the expected output's type: EvalPlus's
    # `assert type(out) == type(exp)` before `numpy.allclose`
    assert passes((1.0000001, 2.0), (1.0, 2.0)) and not passes([1.0000001, 2.0], (1.0, 2.0))
    assert passes(1.0000001, 1.0) and not passes(Opaque("float64", "1.0000001"), 1.0)
    assert not passes(float("nan"), float("nan"))  # numpy.allclose: NaN is not close to NaN


def test_the_two_oracles_that_hold_their_own_answer() -> None:
    # Mbpp/581: C0 takes `height` as the slant height (33 for (3, 4)); EvalPlus also passes its
    # own reading, the height from base to apex (35), as EvaLooop's recorded verdicts do
    assert surface_area(3, 4) == 35
    assert evalplus_output(33, 33, atol=0.0, oracle="surface_area", args=(3, 4))[0]
    assert evalplus_output(35, 33, atol=0.0, oracle="surface_area", args=(3, 4))[0]
    assert not evalplus_output(36, 33, atol=0.0, oracle="surface_area", args=(3, 4))[0]
    assert not evalplus_output("35", 33, atol=0.0, oracle="surface_area", args=(3, 4))[0]
    # Mbpp/558: C0 stops at the shorter number (|1-9| = 8 for (12345, 9)); EvalPlus pads it
    assert digit_distance(12345, 9) == 14 and digit_distance(123, 256) == 7
    assert evalplus_output(14, 8, atol=0.0, oracle="digit_distance", args=(12345, 9))[0]
    assert evalplus_output(8, 8, atol=0.0, oracle="digit_distance", args=(12345, 9))[0]
    assert not evalplus_output(9, 8, atol=0.0, oracle="digit_distance", args=(12345, 9))[0]


def test_the_float_tolerance_sticks_for_the_rest_of_a_run_as_in_evalplus() -> None:
    inputs = [(0,), (1,), (2,)]
    expected = [ok(0.5), ok([2, 1]), ok(3)]
    actual = [ok(0.5), ok([2.0000001, 1]), ok(3)]
    assert evalplus_passes(actual, expected, inputs) == [True, True, True]
    # without the float before it, the same near-miss on a list of ints fails
    # (a float for an int fails either way: the type must be the expected output's)
    assert evalplus_passes([ok(0.5), ok(2.0000001)], [ok(0.5), ok(2)], inputs[:2]) == [True, False]
    assert evalplus_passes(actual[1:], expected[1:], inputs[1:]) == [False, True]
    # base and plus inputs are two runs: the tolerance starts again at the task's atol
    assert evalplus_passes(actual, expected, inputs, n_base=1) == [True, False, True]


def test_special_oracles() -> None:
    assert passes(False, True, oracle="are_equivalent")
    assert passes(0, 7, oracle="sum_div") and not passes(6, 7, oracle="sum_div")
    assert passes(Opaque("Match", "<re.Match>"), True, oracle="not_none")
    assert passes(None, False, oracle="not_none") and not passes(None, True, oracle="not_none")
    assert passes(True, True, oracle="not_none") and not passes(False, True, oracle="not_none")
    # the set-equal problems (EvalPlus's MBPP_OUTPUT_SET_EQ_TASKS): a set for a tuple passes,
    # order and duplicates aside, a missing element does not, nor an output that is no collection
    assert passes({4, 5}, (5, 4), oracle="set_eq") and passes([5, 4, 4], (4, 5), oracle="set_eq")
    assert not passes({4}, (4, 5), oracle="set_eq") and not passes(4, (4,), oracle="set_eq")
    assert not passes({4, 5}, (5, 4))  # without the oracle a set is not a tuple
    xs = [-6, 11, -6, 1]  # (x-1)(x-2)(x-3)
    assert abs(poly(xs, 2.0)) < 1e-12
    assert evalplus_output(2.00000001, 1.0, atol=1e-4, oracle="find_zero", args=(xs,))[0]
    assert not evalplus_output(2.5, 2.5, atol=1e-4, oracle="find_zero", args=(xs,))[0]


def test_raising_and_timing_out_fail_unless_c0_raised_the_same() -> None:
    inputs = [(0,), (1,), (2,)]
    expected = [ok(1), Outcome(ok=False, error="ValueError"), ok(2)]
    actual = [Outcome(ok=False, error="ValueError"), Outcome(ok=False, error="ValueError"), None]
    assert evalplus_passes(actual, expected, inputs) == [False, True, False]


def _problem(expected: list[Outcome], **meta: object) -> Problem:
    inputs = tuple((i,) for i in range(len(expected)))
    return Problem("p", "f", "def f(x): ...", "d", "known", "", inputs, tuple(expected),
                   tuple(("plain",) for _ in inputs), 0, dict(meta))  # fmt: skip


def test_the_host_verdict_follows_the_mode() -> None:
    problem = _problem([ok(1), ok(0.5), ok(True)])
    actual: list[Outcome | None] = [ok(1.0), ok(0.5000001), ok(1)]
    typed = compare(problem, actual)
    assert not typed.passed and typed.category == "return_type" and typed.n_failed == 3
    assert compare(problem, actual, "evalplus").passed
    wrong = compare(problem, [ok(2), ok(0.5), ok(True)], "evalplus")
    assert not wrong.passed and wrong.n_failed == 1 and wrong.category == "semantic"
    with pytest.raises(ValueError, match="compare mode"):
        compare(problem, actual, "loose")


def test_the_host_verdict_uses_the_problems_tolerance_and_oracle() -> None:
    problem = _problem([ok(1.0), ok(4)], atol=0.5, oracle="sum_div", n_base=1)
    assert compare(problem, [ok(1.4), ok(0)], "evalplus").passed
    assert not compare(problem, [ok(1.6), ok(0)], "evalplus").passed


def test_a_not_none_problem_compares_whether_the_code_matched_in_both_modes() -> None:
    problem = _problem([ok(True), ok(False), ok(True)], oracle="not_none")
    actual: list[Outcome | None] = [ok(Opaque("Match", "<re.Match>")), ok(None), ok(True)]
    assert compare(problem, actual).passed and compare(problem, actual, "evalplus").passed
    assert not compare(problem, [ok(None), ok(None), ok(True)]).passed


# --- red16: values the codec carries as opaque, held to EvalPlus's `out == exp` -----------------
def _sent(value: object) -> object:
    """What the host holds after the runner encodes `value` and the host decodes it."""
    from roundtrip_eval.check.runner import decode, encode, valid_encoding

    encoded = encode(value)
    assert valid_encoding(encoded)
    return decode(encoded)


def _verdicts(out: object, exp: object) -> tuple[bool, str]:
    """(passed under evalplus, typed category) of one output against one expected value."""
    problem = _problem([ok(exp)])
    actual: list[Outcome | None] = [ok(_sent(out))]
    return compare(problem, actual, "evalplus").passed, compare(problem, actual).category


def test_an_int_enum_passes_as_its_int_under_evalplus_and_is_a_type_change_typed() -> None:
    from enum import IntEnum

    class Colour(IntEnum):
        RED = 1

    assert Colour.RED == 1  # EvalPlus's own rule in the candidate's process
    assert _verdicts(Colour.RED, 1) == (True, "return_type")
    assert _verdicts(Colour.RED, 2)[0] is False


def test_a_decimal_is_compared_exactly_then_by_the_tolerance_rule() -> None:
    from decimal import Decimal

    assert Decimal("0.1") != 0.1  # EvalPlus: not exact; numpy refuses Decimal - float: a fail
    assert _verdicts(Decimal("0.1"), 0.1) == (False, "return_type")
    assert Decimal("0.5") == 0.5
    assert _verdicts(Decimal("0.5"), 0.5)[0] is True
    assert _verdicts(Decimal("20"), 20) == (True, "return_type")


def test_a_fraction_and_a_namedtuple_pass_as_evalplus_sees_them() -> None:
    from collections import namedtuple
    from fractions import Fraction

    pair = namedtuple("pair", "a b")
    assert _verdicts(Fraction(20), 20) == (True, "return_type")
    assert _verdicts(Fraction(1, 3), 1 / 3)[0] is False  # not `==`; numpy refuses a Fraction
    assert _verdicts(pair(5, [pair(1, 2)]), (5, [(1, 2)])) == (True, "return_type")
    assert _verdicts(pair(5, 6), (6, 5))[0] is False


def test_a_str_subclass_is_read_as_its_str_not_by_its_own_methods() -> None:
    class Shout(str):
        def __str__(self) -> str:
            return "LIE"

    assert _verdicts(Shout("ab"), "ab") == (True, "return_type")
    assert _verdicts(Shout("ab"), "LIE")[0] is False


def test_a_tuple_subclass_whose_eq_and_iter_lie_does_not_pass() -> None:
    class Liar(tuple):
        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter((7, 8))

    assert Liar((1, 2)) == (7, 8)  # EvalPlus would pass it; its stored items are (1, 2)
    assert _verdicts(Liar((1, 2)), (7, 8))[0] is False
    assert _verdicts(Liar((1, 2)), (1, 2)) == (True, "return_type")


def test_an_older_opaque_record_without_a_plain_form_still_loads_and_fails() -> None:
    from roundtrip_eval.check.runner import decode, valid_encoding

    old = ["opaque", "pair", "pair(a=5, b=5)"]
    assert valid_encoding(old) and decode(old) == Opaque("pair", "pair(a=5, b=5)")
    assert not valid_encoding(["opaque", "pair", "x", ["nonsense", ["int", "1"]]])
    problem = _problem([ok((5, 5))])
    assert not compare(problem, [ok(decode(old))], "evalplus").passed


def test_a_class_that_only_calls_itself_fraction_or_decimal_gets_no_plain_form() -> None:
    # red21: the plain form was chosen by the class's module and name strings, so a class of the
    # candidate's named `fractions.Fraction` reported whatever numerator it liked
    from fractions import Fraction

    fake_fraction = type("Fraction", (), {"numerator": 20, "denominator": 1, "__module__": "fractions"})
    fake_decimal = type("Decimal", (), {"__str__": lambda self: "20", "__module__": "decimal"})
    for fake in (fake_fraction, fake_decimal):
        sent = _sent(fake())
        assert isinstance(sent, Opaque) and sent.plain_kind is None, fake
        assert _verdicts(fake(), 20) == (False, "return_type")
    assert _verdicts(Fraction(20), 20) == (True, "return_type")  # the real class keeps its form
