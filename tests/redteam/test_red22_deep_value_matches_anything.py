"""red22: past `protocol.MAX_DEPTH` (50) levels a value is compared by what its `repr` says.

The codec writes whatever sits deeper than 50 levels as an opaque `<too deep>` marker, on both
sides: C0's value in `problems.reference` (an EvalPlus-style row: the host holds C0's value as
the codec carries it, `decode(encode(v))`) and the candidate's in the runner. Before main's
f98b5dd (found in parallel while merging fx14) the markers were equal whatever lay below: a
function wrong below level 50 passed (`wrong_leaf`, `self_list`: they pass now, kept as
regressions). Since then the marker carries the digest of the deep part's whole `repr`; but a
`repr` is the candidate's to choose. A leaf of a class whose `__repr__` says `0`, or an int
subclass (whose `repr` is `int`'s), below level 50 gives the very digest of C0's `0`: the wrong
function passes, in both comparison modes (`liar_repr`, `int_subclass`; typed mode would score
the latter `return_type` at any shallower depth). Shipped `tasks/` problems refuse such a C0
(`validate.bad_value`); a problem built from a dataset row (`problem_from_row`) does not. The
candidates are plain code: the static screen is on. Asserts the correct verdict (the two
repr cases fail today).
"""

from __future__ import annotations

from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.evalplus import problem_from_row

pytestmark = pytest.mark.docker

C0 = '''def nest(n):
    """Return 0 wrapped in n lists."""
    value = 0
    for _ in range(n):
        value = [value]
    return value
'''

ROW = {
    "task_id": "HumanEval/9022",
    "prompt": "",
    "entry_point": "nest",
    "canonical_solution": C0,
    "base_input": [[0], [1], [2], [3], [10]],
    "plus_input": [[55], [60], [80]],
}

# wrong on every input deeper than 50: the innermost value is 1, not 0
WRONG_LEAF = """
def nest(n):
    value = 0 if n <= 50 else 1
    for _ in range(n):
        value = [value]
    return value
"""

# wrong on every input deeper than 50: a list holding itself, whatever n is
SELF_LIST = """
def nest(n):
    if n <= 50:
        value = 0
        for _ in range(n):
            value = [value]
        return value
    loop = []
    loop.append(loop)
    return loop
"""

# wrong on every input deeper than 50: the innermost value is an object that only *prints* as 0
LIAR_REPR = """
class Leaf:
    def __repr__(self):
        return "0"


def nest(n):
    value = 0 if n <= 50 else Leaf()
    for _ in range(n):
        value = [value]
    return value
"""

# below level 50 the innermost value is an int subclass: `repr` is int's, the type is not C0's
INT_SUBCLASS = """
class Zero(int):
    pass


def nest(n):
    value = 0 if n <= 50 else Zero(0)
    for _ in range(n):
        value = [value]
    return value
"""


@pytest.mark.parametrize(
    "code", [WRONG_LEAF, SELF_LIST, LIAR_REPR], ids=["wrong_leaf", "self_list", "liar_repr"]
)
async def test_a_value_wrong_below_level_50_does_not_pass(docker_sandbox: Any, code: str) -> None:
    problem = problem_from_row("humaneval_plus", ROW)
    result = await run_check(docker_sandbox, code, problem)  # the static screen on
    assert not result.passed, result.detail
    # a list holding itself cannot be encoded at all (RecursionError past the codec's depth):
    # the value is unencodable, which the host scores `crash` (fx16)
    assert result.category == ("crash" if code is SELF_LIST else "semantic"), result.detail


async def test_an_int_subclass_below_level_50_is_a_return_type(docker_sandbox: Any) -> None:
    result = await run_check(docker_sandbox, INT_SUBCLASS, problem_from_row("humaneval_plus", ROW))
    assert not result.passed, result.detail
    # below level 50 the part is compared by the digest of its exact encoding (fx16), which says
    # that it differs, not how: the host cannot tell a changed type from a changed value there
    # (docs/scoring.md); above that depth the same value is `return_type`
    assert result.category in ("return_type", "semantic"), result.detail


async def test_the_correct_function_passes(docker_sandbox: Any) -> None:
    # the control: C0's own code passes (it does today too)
    result = await run_check(docker_sandbox, C0, problem_from_row("humaneval_plus", ROW))
    assert result.passed, result.detail
