"""red10: a bare signature stub (`def fizzbuzz(n: int) -> int | str: ...`) is taken as code.

Two places treat a stub whose body is only `...` (or `pass`, or a docstring) as the function:

1. `stub_recap`: f's reply holds the full, correct function and then, after it, the signature
   "for reference" in a second fenced block. Tolerant extraction takes the *last* block that
   binds the target (`extract._find_code`, step 1: "models restate a corrected version after
   a draft"), so the candidate is the stub, which returns None: `semantic` (or `return_type`),
   a correct reply scored as failing. Expected: the full definition is the candidate; a stub
   restates nothing.
2. `spec_with_stub`: g's spec describes the behaviour in words and gives the signature as a
   stub in a Python fence. `extract.spec_leak` calls it "Python code defining fizzbuzz()", so
   the cycle is `spec_failure: the spec is the code itself` and f is never asked (default
   `spec_gate=true`). A stub holds no behaviour: it is not the code (docs/design.md defines
   spec_failure as a spec that *is* the code). Expected: f is asked, and with a correct f the
   cycle passes.

Reproduce end to end: `inspect eval roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=1
--epochs 1` with a replay line `{"sample": "fizzbuzz", "epoch": 1, "replies": [<g>, <f>]}` built
as in `test_end_to_end` below (default settings, static screen on).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from roundtrip_eval.eval.extract import extract_code, spec_leak
from roundtrip_eval.eval.tasks import fizzbuzz
from roundtrip_eval.problems.load import load_problem

CORRECT = '''def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''

STUB_RECAP = f"""Here is the implementation:

```python
{CORRECT}```

The signature, for reference:

```python
def fizzbuzz(n: int) -> int | str: ...
```
"""

SPEC_WITH_STUB = """fizzbuzz takes one integer n. It returns the string "FizzBuzz" when n is a
multiple of 15, else "Fizz" when n is a multiple of 3, else "Buzz" when n is a multiple of 5,
and otherwise n itself, unchanged (an int).

Signature:

```python
def fizzbuzz(n: int) -> int | str: ...
```
"""

PLAIN_SPEC = "Return 'Fizz' for multiples of 3, 'Buzz' for 5, 'FizzBuzz' for 15, else n (an int)."


def test_the_full_definition_is_extracted_not_the_stub() -> None:
    code = extract_code(STUB_RECAP, "fizzbuzz").code
    assert code is not None
    assert "return n" in code, f"the stub was taken as the candidate:\n{code}"


def test_a_spec_that_gives_a_stub_is_not_the_code() -> None:
    reference = load_problem("fizzbuzz").reference
    assert spec_leak(SPEC_WITH_STUB, "fizzbuzz", reference) is None


@pytest.mark.docker
def test_end_to_end(tmp_path: Path) -> None:
    """Default settings (roundtrip-docker, static screen on): both trials should pass cycle 1."""
    f_reply = f"```python\n{CORRECT}```\n"
    script = tmp_path / "replay.jsonl"
    script.write_text(
        json.dumps({"sample": "fizzbuzz", "epoch": 1, "replies": [PLAIN_SPEC, STUB_RECAP]}) + "\n"
        + json.dumps({"sample": "fizzbuzz", "epoch": 2, "replies": [SPEC_WITH_STUB, f_reply]}) + "\n",
        encoding="utf-8",
    )
    [log] = inspect_eval(
        fizzbuzz(cycles=1, epochs=2), model=f"replay/{script}", log_dir=str(tmp_path / "logs"),
        display="none", max_samples=1,
    )
    assert log.status == "success"
    verdicts = {s.epoch: s.store["cycles"][0] for s in log.samples or []}
    assert verdicts[1]["passed"], f"stub recap: {verdicts[1]['category']}: {verdicts[1]['detail']}"
    assert verdicts[2]["passed"], f"spec with a stub: {verdicts[2]['category']}: {verdicts[2]['detail']}"
