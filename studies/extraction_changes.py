"""Which real extractions a change to the tolerant extractor changes.

    python -m studies.extraction_changes dump OUT.json [--kind upstream|evalooop] [--data DIR]
    python -m studies.extraction_changes compare BEFORE.json AFTER.json

Why: the extractor's rules (fences, salvage, the demo filter of `eval/demos.py`) decide what
code reaches the checker; a rule written for one shape must not silently change what other
models' replies become. `dump` runs `extract_code` (tolerant) over every distinct (reply,
function) pair of the original study's code replies (or EvaLooop's recorded functions) and
writes {pair key: [rule, code]}; run it once on the old sources and once on the new, then
`compare` prints how many pairs changed, by rule, and every change as a short diff. It reads
only the data folder and writes only OUT.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from roundtrip_eval.eval.extract import extract_code
from studies.screen_false_positives import EVALOOOP, UPSTREAM, evalooop_replies, upstream_replies


def _pairs(kind: str, data: Path) -> Iterator[tuple[str, str, str]]:
    """(reply, function, where) for every code reply."""
    replies = upstream_replies(data) if kind == "upstream" else evalooop_replies(data)
    return ((reply, function, where) for reply, function, where in replies if reply.strip())


def dump(kind: str, data: Path, out: Path) -> int:
    started = time.monotonic()
    seen: dict[str, dict[str, object]] = {}
    replies = 0
    for reply, function, where in _pairs(kind, data):
        replies += 1
        key = hashlib.sha256(f"{function}\0{reply}".encode()).hexdigest()
        if key in seen:
            seen[key]["count"] = int(str(seen[key]["count"])) + 1
            continue
        found = extract_code(reply, function)
        seen[key] = {"where": where, "function": function, "rule": found.rule, "code": found.code, "count": 1}
    out.write_text(json.dumps(seen), encoding="utf-8")
    print(f"{kind}: {replies} code replies, {len(seen)} distinct (reply, function) pairs, "
          f"{time.monotonic() - started:.1f}s -> {out}")
    return 0


def compare(before_path: Path, after_path: Path) -> int:
    before = json.loads(before_path.read_text(encoding="utf-8"))
    after = json.loads(after_path.read_text(encoding="utf-8"))
    if before.keys() != after.keys():
        print("the two dumps cover different replies", file=sys.stderr)
        return 2
    def outcome(dump: dict[str, dict[str, object]], key: str) -> tuple[object, object]:
        return dump[key]["rule"], dump[key]["code"]

    changed = [k for k in before if outcome(before, k) != outcome(after, k)]
    replies = sum(int(v["count"]) for v in before.values())
    affected = sum(int(before[k]["count"]) for k in changed)
    print(f"{len(changed)} of {len(before)} distinct pairs changed ({affected} of {replies} code replies)")
    rules = Counter(f"{before[k]['rule']} -> {after[k]['rule']}" for k in changed)
    for rule, n in rules.most_common():
        print(f"  {n:5d}  {rule}")
    for k in sorted(changed, key=lambda k: before[k]["where"]):
        old, new = before[k], after[k]
        print(f"\n== {old['where']} ({old['count']}x, {old['function']}): {old['rule']} -> {new['rule']}")
        diff = difflib.unified_diff((old["code"] or "").splitlines(), (new["code"] or "").splitlines(),
                                    "before", "after", n=1, lineterm="")
        print("\n".join(list(diff)[2:]))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--kind", choices=("upstream", "evalooop"), default="upstream")
    d.add_argument("--data", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "compare":
        return compare(args.before, args.after)
    data = args.data or (UPSTREAM if args.kind == "upstream" else EVALOOOP)
    if not data.is_dir():
        print(f"no data at {data}: put it under ../shared", file=sys.stderr)
        return 2
    return dump(args.kind, data, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
