"""The Inspect tasks: one per benchmark problem, plus `roundtrip` for any set of problems.

Each trial is one sample x one epoch: up to `cycles` round trips code -> spec (g) -> code (f),
with every regenerated function checked in the sandbox. The headline metric is survival@N
(the `survival` scorer's `mean`): the fraction of trials whose code passed in every cycle.

Every task takes the trial settings of `roundtrip_eval.eval.settings.TrialSettings` as `-T`
arguments and forwards them, unparsed, to one parser: none of them lists them again.
"""

from __future__ import annotations

import inspect
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import Dataset
from inspect_ai.log import HeadlineMetric
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Scorer
from inspect_ai.util import SandboxEnvironmentSpec

from roundtrip_eval import __version__
from roundtrip_eval.eval.dataset import (
    evalplus_dataset,
    pair_problems,
    problems_dataset,
    resolve_problems,
    select_problems,
)
from roundtrip_eval.eval.in_force import SettingsTask
from roundtrip_eval.eval.prompts import LEAK_WARNING, load_user_templates, prompt_set_version
from roundtrip_eval.eval.scorers import blame as blame_scorer
from roundtrip_eval.eval.scorers import (
    consistency,
    curves,
    drift,
    generalization,
    peer_comparison,
    stability,
    survival,
)
from roundtrip_eval.eval.server_watch import require_server
from roundtrip_eval.eval.settings import SettingError, TrialSettings, args_docstring, shown
from roundtrip_eval.eval.solver import CODE_ROLE, SPEC_ROLE, roundtrip_solver
from roundtrip_eval.problems.load import variants_of
from roundtrip_eval.problems.validate import ProblemError
from roundtrip_eval.resources import data_dir

logger = logging.getLogger(__name__)

LOCAL_WARNING = (
    "WARNING: sandbox=local runs model-written code directly on this machine, UNSANDBOXED. "
    "Use it only with models and machines you trust; the default is the Docker sandbox."
)

TaskFunction = TypeVar("TaskFunction", bound=Callable[..., Task])


def resolve_sandbox(name: str) -> SandboxEnvironmentSpec:
    """Map `-T sandbox=` to a spec. `docker` uses our compose file on the same image."""
    if name == "local":
        print(LOCAL_WARNING, file=sys.stderr)
        logger.warning(LOCAL_WARNING)
        return SandboxEnvironmentSpec("local")
    if name == "docker":
        return SandboxEnvironmentSpec("docker", str(data_dir("sandbox") / "compose.yaml"))
    if name == "k8s":  # inspect-k8s-sandbox's chart, on our image and isolation settings
        return SandboxEnvironmentSpec("k8s", str(data_dir("sandbox") / "k8s-values.yaml"))
    return SandboxEnvironmentSpec(name)


def trial_metadata(settings: TrialSettings, problems: list[str]) -> dict[str, Any]:
    """The log's `eval.metadata`: every setting, plus what the run was made of."""
    return {
        **settings.model_dump(),
        **prompt_metadata(settings, problems),
        "roundtrip_eval_version": __version__,
        "problems": problems,
    }


_warned_prompts: set[str] = set()


def prompt_metadata(settings: TrialSettings, problems: list[str]) -> dict[str, Any]:
    """The prompt-set version; with `-T prompts=DIR`, `user+<hash>` and `user_prompts`: the
    directory, each template's sha256 and the leak warning (also printed, once per directory).

    Checks every template the run sends before its first trial: a missing one is one line
    naming the path expected (a `TemplateError`).
    """
    if settings.prompts is None:
        return {"prompt_set_version": prompt_set_version()}
    user = load_user_templates(settings.prompts).metadata(
        problems, language=settings.language, spec_format=settings.spec_format, style=settings.prompt_style
    )
    if user["directory"] not in _warned_prompts:
        _warned_prompts.add(str(user["directory"]))
        print(LEAK_WARNING, file=sys.stderr)
        logger.warning(LEAK_WARNING)
    return {"prompt_set_version": user["version"], "user_prompts": user}


