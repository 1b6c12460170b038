"""Inputs for roman_to_int: canonical numerals of 1..3999 and non-canonical strings of IVXLCDM."""

import random

CASES = [("III",), ("IV",), ("IX",), ("LVIII",), ("MCMXCIV",), ("MMXXIV",), ("",), ("I",),
         ("IIII",), ("IM",), ("MMMCMXCIX",)]

_SYMBOLS = "IVXLCDM"
_STEPS = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
_FIXED = ["V", "X", "L", "C", "D", "M", "VX", "IIV", "XM", "VV", "IL", "IC", "XCX", "CMM",
          "MDCLXVI", "IVXLCDM", "MMMM", "M" * 25]


def _canonical(number: int) -> str:
    out = ""
    for value, symbols in _STEPS:
        while number >= value:
            out += symbols
            number -= value
    return out


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs = [(s,) for s in _FIXED]
    inputs += [(_canonical(n),) for n in range(1, 41)]
    while len(inputs) < count:
        if len(inputs) % 3:
            inputs.append((_canonical(rng.randint(1, 3999)),))
        else:
            length = rng.choice([1, 2, 3, 4, 6, 9, 15])
            inputs.append(("".join(rng.choice(_SYMBOLS) for _ in range(length)),))
    return inputs


_SINGLE = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_CANONICAL = {_canonical(n) for n in range(1, 4000)}


def probe_classes(args: tuple) -> list[str]:
    (s,) = args
    classes = []
    if len(s) <= 1:
        classes.append("edge")
    if len(s) >= 10:
        classes.append("large")
    if any(_SINGLE[a] < _SINGLE[b] for a, b in zip(s, s[1:], strict=False)):
        classes.append("subtractive")
    classes.append("canonical" if s in _CANONICAL else "non_canonical")
    return classes
