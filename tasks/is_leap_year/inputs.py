"""Inputs for is_leap_year: a sweep around 0, centuries, famous years and random years."""

import random

CASES = [(2000,), (1900,), (2024,), (2023,), (1600,), (1700,), (4,), (0,), (-4,), (2100,)]

_SPECIAL = [100, 200, 300, 400, 800, 1000, 1200, 1582, 1752, 1800, 1996, 1999, 2004, 2400,
            -100, -400, -1, 9999, 10000]
_BIG_A = 400 * 10**9
_BIG_B = 100 * 10**9 + 100

def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs = [(y,) for y in range(-12, 41)]
    inputs += [(y,) for y in _SPECIAL]
    while len(inputs) < count - 6:
        inputs.append((rng.randrange(1, 4000),))
    inputs += [(10**12,), (10**12 + 7,), (-(10**12),), (2**63,), (_BIG_A,), (_BIG_B,)]
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (year,) = args
    classes = []
    if year <= 0:
        classes.append("edge")
    if abs(year) >= 10**6:
        classes.append("large")
    if year % 400 == 0:
        classes.append("multiple_400")
    elif year % 100 == 0:
        classes.append("multiple_100")
    elif year % 4 == 0:
        classes.append("multiple_4")
    else:
        classes.append("plain")
    return classes
