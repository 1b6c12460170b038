"""Run the drift classifier on hand-labelled failing steps: shared by the label tests and the script.

A labelled row names one failing step: the trial, the failing `cycle` K and the `step` (`g`, code to
spec, or `f`, spec to code), with the category a person gave it by reading it (`label`). Two
sources:

- upstream trials (`../shared/upstream-data/raw/<batch>/<trial>/result.json`): the logged g and f
  replies of cycles 1..K;
- our own logs (`batch` `ours-...`, `trial` = `<log file>::<sample id>::e<epoch>`): the replies
  kept in the sample's store (`spec_reply`, `code_reply`), found under a log folder.

Each step is replayed (its replies up to the failing step, then a recorded stop) through the real
task with the `replay` model and the Docker sandbox: the code is model output, it never runs on the
host. Our category of the step is read from the trial's record, `Trial.read(store).cycles[K-1]`:

- an `f` step: that cycle's `category`;
- a `g` step: `spec_failure` when our spec gate stops the cycle, else `none` (the spec went on to
  f, whose reply the record does not hold, so the trial stops cleanly there);
- an empty logged reply is replayed on every retry (a server that answers the same prompt the same
  way): the pipeline calls that an infrastructure error, reported as `infrastructure`.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from roundtrip_eval.eval.record import Cycle, Trial
from roundtrip_eval.eval.scorers import DRIFT_CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
"""The studies' hand labels and the logs they were drawn from."""
UPSTREAM_RAW = ROOT.parent / "shared" / "upstream-data" / "raw"
# The logs of our own labelled runs are committed (studies/data/own_logs/<model>/, 520 KB) so that CI judges
# their rows too; ROUNDTRIP_LABEL_LOGS points elsewhere (e.g. `logs/` for newly drawn rows).
OUR_LOGS = Path(os.environ.get("ROUNDTRIP_LABEL_LOGS", str(DATA / "own_logs")))
MAX_SAMPLES = 6
STOP = {"stop": "the recorded trial ends at its failing step"}
EMPTY_REPLAYS = 3
"""How often an empty logged reply is answered: more than the solver's transport retries."""
INFRASTRUCTURE = "infrastructure"
"""What a row gets when the pipeline calls its reply an infrastructure error (not a category)."""
SETTINGS_KEPT = ("language", "spec_format", "prompt_style", "extraction", "mask_names", "variant",
                 "call_timeout", "check_timeout")  # fmt: skip
"""The settings of one of our logs that the re-judging keeps (the rest are the replay's own)."""


@dataclass
class Step:
    """One labelled failing step, and what is needed to replay it."""

    row: dict[str, Any]
    problem: str
    replies: list[Any] = field(default_factory=list)
    settings: tuple[tuple[str, Any], ...] = ()

    @property
    def cycle(self) -> int:
        return int(self.row["cycle"])

    @property
    def step(self) -> str:
        return str(self.row.get("step") or "f")


