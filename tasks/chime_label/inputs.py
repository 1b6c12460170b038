"""Inputs for chime_label: hand-picked residues, a sweep and random draws (as for fizzbuzz)."""

import random

CASES = [(1,), (2,), (3,), (4,), (7,), (9,), (11,), (18,), (19,), (-1,), (0,)]


def generate(rng: random.Random, count: int) -> list[tuple]:
    sweep = [(n,) for n in range(-45, 61)]
    n_extra = count - len(sweep) - 6
    extra = [(rng.choice([-1, 1]) * rng.randrange(61, 10**6),) for _ in range(n_extra)]
    large = [(10**12,), (10**12 + 7,), (-(10**12) - 5,), (2**63,), (9 * 2**40,), (12 * 10**9 + 7,)]
    return sweep + extra + large


def probe_classes(args: tuple) -> list[str]:
    (n,) = args
    classes = []
    if n == 0 or n < 0:
        classes.append("edge")
    if abs(n) >= 10**9:
        classes.append("large")
    if n % 6 == 1 and n % 4 == 3:
        classes.append("overlap")
    if n % 6 == 1:
        classes.append("residue_6")
    elif n % 4 == 3:
        classes.append("residue_4")
    elif n % 9 == 0:
        classes.append("multiple_9")
    else:
        classes.append("plain")
    return classes
