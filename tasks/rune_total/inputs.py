"""Inputs for rune_total: strings over the six runes kzphwj, ordered, repeated and random."""

import random

CASES = [("kzp",), ("pzk",), ("kk",), ("zpk",), ("jwhpzk",), ("kzphwj",), ("",), ("k",),
         ("kkkk",), ("kj",), ("jjjwhhhpzk",)]

_RUNES = "kzphwj"
_VALUES = {"k": 3, "z": 8, "p": 40, "h": 90, "w": 600, "j": 2000}
_FIXED = ["z", "p", "h", "w", "j", "zk", "kkz", "pj", "zz", "kh", "kw", "pzp", "wjj", "hjh",
          "jwhpzkkzphwj", "wwww", "j" * 25]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs = [(s,) for s in _FIXED]
    while len(inputs) < count:
        length = rng.choice([1, 2, 3, 4, 6, 9, 15])
        runes = [rng.choice(_RUNES) for _ in range(length)]
        if len(inputs) % 3 == 1:
            runes.sort(key=_VALUES.get)
        elif len(inputs) % 3 == 2:
            runes.sort(key=_VALUES.get, reverse=True)
        inputs.append(("".join(runes),))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (s,) = args
    classes = []
    if len(s) <= 1:
        classes.append("edge")
    if len(s) >= 10:
        classes.append("large")
    if any(a == b for a, b in zip(s, s[1:], strict=False)):
        classes.append("repeats")
    if any(_VALUES[a] > _VALUES[b] for a, b in zip(s, s[1:], strict=False)):
        classes.append("falling")
    if any(_VALUES[a] < _VALUES[b] for a, b in zip(s, s[1:], strict=False)):
        classes.append("rising")
    if not classes:
        classes.append("plain")
    return classes
