"""`roundtrip-eval report LOGDIR -o OUTDIR`: figures, tables and a summary from many logs.

LOGDIR is a folder of Inspect logs (`.eval` and `.json`, searched recursively) or a folder
written by `roundtrip-eval export`; both give the same report, because both are turned into
the same rows first and every number is computed from rows (aggregate.py).

Writes into OUTDIR:
  survival_curves.png            every group's survival curve, one panel per problem x config
  survival_curves.vl.json        the same as a standalone Vega-Lite spec (data inline)
  survival_curves.html           the curves alone as inline SVG: opens offline, no script
  curves/<group>.png             one figure per model x problem x configuration
  survival.csv / survival.md     survival@1, survival@N (Wilson 95%), mean cycles, hazard
  curves.csv                     per group and cycle: at risk, failures, censored, survival
  gap.csv / gap.md               known vs novel (stats/gap.py): mean cycles and survival@3 gaps
  drift.csv / drift.md           category of the first failing cycle
  blame.csv / blame.md           g-or-f blame, when a `blame` score exists
  extraction.csv                 extraction rules that fired
  peers.csv                      EvaLoop's ASL and IdentityChain's SC_n / SSC_n per group
  degradation.csv                the study's per-cycle survival shape (fractions, 0-1)
  configurations.csv             each configuration: label, key, what ran under it, its settings
  results.md                     the README's results table (results_table.py)
  summary.md                     what was read and the tables above, in one page
  index.html                     all of it as one self-contained page: inline SVG curves, the
                                 tables, the known/novel gap, peer metrics, the configurations;
                                 opens offline and makes no network request (html.py)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.aggregate import (
    GROUP_COLUMNS,
    Report,
    build_report,
    clean,
    curve_table,
    group_by,
    newest_copies,
    scored,
    survival_table,
)
from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.compare import Comparison, compare_sources, curve_trials
from roundtrip_eval.analysis.compare import markdown as comparison_markdown
from roundtrip_eval.analysis.export import write_degradation
from roundtrip_eval.analysis.extra import require
from roundtrip_eval.analysis.figures import curve_points, plot_curves, vega_lite_spec
from roundtrip_eval.analysis.html import comparison_html, curves_page, report_page
from roundtrip_eval.analysis.read import load_rows
from roundtrip_eval.analysis.results_table import RESULTS_FILE, results_markdown
from roundtrip_eval.analysis.rows import config_of
from roundtrip_eval.analysis.tables import (
    CONFIG_CELL,
    GAP_COLUMNS,
    SURVIVAL_COLUMNS,
    counts_pivot,
    markdown_table,
    write_csv,
)
from roundtrip_eval.eval import peers
from roundtrip_eval.eval.record import Cycle

# --- tables -------------------------------------------------------------------------------

# SURVIVAL_COLUMNS, GAP_COLUMNS and CONFIG_CELL live in tables.py now (the page prints the same
# cells as the Markdown); they stay importable from here.


FILE_NOTES = {
    "survival_curves.html": "the curves alone, inline SVG; opens offline",
    "survival_curves.vl.json": "the curves as a Vega-Lite spec, data inline",
    "summary.md": "this page's numbers as Markdown",
    "results.md": "the README's results table: one row per model, language and problem",
}
"""Said beside a file in the page's list of files."""


def counts_markdown(rows: Sequence[Row]) -> str:
    """Counts as one row per group, one column per value."""
    if not rows:
        return "_(none)_\n"
    return markdown_table(*counts_pivot(rows))


def configuration_rows(trials: Sequence[Row]) -> list[Row]:
    """One row per configuration: label, key, what ran under it, and the settings that define it.

    The settings are `rows.config_of` of the logged settings and generation options: exactly
    what `config_key` hashes, so a reader sees why two runs were kept apart.
    """
    groups: dict[str, list[Row]] = {}
    for t in trials:
        groups.setdefault(str(t["config_key"]), []).append(t)
    out = []
    for key, members in sorted(groups.items(), key=lambda kv: (str(kv[1][0]["config"]), kv[0])):
        first = members[0]
        settings = json.loads(first.get("settings_json") or "{}")
        generation = json.loads(first.get("generation_json") or "{}")
        created = sorted(str(t["created"]) for t in members if t.get("created"))
        out.append(
            {
                "config_key": key,
                "config": first["config"],
                "models": ", ".join(sorted({str(t["model"]) for t in members})),
                "problems": len({t["problem"] for t in members}),
                "trials": len(members),
                "evals": len({t["eval_id"] for t in members}),
                "base_seeds": " ".join(
                    str(s) for s in sorted({t.get("base_seed") for t in members}, key=str)
                ),
                "created": f"{created[0]} .. {created[-1]}" if created else None,
                "settings": config_of(settings, generation),
            }
        )
    return out


PEER_COLUMNS = [
    ("model", "model"),
    ("problem", "problem"),
    ("config", CONFIG_CELL),
    ("scored trials", "scored"),
    ("ASL (max loops = N)", "{asl:.3f}"),
    ("N", "max_loops"),
    ("SC_n", "{sc_n:.3f}"),
    ("SSC_n", "{ssc_n:.3f}"),
    ("n", "n"),
]

