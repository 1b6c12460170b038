"""The two checks an extraction finding needs, shared by the red-team files that report one:
the reply's fenced blocks joined are a correct program (the control), and what the tolerant
extractor takes from the reply passes too."""

from __future__ import annotations

from typing import Any

from roundtrip_eval.check.host import run_check
from roundtrip_eval.eval.extract import extract_code, fenced_blocks
from roundtrip_eval.problems.load import load_problem


async def assert_blocks_together_pass(sandbox: Any, reply: str, problem: str = "fizzbuzz") -> None:
    """Control: the program the reply shows, its blocks together, is correct."""
    whole = "\n\n".join(block.text for block in fenced_blocks(reply))
    verdict = await run_check(sandbox, whole, load_problem(problem))
    assert verdict.passed, verdict.detail


async def assert_extracted_program_passes(sandbox: Any, reply: str, problem: str = "fizzbuzz") -> None:
    """What the tolerant extractor takes from the reply passes the check."""
    loaded = load_problem(problem)
    extraction = extract_code(reply, loaded.function)
    assert extraction.code is not None
    verdict = await run_check(sandbox, extraction.code, loaded)
    assert verdict.passed, f"{extraction.rule}: {verdict.detail}\n{extraction.code}"
