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

from .extraction_checks import assert_blocks_together_pass, assert_extracted_program_passes

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
    await assert_blocks_together_pass(docker_sandbox, HELPER_WITH_DEMO)


async def test_the_extracted_program_passes(docker_sandbox) -> None:
    await assert_extracted_program_passes(docker_sandbox, HELPER_WITH_DEMO)
