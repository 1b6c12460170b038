"""The g/f loop: spec(i) = g(C(i-1)), C(i) = f(spec(i)), then check C(i) in the sandbox.

Each step gets a fresh message list, so f never sees C0 or any earlier code: the spec is the
only channel between cycles. The per-cycle history is written to `store()["cycles"]` after
every cycle, so a trial cut short (limit, error, Ctrl-C) keeps what it completed.
"""

from __future__ import annotations

import time
from typing import Any

from inspect_ai.model import (
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelOutput,
    get_model,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import sandbox, span, store

from roundtrip_eval.checker import CALL_TIMEOUT, CHECK_TIMEOUT, run_check
from roundtrip_eval.extract import extract_code, extract_spec, spec_leaks_code
from roundtrip_eval.problems import Problem, load_problem
from roundtrip_eval.prompts import render
from roundtrip_eval.seeds import derive_seed

CYCLES_KEY = "cycles"
SPEC_ROLE = "spec"
CODE_ROLE = "code"


class InfrastructureError(RuntimeError):
    """The model transport failed or returned nothing: not the model's fault, never scored."""


async def generate_step(model: Model, prompt: str, seed: int, retries: int) -> ModelOutput:
    """One generation with a fresh message list; empty transport-level replies are retried."""
    config = GenerateConfig(seed=seed)
    for _attempt in range(retries + 1):
        output = await model.generate([ChatMessageUser(content=prompt)], config=config)
        if output.choices and (output.completion.strip() or output.stop_reason == "max_tokens"):
            return output
    raise InfrastructureError(
        f"model {model.name} returned an empty response {retries + 1} times in a row; "
        "check the model server (its logs, memory, context size) and rerun to resume"
    )


def _usage(output: ModelOutput) -> dict[str, int]:
    usage = output.usage
    if usage is None:
        return {}
    return {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens}


@solver
def roundtrip_solver(
    cycles: int = 10,
    language: str = "en",
    spec_format: str = "pseudocode",
    extraction: str = "tolerant",
    seed: int = 0,
    stop_on_failure: bool = True,
    infra_retries: int = 2,
    call_timeout: float = CALL_TIMEOUT,
    check_timeout: float = CHECK_TIMEOUT,
) -> Solver:
    """Run up to `cycles` round trips on the sample's problem, checking every regenerated code.

    With `stop_on_failure=False` the chain goes on from the failing code (when there is
    code), so recoveries and self-consistency can be measured; survival still counts from
    the first failure.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        problem = load_problem(str(state.metadata["problem"]))
        models = (get_model(role=SPEC_ROLE), get_model(role=CODE_ROLE))
        history: list[dict[str, Any]] = []
        code = problem.reference
        for cycle in range(1, cycles + 1):
            seeds = {step: derive_seed(seed, state.epoch, cycle, step) for step in ("g", "f")}
            async with span(f"cycle {cycle}"):
                record = await run_cycle(problem, cycle, code, seeds, models)
            history.append(record)
            store().set(CYCLES_KEY, history)
            if record["code"] is None or (stop_on_failure and not record["passed"]):
                break
            code = record["code"]
        return state

    async def run_cycle(
        problem: Problem,
        cycle: int,
        code: str,
        seeds: dict[str, int],
        models: tuple[Model, Model],
    ) -> dict[str, Any]:
        started = time.monotonic()
        spec_model, code_model = models
        g_prompt = render("g", language, spec_format, code)
        g_out = await generate_step(spec_model, g_prompt, seeds["g"], infra_retries)
        spec = extract_spec(g_out.completion)
        record: dict[str, Any] = {
            "cycle": cycle,
            "spec": spec.code,
            "spec_rule": spec.rule,
            "spec_leak": False,
            "code": None,
            "extraction_rule": None,
            "passed": False,
            "category": "spec_failure",
            "detail": "spec_failure: the spec is empty",
            "seeds": seeds,
            "spec_reply": g_out.completion,
            "code_reply": None,
            "usage": {"g": _usage(g_out)},
        }
        if spec.code is not None:
            record["spec_leak"] = spec_leaks_code(spec.code, problem.function, code)
            f_prompt = render("f", language, spec_format, spec.code)
            f_out = await generate_step(code_model, f_prompt, seeds["f"], infra_retries)
            extracted = extract_code(f_out.completion, problem.function, extraction)
            record.update(
                code=extracted.code, extraction_rule=extracted.rule, code_reply=f_out.completion
            )
            record["usage"]["f"] = _usage(f_out)
            if extracted.code is None:
                record.update(
                    category="extraction",
                    detail=f"extraction: no code found in the reply ({extracted.rule})",
                )
            else:
                check = await run_check(
                    sandbox(),
                    extracted.code,
                    problem,
                    call_timeout=call_timeout,
                    check_timeout=check_timeout,
                )
                record.update(
                    passed=check.passed,
                    category=check.category,
                    detail=check.detail,
                    check=check.to_dict(),
                )
        record["seconds"] = round(time.monotonic() - started, 3)
        return record

    return solve
