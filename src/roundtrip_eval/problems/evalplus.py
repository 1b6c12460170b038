"""MBPP+ and HumanEval+ (EvalPlus's releases) as problems like those under `tasks/`.

Why: to hold this suite against the peers on their own code, every dataset row becomes a
`Problem`: C0 is the row's canonical solution (EvalPlus's reference code, run on the host like
every C0), the inputs are `base_input` then `plus_input` (in that order, none dropped: EvalPlus
runs them all), the expected outcomes come from running C0 on them, and the row's tolerance,
special oracle and natural-language prompt travel in `metadata` for the EvalPlus comparison
(`roundtrip_eval.check.compare`) and the prompt start of a chain.

The data is never shipped: it is read from a path the user gives (`-T dataset=PATH`, or the
environment variable `ROUNDTRIP_EVAL_EVALPLUS`, a `.jsonl`/`.jsonl.gz` file or a folder holding
EvalPlus's file), else from the dataset hub where EvalPlus publishes it (needs the `datasets`
package and a network; refused in one line otherwise). A malformed row is one `ProblemError`
naming the row and what is wrong.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roundtrip_eval.check.runner.codec import STDLIB_MAPPINGS, exception_name
from roundtrip_eval.problems.load import Outcome, Problem
from roundtrip_eval.problems.reference import ReferenceRunError, reference_outcomes
from roundtrip_eval.problems.reference import ReferenceTimeout as _ReferenceTimeout
from roundtrip_eval.problems.reference import time_limit as _time_limit
from roundtrip_eval.problems.validate import ProblemError, bad_value, fit_signature, raised

ENV_VAR = "ROUNDTRIP_EVAL_EVALPLUS"
"""A folder holding EvalPlus's files (or one file) used when no `-T dataset=` is given."""


@dataclass(frozen=True)
class Source:
    """One EvalPlus release: its task name here, file name, hub name and EvalPlus's dataset key."""

    name: str
    file: str
    hub: str
    kind: str  # "mbpp" or "humaneval": EvalPlus's `dataset` argument, which picks the oracles
    prefix: str


SOURCES = {
    "mbpp_plus": Source("mbpp_plus", "MbppPlus.jsonl.gz", "evalplus/mbppplus", "mbpp", "Mbpp/"),
    "humaneval_plus": Source(
        "humaneval_plus", "HumanEvalPlus.jsonl.gz", "evalplus/humanevalplus", "humaneval", "HumanEval/"
    ),
}

NOT_NONE_FUNCTIONS = frozenset({"check_str", "text_match_three", "text_starta_endb"})
"""MBPP+ functions whose reference returns a `re.Match` or None: EvalPlus's expected output is
`out is not None` (its `MBPP_OUTPUT_NOT_NONE_TASKS`), and so is ours."""

SET_EQ_FUNCTIONS = frozenset({"similar_elements", "find_char_long", "common_in_nested_lists",
    "extract_singly", "larg_nnum", "intersection_array", "find_dissimilar", "Diff"})  # fmt: skip
"""MBPP+ functions (Mbpp/2, 7, 111, 140, 232, 249, 579, 769) whose output EvalPlus compares as
`set(out) == set(exp)` (its `MBPP_OUTPUT_SET_EQ_TASKS`): order and duplicates do not count."""

ORACLES = {("mbpp", "are_equivalent"): "are_equivalent", ("mbpp", "sum_div"): "sum_div",
           ("mbpp", "surface_Area"): "surface_area", ("mbpp", "digit_distance_nums"): "digit_distance",
           ("humaneval", "find_zero"): "find_zero",
           **{("mbpp", name): "set_eq" for name in SET_EQ_FUNCTIONS}}  # fmt: skip
"""The special oracles EvalPlus applies by entry point (see `check.compare`)."""

REQUIRED = {"task_id": str, "prompt": str, "entry_point": str, "canonical_solution": str,
            "base_input": list, "plus_input": list}  # fmt: skip
REFERENCE_CALL_LIMIT = 60
"""Seconds one call of a canonical solution may take on the host (its outcome is then `Timeout`)."""


# ------------------------------------------------------------------------------ reading rows


def _jsonl(path: Path) -> list[dict[str, Any]]:
    opener: Callable[..., Any] = gzip.open if path.name.endswith(".gz") else open
    rows = []
    try:
        with opener(path, "rt", encoding="utf-8") as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise ProblemError(f"{path}: line {number} is not JSON: {exc}") from None
                if not isinstance(row, dict):
                    raise ProblemError(f"{path}: line {number} is not an object (one problem per line)")
                rows.append(row)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ProblemError(f"{path}: cannot be read: {exc}") from None
    return rows


