"""EvaLooop's protocol run live on our model, held against their published trace (issue 30, part 2).

Why a study: the comparison is one pre-registered experiment (docs/evalooop_live_plan.md), not a
feature of the package. `subset` prints the pre-registered draw of MBPP+ task ids;
`control` checks their every recorded function on the subset with our harness (EvalPlus mode),
which separates disagreements of harness from those of model; `compare` reads the run's logs, their
trace and the control, and writes the tables of docs/evalooop_live.md.

    python -m studies.evalooop_live subset ../shared/peer-data/evalplus
    python -m studies.evalooop_live control -o logs/evalooop-live-control.csv
    python -m studies.evalooop_live compare --log-dir logs/results/evalooop-live-0.5b \
        --control logs/evalooop-live-control.csv -o logs/evalooop-live-tables.md
"""

from __future__ import annotations

import argparse
import ast
import csv
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roundtrip_eval.check.host import run_check
from studies.evalooop_trace import MAX_LOOPS, TracedTask, TraceError, details_file, read_trace, unwrap_summary

SUBSET_SIZE = 100
SUBSET_SEED = 30
BOOTSTRAP = 10_000
MODEL_ID = "qwen2.5-coder-0.5b-instruct"
LOG_DIR = "logs/results/evalooop-live-0.5b"
CONTROL_TASK = "evalooop-live-control"
SUBSET_FILE = Path(__file__).resolve().parent / "data" / "evalooop_live_subset.txt"
HARNESS_LIMITED = ("Mbpp/84", "Mbpp/123", "Mbpp/271", "Mbpp/599", "Mbpp/589", "Mbpp/603")
"""Subset tasks whose C0 fails its own inputs in our harness under the default limits
(docs/peers_mbpp.md): set apart from the primary population before the run."""


def draw_subset(dataset: str) -> list[str]:
    """The pre-registered draw: the mbpp_plus task's own sampler, count 100, seed 30."""
    from roundtrip_eval.eval.dataset import select_problems

    return select_problems("mbpp_plus", dataset, None, SUBSET_SIZE, SUBSET_SEED)


