"""Turn problem folders into Inspect samples: one sample per problem, one trial per epoch."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample

from roundtrip_eval.problems.evalplus import SOURCES, load_evalplus_problem, task_ids
from roundtrip_eval.problems.load import Problem, list_problems, load_problem, variants_of
from roundtrip_eval.problems.names import unknown_names


def problem_sample(name: str, variant: str | None = None, masked: bool = False) -> Sample:
    """The sample's input is C0 itself, as a Python code block so the viewer keeps its
    indentation; the solver reads C0 from the problem, and the test suite stays on the host."""
    return _sample(load_problem(name, variant, masked), variant=variant, masked=masked)


def _sample(problem: Problem, **extra: Any) -> Sample:
    return Sample(
        id=problem.name,
        input=f"```python\n{problem.reference.rstrip()}\n```",
        target=problem.function,
        metadata={
            "problem": problem.name,
            "function": problem.function,
            "domain": problem.domain,
            "familiarity": problem.familiarity,
            "n_inputs": len(problem.inputs),
            "n_cases": problem.n_cases,
            "suite_sha": problem.suite_sha,
            "variant": extra.get("variant"),
            "mask_names": extra.get("masked", False),
            "pair": problem.metadata.get("pair"),
            "twin": problem.metadata.get("twin"),
            **{k: extra[k] for k in ("source", "dataset") if k in extra},
        },
    )


def sample_problem(meta: Mapping[str, Any]) -> Problem:
    """The problem a sample was made from: a `tasks/` folder, or an EvalPlus row (`source`)."""
    source = meta.get("source")
    if source in SOURCES:
        return load_evalplus_problem(str(source), str(meta["problem"]), meta.get("dataset"))
    return load_problem(str(meta["problem"]), meta.get("variant"), bool(meta.get("mask_names", False)))


def select_problems(
    source: str, dataset: str | None, problems: str | list[str] | None, count: int | None, count_seed: int
) -> list[str]:
    """Task ids of an EvalPlus release: all, the named ones (`Mbpp/2,Mbpp/3`, or bare numbers),
    or `count` of them drawn with `count_seed`, kept in the dataset's order."""
    known = task_ids(source, dataset)
    if problems not in (None, "all"):
        names = problems.split(",") if isinstance(problems, str) else [str(p) for p in problems]
        prefix = SOURCES[source].prefix
        chosen = [n.strip() if "/" in n.strip() else prefix + n.strip() for n in names if str(n).strip()]
        unknown = [n for n in chosen if n not in known]
        if unknown:
            raise ValueError(f"unknown problem(s) {unknown} in {source} (ids like {known[0]}, {known[1]})")
        known = [k for k in known if k in chosen]
    if count is not None:
        if type(count) is not int or count < 1:
            raise ValueError(f"count must be an integer >= 1, got {count!r}")
        drawn = set(random.Random(count_seed).sample(known, min(count, len(known))))
        known = [k for k in known if k in drawn]
    return known


def evalplus_dataset(source: str, names: list[str], dataset: str | None) -> MemoryDataset:
    """Samples for EvalPlus problems; each remembers its source and dataset path for the solver."""
    return MemoryDataset(
        [_sample(load_evalplus_problem(source, n, dataset), source=source, dataset=dataset) for n in names],
        name=source,
    )


def resolve_problems(problems: str | list[str] | None) -> list[str]:
    """`None`/`"all"` -> every problem; `"a,b"` or a list -> those, validated."""
    if problems is None or problems == "all":
        return list_problems()
    names = problems.split(",") if isinstance(problems, str) else list(problems)
    names = [n.strip() for n in names if n.strip()]
    known = set(list_problems())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(unknown_names("problem", unknown, known))
    return names


def pair_problems(pairs: str | list[str] | None) -> list[str]:
    """Both members of every known/novel pair (`None`/`"all"`), or of the named pairs."""
    by_pair: dict[str, list[str]] = {}
    for name in list_problems():
        pair = load_problem(name).metadata.get("pair")
        if pair:
            by_pair.setdefault(str(pair), []).append(name)
    if pairs is None or pairs == "all":
        chosen = sorted(by_pair)
    else:
        chosen = [p.strip() for p in (pairs.split(",") if isinstance(pairs, str) else pairs)]
        unknown = [p for p in chosen if p not in by_pair]
        if unknown:
            raise ValueError(unknown_names("pair", unknown, by_pair))
    return [name for pair in chosen for name in sorted(by_pair[pair])]


def problems_dataset(
    names: list[str],
    name: str = "roundtrip",
    variant: str | None = None,
    masked: bool = False,
) -> MemoryDataset:
    """Samples for `names`; a variant applies to the problems that declare it."""
    if variant and not any(variant in variants_of(n) for n in names):
        raise ValueError(
            f"-T variant={variant}: none of {names} declares it "
            "(a variant lives in tasks/<problem>/variants/<variant>/)"
        )
    return MemoryDataset(
        [problem_sample(n, variant if variant in variants_of(n) else None, masked) for n in names],
        name=name,
    )
