"""Inputs for greatest_common_divisor: small pairs, multiples, zeros, negatives and huge ints."""

import random

CASES = [(3, 5), (25, 15), (10, 5), (12, 8), (48, 18), (7, 3), (0, 9), (9, 0), (0, 0), (-12, 8),
         (12, -8), (100, 75)]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs: list[tuple] = [(a, b) for a in range(-3, 13) for b in (0, 1, 2, 6)]
    inputs += [(2**61 - 1, 2**31 - 1), (10**18, 10**12), (3**40, 6**20), (-(10**15), 10**9 + 7)]
    while len(inputs) < count:
        kind = len(inputs) % 4
        if kind == 0:
            g = rng.randint(1, 50)
            inputs.append((g * rng.randint(1, 200), g * rng.randint(1, 200)))
        elif kind == 1:
            inputs.append((rng.randint(-1000, 1000), rng.randint(-1000, 1000)))
        elif kind == 2:
            b = rng.randint(1, 300)
            inputs.append((b * rng.randint(1, 50), b))
        else:
            inputs.append((rng.randint(1, 10**12), rng.randint(1, 10**9)))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    a, b = args
    classes = []
    if a == 0 or b == 0 or a < 0 or b < 0:
        classes.append("edge")
    if a < 0 or b < 0:
        classes.append("negative")
    if max(abs(a), abs(b)) >= 10**9:
        classes.append("large")
    if b != 0 and a % b == 0:
        classes.append("multiple")
    if a == b:
        classes.append("equal")
    if not classes:
        classes.append("plain")
    return classes
