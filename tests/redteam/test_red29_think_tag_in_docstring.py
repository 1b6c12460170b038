"""red29: a correct function whose docstring holds a line that is only `</think>` is scored
`extraction` ("no code found"), though the reply is one well-formed ```python fence.

`extract.strip_think` keeps a tag inside fenced code "unless the tag is alone on its line (no
Python line is ...)", and a closing tag without an opening one "drops what precedes it". A line
of a multi-line string *is* a Python line, and it may be `</think>` alone (a docstring that
describes model output, say): everything before it, the `def` line included, is dropped, what
is left is an indented body with no definition, and the tolerant search finds nothing
(`think+none`). A paired `<think>`/`</think>` in the same docstring happens to pass (the span
between them is dropped and the rest still parses).

Scored today: `extraction: no code found in the reply (think+none)`; should pass (the fenced
code is the whole, correct program).

Reproduce end to end (default settings): a replay line `{"sample": "fizzbuzz", "epoch": 1,
"replies": ["spec", "```python\\n" + CODE + "```"]}` and `inspect eval roundtrip_eval/fizzbuzz
--model replay/FILE -T cycles=1 --epochs 1`.
"""

from __future__ import annotations

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

pytestmark = pytest.mark.docker

CODE = '''def fizzbuzz(n):
    """FizzBuzz, for text that may end a model's reasoning with
</think>
    """
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n
'''


async def test_a_fenced_correct_function_with_a_think_line_in_its_docstring_passes(docker_sandbox) -> None:
    found = extract_code(f"```python\n{CODE}```\n", "fizzbuzz")
    assert found.code is not None, found.rule
    verdict = await run_check(docker_sandbox, found.code, load_problem("fizzbuzz"))
    assert verdict.passed, verdict.detail
