"""Known vs novel on the twins: the pre-registered headline quantities, from the logs alone.

    python scripts/generalization.py LOGDIR [LOGDIR ...] [-o OUT] [--boot 10000]

Each LOGDIR is an `inspect eval-set` log directory of `roundtrip_eval/generalization_gap`
(`scripts/results.sh gap` / `gap-masked`). For every configuration found (model, mask_names,
the rest of the settings; never pooled across configurations) it prints, as in
docs/generalization_plan.md:

- the **gap in mean cycles survived** (known - novel), pooled over the pairs, with a seeded
  percentile bootstrap 95% interval (`stats.bootstrap_difference`, seed 0, trials resampled
  within each side);
- the **gap in survival@3**, pooled, with the same interval and Fisher's exact two-sided p;
- survival@1 and survival@N (secondary), and the same quantities for each twin pair;
- the wall-clock hours the logs record.

With `-o OUT` it also writes `OUT/generalization.md` (the tables) and `OUT/curves.png` (survival
per cycle, known vs novel, one panel per configuration). A trial is counted once: when an
eval-set retried it, the newest log's copy is used. Trials that errored are left out (reported);
a trial cut short without a failure is censored and counts the cycles it survived.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.read import read_rows
from roundtrip_eval.problems import load_problem
from roundtrip_eval.stats import bootstrap_difference, fisher_exact

Row = dict[str, Any]
AT = 3


def newest_copies(trials: Sequence[Row]) -> list[Row]:
    """One row per (config, sample, epoch): the newest log's, errors last."""
    best: dict[tuple[str, str, int], Row] = {}
    for row in trials:
        key = (str(row["config_key"]), str(row["sample_id"]), int(row["epoch"]))
        rank = (row["status"] != "error", str(row["created"]))
        if key not in best or rank > (best[key]["status"] != "error", str(best[key]["created"])):
            best[key] = row
    return list(best.values())


def pair_of(row: Row) -> str:
    """A twin pair's name, as `-T pairs=` takes it (the problems' `pair` key)."""
    return str(load_problem(str(row["problem"])).metadata.get("pair"))


def side_values(rows: Sequence[Row]) -> tuple[list[int], list[bool], list[bool], list[bool]]:
    cycles = [int(r["cycles_survived"]) for r in rows]
    n = max((int(r.get("n_cycles") or 10) for r in rows), default=10)
    return cycles, [c >= 1 for c in cycles], [c >= AT for c in cycles], [c >= n for c in cycles]


def compare(known: Sequence[Row], novel: Sequence[Row], boot: int) -> Row:
    kc, k1, k3, kn = side_values(known)
    nc, n1, n3, nn = side_values(novel)
    mean_gap = bootstrap_difference(kc, nc, n_boot=boot, seed=0)
    s3_gap = bootstrap_difference(k3, n3, n_boot=boot, seed=0)
    return {
        "known_n": len(kc), "novel_n": len(nc),
        "known_mean": sum(kc) / len(kc) if kc else float("nan"),
        "novel_mean": sum(nc) / len(nc) if nc else float("nan"),
        "mean_gap": mean_gap,
        "known_s1": sum(k1), "novel_s1": sum(n1),
        "known_s3": sum(k3), "novel_s3": sum(n3), "s3_gap": s3_gap,
        "s3_p": fisher_exact([[sum(k3), len(k3) - sum(k3)], [sum(n3), len(n3) - sum(n3)]]),
        "known_sn": sum(kn), "novel_sn": sum(nn),
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


def curve(rows: Sequence[Row], n: int) -> list[float]:
    if not rows:
        return []
    return [sum(int(r["cycles_survived"]) >= k for r in rows) / len(rows) for k in range(0, n + 1)]


def plot(groups: dict[str, list[Row]], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(groups), figsize=(5 * len(groups), 3.6), squeeze=False)
    for ax, (label, rows) in zip(axes[0], groups.items(), strict=True):
        n = max(int(r.get("n_cycles") or 10) for r in rows)
        for familiarity, style in (("known", "-o"), ("novel", "--s")):
            side = [r for r in rows if r["familiarity"] == familiarity]
            ax.plot(range(n + 1), curve(side, n), style, label=f"{familiarity} (n={len(side)})", markersize=3)
        ax.set_title(label, fontsize=8)
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
    hours = 0.0
    for log_dir in args.log_dirs:
        rows, _cycles, skipped = read_rows(log_dir, progress=False)
        trials += [r for r in rows if r["task"].endswith("generalization_gap")]
        for path, why in skipped:
            print(f"skipped {path}: {why}", file=sys.stderr)
    trials = newest_copies(trials)
    errored = [r for r in trials if r["status"] == "error"]
    scored = [r for r in trials if r["status"] != "error"]
    if not scored:
        print("no scored generalization_gap trials found")
        return 1
    for row in scored:
        hours += float(row.get("total_time") or 0.0) / 3600
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in scored:
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
    text = "\n".join(parts) + (
        f"\n{len(scored)} scored trials, {len(errored)} errored (left out); "
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
