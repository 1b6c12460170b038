"""Tests of `roundtrip_eval.sandbox`, one file per module of the package.

A package so that its module names (`sandbox.test_exec`, ...) cannot clash with test files of
the same name in other folders of `tests/`.
"""
