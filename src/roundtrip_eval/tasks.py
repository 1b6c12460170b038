"""The Inspect tasks: one per benchmark problem, plus `roundtrip` for any set of problems.

Each trial is one sample x one epoch: up to `cycles` round trips code -> spec (g) -> code (f),
with every regenerated function checked in the sandbox. The headline metric is survival@N
(`survival/survived`): the fraction of trials whose code passed in every cycle.
"""

from __future__ import annotations

import inspect
import logging
import sys
from collections.abc import Callable
from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.log import HeadlineMetric
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Scorer
from inspect_ai.util import SandboxEnvironmentSpec

from roundtrip_eval import __version__
from roundtrip_eval.checker import CALL_TIMEOUT, CHECK_TIMEOUT
from roundtrip_eval.dataset import pair_problems, problems_dataset, resolve_problems
from roundtrip_eval.extract import MODES
from roundtrip_eval.prompts import LANGUAGES, SPEC_FORMATS, prompt_set_version
from roundtrip_eval.resources import data_dir
from roundtrip_eval.scorers import blame as blame_scorer
from roundtrip_eval.scorers import consistency, drift, generalization, stability, survival
from roundtrip_eval.solver import CODE_ROLE, SPEC_ROLE, roundtrip_solver

logger = logging.getLogger(__name__)

DEFAULT_EPOCHS = 30
"""Trials per problem: the original study ran 30 per configuration. Override with --epochs."""

DEFAULT_SANDBOX = "roundtrip-docker"
DEFAULT_TEMPERATURE = 0.7
"""Sampling temperature. Not 0: with fixed seeds, temperature 0 makes every epoch identical."""

DEFAULT_MAX_TOKENS = 1024

LOCAL_WARNING = (
    "WARNING: sandbox=local runs model-written code directly on this machine, UNSANDBOXED. "
    "Use it only with models and machines you trust; the default is the Docker sandbox."
)


def resolve_sandbox(name: str) -> SandboxEnvironmentSpec:
    """Map `-T sandbox=` to a spec. `docker` uses our compose file on the same image."""
    if name == "local":
        print(LOCAL_WARNING, file=sys.stderr)
        logger.warning(LOCAL_WARNING)
        return SandboxEnvironmentSpec("local")
    if name == "docker":
        return SandboxEnvironmentSpec("docker", str(data_dir("sandbox") / "compose.yaml"))
    return SandboxEnvironmentSpec(name)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"-T {name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def roundtrip_task(
    problems: list[str],
    *,
    cycles: int = 10,
    language: str = "en",
    spec_format: str = "pseudocode",
    extraction: str = "tolerant",
    sandbox: str = DEFAULT_SANDBOX,
    seed: int = 0,
    temperature: float = DEFAULT_TEMPERATURE,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    epochs: int = DEFAULT_EPOCHS,
    stop_on_failure: bool = True,
    blame: int = 0,
    judge_model: str | None = None,
    spec_model: str | None = None,
    code_model: str | None = None,
    variant: str | None = None,
    mask_names: bool = False,
    call_timeout: float = CALL_TIMEOUT,
    check_timeout: float = CHECK_TIMEOUT,
    name: str = "roundtrip",
    extra_scorers: list[Scorer] | None = None,
) -> Task:
    """Assemble dataset, solver, scorers and sandbox for a set of problems."""
    cycles = int(cycles)
    if cycles < 1:
        raise ValueError(f"-T cycles must be at least 1; got {cycles}")
    _choice("language", language, LANGUAGES)
    _choice("spec_format", spec_format, SPEC_FORMATS)
    _choice("extraction", extraction, MODES)
    settings = {
        "cycles": cycles,
        "language": language,
        "spec_format": spec_format,
        "extraction": extraction,
        "sandbox": sandbox,
        "seed": int(seed),
        "temperature": float(temperature),
        "max_tokens": int(max_tokens),
        "stop_on_failure": bool(stop_on_failure),
        "blame": int(blame),
        "judge_model": judge_model,
        "spec_model": spec_model,
        "code_model": code_model,
        "variant": variant,
        "mask_names": bool(mask_names),
        "call_timeout": float(call_timeout),
        "check_timeout": float(check_timeout),
        "prompt_set_version": prompt_set_version(),
        "roundtrip_eval_version": __version__,
        "problems": problems,
    }
    scorers = [survival(cycles), drift(), stability(cycles), consistency(cycles)]
    if int(blame) > 0:
        scorers.append(blame_scorer())
    scorers.extend(extra_scorers or [])
    roles = {
        role: model for role, model in ((SPEC_ROLE, spec_model), (CODE_ROLE, code_model)) if model
    }
    return Task(
        dataset=problems_dataset(problems, name=name, variant=variant, masked=bool(mask_names)),
        solver=roundtrip_solver(
            cycles=cycles,
            language=language,
            spec_format=spec_format,
            extraction=extraction,
            seed=int(seed),
            stop_on_failure=bool(stop_on_failure),
            call_timeout=float(call_timeout),
            check_timeout=float(check_timeout),
            blame=int(blame),
            judge_model=judge_model,
        ),
        scorer=scorers,
        sandbox=resolve_sandbox(sandbox),
        config=GenerateConfig(temperature=float(temperature), max_tokens=int(max_tokens)),
        epochs=Epochs(int(epochs), "mean"),
        metadata=settings,
        model_roles=roles or None,
        headline_metric=HeadlineMetric(scorer="survival", score="survived", metric="roundtrip_eval/mean"),
        version=1,
    )


