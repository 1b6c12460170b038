"""The report as one page, `index.html`, that opens offline and fetches nothing.

Why a page of its own: peers publish results people can browse (EvaLoop, EvoEval), and the
report's other files (PNGs, Vega-Lite, Markdown) each show only one part. This page holds every
part, so it can be sent as one file, opened from a disk, or put on any static host as it is.

Why no JavaScript: the survival curves are inline SVG drawn here from the same plot data as the
PNGs and the Vega-Lite spec (`figures.curve_points`), and the tables are the cells summary.md
prints (`tables.cells`). The page carries a Content-Security-Policy that allows no script and
no fetch (`default-src 'none'`), so a browser refuses any network request even if a value in a
cell looked like a URL. Needs nothing installed (no matplotlib).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from roundtrip_eval.analysis.aggregate import Report
from roundtrip_eval.analysis.columns import Row
from roundtrip_eval.analysis.compare import COMPARE_COLUMNS, Comparison, preamble, rows
from roundtrip_eval.analysis.tables import GAP_COLUMNS, SURVIVAL_COLUMNS, Columns, counts_pivot, html_table

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
"""No script, no fetch, no external style, font or image: the page is all there is."""

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
"""matplotlib's tab10, so a model has the colour it has in the PNGs' first panel."""

WIDTH, HEIGHT = 460, 230
LEFT, RIGHT, TOP, BOTTOM = 48, 14, 12, 34

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto;
       max-width: 78rem; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: .95rem; font-weight: 600; margin: .2rem 0; }
table { border-collapse: collapse; font-size: .85rem; margin: .6rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } tbody tr:nth-child(even) { background: #fafafa; }
.panels { display: flex; flex-wrap: wrap; gap: 1.2rem; }
.panel { border: 1px solid #e3e3e3; padding: .5rem; border-radius: 4px; margin: 0; }
.legend { font-size: .8rem; margin: .2rem 0 0 0; padding: 0; list-style: none; }
.legend li { display: inline-block; margin-right: 1rem; }
.swatch { display: inline-block; width: .9rem; height: .35rem; vertical-align: middle; margin-right: .3rem; }
.note, .none { color: #555; font-size: .9rem; } .warn { color: #8a4b00; }
pre { background: #f6f6f6; padding: .5rem; font-size: .8rem; overflow-x: auto; }
code { background: #f3f3f3; padding: 0 .2rem; }
nav a { margin-right: .8rem; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


# --- curves -------------------------------------------------------------------------------


def _x(cycle: float, n_cycles: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * (cycle / max(n_cycles, 1))


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - value)


def _step(points: Sequence[tuple[float, float]], n_cycles: int) -> str:
    """A step-after path through (cycle, value) points, in SVG coordinates."""
    (c0, v0), rest = points[0], points[1:]
    parts = [f"M{_x(c0, n_cycles):.1f},{_y(v0):.1f}"]
    for cycle, value in rest:
        parts.append(f"H{_x(cycle, n_cycles):.1f}V{_y(value):.1f}")
    return "".join(parts)


def _band(series: Sequence[Row], n_cycles: int) -> str:
    """The Wilson band as one closed step-shaped polygon (upper edge out, lower edge back)."""
    high = [(float(p["cycle"]), 1.0 if p["high"] is None else float(p["high"])) for p in series]
    low = [(float(p["cycle"]), 0.0 if p["low"] is None else float(p["low"])) for p in series]
    coords: list[tuple[float, float]] = []
    for i, (cycle, value) in enumerate(high):
        if i:
            coords.append((cycle, high[i - 1][1]))
        coords.append((cycle, value))
    back: list[tuple[float, float]] = []
    for i, (cycle, value) in enumerate(low):
        if i:
            back.append((cycle, low[i - 1][1]))
        back.append((cycle, value))
    coords += list(reversed(back))
    return " ".join(f"{_x(c, n_cycles):.1f},{_y(v):.1f}" for c, v in coords)


def _axes(n_cycles: int) -> list[str]:
    out = [
        f'<line x1="{LEFT}" y1="{_y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{_y(0):.1f}" stroke="#444"/>',
        f'<line x1="{LEFT}" y1="{_y(0):.1f}" x2="{LEFT}" y2="{_y(1):.1f}" stroke="#444"/>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _y(tick)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick:.0%}</text>')
    step = max(1, -(-n_cycles // 12))
    for cycle in range(0, n_cycles + 1, step):
        x = _x(cycle, n_cycles)
        out.append(f'<line x1="{x:.1f}" y1="{_y(0):.1f}" x2="{x:.1f}" y2="{_y(0) + 4:.1f}" stroke="#444"/>')
        out.append(
            f'<text x="{x:.1f}" y="{_y(0) + 16:.1f}" text-anchor="middle" font-size="11">{cycle}</text>'
        )
    out.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle" '
        'font-size="11">cycle</text>'
    )
    out.append(
        f'<text x="12" y="{(TOP + HEIGHT - BOTTOM) / 2:.1f}" text-anchor="middle" font-size="11" '
        f'transform="rotate(-90 12 {(TOP + HEIGHT - BOTTOM) / 2:.1f})">survival@k</text>'
    )
    return out


def _series_label(series: Sequence[Row]) -> str:
    censored = int(series[0].get("censored_total") or 0)
    return f"{series[0]['model']} (n={series[-1]['n']}" + (f", {censored} censored)" if censored else ")")


def panel_svg(panel: str, lines: Sequence[Sequence[Row]], colors: dict[str, str]) -> str:
    """One panel (a problem under one configuration): each model's step curve and band.

    Every point is a `<circle>` carrying `data-cycle` / `data-survival` and a tooltip, so a
    reader can hover for the numbers and a test can read them back.
    """
    n_cycles = max(int(p["cycle"]) for series in lines for p in series)
    body = _axes(n_cycles)
    for series in lines:
        color = colors[str(series[0]["model"])]
        body.append(f'<polygon points="{_band(series, n_cycles)}" fill="{color}" fill-opacity="0.15"/>')
        values = [(float(p["cycle"]), float(p["survival"] or 0.0)) for p in series]
        body.append(
            f'<path class="curve" d="{_step(values, n_cycles)}" fill="none" stroke="{color}" '
            f'stroke-width="2" data-model="{_e(series[0]["model"])}"/>'
        )
        for p in series:
            survival = float(p["survival"] or 0.0)
            tip = (
                f"{p['model']}, cycle {p['cycle']}: survival {survival:.1%} "
                f"({p['survivors']}/{p['n']} survive"
                + (f", {p['censored']} censored here)" if p.get("censored") else ")")
            )
            body.append(
                f'<circle cx="{_x(float(p["cycle"]), n_cycles):.1f}" cy="{_y(survival):.1f}" r="3" '
                f'fill="{color}" data-cycle="{p["cycle"]}" data-survival="{survival:.6g}">'
                f"<title>{_e(tip)}</title></circle>"
            )
    legend = "".join(
        f'<li><span class="swatch" style="background:{colors[str(s[0]["model"])]}"></span>'
        f"{_e(_series_label(s))}</li>"
        for s in lines
    )
    svg = "\n".join(body)
    return (
        f'<figure class="panel" data-panel="{_e(panel)}">\n<h3>{_e(panel)}</h3>\n'
        f'<svg width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="survival curve: {_e(panel)}">\n'
        f'{svg}\n</svg>\n<ul class="legend">{legend}</ul>\n</figure>'
    )


def curves_html(points: Sequence[Row]) -> str:
    """Every panel of `figures.curve_points`, one SVG each, models in one colour throughout."""
    if not points:
        return '<p class="none">(no curves: no scored trials)</p>'
    panels: dict[str, dict[str, list[Row]]] = {}
    colors: dict[str, str] = {}
    for p in points:
        panels.setdefault(p["panel"], {}).setdefault(f"{p['model']}#{p['config_key']}", []).append(p)
        colors.setdefault(str(p["model"]), PALETTE[len(colors) % len(PALETTE)])
    figures = [panel_svg(panel, list(lines.values()), colors) for panel, lines in panels.items()]
    return '<div class="panels">\n' + "\n".join(figures) + "\n</div>"


def curves_page(points: Sequence[Row], title: str) -> str:
    """`survival_curves.html`: the curves alone, as offline as index.html (same SVG, same CSP)."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{_e(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{_e(title)}</h1>
