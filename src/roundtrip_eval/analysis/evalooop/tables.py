"""The rescore's outputs from the verdicts: models.csv, disagreements.csv, curves.csv, drift.csv,
summary.json and index.html (one offline page). Pure: reads nothing but what it is given.

Our chain per task: the loops EvaLooop recorded, judged by our verdict, up to the first our
verdict fails. Where ours passes every recorded loop of a task whose chain they ended early (they
failed its last loop, we pass it), the model's next loop was never generated: the task is
*censored* after its last recorded loop. Survival@k and hazard count censoring as the life table
does (`stats.survival`); ASL_pow and loop-10 pass@1 count a censored task at the loops it has, so
they are lower bounds (the number censored is a column).
"""

from __future__ import annotations

import csv
import html
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.evalooop.checks import MODES, Limits, item_key, program_key
from roundtrip_eval.analysis.evalooop.classify import CLASSES, Disagreement, classify
from roundtrip_eval.analysis.evalooop.published import reproduce
from roundtrip_eval.analysis.evalooop.read import MAX_LOOPS, ModelTrace, Published, extract
from roundtrip_eval.analysis.html import CSP, STYLE
from roundtrip_eval.analysis.tables import html_table
from roundtrip_eval.eval.peers import evalooop_asl
from roundtrip_eval.problems.load import Problem
from roundtrip_eval.stats.survival import TrialSurvival, life_table

MODEL_COLUMNS = (
    "model_id",
    "name",
    "tasks",
    "published_loop1_pass",
    "published_loop10_pass",
    "published_asl",
    "published_asl_pow",
    "reproduced",
    "reproduction_note",
    "rescored_loop1_pass",
    "rescored_loop10_pass",
    "rescored_asl_pow",
    "rescored_censored",
    "strict_loop1_pass",
    "strict_loop10_pass",
    "strict_asl_pow",
    "strict_censored",
    "functions",
    "agreement",
    "loop1_agreement",
    "disagreements",
    *(f"disagree_{c}" for c in CLASSES),
    "they_pass_we_fail",
    "they_fail_we_pass",
)
"""models.csv: `published_asl_pow` is ASL_pow from their own verdicts (the reproduction);
`published_asl` is the leaderboard's judge-weighted ASL."""


def task_chain(passes: Sequence[bool]) -> TrialSurvival:
    """One task's chain under a verdict per recorded loop: loops survived and whether it failed."""
    for i, ok in enumerate(passes):
        if not ok:
            return TrialSurvival(i, True)
    return TrialSurvival(len(passes), False)


def their_verdicts(traces: Sequence[ModelTrace]) -> dict[tuple[str, str], tuple[int, int]]:
    """(loops they passed, loops they failed) per (task, program) over every model's records:
    where one program gets both, their verdict on it varies."""
    counts: dict[tuple[str, str], list[int]] = {}
    for model in traces:
        for task in model.tasks:
            for loop, raw in enumerate(task.codes, 1):
                pair = counts.setdefault((task.task_id, program_key(task.task_id, extract(raw))), [0, 0])
                pair[0 if task.their_passed(loop) else 1] += 1
    return {key: (p, f) for key, (p, f) in counts.items()}


def _rate(n: int, d: int) -> float:
    return n / d if d else float("nan")


