"""The drift classifier against the hand labels of `studies/data/drift_labels_v2.csv`, one split at a time.

    python -m studies.drift_validation dev        # confusion table, agreement, every disagreement
    python -m studies.drift_validation holdout    # confusion table and agreement only
    python -m studies.drift_validation first  # the first 60 labels (studies/data/upstream_drift_labels.csv)
    python -m studies.drift_validation dev --explain   # also every row's label, category and detail

Why the holdout prints no rows: its number validates the classifier only if nobody tuned the
classifier against its rows, so the script never shows which holdout rows disagree, or what the
classifier said on any one of them. Tune against `dev`; evaluate `holdout` once, after the last
change (docs/drift_validation.md says how it was done).

Needs the Docker sandbox, `../shared/upstream-data` (relative to the repository root) and, for
rows of our own runs (batch `ours-...`), their logs (committed under `studies/data/own_logs`, or
`ROUNDTRIP_LABEL_LOGS`).
`--by-source` adds one table per source (upstream, ours); `--explain` (not for the holdout) prints
the detail our pipeline logged for each row, the line a reader sees in the viewer.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from studies.drift_labels import (
    DATA,
    UPSTREAM_RAW,
    dev_rows,
    disagreements,
    holdout_rows,
    is_ours,
    judge,
    load_labels,
    render,
    steps_of,
)

LABELS = DATA / "drift_labels_v2.csv"
FIRST_LABELS = DATA / "upstream_drift_labels.csv"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", choices=("dev", "holdout", "first"))
    parser.add_argument("--by-source", action="store_true", help="a table per source as well")
    parser.add_argument("--explain", action="store_true", help="each row's detail (not for holdout)")
    args = parser.parse_args(argv)
    if not UPSTREAM_RAW.is_dir():
        print(f"no published data at {UPSTREAM_RAW}: put it at ../shared/upstream-data")
        return 2
    if args.split == "first":
        rows = load_labels(FIRST_LABELS)
    else:
        rows = dev_rows(LABELS) if args.split == "dev" else holdout_rows(LABELS)
    if args.explain and args.split == "holdout":
        print("--explain shows single rows, which the holdout never does; run it on dev")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        verdicts = judge(steps_of(rows), Path(tmp))
    predicted = [category for category, _detail in verdicts]
    labels = [r["label"] for r in rows]
    print(f"## {args.split}: {len(rows)} labelled steps\n")
    print(render(labels, predicted))
    if args.by_source:
        for name, keep in (("upstream", False), ("ours", True)):
            picked = [i for i, r in enumerate(rows) if is_ours(r) == keep]
            if picked:
                print(f"\n### {name}: {len(picked)} steps\n")
                print(render([labels[i] for i in picked], [predicted[i] for i in picked]))
    if args.split != "holdout":
        print("\nDisagreements:")
        print("\n".join(disagreements(rows, predicted)) or "none")
    if args.explain:
        print("\nEvery row (id, hand label, our category: our detail):")
        for row, (category, detail) in zip(rows, verdicts, strict=True):
            print(f"{row.get('id') or row['trial']}  {row['label']}  {category}: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
