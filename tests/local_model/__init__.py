"""Tests of `roundtrip_eval.local_model`, one file per module (a package, so its conftest never
shadows `tests/conftest.py` as the top-level module `conftest`)."""
