"""How often the host's static screen (`check/screen.py`) flags real model code.

    python -m studies.screen_false_positives upstream [--data ../shared/upstream-data]
    python -m studies.screen_false_positives evalooop [--data ../shared/peer-data/evalooop]

`upstream`: every code reply of the original study's published trials (`raw/*/*/result.json`),
extracted as the suite extracts it (`extract_code`, tolerant) for the trial's problem function.
`evalooop`: every recorded function of EvaLooop's loops (`details/*.json`, `code_output`, already
their extraction of a reply), again through our tolerant extraction, for the function named by the
task's `assert` line. Each prints how many functions it screened (all, and distinct codes), how
many were flagged, by rule, and every flagged function (where, the finding, the flagged line),
and the wall time. Nobody on this project wrote this code: a finding is either a real
construct of the kind the screen targets or a false positive (docs/static_screen.md judges
each). It reads only the data folder; it writes nothing.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from roundtrip_eval.analysis.upstream import scan_trials
from roundtrip_eval.check.screen import Finding, screen
from roundtrip_eval.eval.extract import extract_code
from roundtrip_eval.problems.load import list_problems, load_problem

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = ROOT.parent / "shared" / "upstream-data"
EVALOOOP = ROOT.parent / "shared" / "peer-data" / "evalooop"
WATCHED = ("sys", "os", "gc", "inspect", "ctypes", "types", "importlib", "builtins", "marshal",
           "threading", "multiprocessing", "asyncio", "traceback", "functools", "mmap", "pickle")
"""Modules some rule looks into: how many clean functions import each shows what the screen
had to leave alone."""
ASSERT = re.compile(r"assert\s+(?:not\s+)?\(?\s*(?:math\.isclose\()?\s*(?:set\()?([A-Za-z_]\w*)\s*\(")


@dataclass
class Tally:
    """Functions screened and what was found, per distinct code."""

    replies: int = 0  # code replies (or recorded functions) seen
    no_code: int = 0  # our extraction found no code
    functions: int = 0  # extracted functions screened
    distinct: dict[str, list[Finding]] = field(default_factory=dict)  # code -> findings
    where: dict[str, list[str]] = field(default_factory=dict)  # flagged code -> where it occurs

    def add(self, code: str | None, where: str) -> None:
        self.replies += 1
        if code is None:
            self.no_code += 1
            return
        self.functions += 1
        found = self.distinct.get(code)
        if found is None:
            found = self.distinct[code] = screen(code)
        if found:
            self.where.setdefault(code, []).append(where)

    def unparsable(self) -> int:
        return sum(1 for code in self.distinct if _tree(code) is None)

    def imports(self) -> Counter[str]:
        """Distinct clean functions importing each module of WATCHED."""
        counts: Counter[str] = Counter()
        for code, found in self.distinct.items():
            tree = None if found else _tree(code)
            if tree is None:
                continue
            names = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names.add(node.module.split(".")[0])
            counts.update(n for n in names if n in WATCHED)
        return counts

    def flagged(self) -> dict[str, list[Finding]]:
        return {code: found for code, found in self.distinct.items() if found}

    def report(self, name: str, seconds: float) -> str:
        flagged = self.flagged()
        n_flagged = sum(len(self.where[c]) for c in flagged)
        rules = Counter(rule for found in flagged.values() for rule in {f.rule for f in found})
        imports = ", ".join(f"{m} {n}" for m, n in self.imports().most_common())
        lines = [
            f"{name}: {self.replies} code replies, {self.no_code} without code, "
            f"{self.functions} functions screened ({len(self.distinct)} distinct, "
            f"{self.unparsable()} of them not Python that parses)",
            f"clean distinct functions importing a module a rule looks into: {imports or 'none'}",
            f"flagged: {n_flagged} functions ({len(flagged)} distinct)",
            "by rule (distinct functions): "
            + (", ".join(f"{r} {n}" for r, n in rules.most_common()) or "none"),
            f"wall time: {seconds:.1f}s",
        ]
        for i, (code, found) in enumerate(sorted(flagged.items(), key=lambda kv: self.where[kv[0]][0]), 1):
            places = self.where[code]
            more = f" (+{len(places) - 1} more)" if len(places) > 1 else ""
            source = code.splitlines()
            shown = "; ".join(
                f"{f} [{f.rule}]: {source[f.line - 1].strip()[:100] if 0 < f.line <= len(source) else ''}"
                for f in found
            )
            lines.append(f"  {i}. {places[0]}{more}: {shown}")
        return "\n".join(lines)


def _tree(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def upstream_replies(data: Path) -> Iterator[tuple[str, str, str]]:
    """(code reply, problem function, where) for every code reply of every published trial."""
    scan = scan_trials(data, list_problems())
    if scan.skipped:
        raise SystemExit(f"{len(scan.skipped)} trial folders unreadable, first: {scan.skipped[0]}")
    functions: dict[str, str] = {}
    for trial in scan.trials:
        if trial.task not in functions:
            functions[trial.task] = load_problem(trial.task).function
        for cycle in trial.cycles:
            if cycle.code_reply is None or not cycle.code_reply.strip():
                continue
            yield cycle.code_reply, functions[trial.task], f"{trial.batch}/{trial.name} cycle {cycle.cycle}"


def evalooop_replies(data: Path) -> Iterator[tuple[str, str, str]]:
    """(recorded function, possibly empty; the function the task's assert names; where) for every
    loop of every task and model."""
    for path in sorted((data / "details").glob("*.json")):
        loaded = json.loads(path.read_text(encoding="utf-8"))
        for sustained in sorted(loaded, key=int):
            for task in loaded[sustained]:
                match = ASSERT.search(task.get("initial_prompt") or "")
                function = match.group(1) if match else ""
                for loop, cycle in enumerate(task.get("cycles") or [], 1):
                    where = f"{path.stem} {task['task_id']} loop {loop}"
                    yield cycle.get("code_output") or "", function, where


def upstream_functions(data: Path) -> Iterator[tuple[str | None, str]]:
    """(our extraction of the code reply, where) for every code reply of every published trial."""
    for reply, function, where in upstream_replies(data):
        yield extract_code(reply, function).code, where


def evalooop_functions(data: Path) -> Iterator[tuple[str | None, str]]:
    """(our extraction of the recorded function, where) for every loop of every task and model."""
    cache: dict[tuple[str, str], str | None] = {}
    for raw, function, where in evalooop_replies(data):
        key = (function, raw)
        if key not in cache:
            cache[key] = extract_code(raw, function).code if raw.strip() else None
        yield cache[key], where


def measure(kind: str, data: Path) -> tuple[Tally, float]:
    started = time.monotonic()
    tally = Tally()
    source = upstream_functions(data) if kind == "upstream" else evalooop_functions(data)
    for code, where in source:
        tally.add(code, where)
    return tally, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("upstream", "evalooop"))
    parser.add_argument("--data", type=Path, help="the data folder (default: under ../shared)")
    args = parser.parse_args(argv)
    data = args.data or (UPSTREAM if args.kind == "upstream" else EVALOOOP)
    if not data.is_dir():
        print(f"no data at {data}: put it under ../shared (docs/static_screen.md)", file=sys.stderr)
        return 2
    tally, seconds = measure(args.kind, data)
    print(tally.report(args.kind, seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
