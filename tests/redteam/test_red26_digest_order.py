"""A right function scored failing: a value sent as a digest is compared by its encoding's text,
which keeps a dict's insertion order and the sign of a zero; the typed rule does not.

red26 (round 13, attacker X). `typed_equal` (docs/scoring.md) compares dicts as mappings,
whatever order their items were inserted in, and 0.0 equals -0.0. A value is sent inline
while its JSON is at most `MAX_VALUE_BYTES` (64 KiB) and the check's inline budget lasts
(512 KiB); past that it travels as the blake2b digest of its encoding (`codec._encode_value`),
and `host.resolve_digests` accepts it only when that digest is `digest_of(C0's value)`. The
encoding (`codec._enc_json`) writes a dict's items in insertion order and a float by its
`repr`, so the same typed value built in another order, or with -0.0 for 0.0, gets another
digest: a correct `word_count` that returns its counts sorted is scored `semantic` on a
long input, and passes on a short one. The same holds for a part nested past `MAX_DEPTH`
(sent as the digest of its encoding), though there C0's expected value is compared live.

The tests assert the correct verdict (pass), so they fail while the digest compare is
order- and sign-sensitive.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import Outcome, load_problem

pytestmark = pytest.mark.docker

SORTED_WORD_COUNT = """
def word_count(text):
    counts = {}
    for word in text.lower().split():
        word = word.strip(".,!?;:\\"'")
        if word:
            counts[word] = counts.get(word, 0) + 1
    return dict(sorted(counts.items()))
"""

NEGATIVE_ZERO = """
def halves(n):
    return [-0.0] + [i / 2 for i in range(1, n)]
"""


def _reference_word_count(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in text.lower().split():
        word = word.strip(".,!?;:\"'")
        if word:
            counts[word] = counts.get(word, 0) + 1
    return counts


def _word_count_problem(texts: list[str]) -> Any:
    base = load_problem("word_count")
    inputs = tuple((t,) for t in texts)
    expected = tuple(Outcome(ok=True, value=_reference_word_count(t)) for t in texts)
    classes = tuple(("plain",) for _ in inputs)
    return dataclasses.replace(
        base, inputs=inputs, expected=expected, probe_classes=classes, n_cases=len(inputs)
    )


# words in descending order: the reference's dict is in that order, the sorted one in the other.
# LONG is one value of about 300 KiB (a digest by itself; `validate.check_output` refuses such
# a C0 output for a problem under tasks/, not for EvalPlus's); MANY are 40 values of about
# 17 KiB each, each within every limit a problem under tasks/ must meet: past the check's
# 512 KiB of inline values, the later ones travel as digests
LONG = " ".join(f"w{i:05d}" for i in range(9000, 0, -1))
MANY = [" ".join(f"w{k:02d}x{i:04d}" for i in range(500, 0, -1)) for k in range(40)]
SHORT = "zebra apple mango"  # inline: compared by the typed rule


async def test_sorted_dict_is_the_same_value_inline(docker_sandbox: Any) -> None:
    verdict = await run_check(docker_sandbox, SORTED_WORD_COUNT, _word_count_problem([SHORT]))
    assert verdict.passed, verdict.detail  # holds today: the typed rule ignores insertion order


async def test_reference_order_passes_as_a_digest(docker_sandbox: Any) -> None:
    code = SORTED_WORD_COUNT.replace("dict(sorted(counts.items()))", "counts")
    verdict = await run_check(docker_sandbox, code, _word_count_problem([SHORT, LONG]))
    assert verdict.passed, verdict.detail  # holds today: the same order, the same digest


async def test_sorted_dict_is_the_same_value_as_a_digest(docker_sandbox: Any) -> None:
    verdict = await run_check(docker_sandbox, SORTED_WORD_COUNT, _word_count_problem([SHORT, LONG]))
    assert verdict.passed, verdict.detail  # fails today: "semantic ... 1/2 inputs differ"


@pytest.mark.parametrize("mode", ["typed", "evalplus"])
async def test_sorted_dicts_within_every_limit_fail_once_the_check_sends_digests(
    docker_sandbox: Any, mode: str
) -> None:
    # EvalPlus's own rule (`out == exp`) ignores a dict's order as well
    problem = _word_count_problem(MANY)
    verdict = await run_check(docker_sandbox, SORTED_WORD_COUNT, problem, compare_mode=mode)
    assert verdict.passed, verdict.detail  # fails today: the first inputs pass, the later ones not


async def test_negative_zero_is_zero_as_a_digest(docker_sandbox: Any) -> None:
    base = load_problem("word_count")
    n = 8000  # about 130 KiB of JSON: a digest
    problem = dataclasses.replace(
        base, function="halves", inputs=((n,),), probe_classes=(("plain",),), n_cases=1,
        expected=(Outcome(ok=True, value=[0.0] + [i / 2 for i in range(1, n)]),),
    )  # fmt: skip
    verdict = await run_check(docker_sandbox, NEGATIVE_ZERO, problem)
    assert verdict.passed, verdict.detail  # fails today; inline, -0.0 equals 0.0
