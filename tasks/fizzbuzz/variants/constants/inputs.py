"""Inputs for the 4/7 constants variant of fizzbuzz: the study's cases plus the new multiples."""

import random

CASES = [(1,), (2,), (3,), (4,), (5,), (6,), (7,), (8,), (10,), (14,), (15,), (28,), (30,), (56,),
         (-1,), (0,)]


def generate(rng: random.Random, count: int) -> list[tuple]:
    sweep = [(n,) for n in range(-45, 61)]
    n_extra = count - len(sweep) - 6
    extra = [(rng.choice([-1, 1]) * rng.randrange(61, 10**6),) for _ in range(n_extra)]
    large = [(10**12,), (10**12 + 3,), (-(10**12) - 5,), (2**63,), (7 * 2**40,), (28 * 10**9,)]
    return sweep + extra + large


def probe_classes(args: tuple) -> list[str]:
    (n,) = args
    classes = []
    if n == 0 or n < 0:
        classes.append("edge")
    if abs(n) >= 10**9:
        classes.append("large")
    if n % 15 == 0 or n % 3 == 0 or n % 5 == 0:
        classes.append("original_multiple")
    if n % 28 == 0:
        classes.append("multiple_28")
    elif n % 4 == 0:
        classes.append("multiple_4")
    elif n % 7 == 0:
        classes.append("multiple_7")
    else:
        classes.append("plain")
    return classes