def load_labels(path: Path) -> list[dict[str, Any]]:
    """Labelled rows; a row not labelled yet (empty `label`) is left out, an unknown label refused."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (r.get("label") or "").strip()]
    for row in rows:
        row["cycle"] = int(row["cycle"])
        if row["label"] not in DRIFT_CATEGORIES:
            raise ValueError(f"{path}: unknown label {row['label']!r} for {row['trial']}")
    return rows


def dev_rows(path: Path) -> list[dict[str, Any]]:
    return [r for r in load_labels(path) if r.get("split") == "dev"]


def holdout_rows(path: Path) -> list[dict[str, Any]]:
    return [r for r in load_labels(path) if r.get("split") == "holdout"]


def is_ours(row: dict[str, Any]) -> bool:
    return str(row.get("batch", "")).startswith("ours-")


def upstream_trial(row: dict[str, Any]) -> str:
    """The trial folder relative to `raw/` (the first label set writes `batch/trial` in `trial`)."""
    trial = str(row["trial"])
    return trial if "/" in trial else f"{row['batch']}/{trial}"


def problem_of(row: dict[str, Any]) -> str:
    if row.get("task"):
        return str(row["task"])
    trial = str(row["trial"])
    return "fizzbuzz" if re.search(r"_fizzbuzz_run\d+$", trial) else "separate_vowels_and_consonants"


def _replayed(reply: str | None) -> list[Any]:
    """One logged reply as replay items: an empty one is answered again on every retry."""
    text = reply or ""
    return [text] * EMPTY_REPLAYS if not text.strip() else [text]


def _pairs_to_replies(pairs: list[tuple[str | None, str | None]], step: str) -> list[Any]:
    """g/f replies of cycles 1..K (the last cycle without its f reply for a g step), then a stop."""
    replies: list[Any] = []
    for k, (g_reply, f_reply) in enumerate(pairs, start=1):
        replies += _replayed(g_reply)
        if k < len(pairs) or step == "f":
            replies += _replayed(f_reply)
    return [*replies, STOP]


def upstream_step(row: dict[str, Any], raw: Path = UPSTREAM_RAW) -> Step:
    record = json.loads((raw / upstream_trial(row) / "result.json").read_text(encoding="utf-8"))
    logs = {int(entry["cycle"]): entry for entry in record["logs"]}
    pairs = [
        (logs[k].get("step1_raw_spec"), logs[k].get("step2_generated_code_raw"))
        for k in range(1, row["cycle"] + 1)
    ]
    step = Step(row, problem_of(row))
    step.replies = _pairs_to_replies(pairs, step.step)
    return step


def _find_log(name: str, root: Path) -> Path:
    found = sorted(root.rglob(name))
    if not found:
        raise FileNotFoundError(
            f"log {name} not found under {root}; set ROUNDTRIP_LABEL_LOGS to the folder holding it"
        )
    return found[0]


def our_step(row: dict[str, Any], root: Path = OUR_LOGS) -> Step:
    """A failing cycle of one of our logs: its stored replies, under the log's own settings."""
    from inspect_ai.log import read_eval_log

    name, sample_id, epoch = str(row["trial"]).split("::")
    log = read_eval_log(str(_find_log(name, root)))
    sample = next(
        s for s in log.samples or [] if str(s.id) == sample_id and f"e{s.epoch}" == epoch
    )
    cycles = {c.cycle: c for c in Trial.read(sample.store).cycles}
    pairs = [(cycles[k].spec_reply, cycles[k].code_reply) for k in range(1, row["cycle"] + 1)]
    args = dict(log.eval.task_args or {})
    settings = tuple((k, args[k]) for k in SETTINGS_KEPT if args.get(k) is not None)
    step = Step(row, str((sample.metadata or {}).get("problem") or problem_of(row)), settings=settings)
    step.replies = _pairs_to_replies(pairs, step.step)
    return step


def steps_of(rows: list[dict[str, Any]]) -> list[Step]:
    return [our_step(r) if is_ours(r) else upstream_step(r) for r in rows]


def _verdict(step: Step, history: list[Cycle], error: str | None) -> tuple[str, str]:
    """Our category of the step, and the detail a reader would see for it."""
    k = step.cycle
    if error is not None:
        if "returned an empty response" in error:
            return INFRASTRUCTURE, error.splitlines()[0]
        raise AssertionError(f"{step.row.get('id', step.row['trial'])}: sample error {error}")
    if len(history) >= k:
        return str(history[k - 1].category), history[k - 1].detail or ""
    if step.step == "g" and len(history) == k - 1:
        return "none", "the spec passed the gate and went on to f (not recorded)"
    return f"stopped@{len(history)}", "the replay stopped before the labelled step"


def classify(steps: list[Step], workdir: Path, sandbox: str = "roundtrip-docker") -> list[str]:
    """Our category of every step, in order (see `judge`)."""
    return [category for category, _detail in judge(steps, workdir, sandbox)]


