"""`roundtrip-eval rescore-evalooop`: EvaLooop's 91 published models on MBPP+, rescored.

The seams, each usable on its own:
  read.py       EvaLooop's leaderboard and per-model loop records, as typed records (the live
                comparison reads them here too)
  published.py  their published numbers reproduced from their own verdicts (no sandbox)
  problems.py   the MBPP+ problems, C0's expected outputs cached in the output folder
  checks.py     each distinct (task, code) checked once in the sandbox, judged in both modes;
                verdicts appended to a file as they come (resume), one progress line
  classify.py   why our EvalPlus-mode verdict and theirs disagree (pure)
  tables.py     models.csv, disagreements.csv, survival@k, hazard, drift, the HTML page
  run.py        the whole command
"""
