"""The typed codec and type-exact comparison (pure; nothing is executed)."""

import math

import pytest

from roundtrip_eval.runner import Opaque, decode, encode, typed_equal

VALUES = [
    None, True, False, 0, 1, -7, 2**80, 1.0, -0.0, float("inf"), "", "1", "héllo",
    [1, "a", None], (1, 2), {"a": 1, 2: [3.5]}, {1, 2}, frozenset({"x"}), b"\x00\xff",
    [[(1,)], {"k": (None,)}],
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_round_trip_keeps_value_and_type(value: object) -> None:
    back = decode(encode(value))
    assert typed_equal(back, value)
    assert type(back) is type(value)


def test_nan_round_trips_and_equals_itself() -> None:
    assert math.isnan(decode(encode(float("nan"))))
    assert typed_equal(float("nan"), float("nan"))


@pytest.mark.parametrize(
    ("a", "b"),
    [(1, 1.0), (1, True), (0, False), (1, "1"), ("a", ("a",)), ([1], (1,)), ({"a": 1}, {"a": 1.0}),
     ([1, 2], [1, 2, 3]), ({1: "x"}, {True: "x"}), (None, "None"), ("eooHll Wrld", ("eoo", "Hll Wrld"))],
)
def test_type_changes_are_not_equal(a: object, b: object) -> None:
    assert not typed_equal(a, b)
    assert not typed_equal(b, a)


def test_unknown_types_become_opaque_and_compare_by_type_and_repr() -> None:
    class Thing:
        def __repr__(self) -> str:
            return "Thing()"

    enc = encode(Thing())
    assert enc[0] == "opaque"
    assert decode(enc) == Opaque("Thing", "Thing()")
    assert decode(enc) != Opaque("Other", "Thing()")


def test_deep_nesting_is_cut_not_crashing() -> None:
    deep: list = []
    for _ in range(200):
        deep = [deep]
    assert "opaque" in str(encode(deep))
