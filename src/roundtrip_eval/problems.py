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
import importlib.util
import io
import json
import random
import tokenize
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from roundtrip_eval.resources import data_dir
from roundtrip_eval.runner import encode

FAMILIARITIES = ("known", "novel")


class ProblemError(ValueError):
    """A task folder is malformed; the message names the folder and what to fix."""


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


def list_problems() -> list[str]:
    """Names of every problem folder (a folder with a task.toml)."""
    return sorted(p.name for p in problems_root().iterdir() if (p / "task.toml").is_file())


def _load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"roundtrip_eval_tasks.{name}", path)
    if spec is None or spec.loader is None:
        raise ProblemError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _call(func: Any, args: tuple[Any, ...]) -> Outcome:
    try:
        return Outcome(ok=True, value=func(*copy.deepcopy(args)))
    except Exception as exc:  # noqa: BLE001 - an exception is a legitimate expected outcome
        return Outcome(ok=False, error=type(exc).__name__)


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


def variants_of(name: str) -> list[str]:
    """Variant folder names a problem declares under `tasks/<name>/variants/`."""
    folder = problems_root() / name / "variants"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "reference.py").is_file())


@functools.cache
def load_problem(name: str, variant: str | None = None, masked: bool = False) -> Problem:
    """Load `tasks/<name>/` (optionally a declared variant, optionally name-masked), generate
    its inputs and compute expected outcomes from C0 (the variant's reference, if any)."""
    folder = problems_root() / name
    meta_path = folder / "task.toml"
    if not meta_path.is_file():
        known = ", ".join(list_problems())
        raise ProblemError(f"unknown problem '{name}': no {meta_path.name}; known: {known}")
    meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    for key in ("function", "domain", "familiarity", "description"):
        if key not in meta:
            raise ProblemError(f"tasks/{name}/task.toml: missing required key '{key}'")
    if meta["familiarity"] not in FAMILIARITIES:
        raise ProblemError(f"tasks/{name}/task.toml: familiarity must be one of {FAMILIARITIES}")
    source = folder
    if variant:
        source = folder / "variants" / variant
        if not (source / "reference.py").is_file():
            declared = ", ".join(variants_of(name)) or "none"
            raise ProblemError(
                f"problem '{name}' declares no variant '{variant}' (declared: {declared})"
            )
        meta["variant"] = variant
        variant_toml = source / "variant.toml"
        if variant_toml.is_file():
            meta["variant_description"] = tomllib.loads(variant_toml.read_text("utf-8")).get(
                "description", ""
            )
    reference = (source / "reference.py").read_text(encoding="utf-8")
    namespace: dict[str, Any] = {}
    exec(compile(reference, str(source / "reference.py"), "exec"), namespace)
    func = namespace.get(meta["function"])
    if not callable(func):
        raise ProblemError(f"{source.name}/reference.py does not define {meta['function']}()")

    inputs_path = source / "inputs.py" if (source / "inputs.py").is_file() else folder / "inputs.py"
    inputs_mod = _load_module(inputs_path, f"{name}.{variant or 'base'}")
    cases = [tuple(c) for c in inputs_mod.CASES]
    spec = meta.get("inputs", {})
    rng = random.Random(int(spec.get("seed", 0)))
    generated = [tuple(a) for a in inputs_mod.generate(rng, int(spec.get("count", 100)))]
    inputs: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    for args in cases + generated:
        key = json.dumps(encode(list(args)))
        if key not in seen:  # duplicates add time, not evidence
            seen.add(key)
            inputs.append(args)
    classify = getattr(inputs_mod, "probe_classes", lambda args: ["plain"])
    function = meta["function"]
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
        inputs=tuple(inputs),
        expected=tuple(_call(func, args) for args in inputs),
        probe_classes=tuple(tuple(classify(args)) for args in inputs),
        n_cases=len(cases),
        metadata={k: v for k, v in meta.items() if k != "inputs"},
    )
