"""`roundtrip-eval rescore-upstream DIR -o OUTDIR`: the original study's trials under our rules.

How: every upstream trial's logged raw replies (step1_raw_spec, step2_generated_code_raw per
cycle) become one line of a replay script, and the *real* task runs on it with the `replay`
model: our solver, our tolerant extraction and our sandboxed, type-exact checker decide every
cycle, exactly as for a live model. One eval per batch x model x language x problem, with
`cycles` = the original N, one epoch per original run. Where an original trial ends before N
(its failing cycle K, or a cycle whose code was never generated), the script ends with a
`{"stop": ...}` marker: if our checker passed K, our solver asks for cycle K+1, reaches the
marker and the trial ends cleanly as a sample limit, read as *censored*, never as an error or
a failure (replay.ReplayExhausted). The rules are in upstream.py, applied by `rebuild`, and
every trial's log outcome is checked against them.

Why replay and not a hand-built EvalLog: the logs are ordinary eval logs (spans per cycle,
model events, sandbox events) that `inspect view`, `roundtrip-eval report` and `export` read
like any other run, and the verdicts come from the very code path live runs use. What they do
not have: the original prompts (never logged; the prompts shown are ours, rendered from our
code) and generation options (none were sent; the server default applied).

Artifacts are told apart afterwards: when our checker passes the original's failing cycle,
the original's executed code (`step2_generated_code_clean`) is compared with ours and, when it
differs but compiles, checked by our checker too (a few direct checks in one sandbox).

Old model code is untrusted: checks run in the `roundtrip-docker` sandbox. `--sandbox local`
runs it on this machine, unsandboxed, and says so loudly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.rows import Row, dumps, trial_outcome
from roundtrip_eval.analysis.stats import (
    DEFAULT_BOOTSTRAP,
    TrialSurvival,
    bootstrap_difference,
    fisher_exact,
    survival_curve,
    wilson_interval,
)
from roundtrip_eval.analysis.upstream import (
    ARTIFACT,
    CHECKER_ARTIFACT,
    EARLIER,
    EXTRACTION_ARTIFACT,
    GENUINE,
    INFRA,
    SPEC_GATE_ARTIFACT,
    UpstreamTrial,
    Verdict,
    batch_cycles,
    classify_artifact,
    compiles,
    load_trials,
    needs_original_check,
    rebuild,
    replay_replies,
    same_code,
)

DEFAULT_SANDBOX = "roundtrip-docker"
LOCAL_WARNING = (
    "WARNING: --sandbox local runs the original study's model-written code directly on this "
    "machine, UNSANDBOXED (no container, no limits, full access to your files and network). "
    "Use the default roundtrip-docker sandbox unless this machine is disposable."
)
KNOWN_TASK = "fizzbuzz"
NOVEL_TASK = "separate_vowels_and_consonants"


class RescoreError(RuntimeError):
    """Rescoring cannot start or finish; the message says what to do."""


def ensure_sandbox(name: str) -> None:
    """Fail early, in one line, when the sandbox cannot run checks; warn loudly for local."""
    from inspect_ai.util._sandbox.registry import registry_find_sandboxenv

    import roundtrip_eval._registry  # noqa: F401 - registers roundtrip-docker

    try:
        registry_find_sandboxenv(name)
    except ValueError as exc:
        raise RescoreError(f"sandbox {name!r} is not a registered provider ({exc})") from exc
    if name == "local":
        print(LOCAL_WARNING, file=sys.stderr)
        return
    if name == "roundtrip-docker":
        from roundtrip_eval.sandbox_image import (
            IMAGE,
            SandboxEngineError,
            connect,
            image_exists,
        )

        try:
            client = connect(timeout=20)
        except SandboxEngineError as exc:
            raise RescoreError(
                f"the Docker engine is not reachable ({exc}); start it (dockerd), or pass "
                "--sandbox local to run the old model code UNSANDBOXED on this machine"
            ) from exc
        if not image_exists(client):
            raise RescoreError(
                f"the sandbox image {IMAGE} is missing: run `roundtrip-eval sandbox build` "
                "(or `sudo roundtrip-eval sandbox build --offline`)"
            )


# --- planning: one eval per batch x model x language x problem --------------------------


@dataclass
class EvalPlan:
    """One eval: the upstream trials of one group, epoch i = trials[i - 1]."""

    group: tuple[str, str, str, str, str, str]
    trials: list[UpstreamTrial]
    n_cycles: int

    @property
    def batch(self) -> str:
        return self.group[0]

    @property
    def model(self) -> str:
        return self.group[1]

    @property
    def language(self) -> str:
        return self.group[2]

    @property
    def task(self) -> str:
        return self.group[5]

    @property
    def slug(self) -> str:
        model = self.model.replace(":", "-")
        return f"{self.batch}__{model}_{self.language}_{self.group[3]}_{self.group[4]}_{self.task}"


def plan_evals(trials: Sequence[UpstreamTrial], limit: int | None = None) -> list[EvalPlan]:
    """Group trials into evals; N per batch comes from the whole batch, before `limit`."""
    by_batch: dict[str, list[UpstreamTrial]] = {}
    for t in trials:
        by_batch.setdefault(t.batch, []).append(t)
    n_of = {batch: batch_cycles(members) for batch, members in by_batch.items()}
    chosen = list(trials)[:limit] if limit is not None else list(trials)
    groups: dict[tuple[str, str, str, str, str, str], list[UpstreamTrial]] = {}
    for t in chosen:
        groups.setdefault(t.group, []).append(t)
    return [
        EvalPlan(group, sorted(members, key=lambda t: t.run), n_of[group[0]])
        for group, members in sorted(groups.items())
    ]


def write_replay(plan: EvalPlan, path: Path) -> Path:
    """The replay script of one eval: sample = problem, epoch i = the i-th run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f"# replayed from the original study: {plan.batch} ({len(plan.trials)} runs)\n")
        for epoch, trial in enumerate(plan.trials, start=1):
            line = {
                "sample": plan.task,
                "epoch": epoch,
                "upstream_run": trial.run,
                "replies": replay_replies(trial, plan.n_cycles),
            }
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def build_task(plan: EvalPlan, replay_file: Path, sandbox: str) -> Any:
    """The real roundtrip task for one plan, on the replay model of the upstream model."""
    from inspect_ai import task_with
    from inspect_ai.model import get_model

    from roundtrip_eval.prompts import SPEC_FORMATS
    from roundtrip_eval.tasks import roundtrip_task

    spec_format = plan.group[3] if plan.group[3] in SPEC_FORMATS else "pseudocode"
    task = roundtrip_task(
        [plan.task],
        cycles=plan.n_cycles,
        language=plan.language,
        spec_format=spec_format,
        extraction="tolerant",
        sandbox=sandbox,
        epochs=len(plan.trials),
        name=plan.task,
    )
    metadata = {
        **(task.metadata or {}),
        "replayed": True,
        # what the original runs had in common: part of the configuration
        "upstream": {
            "batch": plan.batch,
            "model": plan.model,
            "spec_format": plan.group[3],
            "prompt_style": plan.group[4],
        },
        # which records this eval replays: not part of the configuration (rows.NOT_CONFIG)
        "upstream_trials": {
            "task": plan.task,
            "runs": [t.run for t in plan.trials],  # epoch i = runs[i - 1]
            "note": "replies replayed from the original study's result.json; the prompts in "
            "this log are roundtrip-eval's (the original prompts were not logged), and the "
            "original generation options are unknown (none were sent)",
        },
    }
    return task_with(
        task,
        model=get_model(f"replay/{plan.model}", file=str(replay_file)),
        metadata=metadata,
        name=f"rescore_{plan.task}",
    )


