"""The rules a problem folder must pass before anything is scored, each refused in one line.

Why at load: a malformed folder found later reads as a traceback, or worse as a score (an
`inputs.py` that yields nothing makes every candidate "match on all 0 inputs"). Found here,
it is one `ProblemError` naming the file and what to fix, before any trial starts, and
`roundtrip-eval problems check` runs the same rules for people adding problems.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import inspect
import json
import keyword
import random
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from roundtrip_eval._inspect_private import OneLineError
from roundtrip_eval.check.runner import MAX_DEPTH, MAX_VALUE_BYTES, encode

FAMILIARITIES = ("known", "novel")
REQUIRED_KEYS = ("function", "domain", "familiarity", "description")
TEXT_KEYS = (*REQUIRED_KEYS, "name", "source", "pair", "twin", "known_because", "twin_construction")
INPUT_KEYS = {"seed": 0, "count": 100}
"""`[inputs]` keys of task.toml and their defaults."""

MIN_INPUTS = 50
"""The floor: a problem whose function takes parameters needs at least this many distinct inputs.

Why 50: survival means "matched C0 on every input", so a thin suite passes code that is wrong.
At 50 inputs, a candidate that differs from C0 on 6% of the input space still slips through
with probability 0.94**50 < 5%. Every shipped problem clears it with margin (the smallest,
process_user_list, has 124). A function without parameters has a single possible input, `()`,
so its floor is that one input (get_magic_number)."""

INPUT_TYPES: tuple[type, ...] = (type(None), bool, int, float, str, list, tuple, dict)
"""What an argument may be built from: the JSON-like values, plus tuples, that the checker's
codec (`runner.encode`) sends into the sandbox and back unchanged."""

OUTPUT_TYPES: tuple[type, ...] = (*INPUT_TYPES, set, frozenset, bytes)
"""What C0 may return: every type the codec compares type-exactly; anything else arrives as
an opaque marker that no candidate could ever match."""


class ProblemError(OneLineError):
    """A problem folder is malformed; the one-line message names the file and what to fix.

    Inspect prints it alone, without a traceback, when a task cannot load its problems.
    """


def short(value: Any, limit: int = 60) -> str:
    """A repr short enough for a one-line message."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails is still named by its type
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(value: Any) -> str:
    """`int 5`, `str 'many'`: the type first, because the type is usually what is wrong."""
    return f"{type(value).__name__} {short(value)}"


def raised(exc: BaseException) -> str:
    """`KeyError: 'x'`: what a call into the folder's own code raised, shortened."""
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProblemError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemError(f"{path}: cannot be read: {exc}") from None


def task_meta(path: Path) -> dict[str, Any]:
    """task.toml, with every key the loader uses present and of the right type."""
    meta = read_toml(path)
    for key in REQUIRED_KEYS:
        if key not in meta:
            raise ProblemError(f"{path}: missing required key '{key}'")
    for key in TEXT_KEYS:
        if key in meta and not (isinstance(meta[key], str) and meta[key].strip()):
            raise ProblemError(f"{path}: '{key}' must be a non-empty string, got {describe(meta[key])}")
    function = meta["function"]
    if not function.isidentifier() or keyword.iskeyword(function):
        raise ProblemError(f"{path}: function must be a Python function name, got {function!r}")
    if meta["familiarity"] not in FAMILIARITIES:
        allowed = " or ".join(FAMILIARITIES)
        raise ProblemError(f"{path}: familiarity must be {allowed}, got {meta['familiarity']!r}")
    spec = meta.get("inputs", {})
    if not isinstance(spec, dict):
        raise ProblemError(
            f"{path}: inputs must be a table ([inputs] with seed and count), got {describe(spec)}"
        )
    for key in spec:
        if key not in INPUT_KEYS:
            raise ProblemError(f"{path}: [inputs] has no key '{key}' (keys: {', '.join(INPUT_KEYS)})")
    for key, default in INPUT_KEYS.items():
        value = spec.get(key, default)
        if type(value) is not int:
            raise ProblemError(f"{path}: [inputs] {key} must be an integer, got {describe(value)}")
    if spec.get("count", 0) < 0:
        raise ProblemError(f"{path}: [inputs] count must be 0 or more, got {spec['count']}")
    return meta