def _from_hub(source: Source) -> list[dict[str, Any]]:
    """EvalPlus's release from the dataset hub (the `datasets` package), as inspect_evals does."""
    try:
        import datasets  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        raise ProblemError(
            f"{source.name}: no dataset given and the `datasets` package (`roundtrip-eval[hub]`) "
            f"is not installed to fetch {source.hub}; give -T dataset=PATH (EvalPlus's "
            f"{source.file}, or a folder holding it) or set {ENV_VAR}"
        ) from None
    try:
        loaded = datasets.load_dataset(source.hub, split="test")
    except Exception as exc:  # noqa: BLE001 - offline, renamed, ...: one line either way
        raise ProblemError(
            f"{source.name}: cannot load {source.hub} from the dataset hub ({raised(exc)}); "
            f"give -T dataset=PATH or set {ENV_VAR}"
        ) from None
    return [dict(row) for row in loaded]


def dataset_path(source: Source, dataset: str | None) -> Path | None:
    """The file to read: `-T dataset=`, else the environment variable, else None (the hub)."""
    given = dataset or os.environ.get(ENV_VAR) or None
    if given is None:
        return None
    path = Path(given).expanduser()
    if path.is_dir():
        path = path / source.file
    if not path.is_file():
        raise ProblemError(
            f"{source.name}: dataset {given} not found (a .jsonl or .jsonl.gz file of EvalPlus's "
            f"release, or a folder holding {source.file})"
        )
    return path


@functools.cache
def read_rows(name: str, dataset: str | None = None) -> tuple[dict[str, Any], ...]:
    """Every row of the release, as EvalPlus wrote it (inputs not yet deserialised)."""
    source = SOURCES[name]
    path = dataset_path(source, dataset)
    rows = _jsonl(path) if path is not None else _from_hub(source)
    if not rows:
        raise ProblemError(f"{path or source.hub}: no problems in it")
    return tuple(rows)


def task_ids(name: str, dataset: str | None = None) -> list[str]:
    return [str(row.get("task_id")) for row in read_rows(name, dataset)]


# ------------------------------------------------------------------------------ inputs

# MBPP+ stores every input as JSON, so tuples, sets and complex numbers arrive as lists and
# strings; EvalPlus turns them back per problem (its `mbpp_deserialize_inputs`). The problem numbers
# below are facts of the dataset (which problems take tuples), restated from that function.
_TUPLE_ARGS = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596,
               616, 630, 726, 740, 744, 809}  # fmt: skip
_TUPLES_IN_LIST_ARGS = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
_FIRST_LIST_OF_TUPLES = {75, 413, 444, 753}
_SECOND_TUPLE = {106, 750}
_FIRST_TUPLE = {250, 405, 446, 617, 720, 763, 808}
_TUPLE_OF_TUPLES = {259, 401, 445}
_ALL_TUPLES = {580, 615, 791}


def _deep_tuple(value: Any) -> Any:
    return tuple(_deep_tuple(v) for v in value) if isinstance(value, list) else value


def _mbpp_args(number: int, args: list[Any]) -> list[Any]:
    """One MBPP+ argument list with the problem's tuples, sets and complex numbers restored."""
    if number in _TUPLE_ARGS:
        return [tuple(a) for a in args]
    if number in _TUPLES_IN_LIST_ARGS or number in _TUPLE_OF_TUPLES:
        restored = [[tuple(x) for x in a] for a in args]
        return [tuple(a) for a in restored] if number in _TUPLE_OF_TUPLES else restored
    if number in _FIRST_LIST_OF_TUPLES:
        return [[tuple(x) for x in args[0]], args[1]]
    if number in _SECOND_TUPLE:
        return [args[0], tuple(args[1])]
    if number == 115:  # EvalPlus writes an empty set as {} (a dict), and keeps it so
        return [[set(x) if isinstance(x, list) and len(x) else {} for x in args[0]]]
    if number == 124:
        return [float(args[0]), complex(args[1])]
    if number in _FIRST_TUPLE:
        return [tuple(args[0]), *args[1:]]
    if number == 278:
        return [tuple(tuple(x) if isinstance(x, list) else x for x in args[0])]
    if number == 307:
        return [tuple(args[0]), args[1], args[2]]
    if number == 722:
        return [{k: tuple(v) for k, v in args[0].items()}, *args[1:]]
    if number == 252:
        return [complex(args[0])]
    if number in _ALL_TUPLES:
        return list(_deep_tuple(args))
    return args