def trial_task(
    problems: list[str],
    settings: TrialSettings,
    *,
    name: str = "roundtrip",
    extra_scorers: Sequence[Scorer] = (),
    dataset: Dataset | None = None,
) -> Task:
    """Assemble dataset, solver, scorers and sandbox for a set of problems (the `tasks/`
    folders named, unless `dataset` gives the samples, as the EvalPlus tasks do)."""
    _check_variant(problems, settings.variant)
    if dataset is None and settings.start == "prompt":
        raise SettingError(
            "-T start=prompt refused: these problems have no natural-language prompt "
            "(roundtrip_eval/mbpp_plus and roundtrip_eval/humaneval_plus do)"
        )
    require_server()
    scorers = [survival(settings.cycles), drift(), stability(settings.cycles), consistency(settings.cycles)]
    scorers += [peer_comparison(settings.cycles), curves(settings.cycles)]
    if settings.blame > 0:
        scorers.append(blame_scorer())
    scorers.extend(extra_scorers)
    roles = {
        role: model
        for role, model in ((SPEC_ROLE, settings.spec_model), (CODE_ROLE, settings.code_model))
        if model
    }
    return SettingsTask(
        settings=settings,
        dataset=dataset
        or problems_dataset(problems, name=name, variant=settings.variant, masked=settings.mask_names),
        solver=roundtrip_solver(settings),
        scorer=scorers,
        sandbox=resolve_sandbox(settings.sandbox),
        config=GenerateConfig(temperature=settings.temperature, max_tokens=settings.max_tokens),
        epochs=Epochs(settings.epochs, "mean"),
        metadata=trial_metadata(settings, problems),
        model_roles=roles or None,
        headline_metric=HeadlineMetric(scorer="survival", metric="mean"),
        version=1,
    )


def roundtrip_task(
    problems: list[str],
    *,
    name: str = "roundtrip",
    extra_scorers: Sequence[Scorer] = (),
    **task_args: Any,
) -> Task:
    """`trial_task` for Python callers that pass the settings by name, as `-T` spells them."""
    settings = TrialSettings.from_task_args(task_args, task=name)
    return trial_task(problems, settings, name=name, extra_scorers=extra_scorers)


def _check_variant(problems: list[str], variant: str | None) -> None:
    if not variant or any(variant in variants_of(n) for n in problems):
        return
    declared = sorted({v for n in problems for v in variants_of(n)})
    raise SettingError(
        f"-T variant={variant} refused: none of {', '.join(problems)} declares it "
        f"(declared: {', '.join(declared) or 'none'}; a variant lives in "
        "tasks/<problem>/variants/<variant>/)"
    )


def _selected(select: Callable[[Any], list[str]], parameter: str, value: Any) -> list[str]:
    """Problem names from a selector (`problems`, `pairs`), or its one-line refusal."""
    try:
        return select(value)
    except ValueError as error:
        raise SettingError(f"-T {parameter}={shown(value)} refused: {error}") from None


def takes_settings(func: TaskFunction) -> TaskFunction:
    """Show a `(selector, **kwargs)` task with every setting as a parameter of its own.

    Its signature and its docstring's Args gain one entry per `TrialSettings` field, so
    Inspect (the registry's parameter list, the task arguments it logs with their defaults),
    `help()` and `inspect list tasks` see them all, while the body forwards `**kwargs` to the
    one parser. The `**kwargs` stays in the signature so that Inspect passes an unknown name
    on (to be refused in one line) instead of dropping it with a warning.
    """
    signature = inspect.signature(func)
    own = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    keyword = inspect.Parameter.KEYWORD_ONLY
    fields = [
        inspect.Parameter(name, keyword, default=field.default, annotation=field.annotation)
        for name, field in TrialSettings.model_fields.items()
    ]
    rest = [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD, annotation=Any)]
    func.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*own, *fields, *rest], return_annotation=Task
    )
    func.__doc__ = inspect.cleandoc(func.__doc__ or "") + "\n" + args_docstring()
    return func


