"""The studies run on this suite: pre-registered analyses and validations with their hand-label
data (`studies/data/`). Importable from a checkout and tested; not part of the wheel.

Run one as a module from the repository root, e.g. `python -m studies.generalization LOGDIR`.
"""
