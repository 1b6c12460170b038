"""red14: tolerant salvage drops a correct program's multi-line table above the function.

A fence that does not parse as a whole (the model never closed it and went on explaining, or
put a note inside it) is salvaged: `extract._salvage` walks up from the target's `def` over the
lines that look like code (`_code_like`). A closing bracket at the def's indentation (`}`, `]`,
`)`: the last line of the most ordinary multi-line dict or list literal) is not one of them, so
the walk stops there and the table the function reads is cut off. The candidate is the bare
`def`, and the check scores a correct program `crash` (NameError on every input). Expected: the
table is kept (the program as written, minus the prose), and the trial passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from replay_scripts import spec, write

from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.eval.tasks import fizzbuzz

pytestmark = pytest.mark.docker

UNTERMINATED = '''Here is the implementation:

```python
RULES = {
    15: "FizzBuzz",
    3: "Fizz",
    5: "Buzz",
}

def fizzbuzz(n):
    for divisor, word in RULES.items():
        if n % divisor == 0:
            return word
    return n

This checks 15 first (dicts keep insertion order), then 3, then 5.
'''

NOTE_IN_FENCE = '''```python
WORDS = [
    (15, "FizzBuzz"),
    (3, "Fizz"),
    (5, "Buzz"),
]

def fizzbuzz(n):
    for divisor, word in WORDS:
        if n % divisor == 0:
            return word
    return n
Note: the order of WORDS matters.
```
'''


@pytest.mark.parametrize("reply", [UNTERMINATED, NOTE_IN_FENCE], ids=["unterminated", "note_in_fence"])
def test_salvage_keeps_the_table(reply: str) -> None:
    found = extract_code(reply, "fizzbuzz")
    assert found.code is not None and ("RULES = {" in found.code or "WORDS = [" in found.code), found


@pytest.mark.parametrize("reply", [UNTERMINATED, NOTE_IN_FENCE], ids=["unterminated", "note_in_fence"])
def test_salvaged_table_program_passes(tmp_path: Path, reply: str) -> None:
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", 1): [spec(1), reply]})
    [log] = inspect_eval(
        fizzbuzz(cycles=1, epochs=1), model=f"replay/{script}", log_dir=str(tmp_path / "logs"),
        display="none",
    )  # fmt: skip
    assert log.status == "success", log.error
    [sample] = log.samples or []
    [cycle] = sample.store["cycles"]
    assert cycle["passed"], (cycle["category"], cycle["detail"], cycle["code"])
