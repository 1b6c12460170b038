"""Draw the failing steps that `studies/data/drift_labels_v2.csv` labels by hand, and split them.

    python -m studies.sample_drift_labels upstream [--check]
    python -m studies.sample_drift_labels ours LOG_DIR BATCH [--check]
    python -m studies.sample_drift_labels show LOG_DIR BATCH > rows.md   # what a labeller reads

`upstream` draws failing steps of the published trials (`../shared/upstream-data/raw`, relative to
the repository root). `ours` lists the failing cycles of our own `.eval` logs in LOG_DIR and tags
them with BATCH (for example `ours-0.5b`). Both give every row its `split` (dev or holdout) the
moment it is drawn, before anyone labels it, so that the holdout cannot be chosen by its labels.
New rows are appended to the CSV with empty `label` and `reasoning`; rows already there are never
rewritten, so the hand labels and the split survive a re-run. `--check` writes nothing and fails
if the CSV's rows, or their split, differ from what the script draws.

Why this design:
- A trial stops at its first failing step, so trial folder + cycle names the step; steps already
  labelled in `studies/data/upstream_drift_labels.csv` are left out (that set tuned the classifier).
- Steps whose status is "API call failed" are left out: there is no model reply to label.
- Most published failures are spec-gate failures of get_magic_number; a uniform draw would be
  almost all of them. The draw fixes a quota per (task, step) stratum and, inside it, deals
  round-robin over models, then over configurations (mode, language, spec format, prompt style),
  so each model and configuration appears before any appears twice.
- The split is stratified by what is known before labelling (step, task and the kind of failure
  the original harness reported), a proxy for the label: the label itself is not known yet.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SEED = 20260113  # issue 13; the draw and the split both derive from it
HOLDOUT_FRACTION = 0.4

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "upstream-data" / "raw"
OLD_LABELS = REPO / "studies" / "data" / "upstream_drift_labels.csv"
OUT = REPO / "studies" / "data" / "drift_labels_v2.csv"

# Failing steps to draw per (task, step); 180 in all.
QUOTA: dict[tuple[str, str], int] = {
    ("get_magic_number", "g"): 36,
    ("fizzbuzz", "g"): 24,
    ("get_magic_number", "f"): 40,
    ("fizzbuzz", "f"): 40,
    ("separate_vowels_and_consonants", "f"): 40,
}

COLUMNS = [
    "id",
    "batch",
    "trial",
    "cycle",
    "step",
    "model",
    "task",
    "lang",
    "spec_format",
    "prompt_style",
    "mode",
    "harness_status",
    "split",
    "label",
    "reasoning",
]

_TRIAL = re.compile(
    r"^(?P<model>[^_]+)_(?P<lang>en|ja)_(?P<fmt>pseudocode|s_expression|minilang)_"
    r"(?P<style>fewshot|hyper_guided)_(?P<task>.+)_run(?P<run>\d+)$"
)


@dataclass(frozen=True)
class Step:
    """One failing step: the unit that is labelled."""

    batch: str
    trial: str
    cycle: int
    step: str  # "g" (code -> spec) or "f" (spec -> code)
    model: str
    task: str
    lang: str
    spec_format: str
    prompt_style: str
    mode: str
    harness_status: str

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.batch, self.trial, self.cycle, self.step)


def _mode(batch: str) -> str:
    """The original harness's extraction mode, as its published tables name it."""
    for prefix, mode in (
        ("strict", "strict"),
        ("run_fizzbuzz_strict", "strict"),
        ("forgiving", "forgiving"),
        ("run_fizzbuzz_forgiving", "forgiving"),
        ("adaptive_composite", "composite"),
        ("llm_test", "standard"),
    ):
        if batch.startswith(prefix):
            return mode
    raise SystemExit(f"unknown batch {batch!r}: add its mode to _mode() in this script")


def _status_kind(status: str) -> str:
    """A coarse class of the harness's failure message: the split's proxy for the label."""
    if "did not match ground truth" in status:
        return "gate"
    if "returned incorrect" in status:
        return "wrong"
    if "Error: None" in status or "Error: , " in status:
        return "no_error_text"
    return "error"


def failing_steps(root: Path) -> list[Step]:
    """Every failing step of the published trials, sorted, API failures left out."""
    steps = []
    for path in sorted(root.glob("*/*/result.json")):
        batch, trial = path.parent.parent.name, path.parent.name
        m = _TRIAL.match(trial)
        if not m:
            raise SystemExit(f"cannot parse trial folder {trial!r}: fix _TRIAL in this script")
        for log in json.loads(path.read_text(encoding="utf-8"))["logs"]:
            for step, field in (("g", "step1_status"), ("f", "step2_status")):
                status = log.get(field) or ""
                if status and not status.startswith("SUCCESS") and "API call failed" not in status:
                    steps.append(
                        Step(
                            batch,
                            trial,
                            int(log["cycle"]),
                            step,
                            m["model"],
                            m["task"],
                            m["lang"],
                            m["fmt"],
                            m["style"],
                            _mode(batch),
                            status,
                        )
                    )
    return steps


