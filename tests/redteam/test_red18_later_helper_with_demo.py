"""red18: a correct program whose helper comes in a later fenced block *together with a one-line
demo* (`print(fizzbuzz(15))`) reaches the checker without the helper, and is scored `crash`.

red16's fix joins a later block the winning block needs, unless that block reads the target at
module level (`extract._needed_blocks`: "a demo"). The commonest shape of a helper given after
the function is "this helper, with a quick check": one block holding the helper's `def` and a
demo call. The whole block is then dropped, the helper with it; the demo alone is what
`sanitize` exists to remove. A reader sees one correct program.

Scored today: rule `fence:target_of_2`, verdict `crash: fizzbuzz(1) expected 1 (int), got raised
NameError; 150/150 inputs differ` (end to end through the replay model twice, default settings,
static screen on). Expected: pass.

Note: tests/test_extract.py::test_a_later_demo_block_is_not_joined keeps a later block that only
*binds by assignment* (`_word = str`) beside a demo out of the program; this one binds the
needed name with a `def`.

Reproduce: a replay line `{"sample": "fizzbuzz", "epoch": 1, "replies": ["spec",
HELPER_WITH_DEMO]}` and `inspect eval roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=1
--epochs 1`.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code, fenced_blocks
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

HELPER_WITH_DEMO = """Here is the function:

```python
def fizzbuzz(n):
    return _label(n)
```

It relies on this helper, shown with a quick check:

```python
def _label(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n

print(fizzbuzz(15))
```
"""


async def test_the_blocks_together_pass(docker_sandbox) -> None:
    """Control: the program the reply shows, its blocks together, is correct."""
    whole = "\n\n".join(block.text for block in fenced_blocks(HELPER_WITH_DEMO))
    verdict = await run_check(docker_sandbox, whole, load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail


async def test_the_extracted_program_passes(docker_sandbox) -> None:
    problem = load_problem("fizzbuzz")
    extraction = extract_code(HELPER_WITH_DEMO, problem.function)
    assert extraction.code is not None
    verdict = await run_check(docker_sandbox, extraction.code, problem)
    assert verdict.passed, f"{extraction.rule}: {verdict.detail}\n{extraction.code}"