def run_evals(
    plans: Sequence[EvalPlan], out: Path, sandbox: str, max_sandboxes: int, progress: bool
) -> list[Any]:
    """Write the replay scripts, run every eval, return their logs (in plan order)."""
    from inspect_ai import eval as inspect_eval

    tasks = [build_task(p, write_replay(p, out / "replay" / f"{p.slug}.jsonl"), sandbox) for p in plans]
    logs = inspect_eval(
        tasks,
        log_dir=str(out / "logs"),
        display="rich" if progress else "none",
        fail_on_error=False,
        max_tasks=max(1, min(len(tasks), max_sandboxes)),
        max_samples=max_sandboxes,
        max_sandboxes=max_sandboxes,
        score_display=False,
    )
    by_name = {}
    for log in logs:
        meta = log.eval.metadata or {}
        upstream, trials = meta.get("upstream", {}), meta.get("upstream_trials", {})
        key = (
            upstream.get("batch"),
            upstream.get("model"),
            meta.get("language"),
            upstream.get("spec_format"),
            upstream.get("prompt_style"),
            trials.get("task"),
        )
        by_name[key] = log
    return [by_name.get(p.group) for p in plans]


# --- outcomes -------------------------------------------------------------------------------


def verdicts_of(history: Sequence[dict[str, Any]]) -> list[Verdict]:
    return [Verdict(bool(r.get("passed")), str(r.get("category")), r.get("code")) for r in history]


