"""An opaque value (a type the codec does not carry) compares by its type name and the digest of
its whole `repr`, not by the 200 characters of it a verdict shows (red-team round 10, red21)."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest

from roundtrip_eval.check.runner import Opaque, decode, encode, protocol, typed_equal, valid_encoding


class Long:
    """A value whose repr is `n` characters, the last one `end`."""

    def __init__(self, n: int, end: str) -> None:
        self.n, self.end = n, end

    def __repr__(self) -> str:
        return "x" * (self.n - 1) + self.end


class Raises:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def _round(value: Any) -> Any:
    encoded = encode(value)
    assert valid_encoding(encoded), encoded
    return decode(encoded)


def test_values_that_differ_only_past_the_shown_text_differ() -> None:
    a, b = _round(Long(5000, "a")), _round(Long(5000, "b"))
    assert a.text == b.text and len(a.text) == 200
    assert not typed_equal(a, b)
    assert typed_equal(a, _round(Long(5000, "a")))
    assert not typed_equal(_round(deque(range(100))), _round(deque([*range(99), 12345])))
    assert typed_equal(_round(deque(range(100))), _round(deque(range(100))))


def test_a_huge_repr_is_hashed_whole() -> None:
    size = 10 << 20
    assert not typed_equal(_round(Long(size, "a")), _round(Long(size, "b")))
    assert not typed_equal(_round(Long(size, "a")), _round(Long(size + 1, "a")))


def test_a_bytearray_compares_by_its_whole_content() -> None:
    assert not typed_equal(_round(bytearray(300)), _round(bytearray(301)))
    assert typed_equal(_round(bytearray(300)), _round(bytearray(300)))
    assert not typed_equal(_round(bytearray(300)), _round(bytes(300)))  # type-exact, as before


def test_the_type_name_still_counts() -> None:
    other = type("Other", (Long,), {})
    assert not typed_equal(_round(Long(10, "a")), _round(other(10, "a")))


def test_a_repr_that_raises_equals_only_itself() -> None:
    a, b = _round(Raises()), _round(Raises())
    assert a.text == "<unrepresentable>" and a.digest == ""
    assert a != b and a == a
    assert typed_equal({"k": a}, {"k": a}) and not typed_equal({"k": a}, {"k": b})
    assert typed_equal([a], [a]) and not typed_equal([a], [b])


def test_a_surrogate_in_a_repr_is_hashed_not_raised() -> None:
    assert not typed_equal(_round(Long(300, "\ud800")), _round(Long(300, "\ud801")))


def test_opaque_values_in_sets_and_dict_keys_compare_by_digest() -> None:
    class Key(Long):
        def __hash__(self) -> int:
            return hash(repr(self))

        def __eq__(self, other: object) -> bool:
            return repr(self) == repr(other)

    one, two = {Key(300, "a"), Key(300, "b")}, {Key(300, "b"), Key(300, "a")}
    assert typed_equal(_round(one), _round(two))
    assert not typed_equal(_round({Key(300, "a")}), _round({Key(300, "c")}))
    assert not typed_equal(_round({Key(300, "a"): 1}), _round({Key(300, "c"): 1}))


def test_a_digestless_record_compares_by_text_and_never_equals_a_digested_one() -> None:
    marker = ["opaque", "list", protocol.TOO_LARGE]
    assert valid_encoding(marker) and decode(marker) == Opaque("list", protocol.TOO_LARGE)
    digested = encode(Long(10, "a"))
    assert decode(digested) != decode(["opaque", "Long", digested[2]])


GOOD_DIGEST = "0" * 32


@pytest.mark.parametrize(
    "shape",
    [["opaque", "T", "t"], ["opaque", "T", "t", GOOD_DIGEST], ["opaque", "T", "t", ""],
     ["opaque", "T", "t", GOOD_DIGEST, ["base", ["int", "1"]]],
     ["opaque", "T", "t", "0123456789abcdef0123456789abcdef", ["decimal", ["str", "0.1"]]],
     ["list", [["opaque", "T", "t", GOOD_DIGEST]]]],
)  # fmt: skip
def test_the_opaque_shapes_the_codec_makes_are_valid(shape: list[Any]) -> None:
    assert valid_encoding(shape)
    decode(shape)


@pytest.mark.parametrize(
    "shape",
    [["opaque", "T"], ["opaque", "T", 1], ["opaque", 1, "t", GOOD_DIGEST],
     ["opaque", "T", "t", "0" * 31], ["opaque", "T", "t", "0" * 33], ["opaque", "T", "t", "A" * 32],
     ["opaque", "T", "t", "g" * 32], ["opaque", "T", "t", 7],
     ["opaque", "T", "t", ["base", ["int", "1"]]],  # the shape from before the digest
     ["opaque", "T", "t", GOOD_DIGEST, ["nonsense", ["int", "1"]]],
     ["opaque", "T", "t", GOOD_DIGEST, ["base", ["int", 1]]],
     ["opaque", "T", "t", GOOD_DIGEST, ["base"]], ["opaque", "T", "t", GOOD_DIGEST, "base"],
     ["opaque", "T", "t", GOOD_DIGEST, ["base", ["int", "1"]], "extra"]],
)  # fmt: skip
def test_malformed_opaque_shapes_are_refused(shape: list[Any]) -> None:
    assert not valid_encoding(shape)


def test_the_c0_cache_keeps_the_digest() -> None:
    from roundtrip_eval.analysis.evalooop.problems import _decode_outcomes, _encode_outcomes
    from roundtrip_eval.problems.load import Outcome

    value = _round(Long(500, "a"))
    (back,) = _decode_outcomes(_encode_outcomes([Outcome(ok=True, value=value)]) or [])
    assert back.value == value and back.value != _round(Long(500, "b"))


def _nested(leaf: Any, depth: int = 60) -> Any:
    value = [leaf]
    for _ in range(depth):
        value = [value]
    return value


def test_a_part_nested_past_the_codecs_depth_compares_exactly() -> None:
    """The "too deep" marker once compared by its text alone (two 60-deep lists that differed
    only in their innermost item were equal), then by the digest of the part's repr, which the
    candidate writes (red22: a leaf whose repr lies, an int subclass). Now by the digest of the
    part's own exact encoding."""

    class Leaf:
        def __repr__(self) -> str:
            return "1"

    class One(int):
        pass

    assert not typed_equal(_round(_nested(1)), _round(_nested(2)))
    assert typed_equal(_round(_nested(1)), _round(_nested(1)))
    assert not typed_equal(_round(_nested(1)), _round(_nested((1,))))
    assert not typed_equal(_round(_nested(1)), _round(_nested(Leaf())))
    assert not typed_equal(_round(_nested(1)), _round(_nested(One(1))))
    assert not typed_equal(_round(_nested(1.0)), _round(_nested(1)))
    assert str(encode(_nested(1))).count("<too deep>") == 1