PEERS_NOTE = (
    "EvaLoop's Average Sustainable Loops (sum of k^2 / (trials x N), k = cycles survived, range "
    "0..N) and IdentityChain's SC_n / SSC_n (share of trials whose cycles 1..n all behaved like "
    "the code before them / also passed; n = min(5, N)), per group, over scored trials. "
    "Definitions, sources and where the protocols differ: docs/peer_metrics.md."
)


def peer_history(cycle_rows: Sequence[Row]) -> list[Cycle]:
    """A trial's cycle records as `roundtrip_eval.eval.peers` reads them (`passed`, `consistent`),
    rebuilt from its cycle rows (an export written before `consistent` had a column keeps it in
    `extra_json`)."""
    history = []
    for c in sorted(cycle_rows, key=lambda r: int(r["cycle"])):
        extra = json.loads(c["extra_json"]) if c.get("extra_json") else {}
        consistent = c["consistent"] if c.get("consistent") is not None else extra.get("consistent")
        history.append(Cycle(cycle=int(c["cycle"]), passed=bool(c["passed"]), consistent=consistent))
    return history


def peer_rows(trials: Sequence[Row], cycles: Sequence[Row]) -> list[Row]:
    """EvaLoop's ASL and IdentityChain's SC_n / SSC_n per group (model x problem x configuration),
    computed by the pure functions of `roundtrip_eval.eval.peers`, the same ones the eval's `peers`
    scorer uses. SC_n / SSC_n are empty for logs that recorded no per-cycle consistency."""
    by_trial: dict[tuple[Any, ...], list[Row]] = {}
    for c in cycles:
        by_trial.setdefault((c["eval_id"], c["sample_id"], c["epoch"]), []).append(c)
    out = []
    for members in group_by(trials, GROUP_COLUMNS).values():
        counted = scored(members)
        histories = [
            peer_history(by_trial.get((t["eval_id"], t["sample_id"], t["epoch"]), [])) for t in counted
        ]
        n_cycles = int(members[0]["n_cycles"])
        n = peers.chain_length(n_cycles)
        recorded = all(r.consistent is not None for h in histories for r in h)
        values = peers.peer_metrics(histories, n_cycles, n)
        first = members[0]
        row = {
            **{k: first[k] for k in ("model", "g_model", "f_model", "problem", "config_key", "config")},
            "scored": len(counted),
            "max_loops": n_cycles,
            "asl": values["asl"],
            "n": n,
            "sc_n": values[f"sc_{n}"] if recorded else None,
            "ssc_n": values[f"ssc_{n}"] if recorded else None,
        }
        out.append({k: clean(v) for k, v in row.items()})
    return out


# --- summary ------------------------------------------------------------------------------


def summary_markdown(
    report: Report, source: str, warnings: Sequence[str], peer_table: Sequence[Row] = ()
) -> str:
    t = report.totals
    lines = [
        "# Round-trip survival report",
        "",
        f"Source: `{source}` — {t['logs']} eval(s), {t['trials']} trial(s) in {t['groups']} group(s) "
        f"(model x problem x configuration), {t['configurations']} configuration(s), "
        f"{t['models']} model(s), {t['cycles']} cycle(s).",
        "",
        f"- Scored trials: {t['scored']}. Infrastructure errors (never counted in survival): "
        f"{t['infra_errors']}.",
        f"- Censored trials (stopped early with no failing cycle; counted as surviving only "
        f"the cycles they were observed in): {t['censored']}.",
        "- survival@k = trials known to pass cycles 1..k / scored trials; intervals are Wilson "
        "95%. Hazard(i) = failures at cycle i / trials observed at cycle i.",
        "- Runs that differ in any setting (language, spec format, extraction, N, temperature, "
        "prompt set, ...) are separate groups and are never pooled.",
        "",
    ]
    if warnings:
        lines += [f"**Warnings** ({len(warnings)}):", ""] + [f"- {w}" for w in warnings[:20]] + [""]
    lines += [
        "## Survival",
        "",
        "![survival curves](survival_curves.png)",
        "",
        "The curves alone: [survival_curves.html](survival_curves.html) "
        "(Vega-Lite spec: `survival_curves.vl.json`). Per-cycle numbers: `curves.csv`.",
        "",
        markdown_table(report.survival, SURVIVAL_COLUMNS),
        "## Known vs novel",
        "",
        "Known minus novel twins under the same model and configuration, as "
        "docs/generalization_plan.md fixes it: the gap in mean cycles survived and in survival@3, "
        "pooled over the pairs run and per pair; seeded 95% percentile bootstrap over trials "
        "within each side, two-sided Fisher exact p on survival@3.",
        "",
        markdown_table(report.gap, GAP_COLUMNS),
        "## Drift: category of the first failing cycle",
        "",
        counts_markdown(report.drift),
    ]
    if report.blame:
        lines += ["## Blame", "", counts_markdown(report.blame)]
    lines += ["## Extraction rules (code replies)", "", counts_markdown(report.extraction)]
    if peer_table:
        lines += ["## Peer metrics", "", PEERS_NOTE, "", markdown_table(peer_table, PEER_COLUMNS)]
    return "\n".join(lines)


