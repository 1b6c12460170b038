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
an interrupted run resumes from the verdicts there, and a line cut off mid-write is ignored.
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


NAME_READERS = frozenset({
    "locals", "vars", "dir", "eval", "exec", "compile", "globals", "breakpoint", "__import__",
    "_getframe", "currentframe", "f_locals", "f_back", "f_code", "f_globals", "tb_frame", "gi_frame",
    "cr_frame", "ag_frame", "co_varnames", "co_cellvars", "co_freevars", "__code__", "inspect",
    "sys", "builtins", "__builtins__", "importlib", "settrace", "setprofile", "gc", "ctypes",
})
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


@dataclass
class Limits:
    call_timeout: float = CALL_TIMEOUT
    check_timeout: float = CHECK_TIMEOUT


async def _check_all(
    items: Sequence[Item],
    problems: dict[str, Problem],
    out: Path,
    sandboxes: int,
    limits: Limits,
    line: CheckProgress,
    weights: Callable[[Item], float],
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
                    call_timeout=limits.call_timeout,
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
    `run_key`). Items without code are decided here, without a sandbox."""
    import anyio

    path = out / VERDICTS
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
            anyio.run(_check_all, todo, problems, out, sandboxes, limits or Limits(), line, weight)
        finally:
            line.close()
    else:
        line.close()
    made = read_verdicts(path)
    return {key: made[program] for key, program in programs.items() if program in made}
