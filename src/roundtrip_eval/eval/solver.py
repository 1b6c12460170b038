"""The g/f loop: spec(i) = g(C(i-1)), C(i) = f(spec(i)), then check C(i) in the sandbox.

Each step gets a fresh message list, so f never sees C0 or any earlier code: the spec is the
only channel between cycles. The solver writes the trial's record (eval/record.py): one `Cycle`
per round trip, stored after every cycle, so a trial cut short (limit, error, Ctrl-C) keeps
what it completed; with `-T blame=k`, the `Blame` beside it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from inspect_ai.log import transcript
from inspect_ai.model import ChatMessageUser, GenerateConfig, Model, ModelOutput, get_model, model_roles
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import sandbox, span, store

from roundtrip_eval._inspect_private import eval_generate_config
from roundtrip_eval.check.host import compare, run_check
from roundtrip_eval.eval import blame, drift
from roundtrip_eval.eval.dataset import sample_problem
from roundtrip_eval.eval.extract import Extraction, extract_code, extract_spec, spec_leak
from roundtrip_eval.eval.prompts import load_user_templates, render_f, render_g
from roundtrip_eval.eval.record import (
    BLAME_KEY,
    CYCLES_KEY,
    Attempt,
    CheckRecord,
    Cycle,
    Evidence,
    TokenUsage,
    Trial,
)
from roundtrip_eval.eval.seeds import derive_seed
from roundtrip_eval.eval.server_watch import watched
from roundtrip_eval.eval.settings import TrialSettings
from roundtrip_eval.eval.verdict import verdict_markdown
from roundtrip_eval.problems.load import Problem

SPEC_ROLE = "spec"
CYCLE_SPAN = "roundtrip"
"""The span type of a cycle (its name is `cycle <i>`)."""
CODE_ROLE = "code"


class InfrastructureError(RuntimeError):
    """The model transport failed or returned nothing: not the model's fault, never scored."""


async def generate_step(model: Model, prompt: str, seed: int, retries: int) -> ModelOutput:
    """One generation with a fresh message list; empty transport-level replies are retried, and
    a loopback server that dies mid-call ends the trial in seconds (see server_watch)."""
    config = GenerateConfig(seed=seed)
    base_url = getattr(model.api, "base_url", None)
    for _attempt in range(retries + 1):
        output = await watched(
            lambda: model.generate([ChatMessageUser(content=prompt)], config=config),
            model.name, base_url,
        )
        if output.choices and (output.completion.strip() or output.stop_reason == "max_tokens"):
            return output
    raise InfrastructureError(
        f"model {model.name} returned an empty response {retries + 1} times in a row; "
        "check the model server (its logs, memory, context size) and rerun to resume"
    )


def _usage(output: ModelOutput) -> TokenUsage:
    usage = output.usage
    if usage is None:
        return TokenUsage()
    return TokenUsage(input_tokens=usage.input_tokens, output_tokens=usage.output_tokens)


@dataclass
class Previous:
    """What the next cycle starts from: the last code (C0 at first), its spec and behaviour."""

    code: str
    spec: str | None
    behaviour: str | None


@dataclass
class FResult:
    """f on one spec, then a check: what `attempt` returns (a cycle's f half, or a blame try)."""

    code: str | None
    extraction_rule: str | None
    code_reply: str
    usage: TokenUsage
    passed: bool
    category: str
    detail: str
    check: CheckRecord | None = None


