"""Red team round 13 (red27): tolerant extraction keeps a draft and drops its correction.

For fenced blocks the extractor's own rule is "the last one wins (models restate a corrected
version after a draft)". Two shapes of the same reply escape it:

- LOOSE_DRAFT_THEN_FIX: no fences; a draft fizzbuzz (the multiple-of-15 branch missing), then
  "Fixed version:" and a correct one. `_salvage` anchors on the *first* `def fizzbuzz(`, so the
  draft is checked: `feature_dropped` (rule `bare`). The reply's answer is the fixed version.
- HELPER_FIX_LATER: a fenced program whose helper has a typo, then a fenced "corrected" helper.
  `_needed_blocks` joins a later block only for a name the winner does not bind itself, so the
  correction is dropped: `feature_added` (rule `fence:target_of_2`).

Both should pass. Default settings (static screen on). Reproduce: a replay line `{"sample":
"fizzbuzz", "epoch": 1, "replies": ["<any spec>", "<one reply below>"]}`, then `inspect eval
roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=1 --epochs 1`.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.redteam._red23_common import FENCE, verdict

CORRECT = """def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
"""
DRAFT = CORRECT.replace('if n % 15 == 0:\n        return "FizzBuzz"\n    ', "")

LOOSE_DRAFT_THEN_FIX = (
    f"Draft:\n\n{DRAFT}\nWait, multiples of 15 must come first. Fixed version:\n\n{CORRECT}"
)

HELPER_FIX_LATER = (
    f"{FENCE}python\ndef _word(n):\n    return 'Fuzz'\n\n"
    + CORRECT.replace('return "Fizz"', "return _word(n)")
    + f"{FENCE}\nSorry, the helper has a typo; corrected:\n"
    f"{FENCE}python\ndef _word(n):\n    return 'Fizz'\n{FENCE}\n"
)


@pytest.mark.docker
@pytest.mark.parametrize("reply", [LOOSE_DRAFT_THEN_FIX, HELPER_FIX_LATER], ids=["loose", "helper"])
async def test_the_correction_is_checked(docker_sandbox: Any, reply: str) -> None:
    rule, result = await verdict(docker_sandbox, "fizzbuzz", reply)
    assert result is not None, rule
    assert result.passed, (rule, result.category, result.detail)
