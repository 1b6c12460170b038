"""The leakage ablation's table: the study's own prompts against ours, from the logs alone.

    python -m studies.leakage_ablation LOGDIR [--upstream ../shared/upstream-data] [--threshold 0.9]

LOGDIR holds one folder per arm (`logs/ablation/study_hyper_guided`, `logs/ablation/ours_guided`),
each an `inspect eval-set` log directory. For each arm it prints survival@1, @3 and @10 with
Wilson 95% intervals, mean cycles survived with a seeded percentile bootstrap interval over
trials, and how often g's spec reproduces the target spec that the study's prompt leaked (its
"ground truth" spec, `materials/ground_truth_specs/<problem>/ground_truth_<lang>_<format>.txt`).

Why this similarity measure: the leaked spec is a short, fixed text, and what matters is
whether g copied it, give or take layout and a line of chatter around it. Both texts are
normalised (code fences and `<think>` blocks dropped, lower case, every run of whitespace one
space); the spec's best-matching stretch as long as the target (windows starting at each word)
is compared with the target by difflib's `SequenceMatcher.ratio()` (2 * matching characters /
total characters). A spec "reproduces" the target at >= 0.9: a copy with an operator or two
spelt differently (`%` for `MOD`), not merely a correct spec of the same function (the study's
own minilang and pseudocode targets, the same logic in sibling notations, score 0.87 to each
other). A spec holding the normalised target verbatim is counted apart. The window matters: a
verbatim copy followed by a paragraph of explanation scores only 0.58 on the whole text.

It reads only the `.eval` logs and `../shared/upstream-data`; it writes nothing.
"""

from __future__ import annotations

import argparse
import difflib
import re
import statistics
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspect_ai.log import read_eval_log

from roundtrip_eval.analysis.rows import trial_outcome
from roundtrip_eval.eval.record import Trial
from roundtrip_eval.stats.difference import bootstrap_difference, fisher_exact
from roundtrip_eval.stats.survival import (
    TrialSurvival,
    mean_cycles_survived,
    survival_at,
    wilson_interval,
)

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = ROOT.parent / "shared" / "upstream-data"
THRESHOLD = 0.9
AT = (1, 3, 10)
BOOT = 10_000


@dataclass
class Arm:
    """The trials of one arm and every spec g wrote in them."""

    name: str
    trials: list[TrialSurvival] = field(default_factory=list)
    specs: list[tuple[int, int, str]] = field(default_factory=list)  # (epoch, cycle, spec)
    seeds: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    problem: str = ""
    errors: int = 0


def normalise(text: str) -> str:
    text = re.sub(r"<think>.*?</think>", " ", text, flags=re.DOTALL)
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("```"))
    return " ".join(text.lower().split())


def similarity(spec: str, target: str) -> float:
    """difflib ratio of the target and the spec's best-matching stretch of the target's length."""
    a, b = normalise(spec), normalise(target)
    if len(a) <= len(b):
        return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    starts = [0, *(m.end() for m in re.finditer(" ", a) if m.end() < len(a))]
    return max(difflib.SequenceMatcher(None, a[i : i + len(b)], b, autojunk=False).ratio() for i in starts)


def verbatim(spec: str, target: str) -> bool:
    return normalise(target) in normalise(spec)


