"""Plain tables shared by every after-the-fact command: rows as CSV, Markdown and HTML.

Why one place: the report and the rescored study write the same kinds of tables, and one
formatter means a missing value prints the same everywhere (an empty CSV cell, `–` in Markdown
and HTML), and the report page shows exactly the cells summary.md shows.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from roundtrip_eval.analysis.columns import Row

Columns = Sequence[tuple[str, str]]
"""(header, key or format template) per column, e.g. `("mean cycles", "{mean_cycles_survived:.2f}")`."""


def _pct(key: str) -> str:
    return "{" + key + "_k}/{scored} = {" + key + "_rate:.1%} [{" + key + "_low:.1%}, {" + key + "_high:.1%}]"


CONFIG_CELL = "{config} #{config_key}"
"""A configuration in tables: its label and its key (labels can coincide, keys cannot)."""

SURVIVAL_COLUMNS: list[tuple[str, str]] = [
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

GAP_COLUMNS: list[tuple[str, str]] = [
    ("model", "model"),
    ("config", CONFIG_CELL),
    ("pair", "pair"),
    ("trials (known / novel)", "{known_n} / {novel_n}"),
    ("mean cycles known / novel", "{known_mean:.2f} / {novel_mean:.2f}"),
    ("gap [95% CI]", "{gap:+.2f} [{gap_low:+.2f}, {gap_high:+.2f}]"),
    ("survival@k known / novel", "@{at}: {known_at}/{known_n} / {novel_at}/{novel_n}"),
    ("gap [95% CI] ", "{gap_at:+.2f} [{gap_at_low:+.2f}, {gap_at_high:+.2f}]"),
    ("Fisher p", "{fisher_p:.3g}"),
    ("survival@1 known / novel", "{known_s1} / {novel_s1}"),
    ("survival@N known / novel", "{known_sn} / {novel_sn}"),
]


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


def cells(row: Row, columns: Columns) -> list[str]:
    """One row's cells as text, as every table format prints them."""
    out = []
    for _, key in columns:
        if "{" in key:
            out.append(key.format_map(_Formatter(row)))
        else:
            out.append(_cell(row.get(key)))
    return out


def markdown_table(rows: Sequence[Row], columns: Columns) -> str:
    """A GitHub-flavoured Markdown table; `columns` = (header, key or format template)."""
    if not rows:
        return "_(none)_\n"
    lines = [
        "| " + " | ".join(h for h, _ in columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(row, columns)) + " |")
    return "\n".join(lines) + "\n"


def html_table(rows: Sequence[Row], columns: Columns, css_class: str = "") -> str:
    """The same table as HTML (every cell escaped); an empty table says so."""
    if not rows:
        return '<p class="none">(none)</p>\n'
    attr = f' class="{html.escape(css_class)}"' if css_class else ""
    head = "".join(f"<th>{html.escape(h)}</th>" for h, _ in columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells(row, columns)) + "</tr>" for row in rows
    )
    return f"<table{attr}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"


def counts_pivot(rows: Sequence[Row]) -> tuple[list[Row], list[tuple[str, str]]]:
    """Count rows (one per group and value) as one row per group, one column per value."""
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
    return list(groups.values()), columns


class _Formatter(dict[str, Any]):
    """format_map helper: missing/None values print as empty, floats as given."""

    def __init__(self, row: Row) -> None:
        super().__init__({k: _Blank() if v is None else v for k, v in row.items()})

    def __missing__(self, key: str) -> Any:
        return _Blank()


class _Blank:
    def __format__(self, spec: str) -> str:
        return "–"