def trial_record(plan: EvalPlan, epoch: int, trial: UpstreamTrial, sample: Any, log_file: str) -> Row:
    """One upstream trial, its original outcome, and its outcome under our rules."""
    history = list((sample.store or {}).get("cycles", [])) if sample is not None else []
    errored = sample is None or sample.error is not None
    logged = trial_outcome(history, plan.n_cycles, errored)
    row: Row = {
        "batch": trial.batch,
        "model": trial.model,
        "language": trial.language,
        "spec_format": trial.spec_format,
        "prompt_style": trial.prompt_style,
        "task": trial.task,
        "run": trial.run,
        "epoch": epoch,
        "n_cycles": plan.n_cycles,
        "original_survived": trial.original_survived,
        "original_cycles_completed": trial.cycles_completed,
        "original_stop_cycle": trial.stop_cycle,
        "original_stop_kind": trial.stop_kind,
        "log": log_file,
        "log_status": logged["status"],
        "log_cycles_survived": logged["cycles_survived"],
        "error": None if sample is None else (sample.error.message if sample.error else None),
    }
    if errored:
        row.update(status="error", consistent=False)
        return row
    rescored = rebuild(trial, verdicts_of(history), plan.n_cycles)
    row.update(
        status=rescored.status,
        cycles_survived=rescored.cycles_survived,
        fail_cycle=rescored.fail_cycle,
        category=rescored.category,
        censor_reason=rescored.censor_reason,
        original_class=rescored.original_class,
        new_failure=rescored.new_failure,
        new_failure_class=None,
        consistent=(
            rescored.status == logged["status"] and rescored.cycles_survived == logged["cycles_survived"]
        ),
    )
    k = trial.stop_cycle
    if rescored.original_class == ARTIFACT and k is not None:
        row["_ours"] = history[k - 1].get("code")
        row["_original"] = trial.cycles[k - 1].code_clean
    if rescored.new_failure and rescored.fail_cycle is not None:
        row["_ours"] = history[rescored.fail_cycle - 1].get("code")
        row["_original"] = trial.cycles[rescored.fail_cycle - 1].code_clean
    return row


def classify(rows: list[Row], verdict_of_original: dict[int, bool]) -> None:
    """Fill in the artifact class (extraction vs checker) and the class of new failures.

    `verdict_of_original[i]` is our checker's verdict on row i's original executed code, for
    the rows where it is needed (see upstream.needs_original_check).
    """
    for i, row in enumerate(rows):
        if "_ours" not in row:
            continue
        ours, original = row.pop("_ours"), row.pop("_original")
        if row.get("original_class") == ARTIFACT:
            row["original_class"] = classify_artifact(ours, original, verdict_of_original.get(i))
        elif row.get("new_failure"):
            # our verdict fails a cycle the original passed
            if same_code(ours, original) or not verdict_of_original.get(i, False):
                row["new_failure_class"] = "stricter_checker"
            else:
                row["new_failure_class"] = "extraction_regression"