def read_arm(folder: Path) -> Arm:
    """Every trial of the logs in `folder` (an eval-set directory, perhaps still running).

    An eval-set that was interrupted and resumed leaves older logs beside the newest; per trial
    (sample, epoch) a completed sample beats an errored one, then the newer log wins.
    """
    arm = Arm(folder.name)
    latest: dict[tuple[str, int], tuple[tuple[bool, float], Any, dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.eval")):
        log = read_eval_log(str(path))
        meta = dict(log.eval.metadata or {})
        for sample in log.samples or []:
            key = (str(sample.id), sample.epoch)
            rank = (sample.error is None, path.stat().st_mtime)
            if key not in latest or latest[key][0] <= rank:
                latest[key] = (rank, sample, meta)
    for (_, epoch), (_, sample, meta) in sorted(latest.items()):
        arm.settings = meta
        arm.problem = str((sample.metadata or {}).get("problem", ""))
        history = Trial.read(sample.store).cycles
        errored = sample.error is not None
        outcome = trial_outcome(history, int(meta["cycles"]), errored=errored)
        arm.errors += errored
        arm.trials.append(TrialSurvival(int(outcome["cycles_survived"]), bool(outcome["failed"])))
        for record in history:
            if record.spec:
                arm.specs.append((epoch, record.cycle, record.spec))
            arm.seeds[(epoch, record.cycle)] = dict(record.seeds)
    return arm


def target_spec(upstream: Path, arm: Arm) -> str | None:
    meta = arm.settings
    path = (
        upstream
        / "materials"
        / "ground_truth_specs"
        / arm.problem
        / f"ground_truth_{meta.get('language')}_{meta.get('spec_format')}.txt"
    )
    return path.read_text(encoding="utf-8") if path.is_file() else None


def bootstrap_mean(values: list[int], seed: int = 0) -> tuple[float, float]:
    """Seeded percentile bootstrap 95% interval of a mean over trials."""
    import numpy as np

    if not values:
        return (float("nan"), float("nan"))
    data = np.asarray(values, dtype=float)
    draws = np.random.default_rng(seed).integers(0, len(data), size=(BOOT, len(data)))
    low, high = np.quantile(data[draws].mean(axis=1), [0.025, 0.975])
    return (float(low), float(high))


def pct(successes: int, n: int) -> str:
    low, high = wilson_interval(successes, n)
    return f"{successes}/{n} ({100 * low:.0f}-{100 * high:.0f}%)"


def spec_columns(arm: Arm, target: str | None, threshold: float) -> list[str]:
    if target is None:
        return ["no target", "", ""]
    scores = [(cycle, similarity(spec, target), verbatim(spec, target)) for _, cycle, spec in arm.specs]
    first = [s for cycle, s, _ in scores if cycle == 1]
    copies = sum(v for _, _, v in scores)
    return [
        pct(sum(s >= threshold for s in first), len(first)),
        f"{sum(s >= threshold for _, s, _ in scores)}/{len(scores)} ({copies} verbatim)",
        f"{statistics.median(s for _, s, _ in scores):.2f}" if scores else "-",
    ]


def table(arms: Iterable[Arm], upstream: Path, threshold: float) -> str:
    header = [
        "arm",
        "prompt_style",
        "prompts",
        "trials",
        *(f"survival@{k}" for k in AT),
        "mean cycles survived (95% CI)",
        f"cycle-1 spec reproduces the target (>= {threshold})",
        "all specs reproducing it",
        "median similarity",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for arm in arms:
        survived = [t.cycles_survived for t in arm.trials]
        low, high = bootstrap_mean(survived)
        prompts = arm.settings.get("prompts") or "ours"
        row = [
            arm.name,
            str(arm.settings.get("prompt_style", "?")),
            f"`{prompts}`",
            str(len(arm.trials)),
            *(pct(*survival_at(arm.trials, k)) for k in AT),
            f"{mean_cycles_survived(arm.trials):.1f} ({low:.1f}-{high:.1f})",
            *spec_columns(arm, target_spec(upstream, arm), threshold),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def comparison(a: Arm, b: Arm, cycles: int) -> str:
    """survival@N difference a - b (bootstrap over trials) and Fisher's exact p."""
    sa = [t.cycles_survived >= cycles for t in a.trials]
    sb = [t.cycles_survived >= cycles for t in b.trials]
    diff = bootstrap_difference(sa, sb, n_boot=BOOT, seed=0)
    p = fisher_exact([[sum(sa), len(sa) - sum(sa)], [sum(sb), len(sb) - sum(sb)]])
    same = [k for k in a.seeds if k in b.seeds and a.seeds[k] == b.seeds[k]]
    differ = [k for k in a.seeds if k in b.seeds and a.seeds[k] != b.seeds[k]]
    return (
        f"survival@{cycles} {a.name} - {b.name}: {diff.difference:+.2f} "
        f"(95% bootstrap {diff.low:+.2f} to {diff.high:+.2f}), Fisher exact p = {p:.3g}; "
        f"seeds equal on {len(same)} shared (epoch, cycle) pairs, different on {len(differ)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logdir", type=Path, help="a folder with one eval-set log folder per arm")
    parser.add_argument("--upstream", type=Path, default=UPSTREAM, help="the upstream-data folder")
    parser.add_argument("--threshold", type=float, default=THRESHOLD, help="ratio for 'reproduces'")
    args = parser.parse_args(argv)
    folders = sorted(p for p in args.logdir.iterdir() if p.is_dir() and any(p.glob("*.eval")))
    if not folders:
        print(f"{args.logdir}: no arm folders with .eval logs", file=sys.stderr)
        return 1
    arms = [read_arm(folder) for folder in folders]
    print(table(arms, args.upstream, args.threshold))
    cycles = int(arms[0].settings.get("cycles", max(AT)))
    for arm in arms:
        if arm.errors:
            print(f"{arm.name}: {arm.errors} trial(s) errored (censored, never failures)")
    if len(arms) == 2:
        print()
        print(comparison(arms[0], arms[1], cycles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