def variant_meta(path: Path) -> dict[str, Any]:
    """variant.toml (optional): `kind` and `description`, both text."""
    if not path.is_file():
        return {}
    meta = read_toml(path)
    for key in ("kind", "description"):
        if key in meta and not isinstance(meta[key], str):
            raise ProblemError(f"{path}: '{key}' must be a string, got {describe(meta[key])}")
    return meta


def load_reference(path: Path, function: str) -> tuple[str, Callable[..., Any]]:
    """reference.py's source and its function, defined by a top-level `def` (masking renames it)."""
    if not path.is_file():
        raise ProblemError(f"{path}: missing (the reference function {function}())")
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemError(f"{path}: cannot be read: {exc}") from None
    try:
        code = compile(source, str(path), "exec")  # inspect-evals-lint: ignore[IESC002] -- a problem's own C0
    except (SyntaxError, ValueError) as exc:
        where = f"line {exc.lineno}: " if isinstance(exc, SyntaxError) and exc.lineno else ""
        msg = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        raise ProblemError(f"{path}: {where}{msg}") from None
    defs = {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    if function not in defs:
        found = ", ".join(sorted(defs)) or "none"
        raise ProblemError(
            f"{path}: no top-level `def {function}(...)`, the function task.toml names "
            f"(defined: {found})"
        )
    namespace: dict[str, Any] = {}
    try:
        exec(code, namespace)  # inspect-evals-lint: ignore[IESC002] -- a problem's C0, not model code
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure is a malformed folder
        raise ProblemError(f"{path}: importing it raised {raised(exc)}") from None
    func = namespace.get(function)
    if not callable(func):
        raise ProblemError(f"{path}: {function} is rebound to {describe(func)} after its def")
    return source, func


def load_inputs(path: Path, module_name: str) -> ModuleType:
    """inputs.py as a module (our own trusted data, run on the host like the reference)."""
    if not path.is_file():
        raise ProblemError(f"{path}: missing (CASES, generate(rng, count), probe_classes(args))")
    spec = importlib.util.spec_from_file_location(f"roundtrip_eval_tasks.{module_name}", path)
    if spec is None or spec.loader is None:
        raise ProblemError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure is a malformed folder
        raise ProblemError(f"{path}: importing it raised {raised(exc)}") from None
    return module


def bad_value(value: Any, allowed: tuple[type, ...], depth: int = 0) -> str | None:
    """What in `value` the codec cannot carry exactly (None if nothing): checked by exact type,
    as `runner.encode` does, so an int subclass or a self-containing list is caught too."""
    if depth > MAX_DEPTH:
        return f"nesting deeper than {MAX_DEPTH} levels"
    kind = type(value)
    if kind not in allowed:
        return f"a {kind.__name__}" if kind in (set, frozenset) else f"a value of type {kind.__name__}"
    if kind in (list, tuple, set, frozenset):
        for item in value:
            if found := bad_value(item, allowed, depth + 1):
                return found
    if kind is dict:
        for key, item in value.items():
            if found := bad_value(key, allowed, depth + 1) or bad_value(item, allowed, depth + 1):
                return found
    return None


def _refuse_value(path: Path, label: str, args: tuple[Any, ...], found: str) -> ProblemError:
    why = (
        "a set's order follows the hash seed, so C0 on the host and the code in the sandbox "
        "could disagree; pass a sorted list"
        if found in ("a set", "a frozenset")
        else "inputs are built from None, bool, int, float, str, list, tuple and dict"
    )
    return ProblemError(f"{path}: {label} {short(args)} holds {found}; {why}")


def argument_tuples(
    path: Path, module: ModuleType, seed: int, count: int
) -> list[tuple[str, tuple[Any, ...]]]:
    """CASES then generate(rng, count), each item labelled by where it came from."""
    cases = getattr(module, "CASES", None)
    if cases is None:
        raise ProblemError(f"{path}: defines no CASES (a list of argument tuples; [] for none)")
    if type(cases) not in (list, tuple):
        raise ProblemError(f"{path}: CASES must be a list of argument tuples, got {describe(cases)}")
    labelled = [(f"CASES[{i}]", args) for i, args in enumerate(cases)]
    generate = getattr(module, "generate", None)
    if not callable(generate):
        raise ProblemError(f"{path}: defines no generate(rng, count) (return [] to add no inputs)")
    call = f"generate(rng, {count})"
    try:
        produced = generate(random.Random(seed), count)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure is a malformed folder
        raise ProblemError(f"{path}: {call} raised {raised(exc)}") from None
    if not isinstance(produced, Iterable) or isinstance(produced, str | bytes | dict | set):
        raise ProblemError(f"{path}: {call} returned {describe(produced)}, not a list of argument tuples")
    try:
        items = list(produced)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a generator that raises part-way
        raise ProblemError(f"{path}: {call} raised {raised(exc)} while yielding") from None
    labelled += [(f"{call} item {i}", args) for i, args in enumerate(items)]
    for label, args in labelled:
        if type(args) is not tuple:
            raise ProblemError(
                f"{path}: {label} is {describe(args)}, not an argument tuple (one argument: (x,))"
            )
        if found := bad_value(args, INPUT_TYPES):
            raise _refuse_value(path, label, args, found)
    return labelled


def fit_signature(
    path: Path, function: str, func: Callable[..., Any], labelled: list[tuple[str, tuple[Any, ...]]]
) -> None:
    """Every input must bind to C0's signature: the runner refuses the whole check otherwise."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return
    for label, args in labelled:
        try:
            signature.bind(*args)
        except TypeError as exc:
            raise ProblemError(
                f"{path}: {label} {short(args)} does not fit {function}{signature}: {exc}"
            ) from None


def input_floor(func: Callable[..., Any]) -> int:
    try:
        return MIN_INPUTS if inspect.signature(func).parameters else 1
    except (TypeError, ValueError):
        return MIN_INPUTS


def distinct(labelled: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[str, tuple[Any, ...]]]:
    """Duplicates dropped (they add time, not evidence), first occurrence kept."""
    seen: set[str] = set()
    kept = []
    for label, args in labelled:
        key = json.dumps(encode(list(args)))
        if key not in seen:
            seen.add(key)
            kept.append((label, args))
    return kept


def check_floor(path: Path, toml: Path, func: Callable[..., Any], n: int) -> None:
    floor = input_floor(func)
    if n >= floor:
        return
    if floor == 1:
        raise ProblemError(f"{path}: no inputs; a function without parameters needs CASES = [()]")
    raise ProblemError(
        f"{path}: {n} distinct input{'' if n == 1 else 's'}, fewer than the floor of {floor}; "
        f"add CASES or raise count under [inputs] in {toml}"
    )


def probe_classes(
    path: Path, module: ModuleType, labelled: list[tuple[str, tuple[Any, ...]]]
) -> list[tuple[str, ...]]:
    """Each input's probe classes (`plain` when inputs.py defines no probe_classes)."""
    classify = getattr(module, "probe_classes", None)
    if classify is None:
        return [("plain",) for _ in labelled]
    if not callable(classify):
        raise ProblemError(f"{path}: probe_classes must be a function of one argument tuple")
    out = []
    for _label, args in labelled:
        try:
            classes = classify(copy.deepcopy(args))
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure is a malformed folder
            raise ProblemError(f"{path}: probe_classes({short(args)}) raised {raised(exc)}") from None
        if (
            type(classes) not in (list, tuple)
            or not classes
            or any(type(c) is not str or not c for c in classes)
        ):
            raise ProblemError(
                f"{path}: probe_classes({short(args)}) returned {describe(classes)}, "
                "not a non-empty list of class names"
            )
        out.append(tuple(classes))
    return out


def check_output(path: Path, function: str, args: tuple[Any, ...], value: Any) -> None:
    """C0's return value must be one the checker can compare; else no candidate could pass."""
    call = f"{function}({', '.join(short(a, 40) for a in args)})"
    if found := bad_value(value, OUTPUT_TYPES):
        raise ProblemError(
            f"{path}: {call} returns {found}, which the checker cannot compare; return JSON-like values"
        )
    size = len(json.dumps(encode(value)))
    if size > MAX_VALUE_BYTES:
        raise ProblemError(
            f"{path}: {call} returns a value of {size} encoded bytes, over the checker's "
            f"{MAX_VALUE_BYTES}-byte limit for one value"
        )
