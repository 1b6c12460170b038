"""EvaLooop's published numbers, reproduced from their own recorded verdicts (no sandbox).

Per model, from the loops each task sustained in its details file: pass@1 at loop 1 and loop 10
(`peers.pass_at_loop`) and `ASL_pow` (`peers.evalooop_asl`, their ASL without the judge's
similarity weights), held against the leaderboard row. How a row counts as reproduced, given
the precision it is published at:

- loop 1: `successRate` is the fraction rounded to 3 places, so |ours - theirs| <= 0.0005;
- loop 10: the row gives `drop` (loop 1 - loop 10, in points, 2 places), so our loop-1 minus
  loop-10 in points must be within 0.005 of it;
- ASL: their `aslScore` weighs each bucket by a judge's similarity (s_i), which the details do not
  hold; `ASL_pow` (s_i = 1) is within `ASL_TOLERANCE` of it for a model whose published row is
  this trace.

A row that does not reproduce is explained from the numbers, never passed silently: when its
loop-1 rate is no whole number of tasks out of 378 within its rounding, the row averages several
runs (their site says some rows do); otherwise the details file is another run than the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from roundtrip_eval.analysis.evalooop.read import MAX_LOOPS, ModelTrace, Published
from roundtrip_eval.eval.peers import evalooop_asl, loop_histogram, pass_at_loop

ASL_TOLERANCE = 0.02
"""How far ASL_pow may lie from the published, judge-weighted ASL (the judge moves it a little)."""
ROUNDING = 0.0005
"""Half a unit of `successRate`'s third decimal."""


@dataclass(frozen=True)
class Reproduction:
    """One model: their numbers recomputed from their verdicts, beside the published row."""

    model_id: str
    tasks: int
    histogram: tuple[int, ...]  # n_0..n_10
    loop1: float
    loop10: float
    asl_pow: float
    published: Published | None

    @property
    def loop1_ok(self) -> bool:
        return self.published is not None and abs(self.loop1 - self.published.success_rate) <= ROUNDING + 1e-9

    @property
    def loop10_ok(self) -> bool:
        if self.published is None:
            return False
        return abs(100 * (self.loop1 - self.loop10) - self.published.drop) <= 0.005 + 1e-9

    @property
    def asl_ok(self) -> bool:
        return self.published is not None and abs(self.asl_pow - self.published.asl) <= ASL_TOLERANCE + 1e-9

    @property
    def reproduced(self) -> bool:
        """Every published number reproduced from the trace."""
        return self.loop1_ok and self.loop10_ok and self.asl_ok

    @property
    def differs(self) -> str:
        """Which published numbers differ, and by how much ('' when none)."""
        if self.published is None:
            return "no leaderboard row"
        parts = []
        if not self.loop1_ok:
            parts.append(f"loop-1 {self.loop1:.4f} vs published {self.published.success_rate}")
        if not self.loop10_ok:
            parts.append(f"drop {100 * (self.loop1 - self.loop10):.2f} vs published {self.published.drop:g}")
        if not self.asl_ok:
            parts.append(f"ASL_pow {self.asl_pow:.3f} vs published {self.published.asl}")
        return "; ".join(parts)

    @property
    def why(self) -> str:
        """Why the row differs, read from the numbers ('' when it reproduces)."""
        if self.published is None or self.reproduced:
            return "" if self.published is not None else "no leaderboard row"
        count = self.published.success_rate * self.tasks
        if abs(count - round(count)) > ROUNDING * self.tasks:
            return (
                f"the row averages runs: its loop-1 rate is {count:.2f} of {self.tasks} tasks, no whole "
                f"number within its rounding (this trace: {round(self.loop1 * self.tasks)})"
            )
        return (
            "the details are another run than the row (its loop-1 rate is a whole number of tasks; "
            "the counts differ)"
        )


def reproduce(model: ModelTrace, published: Published | None) -> Reproduction:
    """Their numbers from their verdicts (the loops each task sustained)."""
    loops = model.loops
    return Reproduction(
        model_id=model.model_id,
        tasks=len(loops),
        histogram=tuple(loop_histogram(loops, MAX_LOOPS)),
        loop1=pass_at_loop(loops, 1),
        loop10=pass_at_loop(loops, MAX_LOOPS),
        asl_pow=evalooop_asl(loops, MAX_LOOPS),
        published=published,
    )
