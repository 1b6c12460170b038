"""The rescored study's survival curves: published next to rescored, per model and task.

Three lines per panel, from `tables.published_vs_rescored_curves`: the study's own verdicts
(`published`), ours counting only trials known to survive (`rescored`: a censored trial stops
counting after its last observed cycle), and the Kaplan-Meier estimate of ours (which assumes censoring is
unrelated to the outcome). Between the two rescored lines lies what the censored trials could
still have done.

Each panel is written as a Vega-Lite spec (data inline, needs nothing installed) and, with the
`analysis` extra, a PNG; `curves/all.vl.json` and `survival_curves.png` hold every panel.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.figures import VEGA_LITE_SCHEMA, slug

SERIES = (
    ("published", "published (the study's verdicts)"),
    ("rescored", "rescored (known survivors)"),
    ("rescored_km", "rescored, Kaplan-Meier"),
)


def panel_of(point: Row) -> str:
    return f"{point['model']} | {point['task']}"


def long_points(points: Sequence[Row]) -> list[Row]:
    """One value per series and cycle, the shape Vega-Lite colours by."""
    out = []
    for p in points:
        for key, label in SERIES:
            row: Row = {
                "panel": panel_of(p),
                "cycle": p["cycle"],
                "series": label,
                "survival": p[key],
                "n": p["n"],
            }
            if key != "rescored_km":
                row.update(low=p[f"{key}_low"], high=p[f"{key}_high"])
            out.append(row)
    return out


def curve_spec(points: Sequence[Row], title: str) -> dict[str, Any]:
    """A standalone Vega-Lite spec: survival@k per cycle, one facet per model and task."""
    x = {"field": "cycle", "type": "quantitative", "title": "cycle", "axis": {"tickMinStep": 1}}
    color = {"field": "series", "type": "nominal", "title": None}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "description": "survival@k per cycle: the study's verdicts vs roundtrip-eval's (Wilson 95% bands)",
        "data": {"values": long_points(points)},
        "facet": {"field": "panel", "type": "nominal", "title": None},
        "columns": 4,
        "spec": {
            "width": 220,
            "height": 150,
            "layer": [
                {
                    "mark": {"type": "area", "opacity": 0.12, "interpolate": "step-after"},
                    "encoding": {
                        "x": x,
                        "y": {"field": "low", "type": "quantitative"},
                        "y2": {"field": "high"},
                        "color": color,
                    },
                },
                {
                    "mark": {"type": "line", "point": True, "interpolate": "step-after"},
                    "encoding": {
                        "x": x,
                        "y": {
                            "field": "survival",
                            "type": "quantitative",
                            "title": "survival@k",
                            "scale": {"domain": [0, 1]},
                            "axis": {"format": "%"},
                        },
                        "color": color,
                        "strokeDash": {"field": "series", "type": "nominal", "legend": None},
                        # the published line wide and pale, so that it shows where it agrees
                        "strokeWidth": {
                            "condition": {"test": f"datum.series == '{SERIES[0][1]}'", "value": 5},
                            "value": 1.5,
                        },
                        "opacity": {
                            "condition": {"test": f"datum.series == '{SERIES[0][1]}'", "value": 0.4},
                            "value": 1,
                        },
                        "tooltip": [
                            {"field": "panel"},
                            {"field": "series"},
                            {"field": "cycle"},
                            {"field": "survival", "format": ".1%"},
                            {"field": "n"},
                        ],
                    },
                },
            ],
        },
    }


def _panels(points: Sequence[Row]) -> dict[str, list[Row]]:
    panels: dict[str, list[Row]] = {}
    for p in points:
        panels.setdefault(panel_of(p), []).append(p)
    return panels


def write_curves(points: Sequence[Row], out: Path, png: bool = True) -> dict[str, Path]:
    """curves/<model>__<task>.vl.json (and .png), curves/all.vl.json, survival_curves.png."""
    folder = out / "curves"
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    panels = _panels(points)
    title = "Survival per cycle: the study's verdicts vs rescored"
    files["curves/all.vl.json"] = folder / "all.vl.json"
    files["curves/all.vl.json"].write_text(json.dumps(curve_spec(points, title)), encoding="utf-8")
    for panel, series in panels.items():
        name = slug(f"{series[0]['model']}__{series[0]['task']}")
        path = folder / f"{name}.vl.json"
        path.write_text(json.dumps(curve_spec(series, panel)), encoding="utf-8")
        files[f"curves/{name}.vl.json"] = path
    if png:
        files.update(_plot(panels, out))
    return files


def _plot(panels: dict[str, list[Row]], out: Path) -> dict[str, Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = {}
    ncols = 4
    nrows = (len(panels) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.9 * nrows), squeeze=False)
    for ax, (panel, series) in zip(axes.flat, panels.items(), strict=False):
        _draw(ax, panel, series)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=3, fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / max(nrows, 1) / 2.9))
    files["survival_curves.png"] = out / "survival_curves.png"
    fig.savefig(files["survival_curves.png"], dpi=90)
    plt.close(fig)
    for panel, series in panels.items():
        fig, ax = plt.subplots(figsize=(6, 3.6))
        _draw(ax, panel, series)
        ax.legend(fontsize=7, loc="lower left")
        fig.tight_layout()
        name = slug(f"{series[0]['model']}__{series[0]['task']}")
        files[f"curves/{name}.png"] = out / "curves" / f"{name}.png"
        fig.savefig(files[f"curves/{name}.png"], dpi=100)
        plt.close(fig)
    return files


def _draw(ax: Any, panel: str, series: Sequence[Row]) -> None:
    x = [p["cycle"] for p in series]
    # The published line is drawn wide and pale underneath: where the study's verdicts and the
    # known survivors agree (a censored trial stops counting where the study failed it), it
    # shows as a halo around the rescored line.
    published = [p["published"] for p in series]
    ax.step(x, published, where="post", color="tab:orange", linewidth=5, alpha=0.35, label=SERIES[0][1])
    rescored = [p["rescored"] for p in series]
    ax.step(x, rescored, where="post", color="tab:blue", marker="o", markersize=2, label=SERIES[1][1])
    low, high = [p["rescored_low"] for p in series], [p["rescored_high"] for p in series]
    ax.fill_between(x, low, high, step="post", alpha=0.12, color="tab:blue")
    km = [p["rescored_km"] for p in series]
    ax.step(
        x, km, where="post", linestyle=":", color="tab:blue", marker="o", markersize=2, label=SERIES[2][1]
    )
    censored = int(series[0].get("censored_total") or 0)
    ax.set_title(f"{panel} (n={series[-1]['n']}, {censored} censored)", fontsize=8)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("cycle", fontsize=8)
    ax.set_ylabel("survival@k", fontsize=8)
    ax.set_xticks(x)
    ax.tick_params(labelsize=7)
