"""Turn problem folders into Inspect samples: one sample per problem, one trial per epoch."""

from __future__ import annotations

from inspect_ai.dataset import MemoryDataset, Sample

from roundtrip_eval.problems import list_problems, load_problem


def problem_sample(name: str) -> Sample:
    """The sample's input is C0 itself; the test suite stays on the host, keyed by name."""
    problem = load_problem(name)
    return Sample(
        id=problem.name,
        input=problem.reference,
        target=problem.function,
        metadata={
            "problem": problem.name,
            "function": problem.function,
            "domain": problem.domain,
            "familiarity": problem.familiarity,
            "n_inputs": len(problem.inputs),
            "n_cases": problem.n_cases,
            "suite_sha": problem.suite_sha,
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
        raise ValueError(f"unknown problem(s) {unknown}; known: {sorted(known)}")
    return names


def problems_dataset(names: list[str], name: str = "roundtrip") -> MemoryDataset:
    return MemoryDataset([problem_sample(n) for n in names], name=name)