<p class="note">Survival@k per cycle with Wilson 95% bands. The same chart as a Vega-Lite spec,
data inline: <code>survival_curves.vl.json</code>; every number: <code>curves.csv</code>.</p>
{curves_html(points)}
</body>
</html>
"""


# --- the page -----------------------------------------------------------------------------


def configurations_html(configurations: Sequence[Row]) -> str:
    """One entry per configuration: its label and key, what ran under it, every setting."""
    if not configurations:
        return '<p class="none">(not recorded: the page was written from report tables only)</p>'
    columns = [
        ("config", "config_key"),
        ("label", "config"),
        ("models", "models"),
        ("problems", "problems"),
        ("trials", "trials"),
        ("evals", "evals"),
        ("base seeds", "base_seeds"),
        ("created", "created"),
    ]
    parts = [html_table(configurations, columns)]
    for c in configurations:
        parts.append(
            f"<details><summary>settings of #{_e(c['config_key'])} ({_e(c['config'])})</summary>"
            f"<pre>{_e(json.dumps(c['settings'], indent=1, sort_keys=True, ensure_ascii=False))}</pre>"
            "</details>"
        )
    return "\n".join(parts)


def peers_html(peers: Sequence[Row] | None, columns: Columns, note: str) -> str:
    """Peer metrics (EvaLoop's ASL, IdentityChain's SC_n / SSC_n) when they could be computed."""
    if peers is None:
        return f'<p class="none">{_e(note)}</p>'
    return f'<p class="note">{_e(note)}</p>\n' + html_table(peers, columns)


def counts_html(rows: Sequence[Row]) -> str:
    pivot, columns = counts_pivot(rows)
    return html_table(pivot, columns)


def comparison_html(c: Comparison, points: Sequence[Row]) -> str:
    """The report's comparison section: what A and B are, both curves on one panel, the table."""
    said = "".join(f"<li>{_e(line)}</li>" for line in preamble(c))
    return f'<ul class="note">{said}</ul>\n{curves_html(points)}\n' + html_table(rows(c), COMPARE_COLUMNS)


