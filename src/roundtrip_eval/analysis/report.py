"""`roundtrip-eval report LOGDIR -o OUTDIR`: figures, tables and a summary from many logs.

LOGDIR is a folder of Inspect logs (`.eval` and `.json`, searched recursively) or a folder
written by `roundtrip-eval export`; both give the same report, because both are turned into
the same rows first and every number is computed from rows (aggregate.py).

Writes into OUTDIR:
  survival_curves.png            every group's survival curve, one panel per problem x config
  survival_curves.vl.json        the same as a standalone Vega-Lite spec (data inline)
  survival_curves.html           a page embedding that spec (vega-embed from a CDN)
  curves/<group>.png             one figure per model x problem x configuration
  survival.csv / survival.md     survival@1, survival@N (Wilson 95%), mean cycles, hazard
  curves.csv                     per group and cycle: at risk, failures, censored, survival
  gap.csv / gap.md               known vs novel survival@N: bootstrap CI and Fisher p
  drift.csv / drift.md           category of the first failing cycle
  blame.csv / blame.md           g-or-f blame, when a `blame` score exists
  extraction.csv                 extraction rules that fired
  degradation.csv                the study's per-cycle survival shape (percent)
  summary.md                     what was read and the tables above, in one page
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.aggregate import Report, build_report
from roundtrip_eval.analysis.export import find_export, load_export, write_degradation
from roundtrip_eval.analysis.rows import LogReadError, Row, read_rows

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
VEGA_EMBED = [
    "https://cdn.jsdelivr.net/npm/vega@5",
    "https://cdn.jsdelivr.net/npm/vega-lite@5",
    "https://cdn.jsdelivr.net/npm/vega-embed@6",
]


def load_rows(source: Path, progress: bool = True) -> tuple[list[Row], list[Row], list[str]]:
    """Rows from a log folder or an export folder; raises LogReadError when there are none.

    Returns (trials, cycles, warnings) where warnings name unreadable files.
    """
    if source.is_dir() and find_export(source) is not None:
        trials, cycles = load_export(source)
        return trials, cycles, []
    trials, cycles, skipped = read_rows(source, progress=progress)
    warnings = [f"skipped {path}: {why}" for path, why in skipped]
    if not trials:
        if skipped:
            raise LogReadError(
                f"{source}: none of its {len(skipped)} log file(s) could be read "
                f"(first: {skipped[0][0].name}: {skipped[0][1]})"
            )
        raise LogReadError(
            f"{source}: no Inspect logs (.eval/.json) with roundtrip-eval trials found; "
            "point it at a log directory or at a folder written by `roundtrip-eval export`"
        )
    return trials, cycles, warnings


# --- tables -------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def write_csv(rows: Sequence[Row], path: Path) -> Path:
    """Rows as CSV; the columns are every key, in order of first appearance."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return path