def original_checks_needed(rows: Sequence[Row]) -> dict[int, tuple[str, str]]:
    """{row index: (problem, original code)} that our checker must judge to classify."""
    needed = {}
    for i, row in enumerate(rows):
        if "_ours" in row and needs_original_check(row["_ours"], row["_original"]):
            needed[i] = (str(row["task"]), str(row["_original"]))
    return needed


async def _check_codes(sandbox: str, items: Sequence[tuple[str, str]]) -> list[bool]:
    """Our checker's verdict on each (problem, code), in one sandbox of the given kind."""
    from inspect_ai.util._sandbox.registry import registry_find_sandboxenv

    from roundtrip_eval.checker import run_check
    from roundtrip_eval.problems import load_problem

    provider: Any = registry_find_sandboxenv(sandbox)
    name = "rescore-original-code"
    await provider.task_init(name, None)
    envs = await provider.sample_init(name, None, {})
    try:
        results = []
        for problem, code in items:
            check = await run_check(envs["default"], code, load_problem(problem))
            results.append(check.passed)
        return results
    finally:
        await provider.sample_cleanup(name, None, envs, False)
        await provider.task_cleanup(name, None, True)


def check_codes(sandbox: str, items: Sequence[tuple[str, str]]) -> list[bool]:
    import anyio

    if not items:
        return []
    return anyio.run(_check_codes, sandbox, list(items))


# --- tables (pure) ---------------------------------------------------------------------------


COUNT_CLASSES = (
    GENUINE,
    EARLIER,
    EXTRACTION_ARTIFACT,
    CHECKER_ARTIFACT,
    SPEC_GATE_ARTIFACT,
    INFRA,
)


def published_figures(root: Path) -> dict[tuple[str, str, str], float]:
    """survival@10 (percent) of the paper's Figure 2 data, by (model tag, task, language)."""
    from roundtrip_eval.analysis.upstream import ollama_tag

    base = root if (root / "published").is_dir() else root.parent
    path = base / "published" / "degradation_data.csv"
    if not path.is_file():
        return {}
    import csv

    out = {}
    with path.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if int(r["cycle"]) == 10:
                out[(ollama_tag(r["model"]), r["task"], r["language"])] = float(r["survival_rate"])
    return out


def comparison_table(
    rows: Sequence[Row], figures: dict[tuple[str, str, str], float] | None = None
) -> list[Row]:
    """Published vs rescored survival@N per batch, model, problem and language."""
    figures = figures or {}
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for r in rows:
        groups.setdefault((r["batch"], r["model"], r["task"], r["language"]), []).append(r)
    out = []
    for (batch, model, task, language), members in sorted(groups.items()):
        n = len(members)
        scored = [r for r in members if r["status"] != "error"]
        survived = sum(1 for r in scored if r["status"] == "survived")
        censored = sum(1 for r in scored if r["status"] == "censored")
        published = sum(1 for r in members if r["original_survived"])
        n_cycles = members[0]["n_cycles"]
        curve = survival_curve(
            [TrialSurvival(r["cycles_survived"], r["status"] == "failed") for r in scored],
            n_cycles,
        )
        low, high = wilson_interval(survived, len(scored))
        figure = figures.get((model, task, language))
        counts = {c: sum(1 for r in members if r.get("original_class") == c) for c in COUNT_CLASSES}
        out.append(
            {
                "batch": batch,
                "model": model,
                "task": task,
                "language": language,
                "n_cycles": n_cycles,
                "trials": n,
                "published_survived": published,
                "published_rate": published / n,
                "published_figure_pct": figure,
                "rescored_scored": len(scored),
                "rescored_survived": survived,
                "rescored_rate": survived / len(scored) if scored else None,
                "rescored_low": low if scored else None,
                "rescored_high": high if scored else None,
                "rescored_censored": censored,
                "rescored_failed": sum(1 for r in scored if r["status"] == "failed"),
                "rescored_upper": (survived + censored) / len(scored) if scored else None,
                "rescored_km": curve[-1].km_survival if scored else None,
                "published_failures": n - published,
                **{f"n_{c}": counts[c] for c in COUNT_CLASSES},
                "new_failures": sum(1 for r in members if r.get("new_failure")),
                "errors": n - len(scored),
                "inconsistent": sum(1 for r in scored if not r.get("consistent")),
            }
        )
    return out


