"""Known vs novel on the twins: the pre-registered headline quantities, from the logs alone.

    python -m studies.generalization LOGDIR [LOGDIR ...] [-o OUT] [--boot 10000]

Each LOGDIR is an `inspect eval-set` log directory of `roundtrip_eval/generalization_gap`
(`scripts/results.sh gap` / `gap-masked`). For every configuration found (model, mask_names,
the rest of the settings; never pooled across configurations) it prints, as in
docs/generalization_plan.md:

- the **gap in mean cycles survived** (known - novel), pooled over the pairs, with a seeded
  percentile bootstrap 95% interval (`stats.difference.bootstrap_difference`, seed 0, trials resampled
  within each side);
- the **gap in survival@3**, pooled, with the same interval and Fisher's exact two-sided p;
- survival@1 and survival@N (secondary), and the same quantities for each twin pair;
- the **masked - shown difference of both gaps** (the recall ablation), for every configuration
  run both ways, with a bootstrap interval resampling the four groups;
- first failures by drift category, known / novel, with Fisher's p for `signature` drift (the
  failure that masking adds: the model renames `func`);
- the wall-clock hours the logs record.

With `-o OUT` it also writes `OUT/generalization.md` (the tables) and `OUT/curves.png` (survival
per cycle, known vs novel, one panel per configuration). A trial is counted once: when an
eval-set retried it, the newest log's copy is used. Trials that errored are left out (reported);
a trial cut short without a failure is censored and counts the cycles it survived.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.aggregate import as_survival, newest_copies, scored
from roundtrip_eval.analysis.read import read_rows
from roundtrip_eval.problems.load import load_problem
from roundtrip_eval.stats.difference import bootstrap_difference_of_gaps, fisher_exact
from roundtrip_eval.stats.gap import gap
from roundtrip_eval.stats.survival import (
    TrialSurvival,
    life_table,
)

Row = dict[str, Any]
AT = 3


def pair_of(row: Row) -> str:
    """A twin pair's name, as `-T pairs=` takes it (the trial's `pair`, else its problem's)."""
    return str(row.get("pair") or load_problem(str(row["problem"])).metadata.get("pair"))


def n_cycles(rows: Sequence[Row]) -> int:
    return max((int(r.get("n_cycles") or 10) for r in rows), default=10)


def compare(known: Sequence[Row], novel: Sequence[Row], boot: int) -> Row:
    """Both headline gaps (mean cycles, survival@3) and the secondary counts of one comparison:
    `stats.gap.gap`, the one definition the eval's metric and the report use too."""
    n = n_cycles([*known, *novel])
    g = gap([t.cycles_survived for t in as_survival(known)], [t.cycles_survived for t in as_survival(novel)],
            n, at=AT, n_boot=boot, seed=0)
    return {
        "known_n": g.known_n, "novel_n": g.novel_n, "known_mean": g.known_mean, "novel_mean": g.novel_mean,
        "mean_gap": g.mean_gap, "known_s1": g.known_s1, "novel_s1": g.novel_s1,
        "known_s3": g.known_at, "novel_s3": g.novel_at, "s3_gap": g.at_gap, "s3_p": g.at_p,
        "known_sn": g.known_sn, "novel_sn": g.novel_sn,
    }  # fmt: skip


def _ci(d: Any) -> str:
    return f"{d.difference:+.2f} [{d.low:+.2f}, {d.high:+.2f}]"


