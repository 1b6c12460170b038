"""Red team round 9 (red20): under `-T compare=evalplus`, a value sent as a digest skips
EvalPlus's rule.

MBPP+ 2 (`similar_elements`) is one of EvalPlus's set-equal problems: an output passes when
`set(out) == set(exp)`, order aside (`check.compare`). A correct candidate that returns the
shared elements sorted passes every shipped input. On a longer input its value is sent as the
digest of its encoding (`MAX_VALUE_BYTES`); `resolve_digests` only accepts the digest of C0's
own encoding, so the set-equal oracle (like `numpy.allclose` with a tolerance) never sees the
value and the correct function fails where EvalPlus passes it. docs/scoring.md names only the
tolerance (`atol`) as lost for such values, not the special oracles.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import Outcome, Problem

pytestmark = pytest.mark.docker

DATASET = Path(__file__).resolve().parents[2] / ".." / "shared" / "peer-data" / "evalplus"

SORTED_SHARED = '''
def similar_elements(test_tup1, test_tup2):
    return tuple(sorted(set(test_tup1) & set(test_tup2), reverse=True))
'''


def _problem() -> Problem:
    if not (DATASET / "MbppPlus.jsonl.gz").exists() and not (DATASET / "MbppPlus.jsonl").exists():
        pytest.skip("the MBPP+ dataset is absent (../shared/peer-data/evalplus)")
    from roundtrip_eval.problems.evalplus import load_evalplus_problem

    return load_evalplus_problem("mbpp_plus", "Mbpp/2", str(DATASET))


def _with_big_input(problem: Problem) -> Problem:
    """One longer input (10,000 shared elements), its expected value from C0 itself."""
    namespace: dict[str, Any] = {}
    exec(problem.reference, namespace)  # C0, run on the host as the loader does
    a, b = tuple(range(0, 60000, 2)), tuple(range(0, 90000, 3))
    expected = Outcome(ok=True, value=namespace[problem.function](a, b))
    assert len(expected.value) == 10_000  # its encoding is longer than `MAX_VALUE_BYTES`
    return dataclasses.replace(
        problem,
        inputs=(*problem.inputs, (a, b)),
        expected=(*problem.expected, expected),
        probe_classes=(*problem.probe_classes, ("long",)),
    )


async def test_sorted_shared_passes_shipped_inputs(docker_sandbox: Any) -> None:
    """The control: on the shipped inputs (all sent whole) EvalPlus's set rule passes it."""
    result = await run_check(docker_sandbox, SORTED_SHARED, _problem(), compare_mode="evalplus")
    assert result.passed, result.detail


@pytest.mark.xfail(
    strict=True,
    reason=(
        "a long value compares by its digest, so EvalPlus's set-equal rule cannot apply "
        "(docs/scoring.md); no shipped problem reaches it"
    ),
)
async def test_sorted_shared_passes_a_long_input(docker_sandbox: Any) -> None:
    """EvalPlus's set rule holds for a value too long to send whole."""
    problem = _with_big_input(_problem())
    result = await run_check(docker_sandbox, SORTED_SHARED, problem, compare_mode="evalplus")
    assert result.passed, result.detail
