"""`roundtrip-eval rescore-upstream DIR -o OUTDIR`: the original study's trials under our rules.

How: every upstream trial's logged raw replies (step1_raw_spec, step2_generated_code_raw per
cycle) become one line of a replay script, and the *real* task runs on it with the `replay`
model: our solver, our tolerant extraction and our sandboxed, type-exact checker decide every
cycle, exactly as for a live model. One eval per batch x model x language x spec format x
prompt style x problem (`upstream.EvalGroup`), with `cycles` = the original N, one epoch per
original run. Where an original trial ends before N (its failing cycle K, or a cycle whose code
was never generated), the script ends with a `{"stop": ...}` marker: if our checker passed K,
our solver asks for cycle K+1, reaches the marker and the trial ends cleanly as a sample limit,
read as *censored*, never as an error or a failure (replay.ReplayExhausted). The rules are in
upstream.py, applied by `rebuild`, and every trial's log outcome is checked against them.

Why replay and not a hand-built EvalLog: the logs are ordinary eval logs (spans per cycle,
model events, sandbox events) that `inspect view`, `roundtrip-eval report` and `export` read
like any other run, and the verdicts come from the very code path live runs use. What they do
not have: the original prompts (never logged; the prompts shown are ours, rendered from our
code) and generation options (none were sent; the server default applied).

Artifacts are told apart afterwards: when our checker passes the original's failing cycle,
the original's executed code (`step2_generated_code_clean`) is compared with ours and, when it
differs but compiles, checked by our checker too (a few direct checks in one sandbox).

Old model code is untrusted: checks run in the `roundtrip-docker` sandbox. `--sandbox local`
runs it on this machine, unsandboxed, and says so loudly.

The seams, each usable on its own (e.g. to rebuild the tables from logs already written):
  plan.py      trials -> one EvalPlan per eval, its replay script and its Inspect task (no I/O
               beyond writing the script)
  run.py       the sandbox check, running the evals, checking original code; `run_rescore`
  outcomes.py  eval logs -> one row per upstream trial, artifacts classified (pure)
  tables.py    rows -> the comparison and headline tables and the totals (pure)
  markdown.py  the tables as Markdown, the summary page, and the files written
"""
