"""Inputs for the 3/90/360 constants variant of is_leap_year: its multiples and Gregorian ones."""

import random

CASES = [(2000,), (1900,), (2024,), (2023,), (360,), (90,), (3,), (0,), (-3,), (720,)]

_SPECIAL = [100, 180, 270, 400, 450, 1080, 1200, 1582, 1800, 1996, 1999, 2004, 2400,
            -90, -360, -1, 9999, 10000, 3600]
_BIG_A = 360 * 10**9
_BIG_B = 90 * 10**9 + 90

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
    if year % 4 == 0:
        classes.append("gregorian_multiple")
    if year % 360 == 0:
        classes.append("multiple_360")
    elif year % 90 == 0:
        classes.append("multiple_90")
    elif year % 3 == 0:
        classes.append("multiple_3")
    else:
        classes.append("plain")
    return classes