def test_a_value_past_the_recursion_limit_is_unencodable() -> None:
    """Not a marker that might meet another: encoding raises, which the runner reports as an
    unencodable value (a `crash` of that input)."""
    loop: list[Any] = []
    loop.append(loop)
    for value in (_nested(1, 100_000), loop):
        with pytest.raises(RecursionError):
            encode(value)


@pytest.mark.docker
async def test_a_wrong_deeply_nested_answer_fails_and_the_right_one_passes(docker_client: Any) -> None:
    from roundtrip_eval.check.host import run_check
    from roundtrip_eval.problems.evalplus import problem_from_row
    from roundtrip_eval.sandbox import RoundtripDockerSandbox

    ref = "def nest(n):\n    v = [n]\n    for _ in range(60):\n        v = [v]\n    return v\n"
    wrong = ref.replace("v = [n]", "v = [n + 1]")
    row = {"task_id": "Mbpp/995", "prompt": '"""\nNest.\nassert nest(1) == 1\n"""\n', "entry_point": "nest",
           "canonical_solution": ref, "atol": 0, "base_input": [[1], [2]], "plus_input": []}  # fmt: skip
    problem = problem_from_row("mbpp_plus", row)
    envs = await RoundtripDockerSandbox.sample_init("deep", None, {})
    try:
        verdicts = {
            (code, mode): await run_check(envs["default"], code, problem, compare_mode=mode)
            for code in (ref, wrong)
            for mode in ("typed", "evalplus")
        }
    finally:
        await RoundtripDockerSandbox.sample_cleanup("deep", None, envs, False)
    for mode in ("typed", "evalplus"):
        assert verdicts[(ref, mode)].passed, verdicts[(ref, mode)].detail
        assert not verdicts[(wrong, mode)].passed, f"a wrong nested answer passed ({mode})"
