"""red16: a correct program whose helper comes in a fenced block *after* the function's block
reaches the checker without the helper, and a correct function is scored `crash` (NameError).

`extract._needed_blocks` joins to the winning block (the last that binds the target) only the
*earlier* blocks it needs (red8's fix); a later block that binds a name the winning block reads,
and binds nothing of the target, is dropped. Models write "Here is the function ... It uses this
helper: ..." as often as the other order; the module docstring promises "the code a human
reader would see", and a reader sees one program in two blocks.

Scored today: rule `fence:target_of_2`, verdict `crash: fizzbuzz(1) expected 1 (int), got raised
NameError; 150/150 inputs differ`. Expected: pass (the later block the function needs is part
of the program, as an earlier one is).

Reproduce end to end: a replay line `{"sample": "fizzbuzz", "epoch": 1, "replies": ["spec",
HELPER_AFTER]}`, `inspect eval roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=1 --epochs 1`
(default settings, static screen on).
"""

from __future__ import annotations

import pytest

from .extraction_checks import assert_blocks_together_pass, assert_extracted_program_passes

pytestmark = pytest.mark.docker

HELPER_AFTER = """Here is the solution:

```python
def fizzbuzz(n):
    return _label(n)
```

It uses this helper:

```python
def _label(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
```
"""


async def test_the_blocks_together_pass(docker_sandbox) -> None:
    """Control: the program the reply shows, its blocks together, is correct."""
    await assert_blocks_together_pass(docker_sandbox, HELPER_AFTER)


async def test_the_extracted_program_passes(docker_sandbox) -> None:
    await assert_extracted_program_passes(docker_sandbox, HELPER_AFTER)
