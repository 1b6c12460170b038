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
differs but compiles, checked by our checker too (each distinct code once, directly).

Old model code is untrusted: checks run in the `roundtrip-docker` sandbox. `--sandbox local`
runs it on this machine, unsandboxed, and says so loudly.

What makes the whole published dataset (8,422 trials) fast enough: a trial whose replay script
equals an earlier one's is not replayed again (plan.py: 5,291 scripts), each distinct check is
made once, in a small pool of sandboxes (memo.py: about 200 distinct checks of about 19,000),
the evals run in one worker process per core (workers.py), and one progress line replaces
Inspect's per-eval display (progress.py).

The seams, each usable on its own (e.g. to rebuild the tables from logs already written):
  plan.py       trials -> one EvalPlan per eval (and the repeats), its replay script and task
  run.py        the sandbox check, running the evals, checking original code; `run_rescore`
  memo.py       the `rescore-memo` sandbox: each distinct check once, in a pool of sandboxes
  workers.py    the evals in shards, one worker process each
  progress.py   one progress line, and each finished sample's cycles (an Inspect hook)
  outcomes.py   eval logs -> one row per upstream trial, artifacts classified (pure)
  tables.py     rows -> comparison, headline, per-configuration, per-model tables, curves (pure)
  published.py  the study's own tables against raw/ read under its rules (pure)
  markdown.py   the tables as Markdown, the summary page, and the files written
  study.py      the whole-study files: the published check, per configuration and per model,
                the claims' slices, the curves (curves.py: PNG and Vega-Lite)
"""