def _share(k: int, n: int) -> float:
    return k / n if n else 0.0


def headline_table(rows: Sequence[Row], *, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> list[Row]:
    """The paper's headline, fizzbuzz vs separate_vowels per model and language, published
    and rescored: every fizzbuzz batch against every separate_vowels batch of that model and
    language (the paper compared across batches; so must we, and we say so)."""
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for r in rows:
        groups.setdefault((r["model"], r["language"], r["task"], r["batch"]), []).append(r)
    out = []
    for (model, language, task, batch), known in sorted(groups.items()):
        if task != KNOWN_TASK:
            continue
        for (m2, l2, t2, batch2), novel in sorted(groups.items()):
            if (m2, l2, t2) != (model, language, NOVEL_TASK):
                continue
            row: Row = {"model": model, "language": language, "known_batch": batch, "novel_batch": batch2}
            for label, members in (("known", known), ("novel", novel)):
                scored = [r for r in members if r["status"] != "error"]
                row[f"{label}_n"] = len(members)
                row[f"{label}_published"] = sum(1 for r in members if r["original_survived"])
                row[f"{label}_rescored"] = sum(1 for r in scored if r["status"] == "survived")
                row[f"{label}_censored"] = sum(1 for r in scored if r["status"] == "censored")
                row[f"{label}_scored"] = len(scored)
            a = [int(r["status"] == "survived") for r in known if r["status"] != "error"]
            b = [int(r["status"] == "survived") for r in novel if r["status"] != "error"]
            pa = [int(r["original_survived"]) for r in known]
            pb = [int(r["original_survived"]) for r in novel]
            published = bootstrap_difference(pa, pb, n_boot=n_boot, seed=seed)
            rescored = bootstrap_difference(a, b, n_boot=n_boot, seed=seed)
            row.update(
                published_gap=published.difference,
                published_fisher_p=fisher_exact([[sum(pa), len(pa) - sum(pa)], [sum(pb), len(pb) - sum(pb)]]),
                rescored_gap=rescored.difference,
                rescored_gap_low=rescored.low,
                rescored_gap_high=rescored.high,
                rescored_fisher_p=fisher_exact([[sum(a), len(a) - sum(a)], [sum(b), len(b) - sum(b)]]),
                # bounds over every way the censored trials could have gone
                rescored_gap_min=_share(sum(a), len(a)) - _share(sum(b) + row["novel_censored"], len(b)),
                rescored_gap_max=_share(sum(a) + row["known_censored"], len(a)) - _share(sum(b), len(b)),
            )
            out.append(row)
    return out


# --- writing ---------------------------------------------------------------------------------


def _md(rows: Sequence[Row], columns: Sequence[tuple[str, str]]) -> str:
    from roundtrip_eval.analysis.report import markdown_table

    return markdown_table(rows, columns)


COMPARISON_COLUMNS = [
    ("batch", "batch"),
    ("model", "model"),
    ("task", "task"),
    ("lang", "language"),
    ("published survival@N", "{published_survived}/{trials}"),
    ("paper figure", "{published_figure_pct:.1f}%"),
    (
        "rescored survival@N [Wilson 95%]",
        "{rescored_survived}/{rescored_scored} [{rescored_low:.0%}, {rescored_high:.0%}]",
    ),
    ("censored", "rescored_censored"),
    ("KM", "{rescored_km:.0%}"),
    ("published failures", "published_failures"),
    ("genuine", "n_genuine"),
    ("earlier", "n_earlier_failure"),
    ("extraction artifact", "n_extraction_artifact"),
    ("checker artifact", "n_checker_artifact"),
    ("spec-gate artifact", "n_spec_gate_artifact"),
    ("infra", "n_infrastructure"),
    ("new failures", "new_failures"),
    ("errors", "errors"),
]

HEADLINE_COLUMNS = [
    ("model", "model"),
    ("lang", "language"),
    ("fizzbuzz batch", "known_batch"),
    ("fizzbuzz published", "{known_published}/{known_n}"),
    ("fizzbuzz rescored (censored)", "{known_rescored}/{known_scored} ({known_censored})"),
    ("separate_vowels published", "{novel_published}/{novel_n}"),
    ("separate_vowels rescored (censored)", "{novel_rescored}/{novel_scored} ({novel_censored})"),
    ("published gap (Fisher p)", "{published_gap:+.0%} ({published_fisher_p:.2g})"),
    (
        "rescored gap [95% CI] (Fisher p)",
        "{rescored_gap:+.0%} [{rescored_gap_low:+.0%}, {rescored_gap_high:+.0%}] ({rescored_fisher_p:.2g})",
    ),
    ("gap bounds over censored", "[{rescored_gap_min:+.0%}, {rescored_gap_max:+.0%}]"),
]


def write_outputs(
    out: Path, rows: Sequence[Row], figures: dict[tuple[str, str, str], float], sandbox: str
) -> dict[str, Path]:
    from roundtrip_eval.analysis.report import write_csv

    files = {}
    files["trials.csv"] = write_csv(rows, out / "trials.csv")
    comparison = comparison_table(rows, figures)
    headline = headline_table(rows)
    files["comparison.csv"] = write_csv(comparison, out / "comparison.csv")
    files["headline.csv"] = write_csv(headline, out / "headline.csv")
    files["comparison.md"] = out / "comparison.md"
    files["comparison.md"].write_text(_md(comparison, COMPARISON_COLUMNS), encoding="utf-8")
    files["headline.md"] = out / "headline.md"
    files["headline.md"].write_text(_md(headline, HEADLINE_COLUMNS), encoding="utf-8")
    files["summary.md"] = out / "summary.md"
    files["summary.md"].write_text(summary_markdown(rows, comparison, headline, sandbox), encoding="utf-8")
    return files


def totals(rows: Sequence[Row]) -> Row:
    return {
        "trials": len(rows),
        "published_survived": sum(1 for r in rows if r["original_survived"]),
        "survived": sum(1 for r in rows if r.get("status") == "survived"),
        "failed": sum(1 for r in rows if r.get("status") == "failed"),
        "censored": sum(1 for r in rows if r.get("status") == "censored"),
        "errors": sum(1 for r in rows if r.get("status") == "error"),
        "inconsistent": sum(1 for r in rows if r.get("status") != "error" and not r.get("consistent")),
        "new_failures": sum(1 for r in rows if r.get("new_failure")),
        **{c: sum(1 for r in rows if r.get("original_class") == c) for c in COUNT_CLASSES},
        "stricter_checker": sum(1 for r in rows if r.get("new_failure_class") == "stricter_checker"),
        "extraction_regression": sum(
            1 for r in rows if r.get("new_failure_class") == "extraction_regression"
        ),
    }


def summary_markdown(
    rows: Sequence[Row], comparison: Sequence[Row], headline: Sequence[Row], sandbox: str
) -> str:
    t = totals(rows)
    failures = len(rows) - t["published_survived"]
    lines = [
        "# The original study's trials, rescored under roundtrip-eval's rules",
        "",
        f"{t['trials']} trials ({failures} published failures) replayed through our tolerant "
        f"extraction and type-exact checker in the `{sandbox}` sandbox.",
        "",
        f"- Rescored: {t['survived']} survived, {t['failed']} failed, {t['censored']} censored, "
        f"{t['errors']} errored (rescoring infrastructure), {t['inconsistent']} inconsistent "
        "with the rules (should be 0).",
        f"- Published failures: {t[GENUINE]} genuine (we fail the same cycle), {t[EARLIER]} fail "
        f"earlier under our checker, {t[EXTRACTION_ARTIFACT]} extraction artifacts, "
        f"{t[CHECKER_ARTIFACT]} checker artifacts, {t[SPEC_GATE_ARTIFACT]} spec-gate artifacts "
        f"(the original rejected a spec that did not match its fixed text and never asked for "
        f"code), {t[INFRA]} infrastructure (API failure, empty reply).",
        f"- Cycles the original passed and we fail: {t['new_failures']} trials "
        f"({t['stricter_checker']} stricter checker, {t['extraction_regression']} where our "
        "extraction did worse than the original's).",
        "- Censored: our checker passes the original's failing cycle (or the original never "
        "asked for code there); what the model would have done next was never generated, so "
        "the trial is not counted as surviving. KM = Kaplan-Meier survival@N, which assumes "
        "censoring is unrelated to the outcome.",
        "",
        "## Published vs rescored survival@N",
        "",
        _md(comparison, COMPARISON_COLUMNS),
        "## Headline: fizzbuzz (known) vs separate_vowels_and_consonants (novel)",
        "",
        "The two tasks were run in different batches of the original study (as in the paper). "
        "The rescored gap counts censored trials as not surviving; the bounds take every "
        "censored fizzbuzz trial as failed and every censored separate_vowels trial as "
        "surviving (low), and the reverse (high). The fizzbuzz prompts of the original "
        "contained C0 and the target spec, which no rescoring can undo.",
        "",
        _md(headline, HEADLINE_COLUMNS),
    ]
    return "\n".join(lines)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def rescore_rows(plans: Sequence[EvalPlan], logs: Sequence[Any], out: Path, sandbox: str) -> list[Row]:
    """Per-trial rows from the eval logs, with artifacts classified."""
    rows: list[Row] = []
    for plan, log in zip(plans, logs, strict=True):
        samples = {} if log is None else {s.epoch: s for s in (log.samples or [])}
        location = "" if log is None else _relative(Path(log.location), out)
        for epoch, trial in enumerate(plan.trials, start=1):
            rows.append(trial_record(plan, epoch, trial, samples.get(epoch), location))
    needed = original_checks_needed(rows)
    verdicts = check_codes(sandbox, list(needed.values()))
    classify(rows, dict(zip(needed, verdicts, strict=True)))
    return rows


def run_rescore(
    root: Path,
    out: Path,
    *,
    sandbox: str = DEFAULT_SANDBOX,
    limit: int | None = None,
    max_sandboxes: int = 8,
    progress: bool = True,
) -> str:
    """Rescore every upstream trial under `root`; returns a one-paragraph summary."""
    from roundtrip_eval.problems import list_problems

    if not root.is_dir():
        raise RescoreError(f"{root}: no such directory (expected the upstream data folder)")
    known = list_problems()
    trials = load_trials(root, known)
    if not trials:
        raise RescoreError(f"{root}: no raw/<batch>/<trial>/result.json files")
    unknown = sorted({t.task for t in trials if t.task not in known})
    if unknown:
        print(f"roundtrip-eval: skipping trials of unknown problems {unknown}", file=sys.stderr)
        trials = [t for t in trials if t.task in known]
    ensure_sandbox(sandbox)
    out.mkdir(parents=True, exist_ok=True)
    plans = plan_evals(trials, limit)
    logs = run_evals(plans, out, sandbox, max_sandboxes, progress)
    rows = rescore_rows(plans, logs, out, sandbox)
    files = write_outputs(out, rows, published_figures(root), sandbox)
    t = totals(rows)
    (out / "totals.json").write_text(dumps(t), encoding="utf-8")
    return (
        f"rescored {t['trials']} trials in {len(plans)} evals: {t['survived']} survived, "
        f"{t['failed']} failed, {t['censored']} censored, {t['errors']} errors, "
        f"{t['inconsistent']} inconsistent; see {files['summary.md']}"
    )


__all__ = [
    "RescoreError",
    "comparison_table",
    "compiles",
    "headline_table",
    "run_rescore",
]
