"""The whole published study, rescored: the files and summary sections beyond markdown.py's.

`write_study` writes, next to the comparison tables:
- `published_check.csv/.md`: every row of the study's `analysis_with_ci.csv` against our
  reading of raw/ under the original's rules (published.py), exceptions first, and which batch
  reproduces each curve of the paper's Figure 2;
- `configurations.csv/.md`: published vs rescored per study configuration;
- `models.csv/.md`: the same per model;
- `factors.md`: the slices the paper's claims rest on (language, extraction mode, spec format
  and prompt style, task, runs per configuration);
- `curves.csv` and `curves/`: survival per cycle per model and task (curves.py);
- `skipped.csv`: every folder that was not a readable trial, with its reason.
It returns those files and the Markdown sections that close `summary.md`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.extra import MissingExtraError, require
from roundtrip_eval.analysis.rescore import published as pub
from roundtrip_eval.analysis.rescore.curves import write_curves
from roundtrip_eval.analysis.rescore.published import FIGURE_CONFIG
from roundtrip_eval.analysis.rescore.tables import (
    NOVEL_TASK,
    configuration_table,
    factor_table,
    model_table,
    published_vs_rescored_curves,
)
from roundtrip_eval.analysis.tables import markdown_table, write_csv
from roundtrip_eval.analysis.upstream import Skipped, UpstreamTrial

OUTCOME_COLUMNS = [
    ("trials", "trials"),
    (
        "published survival@N [Wilson 95%]",
        "{published_survived}/{trials} [{published_low:.0%}, {published_high:.0%}]",
    ),
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
]
MODEL_COLUMNS = [
    ("model", "model"),
    ("tasks", "tasks"),
    ("configs", "configurations"),
    *OUTCOME_COLUMNS[:6],
    ("genuine (spec was the code)", "{n_genuine} ({n_genuine_spec_rule})"),
    *OUTCOME_COLUMNS[7:],
]
CONFIG_COLUMNS = [
    ("model", "model"),
    ("task", "task"),
    ("n", "n_type"),
    ("mode", "mode"),
    ("lang", "language"),
    ("spec", "spec_format"),
    ("style", "prompt_style"),
    *OUTCOME_COLUMNS,
]
CHECK_COLUMNS = [
    ("configuration (the study's spelling)", "configuration"),
    ("status", "status"),
    ("published", "published"),
    ("raw/ under its rules", "ours"),
    ("why", "reason"),
]
FACTORS: list[tuple[str, tuple[str, ...], bool, str]] = [
    # (title, grouping, only the paper's configuration (pseudocode + hyper_guided), and a value
    # of the grouping's last column that a group must have run to be shown)
    ("Known vs novel task, per model and language", ("model", "language", "task"), True, NOVEL_TASK),
    ("Language, per model and task (pseudocode + hyper_guided)", ("model", "task", "language"), True, "ja"),
    ("Language, per model and task (every configuration)", ("model", "task", "language"), False, "ja"),
    (
        "Extraction mode (strict vs forgiving), per model and task",
        ("model", "task", "mode"),
        False,
        "forgiving",
    ),
    ("Runs per configuration (n=03 vs n=30 batches), per model", ("model", "task", "n_type"), False, "n=30"),
    ("Task, per model (every configuration)", ("model", "task"), False, "fizzbuzz"),
    ("Spec format and prompt style, per task", ("task", "spec_format", "prompt_style"), False, ""),
]


def check_rows(results: Sequence[pub.Consistency]) -> list[Row]:
    """The consistency check as table rows, exceptions first."""

    def cell(t: pub.Tally | None) -> str:
        return "" if t is None else f"{t.successes}/{t.trials}"

    ordered = sorted(results, key=lambda r: (r.status == pub.MATCH, r.key))
    return [
        {
            "configuration": r.key.label(),
            "status": r.status,
            "published": cell(r.published),
            "ours": cell(r.ours),
            "reason": r.reason,
        }
        for r in ordered
    ]


def check_markdown(results: Sequence[pub.Consistency], figure: dict[tuple[str, str, str], list[str]]) -> str:
    counts = {s: sum(1 for r in results if r.status == s) for s in (pub.MATCH, pub.NO_RAW, pub.DIFFERS)}
    table_rows = sum(1 for r in results if r.published is not None)
    exceptions = [r for r in check_rows(results) if r["status"] != pub.MATCH]
    lines = [
        "## Our reading of the data reproduces the study's own table",
        "",
        f"Of the {table_rows} rows of `published/analysis_with_ci.csv`, {counts[pub.MATCH]} are "
        "reproduced exactly from raw/ under the original's rules (successes, trials and the "
        f"Wilson interval); {counts[pub.NO_RAW]} have no raw data; {counts[pub.DIFFERS]} differ. "
        f"{sum(1 for r in results if r.status == pub.NOT_PUBLISHED)} raw configurations have no row.",
        "",
        markdown_table(exceptions, CHECK_COLUMNS) if exceptions else "No exceptions.\n",
    ]
    if figure:
        reproduced = sum(1 for batches in figure.values() if batches)
        lines += [
            f"The paper's Figure 2 (`degradation_data.csv`): {reproduced} of {len(figure)} curves are "
            "reproduced by one batch's pseudocode + hyper_guided trials "
            "(survival@c = cycles_completed >= c):",
            "",
            markdown_table(
                [
                    {"curve": " ".join(k), "batches": ", ".join(v) or "none reproduces it"}
                    for k, v in sorted(figure.items())
                ],
                [("curve", "curve"), ("reproduced by", "batches")],
            ),
        ]
    return "\n".join(lines)


def factors_markdown(rows: Sequence[Row]) -> str:
    """The slices the paper's claims rest on, each a table (only groups the claim is about)."""
    parts = ["# The study's claims, slice by slice", ""]
    for title, by, figure_only, needed in FACTORS:
        chosen = [
            r
            for r in rows
            if not figure_only or (r.get("spec_format"), r.get("prompt_style")) == FIGURE_CONFIG
        ]
        table = factor_table(chosen, by)
        if needed:  # only groups that also ran `needed` in the last column
            have = {tuple(r[c] for c in by[:-1]) for r in table if r[by[-1]] == needed}
            table = [r for r in table if tuple(r[c] for c in by[:-1]) in have]
        parts += [f"## {title}", "", markdown_table(table, [(c, c) for c in by] + OUTCOME_COLUMNS)]
    return "\n".join(parts)


