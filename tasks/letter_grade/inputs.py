"""Inputs for letter_grade: int and float scores around each threshold, out of range, huge."""

import random

_THRESHOLDS = [90, 80, 70, 60]

CASES = [(95,), (90,), (89,), (85,), (80,), (79.5,), (70,), (65,), (60,), (59,), (0,), (-10,),
         (100,), (89.99,)]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs: list[tuple] = [(n,) for n in range(-5, 106)]
    for t in _THRESHOLDS:
        inputs += [(t - 0.5,), (float(t),), (t + 0.01,)]
    inputs += [(10**9,), (-(10**9),), (1e18,), (-0.0,)]
    while len(inputs) < count:
        inputs.append((round(rng.uniform(-20, 120), rng.choice([0, 1, 2])),))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (level,) = args
    classes = []
    if level <= 0 or level > 100:
        classes.append("edge")
    if abs(level) >= 10**6:
        classes.append("large")
    if isinstance(level, float):
        classes.append("float")
    if any(abs(level - t) <= 0.5 for t in _THRESHOLDS):
        classes.append("boundary")
    if not classes:
        classes.append("plain")
    return classes
