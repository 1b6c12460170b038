"""Tests of `roundtrip_eval.analysis`, one file per module (a package, so that a name such as
test_stats.py may repeat the name of a core test file)."""
