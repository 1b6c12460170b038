"""Inputs for tide_band: int and float scores around each threshold, out of range, huge."""

import random

_THRESHOLDS = [84, 61, 37, 12]

CASES = [(95,), (85,), (84,), (70,), (61,), (60.5,), (38,), (37,), (12,), (11,), (0,), (-10,),
         (100,), (84.01,)]


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
