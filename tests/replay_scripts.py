"""Build replay files (see roundtrip_eval.eval.replay) for scripted trials in tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from roundtrip_eval.problems.load import load_problem


def spec(cycle: int) -> str:
    return f"FUNCTION as before, cycle {cycle}: same name, same parameters, same behaviour."


def fenced(code: str) -> str:
    return f"Here is the implementation:\n\n```python\n{code.rstrip()}\n```\n"


def trial(problem: str, codes: list[Any]) -> list[Any]:
    """g/f reply pairs: each item of `codes` is code (fenced for f), or a raw reply object."""
    replies: list[Any] = []
    for cycle, code in enumerate(codes, start=1):
        replies.append(spec(cycle))
        replies.append(fenced(code) if isinstance(code, str) and "def " in code else code)
    return replies


def surviving(problem: str, cycles: int) -> list[Any]:
    return trial(problem, [load_problem(problem).reference] * cycles)


def write(path: Path, lines: dict[tuple[str, int | str], list[Any]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for (sample, epoch), replies in lines.items():
            fh.write(json.dumps({"sample": sample, "epoch": epoch, "replies": replies}) + "\n")
    return path
