"""red10: demo removal drops a statement that binds what the function needs because some call
inside it *could* exit or read input, though nothing at import ever makes that call.

`eval/demos.py` removes a top-level statement that "reads input, exits or starts a test runner,
directly or through a module function that does", even when it binds a needed name, because
"importing it could only block or stop". red4 exempted an exit inside an `except` handler
(`try: from math import gcd / except ImportError: sys.exit(...)`). Three siblings stay, each a
correct fizzbuzz as written (the control test runs it unsanitized in the sandbox):

1. `version_guard`: `if sys.version_info >= (3, 9): from functools import cache / else:
   sys.exit(...)`. The exit is in the branch not taken; the whole `if`, import included, goes,
   and the import fails: `crash: importing the code raised NameError: name 'cache' is not
   defined`.
2. `class_with_prompt`: `fizzbuzz = FizzBuzz()`, where the class also has an interactive
   `play()` method that calls `input()`. Making an instance never calls `play`, but the class is
   counted as a "blocking function", so the statement goes: `signature: no function
   fizzbuzz() (defined: FizzBuzz)`.
3. `main_else`: `if __name__ == "__main__": main() / else: RULES = _build()`, where `main()`
   reads input. On import only the `else` runs (the runner imports the code under another
   name), and it is the set-up: `crash: fizzbuzz(3) ... raised NameError`.

Expected: each keeps its set-up and passes. Cause: `demos._stops` walks every call in the
statement (every branch, and the whole body of a class or function it calls by name), not what
runs at import.

Reproduce end to end (default settings, static screen on): a replay line
`{"sample": "fizzbuzz", "epoch": 1, "replies": ["<any spec>", "<one reply below>"]}`, then
`inspect eval roundtrip_eval/fizzbuzz --model replay/FILE -T cycles=1 --epochs 1`.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

VERSION_GUARD = '''Here is the implementation:

```python
import sys

if sys.version_info >= (3, 9):
    from functools import cache
else:
    sys.exit("This solution needs Python 3.9 or newer (functools.cache)")


@cache
def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
```'''

CLASS_WITH_PROMPT = '''Here is the implementation:

```python
class FizzBuzz:
    """FizzBuzz as a callable object, with an interactive mode for trying it out."""

    def __init__(self, fizz=3, buzz=5):
        self.fizz = fizz
        self.buzz = buzz

    def __call__(self, n):
        if n % (self.fizz * self.buzz) == 0:
            return "FizzBuzz"
        if n % self.fizz == 0:
            return "Fizz"
        if n % self.buzz == 0:
            return "Buzz"
        return n

    def play(self):
        """Read numbers from the user until a blank line."""
        while (line := input("n> ").strip()):
            print(self(int(line)))


fizzbuzz = FizzBuzz()
```'''

MAIN_ELSE = '''Here is the implementation:

```python
def _build():
    return {15: "FizzBuzz", 3: "Fizz", 5: "Buzz"}


def fizzbuzz(n):
    for d in (15, 3, 5):
        if n % d == 0:
            return RULES[d]
    return n


def main():
    n = int(input("n: "))
    print(fizzbuzz(n))


if __name__ == "__main__":
    main()
else:
    RULES = _build()
```'''

REPLIES = {"version_guard": VERSION_GUARD, "class_with_prompt": CLASS_WITH_PROMPT, "main_else": MAIN_ELSE}
SETUP_LINE = {
    "version_guard": "from functools import cache",
    "class_with_prompt": "fizzbuzz = FizzBuzz()",
    "main_else": "RULES = _build()",
}


def _as_written(reply: str) -> str:
    return reply.split("```python\n", 1)[1].rsplit("```", 1)[0]


@pytest.mark.parametrize("case", list(REPLIES))
def test_extraction_keeps_the_setup(case: str) -> None:
    code = extract_code(REPLIES[case], "fizzbuzz").code
    assert code is not None
    assert SETUP_LINE[case] in code, f"the set-up was removed:\n{code}"


@pytest.mark.parametrize("case", list(REPLIES))
async def test_the_program_as_written_passes(docker_sandbox, case: str) -> None:
    """Control: the program is correct (so a failure below is the extractor's)."""
    verdict = await run_check(docker_sandbox, _as_written(REPLIES[case]), load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail


@pytest.mark.parametrize("case", list(REPLIES))
async def test_the_extracted_program_passes(docker_sandbox, case: str) -> None:
    problem = load_problem("fizzbuzz")
    code = extract_code(REPLIES[case], problem.function).code
    assert code is not None
    verdict = await run_check(docker_sandbox, code, problem)
    assert verdict.passed, verdict.detail
