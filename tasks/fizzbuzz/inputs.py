"""Inputs for fizzbuzz: the study's cases, then a sweep and random draws."""

import random

# The published test inputs of the original study.
CASES = [(1,), (2,), (3,), (4,), (5,), (6,), (10,), (15,), (30,), (-1,), (0,)]


def generate(rng: random.Random, count: int) -> list[tuple]:
    sweep = [(n,) for n in range(-45, 61)]
    extra = [(rng.choice([-1, 1]) * rng.randrange(61, 10**6),) for _ in range(count - len(sweep) - 6)]
    large = [(10**12,), (10**12 + 3,), (-(10**12) - 5,), (2**63,), (3 * 2**40,), (15 * 10**9,)]
    return sweep + extra + large


def probe_classes(args: tuple) -> list[str]:
    (n,) = args
    classes = []
    if n == 0 or n < 0:
        classes.append("edge")
    if abs(n) >= 10**9:
        classes.append("large")
    if n % 15 == 0:
        classes.append("multiple_15")
    elif n % 3 == 0:
        classes.append("multiple_3")
    elif n % 5 == 0:
        classes.append("multiple_5")
    else:
        classes.append("plain")
    return classes