@task
@takes_settings
def roundtrip(problems: str | list[str] | None = None, **kwargs: Any) -> Task:
    """Round-trip stability on a set of problems.

    Every trial setting is a parameter (rendered below from `TrialSettings`).

    Args:
        problems: Comma-separated problem names (folders under tasks/); all by default.
    """
    settings = TrialSettings.from_task_args(kwargs, "roundtrip", ["problems"])
    return trial_task(_selected(resolve_problems, "problems", problems), settings)


@task
@takes_settings
def generalization_gap(pairs: str | list[str] | None = None, **kwargs: Any) -> Task:
    """Known vs novel twins under one identical configuration: the study's claim, controlled.

    Runs both members of every pair (or `-T pairs=a,b`). The `generalization` scorer reports
    survival@N of known and of novel problems, the gap (known - novel) with a seeded 95%
    bootstrap interval over trials, pooled and per pair, and Fisher's exact p (pooled).
    `mask_names=true` gives every problem neutral names (`func`, `arg0`): the recall ablation.

    Args:
        pairs: Comma-separated pair ids (the `pair` key of task.toml); all by default.
    """
    settings = TrialSettings.from_task_args(kwargs, "generalization_gap", ["pairs"])
    return trial_task(
        _selected(pair_problems, "pairs", pairs),
        settings,
        name="generalization_gap",
        extra_scorers=[generalization(settings.cycles)],
    )


def evalplus_task(
    source: str,
    problems: str | list[str] | None,
    count: int | None,
    count_seed: int,
    dataset: str | None,
    kwargs: dict[str, Any],
) -> Task:
    """A task over an EvalPlus release (MBPP+ or HumanEval+), every setting as for `roundtrip`."""
    settings = TrialSettings.from_task_args(kwargs, source, ["problems", "count", "count_seed", "dataset"])
    if settings.mask_names or settings.variant:
        which = "mask_names" if settings.mask_names else "variant"
        raise SettingError(f"-T {which} refused: {source} problems have no masked form or variants")
    try:
        names = select_problems(source, dataset, problems, count, count_seed)
    except ProblemError:
        raise  # the data itself: its own one line
    except ValueError as error:
        raise SettingError(f"-T problems/count refused: {error}") from None
    samples = evalplus_dataset(source, names, dataset)
    return trial_task(names, settings, name=source, dataset=samples)


def _evalplus(source: str, release: str, ids: str) -> Callable[..., Task]:
    """The task over one EvalPlus release, taking every setting like `roundtrip`."""

    def make(
        problems: str | list[str] | None = None,
        count: int | None = None,
        count_seed: int = 0,
        dataset: str | None = None,
        **kwargs: Any,
    ) -> Task:
        return evalplus_task(source, problems, count, count_seed, dataset, kwargs)

    make.__name__ = source
    make.__doc__ = f"""Round-trip stability on {release} (EvalPlus's release; the data is not shipped).

    Args:
        problems: Comma-separated task ids (`{ids}`, or their numbers); all by default.
        count: Draw this many of them at random (with `count_seed`), kept in dataset order.
        count_seed: Seed of that draw.
        dataset: EvalPlus's {release} file (.jsonl or .jsonl.gz) or a folder holding it; default
            the environment variable ROUNDTRIP_EVAL_EVALPLUS, else the dataset hub."""
    return task(name=source)(takes_settings(make))


mbpp_plus = _evalplus("mbpp_plus", "MBPP+", "Mbpp/2,Mbpp/3")
humaneval_plus = _evalplus("humaneval_plus", "HumanEval+", "HumanEval/0,HumanEval/2")


def _single(problem: str) -> Callable[..., Task]:
    """A task for one problem, taking every setting and forwarding it like `roundtrip`."""

    def make(**kwargs: Any) -> Task:
        return trial_task([problem], TrialSettings.from_task_args(kwargs, problem), name=problem)

    make.__name__ = problem
    make.__doc__ = f"Round-trip stability on `{problem}`; settings as for `roundtrip`.\n\nArgs:"
    return task(name=problem)(takes_settings(make))


fizzbuzz = _single("fizzbuzz")
get_magic_number = _single("get_magic_number")
separate_vowels_and_consonants = _single("separate_vowels_and_consonants")
process_user_list = _single("process_user_list")
