"""A cycle's verdict as the reader of a transcript should see it, inside the cycle's span.

Why: in `inspect view` each cycle is a span holding its two model calls; whether the code passed,
its drift category, the one-line detail and the smallest failing inputs used to appear only in a
store event after the last cycle, as escaped JSON. The solver now logs this Markdown as an info
event at the end of each cycle's span, so the verdict sits under the calls that produced it.
"""

from __future__ import annotations

from roundtrip_eval.eval.record import Cycle

MAX_ROWS = 3
"""Failing inputs shown per cycle (the check keeps the 5 smallest; the store has them all)."""

MAX_CELL = 120
"""Characters per table cell: an input or a value longer than this is cut with an ellipsis."""


def verdict_markdown(record: Cycle) -> str:
    """`**cycle 2: failed** (return_type)`, the detail, then the smallest failing inputs."""
    if record.passed:
        check = record.check
        inputs = f": all {check.n_inputs} inputs as expected" if check and check.n_inputs else ""
        return f"**cycle {record.cycle}: passed**{inputs}"
    lines = [f"**cycle {record.cycle}: failed** ({record.category or 'unknown'})"]
    if record.detail:
        lines += ["", _cell(record.detail, 400)]
    failures = record.check.failures if record.check else []
    if failures:
        shown = failures[:MAX_ROWS]
        total = record.check.n_failed if record.check else len(failures)
        lines += [
            "",
            f"Smallest failing inputs ({len(shown)} of {total}):",
            "",
            "| input | expected | actual |",
            "|---|---|---|",
        ]
        lines += [
            f"| {_cell(f.get('input'))} | {_cell(f.get('expected'))} | {_cell(f.get('actual'))} |"
            for f in shown
        ]
    return "\n".join(lines)


def _cell(value: object, limit: int = MAX_CELL) -> str:
    """A value as one Markdown table cell: code-quoted, no pipes or newlines, cut to `limit`."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"