def model_rows(
    traces: Sequence[ModelTrace],
    published: Mapping[str, Published],
    verdicts: Mapping[str, Mapping[str, Any]],
    c0: Mapping[str, Mapping[str, Any]],
    c0_seconds: Mapping[str, float],
    limits: Limits | None = None,
) -> tuple[list[dict[str, Any]], list[Disagreement], list[dict[str, Any]], list[dict[str, Any]]]:
    """(models.csv rows, every disagreement, curves.csv rows, drift.csv rows); `limits`: those
    the verdicts were made under (the classes' details name them)."""
    limits = limits or Limits()
    rows: list[dict[str, Any]] = []
    disagreements: list[Disagreement] = []
    curves: list[dict[str, Any]] = []
    drift: list[dict[str, Any]] = []
    theirs_by_program = their_verdicts(traces)
    for model in traces:
        rep = reproduce(model, published.get(model.model_id))
        chains: dict[str, list[TrialSurvival]] = {m: [] for m in (*MODES, "theirs")}
        firsts: dict[str, Counter[str]] = {m: Counter() for m in MODES}
        functions = agree = loop1_agree = 0
        mine: list[Disagreement] = []
        for task in model.tasks:
            per_mode: dict[str, list[bool]] = {m: [] for m in MODES}
            for loop, raw in enumerate(task.codes, 1):
                code = extract(raw)
                record = verdicts[item_key(task.task_id, code)]
                for mode in MODES:
                    per_mode[mode].append(bool(record[mode]["passed"]))
                theirs, ours = task.their_passed(loop), bool(record["evalplus"]["passed"])
                functions += 1
                if theirs == ours:
                    agree += 1
                    loop1_agree += loop == 1
                else:
                    mine.append(
                        classify(
                            model.model_id,
                            task.task_id,
                            loop,
                            theirs,
                            record,
                            code,
                            c0.get(task.task_id),
                            c0_seconds.get(task.task_id, 0.0),
                            theirs_by_program[(task.task_id, program_key(task.task_id, code))],
                            limits.text(c0_seconds.get(task.task_id)),
                        )
                    )
            for mode in MODES:
                chain = task_chain(per_mode[mode])
                chains[mode].append(chain)
                if chain.failed:
                    code = extract(task.codes[chain.cycles_survived])
                    firsts[mode][verdicts[item_key(task.task_id, code)][mode]["category"]] += 1
                else:
                    firsts[mode]["none" if chain.cycles_survived == MAX_LOOPS else "censored"] += 1
            chains["theirs"].append(TrialSurvival(task.sustained, task.sustained < MAX_LOOPS))
        disagreements += mine
        n = len(model.tasks)
        summary: dict[str, Any] = {}
        for mode, prefix in (("evalplus", "rescored"), ("typed", "strict")):
            loops = [c.cycles_survived for c in chains[mode]]
            summary[f"{prefix}_loop1_pass"] = _rate(sum(k >= 1 for k in loops), n)
            summary[f"{prefix}_loop10_pass"] = _rate(sum(k >= MAX_LOOPS for k in loops), n)
            summary[f"{prefix}_asl_pow"] = evalooop_asl(loops, MAX_LOOPS)
            summary[f"{prefix}_censored"] = sum(c.censored(MAX_LOOPS) for c in chains[mode])
        classes = Counter(d.cls for d in mine)
        pub = rep.published
        rows.append(
            {
                "model_id": model.model_id,
                "name": pub.name if pub else model.model_id,
                "tasks": n,
                "published_loop1_pass": pub.success_rate if pub else "",
                "published_loop10_pass": pub.loop10 if pub else "",
                "published_asl": pub.asl if pub else "",
                "published_asl_pow": rep.asl_pow,
                "reproduced": rep.reproduced,
                "reproduction_note": f"{rep.differs}: {rep.why}" if rep.why else "",
                **summary,
                "functions": functions,
                "agreement": _rate(agree, functions),
                "loop1_agreement": _rate(loop1_agree, n),
                "disagreements": len(mine),
                **{f"disagree_{c}": classes.get(c, 0) for c in CLASSES},
                "they_pass_we_fail": sum(d.theirs for d in mine),
                "they_fail_we_pass": sum(not d.theirs for d in mine),
            }
        )
        for mode in (*MODES, "theirs"):
            for point in life_table(chains[mode], MAX_LOOPS):
                curves.append(
                    {
                        "model_id": model.model_id,
                        "verdicts": mode,
                        "loop": point.cycle,
                        "at_risk": point.at_risk,
                        "failures": point.failures,
                        "censored": point.censored,
                        "survival": point.survival,
                        "hazard": point.hazard,
                        "km_survival": point.km_survival,
                    }
                )
        for mode in MODES:
            for category, count in sorted(firsts[mode].items()):
                drift.append(
                    {"model_id": model.model_id, "verdicts": mode, "first_failure": category, "tasks": count}
                )
    return rows, disagreements, curves, drift


def _csv(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})


def _pct(value: Any) -> str:
    return "" if value == "" or value != value else f"{100 * float(value):.2f}"


def _limits_line(record: Mapping[str, Any] | None) -> str:
    """The time rule of our checks, in one sentence of the page."""
    limits = record or Limits().record()
    call, check = float(limits["call_timeout"]), float(limits["check_timeout"])
    if limits["time_rule"] == "evalplus":
        return (
            "Our checks ran under EvalPlus's time rule: max(1 s, 2 x C0's measured time over all "
            f"inputs) per call (a problem without a measured time: {call:g} s), {check:g} s per check."
        )
    return f"Our checks ran under fixed limits: {call:g} s per call, {check:g} s per check."


