"""Blame (`-T blame=k`) against a reader's judgement of who broke the chain, g or f.

    python -m studies.blame_validation dump LOGDIR > cases.md     # every failure, blind
    python -m studies.blame_validation dump --no-check LOGDIR     # without the check's detail
    python -m studies.blame_validation score LOGDIR studies/data/blame_labels.csv

`dump` prints, for every trial of the logs in LOGDIR that failed and has a blame record, what a
reader needs to judge it: the last passing code (C0 at cycle 1), the failing cycle's spec, the
code f wrote from it, and the check's detail. It never prints the automatic verdict or the
regenerations behind it, so the labels are written blind. With `--no-check` it leaves out the
check's category and detail as well (both come from the drift classifier), so the same cases can be
given a drift label blind first. A label is `g` when the spec lost or
changed information the last passing code had (f did what the spec said), `f` when the spec
described the last passing code faithfully and f's code departs from it, `both` when the spec is
wrong and f departs from it as well, `unclear` when the spec is ambiguous about the difference.

`score` joins the labels (columns `trial`, `label`, `reason`, optionally `second_label`: a second
reader's blind label) with the logged verdicts and prints the agreement, the confusion table and,
with a second reader, how often the two readers agree. Reads only the `.eval` logs.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from inspect_ai.log import list_eval_logs, read_eval_log

from roundtrip_eval.eval.record import Trial
from roundtrip_eval.problems.load import load_problem

VERDICTS = ("g", "f", "both", "unclear")


def cases(log_dir: Path) -> Iterator[dict[str, Any]]:
    """One record per failed trial with blame, newest log of each (task, sample, epoch) wins."""
    seen: dict[tuple[str, str, int], dict[str, Any]] = {}
    for info in sorted(list_eval_logs(str(log_dir)), key=lambda i: i.name):
        log = read_eval_log(info)  # a log still running holds its completed samples only
        for sample in log.samples or []:
            trial = Trial.read(sample.store)
            blame, history = trial.blame, trial.cycles
            if blame is None:
                continue
            failure = history[blame.cycle - 1]
            previous = (
                history[blame.cycle - 2].code if blame.cycle >= 2
                else load_problem(str(sample.metadata["problem"])).reference
            )  # fmt: skip
            key = (log.eval.task, str(sample.id), int(sample.epoch))
            seen[key] = {
                "trial": f"{sample.id}/{sample.epoch}",
                "model": log.eval.model,
                "cycle": blame.cycle,
                "previous": previous,
                "spec": failure.spec,
                "code": failure.code,
                "category": failure.category,
                "detail": failure.detail,
                "verdict": blame.verdict,
                "rates": (blame.from_spec_pass_rate, blame.fresh_pass_rate),
            }
    yield from sorted(seen.values(), key=lambda c: c["trial"])


def dump(log_dir: Path, check: bool = True) -> int:
    found = list(cases(log_dir))
    for case in found:
        print(f"## {case['trial']} ({case['model']}), failed at cycle {case['cycle']}\n")
        if check:
            print(f"check: {case['category']}: {case['detail']}\n")
        for title, text in (("last passing code", case["previous"]), ("failing spec", case["spec"]),
                            ("f's code", case["code"])):  # fmt: skip
            print(f"### {title}\n\n```\n{(text or '(none)').rstrip()}\n```\n")
    print(f"{len(found)} failures with a blame record", file=sys.stderr)
    return 0 if found else 1


def score(log_dir: Path, labels_file: Path) -> int:
    verdicts = {c["trial"]: c["verdict"] for c in cases(log_dir)}
    with labels_file.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    labels = {row["trial"]: row["label"] for row in rows}
    second = {row["trial"]: row["second_label"] for row in rows if row.get("second_label")}
    bad = sorted(set(labels.values()) - set(VERDICTS))
    missing = sorted(set(labels) - set(verdicts))
    if bad or missing:
        print(f"labels not in {VERDICTS}: {bad}; labelled trials without a blame record: {missing}")
        return 2
    pairs = Counter((labels[t], verdicts[t]) for t in labels)
    agree = sum(n for (label, verdict), n in pairs.items() if label == verdict)
    print(f"agreement: {agree}/{len(labels)} = {agree / len(labels):.1%}\n")
    print("| label \\ verdict | " + " | ".join(VERDICTS) + " |")
    print("|---|" + "---|" * len(VERDICTS))
    for label in VERDICTS:
        print(f"| {label} | " + " | ".join(str(pairs[(label, v)]) for v in VERDICTS) + " |")
    if second:  # a second blind reader: how far two people agree bounds what a rule can reach
        both_read = sum(second[t] == labels[t] for t in second)
        print(f"\nsecond reader agrees with the first on {both_read}/{len(second)}; the verdict agrees "
              f"with the second on {sum(second[t] == verdicts[t] for t in second)}/{len(second)}")
    unlabelled = sorted(set(verdicts) - set(labels))
    if unlabelled:
        print(f"\nnot labelled ({len(unlabelled)}): {', '.join(unlabelled)}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dumping = sub.add_parser("dump")
    dumping.add_argument("log_dir", type=Path)
    dumping.add_argument("--no-check", action="store_true", help="leave out the check's category and detail")
    scoring = sub.add_parser("score")
    scoring.add_argument("log_dir", type=Path)
    scoring.add_argument("labels", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(args.log_dir, check=not args.no_check)
    return score(args.log_dir, args.labels)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
