"""What runs during an eval: the `@task` functions, their settings and dataset, the g/f solver,
code and spec extraction, the drift categories, the scorers and metrics, the prompts and the
offline `replay/` model.

Nothing here imports `roundtrip_eval.analysis`, the CLI or the studies (a test enforces it).
"""
