"""Synthetic upstream trials for the rescoring tests (made-up cycles, never the study's data)."""

from __future__ import annotations

from pathlib import Path

from roundtrip_eval.analysis import upstream as up

UPSTREAM = Path(__file__).resolve().parents[2].parent / "shared" / "upstream-data"
"""The original study's published data, next to the repository (tests skip when it is absent)."""

OK, SYNTAX_STATUS = "SUCCESS", "FAIL: Code validation failed. Error: SyntaxError"


def cycle(i: int, *, spec: str = OK, code: str | None = OK, reply: str | None = "code") -> up.UpstreamCycle:
    return up.UpstreamCycle(i, f"spec {i}", spec, reply if code is not None else None, reply, code)


def make_trial(cycles: list[up.UpstreamCycle], survived: bool = False, run: int = 1) -> up.UpstreamTrial:
    return up.UpstreamTrial(
        batch="b",
        name=f"m-1b_en_pseudocode_guided_fizzbuzz_run{run}",
        model_dir="m-1b",
        language="en",
        spec_format="pseudocode",
        prompt_style="guided",
        task="fizzbuzz",
        run=run,
        status="SUCCESS: All cycles completed." if survived else f"FAIL: Cycle {len(cycles)} failed.",
        cycles_completed=len(cycles) - (0 if survived else 1),
        cycles=tuple(cycles),
    )


def passing(n: int) -> list[up.UpstreamCycle]:
    return [cycle(i) for i in range(1, n + 1)]


T, F = up.Verdict(True), up.Verdict(False, "semantic")
