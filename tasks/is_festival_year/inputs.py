"""Inputs for is_festival_year: a sweep around 0, the moduli's residues and random years."""

import random

CASES = [(7,), (43,), (13,), (1,), (259,), (511,), (6,), (0,), (-5,), (2023,)]

_SPECIAL = [252, 259, 36, 43, 79, 115, 245, 504, 511, 763, 1015, 1519, 2023, 2024, 2025,
            -245, -29, -1, 9999]
_BIG_A = 252 * 10**9 + 7
_BIG_B = 36 * 10**9 + 7

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
    if year % 252 == 7:
        classes.append("residue_252")
    elif year % 36 == 7:
        classes.append("residue_36")
    elif year % 6 == 1:
        classes.append("residue_6")
    else:
        classes.append("plain")
    return classes
