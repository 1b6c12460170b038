"""Red team round 15 (red30): a str of two lone surrogates is carried as the one astral character.

The codec writes a returned str with `json`'s ASCII escaper (`codec._ESCAPE`), which writes an
astral character such as U+1F600 as its UTF-16 surrogate pair, `\\ud83d\\ude00`. A str that
*holds* those two code points (`"\\ud83d\\ude00"`, length 2) gets the very same text, and the
host's `json.loads` joins the pair back into the one character. So a candidate that returns a
different str (every astral character split into two lone surrogates: another length, another
value, `!=` in Python) is read on the host as C0's value and scored as passing. The digest route
(`digest_of`) hashes the same text, so a long value collides too.

HumanEval+'s HumanEval/28 (`concatenate`) has "😀😀😀" among its inputs and outputs: the wrong
function below passes there today. Correct verdict: `semantic` (a str of another value).
Needs no setting: the static screen has nothing to refuse in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from roundtrip_eval.check.host import run_check
from roundtrip_eval.check.runner import decode, encode
from roundtrip_eval.problems.evalplus import load_evalplus_problem

pytestmark = pytest.mark.docker

DATA = Path("../shared/peer-data/evalplus/HumanEvalPlus.jsonl.gz")

SPLIT_SURROGATES = '''
def concatenate(strings):
    """Concatenate, but every astral character comes back as two lone UTF-16 surrogates."""
    out = ""
    for ch in "".join(strings):
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            out += chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF))
        else:
            out += ch
    return out
'''


def test_codec_keeps_lone_surrogates_apart() -> None:
    """The codec alone: two different strs must not decode to the same value."""
    astral, split = "\U0001f600", "\ud83d\ude00"
    assert astral != split
    assert decode(encode(split)) == split  # fails today: it decodes to `astral`


async def test_split_surrogates_concatenate_fails(docker_sandbox: Any) -> None:
    if not DATA.exists():
        pytest.skip("HumanEval+ data is not here")
    problem = load_evalplus_problem("humaneval_plus", "HumanEval/28", str(DATA))
    astral = [i for i, o in enumerate(problem.expected) if o.ok and any(ord(c) > 0xFFFF for c in o.value)]
    assert astral, "the control: some expected output holds an astral character"
    result = await run_check(docker_sandbox, SPLIT_SURROGATES, problem)
    assert not result.passed and result.category == "semantic", result.detail