def arguments(source: Source, task_id: str, raw: list[Any], where: str) -> list[tuple[Any, ...]]:
    """Argument tuples of one input list, deserialised as EvalPlus does; refused if malformed."""
    number = int(task_id.rsplit("/", 1)[-1]) if task_id.rsplit("/", 1)[-1].isdigit() else -1
    out = []
    for i, args in enumerate(raw):
        if not isinstance(args, list):
            raise ProblemError(f"{where}[{i}] is {type(args).__name__}, not a list of arguments")
        try:
            restored = _mbpp_args(number, args) if source.kind == "mbpp" else args
        except (TypeError, ValueError, IndexError, AttributeError) as exc:
            raise ProblemError(
                f"{where}[{i}] does not have the shape of this problem's inputs ({raised(exc)})"
            ) from None
        out.append(tuple(restored))
    return out


# ------------------------------------------------------------------------------ C0


def reference_source(source: Source, row: dict[str, Any]) -> str:
    """C0 as EvalPlus runs it: HumanEval+'s prompt (imports, helpers, signature, docstring) plus
    its body; MBPP+'s canonical solution alone (its prompt is only a docstring)."""
    if source.kind == "humaneval":
        return str(row["prompt"]) + str(row["canonical_solution"])
    return str(row["canonical_solution"]).strip("\n") + "\n"