def _already_labelled(path: Path) -> set[tuple[str, str, int]]:
    """(batch, trial, cycle) of the first label set; its `trial` column is `batch/trial`."""
    done = set()
    for row in csv.DictReader(path.open(encoding="utf-8")):
        batch, trial = row["trial"].split("/", 1)
        done.add((batch, trial, int(row["cycle"])))
    return done


def _deal(groups: dict[str, list[Step]], rng: random.Random) -> list[Step]:
    """Interleave groups round-robin in a shuffled group order: one of each before two of any."""
    order = sorted(groups)
    rng.shuffle(order)
    queues = [list(groups[k]) for k in order]
    out: list[Step] = []
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def draw(steps: Iterable[Step], rng: random.Random) -> list[Step]:
    """The quota of each (task, step) stratum, dealt over models, then configurations."""
    strata: dict[tuple[str, str], list[Step]] = defaultdict(list)
    for s in steps:
        strata[(s.task, s.step)].append(s)
    chosen: list[Step] = []
    for stratum in sorted(QUOTA):
        by_model: dict[str, dict[str, list[Step]]] = defaultdict(lambda: defaultdict(list))
        for s in strata.get(stratum, []):
            by_model[s.model][f"{s.mode}|{s.lang}|{s.spec_format}|{s.prompt_style}"].append(s)
        per_model: dict[str, list[Step]] = {}
        for model, configs in by_model.items():
            for group in configs.values():
                rng.shuffle(group)
            per_model[model] = _deal(configs, rng)
        dealt = _deal(per_model, rng)
        if len(dealt) < QUOTA[stratum]:
            raise SystemExit(f"stratum {stratum} has {len(dealt)} steps, fewer than its quota")
        chosen.extend(dealt[: QUOTA[stratum]])
    return chosen


def split(keys: list[tuple[str, ...]], strata: list[str], seed: int) -> list[str]:
    """dev/holdout per row: inside each stratum, a seeded order and an even spread of holdout rows."""
    rng = random.Random(seed)
    out = [""] * len(keys)
    by_stratum: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(strata):
        by_stratum[s].append(i)
    carry = 0.0  # spreads the rounding across strata, so the total is close to the fraction
    for s in sorted(by_stratum):
        idx = sorted(by_stratum[s], key=lambda i: keys[i])
        rng.shuffle(idx)
        for i in idx:
            carry += HOLDOUT_FRACTION
            if carry >= 1.0 - 1e-9:
                carry -= 1.0
                out[i] = "holdout"
            else:
                out[i] = "dev"
    return out


def _row_id(prefix: str, key: tuple[object, ...]) -> str:
    return f"{prefix}-{hashlib.sha1('|'.join(map(str, key)).encode()).hexdigest()[:8]}"


def upstream_rows() -> list[dict[str, str]]:
    if not DATA.is_dir():
        raise SystemExit(f"no published data at {DATA}: put it at ../shared/upstream-data")
    done = _already_labelled(OLD_LABELS)
    pool = [s for s in failing_steps(DATA) if (s.batch, s.trial, s.cycle) not in done]
    chosen = sorted(draw(pool, random.Random(SEED)), key=lambda s: s.key)
    splits = split(
        [tuple(map(str, s.key)) for s in chosen],
        [f"{s.step}|{s.task}|{_status_kind(s.harness_status)}" for s in chosen],
        SEED,
    )
    rows = []
    for s, part in zip(chosen, splits, strict=True):
        rows.append(
            {
                "id": _row_id("up", s.key),
                "batch": s.batch,
                "trial": s.trial,
                "cycle": str(s.cycle),
                "step": s.step,
                "model": s.model,
                "task": s.task,
                "lang": s.lang,
                "spec_format": s.spec_format,
                "prompt_style": s.prompt_style,
                "mode": s.mode,
                "harness_status": _status_kind(s.harness_status),
                "split": part,
                "label": "",
                "reasoning": "",
            }
        )
    return rows


