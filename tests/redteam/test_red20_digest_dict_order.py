"""Red team round 9 (red20): a dict sent as a digest is compared by its insertion order.

`typed_equal` compares dicts as Python does, order aside, so a correct `word_count` that
returns its counts sorted (`dict(sorted(Counter(...).items()))`) passes every shipped input.
A value whose encoding is longer than the runner sends whole (`MAX_VALUE_BYTES`, or once the
check's inline budget is spent) reaches the host as the digest of its encoding, and the
encoding lists a dict's items in insertion order: the same dict, built in another order, gets
another digest, and the correct function is scored `semantic` on that input. docs/scoring.md
("Long values compare by digest") names this difference; the test asks whether it should stay.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import Outcome, load_problem

pytestmark = pytest.mark.docker

SORTED_COUNTS = '''
from collections import Counter


def word_count(text):
    words = (w.strip(".,!?;:\\"'") for w in text.lower().split())
    return dict(sorted(Counter(w for w in words if w).items()))
'''


def _big_text() -> str:
    """Many distinct words, in an order that is not sorted: the counts encode past 64 KiB."""
    return " ".join(f"w{(i * 7919) % 5000:04d}" for i in range(6000))


def _with_big_input(name: str) -> Any:
    """The shipped problem plus one longer input, its expected value from C0 itself."""
    problem = load_problem(name)
    namespace: dict[str, Any] = {}
    exec(problem.reference, namespace)  # C0: the trusted reference, run on the host as the loader does
    text = _big_text()
    expected = Outcome(ok=True, value=namespace[problem.function](text))
    assert len(expected.value) == 5000
    return dataclasses.replace(
        problem,
        inputs=(*problem.inputs, (text,)),
        expected=(*problem.expected, expected),
        probe_classes=(*problem.probe_classes, ("long",)),
    )


async def test_sorted_dict_passes_shipped_inputs(docker_sandbox: Any) -> None:
    """The control: the same candidate on the shipped inputs (all sent whole) passes."""
    result = await run_check(docker_sandbox, SORTED_COUNTS, load_problem("word_count"))
    assert result.passed, result.detail


@pytest.mark.xfail(
    strict=True,
    reason=(
        "a long value compares by the digest of its exact encoding, so dict order counts there "
        "(docs/scoring.md, Long values compare by digest); no shipped problem reaches it"
    ),
)
async def test_sorted_dict_passes_a_long_input(docker_sandbox: Any) -> None:
    """A correct function stays correct when its value is too long to send whole."""
    result = await run_check(docker_sandbox, SORTED_COUNTS, _with_big_input("word_count"))
    assert result.passed, result.detail
