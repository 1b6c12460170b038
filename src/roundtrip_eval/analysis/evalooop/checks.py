"""Each distinct (task, code) of EvaLooop's traces checked once, in both comparison modes.

Distinct means distinct as a program: two functions of one task whose syntax trees are equal
(`ast.dump`: they differ only in comments, blank lines and layout) are one program
(`program_key`), 39,644 programs for the 46,655 distinct texts. The sandbox runs fewer still:
programs whose compiled code is the same but for the names of function-local variables
(`run_key`: the bytecode, constants and global names, with the local names dropped) behave the
same on every input, so one run stands for them all: 34,263 runs. A program that could read its
local names (`locals()`, `eval`, frames, `inspect`, ...: `NAME_READERS`) or that the static
screen flags keeps its program key. Code that does not parse is its own program and run (its
text is the key). The verdict of each text is its run's.

How: a pool of `roundtrip-docker` sandboxes (each a container with its warm trusted runner, as a
trial has) takes the functions from one queue; each function runs once and the host judges its
outputs by both rules (`check.host.run_check_modes`: type-exact and EvalPlus's). The slowest
problems (by C0's measured time) go first, so that no long check is left for the end. Every
verdict is appended to `<out>/verdicts.jsonl` as soon as it is known (one JSON line, flushed):
an interrupted run resumes from the verdicts there (only under the limits they were made under:
`limits.json`, `claim_limits`), and a line cut off mid-write is ignored.
One progress line (`ProgressLine`) shows how far it is.

A recorded function where EvaLooop's extraction finds no code is an `extraction` failure in
both modes, without a sandbox. Model code never runs outside a sandbox: `--sandbox local` is
refused here (the rescore-upstream command has it for disposable machines; 220,516 functions
nobody reviewed are not for this one).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import time
import types
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.rescore.progress import ProgressLine
from roundtrip_eval.check.host import CALL_TIMEOUT, CHECK_TIMEOUT, CheckResult
from roundtrip_eval.problems.load import Problem

MODES = ("typed", "evalplus")
VERDICTS = "verdicts.jsonl"
TASK_NAME = "rescore-evalooop"


def item_key(task_id: str, code: str | None) -> str:
    """The key of one distinct (task, extracted code)."""
    text = f"{task_id}\n{'' if code is None else code}\n{code is None}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@functools.cache
def program_key(task_id: str, code: str | None) -> str:
    """The key of the program `code` is for one task: equal syntax trees, one key (comments,
    blank lines and layout aside: the same bytecode but for line numbers); code that does not
    parse keeps `item_key`."""
    if code is None:
        return item_key(task_id, code)
    try:
        with warnings.catch_warnings():  # SyntaxWarning on an odd escape: the check reports it
            warnings.simplefilter("ignore")
            tree = ast.dump(ast.parse(code))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return item_key(task_id, code)
    return hashlib.sha256(f"ast\n{task_id}\n{tree}".encode()).hexdigest()[:24]


NAME_READERS = frozenset(
    {
        "locals",
        "vars",
        "dir",
        "eval",
        "exec",
        "compile",
        "globals",
        "breakpoint",
        "__import__",
        "_getframe",
        "currentframe",
        "f_locals",
        "f_back",
        "f_code",
        "f_globals",
        "tb_frame",
        "gi_frame",
        "cr_frame",
        "ag_frame",
        "co_varnames",
        "co_cellvars",
        "co_freevars",
        "__code__",
        "inspect",
        "sys",
        "builtins",
        "__builtins__",
        "importlib",
        "settrace",
        "setprofile",
        "gc",
        "ctypes",
    }
)
"""Names (global names, attributes, or any string constant) through which code could see its
own local variables' names; a program that holds one is never merged with a renamed one."""


def _names(code: types.CodeType) -> set[str]:
    """Every global or attribute name and every string constant of `code` and its inner code."""
    found = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _names(const)
        elif isinstance(const, str):
            found.add(const)
    return found


def _constant(value: object) -> object:
    """A constant as the key holds it: the same in every process (a frozenset's members sorted,
    since its repr follows the hash seed: `x in {'a', 'e'}` compiles to one)."""
    if isinstance(value, types.CodeType):
        return _canonical(value)
    if isinstance(value, tuple | frozenset):
        members = [_constant(v) for v in value]
        return (type(value).__name__, sorted(members, key=repr) if isinstance(value, frozenset) else members)
    return (type(value).__name__, repr(value))