def markdown_table(rows: Sequence[Row], columns: Sequence[tuple[str, str]]) -> str:
    """A GitHub-flavoured Markdown table; `columns` = (header, key or format template)."""
    if not rows:
        return "_(none)_\n"
    lines = [
        "| " + " | ".join(h for h, _ in columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    for row in rows:
        cells = []
        for _, key in columns:
            if "{" in key:
                cells.append(key.format_map(_Formatter(row)))
            else:
                cells.append(_cell(row.get(key)))
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


class _Formatter(dict[str, Any]):
    """format_map helper: missing/None values print as empty, floats as given."""

    def __init__(self, row: Row) -> None:
        super().__init__({k: _Blank() if v is None else v for k, v in row.items()})

    def __missing__(self, key: str) -> Any:
        return _Blank()


class _Blank:
    def __format__(self, spec: str) -> str:
        return "–"


def _pct(key: str) -> str:
    return "{" + key + "_k}/{scored} = {" + key + "_rate:.1%} [{" + key + "_low:.1%}, {" + key + "_high:.1%}]"


CONFIG_CELL = "{config} #{config_key}"
"""A configuration in tables: its label and its key (labels can coincide, keys cannot)."""

SURVIVAL_COLUMNS = [
    ("model", "model"),
    ("problem", "problem"),
    ("config", CONFIG_CELL),
    ("trials", "trials"),
    ("infra errors", "infra_errors"),
    ("censored", "censored"),
    ("survival@1 [Wilson 95%]", _pct("survival_at_1")),
    ("survival@N [Wilson 95%]", _pct("survival_at_n")),
    ("mean cycles", "{mean_cycles_survived:.2f}"),
    ("hazard per cycle", "hazard"),
]

GAP_COLUMNS = [
    ("model", "model"),
    ("config", CONFIG_CELL),
    ("known", "known"),
    ("survival@N known", "{known_k}/{known_n} = {known_rate:.1%}"),
    ("novel", "novel"),
    ("survival@N novel", "{novel_k}/{novel_n} = {novel_rate:.1%}"),
    ("gap [bootstrap 95%]", "{gap:+.1%} [{gap_low:+.1%}, {gap_high:+.1%}]"),
    ("Fisher p", "{fisher_p:.3g}"),
]


def counts_markdown(rows: Sequence[Row]) -> str:
    """Counts as one row per group, one column per value."""
    if not rows:
        return "_(none)_\n"
    values: list[str] = []
    groups: dict[tuple[Any, ...], Row] = {}
    for r in rows:
        if r["value"] not in values:
            values.append(r["value"])
        key = (r["model"], r["problem"], r["config_key"])
        config = f"{r['config']} #{r['config_key']}"
        groups.setdefault(
            key, {"model": r["model"], "problem": r["problem"], "config": config, "of": r["of"]}
        )
        groups[key][r["value"]] = r["count"]
    columns = [("model", "model"), ("problem", "problem"), ("config", "config")]
    columns += [(v, v) for v in values] + [("of", "of")]
    return markdown_table(list(groups.values()), columns)


# --- figures ------------------------------------------------------------------------------


def _panel(row: Row) -> str:
    return f"{row['problem']} | {row['config']} #{row['config_key']}"


def _group_label(row: Row) -> str:
    model = str(row["model"])
    if row.get("g_model") not in (None, row["model"]) or row.get("f_model") not in (None, row["model"]):
        model = f"g={row['g_model']} f={row['f_model']}"
    return model


def curve_points(report: Report) -> list[Row]:
    """Plot data: cycle 0 (everyone alive) then every cycle, per group."""
    points: list[Row] = []
    seen: set[tuple[Any, ...]] = set()
    columns = ("model", "g_model", "f_model", "problem", "config_key")
    censored = {tuple(r[c] for c in columns): r["censored"] for r in report.survival}
    for row in report.curves:
        key = tuple(row[c] for c in columns)
        base = {
            "model": _group_label(row),
            "problem": row["problem"],
            "panel": _panel(row),
            "config_key": row["config_key"],
        }
        if key not in seen:
            seen.add(key)
            points.append(
                {
                    **base,
                    "cycle": 0,
                    "survival": 1.0,
                    "low": 1.0,
                    "high": 1.0,
                    "n": row["n"],
                    "survivors": row["n"],
                    "censored": 0,
                    "censored_total": censored.get(key, 0),
                }
            )
        points.append(
            {
                **base,
                "cycle": row["cycle"],
                "survival": row["survival"],
                "low": row["survival_low"],
                "high": row["survival_high"],
                "n": row["n"],
                "survivors": row["survivors"],
                "censored": row["censored"],
            }
        )
    return points


def vega_lite_spec(points: Sequence[Row]) -> dict[str, Any]:
    """A standalone Vega-Lite spec (data inline): survival vs cycle, Wilson band, per panel."""
    encoding_x = {"field": "cycle", "type": "quantitative", "title": "cycle", "axis": {"tickMinStep": 1}}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "roundtrip-eval survival curves (survival@k with Wilson 95% bands)",
        "data": {"values": list(points)},
        "facet": {"field": "panel", "type": "nominal", "title": None},
        "columns": 2,
        "resolve": {"scale": {"color": "shared"}},
        "spec": {
            "width": 320,
            "height": 200,
            "layer": [
                {
                    "mark": {"type": "area", "opacity": 0.15, "interpolate": "step-after"},
                    "encoding": {
                        "x": encoding_x,
                        "y": {"field": "low", "type": "quantitative"},
                        "y2": {"field": "high"},
                        "color": {"field": "model", "type": "nominal"},
                    },
                },
                {
                    "mark": {"type": "line", "point": True, "interpolate": "step-after"},
                    "encoding": {
                        "x": encoding_x,
                        "y": {
                            "field": "survival",
                            "type": "quantitative",
                            "title": "survival@k",
                            "scale": {"domain": [0, 1]},
                            "axis": {"format": "%"},
                        },
                        "color": {"field": "model", "type": "nominal"},
                        "tooltip": [
                            {"field": "model"},
                            {"field": "problem"},
                            {"field": "cycle"},
                            {"field": "survival", "format": ".1%"},
                            {"field": "survivors"},
                            {"field": "censored"},
                            {"field": "n"},
                        ],
                    },
                },
            ],
        },
    }


def vega_html(spec: dict[str, Any], title: str) -> str:
    scripts = "\n".join(f'    <script src="{url}"></script>' for url in VEGA_EMBED)
    payload = json.dumps(spec).replace("</", "<\\/")
    return f"""<!doctype html>
<html>
  <head>
    <meta charset="utf-8">
    <title>{title}</title>
{scripts}
  </head>
  <body>
    <h1>{title}</h1>
    <p>Survival@k per cycle with Wilson 95% bands. The same spec stands alone in
    <code>survival_curves.vl.json</code>.</p>
    <div id="chart"></div>
    <script>
      const spec = {payload};
      vegaEmbed("#chart", spec, {{"actions": true}});
    </script>
  </body>
</html>
"""


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:120] or "group"