def read_subset(path: Path = SUBSET_FILE) -> list[str]:
    """The committed list of task ids, one a line."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ------------------------------------------------------------------------------ our side


@dataclass(frozen=True)
class OurTrial:
    """One task of our run: loops sustained, the first failure, and where the code leaked."""

    task_id: str
    function: str
    sustained: int
    first_failure: int | None
    category: str | None
    detail: str | None
    loop1_code: str | None
    leaks: int  # loops 2..sustained whose "summary" carried the code (spec_leak)


class CompareError(ValueError):
    """The logs cannot be compared (not this protocol, or not this subset): one line why."""


def our_trials(log_dir: Path, max_loops: int = MAX_LOOPS) -> tuple[dict[str, OurTrial], list[str]]:
    """Each task's trial from the run's logs (an eval-set's retries included), and notes on what
    was left out: errored or unfinished trials, and older duplicates of a task."""
    from roundtrip_eval.analysis.read import load_rows

    trials, cycles, warnings = load_rows(log_dir, progress=False)
    notes = list(warnings)
    wrong = {(t.get("compare"), t.get("start"), t.get("n_cycles")) for t in trials} - {
        ("evalplus", "prompt", max_loops)
    }
    if wrong:
        raise CompareError(
            f"{log_dir}: logs not run under EvaLooop's protocol "
            f"(compare, start, cycles = {sorted(map(str, wrong))}; "
            f"expected evalplus, prompt, {max_loops}): run them with -T preset=evalooop"
        )
    best: dict[str, dict[str, Any]] = {}
    unfinished: dict[str, str] = {}
    copies = 0
    for trial in sorted(trials, key=lambda t: str(t.get("created") or "")):
        task = str(trial["problem"])
        if trial["status"] in ("error", "censored"):
            unfinished[task] = f"{trial['status']}: {trial.get('error') or 'no verdict'}"
        elif task in best and best[task]["cycles_survived"] != trial["cycles_survived"]:
            notes.append(f"{task}: two complete trials differ ({best[task]['cycles_survived']} and "
                         f"{trial['cycles_survived']} loops); the later is used")  # fmt: skip
            best[task] = trial
        else:
            copies += task in best
            best[task] = trial
    notes += [f"{task}: no complete trial ({why})" for task, why in unfinished.items() if task not in best]
    if copies:
        notes.append(f"{copies} trial(s) found in more than one log (an eval-set's retry copies the "
                     "samples it already had): counted once")  # fmt: skip
    keys = {(t["eval_id"], t["sample_id"]) for t in best.values()}
    by_trial: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in cycles:
        if (row["eval_id"], row["sample_id"]) in keys:
            by_trial.setdefault((row["eval_id"], row["sample_id"]), []).append(row)
    ours = {}
    for task, trial in best.items():
        rows = sorted(by_trial.get((trial["eval_id"], trial["sample_id"]), []), key=lambda r: r["cycle"])
        sustained = int(trial["cycles_survived"])
        ours[task] = OurTrial(
            task_id=task,
            function=str(trial.get("function") or ""),
            sustained=sustained,
            first_failure=trial.get("first_failure_cycle"),
            category=None if trial.get("drift") in (None, "none") else str(trial["drift"]),
            detail=trial.get("drift_detail"),
            loop1_code=rows[0].get("code") if rows else None,
            leaks=sum(bool(r.get("spec_leak")) for r in rows if 2 <= r["cycle"] <= sustained),
        )
    return ours, notes


def their_leaks(task: TracedTask, function: str) -> int:
    """Their loops 2..sustained whose input "summary" carried the code, by our own detector."""
    from roundtrip_eval.eval.extract import spec_leak

    return sum(
        spec_leak(unwrap_summary(task.summaries[i - 2]), function, task.codes[i - 2]) is not None
        for i in range(2, task.sustained + 1)
    )


# ------------------------------------------------------------------------------ statistics


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Cohen's kappa of two binary raters (NaN when chance agreement is 1: both constant alike)."""
    if len(a) != len(b) or not a:
        raise ValueError(f"kappa needs two equal, non-empty ratings; got {len(a)} and {len(b)}")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    return math.nan if chance == 1 else (observed - chance) / (1 - chance)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value on the discordant counts b and c (binomial, p = 1/2)."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


def asl_pow(loops: Sequence[int], max_loops: int = MAX_LOOPS) -> float:
    """EvaLooop's ASL without the judge term, over these tasks."""
    from roundtrip_eval.eval.peers import evalooop_asl

    return evalooop_asl(list(loops), max_loops)


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    def text(self, digits: int = 3) -> str:
        return f"{self.value:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


def paired_bootstrap(
    ours: Sequence[int], theirs: Sequence[int], *, n_boot: int = BOOTSTRAP, seed: int = SUBSET_SEED
) -> dict[str, Interval]:
    """Percentile intervals over tasks resampled together: ASL_pow each side and their difference,
    the mean difference of loops sustained, and kappa of loop-1 pass."""
    import numpy as np

    x = np.asarray(ours, dtype=float)
    y = np.asarray(theirs, dtype=float)
    idx = np.random.default_rng(seed).integers(0, len(x), size=(n_boot, len(x)))
    xs, ys = x[idx], y[idx]
    asl_x = (xs**2).sum(axis=1) / (len(x) * MAX_LOOPS)
    asl_y = (ys**2).sum(axis=1) / (len(x) * MAX_LOOPS)
    a, b = xs >= 1, ys >= 1
    observed = (a == b).mean(axis=1)
    pa, pb = a.mean(axis=1), b.mean(axis=1)
    chance = pa * pb + (1 - pa) * (1 - pb)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappas = np.where(chance < 1, (observed - chance) / (1 - chance), np.nan)
    draws = {
        "asl_ours": (asl_x, asl_pow(ours)),
        "asl_theirs": (asl_y, asl_pow(theirs)),
        "asl_difference": (asl_x - asl_y, asl_pow(ours) - asl_pow(theirs)),
        "loops_difference": ((xs - ys).mean(axis=1), float((x - y).mean())),
        "kappa": (kappas, cohen_kappa([v >= 1 for v in ours], [v >= 1 for v in theirs])),
    }
    out = {}
    for name, (values, point) in draws.items():
        low, high = (
            np.nanquantile(values, [0.025, 0.975]) if np.isfinite(values).any() else (math.nan, math.nan)
        )
        out[name] = Interval(float(point), float(low), float(high))
    return out


def share(hits: int, n: int) -> Interval:
    """A proportion with its Wilson interval."""
    from roundtrip_eval.stats.survival import wilson_interval

    low, high = wilson_interval(hits, n)
    return Interval(hits / n if n else math.nan, low, high)


# ------------------------------------------------------------------------------ the comparison


def loop_class(k: int) -> str:
    return "0" if k == 0 else ("10" if k >= MAX_LOOPS else "1-9")


@dataclass(frozen=True)
class TaskRow:
    task_id: str
    limited: bool
    ours: OurTrial
    theirs: TracedTask
    same_loop1_code: bool
    control: Control | None  # their recorded loops: (their verdict, our harness's), when checked
    their_leaks: int

    @property
    def loop1_agrees(self) -> bool:
        return (self.ours.sustained >= 1) == self.theirs.loop1_passed

    def why(self) -> str:
        """The class of a loop-1 disagreement (empty where loop 1 agrees)."""
        if self.loop1_agrees:
            return ""
        if not self.limited and self.control is not None and self.control[1][0] != self.control[1][1]:
            return "harness: their loop-1 code gets another verdict here"
        return self._model_or_limit()

    def disagreement(self) -> str:
        """The class of any difference in loops sustained (empty where both sides sustain as many).
        The harness is to blame only where it gives another verdict on one of their recorded loops;
        where it agrees on all of them, their chain would end where it did here too, so the two
        chains differ by the code the model wrote (weights/server)."""
        if self.ours.sustained == self.theirs.sustained:
            return ""
        differs = self.harness_differs()
        if differs and not self.limited:
            return f"harness: their code gets another verdict here at loop(s) {', '.join(map(str, differs))}"
        return self._model_or_limit()

    def _model_or_limit(self) -> str:
        if self.limited:
            return "harness limit (pre-registered)"
        if self.control is None:
            return "unclassified: no harness control"
        return "weights/server: the harness agrees on their code"

    def harness_differs(self) -> list[int]:
        """Their recorded loops where our harness gives another verdict on their code."""
        return sorted(loop for loop, (theirs, ours) in (self.control or {}).items() if theirs != ours)

    def control_text(self) -> str:
        if self.control is None:
            return ""
        differs = self.harness_differs()
        n = len(self.control)
        return (
            f"all {n} agree" if not differs else f"differs at loop(s) {', '.join(map(str, differs))} of {n}"
        )


def same_code(a: str | None, b: str) -> bool:
    """The same program: equal ASTs (layout and comments aside, names not), else equal text."""
    if a is None:
        return False
    try:
        return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))
    except (SyntaxError, ValueError, RecursionError):
        return a.strip() == b.strip()


