"""The codec's rule for the standard library's dict subclasses, and type-exact comparison
inside sets, frozensets and dict keys (docs/scoring.md, "Typed values")."""

from __future__ import annotations

import dis
from collections import Counter, OrderedDict, defaultdict
from typing import Any

import pytest

from roundtrip_eval.check.host import mismatch_kind
from roundtrip_eval.check.runner import Opaque, codec, decode, encode, typed_equal
from roundtrip_eval.problems.load import Outcome


@pytest.mark.parametrize(
    "mapping",
    [Counter("abracadabra"), OrderedDict([("b", 1), ("a", 2)]), defaultdict(list, {1: [2], "k": []})],
    ids=lambda m: type(m).__name__,
)
def test_stdlib_dict_subclasses_are_dicts_of_their_items(mapping: dict) -> None:
    back = decode(encode(mapping))
    assert type(back) is dict
    assert typed_equal(back, dict(mapping))


def test_a_counter_keeps_its_value_types() -> None:
    assert not typed_equal({"a": 1}, decode(encode(Counter({"a": 1.0}))))


def test_a_class_that_only_borrows_the_name_stays_opaque() -> None:
    class Counter(dict):  # noqa: FURB189 - the point: a user class named like the stdlib one
        pass

    assert encode(Counter(a=1))[0] == "opaque"


def test_a_hostile_metaclass_cannot_break_the_encoder() -> None:
    class Meta(type):
        def __getattribute__(cls, name: str) -> Any:
            if name == "__module__":
                raise RuntimeError("no")
            return super().__getattribute__(name)

    class Odd(dict, metaclass=Meta):
        pass

    assert encode(Odd(a=1))[0] == "opaque"


def test_an_overridden_items_cannot_change_what_is_reported() -> None:
    class Liar(OrderedDict):
        def items(self):  # type: ignore[override]
            return [("a", 99)]

    Liar.__module__, Liar.__name__ = "collections", "OrderedDict"
    assert decode(encode(Liar(a=1))) == {"a": 1}


@pytest.mark.parametrize("fn", [codec._enc_json, codec._stdlib_mapping], ids=lambda f: f.__name__)
def test_the_encoder_reads_no_global(fn: Any) -> None:
    reads = {i.opname for i in dis.get_instructions(fn.__code__)}
    assert not reads & {"LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "STORE_GLOBAL"}


@pytest.mark.parametrize(
    ("expected", "actual"),
    [({1, 2}, {1, 2}), ({1: "a", "b": 2}, {"b": 2, 1: "a"}), ({float("nan"), 1.5}, {1.5, float("nan")}),
     (frozenset({(1, "x")}), frozenset({(1, "x")})), (0.0, -0.0), ({-0.0}, {0.0}),
     ({Opaque("T", "t")}, {Opaque("T", "t")})],
)
def test_equal_values_are_typed_equal(expected: Any, actual: Any) -> None:
    assert typed_equal(expected, actual)
    assert typed_equal(actual, expected)


@pytest.mark.parametrize(
    ("expected", "actual", "kind"),
    [({1, 2}, {1.0, 2.0}, "return_type"), ({1, 2}, {True, 2}, "return_type"),
     ({1: "a"}, {True: "a"}, "return_type"), ({1: "a"}, {"1": "a"}, "return_type"),
     ({1, 2}, {1, 3}, "semantic"), ({1: "a", 2: "b"}, {1: "a"}, "semantic"),
     ([{1}], [{1.0}], "return_type"), ({"a": 1}, {"a": 2}, "semantic")],
)
def test_a_set_or_key_of_another_type_is_a_return_type_change(expected: Any, actual: Any, kind: str) -> None:
    got = Outcome(ok=True, value=decode(encode(actual)))
    assert mismatch_kind(Outcome(ok=True, value=expected), got) == kind


@pytest.mark.parametrize(
    "value", [1 + 2j, complex(float("nan"), float("inf")), complex(-0.0, -0.0), [3j, {1j: 2 + 0j}], {1j, 2j}]
)
def test_complex_numbers_travel_and_compare_by_type(value: Any) -> None:
    back = decode(encode(value))
    assert codec.valid_encoding(encode(value)) and typed_equal(back, value)
    assert not typed_equal(1 + 0j, 1.0) and not typed_equal(1 + 0j, 1)


def test_complex_parts_follow_the_float_rules() -> None:
    nan = float("nan")
    assert typed_equal(complex(nan, 1), complex(nan, 1)) and typed_equal(complex(-0.0, 0), 0j)
    assert typed_equal({complex(nan, 0)}, {complex(nan, 0)}) and not typed_equal(1j, 2j)


def test_a_lone_surrogate_travels_as_itself() -> None:
    """JSON's escape of a high and a low surrogate reads back as the astral character they pair
    into (red30): a str holding one travels as its UTF-8 bytes with surrogates passed."""
    from roundtrip_eval.check.runner import valid_encoding

    pair, astral = "\ud83d\ude00", "\U0001f600"
    assert decode(encode(pair)) == pair and decode(encode(astral)) == astral
    assert not typed_equal(decode(encode(pair)), decode(encode(astral)))
    assert len(decode(encode({pair, astral}))) == 2
    assert encode(pair)[0] == "strx" and encode(astral)[0] == "str" and encode("abc")[0] == "str"
    assert valid_encoding(["strx", "eda0bd"]) and not valid_encoding(["strx", "zz"])
    assert not valid_encoding(["strx", "ff"])  # not UTF-8 at all