def _canonical(code: types.CodeType) -> tuple[object, ...]:
    """What `code` does, without its local variables' names or its line numbers: the bytecode
    (locals are read and written by index), the constants (inner code the same way), the global
    and attribute names, the parameters' names (what a caller or a signature could see), the
    counts of locals and cells, the exception table and the code's own name."""
    consts = tuple(_constant(c) for c in code.co_consts)
    n_params = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 4) + bool(code.co_flags & 8)
    return (
        code.co_code, consts, code.co_names, code.co_argcount, code.co_posonlyargcount,
        code.co_kwonlyargcount, code.co_flags, code.co_nlocals, len(code.co_varnames),
        code.co_varnames[:n_params], len(code.co_cellvars), len(code.co_freevars),
        code.co_exceptiontable, code.co_stacksize, code.co_name,
    )  # fmt: skip


@functools.cache
def run_key(task_id: str, code: str | None) -> str:
    """The key of the sandbox run that stands for `code` on one task: programs equal but for the
    names of their function-local variables share one (see the module doc); else `program_key`."""
    from roundtrip_eval.check.screen import first_finding

    if code is None:
        return program_key(task_id, code)
    try:
        with warnings.catch_warnings():  # SyntaxWarning on an odd escape: the check reports it
            warnings.simplefilter("ignore")
            compiled = compile(code, "<c>", "exec")  # inspect-evals-lint: ignore[IESC002] -- not run
        if _names(compiled) & NAME_READERS or first_finding(code) is not None:
            return program_key(task_id, code)
        shape = repr(_canonical(compiled))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return program_key(task_id, code)
    return hashlib.sha256(f"run\n{task_id}\n{shape}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Item:
    """One distinct check: a task and the code EvaLooop's extraction gives (None: no code)."""

    task_id: str
    code: str | None

    @property
    def key(self) -> str:
        return item_key(self.task_id, self.code)

    @property
    def program(self) -> str:
        return program_key(self.task_id, self.code)

    @property
    def run(self) -> str:
        return run_key(self.task_id, self.code)


def verdict_record(result: CheckResult) -> dict[str, Any]:
    """What the tables need of one verdict (failures trimmed to three)."""
    return {
        "passed": result.passed,
        "category": result.category,
        "detail": result.detail[:400],
        "n_failed": result.n_failed,
        "n_inputs": result.n_inputs,
        "failures": [
            {k: f.get(k) for k in ("index", "input", "expected", "actual", "kind")}
            for f in result.failures[:3]
        ],
        "decided_by": result.decided_by,
        "failed_classes": dict(result.failed_classes),  # failing inputs by probe class: base / plus
    }


def no_code_record(n_inputs: int) -> dict[str, Any]:
    return {
        "passed": False,
        "category": "extraction",
        "detail": "extraction: the recorded reply holds no code",
        "n_failed": n_inputs,
        "n_inputs": n_inputs,
        "failures": [],
        "decided_by": "extraction",
    }


def read_verdicts(path: Path) -> dict[str, dict[str, Any]]:
    """Verdicts already made (a resumed run), by key; an unreadable line (cut off) is skipped."""
    found: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return found
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            try:
                record = json.loads(line)
                found[record["key"]] = record
            except (ValueError, KeyError, TypeError):
                continue
    return found


def _end_line(path: Path) -> None:
    """End a last line an interruption cut off, so the next verdict starts a line of its own."""
    if path.is_file() and path.stat().st_size:
        with path.open("rb") as stream:
            stream.seek(-1, 2)
            last = stream.read(1)
        if last != b"\n":
            with path.open("a", encoding="utf-8") as sink:
                sink.write("\n")


class CheckProgress(ProgressLine):
    """`rescore-evalooop: 1,234/46,655 checks (2%), 310 failed, 1m05s, about 14m left`.

    The time left is projected from the work done so far, each check weighted by its problem's
    C0 time plus `CHECK_OVERHEAD` (the slowest problems go first: a count of checks alone would
    promise hours at the start)."""

    def __init__(self, total: int, weight: float = 0.0, enabled: bool = True) -> None:
        super().__init__(total, enabled=enabled)
        self.weight_left = weight  # of the checks still to run
        self.weight_done = 0.0  # of those run since this process started

    def advance_by(self, failed: int, weight: float) -> None:
        self.weight_left -= weight
        self.weight_done += weight
        self.advance(failed)

    def text(self) -> str:
        elapsed = time.monotonic() - self.started
        minutes, seconds = divmod(int(elapsed), 60)
        share = 100 * self.done // self.total
        left = ""
        if self.weight_done > 0 and self.done < self.total:
            rest = int(elapsed * max(self.weight_left, 0.0) / self.weight_done)
            left = f", about {rest // 60}m{rest % 60:02d}s left"
        return (
            f"rescore-evalooop: {self.done:,}/{self.total:,} checks ({share}%), "
            f"{self.checks:,} failed (EvalPlus rule), {minutes}m{seconds:02d}s{left}"
        )


CHECK_OVERHEAD = 0.05
"""Seconds a check costs beyond its problem's C0 time, for the progress line's projection."""


TIME_RULES = ("fixed", "evalplus")
EVALPLUS_FLOOR = 1.0
"""EvalPlus's least per-input limit (seconds): max(1 s, 2 x the reference's measured time)."""

LIMITS_FILE = "limits.json"
LEGACY_LIMITS = {"time_rule": "fixed", "call_timeout": CALL_TIMEOUT, "check_timeout": CHECK_TIMEOUT}
"""The limits of a folder whose verdicts were made before the limits were recorded (the
command's defaults then, and the only rule it had)."""


class LimitsError(ValueError):
    """An output folder holds verdicts made under other limits than this run's."""


@dataclass(frozen=True)
class Limits:
    """The time limits of the rescore's checks.

    `time_rule` "fixed": every call may take `call_timeout` seconds. "evalplus": EvaLooop's
    harness's rule, per problem: a call may take max(1 s, 2 x C0's measured seconds), where C0's
    seconds are its time over ALL the problem's inputs on the host (a child interpreter's start
    included): so the limit is at least EvalPlus's per-input limit on every input (lenient by
    construction, never stricter than theirs). A problem without a measured time gets
    `call_timeout`. `check_timeout` bounds the whole check under either rule."""

    call_timeout: float = CALL_TIMEOUT
    check_timeout: float = CHECK_TIMEOUT
    time_rule: str = "fixed"

    def __post_init__(self) -> None:
        if self.time_rule not in TIME_RULES:
            raise ValueError(f"time rule {self.time_rule!r}: expected one of {', '.join(TIME_RULES)}")

    def per_problem(self, c0_seconds: float | None) -> bool:
        """Whether a problem whose C0 took `c0_seconds` (None or 0: unmeasured) gets EvalPlus's
        rule rather than `call_timeout`."""
        return self.time_rule == "evalplus" and c0_seconds is not None and c0_seconds > 0

    def call_limit(self, c0_seconds: float | None) -> float:
        """Seconds one call may take on a problem whose C0 took `c0_seconds` (None: unmeasured)."""
        if self.per_problem(c0_seconds):
            assert c0_seconds is not None
            return max(EVALPLUS_FLOOR, 2 * c0_seconds)
        return self.call_timeout

    def record(self) -> dict[str, Any]:
        """The limits as `limits.json` and run.json hold them."""
        return {
            "time_rule": self.time_rule,
            "call_timeout": self.call_timeout,
            "check_timeout": self.check_timeout,
        }

    def text(self, c0_seconds: float | None) -> str:
        """The limits used on a problem whose C0 took `c0_seconds`, in words (the classifier's)."""
        from roundtrip_eval.analysis.evalooop.classify import limits_text

        return limits_text(
            self.call_limit(c0_seconds), self.check_timeout, evalplus=self.per_problem(c0_seconds)
        )


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two limits records are the same limits (an unreadable value: not the same)."""
    try:
        return a.get("time_rule") == b.get("time_rule") and all(
            float(a[k]) == float(b[k]) for k in ("call_timeout", "check_timeout")
        )
    except (KeyError, TypeError, ValueError):
        return False


def claim_limits(out: Path, limits: Limits) -> None:
    """Record `limits` in `<out>/limits.json`, or refuse (`LimitsError`) where the folder's
    verdicts were made under others: a resumed run must not mix verdicts of two limits. A folder
    with verdicts and no limits.json is from before they were recorded: `LEGACY_LIMITS`."""
    path = out / LIMITS_FILE
    if path.is_file():
        try:
            recorded = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(recorded, dict):
                raise TypeError
        except (ValueError, TypeError) as exc:
            raise LimitsError(
                f"{path}: not a limits record ({exc or 'not an object'}); use a fresh folder"
            ) from exc
    elif read_verdicts(out / VERDICTS):
        recorded = dict(LEGACY_LIMITS)
    else:
        path.write_text(json.dumps(limits.record(), indent=1) + "\n", encoding="utf-8")
        return
    if not _same(recorded, limits.record()):
        theirs = ", ".join(f"{k} {recorded.get(k)}" for k in ("time_rule", "call_timeout", "check_timeout"))
        raise LimitsError(
            f"{out} holds verdicts made under other limits ({theirs}); use a fresh folder or the "
            "same --time-rule/--call-timeout/--check-timeout"
        )
    if not path.is_file():
        path.write_text(json.dumps(recorded, indent=1) + "\n", encoding="utf-8")


async def _check_all(
    items: Sequence[Item],
    problems: dict[str, Problem],
    out: Path,
    sandboxes: int,
    limits: Limits,
    line: CheckProgress,
    weights: Callable[[Item], float],
    c0_seconds: dict[str, float],
) -> None:
    import anyio

    from roundtrip_eval.check.host import run_check_modes
    from roundtrip_eval.sandbox import RoundtripDockerSandbox
    from roundtrip_eval.sandbox.config import RoundtripDockerConfig

    config = RoundtripDockerConfig(spare_containers=0)
    todo = iter(items)
    sink = (out / VERDICTS).open("a", encoding="utf-8")
    await RoundtripDockerSandbox.task_init(TASK_NAME, config)

    async def worker() -> None:
        envs = await RoundtripDockerSandbox.sample_init(TASK_NAME, config, {})
        try:
            for item in todo:
                started = time.monotonic()
                problem = problems[item.task_id]
                assert item.code is not None
                verdicts = await run_check_modes(
                    envs["default"],
                    item.code,
                    problem,
                    call_timeout=limits.call_limit(c0_seconds.get(item.task_id)),
                    check_timeout=limits.check_timeout,
                    modes=MODES,
                    behaviour=False,  # not kept: the tables read the verdicts only
                )
                record = {
                    "key": item.run,
                    "task": item.task_id,
                    "seconds": round(time.monotonic() - started, 3),
                }
                record.update({mode: verdict_record(verdicts[mode]) for mode in MODES})
                sink.write(json.dumps(record) + "\n")
                sink.flush()
                line.advance_by(0 if verdicts["evalplus"].passed else 1, weights(item))
        finally:
            with anyio.CancelScope(shield=True):
                await RoundtripDockerSandbox.sample_cleanup(TASK_NAME, config, envs, False)

    try:
        async with anyio.create_task_group() as group:
            for _ in range(max(1, min(sandboxes, len(items)))):
                group.start_soon(worker)
    finally:
        sink.close()
        with anyio.CancelScope(shield=True):
            await RoundtripDockerSandbox.task_cleanup(TASK_NAME, config, True)


def check_items(
    items: Sequence[Item],
    problems: dict[str, Problem],
    out: Path,
    *,
    sandboxes: int = 4,
    limits: Limits | None = None,
    c0_seconds: dict[str, float] | None = None,
    progress: bool = True,
) -> dict[str, dict[str, Any]]:
    """Every item's verdicts (both modes) by its `item_key`: its run's, from
    `<out>/verdicts.jsonl` where already made, the rest checked now (appended there, by
    `run_key`) under `limits` (`claim_limits`: never appended to verdicts of other limits).
    Items without code are decided here, without a sandbox."""
    import anyio

    path = out / VERDICTS
    limits = limits or Limits()
    claim_limits(out, limits)
    done = read_verdicts(path)
    _end_line(path)
    distinct = {item.key: item for item in items}
    programs: dict[str, str] = {}  # item key -> run key
    first: dict[str, Item] = {}  # run key -> the item checked for it
    for key in sorted(distinct):  # the same item stands for its run in every run of the command
        item = distinct[key]
        programs[key] = item.run
        first.setdefault(programs[key], item)
    with path.open("a", encoding="utf-8") as sink:
        for program, item in first.items():
            if item.code is None and program not in done:
                n = len(problems[item.task_id].inputs)
                record = {"key": program, "task": item.task_id, "seconds": 0.0}
                record.update(dict.fromkeys(MODES, no_code_record(n)))
                sink.write(json.dumps(record) + "\n")
                done[program] = record
    todo = [item for program, item in first.items() if program not in done]
    slow = c0_seconds or {}
    todo.sort(key=lambda item: -slow.get(item.task_id, 0.0))

    def weight(item: Item) -> float:
        return slow.get(item.task_id, 0.0) + CHECK_OVERHEAD

    line = CheckProgress(len(first), sum(map(weight, todo)), enabled=progress)
    line.set(len(first) - len(todo), sum(1 for p in first if p in done and not done[p]["evalplus"]["passed"]))
    if todo:
        try:
            anyio.run(_check_all, todo, problems, out, sandboxes, limits, line, weight, slow)
        finally:
            line.close()
    else:
        line.close()
    made = read_verdicts(path)
    return {key: made[program] for key, program in programs.items() if program in made}