def plot_curves(points: Sequence[Row], out: Path) -> list[Path]:
    """The overview PNG and one PNG per group (matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    panels: dict[str, dict[str, list[Row]]] = {}
    for p in points:
        panels.setdefault(p["panel"], {}).setdefault(f"{p['model']}#{p['config_key']}", []).append(p)
    ncols = 2 if len(panels) > 1 else 1
    nrows = (len(panels) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(7 * ncols, 3.6 * nrows), squeeze=False)
    for ax, (panel, lines) in zip(axes.flat, panels.items(), strict=False):
        for series in lines.values():
            _draw(ax, series)
        ax.set_title(_wrap(panel), fontsize=8)
        ax.legend(fontsize=7, loc="lower left")
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    fig.tight_layout()
    path = out / "survival_curves.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)
    (out / "curves").mkdir(exist_ok=True)
    for panel, lines in panels.items():
        for series in lines.values():
            fig, ax = plt.subplots(figsize=(6, 3.6))
            _draw(ax, series)
            ax.set_title(_wrap(f"{series[0]['model']} | {panel}"), fontsize=8)
            ax.legend(fontsize=7, loc="lower left")
            fig.tight_layout()
            name = slug(f"{series[0]['model']}_{series[0]['problem']}_{series[0]['config_key']}")
            path = out / "curves" / f"{name}.png"
            fig.savefig(path, dpi=100)
            plt.close(fig)
            written.append(path)
    return written


def _wrap(title: str, width: int = 80) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(title, width)) or title


def _draw(ax: Any, series: Sequence[Row]) -> None:
    x = [p["cycle"] for p in series]
    y = [p["survival"] for p in series]
    low = [p["low"] if p["low"] is not None else 0.0 for p in series]
    high = [p["high"] if p["high"] is not None else 1.0 for p in series]
    n = series[-1]["n"]
    censored = int(series[0].get("censored_total") or 0)
    label = f"{series[0]['model']} (n={n}" + (f", {censored} censored)" if censored else ")")
    (line,) = ax.step(x, y, where="post", marker="o", markersize=3, label=label)
    ax.fill_between(x, low, high, step="post", alpha=0.15, color=line.get_color())
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("cycle")
    ax.set_ylabel("survival@k")
    ax.set_xticks(x)


# --- summary ------------------------------------------------------------------------------


def summary_markdown(report: Report, source: str, warnings: Sequence[str]) -> str:
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
        "Interactive: [survival_curves.html](survival_curves.html) "
        "(Vega-Lite spec: `survival_curves.vl.json`). Per-cycle numbers: `curves.csv`.",
        "",
        markdown_table(report.survival, SURVIVAL_COLUMNS),
        "## Known vs novel",
        "",
        "Survival@N of known minus novel problems under the same model and configuration; "
        "95% percentile bootstrap over trials, two-sided Fisher exact p.",
        "",
        markdown_table(report.gap, GAP_COLUMNS),
        "## Drift: category of the first failing cycle",
        "",
        counts_markdown(report.drift),
    ]
    if report.blame:
        lines += ["## Blame", "", counts_markdown(report.blame)]
    lines += ["## Extraction rules (code replies)", "", counts_markdown(report.extraction)]
    return "\n".join(lines)


def write_report(
    report: Report, out: Path, source: str, warnings: Sequence[str] = (), figures: bool = True
) -> dict[str, Path]:
    """Write every report file into `out`; returns {name: path}."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for name, rows in (
        ("survival", report.survival),
        ("curves", report.curves),
        ("gap", report.gap),
        ("drift", report.drift),
        ("blame", report.blame),
        ("extraction", report.extraction),
    ):
        files[f"{name}.csv"] = write_csv(rows, out / f"{name}.csv")
    markdown = {
        "survival.md": markdown_table(report.survival, SURVIVAL_COLUMNS),
        "gap.md": markdown_table(report.gap, GAP_COLUMNS),
        "drift.md": counts_markdown(report.drift),
        "blame.md": counts_markdown(report.blame),
        "summary.md": summary_markdown(report, source, warnings),
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
    files["survival_curves.html"].write_text(vega_html(spec, "Round-trip survival"), encoding="utf-8")
    if figures:
        for path in plot_curves(points, out):
            files[path.relative_to(out).as_posix()] = path
    return files


def run_report(source: Path, out: Path, progress: bool = True, seed: int = 0) -> dict[str, Path]:
    """Load rows from `source`, build the report and write it to `out`."""
    trials, cycles, warnings = load_rows(source, progress=progress)
    report = build_report(trials, cycles, seed=seed)
    return write_report(report, out, source.name or str(source), warnings)