def ours_rows(log_dir: Path, batch: str) -> list[dict[str, str]]:
    """Every failing cycle of our own finished `.eval` logs in `log_dir`.

    A log that was cancelled or stopped on an error counts with its completed samples (a cancelled
    long run is final once written); a log still being written does not.

    Only the harness's own pass/fail and whether f was asked are read here, never the drift
    category, so that the rows can be labelled blind. A cycle whose f was never asked (no code
    reply) is a g step.
    """
    from inspect_ai.log import list_eval_logs, read_eval_log

    from roundtrip_eval.eval.record import Trial

    rows = []
    for info in sorted(list_eval_logs(str(log_dir)), key=lambda i: i.name):
        log = read_eval_log(info)
        if log.status == "started":  # still being written: its rows would change under the labels
            continue
        model = log.eval.model.removeprefix("ollama/")
        args = log.eval.task_args or {}
        for sample in log.samples or []:
            if sample.error is not None:  # errored or cancelled: an infrastructure failure, no label
                continue
            for c in Trial.read(sample.store).cycles:
                if c.passed:
                    continue
                step = "g" if c.code_reply is None else "f"
                trial = f"{Path(info.name).name}::{sample.id}::e{sample.epoch}"
                key = (batch, trial, c.cycle, step)
                rows.append(
                    {
                        "id": _row_id("own", key),
                        "batch": batch,
                        "trial": trial,
                        "cycle": str(c.cycle),
                        "step": step,
                        "model": model,
                        "task": str(sample.id).split("__")[0],
                        "lang": str(args.get("language", "en")),
                        "spec_format": str(args.get("spec_format", "pseudocode")),
                        "prompt_style": "ours",
                        "mode": str(args.get("extraction", "tolerant")),
                        "harness_status": "FAIL",
                        "split": "",
                        "label": "",
                        "reasoning": "",
                    }
                )
    rows.sort(key=lambda r: (r["trial"], int(r["cycle"])))
    splits = split([(r["trial"], r["cycle"]) for r in rows], [f"{r['step']}|{r['task']}" for r in rows], SEED)
    for r, part in zip(rows, splits, strict=True):
        r["split"] = part
    return rows


def show(log_dir: Path, batch: str) -> int:
    """Print every unlabelled row of `batch` as a labeller needs it, and nothing the classifier said.

    Per row: the problem, the last passing code (C0 at cycle 1), g's reply (the spec) and f's reply,
    as logged. Never the cycle's category, detail or evidence, so the label is written blind.
    """
    from inspect_ai.log import EvalSample, list_eval_logs, read_eval_log

    from roundtrip_eval.eval.record import Trial
    from roundtrip_eval.problems.load import load_problem

    wanted = [r for r in csv.DictReader(OUT.open(encoding="utf-8")) if r["batch"] == batch and not r["label"]]
    infos = {Path(i.name).name: i for i in list_eval_logs(str(log_dir))}
    samples: dict[str, dict[tuple[str, str], EvalSample]] = {}  # each log read once, however many rows
    for row in wanted:
        name, sample_id, epoch = row["trial"].split("::")
        if name not in samples:
            samples[name] = {(str(s.id), f"e{s.epoch}"): s for s in read_eval_log(infos[name]).samples or []}
        sample = samples[name][(sample_id, epoch)]
        problem = load_problem(str(sample.metadata["problem"]), None, bool(sample.metadata.get("mask_names")))
        cycles = {c.cycle: c for c in Trial.read(sample.store).cycles}
        k = int(row["cycle"])
        previous = cycles[k - 1].code if k >= 2 else problem.reference
        print(f"## {row['id']}: {problem.name}, cycle {k}, failing step {row['step']}\n")
        spec, code = cycles[k].spec_reply, cycles[k].code_reply
        replies = (("g's reply (the spec)", spec), ("f's reply", code))
        for title, text in (("last passing code", previous), *replies):
            print(f"### {title}\n\n~~~~\n{(text or '(none)').rstrip()}\n~~~~\n")
    print(f"{len(wanted)} unlabelled rows of {batch}", file=sys.stderr)
    return 0


def merge(drawn: list[dict[str, str]], check: bool) -> int:
    """Append the drawn rows that the CSV lacks; with check, report differences instead."""
    existing = list(csv.DictReader(OUT.open(encoding="utf-8"))) if OUT.exists() else []
    by_id = {r["id"]: r for r in existing}
    new = [r for r in drawn if r["id"] not in by_id]
    moved = [r["id"] for r in drawn if r["id"] in by_id and by_id[r["id"]]["split"] != r["split"]]
    if check:
        if new or moved:
            print(f"{OUT.name}: {len(new)} drawn rows missing, {len(moved)} with another split")
            return 1
        print(f"{OUT.name}: all {len(drawn)} drawn rows present with their split")
        return 0
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(existing + new)
    n_hold = sum(r["split"] == "holdout" for r in drawn)
    print(
        f"drew {len(drawn)} rows ({len(drawn) - n_hold} dev, {n_hold} holdout); "
        f"{len(new)} new appended to {OUT.relative_to(REPO)}, {len(moved)} split mismatches"
    )
    return 1 if moved else 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="source", required=True)
    up = sub.add_parser("upstream")
    up.add_argument("--check", action="store_true")
    own = sub.add_parser("ours")
    own.add_argument("log_dir", type=Path)
    own.add_argument("batch")
    own.add_argument("--check", action="store_true")
    shown = sub.add_parser("show")
    shown.add_argument("log_dir", type=Path)
    shown.add_argument("batch")
    a = p.parse_args(argv)
    if a.source == "show":
        return show(a.log_dir, a.batch)
    if a.source == "upstream":
        return merge(upstream_rows(), a.check)
    if not a.log_dir.is_dir():
        print(f"no log folder {a.log_dir}: run the eval first (see the script's docstring)")
        return 2
    return merge(ours_rows(a.log_dir, a.batch), a.check)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
