"""Two runs (or two groups of runs) side by side: model A vs B, format X vs Y.

`roundtrip-eval compare A B` and `roundtrip-eval report LOGDIR --compare OTHER` read the trial
rows of each side and print survival@N and mean cycles survived per side, and A minus B with a
seeded bootstrap interval and Fisher's exact p. The difference is `stats.gap.gap`, the one
definition the known-vs-novel gap uses too (side A in the place of known): no second formula.

Paired by problem: when the sides share problems, only those problems are compared, pooled
(labelled `pooled (k shared problems)`) and each on its own row, so a side that ran easier
problems cannot look better for it. Sides with no problem in common are compared pooled over
everything each ran, and the table says so. Both sides must have run the same N.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from roundtrip_eval.analysis.aggregate import group_by, newest_copies, scored
from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.read import load_rows
from roundtrip_eval.analysis.tables import Columns, markdown_table
from roundtrip_eval.stats.difference import DEFAULT_BOOTSTRAP
from roundtrip_eval.stats.gap import Gap, gap


class CompareError(ValueError):
    """Two sides that cannot be compared (no trials, different N): one line saying why."""


@dataclass(frozen=True)
class Side:
    """One side: its label (what ran), the runs in it and its scored trials."""

    label: str
    runs: int
    trials: list[Row]


@dataclass(frozen=True)
class Comparison:
    """A minus B: pooled over the problems compared, and per problem when paired."""

    a: Side
    b: Side
    n_cycles: int
    paired: bool
    problems: list[str]
    pooled: Gap
    per_problem: dict[str, Gap]


def side(name: str, trials: Sequence[Row]) -> Side:
    """A side from its trial rows: scored trials, a retried eval's trials counted once."""
    kept = scored(newest_copies(list(trials)))
    if not kept:
        raise CompareError(f"{name} has no scored trials to compare")
    runs = group_by(kept, ("model", "config"))
    label = "; ".join(f"{model} {config}" for model, config in runs)
    return Side(label=label, runs=len({str(t.get("eval_id")) for t in kept}), trials=kept)


def n_cycles_of(sides: Sequence[tuple[str, Side]]) -> int:
    """The one N both sides ran; different N cannot share survival@N."""
    found = {name: sorted({int(t["n_cycles"]) for t in s.trials}) for name, s in sides}
    values = {n for ns in found.values() for n in ns}
    if len(values) != 1:
        said = ", ".join(f"{name} ran N={'/'.join(map(str, ns))}" for name, ns in found.items())
        raise CompareError(f"{said}: survival@N compares runs of one N only")
    return values.pop()


def compare(
    a: Side, b: Side, *, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0, names: tuple[str, str] = ("A", "B")
) -> Comparison:
    """A minus B over the shared problems (paired), else over everything each side ran."""
    n = n_cycles_of([(names[0], a), (names[1], b)])
    shared = sorted({str(t["problem"]) for t in a.trials} & {str(t["problem"]) for t in b.trials})

    def survived(s: Side, problems: set[str] | None) -> list[int]:
        return [int(t["cycles_survived"]) for t in s.trials if problems is None or t["problem"] in problems]

    def difference(problems: set[str] | None) -> Gap:
        return gap(survived(a, problems), survived(b, problems), n, at=n, n_boot=n_boot, seed=seed)

    return Comparison(
        a=a,
        b=b,
        n_cycles=n,
        paired=bool(shared),
        problems=shared,
        pooled=difference(set(shared) if shared else None),
        per_problem={p: difference({p}) for p in shared} if len(shared) > 1 else {},
    )


def pooled_label(c: Comparison) -> str:
    """The first row's label: what it pools (one shared problem is named: nothing is pooled)."""
    if not c.paired:
        return "pooled (no shared problems)"
    if len(c.problems) == 1:
        return f"{c.problems[0]} (the one shared problem)"
    return f"pooled ({len(c.problems)} shared problems)"


def labelled(c: Comparison) -> list[tuple[str, Gap]]:
    """Pooled first, labelled as such, then each shared problem."""
    return [(pooled_label(c), c.pooled), *c.per_problem.items()]


