"""red8: tolerant extraction keeps only the last fenced block that binds the target, so a
correct program the reply splits over two blocks (a helper or an import first, then the
function) reaches the checker without its first part.

`extract._find_code` rule 1: of the fenced blocks that parse and bind the function, the last
wins, alone ("models restate a corrected version after a draft"). A block that does not bind the
function is never joined to it, even when the winning block reads a name only that block
defines. The module docstring promises "the code a human reader would see"; a reader sees one
program in two steps. Scored today: `crash` (NameError) for a correct function. Expected: pass
(the earlier blocks the winning block needs are part of the program).

Reproduce end to end: a replay line `{"sample": "fizzbuzz", "epoch": 1, "replies": ["spec",
HELPER_FIRST]}`, `inspect eval roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=1 --epochs 1`:
rule `fence:target_of_2`, verdict `crash: fizzbuzz(1) expected 1 (int), got raised NameError`.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code, fenced_blocks
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

HELPER_FIRST = '''First, a helper that builds the word for a number:

```python
def _word(n):
    return ("Fizz" if n % 3 == 0 else "") + ("Buzz" if n % 5 == 0 else "")
```

Then the function itself uses it:

```python
def fizzbuzz(n):
    return _word(n) or n
```
'''

IMPORT_FIRST = '''You will need this import:

```python
from functools import lru_cache
```

```python
@lru_cache(maxsize=None)
def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
```
'''

REPLIES = {"helper_first": HELPER_FIRST, "import_first": IMPORT_FIRST}


@pytest.mark.parametrize("case", list(REPLIES))
async def test_the_blocks_together_pass(docker_sandbox, case: str) -> None:
    """Control: the program the reply shows, its blocks in order, is correct."""
    whole = "\n\n".join(block.text for block in fenced_blocks(REPLIES[case]))
    verdict = await run_check(docker_sandbox, whole, load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail


@pytest.mark.parametrize("case", list(REPLIES))
async def test_the_extracted_program_passes(docker_sandbox, case: str) -> None:
    problem = load_problem("fizzbuzz")
    extraction = extract_code(REPLIES[case], problem.function)
    assert extraction.code is not None
    verdict = await run_check(docker_sandbox, extraction.code, problem)
    assert verdict.passed, f"{extraction.rule}: {verdict.detail}\n{extraction.code}"