@task
def roundtrip(
    problems: str | list[str] | None = None,
    cycles: int = 10,
    language: str = "en",
    spec_format: str = "pseudocode",
    extraction: str = "tolerant",
    sandbox: str = DEFAULT_SANDBOX,
    seed: int = 0,
    temperature: float = DEFAULT_TEMPERATURE,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    epochs: int = DEFAULT_EPOCHS,
    stop_on_failure: bool = True,
    blame: int = 0,
    judge_model: str | None = None,
    spec_model: str | None = None,
    code_model: str | None = None,
    variant: str | None = None,
    mask_names: bool = False,
) -> Task:
    """Round-trip stability on a set of problems.

    Args:
        problems: Comma-separated problem names (folders under tasks/); all by default.
        cycles: Round trips per trial (N); survival@N is the headline metric.
        language: Prompt language, `en` or `ja`.
        spec_format: What g writes: `pseudocode` or `prose`.
        extraction: `tolerant` (recover code from chatty replies) or `strict` (first fence).
        sandbox: Sandbox provider: `roundtrip-docker` (default), `docker` (Inspect's compose
            provider, Docker >= 24), `local` (UNSANDBOXED, warns), or any registered name.
        seed: Base seed; each step's seed derives from (seed, epoch, cycle, step).
        temperature: Sampling temperature for both g and f.
        max_tokens: Generation limit per step.
        epochs: Trials per problem.
        stop_on_failure: Stop a trial at its first failing cycle (set false to keep going and
            measure recoveries and self-consistency; survival still counts from the first
            failure).
        blame: k > 0 replays the first failing cycle k times from its spec (f only) and k
            times from the last passing code (g then f), and reports who broke the chain.
        judge_model: Model for the blame regenerations (default: the model under test).
        spec_model: Model that writes the specs (g); default the model under test.
        code_model: Model that writes the code (f); default the model under test.
        variant: A semantics-changing variant the problem declares (e.g. `constants`:
            fizzbuzz with 4/7 and other words); expected outputs come from its reference.
        mask_names: Show the function as `func` and its parameters as `arg0`, ... everywhere
            the model sees them, so a familiar name cannot cue recall.
    """
    params = dict(locals())  # every parameter below `problems`, passed through by name
    return roundtrip_task(resolve_problems(params.pop("problems")), **params)


@task
def generalization_gap(
    pairs: str | list[str] | None = None,
    cycles: int = 10,
    language: str = "en",
    spec_format: str = "pseudocode",
    extraction: str = "tolerant",
    sandbox: str = DEFAULT_SANDBOX,
    seed: int = 0,
    temperature: float = DEFAULT_TEMPERATURE,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    epochs: int = DEFAULT_EPOCHS,
    mask_names: bool = False,
) -> Task:
    """Known vs novel twins under one identical configuration: the study's claim, controlled.

    Runs both members of every pair (or `-T pairs=a,b`). The `generalization` scorer reports
    survival@N of known and of novel problems, the gap (known - novel) with a seeded 95%
    bootstrap interval over trials, pooled and per pair, and Fisher's exact p (pooled).

    Args:
        pairs: Comma-separated pair ids (the `pair` key of task.toml); all by default.
        mask_names: Neutral names (`func`, `arg0`) for every problem: the recall ablation.
        (other parameters as for `roundtrip`)
    """
    params = dict(locals())  # every parameter below `pairs`, passed through by name
    return roundtrip_task(
        pair_problems(params.pop("pairs")),
        name="generalization_gap",
        extra_scorers=[generalization(int(cycles))],
        **params,
    )


def _single(problem: str) -> Callable[..., Task]:
    """A task for one problem, with exactly `roundtrip`'s parameters except `problems`."""

    def make(**params: Any) -> Task:
        return roundtrip_task([problem], name=problem, **params)

    signature = inspect.signature(roundtrip)
    make.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for p in signature.parameters.values() if p.name != "problems"]
    )
    make.__name__ = problem
    make.__doc__ = f"Round-trip stability on `{problem}`; parameters as for `roundtrip`."
    return task(name=problem)(make)


fizzbuzz = _single("fizzbuzz")
get_magic_number = _single("get_magic_number")
separate_vowels_and_consonants = _single("separate_vowels_and_consonants")
process_user_list = _single("process_user_list")
