"""Turn problem folders into Inspect samples: one sample per problem, one trial per epoch."""

from __future__ import annotations

from inspect_ai.dataset import MemoryDataset, Sample

from roundtrip_eval.problems.load import list_problems, load_problem, variants_of
from roundtrip_eval.problems.names import unknown_names


def problem_sample(name: str, variant: str | None = None, masked: bool = False) -> Sample:
    """The sample's input is C0 itself, as a Python code block so the viewer keeps its
    indentation; the solver reads C0 from the problem, and the test suite stays on the host."""
    problem = load_problem(name, variant, masked)
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
            "variant": variant,
            "mask_names": masked,
            "pair": problem.metadata.get("pair"),
            "twin": problem.metadata.get("twin"),
        },
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
