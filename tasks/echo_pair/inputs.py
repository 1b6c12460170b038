"""Inputs for echo_pair: int lists with reachable and unreachable targets, duplicates, negatives."""

import random

CASES = [([2, 7, 11, 15], 9), ([3, 2, 4], 6), ([3, 3], 6), ([1, 2, 3], 7), ([], 0), ([5], 10),
         ([1, 5, 1, 5], 6), ([-1, -2, -3, -4], -5), ([0, 4, 3, 0], 0), ([1, 3, 5], 7)]


def _reachable(rng: random.Random, values: list[int]) -> int:
    i, j = sorted(rng.sample(range(len(values)), 2))
    if rng.random() < 0.5:
        return values[i] + values[j]
    return values[i] + 2 * values[j]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs: list[tuple] = [([1, 2, 3, 4], t) for t in range(-1, 13)]
    inputs += [([10**12, 1, 10**12 - 1], 2 * 10**12 - 1), (list(range(1000)), 1997)]
    while len(inputs) < count:
        size = rng.choice([1, 2, 3, 4, 6, 10, 25, 100])
        spread = rng.choice([3, 10, 100, 10**9])
        values = [rng.randint(-spread, spread) for _ in range(size)]
        if size >= 2 and rng.random() < 0.7:
            target = _reachable(rng, values)
        else:
            target = rng.randint(-2 * spread, 2 * spread)
        inputs.append((values, target))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    values, target = args
    classes = []
    if len(values) <= 1 or target == 0:
        classes.append("edge")
    if len(set(values)) < len(values):
        classes.append("duplicates")
    if target < 0 or any(v < 0 for v in values):
        classes.append("negative")
    if len(values) >= 100 or any(abs(v) >= 10**9 for v in values):
        classes.append("large")
    if not classes:
        classes.append("plain")
    return classes
