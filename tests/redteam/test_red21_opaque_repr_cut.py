"""Red team round 10 (red21): an opaque value is compared by its type name and the first 200
characters of its repr, so a wrong value of a type the codec does not carry passes when it
differs from C0's only after that cut (`codec._enc_json`: `_repr(value)[:200]`; `Opaque.__eq__`).

docs/scoring.md promises an opaque value is "equal only to a value of the same type name and
`repr`"; two deques whose reprs differ were judged equal. No screen is involved (the candidate
is plain, correct-looking code with an off-by-one at the end), so it held with the screen on.
Fixed: an opaque value carries the digest of its whole repr and compares by it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest

from roundtrip_eval.check.runner import decode, encode, typed_equal

REFERENCE = """from collections import deque


def window(n):
    return deque(range(n, n + 100))
"""

# wrong: the last element is one too far (n + 100 instead of n + 99)
WRONG = """from collections import deque


def window(n):
    items = list(range(n, n + 99))
    items.append(n + 100)
    return deque(items)
"""

ROW = {"task_id": "Mbpp/999", "prompt": '\"\"\"\nWindow.\nassert window(1) == 1\n\"\"\"\n',
       "entry_point": "window", "canonical_solution": REFERENCE, "atol": 0,
       "base_input": [[1], [7]], "plus_input": [[1000]]}  # fmt: skip


def test_codec_tells_apart_deques_that_differ_after_200_repr_chars() -> None:
    a, b = deque(range(100)), deque([*range(99), 12345])
    assert repr(a) != repr(b)
    assert not typed_equal(decode(encode(a)), decode(encode(b)))


def test_codec_tells_apart_bytearrays_of_different_length() -> None:
    assert not typed_equal(decode(encode(bytearray(300))), decode(encode(bytearray(301))))


@pytest.mark.docker
@pytest.mark.parametrize("screen", [True, False])
@pytest.mark.parametrize("mode", ["typed", "evalplus"])
async def test_wrong_deque_is_not_scored_as_passing(docker_client: Any, screen: bool, mode: str) -> None:
    from roundtrip_eval.check.host import run_check
    from roundtrip_eval.problems.evalplus import problem_from_row
    from roundtrip_eval.sandbox import RoundtripDockerSandbox

    problem = problem_from_row("mbpp_plus", ROW)
    envs = await RoundtripDockerSandbox.sample_init("red21", None, {})
    try:
        env = envs["default"]
        right = await run_check(env, REFERENCE, problem, screen=screen, compare_mode=mode)
        wrong = await run_check(env, WRONG, problem, screen=screen, compare_mode=mode)
    finally:
        await RoundtripDockerSandbox.sample_cleanup("red21", None, envs, False)
    assert right.passed, right.detail  # the control: C0 itself passes
    assert not wrong.passed, f"a wrong deque was scored as passing: {wrong.detail}"
