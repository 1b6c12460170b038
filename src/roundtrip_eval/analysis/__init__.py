"""After-the-fact analysis of roundtrip-eval logs: summaries, reports, exports, upstream rescoring.

Why a sub-package: the benchmark itself (tasks, solver, checker, metrics) must stay light to
import, because Inspect imports it at the start of every eval. Everything here runs after the
fact; the core never imports it (the statistics the eval's own metrics need are in
`roundtrip_eval.stats`). Its heavier dependencies (matplotlib, pandas, pyarrow: the `analysis`
extra) are imported lazily, inside the functions that need them, and a missing one is reported
in one line naming the extra (extra.py).

Layout (pure core, thin shell), read top-down:
  cli.py            registers the commands below on `roundtrip-eval`
  summary.py        `roundtrip-eval summary`: the metrics of one log, in the terminal
  report.py         `roundtrip-eval report`: reads logs, writes figures, tables, summary.md
  export.py         `roundtrip-eval export`: rows -> jsonl / csv / parquet, and back
  rescore/          `roundtrip-eval rescore-upstream`: replays upstream replies through our
                    checker (plan / run / outcomes / tables / markdown)
  results_table.py  the README's table from the report (results.md; `roundtrip-eval-dev
                    results-table` prints it)
  read.py           log folder or export folder -> rows, with one-line errors
  rows.py           one Inspect log -> flat per-trial and per-cycle rows (the extraction)
  columns.py        the row model: columns and their types
  aggregate.py      rows -> report tables (pure: the report never looks at log objects)
  figures.py        survival curves: Vega-Lite spec and page, matplotlib PNGs
  tables.py         rows as CSV and as Markdown tables
  upstream.py       the original study's result.json trials and the rescoring rules (pure)
  extra.py          the optional `analysis` extra: require a module, or one line saying so
"""