def task_rows(
    ours: dict[str, OurTrial],
    theirs: dict[str, TracedTask],
    subset: Sequence[str],
    control: dict[str, Control] | None = None,
) -> list[TaskRow]:
    """One row per subset task that has our complete trial (dataset order)."""
    outside = sorted(set(ours) - set(subset))
    if outside:
        raise CompareError(f"the logs hold tasks outside the pre-registered subset: {outside[:5]}")
    missing = [t for t in subset if t in ours and t not in theirs]
    if missing:
        raise CompareError(f"their trace lacks subset tasks {missing[:5]}: is it the right model's?")
    control = control or {}
    return [
        TaskRow(
            task_id=t,
            limited=t in HARNESS_LIMITED,
            ours=ours[t],
            theirs=theirs[t],
            same_loop1_code=same_code(ours[t].loop1_code, theirs[t].codes[0]),
            control=control.get(t),
            their_leaks=their_leaks(theirs[t], ours[t].function),
        )
        for t in subset
        if t in ours
    ]


def summary(rows: Sequence[TaskRow]) -> dict[str, Any]:
    """The pre-registered figures over these rows."""
    n = len(rows)
    ours = [r.ours.sustained for r in rows]
    theirs = [r.theirs.sustained for r in rows]
    a = [k >= 1 for k in ours]
    b = [k >= 1 for k in theirs]
    table = {
        (x, y): sum(1 for p, q in zip(a, b, strict=True) if (p, q) == (x, y))
        for x in (True, False)
        for y in (True, False)
    }
    pairs = [(loop_class(p), loop_class(q)) for p, q in zip(ours, theirs, strict=True)]
    classes = {(x, y): pairs.count((x, y))
               for x in ("0", "1-9", "10") for y in ("0", "1-9", "10")}  # fmt: skip
    boot = paired_bootstrap(ours, theirs) if n else {}
    return {
        "n": n,
        "table": table,
        "agreement": share(table[True, True] + table[False, False], n),
        "mcnemar_p": mcnemar_exact(table[True, False], table[False, True]),
        "equal_loops": share(sum(p == q for p, q in zip(ours, theirs, strict=True)), n),
        "classes": classes,
        "boot": boot,
        "pass1": (share(sum(a), n), share(sum(b), n)),
        "pass10": (
            share(sum(k >= MAX_LOOPS for k in ours), n),
            share(sum(k >= MAX_LOOPS for k in theirs), n),
        ),
        "same_code": sum(r.same_loop1_code for r in rows),
        "control": (
            f"{sum(not r.harness_differs() for r in rows if r.control is not None)} of "
            f"{sum(r.control is not None for r in rows)} tasks"
        ),  # fmt: skip
        "leaks": (
            sum(r.ours.leaks for r in rows),
            sum(max(k - 1, 0) for k in ours),
            sum(r.their_leaks for r in rows),
            sum(max(k - 1, 0) for k in theirs),
        ),  # fmt: skip
    }


