"""The report's survival curves: plot data, a Vega-Lite spec and page, and matplotlib PNGs.

Why two renderings: the Vega-Lite spec (`survival_curves.vl.json`, data inline) and its HTML
page need nothing installed and stay interactive; the PNGs are what a README or a paper embeds
and need matplotlib (the `analysis` extra), imported only in `plot_curves`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.aggregate import Report
from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.extra import require

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

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


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:120] or "group"


def plot_curves(points: Sequence[Row], out: Path) -> list[Path]:
    """The overview PNG and one PNG per group (matplotlib, Agg backend)."""
    require("matplotlib", "`roundtrip-eval report` (its figures)")
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
