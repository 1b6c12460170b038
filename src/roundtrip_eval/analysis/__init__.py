"""Analysis of roundtrip-eval logs: statistics, reports, exports and upstream rescoring.

Why a sub-package: the benchmark itself (tasks, solver, checker) must stay light to import,
because Inspect imports it at the start of every eval. Everything here is used after the
fact, and its heavier dependencies (matplotlib, pandas, pyarrow: the `analysis` extra) are
imported lazily, inside the functions that need them.

Layout (pure core, thin shell):
  stats.py      pure statistics: Wilson intervals, bootstrap, Fisher, survival/hazard
  rows.py       Inspect logs -> flat per-cycle and per-trial rows (the one data model)
  aggregate.py  rows -> report tables (pure: the report never looks at log objects)
  report.py     `roundtrip-eval report`: reads logs, writes figures, tables, summary.md
  export.py     `roundtrip-eval export`: rows -> jsonl / csv / parquet, and back
  upstream.py   the original study's result.json trials and the rescoring rules (pure)
  rescore.py    `roundtrip-eval rescore-upstream`: replays upstream replies through our checker
  cli.py        registers the three subcommands
"""
