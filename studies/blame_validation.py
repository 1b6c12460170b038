"""Blame against a reader's judgement of who broke the chain, g or f (docs/blame_rule.md).

    python -m studies.blame_validation dump LOGDIR > cases.md     # every failure, blind
    python -m studies.blame_validation dump --no-check LOGDIR     # without the check's detail
    python -m studies.blame_validation score LOGDIR studies/data/blame_labels.csv

`dump` prints, for every failed trial of the logs in LOGDIR whose first failure can be probed
(not a spec_failure), what a reader needs to judge it: the last passing code (C0 at cycle 1), the
failing cycle's spec, the code f wrote from it, and the check's detail. It never prints a verdict
or the probes behind it, so the labels are written blind. With `--no-check` it leaves out the
check's category and detail as well (both come from the drift classifier), so the same cases can be
given a drift label blind first. A label is `g` when the spec lost or
changed information the last passing code had (f did what the spec said), `f` when the spec
described the last passing code faithfully and f's code departs from it, `both` when the spec is
wrong and f departs from it as well, `unclear` when the spec is ambiguous about the difference.

`score` joins the labels (columns `trial`, `label`, `reason`, optionally `second_label`: a second
reader's blind label) with the verdicts (`roundtrip-eval blame` writes them to
`<log>.blame.jsonl` beside each log, which win; else the `-T blame=k` record in the log) and
prints: reader vs reader, reader vs rule, and the rule's precision (agreement where it answers
g, f or both) and coverage (the share where it answers), with Wilson 95% intervals, against
each reader. Reads only the logs and the verdict files.
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

from roundtrip_eval.analysis.blame_logs import read_verdicts
from roundtrip_eval.analysis.rows import cycle_history
from roundtrip_eval.eval.blame import probe_target
from roundtrip_eval.eval.record import Trial
from roundtrip_eval.problems.load import load_problem
from roundtrip_eval.stats.survival import wilson_interval

VERDICTS = ("g", "f", "both", "unclear")
ANSWERS = ("g", "f", "both")


def cases(log_dir: Path) -> Iterator[dict[str, Any]]:
    """One record per failed trial whose first failure can be probed, newest log of each
    (task, sample, epoch) wins; `verdict` is None where no blame was run yet."""
    seen: dict[tuple[str, str, int], dict[str, Any]] = {}
    for info in sorted(list_eval_logs(str(log_dir)), key=lambda i: i.name):
        log = read_eval_log(info)  # a log still running holds its completed samples only
        if log.eval.task == "blame_probes":
            continue
        written = read_verdicts(Path(info.name.removeprefix("file://")))
        for sample in log.samples or []:
            if sample.error is not None:
                continue
            history = cycle_history(sample)
            cycle, _why = probe_target(history)
            if cycle is None:
                continue
            written_verdict = written.get((str(sample.id), int(sample.epoch)))
            in_log = Trial.read(sample.store).blame  # a verdict file wins over an in-log record
            verdict = written_verdict.verdict if written_verdict else in_log.verdict if in_log else None
            failure = history[cycle - 1]
            previous = (
                history[cycle - 2].code if cycle >= 2
                else load_problem(str(sample.metadata["problem"])).reference
            )  # fmt: skip
            key = (log.eval.task, str(sample.id), int(sample.epoch))
            seen[key] = {
                "trial": f"{sample.id}/{sample.epoch}",
                "model": log.eval.model,
                "cycle": cycle,
                "previous": previous,
                "spec": failure.spec,
                "code": failure.code,
                "category": failure.category,
                "detail": failure.detail,
                "verdict": verdict,
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
    print(f"{len(found)} failures that can be probed", file=sys.stderr)
    return 0 if found else 1


def _share(hits: int, n: int) -> str:
    low, high = wilson_interval(hits, n)
    return f"{hits}/{n} = {hits / n:.1%} [95% CI {low:.1%}, {high:.1%}]" if n else "0/0 (none)"


def _table(pairs: Counter[tuple[str, str]], rows: str, columns: str) -> None:
    print(f"| {rows} \\ {columns} | " + " | ".join(VERDICTS) + " |")
    print("|---|" + "---|" * len(VERDICTS))
    for label in VERDICTS:
        print(f"| {label} | " + " | ".join(str(pairs[(label, v)]) for v in VERDICTS) + " |")


def precision_coverage(labels: dict[str, str], verdicts: dict[str, str]) -> tuple[int, int, int]:
    """(agreements where the rule answers, answers, labelled trials)."""
    answered = [t for t in labels if verdicts[t] in ANSWERS]
    return sum(verdicts[t] == labels[t] for t in answered), len(answered), len(labels)


def score(log_dir: Path, labels_file: Path) -> int:
    verdicts = {c["trial"]: c["verdict"] for c in cases(log_dir) if c["verdict"] is not None}
    with labels_file.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    readers = {"first reader": {row["trial"]: row["label"] for row in rows}}
    second = {row["trial"]: row["second_label"] for row in rows if row.get("second_label")}
    if second:
        readers["second reader"] = second
    labels = readers["first reader"]
    bad = sorted({v for r in readers.values() for v in r.values()} - set(VERDICTS))
    missing = sorted(set(labels) - set(verdicts))
    if bad or missing:
        print(f"labels not in {VERDICTS}: {bad}; labelled trials without a blame verdict: {missing}")
        return 2
    if second:  # how far two people agree bounds what a rule can reach
        both_read = Counter((labels[t], second[t]) for t in second)
        same = sum(labels[t] == second[t] for t in second)
        print(f"## first reader vs second reader: agree on {_share(same, len(second))}\n")
        _table(both_read, "first", "second")
        print()
    for name, reader in readers.items():
        pairs = Counter((reader[t], verdicts[t]) for t in reader)
        agree = sum(reader[t] == verdicts[t] for t in reader)
        print(f"## {name} vs rule: agreement {_share(agree, len(reader))}\n")
        _table(pairs, name.split()[0], "rule")
        hits, answered, n = precision_coverage(reader, verdicts)
        print(f"\nprecision (where the rule answers g/f/both): {_share(hits, answered)}")
        print(f"coverage (share where it answers): {_share(answered, n)}\n")
    unlabelled = sorted(set(verdicts) - set(labels))
    if unlabelled:
        print(f"not labelled ({len(unlabelled)}): {', '.join(unlabelled)}")
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