@solver
def roundtrip_solver(settings: TrialSettings, infra_retries: int = 2) -> Solver:
    """Run up to `settings.cycles` round trips on the sample's problem, checking every code.

    With `stop_on_failure=False` the chain goes on from the failing code (when there is
    code), so recoveries and self-consistency can be measured; survival still counts from
    the first failure. With `blame=k`, the first failing cycle is probed by the rule of
    `eval/blame.py` (docs/blame_rule.md) to tell who broke it. A sample carrying a logged trial
    (`LOGGED_KEY`, from `roundtrip-eval blame`) runs no cycles: only the probes of its failure.
    """

    templates = load_user_templates(settings.prompts) if settings.prompts else None
    choice = (settings.language, settings.spec_format, settings.prompt_style)

    def g_prompt(problem: Problem, code: str) -> str:
        """g's prompt: ours, or the user's template for this problem (`-T prompts=DIR`)."""
        language, spec_format, style = choice
        return render_g(code, language=language, spec_format=spec_format, style=style,
                        templates=templates, problem=problem.name)  # fmt: skip

    def f_prompt(problem: Problem, spec: str) -> str:
        language, spec_format, style = choice
        return render_f(spec, language=language, spec_format=spec_format, style=style,
                        templates=templates, problem=problem.name)  # fmt: skip

    def role_model(role: str, under_test: Model) -> Model:
        """The model bound to `role` (`-T spec_model=`/`code_model=`), else the model under test.

        Not `get_model(role=..., default=under_test)` for an unbound role: that returns a
        role-tagged copy, which is no longer Inspect's active model, and Inspect then leaves the
        task's generation config (temperature, max_tokens) out of its calls. A bound role model
        gets the temperature and max_tokens in force explicitly, for the same reason: the task's,
        or Inspect's `--temperature` / `--max-tokens` when given (eval/in_force.py).
        """
        if role not in model_roles():
            return under_test
        given = eval_generate_config()
        config = GenerateConfig(
            temperature=given.get("temperature", settings.temperature),
            max_tokens=given.get("max_tokens", settings.max_tokens),
        )
        return get_model(role=role, default=under_test, config=config)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = state.metadata
        problem = sample_problem(meta)
        under_test = get_model()
        models = (role_model(SPEC_ROLE, under_test), role_model(CODE_ROLE, under_test))
        if blame.LOGGED_KEY in meta:
            logged = blame.Logged.model_validate(meta[blame.LOGGED_KEY])
            await run_blame(problem, logged.cycles, logged.epoch, models, logged.known)
            return state
        history: list[Cycle] = []
        previous = Previous(
            problem.reference, None, compare(problem, list(problem.expected)).behaviour
        )
        for cycle in range(1, settings.cycles + 1):
            seeds = {step: derive_seed(settings.seed, state.epoch, cycle, step) for step in ("g", "f")}
            # the viewer heads a span "<type>: <name>" ("ROUNDTRIP: CYCLE 3") and lists it in the
            # outline by name ("cycle 3"); without a type Inspect repeats the name as the type
            async with span(f"cycle {cycle}", type=CYCLE_SPAN):
                given = start_prompt(problem) if cycle == 1 and settings.start == "prompt" else None
                record = await run_cycle(problem, cycle, previous, seeds, models, given)
                transcript().info(verdict_markdown(record), source="check")  # the verdict, in its span
            history.append(record)
            store().set(CYCLES_KEY, Trial.stored_cycles(history))
            if record.code is None or (settings.stop_on_failure and not record.passed):
                break
            previous = Previous(record.code, record.spec, record.behaviour)
        if settings.blame > 0:
            await run_blame(problem, history, state.epoch, models)
        return state

    def start_prompt(problem: Problem) -> str:
        """`-T start=prompt`: cycle 1's "spec" is the problem's natural-language prompt."""
        prompt = problem.metadata.get("prompt")
        if not prompt:
            raise ValueError(f"-T start=prompt: problem {problem.name} has no natural-language prompt")
        return str(prompt)

    def f_input(problem: Problem, spec: str, given: bool) -> str:
        """What f reads: the spec, or with `attach_assert` (g's specs only) the spec and the
        prompt's `assert` line wrapped in a docstring, as EvaLooop builds its next input."""
        line = problem.metadata.get("assert_line")
        if not settings.attach_assert or given or not line:
            return spec
        return f'"""\n{spec}\n{line}\n"""\n'

    async def attempt(
        problem: Problem, spec: str, seed_f: int, model: Model, given: bool = False
    ) -> FResult:
        """f on one spec, then a check: the unit that blame repeats."""
        prompt = f_prompt(problem, f_input(problem, spec, given))
        out = await generate_step(model, prompt, seed_f, infra_retries)
        extracted = extract_code(out.completion, problem.function, settings.extraction)
        if extracted.code is None:
            return FResult(
                None, extracted.rule, out.completion, _usage(out), passed=False, category="extraction",
                detail=f"extraction: no code found in the reply ({extracted.rule})",
            )  # fmt: skip
        check = await run_check(
            sandbox(),
            extracted.code,
            problem,
            call_timeout=settings.call_timeout,
            check_timeout=settings.check_timeout,
            screen=settings.static_screen,
            compare_mode=settings.compare,
        )
        return FResult(
            extracted.code, extracted.rule, out.completion, _usage(out), passed=check.passed,
            category=check.category, detail=check.detail, check=CheckRecord(**check.to_dict()),
        )  # fmt: skip

    async def run_cycle(
        problem: Problem,
        cycle: int,
        previous: Previous,
        seeds: dict[str, int],
        models: tuple[Model, Model],
        given: str | None = None,
    ) -> Cycle:
        """One cycle: g on the previous code, then f on its spec; with `given` (the prompt that
        starts a chain, `-T start=prompt`) g is not asked and f reads `given`."""
        started = time.monotonic()
        spec_model, code_model = models
        if given is None:
            prompt = g_prompt(problem, previous.code)
            g_out = await generate_step(spec_model, prompt, seeds["g"], infra_retries)
            spec = extract_spec(g_out.completion)
        else:
            g_out = ModelOutput(model="none")
            spec = Extraction(given, "prompt")
        record = Cycle(
            cycle=cycle,
            spec=spec.code,
            spec_rule=spec.rule,
            spec_leak=False,
            code=None,
            extraction_rule=None,
            passed=False,
            category="spec_failure",
            detail="spec_failure: the spec is empty (no content once <think> blocks, code fences "
            "and whitespace are removed); f was not asked",
            seeds=seeds,
            spec_reply=g_out.completion if given is None else None,
            code_reply=None,
            usage={"g": _usage(g_out)},
        )
        leak = None
        if spec.code is not None and given is None:
            leak = spec_leak(spec.code, problem.function, previous.code)
        if leak is not None:  # the "spec" is the code: a spec_failure (docs/design.md#drift-categories)
            record.spec_leak = True
            record.detail = f"spec_failure: the spec is the code itself ({leak}); f was not asked"
        if spec.code is not None and (leak is None or not settings.spec_gate):
            result = await attempt(problem, spec.code, seeds["f"], code_model, given is not None)
            record.usage["f"] = result.usage
            record.code, record.extraction_rule = result.code, result.extraction_rule
            record.code_reply = result.code_reply
            record.passed, record.category, record.detail = result.passed, result.category, result.detail
            if result.check is not None:
                record.check = result.check
            _describe_changes(record, problem, previous)
        record.seconds = round(time.monotonic() - started, 3)
        return record

    def _describe_changes(record: Cycle, problem: Problem, previous: Previous) -> None:
        """Drift category with evidence, plus the change measures of every cycle."""
        code = record.code
        check = record.check.model_dump() if record.check is not None else None
        if code is not None:
            record.fixed_point = drift.normalised_ast(code) == drift.normalised_ast(previous.code)
            record.similarity_to_c0 = drift.ast_similarity(code, problem.reference)
        if previous.spec is not None and record.spec is not None:
            record.spec_similarity = drift.text_similarity(record.spec, previous.spec)
        if check is not None:
            record.behaviour = check["behaviour"] or None
            record.consistent = bool(check["behaviour"]) and (check["behaviour"] == previous.behaviour)
        else:
            record.consistent = False
        if record.passed:
            return
        category, changed = drift.refine(
            check or {"category": record.category},
            problem.class_sizes,
            previous.code,
            code,
            problem.function,
        )
        record.detail = drift.explain(
            category, record, changed, problem.class_sizes, previous.code, problem.function
        )
        record.category = category
        record.evidence = Evidence(**drift.evidence(check, changed, previous.spec, record.spec))

    async def run_blame(
        problem: Problem,
        history: list[Cycle],
        epoch: int,
        models: tuple[Model, Model],
        known: dict[str, Attempt] | None = None,
    ) -> None:
        """Probe the first failing cycle (eval/blame.py) and store the verdict; the first failure
        of a spec_failure has no spec to regenerate from and is not probed. `known`: tries a
        logged blame record already made with the same model, not made again."""
        cycle, _why = blame.probe_target(history)
        if cycle is None:
            return
        spec_model, code_model = models
        if settings.judge_model:
            spec_model = code_model = get_model(settings.judge_model)

        async def f_try(spec: str, seed: int) -> FResult:
            return await attempt(problem, spec, seed, code_model)

        async def g_write(code: str, seed: int) -> str | None:
            g_out = await generate_step(spec_model, g_prompt(problem, code), seed, infra_retries)
            spec = extract_spec(g_out.completion).code
            return None if spec is None or spec_leak(spec, problem.function, code) else spec

        async with span("blame"):
            result = await blame.run_probes(
                history, cycle, problem.reference, settings.blame, f_try, g_write,
                lambda step: derive_seed(settings.seed, epoch, cycle, step),
                settings.judge_model or "same as the run", known,
            )  # fmt: skip
        store().set(BLAME_KEY, result.stored())

    return solve

