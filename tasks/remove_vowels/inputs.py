"""Inputs for remove_vowels: the HumanEval-style cases plus the same random strings as its twin."""

import random
import string

CASES = [("",), ("abcdef\nghijklm",), ("abcdef",), ("aaaaa",), ("aaBAA",), ("zbcd",),
         ("Hello World",), ("Python",), ("AeiOu",), ("123abc",)]

_LOWER = string.ascii_lowercase
_MIXED = string.ascii_letters
_PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "
_UNICODE = "éàüÖñçÅøßЖжあいうアイウ"  # accented and non-Latin letters are not vowels here
_FIXED = ["a", "b", "A", "Y", "y", "yay", "rhythm", "AEIOU", "aEiOu", "  ", "\t\n", "queue",
          "Äpfel", "naïve", "über", "Ωmega", "日本語", "sky-high!", "bookkeeper", "a1e2i3"]


def generate(rng: random.Random, count: int) -> list[tuple]:
    inputs = [(s,) for s in _FIXED]
    alphabets = [_LOWER, _MIXED, _PRINTABLE, _LOWER + _UNICODE]
    while len(inputs) < count:
        alphabet = alphabets[len(inputs) % len(alphabets)]
        length = rng.choice([1, 2, 3, 5, 8, 13, 21, 40, 100])
        inputs.append(("".join(rng.choice(alphabet) for _ in range(length)),))
    return inputs


def probe_classes(args: tuple) -> list[str]:
    (s,) = args
    classes = []
    if s == "" or s.isspace():
        classes.append("edge")
    if any(c.isupper() for c in s):
        classes.append("case")
    if any(ord(c) > 127 for c in s):
        classes.append("unicode")
    if any(not c.isalpha() for c in s):
        classes.append("non_letter")
    if len(s) >= 40:
        classes.append("large")
    if s and all(c.lower() in "aeiou" for c in s):
        classes.append("all_vowels")
    if not classes:
        classes.append("plain")
    return classes