def table(name_rows: Sequence[tuple[str, Row]]) -> str:
    head = ("| pair | trials (known / novel) | mean cycles known | novel | gap [95% CI] | "
            f"survival@{AT} known | novel | gap [95% CI] | Fisher p | survival@1 known / novel | "
            "survival@N known / novel |")  # fmt: skip
    lines = [head, "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, c in name_rows:
        lines.append(
            f"| {name} | {c['known_n']} / {c['novel_n']} | {c['known_mean']:.2f} | {c['novel_mean']:.2f} | "
            f"{_ci(c['mean_gap'])} | {c['known_s3']}/{c['known_n']} | {c['novel_s3']}/{c['novel_n']} | "
            f"{_ci(c['s3_gap'])} | {c['s3_p']:.3g} | {c['known_s1']} / {c['novel_s1']} | "
            f"{c['known_sn']} / {c['novel_sn']} |"
        )
    return "\n".join(lines)


MASKED = " mask_names=True"


def ablation(groups: dict[str, list[Row]], boot: int) -> str:
    """Masked minus shown, for each configuration run both ways: did hiding names move the gap?"""

    def sides(rows: Sequence[Row]) -> tuple[list[TrialSurvival], list[TrialSurvival]]:
        return (as_survival([r for r in rows if r["familiarity"] == "known"]),
                as_survival([r for r in rows if r["familiarity"] == "novel"]))  # fmt: skip

    lines = []
    for label, masked_rows in sorted(groups.items()):
        shown_rows = groups.get(label.replace(MASKED, ""))
        if MASKED not in label or shown_rows is None:
            continue
        (mk, mv), (sk, sv) = sides(masked_rows), sides(shown_rows)
        cycles = [[t.cycles_survived for t in side] for side in (mk, mv, sk, sv)]
        at3 = [[t.cycles_survived >= AT for t in side] for side in (mk, mv, sk, sv)]
        mean = bootstrap_difference_of_gaps(*cycles, n_boot=boot, seed=0)
        s3 = bootstrap_difference_of_gaps(*at3, n_boot=boot, seed=0)
        lines.append(
            f"| {label.replace(MASKED, '').replace(' | ', ', ')} | {len(mk)} / {len(mv)} | "
            f"{len(sk)} / {len(sv)} | "
            f"{_ci(mean)} | {_ci(s3)} |"
        )
    if not lines:
        return ""
    head = ("| configuration | masked trials (known / novel) | shown trials | mean-cycles gap, "
            f"masked - shown [95% CI] | survival@{AT} gap, masked - shown [95% CI] |")  # fmt: skip
    body = "\n".join([head, "|---|---|---|---|---|", *lines])
    return f"### masked - shown (the recall ablation)\n\n{body}\n"


def failures(groups: dict[str, list[Row]]) -> str:
    """First failures by drift category, known / novel, for every configuration.

    Why: a headline gap says how long each side lasts, not how it breaks. Masking the names, for
    one, adds a failure the shown arm hardly has: the model restores a descriptive name for
    `func`, which the contract scores as `signature` drift; the last column tests whether that
    hits the two sides alike.
    """
    sides = {
        label: {f: Counter(str(r.get("drift") or "none") for r in rows if r["familiarity"] == f)
                for f in ("known", "novel")}
        for label, rows in groups.items()
    }  # fmt: skip
    total: Counter[str] = sum((c for side in sides.values() for c in side.values()), Counter())
    categories = [c for c, _ in total.most_common() if c != "none"] + ["none"]
    lines = []
    for label, side in sides.items():
        nk, nv = (sum(side[f].values()) for f in ("known", "novel"))
        sk, sv = side["known"]["signature"], side["novel"]["signature"]
        p = fisher_exact([[sk, nk - sk], [sv, nv - sv]])
        cells = " | ".join(f"{side['known'][c]} / {side['novel'][c]}" for c in categories)
        lines.append(f"| {label.replace(' | ', ', ')} | {nk} / {nv} | {cells} | {p:.3g} |")
    head = ("| configuration | trials (known / novel) | " + " | ".join(categories)
            + " | signature: Fisher p |")  # fmt: skip
    rule = "|" + "---|" * (len(categories) + 3)
    body = "\n".join([head, rule, *lines])
    title = "first failures by drift category (known / novel; none = no failure: survived, or censored)"
    return f"### {title}\n\n{body}\n"


def curve(rows: Sequence[Row], n: int) -> list[float]:
    """survival@0..n (survival@0 = 1), the report's definition (`life_table`)."""
    return [1.0] + [point.survival for point in life_table(as_survival(rows), n)] if rows else []


def plot(groups: dict[str, list[Row]], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(groups), figsize=(5 * len(groups), 3.6), squeeze=False)
    for ax, (label, rows) in zip(axes[0], groups.items(), strict=True):
        n = n_cycles(rows)
        for familiarity, style in (("known", "-o"), ("novel", "--s")):
            side = [r for r in rows if r["familiarity"] == familiarity]
            ax.plot(range(n + 1), curve(side, n), style, label=f"{familiarity} (n={len(side)})", markersize=3)
        ax.set_title("\n".join(textwrap.wrap(label, 60)), fontsize=8)  # configurations are long
        ax.set_xlabel("cycle k")
        ax.set_ylabel("survival@k")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / "curves.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log_dirs", nargs="+", type=Path)
    parser.add_argument("-o", "--out", type=Path)
    parser.add_argument("--boot", type=int, default=10_000)
    args = parser.parse_args(argv)
    trials: list[Row] = []
    for log_dir in args.log_dirs:
        rows, _cycles, skipped = read_rows(log_dir, progress=False)
        trials += [r for r in rows if r["task"].endswith("generalization_gap")]
        for path, why in skipped:
            print(f"skipped {path}: {why}", file=sys.stderr)
    trials = newest_copies(trials)
    counted = scored(trials)
    errored = len(trials) - len(counted)
    if not counted:
        print("no scored generalization_gap trials found")
        return 1
    hours = sum(float(row.get("total_time") or 0.0) for row in counted) / 3600
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in counted:
        groups[f"{row['model']} | {row['config']}"].append(row)
    parts = []
    for label, rows in groups.items():
        by_pair: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_pair[pair_of(row)].append(row)
        lines = [
            (name, compare([r for r in members if r["familiarity"] == "known"],
                           [r for r in members if r["familiarity"] == "novel"], args.boot))
            for name, members in sorted(by_pair.items())
        ]  # fmt: skip
        pooled = compare([r for r in rows if r["familiarity"] == "known"],
                         [r for r in rows if r["familiarity"] == "novel"], args.boot)  # fmt: skip
        parts.append(f"### {label}\n\n{table([('**pooled**', pooled), *lines])}\n")
    parts.append(ablation(groups, args.boot))
    parts.append(failures(groups))
    text = "\n".join(p for p in parts if p) + (
        f"\n{len(counted)} scored trials, {errored} errored (left out); "
        f"{hours:.2f} hours of trial time recorded in the logs.\n"
    )
    print(text)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "generalization.md").write_text(text, encoding="utf-8")
        print(f"wrote {args.out / 'generalization.md'} and {plot(groups, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