def judge(steps: list[Step], workdir: Path, sandbox: str = "roundtrip-docker") -> list[tuple[str, str]]:
    """Our category and detail of every step, in order: one eval() per set of settings, one task
    per problem, each step one epoch of its problem's task."""
    from inspect_ai import eval as inspect_eval

    from roundtrip_eval.eval.tasks import roundtrip
    from roundtrip_eval.problems.load import load_problem

    workdir.mkdir(parents=True, exist_ok=True)
    groups: dict[tuple[tuple[str, Any], ...], dict[str, list[Step]]] = {}
    for step in steps:
        groups.setdefault(step.settings, {}).setdefault(step.problem, []).append(step)
    verdicts: dict[int, tuple[str, str]] = {}
    for n, (settings, plan) in enumerate(groups.items()):
        options = dict(settings)
        script = workdir / f"replay_{n}.jsonl"
        ids: dict[str, str] = {}
        with script.open("w", encoding="utf-8") as fh:
            for problem, group in plan.items():
                ids[problem] = load_problem(
                    problem, options.get("variant"), bool(options.get("mask_names", False))
                ).name
                for epoch, step in enumerate(group, start=1):
                    line = {"sample": ids[problem], "epoch": epoch, "replies": step.replies}
                    fh.write(json.dumps(line) + "\n")
        tasks = [
            roundtrip(problems=problem, cycles=max(s.cycle for s in group), epochs=len(group),
                      stop_on_failure=False, sandbox=sandbox, **options)
            for problem, group in plan.items()
        ]  # fmt: skip
        logs = inspect_eval(
            tasks, model=f"replay/{script}", log_dir=str(workdir / f"logs_{n}"), display="none",
            max_samples=MAX_SAMPLES, max_tasks=len(tasks), fail_on_error=False,
        )  # fmt: skip
        results: dict[tuple[str, int], tuple[list[Cycle], str | None]] = {}
        for log in logs:
            assert log.status in ("success", "error"), log.error
            for sample in log.samples or []:
                error = None if sample.error is None else str(sample.error.message)
                results[(str(sample.id), int(sample.epoch))] = (Trial.read(sample.store).cycles, error)
        for problem, group in plan.items():
            for epoch, step in enumerate(group, start=1):
                history, error = results[(ids[problem], epoch)]
                verdicts[id(step)] = _verdict(step, history, error)
    return [verdicts[id(step)] for step in steps]


def confusion(labels: list[str], predicted: list[str]) -> Counter[tuple[str, str]]:
    return Counter(zip(labels, predicted, strict=True))


def agreement(labels: list[str], predicted: list[str]) -> float:
    return sum(a == b for a, b in zip(labels, predicted, strict=True)) / len(labels)


def render(labels: list[str], predicted: list[str]) -> str:
    """The confusion table (rows: hand label, columns: classifier) and the agreement line."""
    table = confusion(labels, predicted)
    seen = set(labels) | set(predicted)
    used = [c for c in DRIFT_CATEGORIES if c in seen] + sorted(seen - set(DRIFT_CATEGORIES))
    lines = [
        "| hand label \\ classifier | " + " | ".join(used) + " | total |",
        "|---|" + "---:|" * (len(used) + 1),
    ]
    for row in used:
        if row not in labels:
            continue
        counts = [table.get((row, col), 0) for col in used]
        cells = [str(n) if n else "." for n in counts]
        lines.append(f"| {row} | " + " | ".join(cells) + f" | {sum(counts)} |")
    totals = [sum(table.get((r, c), 0) for r in used) for c in used]
    lines.append("| **total** | " + " | ".join(map(str, totals)) + f" | {len(labels)} |")
    agree = sum(a == b for a, b in zip(labels, predicted, strict=True))
    lines += ["", f"Agreement: {agree}/{len(labels)} = {agree / len(labels):.1%}"]
    return "\n".join(lines)


def published(path: Path, begin: str, end: str) -> str | None:
    """The text between two markers of a markdown file, if it has them."""
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    if begin not in text:
        return None
    block = text.split(begin, 1)[1].split(end, 1)[0]
    return "\n".join(line.rstrip() for line in block.strip().splitlines())


def disagreements(rows: list[dict[str, Any]], predicted: list[str]) -> list[str]:
    return [
        f"{row.get('id') or row['trial']} ({row['trial']} cycle {row['cycle']} {row.get('step', 'f')}): "
        f"hand {row['label']}, classifier {got}"
        for row, got in zip(rows, predicted, strict=True)
        if row["label"] != got
    ]
