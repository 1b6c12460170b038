"""red29: under `-T compare=evalplus` a float (or tuple) *subclass* that is only close to C0's
value passes, where EvalPlus's own rule fails it.

EvalPlus (`unsafe_execute`) checks, when `out == exp` is False and an `atol` applies (set to 1e-6
for any float or float-list expected value), `assert type(out) == type(exp)` on the *live*
output before `numpy.allclose`: a `class Volume(float)` is not `float`, so the input fails.
Here the runner sends such a value as an opaque value with its plain form, and
`check.compare.live_value` replaces it by its base-type value *before* `evalplus_output`'s
`type(out) is not type(exp)` test, which then sees a plain float (tuple) and lets
`numpy.allclose` pass it. (The exact-equality cases are right: `out == exp` is what EvalPlus
sees; only the type assertion of the tolerance path reads the subclass away.)

Scored today: `none` (all inputs match) for both candidates; expected under compare=evalplus:
a failure (every input whose value is not exactly C0's), as EvalPlus scores it.

Reproduce end to end (static screen on): replay lines
`{"sample": "Mbpp/14", "epoch": 1, "replies": ["spec", "```python\\n" + FLOAT_SUBCLASS + "```"]}`
(and `Mbpp/261` with TUPLE_SUBCLASS), then `inspect eval roundtrip_eval/mbpp_plus
-T dataset=../shared/peer-data/evalplus -T problems=14,261 -T compare=evalplus -T cycles=1
--epochs 1 --model replay/FILE`.
"""

from __future__ import annotations

import numpy as np
import pytest
from peer_data import evalplus_dir

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.evalplus import load_evalplus_problem

pytestmark = pytest.mark.docker

FLOAT_SUBCLASS = '''class Volume(float):
    """A volume, in cubic units."""


def find_Volume(l, b, h):
    return Volume(l * b * h / 2 * (1 + 1e-12))
'''
TUPLE_SUBCLASS = '''class Quotients(tuple):
    """Element-wise quotients."""


def division_elements(test_tup1, test_tup2):
    return Quotients(a / b * (1 + 1e-12) for a, b in zip(test_tup1, test_tup2))
'''


def _problem(task_id: str):
    return load_evalplus_problem("mbpp_plus", task_id, str(evalplus_dir() / "MbppPlus.jsonl.gz"))


def _evalplus_rule(out: object, exp: object, atol: float) -> bool:
    """EvalPlus's per-input rule on live objects (unsafe_execute), for the record."""
    if out == exp:
        return True
    if atol == 0 and isinstance(exp, float):
        atol = 1e-6
    if atol == 0:
        return False
    return type(out) is type(exp) and bool(np.allclose(out, exp, rtol=1e-07, atol=atol))


def test_evalplus_own_rule_fails_a_close_float_subclass() -> None:
    class Volume(float):
        pass

    assert not _evalplus_rule(Volume(3.0 * (1 + 1e-12)), 3.0, 0.0)
    assert _evalplus_rule(3.0 * (1 + 1e-12), 3.0, 0.0)  # the plain float is within tolerance


@pytest.mark.parametrize(("task_id", "code"), [("Mbpp/14", FLOAT_SUBCLASS), ("Mbpp/261", TUPLE_SUBCLASS)])
async def test_a_close_subclass_fails_as_evalplus_fails_it(docker_sandbox, task_id: str, code: str) -> None:
    verdict = await run_check(docker_sandbox, code, _problem(task_id), compare_mode="evalplus")
    assert not verdict.passed, f"{task_id}: a {code.split('(')[0]} value only close to C0's passed"