def write_study(
    out: Path,
    rows: Sequence[Row],
    root: Path,
    trials: Sequence[UpstreamTrial],
    skipped: Sequence[Skipped] = (),
) -> tuple[dict[str, Path], list[str]]:
    """Every whole-study file into `out`; returns ({name: path}, summary sections)."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    sections: list[str] = []
    published = pub.read_published(root)
    if published:
        results = pub.check_published(published, trials)
        figure = pub.figure_sources(pub.read_figure(root), trials)
        files["published_check.csv"] = write_csv(check_rows(results), out / "published_check.csv")
        check = check_markdown(results, figure)
        files["published_check.md"] = out / "published_check.md"
        files["published_check.md"].write_text(check, encoding="utf-8")
        sections.append(check)
    models = model_table(rows)
    configurations = configuration_table(rows)
    files["models.csv"] = write_csv(models, out / "models.csv")
    files["configurations.csv"] = write_csv(configurations, out / "configurations.csv")
    models_md = "\n".join(
        [
            "## Per model",
            "",
            "Every configuration of a model pooled (KM pools them too: read it per configuration "
            "in `configurations.md`).",
            "",
            markdown_table(models, MODEL_COLUMNS),
        ]
    )
    files["models.md"] = out / "models.md"
    files["models.md"].write_text(models_md, encoding="utf-8")
    files["configurations.md"] = out / "configurations.md"
    files["configurations.md"].write_text(
        "# Published vs rescored, per study configuration\n\n"
        + markdown_table(configurations, CONFIG_COLUMNS),
        encoding="utf-8",
    )
    files["factors.md"] = out / "factors.md"
    files["factors.md"].write_text(factors_markdown(rows), encoding="utf-8")
    points = published_vs_rescored_curves(rows)
    files["curves.csv"] = write_csv(points, out / "curves.csv")
    try:
        require("matplotlib", "the rescored study's PNG curves")
        png = True
    except MissingExtraError as exc:
        sections.append(f"_{exc}; the curves are written as Vega-Lite only._\n")
        png = False
    files.update(write_curves(points, out, png=png))
    files["skipped.csv"] = out / "skipped.csv"
    if skipped:
        write_csv([{"folder": s.path, "reason": s.reason} for s in skipped], files["skipped.csv"])
    else:
        files["skipped.csv"].write_text("folder,reason\n", encoding="utf-8")
    sections += [
        models_md,
        "Per configuration: `configurations.md`; the claims' slices: `factors.md`; survival per "
        "cycle per model and task, published next to rescored: `survival_curves.png`, "
        f"`curves/` (PNG and Vega-Lite); skipped folders: {len(skipped)} (`skipped.csv`).\n",
    ]
    return files, sections
