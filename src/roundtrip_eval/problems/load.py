"""Load benchmark problems from `tasks/<name>/` folders.

A problem is data: the reference function C0, its name, hand-picked and generated inputs, and
metadata. Expected outputs are computed here by running C0 on the host (it is our own trusted
code), so they can never drift from the reference. Model-written code never runs here.
"""

from __future__ import annotations

import ast
import copy
import functools
import hashlib
import io
import json
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from roundtrip_eval.check.runner import encode
from roundtrip_eval.check.runner.codec import exception_name
from roundtrip_eval.problems import validate as rules
from roundtrip_eval.problems.names import unknown_names
from roundtrip_eval.problems.validate import (  # noqa: F401 - re-exported for callers
    FAMILIARITIES,
    MIN_INPUTS,
    ProblemError,
)
from roundtrip_eval.resources import data_dir


@dataclass(frozen=True)
class Outcome:
    """What one call produced: a value, or the name of the exception it raised."""

    ok: bool
    value: Any = None
    error: str | None = None


@dataclass(frozen=True)
class Problem:
    name: str
    function: str
    reference: str
    domain: str
    familiarity: str
    description: str
    inputs: tuple[tuple[Any, ...], ...]
    expected: tuple[Outcome, ...]
    probe_classes: tuple[tuple[str, ...], ...]
    n_cases: int
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def class_sizes(self) -> dict[str, int]:
        """How many inputs each probe class holds."""
        sizes: dict[str, int] = {}
        for classes in self.probe_classes:
            for c in classes:
                sizes[c] = sizes.get(c, 0) + 1
        return sizes

    @property
    def suite_sha(self) -> str:
        """A short hash of the inputs and expected outcomes, logged for reproducibility."""
        payload = json.dumps(
            [[encode(list(a)) for a in self.inputs], [repr(o) for o in self.expected]]
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def problems_root() -> Path:
    return data_dir("tasks")


def list_problems(root: Path | None = None) -> list[str]:
    """Names of every problem folder (a folder with a task.toml) under `root` (the shipped tasks)."""
    root = problems_root() if root is None else root
    return sorted(p.name for p in root.iterdir() if (p / "task.toml").is_file())


def _call(func: Any, args: tuple[Any, ...]) -> Outcome:
    try:
        return Outcome(ok=True, value=func(*copy.deepcopy(args)))
    except Exception as exc:  # noqa: BLE001 - an exception is a legitimate expected outcome
        return Outcome(ok=False, error=exception_name(exc, str(getattr(func, "__module__", ""))))


MASKED_FUNCTION = "func"


def _rename_tokens(source: str, names: dict[str, str]) -> str:
    """Rename identifiers token by token, keeping the code's layout (attributes untouched)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    out = []
    for i, tok in enumerate(tokens):
        previous = tokens[i - 1].string if i else ""
        if tok.type == tokenize.NAME and tok.string in names and previous != ".":
            tok = tok._replace(string=names[tok.string])
        out.append(tok)
    return tokenize.untokenize(out)


def mask_names(reference: str, function: str) -> tuple[str, dict[str, str]]:
    """C0 with the function called `func` and its parameters `arg0`, `arg1`, ...

    Why: a familiar name ("fizzbuzz") lets a model recall rather than read. Positional calls
    are unaffected, so the checker only needs the new function name.
    """
    tree = ast.parse(reference)
    node = next(
        n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function
    )
    params = [a.arg for a in node.args.posonlyargs + node.args.args]
    names = {function: MASKED_FUNCTION}
    names.update({p: f"arg{i}" for i, p in enumerate(params)})
    return _rename_tokens(reference, names), names


def variants_of(name: str, root: Path | None = None) -> list[str]:
    """Variant folder names a problem declares under `<root>/<name>/variants/`."""
    folder = (problems_root() if root is None else root) / name / "variants"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "reference.py").is_file())


@functools.cache
def load_problem(name: str, variant: str | None = None, masked: bool = False) -> Problem:
    """Load the shipped problem `tasks/<name>/` (see `load_problem_folder`)."""
    folder = problems_root() / name
    if not (folder / "task.toml").is_file():
        raise ProblemError(f"{unknown_names('problem', [name], list_problems())} (no {folder / 'task.toml'})")
    return load_problem_folder(folder, variant, masked)


def load_problem_folder(folder: Path, variant: str | None = None, masked: bool = False) -> Problem:
    """Load a problem folder (optionally a declared variant, optionally name-masked), generate
    its inputs and compute expected outcomes from C0 (the variant's reference, if any).

    Every rule of `problems_validate` is applied on the way, so a malformed folder raises one
    `ProblemError` naming the file, and a problem with too few inputs is never scored.
    """
    toml = folder / "task.toml"
    if not toml.is_file():
        raise ProblemError(f"{toml}: missing (a problem folder needs task.toml)")
    meta = rules.task_meta(toml)
    name = folder.name
    source = folder
    if variant:
        source = folder / "variants" / variant
        if not (source / "reference.py").is_file():
            declared = ", ".join(variants_of(name, folder.parent)) or "none"
            raise ProblemError(
                f"problem '{name}' declares no variant '{variant}' (declared: {declared}; "
                f"a variant is a folder {folder / 'variants'}/<variant>/ with a reference.py)"
            )
        meta["variant"] = variant
        variant_meta = rules.variant_meta(source / "variant.toml")
        if variant_meta:
            meta["variant_description"] = variant_meta.get("description", "")
    function = meta["function"]
    reference_path = source / "reference.py"
    reference, func = rules.load_reference(reference_path, function)

    inputs_path = source / "inputs.py" if (source / "inputs.py").is_file() else folder / "inputs.py"
    module = rules.load_inputs(inputs_path, f"{name}.{variant or 'base'}")
    spec = meta.get("inputs", {})
    labelled = rules.argument_tuples(
        inputs_path, module, spec.get("seed", rules.INPUT_KEYS["seed"]),
        spec.get("count", rules.INPUT_KEYS["count"]),
    )
    n_cases = sum(1 for label, _ in labelled if label.startswith("CASES"))
    rules.fit_signature(inputs_path, function, func, labelled)
    labelled = rules.distinct(labelled)
    rules.check_floor(inputs_path, toml, func, len(labelled))
    classes = rules.probe_classes(inputs_path, module, labelled)
    inputs = tuple(args for _, args in labelled)
    expected = tuple(_call(func, args) for args in inputs)
    for args, outcome in zip(inputs, expected, strict=True):
        if outcome.ok:
            rules.check_output(reference_path, function, args, outcome.value)
    shown = reference
    if masked:
        shown, renames = mask_names(reference, function)
        function = MASKED_FUNCTION
        meta["masked_names"] = renames
    return Problem(
        name=meta.get("name", name),
        function=function,
        reference=shown,
        domain=meta["domain"],
        familiarity=meta["familiarity"],
        description=meta["description"],
        inputs=inputs,
        expected=expected,
        probe_classes=tuple(classes),
        n_cases=n_cases,
        metadata={k: v for k, v in meta.items() if k != "inputs"},
    )