def _reference_function(code: str, entry_point: str, where: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {}
    try:
        exec(compile(code, where, "exec"), namespace)  # inspect-evals-lint: ignore[IESC002] -- C0
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure is a malformed row
        raise ProblemError(f"{where}: the canonical solution does not run: {raised(exc)}") from None
    func = namespace.get(entry_point)
    if not callable(func):
        raise ProblemError(f"{where}: the canonical solution defines no function {entry_point}()")
    return func


def run_reference(func: Callable[..., Any], args: tuple[Any, ...], not_none: bool) -> Outcome:
    """One call of C0 in this process: its value (`is not None` for the not-none problems) or its
    exception's name. This process's hash seed is not the candidates': a problem's expected
    outcomes come from `reference.reference_outcomes` (`problem_from_row`)."""
    try:
        with _time_limit(REFERENCE_CALL_LIMIT):
            value = func(*copy.deepcopy(args))
    except _ReferenceTimeout:
        return Outcome(ok=False, error="Timeout")
    except Exception as exc:  # noqa: BLE001 - an exception is an outcome like any other
        return Outcome(ok=False, error=exception_name(exc, str(getattr(func, "__module__", ""))))
    return Outcome(ok=True, value=(value is not None) if not_none else as_carried(value))


def as_carried(value: Any) -> Any:
    """C0's value with the standard library's dict subclasses as dicts, inside lists, tuples and
    dicts too: the runner carries a candidate's Counter as the dict of its items
    (`STDLIB_MAPPINGS`), so C0's Counter must be held the same way to equal it (Mbpp/88)."""
    t = type(value)
    if t is dict or (
        isinstance(value, dict) and t.__module__ == "collections" and t.__name__ in STDLIB_MAPPINGS
    ):
        return {k: as_carried(v) for k, v in dict.items(value)}
    if t is list or t is tuple:
        return t(as_carried(v) for v in value)
    return value


def assert_line(prompt: str) -> str:
    """The one `assert` line EvaLooop re-attaches to every spec: the prompt's second-to-last line,
    their rule for MBPP+'s docstring layout (taken as it is, as they do), or '' for a shorter one."""
    lines = prompt.splitlines()
    return lines[-2] if len(lines) >= 2 else ""


def _validate(source: Source, row: dict[str, Any], where: str) -> None:
    for key in ("base_input", "plus_input"):
        if row.get(key) == {}:  # MBPP+ 793 stores "no plus inputs" as {}; EvalPlus runs none
            row[key] = []
    for key, kind in REQUIRED.items():
        if key not in row:
            raise ProblemError(f"{where}: missing field '{key}'")
        if not isinstance(row[key], kind):
            raise ProblemError(f"{where}: '{key}' must be a {kind.__name__}, got {type(row[key]).__name__}")
    if not str(row["task_id"]).startswith(source.prefix):
        raise ProblemError(f"{where}: task_id {row['task_id']!r} is not a {source.prefix}<n> id")
    if not row["entry_point"].isidentifier():
        raise ProblemError(f"{where}: entry_point {row['entry_point']!r} is not a Python function name")
    atol = row.get("atol", 0)
    if isinstance(atol, bool) or not isinstance(atol, int | float) or atol < 0:
        raise ProblemError(f"{where}: atol must be a number >= 0, got {atol!r}")
    if not row["base_input"] and not row["plus_input"]:
        raise ProblemError(f"{where}: no inputs (base_input and plus_input are both empty)")


def _allow_long_ints() -> None:
    """Lift Python's 4,300-digit limit on int <-> str conversion, for this process.

    Why: HumanEval+ 83 and 139 return ints longer than that, and every hash, repr and encoding
    of an expected outcome converts them (a `ValueError` at task build otherwise). The limit
    guards the parsing of untrusted text; the runner sends an int that long in hex
    (`runner.protocol.HEX_INT_BITS`), which the limit does not touch, so it guards nothing here.
    """
    if hasattr(sys, "set_int_max_str_digits") and sys.get_int_max_str_digits() != 0:
        sys.set_int_max_str_digits(0)


def _expected(
    reference: str, function: str, inputs: tuple[tuple[Any, ...], ...], not_none: bool, where: str
) -> tuple[Outcome, ...]:
    """C0's outcomes, run in a child with the candidates' hash seed (`problems.reference`)."""
    try:
        found = reference_outcomes(
            reference, function, inputs, not_none=not_none, where=where, call_limit=REFERENCE_CALL_LIMIT
        )
    except ReferenceRunError as exc:
        raise ProblemError(str(exc)) from None
    return tuple(Outcome(ok=True, value=v) if ok else Outcome(ok=False, error=v) for ok, v in found)


def problem_from_row(
    name: str, row: dict[str, Any], where: str | None = None, expected: tuple[Outcome, ...] | None = None
) -> Problem:
    """One dataset row as a `Problem`; expected outcomes from running its canonical solution, or
    `expected` when given (C0's outcomes computed before and kept, e.g. by the EvaLooop rescore)."""
    source = SOURCES[name]
    row = dict(row)
    where = where or f"{source.name} row {row.get('task_id', '?')}"
    _validate(source, row, where)
    task_id, function = str(row["task_id"]), str(row["entry_point"])
    base = arguments(source, task_id, row["base_input"], f"{where}: base_input")
    plus = arguments(source, task_id, row["plus_input"], f"{where}: plus_input")
    inputs = (*base, *plus)
    for args in inputs:
        if found := bad_value(args, _CARRIED):
            raise ProblemError(f"{where}: an input holds {found}, which the sandbox's codec cannot carry")
    _allow_long_ints()
    reference = reference_source(source, row)
    func = _reference_function(reference, function, where)
    labelled = [(f"base_input[{i}]", a) for i, a in enumerate(base)]
    labelled += [(f"plus_input[{i}]", a) for i, a in enumerate(plus)]
    fit_signature(Path(where), function, func, labelled)
    not_none = source.kind == "mbpp" and function in NOT_NONE_FUNCTIONS
    if expected is None:
        expected = _expected(reference, function, inputs, not_none, where)
    elif len(expected) != len(inputs):
        raise ProblemError(f"{where}: {len(expected)} kept expected outcomes for {len(inputs)} inputs")
    prompt = str(row["prompt"])
    description = next((line.strip() for line in prompt.splitlines() if line.strip().strip('"')), task_id)
    return Problem(
        name=task_id,
        function=function,
        reference=reference,
        domain=source.name,
        familiarity="known",
        description=description,
        inputs=inputs,
        expected=expected,
        probe_classes=tuple([("base",)] * len(base) + [("plus",)] * len(plus)),
        n_cases=len(base),
        metadata={
            "source": source.name,
            "evalplus_dataset": source.kind,
            "task_id": task_id,
            "atol": float(row.get("atol", 0) or 0),
            "oracle": ORACLES.get((source.kind, function)) or ("not_none" if not_none else None),
            "n_base": len(base),
            "prompt": prompt,
            "assert_line": assert_line(prompt) if source.kind == "mbpp" else "",
        },
    )


_CARRIED: tuple[type, ...] = (type(None), bool, int, float, complex, str, list, tuple, dict, set, frozenset)
"""What an EvalPlus input may hold: the codec's types (sets are sent sorted by repr and rebuilt)."""


@functools.cache
def load_evalplus_problem(name: str, task_id: str, dataset: str | None = None) -> Problem:
    """One problem of a release, by its `task_id` (rows are read once per dataset path)."""
    for row in read_rows(name, dataset):
        if row.get("task_id") == task_id:
            return problem_from_row(name, row)
    raise ProblemError(f"{name}: no problem {task_id!r} in {dataset or SOURCES[name].hub}")