def report_page(
    report: Report,
    points: Sequence[Row],
    source: str,
    warnings: Sequence[str] = (),
    comparison: str = "",
    configurations: Sequence[Row] = (),
    peers: Sequence[Row] | None = None,
    peer_columns: Columns = (),
    peers_note: str = "",
    files: Sequence[str] = (),
    file_notes: dict[str, str] | None = None,
) -> str:
    """The whole page as one string (deterministic: equal inputs give equal bytes)."""
    t = report.totals
    sections: list[tuple[str, str, str]] = [
        ("curves", "Survival curves", curves_html(points)),
        ("survival", "Survival", html_table(report.survival, SURVIVAL_COLUMNS)),
        *([("compare", "Comparison: A vs B", comparison)] if comparison else []),
        (
            "gap",
            "Known vs novel",
            '<p class="note">Survival@N of known minus novel problems under the same model and '
            "configuration; 95% percentile bootstrap over trials, two-sided Fisher exact p.</p>\n"
            + html_table(report.gap, GAP_COLUMNS),
        ),
        ("drift", "Drift: category of the first failing cycle", counts_html(report.drift)),
    ]
    if report.blame:
        sections.append(("blame", "Blame", counts_html(report.blame)))
    sections += [
        ("extraction", "Extraction rules (code replies)", counts_html(report.extraction)),
        ("peers", "Peer metrics", peers_html(peers, peer_columns, peers_note)),
        ("configurations", "Run configurations", configurations_html(configurations)),
    ]
    if files:
        notes = file_notes or {}
        links = "".join(
            f'<li><a href="{_e(name)}">{_e(name)}</a>'
            + (f" ({_e(notes[name])})" if name in notes else "")
            + "</li>"
            for name in files
        )
        sections.append(("files", "Files of this report", f"<ul>{links}</ul>"))
    nav = "".join(f'<a href="#{key}">{_e(title)}</a>' for key, title, _ in sections)
    warn = ""
    if warnings:
        items = "".join(f"<li>{_e(w)}</li>" for w in warnings[:20])
        warn = f'<div class="warn"><strong>Warnings ({len(warnings)}):</strong><ul>{items}</ul></div>'
    body = "\n".join(
        f'<section id="{key}">\n<h2>{_e(title)}</h2>\n{content}\n</section>'
        for key, title, content in sections
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Round-trip survival report: {_e(source)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Round-trip survival report</h1>
<p id="totals">Source: <code>{_e(source)}</code>: {t.get("logs", 0)} eval(s), {t.get("trials", 0)} trial(s)
in {t.get("groups", 0)} group(s) (model x problem x configuration), {t.get("configurations", 0)}
configuration(s), {t.get("models", 0)} model(s), {t.get("cycles", 0)} cycle(s).
Scored trials: {t.get("scored", 0)}; infrastructure errors (never counted in survival):
{t.get("infra_errors", 0)}; censored: {t.get("censored", 0)}.</p>
<ul class="note">
<li>survival@k = trials known to pass cycles 1..k / scored trials; intervals are Wilson 95%.
Hazard(i) = failures at cycle i / trials observed at cycle i.</li>
<li>Censored trials (stopped early with no failing cycle) count as surviving only the cycles they
were observed in.</li>
<li>Runs that differ in any setting (language, spec format, extraction, N, temperature, prompt set,
...) are separate groups and are never pooled.</li>
</ul>
{warn}
<nav>{nav}</nav>
{body}
</body>
</html>
"""
