"""Inputs for tumble_count: a sweep of small n, powers, random n and huge n."""

import random

CASES = [(1,), (2,), (3,), (6,), (7,), (9,), (27,), (0,), (-5,), (97,), (81,)]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs = [(n,) for n in range(-5, 61)]
    inputs += [(2**k,) for k in (10, 20, 40)] + [(3**k,) for k in (7, 13, 25)]
    inputs += [(10**12,), (10**12 + 1,), (2**63 - 1,), (3**40 + 1,), (-(10**12),)]
    while len(inputs) < count:
        inputs.append((rng.randint(61, 10**rng.choice([3, 6, 9])),))
    return inputs


def _is_power(n: int, base: int) -> bool:
    while n > 1 and n % base == 0:
        n //= base
    return n == 1


def probe_classes(args: tuple) -> list[str]:
    (n,) = args
    classes = []
    if n <= 1:
        classes.append("edge")
    if n < 0:
        classes.append("negative")
    if n >= 10**9:
        classes.append("large")
    if n > 1 and _is_power(n, 2):
        classes.append("power_of_2")
    if n > 1 and _is_power(n, 3):
        classes.append("power_of_3")
    if not classes:
        classes.append("plain")
    return classes
