"""red19: an exception class with a very long name is reported as a broken result channel.

The candidate side describes an exception the candidate raised (`candidate._describe_exc`) by
its name (`codec.exception_name`: `code.<qualname>` for a class of its own) and its text; the
text is cut to 200 (call) or 300 (import) characters, the name is not. A class whose
`__qualname__` is three million characters makes the signed reply longer than the runner
accepts, and the check ends with `crash: the code wrote to or broke the runner's result
channel`. The code did neither: it raised (on its first call, or at import), and the verdict's
detail should say so (`raised code.EEE...`), as it does for the same code with a short name.
The category (crash) is the same either way, so no pass/fail flips; what is wrong is the
diagnosis, which accuses the code of touching the channel. Found with the static screen on
(`-T static_screen=false` gives the same).

Host API route, default settings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.load import load_problem_folder

pytestmark = pytest.mark.docker

FIZZBUZZ = Path(__file__).resolve().parents[2] / "tasks" / "fizzbuzz"

RAISES_AT_CALL = '''def fizzbuzz(n):
    class E(Exception):
        pass
    E.__qualname__ = "E" * NAME_LENGTH
    raise E("x")
'''

RAISES_AT_IMPORT = '''class E(Exception):
    pass
E.__qualname__ = "E" * NAME_LENGTH
raise E("x")
def fizzbuzz(n):
    return n
'''


def _code(template: str, length: int) -> str:
    return template.replace("NAME_LENGTH", str(length))


@pytest.mark.parametrize("template", [RAISES_AT_CALL, RAISES_AT_IMPORT], ids=["call", "import"])
async def test_control_a_short_name_is_reported_as_raised(docker_sandbox, template: str) -> None:
    verdict = await run_check(docker_sandbox, _code(template, 5), load_problem_folder(FIZZBUZZ))
    assert verdict.category == "crash" and "raised code.EEEEE" in verdict.detail, verdict.detail


@pytest.mark.parametrize("template", [RAISES_AT_CALL, RAISES_AT_IMPORT], ids=["call", "import"])
async def test_a_long_name_is_still_reported_as_raised(docker_sandbox, template: str) -> None:
    verdict = await run_check(docker_sandbox, _code(template, 3_000_000), load_problem_folder(FIZZBUZZ))
    assert verdict.category == "crash", verdict.detail
    assert "result channel" not in verdict.detail, f"the code only raised: {verdict.detail[:300]}"
    assert "raised code.E" in verdict.detail, verdict.detail[:300]


LONG_GLOBAL = '''globals()["g" * 3_000_000] = len
def fizz_buzz(n):
    return n
'''


async def test_a_long_defined_name_is_a_signature_verdict_not_a_channel_fault(docker_sandbox) -> None:
    """The same route through the names a `signature` verdict lists (the module defines no
    `fizzbuzz`, and a callable of its own under a name of three million characters)."""
    verdict = await run_check(docker_sandbox, LONG_GLOBAL, load_problem_folder(FIZZBUZZ))
    assert verdict.category == "signature", verdict.detail[:300]
    assert "result channel" not in verdict.detail, verdict.detail[:300]
    assert "fizz_buzz" in verdict.detail, verdict.detail[:300]
