"""red16: under `-T compare=evalplus` an output that EvalPlus's own rule passes (`out == exp`)
fails when its type is one the runner's codec does not carry: a `namedtuple` where C0 returns a
tuple, a `fractions.Fraction` where C0 returns an int (also `decimal.Decimal`, an `IntEnum`, a
user's `str`/`int`/`tuple`/`dict` subclass).

The codec sends such a value as `["opaque", type name, repr]` (`codec._enc`), the host decodes
it to `codec.Opaque`, and `check.compare.evalplus_output` evaluates `Opaque == exp`, which is
False for every value C0 returns; `numpy.testing.assert_allclose` cannot read it either. EvalPlus
compares the live objects in the candidate's process: `Pair(2, 1) == (2, 1)` and
`Fraction(20) == 20` are True, so its verdict is a pass. The mode exists "to set results beside
the peers'" (docs/peers_mbpp.md), which restates the rule as `out == exp` without this exception
(docs/scoring.md names opaque values for the typed rule only).

Scored today (both): `return_type: swap_numbers(5, 5) expected (5, 5) (tuple), got <Pair
Pair(first=5, second=5)> (Opaque); 112/112 inputs differ`; `return_type: square_perimeter(5)
expected 20 (int), got <Fraction Fraction(20, 1)> (Opaque); 104/104 inputs differ`.
Expected under compare=evalplus: pass, as EvalPlus scores them. (Under the default typed rule
`return_type` is right: a change of type is drift there.)

Reproduce end to end: a replay line `{"sample": "Mbpp/257", "epoch": 1, "replies": ["spec",
"```python\\n" + NAMEDTUPLE + "```"]}`, `inspect eval roundtrip_eval/mbpp_plus --model replay/FILE
-T dataset=../shared/peer-data/evalplus/MbppPlus.jsonl.gz -T problems=Mbpp/257 -T compare=evalplus
-T cycles=1 --epochs 1` (static screen on).
"""

from __future__ import annotations

import pytest
from peer_data import evalplus_dir

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.evalplus import load_evalplus_problem

pytestmark = pytest.mark.docker

PLAIN = "def swap_numbers(a, b):\n    return (b, a)\n"
NAMEDTUPLE = (
    "from collections import namedtuple\n"
    'Pair = namedtuple("Pair", "first second")\n'
    "def swap_numbers(a, b):\n    return Pair(b, a)\n"
)
FRACTION = "from fractions import Fraction\ndef square_perimeter(a):\n    return Fraction(a) * 4\n"


def _problem(task_id: str):
    return load_evalplus_problem("mbpp_plus", task_id, str(evalplus_dir() / "MbppPlus.jsonl.gz"))


async def test_control_the_plain_tuple_passes(docker_sandbox) -> None:
    verdict = await run_check(docker_sandbox, PLAIN, _problem("Mbpp/257"), compare_mode="evalplus")
    assert verdict.passed, verdict.detail


def test_evalplus_own_rule_passes_these_outputs() -> None:
    """What EvalPlus evaluates in the candidate's process (our own objects, on the host)."""
    from collections import namedtuple
    from fractions import Fraction

    pair = namedtuple("Pair", "first second")
    assert pair(2, 1) == (2, 1)
    assert Fraction(5) * 4 == 20


@pytest.mark.parametrize(
    ("task_id", "code"), [("Mbpp/257", NAMEDTUPLE), ("Mbpp/17", FRACTION)], ids=["namedtuple", "fraction"]
)
async def test_an_output_equal_by_evalplus_rule_passes(docker_sandbox, task_id: str, code: str) -> None:
    verdict = await run_check(docker_sandbox, code, _problem(task_id), compare_mode="evalplus")
    assert verdict.passed, verdict.detail
