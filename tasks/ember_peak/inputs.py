"""Inputs for ember_peak: int lists of mixed, all-negative and all-positive values."""

import random

CASES = [([],), ([5],), ([-5],), ([-2, 1, -3, 4, -1, 2, 1, -5, 4],), ([1, 2, 3],),
         ([-3, -1, -2],), ([0, 0, 0],), ([5, -9, 6],), ([2, -1, 2, -1, 2],), ([-1, 3],)]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs: list[tuple] = [([n],) for n in range(-5, 6)]
    inputs += [([0] * 5,), ([-1] * 30,), ([10**12, -(10**12), 10**12],), (list(range(-50, 51)),)]
    while len(inputs) < count:
        size = rng.choice([2, 3, 4, 6, 10, 20, 50, 200])
        kind = len(inputs) % 4
        if kind == 0:
            values = [rng.randint(-10, 10) for _ in range(size)]
        elif kind == 1:
            values = [rng.randint(-100, -1) for _ in range(size)]
        elif kind == 2:
            values = [rng.randint(0, 100) for _ in range(size)]
        else:
            values = [rng.randint(-(10**9), 10**9) for _ in range(size)]
        inputs.append((values,))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (values,) = args
    classes = []
    if len(values) <= 1 or all(v == 0 for v in values):
        classes.append("edge")
    if values and all(v < 0 for v in values):
        classes.append("all_negative")
    elif values and all(v >= 0 for v in values):
        classes.append("all_non_negative")
    else:
        classes.append("mixed_sign")
    if len(values) >= 50 or any(abs(v) >= 10**6 for v in values):
        classes.append("large")
    return classes
