"""Inputs for binary_search: sorted lists (duplicates, negatives) and present or absent targets."""

import random

CASES = [([], 3), ([5], 5), ([5], 4), ([1, 3, 5, 7, 9], 7), ([1, 3, 5, 7, 9], 1),
         ([1, 3, 5, 7, 9], 9), ([1, 3, 5, 7, 9], 4), ([1, 3, 5, 7, 9], 10), ([2, 2, 2, 2], 2),
         ([-10, -3, 0, 4, 8, 15], 0), ([1, 2, 3, 4, 5, 6, 7, 8], 6)]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs: list[tuple] = []
    base = list(range(0, 40, 3))
    inputs += [(base, t) for t in range(-2, 42)]
    while len(inputs) < count:
        size = rng.choice([0, 1, 2, 3, 5, 8, 13, 30, 100, 1000])
        spread = rng.choice([3, 20, 1000, 10**12])
        items = sorted(rng.randint(-spread, spread) for _ in range(size))
        if items and rng.random() < 0.6:
            target = rng.choice(items)
        elif items and rng.random() < 0.5:
            target = rng.choice([items[0] - 1, items[-1] + 1])
        else:
            target = rng.randint(-spread, spread)
        inputs.append((items, target))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    items, target = args
    classes = []
    if len(items) <= 1 or target < items[0] or target > items[-1]:
        classes.append("edge")
    if len(set(items)) < len(items):
        classes.append("duplicates")
    if target < 0 or any(x < 0 for x in items):
        classes.append("negative")
    if len(items) >= 100 or any(abs(x) >= 10**9 for x in items):
        classes.append("large")
    classes.append("present" if target in items else "absent")
    return classes
