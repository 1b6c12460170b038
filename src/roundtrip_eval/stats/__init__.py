"""Every number the benchmark reports, defined once: pure functions of plain numbers.

Who uses it: the eval's own metrics (`eval/metrics.py`, which write the known-vs-novel gap into
the log), `roundtrip-eval report` and the export (`analysis/`), the rescoring of the original
study (`analysis/rescore/`) and the studies (`studies/`). So the gap in a log, in a report and in
a study's table is one computation, and the import-layer rule (tests/test_layers.py) lets every
room use this one: it imports nothing of the package and numpy only inside the bootstrap.

The methods, and why these:
- **Wilson 95% interval** for every proportion (`survival.wilson_interval`): with 30 trials per
  configuration and rates near 0 or 1 (fizzbuzz 30/30, separate_vowels 0/30) the normal (Wald)
  interval collapses to a point; Wilson does not, and the original study published it.
- **Survival with censoring** (`survival.life_table`): a trial that stopped early without a
  failing cycle (a limit, an infrastructure error, a rescored upstream trial whose next cycle is
  unknown) is *censored*: at risk only for the cycles it was observed in, never counted as a
  failure, and never as a survivor past its last observed cycle. The life table gives survival,
  hazard and the Kaplan-Meier estimate per cycle.
- **Percentile bootstrap of a difference** (`difference.bootstrap_difference`): known vs novel,
  trials resampled within each side, seeded so the interval in a log can be recomputed exactly;
  `bootstrap_difference_of_gaps` does the same for an ablation's change of a gap.
- **Fisher's exact test** (`difference.fisher_exact`) for the same 2x2 table, exact at small
  counts where chi-square is not, on exact integers (no floating-point tie tolerance, no scipy).
- **The known-vs-novel gap** (`gap.pair_gaps`), as the pre-registered plan
  (docs/generalization_plan.md) fixes it: mean cycles survived and survival@3, pooled over the
  twin pairs run and per pair.

Modules: `difference` (two samples), `survival` (one sample over cycles), `gap` (the headline).
"""
