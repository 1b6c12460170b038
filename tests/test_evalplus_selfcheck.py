"""C0 of MBPP+ / HumanEval+ checked against its own inputs in the Docker sandbox, both modes.

The whole of both releases is `python -m studies.evalplus_selfcheck` (about an hour on two busy
cores; its table is in docs/peers_mbpp.md). Here: the tasks that exercise what the loader and the
codec had to learn (tuples, complex numbers, sets, a special oracle, tolerances, the not-none
tasks, the task with no plus inputs, a Counter, a set of strings iterated by the hash seed, values
over the old 4,096-byte limit and values sent as digests), which must all pass. (HumanEval+ 15's
6.9 MB strings and 83's ints of a million digits pass too, but near the time limits on a loaded
machine: tests/test_checker.py checks those paths on smaller values.)
"""

from __future__ import annotations

from typing import Any

import pytest
from peer_data import evalplus_dir

from roundtrip_eval.check.compare import MODES
from roundtrip_eval.check.host import run_check
from roundtrip_eval.problems.evalplus import load_evalplus_problem

pytestmark = [pytest.mark.docker, pytest.mark.slow]

TASKS = {
    "mbpp_plus": ["Mbpp/3", "Mbpp/124", "Mbpp/252", "Mbpp/580", "Mbpp/737", "Mbpp/793", "Mbpp/17", "Mbpp/88",
                  "Mbpp/2", "Mbpp/579", "Mbpp/251", "Mbpp/589"],
    "humaneval_plus": ["HumanEval/32", "HumanEval/0", "HumanEval/14"],
}


@pytest.mark.parametrize(("source", "task_id"), [(s, t) for s, ids in TASKS.items() for t in ids])
async def test_c0_passes_its_own_inputs_in_both_modes(source: str, task_id: str, docker_sandbox: Any) -> None:
    problem = load_evalplus_problem(source, task_id, str(evalplus_dir()))
    for mode in MODES:
        verdict = await run_check(docker_sandbox, problem.reference, problem, compare_mode=mode)
        assert verdict.passed, f"{task_id} ({mode}): {verdict.detail}"