def _pct(i: Interval) -> str:
    return f"{100 * i.value:.1f}% [{100 * i.low:.1f}, {100 * i.high:.1f}]"


def markdown(rows: Sequence[TaskRow], subset_size: int, notes: Sequence[str] = ()) -> str:
    """The tables of docs/evalooop_live.md: both populations, every task, every disagreement."""
    primary = [r for r in rows if not r.limited]
    state = (
        "final" if len(rows) == subset_size else f"**interim**: {len(rows)} of {subset_size} tasks complete"
    )
    lines = [f"Tasks compared: {len(rows)} ({state}); primary population (harness-limited tasks set apart): "
             f"{len(primary)}.", ""]  # fmt: skip
    for title, group in (("Primary: comparable tasks", primary), ("Secondary: all tasks run", list(rows))):
        lines += [f"### {title} (n = {len(group)})", ""]
        if not group:
            lines += ["No tasks yet.", ""]
            continue
        s = summary(group)
        t, c, boot = s["table"], s["classes"], s["boot"]
        lo, lt, to, tt = s["leaks"]
        lines += [
            "| loop 1 | theirs pass | theirs fail |", "|---|---|---|",
            f"| **ours pass** | {t[True, True]} | {t[True, False]} |",
            f"| **ours fail** | {t[False, True]} | {t[False, False]} |", "",
            "| figure | ours | theirs | ours - theirs |", "|---|---|---|---|",
            f"| loop-1 pass@1 | {_pct(s['pass1'][0])} | {_pct(s['pass1'][1])} | "
            f"{100 * (s['pass1'][0].value - s['pass1'][1].value):+.1f} pts |",
            f"| loop-10 pass@1 | {_pct(s['pass10'][0])} | {_pct(s['pass10'][1])} | "
            f"{100 * (s['pass10'][0].value - s['pass10'][1].value):+.1f} pts |",
            f"| ASL_pow (bootstrap) | {boot['asl_ours'].text()} | {boot['asl_theirs'].text()} | "
            f"{boot['asl_difference'].text()} |",
            f"| mean loops sustained | {sum(r.ours.sustained for r in group) / len(group):.2f} | "
            f"{sum(r.theirs.sustained for r in group) / len(group):.2f} | "
            f"{boot['loops_difference'].text(2)} |",
            f"| loops 2.. sustained whose summary carried the code | {lo} of {lt} | {to} of {tt} | |", "",
            "| agreement | value [95% interval] |", "|---|---|",
            f"| loop-1 pass, same verdict | {_pct(s['agreement'])} (Wilson) |",
            f"| Cohen's kappa, loop-1 pass | {boot['kappa'].text(2)} (bootstrap) |",
            f"| McNemar exact p (ours pass/theirs fail {t[True, False]} vs {t[False, True]}) | "
            f"{s['mcnemar_p']:.3g} |",
            f"| loops sustained exactly equal | {_pct(s['equal_loops'])} (Wilson) |",
            f"| loop-1 code the same program as theirs (equal AST) | {s['same_code']} of {s['n']} |",
            f"| our harness gives their verdict on their every recorded loop | {s['control']} |", "",
            "| loops sustained: ours \\ theirs | 0 | 1-9 | 10 |", "|---|---|---|---|",
            *[f"| **{x}** | {c[x, '0']} | {c[x, '1-9']} | {c[x, '10']} |" for x in ("0", "1-9", "10")], "",
        ]  # fmt: skip
    lines += ["### Every task", "",
              "| task | ours | theirs | our first failure | loop-1 code same | our harness on their trace "
              "| loop-1 disagreement |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        fail = f"loop {r.ours.first_failure}: {r.ours.category}" if r.ours.first_failure else "none"
        control = r.control_text()
        name = f"{r.task_id}{' (limited)' if r.limited else ''}"
        lines.append(f"| {name} | {r.ours.sustained} | {r.theirs.sustained} | {fail} | "
                     f"{'yes' if r.same_loop1_code else 'no'} | {control} | {r.why()} |")  # fmt: skip
    lines += disagreement_lines(rows)
    if notes:
        lines += ["", "Left out or replaced:", "", *[f"- {n}" for n in notes]]
    return "\n".join(lines) + "\n"


def disagreement_lines(rows: Sequence[TaskRow], detail_chars: int = 160) -> list[str]:
    """Every task whose loops sustained differ (plan, analysis 5): both counts, our first failure's
    category and detail, the loop where their chain ended, and the class of the difference."""
    differing = [r for r in rows if r.disagreement()]
    lines = ["", f"### Every disagreement in loops sustained ({len(differing)} of {len(rows)} tasks)", ""]
    if not differing:
        return [*lines, "None.", ""]
    lines += ["| task | ours | theirs | their chain ended | our first failure (category: detail) | class |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for r in differing:
        ended = (
            "passed all 10" if r.theirs.sustained >= MAX_LOOPS else f"failed loop {r.theirs.sustained + 1}"
        )
        if r.ours.first_failure:
            detail = (r.ours.detail or "").replace("\n", " ")
            if len(detail) > detail_chars:
                detail = detail[: detail_chars - 3] + "..."
            detail = detail.replace("|", "\\|")
            ours = f"loop {r.ours.first_failure}: {detail or r.ours.category}"
        else:
            ours = "none (passed all 10)"
        lines.append(f"| {r.task_id} | {r.ours.sustained} | {r.theirs.sustained} | {ended} | {ours} | "
                     f"{r.disagreement()} |")  # fmt: skip
    return [*lines, ""]


Control = dict[int, tuple[bool, bool]]
"""One task's harness control: loop -> (their verdict, our harness's verdict on their code)."""


def read_control(path: Path) -> dict[str, Control]:
    """The harness control (`control` writes it): task -> its recorded loops' two verdicts."""
    found: dict[str, Control] = {}
    with path.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            verdicts = (row["their_passed"] == "True", row["harness_passed"] == "True")
            found.setdefault(row["task_id"], {})[int(row["loop"])] = verdicts
    return found


async def harness_control(
    peer_data: Path, tasks: Sequence[str], theirs: dict[str, TracedTask], out: Path
) -> None:
    """Every recorded function of their trace on these tasks (each distinct code once), checked
    by our harness in EvalPlus mode with the run's sandbox and default limits, written to `out`
    as CSV: whether our harness gives their verdict on their code separates disagreements of
    harness from disagreements of model."""
    from roundtrip_eval.problems.evalplus import load_evalplus_problem
    from roundtrip_eval.sandbox import RoundtripDockerSandbox

    await RoundtripDockerSandbox.task_init(CONTROL_TASK, None)
    envs = await RoundtripDockerSandbox.sample_init(CONTROL_TASK, None, {})
    try:
        with out.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(["task_id", "loop", "their_passed", "harness_passed", "category", "detail"])
            for i, task in enumerate(tasks, 1):
                problem = load_evalplus_problem("mbpp_plus", task, str(peer_data / "evalplus"))
                traced = theirs[task]
                seen: dict[str, Any] = {}
                for loop, code in enumerate(traced.codes, 1):
                    if code not in seen:
                        seen[code] = await run_check(envs["default"], code, problem, compare_mode="evalplus")
                    check = seen[code]
                    writer.writerow([task, loop, loop <= traced.sustained, check.passed, check.category,
                                     check.detail[:300]])  # fmt: skip
                stream.flush()
                print(
                    f"control {i}/{len(tasks)} {task}: {len(seen)} distinct code(s)",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        await RoundtripDockerSandbox.sample_cleanup(CONTROL_TASK, None, envs, False)
        await RoundtripDockerSandbox.task_cleanup(CONTROL_TASK, None, True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studies.evalooop_live", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    subset = commands.add_parser("subset", help="print the pre-registered draw of MBPP+ task ids")
    subset.add_argument("dataset", help="EvalPlus's MbppPlus.jsonl.gz or a folder holding it")
    helps = {"compare": "the tables: our run's logs against their trace",
             "control": "their every recorded function on the subset, checked by our harness"}  # fmt: skip
    for name, text in helps.items():
        command = commands.add_parser(name, help=text)
        command.add_argument("--peer-data", type=Path, default=Path("../shared/peer-data"))
        command.add_argument("--model-id", default=MODEL_ID, help="their details/<model_id>.json")
        command.add_argument(
            "-o", "--output", type=Path, help="write the markdown (compare) or CSV (control) here"
        )
        if name == "compare":
            command.add_argument("--log-dir", type=Path, default=Path(LOG_DIR))
            command.add_argument("--control", type=Path, help="the CSV `control` wrote (optional)")
    args = parser.parse_args(argv)
    if args.command == "subset":
        print("\n".join(draw_subset(args.dataset)))
        return 0
    try:
        theirs = read_trace(details_file(args.peer_data, args.model_id))
        subset_ids = read_subset()
        if args.command == "control":
            import asyncio

            out = args.output or Path("evalooop-live-control.csv")
            asyncio.run(harness_control(args.peer_data, subset_ids, theirs, out))
            print(f"wrote {out}")
            return 0
        from roundtrip_eval.analysis.read import LogReadError

        try:
            ours, notes = our_trials(args.log_dir)
        except LogReadError as error:
            raise CompareError(str(error)) from None
        control = read_control(args.control) if args.control else None
        text = markdown(task_rows(ours, theirs, subset_ids, control), len(subset_ids), notes)
    except (TraceError, CompareError, OSError) as error:
        print(f"evalooop_live: {error}", file=sys.stderr)
        return 2
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
