"""red14: demo removal drops whole physical lines, so a statement that shares a line with a demo
(`A; print(f(3))`) goes with it.

`demos.demo_lines` returns the line numbers `lineno..end_lineno` of each demo statement and
`extract.sanitize` deletes those lines. A kept statement written on the same line after a `;`
is deleted too, although the rule is that only demos go and "removing it cannot change what the
target computes" (demos.py's module docstring):

1. a correct program whose table (or import) shares its line with a demo `print` loses it: the
   function raises NameError on every input, scored `crash`. Expected: pass.
2. a program that is wrong as written (the line rebinds the table the function reads to a wrong
   one, after a demo `print` on the same line) has the rebinding deleted with the demo and is
   scored as passing. Expected: fail (`semantic`), as the program as written computes "Bazz".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from replay_scripts import spec, write

from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.eval.tasks import fizzbuzz

pytestmark = pytest.mark.docker

BODY = '''def fizzbuzz(n):
    if n % 15 == 0:
        return WORDS[0] + WORDS[1]
    if n % 3 == 0:
        return WORDS[0]
    if n % 5 == 0:
        return WORDS[1]
    return n
'''

CORRECT = BODY + '\nWORDS = ("Fizz", "Buzz"); print(fizzbuzz(15))\n'
WRONG = 'WORDS = ("Fizz", "Buzz")\n\n' + BODY + '\nprint(fizzbuzz(15)); WORDS = ("Fizz", "Bazz")\n'


def _cycle(tmp_path: Path, code: str) -> dict:
    reply = f"Here it is:\n\n```python\n{code}```\n"
    script = write(tmp_path / "replay.jsonl", {("fizzbuzz", 1): [spec(1), reply]})
    [log] = inspect_eval(
        fizzbuzz(cycles=1, epochs=1), model=f"replay/{script}", log_dir=str(tmp_path / "logs"),
        display="none",
    )  # fmt: skip
    assert log.status == "success", log.error
    [sample] = log.samples or []
    [cycle] = sample.store["cycles"]
    return cycle


def test_shared_line_statement_is_kept() -> None:
    kept = extract_code(f"```python\n{CORRECT}```\n", "fizzbuzz").code or ""
    assert 'WORDS = ("Fizz", "Buzz")' in kept, kept
    kept = extract_code(f"```python\n{WRONG}```\n", "fizzbuzz").code or ""
    assert 'WORDS = ("Fizz", "Bazz")' in kept, kept


def test_correct_program_with_shared_line_passes(tmp_path: Path) -> None:
    cycle = _cycle(tmp_path, CORRECT)
    assert cycle["passed"], (cycle["category"], cycle["detail"], cycle["code"])


def test_wrong_program_with_shared_line_fails(tmp_path: Path) -> None:
    cycle = _cycle(tmp_path, WRONG)
    assert not cycle["passed"] and cycle["category"] == "semantic", (cycle["category"], cycle["code"])