def write_report(
    report: Report,
    out: Path,
    source: str,
    warnings: Sequence[str] = (),
    figures: bool = True,
    trials: Sequence[Row] = (),
    cycles: Sequence[Row] = (),
    comparison: Comparison | None = None,
) -> dict[str, Path]:
    """Write every report file into `out`; returns {name: path}.

    `trials` and `cycles` (the rows the report was built from) add the run configurations and
    the peer metrics (`configurations.csv`, `peers.csv`, and their sections in summary.md and
    index.html); without them those parts are empty or say why.
    """
    out.mkdir(parents=True, exist_ok=True)
    configurations = configuration_rows(trials)
    peer_table = peer_rows(trials, cycles) if trials and cycles else []
    files: dict[str, Path] = {}
    for name, rows in (
        ("survival", report.survival),
        ("curves", report.curves),
        ("gap", report.gap),
        ("drift", report.drift),
        ("blame", report.blame),
        ("extraction", report.extraction),
        ("peers", peer_table),
    ):
        files[f"{name}.csv"] = write_csv(rows, out / f"{name}.csv")
    markdown = {
        "survival.md": markdown_table(report.survival, SURVIVAL_COLUMNS),
        "gap.md": markdown_table(report.gap, GAP_COLUMNS),
        "drift.md": counts_markdown(report.drift),
        "blame.md": counts_markdown(report.blame),
        RESULTS_FILE: results_markdown(report),
        "summary.md": summary_markdown(report, source, warnings, peer_table),
    }
    for name, text in markdown.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        files[name] = path
    files["degradation.csv"] = write_degradation(report.degradation, out / "degradation.csv")
    points = curve_points(report)
    spec = vega_lite_spec(points)
    files["survival_curves.vl.json"] = out / "survival_curves.vl.json"
    files["survival_curves.vl.json"].write_text(json.dumps(spec, indent=1), encoding="utf-8")
    files["survival_curves.html"] = out / "survival_curves.html"
    files["survival_curves.html"].write_text(curves_page(points, "Round-trip survival"), encoding="utf-8")
    files["configurations.csv"] = write_csv(
        [{**c, "settings": json.dumps(c["settings"], sort_keys=True)} for c in configurations],
        out / "configurations.csv",
    )
    if figures:
        for path in plot_curves(points, out):
            files[path.relative_to(out).as_posix()] = path
    compared = ""
    if comparison is not None:
        files["compare.md"] = out / "compare.md"
        files["compare.md"].write_text(comparison_markdown(comparison), encoding="utf-8")
        overlay = curve_trials(comparison)
        both = Report(survival_table(overlay), curve_table(overlay), [], [], [], [], [])
        compared = comparison_html(comparison, curve_points(both))
    page = report_page(
        report,
        points,
        source,
        warnings,
        comparison=compared,
        configurations=configurations,
        peers=peer_table or None,
        peer_columns=PEER_COLUMNS,
        peers_note=PEERS_NOTE if peer_table else "Not computed: no trial and cycle rows given.",
        files=sorted(files),
        file_notes=FILE_NOTES,
    )
    files["index.html"] = out / "index.html"
    files["index.html"].write_text(page, encoding="utf-8")
    return files


def headline_lines(report: Report) -> list[str]:
    """The pooled known-vs-novel gaps in one line each, as the command prints them."""
    return [
        f"known vs novel, {g['model']} ({g['config']}): mean cycles survived {g['gap']:+.2f} "
        f"[95% CI {g['gap_low']:+.2f}, {g['gap_high']:+.2f}]; survival@{g['at']} {g['gap_at']:+.2f} "
        f"[{g['gap_at_low']:+.2f}, {g['gap_at_high']:+.2f}], Fisher p {g['fisher_p']:.3g} "
        f"({g['known_n']} / {g['novel_n']} trials)"
        for g in report.gap
        if g["pair"] == "pooled"
    ]


def run_report(
    source: Path,
    out: Path,
    progress: bool = True,
    seed: int = 0,
    echo: Callable[[str], None] | None = None,
    compare_with: Path | None = None,
) -> dict[str, Path]:
    """Load rows from `source`, build the report and write it to `out`.

    The figures need matplotlib (the `analysis` extra): that is checked once the source has
    given rows (so a wrong folder is still named first) and before anything is written. With
    `compare_with`, the report also compares `source` (A) with it (B): compare.md and a section
    of index.html (`compare.py`, the same numbers as `roundtrip-eval compare`).
    """
    comparison = compare_sources(source, compare_with, seed=seed) if compare_with else None
    trials, cycles, warnings = load_rows(source, progress=progress)
    require("matplotlib", "`roundtrip-eval report` (its figures)")
    trials = newest_copies(trials)
    report = build_report(trials, cycles, seed=seed)
    if echo is not None:
        for line in headline_lines(report):
            echo(line)
    return write_report(
        report, out, source.name or str(source), warnings, trials=trials, cycles=cycles, comparison=comparison
    )