def rows(c: Comparison) -> list[Row]:
    """The comparison as table rows (one per `labelled` entry)."""
    return [{"problems": label, **gap_cells(g)} for label, g in labelled(c)]


def gap_cells(g: Gap) -> Row:
    """One comparison row's numbers (names stable across N): each side, A - B, Fisher's p."""
    return {
        "n_cycles": g.n_cycles,
        "a_trials": g.known_n,
        "b_trials": g.novel_n,
        "a_survivors": g.known_at,
        "b_survivors": g.novel_at,
        "a_survival_at_n": g.known_at / g.known_n,
        "b_survival_at_n": g.novel_at / g.novel_n,
        "survival_diff": g.at_gap.difference,
        "survival_diff_low": g.at_gap.low,
        "survival_diff_high": g.at_gap.high,
        "fisher_p": g.at_p,
        "a_mean_cycles": g.known_mean,
        "b_mean_cycles": g.novel_mean,
        "mean_cycles_diff": g.mean_gap.difference,
        "mean_cycles_diff_low": g.mean_gap.low,
        "mean_cycles_diff_high": g.mean_gap.high,
        "n_boot": g.at_gap.n_boot,
        "boot_seed": g.at_gap.seed,
    }


COMPARE_COLUMNS: Columns = [
    ("problems", "problems"),
    ("trials A / B", "{a_trials} / {b_trials}"),
    ("survival@N A", "{a_survivors}/{a_trials} = {a_survival_at_n:.2f}"),
    ("survival@N B", "{b_survivors}/{b_trials} = {b_survival_at_n:.2f}"),
    ("A - B [95% CI]", "{survival_diff:+.2f} [{survival_diff_low:+.2f}, {survival_diff_high:+.2f}]"),
    ("Fisher p", "{fisher_p:.3g}"),
    ("mean cycles A / B", "{a_mean_cycles:.2f} / {b_mean_cycles:.2f}"),
    ("A - B [95% CI] ", "{mean_cycles_diff:+.2f} [{mean_cycles_diff_low:+.2f}, "
     "{mean_cycles_diff_high:+.2f}]"),  # fmt: skip
]
"""The comparison table's columns (markdown_table / html_table)."""


def preamble(c: Comparison) -> list[str]:
    """What each side is, and how the difference was computed."""
    return [
        f"A ({c.a.runs} run(s)): {c.a.label}",
        f"B ({c.b.runs} run(s)): {c.b.label}",
        f"N = {c.n_cycles}. A minus B; 95% percentile bootstrap intervals ({c.pooled.at_gap.n_boot} "
        f"resamples, seed {c.pooled.at_gap.seed}); Fisher's exact two-sided p on survival@N. "
        + (
            f"Paired by problem: only the {len(c.problems)} problem(s) both sides ran."
            if c.paired
            else "The sides share no problem: each is pooled over what it ran."
        ),
    ]


def markdown(c: Comparison) -> str:
    """The comparison as Markdown: what each side is, then one row per problem set."""
    return "\n".join(f"- {line}" for line in preamble(c)) + "\n\n" + markdown_table(rows(c), COMPARE_COLUMNS)


def curve_trials(c: Comparison) -> list[Row]:
    """Both sides' compared trials as one plot group each (`A: ...`, `B: ...`) on one panel."""
    problems = set(c.problems) if c.paired else None
    panel = pooled_label(c)
    out = []
    for name, s in (("A", c.a), ("B", c.b)):
        for t in s.trials:
            if problems is None or t["problem"] in problems:
                model = f"{name}: {t['model']}"
                out.append({**t, "model": model, "g_model": model, "f_model": model, "problem": panel,
                            "config": "A vs B", "config_key": "compare"})  # fmt: skip
    return out


def compare_sources(a: Path, b: Path, *, seed: int = 0, n_boot: int = DEFAULT_BOOTSTRAP) -> Comparison:
    """Compare the trials under two paths (a log, a log folder or an export folder each)."""
    sides = []
    for name, path in (("A", a), ("B", b)):
        trials, _cycles, _warnings = load_rows(path, progress=False)
        sides.append(side(f"{name} ({path})", trials))
    return compare(sides[0], sides[1], n_boot=n_boot, seed=seed, names=(f"A ({a})", f"B ({b})"))