def page(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> str:
    """index.html: the 91-model table, theirs and ours side by side, and the disagreement classes."""
    shown = [
        {
            **r,
            **{
                k: _pct(r[k])
                for k in (
                    "published_loop1_pass",
                    "published_loop10_pass",
                    "rescored_loop1_pass",
                    "rescored_loop10_pass",
                    "strict_loop1_pass",
                    "agreement",
                )
            },
            **{k: f"{r[k]:.3f}" for k in ("published_asl_pow", "rescored_asl_pow", "strict_asl_pow")},
        }
        for r in rows
    ]
    columns = [
        ("model", "model_id"),
        ("their loop-1 %", "published_loop1_pass"),
        ("ours (EvalPlus) loop-1 %", "rescored_loop1_pass"),
        ("ours (typed) loop-1 %", "strict_loop1_pass"),
        ("their loop-10 %", "published_loop10_pass"),
        ("ours loop-10 % (>=)", "rescored_loop10_pass"),
        ("their ASL (published)", "published_asl"),
        ("their ASL_pow", "published_asl_pow"),
        ("ours ASL_pow (>=)", "rescored_asl_pow"),
        ("typed ASL_pow", "strict_asl_pow"),
        ("censored", "rescored_censored"),
        ("agreement %", "agreement"),
        ("disagreements", "disagreements"),
        *((c, f"disagree_{c}") for c in CLASSES),
    ]
    classes = "".join(f"<li><b>{html.escape(c)}</b>: {totals['classes'].get(c, 0):,}</li>" for c in CLASSES)
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>EvaLooop's models, rescored</title><style>{STYLE}</style></head><body>\n"
        "<h1>EvaLooop's published models on MBPP+, rescored by roundtrip-eval</h1>\n"
        f"<p>{totals['models']} models, {totals['functions']:,} recorded functions, "
        f"{totals['distinct']:,} distinct (task, code) checks. Their published numbers reproduced "
        "from their own verdicts: "
        f"{totals['reproduced']} of {totals['models']}. Our EvalPlus-rule verdict agrees with theirs "
        "on "
        f"{totals['agree']:,} of {totals['functions']:,} functions ({100 * totals['agreement']:.2f}%).</p>\n"
        f"<p>{html.escape(_limits_line(totals.get('limits')))}</p>\n"
        f"<h2>Disagreements by class</h2><ul>{classes}</ul>\n"
        '<p>"&gt;=": a task whose chain they ended early but whose last recorded loop passes under our '
        "verdict is censored there (its next loop was never generated), so our loop-10 rate and ASL_pow "
        "are lower bounds.</p>\n"
        "<h2>The models</h2>\n" + html_table(shown, columns) + "</body></html>\n"
    )


def write_tables(
    out: Path,
    traces: Sequence[ModelTrace],
    published: Mapping[str, Published],
    verdicts: Mapping[str, Mapping[str, Any]],
    problems: Mapping[str, Problem],
    c0_seconds: Mapping[str, float],
    limits: Limits | None = None,
) -> str:
    """Write every output file; the closing line (`limits`: those the verdicts were made under)."""
    limits = limits or Limits()
    c0 = {
        t: verdicts[item_key(t, extract(p.reference))]
        for t, p in problems.items()
        if item_key(t, extract(p.reference)) in verdicts
    }
    c0_evalplus = {t: r["evalplus"] for t, r in c0.items()}
    rows, disagreements, curves, drift = model_rows(
        traces, published, verdicts, c0_evalplus, c0_seconds, limits
    )
    _csv(out / "models.csv", rows, MODEL_COLUMNS)
    _csv(out / "disagreements.csv", [d.row() for d in disagreements], Disagreement.COLUMNS)
    _csv(out / "curves.csv", curves, list(curves[0]) if curves else [])
    _csv(out / "drift.csv", drift, ["model_id", "verdicts", "first_failure", "tasks"])
    functions = sum(r["functions"] for r in rows)
    agree = functions - len(disagreements)
    classes = Counter(d.cls for d in disagreements)
    totals = {
        "models": len(rows),
        "functions": functions,
        "distinct": len({item_key(t.task_id, extract(c)) for m in traces for t in m.tasks for c in t.codes}),
        "reproduced": sum(bool(r["reproduced"]) for r in rows),
        "agree": agree,
        "agreement": agree / functions if functions else float("nan"),
        "classes": dict(classes),
        "limits": limits.record(),
        "they_pass_we_fail": sum(d.theirs for d in disagreements),
        "they_fail_we_pass": sum(not d.theirs for d in disagreements),
        "c0_fails": {
            t: r["evalplus"]["category"] for t, r in sorted(c0.items()) if not r["evalplus"]["passed"]
        },
        "c0_fails_typed": {
            t: r["typed"]["category"] for t, r in sorted(c0.items()) if not r["typed"]["passed"]
        },
    }
    (out / "summary.json").write_text(json.dumps(totals, indent=1), encoding="utf-8")
    (out / "index.html").write_text(page(rows, totals), encoding="utf-8")
    return (
        f"rescored {len(rows)} models ({totals['reproduced']} published rows reproduced from their "
        "verdicts): "
        f"agreement {100 * totals['agreement']:.2f}%, {len(disagreements):,} disagreements ("
        + ", ".join(f"{c} {classes.get(c, 0)}" for c in CLASSES)
        + ")"
    )
