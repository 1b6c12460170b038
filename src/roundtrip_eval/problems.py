"""Load benchmark problems from `tasks/<name>/` folders.

A problem is data: the reference function C0, its name, hand-picked and generated inputs, and
metadata. Expected outputs are computed here by running C0 on the host (it is our own trusted
code), so they can never drift from the reference. Model-written code never runs here.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib.util
import json
import random
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


def run_reference(reference: str, function: str, args: tuple[Any, ...]) -> Outcome:
    """Call trusted reference code on one input (inputs are deep-copied first)."""
    namespace: dict[str, Any] = {}
    exec(compile(reference, "reference.py", "exec"), namespace)
    return _call(namespace[function], args)


def _call(func: Any, args: tuple[Any, ...]) -> Outcome:
    try:
        return Outcome(ok=True, value=func(*copy.deepcopy(args)))
    except Exception as exc:  # noqa: BLE001 - an exception is a legitimate expected outcome
        return Outcome(ok=False, error=type(exc).__name__)


@functools.cache
def load_problem(name: str) -> Problem:
    """Load `tasks/<name>/`, generate its inputs and compute expected outcomes from C0."""
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
    reference = (folder / "reference.py").read_text(encoding="utf-8")
    namespace: dict[str, Any] = {}
    exec(compile(reference, str(folder / "reference.py"), "exec"), namespace)
    func = namespace.get(meta["function"])
    if not callable(func):
        raise ProblemError(f"tasks/{name}/reference.py does not define {meta['function']}()")

    inputs_mod = _load_module(folder / "inputs.py", name)
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
    return Problem(
        name=meta.get("name", name),
        function=meta["function"],
        reference=reference,
        domain=meta["domain"],
        familiarity=meta["familiarity"],
        description=meta["description"],
        inputs=tuple(inputs),
        expected=tuple(_call(func, args) for args in inputs),
        probe_classes=tuple(tuple(classify(args)) for args in inputs),
        n_cases=len(cases),
        metadata={k: v for k, v in meta.items() if k != "inputs"},
    )
