"""Tests of `roundtrip_eval.analysis.rescore`, one file per module."""
