"""Same replies, same scores: rerun a log's recorded replies and compare every trial's scores.

    python scripts/replay_scores.py replies LOG OUT.jsonl     # a replay file from LOG's trials
    python scripts/replay_scores.py run OUT.jsonl LOGDIR [-T key=value ...]
    python scripts/replay_scores.py scores LOG OUT.json       # every trial's scores, as JSON
    python scripts/replay_scores.py compare A.json B.json     # exit 1 on any difference

Why: a refactor of the solver, the store or the scorers must not change a single score. The
replay file answers each trial with the g and f replies its log recorded (g, f, g, f, ...; no f
where f was never asked), so a rerun under two versions of the code checks the same code in the
same sandbox; `compare` then diffs value, answer, explanation and metadata of every scorer for
every (sample, epoch). A trial cut short without a failure ends in a `stop` reply (censored), as
it did when recorded; errored trials are left out of the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def replies(log_path: Path, out: Path) -> int:
    """Write one replay line per scored trial of `log_path`: its recorded g and f replies."""
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(log_path), resolve_attachments=True)
    n_cycles = int((log.eval.metadata or {}).get("cycles", 10))
    lines = []
    for sample in log.samples or []:
        if sample.error is not None:
            continue
        history = (sample.store or {}).get("cycles") or []
        answers: list[Any] = []
        for record in history:
            answers.append({"text": record["spec_reply"]})
            if record.get("code_reply") is not None:
                answers.append({"text": record["code_reply"]})
        if all(r.get("passed") for r in history) and len(history) < n_cycles:
            answers.append({"stop": "the recorded trial ended here"})
        lines.append(json.dumps({"sample": str(sample.id), "epoch": sample.epoch, "replies": answers}))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} trials to {out}")
    return 0


def run(script: Path, log_dir: Path, task_args: list[str]) -> int:
    """Run `roundtrip_eval/generalization_gap` on the replay file (settings as `-T` pairs)."""
    from inspect_ai import eval as inspect_eval

    from roundtrip_eval.eval.tasks import generalization_gap

    args: dict[str, Any] = {}
    for item in task_args:
        key, _, value = item.partition("=")
        try:
            args[key] = json.loads(value)  # numbers and booleans, as `inspect eval -T` reads them
        except json.JSONDecodeError:
            args[key] = value
    [log] = inspect_eval(
        generalization_gap(**args), model=f"replay/{script}", log_dir=str(log_dir),
        display="none", fail_on_error=False,
    )  # fmt: skip
    print(f"{log.status}: {log.location}")
    return 0 if log.status == "success" else 1


def scores(log_path: Path, out: Path) -> int:
    """Every trial's scores, keyed `sample/epoch`, then scorer name."""
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(log_path))
    table = {
        f"{sample.id}/{sample.epoch}": {
            name: {"value": s.value, "answer": s.answer, "explanation": s.explanation, "metadata": s.metadata}
            for name, s in sorted((sample.scores or {}).items())
        }
        for sample in log.samples or []
    }
    out.write_text(json.dumps(table, indent=1, sort_keys=True, default=str), encoding="utf-8")
    print(f"wrote the scores of {len(table)} trials to {out}")
    return 0


def compare(a_path: Path, b_path: Path) -> int:
    """Print every trial and scorer whose scores differ; exit 1 if any does."""
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (a_path, b_path))
    differences = 0
    for trial in sorted(set(a) | set(b)):
        left, right = a.get(trial, {}), b.get(trial, {})
        for name in sorted(set(left) | set(right)):
            if left.get(name) != right.get(name):
                differences += 1
                print(f"{trial} {name}:\n  {left.get(name)}\n  {right.get(name)}")
    scored = sum(len(v) for v in a.values())
    print(f"{len(a)} / {len(b)} trials, {scored} scores compared, {differences} differ")
    return 1 if differences or set(a) != set(b) else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("replies")
    p.add_argument("log", type=Path)
    p.add_argument("out", type=Path)
    p = sub.add_parser("run")
    p.add_argument("script", type=Path)
    p.add_argument("log_dir", type=Path)
    p.add_argument("-T", dest="task_args", action="append", default=[])
    p = sub.add_parser("scores")
    p.add_argument("log", type=Path)
    p.add_argument("out", type=Path)
    p = sub.add_parser("compare")
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.command == "replies":
        return replies(args.log, args.out)
    if args.command == "run":
        return run(args.script, args.log_dir, args.task_args)
    if args.command == "scores":
        return scores(args.log, args.out)
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
