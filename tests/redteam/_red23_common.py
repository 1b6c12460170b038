"""Shared by the red23 tests: a model reply through tolerant extraction and the default check."""

from __future__ import annotations

from typing import Any

from roundtrip_eval.check.host import CheckResult, run_check
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import load_problem

FENCE = "```"


def fenced(code: str) -> str:
    """A model reply holding `code` in one python fence."""
    return f"{FENCE}python\n{code.strip(chr(10))}\n{FENCE}\n"


async def verdict(env: Any, problem_name: str, reply: str) -> tuple[str, CheckResult | None]:
    """(extraction rule, check verdict) of `reply` for a problem, as the eval's f step scores it."""
    problem = load_problem(problem_name)
    found = extract_code(reply, problem.function)
    if found.code is None:
        return found.rule, None
    return found.rule, await run_check(env, found.code, problem)
